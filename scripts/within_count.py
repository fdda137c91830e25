"""How many places reported `within` a container were right: the gold point lies within
161 km of the reported point (the container's), as issue 19 asks to count them.

    python scripts/within_count.py GOLD.jsonl PREDICTIONS.jsonl

Counts the predicted places with `"precision": "within"` whose span is exactly a gold
PLACE span: those whose gold has a point, how many of them are right, and those whose
gold has no point (LGL leaves many local places without one).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from geotag.tagging.geometry import great_circle_km

ACCURACY_KM = 161.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("predictions", type=Path)
    args = parser.parse_args()
    gold = {}
    with args.gold.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            gold[doc["id"]] = {
                (e["start"], e["end"]): e for e in doc["entities"] if e["label"] == "PLACE"
            }
    with_point = right = without_point = 0
    with args.predictions.open(encoding="utf-8") as f:
        for line in f:
            doc = json.loads(line)
            for e in doc["entities"]:
                place = e.get("place") or {}
                if place.get("precision") != "within":
                    continue
                g = gold.get(doc["id"], {}).get((e["start"], e["end"]))
                if g is None:
                    continue
                if g.get("lat") is None:
                    without_point += 1
                    continue
                with_point += 1
                km = great_circle_km((g["lat"], g["lon"]), (place["lat"], place["lon"]))
                right += km <= ACCURACY_KM
    print(
        f"{args.predictions.name}: within places on a gold span with a point {with_point}, "
        f"right {right}; on a gold span without a point {without_point}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
