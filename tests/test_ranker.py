"""The candidate ranker and its calibration: the shipped one loads and decides, confidence
is monotone and calibrated, and the scripts that fit it (scripts/fit_ranker.py) and
measure it (scripts/calibration.py) work on gold files of our own."""

from __future__ import annotations

import importlib.util
import json
import math
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from geotag.gazetteer import Gazetteer
from geotag.tagging.query import PlaceQuery
from geotag.tagging.ranker import RANKER, Ranker
from geotag.tagging.resolver import Resolver
from geotag.tagging.resolver_options import ResolverOptions
from geotag.tagging.rules import RULE_CONFIDENCE
from geotag.tagging.scoring import confidence, share

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def load_script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, SCRIPTS / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def queries_for(text: str, *names: str) -> list[PlaceQuery]:
    found = [
        PlaceQuery(m.start(), m.end(), name, "GPE")
        for name in names
        for m in re.finditer(re.escape(name), text)
    ]
    return sorted(found, key=lambda q: q.start)


# -- the shipped ranker --------------------------------------------------------------------


def test_the_shipped_ranker_is_the_resolvers_and_its_weights_rank(
    real_gazetteer: Gazetteer,
) -> None:
    default = Resolver(real_gazetteer)
    assert default.ranker is RANKER
    assert RANKER.calibration and RANKER.rule_confidence
    paris = default.candidates("Paris")
    assert paris[0].place.country_code == "FR"
    # The score is the weighted sum of the features, with the shipped weights.
    for c in paris[:5]:
        assert math.isclose(c.score, sum(RANKER.weights[k] * v for k, v in c.features))
    # Other weights, another ranking: the weights are read, not fixed in the code.
    small_first = Ranker({"importance": -3.0, "name": 1.0}, temperature=2.0)
    other = Resolver(real_gazetteer, ResolverOptions(ranker=small_first)).candidates("Paris")
    assert other[0].place.population < paris[0].place.population


def test_confidences_come_from_the_calibration(real_gazetteer: Gazetteer) -> None:
    text = "Farmers in France and in Springfield, near Chicago and Peoria, met in Paris."
    names = ("France", "Springfield", "Chicago", "Peoria", "Paris")
    resolver = Resolver(real_gazetteer)
    queries = queries_for(text, *names)
    results, groups = resolver.resolve_groups(text, queries)
    by_name = {q.text: r for q, r in zip(queries, results, strict=True)}
    assert by_name["France"].rule == "country"
    assert by_name["France"].confidence == RANKER.rule_confidence["country"]
    assert RANKER.rule_confidence["country"] != RULE_CONFIDENCE["country"]
    scored = [g for g in groups.values() if g.rule == "score"]
    assert scored
    for g in scored:
        expected = RANKER.calibrated(share([s for s, _, _ in g.scored]))
        assert by_name[queries[g.members[0]].text].confidence == pytest.approx(expected)


def test_confidence_is_monotone_in_the_share_and_a_probability() -> None:
    grid = [i / 200 for i in range(201)]
    values = [RANKER.calibrated(x) for x in grid]
    assert all(0.0 <= v <= 1.0 for v in values)
    assert values == sorted(values)
    # A clearer lead over the runner-up never lowers the confidence.
    leads = [confidence([1.0 + d, 1.0, 0.5]) for d in np.linspace(0, 3, 31)]
    assert leads == sorted(leads) and leads[-1] > leads[0]


def test_calibration_interpolates_between_knots_and_is_bounded_beyond() -> None:
    ranker = Ranker({}, calibration=((0.2, 0.1), (0.6, 0.5), (1.0, 0.9)))
    assert ranker.calibrated(0.0) == 0.0  # below the first knot: the share, at most 0.1
    assert ranker.calibrated(0.15) == 0.1
    assert ranker.calibrated(0.4) == pytest.approx(0.3)
    assert ranker.calibrated(0.8) == pytest.approx(0.7)
    assert ranker.calibrated(1.0) == 0.9
    assert Ranker({}).calibrated(0.37) == 0.37  # no knots: the share itself


def test_none_of_them_takes_its_share() -> None:
    alone = Ranker({}, temperature=1.0)
    with_none = Ranker({}, temperature=1.0, none_option=True)
    assert share([0.0], alone) == 1.0
    assert share([0.0], with_none) == pytest.approx(0.5)
    assert share([math.log(3.0)], with_none) == pytest.approx(0.75)


# -- scripts/fit_ranker.py -----------------------------------------------------------------


def test_the_conditional_logit_recovers_known_weights() -> None:
    fit_ranker = load_script("fit_ranker")
    rng = np.random.default_rng(7)
    names = ["a", "b", "bias"]
    truth = np.array([2.0, -1.0, 0.5])
    groups = []
    for _ in range(1500):
        x = np.column_stack([rng.normal(size=4), rng.normal(size=4), np.ones(4)])
        scores = np.append(x @ truth, 0.0)  # the last: none of them
        p = np.exp(scores - scores.max())
        pick = rng.choice(5, p=p / p.sum())
        right = np.arange(4) == pick
        groups.append(fit_ranker.Group("score", False, x, right, -1, False, None))
    weights = fit_ranker.fit(groups, names, 0.01, {})
    assert [weights[n] for n in names] == pytest.approx(truth.tolist(), abs=0.25)


def test_isotonic_is_increasing_and_pools_violators() -> None:
    fit_ranker = load_script("fit_ranker")
    points = [(0.1, False), (0.2, True), (0.3, False), (0.5, True), (0.9, True)]
    knots = fit_ranker.isotonic(points, bins=len(points))
    rates = [y for _, y in knots]
    assert rates == sorted(rates)
    # 0.2 (right) and 0.3 (wrong) pooled to a rate of a half; 0.5 and 0.9 (both right) too.
    assert knots == [(0.1, 0.0), (0.25, 0.5), (0.7, 1.0)]


