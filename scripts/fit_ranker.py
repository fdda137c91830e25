"""Fit geotag's candidate ranker and its calibration (tagging/ranker_weights.py) on
annotated news, and measure both by k-fold cross-validation over documents.

    python scripts/fit_ranker.py ../shared/eval/geowebnews_dev.jsonl \
        ../shared/eval/lgl_dev.jsonl [--folds 5] [--seed 19] [--l2 1.0] \
        [--ner-cache DIR] [--predictions DIR] [--out PATH]

Each gold file is JSON Lines: {"id", "text", "entities": [{"start", "end", "label", "lat",
"lon"...}]} (see ../shared/eval/README.md). The script resolves every gold PLACE span
(as `geotag evaluate --gold-spans` does) and keeps, for every group of mentions, each
candidate's features scored against the rest of the story as finally settled. A
candidate is right when it lies within 161 km of the gold point. The ranker is a
conditional logit over a mention's candidates and "none of them" (scored 0; right when
no candidate is), fitted with an L2 penalty by Newton's method.

Cross-validation, by document, with the same folds for every step (each corpus split in
`--folds`, fold k of both corpora held out together):

1. fold k's weights are fitted on the other folds, and the held-out documents resolved
   with them; what each place's rule and uncalibrated share were, and whether it was
   right, is kept (out of fold);
2. fold k's calibration is fitted on those out-of-fold records of the other folds (an
   increasing map of the share by pooled adjacent violators for scored places, the rate
   of being right for each rule), and the held-out documents are resolved again with
   weights and calibration, on gold spans and end to end (on the recogniser's spans,
   kept in --ner-cache). With --predictions, those held-out predictions are written per
   corpus and mode, to be scored by ../shared/eval/score.py and scripts/calibration.py.

The shipped ranker is then fitted on every document, with the calibration of all the
out-of-fold records. Only weights and figures are written, no text of the gold files.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np

from geotag.evaluate import GoldDocument, coordinates, gold_ner_spans, norm_label, score
from geotag.gazetteer import Gazetteer
from geotag.models import RawSpan, Resolution
from geotag.tagging.candidates import MentionGroup
from geotag.tagging.geometry import great_circle_km
from geotag.tagging.local import WITHIN_NAMED
from geotag.tagging.query import PlaceQuery
from geotag.tagging.ranker import RANKER, Ranker
from geotag.tagging.resolver import Resolver
from geotag.tagging.resolver_options import ResolverOptions
from geotag.tagging.scoring import share
from geotag.tagging.tagger import Tagger, TagOptions

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src" / "geotag" / "tagging" / "ranker_weights.py"
ACCURACY_KM = 161.0
# The user's --prefer-country / --bbox never occur in the gold: its weight is not learnt
# but kept at the hand-set one's strength (2.0 at the hand-set temperature 2).
PREFERENCE_WEIGHT = 4.0
# The hand-set ranker geotag had before any fit: the first stories' contexts are settled
# with it, and its weights (at its temperature, 2) are the prior the fit is pulled to.
HAND = Ranker(
    weights={
        "type": 2.0,
        "importance": 1.2,
        "country": 1.3,
        "admin1": 0.6,
        "distance": 0.8,
        "name": 0.55,
        "label": 0.4,
        "hint": 1.5,
        "preference": 2.0,
    },
    temperature=2.0,
    abstain_below=1.2,
)
PRIOR = {name: HAND.temperature * w for name, w in HAND.weights.items()}
# A best score below this (no candidate at all some 20 times likelier) is not reported,
# whatever the confidence.
ABSTAIN_BELOW = -3.0
SCORED_RULES = ("score", "abstain")
# A rule's confidence is its rate of being right, pulled towards the scored places' rate
# by this many pseudo-places (rules that settle few places get the overall rate).
RULE_PRIOR = 10.0
# The calibration of scored places has at most this many knots, each the mean of as many
# places (fewer knots: a smoother map, less moved by a few stories).
POOLS = 10


@dataclass(slots=True)
class Doc:
    corpus: str
    gold: GoldDocument
    spans: list[RawSpan] | None = None  # the recogniser's, for end to end


@dataclass(slots=True)
class Group:
    """One group of mentions as settled: its candidates' features against the rest of
    the story, which candidates are right, and the rule's own choice."""

    rule: str
    inner: bool
    features: Any  # candidates x features
    right: Any  # candidates, bool
    settled: int  # index of the settled candidate, -1 none
    settled_right: bool
    share: float | None  # the best candidate's share, for scored groups
    confidence: float = 0.0  # as the resolver gave it


