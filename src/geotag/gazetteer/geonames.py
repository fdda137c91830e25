"""`geotag gazetteer build`: import official GeoNames dumps into geotag's gazetteer schema.

The import streams. The dump (allCountries.txt is 1.5 GB) is read once, line by line, and
each row geotag keeps goes straight to a temporary JSON Lines file next to the output; a
second pass over that file (the size of the output, not of the dump) drops alternate names
that are another row's name and writes the CSV, which replaces the output file only when
it is complete. Memory grows with the rows kept, never with the rows read.

A malformed dump line (wrong number of fields, a bad number, invalid UTF-8) stops the
import with `FILE:LINE: reason`, since GeoNames writes these files by machine and a bad
line means a truncated or wrong file; with `skip_malformed` such lines are skipped,
counted and the first few reported.
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import sys
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from ..errors import DumpError
from ..models import Warn, ignore_warning
from .cache import sibling_index
from .compiled import compile_csv
from .csvfile import NO_ID
from .names import normalize_name
from .packaged import default_gazetteer_path
from .schema import (
    COLUMNS,
    COUNTRY_CODES,
    DEFAULT_FEATURE_CLASSES,
    DEFAULT_MIN_POPULATION,
    DISSOLVED_COUNTRIES,
    REGION_TYPE_SUFFIX,
    Rank,
    RowKind,
    clean_name,
    format_degrees,
    keeps_alternate,
    usable_alternates,
)

# The 19 columns of GeoNames' main table (allCountries.txt, citiesN.txt), in order.
GEONAMES_COLUMNS = (
    "geonameid",
    "name",
    "asciiname",
    "alternatenames",
    "latitude",
    "longitude",
    "feature class",
    "feature code",
    "country code",
    "cc2",
    "admin1 code",
    "admin2 code",
    "admin3 code",
    "admin4 code",
    "population",
    "elevation",
    "dem",
    "timezone",
    "modification date",
)
_COL = {name: i for i, name in enumerate(GEONAMES_COLUMNS)}
# Most complete first: with several dumps in a folder the first one found is read.
DUMP_NAMES = ("allCountries", "cities500", "cities1000", "cities5000", "cities15000")
ADMIN1_FILE = "admin1CodesASCII.txt"
COUNTRY_FILE = "countryInfo.txt"
ALTERNATE_NAMES_FILE = "alternateNamesV2.txt"
# Historical, abandoned and destroyed places are not what news means by a name.
SKIPPED_CITY_CODES = frozenset({b"PPLH", b"PPLQ", b"PPLW", b"PPLCH"})
# The same for administrative units: former divisions and historical states.
SKIPPED_ADMIN_CODES = frozenset(
    {b"ADM1H", b"ADM2H", b"ADM3H", b"ADM4H", b"ADM5H", b"ADMDH", b"PCLH", b"TERRH"}
)
# alternateNamesV2.txt's pseudo-languages that are no names (links, post codes, ids,
# airport codes) and the one kept as abbreviations.
ABBREVIATION_LANGUAGE = "abbr"
DEFAULT_LANGUAGES = ("en",)
MAX_REPORTED = 5


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What to keep: rows of `feature_classes` (countries, first-level regions and
    continents always), cities of at least `min_population` people (capitals always), only
    places in `countries` when given (countries and continents always), and with `extras`
    the shipped gazetteer's hand-written rows, names and abbreviations.

    With `alternate_names`, names from alternateNamesV2.txt are added: those in
    `languages`, those with no language, and abbreviations; historic names are not.
    With `index`, the compiled index is written next to the CSV, so the first run that
    uses it starts at once."""

    min_population: int = DEFAULT_MIN_POPULATION
    extras: bool = True
    skip_malformed: bool = False
    feature_classes: frozenset[str] = DEFAULT_FEATURE_CLASSES
    countries: frozenset[str] | None = None
    alternate_names: bool = False
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    index: bool = True


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote and what it had to make up for."""

    out: str
    dump: str
    rows: tuple[tuple[str, int], ...]
    malformed: int = 0
    country_points_from_shipped: tuple[str, ...] = ()
    countries_missing: tuple[str, ...] = ()
    admin1_points_from_shipped: int = 0
    admin1_missing: tuple[str, ...] = ()
    alternates_dropped: int = 0

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)

    def summary(self) -> list[str]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.rows)
        lines = [f"wrote {self.out}: {self.total} rows ({kinds}) from {self.dump}"]
        if self.country_points_from_shipped:
            lines.append(
                "countries with no row in the dump, on the shipped gazetteer's point: "
                + _some(self.country_points_from_shipped)
            )
        if self.countries_missing:
            lines.append("countries left out (no point anywhere): " + _some(self.countries_missing))
        if self.admin1_points_from_shipped:
            lines.append(
                f"first-level regions with no row in the dump, on the shipped gazetteer's "
                f"point: {self.admin1_points_from_shipped}"
            )
        if self.admin1_missing:
            lines.append(
                "first-level regions left out (no point anywhere): " + _some(self.admin1_missing)
            )
        if self.malformed:
            lines.append(f"{self.malformed} malformed line(s) skipped")
        lines.append(f"{self.alternates_dropped} alternate names dropped as another row's name")
        return lines


def _some(items: tuple[str, ...], shown: int = 10) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")


# -- input files ---------------------------------------------------------------------------


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


def _required(directory: Path, name: str) -> Path:
    path = directory / name
    if not path.is_file():
        raise DumpError(
            f"{directory}: {name} is missing; download it from the GeoNames export dump"
        )
    return path


@contextlib.contextmanager
def _open_lines(path: Path) -> Iterator[IO[bytes]]:
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


class _Problems:
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


def _decode(raw: bytes, where: str, problem: _Problems) -> str | None:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem(where, f"not valid UTF-8 (byte {exc.start + 1} of the line)")
        return None


@dataclass(frozen=True, slots=True)
class _Country:
    code: str
    name: str
    population: int
    geonameid: int


@dataclass(frozen=True, slots=True)
class _Admin1:
    country_code: str
    code: str
    name: str
    geonameid: int


def read_country_info(path: Path, problem: _Problems) -> dict[bytes, _Country]:
    """countryInfo.txt: '#' comments, then ISO, ISO3, ISO-Numeric, fips, Country, Capital,
    Area, Population, Continent, tld, ..., geonameid (17th column), ..."""
    countries: dict[bytes, _Country] = {}
    with _open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path.name}:{number}"
            line = _decode(raw, where, problem)
            if line is None or not line.strip() or line.startswith("#"):
                continue
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) < 17:
                problem(where, f"expected at least 17 tab-separated fields, found {len(cells)}")
                continue
            code, name = cells[0].strip().upper(), cells[4].strip()
            if not re.fullmatch(r"[A-Z]{2}", code) or not name:
                problem(where, f"expected an ISO code and a name, got {cells[0]!r}, {cells[4]!r}")
                continue
            gid = _whole(cells[16], "geonameid", where, problem)
            population = _whole(cells[7] or "0", "Population", where, problem)
            if gid is None or population is None or code in DISSOLVED_COUNTRIES:
                continue
            countries[str(gid).encode()] = _Country(code, name, population, gid)
    return countries


def read_admin1_codes(path: Path, problem: _Problems) -> dict[bytes, _Admin1]:
    """admin1CodesASCII.txt: `CC.CODE`, name, ASCII name, geonameid."""
    units: dict[bytes, _Admin1] = {}
    with _open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            where = f"{path.name}:{number}"
            line = _decode(raw, where, problem)
            if line is None or not line.strip():
                continue
            cells = line.rstrip("\r\n").split("\t")
            if len(cells) != 4:
                problem(where, f"expected 4 tab-separated fields, found {len(cells)}")
                continue
            country_code, dot, code = cells[0].partition(".")
            name = clean_name(cells[1]) or clean_name(cells[2])
            if not dot or not code or not name:
                problem(where, f"expected 'CC.CODE' and a name, got {cells[0]!r}, {cells[1]!r}")
                continue
            gid = _whole(cells[3], "geonameid", where, problem)
            if gid is None:
                continue
            units[str(gid).encode()] = _Admin1(country_code.upper(), code, name, gid)
    return units


def read_alternate_names(
    path: Path, languages: tuple[str, ...], kept: _IdSet, problem: _Problems
) -> dict[int, tuple[list[str], list[str]]]:
    """alternateNamesV2.txt (alternateNameId, geonameid, isolanguage, alternate name,
    isPreferredName, isShortName, isColloquial, isHistoric, from, to; the older
    alternateNames.txt stops after isColloquial): for the kept rows, the names in
    `languages` or in none, and the abbreviations. Historic names are left out: news
    means the place as it is."""
    wanted = {lang.encode() for lang in languages} | {b""}
    abbreviation = ABBREVIATION_LANGUAGE.encode()
    found: dict[int, tuple[list[str], list[str]]] = {}
    with _open_lines(path) as lines:
        for number, raw in enumerate(lines, start=1):
            fields = raw.rstrip(b"\r\n").split(b"\t")
            if len(fields) < 4:
                if len(fields) == 1 and not fields[0].strip():
                    continue
                problem(
                    f"{path.name}:{number}",
                    f"expected at least 4 tab-separated fields, found {len(fields)}",
                )
                continue
            language = fields[2]
            if language not in wanted and language != abbreviation:
                continue
            if len(fields) > 7 and fields[7] == b"1":
                continue
            try:
                gid = int(fields[1])
            except ValueError:
                problem(
                    f"{path.name}:{number}",
                    f"column 'geonameid': expected a whole number, got {fields[1]!r}",
                )
                continue
            if gid not in kept:
                continue
            name = _decode(fields[3], f"{path.name}:{number}", problem)
            if not name:
                continue
            names, abbreviations = found.setdefault(gid, ([], []))
            (abbreviations if language == abbreviation else names).append(name)
    return found


def _whole(value: str, column: str, where: str, problem: _Problems) -> int | None:
    try:
        return int(value.strip())
    except ValueError:
        problem(where, f"column {column!r}: expected a whole number, got {value!r}")
        return None


def _degrees(value: str, column: str, limit: float, where: str, problem: _Problems) -> float | None:
    try:
        number = float(value)
    except ValueError:
        problem(where, f"column {column!r}: expected a number, got {value!r}")
        return None
    if not -limit <= number <= limit:
        problem(where, f"column {column!r}: {number} is outside [-{limit:g}, {limit:g}]")
        return None
    return number


# -- the shipped gazetteer ------------------------------------------------------------------


@dataclass(slots=True)
class _Shipped:
    """What the import borrows from the shipped gazetteer: points for countries, regions and
    continents the dump lacks, and (extras) hand-written rows, names and abbreviations."""

    by_id: dict[int, dict[str, str]] = field(default_factory=dict)
    countries: dict[str, dict[str, str]] = field(default_factory=dict)
    continents: list[dict[str, str]] = field(default_factory=list)
    hand_written: list[dict[str, str]] = field(default_factory=list)


_shipped_memo: dict[tuple[str, int, int], _Shipped] = {}


def read_shipped(path: Path | None = None) -> _Shipped:
    """The rows an import may borrow from: everything but plain cities (most of the file).
    Read once per process and file version."""
    path = path if path is not None else default_gazetteer_path()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _shipped_memo:
        _shipped_memo.clear()
        _shipped_memo[key] = _read_shipped(path)
    return _shipped_memo[key]


def _read_shipped(path: Path) -> _Shipped:
    shipped = _Shipped()
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        cls_at, abbr_at = header.index("feature_class"), header.index("abbreviations")
        src_at = header.index("source")
        for cells in reader:
            # A city matters only if it has abbreviations or was corrected by hand.
            if cells[cls_at] == "P" and not cells[abbr_at] and "geotag" not in cells[src_at]:
                continue
            row = dict(zip(header, cells, strict=False))
            gid = row.get("geonameid", "").strip()
            if gid.isdigit():
                shipped.by_id[int(gid)] = row
            code, cc = row.get("feature_code", ""), row.get("country_code", "")
            if code in COUNTRY_CODES and cc:
                best = shipped.countries.get(cc)
                if best is None or int(row["population"] or 0) > int(best["population"] or 0):
                    shipped.countries[cc] = row
            elif code == "CONT":
                shipped.continents.append(row)
            if _is_hand_written(row):
                shipped.hand_written.append(row)
    return shipped


def _is_hand_written(row: dict[str, str]) -> bool:
    """A row written in data/sources/ (a sea, river, region, landmark), as opposed to a
    GeoNames country, region or city that was only corrected there (those come from the
    dump, with the corrections borrowed by id)."""
    if "geotag" not in row.get("source", "").split("+"):
        return False
    return not row.get("geonameid") or row.get("feature_class", "") not in ("A", "P")


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


# -- the import ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Record:
    """A row on its way to the CSV: names still to pass the collision rule."""

    kind: RowKind
    geonameid: int | None
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str = ""
    admin1_code: str = ""
    population: int = 0
    source: str = "geonames"
    harvested: list[str] = field(default_factory=list)
    curated: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return orjson.dumps(
            [
                int(self.kind),
                self.geonameid,
                self.name,
                self.lat,
                self.lon,
                self.feature_class,
                self.feature_code,
                self.country_code,
                self.admin1_code,
                self.population,
                self.source,
                self.harvested,
                self.curated,
                self.abbreviations,
            ]
        )

    @classmethod
    def from_json(cls, line: bytes) -> _Record:
        values = orjson.loads(line)
        return cls(RowKind(values[0]), *values[1:])


class _IdSet:
    """Geonameids seen, one bit each (a set of 13 million ints costs 700 MB; this, 2 MB)."""

    BITSET_LIMIT = 1 << 32

    def __init__(self) -> None:
        self.bits = bytearray()
        self.others: set[int] = set()

    def __contains__(self, gid: int) -> bool:
        if 0 <= gid < self.BITSET_LIMIT:
            byte = gid >> 3
            return byte < len(self.bits) and bool(self.bits[byte] >> (gid & 7) & 1)
        return gid in self.others

    def add(self, gid: int) -> None:
        if 0 <= gid < self.BITSET_LIMIT:
            byte = gid >> 3
            if byte >= len(self.bits):
                self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
            self.bits[byte] |= 1 << (gid & 7)
        else:
            self.others.add(gid)


# A feature's rank: features never take a name from another row and never keep one from
# a town or region (see _keep_names), so they are left out of the collision rule's tables.
_FEATURE_RANK: Rank = (int(RowKind.FEATURE), 0, "", "")


class _Importer:
    def __init__(self, options: ImportOptions, shipped: _Shipped) -> None:
        self.options = options
        self.shipped = shipped
        self.written = _IdSet()
        self.counts: dict[RowKind, int] = {}
        # For the collision rule: normalised primary name -> record numbers, and per record
        # its kind, population, country and admin1 code.
        self.primaries: dict[str, list[int]] = {}
        self.ranks: list[Rank] = []
        self.admin1_names: dict[tuple[str, str], str] = {}
        self.temp: IO[bytes] | None = None
        # geonameid -> (names, abbreviations) from alternateNamesV2.txt, for kept rows.
        self.alternates: dict[int, tuple[list[str], list[str]]] = {}

    def add(self, record: _Record) -> None:
        if record.geonameid is not None:
            if record.geonameid in self.written:
                return
            self.written.add(record.geonameid)
        if self.options.extras:
            self._borrow(record)
        assert self.temp is not None
        self.temp.write(record.to_json() + b"\n")
        number = len(self.ranks)
        if record.kind is RowKind.FEATURE:
            self.ranks.append(_FEATURE_RANK)
        else:
            cc, admin1 = sys.intern(record.country_code), sys.intern(record.admin1_code)
            self.ranks.append((int(record.kind), record.population, cc, admin1))
            self.primaries.setdefault(normalize_name(record.name), []).append(number)
        self.counts[record.kind] = self.counts.get(record.kind, 0) + 1
        if record.kind is RowKind.ADMIN1:
            self.admin1_names[(record.country_code, record.admin1_code)] = record.name

    def _borrow(self, record: _Record) -> None:
        """Abbreviations from the shipped row with this id; its name, names and feature code
        too where that row was corrected by hand (source `geotag`: Erbil, Turkey...)."""
        row = self.shipped.by_id.get(record.geonameid) if record.geonameid is not None else None
        if row is None:
            return
        record.abbreviations = record.abbreviations or _split(row.get("abbreviations"))
        if record.source != "geonames":
            return  # a row taken from the shipped gazetteer already has its names
        if "geotag" in row.get("source", "").split("+") and row.get("name"):
            if row["name"] != record.name:
                record.harvested.insert(0, record.name)
                record.name = row["name"]
            record.curated = _split(row.get("alternatenames"))
            if record.kind is not RowKind.ADMIN1 and row.get("feature_code"):
                record.feature_class = row.get("feature_class") or record.feature_class
                record.feature_code = row["feature_code"]
            record.source = "geonames+geotag"


def import_geonames(
    directory: str | os.PathLike[str],
    out: str | os.PathLike[str],
    options: ImportOptions | None = None,
    warn: Warn | None = None,
    shipped_path: Path | None = None,
) -> ImportReport:
    """Import the GeoNames dump in `directory` into a gazetteer CSV at `out`.

    Reads allCountries.txt or citiesN.txt (or their .zip), admin1CodesASCII.txt and
    countryInfo.txt. Raises DumpError with `FILE:LINE: reason` for a malformed line
    (unless options.skip_malformed) or a missing file.
    """
    options = options if options is not None else ImportOptions()
    say: Warn = warn or ignore_warning
    folder = Path(directory)
    dump = find_dump(folder)
    problem = _Problems(options.skip_malformed, say)
    countries = read_country_info(_required(folder, COUNTRY_FILE), problem)
    admin1 = read_admin1_codes(_required(folder, ADMIN1_FILE), problem)
    shipped = read_shipped(shipped_path)
    importer = _Importer(options, shipped)

    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.rows")
    final_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with temp_path.open("wb") as temp:
            importer.temp = temp
            seen_countries, seen_admin1, continents = _read_dump(
                dump, countries, admin1, importer, problem
            )
            report = _add_missing(importer, countries, admin1, seen_countries, seen_admin1)
            if not continents:
                for row in shipped.continents:
                    importer.add(_shipped_record(row, RowKind.CONTINENT))
            if options.extras:
                for row in shipped.hand_written:
                    gid = row.get("geonameid", "")
                    cc = row.get("country_code", "")
                    if options.countries is not None and cc and cc not in options.countries:
                        continue
                    if not gid or int(gid) not in importer.written:
                        importer.add(_shipped_record(row, RowKind.PLACE))
            if options.alternate_names:
                importer.alternates = read_alternate_names(
                    _required(folder, ALTERNATE_NAMES_FILE),
                    options.languages,
                    importer.written,
                    problem,
                )
        dropped = _write_csv(temp_path, final_path, importer)
        os.replace(final_path, out_path)
    except OSError as exc:
        raise DumpError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    finally:
        for path in (temp_path, final_path):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    names = {
        RowKind.CONTINENT: "continents",
        RowKind.COUNTRY: "countries",
        RowKind.ADMIN1: "regions",
        RowKind.ADMIN2: "districts",
        RowKind.CITY: "cities",
        RowKind.FEATURE: "other features",
        RowKind.PLACE: "hand-written",
    }
    summary = ImportReport(
        out=str(out_path),
        dump=dump.name,
        rows=tuple((names[k], importer.counts[k]) for k in RowKind if importer.counts.get(k)),
        malformed=problem.count,
        country_points_from_shipped=report[0],
        countries_missing=report[1],
        admin1_points_from_shipped=report[2],
        admin1_missing=report[3],
        alternates_dropped=dropped,
    )
    # The collision rule's tables go before the index is compiled: the two would
    # otherwise add up to the build's peak memory.
    del importer
    if options.index:
        try:
            compile_csv(out_path, sibling_index(out_path))
        except OSError as exc:
            index = sibling_index(out_path)
            raise DumpError(f"cannot write {index}: {exc.strerror or exc}") from None
    return summary


def _read_dump(
    dump: Path,
    countries: dict[bytes, _Country],
    admin1: dict[bytes, _Admin1],
    importer: _Importer,
    problem: _Problems,
) -> tuple[set[bytes], set[bytes], int]:
    """One pass over the main table; only lines that make a row are decoded and parsed."""
    options = importer.options
    min_population = options.min_population
    classes = {c.encode() for c in options.feature_classes}
    wanted = {c.encode() for c in options.countries} if options.countries else None
    seen_countries: set[bytes] = set()
    seen_admin1: set[bytes] = set()
    continents = 0
    with _open_lines(dump) as lines:
        for number, raw in enumerate(lines, start=1):
            fields = raw.rstrip(b"\r\n").split(b"\t")
            if len(fields) != len(GEONAMES_COLUMNS):
                if len(fields) == 1 and not fields[0].strip():
                    continue
                problem(
                    f"{dump.name}:{number}",
                    f"expected {len(GEONAMES_COLUMNS)} tab-separated fields, found {len(fields)}",
                )
                continue
            gid = fields[0]
            code = fields[7]
            feature_class = fields[6]
            if gid in countries:
                kind = RowKind.COUNTRY
            elif code == b"CONT":
                kind = RowKind.CONTINENT
            elif wanted is not None and fields[8].upper() not in wanted:
                continue
            elif gid in admin1:
                kind = RowKind.ADMIN1
            elif feature_class not in classes:
                continue
            elif feature_class == b"A":
                # Countries and first-level regions are the ones listed in their files.
                if code in SKIPPED_ADMIN_CODES or code in _LISTED_ADMIN_CODES:
                    continue
                kind = RowKind.ADMIN2
            elif feature_class != b"P":
                kind = RowKind.FEATURE
            elif code not in SKIPPED_CITY_CODES:
                kind = RowKind.CITY
                if code != b"PPLC":
                    population = fields[14]
                    try:
                        if int(population or b"0") < min_population:
                            continue
                    except ValueError:
                        problem(
                            f"{dump.name}:{number}",
                            f"column 'population': expected a whole number, got "
                            f"{population.decode('utf-8', 'replace')!r}",
                        )
                        continue
            else:
                continue
            record = _dump_record(fields, kind, f"{dump.name}:{number}", problem)
            if record is None:
                continue
            if kind is RowKind.COUNTRY:
                country = countries[gid]
                seen_countries.add(gid)
                record = _country_record(country, record)
            elif kind is RowKind.ADMIN1:
                seen_admin1.add(gid)
                record = _admin1_record(admin1[gid], record, admin1)
            elif kind is RowKind.CONTINENT:
                continents += 1
                record.country_code = record.admin1_code = ""
            importer.add(record)
    return seen_countries, seen_admin1, continents


_LISTED_ADMIN_CODES = frozenset({b"ADM1", *(c.encode() for c in COUNTRY_CODES)})


def _dump_record(
    fields: list[bytes], kind: RowKind, where: str, problem: _Problems
) -> _Record | None:
    text = [_decode(f, where, problem) for f in fields]
    if any(t is None for t in text):
        return None
    cells: list[str] = [t or "" for t in text]
    gid = _whole(cells[_COL["geonameid"]], "geonameid", where, problem)
    lat = _degrees(cells[_COL["latitude"]], "latitude", 90.0, where, problem)
    lon = _degrees(cells[_COL["longitude"]], "longitude", 180.0, where, problem)
    population = _whole(cells[_COL["population"]] or "0", "population", where, problem)
    name = clean_name(cells[_COL["name"]])
    if gid is None or lat is None or lon is None or population is None:
        return None
    if not name:
        problem(where, "column 'name' is empty")
        return None
    region = kind in (RowKind.COUNTRY, RowKind.ADMIN1)
    return _Record(
        kind=kind,
        geonameid=gid,
        name=name,
        lat=lat,
        lon=lon,
        feature_class=cells[_COL["feature class"]],
        feature_code=cells[_COL["feature code"]],
        country_code=cells[_COL["country code"]].upper(),
        admin1_code=cells[_COL["admin1 code"]],
        population=population,
        harvested=usable_alternates(cells[_COL["alternatenames"]].split(","), region),
    )


def _country_record(country: _Country, dumped: _Record) -> _Record:
    """countryInfo gives the name, code and population; the dump row the point, the
    feature code and more names."""
    code = dumped.feature_code if dumped.feature_code in COUNTRY_CODES else "TERR"
    harvested = [dumped.name, *dumped.harvested] if dumped.name != country.name else []
    return _Record(
        kind=RowKind.COUNTRY,
        geonameid=country.geonameid,
        name=country.name,
        lat=dumped.lat,
        lon=dumped.lon,
        feature_class="A",
        feature_code=code,
        country_code=country.code,
        population=country.population,
        harvested=harvested or dumped.harvested,
    )


def _admin1_record(unit: _Admin1, dumped: _Record | None, units: dict[bytes, _Admin1]) -> _Record:
    """admin1CodesASCII gives the code and the English name; a plain form without a
    trailing type word ("Donetsk" for "Donetsk Oblast") becomes an alternate name unless
    another region of the country has that name."""
    harvested = list(dumped.harvested) if dumped else []
    if dumped and dumped.name != unit.name:
        harvested.insert(0, dumped.name)
    plain = REGION_TYPE_SUFFIX.sub("", unit.name)
    if plain != unit.name and not any(
        u.country_code == unit.country_code and u.name == plain for u in units.values()
    ):
        harvested.insert(0, plain)
    return _Record(
        kind=RowKind.ADMIN1,
        geonameid=unit.geonameid,
        name=unit.name,
        lat=dumped.lat if dumped else 0.0,
        lon=dumped.lon if dumped else 0.0,
        feature_class="A",
        feature_code="ADM1",
        country_code=unit.country_code,
        admin1_code=unit.code,
        population=dumped.population if dumped else 0,
        harvested=harvested,
    )


def _shipped_record(row: dict[str, str], kind: RowKind) -> _Record:
    gid = row.get("geonameid", "")
    return _Record(
        kind=kind,
        geonameid=int(gid) if gid.isdigit() else None,
        name=row["name"],
        lat=float(row["lat"]),
        lon=float(row["lon"]),
        feature_class=row.get("feature_class", ""),
        feature_code=row.get("feature_code", ""),
        country_code=row.get("country_code", ""),
        admin1_code=row.get("admin1_code", ""),
        population=int(row.get("population") or 0),
        source=row.get("source", "") or "geotag",
        curated=_split(row.get("alternatenames")),
        abbreviations=_split(row.get("abbreviations")),
    )


def _add_missing(
    importer: _Importer,
    countries: dict[bytes, _Country],
    admin1: dict[bytes, _Admin1],
    seen_countries: set[bytes],
    seen_admin1: set[bytes],
) -> tuple[tuple[str, ...], tuple[str, ...], int, tuple[str, ...]]:
    """Countries and regions the dump has no row for (a citiesN dump has none) stand on
    the shipped gazetteer's point, found by geonameid (countries also by ISO code)."""
    shipped = importer.shipped
    from_shipped: list[str] = []
    missing: list[str] = []
    for gid, country in countries.items():
        if gid in seen_countries:
            continue
        row = shipped.by_id.get(country.geonameid) or shipped.countries.get(country.code)
        if row is None:
            missing.append(country.code)
            continue
        from_shipped.append(country.code)
        code = row.get("feature_code", "")
        importer.add(
            _Record(
                kind=RowKind.COUNTRY,
                geonameid=country.geonameid,
                name=country.name,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                feature_class="A",
                feature_code=code if code in COUNTRY_CODES else "PCLI",
                country_code=country.code,
                population=country.population,
                source=_joined("geonames", row.get("source", "")),
                curated=[n for n in (row["name"], *_split(row.get("alternatenames"))) if n],
            )
        )
    admin1_from_shipped = 0
    admin1_missing: list[str] = []
    wanted = importer.options.countries
    for gid, unit in admin1.items():
        if gid in seen_admin1 or (wanted is not None and unit.country_code not in wanted):
            continue
        row = shipped.by_id.get(unit.geonameid)
        if row is None:
            admin1_missing.append(f"{unit.country_code}.{unit.code}")
            continue
        admin1_from_shipped += 1
        record = _admin1_record(unit, None, admin1)
        record.lat, record.lon = float(row["lat"]), float(row["lon"])
        record.population = int(row.get("population") or 0)
        record.source = _joined("geonames", row.get("source", ""))
        record.curated = [n for n in (row["name"], *_split(row.get("alternatenames"))) if n]
        importer.add(record)
    return (
        tuple(sorted(from_shipped)),
        tuple(sorted(missing)),
        admin1_from_shipped,
        tuple(sorted(admin1_missing)),
    )


