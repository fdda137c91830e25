"""PROTOTYPE for issue 13, design (a): the gazetteer index as one memory-mapped file.

Not part of the package; the lead ports it into `geotag/gazetteer/`. What it shows:

- Opening costs the same for 178k rows or 13 million: map the file, parse a small JSON
  header, make `memoryview.cast` views of the sections. Nothing is copied or decoded
  until a row is read, so a process's memory grows with the rows it touches, and forked
  workers share the pages through the page cache.
- Fixed-width columns (ids, coordinates, populations, dictionary codes for the short text
  columns) are typed views; names are one UTF-8 blob plus an offsets array.
- The name index is a sorted table of UTF-8 keys (blob + offsets) searched by bisection
  directly in the mapping, each key pointing at a slice of one postings array of row
  numbers; the abbreviation index has the same shape; geonameids are a sorted array with
  the matching rows beside it. No dict over the rows anywhere.
- Building streams the CSV once (hashing it on the way) and sorts (key, row) pairs
  externally, in runs of bounded size merged from disk: memory is bounded by the run size,
  not by the gazetteer.
- The cache holds bytes and a JSON header only: nothing in it is executed when read.

File layout (native byte order, recorded in the header):

    MAGIC (16 bytes) | header length (8 bytes, little endian) | header JSON | padding to 8
    | section | padding to 8 | section | ...

The header lists every section as [offset from the payload start, bytes, typecode,
items], the small vocabularies, the country and region tables, counts for
`gazetteer info`, and the CSV's identity (stat key, SHA-256, size).
"""

from __future__ import annotations

import hashlib
import heapq
import mmap
import operator
import os
import shutil
import sys
import tempfile
import time
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import orjson

from geotag.gazetteer import COUNTRY_CODES
from geotag.models import Place

from .common import NO_ID, CsvStream, Row, StatKey, trusted

FORMAT = 1
MAGIC = b"GEOTAG-MMAP-IDX\n"
ALIGN = 8
HEADER_LIMIT = 64 << 20  # a header larger than this is damage, not data
RUN_LINES = 2_000_000  # (key, row) lines sorted in memory at a time: ~150 MB
FLUSH_ITEMS = 1 << 16  # column values buffered before they go to their temp file
ROW_DIGITS = 10  # rows are written zero-padded so that byte order is numeric order
ID_DIGITS = 20
VOCABULARIES = ("feature", "country", "admin1", "source")
_ALLOWED_CODES = frozenset("bBhHiIqQd")


class CacheDamaged(Exception):
    """The file is not a complete index of this format: rebuild it."""


# -- building ------------------------------------------------------------------------------


class _Column:
    """Values appended one by one, written to a temp file in blocks; tracks the range of
    integers so the final file can use the narrowest type that holds them."""

    def __init__(self, path: Path, typecode: str) -> None:
        self.path = path
        self.typecode = typecode
        self.file = path.open("wb")
        self.buffer = array(typecode)
        self.count = 0
        self.low = 0
        self.high = 0

    def append(self, value: int | float) -> None:
        self.buffer.append(value)  # type: ignore[arg-type]
        if len(self.buffer) >= FLUSH_ITEMS:
            self.flush()

    def extend(self, values: list[int] | list[float]) -> None:
        self.buffer.extend(values)  # type: ignore[arg-type]
        if len(self.buffer) >= FLUSH_ITEMS:
            self.flush()

    def flush(self) -> None:
        if self.buffer:
            if self.typecode != "d":
                self.low = min(self.low, int(min(self.buffer)))
                self.high = max(self.high, int(max(self.buffer)))
            self.buffer.tofile(self.file)
            self.count += len(self.buffer)
            self.buffer = array(self.typecode)

    def close(self) -> None:
        self.flush()
        self.file.close()


class _Blob:
    """Strings appended as UTF-8 to one temp file, with an offsets column (rows + 1)."""

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"{name}.text"
        self.file = self.path.open("wb", buffering=1 << 20)
        self.offsets = _Column(folder / f"{name}.offsets", "Q")
        self.size = 0
        self.offsets.append(0)

    def append(self, data: bytes) -> None:
        self.file.write(data)
        self.size += len(data)
        self.offsets.append(self.size)

    def extend(self, items: list[bytes]) -> None:
        ends = []
        size = self.size
        for data in items:
            size += len(data)
            ends.append(size)
        self.file.write(b"".join(items))
        self.size = size
        self.offsets.extend(ends)

    def close(self) -> None:
        self.file.close()
        self.offsets.close()


