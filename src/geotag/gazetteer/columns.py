"""How the gazetteer's rows are held in memory: column by column, with sorted name keys.

Many short strings are kept as one string and an offsets array, so a loaded gazetteer has
no per-row objects until a row is read, and the columns go to and from the cache as plain
bytes.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import overload


class TextColumn(Sequence[str]):
    """Many short strings kept as one string and an offsets array: cheap to cache and to
    load (no per-string objects until a value is read)."""

    __slots__ = ("offsets", "text")

    def __init__(self, text: str, offsets: array[int]) -> None:
        self.text = text
        self.offsets = offsets

    @classmethod
    def of(cls, values: Iterable[str]) -> TextColumn:
        offsets = array("i", [0])
        parts = []
        end = 0
        for value in values:
            parts.append(value)
            end += len(value)
            offsets.append(end)
        return cls("".join(parts), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.text[self.offsets[i] : self.offsets[i + 1]]


SEEN_KEYS = 50_000  # looked-up keys a NameIndex remembers


class NameIndex:
    """Normalised key -> gazetteer rows: sorted keys, and for key i the rows
    rows[offsets[i]:offsets[i + 1]]. Looked up by bisection, so loading builds nothing."""

    __slots__ = ("_seen", "keys", "offsets", "rows")

    def __init__(self, keys: TextColumn, offsets: array[int], rows: array[int]) -> None:
        self.keys = keys
        self.offsets = offsets
        self.rows = rows
        # Keys looked up before: news repeats names, and a bisection over the text column
        # costs some twenty string slices. Emptied when full, so memory stays bounded.
        self._seen: dict[str, tuple[int, ...]] = {}

    @classmethod
    def build(cls, table: dict[str, list[int]]) -> NameIndex:
        keys = sorted(table)
        offsets = array("i", [0])
        rows = array("i")
        for key in keys:
            rows.extend(table[key])
            offsets.append(len(rows))
        return cls(TextColumn.of(keys), offsets, rows)

    def get(self, key: str) -> list[int]:
        found = self._seen.get(key)
        if found is None:
            i = bisect_left(self.keys, key)
            if i == len(self.keys) or self.keys[i] != key:
                found = ()
            else:
                found = tuple(self.rows[self.offsets[i] : self.offsets[i + 1]])
            if len(self._seen) >= SEEN_KEYS:
                self._seen.clear()
            self._seen[key] = found
        return list(found)

    def __len__(self) -> int:
        return len(self.keys)


TEXT_COLUMNS = (
    "name",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1_code",
    "admin1_name",
    "source",
)
NUMBER_COLUMNS = (("geonameid", "q"), ("lat", "d"), ("lon", "d"), ("population", "q"))
NO_ID = -1


@dataclass(slots=True)
class Columns:
    """The gazetteer's rows column by column, and its two name indexes."""

    geonameid: array[int]  # NO_ID where the row has none
    lat: array[float]
    lon: array[float]
    population: array[int]
    name: TextColumn
    feature_class: TextColumn
    feature_code: TextColumn
    country_code: TextColumn
    admin1_code: TextColumn
    admin1_name: TextColumn
    source: TextColumn
    names: NameIndex
    abbreviations: NameIndex
    countries: dict[str, int]  # country code -> its country row
    regions: dict[str, int]  # "CC.admin1" -> its first-level region row
