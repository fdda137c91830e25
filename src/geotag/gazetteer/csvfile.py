"""A gazetteer CSV read as a stream: one checked row at a time, hashed on the way, never
held whole, every fault reported as `FILE:LINE: reason`."""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO, NamedTuple

from ..errors import GazetteerError
from .names import abbreviation_key, fold_name
from .schema import COLUMNS, REQUIRED, degrees, whole_number

NO_ID = -1  # the geonameid of a row that has none
READ_CHUNK = 1 << 20


class Row(NamedTuple):
    """One gazetteer row as the index stores it, with the keys it is found by. A named
    tuple: made millions of times, a dataclass's __init__ costs twice as much."""

    geonameid: int  # NO_ID where the row has none
    name: str
    lat: float
    lon: float
    population: int
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str
    admin1_name: str
    source: str
    name_keys: frozenset[str] | set[str]
    abbreviation_keys: frozenset[str] | set[str]


def row_keys(name: str, alternates: str) -> set[str]:
    """The name keys of a row: its name and its `|`-separated alternate names, folded."""
    keys = {fold_name(name)}
    if alternates:
        keys.update(fold_name(n) for n in alternates.split("|"))
    keys.discard("")
    return keys


def abbreviation_keys(abbreviations: str) -> set[str]:
    if not abbreviations:
        return set()
    keys = {abbreviation_key(a) for a in abbreviations.split("|")}
    keys.discard("")
    return keys


class _HashingReader(io.RawIOBase):
    """A binary file that feeds every byte it hands out to SHA-256: the CSV is hashed in
    the pass that parses it, in bounded memory."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        n = self.raw.readinto(view)  # type: ignore[attr-defined]
        if n:
            self.hash.update(view[:n])
            self.size += n
        return n or 0


class CsvRows:
    """The rows of a gazetteer CSV, one at a time (`GazetteerError` with the file and line
    for anything malformed); `sha256` and `size` are known once the rows are exhausted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw: _HashingReader | None = None
        self._last_line = 1  # the last line of the last record read

    def __iter__(self) -> Iterator[Row]:
        try:
            f = self.path.open("rb")
        except FileNotFoundError:
            raise GazetteerError(f"gazetteer not found: {self.path}") from None
        except IsADirectoryError:
            raise GazetteerError(f"gazetteer is a directory, not a CSV file: {self.path}") from None
        except OSError as exc:
            raise GazetteerError(f"cannot read gazetteer {self.path}: {exc.strerror}") from None
        with f:
            self._raw = _HashingReader(f)
            text = io.TextIOWrapper(
                io.BufferedReader(self._raw, READ_CHUNK), encoding="utf-8-sig", newline=""
            )
            # Strict: a quote left open at the end is an error, not a silently short row.
            reader = csv.reader(text, strict=True)
            try:
                header = next(reader, [])
                yield from self._rows(reader, header)
            except UnicodeDecodeError:
                # The text is decoded a block ahead of the rows: find the line itself.
                raise GazetteerError(
                    f"{self.path}:{first_bad_line(self.path)}: not valid UTF-8"
                ) from None
            except csv.Error as exc:
                # The record that failed starts on the line after the last one read whole.
                start, end = self._last_line + 1, reader.line_num
                raise GazetteerError(
                    f"{self.path}:{start}: {_csv_reason(exc, start, end)}"
                ) from None
            except OSError as exc:
                raise GazetteerError(
                    f"cannot read gazetteer {self.path}: {exc.strerror or exc}"
                ) from None

    def _rows(self, reader: Iterator[list[str]], header: list[str]) -> Iterator[Row]:
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise GazetteerError(
                f"{self.path}:1: header lacks column(s) {', '.join(missing)}; "
                f"expected the columns {','.join(COLUMNS)}"
            )
        width = len(header)
        # A missing optional column reads from an always-empty extra cell.
        positions = [header.index(c) if c in header else width for c in COLUMNS]
        self._last_line = reader.line_num  # type: ignore[attr-defined]
        for cells in reader:
            number = self._last_line + 1
            end = reader.line_num  # type: ignore[attr-defined]
            if end != number:
                # A quoted field spanning lines: in a gazetteer, always a quote left open.
                raise GazetteerError(
                    f"{self.path}:{number}: a quoted field runs on to line {end} "
                    f"(an unbalanced quote?)"
                )
            self._last_line = end
            if not cells:
                continue
            if len(cells) != width:
                # A short row is as malformed as a long one: its cells may stand under
                # other columns' names (a country code read as empty, say).
                more = "more" if len(cells) > width else "fewer"
                raise GazetteerError(
                    f"{self.path}:{number}: {more} fields than the header has columns "
                    f"({len(cells)}, not {width})"
                )
            cells.append("")
            yield self._row([cells[i].strip() for i in positions], number)

    @property
    def sha256(self) -> str:
        assert self._raw is not None
        return self._raw.hash.hexdigest()

    @property
    def size(self) -> int:
        assert self._raw is not None
        return self._raw.size

    def _row(self, cells: list[str], number: int) -> Row:
        (gid, name, alternates, abbreviations, lat, lon, feature_class, feature_code,
         country_code, admin1_code, admin1_name, population, source) = cells  # fmt: skip
        if not name:
            raise GazetteerError(f"{self.path}:{number}: column 'name' is empty")
        where = f"{self.path}:{number}"
        return row_of(
            _whole(gid, "geonameid", where, NO_ID),
            name,
            degrees(lat, "lat", 90.0, where),
            degrees(lon, "lon", 180.0, where),
            _whole(population, "population", where, 0),
            (feature_class, feature_code, country_code, admin1_code, admin1_name, source),
            alternates,
            abbreviations,
        )