class _ExternalSort:
    """Byte lines sorted in runs of at most RUN_LINES, spilled to disk and merged back:
    the memory of a sort is bounded whatever the number of lines."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.lines: list[bytes] = []
        self.runs: list[Path] = []
        self.count = 0

    def add(self, line: bytes) -> None:
        self.lines.append(line)
        if len(self.lines) >= RUN_LINES:
            self._spill()

    def extend(self, lines: list[bytes]) -> None:
        self.lines.extend(lines)
        if len(self.lines) >= RUN_LINES:
            self._spill()

    def _spill(self) -> None:
        self.lines.sort()
        run = self.folder / f"{self.name}.run{len(self.runs)}"
        with run.open("wb", buffering=1 << 20) as f:
            f.writelines(self.lines)
        self.runs.append(run)
        self.count += len(self.lines)
        self.lines = []

    def __iter__(self) -> Iterator[bytes]:
        if not self.runs:  # small gazetteers never touch the disk
            self.lines.sort()
            yield from self.lines
            return
        if self.lines:
            self._spill()
        files = [run.open("rb", buffering=1 << 20) for run in self.runs]
        try:
            yield from heapq.merge(*files)
        finally:
            for f in files:
                f.close()


class _Vocabulary:
    """A short text column stored as codes into a list of distinct values."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, value: str) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.codes)
        return code

    def values(self) -> list[str]:
        return list(self.codes)


@dataclass(frozen=True, slots=True)
class BuildReport:
    rows: int
    keys: int
    postings: int
    runs: int
    bytes: int
    seconds: float


