"""The html report's map data: the shipped country outlines (Natural Earth, public domain) in
plate carrée, where a place's point is a linear function of its longitude and latitude, and
the window of the map that shows a set of places."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

WORLD_MAP_FILE = "world-110m.json"

# Map frames in degrees: a document's map shows at least this much longitude around its
# places, and the world overview drops the polar caps unless a place lies in one.
MIN_FRAME_DEGREES = 40.0
FRAME_PADDING_DEGREES = 6.0
WORLD_NORTH, WORLD_SOUTH = 84.0, -60.0


@dataclass(frozen=True, slots=True)
class WorldMap:
    """Country outlines as SVG path data in plate carrée map units."""

    scale: int
    width: int
    height: int
    countries: tuple[tuple[str, str, str], ...]  # (ISO 3166 alpha-2 or "", name, path data)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Longitude and latitude to map units: x grows eastwards, y southwards."""
        return (lon + 180.0) * self.scale, (90.0 - lat) * self.scale

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _, _ in self.countries if code)


@lru_cache(maxsize=1)
def load_world_map() -> WorldMap:
    """The shipped outlines (src/geotag/data/world-110m.json, built by
    scripts/build_world_map.py)."""
    raw = (resources.files("geotag") / "data" / WORLD_MAP_FILE).read_bytes()
    data = json.loads(raw)
    return WorldMap(
        scale=int(data["scale"]),
        width=int(data["width"]),
        height=int(data["height"]),
        countries=tuple((c["id"], c["name"], c["d"]) for c in data["countries"]),
    )


def frame(
    points: Sequence[tuple[float, float]], world: WorldMap, whole_world: bool = False
) -> tuple[float, float, float, float]:
    """The map window (x, y, width, height in map units) that shows every point with some
    room around it: at least MIN_FRAME_DEGREES wide, 2:1, inside the world, and without
    the polar caps unless a point lies there."""
    s = world.scale
    pad = FRAME_PADDING_DEGREES * s
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    top = max(0.0, min((90 - WORLD_NORTH) * s, min(ys) - pad))
    bottom = min(float(world.height), max((90 - WORLD_SOUTH) * s, max(ys) + pad))
    if whole_world:
        return 0.0, top, float(world.width), bottom - top
    x0, x1 = min(xs) - pad, max(xs) + pad
    y0, y1 = min(ys) - pad, max(ys) + pad
    w = max(x1 - x0, MIN_FRAME_DEGREES * s, 2 * (y1 - y0))
    h = w / 2
    w = min(w, float(world.width))
    h = min(h, bottom - top)
    x = min(max((x0 + x1) / 2 - w / 2, 0.0), world.width - w)
    y = min(max((y0 + y1) / 2 - h / 2, top), bottom - h)
    return x, y, w, h
