"""What a candidate place's score is made of: the feature-type prior, the weights of the
score's parts, and the document context (countries, regions, points of the mentions
settled so far) that the context-dependent parts are measured against."""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..gazetteer import Gazetteer
from ..models import Place
from .ranker import RANKER, Ranker

# Feature type prior: country > first-level region > capital > city > other.
TYPE_PRIOR = {
    "CONT": 1.0,
    "PCLI": 0.95,
    "PCLD": 0.85,
    "PCLF": 0.85,
    "PCLS": 0.85,
    "PCLIX": 0.8,
    "TERR": 0.8,
    "PCLH": 0.8,
    "ADM1": 0.8,
    "PPLC": 0.75,
    "RGN": 0.7,
    "RGNE": 0.7,
    "OCN": 0.7,
    "SEA": 0.7,
    # Seats of regions and districts are cities like others: a small bonus over PPL.
    "PPLA": 0.5,
    "PPLG": 0.5,
    "PPLA2": 0.5,
    "ADM2": 0.45,
}
TYPE_PRIOR_DEFAULT = {"P": 0.4, "A": 0.45, "H": 0.5, "L": 0.5, "T": 0.45, "S": 0.4, "R": 0.35}

# NER labels and the feature classes they usually name.
LABEL_CLASSES = {
    "GPE": frozenset("AP"),
    "LOC": frozenset("HLT"),
    "FAC": frozenset("SR"),
    "ORG": frozenset("S"),
    "NORP": frozenset("A"),
}

# The candidate ranker in use: its weights (fit by scripts/fit_ranker.py) and calibration.
WEIGHTS: Mapping[str, float] = RANKER.weights
REGION_CODES = frozenset({"ADM1", "ADM2"})
# Hand-written seas, rivers, regions and landmarks have no population but are well known.
CURATED_IMPORTANCE = 0.85
NEAR_POINTS = 48
Features = tuple[tuple[str, float], ...]


def weighted_parts(
    features: Iterable[tuple[str, float]], weights: Mapping[str, float] = WEIGHTS
) -> list[tuple[float, str]]:
    """A candidate's features as (weight x value, name), largest in size first, zeros left
    out: what `--explain` and `gazetteer explain` name as its reasons."""
    parts = ((weights.get(name, 0.0) * value, name) for name, value in features)
    return sorted((p for p in parts if p[0]), key=lambda p: -abs(p[0]))


def is_country(place: Place) -> bool:
    return place.feature_code.startswith("PCL") or place.feature_code == "TERR"


@dataclass(slots=True)
class Context:
    """What the settled mentions say about the document: countries, regions, points,
    each weighted by its number of mentions; kept up to date as mentions settle.

    The points distances are measured to are the NEAR_POINTS heaviest, the earlier
    counted first among equals. They are kept in a heap that is never rebuilt: a change
    of weight adds an entry and leaves the old one to be dropped when it surfaces, so
    taking a place out and putting it back (as the resolver does for each mention it
    scores again) costs a logarithm of the number of points, not a sort of them all.
    """

    countries: dict[str, float]
    admin1: dict[tuple[str, str], float]
    points: dict[int, list[float]]  # settled row -> [lat, lon, weight]
    total: float
    _near: list[tuple[float, float]] | None = None
    _focus: str | None = None
    # Heap of (-weight, since, change, row); an entry holds while `_current[row]` is its
    # (since, change): `since` orders equal weights by when the point was counted in,
    # `change` tells the entries of one point apart.
    _heap: list[tuple[float, int, int, int]] = field(default_factory=list)
    _current: dict[int, tuple[int, int]] = field(default_factory=dict)
    _changes: int = 0

    @classmethod
    def empty(cls) -> Context:
        return cls({}, {}, {}, 0.0)

    def add(self, gaz: Gazetteer, row: int | None, weight: float) -> None:
        """Count a place with this many mentions in (weight > 0) or out (weight < 0);
        an unsettled mention (row None) counts not."""
        if row is None:
            return
        p = gaz.place(row)
        if p.country_code:
            self.countries[p.country_code] = self.countries.get(p.country_code, 0.0) + weight
            self._focus = None
        if p.admin1_code:
            key = (p.country_code, p.admin1_code)
            self.admin1[key] = self.admin1.get(key, 0.0) + weight
        if not is_country(p) and p.feature_code != "CONT":
            self._weigh(row, p.lat, p.lon, weight)
        self.total += weight

    def _weigh(self, row: int, lat: float, lon: float, weight: float) -> None:
        self._changes += 1
        point = self.points.get(row)
        if point is None:
            point = self.points[row] = [lat, lon, 0.0]
            since = self._changes
        else:
            since = self._current[row][0]
        point[2] += weight
        if point[2] <= 0:
            del self.points[row]
            self._current.pop(row, None)
        else:
            self._current[row] = (since, self._changes)
            heapq.heappush(self._heap, (-point[2], since, self._changes, row))
        self._near = None

    def focus(self) -> str:
        """The country with the most settled mentions ("" when none)."""
        if self._focus is None:
            best = max(self.countries.items(), key=lambda kv: kv[1], default=("", 0.0))
            self._focus = best[0] if best[1] > 0 else ""
        return self._focus

    def near(self) -> list[tuple[float, float]]:
        """The points distances are measured to: the NEAR_POINTS most mentioned."""
        if self._near is None:
            heap, current = self._heap, self._current
            top: list[tuple[float, int, int, int]] = []
            while heap and len(top) < NEAR_POINTS:
                entry = heapq.heappop(heap)
                if current.get(entry[3]) == (entry[1], entry[2]):
                    top.append(entry)
            for entry in top:
                heapq.heappush(heap, entry)
            self._near = [(self.points[row][0], self.points[row][1]) for *_, row in top]
        return self._near


def confidence(scores: list[float], ranker: Ranker = RANKER) -> float:
    """The chance that the best of these scores (best first) names the place within 161
    km: its softmax share among the best ten (and the ranker's "none of them", scored 0),
    through the ranker's calibration."""
    return ranker.calibrated(share(scores, ranker))


def share(scores: list[float], ranker: Ranker = RANKER) -> float:
    """The best score's softmax share, before calibration: close calls get a low one."""
    top = scores[0]
    t = ranker.temperature
    total = sum(math.exp(t * (s - top)) for s in scores[:10])
    if ranker.none_option:
        total += math.exp(-t * top)
    return 1.0 / total
