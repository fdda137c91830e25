"""The locative frame: a rule beside the recognition model. A span the recogniser calls a
person or an organisation, in words that put it in a place's role ("camps near X and Y",
"the X crossing", "between X and Y", "north of X", "in X"), is a place when the gazetteer
has a place of that name in a country the story is about, or lacks the name and it reads
as a place's name (`in_place_role`). Why a rule and not a feature is told where it is
applied (`recognition.choose_places`)."""

from __future__ import annotations

import re

from ..gazetteer import COUNTRY_CODES
from .lexicon import CALENDAR, listed_with, locative_frame
from .name_facts import NameFacts

# Words of firms, teams and media ("Texas Instruments", "Boston Globe"), where a place
# name is part of a brand.
COMPANY_WORDS = frozenset(
    """inc corp corporation company co ltd llc plc group holdings partners capital media
    press radio tv television studios records fund trust services systems technologies
    energy airlines airways bank times news post herald tribune journal gazette globe daily
    club fc united team instruments motors industries electric steel oil brewing hotel
    hotels restaurant cafe""".split()
)
POSSESSIVE_AFTER = re.compile(r"(?:'s|’s)\b")

# Last words of the names of institutions, firms and groups: "in Lake County Circuit
# Court", "near Riverside Community Hospital" name no place of their own.
_INSTITUTION_WORDS = COMPANY_WORDS | frozenset(
    """court courts school schools college university academy institute church cathedral
    mosque temple hospital clinic centre center hall library museum home market mall store
    stores shop deli restaurant bar pub theatre theater party association agency council
    committee department office ministry commission foundation society union league
    federation organisation organization programme program project campaign""".split()
)


def ends_in_institution_word(name: str) -> bool:
    """ "Soleilmoon Recordings", "Acme Inc.", "Party": a name whose last word is the kind
    of an organisation, a firm's or an institution's."""
    words = name.split()
    return bool(words) and words[-1].lower().strip(".,'’") in _INSTITUTION_WORDS


_PARTICLE = re.compile(
    r"(?:of|de|del|da|di|du|la|le|van|von|bin|ibn|(?:al|el|ad|an|ar|as|ash|at|az|ed|en|er|es|et|ez)-\w+)$"
)


def in_place_role(
    text: str, start: int, end: int, label: str, f: dict[str, float], facts: NameFacts
) -> bool:
    """Whether a person's or organisation's span in a locative frame ("camps near X",
    "the X crossing") names a place: the gazetteer has a place of that name in a country
    the story is about; or the gazetteer lacks the name, it reads as a place's name
    (capitalised words, no acronym, no possessive, no institution's last word, no given
    name first) and, after "in" or "between", a place is listed with it ("between
    Saraqeb and Latakia"): those two take firms and people too ("invested in Acme",
    "talks between Boehmer and Raynola")."""
    if any(k in f for k in ("surname_of_person", "given_name_of_person", "lower_elsewhere")):
        return False
    frame = locative_frame(text, start, end)
    if not frame:
        return False
    surface = text[start:end]
    words = surface.split()
    gazetteer = facts.gazetteer
    if "g_unknown" not in f:
        return any(
            gazetteer.place(r).country_code in facts.focus
            and gazetteer.place(r).feature_code not in COUNTRY_CODES
            for r in gazetteer.lookup(surface)
        )
    if surface.isupper() or POSSESSIVE_AFTER.match(text, end) or len(words) > 3:
        return False
    if not all(w[:1].isupper() or _PARTICLE.match(w) for w in words):
        return False
    if words[-1].lower().strip(".,'’") in _INSTITUTION_WORDS:
        return False
    if label == "PERSON" and gazetteer.given_name_share(words[0]):
        return False
    return frame not in ("in", "between") or any(
        _names_place(name, facts) for name in listed_with(text, start, end)
    )


# What the gazetteer says of a name that is a place's own name.
_PLACE_FACTS = (
    "g_country",
    "g_continent",
    "g_region",
    "g_county",
    "g_town",
    "g_town_of_country",
    "g_town_of_story",
    "g_water",
    "g_land",
)


def _names_place(surface: str, facts: NameFacts) -> bool:
    if surface in CALENDAR:
        return False
    known = facts.facts(surface)
    return known is not None and any(k in known for k in _PLACE_FACTS)
