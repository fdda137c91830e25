"""The candidate ranker: the weights a candidate's features are summed with, and the
calibration that turns its softmax share into the chance of being within 161 km of the
truth. The shipped one is `ranker_weights.py`, written by scripts/fit_ranker.py."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field

from .ranker_weights import RANKER_WEIGHTS

# The features of the hand-set ranker; the others (`Resolver.score_candidate`) are
# computed only for a ranker that weighs them.
BASE_FEATURES = frozenset(
    ("type", "importance", "country", "admin1", "distance", "name", "label", "hint", "preference")
)


@dataclass(frozen=True, slots=True)
class Ranker:
    """Weights of the score's features, and how a score becomes a confidence.

    `share` (scoring.py) is the best candidate's softmax share of `temperature` x score
    among the best ten, and, with `none_option`, "none of them" scored 0 (the place is
    not among the candidates). `calibration` maps that share to a probability: increasing
    knots (share, probability), interpolated linearly, flat above the last, the share
    itself (at most the first knot's) below the first; no knots: the share itself.
    `rule_confidence` gives the probability of a place a rule settles (by rule name;
    `inner` for a name placed by a name inside it); `abstain_below` is the least best
    score a place is reported with.
    """

    weights: Mapping[str, float]
    temperature: float = 1.0
    none_option: bool = False
    abstain_below: float = float("-inf")
    calibration: tuple[tuple[float, float], ...] = ()
    rule_confidence: Mapping[str, float] = field(default_factory=dict)

    @property
    def extended(self) -> bool:
        """Whether it weighs features beyond the hand-set ranker's (`BASE_FEATURES`)."""
        return not set(self.weights) <= BASE_FEATURES

    def calibrated(self, share: float) -> float:
        knots = self.calibration
        if not knots:
            return share
        i = bisect_right(knots, (share, float("inf")))
        if i == 0:
            # Below the fitted range the share itself, at most the lowest knot's figure: a
            # tie of five alike candidates is a one-in-five chance, not what the least
            # clear places seen in fitting (ties rarely among them) came to.
            return min(knots[0][1], share)
        if i == len(knots):
            return knots[-1][1]
        (x0, y0), (x1, y1) = knots[i - 1], knots[i]
        return y0 + (y1 - y0) * (share - x0) / (x1 - x0) if x1 > x0 else y1

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> Ranker:
        """From the plain data `ranker_weights.py` holds (and the fitting script writes)."""
        weights = data["weights"]
        calibration = data.get("calibration", [])
        rules = data.get("rule_confidence", {})
        assert isinstance(weights, dict) and isinstance(calibration, list)
        assert isinstance(rules, dict)
        return cls(
            weights={str(k): float(v) for k, v in weights.items()},
            temperature=float(str(data.get("temperature", 1.0))),
            none_option=bool(data.get("none_option", False)),
            abstain_below=float(str(data.get("abstain_below", "-inf"))),
            calibration=tuple((float(x), float(y)) for x, y in calibration),
            rule_confidence={str(k): float(v) for k, v in rules.items()},
        )


RANKER = Ranker.from_dict(RANKER_WEIGHTS)
