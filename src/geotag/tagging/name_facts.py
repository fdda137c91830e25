"""What the gazetteer says of a name as written in one story: whether it names a country,
a first-level region, a county, a town (of the story's own region or country, and of what
size), water or land, or is an abbreviation of one. These are the gazetteer's features of
the recognition model (`recognition.py`), asked once per name and story."""

from __future__ import annotations

import math

from ..gazetteer import COUNTRY_CODES, Gazetteer, is_generic_name, normalize_name
from .lexicon import named_exactly
from .spans import is_abbreviation


class NameFacts:
    """What the gazetteer says of each name in one document, asked once per name."""

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
        gaz = self.gazetteer
        out: dict[str, float] = {}
        abbreviation = is_abbreviation(surface) or (surface.isupper() and len(surface) <= 4)
        if abbreviation:
            for r in gaz.lookup_abbreviation(surface):
                p = gaz.place(r)
                if p.feature_code in COUNTRY_CODES:
                    out["g_abbr_country"] = 1.0
                elif p.feature_code == "ADM1":
                    out["g_abbr_region"] = 1.0
                else:
                    out["g_abbr_other"] = 1.0
        if len(normalize_name(surface)) < 2:
            return out or None
        rows = gaz.lookup(surface)
        if not rows and not out:
            return None
        if rows:
            out["g_rows"] = math.log1p(len(rows)) / 4.0
        exact = named_exactly(surface, gaz)
        if is_generic_name(surface):
            out["g_generic"] = 1.0
        if rows and not exact:
            out["g_alternate_only"] = 1.0
        population = 0
        for p in exact:
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
