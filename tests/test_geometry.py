"""The one great-circle function (resolver scores and `evaluate` errors) against geopy's, and
the nearest point by the flat approximation."""

from __future__ import annotations

import pytest
from geopy.distance import great_circle
from hypothesis import given
from hypothesis import strategies as st

from geotag.tagging.geometry import flat_distance2, great_circle_km, nearest

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


@given(
    st.tuples(st.floats(-90, 90), st.floats(-180, 180)),
    st.lists(st.tuples(st.floats(-90, 90), st.floats(-180, 180)), min_size=1, max_size=60),
)
def test_nearest_is_the_first_point_at_the_least_flat_distance(
    here: tuple[float, float], points: list[tuple[float, float]]
) -> None:
    # Duplicates make ties: the first of equals must come back, as min() gives it.
    points = points + points[:3]
    expected = min(points, key=lambda pt: flat_distance2(here[0], here[1], pt))
    assert nearest(here[0], here[1], points) is expected