@dataclass(slots=True)
class Records:
    """What one run over documents kept: per document, its groups."""

    groups: dict[int, list[Group]] = field(default_factory=dict)


class RecordingResolver(Resolver):
    """The resolver, keeping the last document's queries and settled groups."""

    last: tuple[Sequence[PlaceQuery], dict[str, MentionGroup], list[Resolution]] | None = None

    def __init__(self, gazetteer: Gazetteer, options: ResolverOptions) -> None:
        super().__init__(gazetteer, options)
        self.extended = True  # every feature is recorded, whichever the ranker weighs

    def resolve(self, text: str, queries: Sequence[PlaceQuery]) -> list[Resolution]:
        results, groups = self.resolve_groups(text, queries)
        self.last = (queries, groups, results)
        return results


def read_corpora(paths: Sequence[Path]) -> list[Doc]:
    docs = []
    for path in paths:
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    gold = GoldDocument(rec["id"], rec["text"], tuple(rec.get("entities", ())))
                    docs.append(Doc(path.stem, gold))
    return docs


def add_recognised_spans(docs: Sequence[Doc], paths: Sequence[Path], cache: Path | None) -> None:
    """The recogniser's spans of every document, as scripts/fit_recognition.py keeps them."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from fit_recognition import read_corpora as recognised

    by_key = {(d.corpus, str(d.gold.id)): d for d in docs}
    for d in recognised(paths, cache):
        by_key[(d.corpus, str(d.gold.id))].spans = d.spans


def folds_of(docs: Sequence[Doc], k: int, seed: int) -> list[int]:
    """Each document's fold: every corpus shuffled with the seed and dealt into k folds."""
    fold = [0] * len(docs)
    for corpus in sorted({d.corpus for d in docs}):
        idx = [i for i, d in enumerate(docs) if d.corpus == corpus]
        random.Random(seed).shuffle(idx)
        for n, i in enumerate(idx):
            fold[i] = n % k
    return fold


# -- recording ---------------------------------------------------------------------------


def run(
    docs: Sequence[Doc],
    which: Iterable[int],
    gazetteer: Gazetteer,
    ranker: Ranker,
    *,
    end_to_end: bool = False,
    records: Records | None = None,
    min_confidence: float | None = None,
    rules_off: frozenset[str] = frozenset(),
) -> dict[int, dict[str, Any]]:
    """Tag documents with a ranker: gold spans (or the recogniser's), their predictions
    as `geotag evaluate` writes them, and with `records` what each group was."""
    tagger = Tagger(gazetteer, TagOptions(ranker=ranker))
    options = tagger.options.resolver
    if min_confidence is not None:
        options = replace(options, min_confidence=min_confidence)
    options = replace(options, rules_off=rules_off)
    resolver = RecordingResolver(gazetteer, options)
    tagger.resolver = resolver
    out = {}
    for i in which:
        d = docs[i]
        if end_to_end:
            assert d.spans is not None
            doc = tagger.tag(d.gold.text, d.spans, id=d.gold.id)
        else:
            spans = gold_ner_spans(gazetteer, d.gold)
            doc = tagger.tag(d.gold.text, spans, id=d.gold.id, given_places=True)
        out[i] = doc.to_dict()
        if records is not None and resolver.last is not None:
            records.groups[i] = groups_of(d.gold, resolver, *resolver.last)
        resolver.last = None
    return out


