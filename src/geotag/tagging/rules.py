"""The names of the resolver's rules (`Resolution.rule` says which one placed a mention)
and the confidence each hard rule gives the place it settles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, Literal

Rule = Literal[
    "demonym",  # a demonym, to its country ("Syrian")
    "demonym-unknown",  # a demonym the gazetteer has no country for
    "landmark",  # a seat of power named as an organisation ("the Kremlin said")
    "continent",  # a continent named exactly
    "country",  # a country named exactly
    "parent",  # inside a parent named next to it ("Paris, Texas"), and that parent
    "single",  # the name's one candidate
    "score",  # the best scored candidate
    "abstain",  # scored, none good or clear enough
    "world-city",  # a world city over its small namesakes ("Geneva" in a story about Iowa)
    "local",  # a country's name read as a town of the story's region ("Palestine", Texas)
    "home",  # a town of the story's home region over its namesakes ("Arlington", Georgia)
    "within",  # a place the gazetteer lacks, placed at the place it lies in (an approximation)
    "no-candidate",  # no gazetteer row for the name
    "override",  # the user's override (`--overrides`), applied before the resolver
]

# How sure each hard rule is of the place it settles, as first set by hand: the ranker's
# calibration (`ranker_weights.py`, its rate of being right on annotated news) replaces
# them; a scored mention's confidence is its calibrated softmax share (`scoring.confidence`).
RULE_CONFIDENCE: Final[Mapping[Rule, float]] = {
    "continent": 0.95,
    "country": 0.95,
    "parent": 0.95,
    "demonym": 0.9,
    "landmark": 0.9,
    "single": 0.8,
    "world-city": 0.7,
    "local": 0.6,
    "home": 0.6,
}
