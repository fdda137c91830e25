"""What the gazetteer says of a name as written: whether it names a country, a
first-level region, a town, a town of the story's own region; and the words around a name
that say it is a place."""

from __future__ import annotations

import re

from ..gazetteer import COUNTRY_CODES, Gazetteer, is_generic_name, normalize_name
from ..models import Place
from .cues import Cue
from .spans import is_abbreviation

# Words that make a part of a place ("South Florida", "Northeast Georgia").
DIRECTIONS = frozenset(
    """north south east west northern southern eastern western northeast northwest southeast
    southwest northeastern northwestern southeastern southwestern central upper lower
    mid greater""".split()
)
CALENDAR = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter""".split()
)
# Adjectives and nouns of religions, their branches and political movements: a group of
# people, never an organisation's name ("Takfiri fighters", "Salafists", "Maoist rebels").
BELIEFS = frozenset(
    """Muslim Islamic Islamist Jihadist Jihadi Salafi Salafist Wahhabi Takfiri Sunni Shia
    Shiite Shi'ite Sufi Alawite Ismaili Ahmadi Christian Catholic Protestant Orthodox
    Evangelical Anglican Lutheran Methodist Baptist Pentecostal Mormon Coptic Maronite
    Jewish Zionist Hasidic Haredi Hindu Hindutva Buddhist Sikh Jain Bahai Baha'i Yazidi
    Zoroastrian Marxist Leninist Maoist Trotskyist Stalinist Bolshevik Communist Socialist
    Fascist Nazi Neo-Nazi Baathist Ba'athist Kemalist Peronist Chavista Anarchist
    Nationalist Separatist Loyalist Republican Unionist Royalist Monarchist""".split()
)


def names_a_belief(surface: str) -> bool:
    """ "Takfiri", "Salafists", "Shiites": a religion's or movement's word, or its plural."""
    word = surface.strip()
    return word in BELIEFS or (word.endswith("s") and word[:-1] in BELIEFS)


# A capitalised name of up to three words, and an optional name of a list before the
# name that follows: "in Singapore and Rotterdam".
_NAME = r"[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}"
_LIST_BEFORE = "(?:" + _NAME + r"(?:,\s*|\s+and\s+|\s+or\s+))?"
# Words after which a name is a location ("a fire in Fargo"), not a person or a company.
_LOCATIVE_WORDS = r"(?:in|near|outside|across|throughout|around|downtown)"
LOCATIVE = re.compile(r"\b" + _LOCATIVE_WORDS + r"\s+" + _LIST_BEFORE + "$")
# Without the word boundary, which would make the scan of a whole text slower than the
# searches it saves. None of these words ends another one: no two matches overlap.
_LOCATIVE_CUE = Cue(_LOCATIVE_WORDS + r"(?=\s)")


def after_locative(text: str, start: int) -> bool:
    """True when a locative word ("in", "near", ...) comes right before `start`."""
    return (
        _LOCATIVE_CUE.within(text, start, 48)
        and LOCATIVE.search(text, max(0, start - 48), start) is not None
    )


# Words that put the name after them in a place's role. "in" (and "across", "throughout")
# says less than "near": "in Congress", "in Information Technology"; "between" takes
# people and firms as well as places.
_NEAR = re.compile(r"(?i:\b(?:near|outside|around))\s+" + _LIST_BEFORE + "$")
_BETWEEN = re.compile(r"(?i:\bbetween)\s+" + _LIST_BEFORE + "$")
_DIRECTION_OF = re.compile(
    r"(?i:\b(?:north|south|east|west|northeast|northwest|southeast|southwest)\s+of)\s+"
    + _LIST_BEFORE
    + "$"
)
# Sites named after a place, after "the X": "the Bab al-Hawa crossing".
SITE_WORDS = frozenset("crossing checkpoint border frontier".split())
_SITE_AFTER = re.compile(r"\s+(?:border\s+)?([a-z]+)\b")
_THE_BEFORE = re.compile(r"\b[Tt]he\s+$")


_NEAR_WORDS = ("near", "outside", "around")
_DIRECTION_WORDS = ("north", "south", "east", "west")


def _has_any(lowered: str | None, words: tuple[str, ...]) -> bool:
    """Whether a lower-cased window holds one of `words` (None: it may)."""
    return lowered is None or any(w in lowered for w in words)


def locative_frame(text: str, start: int, end: int) -> str:
    """The kind of words around a name that put it in a place's role: "near" ("near X
    and Y", "outside X", "around X"), "direction" ("north of X"), "site" ("the X
    crossing"), "between" ("between X and Y"), "in" ("in X", "across X"); "" for none."""
    window = max(0, start - 60)
    # The searches below ignore case and need their words in the window: in an ASCII
    # window (where ignoring case is lower-casing) a word absent from it spares a search.
    before = text[window:start]
    lowered = before.lower() if before.isascii() else None
    if _has_any(lowered, _NEAR_WORDS) and _NEAR.search(text, window, start):
        return "near"
    if _has_any(lowered, _DIRECTION_WORDS) and _DIRECTION_OF.search(text, window, start):
        return "direction"
    site = _SITE_AFTER.match(text, end, min(len(text), end + 24))
    if (
        site is not None
        and site.group(1) in SITE_WORDS
        and _THE_BEFORE.search(text, max(0, start - 5), start)
    ):
        return "site"
    if _has_any(lowered, ("between",)) and _BETWEEN.search(text, window, start):
        return "between"
    if after_locative(text, start):
        return "in"
    return ""


