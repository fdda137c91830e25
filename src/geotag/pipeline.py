"""The one place that loads a spaCy pipeline; streams texts through NER and the tagger.

Only the components the entity recogniser needs are loaded: for en_core_web_sm that is
`ner` alone (it has its own tok2vec), which is what makes geotag about twice as fast as
the full pipeline. Texts stream through in small batches (long ones in pieces), in input
order, in this process or in worker processes forked from it.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import DEFAULT_MODEL
from .errors import GeotagError, ModelError
from .gazetteer import Gazetteer
from .models import Article, Document, Failure
from .repair import RawSpan
from .tagger import Tagger, TagOptions

if TYPE_CHECKING:
    from spacy.language import Language

ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler"})
# Longer texts go through NER in pieces. The recogniser's working memory grows with what
# it is given at once (en_core_web_sm: about 300 MB more for 100,000 characters, 70 MB for
# 50,000, none to speak of for 25,000), and pieces of this size are no slower (measured:
# 59k characters/s against 52k for 100,000); cuts fall at paragraph or sentence ends.
CHUNK_CHARS = 20_000
# Pieces go through spaCy in batches of at most BATCH_SIZE pieces and about BATCH_CHARS
# characters (the same memory bound). Bigger batches barely speed up NER on a CPU (1 -> 64
# documents: < 5%), and small ones let the first documents out at once, `| head` stop
# early and progress move.
BATCH_SIZE = 16
BATCH_CHARS = 25_000


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
        if isinstance(result, Failure):
            raise GeotagError(result.error)
        return result

    def tag_articles(
        self,
        articles: Iterable[Article | Failure],
        batch_size: int = BATCH_SIZE,
        jobs: int = 1,
        read_ahead: bool = False,
    ) -> Iterator[Document | Failure]:
        """Tag articles as they come, in input order; failures pass through in their place.

        An article that cannot be tagged becomes a Failure; the others go on. With `jobs`
        > 1 (0: one per CPU), batches of articles go to worker processes that each hold a
        copy of the pipeline; results still come back in input order. With `read_ahead`,
        `articles` is read on a thread, a little ahead, and what has arrived is tagged
        without waiting for more (for inputs that can be slow: files, pipes); the iterable
        must then be safe to use from another thread.
        """
        workers = resolve_jobs(jobs)
        inputs = _ReadAhead(articles) if read_ahead else _Inputs(articles)
        if workers == 1:
            return self._tag_inputs(inputs, batch_size)
        return _WorkerPool(self, workers).run(inputs)

    def _tag_inputs(self, inputs: _Inputs, batch_size: int) -> Iterator[Document | Failure]:
        inputs.start(2 * batch_size)
        try:
            yield from self._tag_stream(inputs, batch_size, ready=inputs.ready)
        finally:
            inputs.close()

    def _tag_stream(
        self,
        articles: Iterable[Article | Failure],
        batch_size: int = BATCH_SIZE,
        ramp: bool = True,
        ready: Callable[[], bool] | None = None,
    ) -> Iterator[Document | Failure]:
        # Each article is cut into pieces of at most CHUNK_CHARS, the pieces go through
        # spaCy in small batches, and an article is tagged as soon as its last piece is
        # back. With `ramp` the first batches hold 1, 2, 4... pieces so the first
        # documents come out at once; with `ready` (is the next input there yet?) a batch
        # goes ahead rather than wait for a slow input.
        slots: deque[_Slot] = deque()
        batch: list[tuple[_Slot, int, str]] = []
        chars = 0
        limit = 1 if ramp else batch_size
        source = iter(articles)
        while True:
            if batch and ready is not None and not ready():
                self._recognise(batch)
                batch, chars, limit = [], 0, min(2 * limit, batch_size)
                yield from self._finished(slots)
            item = next(source, None)
            if item is None:
                break
            slot = _Slot(item)
            slots.append(slot)
            if isinstance(item, Article):
                for offset, piece in split_text(item.text, CHUNK_CHARS):
                    slot.pending += 1
                    batch.append((slot, offset, piece))
                    chars += len(piece)
                    if len(batch) >= limit or chars >= BATCH_CHARS:
                        self._recognise(batch)
                        batch, chars, limit = [], 0, min(2 * limit, batch_size)
                        yield from self._finished(slots)
            slot.queued = True
            yield from self._finished(slots)
        if batch:
            self._recognise(batch)
        yield from self._finished(slots)

    def _recognise(self, batch: list[tuple[_Slot, int, str]]) -> None:
        """Run NER on a batch of pieces and add the entities to their articles."""
        from .component import spans_of

        found: list[list[RawSpan]] | None = None
        error: Exception | None = None
        # Strings and lexemes new in a batch are freed after it, so memory stays flat over
        # any number of documents. An exception must leave the zone before it is handled
        # (spaCy #13924).
        with self.nlp.memory_zone():
            try:
                texts = [piece for _, _, piece in batch]
                found = [spans_of(doc) for doc in self.nlp.pipe(texts, batch_size=len(texts))]
            except Exception as exc:  # a bad piece must not stop the others
                error = exc
        if error is not None and len(batch) > 1:
            for one in batch:
                self._recognise([one])
            return
        for n, (slot, offset, _) in enumerate(batch):
            slot.pending -= 1
            if found is None:
                slot.error = f"the entity recogniser failed ({type(error).__name__}: {error})"
            else:
                slot.spans.extend((s + offset, e + offset, label) for s, e, label in found[n])

    def _finished(self, slots: deque[_Slot]) -> Iterator[Document | Failure]:
        """Tag and hand out the articles at the head of the queue whose pieces are all back."""
        while slots and slots[0].queued and slots[0].pending == 0:
            slot = slots.popleft()
            item = slot.item
            result: Document | Failure
            if isinstance(item, Failure):
                result = item
            elif slot.error is not None:
                result = Failure(article_name(item), f"{article_name(item)}: {slot.error}")
            else:
                try:
                    result = self.tagger.tag(item.text, slot.spans, source=item.source, id=item.id)
                except Exception as exc:  # a bug met on one text must not stop a batch
                    name = article_name(item)
                    result = Failure(
                        name,
                        f"{name}: internal error while tagging ({type(exc).__name__}: {exc}); "
                        f"please report it",
                    )
            yield result


@dataclass(slots=True)
class _Slot:
    """An article on its way through NER: the entities found so far in its pieces."""

    item: Article | Failure
    spans: list[RawSpan] = field(default_factory=list)
    pending: int = 0
    queued: bool = False
    error: str | None = None


def article_name(article: Article) -> str:
    """How messages name an article: its source, else its id."""
    if article.source:
        return article.source
    return f"id {article.id}" if article.id is not None else "<text>"


class _Inputs:
    """Inputs read where they are used: `poll` waits for the next one."""

    def __init__(self, items: Iterable[Article | Failure]) -> None:
        self._items = iter(items)
        self.exhausted = False

    def start(self, ahead: int) -> None:
        return None

    def ready(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Article | Failure]:
        return self

    def __next__(self) -> Article | Failure:
        try:
            return next(self._items)
        except StopIteration:
            self.exhausted = True
            raise

    def poll(self) -> Article | Failure | None:
        return next(self, None)

    def close(self) -> None:
        return None


class _ReadAhead(_Inputs):
    """Inputs read on a thread, a little ahead, so whoever tags them can see whether the
    next one is there yet and need not wait on a slow pipe or disk while work is at hand
    (JSON Lines growing in a pipe, `find` still walking); it also overlaps reading files
    with tagging. An exception in reading is raised to the consumer."""

    def __init__(self, items: Iterable[Article | Failure]) -> None:
        import queue
        import threading

        super().__init__(items)
        self._queue: queue.Queue[Any] = queue.Queue()  # replaced, bounded, in start()
        self._closed = threading.Event()

    def start(self, ahead: int) -> None:
        import queue
        import threading

        self._queue = queue.Queue(max(1, ahead))
        threading.Thread(target=self._fill, name="geotag-read", daemon=True).start()

    def _fill(self) -> None:
        try:
            for item in self._items:
                self._queue.put(item)
                if self._closed.is_set():
                    return
        except BaseException as exc:  # raised in the consumer, where it can be handled
            self._queue.put(_Raised(exc))
            return
        self._queue.put(_END)

    def ready(self) -> bool:
        """True when the next item (or the end) can be had without waiting."""
        return self.exhausted or not self._queue.empty()

    def __next__(self) -> Article | Failure:
        if self.exhausted:
            raise StopIteration
        return self._take(self._queue.get())

    def poll(self) -> Article | Failure | None:
        """The next item if it is there already, else None (see `exhausted`)."""
        import queue

        if self.exhausted:
            return None
        try:
            return self._take(self._queue.get_nowait())
        except (queue.Empty, StopIteration):
            return None

    def _take(self, item: Any) -> Article | Failure:
        if item is _END:
            self.exhausted = True
            raise StopIteration
        if isinstance(item, _Raised):
            self.exhausted = True
            raise item.exc
        assert isinstance(item, (Article, Failure))
        return item

    def close(self) -> None:
        """Stop reading ahead: free the thread if it waits to hand over an item."""
        import queue

        self._closed.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass


_END = object()


@dataclass(frozen=True, slots=True)
class _Raised:
    exc: BaseException


def resolve_jobs(jobs: int) -> int:
    """Worker count: `jobs`, or one per usable CPU for 0."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (all CPUs) or a positive number")
    if jobs:
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# -- parallel ----------------------------------------------------------------------------

