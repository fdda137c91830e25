"""Hostile inputs of the third reliability round (issue 23): each one a defect a user could
hit, each answered here by what geotag does now (the real model and gazetteer where the
claim is about them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.cli import cli
from geotag.errors import GazetteerError
from geotag.gazetteer import Gazetteer

from .helpers import ARTICLES, MINI_GAZETTEER

HEADER = MINI_GAZETTEER.read_text(encoding="utf-8").splitlines()[0]


def invoke(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def one_line_error(result: Result, *parts: str) -> None:
    """An error on stderr in one line naming each of `parts`, nothing on stdout."""
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("geotag: error: ")
    for part in parts:
        assert part in lines[0]


# -- 2. a named gazetteer is the one used, or the run stops ----------------------------------


@pytest.fixture()
def header_only(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def article() -> str:
    return str(next(ARTICLES.glob("*.txt")))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_header_only_gazetteer_stops_the_run(
    header_only: Path, article: str, fake_model: str, jobs: str
) -> None:
    result = invoke(
        "--model", fake_model, "--gazetteer", str(header_only), "-j", jobs, "-f", "jsonl", article
    )
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_header_only_gazetteer_stops_evaluate(header_only: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": 1, "text": "Troops entered Idlib.", "entities": []}\n')
    result = invoke("evaluate", str(gold), "--gazetteer", str(header_only))
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_header_only_gazetteer_stops_the_api(header_only: Path) -> None:
    from geotag import load_pipeline

    with pytest.raises(GazetteerError, match="no places") as caught:
        load_pipeline(gazetteer=header_only)
    assert str(header_only) in str(caught.value)


def test_header_only_gazetteer_is_refused_also_from_a_warm_cache(header_only: Path) -> None:
    # The compiled index is cached by content: a second load must not slip past the check.
    for _ in range(2):
        with pytest.raises(GazetteerError, match="no places"):
            Gazetteer.load(header_only)


@pytest.mark.dask
def test_header_only_gazetteer_stops_a_cluster_run(header_only: Path, article: str) -> None:
    pytest.importorskip("distributed")
    result = invoke("--gazetteer", str(header_only), "--cluster", "local:1", "-f", "jsonl", article)
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_a_given_gazetteer_is_used_whatever_its_size(
    mini_gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """The pipeline takes the gazetteer it is given: never the shipped one in its place."""
    from geotag.engine.pipeline import Pipeline
    from geotag.tagging.tagger import Tagger

    from .helpers import fake_ner

    class Sized(Gazetteer):
        """The mini gazetteer, pretending to be empty as an object with __len__ can."""

        def __len__(self) -> int:
            return 0

    given = Sized.__new__(Sized)
    given.__dict__.update(mini_gazetteer.__dict__)
    pipeline = Pipeline(gazetteer=given, nlp=fake_ner([("Idlib", "GPE")]))
    assert isinstance(pipeline.tagger, Tagger)
    assert pipeline.tagger.gazetteer is given
