"""Golden outputs: whole stories through the real model and gazetteer, every format,
compared byte for byte with the files in tests/golden/. A change to what geotag prints
for these stories shows up here as a diff, intended or not.

Regenerate after an intended change, then review the diff before committing:

    GEOTAG_UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from geotag.cli import cli

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).parent / "golden"
STORIES = [
    "examples/idlib-ceasefire.txt",
    "examples/georgia-runoff.txt",
    "examples/red-sea-shipping.txt",
    "tests/golden/stories/us-china-trade.txt",
    "tests/golden/stories/local-alabama.txt",
]
FORMATS = {"json": "json", "csv": "csv", "geojson": "geojson", "table": "txt"}
UPDATE = os.environ.get("GEOTAG_UPDATE_GOLDEN") == "1"

pytestmark = pytest.mark.model


@pytest.mark.parametrize("story", STORIES, ids=lambda s: Path(s).stem)
@pytest.mark.parametrize("fmt", list(FORMATS))
def test_output_matches_golden_file(story: str, fmt: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(ROOT)
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    result = CliRunner().invoke(cli, [story, "-f", fmt], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"{Path(story).stem}.{FORMATS[fmt]}"
    if UPDATE:
        golden.write_text(result.stdout, encoding="utf-8")
    assert golden.is_file(), (
        f"no golden file {golden}: run GEOTAG_UPDATE_GOLDEN=1 pytest {__file__}"
    )
    assert result.stdout == golden.read_text(encoding="utf-8")
