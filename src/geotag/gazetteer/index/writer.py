"""Writing a compiled gazetteer index (see `format` for the layout) from in-memory columns.

Rows are added in order, to one `IndexPart` or to several (the parts of a build split
across processes, each numbering its rows from where the one before ends). The parts'
columns are typed arrays; their names' keys are numbered as they come, so that the
postings are two integer arrays. A part done (`IndexPart.freeze`) holds its distinct keys
sorted, as UTF-8 in one blob. `write_index` joins the parts, merges their sorted keys into
one order, orders the postings with one sort of 64-bit integers (key rank, row), and
writes the file under a temporary name renamed into place. Memory grows with the rows:
about 100 bytes a row, and the distinct keys' bytes (a Python string per distinct key
only while a part is being filled).
"""

from __future__ import annotations

import hashlib
import os
import sys
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from ...errors import GazetteerError
from ..csvfile import NO_ID, CsvRows, Row, line_of_rows
from ..schema import COUNTRY_CODES
from .format import FORMAT, MAGIC, VOCABULARIES, padded

if TYPE_CHECKING:
    import numpy.typing as npt

CHUNK_ROWS = 1 << 16  # rows handed to `IndexPart.add` at a time
WRITE_BLOCK = 1 << 22  # bytes of a section converted and written at a time


class DuplicateId(Exception):
    """Two rows share a geonameid (rows numbered from 0, the first after the header)."""

    def __init__(self, geonameid: int, first: int, second: int) -> None:
        super().__init__(geonameid, first, second)
        self.geonameid = geonameid
        self.rows = (first, second)


@dataclass(slots=True)
class _Keys:
    """Keys numbered as they come, and the (key number, row) postings."""

    numbers: dict[str, int] = field(default_factory=dict)
    keys: array[int] = field(default_factory=lambda: array("I"))
    rows: array[int] = field(default_factory=lambda: array("I"))

    def add(self, keys_of_rows: Sequence[Collection[str]], first: int) -> None:
        """The keys of consecutive rows, the first numbered `first`."""
        import numpy as np

        numbers = self.numbers
        flat = [key for keys in keys_of_rows for key in keys]
        for key in set(flat).difference(numbers):
            numbers[key] = len(numbers)
        self.keys.extend(map(numbers.__getitem__, flat))
        counts = np.fromiter(map(len, keys_of_rows), dtype=np.int64, count=len(keys_of_rows))
        numbered = np.arange(first, first + len(keys_of_rows), dtype=np.uint32)
        self.rows.frombytes(np.repeat(numbered, counts).tobytes())

    def sorted(self, plain_order: bool) -> _SortedKeys:
        """These keys in order, as UTF-8 in one blob, the postings' key numbers renumbered
        to match; empties this table."""
        import numpy as np

        keys = list(self.numbers)
        self.numbers = {}
        order = sorted(range(len(keys)), key=keys.__getitem__ if plain_order
                       else lambda n: _line_order(keys[n]))  # fmt: skip
        rank = np.empty(len(keys), dtype=np.uint32)
        rank[np.asarray(order, dtype=np.int64)] = np.arange(len(keys), dtype=np.uint32)
        encoded = [keys[n].encode() for n in order]
        keys, order = [], []
        ends = np.zeros(len(encoded) + 1, dtype=np.uint64)
        np.cumsum([len(k) for k in encoded], out=ends[1:])
        text = b"".join(encoded)
        del encoded
        numbers = rank[_numpy(self.keys, "I")] if len(self.keys) else np.empty(0, np.uint32)
        rows = _numpy(self.rows, "I").copy()
        self.keys, self.rows = array("I"), array("I")
        return _SortedKeys(text, ends, numbers, rows)


@dataclass(slots=True)
class _SortedKeys:
    """A part's distinct keys in order (UTF-8 blob and ends), and its (key rank, row)
    postings as arrays: what a worker hands over, with no string per key."""

    text: bytes
    ends: npt.NDArray[Any]
    keys: npt.NDArray[Any]
    rows: npt.NDArray[Any]


