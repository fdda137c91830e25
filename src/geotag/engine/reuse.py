"""Duplicate texts in a run are tagged once: wire copy is syndicated and archives hold the
same story many times. Every executor (this process, worker processes, a Dask cluster)
numbers its inputs in order, asks `claim` before it tags one, and hands each result out
through `finish`, in input order; a copy's result is its first copy's, with its own
source, id and text (the tagging is a function of the text and the run's options, which
are one per run)."""

from __future__ import annotations

import hashlib
import itertools
import os
from collections import Counter, OrderedDict
from dataclasses import replace

from ..models import Article, Document, Failure
from .feed import article_name

# The results kept for copies still to come: the most recent distinct texts. A copy of a
# text further back is tagged again (with the same output); results held for copies that
# are already read never go.
REUSE_LIMIT = 1000
# Set (to anything) to tag every copy again: for the bench's baseline only.
NO_REUSE_VARIABLE = "GEOTAG_BENCH_NO_REUSE"

_Result = Document | Failure


def text_key(text: str) -> bytes:
    """The content hash a text is known by (a lone surrogate hashed as it is)."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class Reuse:
    """Which texts of a run were tagged already (or are being tagged), and their results.

    `claim(n, article)` is True when input `n` is a copy of an earlier input: the caller
    then does not tag it and passes None for it to `finish`, which every input (copy or
    not, in input order) goes through.
    """

    def __init__(self, limit: int = REUSE_LIMIT) -> None:
        self.enabled = limit > 0 and not os.environ.get(NO_REUSE_VARIABLE)
        self.limit = limit
        self.results: OrderedDict[bytes, _Result] = OrderedDict()
        self.first: dict[int, bytes] = {}  # first copies on their way: input -> key
        self.in_flight: set[bytes] = set()
        self.copies: dict[int, tuple[bytes, Article]] = {}
        self.waiting: Counter[bytes] = Counter()  # copies read, not yet handed out
        self.reused = 0

    def claim(self, n: int, article: Article) -> bool:
        if not self.enabled:
            return False
        key = text_key(article.text)
        if key in self.in_flight or key in self.results:
            if key in self.results:
                self.results.move_to_end(key)
            self.copies[n] = (key, article)
            self.waiting[key] += 1
            return True
        self.first[n] = key
        self.in_flight.add(key)
        return False

    def is_copy(self, n: int) -> bool:
        return n in self.copies

    def finish(self, n: int, result: _Result | None) -> _Result:
        """Input `n`'s result: `result` for one that was tagged, its first copy's for a
        copy (whose first copy went through here before it, as inputs are in order)."""
        copy = self.copies.pop(n, None)
        if copy is not None:
            key, article = copy
            self.waiting[key] -= 1
            if not self.waiting[key]:
                del self.waiting[key]
            self.reused += 1
            return _copy_of(self.results[key], article)
        assert result is not None
        key_of_first = self.first.pop(n, None)
        if key_of_first is not None:
            self.in_flight.discard(key_of_first)
            kept = replace(result, text="") if isinstance(result, Document) else result
            self.results[key_of_first] = kept
            self._forget_oldest()
        return result

    def _forget_oldest(self) -> None:
        excess = len(self.results) - self.limit
        if excess <= 0:
            return
        # The oldest keys that no copy waits for: among the first excess + waiting ones,
        # so a full table is not copied whole for every input.
        oldest = itertools.islice(self.results, excess + len(self.waiting))
        for key in [k for k in oldest if k not in self.waiting][:excess]:
            del self.results[key]


def _copy_of(result: _Result, article: Article) -> _Result:
    if isinstance(result, Document):
        return replace(result, source=article.source, id=article.id, text=article.text)
    # The same text fails the same way: said of this copy, under its own name.
    reason = result.error.removeprefix(f"{result.source}: ")
    name = article_name(article)
    return Failure(name, f"{name}: {reason}", article.id)
