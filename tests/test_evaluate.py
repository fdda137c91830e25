"""geotag's own scorer: the reference figures on a small gold fixture written for this."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from geotag.cli import cli
from geotag.evaluate import read_gold, score

from .helpers import FIXTURES, MINI_GAZETTEER

GOLD = FIXTURES / "eval" / "gold.jsonl"
PRED = FIXTURES / "eval" / "pred.jsonl"
REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "eval" / "score.py"


def predictions() -> list[dict]:
    return [json.loads(line) for line in PRED.read_text(encoding="utf-8").splitlines()]


def test_figures_worked_out_by_hand() -> None:
    report = score(read_gold(GOLD), predictions())
    assert report["PLACE"]["exact"] == {"p": 1.0, "r": 0.8, "f1": 0.8889, "gold": 5, "pred": 4}
    assert report["PERSON"]["exact"]["f1"] == 1.0  # PER and PERSON fold together
    assert report["ORG"]["exact"]["f1"] == 0.0 and report["ORG"]["overlap"]["r"] == 1.0
    res = report["resolution"]
    # Idlib 12 km off (hit), Aleppo found only as ORG (miss), Paris sent to France
    # (7,800 km: wrong), Texas unresolved (miss), Moscow exact (hit).
    assert res["gold_places_with_coords"] == 5 and res["resolved"] == 3
    assert res["acc161_end_to_end"] == 0.4 and res["acc161_of_resolved"] == 0.6667
    assert res["median_km"] == pytest.approx(12.0, abs=0.5)
    assert res["geonameid_accuracy"] == 0.2


@pytest.mark.skipif(
    not REFERENCE.is_file(), reason="the reference scorer is not beside this checkout"
)
def test_agrees_with_the_reference_scorer_to_three_decimals() -> None:
    out = subprocess.run(
        [sys.executable, str(REFERENCE), str(GOLD), str(PRED), "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    theirs = json.loads(out.stdout)
    ours = score(read_gold(GOLD), predictions())
    for label in ("PERSON", "ORG", "PLACE"):
        for key, value in theirs[label]["exact"].items():
            assert ours[label]["exact"][key] == pytest.approx(value, abs=5e-4), (label, key)
        assert ours[label]["overlap"]["r"] == pytest.approx(theirs[label]["overlap"]["r"], abs=5e-4)
    for key, value in theirs["resolution"].items():
        assert ours["resolution"][key] == pytest.approx(value, abs=5e-4), key


def test_evaluate_command(fake_model: str) -> None:
    runner = CliRunner()
    base = ["evaluate", str(GOLD), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)]
    result = runner.invoke(cli, [*base, "--format", "json"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["docs"] == 2 and "PLACE" in report and "resolution" in report
    spans = runner.invoke(cli, [*base, "--gold-spans", "-f", "json"], catch_exceptions=False)
    resolved = json.loads(spans.stdout)
    assert resolved["PLACE"]["exact"]["r"] == 1.0  # the gold spans themselves
    assert resolved["resolution"]["resolved"] == 5
    assert resolved["resolution"]["acc161_end_to_end"] >= 0.8
    text = runner.invoke(cli, base, catch_exceptions=False)
    assert "PLACE   exact P" in text.stdout and "acc161_end_to_end" in text.stdout


def test_evaluate_rejects_a_broken_gold_file(fake_model: str, tmp_path: Path) -> None:
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": 1}\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["evaluate", str(bad), "--model", fake_model])
    assert result.exit_code == 1
    assert result.stderr.startswith("geotag: error:") and "gold.jsonl:1" in result.stderr
