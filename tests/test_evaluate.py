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


GOOD = {"start": 14, "end": 20, "label": "GPE", "lat": 55.75, "lon": 37.62}
TEXT = "Peskov was in Moscow."
MALFORMED = {
    "a JSON list": ("[1, 2]", "expected a JSON object, got a list"),
    "a number as text": ('"7"', "expected a JSON object, got a string ('7')"),
    "a bare number": ("7", "expected a JSON object, got a number (7)"),
    "not JSON": ("{id: 1}", "malformed JSON"),
    "no text": ('{"id": 1}', "no 'text' field; expected the document's text as a string"),
    "text a number": ('{"text": 5}', "'text' is a number (5); expected the document's text"),
    "id an object": (
        {"id": {"a": 1}, "text": TEXT},
        "'id' is an object; expected a string or a number",
    ),
    "entities an object": (
        {"text": TEXT, "entities": {"a": 1}},
        "'entities' is an object; expected a list",
    ),
    "an entity as a string": (
        {"text": TEXT, "entities": ["Moscow"]},
        "entity 1: expected an object with start, end and label, got a string ('Moscow')",
    ),
    "no label": (
        {"text": TEXT, "entities": [{"start": 14, "end": 20}]},
        "entity 1: no 'label'; expected a label such as PLACE, PERSON or ORG",
    ),
    "a label that is a number": (
        {"text": TEXT, "entities": [{**GOOD, "label": 3}]},
        "entity 1: 'label' is a number (3); expected a label",
    ),
    "a non-numeric lat": (
        {"text": TEXT, "entities": [GOOD, {**GOOD, "lat": "north"}]},
        "entity 2: latitude is a string ('north'); expected a number",
    ),
    "a lat beyond the pole": (
        {"text": TEXT, "entities": [{**GOOD, "lat": 95}]},
        "entity 1: latitude 95 is outside [-90, 90]",
    ),
    "a nested lon out of range": (
        {
            "text": TEXT,
            "entities": [{**GOOD, "lat": None, "lon": None, "place": {"lat": 1, "lng": 200}}],
        },
        "entity 1: longitude 200 is outside [-180, 180]",
    ),
    "a string offset": (
        {"text": TEXT, "entities": [{**GOOD, "start": "14"}]},
        "entity 1: 'start' is a string ('14'); expected a character offset (an integer)",
    ),
    "a boolean offset": (
        {"text": TEXT, "entities": [{**GOOD, "end": True}]},
        "entity 1: 'end' is a boolean; expected a character offset",
    ),
    "no end": (
        {"text": TEXT, "entities": [{"start": 1, "label": "GPE"}]},
        "entity 1: no 'end'",
    ),
    "a span beyond the text": (
        {"text": TEXT, "entities": [{**GOOD, "end": 99}]},
        "entity 1: span 14-99 is not inside the text (0-21)",
    ),
    "a span backwards": (
        {"text": TEXT, "entities": [{**GOOD, "start": 20, "end": 14}]},
        "entity 1: span 20-14 is not inside the text",
    ),
    "a geonameid that is a word": (
        {"text": TEXT, "entities": [{**GOOD, "geonameid": "Moscow"}]},
        "entity 1: geonameid is a string ('Moscow'); expected an integer",
    ),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_gold_record_is_file_line_and_reason(
    fake_model: str, tmp_path: Path, case: str
) -> None:
    record, reason = MALFORMED[case]
    line = record if isinstance(record, str) else json.dumps(record)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"id": "ok", "text": TEXT}) + "\n\n" + line + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["evaluate", str(gold), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)]
    )
    assert result.exit_code == 1, result.output
    assert result.stdout == ""
    (message,) = result.stderr.splitlines()
    assert message.startswith(f"geotag: error: {gold}:3: {reason}"), message


def test_gold_ids_must_be_unique(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    lines = [{"id": 7, "text": "a"}, {"id": "x", "text": "b"}, {"id": "7", "text": "c"}]
    gold.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    with pytest.raises(Exception, match=r"gold.jsonl:3: id '7' is used by line 1 too"):
        read_gold(gold)


def test_gold_ids_reach_the_predictions_as_they_were(fake_model: str, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    ids = [7, "7b", True, 2.5]
    entity = {"start": 14, "end": 20, "label": "GPE", "lat": 55.75, "lon": 37.62}
    records = [{"id": i, "text": TEXT, "entities": [entity]} for i in ids]
    records.append({"text": TEXT})  # no id: its line number
    gold.write_text("\ufeff" + "".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    args = ["evaluate", str(gold), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)]
    result = CliRunner().invoke(cli, [*args, "-f", "json", "--predictions", str(pred)])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["docs_missing_from_pred"] == 0 and report["PLACE"]["exact"]["r"] == 1.0
    written = [json.loads(line)["id"] for line in pred.read_text(encoding="utf-8").splitlines()]
    assert written == [*ids, 5]
