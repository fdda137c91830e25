"""Mentions gathered into the document's people, organisations and places, and the
places the document is about (its focus)."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence

from ..gazetteer import Gazetteer
from ..models import Entity, Focus, FocusItem, Mention, MentionRole, Place


def aggregate(
    mentions: Sequence[Mention],
) -> tuple[tuple[Entity, ...], tuple[Entity, ...], tuple[Entity, ...]]:
    """Gather mentions into people, organisations and places, most mentioned first."""
    people = _people(m for m in mentions if m.label == "PERSON")
    orgs = _gather(m for m in mentions if m.label == "ORG")
    places = _gather(m for m in mentions if m.label in ("PLACE", "DEMONYM"))
    return people, orgs, places


def _gather(
    mentions: Iterable[Mention], key_of: dict[str, str] | None = None
) -> tuple[Entity, ...]:
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        key = key_of.get(m.key, m.key) if key_of else m.key
        groups.setdefault(key, []).append(m)
    entities = []
    for order, (_, ms) in enumerate(groups.items()):
        forms = Counter(m.text for m in ms)
        longest = max(forms, key=lambda f: (len(f.split()), forms[f], len(f)))
        first = ms[0]
        res = next((m.resolution for m in ms if m.resolution and m.resolution.place), None)
        if res is None:
            res = first.resolution
        kind = first.kind
        is_place = first.label in ("PLACE", "DEMONYM")
        if is_place and any(m.kind == "toponym" for m in ms):
            kind = "toponym"
        role: MentionRole | None = None
        inside: tuple[str, ...] = ()
        if is_place:
            named = [m for m in ms if not m.embedded]
            literal = any(m.resolution is None or m.resolution.role == "literal" for m in named)
            role = "literal" if literal else "metonym" if named else "embedded"
            inside = tuple(dict.fromkeys(m.inside.text for m in ms if m.inside is not None))
        name = longest if first.label == "PERSON" else forms.most_common(1)[0][0]
        if is_place and kind == "toponym":
            name = next(m.text for m in ms if m.kind == "toponym")
        entities.append(
            (
                -len(ms),
                order,
                Entity(
                    name=name,
                    label="PLACE" if is_place else first.label,
                    mentions=len(ms),
                    forms=tuple(sorted(forms, key=lambda f: (-forms[f], f))),
                    kind=kind,
                    role=role,
                    resolution=res,
                    inside=inside,
                ),
            )
        )
    entities.sort(key=lambda t: (t[0], t[1]))
    return tuple(e for _, _, e in entities)


def _people(mentions: Iterable[Mention]) -> tuple[Entity, ...]:
    """People, with a bare surname ("Peskov") counted under the full name that has it."""
    ms = list(mentions)
    full_names: dict[str, str] = {}
    for m in ms:
        words = m.key.split()
        if len(words) > 1:
            full_names.setdefault(words[-1], m.key)
    alias = {}
    for m in ms:
        words = m.key.split()
        if len(words) == 1 and words[0] in full_names:
            alias[m.key] = full_names[words[0]]
    return _gather(ms, alias)


# -- focus ---------------------------------------------------------------------------------

# Demonyms and places inside organisation names say less about where a story is.
WEAK_WEIGHT = 0.5


def focus(mentions: Sequence[Mention], gazetteer: Gazetteer, top: int = 3) -> Focus:
    """The countries, regions and cities a document is about.

    Each resolved place mention counts for itself and is passed up to its region and its
    country; demonyms and places inside organisation names count half. At each level a
    place counts the square root of its mentions' weight: naming more places of a country
    says more about where a story is than naming one place again, so a city and a
    demonym of one country ("Lyon", "French") outweigh two passing mentions of another
    ("Germany", "Germany"). A place in no country (Antarctica, an ocean, a continent)
    counts at the region level. A score is the share of all the weight at its level. A
    place placed within another (`Resolution.within`) does not count: it was placed by
    the story's other places and adds nothing to them.
    """
    countries: _Tally = {}
    regions: _Tally = {}
    cities: _Tally = {}
    for m in mentions:
        res = m.resolution
        if m.label not in ("PLACE", "DEMONYM") or res is None or res.place is None:
            continue
        if res.within:
            continue
        p = res.place
        weight = WEAK_WEIGHT if m.kind == "demonym" or m.embedded else 1.0
        country = gazetteer.country_row(p.country_code) if p.country_code else None
        if country is not None:
            _credit(countries, country, p.key, weight)
        region = gazetteer.admin1_row(p.country_code, p.admin1_code) if p.admin1_code else None
        if region is not None:
            _credit(regions, region, p.key, weight)
        elif country is None and p.feature_class != "P":
            _credit(regions, p, p.key, weight)
        if p.feature_class == "P":
            _credit(cities, p, p.key, weight)
    return Focus(
        countries=_top(countries, gazetteer, top),
        regions=_top(regions, gazetteer, top),
        cities=_top(cities, gazetteer, top),
    )


# Per place of a level: the weight of each place named in it, and its mentions.
_Tally = dict[int | Place, tuple[dict[str, float], list[int]]]


def _credit(tally: _Tally, key: int | Place, named: str, weight: float) -> None:
    weights, mentions = tally.setdefault(key, ({}, [0]))
    weights[named] = weights.get(named, 0.0) + weight
    mentions[0] += 1


def _top(tally: _Tally, gazetteer: Gazetteer, top: int) -> tuple[FocusItem, ...]:
    scores = {
        key: sum(math.sqrt(w) for w in weights.values()) for key, (weights, _) in tally.items()
    }
    total = sum(scores.values()) or 1.0
    ranked = sorted(tally, key=lambda key: -scores[key])[:top]
    return tuple(
        FocusItem(
            key if isinstance(key, Place) else gazetteer.place(key),
            scores[key] / total,
            tally[key][1][0],
        )
        for key in ranked
    )
