"""The one place that loads a spaCy pipeline; streams texts through NER and the tagger.

Only the components the entity recogniser needs are loaded: for en_core_web_sm that is
`ner` alone (it has its own tok2vec), which is what makes geotag about twice as fast as
the full pipeline.
"""

from __future__ import annotations

import os
import re
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import DEFAULT_MODEL
from .errors import ModelError
from .gazetteer import Gazetteer
from .models import Article, Document, Failure
from .repair import RawSpan
from .tagger import Tagger, TagOptions

if TYPE_CHECKING:
    from spacy.language import Language

ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler"})
# NER cost and memory grow with a text's length; longer texts go through in pieces.
CHUNK_CHARS = 100_000
BATCH_SIZE = 64


def installed_models() -> list[str]:
    import spacy.util

    return sorted(spacy.util.get_installed_models())


_loaded: dict[str, Language] = {}


def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (an installed pipeline package or a path) with only what NER needs.

    A model is loaded once per process and shared by later calls.
    """
    if model not in _loaded:
        _loaded[model] = _load_nlp(model)
    return _loaded[model]


def _load_nlp(model: str) -> Language:
    import spacy
    import spacy.util

    path = _model_path(model)
    config = spacy.util.load_config(path / "config.cfg") if path else None
    exclude = _unneeded_components(config, model) if config else []
    try:
        nlp = spacy.load(model, exclude=exclude)
    except OSError as exc:
        raise ModelError(_missing_model_message(model)) from exc
    except Exception as exc:  # spaCy raises many kinds for a broken pipeline
        raise ModelError(f"cannot load spaCy pipeline {model!r}: {exc}") from exc
    if not any(nlp.get_pipe_meta(name).factory in ENTITY_FACTORIES for name in nlp.pipe_names):
        raise ModelError(
            f"spaCy pipeline {model!r} has no entity recogniser (components: "
            f"{', '.join(nlp.pipe_names) or 'none'}); choose one with 'ner'"
        )
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS + 1)
    return nlp


def _model_path(model: str) -> Path | None:
    import spacy.util

    candidate = Path(model)
    if candidate.is_dir() and (candidate / "config.cfg").is_file():
        return candidate
    if not spacy.util.is_package(model):
        if candidate.exists() or "/" in model:
            raise ModelError(f"not a spaCy pipeline directory (no config.cfg): {model}")
        raise ModelError(_missing_model_message(model))
    package = spacy.util.get_package_path(model)
    for sub in sorted(package.iterdir()):
        if (sub / "config.cfg").is_file():
            return sub
    return None


def _missing_model_message(model: str) -> str:
    found = installed_models()
    have = ", ".join(found) if found else "none"
    return (
        f"spaCy pipeline {model!r} is not installed (installed pipelines: {have}); "
        f"install it with pip or pass --model with one of those"
    )


def _unneeded_components(config: Any, model: str) -> list[str]:
    """Components that neither find entities nor feed a component that does."""
    components: dict[str, Any] = dict(config.get("components", {}))
    pipeline: list[str] = list(config.get("nlp", {}).get("pipeline", []))
    needed = {
        name for name in pipeline if components.get(name, {}).get("factory") in ENTITY_FACTORIES
    }
    for name in list(needed):
        for upstream in _listener_upstreams(components.get(name, {})):
            if upstream == "*":
                needed |= {
                    n
                    for n in pipeline
                    if components.get(n, {}).get("factory")
                    in {"tok2vec", "transformer", "curated_transformer"}
                }
            else:
                needed.add(upstream)
    return [name for name in pipeline if name not in needed]


def _listener_upstreams(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        arch = str(node.get("@architectures", ""))
        if "Listener" in arch:
            yield str(node.get("upstream", "*"))
        for value in node.values():
            yield from _listener_upstreams(value)


class Pipeline:
    """A loaded spaCy pipeline and a tagger: texts in, Documents out, in input order."""

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        gazetteer: Gazetteer | None = None,
        options: TagOptions | None = None,
        nlp: Language | None = None,
    ) -> None:
        self.model = model
        self.nlp = nlp if nlp is not None else load_nlp(model)
        self.tagger = Tagger(gazetteer or Gazetteer.load(), options)

    def tag_text(self, text: str, source: str | None = None, id: str | None = None) -> Document:
        result = next(self.tag_articles([Article(text, source, id)]))
        assert isinstance(result, Document)
        return result

    def tag_articles(
        self,
        articles: Iterable[Article | Failure],
        batch_size: int = BATCH_SIZE,
        jobs: int = 1,
    ) -> Iterator[Document | Failure]:
        """Tag articles as they come, in input order; failures pass through in their place.

        With `jobs` > 1 (0: one per CPU), batches of articles go to worker processes that
        each hold a copy of the pipeline; results still come back in input order.
        """
        workers = resolve_jobs(jobs)
        if workers == 1:
            return self._tag_stream(articles, batch_size)
        return _parallel(self, articles, workers)

    def _tag_stream(
        self, articles: Iterable[Article | Failure], batch_size: int = BATCH_SIZE
    ) -> Iterator[Document | Failure]:
        # Each article is cut into pieces no longer than CHUNK_CHARS, the pieces stream
        # through spaCy in batches, and an article is tagged once its last piece is back.
        slots: dict[int, tuple[Article | Failure, int]] = {}

        def pieces() -> Iterator[tuple[str, tuple[int, int]]]:
            for n, item in enumerate(articles):
                if isinstance(item, Failure):
                    slots[n] = (item, 0)
                    yield "", (n, -1)
                    continue
                chunks = list(split_text(item.text, CHUNK_CHARS))
                slots[n] = (item, len(chunks))
                for offset, chunk in chunks:
                    yield chunk, (n, offset)

        from .component import spans_of

        docs = self.nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size)
        for item, spans in _reassemble(docs, slots, spans_of):
            if isinstance(item, Failure):
                yield item
            else:
                yield self.tagger.tag(item.text, spans, source=item.source, id=item.id)


def resolve_jobs(jobs: int) -> int:
    """Worker count: `jobs`, or one per CPU for 0."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (all CPUs) or a positive number")
    return jobs or os.cpu_count() or 1


