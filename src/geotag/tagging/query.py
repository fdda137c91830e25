"""A place mention as the resolver sees it: its name folded, and the type word in or
around it that says what kind of place it is ("Idlib province", "the city of Aleppo")."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..gazetteer.names import normalize_name, strip_possessive
from ..models import MentionKind

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
    name = normalize_name(strip_possessive(surface.strip()))
    for pattern in (_HINT_SUFFIX, _HINT_PREFIX):
        m = pattern.match(name)
        if m:
            word = m.group("word")
            if word in REGION_WORDS:
                return m.group("base"), "region"
            if word in CITY_WORDS:
                return m.group("base"), "city"
    return name, ""


# "state" before these words is about a government, not a region ("Syria state media").
_HINT_AFTER = re.compile(
    r"\s+([a-z]+)\b(?![- ](?:media|television|tv|news|agency|run|owned|broadcaster|radio|"
    r"department|sponsored|backed)\b)"
)
_HINT_BEFORE = re.compile(r"\b([a-z]+)\s+of\s+(?:the\s+)?$")


def context_hint(text: str, start: int, end: int) -> str:
    """A type hint from the words around a mention: "Idlib province", "the city of Idlib"."""
    after = _HINT_AFTER.match(text, end, min(len(text), end + 20))
    before = _HINT_BEFORE.search(text, max(0, start - 25), start)
    for m in (after, before):
        if m:
            word = m.group(1)
            if word in REGION_WORDS:
                return "region"
            if word in CITY_WORDS:
                return "city"
    return ""
