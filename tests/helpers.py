"""Helpers shared by the test modules: fixture paths, the fake NER, the sample text, and
small readers of geotag's output. Test modules import from here, never from conftest.py
or from each other."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
MINI_GAZETTEER = FIXTURES / "mini_gazetteer.csv"
MINI_DEMONYMS = FIXTURES / "mini_demonyms.csv"
# One rule of each kind, with ids the mini gazetteer has.
OVERRIDES = FIXTURES / "overrides.toml"
ARTICLES = FIXTURES / "articles"
GEONAMES = FIXTURES / "geonames"

# A short article the fake NER and the mini gazetteer know every name of.
TEXT = "The Kremlin said on Tuesday that Turkish troops shelled Idlib. Peskov was in Moscow."

# The fake NER's entities: an entity ruler plays the recogniser, fast and predictable.
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


def atlantis_gazetteer(folder: Path) -> Path:
    """The mini gazetteer plus five towns named Atlantis, alike in all but their country:
    nothing in a text tells them apart, so a mention of Atlantis stays unresolved."""
    path = folder / "atlantis.csv"
    rows = [MINI_GAZETTEER.read_text(encoding="utf-8").rstrip("\n")]
    for n, cc in enumerate(("DE", "BR", "IN", "JP", "KE")):
        rows.append(f"{9000 + n},Atlantis,,,{n}.5,{n}.5,P,PPL,{cc},,,50000,test")
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def fake_ner(patterns: list[tuple[str, str]]):
    """A blank English pipeline whose entity ruler plays the NER: fast and predictable."""
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": label, "pattern": text} for text, label in patterns])
    return nlp


def json_stream(text: str) -> list[dict]:
    """Parse concatenated JSON values, as jq reads them."""
    decoder = json.JSONDecoder()
    out, pos = [], 0
    text = text.strip()
    while pos < len(text):
        obj, end = decoder.raw_decode(text, pos)
        out.append(obj)
        pos = end
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return out


class Recorder(io.BytesIO):
    """A stream that remembers what had been written at each flush."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed: list[bytes] = []

    def flush(self) -> None:
        self.flushed.append(self.getvalue())


def unreadable_file(tmp_path: Path) -> str:
    """A path whose reading raises PermissionError, also for root: chmod 0 where that
    binds, else a link to a write-only kernel setting (root is refused those too)."""
    if os.geteuid() != 0:
        path = tmp_path / "secret.txt"
        path.write_text("Moscow")
        path.chmod(0)
        return str(path)
    for target in ("/proc/sys/vm/drop_caches", "/proc/sys/vm/compact_memory"):
        try:
            with open(target, "rb"):
                continue  # readable after all
        except PermissionError:
            link = tmp_path / "secret.txt"
            link.symlink_to(target)
            return str(link)
        except OSError:
            continue
    pytest.skip("no file here refuses reading to root")


# Generous: only a hang (the bug the batch tests look for) comes anywhere near it.
HANG = 120


def docs(stdout: str) -> list[dict]:
    """The documents of `-f jsonl` output, one a line."""
    return [json.loads(line) for line in stdout.splitlines()]


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("geotag: error:")]


def write(path: Path, data: str | bytes) -> str:
    """Write an input file (folders made as needed) and return its path as geotag names it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return str(path)


def entity_texts(doc: dict) -> list[str]:
    return [e["text"] for e in doc["entities"]]
