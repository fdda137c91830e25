"""Synthetic GeoNames dumps in GeoNames' exact export formats, for measuring geotag at scale.

    python bench/synth_geonames.py --rows 1000000 --out DIR [--seed N] [--alternate-names]

writes into DIR, as GeoNames' export dump does (https://download.geonames.org/export/dump/,
formats from its readme.txt):

- allCountries.txt: the 19 tab-separated columns of the `geoname` table (geonameid, name,
  asciiname, alternatenames, latitude, longitude, feature class, feature code, country code,
  cc2, admin1 code, admin2 code, admin3 code, admin4 code, population, elevation, dem,
  timezone, modification date), ordered by geonameid;
- countryInfo.txt ('#' comment lines, the last one the header, then 19 columns with the
  geonameid 17th), admin1CodesASCII.txt (`CC.A1`, name, ASCII name, geonameid) and
  admin2Codes.txt (`CC.A1.A2`, name, ASCII name, geonameid), every code used in the dump
  listed there and every listed unit present in the dump;
- with --alternate-names, alternateNamesV2.txt: alternateNameId, geonameid, isolanguage,
  alternate name, isPreferredName, isShortName, isColloquial, isHistoric, from, to. As in
  the real files, it also holds what the `alternatenames` column leaves out: links, postal
  codes, Wikidata ids.

No text or value is taken from GeoNames: every name is made of invented syllables; the
country codes are two letters, but not ISO's assignment. What imitates GeoNames is the
shape (credit: GeoNames, CC BY 4.0, for the published figures):

- Feature classes: rounded world totals P 4.8M, S 2.9M, H 2.5M, T 1.6M, A 0.6M, L 0.5M and
  small V, R, U (GeoNames' statistics pages, www.geonames.org/statistics/, as summarised in
  geotag issue 13; GeoNames' own summary: "over 11 million unique features whereof 4.8
  million populated places", nine classes, 645 feature codes). Feature codes within a class
  are weighted after the per-country pages (e.g. statistics/chad.html: wells, wadis and
  intermittent streams lead H; laos.html: STM and STMI; czechia.html: ADM3 leads A;
  rwanda.html: ADM4), the cities' seats after the cities500 counts (PPLA2-4 about 10%
  each of 200k). Rows per country follow a Zipf law (the United States hold about a sixth
  of GeoNames).
- Populations: about 9% of populated places have one, Pareto-tailed so that about 4% of
  them reach 500, 2.7% 1,000 and 0.6% 15,000, as cities500/1000/15000 (ca 185k/130k/25k
  of 4.8M, GeoNames' readme) imply; a steeper tail above 20,000 gives some 300 cities over
  a million and a few dozen over 10 million at full size.
- Names: one vocabulary shared by every class and drawn with a Zipf-Mandelbrot law
  (P(r) ~ 1/(r + 100)): the commonest name is on about 0.1% of the rows, thousands of
  places share it, and a city, a river and a school with one name are common. A class's
  type words ("X River", "Lake X", "X School", "X International Airport", "Mount X") come on
  a share of its rows only, so bare names collide across classes, as "Vltava" or
  "Kilimanjaro" would.
- Alternate names on a third of the rows, many more on big cities: spelling variants,
  renderings in Cyrillic, Greek, Arabic, Hebrew, Georgian, Armenian, Devanagari, Thai,
  CJK, Hangul and Katakana, historic names (other rows' names: the "Waterloo for Austin"
  trap), IATA/ICAO-like codes, lowercase junk ("idoribu") and ASCII transliterations.

Deterministic for a seed (Python's `random.Random`, whose sequence is stable across
versions; no `hash()` of strings). Streaming: rows are written as they are made, memory is
bounded by the fixed tables (countries, regions, the head of the name vocabulary), not by
--rows.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
import unicodedata
from bisect import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from typing import IO

MIN_ROWS = 1_000
MAX_ROWS = 20_000_000

# -- the shape of GeoNames -----------------------------------------------------------------


def _table(text: str) -> dict[str, tuple[str, ...]]:
    """`KEY: item | item | ...` lines (the data tables below), read once at import."""
    table: dict[str, tuple[str, ...]] = {}
    for line in text.strip().splitlines():
        key, _, items = line.partition(":")
        table[key.strip()] = tuple(item.strip() for item in items.split("|"))
    return table


def _weighted(text: str) -> dict[str, tuple[tuple[str, float], ...]]:
    """`KEY: CODE weight, CODE weight, ...` lines."""
    table: dict[str, tuple[tuple[str, float], ...]] = {}
    for line in text.strip().splitlines():
        key, _, items = line.partition(":")
        pairs = (item.split() for item in items.split(","))
        table[key.strip()] = tuple((code, float(weight)) for code, weight in pairs)
    return table


# Rounded world totals per feature class (millions); see the module docstring.
CLASS_WEIGHTS = dict(
    _weighted("all: P 4.8, S 2.9, H 2.5, T 1.6, A 0.6, L 0.5, V 0.06, R 0.07, U 0.012")["all"]
)

# Feature codes within each class, drawn for the ordinary rows. Countries, ADM1, ADM2,
# capitals (PPLC) and continents (CONT) are made separately so that they agree with
# countryInfo.txt, admin1CodesASCII.txt and admin2Codes.txt.
# (A backslash at a line's end continues the line: the tables stay under 100 columns.)
CODE_WEIGHTS = _weighted("""
P: PPL 86, PPLX 3.5, PPLL 3, PPLA4 1.2, PPLA3 1.2, PPLA2 0.8, PPLQ 1.2, PPLH 0.6, PPLF 0.6, \
PPLS 0.4, PPLW 0.2, PPLR 0.2, PPLA 0.08, STLMT 0.05, PPLG 0.02, PPLCH 0.002
S: SCH 14, CH 12, FRM 10, HTL 8, BLDG 5, CMTY 5, HSP 2, RSTN 2, MSQE 2, TMPL 1.5, AIRP 0.5, \
AIRF 0.8, STDM 0.3, MUS 0.6, BDG 1.5, DAM 1.2, MALL 0.5, PO 1, REST 1.5, TOWR 1, MN 2, \
OILW 1, RSTP 1, CSTL 0.5, RUIN 1, EST 3, HSE 2, MFG 1.5, PS 0.5, ADMF 1, LIBR 0.3, UNIV 0.3, \
SHOPC 0.4, ZOO 0.05, PRN 0.2, CTRS 0.5, SPA 0.2, GDN 0.3, MNMT 0.5, LTHSE 0.2
H: STM 38, STMI 10, LK 9, SPNG 6, RSV 5, WLL 6, PND 4, BAY 3, WAD 3, CNL 2.5, LKI 1, LKS 1, \
PNDI 0.8, STMD 0.5, RPDS 0.5, FLLS 0.6, WTLD 1.5, MRSH 1, SWMP 1, COVE 1, INLT 0.5, LGN 0.5, \
RF 0.6, SHOL 0.5, HBR 0.4, STRT 0.1, GULF 0.03, SEA 0.005, OCN 0.0005, CHN 0.4, BGHT 0.3, \
WTRH 0.6, DTCH 0.5
T: MT 28, HLL 25, PK 6, MTS 3, HLLS 3, VAL 6, ISL 5, ISLS 0.8, CAPE 2, PASS 1.5, RDGE 3, \
SPUR 1.5, CLF 1, PT 2.5, DSRT 0.05, PLN 0.5, PLAT 0.5, GRGE 0.6, BCH 0.8, CRTR 0.2, VLC 0.1, \
DUNE 0.4, CAVE 0.6, SLP 0.5, RK 2, PEN 0.3, ATOL 0.02, GAP 0.4
A: ADM4 40, ADM3 32, ADMD 9, ADM5 3, PRSH 2, ADM3H 2, ADM4H 1, ADM2H 1, ADM1H 0.5, ZN 0.2, \
LTER 0.02, PCLH 0.02
L: LCTY 35, AREA 12, PRK 10, RESF 5, RGN 3, CTRB 2, RESN 2, MILB 0.5, PRT 1, OAS 0.5, INDS 2, \
CMN 1, GRAZ 3, CLG 3, TRB 0.5, FLD 3, RES 1, PRKN 0.1
V: FRST 60, GRSLD 10, SCRB 5, VIN 5, CULT 8, TREE 5, OCH 3
R: RD 40, RR 15, TNL 10, ST 15, TRL 15, RDJCT 5
U: SMU 25, RDGU 15, TRGH 8, CNYU 15, BNKU 10, HLLU 10, FRZU 5, PLTU 5, DPR 7
""")

# A row's name carries its type word with this probability (the rest are bare names).
TYPE_WORD_SHARE = dict(
    _weighted("all: P 0.08, S 0.65, H 0.55, T 0.45, A 0.3, L 0.45, V 0.55, R 0.7, U 0.75")["all"]
)
TYPE_WORDS = _table("""
STM: {} River | {} Creek | Rio {} | {} Brook | River {} | Río {}
STMI: {} Creek | Oued {} | {} Wash
WAD: Wadi {} | Oued {}
LK: Lake {} | {} Lake | Lac {} | Laguna {}
LKI: {} Pan | Lake {}
RSV: {} Reservoir | Embalse {}
SPNG: {} Spring | {} Springs | Ain {}
WLL: Bir {} | {} Well
BAY: {} Bay | Baie de {}
PND: {} Pond
CNL: {} Canal
FLLS: {} Falls
HBR: {} Harbour
GULF: Gulf of {}
SEA: {} Sea
STRT: {} Strait
MT: Mount {} | {} Mountain | Monte {} | Jebel {}
MTS: {} Mountains | Sierra {}
HLL: {} Hill | Cerro {} | Tepe {}
PK: {} Peak | Pico {}
VAL: {} Valley
ISL: {} Island | Isla {} | Île {}
CAPE: Cape {} | Cabo {}
PASS: {} Pass
DSRT: {} Desert
VLC: {} Volcano
SCH: {} School | {} Primary School | {} High School | Escuela {}
CH: {} Church | Église {} | Saint {} Church | {} Chapel
HTL: Hotel {} | {} Hotel | {} Inn | {} Resort
AIRP: {} Airport | {} International Airport | Aeropuerto {}
AIRF: {} Airfield | {} Airstrip
STDM: {} Stadium | Estadio {} | {} Arena
HSP: {} Hospital | {} Medical Center
MUS: {} Museum | Museo {}
BDG: {} Bridge | Puente {}
DAM: {} Dam
RSTN: {} Station | Gare de {}
MSQE: {} Mosque | Masjid {}
TMPL: {} Temple | Wat {}
CMTY: {} Cemetery
UNIV: University of {} | {} University
MALL: {} Mall
PO: {} Post Office
CSTL: {} Castle | Château de {}
FRM: {} Farm | Fazenda {} | Hacienda {}
PRK: {} Park | {} National Park | Parque {}
RESF: {} Forest Reserve
PRT: Port of {}
FRST: {} Forest | Bois de {}
RD: {} Road
RR: {} Railway
TNL: {} Tunnel
ST: {} Street
SMU: {} Seamount
RDGU: {} Ridge
CNYU: {} Canyon
TRGH: {} Trough
ADM2: {} District | {} County
ADM3: Gmina {} | Commune de {} | {} Municipality
ADMD: {} Division
ADM1: {} Province | {} Oblast | {} Region | Muhafazat {} | {} Governorate | Provincia de {} \
| {} State
""")
# fmt: off
PLACE_PREFIXES = ("San ", "Santa ", "Al ", "Ban ", "Kampung ", "New ", "Saint-", "Kafr ",
                  "Nueva ", "Bad ")
COUNTRY_FORMS = ("Republic of {}", "Kingdom of {}", "{}", "{}", "{}", "State of {}")

# Syllables of the invented names, and the endings that make them read like places.
ONSETS = ("", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t",
          "v", "w", "y", "z", "br", "ch", "dr", "gr", "kh", "sh", "st", "tr", "th", "bl")
VOWELS = ("a", "e", "i", "o", "u", "ai", "ao", "ia", "ou", "ei")
CODAS = ("", "", "", "n", "r", "l", "s", "k", "m", "ng")
ENDINGS = ("ville", "burg", "abad", "pur", "ovo", "ice", "dorf", "ton", "stan", "ino",
           "grad", "kent", "hafen", "field", "wood", "dale", "ford", "berg", "holm", "by",
           "vik", "sk", "ar", "ia", "ou", "ala", "ganj", "nagar", "shahr", "polis")
# fmt: on
ACCENTED = {"a": "āáàâã", "e": "éèêë", "i": "íîï", "o": "óöôõ", "u": "üúûū"}
EXTRA_LETTERS = {"s": "şš", "c": "çč", "n": "ñň", "z": "ž", "g": "ğ", "l": "ł", "d": "đ"}

# Share of populated places with a population figure, by feature code (others: 8%).
POPULATION_SHARE = {"PPLA": 0.9, "PPLA2": 0.6, "PPLA3": 0.4, "PPLA4": 0.3, "PPLX": 0.02}
VOCABULARY_PER_ROW = 0.45  # distinct name stems per dump row
ZIPF_OFFSET = 100.0  # Zipf-Mandelbrot q: flattens the head so the commonest name is ~0.1%
HEAD_CACHE = 200_000  # name stems kept ready (the head draws most rows)

CONTINENTS = (
    ("AF", 6255146, "Africa", 7.19, 21.09),
    ("AS", 6255147, "Asia", 29.84, 89.3),
    ("EU", 6255148, "Europe", 48.69, 9.14),
    ("NA", 6255149, "North America", 46.07, -100.55),
    ("SA", 6255150, "South America", -14.6, -57.66),
    ("OC", 6255151, "Oceania", -18.31, 138.52),
    ("AN", 6255152, "Antarctica", -78.16, 16.41),
)
CONTINENT_WEIGHTS = (0.22, 0.28, 0.22, 0.14, 0.07, 0.06, 0.01)
TIMEZONES: dict[str, tuple[str, ...]] = {
    "AF": ("Africa/Lagos", "Africa/Nairobi", "Africa/Cairo", "Africa/Johannesburg"),
    "AS": ("Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Dubai", "Asia/Jakarta"),
    "EU": ("Europe/Paris", "Europe/Berlin", "Europe/Moscow", "Europe/Madrid", "Europe/Kyiv"),
    "NA": ("America/New_York", "America/Chicago", "America/Denver", "America/Mexico_City"),
    "SA": ("America/Sao_Paulo", "America/Bogota", "America/Lima", "America/Argentina/Salta"),
    "OC": ("Australia/Sydney", "Pacific/Auckland", "Pacific/Fiji", "Australia/Perth"),
    "AN": ("Antarctica/McMurdo", "Antarctica/Casey"),
}
RESERVED_IDS = frozenset(gid for _, gid, *_ in CONTINENTS)
# The importer drops these codes; the counts it should keep are derived from them.
DISSOLVED_CODES = frozenset({"AN", "CS"})
FIRST_DAY = date(2006, 1, 1)
LAST_DAY = date(2025, 6, 30)

# Letter maps for renderings in other scripts: digraphs ("sh ш"), then a..z in order.
_SCRIPT_LETTERS = _table("""
cyrillic: sh ш, ch ч, kh х, zh ж, ts ц, ia я, ou у \
    | а б ц д е ф г х и й к л м н о п к р с т у в в кс ы з
