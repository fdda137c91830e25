"""What the gazetteer says of a name as written in one story: whether it names a country,
a first-level region, a county, a town (of the story's own region or country, and of what
size), water or land, or is an abbreviation of one. These are the gazetteer's features of
the recognition model (`recognition.py`), asked once per name and story."""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..gazetteer import COUNTRY_CODES, Gazetteer, is_generic_name, normalize_name
from ..models import Place
from .lexicon import named_exactly
from .memo import PerGazetteer
from .spans import is_abbreviation


class NameFacts:
    """What the gazetteer says of each name in one document, asked once per name (and
    what the gazetteer alone says of it, once per gazetteer: `gazetteer_facts`)."""

    def __init__(
        self, gazetteer: Gazetteer, named: set[str], focus: frozenset[str] = frozenset()
    ) -> None:
        self.gazetteer = gazetteer
        self.named = named
        self.focus = focus
        self.seen: dict[str, dict[str, float] | None] = {}

    def known(self, surface: str) -> bool:
        return self.facts(surface) is not None

    def facts(self, surface: str) -> dict[str, float] | None:
        """Gazetteer features of a name, or None when the gazetteer does not know it."""
        if surface in self.seen:
            return self.seen[surface]
        facts = self._facts(surface)
        self.seen[surface] = facts
        return facts

    def _facts(self, surface: str) -> dict[str, float] | None:
        known = gazetteer_facts(self.gazetteer, surface)
        if known is None:
            return None
        out = dict.fromkeys(known.abbreviation, 1.0)
        if known.short:
            return out
        if known.rows:
            out["g_rows"] = math.log1p(known.rows) / 4.0
        if known.generic:
            out["g_generic"] = 1.0
        if known.rows and not known.exact:
            out["g_alternate_only"] = 1.0
        population = 0
        for p in known.exact:
            code, cls = p.feature_code, p.feature_class
            if code in COUNTRY_CODES:
                out["g_country"] = 1.0
            elif code == "CONT":
                out["g_continent"] = 1.0
            elif code == "ADM1":
                out["g_region"] = 1.0
                if p.country_code in self.named:
                    out["g_region_of_story"] = 1.0
            elif code == "ADM2":
                out["g_county"] = 1.0
            elif cls == "P":
                population = max(population, p.population)
                if f"{p.country_code}.{p.admin1_code}" in self.named:
                    out["g_town_of_story"] = 1.0
                elif p.country_code in self.named:
                    out["g_town_of_country"] = 1.0
            elif cls == "H":
                out["g_water"] = 1.0
            elif cls in "LT":
                out["g_land"] = 1.0
            elif cls in "SR":
                out["g_landmark"] = 1.0
        if population:
            out["g_town_population"] = min(1.0, math.log10(population + 1) / 7.0)
            out["g_town"] = 1.0
        return out


@dataclass(frozen=True, slots=True)
class GazetteerFacts:
    """What the gazetteer alone says of a name, whatever the story: the same for every
    story, so asked once per gazetteer (the story's places are weighed in afterwards)."""

    abbreviation: tuple[str, ...]  # the abbreviation features, in the order first found
    short: bool  # too short a name to look up as a name (an abbreviation at most)
    rows: int  # the rows of the name
    generic: bool  # an ordinary geographic word ("Centre")
    exact: tuple[Place, ...]  # the places whose own name it is


# Names asked of each gazetteer in this process, across stories: most names in a story
# (every stretch of every run of capitalised words) are asked for in other stories too.
# Emptied when full, so memory stays bounded.
FACTS_KEPT = 50_000
_asked: PerGazetteer[GazetteerFacts | None] = PerGazetteer(FACTS_KEPT)


def gazetteer_facts(gaz: Gazetteer, surface: str) -> GazetteerFacts | None:
    """What the gazetteer alone says of a name, or None when it does not know it."""
    return _asked.answer(gaz, surface, lambda: _ask(gaz, surface))


def _ask(gaz: Gazetteer, surface: str) -> GazetteerFacts | None:
    abbreviation: dict[str, None] = {}
    if is_abbreviation(surface) or (surface.isupper() and len(surface) <= 4):
        for r in gaz.lookup_abbreviation(surface):
            p = gaz.place(r)
            if p.feature_code in COUNTRY_CODES:
                abbreviation["g_abbr_country"] = None
            elif p.feature_code == "ADM1":
                abbreviation["g_abbr_region"] = None
            else:
                abbreviation["g_abbr_other"] = None
    if len(normalize_name(surface)) < 2:
        return GazetteerFacts(tuple(abbreviation), True, 0, False, ()) if abbreviation else None
    rows = gaz.lookup(surface)
    if not rows and not abbreviation:
        return None
    exact = named_exactly(surface, gaz)
    return GazetteerFacts(
        tuple(abbreviation), False, len(rows), is_generic_name(surface), tuple(exact)
    )
