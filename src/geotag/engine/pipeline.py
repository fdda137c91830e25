"""Texts through the recogniser and the tagger, streamed: small batches, long texts in
pieces, results in input order, in this process or in worker processes (`pool`)."""

from __future__ import annotations

import functools
import re
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import GeotagError
from ..gazetteer import Gazetteer
from ..gazetteer.overrides import read_overrides
from ..models import Article, Document, Failure, RawSpan, RecordId
from ..options import PipelineOptions
from ..tagging.recognition import RecognitionModel
from ..tagging.tagger import Tagger, TagOptions
from .feed import Feed, ReadAheadFeed, article_name
from .model import CHUNK_CHARS, load_nlp, spans_of
from .pool import WorkerPool, resolve_jobs
from .reuse import Reuse

if TYPE_CHECKING:
    from spacy.language import Language

# Pieces go through spaCy in batches of at most BATCH_SIZE pieces and about BATCH_CHARS
# characters (the same memory bound). Bigger batches barely speed up NER on a CPU (1 -> 64
# documents: < 5%), and small ones let the first documents out at once, `| head` stop
# early and progress move.
BATCH_SIZE = 16
BATCH_CHARS = 25_000


class Pipeline:
    """A loaded spaCy pipeline and a tagger: texts in, Documents out, in input order."""

    def __init__(
        self,
        options: PipelineOptions | None = None,
        gazetteer: Gazetteer | None = None,
        nlp: Language | None = None,
        recognition: RecognitionModel | None = None,
    ) -> None:
        """A pipeline with the model and gazetteer `options` name, unless given loaded."""
        self.options = options if options is not None else PipelineOptions()
        self.model = self.options.model
        # The user's corrections are read first: a fault in them stops before the model
        # loads, and they are checked against the gazetteer before any text is tagged.
        overrides = read_overrides(self.options.overrides)
        self.nlp = nlp if nlp is not None else load_nlp(self.model)
        self.tagger = Tagger(
            gazetteer if gazetteer is not None else Gazetteer.load(self.options.gazetteer),
            TagOptions(self.options, recognition, overrides),
        )

    @classmethod
    def load(cls, options: PipelineOptions) -> Pipeline:
        """Load the spaCy model and the gazetteer (GeotagError when either cannot load)."""
        read_overrides(options.overrides)  # a fault in the user's file before the model loads
        # On a first run the gazetteer's index compiles on the other core while spaCy loads.
        Gazetteer.compile_ahead(options.gazetteer)
        nlp = load_nlp(options.model)
        return cls(options, Gazetteer.load(options.gazetteer), nlp)

    def reloader(self) -> Callable[[], Pipeline]:
        """What loads this pipeline again in another process (one that is not forked)."""
        path = self.tagger.gazetteer.path
        return functools.partial(
            _reload, self.options, str(path) if path else None, self.tagger.options.recognition
        )

    def tag_text(
        self, text: str, source: str | None = None, id: RecordId | None = None
    ) -> Document:
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
        inputs = ReadAheadFeed(articles) if read_ahead else Feed(articles)
        # Identical texts are tagged once per run: here, or in the parent of the workers.
        if workers == 1:
            return self._tag_inputs(inputs, batch_size)
        return WorkerPool(self, workers).run(inputs)

    def _tag_inputs(self, inputs: Feed, batch_size: int) -> Iterator[Document | Failure]:
        inputs.start(2 * batch_size)
        try:
            yield from self.tag_stream(inputs, batch_size, ready=inputs.ready, reuse=Reuse())
        finally:
            inputs.close()

    def tag_stream(
        self,
        articles: Iterable[Article | Failure],
        batch_size: int = BATCH_SIZE,
        ramp: bool = True,
        ready: Callable[[], bool] | None = None,
        reuse: Reuse | None = None,
    ) -> Iterator[Document | Failure]:
        # Each article is cut into pieces of at most CHUNK_CHARS, the pieces go through
        # spaCy in small batches, and an article is tagged as soon as its last piece is
        # back. With `ramp` the first batches hold 1, 2, 4... pieces so the first
        # documents come out at once; with `ready` (is the next input there yet?) a batch
        # goes ahead rather than wait for a slow input. With `reuse`, a copy of a text
        # met before is not recognised again: it takes the first copy's result.
        slots: deque[_Slot] = deque()
        batch: list[tuple[_Slot, int, str]] = []
        chars = 0
        limit = 1 if ramp else batch_size
        seq = 0
        source = iter(articles)
        while True:
            if batch and ready is not None and not ready():
                self._recognise(batch)
                batch, chars, limit = [], 0, min(2 * limit, batch_size)
                yield from self._finished(slots, reuse)
            item = next(source, None)
            if item is None:
                break
            slot = _Slot(item, seq)
            seq += 1
            slots.append(slot)
            if isinstance(item, Article) and not (reuse and reuse.claim(slot.seq, item)):
                for offset, piece in split_text(item.text, CHUNK_CHARS):
                    slot.pending += 1
                    batch.append((slot, offset, recognisable(piece)))
                    chars += len(piece)
                    if len(batch) >= limit or chars >= BATCH_CHARS:
                        self._recognise(batch)
                        batch, chars, limit = [], 0, min(2 * limit, batch_size)
                        yield from self._finished(slots, reuse)
            slot.queued = True
            yield from self._finished(slots, reuse)
        if batch:
            self._recognise(batch)
        yield from self._finished(slots, reuse)

    def _recognise(self, batch: list[tuple[_Slot, int, str]]) -> None:
        """Run NER on a batch of pieces and add the entities to their articles."""
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

    def _finished(
        self, slots: deque[_Slot], reuse: Reuse | None = None
    ) -> Iterator[Document | Failure]:
        """Tag and hand out the articles at the head of the queue whose pieces are all back."""
        while slots and slots[0].queued and slots[0].pending == 0:
            slot = slots.popleft()
            item = slot.item
            result: Document | Failure
            if reuse is not None and reuse.is_copy(slot.seq):
                yield reuse.finish(slot.seq, None)
                continue
            if isinstance(item, Failure):
                result = item
            elif slot.error is not None:
                name = article_name(item)
                result = Failure(name, f"{name}: {slot.error}", item.id)
            else:
                try:
                    result = self.tagger.tag(item.text, slot.spans, source=item.source, id=item.id)
                except Exception as exc:  # a bug met on one text must not stop a batch
                    name = article_name(item)
                    result = Failure(
                        name,
                        f"{name}: internal error while tagging ({type(exc).__name__}: {exc}); "
                        f"please report it",
                        item.id,
                    )
            yield reuse.finish(slot.seq, result) if reuse is not None else result


@dataclass(slots=True)
class _Slot:
    """An article on its way through NER: the entities found so far in its pieces."""

    item: Article | Failure
    seq: int
    spans: list[RawSpan] = field(default_factory=list)
    pending: int = 0
    queued: bool = False
    error: str | None = None


def _reload(
    options: PipelineOptions, gazetteer: str | None, recognition: RecognitionModel | None
) -> Pipeline:
    return Pipeline(options, Gazetteer.load(gazetteer), recognition=recognition)


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def recognisable(text: str) -> str:
    """`text` as spaCy can take it: a lone surrogate (a text the API was given from bytes
    decoded with "surrogateescape") cannot be stored as UTF-8, so it becomes U+FFFD, one
    character for one, and every offset stays true of the original text."""
    return text if text.isascii() else _LONE_SURROGATE.sub("\ufffd", text)


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