greek: th θ, ch χ, ps ψ, ou ου, ai αι, ei ει \
    | α β κ δ ε φ γ χ ι τζ κ λ μ ν ο π κ ρ σ τ ου β ου ξ υ ζ
arabic: sh ش, kh خ, th ث, ch تش, ou و, ai ي, ei ي \
    | ا ب ك د ي ف غ ه ي ج ك ل م ن و ب ق ر س ت و ف و كس ي ز
hebrew: sh ש, kh ח, th ת, ou ו \
    | א ב ק ד א פ ג ה י ג כ ל מ נ ו פ ק ר ס ט ו ו ו קס י ז
georgian: sh შ, ch ჩ, kh ხ, zh ჟ, ts ც, gh ღ, th თ \
    | ა ბ ც დ ე ფ გ ჰ ი ჯ კ ლ მ ნ ო პ ქ რ ს ტ უ ვ ვ ქს ი ზ
armenian: sh շ, ch չ, kh խ, zh ժ, ts ց, ou ու, th թ \
    | ա բ ց դ ե ֆ գ հ ի ջ կ լ մ ն ո պ ք ր ս տ ու վ վ քս յ զ
devanagari: sh श, ch च, kh ख, th थ \
    | अ ब क द ए फ ग ह इ ज क ल म न ओ प क र स त उ व व क्स य ज़