def groups_of(
    gold: GoldDocument,
    resolver: Resolver,
    queries: Sequence[PlaceQuery],
    groups: Mapping[str, MentionGroup],
    results: Sequence[Resolution],
) -> list[Group]:
    gaz = resolver.gazetteer
    points = [
        (e["start"], e["end"], c)
        for e in gold.entities
        if norm_label(e["label"]) == "PLACE" and (c := coordinates(e)) is not None
    ]
    context = resolver._context(groups.values())
    found = []
    for i, q in enumerate(queries):
        point = _gold_point(q, points) if q.kind == "demonym" else None
        country = results[i].place
        if point is not None and country is not None:
            hit = great_circle_km((country.lat, country.lon), point) <= ACCURACY_KM
            conf = results[i].confidence
            found.append(Group("demonym", False, _NONE, np.zeros(0, bool), 0, hit, None, conf))
    for g in groups.values():
        golds = [p for i in g.members if (p := _gold_point(queries[i], points)) is not None]
        if not golds:
            continue
        if not g.rows:
            # A place the gazetteer lacks, placed within another (or left unresolved).
            if g.settled is not None:
                here = gaz.place(g.settled)
                conf = results[g.members[0]].confidence
                for point in golds:
                    hit = great_circle_km((here.lat, here.lon), point) <= ACCURACY_KM
                    key = _rule_key(g, resolver.ranker)
                    found.append(Group(key, g.inner, _NONE, np.zeros(0, bool), 0, hit, None, conf))
            continue
        context.add(gaz, g.settled, -g.weight)
        scored = [resolver.score_candidate(g, r, context)[1] for r in g.rows]
        context.add(gaz, g.settled, +g.weight)
        features = np.array([[v for _, v in f] for f in scored])
        places = [gaz.place(r) for r in g.rows]
        settled = g.rows.index(g.settled) if g.settled is not None else -1
        shared = share([s for s, _, _ in g.scored], resolver.ranker) if g.scored else None
        for point in golds:
            right = np.array(
                [great_circle_km((p.lat, p.lon), point) <= ACCURACY_KM for p in places]
            )
            if g.settled is not None and g.settled not in g.rows:
                here = gaz.place(g.settled)
                settled_right = great_circle_km((here.lat, here.lon), point) <= ACCURACY_KM
            else:
                settled_right = bool(settled >= 0 and right[settled])
            if g.rule == "abstain" and g.scored:
                # Whether the share it abstained on was right: its best candidate's.
                settled_right = bool(right[g.rows.index(g.scored[0][1])])
            found.append(
                Group(
                    _rule_key(g, resolver.ranker),
                    g.inner,
                    features,
                    right,
                    settled,
                    settled_right,
                    shared if g.rule in SCORED_RULES else None,
                    results[g.members[0]].confidence,
                )
            )
    return found


_NONE = np.zeros((0, 0))


def _rule_key(g: MentionGroup, ranker: Ranker) -> str:
    """The rule, and for a place within another whether that one was named with it (the
    confidence it was given tells)."""
    if g.rule == "within":
        named = ranker.rule_confidence.get("within-named", WITHIN_NAMED)
        return "within-named" if g.confidence == named else "within-story"
    return g.rule or "no-candidate"


def _gold_point(
    q: PlaceQuery, points: Sequence[tuple[int, int, tuple[float, float]]]
) -> tuple[float, float] | None:
    overlap = [(min(e, q.end) - max(s, q.start), c) for s, e, c in points]
    best = max(overlap, default=(0, None), key=lambda t: t[0])
    return best[1] if best[0] > 0 else None


def feature_names(gazetteer: Gazetteer) -> list[str]:
    resolver = RecordingResolver(gazetteer, ResolverOptions())
    return [name for name, _ in resolver.candidates("Paris")[0].features]


# -- fitting -----------------------------------------------------------------------------


