"""A place mention as the resolver sees it: its name folded, and the type word in or
around it that says what kind of place it is ("Idlib province", "the city of Aleppo")."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from ..gazetteer.names import normalize_name, strip_possessive
from ..models import MentionKind
from .cues import Cue

REGION_WORDS = frozenset(
    {
        "province",
        "governorate",
        "oblast",
        "region",
        "state",
        "prefecture",
        "county",
        "district",
        "krai",
        "republic",
        "territory",
        "canton",
        "department",
        "emirate",
        "voivodeship",
        "wilaya",
        "parish",
        # Plurals after a name still say what it is: "Gwinnett and Cobb counties".
        "provinces", "governorates", "oblasts", "regions", "states", "counties", "districts",
        "parishes", "prefectures", "territories", "departments",
    }
)  # fmt: skip
CITY_WORDS = frozenset({"city", "town", "village", "municipality"})
WATER_WORDS = frozenset(
    {"sea", "ocean", "river", "gulf", "lake", "strait", "straits", "bay", "canal", "channel"}
)
# Plurals after a name still say what it is: "Gwinnett and Cobb counties".
_HINT_SUFFIX = re.compile(r"^(?P<base>.+?)\s+(?P<word>[a-z]+)$")
_HINT_PREFIX = re.compile(r"^(?P<word>[a-z]+) of (?P<base>.+)$")


@dataclass(frozen=True, slots=True)
class PlaceQuery:
    """One place mention handed to the resolver."""

    start: int
    end: int
    text: str
    ner_label: str
    kind: MentionKind = "toponym"
    landmark: bool = False


def split_query(surface: str) -> tuple[str, str]:
    """Normalised base name and a type hint ('region', 'city' or '').

    >>> split_query("Idlib province")
    ('idlib', 'region')
    >>> split_query("the city of Aleppo")
    ('aleppo', 'city')
    """
    base, hint, _ = _split_type_word(surface)
    return base, hint


# A function of the name alone, and names come back within a story and across stories.
@functools.lru_cache(maxsize=8192)
def _split_type_word(surface: str) -> tuple[str, str, bool]:
    """`split_query`, and whether the type word came before the name ("city of X")."""
    name = normalize_name(strip_possessive(surface.strip()))
    for pattern in (_HINT_SUFFIX, _HINT_PREFIX):
        m = pattern.match(name)
        if m:
            hint = _kind_of(m.group("word"))
            if hint:
                return m.group("base"), hint, pattern is _HINT_PREFIX
    return name, "", False


def _kind_of(word: str) -> str:
    if word in REGION_WORDS:
        return "region"
    if word in CITY_WORDS:
        return "city"
    return ""


# "state" before these words is about a government, not a region ("Syria state media").
_HINT_AFTER = re.compile(
    r"\s+([a-z]+)\b(?![- ](?:media|television|tv|news|agency|run|owned|broadcaster|radio|"
    r"department|sponsored|backed)\b)"
)
# "the province of", "city of": a type word and "of" right before a name.
HINT_BEFORE = re.compile(r"\b([a-z]+)\s+of\s+(?:the\s+)?$")
# The " of" that HINT_BEFORE cannot match without (a cue begins at its space).
OF_CUE = Cue(r"\sof(?=\s)")


# A region's type word capitalised after a name the recogniser tagged without it
# ("Aleppo Governorate", "Idlib Province"); not a city's, which is part of a name more often
# than not ("Kansas City").
_REGION_AFTER = re.compile(r"\s+([A-Z][a-z]+)\b(?![- ][A-Z])")


def _after_kind(text: str, end: int) -> str:
    """The kind the type word right after a mention names, or ''."""
    after = _HINT_AFTER.match(text, end, min(len(text), end + 20))
    if after and _kind_of(after.group(1)):
        return _kind_of(after.group(1))
    title = _REGION_AFTER.match(text, end, min(len(text), end + 20))
    if title and _kind_of(title.group(1).lower()) == "region":
        return "region"
    return ""


def context_hint(text: str, start: int, end: int) -> str:
    """A type hint from the words around a mention: "Idlib province", "the city of Idlib"."""
    after = _after_kind(text, end)
    if after:
        return after
    before = OF_CUE.within(text, start, 25) and HINT_BEFORE.search(text, max(0, start - 25), start)
    if before and _kind_of(before.group(1)):
        return _kind_of(before.group(1))
    return ""


def hint_before(surface: str, text: str, start: int, end: int) -> bool:
    """True when the type word that gives a mention its hint stands before the name with
    "of" ("the city of X", "the province of X"), where X may be the container rather than
    the name; False for one after it ("X province", "X County"), which only names."""
    _, hint, before = _split_type_word(surface)
    if hint:
        return before
    if _after_kind(text, end):
        return False
    m = OF_CUE.within(text, start, 25) and HINT_BEFORE.search(text, max(0, start - 25), start)
    return bool(m and _kind_of(m.group(1)))


# Type words that say which kind of feature a name is, as GeoNames feature-code prefixes:
# "the Vltava river", "Lake Manassas", "Schiphol Airport", "the Golden Gate Bridge".
# Codes rather than classes: "Paris airport" must not find a hotel called Paris.
_FEATURE_CODES = {
    "river rivers stream creek": "STM",
    "lake lakes loch pond": "LK PND RSV",
    "reservoir": "RSV LK",
    "sea": "SEA",
    "bay": "BAY",
    "gulf": "GULF",
    "strait straits": "STRT",
    "canal": "CNL",
    "falls waterfall": "FLLS",
    "lagoon": "LGN",
    "harbor harbour": "HBR",
    "ocean": "OCN",
    "channel": "CHN",
    "fjord": "FJD",
    "glacier": "GLCR",
    "mount mountain mt peak": "MT PK VLC",
    "mountains range": "MTS RNG",
    "hill": "HLL",
    "hills": "HLLS",
    "island isle": "ISL",
    "islands isles": "ISLS",
    "peninsula": "PEN",
    "cape": "CAPE",
    "desert": "DSRT",
    "valley": "VAL",
    "volcano": "VLC",
    "plateau": "PLAT",
    "canyon gorge": "CNYN GRGE",
    "beach": "BCH",
    "park": "PRK RES",
    "reserve sanctuary": "RES",
    "airport airfield aerodrome": "AIR",
    "stadium arena": "STDM",
    "center centre": "CTR STDM BLDG MALL",
    "bridge": "BDG",
    "hospital": "HSP",
    "university college": "UNIV SCHC",
    "school": "SCH",
    "museum": "MUS",
    "palace": "PAL",
    "castle": "CSTL",
    "cathedral church": "CH",
    "mosque": "MSQE",
    "temple": "TMPL",
    "tower": "TOWR",
    "station": "RSTN MTRO BUSTN",
    "prison": "PRN",
    "monument memorial": "MNMT",
    "dam": "DAM",
    "zoo": "ZOO",
    "theatre theater": "THTR OPRA",
    "square": "SQR",
    "road highway": "RD",
    "street avenue": "ST",
    "tunnel": "TNL",
    "railway railroad": "RR",
    "forest forests woods": "FRST",
}
FEATURE_WORDS: dict[str, tuple[str, ...]] = {
    word: tuple(codes.split()) for words, codes in _FEATURE_CODES.items() for word in words.split()
}
# NER labels that say a name is a facility (OntoNotes' FAC: airports, bridges, highways;
# an ORG that is a place: a stadium, a palace): the landmarks news names that way.
LABEL_CUES: dict[str, tuple[str, ...]] = {
    "FAC": ("AIR", "STDM", "BDG", "PAL", "CSTL", "MNMT", "TOWR", "TNL", "DAM", "SQR", "PRK"),
    "ORG": ("AIR", "STDM", "PAL", "CSTL"),
}
_NEXT_WORD = re.compile(r"\s+([A-Za-z]+)\b")
_PREVIOUS_WORD = re.compile(r"\b([A-Za-z]+)\s+$")


def name_cue(base: str) -> tuple[str, tuple[str, ...]]:
    """The feature codes a type word at either end of a folded name asks for, and the name
    without it: "schiphol airport" -> ("schiphol", ("AIR",)); ("", ()) for none."""
    words = base.split()
    if len(words) < 2:
        return "", ()
    if words[-1] in FEATURE_WORDS:
        return " ".join(words[:-1]), FEATURE_WORDS[words[-1]]
    if words[0] in FEATURE_WORDS:
        rest = words[2:] if words[1] == "of" and len(words) > 2 else words[1:]
        return " ".join(rest), FEATURE_WORDS[words[0]]
    return "", ()


def context_cue(text: str, start: int, end: int) -> tuple[str, ...]:
    """The feature codes a type word right after or before a mention asks for ("the
    Vltava river", "Lake Manassas" with only "Manassas" tagged); () for none."""
    after = _NEXT_WORD.match(text, end, min(len(text), end + 16))
    if after and after.group(1).lower() in FEATURE_WORDS:
        return FEATURE_WORDS[after.group(1).lower()]
    before = _PREVIOUS_WORD.search(text, max(0, start - 16), start)
    if before and before.group(1).lower() in FEATURE_WORDS:
        return FEATURE_WORDS[before.group(1).lower()]
    return ()
