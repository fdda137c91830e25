"""A user's overrides applied to a story's mentions, before the resolver sees them.

A rule pins a mention (matched on its whole text, case-sensitively) to a gazetteer row or
to a place the user describes, or says the name is not a place here. Pinned mentions keep
their answer whatever the resolver would say; rules with a `country_context` hold only in
stories about that country.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..errors import OverridesError
from ..gazetteer import Gazetteer
from ..gazetteer.overrides import Override, Overrides
from ..models import Mention, Place, Resolution
from .explain import explain_override

OVERRIDE_RULE = "override"
OVERRIDE_CONFIDENCE = 1.0
# A custom place's feature class, from the first letters of the code the user gave.
_CLASS_OF_CODE = (("PCL", "A"), ("ADM", "A"), ("PPL", "P"), ("STM", "H"), ("LK", "H"))


def check_overrides(rules: Overrides, gazetteer: Gazetteer) -> None:
    """Every rule's gazetteer row exists (an error naming FILE:LINE otherwise)."""
    for rule in rules.rules:
        if rule.kind == "row" and gazetteer.by_geonameid(rule.geonameid or 0) is None:
            raise OverridesError(
                f"{rule.origin}: geonameid {rule.geonameid} is not in the gazetteer"
            )


def place_of(rule: Override, gazetteer: Gazetteer) -> Place:
    """The place a row or custom rule names."""
    if rule.kind == "row":
        row = gazetteer.by_geonameid(rule.geonameid or 0)
        if row is None:  # check_overrides ran first; kept for callers that skip it
            raise OverridesError(
                f"{rule.origin}: geonameid {rule.geonameid} is not in the gazetteer"
            )
        return gazetteer.place(row)
    country_code = rule.country or ""
    country_row = gazetteer.country_row(country_code)
    code = rule.feature_code or "PPL"
    feature_class = next((c for prefix, c in _CLASS_OF_CODE if code.startswith(prefix)), "S")
    return Place(
        geonameid=None,
        name=rule.display_name or rule.name,
        lat=rule.lat if rule.lat is not None else 0.0,
        lon=rule.lon if rule.lon is not None else 0.0,
        feature_class=feature_class,
        feature_code=code,
        country_code=country_code,
        country=gazetteer.name_of(country_row) if country_row is not None else "",
        admin1_code="",
        admin1=rule.admin1,
        population=0,
        provider=OVERRIDE_RULE,
    )


def conditional_names(rules: Overrides, mentions: Iterable[Mention]) -> set[str]:
    """Names in this story that a rule with a country context could change."""
    names = {r.name for r in rules.rules if r.country_context is not None}
    return {m.text for m in mentions if m.text in names}


def apply_overrides(
    mentions: Sequence[Mention],
    rules: Overrides,
    gazetteer: Gazetteer,
    countries: Iterable[str] | None,
    *,
    explain: bool = False,
) -> list[Mention]:
    """The mentions with the rules applied: a place rule pins the mention as a resolved
    place (whatever its NER label), `not_place` drops a place mention. `countries` are
    the story's focus countries; None applies only the rules without a country context.
    With `explain`, a pinned mention says which rule of which file pinned it."""
    known = None if countries is None else set(countries)
    out: list[Mention] = []
    for m in mentions:
        rule = None if m.embedded else rules.for_name(m.text)
        if (
            rule is not None
            and rule.country_context is not None
            and (known is None or not rule.applies_in(known))
        ):
            rule = None
        if rule is None:
            out.append(m)
        elif rule.kind == "not_place":
            if m.label not in ("PLACE", "DEMONYM"):
                out.append(m)
        else:
            place = place_of(rule, gazetteer)
            why = explain_override(rule.origin) if explain else None
            resolution = Resolution(place, OVERRIDE_CONFIDENCE, rule=OVERRIDE_RULE, explanation=why)
            out.append(
                replace(m, label="PLACE", kind="toponym", resolution=resolution, key=place.key)
            )
    return out
