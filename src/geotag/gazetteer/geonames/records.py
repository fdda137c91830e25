"""The gazetteer records the importer builds from a dump's row, a country, a first-level
region or a row of the shipped gazetteer, and the places it adds when the dump lacks them."""

from __future__ import annotations

from ..schema import (
    COUNTRY_CODES,
    REGION_TYPE_SUFFIX,
    RowKind,
    usable_alternates,
)
from .blocks import Kept
from .dump import (
    Admin1,
    Country,
)
from .report import Backfill
from .rows import Record, RowTable
from .shipped import joined_sources, split_names


def dump_record(kept: Kept, i: int) -> Record:
    kind = RowKind(kept.kind[i])
    region = kind in (RowKind.COUNTRY, RowKind.ADMIN1)
    return Record(
        kind=kind,
        geonameid=kept.geonameid[i],
        name=kept.name[i],
        lat=kept.lat[i],
        lon=kept.lon[i],
        feature_class=kept.feature_class[i],
        feature_code=kept.feature_code[i],
        country_code=kept.country_code[i],
        admin1_code=kept.admin1_code[i],
        population=kept.population[i],
        harvested=usable_alternates(kept.alternatenames[i].split(","), region),
    )


def country_record(country: Country, dumped: Record) -> Record:
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


def admin1_record(unit: Admin1, dumped: Record | None, units: dict[bytes, Admin1]) -> Record:
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


def shipped_record(row: dict[str, str], kind: RowKind) -> Record:
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


def add_missing(
    table: RowTable,
    wanted: frozenset[str] | None,
    countries: dict[bytes, Country],
    admin1: dict[bytes, Admin1],
) -> Backfill:
    """Countries and regions the dump has no row for (a citiesN dump has none) stand on
    the shipped gazetteer's point, found by geonameid (countries also by ISO code)."""
    shipped = table.shipped
    dumped = table.records
    seen_countries = {
        g for g, c in countries.items() if has_row(dumped, c.geonameid, RowKind.COUNTRY)
    }
    seen_admin1 = {g for g, u in admin1.items() if has_row(dumped, u.geonameid, RowKind.ADMIN1)}
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
        add_tail(
            table,
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
            ),
        )
    admin1_from_shipped = 0
    admin1_missing: list[str] = []
    for gid, unit in admin1.items():
        if gid in seen_admin1 or (wanted is not None and unit.country_code not in wanted):
            continue
        row = shipped.by_id.get(unit.geonameid)
        if row is None:
            admin1_missing.append(f"{unit.country_code}.{unit.code}")
            continue
        admin1_from_shipped += 1
        record = admin1_record(unit, None, admin1)
        record.lat, record.lon = float(row["lat"]), float(row["lon"])
        record.population = int(row.get("population") or 0)
        record.source = joined_sources("geonames", row.get("source", ""))
        record.curated = [n for n in (row["name"], *split_names(row.get("alternatenames"))) if n]
        add_tail(table, record)
    return Backfill(
        country_points_from_shipped=tuple(sorted(from_shipped)),
        countries_missing=tuple(sorted(missing)),
        admin1_points_from_shipped=admin1_from_shipped,
        admin1_missing=tuple(sorted(admin1_missing)),
    )


def has_row(records: dict[int, Record], gid: int, kind: RowKind) -> bool:
    record = records.get(gid)
    return record is not None and record.kind is kind


def add_tail(table: RowTable, record: Record) -> None:
    """Add a record the dump lacks at the table's end (once per geonameid)."""
    if table.add(record):
        table.tail.append(record)
