"""Fit geotag's place-recognition model (tagging/recognition_weights.py) on annotated news.

    python scripts/fit_recognition.py ../shared/eval/geowebnews_dev.jsonl \
        ../shared/eval/lgl_dev.jsonl [--folds 5] [--ner-cache DIR] [--out PATH]

Each gold file is JSON Lines: {"id", "text", "entities": [{"start", "end", "label"...}]}
(see ../shared/eval/README.md). The script runs geotag's recogniser on every text (or
reads its spans from --ner-cache, where it also writes them), builds the place candidates
exactly as the tagger does (`geotag.tagging.recognition.candidates`), labels a candidate
a place when a gold PLACE span has exactly its offsets, and fits a logistic regression
with an L2 penalty by Newton's method.

How well it generalises is measured by cross-validation over documents: each fold's model
tags the held-out documents end to end (`Tagger.tag` on the recogniser's spans) and the
pooled out-of-fold predictions are scored like `geotag evaluate`. The acceptance threshold
is the one with the best mean PLACE F1 over the corpora out of fold; the shipped weights
are then fitted on every document. Only weights and figures are written: no text of the
gold files goes into the repository.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from geotag.evaluate import GoldDocument, score
from geotag.gazetteer import Gazetteer
from geotag.models import RawSpan
from geotag.tagging.recognition import RecognitionModel, candidates, is_filtered
from geotag.tagging.repair import prepare_spans
from geotag.tagging.tagger import Tagger, TagOptions

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "geotag" / "tagging" / "recognition_weights.py"
THRESHOLDS = [round(0.25 + 0.025 * i, 3) for i in range(21)]  # 0.25 ... 0.75
MIN_PRECISION = 0.85
PLACE = {"PLACE", "GPE", "LOC", "FAC", "LOCATION", "TOPONYM"}


@dataclass(slots=True)
class Doc:
    corpus: str
    gold: GoldDocument
    spans: list[RawSpan]


def read_corpora(paths: Sequence[Path], cache: Path | None) -> list[Doc]:
    docs: list[Doc] = []
    recognise = None
    for path in paths:
        cached = cache / f"{path.stem}.ner.jsonl" if cache else None
        known: dict[str, list[RawSpan]] = {}
        if cached is not None and cached.is_file():
            for line in cached.read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                known[rec["id"]] = [(s, e, label) for s, e, label in rec["spans"]]
        fresh: list[dict[str, Any]] = []
        with path.open(encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                rec = json.loads(line)
                rid = str(rec["id"])
                gold = GoldDocument(rid, rec["text"], tuple(rec.get("entities", ())))
                spans = known.get(rid)
                if spans is None:
                    if recognise is None:
                        recognise = _recogniser()
                    spans = recognise(gold.text)
                    fresh.append({"id": rid, "spans": spans})
                docs.append(Doc(path.stem, gold, spans))
        if cached is not None and fresh:
            cached.parent.mkdir(parents=True, exist_ok=True)
            with cached.open("a", encoding="utf-8") as out:
                for rec in fresh:
                    out.write(json.dumps(rec) + "\n")
    return docs


def _recogniser() -> Any:
    """The recogniser's spans of a text, cut into pieces as the pipeline cuts them."""
    from geotag.engine.model import CHUNK_CHARS, load_nlp, spans_of
    from geotag.engine.pipeline import split_text

    nlp = load_nlp()

    def recognise(text: str) -> list[RawSpan]:
        found: list[RawSpan] = []
        for offset, piece in split_text(text, CHUNK_CHARS):
            found += [(s + offset, e + offset, label) for s, e, label in spans_of(nlp(piece))]
        return found

    return recognise


def examples(doc: Doc, gazetteer: Gazetteer) -> list[tuple[dict[str, float], int]]:
    gold = {
        (e["start"], e["end"])
        for e in doc.gold.entities
        if str(e.get("label", "")).upper() in PLACE
    }
    fixed, named = prepare_spans(doc.gold.text, doc.spans, gazetteer)
    return [
        (c.features, int((c.start, c.end) in gold))
        for c in candidates(doc.gold.text, fixed, gazetteer, named)
        if not is_filtered(c)
    ]


def fit(rows: Sequence[tuple[dict[str, float], int]], l2: float) -> tuple[list[str], Any, float]:
    """Logistic regression by Newton's method: (feature names, weights, bias)."""
    names = sorted({k for f, _ in rows for k in f})
    index = {k: i for i, k in enumerate(names)}
    x = np.zeros((len(rows), len(names) + 1))
    y = np.zeros(len(rows))
    for n, (f, label) in enumerate(rows):
        for k, v in f.items():
            x[n, index[k]] = v
        x[n, -1] = 1.0
        y[n] = label
    w = np.zeros(len(names) + 1)
    penalty = np.full(len(names) + 1, l2)
    penalty[-1] = 0.0  # no penalty on the bias
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + penalty * w
        hessian = (x * (p * (1 - p))[:, None]).T @ x + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-7:
            break
    return names, w[:-1], float(w[-1])


def model_of(names: list[str], w: Any, bias: float, threshold: float) -> RecognitionModel:
    return RecognitionModel({k: float(v) for k, v in zip(names, w, strict=True)}, bias, threshold)


def tag_all(docs: Iterable[Doc], tagger: Tagger) -> list[dict[str, Any]]:
    return [tagger.tag(d.gold.text, d.spans, id=d.gold.id).to_dict() for d in docs]


