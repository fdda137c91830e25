"""What a resolver is asked to do (`ResolverOptions`), and the check of the countries a
user prefers against the gazetteer."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import OptionError
from ..gazetteer import Gazetteer
from .ranker import Ranker


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    prefer_countries: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    # The least best score a place is reported with; None: the ranker's own.
    abstain_below: float | None = None
    # The least confidence (the chance of lying within 161 km of the truth) a scored
    # place is reported with.
    min_confidence: float = 0.25
    alternatives: int = 3
    # A place mention the gazetteer has no entry for is placed at the place it names
    # inside ("Manila Cathedral" -> Manila); off when an online geocoder gets it first.
    inner_names: bool = True
    # Mark such places `within`, and place the others at their container (`local.py`).
    within: bool = True
    # Say why each place was chosen (`Resolution.explanation`); off, none of it is built.
    explain: bool = False
    # The candidate ranker; None: the shipped one (another is for scripts/fit_ranker.py).
    ranker: Ranker | None = None
    # Rules that settle nothing, their mentions left to the scores ("hint-region",
    # "hint-city": a type word does not filter the candidates): how scripts/fit_ranker.py
    # measures each rule.
    rules_off: frozenset[str] = frozenset()


# Codes people reach for that ISO 3166 spells otherwise.
_CODE_HINTS = {"UK": "GB", "EL": "GR"}


def check_countries(gazetteer: Gazetteer, codes: Iterable[str]) -> None:
    """OptionError unless the gazetteer has a country for every preferred code: a code it
    does not know would tilt nothing, silently."""
    unknown = [code for code in codes if gazetteer.country_row(code) is None]
    if not unknown:
        return
    hints = [f"{code} is {_CODE_HINTS[code]}" for code in unknown if code in _CODE_HINTS]
    raise OptionError(
        "prefer_countries",
        f"the gazetteer has no country with the code {', '.join(unknown)}"
        + (f" ({'; '.join(hints)} in ISO 3166)" if hints else ""),
    )
