"""Writing a compiled gazetteer index (see `format` for the layout) in bounded memory.

Writing streams: columns go to temporary files in blocks, (key, row) pairs to an external
sort (runs of bounded size, merged from disk), so memory is bounded by the run size, not
by the gazetteer. The file is written under a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import heapq
import operator
import os
import sys
import tempfile
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from ...errors import GazetteerError
from ..csvfile import NO_ID, CsvRows, Row, line_of_rows
from ..schema import COUNTRY_CODES
from .format import FORMAT, MAGIC, VOCABULARIES, padded

RUN_LINES = 1_000_000  # (key, row) lines sorted in memory at a time: about 80 MB
FLUSH_ITEMS = 1 << 16  # column values buffered before they go to their temporary file
ROW_DIGITS = 10  # rows are written zero-padded, so that byte order is numeric order
ID_DIGITS = 20


class DuplicateId(Exception):
    """Two rows share a geonameid (rows numbered from 0, the first after the header)."""

    def __init__(self, geonameid: int, first: int, second: int) -> None:
        super().__init__(geonameid, first, second)
        self.geonameid = geonameid
        self.rows = (first, second)


class _Column:
    """Values appended in blocks to a temporary file; tracks the range of integers so that
    the final file can use the narrowest type that holds them."""

    def __init__(self, path: Path, typecode: str) -> None:
        self.path = path
        self.typecode = typecode
        self.file = path.open("wb")
        self.buffer = array(typecode)
        self.count = 0
        self.low = 0
        self.high = 0

    def append(self, value: float) -> None:
        self.buffer.append(value)  # type: ignore[arg-type]

    def extend(self, values: Iterable[Any]) -> None:
        self.buffer.extend(values)
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
    """Strings appended as UTF-8 to one temporary file, with an offsets column."""

    def __init__(self, folder: Path, name: str) -> None:
        self.path = folder / f"{name}.text"
        self.file = self.path.open("wb", buffering=1 << 20)
        self.offsets = _Column(folder / f"{name}.offsets", "Q")
        self.size = 0
        self.offsets.append(0)

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
    a sort's memory is bounded whatever the number of lines."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.lines: list[bytes] = []
        self.runs: list[Path] = []

    def extend(self, lines: Iterable[bytes]) -> None:
        self.lines.extend(lines)
        if len(self.lines) >= RUN_LINES:
            self._spill()

    def _spill(self) -> None:
        self.lines.sort()
        run = self.folder / f"{self.name}.run{len(self.runs)}"
        with run.open("wb", buffering=1 << 20) as f:
            f.writelines(self.lines)
        self.runs.append(run)
        self.lines = []

    def __iter__(self) -> Iterator[bytes]:
        if not self.runs:  # a small gazetteer never touches the disk
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
    """A short text column as codes into its distinct values."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def code(self, value: str) -> int:
        code = self.codes.get(value)
        if code is None:
            code = self.codes[value] = len(self.codes)
        return code


class _Ids:
    """geonameid -> row, as ids ascending with their rows beside them. An import writes
    its rows in dump order, ids ascending: then the pairs go straight to their columns.
    The first id out of order switches to the external sort, replaying those written."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids = _Column(folder / "ids.sorted", "q")
        self.rows = _Column(folder / "ids.rows", "I")
        self.last: int | None = None
        self.sorter: _ExternalSort | None = None

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
        self.sorter.extend([_id_line(gid, row) for gid, row in pairs])

    def _switch(self) -> None:
        self.sorter = _ExternalSort(self.folder, "ids")
        self.ids.close()
        self.rows.close()
        with self.ids.path.open("rb") as ids, self.rows.path.open("rb") as rows:
            while chunk := ids.read(8 * FLUSH_ITEMS):
                gids, numbers = array("q"), array("I")
                gids.frombytes(chunk)
                numbers.frombytes(rows.read(4 * len(gids)))
                self.sorter.extend([_id_line(g, n) for g, n in zip(gids, numbers, strict=True)])

    def sections(self) -> list[_Section]:
        if self.sorter is None:
            self.ids.close()
            self.rows.close()
            ids, rows = self.ids, self.rows
        else:
            ids = _Column(self.folder / "ids.sorted2", "q")
            rows = _Column(self.folder / "ids.rows2", "I")
            previous: tuple[int, int] | None = None
            batch: list[tuple[int, int]] = []
            for line in self.sorter:
                pair = _from_id_line(line)
                if previous is not None and previous[0] == pair[0]:
                    raise DuplicateId(pair[0], previous[1], pair[1])
                previous = pair
                batch.append(pair)
                if len(batch) >= FLUSH_ITEMS:
                    ids.extend([gid for gid, _ in batch])
                    rows.extend([row for _, row in batch])
                    batch = []
            ids.extend([gid for gid, _ in batch])
            rows.extend([row for _, row in batch])
            ids.close()
            rows.close()
        return [
            _Section("ids.sorted", ids.path, "q", ids.count, _narrowest(ids)),
            _Section("ids.rows", rows.path, "I", rows.count, "I"),
        ]


def _id_line(gid: int, row: int) -> bytes:
    # Ids may be negative in a hand-made CSV: offset them so that byte order stays numeric.
    return b"%020d\t%010d\n" % (gid + (1 << 63), row)


def _from_id_line(line: bytes) -> tuple[int, int]:
    return int(line[:ID_DIGITS]) - (1 << 63), int(line[ID_DIGITS + 1 : -1])


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    path: Path
    typecode: str  # as written to the temporary file
    count: int
    final: str  # as stored in the index


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What a written index holds, and the checksum of its payload."""

    rows: int
    keys: int
    bytes: int
    checksum: str
    sha256: str