def place_figures(docs: list[Doc], predicted: list[dict[str, Any]]) -> dict[str, float]:
    report = score([d.gold for d in docs], predicted)
    place = report["PLACE"]["exact"]
    res = report["resolution"]
    return {
        "p": place["p"],
        "r": place["r"],
        "f1": place["f1"],
        "acc161": res["acc161_end_to_end"] or 0.0,
        "acc161_found": res["acc161_of_resolved"] or 0.0,
    }


def cross_validate(
    docs: list[Doc], gazetteer: Gazetteer, folds: int, l2: float, seed: int
) -> dict[float, dict[str, dict[str, float]]]:
    """Out-of-fold figures per threshold and corpus."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    fold_of = {i: n % folds for n, i in enumerate(order)}
    rows = [examples(d, gazetteer) for d in docs]
    predicted: dict[float, list[dict[str, Any]]] = {t: [{}] * len(docs) for t in THRESHOLDS}
    for k in range(folds):
        train = [r for i, doc_rows in enumerate(rows) if fold_of[i] != k for r in doc_rows]
        names, w, bias = fit(train, l2)
        held = [i for i in range(len(docs)) if fold_of[i] == k]
        for t in THRESHOLDS:
            tagger = Tagger(gazetteer, TagOptions(recognition=model_of(names, w, bias, t)))
            for i, out in zip(held, tag_all((docs[i] for i in held), tagger), strict=True):
                predicted[t][i] = out
        print(f"  fold {k + 1}/{folds} done", file=sys.stderr, flush=True)
    corpora = sorted({d.corpus for d in docs})
    figures: dict[float, dict[str, dict[str, float]]] = {}
    for t in THRESHOLDS:
        figures[t] = {}
        for corpus in corpora:
            idx = [i for i, d in enumerate(docs) if d.corpus == corpus]
            figures[t][corpus] = place_figures(
                [docs[i] for i in idx], [predicted[t][i] for i in idx]
            )
    return figures


def write_weights(
    path: Path,
    names: list[str],
    w: Any,
    bias: float,
    threshold: float,
    summary: list[str],
) -> None:
    weights = {k: round(float(v), 4) for k, v in zip(names, w, strict=True)}
    lines = [
        '"""The place-recognition model\'s weights: written by scripts/fit_recognition.py, do',
        "not edit by hand (refit instead).",
        "",
        *summary,
        '"""',
        "",
        "RECOGNITION: dict[str, object] = {",
        f'    "bias": {round(bias, 4)!r},',
        f'    "threshold": {threshold!r},',
        '    "weights": {',
        *(f"        {json.dumps(k)}: {v!r}," for k, v in sorted(weights.items())),
        "    },",
        "}",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", type=Path, help="gold JSON Lines files")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty (default 1)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--ner-cache", type=Path, help="folder to keep the recogniser's spans")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)

    gazetteer = Gazetteer.load()
    docs = read_corpora(args.gold, args.ner_cache)
    rows = [r for d in docs for r in examples(d, gazetteer)]
    positives = sum(label for _, label in rows)
    golds = sum(
        1 for d in docs for e in d.gold.entities if str(e.get("label", "")).upper() in PLACE
    )
    print(
        f"{len(docs)} documents, {len(rows)} candidates, {positives} of them gold places "
        f"(of {golds} gold places: candidate recall {positives / max(golds, 1):.3f})"
    )
    figures = cross_validate(docs, gazetteer, args.folds, args.l2, args.seed)
    # The best mean F1 among the thresholds that keep precision at 0.85 or more on every
    # corpus (a place reported should be right), else the best mean F1.
    precise = [t for t in THRESHOLDS if all(c["p"] >= MIN_PRECISION for c in figures[t].values())]
    best = max(precise or THRESHOLDS, key=lambda t: sum(c["f1"] for c in figures[t].values()))
    corpora = sorted(figures[best])
    summary = [
        f"Fitted {date.today().isoformat()} on {len(docs)} documents "
        f"({', '.join(p.name for p in args.gold)}),",
        f"{len(rows)} candidates, L2 {args.l2}.",
        f"Threshold {best}: the best mean PLACE F1 out of fold ({args.folds}-fold cross-",
        f"validation over documents) with precision >= {MIN_PRECISION} on every corpus.",
        "Out-of-fold figures at that threshold:",
    ]
    for corpus in corpora:
        c = figures[best][corpus]
        recall_at = max(
            (figures[t][corpus]["r"] for t in THRESHOLDS if figures[t][corpus]["p"] >= 0.85),
            default=math.nan,
        )
        summary += [
            f"  {corpus}: PLACE P {c['p']:.3f} R {c['r']:.3f} F1 {c['f1']:.3f}, recall at "
            f"precision >= 0.85 {recall_at:.3f};",
            f"    acc@161 end to end {c['acc161']:.3f}, of found {c['acc161_found']:.3f}",
        ]
    for t in THRESHOLDS:
        row = "  ".join(
            f"{corpus} P {figures[t][corpus]['p']:.3f} R {figures[t][corpus]['r']:.3f} "
            f"F1 {figures[t][corpus]['f1']:.3f}"
            for corpus in corpora
        )
        print(f"threshold {t:.3f}: {row}")
    names, w, bias = fit(rows, args.l2)
    write_weights(args.out, names, w, bias, best, summary)
    print("\n".join(summary))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
