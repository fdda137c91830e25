"""Fixtures only (shared helpers live in helpers.py): a private cache folder, the small
hand-written gazetteer, the real gazetteer and model, and the CLI run on the fake NER."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result

from geotag.gazetteer import Gazetteer
from geotag.gazetteer.lookup import forget_loaded

from .helpers import FAKE_PATTERNS, MINI_DEMONYMS, MINI_GAZETTEER, fake_ner


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the real model through `real_pipeline` is a `model` test, so
    `pytest -m "not model"` leaves it out; tests that run the real model in a child
    process carry the marker themselves."""
    for item in items:
        if "real_pipeline" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.model)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the gazetteer cache away from the user's own cache directory, and let every
    test load gazetteers afresh (so tests of the disk cache see the disk)."""
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("GEOTAG_GAZETTEER", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    forget_loaded()


@pytest.fixture(scope="session")
def mini_gazetteer() -> Gazetteer:
    return Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS, cache=False)


@pytest.fixture(scope="session")
def real_gazetteer() -> Gazetteer:
    return Gazetteer.load(cache=False)


@pytest.fixture(scope="session")
def real_pipeline(real_gazetteer: Gazetteer):
    from geotag.engine.pipeline import Pipeline

    return Pipeline(gazetteer=real_gazetteer)


@pytest.fixture(scope="session")
def fake_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved spaCy pipeline whose NER is an entity ruler, usable as `--model PATH`."""
    path = tmp_path_factory.mktemp("models") / "fake_ner"
    fake_ner(FAKE_PATTERNS).to_disk(path)
    return str(path)


@pytest.fixture()
def command(fake_model: str) -> list[str]:
    """`geotag` as a real process, on the fake NER and the small gazetteer."""
    return [
        sys.executable,
        "-m",
        "geotag",
        "--model",
        fake_model,
        "--gazetteer",
        str(MINI_GAZETTEER),
    ]


@pytest.fixture()
def run(fake_model: str) -> Callable[..., Result]:
    """`geotag ARGS...` in-process on the fake NER and the small gazetteer."""
    from geotag.cli import cli

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        full = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), *args]
        return CliRunner().invoke(cli, full, input=input, catch_exceptions=False)

    return invoke