def _gold(text: str, places: dict[str, tuple[float, float]]) -> list[dict[str, Any]]:
    out = []
    for name, (lat, lon) in places.items():
        for m in re.finditer(re.escape(name), text):
            out.append(
                {"start": m.start(), "end": m.end(), "label": "PLACE", "text": name,
                 "lat": lat, "lon": lon}
            )  # fmt: skip
    return out


TINY = {
    "news": [
        ("Officials in Paris, Texas said the storm reached Dallas and Tyler.",
         {"Paris": (33.66, -95.56), "Texas": (31.25, -99.25), "Dallas": (32.78, -96.81),
          "Tyler": (32.35, -95.30)}),
        ("Paris and Lyon saw protests as France's cabinet met in Paris.",
         {"Paris": (48.85, 2.35), "Lyon": (45.75, 4.85), "France": (46.0, 2.0)}),
    ],
    "local": [
        ("Springfield officials in Illinois met lawmakers from Chicago and Peoria.",
         {"Springfield": (39.80, -89.64), "Illinois": (40.0, -89.0),
          "Chicago": (41.85, -87.65), "Peoria": (40.69, -89.59)}),
        ("Farmers near Columbus, Ohio and Cleveland worried about Toledo.",
         {"Columbus": (39.96, -83.0), "Ohio": (40.25, -83.0), "Cleveland": (41.50, -81.69),
          "Toledo": (41.66, -83.56)}),
    ],
}  # fmt: skip


def test_fit_ranker_runs_end_to_end_on_a_tiny_gold_file(
    tmp_path: Path, real_gazetteer: Gazetteer, capsys: pytest.CaptureFixture[str]
) -> None:
    fit_ranker = load_script("fit_ranker")
    files = []
    for corpus, docs in TINY.items():
        path = tmp_path / f"{corpus}.jsonl"
        lines = [
            json.dumps({"id": f"{corpus}-{n}", "text": text, "entities": _gold(text, places)})
            for n, (text, places) in enumerate(docs)
        ]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files.append(str(path))
    out = tmp_path / "ranker_weights.py"
    predictions = tmp_path / "predictions"
    args = [*files, "--folds", "2", "--no-end-to-end", "--out", str(out)]
    assert fit_ranker.main([*args, "--predictions", str(predictions)]) == 0
    printed = capsys.readouterr().out
    assert "shipped:" in printed and f"wrote {out}" in printed
    namespace: dict[str, Any] = {}
    exec(out.read_text(encoding="utf-8"), namespace)
    ranker = Ranker.from_dict(namespace["RANKER_WEIGHTS"])
    knots = list(ranker.calibration)
    assert [y for _, y in knots] == sorted(y for _, y in knots)
    assert all(0.0 <= p <= 1.0 for p in ranker.rule_confidence.values())
    # Held-out predictions for every gold document, one file per corpus and variant.
    held = predictions / "news.hand-gold-spans.jsonl"
    assert [json.loads(line)["id"] for line in held.read_text().splitlines()] == [
        "news-0",
        "news-1",
    ]
    # The ranker written is one a resolver runs with.
    resolver = Resolver(real_gazetteer, ResolverOptions(ranker=ranker))
    assert resolver.candidates("Paris")


# -- scripts/calibration.py ----------------------------------------------------------------


def test_calibration_reports_the_ece_of_a_hand_made_example(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calibration = load_script("calibration")
    text = "Aa Bb Cc Dd"
    gold = {
        "id": 1,
        "text": text,
        "entities": [
            {"start": i * 3, "end": i * 3 + 2, "label": "PLACE", "lat": 10.0, "lon": 10.0}
            for i in range(4)
        ],
    }
    far = 12.0  # more than 161 km away
    guesses = [(10.0, 0.95), (10.0, 0.91), (far, 0.93), (far, 0.35)]
    pred = {
        "id": 1,
        "entities": [
            {"start": i * 3, "end": i * 3 + 2, "label": "PLACE",
             "place": {"lat": lat, "lon": 10.0, "confidence": c}}
            for i, (lat, c) in enumerate(guesses)
        ],
    }  # fmt: skip
    (tmp_path / "gold.jsonl").write_text(json.dumps(gold) + "\n")
    (tmp_path / "pred.jsonl").write_text(json.dumps(pred) + "\n")
    assert (
        calibration.main([str(tmp_path / "gold.jsonl"), str(tmp_path / "pred.jsonl"), "--json"])
        == 0
    )
    (report,) = json.loads(capsys.readouterr().out).values()
    # Bin 0.9-1.0: three places, mean confidence 0.93, two right; bin 0.3-0.4: one, wrong.
    top = report["bins"][9]
    assert top["places"] == 3 and top["accuracy"] == pytest.approx(2 / 3)
    assert top["confidence"] == pytest.approx(0.93)
    assert report["bins"][3]["places"] == 1 and report["bins"][3]["accuracy"] == 0.0
    expected = (3 * abs(2 / 3 - 0.93) + 1 * 0.35) / 4
    assert report["ece"] == pytest.approx(expected)
    assert not any(b["flagged"] for b in report["bins"])  # no bin has 50 places


def test_calibration_wants_pairs_of_files(tmp_path: Path) -> None:
    calibration = load_script("calibration")
    with pytest.raises(SystemExit) as exit_:
        calibration.main([str(tmp_path / "gold.jsonl")])
    assert exit_.value.code == 2