_LISTED_AFTER = re.compile(r"(?:,\s*|\s+and\s+|\s+or\s+)(" + _NAME + ")")
_LISTED_BEFORE = re.compile("(" + _NAME + r")(?:,\s*|\s+and\s+|\s+or\s+)$")


def listed_with(text: str, start: int, end: int) -> list[str]:
    """The names listed right before and after a name ("Aleppo" and "Homs" around
    "Idlib" in "Aleppo, Idlib and Homs")."""
    out = []
    before = _LISTED_BEFORE.search(text, max(0, start - 40), start)
    if before:
        out.append(before.group(1))
    after = _LISTED_AFTER.match(text, end, min(len(text), end + 40))
    if after:
        out.append(after.group(1).rstrip(".,;:"))
    return out


def named_exactly(surface: str, gazetteer: Gazetteer) -> list[Place]:
    """Places whose own name is `surface` (folded); none for an ordinary word ("Centre")."""
    if is_generic_name(surface):
        return []
    key = normalize_name(surface)
    places = (gazetteer.place(r) for r in gazetteer.lookup_key(key))
    return [p for p in places if normalize_name(p.name) == key]


def country_abbreviation(surface: str, gazetteer: Gazetteer, longest: int) -> bool | None:
    """For an abbreviation ("U.S.", "UAE"): whether it names a country; None otherwise."""
    if not (is_abbreviation(surface) or (surface.isupper() and len(surface) <= longest)):
        return None
    rows = gazetteer.lookup_abbreviation(surface)
    return any(gazetteer.place(r).feature_code in COUNTRY_CODES for r in rows)


def country_or_region(p: Place, named: set[str] | None) -> bool:
    """A country, or a first-level region (of a country in `named`, when given:
    "Victoria" is a person unless Australia is in play)."""
    if p.feature_code in COUNTRY_CODES:
        return True
    return p.feature_code == "ADM1" and (named is None or p.country_code in named)


def names_country_or_region(
    surface: str, gazetteer: Gazetteer, named: set[str] | None = None
) -> bool:
    if any(country_or_region(p, named) for p in named_exactly(surface, gazetteer)):
        return True
    return bool(len(surface) > 2 and country_abbreviation(surface, gazetteer, 5))