@dataclass(frozen=True, slots=True)
class Columns:
    """Consecutive rows as columns (the fields of `Row`, the feature class and code
    tab-joined, and the admin1 code and name)."""

    geonameid: Sequence[int]
    name: Sequence[str]
    lat: Sequence[float]
    lon: Sequence[float]
    population: Sequence[int]
    feature: Sequence[str]  # class TAB code
    feature_code: Sequence[str]
    country_code: Sequence[str]
    admin1_code: Sequence[str]
    admin1: Sequence[str]  # code TAB name
    source: Sequence[str]
    name_keys: Sequence[Collection[str]]
    abbreviation_keys: Sequence[Collection[str]]


class IndexPart:
    """Rows of a gazetteer, in order, from row number `first` on: their columns, their
    short text columns as codes into vocabularies in the order of first use, their name
    and abbreviation postings, and what the header counts."""

    def __init__(self, first: int = 0) -> None:
        self.first = first
        self.rows = 0
        self.geonameid = array("q")
        self.lat = array("d")
        self.lon = array("d")
        self.population = array("q")
        self.vocab: dict[str, dict[str, int]] = {name: {} for name in VOCABULARIES}
        self.codes = {name: array("I") for name in VOCABULARIES}
        self.names = bytearray()
        self.name_ends = array("Q")
        self.name_keys: _Keys | _SortedKeys = _Keys()
        self.abbreviation_keys: _Keys | _SortedKeys = _Keys()
        self.countries: dict[str, tuple[int, int]] = {}  # code -> (row, population)
        self.regions: dict[str, int] = {}
        self.feature_counts: dict[str, int] = {}
        self.source_counts: dict[str, int] = {}

    def add(self, chunk: Sequence[Row]) -> None:
        """Add rows, in order."""
        if not chunk:
            return
        columns = zip(*chunk, strict=True)
        (geonameid, name, lat, lon, population, feature_class, feature_code, country_code,
         admin1_code, admin1_name, source, name_keys, abbreviation_keys) = columns  # fmt: skip
        self.add_columns(
            Columns(
                geonameid,
                name,
                lat,
                lon,
                population,
                [f"{c}\t{f}" for c, f in zip(feature_class, feature_code, strict=True)],
                feature_code,
                country_code,
                admin1_code,
                [f"{c}\t{n}" for c, n in zip(admin1_code, admin1_name, strict=True)],
                source,
                name_keys,
                abbreviation_keys,
            )
        )

    def add_columns(self, rows: Columns) -> None:
        """Add rows, in order, column by column."""
        first = self.first + self.rows
        self.rows += len(rows.geonameid)
        self.geonameid.extend(rows.geonameid)
        self.lat.extend(rows.lat)
        self.lon.extend(rows.lon)
        self.population.extend(rows.population)
        names = [name.encode() for name in rows.name]
        end = len(self.names)
        ends = []
        for name in names:
            end += len(name)
            ends.append(end)
        self.name_ends.extend(ends)
        self.names += b"".join(names)
        self._code("feature", rows.feature)
        self._code("country", rows.country_code)
        self._code("admin1", rows.admin1)
        self._code("source", rows.source)
        assert isinstance(self.name_keys, _Keys) and isinstance(self.abbreviation_keys, _Keys)
        self.name_keys.add(rows.name_keys, first)
        self.abbreviation_keys.add(rows.abbreviation_keys, first)
        _count(self.feature_counts, rows.feature)
        _count(self.source_counts, rows.source)
        codes = rows.feature_code
        for i in [i for i, code in enumerate(codes) if code in _HEADER_CODES]:
            cc, number, population = rows.country_code[i], first + i, rows.population[i]
            if not cc:
                continue
            if codes[i] in COUNTRY_CODES:
                # Several rows can share a code (a breakaway unit); the most populous wins.
                best = self.countries.get(cc)
                if best is None or population > best[1]:
                    self.countries[cc] = (number, population)
            else:
                self.regions.setdefault(f"{cc}.{rows.admin1_code[i]}", number)

    def freeze(self) -> None:
        """Hold the keys sorted in blobs and arrays (`_Keys.sorted`), no more rows to add:
        a worker's part so crosses to the parent, and is merged there, without a string
        per key."""
        if isinstance(self.name_keys, _Keys):
            self.name_keys = self.name_keys.sorted(plain_order=True)
        if isinstance(self.abbreviation_keys, _Keys):
            self.abbreviation_keys = self.abbreviation_keys.sorted(plain_order=False)

    def _code(self, name: str, values: Sequence[str]) -> None:
        codes = self.vocab[name]
        for value in dict.fromkeys(values):
            if value not in codes:
                codes[value] = len(codes)
        self.codes[name].extend(map(codes.__getitem__, values))


