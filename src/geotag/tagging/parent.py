"""The named-parent rule: "Paris, Texas", "Tripoli (Lebanon)", "Hama in central Syria",
"Raleigh, N.C.". A country or first-level region named right after a place mention keeps
only the mention's candidates inside it; the resolver settles both on what this finds."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..gazetteer import Gazetteer
from .candidates import MentionGroup
from .query import PlaceQuery
from .scoring import REGION_CODES, TYPE_PRIOR, is_country

_PARENT_ABBREVIATION = re.compile(r",\s*((?:[A-Z][A-Za-z]{0,4}\.)+|[A-Z]{2})(?![A-Za-z])")
_IN_REGION = re.compile(
    r"\s+in\s+(?:the\s+)?(?:(?:north|south|east|west|central|northern|southern|eastern|"
    r"western|north-?western|north-?eastern|south-?western|south-?eastern)\s+)?"
)


def named_parent(
    gazetteer: Gazetteer,
    text: str,
    queries: Sequence[PlaceQuery],
    i: int,
    g: MentionGroup,
    by_member: dict[int, MentionGroup],
) -> tuple[int, int, MentionGroup | None] | None:
    """The child row of mention `i` inside the parent named next to it, the parent's row,
    and the parent mention's group (None for an abbreviation such as "N.C."); None when no
    parent is named or none of the candidates lies inside it."""
    q = queries[i]
    parent_rows: list[int] = []
    parent_group: MentionGroup | None = None
    if i + 1 < len(queries) and queries[i + 1].kind == "toponym":
        nxt = queries[i + 1]
        if is_parent_link(text[q.end : nxt.start], text, nxt.end):
            parent_group = by_member.get(i + 1)
            if parent_group is not None:
                parent_rows = parent_group.rows
    if not parent_rows:
        # Matched in place: slicing the rest of a long text for every mention is quadratic.
        abbr = _PARENT_ABBREVIATION.match(text, q.end)
        if abbr:
            parent_rows = gazetteer.lookup_abbreviation(abbr.group(1))
    parents = [(r, gazetteer.place(r)) for r in parent_rows]
    parents = [(r, p) for r, p in parents if p.feature_code == "ADM1" or is_country(p)]
    if not parents:
        return None
    pairs = []
    for r in g.rows:
        child = gazetteer.place(r)
        for p_row, parent in parents:
            if child.country_code != parent.country_code or child is parent:
                continue
            if parent.feature_code == "ADM1" and child.admin1_code != parent.admin1_code:
                continue
            pairs.append((child.population, TYPE_PRIOR.get(child.feature_code, 0.0), r, p_row))
    if not pairs:
        return None
    if g.hint != "region":
        # "Aleppo, Syria" is the city, as a bare "Aleppo" is: a region named after a
        # city inside it yields to the city unless the mention says region.
        cities = {
            (p.country_code, p.admin1_code)
            for _, _, r, _ in pairs
            if (p := gazetteer.place(r)).feature_class == "P"
        }
        pairs = [
            pair
            for pair in pairs
            if not (
                (p := gazetteer.place(pair[2])).feature_code in REGION_CODES
                and (p.country_code, p.admin1_code) in cities
            )
        ]
    _, _, child_row, parent_row = max(pairs)
    return child_row, parent_row, parent_group


def is_parent_link(between: str, text: str, parent_end: int) -> bool:
    """ "X, Y" / "X (Y)" / "X in [central] Y": Y may be the parent of X."""
    if between in (", ", ","):
        return True
    if between.strip() == "(" and text[parent_end : parent_end + 1] == ")":
        return True
    return _IN_REGION.fullmatch(between) is not None
