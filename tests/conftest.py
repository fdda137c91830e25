"""Fixtures only (shared helpers live in helpers.py): a private cache folder, the small
hand-written gazetteer, the real gazetteer and model, the CLI run on the fake NER, and a
headless Chromium (devtools.py)."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.gazetteer import Gazetteer
from geotag.gazetteer.lookup import forget_loaded

from .devtools import CHROMIUM, NO_CHROMIUM, Browser
from .helpers import FAKE_PATTERNS, MINI_DEMONYMS, MINI_GAZETTEER, fake_ner


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """A test that uses the real model through `real_pipeline` is a `model` test, so
    `pytest -m "not model"` leaves it out; tests that run the real model in a child
    process carry the marker themselves. A test that drives headless Chromium (`browser`)
    or runs on the Dask LocalCluster of test_dask.py (`client`) is `slow`: each starts
    processes and waits on them, so `pytest -m "not slow"` leaves it out."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "real_pipeline" in fixtures:
            item.add_marker(pytest.mark.model)
        if "browser" in fixtures:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        if "client" in fixtures and item.get_closest_marker("dask"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the gazetteer cache away from the user's own cache directory, and let every
    test load gazetteers afresh (so tests of the disk cache see the disk)."""
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("GEOTAG_GAZETTEER", raising=False)
    monkeypatch.delenv("GEOTAG_OVERRIDES", raising=False)
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


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless Chromium for the `browser` tests, skipped where it is not installed."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    with tempfile.TemporaryDirectory(prefix="geotag-chromium-") as profile:
        chromium = Browser(Path(profile))
        try:
            yield chromium
        finally:
            chromium.close()