def build(csv_path: Path, out: Path, work: Path | None = None) -> BuildReport:
    """Compile the CSV at `csv_path` into an index file at `out` (written to a temporary
    name and renamed, so a reader never sees half a file)."""
    started = time.perf_counter()
    built_at = time.time_ns()
    stat = StatKey.of(csv_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="geotag-index-", dir=work or out.parent) as tmp:
        folder = Path(tmp)
        columns = {
            "geonameid": _Column(folder / "geonameid", "q"),
            "lat": _Column(folder / "lat", "d"),
            "lon": _Column(folder / "lon", "d"),
            "population": _Column(folder / "population", "q"),
        }
        coded = {name: _Column(folder / f"{name}.codes", "I") for name in VOCABULARIES}
        vocab = {name: _Vocabulary() for name in VOCABULARIES}
        names = _Blob(folder, "name")
        name_pairs = _ExternalSort(folder, "names")
        abbreviation_pairs = _ExternalSort(folder, "abbreviations")
        id_index = _IdIndex(folder)
        countries: dict[str, tuple[int, int]] = {}  # code -> (row, population)
        regions: dict[str, int] = {}
        feature_counts: dict[tuple[str, str], int] = {}
        source_counts: dict[str, int] = {}
        stream = CsvStream(csv_path)
        rows = 0
        # Rows are handled a chunk at a time, column by column: list comprehensions and
        # array.extend instead of a method call per value (four times faster).
        for chunk in _chunks(stream, FLUSH_ITEMS):
            first = rows
            rows += len(chunk)
            columns["geonameid"].extend([r.geonameid for r in chunk])
            columns["lat"].extend([r.lat for r in chunk])
            columns["lon"].extend([r.lon for r in chunk])
            columns["population"].extend([r.population for r in chunk])
            names.extend([r.name.encode() for r in chunk])
            feature, country = vocab["feature"].code, vocab["country"].code
            admin1, source = vocab["admin1"].code, vocab["source"].code
            coded["feature"].extend(
                [feature(f"{r.feature_class}\t{r.feature_code}") for r in chunk]
            )
            coded["country"].extend([country(r.country_code) for r in chunk])
            coded["admin1"].extend([admin1(f"{r.admin1_code}\t{r.admin1_name}") for r in chunk])
            coded["source"].extend([source(r.source) for r in chunk])
            id_index.add(
                [(r.geonameid, n) for n, r in enumerate(chunk, first) if r.geonameid != NO_ID]
            )
            for row_number, row in enumerate(chunk, start=first):
                suffix = b"\t%010d\n" % row_number
                name_pairs.extend([key.encode() + suffix for key in row.name_keys])
                if row.abbreviation_keys:
                    abbreviation_pairs.extend([k.encode() + suffix for k in row.abbreviation_keys])
                key2 = (row.feature_class, row.feature_code)
                feature_counts[key2] = feature_counts.get(key2, 0) + 1
                source_counts[row.source] = source_counts.get(row.source, 0) + 1
                cc = row.country_code
                if cc and row.feature_code in COUNTRY_CODES:
                    # Several rows can share a code (a breakaway unit); the most populous wins.
                    best = countries.get(cc)
                    if best is None or row.population > best[1]:
                        countries[cc] = (row_number, row.population)
                elif cc and row.feature_code == "ADM1":
                    regions.setdefault(f"{cc}.{row.admin1_code}", row_number)
        for column in (*columns.values(), *coded.values()):
            column.close()
        names.close()
        name_index = _write_postings(folder, "names", name_pairs, ROW_DIGITS)
        abbreviation_index = _write_postings(
            folder, "abbreviations", abbreviation_pairs, ROW_DIGITS
        )
        ids = id_index.sections()
        sections: list[tuple[str, Path, str, int, str]] = []  # name, file, typecode, count, to
        for name, column in columns.items():
            sections.append((name, column.path, column.typecode, column.count, _narrowest(column)))
        for name, column in coded.items():
            sections.append(
                (
                    f"{name}.codes",
                    column.path,
                    "I",
                    column.count,
                    _code_type(len(vocab[name].codes)),
                )
            )
        sections += _blob_sections("name", names)
        sections += name_index + abbreviation_index + ids
        header: dict[str, Any] = {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "rows": rows,
            "built_at_ns": built_at,
            "stat": stat.to_list(),
            "sha256": stream.sha256,
            "csv_bytes": stream.size,
            "vocab": {name: vocab[name].values() for name in VOCABULARIES},
            "countries": {cc: row for cc, (row, _) in countries.items()},
            "regions": regions,
            "feature_counts": [[c, f, n] for (c, f), n in feature_counts.items()],
            "source_counts": source_counts,
        }
        size = _assemble(out, header, sections)
        keys = name_index[1][3] - 1
    return BuildReport(
        rows=rows,
        keys=keys,
        postings=name_index[3][3],
        runs=len(name_pairs.runs) + len(abbreviation_pairs.runs) + id_index.runs,
        bytes=size,
        seconds=time.perf_counter() - started,
    )


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _narrowest(column: _Column) -> str:
    if column.typecode == "d":
        return "d"
    if column.low >= -(2**31) and column.high < 2**31:
        return "i"
    return "q"


def _code_type(distinct: int) -> str:
    return "B" if distinct <= 1 << 8 else "H" if distinct <= 1 << 16 else "I"


def _offset_type(largest: int) -> str:
    return "I" if largest < 1 << 32 else "Q"


def _blob_sections(name: str, blob: _Blob) -> list[tuple[str, Path, str, int, str]]:
    return [
        (f"{name}.text", blob.path, "B", blob.size, "B"),
        (f"{name}.offsets", blob.offsets.path, "Q", blob.offsets.count, _offset_type(blob.size)),
    ]


def _write_postings(
    folder: Path, name: str, pairs: _ExternalSort, digits: int
) -> list[tuple[str, Path, str, int, str]]:
    """Sorted (key, row) lines to: key blob + offsets, postings start per key, rows."""
    keys = _Blob(folder, f"{name}.keys")
    starts = _Column(folder / f"{name}.starts", "Q")
    rows = _Column(folder / f"{name}.rows", "I")
    cut = digits + 2  # "\t" + digits + "\n"
    current: bytes | None = None
    total = 0
    new_keys: list[bytes] = []
    new_starts: list[int] = []
    batch: list[int] = []
    for line in pairs:
        key = line[:-cut]
        if key != current:
            new_keys.append(key)
            new_starts.append(total)
            current = key
        batch.append(int(line[-cut + 1 : -1]))
        total += 1
        if len(batch) >= FLUSH_ITEMS:
            rows.extend(batch)
            keys.extend(new_keys)
            starts.extend(new_starts)
            batch, new_keys, new_starts = [], [], []
    rows.extend(batch)
    keys.extend(new_keys)
    starts.extend(new_starts)
    starts.append(total)
    keys.close()
    starts.close()
    rows.close()
    return [
        *_blob_sections(f"{name}.keys", keys),
        (f"{name}.starts", starts.path, "Q", starts.count, _offset_type(total)),
        (f"{name}.rows", rows.path, "I", rows.count, "I"),
    ]


