"""Reading GeoNames' export dump: the main table (allCountries.txt or citiesN.txt, or their
.zip) as lines of named columns, and countryInfo.txt, admin1CodesASCII.txt and
alternateNamesV2.txt.

A malformed line (wrong number of fields, a bad number, invalid UTF-8) stops the read with
`FILE:LINE: reason`, since GeoNames writes these files by machine and a bad line means a
truncated or wrong file; with `skip_malformed` such lines are skipped, counted and the
first few reported.
"""

from __future__ import annotations

import contextlib
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple, Protocol

from ...errors import DumpError
from ...models import Warn
from ..schema import DISSOLVED_COUNTRIES, clean_name


class DumpLine(NamedTuple):
    """One line of GeoNames' main table (allCountries.txt, citiesN.txt): its 19 columns, in
    order, as the undecoded bytes of the file (only the lines an import keeps are
    decoded)."""

    geonameid: bytes
    name: bytes
    asciiname: bytes
    alternatenames: bytes
    latitude: bytes
    longitude: bytes
    feature_class: bytes
    feature_code: bytes
    country_code: bytes
    cc2: bytes
    admin1_code: bytes
    admin2_code: bytes
    admin3_code: bytes
    admin4_code: bytes
    population: bytes
    elevation: bytes
    dem: bytes
    timezone: bytes
    modification_date: bytes


GEONAMES_COLUMNS = DumpLine._fields
# Most complete first: with several dumps in a folder the first one found is read.
DUMP_NAMES = ("allCountries", "cities500", "cities1000", "cities5000", "cities15000")
ADMIN1_FILE = "admin1CodesASCII.txt"
COUNTRY_FILE = "countryInfo.txt"
ALTERNATE_NAMES_FILE = "alternateNamesV2.txt"
# alternateNamesV2.txt's pseudo-language kept, as abbreviations: the others (links, post
# codes, ids, airport codes) are no names.
ABBREVIATION_LANGUAGE = "abbr"
MAX_REPORTED = 5

# countryInfo.txt's columns read: ISO, Country, Population, geonameid (of 19 or so).
_COUNTRY_ISO, _COUNTRY_NAME, _COUNTRY_POPULATION, _COUNTRY_GEONAMEID = 0, 4, 7, 16
# alternateNamesV2.txt's columns read: geonameid, isolanguage, alternate name, isHistoric.
_ALTERNATE_GEONAMEID, _ALTERNATE_LANGUAGE, _ALTERNATE_NAME, _ALTERNATE_HISTORIC = 1, 2, 3, 7


# -- files ---------------------------------------------------------------------------------


def find_dump(directory: Path) -> Path:
    """The main table in `directory`: allCountries, else the largest citiesN (.txt or .zip)."""
    if not directory.is_dir():
        raise DumpError(f"not a directory: {directory}")
    for stem in DUMP_NAMES:
        for suffix in (".txt", ".zip"):
            path = directory / f"{stem}{suffix}"
            if path.is_file():
                return path
    wanted = ", ".join(f"{s}.txt" for s in DUMP_NAMES)
    raise DumpError(
        f"{directory}: no GeoNames dump found (looked for {wanted}, or their .zip); "
        f"download one from the GeoNames export dump"
    )


