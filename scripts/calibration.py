"""How well geotag's confidence is calibrated: a reliability table and the expected
calibration error (ECE) of the places it resolved, against gold coordinates.

    python scripts/calibration.py GOLD.jsonl PREDICTIONS.jsonl [GOLD2 PREDICTIONS2 ...] [--json]

A place's `confidence` claims the chance that it lies within 161 km of the truth. Every
gold PLACE with coordinates that geotag resolved counts once, matched as the reference
scorer matches it (the predicted place mention overlapping it most); it is right when
within 161 km. The places are put into 10 bins of equal width by confidence; per bin the
table gives their number, mean confidence and accuracy. ECE is the mean over places of
|accuracy - mean confidence| of their bin. A bin with at least 50 places whose gap is
more than 0.05 is flagged. Each pair of files is reported alone and all pooled.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from geotag.tagging.geometry import great_circle_km

ACCURACY_KM = 161.0
BINS = 10
FLAG_PLACES = 50
FLAG_GAP = 0.05
PLACE_LABELS = {"PLACE", "GPE", "LOC", "FAC", "LOCATION", "TOPONYM"}
NESTED = ("place", "resolved", "resolution", "location", "geo")


def _field(mention: dict[str, Any], *names: str) -> Any:
    for holder in (mention, *(mention.get(k) for k in NESTED)):
        if isinstance(holder, dict):
            for name in names:
                if holder.get(name) is not None:
                    return holder[name]
    return None


def judged(
    gold: Iterable[dict[str, Any]], predicted: Iterable[dict[str, Any]]
) -> list[tuple[float, bool]]:
    """(confidence, within 161 km) for every gold place with coordinates that was resolved."""
    by_id = {json.dumps(d.get("id")): d for d in predicted}
    out = []
    for doc in gold:
        pred = by_id.get(json.dumps(doc.get("id")), {"entities": []})
        places = [
            e for e in pred.get("entities", []) if str(e.get("label", "")).upper() in PLACE_LABELS
        ]
        for g in doc.get("entities", []):
            if str(g.get("label", "")).upper() not in PLACE_LABELS or g.get("lat") is None:
                continue
            s, e = g["start"], g["end"]
            found = [m for m in places if m["start"] < e and s < m["end"]]
            if not found:
                continue
            best = max(found, key=lambda m: min(e, m["end"]) - max(s, m["start"]))
            lat, lon = _field(best, "lat", "latitude"), _field(best, "lon", "lng", "longitude")
            confidence = _field(best, "confidence")
            if lat is None or lon is None or confidence is None:
                continue
            km = great_circle_km((g["lat"], g["lon"]), (lat, lon))
            out.append((float(confidence), km <= ACCURACY_KM))
    return out


def reliability(points: Sequence[tuple[float, bool]], bins: int = BINS) -> dict[str, Any]:
    """The reliability table (bins of equal width over [0, 1]) and the ECE."""
    rows: list[dict[str, Any]] = []
    weighted_gap = 0.0
    for b in range(bins):
        inside = [(c, r) for c, r in points if min(int(c * bins), bins - 1) == b]
        n = len(inside)
        confidence = sum(c for c, _ in inside) / n if n else None
        accuracy = sum(r for _, r in inside) / n if n else None
        gap = (
            abs(accuracy - confidence) if accuracy is not None and confidence is not None else None
        )
        weighted_gap += n * (gap or 0.0)
        rows.append(
            {
                "bin": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
                "places": n,
                "confidence": confidence,
                "accuracy": accuracy,
                "gap": gap,
                "flagged": bool(n >= FLAG_PLACES and gap is not None and gap > FLAG_GAP),
            }
        )
    total = len(points)
    ece = weighted_gap / total if total else None
    accuracy = sum(r for _, r in points) / total if total else None
    return {"places": total, "accuracy": accuracy, "ece": ece, "bins": rows}


def format_table(name: str, report: dict[str, Any]) -> str:
    lines = [
        f"{name}: {report['places']} places, accuracy {_num(report['accuracy'])}, "
        f"ECE {_num(report['ece'])}",
        "| confidence | places | mean confidence | accuracy | gap |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in report["bins"]:
        flag = " (!)" if r["flagged"] else ""
        lines.append(
            f"| {r['bin']} | {r['places']} | {_num(r['confidence'])} | {_num(r['accuracy'])} "
            f"| {_num(r['gap'])}{flag} |"
        )
    return "\n".join(lines)


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.4f}"


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="GOLD PREDICTIONS pairs")
    parser.add_argument("--json", action="store_true", help="one JSON object")
    args = parser.parse_args(argv)
    if len(args.files) % 2:
        parser.error("expected pairs of files: GOLD.jsonl PREDICTIONS.jsonl")
    reports = {}
    pooled: list[tuple[float, bool]] = []
    for gold, pred in zip(args.files[::2], args.files[1::2], strict=True):
        try:
            points = judged(read(gold), read(pred))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            print(f"calibration: error: {gold} / {pred}: {exc}", file=sys.stderr)
            return 1
        reports[f"{gold.name} / {pred.name}"] = reliability(points)
        pooled += points
    if len(reports) > 1:
        reports["pooled"] = reliability(pooled)
    if args.json:
        print(json.dumps(reports))
    else:
        print("\n\n".join(format_table(name, r) for name, r in reports.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