class _IdIndex:
    """geonameid -> row, as ids ascending with their rows beside them. An import writes
    its rows in dump order, ids ascending: then the pairs are sorted already and go
    straight to their columns (no sort: a third of the build's sorting saved). The first
    id out of order switches to the external sort, replaying the pairs written so far."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids = _Column(folder / "ids.sorted", "q")
        self.rows = _Column(folder / "ids.rows", "I")
        self.last: int | None = None
        self.sorter: _ExternalSort | None = None

    @property
    def runs(self) -> int:
        return len(self.sorter.runs) if self.sorter else 0

    def add(self, pairs: list[tuple[int, int]]) -> None:
        if not pairs:
            return
        if self.sorter is None:
            ids = [gid for gid, _ in pairs]
            if (self.last is None or self.last < ids[0]) and all(map(operator.lt, ids, ids[1:])):
                self.ids.extend(ids)
                self.rows.extend([row for _, row in pairs])
                self.last = ids[-1]
                return
            self._switch()
        assert self.sorter is not None
        self.sorter.extend([b"%020d\t%010d\n" % pair for pair in pairs])

    def _switch(self) -> None:
        self.sorter = _ExternalSort(self.folder, "ids")
        self.ids.close()
        self.rows.close()
        with self.ids.path.open("rb") as ids, self.rows.path.open("rb") as rows:
            while chunk := ids.read(8 * FLUSH_ITEMS):
                gids, numbers = array("q"), array("I")
                gids.frombytes(chunk)
                numbers.frombytes(rows.read(4 * len(gids)))
                self.sorter.extend([b"%020d\t%010d\n" % p for p in zip(gids, numbers, strict=True)])

    def sections(self) -> list[tuple[str, Path, str, int, str]]:
        if self.sorter is None:
            self.ids.close()
            self.rows.close()
            ids, rows = self.ids, self.rows
        else:
            ids = _Column(self.folder / "ids.sorted2", "q")
            rows = _Column(self.folder / "ids.rows2", "I")
            cut = ID_DIGITS + 1
            batch: list[bytes] = []
            for line in self.sorter:
                batch.append(line)
                if len(batch) >= FLUSH_ITEMS:
                    ids.extend([int(b[:ID_DIGITS]) for b in batch])
                    rows.extend([int(b[cut:-1]) for b in batch])
                    batch = []
            ids.extend([int(b[:ID_DIGITS]) for b in batch])
            rows.extend([int(b[cut:-1]) for b in batch])
            ids.close()
            rows.close()
        return [
            ("ids.sorted", ids.path, "q", ids.count, _narrowest(ids)),
            ("ids.rows", rows.path, "I", rows.count, "I"),
        ]


def _assemble(
    out: Path, header: dict[str, Any], sections: list[tuple[str, Path, str, int, str]]
) -> int:
    """Header, then every section converted to its final type, aligned; atomically."""
    table: dict[str, list[object]] = {}
    offset = 0
    for name, _, _, count, final in sections:
        size = count * array(final).itemsize
        table[name] = [offset, size, final, count]
        offset += _pad(size)
    header["sections"] = table
    encoded = orjson.dumps(header)
    head = MAGIC + len(encoded).to_bytes(8, "little") + encoded
    head += b"\0" * (_pad(len(head)) - len(head))
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(head)
            for name, path, typecode, _count, final in sections:
                written = _copy_converted(path, f, typecode, final)
                if written != table[name][1]:
                    raise AssertionError(
                        f"{name}: wrote {written} bytes, expected {table[name][1]}"
                    )
                f.write(b"\0" * (_pad(written) - written))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out.stat().st_size


def _copy_converted(path: Path, out: Any, typecode: str, final: str) -> int:
    if typecode == final:
        with path.open("rb") as f:
            shutil.copyfileobj(f, out, 1 << 20)
        return path.stat().st_size
    written = 0
    step = array(typecode).itemsize * FLUSH_ITEMS
    with path.open("rb") as f:
        while chunk := f.read(step):
            values = array(typecode)
            values.frombytes(chunk)
            converted = array(final, values)
            converted.tofile(out)
            written += len(converted) * converted.itemsize
    return written


def _pad(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# -- reading -------------------------------------------------------------------------------


class _SortedKeys(Sequence[bytes]):
    """The key table as a sequence of bytes, read from the mapping on demand, for bisect."""

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


class _Postings:
    """One name index: key -> rows, by bisection over the mapped key table."""

    __slots__ = ("keys", "limit", "rows", "starts")

    def __init__(self, keys: _SortedKeys, starts: memoryview, rows: memoryview, limit: int) -> None:
        self.keys = keys
        self.starts = starts
        self.rows = rows
        self.limit = limit

    def get(self, key: str) -> list[int]:
        wanted = key.encode()
        keys = self.keys
        i = bisect_left(keys, wanted)
        if i == len(keys) or keys[i] != wanted:
            return []
        found = self.rows[self.starts[i] : self.starts[i + 1]].tolist()
        if found and max(found) >= self.limit:
            raise CacheDamaged("a posting points past the last row")
        return found

    def __len__(self) -> int:
        return len(self.keys)


class MappedIndex:
    """An index file opened read-only. Cheap to open; reads only what it is asked for."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            with path.open("rb") as f:
                self._map = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
            raise CacheDamaged(f"cannot map {path}: {exc}") from None
        data = self._map
        if data[: len(MAGIC)] != MAGIC:
            raise CacheDamaged("not an index file")
        length = int.from_bytes(data[len(MAGIC) : len(MAGIC) + 8], "little")
        start = len(MAGIC) + 8
        if length > HEADER_LIMIT or start + length > len(data):
            raise CacheDamaged("header length out of range")
        try:
            header = orjson.loads(data[start : start + length])
        except orjson.JSONDecodeError:
            raise CacheDamaged("header is not JSON") from None
        if header.get("format") != FORMAT or header.get("byteorder") != sys.byteorder:
            raise CacheDamaged("another format or byte order")
        self.header: dict[str, Any] = header
        self.rows: int = int(header["rows"])
        self._payload = _pad(start + length)
        self._views: dict[str, memoryview] = {}
        self._bases: dict[str, int] = {}
        whole = memoryview(data)
        for name, (offset, size, typecode, count) in header["sections"].items():
            begin = self._payload + offset
            if typecode not in _ALLOWED_CODES or begin + size > len(data) or offset < 0:
                raise CacheDamaged(f"section {name} out of range")
            view = whole[begin : begin + size].cast(typecode)
            if len(view) != count:
                raise CacheDamaged(f"section {name}: {len(view)} items, expected {count}")
            self._views[name] = view
            self._bases[name] = begin
        v = self._views
        for name in (
            "geonameid",
            "lat",
            "lon",
            "population",
            *(f"{n}.codes" for n in VOCABULARIES),
        ):
            if len(v[name]) != self.rows:
                raise CacheDamaged(f"section {name} does not have one item per row")
        if len(v["name.offsets"]) != self.rows + 1:
            raise CacheDamaged("name offsets do not match the rows")
        self._name_base = self._bases["name.text"]
        self._name_offsets = v["name.offsets"]
        self.names = self._postings("names")
        self.abbreviations = self._postings("abbreviations")
        vocab = header["vocab"]
        self._features = [tuple(value.split("\t", 1)) for value in vocab["feature"]]
        self._countries_vocab: list[str] = vocab["country"]
        self._admin1 = [tuple(value.split("\t", 1)) for value in vocab["admin1"]]
        self._sources: list[str] = vocab["source"]
        self.countries: dict[str, int] = header["countries"]
        self.regions: dict[str, int] = header["regions"]
        if any(not 0 <= r < self.rows for r in (*self.countries.values(), *self.regions.values())):
            raise CacheDamaged("country or region row out of range")

    def _postings(self, name: str) -> _Postings:
        v = self._views
        keys = _SortedKeys(self._map, self._bases[f"{name}.keys.text"], v[f"{name}.keys.offsets"])
        if len(v[f"{name}.starts"]) != len(keys) + 1:
            raise CacheDamaged(f"{name}: starts do not match the keys")
        return _Postings(keys, v[f"{name}.starts"], v[f"{name}.rows"], self.rows)

    def close(self) -> None:
        self._views.clear()
        self.names = self.abbreviations = None  # type: ignore[assignment]
        self._name_offsets = None  # type: ignore[assignment]
        self._map.close()

    # -- rows ----------------------------------------------------------------------------

    def name(self, row: int) -> str:
        o = self._name_offsets
        base = self._name_base
        return self._map[base + o[row] : base + o[row + 1]].decode()

    def feature(self, row: int) -> tuple[str, str]:
        feature_class, feature_code = self._features[self._views["feature.codes"][row]]
        return feature_class, feature_code

    def country_code(self, row: int) -> str:
        return self._countries_vocab[self._views["country.codes"][row]]

    def source(self, row: int) -> str:
        return self._sources[self._views["source.codes"][row]]

    def population(self, row: int) -> int:
        return int(self._views["population"][row])

    def place(self, row: int) -> Place:
        v = self._views
        feature_class, feature_code = self._features[v["feature.codes"][row]]
        cc = self._countries_vocab[v["country.codes"][row]]
        admin1_code, admin1_name = self._admin1[v["admin1.codes"][row]]
        country_row = self.countries.get(cc)
        gid = v["geonameid"][row]
        return Place(
            geonameid=None if gid == NO_ID else gid,
            name=self.name(row),
            lat=v["lat"][row],
            lon=v["lon"][row],
            feature_class=feature_class,
            feature_code=feature_code,
            country_code=cc,
            country=self.name(country_row) if country_row is not None else "",
            admin1_code=admin1_code,
            admin1=admin1_name,
            population=v["population"][row],
        )

    def by_geonameid(self, geonameid: int) -> int | None:
        ids = self._views["ids.sorted"]
        i = bisect_left(ids, geonameid)
        if i < len(ids) and ids[i] == geonameid:
            return int(self._views["ids.rows"][i])
        return None

    def lookup_key(self, key: str) -> list[int]:
        return self.names.get(key)

    def lookup_abbreviation_key(self, key: str) -> list[int]:
        return self.abbreviations.get(key)