_HEADER_CODES = COUNTRY_CODES | {"ADM1"}


def _count(counts: dict[str, int], values: Sequence[str]) -> None:
    for value, n in Counter(values).items():
        counts[value] = counts.get(value, 0) + n


@dataclass(frozen=True, slots=True)
class IndexSummary:
    """What a written index holds, and the checksum of its payload."""

    rows: int
    keys: int
    bytes: int
    checksum: str
    sha256: str


@dataclass(frozen=True, slots=True)
class _Section:
    name: str
    data: Any  # a numpy array or bytes, in the type stored in the index
    count: int
    final: str


def write_index(out: Path, parts: Sequence[IndexPart], sha256: str, csv_bytes: int) -> IndexSummary:
    """Write the index of the rows in `parts` (in order, numbered one after the other) for
    the CSV of this SHA-256 and size; raises DuplicateId. The parts' columns are emptied
    as they are joined, so that a column is never held twice."""
    import numpy as np

    rows = sum(p.rows for p in parts)
    geonameids = np.concatenate([_numpy(p.geonameid, "q") for p in parts])
    sections = [_column("geonameid", geonameids)]
    for p in parts:
        p.geonameid = array("q")
    ids = _ids(geonameids)  # made now, so that the 64-bit ids go before the postings
    del geonameids
    for name in ("lat", "lon", "population"):
        sections.append(
            _column(
                name,
                np.concatenate(
                    [_numpy(getattr(p, name), "dq"[name == "population"]) for p in parts]
                ),
            )
        )
        for p in parts:
            setattr(p, name, array("dq"[name == "population"]))
    vocab: dict[str, dict[str, int]] = {}
    for name in VOCABULARIES:
        codes, section = _coded(name, parts)
        vocab[name] = codes
        sections.append(section)
        for p in parts:
            p.codes[name] = array("I")
    ends = _joined_ends(parts)
    text = b"".join([p.names for p in parts])  # one copy, not a bytearray's and a bytes'
    for p in parts:
        p.names, p.name_ends = bytearray(), array("Q")
    sections += _blob("name", text, ends)
    del text, ends
    names, keys = _postings("names", [p.name_keys for p in parts], plain_order=True)
    sections += names
    sections += _postings("abbreviations", [p.abbreviation_keys for p in parts])[0]
    sections += ids
    del ids
    countries: dict[str, tuple[int, int]] = {}
    regions: dict[str, int] = {}
    feature_counts: dict[str, int] = {}
    source_counts: dict[str, int] = {}
    for part in parts:
        for cc, (row, population) in part.countries.items():
            best = countries.get(cc)
            if best is None or population > best[1]:
                countries[cc] = (row, population)
        for region, row in part.regions.items():
            regions.setdefault(region, row)
        for kind, n in part.feature_counts.items():
            feature_counts[kind] = feature_counts.get(kind, 0) + n
        for source, n in part.source_counts.items():
            source_counts[source] = source_counts.get(source, 0) + n
    header: dict[str, Any] = {
        "format": FORMAT,
        "byteorder": sys.byteorder,
        "rows": rows,
        "sha256": sha256,
        "csv_bytes": csv_bytes,
        "vocab": {name: list(vocab[name]) for name in VOCABULARIES},
        "countries": {cc: row for cc, (row, _) in countries.items()},
        "regions": regions,
        "feature_counts": feature_counts,
        "source_counts": source_counts,
    }
    size, checksum = _assemble(out, header, sections)
    return IndexSummary(rows, keys, size, checksum, sha256)


