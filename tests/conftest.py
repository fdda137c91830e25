"""Shared fixtures: a small hand-written gazetteer, a fake NER, the real model, and the CLI
run on the fake NER and the small gazetteer."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.gazetteer import Gazetteer

FIXTURES = Path(__file__).parent / "fixtures"
MINI_GAZETTEER = FIXTURES / "mini_gazetteer.csv"
MINI_DEMONYMS = FIXTURES / "mini_demonyms.csv"
ARTICLES = FIXTURES / "articles"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch):
    """Keep the gazetteer cache away from the user's own cache directory."""
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "cache"))
    monkeypatch.delenv("GEOTAG_GAZETTEER", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture(scope="session")
def mini_gazetteer() -> Gazetteer:
    return Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS, cache=False)


@pytest.fixture(scope="session")
def real_gazetteer() -> Gazetteer:
    return Gazetteer.load(cache=False)


@pytest.fixture(scope="session")
def real_pipeline(real_gazetteer: Gazetteer):
    from geotag.pipeline import Pipeline

    return Pipeline(gazetteer=real_gazetteer)


def fake_ner(patterns: list[tuple[str, str]]):
    """A blank English pipeline whose entity ruler plays the NER: fast and predictable."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": text} for text, label in patterns])
    return nlp


FAKE_PATTERNS = [
    ("Dmitry Peskov", "PERSON"),
    ("Peskov", "PERSON"),
    ("Kremlin", "ORG"),
    ("Reuters", "ORG"),
    ("Turkish", "NORP"),
    ("Syrian", "NORP"),
    ("Muslim", "NORP"),
    ("Idlib", "GPE"),
    ("Moscow", "GPE"),
    ("Ankara", "GPE"),
    ("Turkey", "GPE"),
    ("Paris", "GPE"),
    ("Texas", "GPE"),
    ("Atlantis", "LOC"),
    ("Tuesday", "DATE"),
]


@pytest.fixture(scope="session")
def fake_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A saved spaCy pipeline whose NER is an entity ruler, usable as `--model PATH`."""
    path = tmp_path_factory.mktemp("models") / "fake_ner"
    fake_ner(FAKE_PATTERNS).to_disk(path)
    return str(path)


@pytest.fixture()
def run(fake_model: str) -> Callable[..., Result]:
    """`geotag ARGS...` in-process on the fake NER and the small gazetteer."""
    from geotag.cli import cli

    def invoke(*args: str, input: str | bytes | None = None) -> Result:
        full = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), *args]
        return CliRunner().invoke(cli, full, input=input, catch_exceptions=False)

    return invoke


class Recorder(io.BytesIO):
    """A stream that remembers what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[bytes] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())