""")  # fmt: skip
# Languages per script, as GeoNames tags alternate names (ISO 639).
SCRIPT_LANGUAGES: dict[str, tuple[str, ...]] = {
    "latin": ("en", "de", "fr", "es", "it", "pt", "pl", "nl", "tr", "vi", "id", "sv", "", ""),
    "cyrillic": ("ru", "uk", "bg", "sr", "be", "kk", "mk"),
    "greek": ("el",),
    "arabic": ("ar", "fa", "ur", "arz"),
    "hebrew": ("he", "yi"),
    "georgian": ("ka",),
    "armenian": ("hy",),
    "devanagari": ("hi", "mr", "ne"),
    "cjk": ("zh", "yue", "wuu", "ja"),
    "hangul": ("ko",),
    "katakana": ("ja",),
    "thai": ("th",),
}
SCRIPTS = tuple(SCRIPT_LANGUAGES)
SCRIPT_WEIGHTS = (0, 30, 6, 14, 4, 3, 3, 5, 14, 8, 8, 5)  # Latin variants are drawn apart
# Syllabic scripts: one character per syllable, from a block of (start, size).
SYLLABIC_BLOCKS = {
    "cjk": (0x4E00, 20_000),
    "hangul": (0xAC00, 11_172),
    "katakana": (0x30A2, 84),
    "thai": (0x0E01, 46),
}
# Respellings for Latin variants ("from>to"), and the type words of other languages.
SPELLING_RULES = tuple(
    (rule.split(">")[0], rule.split(">")[1])
    for rule in "k>q c>k ou>u i>y sh>sch v>w t>th a>aa e>ie j>dj u>oo".split()
)
TYPE_TRANSLATIONS = tuple(
    "Lac {}|Río {}|Jezioro {}|{}see|Monte {}|{} Ozero|Gora {}|{}-gawa|{} Nehri|Sungai {}".split("|")
)


# -- small deterministic helpers -------------------------------------------------------------


def _mix(n: int) -> int:
    """A deterministic 32-bit scramble of `n` (Knuth's multiplicative hash, then a xor
    shift): per-name choices that must not depend on the random stream, so that a name
    drawn twice comes out the same."""
    n = (n * 2654435761) & 0xFFFFFFFF
    return n ^ (n >> 15)


def _fold(text: str) -> str:
    """ASCII form of an invented name (GeoNames' `asciiname`): strip accents; the few
    letters NFKD leaves alone are mapped by hand."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return plain.translate(_FOLD_EXTRA)


_FOLD_EXTRA = str.maketrans({"ł": "l", "đ": "d", "Ł": "L", "Đ": "D"})


def _degrees(value: float) -> str:
    """GeoNames prints coordinates with up to five decimals and no trailing zeros."""
    text = f"{value:.5f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


@dataclass(frozen=True, slots=True)
class Country:
    code: str
    name: str
    dump_name: str  # the dump row's name ("Republic of X") against countryInfo's ("X")
    continent: str
    lat: float
    lon: float
    spread: float
    timezones: tuple[str, ...]
    rank: int


@dataclass(frozen=True, slots=True)
class Region:
    """A first- or second-level administrative unit, listed in admin1CodesASCII.txt or
    admin2Codes.txt and present in the dump as an ADM1 or ADM2 row."""

    country: int
    admin1: str
    admin2: str
    name: str  # the English name in the codes file
    dump_name: str  # the dump row's local form
    rank: int  # vocabulary rank of its name, for renderings in other scripts


@dataclass(slots=True)
class DumpStats:
    """What was written, for the caller and for tests that import the dump."""

    rows: int = 0
    by_class: dict[str, int] = field(default_factory=dict)
    by_code: dict[str, int] = field(default_factory=dict)
    countries: int = 0
    admin1: int = 0
    admin2: int = 0
    continents: int = 0
    alternate_names: int = 0  # entries in the alternatenames column
    alternate_rows: int = 0  # lines of alternateNamesV2.txt
    seconds: float = 0.0

    def populated_places(self, skipped: Sequence[str] = ("PPLH", "PPLQ", "PPLW", "PPLCH")) -> int:
        """Class-P rows, less the given codes (what geotag's importer keeps today with
        --min-population 0)."""
        return self.by_class.get("P", 0) - sum(self.by_code.get(c, 0) for c in skipped)


# -- the generator ---------------------------------------------------------------------------


class SyntheticGeoNames:
    """Makes a dump of `rows` lines. The fixed tables (countries, regions, the name head)
    are built up front; the rows themselves are made one by one as they are written."""

    def __init__(self, rows: int, seed: int = 1) -> None:
        if not MIN_ROWS <= rows <= MAX_ROWS:
            raise ValueError(f"rows must be between {MIN_ROWS:,} and {MAX_ROWS:,}, got {rows:,}")
        self.total = rows
        self.rng = random.Random(seed)
        # Shuffled with a fixed seed: in onset order the commonest names would all be
        # vowel-only ("Aa", "Eia"). The vocabulary is the same for every --seed.
        self.syllables = sorted({o + v + c for o in ONSETS for v in VOWELS for c in CODAS})
        random.Random(0).shuffle(self.syllables)
        self.vocabulary = max(20_000, int(rows * VOCABULARY_PER_ROW))
        self._zipf_log = math.log((self.vocabulary + ZIPF_OFFSET) / (1 + ZIPF_OFFSET))
        self._head = [self._make_stem(r) for r in range(min(HEAD_CACHE, self.vocabulary) + 1)]
        self._transliterate = {
            script: self._translator(digraphs, letters)
            for script, (digraphs, letters) in _SCRIPT_LETTERS.items()
        }
        self.classes = tuple(CLASS_WEIGHTS)
        self._class_cum = list(accumulate(CLASS_WEIGHTS.values()))
        self._codes = {c: tuple(code for code, _ in CODE_WEIGHTS[c]) for c in CLASS_WEIGHTS}
        self._code_cum = {c: list(accumulate(w for _, w in CODE_WEIGHTS[c])) for c in CLASS_WEIGHTS}
        self._script_cum = list(accumulate(SCRIPT_WEIGHTS))
        # Standard normal deviates drawn once: scattering points around their country's
        # centre does not need a fresh gauss() per row (two per row were a tenth of the time).
        self._normals = [self.rng.gauss(0.0, 1.0) for _ in range(4096)]
        days = (LAST_DAY - FIRST_DAY).days
        self._dates = [(FIRST_DAY + timedelta(days=d)).isoformat() for d in range(days + 1)]
        self.countries = self._make_countries()
        self._country_cum = list(accumulate(1.0 / (i + 1) for i in range(len(self.countries))))
        self.admin1, self.admin2 = self._make_regions()
        self._admin1_of: list[list[int]] = [[] for _ in self.countries]
        for i, unit in enumerate(self.admin1):
            self._admin1_of[unit.country].append(i)
        self._admin2_of: dict[tuple[int, str], list[int]] = {}
        for i, unit in enumerate(self.admin2):
            self._admin2_of.setdefault((unit.country, unit.admin1), []).append(i)
        self._structure = self._place_structure()
        self._next_id = 0
        self._next_alt_id = 0
        # Filled as the structural rows are written; the side files need their ids.
        self._country_ids: dict[int, int] = {}
        self._country_population: dict[int, int] = {}
        self._capitals: dict[int, str] = {}
        self._region_ids: dict[tuple[str, int], int] = {}

    # -- fixed tables ------------------------------------------------------------------------

    def _make_stem(self, rank: int) -> str:
        """The name of vocabulary rank `rank`: always the same string for the same rank."""
        word = "".join(self.syllables[d] for d in self._syllable_digits(rank))
        h = _mix(rank)
        if h % 10 < 3:
            word += ENDINGS[(h >> 4) % len(ENDINGS)]
        if (h >> 9) % 10 < 2:
            word = self._accent(word, h)
        word = word.capitalize()
        if (h >> 13) % 12 == 0:  # two-word names ("Bani Kalo")
            word += " " + self._make_stem_simple(rank * 7 + 3)
        elif (h >> 13) % 12 == 1:
            word += "-" + self._make_stem_simple(rank * 11 + 5)
        return word

    def _syllable_digits(self, rank: int) -> list[int]:
        """Syllable indices of a rank: its digits in base len(syllables), at least two, each
        shifted by the one before, so that neighbouring ranks differ in every syllable
        (plain digits gave the whole head of the vocabulary one second syllable). The
        shift keeps the mapping one-to-one."""
        base = len(self.syllables)
        n = rank + base
        digits: list[int] = []
        previous = 0
        while n:
            n, digit = divmod(n, base)
            digits.append((digit + 37 * previous) % base)
            previous = digit
        return digits

    def _make_stem_simple(self, n: int) -> str:
        n = n % (len(self.syllables) ** 2) + len(self.syllables)
        first, second = divmod(n, len(self.syllables))
        return (self.syllables[second] + self.syllables[first % len(self.syllables)]).capitalize()

    @staticmethod
    def _accent(word: str, h: int) -> str:
        for i, ch in enumerate(word):
            marks = ACCENTED.get(ch) or EXTRA_LETTERS.get(ch)
            if marks and i > 0:
                return word[:i] + marks[h % len(marks)] + word[i + 1 :]
        return word

    def stem(self, rank: int) -> str:
        return self._head[rank] if rank < len(self._head) else self._make_stem(rank)

    def draw_rank(self) -> int:
        """A vocabulary rank from the Zipf-Mandelbrot law, by inverting its continuous CDF."""
        x = (1 + ZIPF_OFFSET) * math.exp(self.rng.random() * self._zipf_log) - ZIPF_OFFSET
        return min(max(int(x), 1), self.vocabulary)

    def _make_countries(self) -> list[Country]:
        rng = self.rng
        count = min(250, max(8, self.total // 400))
        used = set(DISSOLVED_CODES)
        countries = []
        continent_cum = list(accumulate(CONTINENT_WEIGHTS))
        for i in range(count):
            rank = 1_000 + 37 * i
            stem = self.stem(rank).split(" ")[0].split("-")[0]
            name = _fold(stem) + ("ia" if i % 3 == 0 else "land" if i % 3 == 1 else "")
            code = self._country_code(name, used)
            continent = CONTINENTS[bisect(continent_cum, rng.random() * continent_cum[-1])]
            # Big countries (the first ones: they get the most rows) cover more ground.
            spread = 2.0 + 18.0 / math.sqrt(i + 1)
            lat = max(-60.0, min(72.0, continent[3] + rng.gauss(0, 12)))
            lon = ((continent[4] + rng.gauss(0, 25)) + 180.0) % 360.0 - 180.0
            form = COUNTRY_FORMS[i % len(COUNTRY_FORMS)]
            countries.append(
                Country(
                    code,
                    name,
                    form.format(name),
                    continent[0],
                    lat,
                    lon,
                    spread,
                    TIMEZONES[continent[0]],
                    rank,
                )
            )
        return countries

    def _country_code(self, name: str, used: set[str]) -> str:
        letters = [ch for ch in name.upper() if ch.isalpha()]
        candidates = [letters[0] + other for other in letters[1:]]
        candidates += [
            a + b for a in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for b in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        ]
        code = next(c for c in candidates if c not in used)
        used.add(code)
        return code

    def _make_regions(self) -> tuple[list[Region], list[Region]]:
        """First-level units (3,900 at full size, as GeoNames has; at most 90 a country)
        and second-level ones (47,000 at full size), spread over the countries by the
        square root of their weight, so that big countries have more but not hundreds."""
        rng = self.rng
        n_admin1 = min(3_900, max(len(self.countries), self.total // 250))
        n_admin2 = min(47_000, self.total // 250)
        roots = [1.0 / math.sqrt(i + 1) for i in range(len(self.countries))]
        total_root = sum(roots)
        admin1: list[Region] = []
        for country, root in enumerate(roots):
            share = min(90, max(1, round(n_admin1 * root / total_root)))
            numeric = rng.random() < 0.8  # FIPS-like "01".."90", or letters ("ENG")
            for k in range(share):
                code = f"{k + 1:02d}" if numeric else self._letters_code(k)
                rank = self.draw_rank()
                stem = self.stem(rank)
                local = rng.choice(TYPE_WORDS["ADM1"]).format(stem) if rng.random() < 0.5 else stem
                admin1.append(Region(country, code, "", _fold(stem), local, rank))
        admin2: list[Region] = []
        seen: set[tuple[int, str, str]] = set()  # codes are unique within their parent
        for _ in range(n_admin2):
            parent = admin1[int(rng.random() * len(admin1))]
            if rng.random() < 0.7:
                code = f"{int(rng.random() * 999) + 1:03d}"
            else:
                code = str(rng.randrange(10_000, 99_999))
            key = (parent.country, parent.admin1, code)
            if key in seen:
                continue
            seen.add(key)
            rank = self.draw_rank()
            stem = self.stem(rank)
            local = rng.choice(TYPE_WORDS["ADM2"]).format(stem) if rng.random() < 0.4 else stem
            admin2.append(Region(parent.country, parent.admin1, code, _fold(local), local, rank))
        return admin1, admin2

    @staticmethod
    def _letters_code(k: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        return alphabet[(k // 26) % 26] + alphabet[k % 26]

    def _place_structure(self) -> dict[int, tuple[str, int]]:
        """Line numbers of the rows that must agree with the side files: countries, their
        capitals, continents, ADM1 and ADM2 units, spread over the dump at random."""
        items: list[tuple[str, int]] = [("country", i) for i in range(len(self.countries))]
        items += [("capital", i) for i in range(len(self.countries))]
        items += [("continent", i) for i in range(len(CONTINENTS))]
        items += [("admin1", i) for i in range(len(self.admin1))]
        items += [("admin2", i) for i in range(len(self.admin2))]
        positions = sorted(self.rng.sample(range(self.total), len(items)))
        self.rng.shuffle(items)
        return dict(zip(positions, items, strict=True))

    # -- rows --------------------------------------------------------------------------------

    def _new_id(self) -> int:
        """Ascending ids with gaps, as in allCountries.txt; continents keep their real ids."""
        rng = self.rng
        self._next_id += 1 if rng.random() < 0.9 else 1 + int(rng.random() * 8)
        while self._next_id in RESERVED_IDS:
            self._next_id += 1
        return self._next_id

    def rows(self, stats: DumpStats) -> Iterator[tuple[list[str], list[tuple[str, str, str]]]]:
        """Each dump row as its 19 fields, with the alternate names behind it (name,
        isolanguage, flags) for alternateNamesV2.txt."""
        for line in range(self.total):
            special = self._structure.get(line)
            if special is None:
                fields, alternates = self._ordinary_row()
            else:
                fields, alternates = self._structural_row(*special)
            stats.rows += 1
            cls, code = fields[6], fields[7]
            stats.by_class[cls] = stats.by_class.get(cls, 0) + 1
            stats.by_code[code] = stats.by_code.get(code, 0) + 1
            yield fields, alternates

    def _ordinary_row(self) -> tuple[list[str], list[tuple[str, str, str]]]:
        rng = self.rng
        cls = self.classes[bisect(self._class_cum, rng.random() * self._class_cum[-1])]
        cum = self._code_cum[cls]
        code = self._codes[cls][bisect(cum, rng.random() * cum[-1])]
        country = bisect(self._country_cum, rng.random() * self._country_cum[-1])
        rank = self.draw_rank()
        stem = self.stem(rank)
        name = stem
        if rng.random() < TYPE_WORD_SHARE[cls]:
            templates = TYPE_WORDS.get(code)
            if templates:
                name = templates[int(rng.random() * len(templates))].format(stem)
            if code == "CH" and rng.random() < 0.02:
                name = "First Baptist Church"  # GNIS's commonest name, on ~0.04% of rows
        elif cls == "P" and rng.random() < 0.05:
            name = PLACE_PREFIXES[_mix(rank) % len(PLACE_PREFIXES)] + stem
        population = self._population(cls, code)
        admin1, admin2 = self._admin_codes(country)
        fields = self._fields(cls, code, name, country, admin1, admin2, population)
        alternates = self._alternates(name, stem, rank, cls, code, population)
        return fields, alternates

    def _structural_row(
        self, kind: str, index: int
    ) -> tuple[list[str], list[tuple[str, str, str]]]:
        rng = self.rng
        if kind == "country":
            country = self.countries[index]
            code = ("PCLI", "PCLI", "PCLI", "PCLD", "TERR")[index % 5] if index else "PCLI"
            population = int(1e8 / (index + 1) * (0.5 + rng.random()))
            fields = self._fields("A", code, country.dump_name, index, "00", "", population)
            alternates = self._alternates(
                country.name, country.name, country.rank, "A", code, population
            )
            self._country_ids[index] = int(fields[0])
            self._country_population[index] = population
            return fields, alternates
        if kind == "capital":
            admin1s = self._admin1_of[index]
            admin1 = self.admin1[admin1s[0]].admin1 if admin1s else "00"
            rank = self.draw_rank()
            population = int(8e6 / (index + 1) ** 0.8 * (0.3 + rng.random()))
            fields = self._fields("P", "PPLC", self.stem(rank), index, admin1, "", population)
            self._capitals[index] = fields[1]
            return fields, self._alternates(fields[1], fields[1], rank, "P", "PPLC", population)
        if kind == "continent":
            _, gid, name, lat, lon = CONTINENTS[index]
            fields = self._fields("L", "CONT", name, -1, "", "", int(4e9 / (index + 2)))
            fields[0] = str(gid)
            fields[4], fields[5] = _degrees(lat), _degrees(lon)
            fields[17] = ""
            return fields, self._alternates(name, name, index + 1, "L", "CONT", 0)
        unit = (self.admin1 if kind == "admin1" else self.admin2)[index]
        code = "ADM1" if kind == "admin1" else "ADM2"
        population = int(self._pareto(20_000, 0.9)) if rng.random() < 0.4 else 0
        fields = self._fields(
            "A", code, unit.dump_name, unit.country, unit.admin1, unit.admin2, population
        )
        self._region_ids[(kind, index)] = int(fields[0])
        return fields, self._alternates(unit.name, unit.name, unit.rank, "A", code, population)

    def _fields(
        self,
        cls: str,
        code: str,
        name: str,
        country: int,
        admin1: str,
        admin2: str,
        population: int,
    ) -> list[str]:
        rng = self.rng
        rand = rng.random
        if country >= 0:
            where = self.countries[country]
            normals = self._normals
            lat = where.lat + normals[rng.getrandbits(12)] * where.spread
            lat = -89.9 if lat < -89.9 else 89.9 if lat > 89.9 else lat
            lon = (where.lon + normals[rng.getrandbits(12)] * where.spread + 180.0) % 360.0 - 180.0
            cc = where.code
            timezone = where.timezones[int(rand() * len(where.timezones))]
        else:
            lat = lon = 0.0
            cc = timezone = ""
        cc2 = ""
        if rand() < 0.003:
            cc2 = self.countries[int(rand() * len(self.countries))].code
        admin3 = admin4 = ""
        if code in ("ADM3", "ADM4", "ADM5") or (cls == "P" and rand() < 0.3):
            admin3 = str(10_000 + int(rand() * 990_000))
            if code != "ADM3" and rand() < 0.5:
                admin4 = str(10_000 + int(rand() * 990_000))
        elevation = ""
        if rand() < (0.6 if cls == "T" else 0.05):
            elevation = str(int(rand() * 4_000))
        dem = "-9999" if cls == "U" else str(int(rand() ** 2 * 3_000))
        # Edits are skewed to recent years: the larger of two uniform draws, sqrt(u).
        modified = self._dates[int(math.sqrt(rand()) * (len(self._dates) - 1))]
        ascii_name = _fold(name) if not name.isascii() else name
        return [
            str(self._new_id()),
            name,
            ascii_name,
            "",
            _degrees(lat),
            _degrees(lon),
            cls,
            code,
            cc,
            cc2,
            admin1,
            admin2,
            admin3,
            admin4,
            str(population),
            elevation,
            dem,
            timezone,
            modified,
        ]

    def _admin_codes(self, country: int) -> tuple[str, str]:
        rng = self.rng
        units = self._admin1_of[country]
        if not units or rng.random() < 0.04:
            return "00", ""
        unit = self.admin1[units[int(rng.random() * len(units))]]
        seconds = self._admin2_of.get((country, unit.admin1))
        if not seconds or rng.random() < 0.3:
            return unit.admin1, ""
        return unit.admin1, self.admin2[seconds[int(rng.random() * len(seconds))]].admin2

    @staticmethod
    def _pareto_of(u: float, low: float, alpha: float) -> float:
        return float(low * (1.0 - u) ** (-1.0 / alpha))

    def _pareto(self, low: float, alpha: float) -> float:
        return self._pareto_of(self.rng.random(), low, alpha)

    def _population(self, cls: str, code: str) -> int:
        """Populated places: about 9% have a figure (seats more often), Pareto-tailed:
        alpha 0.56 up to 20,000 and 1.1 above (see the module docstring). Other classes
        seldom have one."""
        rng = self.rng
        if cls == "P":
            if rng.random() >= POPULATION_SHARE.get(code, 0.08):
                return 0
            low = 10_000.0 if code == "PPLA" else 100.0
            x = self._pareto(low, 0.56)
            if x > 20_000:
                x = 20_000 * (x / 20_000) ** (0.56 / 1.1)
            return int(min(x, 38_000_000))
        if cls == "A" and rng.random() < 0.25:
            return int(self._pareto(500, 0.8))
        if cls == "L" and rng.random() < 0.01:
            return int(self._pareto(1_000, 0.8))
        return 0

    # -- alternate names ---------------------------------------------------------------------

    @staticmethod
    def _translator(
        digraphs: str, letters: str
    ) -> tuple[tuple[tuple[str, str], ...], dict[int, str]]:
        pairs = tuple((p.split()[0], p.split()[1]) for p in digraphs.split(","))
        table = dict(zip("abcdefghijklmnopqrstuvwxyz", letters.split(), strict=True))
        return pairs, str.maketrans(table)

    def _render(self, script: str, stem: str, rank: int) -> str:
        """The stem in another script: letter by letter, or syllable by syllable for the
        syllabic scripts (a fixed character per syllable, so renderings repeat)."""
        if script in SYLLABIC_BLOCKS:
            start, size = SYLLABIC_BLOCKS[script]
            digits = self._syllable_digits(rank)
            return "".join(chr(start + _mix(d + 7 * i) % size) for i, d in enumerate(digits))
        digraphs, letters = self._transliterate[script]
        text = _fold(stem).lower()
        for latin, other in digraphs:
            text = text.replace(latin, other)
        return text.translate(letters)

    def _alternates(
        self, name: str, stem: str, rank: int, cls: str, code: str, population: int
    ) -> list[tuple[str, str, str]]:
        """Alternate names as (name, isolanguage, flags); flags are four characters for
        isPreferredName, isShortName, isColloquial, isHistoric ('1' or '-')."""
        rng = self.rng
        if population >= 1_000:
            # About 1 at 1,000 people, 8 at 10,000, 60 at a million, 125 at ten million.
            count = int((math.log10(population) - 2) ** 3 * (0.5 + rng.random()))
        elif code in ("PCLI", "PCLD", "TERR", "CONT", "ADM1", "AIRP", "STDM"):
            count = 3 + int(rng.random() * 12)
        elif rng.random() < (0.45 if cls == "P" else 0.25):
            count = 1 + int(-math.log(1.0 - rng.random()) * 1.5)
        else:
            return []
        out: list[tuple[str, str, str]] = []
        if code in ("AIRP", "AIRF"):
            out.append((self._code_letters(rank, 3), "iata", "----"))
            out.append((self._code_letters(rank * 3 + 1, 4), "icao", "----"))
        if not name.isascii():
            out.append((_fold(name), "", "----"))
        for j in range(count):
            u = rng.random()
            if u < 0.5:
                script = SCRIPTS[bisect(self._script_cum, rng.random() * self._script_cum[-1])]
                languages = SCRIPT_LANGUAGES[script]
                lang = languages[int(rng.random() * len(languages))]
                out.append((self._render(script, stem, rank), lang, "----"))
            elif u < 0.75:
                variant = self._variant(stem, j + int(rng.random() * 5))
                if variant != stem:
                    lang = SCRIPT_LANGUAGES["latin"][int(rng.random() * 14)]
                    out.append((variant, lang, "1---" if j == 0 and rng.random() < 0.2 else "----"))
                    if not variant.isascii():
                        out.append((_fold(variant), "", "----"))
            elif u < 0.85:
                # Another name altogether: historic, colloquial or another language's,
                # usually some other row's name.
                other = self.stem(self.draw_rank())
                flags = "---1" if rng.random() < 0.5 else "--1-"
                out.append((other, "en" if rng.random() < 0.3 else "", flags))
            elif u < 0.9:
                out.append((_fold(stem).lower(), "", "----"))
            elif u < 0.95:
                template = TYPE_TRANSLATIONS[int(rng.random() * len(TYPE_TRANSLATIONS))]
                out.append((template.format(stem), "", "----"))
            elif u < 0.98 and population >= 50_000:
                out.append((self._code_letters(rank, 3), "iata", "----"))
            else:
                short = "".join(w[0] for w in name.split() if w[:1].isalpha()).upper()
                if len(short) >= 2:
                    out.append((short, "abbr", "-1--"))
        return out

    @staticmethod
    def _code_letters(n: int, size: int) -> str:
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        h = _mix(n + 17)
        return "".join(alphabet[(h >> (5 * k)) % 26] for k in range(size))

    @staticmethod
    def _variant(stem: str, k: int) -> str:
        """The stem respelt by the first rule (from the k-th on) that applies; rules are
        lower case, so a leading capital stays as it is."""
        for step in range(len(SPELLING_RULES)):
            old, new = SPELLING_RULES[(k + step) % len(SPELLING_RULES)]
            if old in stem:
                return stem.replace(old, new, 1)
        return stem

    # -- writing -----------------------------------------------------------------------------

    def write(self, out: Path, alternate_names: bool = False) -> DumpStats:
        """Write the dump and its side files into `out` (created if needed)."""
        started = time.perf_counter()
        out.mkdir(parents=True, exist_ok=True)
        stats = DumpStats()
        v2_path = out / "alternateNamesV2.txt"
        with (out / "allCountries.txt").open(
            "w", encoding="utf-8", newline="\n", buffering=1 << 20
        ) as dump:
            v2 = (
                v2_path.open("w", encoding="utf-8", newline="\n", buffering=1 << 20)
                if (alternate_names)
                else None
            )
            try:
                self._write_rows(dump, v2, stats)
            finally:
                if v2 is not None:
                    v2.close()
        if not alternate_names:
            v2_path.unlink(missing_ok=True)
        self._write_country_info(out / "countryInfo.txt")
        self._write_codes(out / "admin1CodesASCII.txt", "admin1")
        self._write_codes(out / "admin2Codes.txt", "admin2")
        stats.countries = len(self.countries)
        stats.admin1 = len(self.admin1)
        stats.admin2 = len(self.admin2)
        stats.continents = len(CONTINENTS)
        stats.seconds = time.perf_counter() - started
        return stats

    def _write_rows(self, dump: IO[str], v2: IO[str] | None, stats: DumpStats) -> None:
        batch: list[str] = []
        v2_batch: list[str] = []
        rng = self.rng
        for fields, alternates in self.rows(stats):
            if alternates:
                # The column holds names only (no links, postal codes or ids), once each,
                # sorted, without commas (its separator).
                names = sorted({a[0] for a in alternates if "," not in a[0]} - {fields[1]})
                fields[3] = ",".join(names)
                stats.alternate_names += len(names)
            batch.append("\t".join(fields))
            if v2 is not None:
                gid = fields[0]
                extras = self._v2_extras(fields)
                for alt_name, lang, flags in (*alternates, *extras):
                    self._next_alt_id += 1 if rng.random() < 0.8 else 2 + int(rng.random() * 4)
                    pref, short, colloquial, historic = ("1" if f == "1" else "" for f in flags)
                    since = until = ""
                    if historic and rng.random() < 0.3:
                        since = str(1800 + int(rng.random() * 150))
                        until = str(int(since) + 10 + int(rng.random() * 60))
                    v2_batch.append(
                        f"{self._next_alt_id}\t{gid}\t{lang}\t{alt_name}\t{pref}\t{short}\t"
                        f"{colloquial}\t{historic}\t{since}\t{until}"
                    )
                stats.alternate_rows += len(alternates) + len(extras)
            if len(batch) >= 5_000:
                dump.write("\n".join(batch) + "\n")
                batch.clear()
                if v2 is not None and v2_batch:
                    v2.write("\n".join(v2_batch) + "\n")
                    v2_batch.clear()
        if batch:
            dump.write("\n".join(batch) + "\n")
        if v2 is not None and v2_batch:
            v2.write("\n".join(v2_batch) + "\n")

    def _v2_extras(self, fields: list[str]) -> list[tuple[str, str, str]]:
        """What alternateNamesV2.txt has beyond the column: links, postal codes, Wikidata."""
        rng = self.rng
        extras: list[tuple[str, str, str]] = []
        if rng.random() < 0.04:
            slug = fields[2].replace(" ", "_")
            extras.append((f"https://en.wikipedia.org/wiki/{slug}", "link", "----"))
        if fields[6] == "P" and rng.random() < 0.1:
            extras.append((str(rng.randrange(1_000, 99_999)), "post", "----"))
        if rng.random() < 0.05:
            extras.append((f"Q{rng.randrange(1_000, 120_000_000)}", "wkdt", "----"))
        return extras

    def _write_country_info(self, path: Path) -> None:
        rng = random.Random(len(self.countries))  # side files do not move the row stream
        lines = [
            "# Synthetic country table in the layout of GeoNames' countryInfo.txt,",
            "# written by geotag's bench/synth_geonames.py: invented names and codes.",
            "#",
            "#ISO\tISO3\tISO-Numeric\tfips\tCountry\tCapital\tArea(in sq km)\tPopulation\t"
            "Continent\ttld\tCurrencyCode\tCurrencyName\tPhone\tPostal Code Format\t"
            "Postal Code Regex\tLanguages\tgeonameid\tneighbours\tEquivalentFipsCode",
        ]
        codes = [c.code for c in self.countries]
        for i, country in enumerate(self.countries):
            iso3 = (country.code + country.name.upper()[2:3]).ljust(3, "X")
            neighbours = ",".join(
                sorted(
                    {codes[int(rng.random() * len(codes))] for _ in range(int(rng.random() * 5))}
                    - {country.code}
                )
            )
            lines.append(
                "\t".join(
                    [
                        country.code,
                        iso3,
                        f"{(i * 7 + 4) % 1000:03d}",
                        country.code,
                        country.name,
                        self._capitals.get(i, ""),
                        str(int(1e6 / (i + 1) + rng.random() * 1e4)),
                        str(self._country_population.get(i, 0)),
                        country.continent,
                        f".{country.code.lower()}",
                        iso3,
                        "Crown",
                        str(1 + i * 3),
                        "#####",
                        r"^(\d{5})$",
                        f"{country.code.lower()}-{country.code},en",
                        str(self._country_ids[i]),
                        neighbours,
                        "",
                    ]
                )
            )
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _write_codes(self, path: Path, level: str) -> None:
        units = self.admin1 if level == "admin1" else self.admin2
        with path.open("w", encoding="utf-8", newline="\n") as f:
            for i, unit in enumerate(units):
                code = self.countries[unit.country].code + "." + unit.admin1
                if level == "admin2":
                    code += "." + unit.admin2
                f.write(
                    f"{code}\t{unit.name}\t{_fold(unit.name)}\t{self._region_ids[(level, i)]}\n"
                )


# -- command line ----------------------------------------------------------------------------


def _rows(text: str) -> int:
    """Row counts with optional thousands separators or a k/M suffix ("10M", "250k")."""
    cleaned = text.replace(",", "").replace("_", "").strip()
    scale = 1
    if cleaned[-1:].lower() == "k":
        scale, cleaned = 1_000, cleaned[:-1]
    elif cleaned[-1:].upper() == "M":
        scale, cleaned = 1_000_000, cleaned[:-1]
    try:
        value = int(float(cleaned) * scale)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a row count: {text!r}") from None
    if not MIN_ROWS <= value <= MAX_ROWS:
        raise argparse.ArgumentTypeError(f"between {MIN_ROWS:,} and {MAX_ROWS:,}, got {value:,}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Write a synthetic GeoNames dump (allCountries.txt and side files).",
    )
    parser.add_argument("--rows", type=_rows, required=True, help="dump rows (e.g. 1000000, 10M)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write into")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument(
        "--alternate-names", action="store_true", help="also write alternateNamesV2.txt"
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="no summary on stderr")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.out.is_dir():
        parser.error(f"--out: not a folder: {args.out}")
    try:
        stats = SyntheticGeoNames(args.rows, args.seed).write(args.out, args.alternate_names)
    except OSError as exc:
        print(f"synth_geonames: cannot write {args.out}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    if not args.quiet:
        classes = ", ".join(
            f"{c} {n:,}" for c, n in sorted(stats.by_class.items(), key=lambda kv: -kv[1])
        )
        print(
            f"synth_geonames: {stats.rows:,} rows in {stats.seconds:.1f} s ({classes}); "
            f"{stats.countries} countries, {stats.admin1:,} ADM1, {stats.admin2:,} ADM2; "
            f"{stats.alternate_names:,} alternate names"
            + (
                f", {stats.alternate_rows:,} alternateNamesV2 lines" if args.alternate_names else ""
            ),
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
