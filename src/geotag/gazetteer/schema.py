"""The gazetteer's schema and the rules every builder of it shares: the CSV columns and the
row they hold, the row kinds, which alternate names are usable, and which one colliding
with another row's name a row may keep. `scripts/build_gazetteer.py` and `geotag gazetteer
build` both use these, so the shipped gazetteer and an imported one follow the same rules.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import IntEnum
from functools import lru_cache
from typing import NamedTuple

from ..errors import GazetteerError


class GazetteerRow(NamedTuple):
    """One row of a gazetteer CSV, its columns in order, as `scripts/build_gazetteer.py` and
    `geotag gazetteer build` write it: alternate names and abbreviations in the order they
    are written, the provenance `+`-joined. A named tuple: an import makes millions, and a
    frozen dataclass costs it a tenth of its time."""

    geonameid: int | None
    name: str
    alternatenames: tuple[str, ...]
    abbreviations: tuple[str, ...]
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str
    admin1_name: str
    population: int
    source: str

    def cells(self) -> list[str]:
        """The row as CSV cells: names `|`-joined, the point in five decimals."""
        return [
            "" if self.geonameid is None else str(self.geonameid),
            self.name,
            "|".join(self.alternatenames),
            "|".join(self.abbreviations),
            format_degrees(self.lat),
            format_degrees(self.lon),
            self.feature_class,
            self.feature_code,
            self.country_code,
            self.admin1_code,
            self.admin1_name,
            str(self.population),
            self.source,
        ]


COLUMNS = GazetteerRow._fields
# A gazetteer row and a models.Place (the bottom layer, which knows no CSV) are the same
# columns, in the same order, but for these: the columns only for finding a row and saying
# where it came from; the Place fields a row does not hold (its country's name, looked up
# from the country's row, and who resolved it); and the one column a Place names
# otherwise. GazetteerRow, DraftRow and the index's row are declared field by field (each
# is made millions of times in an import, where a shared base class or a Place would cost
# time); tests/test_schema.py checks that they and Place agree through place_columns().
ROW_ONLY_COLUMNS = ("alternatenames", "abbreviations", "source")
LOOKED_UP_FIELDS = ("country", "provider")
PLACE_FIELD_OF_COLUMN = {"admin1_name": "admin1"}


def place_columns() -> dict[str, str]:
    """Each column a Place has a field for, in the CSV's order, and the name of that field."""
    return {
        column: PLACE_FIELD_OF_COLUMN.get(column, column)
        for column in COLUMNS
        if column not in ROW_ONLY_COLUMNS
    }


REQUIRED = ("name", "lat", "lon", "feature_class", "feature_code", "country_code")
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
DISSOLVED_COUNTRIES = frozenset({"AN", "CS"})  # Netherlands Antilles, Serbia and Montenegro
# `geotag gazetteer build` keeps towns of at least this many people unless told otherwise.
DEFAULT_MIN_POPULATION = 15000
# GeoNames' feature classes: A administrative units, P populated places, H water, T terrain,
# L parks and areas, S spots (buildings, airports, stadiums), V vegetation, R roads and
# railways, U undersea. An import keeps every class news names by default; roads and
# railways (mostly unnamed tracks and numbered routes) and undersea features only when asked.
FEATURE_CLASSES = frozenset("APHTLSVRU")
DEFAULT_FEATURE_CLASSES = frozenset("APHTLSV")
POPULATION_DOMINANCE = 10  # Kolkata keeps Calcutta (ZA, 130x smaller); Austin drops Waterloo (9x)
SPELLING_SIMILARITY = 0.75  # difflib ratio: Odessa/Odesa 0.91, Kiev/Kyiv 0.75, Waterloo/Austin 0.29

APOSTROPHES = "’‘‛ʼʻʽʾʿ′´`"  # each becomes "'" in a cleaned name
_APOSTROPHES = str.maketrans(dict.fromkeys(APOSTROPHES, "'"))
_CODE_LIKE = re.compile(r"[A-Z]{2,4}")
_ISO_3166_2 = re.compile(r"[A-Z]{2}-[A-Z0-9]{1,3}")
# A first-level region's trailing type word: "Donetsk Oblast" is also "Donetsk".
REGION_TYPE_SUFFIX = re.compile(
    r"\s+(?:Oblast|Governorate|Province|Prefecture|Region|Department|Voivodeship|County|"
    r"Krai|Kray)$"
)


class RowKind(IntEnum):
    """What a gazetteer row is, most important first (the collision rule compares them).
    FEATURE rows (streams, hills, airports, parks...) come only from a GeoNames import."""

    CONTINENT = 0
    COUNTRY = 1
    PLACE = 2  # hand-written rows of the shipped gazetteer: seas, rivers, landmarks
    ADMIN1 = 3
    ADMIN2 = 4
    CITY = 5
    FEATURE = 6  # any other GeoNames feature: named in news with a cue ("Lake X")


@dataclass(slots=True)
class DraftRow:
    """A gazetteer row on its way to the CSV, its names still to pass the collision rule:
    what the build script's places and the GeoNames importer's records share."""

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

    def csv_row(
        self,
        names: Iterable[str],
        abbreviations: Iterable[str],
        admin1_code: str,
        admin1_name: str,
        source: str,
    ) -> GazetteerRow:
        """The CSV row, with the names that passed and the region and provenance given."""
        return GazetteerRow(
            geonameid=self.geonameid,
            name=self.name,
            lat=self.lat,
            lon=self.lon,
            feature_class=self.feature_class,
            feature_code=self.feature_code,
            country_code=self.country_code,
            alternatenames=tuple(names),
            abbreviations=tuple(abbreviations),
            admin1_code=admin1_code,
            admin1_name=admin1_name,
            population=self.population,
            source=source,
        )


