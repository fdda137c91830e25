"""Distances on the globe and the bounding-box test: the one great-circle function geotag
uses, for the resolver's scores and for `evaluate`'s errors alike."""

from __future__ import annotations

import math

from ..models import Place


def flat_distance2(lat: float, lon: float, point: tuple[float, float]) -> float:
    """Squared equirectangular distance in degrees: cheap, and orders nearby points
    the way great-circle distance does."""
    dlon = abs(lon - point[1]) % 360.0
    dlon = min(dlon, 360.0 - dlon) * math.cos(math.radians((lat + point[0]) / 2))
    return (lat - point[0]) ** 2 + dlon * dlon


def nearest(lat: float, lon: float, points: list[tuple[float, float]]) -> tuple[float, float]:
    """The first of `points` nearest to (lat, lon) by `flat_distance2` (the same sums, in
    one loop: the resolver asks this for every candidate against up to 48 points)."""
    best = points[0]
    best_d2 = math.inf
    cos, radians = math.cos, math.radians
    for point in points:
        dlon = abs(lon - point[1]) % 360.0
        dlon = min(dlon, 360.0 - dlon) * cos(radians((lat + point[0]) / 2))
        d2 = (lat - point[0]) ** 2 + dlon * dlon
        if d2 < best_d2:
            best, best_d2 = point, d2
    return best


EARTH_RADIUS_KM = 6371.009  # the mean radius, as geopy's great_circle uses


def great_circle_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance between two (lat, lon) points in km (haversine). geopy's
    `great_circle` gives the same figure but took 6.6 times as long a call (it builds two
    `Point`s), and the resolver asks this once per candidate."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2
    h += math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def in_bbox(p: Place, bbox: tuple[float, float, float, float]) -> bool:
    """Inside the box (west, south, east, north), one that crosses the antimeridian too."""
    west, south, east, north = bbox
    if not south <= p.lat <= north:
        return False
    if west <= east:
        return west <= p.lon <= east
    return p.lon >= west or p.lon <= east