def fit(
    groups: Sequence[Group], names: Sequence[str], l2: float, prior: Mapping[str, float]
) -> dict[str, float]:
    """Conditional logit over each group's candidates and "none of them" (scored 0), its
    weights pulled towards `prior` (by an L2 penalty on their difference)."""
    groups = [g for g in groups if len(g.right)]
    if not groups:
        return {**{name: prior.get(name, 0.0) for name in names}, "preference": PREFERENCE_WEIGHT}
    x = np.concatenate([g.features for g in groups])
    right = np.concatenate([g.right for g in groups]).astype(float)
    inst = np.concatenate([np.full(len(g.right), n) for n, g in enumerate(groups)])
    weight = np.ones(len(groups))
    none_right = np.array([0.0 if g.right.any() else 1.0 for g in groups])
    n = len(groups)
    learnt = np.array([name != "preference" for name in names], dtype=float)
    penalty = l2 * np.array([0.0 if name == "bias" else 1.0 for name in names])
    centre = np.array([prior.get(name, 0.0) for name in names])

    def loss_grad_hess(w: Any, with_hessian: bool) -> tuple[float, Any, Any]:
        s = x @ w
        # Each sum of exponentials relative to its largest term, so that none underflows.
        top = np.maximum(np.zeros(n), _segment_max(s, inst, n))
        top_q = np.maximum(
            np.where(none_right > 0, 0.0, -np.inf),
            _segment_max(np.where(right > 0, s, -np.inf), inst, n),
        )
        e = np.exp(s - top[inst])
        eq = np.exp(np.minimum(s - top_q[inst], 0.0)) * right
        z = np.bincount(inst, e, n) + np.exp(-top)
        zq = np.bincount(inst, eq, n) + np.exp(np.minimum(-top_q, 0.0)) * none_right
        off = w - centre
        loss = float(np.sum(weight * (np.log(z) + top - np.log(zq) - top_q))) + 0.5 * float(
            np.sum(penalty * off * off)
        )
        p = e / z[inst]
        q = eq / zq[inst]
        wi = weight[inst]
        grad = x.T @ (wi * (p - q)) + penalty * off
        hess = None
        if with_hessian:
            a = _segment_sum(p[:, None] * x, inst, n)
            b = _segment_sum(q[:, None] * x, inst, n)
            hess = (
                (x * (wi * (p - q))[:, None]).T @ x
                - (a * weight[:, None]).T @ a
                + (b * weight[:, None]).T @ b
            )
            hess += np.diag(penalty + 1e-6)
        return loss, grad * learnt, hess

    w = centre.copy()
    for _ in range(100):
        loss, grad, hess = loss_grad_hess(w, True)
        hess = hess * np.outer(learnt, learnt) + np.diag(1.0 - learnt)
        try:
            step = np.linalg.solve(hess, grad)
        except np.linalg.LinAlgError:
            step = grad
        if float(step @ grad) <= 0:
            step = grad  # not a descent direction (the Hessian is indefinite there)
        t = 1.0
        while t > 1e-8:
            new = w - t * step
            if loss_grad_hess(new, False)[0] <= loss - 1e-4 * t * float(step @ grad):
                break
            t /= 2
        w = new
        if np.abs(t * step).max() < 1e-7:
            break
    weights = {name: round(float(v), 4) for name, v in zip(names, w, strict=True)}
    weights["preference"] = PREFERENCE_WEIGHT
    return weights


def _segment_max(values: Any, segment: Any, n: int) -> Any:
    out = np.full(n, -np.inf)
    np.maximum.at(out, segment, values)
    return out


def _segment_sum(values: Any, segment: Any, n: int) -> Any:
    out = np.zeros((n, values.shape[1]))
    np.add.at(out, segment, values)
    return out