# -- the cache -------------------------------------------------------------------------------


def cache_path(cache_dir: Path, csv_path: Path) -> Path:
    return cache_dir / f"gazetteer-{StatKey.of(csv_path).digest()}-mmap{FORMAT}.index"


def sibling_path(csv_path: Path) -> Path:
    """Where `gazetteer build` would leave the index of the CSV it writes: next to it, so
    that the first run after an import maps it instead of compiling for minutes."""
    return csv_path.with_name(csv_path.name + ".index")


def load(csv_path: Path, cache_dir: Path) -> tuple[MappedIndex, str]:
    """The index of `csv_path` and how it was had:

    - "warm": the cached or sibling index's recorded stat key still names the CSV;
    - "verified": it does not (the CSV was copied, or changed in the same clock tick as
      the build) but the CSV has the recorded size and SHA-256 (one streaming hash);
    - "built": compiled now into the cache.
    """
    current = StatKey.of(csv_path)
    for path in (cache_path(cache_dir, csv_path), sibling_path(csv_path)):
        try:
            index = MappedIndex(path)
        except CacheDamaged:
            continue
        header = index.header
        if trusted(header["stat"], current, header["built_at_ns"]):
            return index, "warm"
        if header["csv_bytes"] == current.size and _sha256(csv_path) == header["sha256"]:
            return index, "verified"
        index.close()
    path = cache_path(cache_dir, csv_path)
    build(csv_path, path)
    return MappedIndex(path), "built"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def lookups(index: MappedIndex, keys: Iterable[str]) -> int:
    """What a resolver does per mention: the rows of a key, each as a Place."""
    touched = 0
    for key in keys:
        for row in index.lookup_key(key):
            index.place(row)
            touched += 1
    return touched