def _numpy(values: array[Any], typecode: str) -> npt.NDArray[Any]:
    import numpy as np

    return np.frombuffer(values, dtype=np.dtype(typecode)) if len(values) else np.empty(0, typecode)


def _column(name: str, values: npt.NDArray[Any]) -> _Section:
    final = "d" if values.dtype.char == "d" else _narrowest(values)
    return _Section(name, values.astype(final, copy=False), len(values), final)


def _narrowest(values: npt.NDArray[Any]) -> str:
    low = min(0, int(values.min())) if len(values) else 0
    high = max(0, int(values.max())) if len(values) else 0
    return "i" if low >= -(2**31) and high < 2**31 else "q"


def _coded(name: str, parts: Sequence[IndexPart]) -> tuple[dict[str, int], _Section]:
    """A short text column's codes, renumbered into one vocabulary in the order of first
    use across the parts."""
    import numpy as np

    codes: dict[str, int] = {}
    columns = []
    for part in parts:
        local = part.vocab[name]
        mapping = np.empty(len(local), dtype=np.uint32)
        for value, code in local.items():
            mapping[code] = codes.setdefault(value, len(codes))
        columns.append(mapping[_numpy(part.codes[name], "I")])
    values = np.concatenate(columns) if columns else np.empty(0, np.uint32)
    distinct = len(codes)
    final = "B" if distinct <= 1 << 8 else "H" if distinct <= 1 << 16 else "I"
    return codes, _Section(f"{name}.codes", values.astype(final), len(values), final)


def _joined_ends(parts: Sequence[IndexPart]) -> npt.NDArray[Any]:
    import numpy as np

    ends = [np.zeros(1, dtype=np.uint64)]
    base = 0
    for part in parts:
        ends.append(_numpy(part.name_ends, "Q") + np.uint64(base))
        base += len(part.names)
    return np.concatenate(ends)


def _offset_type(largest: int) -> str:
    return "I" if largest < 1 << 32 else "Q"


def _blob(name: str, text: bytes, offsets: npt.NDArray[Any]) -> list[_Section]:
    final = _offset_type(len(text))
    return [
        _Section(f"{name}.text", text, len(text), "B"),
        _Section(f"{name}.offsets", offsets.astype(final), len(offsets), final),
    ]


def _line_order(key: str) -> bytes:
    """A key's place in the order of the format's (key TAB row) lines."""
    return key.encode() + b"\t"


def _postings(
    name: str, parts: Sequence[_Keys | _SortedKeys], plain_order: bool = False
) -> tuple[list[_Section], int]:
    """The distinct keys in order (key blob and offsets), where each key's rows start, and
    the rows: each part's keys sorted on their own (`_Keys.sorted`), merged into one
    ordered table that renumbers them, then the postings by one sort of
    (rank of the key << 32 | row). Keys are held as UTF-8 bytes in one blob, whose order
    is their code points' order; outside plain order a key sorts as its line does."""
    import numpy as np

    ready = [p.sorted(plain_order) if isinstance(p, _Keys) else p for p in parts]
    text, ends, ranks = _merged(ready, plain_order)
    distinct = len(ends) - 1
    postings = np.empty(sum(len(part.keys) for part in ready), dtype=np.uint64)
    at = 0
    for part, rank in zip(ready, ranks, strict=True):
        n = len(part.keys)
        if n:
            postings[at : at + n] = rank[part.keys].astype(np.uint64) << np.uint64(32)
            postings[at : at + n] |= part.rows
        part.keys = part.rows = np.empty(0, np.uint32)
        at += n
    del ranks
    postings.sort()
    counts = np.bincount((postings >> np.uint64(32)).view(np.int64), minlength=distinct)
    starts = np.zeros(distinct + 1, dtype=np.uint64)
    np.cumsum(counts, out=starts[1:])
    del counts
    total = len(postings)
    starts_type = _offset_type(total)
    rows = (postings & np.uint64(0xFFFFFFFF)).astype(np.uint32)
    del postings
    sections = [
        *_blob(f"{name}.keys", text, ends),
        _Section(f"{name}.starts", starts.astype(starts_type), len(starts), starts_type),
        _Section(f"{name}.rows", rows, total, "I"),
    ]
    return sections, distinct


