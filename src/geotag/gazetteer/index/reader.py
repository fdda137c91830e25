"""Reading a compiled gazetteer index: one file, memory-mapped, read only where asked.

Opening costs the same for 178 thousand rows or 13 million: map the file, read a small
JSON header, cast typed views of its sections. Nothing is copied or decoded until a row is
read, so a process's memory grows with the rows it touches, and forked workers (or other
processes, through the page cache) share the pages. Keys are found by bisection in the
mapping (see `format` for the layout).
"""

from __future__ import annotations

import contextlib
import hashlib
import mmap
import os
import sys
from bisect import bisect_left
from collections.abc import Sequence
from pathlib import Path
from typing import Any, overload

import orjson

from .format import FORMAT, HEADER_LIMIT, MAGIC, TYPECODES, VOCABULARIES, IndexDamaged, padded


class _SortedKeys(Sequence[bytes]):
    """The key table as a sequence of bytes read from the mapping on demand, for bisect."""

    __slots__ = ("base", "data", "offsets")

    def __init__(self, data: mmap.mmap, base: int, offsets: memoryview) -> None:
        self.data = data
        self.base = base
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> bytes: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[bytes]: ...

    def __getitem__(self, i: int | slice) -> bytes | Sequence[bytes]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        o = self.offsets
        return self.data[self.base + o[i] : self.base + o[i + 1]]


_MEMO_SIZE = 50_000
# Keys sampled from the mapped table (at most this many, evenly spaced), kept as a list so
# that a bisection first narrows a lookup to one stretch between two samples in C and then
# reads only that stretch's keys from the mapping: about seven reads instead of twenty.
_SAMPLES = 4096


