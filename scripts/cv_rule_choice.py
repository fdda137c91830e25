"""Cross-validate a choice between variants of a rule, by document.

Each variant is one prediction file for the same gold corpus (geotag run with the rule one
way or the other). The documents are split into K folds; for each fold the variant that
scores best on the other folds is chosen, and its predictions for the held-out fold are
kept. The kept predictions, scored together, are the cross-validated figure: what choosing
the rule on dev stories would give on stories it was not chosen on. Scoring is the
reference scorer's own (`score.py`, loaded from its path).

    python scripts/cv_rule_choice.py GOLD.jsonl --scorer ../shared/eval/score.py \
        --variant named=P1.jsonl --variant story=P2.jsonl [--metric acc161_end_to_end]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
from pathlib import Path
from types import ModuleType
from typing import Any


def load_scorer(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("reference_score", path)
    if spec is None or spec.loader is None:
        raise SystemExit(f"cannot load the scorer at {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def metric(report: dict[str, Any], name: str) -> float:
    if name == "place_f1":
        return float(report["PLACE"]["exact"]["f1"])
    value = report["resolution"][name]
    return float(value) if value is not None else 0.0


def folds_of(ids: list[Any], k: int, seed: int) -> list[set[str]]:
    keys = sorted(json.dumps(i) for i in ids)
    random.Random(seed).shuffle(keys)
    return [set(keys[i::k]) for i in range(k)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("gold", type=Path)
    ap.add_argument("--scorer", type=Path, required=True)
    ap.add_argument("--variant", action="append", required=True, metavar="NAME=PREDICTIONS")
    ap.add_argument("--metric", default="acc161_end_to_end")
    ap.add_argument("-k", type=int, default=5)
    ap.add_argument("--seed", type=int, default=19)
    args = ap.parse_args()
    scorer = load_scorer(args.scorer)
    gold = read(args.gold)
    variants: dict[str, dict[str, dict[str, Any]]] = {}
    for spec in args.variant:
        name, _, path = spec.partition("=")
        variants[name] = {json.dumps(d["id"]): d for d in read(Path(path))}
    folds = folds_of([d["id"] for d in gold], args.k, args.seed)

    def score(docs: list[dict[str, Any]], preds: dict[str, dict[str, Any]]) -> dict[str, Any]:
        chosen = [preds[json.dumps(d["id"])] for d in docs if json.dumps(d["id"]) in preds]
        result: dict[str, Any] = scorer.score(docs, chosen)
        return result

    for name, preds in variants.items():
        print(f"{name} on all of dev: {args.metric} {metric(score(gold, preds), args.metric):.4f}")
    kept: dict[str, dict[str, Any]] = {}
    for i, held_out in enumerate(folds):
        train = [d for d in gold if json.dumps(d["id"]) not in held_out]
        best = max(variants, key=lambda n: metric(score(train, variants[n]), args.metric))
        print(f"fold {i + 1}: chosen {best}")
        kept.update({key: variants[best][key] for key in held_out if key in variants[best]})
    report = score(gold, kept)
    print(
        f"cross-validated ({args.k} folds by document): {args.metric} "
        f"{metric(report, args.metric):.4f}; PLACE F1 {metric(report, 'place_f1'):.4f}; "
        f"acc161 end to end {metric(report, 'acc161_end_to_end'):.4f}"
    )


if __name__ == "__main__":
    main()
