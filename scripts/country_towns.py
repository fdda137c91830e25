"""Count mentions of a country's name that geotag resolved to a town, unless the gold says
that town is meant (issue 23, point 12: a country's name is the country).

    python scripts/country_towns.py GOLD.jsonl PRED.jsonl [PRED.jsonl ...] [--gazetteer CSV]
                                    [--list]

A mention counts when its text, folded as the resolver folds it, names a country in the
gazetteer (by its name or an alternate name), it is resolved to a populated place
(feature class P), and no gold PLACE overlapping it lies within 161 km of that place or
carries its GeoNames id. PRED is what `geotag evaluate --predictions` writes.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from geotag.gazetteer import Gazetteer, normalize_name
from geotag.gazetteer.names import strip_possessive
from geotag.tagging.geometry import great_circle_km
from geotag.tagging.scoring import is_country

ACCURACY_KM = 161.0


def read_jsonl(path: Path) -> dict[str, dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    return {str(d["id"]): d for d in docs}


def names_a_country(gaz: Gazetteer, text: str) -> bool:
    key = normalize_name(strip_possessive(text.strip()))
    return any(is_country(gaz.place(r)) for r in gaz.lookup_key(key))


def gold_agrees(place: dict[str, Any], gold: list[dict[str, Any]], start: int, end: int) -> bool:
    for g in gold:
        if g["start"] >= end or start >= g["end"]:
            continue
        if g.get("geonameid") is not None and int(g["geonameid"]) == place["geonameid"]:
            return True
        if g.get("lat") is not None and g.get("lon") is not None:
            km = great_circle_km((g["lat"], g["lon"]), (place["lat"], place["lon"]))
            if km <= ACCURACY_KM:
                return True
    return False


def country_towns(
    gaz: Gazetteer, gold: dict[str, dict[str, Any]], pred: dict[str, dict[str, Any]]
) -> tuple[list[tuple[str, str, str]], int]:
    """(document id, mention text, the town it went to) for every such mention, and the
    number of country names resolved to a town the gold agrees with."""
    found = []
    agreed = 0
    for doc_id, doc in pred.items():
        gold_places = [e for e in gold.get(doc_id, {}).get("entities", []) if e["label"] == "PLACE"]
        for e in doc["entities"]:
            place = e.get("place")
            if e["label"] != "PLACE" or not place or place.get("feature_class") != "P":
                continue
            if not names_a_country(gaz, e["text"]):
                continue
            if gold_agrees(place, gold_places, e["start"], e["end"]):
                agreed += 1
                continue
            where = ", ".join(
                x for x in (place["name"], place.get("admin1"), place.get("country")) if x
            )
            found.append((doc_id, e["text"], where))
    return found, agreed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", type=Path)
    parser.add_argument("predictions", type=Path, nargs="+")
    parser.add_argument("--gazetteer", type=Path)
    parser.add_argument("--list", action="store_true", help="list every such mention")
    args = parser.parse_args(argv)
    gaz = Gazetteer.load(args.gazetteer)
    gold = read_jsonl(args.gold)
    for path in args.predictions:
        found, agreed = country_towns(gaz, gold, read_jsonl(path))
        print(
            f"{path}: {len(found)} country name(s) resolved to a town the gold does not name"
            f" ({agreed} more to one it names)"
        )
        if args.list:
            for doc_id, text, where in found:
                print(f"  {doc_id}\t{text}\t-> {where}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