class Postings:
    """One key index: key -> rows, by bisection over the mapped key table."""

    __slots__ = ("keys", "limit", "memo", "rows", "sample", "starts", "step")

    def __init__(self, keys: _SortedKeys, starts: memoryview, rows: memoryview, limit: int) -> None:
        self.keys = keys
        self.starts = starts
        self.rows = rows
        self.limit = limit
        # Names come back within a story and across stories; a bisection over the mapped
        # table costs some twenty reads, a dict lookup one. Bounded: emptied when full.
        self.memo: dict[str, list[int]] = {}
        self.step = max(1, len(keys) // _SAMPLES)
        self.sample: list[bytes] | None = None  # read on the first lookup, not on opening

    def get(self, key: str) -> list[int]:
        found = self.memo.get(key)
        if found is None:
            found = self._get(key)
            if len(self.memo) >= _MEMO_SIZE:
                self.memo.clear()
            self.memo[key] = found
        return list(found)

    def _get(self, key: str) -> list[int]:
        wanted = key.encode()
        keys = self.keys
        sample = self.sample
        if sample is None:
            sample = self.sample = [keys[i] for i in range(0, len(keys), self.step)]
        # sample[j - 1] < wanted <= sample[j]: the key's place lies between those two.
        j = bisect_left(sample, wanted)
        low = max(0, (j - 1) * self.step)
        high = min(len(keys), j * self.step)
        # bisect_left(keys, wanted, low, high), with the keys read from the mapping here
        # rather than through keys[i] (a Python call per step, for every name a story
        # asks for the first time).
        data, base, offsets = keys.data, keys.base, keys.offsets
        while low < high:
            mid = (low + high) // 2
            if data[base + offsets[mid] : base + offsets[mid + 1]] < wanted:
                low = mid + 1
            else:
                high = mid
        i = low
        if i == len(keys) or keys[i] != wanted:
            return []
        start, end = self.starts[i], self.starts[i + 1]
        if not start <= end <= len(self.rows):
            raise IndexDamaged("a key's rows lie outside the postings")
        found: list[int] = self.rows[start:end].tolist()
        if found and max(found) >= self.limit:
            raise IndexDamaged("a posting points past the last row")
        return found

    def __len__(self) -> int:
        return len(self.keys)


class MappedIndex:
    """An index file opened read-only: cheap to open, reads only what it is asked for.
    Raises IndexDamaged for a file that is not a whole index of this format."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as f:
                self.stat = os.fstat(f.fileno())
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
            raise IndexDamaged(f"cannot map {path}: {exc}") from None
        try:
            self._open()
        except IndexDamaged:
            self.close()
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as exc:
            self.close()
            raise IndexDamaged(f"malformed header ({type(exc).__name__}: {exc})") from None

    def _open(self) -> None:
        data = self._map
        if data[: len(MAGIC)] != MAGIC:
            raise IndexDamaged("not a geotag index")
        length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
        start = len(MAGIC) + 8
        if length > HEADER_LIMIT or start + length > len(data):
            raise IndexDamaged("header length out of range")
        try:
            header = orjson.loads(data[start : start + length])
        except orjson.JSONDecodeError:
            raise IndexDamaged("the header is not JSON") from None
        if not isinstance(header, dict):
            raise IndexDamaged("the header is not a JSON object")
        if header.get("format") != FORMAT or header.get("byteorder") != sys.byteorder:
            raise IndexDamaged("another format or byte order")
        self.header: dict[str, Any] = header
        self.rows = rows = int(header["rows"])
        self.payload_start = padded(start + length)
        views: dict[str, memoryview] = {}
        bases: dict[str, int] = {}
        whole = memoryview(data)
        for name, (offset, size, typecode, count) in header["sections"].items():
            begin = self.payload_start + int(offset)
            if typecode not in TYPECODES or offset < 0 or size < 0 or begin + size > len(data):
                raise IndexDamaged(f"section {name} out of range")
            view = whole[begin : begin + size].cast(typecode)
            if len(view) != count:
                raise IndexDamaged(f"section {name}: {len(view)} items, expected {count}")
            views[name] = view
            bases[name] = begin
        self._views = views
        for name in (
            "geonameid",
            "lat",
            "lon",
            "population",
            *(f"{n}.codes" for n in VOCABULARIES),
        ):
            if len(views[name]) != rows:
                raise IndexDamaged(f"section {name} does not have one item per row")
        if len(views["name.offsets"]) != rows + 1:
            raise IndexDamaged("the name offsets do not match the rows")
        self.geonameid = views["geonameid"]
        self.lat = views["lat"]
        self.lon = views["lon"]
        self.population = views["population"]
        self.feature_codes = views["feature.codes"]
        self.country_codes = views["country.codes"]
        self.admin1_codes = views["admin1.codes"]
        self.source_codes = views["source.codes"]
        self._name_base = bases["name.text"]
        self._name_offsets = views["name.offsets"]
        self._ids = views["ids.sorted"]
        self._id_rows = views["ids.rows"]
        if len(self._ids) != len(self._id_rows):
            raise IndexDamaged("ids and their rows differ in number")
        self.names = self._postings("names", bases)
        self.abbreviations = self._postings("abbreviations", bases)
        vocab = header["vocab"]
        self.features: list[tuple[str, str]] = [_pair(v) for v in vocab["feature"]]
        self.country_vocab: list[str] = [str(v) for v in vocab["country"]]
        self.admin1_vocab: list[tuple[str, str]] = [_pair(v) for v in vocab["admin1"]]
        self.source_vocab: list[str] = [str(v) for v in vocab["source"]]
        self.countries: dict[str, int] = {str(k): int(v) for k, v in header["countries"].items()}
        self.regions: dict[str, int] = {str(k): int(v) for k, v in header["regions"].items()}
        if any(not 0 <= r < rows for r in (*self.countries.values(), *self.regions.values())):
            raise IndexDamaged("a country or region row is out of range")

    def _postings(self, name: str, bases: dict[str, int]) -> Postings:
        v = self._views
        keys = _SortedKeys(self._map, bases[f"{name}.keys.text"], v[f"{name}.keys.offsets"])
        if len(v[f"{name}.starts"]) != len(keys) + 1:
            raise IndexDamaged(f"{name}: the starts do not match the keys")
        return Postings(keys, v[f"{name}.starts"], v[f"{name}.rows"], self.rows)

    def verify(self) -> None:
        """Raise IndexDamaged unless the payload has the checksum the header records
        (reads the whole file once, and checks every row's codes; done when an index is first
        trusted, not per run)."""
        checksum = hashlib.blake2b(digest_size=16)
        whole = memoryview(self._map)
        step = 1 << 24
        for start in range(self.payload_start, len(whole), step):
            checksum.update(whole[start : start + step])
        whole.release()
        if checksum.hexdigest() != self.header.get("checksum"):
            raise IndexDamaged("the checksum does not match")
        # A pass over every row: here, once, rather than on every open.
        for name, size in (
            ("feature", len(self.features)),
            ("country", len(self.country_vocab)),
            ("admin1", len(self.admin1_vocab)),
            ("source", len(self.source_vocab)),
        ):
            codes = self._views[f"{name}.codes"]
            if self.rows and max(codes) >= size:
                raise IndexDamaged(f"a {name} code is outside its vocabulary")

    def close(self) -> None:
        """Unmap (only once nothing holds a view of the mapping)."""
        views = getattr(self, "_views", {})
        for view in views.values():
            view.release()
        views.clear()
        # A view still held somewhere keeps the mapping: it goes with the object.
        with contextlib.suppress(BufferError):
            self._map.close()

    # -- rows ----------------------------------------------------------------------------

    def name(self, row: int) -> str:
        o = self._name_offsets
        base = self._name_base
        return self._map[base + o[row] : base + o[row + 1]].decode()

    def by_geonameid(self, geonameid: int) -> int | None:
        ids = self._ids
        i = bisect_left(ids, geonameid)
        if i < len(ids) and ids[i] == geonameid:
            row = int(self._id_rows[i])
            if not 0 <= row < self.rows:
                raise IndexDamaged("an id points past the last row")
            return row
        return None

    def feature_counts(self) -> dict[tuple[str, str], int]:
        counts: dict[str, int] = self.header["feature_counts"]
        return {_pair(kind): int(n) for kind, n in counts.items()}

    def source_counts(self) -> dict[str, int]:
        counts: dict[str, int] = self.header["source_counts"]
        return {str(k): int(n) for k, n in counts.items()}


def _pair(value: object) -> tuple[str, str]:
    first, _, second = str(value).partition("\t")
    return first, second
