"""Answers that depend only on the gazetteer and a name, kept across stories: one bounded
table per gazetteer, emptied when full, gone with the gazetteer."""

from __future__ import annotations

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

    def answer(self, gazetteer: Gazetteer, key: str, compute: Callable[[], V]) -> V:
        table = self._tables.get(gazetteer)
        if table is None:
            table = self._tables[gazetteer] = {}
        if key in table:
            return table[key]
        value = compute()
        if len(table) >= self.limit:
            table.clear()
        table[key] = value
        return value
