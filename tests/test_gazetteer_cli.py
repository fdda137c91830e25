"""`geotag gazetteer info` and `geotag gazetteer lookup`, on the mini gazetteer."""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from geotag.cli import cli
from geotag.tagging.scoring import WEIGHTS

from .helpers import MINI_GAZETTEER


def gazetteer(*args: str, env: dict[str, str] | None = None):
    return CliRunner(env=env).invoke(cli, ["gazetteer", *args], catch_exceptions=False)


def test_info_json(tmp_path: Path) -> None:
    result = gazetteer("info", "--gazetteer", str(MINI_GAZETTEER), "-f", "json")
    assert result.exit_code == 0, result.stderr
    info = json.loads(result.stdout)
    raw = MINI_GAZETTEER.read_bytes()
    assert info["path"] == str(MINI_GAZETTEER)
    assert info["sha256"] == hashlib.sha256(raw).hexdigest()
    assert info["bytes"] == len(raw)
    assert info["rows"] == raw.count(b"\n") - 1
    assert sum(f["rows"] for f in info["feature_codes"]) == info["rows"]
    by_code = {(f["feature_class"], f["feature_code"]): f["rows"] for f in info["feature_codes"]}
    with MINI_GAZETTEER.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert by_code == Counter((r["feature_class"], r["feature_code"]) for r in rows)
    assert info["sources"]["geotag"] == sum(r["source"] == "geotag" for r in rows) > 0
    assert datetime.fromisoformat(info["modified"].replace("Z", "+00:00")).year >= 2020


def test_info_table_and_env(tmp_path: Path) -> None:
    result = gazetteer("info", "-f", "table", env={"GEOTAG_GAZETTEER": str(MINI_GAZETTEER)})
    assert result.exit_code == 0
    assert str(MINI_GAZETTEER) in result.stdout.replace("\n", "")
    assert "Rows by feature type" in result.stdout and "PCLI" in result.stdout
    assert "\x1b[" not in result.stdout


def test_info_of_the_shipped_gazetteer() -> None:
    info = json.loads(gazetteer("info").stdout)  # piped: JSON by default
    assert info["rows"] > 30000 and info["path"].endswith("gazetteer.csv")


def test_info_bad_gazetteer_is_one_line(tmp_path: Path) -> None:
    result = gazetteer("info", "--gazetteer", str(tmp_path / "missing.csv"))
    assert result.exit_code == 1
    assert result.stderr.startswith("geotag: error: gazetteer not found")
    assert len(result.stderr.splitlines()) == 1


def lookup(*args: str):
    return gazetteer("lookup", "--gazetteer", str(MINI_GAZETTEER), "-f", "json", *args)


def test_lookup_ranks_with_the_resolver_scores() -> None:
    result = lookup("Paris")
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["query"] == "Paris" and out["abstain_below"] > 0
    candidates = out["candidates"]
    assert [c["country_code"] for c in candidates] == ["FR", "US"]
    assert [c["rank"] for c in candidates] == [1, 2]
    assert candidates[0]["score"] >= candidates[1]["score"]
    for c in candidates:
        assert set(c["features"]) == set(WEIGHTS)
        for name, part in c["features"].items():
            assert math.isclose(part["weighted"], WEIGHTS[name] * part["value"], abs_tol=1e-3)
        total = sum(part["weighted"] for part in c["features"].values())
        assert math.isclose(total, c["score"], abs_tol=1e-3)


def test_lookup_options() -> None:
    (only,) = json.loads(lookup("Paris", "--country", "us").stdout)["candidates"]
    assert only["country_code"] == "US" and only["admin1"] == "Texas"
    assert len(json.loads(lookup("Moscow", "--limit", "1").stdout)["candidates"]) == 1
    preferred = json.loads(lookup("Paris", "--prefer-country", "US").stdout)["candidates"]
    assert preferred[0]["country_code"] == "US"
    assert preferred[0]["features"]["preference"]["value"] == 1.0
    # Abbreviations are candidates too, as they are for mentions.
    assert json.loads(lookup("N.C.").stdout)["candidates"][0]["name"] == "North Carolina"


def test_lookup_nothing_found_exits_1() -> None:
    result = lookup("Atlantis")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["candidates"] == []
    assert result.stderr == "geotag: error: no gazetteer entry is named 'Atlantis'\n"
    result = gazetteer("lookup", "--gazetteer", str(MINI_GAZETTEER), "-f", "table", "Atlantis")
    assert result.exit_code == 1 and result.stdout == ""


def test_lookup_table() -> None:
    result = gazetteer("lookup", "--gazetteer", str(MINI_GAZETTEER), "-f", "table", "Georgia")
    assert result.exit_code == 0
    out = result.stdout
    for word in ("Candidates for 'Georgia'", "PCLI", "ADM1", "Score parts", "imp.", "hint"):
        assert word in out


@pytest.mark.parametrize(
    "args",
    [["lookup", "Paris", "--country", "USA"], ["lookup", "Paris", "--limit", "0"], ["lookup"]],
)
def test_lookup_usage_errors(args: list[str]) -> None:
    assert gazetteer(*args).exit_code == 2


def test_group_help_lists_the_commands() -> None:
    result = gazetteer("--help")
    assert result.exit_code == 0
    for name in ("info", "lookup", "build"):
        assert name in result.stdout
    assert "gazetteer" in CliRunner().invoke(cli, ["--help"]).stdout


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("geotag gaz", {"gazetteer"}),
        ("geotag gazetteer ", {"build", "info", "lookup"}),
        ("geotag --geocoder-", {"--geocoder-domain", "--geocoder-timeout"}),
        ("geotag --format ", {"csv", "geojson", "json"}),
        ("geotag a.txt --no-", {"--no-demonyms", "--no-geocoder-cache"}),
    ],
)
def test_shell_completion(words: str, expected: set[str]) -> None:
    """What docs/cli.md's `_GEOTAG_COMPLETE=bash_source geotag` script asks geotag."""
    cword = len(words.split()) - (0 if words.endswith(" ") else 1)
    env = {"_GEOTAG_COMPLETE": "bash_complete", "COMP_WORDS": words, "COMP_CWORD": str(cword)}
    result = CliRunner(env=env).invoke(cli, [], prog_name="geotag")
    offered = {line.split(",", 1)[1] for line in result.stdout.splitlines()}
    assert expected <= offered, offered
