"""Answers that depend only on the gazetteer and a name, kept across stories: one bounded
table per gazetteer, emptied when full, gone with the gazetteer."""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Generic, TypeVar
from weakref import WeakKeyDictionary

from ..gazetteer import Gazetteer

V = TypeVar("V")


class PerGazetteer(Generic[V]):
    """`answer(gazetteer, key, compute)`: `compute()` the first time, the kept value after."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._tables: WeakKeyDictionary[Gazetteer, dict[str, V]] = WeakKeyDictionary()
        # The gazetteer asked last and its table: a run asks of one gazetteer, thousands
        # of times a story, and a weak dictionary's lookup costs more than the answer's.
        # One tuple, replaced whole, so threads never pair one's gazetteer with another's
        # table.
        self._last: tuple[weakref.ref[Gazetteer], dict[str, V]] | None = None

    def answer(self, gazetteer: Gazetteer, key: str, compute: Callable[[], V]) -> V:
        last = self._last
        if last is not None and last[0]() is gazetteer:
            table = last[1]
        else:
            found = self._tables.get(gazetteer)
            table = self._tables[gazetteer] = {} if found is None else found
            self._last = (weakref.ref(gazetteer), table)
        if key in table:
            return table[key]
        value = compute()
        if len(table) >= self.limit:
            table.clear()
        table[key] = value
        return value
