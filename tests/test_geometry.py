"""The one great-circle function (resolver scores and `evaluate` errors) against geopy's."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle

from geotag.tagging.geometry import great_circle_km

PAIRS = [
    ((36.2, 37.16), (46.2, 6.15)),  # Aleppo to Geneva
    ((0.0, 179.5), (0.0, -179.5)),  # across the antimeridian
    ((89.9, 0.0), (-89.9, 180.0)),  # pole to pole
    ((51.5, -0.12), (51.5, -0.12)),  # the same point
    ((-33.9, 151.2), (40.7, -74.0)),  # Sydney to New York
]


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_great_circle_km_is_geopys_figure(a: tuple[float, float], b: tuple[float, float]) -> None:
    assert great_circle_km(a, b) == pytest.approx(great_circle(a, b).km, abs=1e-6)