def row_of(
    gid: int,
    name: str,
    lat: float,
    lon: float,
    population: int,
    texts: tuple[str, str, str, str, str, str],
    alternates: str,
    abbreviations: str,
) -> Row:
    """The index row of a CSV line's values (numbers parsed; `texts` are the feature class
    and code, country code, admin1 code and name, and source): the one place that says how
    a row's country code is written and its keys are made, for the CSV reader and for the
    GeoNames import, which writes the index beside the CSV it writes."""
    feature_class, feature_code, country_code, admin1_code, admin1_name, source = texts
    return Row(
        gid,
        name,
        lat,
        lon,
        population,
        feature_class,
        feature_code,
        country_code.upper(),
        admin1_code,
        admin1_name,
        source,
        row_keys(name, alternates),
        abbreviation_keys(abbreviations),
    )


def _csv_reason(exc: csv.Error, start: int, end: int) -> str:
    message = str(exc)
    if end > start and "expected after" in message:
        return f"a quoted field runs on to line {end} (an unbalanced quote?)"
    if "field larger than field limit" in message or "unexpected end of data" in message:
        return "a quoted field opened on this line does not close (an unbalanced quote?)"
    return f"not valid CSV ({message})"


def _whole(value: str, column: str, where: str, empty: int) -> int:
    return whole_number(value, column, where) if value else empty


def line_of_rows(path: Path, rows: set[int]) -> dict[int, int]:
    """The line each of these rows (0 = the first after the header) starts on: for error
    messages only, so the rows need not carry their lines."""
    found: dict[int, int] = {}
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        next(reader, None)
        last = reader.line_num
        row = 0
        for cells in reader:
            if cells:
                if row in rows:
                    found[row] = last + 1
                    if len(found) == len(rows):
                        break
                row += 1
            last = reader.line_num
    return found


def first_bad_line(path: Path) -> int:
    """The first line of a file that is not valid UTF-8 (for the error message only)."""
    with path.open("rb") as f:
        for number, line in enumerate(f, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return 1