# -- alternate names -----------------------------------------------------------------------


def clean_name(raw: str) -> str:
    """No BOMs or no-break spaces, one kind of apostrophe, single spaces."""
    text = raw.replace("\ufeff", "").replace("\u00a0", " ").translate(_APOSTROPHES)
    return " ".join(text.split())


def is_latin(name: str) -> bool:
    """Every letter is a Latin one (ASCII letters all are)."""
    return name.isascii() or all(map(_is_latin_character, name))


@lru_cache(maxsize=1 << 14)
def _is_latin_character(ch: str) -> bool:
    return not ch.isalpha() or unicodedata.name(ch, "").startswith("LATIN")


def looks_like_code(name: str) -> bool:
    """IATA/ISO-style codes (DAM, U.K., SY-ID): abbreviations belong in their own column."""
    squeezed = name.replace(".", "").replace(" ", "")
    return bool(_CODE_LIKE.fullmatch(squeezed) or _ISO_3166_2.fullmatch(name))


def is_usable_alternate(name: str, region: bool = False) -> bool:
    """The filter for harvested alternate names (the same rules as the shipped build):
    Latin script, at least 3 characters with a capital and no digit, not a code; countries
    and regions also drop inverted or glossed forms ("Korea, Republic of")."""
    return (
        len(name) >= 3
        and is_latin(name)
        and any(ch.isupper() for ch in name)
        and not any(ch.isdigit() for ch in name)
        and not looks_like_code(name)
        and not (region and ("," in name or "(" in name))
    )


def usable_alternates(raw_names: Iterable[str], region: bool = False) -> list[str]:
    """The cleaned names that pass the filter, in order, without repeats."""
    names = (clean_name(n) for n in raw_names)
    return list(dict.fromkeys(n for n in names if n and is_usable_alternate(n, region)))


# -- the collision rule --------------------------------------------------------------------


Rank = tuple[int, int, str, str]  # kind, population, country code, admin1 code


def keeps_alternate(me: Rank, key: str, own_key: str, rivals: Iterable[Rank]) -> bool:
    """The collision rule (the same for an import and the shipped build): may the row ranked
    `me`, whose own name folds to `own_key`, keep the harvested alternate name folded to
    `key` when `rivals` rank the other rows whose primary name that is? Yes if it dominates
    them all (Calcutta for Kolkata), or if the name spells its own and it outranks them all
    (Odessa for Odesa). A city's own first-level region is no rival (New York, Idlib)."""
    others = [other for other in rivals if not _is_own_region(me, other)]
    return all(_dominates(me, other) for other in others) or (
        SequenceMatcher(None, key, own_key).ratio() >= SPELLING_SIMILARITY
        and all(_outranks(me, other) for other in others)
    )


def strongest_rival(me: Rank, rivals: Sequence[Rank]) -> list[Rank]:
    """Of `rivals` in rank order (kind, then people, descending: `rank_order`), the first
    that is not `me`'s own region, alone: `keeps_alternate` with it answers as with them
    all, since whoever `me` dominates or outranks, it dominates or outranks every weaker
    row too. Lets a name that thousands of rows share be checked at once."""
    for other in rivals:
        if not _is_own_region(me, other):
            return [other]
    return []


def rank_order(rank: Rank) -> tuple[int, int]:
    return rank[0], -rank[1]


def _dominates(me: Rank, other: Rank) -> bool:
    """A more important kind, or the same kind and an order of magnitude more people."""
    if me[0] != other[0]:
        return me[0] < other[0]
    return me[1] > POPULATION_DOMINANCE * other[1]


def _outranks(me: Rank, other: Rank) -> bool:
    """Kind first, then population."""
    return (me[0], -me[1]) < (other[0], -other[1])


def _is_own_region(me: Rank, other: Rank) -> bool:
    same_region = me[2] == other[2] and me[3] == other[3]
    return me[0] == RowKind.CITY and other[0] == RowKind.ADMIN1 and same_region


def format_degrees(value: float) -> str:
    """Five decimals (about a metre), never "-0.00000"."""
    text = f"{value:.5f}"
    return "0.00000" if text == "-0.00000" else text


# -- reading cells -------------------------------------------------------------------------


def int_or_none(rec: dict[str, str], column: str, where: str, number: int) -> int | None:
    value = (rec.get(column) or "").strip()
    return None if not value else whole_number(value, column, f"{where}:{number}")


def coordinate(rec: dict[str, str], column: str, limit: float, where: str, number: int) -> float:
    return degrees((rec.get(column) or "").strip(), column, limit, f"{where}:{number}")


def whole_number(value: str, column: str, where: str) -> int:
    """A cell that must be an integer; GazetteerError naming `where` (FILE:LINE)."""
    try:
        return int(value)
    except ValueError:
        raise GazetteerError(
            f"{where}: column '{column}': expected a whole number, got {value!r}"
        ) from None


def degrees(value: str, column: str, limit: float, where: str) -> float:
    """A latitude (limit 90) or longitude (180) cell; GazetteerError naming `where`."""
    try:
        number = float(value)
    except ValueError:
        raise GazetteerError(
            f"{where}: column '{column}': expected a number, got {value!r}"
        ) from None
    if not -limit <= number <= limit:
        raise GazetteerError(
            f"{where}: column '{column}': {number} is outside [-{limit:g}, {limit:g}]"
        )
    return number