class IndexWriter:
    """Rows in, one index file out. Rows are added in chunks, in order, each with the keys
    it is found by; `finish` writes the file under a temporary name and renames it, so a
    reader never sees half a file. Use as a context manager: the temporary files go."""

    def __init__(self, out: Path, work: Path | None = None) -> None:
        self.out = out
        self._tmp = tempfile.TemporaryDirectory(prefix=".geotag-index-", dir=work or out.parent)
        folder = self.folder = Path(self._tmp.name)
        self.columns = {
            "geonameid": _Column(folder / "geonameid", "q"),
            "lat": _Column(folder / "lat", "d"),
            "lon": _Column(folder / "lon", "d"),
            "population": _Column(folder / "population", "q"),
        }
        self.coded = {name: _Column(folder / f"{name}.codes", "I") for name in VOCABULARIES}
        self.vocab = {name: _Vocabulary() for name in VOCABULARIES}
        self.names = _Blob(folder, "name")
        self.name_pairs = _ExternalSort(folder, "names")
        self.abbreviation_pairs = _ExternalSort(folder, "abbreviations")
        self.ids = _Ids(folder)
        self.countries: dict[str, tuple[int, int]] = {}  # code -> (row, population)
        self.regions: dict[str, int] = {}
        self.feature_counts: dict[str, int] = {}
        self.source_counts: dict[str, int] = {}
        self.rows = 0

    def __enter__(self) -> IndexWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for column in (*self.columns.values(), *self.coded.values()):
            column.file.close()
        self.names.file.close()
        self.names.offsets.file.close()
        self._tmp.cleanup()

    def add(self, chunk: Sequence[Row]) -> None:
        """Add rows, in order. A chunk at a time, column by column: comprehensions and
        array.extend instead of a call per value (four times faster)."""
        first = self.rows
        self.rows += len(chunk)
        c = self.columns
        c["geonameid"].extend([r.geonameid for r in chunk])
        c["lat"].extend([r.lat for r in chunk])
        c["lon"].extend([r.lon for r in chunk])
        c["population"].extend([r.population for r in chunk])
        self.names.extend([r.name.encode() for r in chunk])
        feature, country = self.vocab["feature"].code, self.vocab["country"].code
        admin1, source = self.vocab["admin1"].code, self.vocab["source"].code
        coded = self.coded
        coded["feature"].extend([feature(f"{r.feature_class}\t{r.feature_code}") for r in chunk])
        coded["country"].extend([country(r.country_code) for r in chunk])
        coded["admin1"].extend([admin1(f"{r.admin1_code}\t{r.admin1_name}") for r in chunk])
        coded["source"].extend([source(r.source) for r in chunk])
        self.ids.add([(r.geonameid, n) for n, r in enumerate(chunk, first) if r.geonameid != NO_ID])
        name_lines: list[bytes] = []
        abbreviation_lines: list[bytes] = []
        feature_counts, source_counts = self.feature_counts, self.source_counts
        for number, row in enumerate(chunk, start=first):
            suffix = b"\t%010d\n" % number
            name_lines += [key.encode() + suffix for key in row.name_keys]
            if row.abbreviation_keys:
                abbreviation_lines += [key.encode() + suffix for key in row.abbreviation_keys]
            kind = f"{row.feature_class}\t{row.feature_code}"
            feature_counts[kind] = feature_counts.get(kind, 0) + 1
            source_counts[row.source] = source_counts.get(row.source, 0) + 1
            cc = row.country_code
            if cc and row.feature_code in COUNTRY_CODES:
                # Several rows can share a code (a breakaway unit); the most populous wins.
                best = self.countries.get(cc)
                if best is None or row.population > best[1]:
                    self.countries[cc] = (number, row.population)
            elif cc and row.feature_code == "ADM1":
                self.regions.setdefault(f"{cc}.{row.admin1_code}", number)
        self.name_pairs.extend(name_lines)
        if abbreviation_lines:
            self.abbreviation_pairs.extend(abbreviation_lines)

    def finish(self, sha256: str, csv_bytes: int) -> IndexSummary:
        """Write the index for the CSV of this SHA-256 and size; raises DuplicateId."""
        for column in (*self.columns.values(), *self.coded.values()):
            column.close()
        self.names.close()
        ids = self.ids.sections()
        name_index = _write_postings(self.folder, "names", self.name_pairs)
        abbreviation_index = _write_postings(self.folder, "abbreviations", self.abbreviation_pairs)
        sections = [
            _Section(name, col.path, col.typecode, col.count, _narrowest(col))
            for name, col in self.columns.items()
        ]
        sections += [
            _Section(f"{name}.codes", col.path, "I", col.count, _code_type(self.vocab[name]))
            for name, col in self.coded.items()
        ]
        sections += _blob_sections("name", self.names)
        sections += name_index + abbreviation_index + ids
        header: dict[str, Any] = {
            "format": FORMAT,
            "byteorder": sys.byteorder,
            "rows": self.rows,
            "sha256": sha256,
            "csv_bytes": csv_bytes,
            "vocab": {name: list(self.vocab[name].codes) for name in VOCABULARIES},
            "countries": {cc: row for cc, (row, _) in self.countries.items()},
            "regions": self.regions,
            "feature_counts": self.feature_counts,
            "source_counts": self.source_counts,
        }
        size, checksum = _assemble(self.out, header, sections)
        return IndexSummary(self.rows, name_index[2].count - 1, size, checksum, sha256)