def isotonic(points: Sequence[tuple[float, bool]], bins: int = 20) -> list[tuple[float, float]]:
    """An increasing map from share to rate of being right, by pooled adjacent violators
    over the shares in order: knots at each pool's mean share and rate, pools of at
    least len/bins places so that no knot rests on a handful."""
    pts = sorted(points)
    least = max(1, len(pts) // bins)
    pools: list[list[float]] = []  # [sum of shares, rights, count]
    chunk: list[float] = [0.0, 0.0, 0.0]
    for x, y in pts:
        chunk = [chunk[0] + x, chunk[1] + y, chunk[2] + 1]
        if chunk[2] >= least:
            pools.append(chunk)
            chunk = [0.0, 0.0, 0.0]
            while len(pools) > 1 and pools[-2][1] / pools[-2][2] >= pools[-1][1] / pools[-1][2]:
                last = pools.pop()
                pools[-1] = [a + b for a, b in zip(pools[-1], last, strict=True)]
    if chunk[2]:
        pools.append(chunk)
        while len(pools) > 1 and pools[-2][1] / pools[-2][2] >= pools[-1][1] / pools[-1][2]:
            last = pools.pop()
            pools[-1] = [a + b for a, b in zip(pools[-1], last, strict=True)]
    return [(round(s / c, 4), round(r / c, 4)) for s, r, c in pools]


def category(g: Group) -> str:
    """What a place's confidence is calibrated by: its rule (`inner` for a name placed
    by a name inside it), or its share for a scored place."""
    if g.inner:
        return "inner"
    return "score" if g.rule in SCORED_RULES else g.rule


def calibrate(groups: Sequence[Group]) -> tuple[list[tuple[float, float]], dict[str, float]]:
    """The calibration of a ranker from out-of-fold records: knots for scored places,
    a rate for each rule."""
    scored = [(g.share, g.settled_right) for g in groups if category(g) == "score"]
    knots = isotonic([(float(s), r) for s, r in scored if s is not None], POOLS)
    overall = sum(r for _, r in scored) / max(1, len(scored))
    rules: dict[str, list[int]] = {}
    for g in groups:
        c = category(g)
        if c != "score":
            rules.setdefault(c, [0, 0])
            rules[c][0] += g.settled_right
            rules[c][1] += 1
    rates = {
        c: round((right + RULE_PRIOR * overall) / (n + RULE_PRIOR), 4)
        for c, (right, n) in sorted(rules.items())
        if c not in ("no-candidate",)
    }
    return knots, rates


def by_category(records: Records) -> dict[str, tuple[int, float, float]]:
    table: dict[str, list[float]] = {}
    for gs in records.groups.values():
        for g in gs:
            if g.rule == "abstain" or g.rule == "no-candidate":
                continue
            row = table.setdefault(category(g), [0, 0.0, 0.0])
            row[0] += 1
            row[1] += g.confidence
            row[2] += g.settled_right
    return {c: (int(n), s / n, r / n) for c, (n, s, r) in sorted(table.items())}


def ranker_of(
    weights: Mapping[str, float] | None,
    knots: Sequence[tuple[float, float]] = (),
    rules: Mapping[str, float] | None = None,
) -> Ranker:
    """A fitted ranker (the hand-set one for weights None) with this calibration."""
    base = (
        HAND
        if weights is None
        else Ranker(dict(weights), temperature=1.0, none_option=True, abstain_below=ABSTAIN_BELOW)
    )
    return replace(base, calibration=tuple(knots), rule_confidence=dict(rules or {}))


# -- the rules against the model ---------------------------------------------------------


def rules_against_model(
    groups: Mapping[int, list[Group]], fold: Sequence[int], folds: int, names: list[str], l2: float
) -> dict[str, tuple[int, int, int]]:
    """Per rule, on held-out documents: places, right by the rule, right by the model's
    best candidate (the rule off), each fold's model fitted on the other folds."""
    table: dict[str, list[int]] = {}
    for k in range(folds):
        train = [g for i, gs in groups.items() if fold[i] != k for g in gs]
        w = np.array([fit(train, names, l2, PRIOR)[n] for n in names])
        for i, gs in groups.items():
            if fold[i] != k:
                continue
            for g in gs:
                if g.rule in SCORED_RULES or not len(g.right):
                    continue
                best = int(np.argmax(g.features @ w))
                row = table.setdefault(g.rule, [0, 0, 0])
                row[0] += 1
                row[1] += g.settled_right
                row[2] += bool(g.right[best])
    return {rule: (n, a, b) for rule, (n, a, b) in sorted(table.items())}


# -- output ------------------------------------------------------------------------------


def write_predictions(
    folder: Path, name: str, docs: Sequence[Doc], predicted: Mapping[int, dict[str, Any]]
) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for corpus in sorted({d.corpus for d in docs}):
        with (folder / f"{corpus}.{name}.jsonl").open("w", encoding="utf-8") as out:
            for i, d in enumerate(docs):
                if d.corpus == corpus and i in predicted:
                    out.write(json.dumps(predicted[i], ensure_ascii=False) + "\n")


def figures(docs: Sequence[Doc], predicted: Mapping[int, dict[str, Any]]) -> dict[str, str]:
    out = {}
    for corpus in sorted({d.corpus for d in docs}):
        idx = [i for i, d in enumerate(docs) if d.corpus == corpus]
        report = score([docs[i].gold for i in idx], [predicted[i] for i in idx])
        res = report["resolution"]
        out[corpus] = (
            f"acc@161 {res['acc161_end_to_end']:.4f} "
            f"(of resolved {res['acc161_of_resolved']:.4f}), "
            f"PLACE F1 {report['PLACE']['exact']['f1']:.4f}"
        )
    return out


def write_weights(path: Path, ranker: Ranker, summary: Sequence[str]) -> None:
    data: dict[str, object] = {
        "weights": dict(sorted(ranker.weights.items())),
        "temperature": ranker.temperature,
        "none_option": ranker.none_option,
        "abstain_below": ranker.abstain_below,
        "calibration": [list(k) for k in ranker.calibration],
        "rule_confidence": dict(ranker.rule_confidence),
    }
    body = json.dumps(data, indent=4).replace("true", "True").replace("false", "False")
    # A knot on one line, and trailing commas, as ruff formats them.
    body = re.sub(r"\[\s+([-\d.e]+),\s+([-\d.e]+)\s+\]", r"[\1, \2]", body)
    for _ in range(2):  # a closing bracket after another: the second pass
        body = re.sub(r"([^\[{,\s])\n(\s*[}\]])", r"\1,\n\2", body)
    text = (
        '"""The candidate ranker\'s weights and calibration: written by scripts/fit_ranker.py, '
        "do\nnot edit by hand (refit instead).\n\n"
        + "\n".join(summary)
        + '\n"""\n\nRANKER_WEIGHTS: dict[str, object] = '
        + body
        + "\n"
    )
    path.write_text(text, encoding="utf-8")


@dataclass(slots=True)
class Variant:
    """One way of ranking, cross-validated: its weights per fold (None: the hand-set
    ones), the out-of-fold records calibrated on, and the held-out predictions."""

    name: str
    weights: dict[int, dict[str, float] | None] = field(default_factory=dict)
    oof: Records = field(default_factory=Records)
    calibrated: Records = field(default_factory=Records)
    gold_spans: dict[int, dict[str, Any]] = field(default_factory=dict)
    end_to_end: dict[int, dict[str, Any]] = field(default_factory=dict)

    def accuracy(self, docs: Sequence[Doc]) -> float:
        """The mean of acc@161 over corpora and modes: what the variants are chosen by."""
        found = []
        for predicted in (self.gold_spans, self.end_to_end):
            for corpus in sorted({d.corpus for d in docs}):
                idx = [i for i, d in enumerate(docs) if d.corpus == corpus and i in predicted]
                if idx:
                    report = score([docs[i].gold for i in idx], [predicted[i] for i in idx])
                    found.append(report["resolution"]["acc161_end_to_end"] or 0.0)
        return sum(found) / max(1, len(found))


def cross_validate(
    variant: Variant,
    docs: Sequence[Doc],
    first: Records,
    fold: Sequence[int],
    folds: int,
    gazetteer: Gazetteer,
    names: list[str],
    args: argparse.Namespace,
) -> None:
    everything = range(len(docs))
    # 1. Out-of-fold weights, and what they decide on held-out documents.
    for k in range(folds):
        train = [g for i, gs in first.groups.items() if fold[i] != k for g in gs]
        learnt = variant.name == "learned"
        variant.weights[k] = fit(train, names, args.l2, PRIOR) if learnt else None
        held = [i for i in everything if fold[i] == k]
        run(docs, held, gazetteer, ranker_of(variant.weights[k]), records=variant.oof)
    # 2. Out-of-fold calibration, and the held-out predictions with both.
    for k in range(folds):
        calibration = [g for i, gs in variant.oof.groups.items() if fold[i] != k for g in gs]
        ranker = ranker_of(variant.weights[k], *calibrate(calibration))
        held = [i for i in everything if fold[i] == k]
        least = args.min_confidence
        variant.gold_spans.update(
            run(docs, held, gazetteer, ranker, min_confidence=least, records=variant.calibrated)
        )
        if not args.no_end_to_end:
            variant.end_to_end.update(
                run(docs, held, gazetteer, ranker, end_to_end=True, min_confidence=least)
            )
    print(f"  {variant.name}: cross-validated", file=sys.stderr, flush=True)


# The rules that can be turned off, their mentions left to the scores.
RULES = (
    "hint-region",
    "hint-city",
    "landmark",
    "continent",
    "country",
    "parent",
    "single",
    "world-city",
    "local",
    "home",
)


def ablate(docs: Sequence[Doc], gazetteer: Gazetteer, folder: Path, end_to_end: bool) -> None:
    """Predictions of the shipped ranker with all rules, and with each one off."""
    everything = range(len(docs))
    for off in ("", *RULES):
        name = f"off-{off}" if off else "on"
        rules = frozenset({off} if off else ())
        predicted = run(docs, everything, gazetteer, RANKER, rules_off=rules)
        write_predictions(folder, f"{name}.gold-spans", docs, predicted)
        if end_to_end:
            predicted = run(docs, everything, gazetteer, RANKER, end_to_end=True, rules_off=rules)
            write_predictions(folder, f"{name}.end-to-end", docs, predicted)
        print(f"  {name}: written", file=sys.stderr, flush=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="+", type=Path, help="gold JSON Lines files")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty (default 1)")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--ner-cache", type=Path, help="folder to keep the recogniser's spans")
    parser.add_argument("--no-end-to-end", action="store_true", help="gold spans only")
    parser.add_argument("--predictions", type=Path, help="folder for held-out predictions")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument(
        "--ablate",
        type=Path,
        metavar="DIR",
        help="only write the shipped ranker's predictions with each rule on and off (for "
        "scripts/cv_rule_choice.py) to DIR",
    )
    parser.add_argument(
        "--min-confidence",
        type=float,
        help="the resolver's min_confidence for the held-out predictions (default: its own)",
    )
    args = parser.parse_args(argv)

    gazetteer = Gazetteer.load()
    docs = read_corpora(args.gold)
    if not args.no_end_to_end:
        add_recognised_spans(docs, args.gold, args.ner_cache)
    names = feature_names(gazetteer)
    fold = folds_of(docs, args.folds, args.seed)
    if args.ablate:
        ablate(docs, gazetteer, args.ablate, end_to_end=not args.no_end_to_end)
        return 0

    # The candidates as the hand-set ranker settles the stories.
    first = Records()
    run(docs, range(len(docs)), gazetteer, HAND, records=first)
    n_groups = sum(len(gs) for gs in first.groups.values())
    print(f"{len(docs)} documents, {n_groups} gold mentions in groups with candidates")

    variants = [Variant("learned"), Variant("hand")]
    for variant in variants:
        cross_validate(variant, docs, first, fold, args.folds, gazetteer, names, args)
    chosen = max(variants, key=lambda v: v.accuracy(docs))

    summary = [
        f"Fitted {date.today().isoformat()} on {len(docs)} documents "
        f"({', '.join(p.name for p in args.gold)}),",
        f"{n_groups} gold mentions, L2 {args.l2}. Held-out figures ({args.folds}-fold "
        f"cross-validation over documents,",
        f"seed {args.seed}; weights and calibration fitted on the other folds), the learned "
        "weights against",
        "the hand-set ones (calibrated alike); the better on the mean acc@161 is shipped: "
        f"{chosen.name}.",
    ]
    for variant in variants:
        summary.append(f"{variant.name} (mean acc@161 {variant.accuracy(docs):.4f}):")
        for mode, predicted in (
            ("gold spans", variant.gold_spans),
            ("end to end", variant.end_to_end),
        ):
            if predicted:
                summary += [f"  {mode}, {c}: {f}" for c, f in figures(docs, predicted).items()]
        if args.predictions:
            write_predictions(
                args.predictions, f"{variant.name}-gold-spans", docs, variant.gold_spans
            )
            if variant.end_to_end:
                write_predictions(
                    args.predictions, f"{variant.name}-end-to-end", docs, variant.end_to_end
                )
    summary.append(
        f"{chosen.name}, held out on gold spans, by what decided (places, mean confidence, right):"
    )
    for c, (n, confidence, right) in by_category(chosen.calibrated).items():
        summary.append(f"  {c}: {n}, {confidence:.3f}, {right:.3f}")
    summary.append(
        "Each rule against the learned model's best candidate (held out; places, right):"
    )
    for rule, (n, by_rule, by_model) in rules_against_model(
        first.groups, fold, args.folds, names, args.l2
    ).items():
        summary.append(f"  {rule}: {n} places, rule {by_rule}, model {by_model}")

    final_weights = (
        fit([g for gs in first.groups.values() for g in gs], names, args.l2, PRIOR)
        if chosen.name == "learned"
        else None
    )
    knots, rules = calibrate([g for gs in chosen.oof.groups.values() for g in gs])
    write_weights(args.out, ranker_of(final_weights, knots, rules), summary)
    print("\n".join(summary))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