def _merged(
    parts: Sequence[_SortedKeys], plain_order: bool
) -> tuple[bytes, npt.NDArray[Any], list[npt.NDArray[Any]]]:
    """The parts' sorted keys merged: the distinct keys' blob and ends, and for each part
    the global rank of each of its keys."""
    import heapq

    import numpy as np

    def each(n: int, part: _SortedKeys) -> Iterator[tuple[bytes, int, int]]:
        text, ends = part.text, part.ends.tolist()
        for i in range(len(ends) - 1):
            key = text[ends[i] : ends[i + 1]]
            yield (key if plain_order else key + b"\t"), n, i

    ranks = [np.empty(len(p.ends) - 1, dtype=np.uint32) for p in parts]
    out = bytearray()
    ends = array("Q", [0])
    last: bytes | None = None
    for key, n, i in heapq.merge(*(each(n, p) for n, p in enumerate(parts))):
        if key != last:
            out += key if plain_order else key[:-1]
            ends.append(len(out))
            last = key
        ranks[n][i] = len(ends) - 2
    for part in parts:
        part.text, part.ends = b"", np.empty(0, np.uint64)
    return bytes(out), _numpy(ends, "Q"), ranks


def _ids(geonameids: npt.NDArray[Any]) -> list[_Section]:
    """geonameid -> row: the ids ascending, their rows beside them; rows without an id
    left out. Raises DuplicateId."""
    import numpy as np

    rows = np.flatnonzero(geonameids != NO_ID)
    ids = geonameids[rows]
    order = np.argsort(ids, kind="stable")
    ids, rows = ids[order], rows[order]
    same = np.flatnonzero(ids[1:] == ids[:-1])
    if len(same):
        at = int(same[0])
        raise DuplicateId(int(ids[at]), int(rows[at]), int(rows[at + 1]))
    final = _narrowest(ids)
    return [
        _Section("ids.sorted", ids.astype(final), len(ids), final),
        _Section("ids.rows", rows.astype(np.uint32), len(rows), "I"),
    ]


def _assemble(out: Path, header: dict[str, Any], sections: list[_Section]) -> tuple[int, str]:
    """The header, then every section, aligned, under a temporary name renamed into place.
    The payload's checksum is computed as it is written, then put in the header over a
    placeholder of the same length."""
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
                for block in _blocks(s.data):
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


def _blocks(data: Any) -> Iterator[memoryview]:
    view = memoryview(data).cast("B")
    for start in range(0, len(view), WRITE_BLOCK):
        yield view[start : start + WRITE_BLOCK]


def compile_csv(csv_path: Path, out: Path) -> IndexSummary:
    """Compile a gazetteer CSV into an index file at `out`, hashing the CSV on the way.
    Raises GazetteerError with `FILE:LINE: reason` for a malformed CSV."""
    rows = CsvRows(csv_path)
    part = IndexPart()
    for chunk in chunks(rows):
        part.add(chunk)
    return write_part_index(csv_path, out, [part], rows.sha256, rows.size)


def write_part_index(
    csv_path: Path, out: Path, parts: Sequence[IndexPart], sha256: str, csv_bytes: int
) -> IndexSummary:
    """`write_index`, a shared geonameid reported by the CSV's lines."""
    try:
        return write_index(out, parts, sha256, csv_bytes)
    except DuplicateId as dup:
        lines = line_of_rows(csv_path, set(dup.rows))
        first, second = (lines.get(r, r + 2) for r in dup.rows)
        raise GazetteerError(
            f"{csv_path}:{second}: geonameid {dup.geonameid} is also on line {first}; "
            f"a geonameid may name one row only"
        ) from None


def chunks(rows: Iterable[Row], size: int = CHUNK_ROWS) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