def _joined(*sources: str) -> str:
    return "+".join(sorted({t for s in sources for t in s.split("+") if t}))


# -- second pass: names and the CSV ------------------------------------------------------------


def _write_csv(temp_path: Path, final_path: Path, importer: _Importer) -> int:
    """Read the kept rows back, drop colliding alternate names, write the gazetteer CSV."""
    dropped = 0
    with temp_path.open("rb") as rows, final_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number, line in enumerate(rows):
            record = _Record.from_json(line)
            extra = importer.alternates.get(record.geonameid or NO_ID)
            if extra is not None:
                region = record.kind in (RowKind.COUNTRY, RowKind.ADMIN1)
                record.harvested += usable_alternates(extra[0], region)
                record.abbreviations += [a for a in extra[1] if a not in record.abbreviations]
            names, lost = _keep_names(record, number, importer)
            dropped += lost
            admin1_name = importer.admin1_names.get((record.country_code, record.admin1_code), "")
            if record.kind is RowKind.ADMIN1:
                admin1_name = record.name
            writer.writerow(
                [
                    "" if record.geonameid is None else record.geonameid,
                    record.name,
                    "|".join(names),
                    "|".join(sorted(set(record.abbreviations))),
                    format_degrees(record.lat),
                    format_degrees(record.lon),
                    record.feature_class,
                    record.feature_code,
                    record.country_code,
                    record.admin1_code if record.admin1_code != "00" else "",
                    admin1_name,
                    record.population,
                    record.source,
                ]
            )
    return dropped


def _keep_names(record: _Record, number: int, importer: _Importer) -> tuple[list[str], int]:
    """Curated names as they are; a harvested name only if it is no other row's name, or
    this row clearly wins (a more important kind or ten times the people), or it spells
    this row's own name and this row outranks the others. A city keeps its region's name;
    a feature (a stream, an airport) keeps every name."""
    own_key = normalize_name(record.name)
    seen = {own_key}
    kept: list[str] = []
    for name in record.curated:
        key = normalize_name(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    me = importer.ranks[number]
    dropped = 0
    for name in record.harvested:
        key = normalize_name(name)
        if not key or key in seen:
            continue
        seen.add(key)
        # A feature keeps a town's name ("Tarnby" for Tarnby Airport): the resolver
        # chooses it only with a cue, so it takes nothing from the town.
        if record.kind is RowKind.FEATURE:
            kept.append(name)
            continue
        rivals = [importer.ranks[r] for r in importer.primaries.get(key, ()) if r != number]
        if keeps_alternate(me, key, own_key, rivals):
            kept.append(name)
        else:
            dropped += 1
    return sorted(kept), dropped