# A batch for a worker: at most PARALLEL_BATCH articles and about PARALLEL_CHARS characters
# (a few tenths of a second of NER), so results stream out early and evenly, and the cost
# of a message (well under a millisecond) stays negligible.
PARALLEL_BATCH = 32
PARALLEL_CHARS = 20_000
# Batches a worker holds at once: the one it works on and the next, so it never waits for
# the parent, while the results waiting to be written in order stay few.
WORKER_DEPTH = 2
# Workers that die this many times in a row, each before finishing any batch, cannot run.
MAX_BARREN_DEATHS = 5
# Seconds between looks for new input while workers have room but no input has come.
INPUT_POLL = 0.05

_Batch = list[tuple[int, Article]]


class _Worker:
    """One worker process and the batches it holds, oldest (the one in work) first."""

    def __init__(self, ctx: Any, pipeline: Pipeline | None, recipe: _Recipe) -> None:
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(
            target=_worker_main, args=(child, pipeline, recipe), name="geotag-worker", daemon=True
        )
        self.process.start()
        child.close()
        self.batches: deque[_Batch] = deque()
        self.served = 0


_Recipe = tuple[str, "str | None", TagOptions]


class _WorkerPool:
    """An ordered map of articles over worker processes.

    Workers are forked from the loaded pipeline (model and gazetteer index are shared, never
    rebuilt); where fork does not exist each worker loads its own once. At most a window of
    articles is in flight, so memory stays flat however many come in. A worker that dies
    (killed, out of memory, crashed in native code) is replaced: the batch it was working on
    is tried again one article at a time, and an article that kills a worker on its own
    becomes a Failure. Workers ignore SIGINT; Ctrl-C stops the parent, which ends them.
    """

    def __init__(self, pipeline: Pipeline, workers: int, start_method: str | None = None) -> None:
        import multiprocessing as mp

        if start_method is None:
            start_method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(start_method)
        self.inherited = pipeline if self.ctx.get_start_method() == "fork" else None
        path = pipeline.tagger.gazetteer.path
        self.recipe: _Recipe = (
            pipeline.model,
            str(path) if path else None,
            pipeline.tagger.options,
        )
        self.seq = 0
        self.barren_deaths = 0
        # Started now rather than on the first next(), before a caller starts threads
        # (a progress bar) that a fork would copy in an unknown state.
        self.workers = [self._start() for _ in range(workers)]
        # Ends the workers if the results are dropped without being read to the end.
        self._finalizer = weakref.finalize(self, _terminate, self.workers)

    def _start(self) -> _Worker:
        return _Worker(self.ctx, self.inherited, self.recipe)

    def run(self, articles: Iterable[Article | Failure]) -> Iterator[Document | Failure]:
        window = len(self.workers) * WORKER_DEPTH * PARALLEL_BATCH
        inputs = articles if isinstance(articles, _Inputs) else _Inputs(articles)
        inputs.start(window)
        done: dict[int, Document | Failure] = {}
        retry: deque[_Batch] = deque()
        out = 0
        size = 1
        finished = False
        try:
            while True:
                while out in done:
                    yield done.pop(out)
                    out += 1
                while (worker := self._least_busy()) is not None:
                    if retry:
                        batch = retry.popleft()
                    elif inputs.exhausted or self.seq - out >= window:
                        break
                    else:
                        idle = not any(w.batches for w in self.workers)
                        batch = self._next_batch(inputs, size, done, wait=idle)
                        if not batch:
                            break  # nothing to read yet, or failures to hand out first
                        size = min(2 * size, PARALLEL_BATCH)
                    self._send(worker, batch)
                if any(w.batches for w in self.workers):
                    # While workers have room and inputs are still to come, look again
                    # for inputs now and then rather than wait for a result.
                    starved = (
                        self._least_busy() is not None
                        and not inputs.exhausted
                        and self.seq - out < window
                    )
                    self._collect(done, retry, INPUT_POLL if starved else None)
                elif inputs.exhausted and not retry and out == self.seq:
                    finished = True
                    return
        finally:
            inputs.close()
            self._close(graceful=finished)

    def _least_busy(self) -> _Worker | None:
        worker = min(self.workers, key=lambda w: len(w.batches))
        return worker if len(worker.batches) < WORKER_DEPTH else None

    def _next_batch(
        self, inputs: _Inputs, size: int, done: dict[int, Document | Failure], wait: bool
    ) -> _Batch:
        """Up to `size` inputs that are there already (fewer if long); with `wait`, wait
        for the first. Failures go straight to `done`."""
        batch: _Batch = []
        chars = 0
        for _ in range(size):
            item = next(inputs, None) if wait and not batch else inputs.poll()
            if item is None:
                break
            n = self.seq
            self.seq += 1
            if isinstance(item, Failure):
                done[n] = item
                wait = False
                continue
            batch.append((n, item))
            chars += len(item.text)
            if chars >= PARALLEL_CHARS:
                break
        return batch

    def _send(self, worker: _Worker, batch: _Batch) -> None:
        worker.batches.append(batch)
        # A dead worker's send fails: _collect sees its end and hands its batches out again.
        with contextlib.suppress(OSError):
            worker.conn.send([article for _, article in batch])

    def _collect(
        self, done: dict[int, Document | Failure], retry: deque[_Batch], timeout: float | None
    ) -> None:
        """Wait until a worker returns a batch or dies (or `timeout`), and take what it has."""
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.batches]
        objects = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(objects, timeout))
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                self._receive(worker, done)
                if not worker.process.is_alive():
                    self._replace(worker, done, retry)

    def _receive(self, worker: _Worker, done: dict[int, Document | Failure]) -> None:
        try:
            while worker.batches and worker.conn.poll():
                kind, payload = worker.conn.recv()
                if kind == "error":
                    raise GeotagError(payload)
                batch = worker.batches.popleft()
                for (n, article), result in zip(batch, payload, strict=True):
                    if isinstance(result, Document):
                        result = replace(result, text=article.text)
                    done[n] = result
                worker.served += 1
                self.barren_deaths = 0
        except (EOFError, OSError):
            worker.process.join(timeout=5)  # it closed its end: it is exiting

    def _replace(
        self, worker: _Worker, done: dict[int, Document | Failure], retry: deque[_Batch]
    ) -> None:
        """Start a new worker in place of a dead one and deal with the batches it held."""
        reason = _exit_reason(worker.process.exitcode)
        lost = list(worker.batches)
        worker.conn.close()
        if worker.served == 0:
            self.barren_deaths += 1
            if self.barren_deaths >= MAX_BARREN_DEATHS:
                raise GeotagError(
                    f"worker processes keep dying ({reason}) before finishing any work; "
                    f"try --jobs 1"
                )
        self.workers[self.workers.index(worker)] = self._start()
        if not lost:
            return
        # The oldest batch is the one it was working on (or was about to).
        first, rest = lost[0], lost[1:]
        if len(first) == 1:
            n, article = first[0]
            name = article_name(article)
            done[n] = Failure(name, f"{name}: the worker process tagging it died ({reason})")
        else:
            rest = [[pair] for pair in first] + rest
        retry.extendleft(reversed(rest))

    def _close(self, graceful: bool) -> None:
        self._finalizer.detach()
        for worker in self.workers:
            if graceful:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(timeout=10 if graceful else 2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def _terminate(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.process.terminate()
        worker.conn.close()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = ", out of memory?" if -code == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {code}"


def _worker_main(conn: Any, pipeline: Pipeline | None, recipe: _Recipe) -> None:
    """A worker: tag the batches that arrive, send the results back, in order.

    It never prints: problems go back to the parent as messages, and it leaves with
    os._exit so nothing inherited from the parent (buffered output) is flushed twice.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    code = 0
    try:
        _serve(conn, pipeline, recipe)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _serve(conn: Any, pipeline: Pipeline | None, recipe: _Recipe) -> None:
    import queue
    import threading

    if pipeline is None:
        model, gazetteer, options = recipe
        try:
            pipeline = Pipeline(model, Gazetteer.load(gazetteer), options)
        except GeotagError as exc:
            conn.send(("error", str(exc)))
            return
    # Batches are received on a thread, so the parent can always hand over the next one
    # even while this process is busy sending results (two blocked senders would deadlock).
    tasks: queue.SimpleQueue[list[Article] | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                tasks.put(conn.recv())
        except (EOFError, OSError):
            tasks.put(None)

    threading.Thread(target=receive, name="geotag-receive", daemon=True).start()
    while (articles := tasks.get()) is not None:
        results: list[Document | Failure] = []
        for result in pipeline._tag_stream(articles, ramp=False):
            # The parent has the text: do not send it back.
            results.append(replace(result, text="") if isinstance(result, Document) else result)
        conn.send(("done", results))


# -- long texts --------------------------------------------------------------------------

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