def required_file(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise DumpError(
            f"{directory}: {name} is missing; download it from the GeoNames export dump"
        )
    return path


@contextlib.contextmanager
def open_lines(path: Path) -> Iterator[IO[bytes]]:
    """A dump as binary lines; a GeoNames .zip is read from its .txt member, unpacked on
    the fly."""
    try:
        if path.suffix.lower() != ".zip":
            with path.open("rb") as f:
                yield f
            return
        with zipfile.ZipFile(path) as archive:
            member = f"{path.stem}.txt"
            if member not in archive.namelist():
                raise DumpError(f"{path}: the archive has no {member}")
            with archive.open(member) as f:
                yield f
    except zipfile.BadZipFile:
        raise DumpError(f"{path}: not a valid zip archive") from None
    except OSError as exc:
        raise DumpError(f"cannot read {path}: {exc.strerror or exc}") from None


# -- malformed lines and cells -------------------------------------------------------------


class Problems:
    """Malformed lines: an error, or (skip_malformed) a count and a few warnings."""

    def __init__(self, skip: bool, warn: Warn) -> None:
        self.skip = skip
        self.warn = warn
        self.count = 0

    def __call__(self, where: str, message: str) -> None:
        if not self.skip:
            raise DumpError(f"{where}: {message}")
        self.count += 1
        if self.count <= MAX_REPORTED:
            self.warn(f"{where}: {message}; line skipped")


def decode(raw: bytes, where: str, problem: Problems) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem(where, f"not valid UTF-8 (byte {exc.start + 1} of the line)")
        return None


def whole(value: str, column: str, where: str, problem: Problems) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        problem(where, f"column {column!r}: expected a whole number, got {value!r}")
        return None


def degrees(value: str, column: str, limit: float, where: str, problem: Problems) -> float | None:
    try:
        number = float(value)
    except ValueError:
        problem(where, f"column {column!r}: expected a number, got {value!r}")
        return None
    if not -limit <= number <= limit:
        problem(where, f"column {column!r}: {number} is outside [-{limit:g}, {limit:g}]")
        return None
    return number


# -- the main table ------------------------------------------------------------------------


def main_table(path: Path, problem: Problems) -> Iterator[tuple[int, DumpLine]]:
    """The main table's lines with their numbers (from 1), as named columns of bytes; a
    line with another number of fields is a problem, a blank one is passed over."""
    width = len(GEONAMES_COLUMNS)
    line_of = DumpLine._make
    with open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            fields = raw.rstrip(b"\r\n").split(b"\t")
            if len(fields) != width:
                if len(fields) == 1 and not fields[0].strip():
                    continue
                problem(
                    f"{path.name}:{number}",
                    f"expected {width} tab-separated fields, found {len(fields)}",
                )
                continue
            yield number, line_of(fields)


def is_text(line: DumpLine, where: str, problem: Problems) -> bool:
    """True when every column of the line is valid UTF-8; each one that is not is a
    problem. The columns are checked at once (tabs cannot end or start a UTF-8 sequence,
    so the line decodes exactly when each column does), one by one only to report."""
    try:
        b"\t".join(line).decode("utf-8")
    except UnicodeDecodeError:
        decoded = [decode(field, where, problem) for field in line]
        return all(text is not None for text in decoded)
    return True


# -- the side files --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    population: int
    geonameid: int


@dataclass(frozen=True, slots=True)
class Admin1:
    country_code: str
    code: str
    name: str
    geonameid: int


def read_country_info(path: Path, problem: Problems) -> dict[bytes, Country]:
    """countryInfo.txt: '#' comments, then ISO, ISO3, ISO-Numeric, fips, Country, Capital,
    Area, Population, Continent, tld, ..., geonameid (17th column), ..."""
    countries: dict[bytes, Country] = {}
    with open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path.name}:{number}"
            line = decode(raw, where, problem)
            if line is None or not line.strip() or line.startswith("#"):
                continue
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) < _COUNTRY_GEONAMEID + 1:
                problem(where, f"expected at least 17 tab-separated fields, found {len(cells)}")
                continue
            code, name = cells[_COUNTRY_ISO].strip().upper(), cells[_COUNTRY_NAME].strip()
            if not re.fullmatch(r"[A-Z]{2}", code) or not name:
                problem(
                    where,
                    f"expected an ISO code and a name, got {cells[_COUNTRY_ISO]!r}, "
                    f"{cells[_COUNTRY_NAME]!r}",
                )
                continue
            gid = whole(cells[_COUNTRY_GEONAMEID], "geonameid", where, problem)
            population = whole(cells[_COUNTRY_POPULATION] or "0", "Population", where, problem)
            if gid is None or population is None or code in DISSOLVED_COUNTRIES:
                continue
            countries[str(gid).encode()] = Country(code, name, population, gid)
    return countries


def read_admin1_codes(path: Path, problem: Problems) -> dict[bytes, Admin1]:
    """admin1CodesASCII.txt: `CC.CODE`, name, ASCII name, geonameid."""
    units: dict[bytes, Admin1] = {}
    with open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path.name}:{number}"
            line = decode(raw, where, problem)
            if line is None or not line.strip():
                continue
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) != 4:
                problem(where, f"expected 4 tab-separated fields, found {len(cells)}")
                continue
            codes, name, ascii_name, geonameid = cells
            country_code, dot, code = codes.partition(".")
            name = clean_name(name) or clean_name(ascii_name)
            if not dot or not code or not name:
                problem(where, f"expected 'CC.CODE' and a name, got {codes!r}, {cells[1]!r}")
                continue
            gid = whole(geonameid, "geonameid", where, problem)
            if gid is None:
                continue
            units[str(gid).encode()] = Admin1(country_code.upper(), code, name, gid)
    return units


class IdLookup(Protocol):
    def __contains__(self, gid: int, /) -> bool: ...


def read_alternate_names(
    path: Path, languages: tuple[str, ...], kept: IdLookup, problem: Problems
) -> dict[int, tuple[list[str], list[str]]]:
    """alternateNamesV2.txt (alternateNameId, geonameid, isolanguage, alternate name,
    isPreferredName, isShortName, isColloquial, isHistoric, from, to; the older
    alternateNames.txt stops after isColloquial): for the kept rows, the names in
    `languages` or in none, and the abbreviations. Historic names are left out: news
    means the place as it is."""
    wanted = {lang.encode() for lang in languages} | {b""}
    abbreviation = ABBREVIATION_LANGUAGE.encode()
    found: dict[int, tuple[list[str], list[str]]] = {}
    with open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            fields = raw.rstrip(b"\r\n").split(b"\t")
            if len(fields) <= _ALTERNATE_NAME:
                if len(fields) == 1 and not fields[0].strip():
                    continue
                problem(
                    f"{path.name}:{number}",
                    f"expected at least 4 tab-separated fields, found {len(fields)}",
                )
                continue
            language = fields[_ALTERNATE_LANGUAGE]
            if language not in wanted and language != abbreviation:
                continue
            if len(fields) > _ALTERNATE_HISTORIC and fields[_ALTERNATE_HISTORIC] == b"1":
                continue
            try:
                gid = int(fields[_ALTERNATE_GEONAMEID])
            except ValueError:
                problem(
                    f"{path.name}:{number}",
                    f"column 'geonameid': expected a whole number, got "
                    f"{fields[_ALTERNATE_GEONAMEID]!r}",
                )
                continue
            if gid not in kept:
                continue
            name = decode(fields[_ALTERNATE_NAME], f"{path.name}:{number}", problem)
            if not name:
                continue
            names, abbreviations = found.setdefault(gid, ([], []))
            (abbreviations if language == abbreviation else names).append(name)
    return found