# -- parallel ----------------------------------------------------------------------------

PARALLEL_BATCH = 16
_worker_pipeline: Pipeline | None = None


def _init_worker(pipeline: Pipeline | None, recipe: tuple[str, str | None, TagOptions]) -> None:
    """Runs in each worker: reuse the pipeline inherited by fork, or load one (spawn)."""
    global _worker_pipeline
    # Ctrl-C is the parent's to handle; a worker that raised too would print tracebacks.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if pipeline is None:
        model, gazetteer, options = recipe
        pipeline = Pipeline(model, Gazetteer.load(gazetteer), options)
    _worker_pipeline = pipeline


def _work(batch: list[Article | Failure]) -> list[Document | Failure]:
    assert _worker_pipeline is not None
    return list(_worker_pipeline._tag_stream(batch))


def _batched(items: Iterable[Article | Failure], size: int) -> Iterator[list[Article | Failure]]:
    batch: list[Article | Failure] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _parallel(
    pipeline: Pipeline, articles: Iterable[Article | Failure], workers: int
) -> Iterator[Document | Failure]:
    """Ordered map over worker processes, with a bounded number of batches in flight so
    memory stays flat however many articles come in."""
    import multiprocessing as mp

    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    inherited = pipeline if ctx.get_start_method() == "fork" else None
    gazetteer_path = str(pipeline.tagger.gazetteer.path) if pipeline.tagger.gazetteer.path else None
    recipe = (pipeline.model, gazetteer_path, pipeline.tagger.options)
    with ctx.Pool(workers, initializer=_init_worker, initargs=(inherited, recipe)) as pool:
        in_flight: deque[Any] = deque()
        for batch in _batched(articles, PARALLEL_BATCH):
            in_flight.append(pool.apply_async(_work, (batch,)))
            if len(in_flight) >= 2 * workers:
                yield from in_flight.popleft().get()
        while in_flight:
            yield from in_flight.popleft().get()


def _reassemble(
    docs: Iterable[tuple[Any, tuple[int, int]]],
    slots: dict[int, tuple[Article | Failure, int]],
    spans_of: Callable[[Any], list[RawSpan]],
) -> Iterator[tuple[Article | Failure, list[RawSpan]]]:
    spans: dict[int, list[RawSpan]] = {}
    seen: dict[int, int] = {}
    for doc, (n, offset) in docs:
        item, total = slots[n]
        if offset >= 0:
            spans.setdefault(n, []).extend(
                (s + offset, e + offset, lab) for s, e, lab in spans_of(doc)
            )
            seen[n] = seen.get(n, 0) + 1
        if offset < 0 or seen[n] == total:
            del slots[n]
            seen.pop(n, None)
            yield item, spans.pop(n, [])


_PARAGRAPH = re.compile(r"\n\s*\n")
_SENTENCE = re.compile(r"(?<=[.!?])\s+")


def split_text(text: str, limit: int) -> Iterator[tuple[int, str]]:
    """Cut `text` into pieces of at most `limit` characters, at paragraph, sentence or
    space boundaries where there is one, yielding (offset of the piece, piece)."""
    if len(text) <= limit:
        yield 0, text
        return
    start = 0
    n = len(text)
    while start < n:
        end = min(n, start + limit)
        if end < n:
            window = text[start:end]
            cut = _last_match_end(_PARAGRAPH, window, limit // 2)
            if cut is None:
                cut = _last_match_end(_SENTENCE, window, limit // 2)
            if cut is None:
                space = window.rfind(" ", limit // 2)
                cut = space + 1 if space > 0 else None
            if cut is not None:
                end = start + cut
        yield start, text[start:end]
        start = end


def _last_match_end(pattern: re.Pattern[str], window: str, floor: int) -> int | None:
    last = None
    for m in pattern.finditer(window, floor):
        last = m.end()
    return last
