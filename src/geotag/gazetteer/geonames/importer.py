"""`geotag gazetteer build`: import official GeoNames dumps into geotag's gazetteer schema.

The import streams. The dump (allCountries.txt is 1.5 GB) is read once, line by line, and
each row geotag keeps goes straight to a temporary JSON Lines file next to the output; a
second pass over that file (the size of the output, not of the dump) drops alternate names
that are another row's name and writes the CSV (see `rows`), which replaces the output file
only when it is complete. Memory grows with the rows kept, never with the rows read.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from ...errors import DumpError
from ...models import Warn, ignore_warning
from ..cache import sibling_index
from ..index.writer import compile_csv
from ..schema import (
    COUNTRY_CODES,
    DEFAULT_FEATURE_CLASSES,
    DEFAULT_MIN_POPULATION,
    REGION_TYPE_SUFFIX,
    RowKind,
    clean_name,
    usable_alternates,
)
from .dump import (
    ADMIN1_FILE,
    ALTERNATE_NAMES_FILE,
    COUNTRY_FILE,
    Admin1,
    Country,
    DumpLine,
    Problems,
    degrees,
    find_dump,
    is_text,
    main_table,
    read_admin1_codes,
    read_alternate_names,
    read_country_info,
    required_file,
    whole,
)
from .report import Backfill, ImportReport
from .rows import Record, RowTable, write_csv
from .shipped import joined_sources, read_shipped, split_names

# Historical, abandoned and destroyed places are not what news means by a name.
SKIPPED_CITY_CODES = frozenset({b"PPLH", b"PPLQ", b"PPLW", b"PPLCH"})
# The same for administrative units: former divisions and historical states.
SKIPPED_ADMIN_CODES = frozenset(
    {b"ADM1H", b"ADM2H", b"ADM3H", b"ADM4H", b"ADM5H", b"ADMDH", b"PCLH", b"TERRH"}
)
DEFAULT_LANGUAGES = ("en",)
# The rows' kinds as the summary names them.
KIND_NAMES = {
    RowKind.CONTINENT: "continents",
    RowKind.COUNTRY: "countries",
    RowKind.ADMIN1: "regions",
    RowKind.ADMIN2: "districts",
    RowKind.CITY: "cities",
    RowKind.FEATURE: "other features",
    RowKind.PLACE: "hand-written",
}


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
    problem = Problems(options.skip_malformed, say)
    countries = read_country_info(required_file(folder, COUNTRY_FILE), problem)
    admin1 = read_admin1_codes(required_file(folder, ADMIN1_FILE), problem)
    shipped = read_shipped(shipped_path)

    out_path = Path(out)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    temp_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.rows")
    final_path = out_path.with_name(f".{out_path.name}.{os.getpid()}.tmp")
    try:
        with temp_path.open("wb") as temp:
            table = RowTable(options.extras, shipped, temp)
            seen_countries, seen_admin1, continents = _read_dump(
                dump, countries, admin1, table, options, problem
            )
            backfill = _add_missing(table, options, countries, admin1, seen_countries, seen_admin1)
            if not continents:
                for row in shipped.continents:
                    table.add(_shipped_record(row, RowKind.CONTINENT))
            if options.extras:
                for row in shipped.hand_written:
                    gid = row.get("geonameid", "")
                    cc = row.get("country_code", "")
                    if options.countries is not None and cc and cc not in options.countries:
                        continue
                    if not gid or int(gid) not in table.written:
                        table.add(_shipped_record(row, RowKind.PLACE))
            if options.alternate_names:
                table.alternates = read_alternate_names(
                    required_file(folder, ALTERNATE_NAMES_FILE),
                    options.languages,
                    table.written,
                    problem,
                )
        dropped = write_csv(temp_path, final_path, table)
        os.replace(final_path, out_path)
    except OSError as exc:
        raise DumpError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    finally:
        for path in (temp_path, final_path):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    summary = ImportReport(
        out=str(out_path),
        dump=dump.name,
        rows=tuple((KIND_NAMES[k], table.counts[k]) for k in RowKind if table.counts.get(k)),
        malformed=problem.count,
        backfill=backfill,
        alternates_dropped=dropped,
    )
    # The collision rule's tables go before the index is compiled: the two would
    # otherwise add up to the build's peak memory.
    del table
    if options.index:
        try:
            compile_csv(out_path, sibling_index(out_path))
        except OSError as exc:
            index = sibling_index(out_path)
            raise DumpError(f"cannot write {index}: {exc.strerror or exc}") from None
    return summary


# -- the filter: which lines of the dump become rows -------------------------------------------


def _read_dump(
    dump: Path,
    countries: dict[bytes, Country],
    admin1: dict[bytes, Admin1],
    table: RowTable,
    options: ImportOptions,
    problem: Problems,
) -> tuple[set[bytes], set[bytes], int]:
    """One pass over the main table; only lines that make a row are decoded and parsed."""
    min_population = options.min_population
    classes = {c.encode() for c in options.feature_classes}
    wanted = {c.encode() for c in options.countries} if options.countries else None
    seen_countries: set[bytes] = set()
    seen_admin1: set[bytes] = set()
    continents = 0
    for number, line in main_table(dump, problem):
        gid = line.geonameid
        code = line.feature_code
        feature_class = line.feature_class
        if gid in countries:
            kind = RowKind.COUNTRY
        elif code == b"CONT":
            kind = RowKind.CONTINENT
        elif wanted is not None and line.country_code.upper() not in wanted:
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
                population = line.population
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
        record = _dump_record(line, kind, f"{dump.name}:{number}", problem)
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
        table.add(record)
    return seen_countries, seen_admin1, continents


_LISTED_ADMIN_CODES = frozenset({b"ADM1", *(c.encode() for c in COUNTRY_CODES)})


# -- records: a dump line, a listed country or region, a shipped row ---------------------------


def _dump_record(line: DumpLine, kind: RowKind, where: str, problem: Problems) -> Record | None:
    if not is_text(line, where, problem):
        return None
    gid = whole(line.geonameid.decode(), "geonameid", where, problem)
    lat = degrees(line.latitude.decode(), "latitude", 90.0, where, problem)
    lon = degrees(line.longitude.decode(), "longitude", 180.0, where, problem)
    population = whole(line.population.decode() or "0", "population", where, problem)
    name = clean_name(line.name.decode())
    if gid is None or lat is None or lon is None or population is None:
        return None
    if not name:
        problem(where, "column 'name' is empty")
        return None
    region = kind in (RowKind.COUNTRY, RowKind.ADMIN1)
    return Record(
        kind=kind,
        geonameid=gid,
        name=name,
        lat=lat,
        lon=lon,
        feature_class=line.feature_class.decode(),
        feature_code=line.feature_code.decode(),
        country_code=line.country_code.decode().upper(),
        admin1_code=line.admin1_code.decode(),
        population=population,
        harvested=usable_alternates(line.alternatenames.decode().split(","), region),
    )


def _country_record(country: Country, dumped: Record) -> Record:
    """countryInfo gives the name, code and population; the dump row the point, the
    feature code and more names."""
    code = dumped.feature_code if dumped.feature_code in COUNTRY_CODES else "TERR"
    harvested = [dumped.name, *dumped.harvested] if dumped.name != country.name else []
    return Record(
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


def _admin1_record(unit: Admin1, dumped: Record | None, units: dict[bytes, Admin1]) -> Record:
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
    return Record(
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


def _shipped_record(row: dict[str, str], kind: RowKind) -> Record:
    gid = row.get("geonameid", "")
    return Record(
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
        curated=split_names(row.get("alternatenames")),
        abbreviations=split_names(row.get("abbreviations")),
    )


def _add_missing(
    table: RowTable,
    options: ImportOptions,
    countries: dict[bytes, Country],
    admin1: dict[bytes, Admin1],
    seen_countries: set[bytes],
    seen_admin1: set[bytes],
) -> Backfill:
    """Countries and regions the dump has no row for (a citiesN dump has none) stand on
    the shipped gazetteer's point, found by geonameid (countries also by ISO code)."""
    shipped = table.shipped
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
        table.add(
            Record(
                kind=RowKind.COUNTRY,
                geonameid=country.geonameid,
                name=country.name,
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                feature_class="A",
                feature_code=code if code in COUNTRY_CODES else "PCLI",
                country_code=country.code,
                population=country.population,
                source=joined_sources("geonames", row.get("source", "")),
                curated=[n for n in (row["name"], *split_names(row.get("alternatenames"))) if n],
            )
        )
    admin1_from_shipped = 0
    admin1_missing: list[str] = []
    wanted = options.countries
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
        record.source = joined_sources("geonames", row.get("source", ""))
        record.curated = [n for n in (row["name"], *split_names(row.get("alternatenames"))) if n]
        table.add(record)
    return Backfill(
        country_points_from_shipped=tuple(sorted(from_shipped)),
        countries_missing=tuple(sorted(missing)),
        admin1_points_from_shipped=admin1_from_shipped,
        admin1_missing=tuple(sorted(admin1_missing)),
    )
