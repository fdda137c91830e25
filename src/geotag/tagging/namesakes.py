"""Which of a name's namesakes a story means, beyond the scores: a world city over small
towns of its name, and a country over a town of its name unless the story is local."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..gazetteer import Gazetteer, normalize_name
from ..models import Place
from .candidates import MentionGroup
from .query import PlaceQuery
from .scoring import REGION_CODES, Context, is_country

# A world city: a capital (of a country or a first-level region) this big, named by its
# own name, whose namesakes are all towns smaller than SMALL_NAMESAKE (Geneva, 200,000,
# against towns of 22,000 and less; not Athens against Athens, Georgia). Round figures
# chosen beforehand, not fit on the dev corpora.
WORLD_CITY_POPULATION = 100_000
SMALL_NAMESAKE = 50_000
WORLD_CITY_CODES = frozenset({"PPLC", "PPLA"})


def world_city(gaz: Gazetteer, g: MentionGroup) -> int | None:
    """The candidate that is a world city with only small namesakes (the region named
    after it aside: the canton of Geneva), or None."""
    cities = [r for r in g.rows if gaz.place(r).feature_class == "P"]
    if not cities:
        return None
    top = max(cities, key=lambda r: gaz.place(r).population)
    city = gaz.place(top)
    if (
        city.population < WORLD_CITY_POPULATION
        or city.feature_code not in WORLD_CITY_CODES
        or normalize_name(city.name) != g.base
    ):
        return None
    for r in g.rows:
        p = gaz.place(r)
        if r == top or (
            p.feature_code in REGION_CODES
            and (p.country_code, p.admin1_code) == (city.country_code, city.admin1_code)
        ):
            continue
        small = p.population < SMALL_NAMESAKE
        if p.feature_class not in "PA" or is_country(p) or not small:
            return None
    return top


_LIST_LINK = re.compile(r"\s*(?:,|,?\s+(?:and|or|&))\s+(?:the\s+)?")


def listed_with_country(
    text: str,
    queries: Sequence[PlaceQuery],
    g: MentionGroup,
    by_member: dict[int, MentionGroup],
    gaz: Gazetteer,
) -> bool:
    """A mention of the group stands in a list with a mention settled on a country
    ("the United States and China", "China, Japan or Korea")."""
    for i in g.members:
        for j in (i - 1, i + 1):
            other = by_member.get(j)
            if other is None or other is g or other.settled is None:
                continue
            if not is_country(gaz.place(other.settled)):
                continue
            first, second = (queries[j], queries[i]) if j < i else (queries[i], queries[j])
            if _LIST_LINK.fullmatch(text, first.end, second.start):
                return True
    return False


def story_in(context: Context, p: Place) -> bool:
    """At least half of the story's (settled) mentions lie in the place's first-level
    region."""
    n = context.admin1.get((p.country_code, p.admin1_code), 0.0)
    return n > 0 and n >= context.total / 2