def _narrowest(column: _Column) -> str:
    if column.typecode == "d":
        return "d"
    if column.low >= -(2**31) and column.high < 2**31:
        return "i"
    return "q"


def _code_type(vocabulary: _Vocabulary) -> str:
    distinct = len(vocabulary.codes)
    return "B" if distinct <= 1 << 8 else "H" if distinct <= 1 << 16 else "I"


def _offset_type(largest: int) -> str:
    return "I" if largest < 1 << 32 else "Q"


def _blob_sections(name: str, blob: _Blob) -> list[_Section]:
    return [
        _Section(f"{name}.text", blob.path, "B", blob.size, "B"),
        _Section(
            f"{name}.offsets", blob.offsets.path, "Q", blob.offsets.count, _offset_type(blob.size)
        ),
    ]


def _write_postings(folder: Path, name: str, pairs: _ExternalSort) -> list[_Section]:
    """Sorted (key, row) lines to: key blob and offsets, the start of each key's rows, and
    the rows."""
    keys = _Blob(folder, f"{name}.keys")
    starts = _Column(folder / f"{name}.starts", "Q")
    rows = _Column(folder / f"{name}.rows", "I")
    cut = ROW_DIGITS + 2  # "\t" + digits + "\n"
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
        _Section(f"{name}.starts", starts.path, "Q", starts.count, _offset_type(total)),
        _Section(f"{name}.rows", rows.path, "I", rows.count, "I"),
    ]


def _assemble(out: Path, header: dict[str, Any], sections: list[_Section]) -> tuple[int, str]:
    """The header, then every section in its final type, aligned, under a temporary name
    renamed into place. The payload's checksum is computed as it is written, then put in
    the header over a placeholder of the same length."""
    table: dict[str, list[object]] = {}
    offset = 0
    for s in sections:
        size = s.count * array(s.final).itemsize
        table[s.name] = [offset, size, s.final, s.count]
        offset += padded(size)
    header["sections"] = table
    placeholder = "0" * 32
    header["checksum"] = placeholder
    encoded = orjson.dumps(header)
    at = len(MAGIC) + 8 + encoded.index(f'"checksum":"{placeholder}"'.encode()) + 12
    head = MAGIC + len(encoded).to_bytes(8, "little") + encoded
    head += b"\0" * (padded(len(head)) - len(head))
    checksum = hashlib.blake2b(digest_size=16)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(head)
            for s in sections:
                written = 0
                for block in _converted(s):
                    f.write(block)
                    checksum.update(block)
                    written += len(block)
                if written != table[s.name][1]:
                    raise AssertionError(f"{s.name}: wrote {written} bytes, not {table[s.name][1]}")
                padding = b"\0" * (padded(written) - written)
                f.write(padding)
                checksum.update(padding)
            f.seek(at)
            f.write(checksum.hexdigest().encode())
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    return out.stat().st_size, checksum.hexdigest()


def _converted(section: _Section) -> Iterator[bytes]:
    """A temporary column's bytes in blocks, converted to the section's final type."""
    step = array(section.typecode).itemsize * FLUSH_ITEMS
    with section.path.open("rb") as f:
        while chunk := f.read(step):
            if section.typecode == section.final:
                yield chunk
            else:
                values = array(section.typecode)
                values.frombytes(chunk)
                yield array(section.final, values).tobytes()


def compile_csv(csv_path: Path, out: Path) -> IndexSummary:
    """Compile a gazetteer CSV into an index file at `out`, hashing the CSV on the way.
    Raises GazetteerError with `FILE:LINE: reason` for a malformed CSV."""
    rows = CsvRows(csv_path)
    with IndexWriter(out) as writer:
        for chunk in chunks(rows):
            writer.add(chunk)
        try:
            return writer.finish(rows.sha256, rows.size)
        except DuplicateId as dup:
            lines = line_of_rows(csv_path, set(dup.rows))
            first, second = (lines.get(r, r + 2) for r in dup.rows)
            raise GazetteerError(
                f"{csv_path}:{second}: geonameid {dup.geonameid} is also on line {first}; "
                f"a geonameid may name one row only"
            ) from None


def chunks(rows: Iterable[Row], size: int = FLUSH_ITEMS) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
