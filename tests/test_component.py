"""geotag as a spaCy component in a pipeline built here (fake NER: an entity ruler)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from spacy.tokens import DocBin

from .helpers import FAKE_PATTERNS, MINI_GAZETTEER, fake_ner

ROOT = Path(__file__).resolve().parents[1]


def build():
    nlp = fake_ner(FAKE_PATTERNS)
    nlp.add_pipe("geotag", config={"gazetteer": str(MINI_GAZETTEER)})
    return nlp


def test_factory_is_found_through_the_entry_point() -> None:
    # A fresh interpreter that never imports geotag itself: spaCy finds the factory.
    code = (
        "import spacy\n"
        "nlp = spacy.blank('en')\n"
        f"nlp.add_pipe('geotag', config={{'gazetteer': {str(MINI_GAZETTEER)!r}}})\n"
        "print(nlp.pipe_names)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['geotag']"


def test_component_sets_span_and_doc_extensions() -> None:
    nlp = build()
    doc = nlp("The Kremlin said Turkish troops shelled Idlib; Paris, Texas was calm.")
    by_text = {ent.text: ent._.geotag_place for ent in doc.ents}
    assert by_text == {ent.text: ent._.place for ent in doc.ents}  # the unprefixed alias
    assert by_text["Idlib"]["country_code"] == "SY"
    assert by_text["Paris"]["admin1"] == "Texas"
    assert by_text["Kremlin"]["country_code"] == "RU"
    assert by_text["Turkish"]["country_code"] == "TR"
    names = [p["place"]["name"] for p in doc._.geotag_places]
    assert "Idlib" in names and "Turkey" in names
    assert doc._.geotag_focus["countries"][0]["country_code"] in {"SY", "US", "TR", "RU"}
    assert doc._.places == doc._.geotag_places and doc._.focus == doc._.geotag_focus


def test_non_place_spans_have_no_place() -> None:
    nlp = build()
    doc = nlp("Peskov spoke on Tuesday.")
    assert [ent._.place for ent in doc.ents] == [None, None]


def test_docs_stay_serialisable() -> None:
    nlp = build()
    docs = list(nlp.pipe(["Idlib burned.", "Moscow slept."]))
    data = DocBin(docs=docs, store_user_data=True).to_bytes()
    restored = list(DocBin().from_bytes(data).get_docs(nlp.vocab))
    assert restored[0]._.geotag["entities"][0]["place"]["name"] == "Idlib"


def test_config_passes_preferences() -> None:
    nlp = fake_ner(FAKE_PATTERNS)
    nlp.add_pipe("geotag", config={"gazetteer": str(MINI_GAZETTEER), "prefer_countries": ["US"]})
    doc = nlp("Paris is nice.")
    assert doc.ents[0]._.place["country_code"] == "US"


def test_a_name_another_package_took_is_left_to_it_with_a_warning() -> None:
    # In a fresh interpreter: extensions are process-wide.
    code = f"""
import warnings
from spacy.tokens import Doc, Span
Span.set_extension("place", default="theirs")
Doc.set_extension("geotag_focus", default="stale")
warnings.simplefilter("always")
from tests.helpers import FAKE_PATTERNS, fake_ner
nlp = fake_ner(FAKE_PATTERNS)
with warnings.catch_warnings(record=True) as caught:
    nlp.add_pipe("geotag", config={{"gazetteer": {str(MINI_GAZETTEER)!r}}})
doc = nlp("Idlib burned.")
print(doc.ents[0]._.place, doc.ents[0]._.geotag_place["name"], doc._.geotag_focus is None)
for w in caught:
    print(w.category.__name__, w.message)
"""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    first, *warned = out.stdout.strip().splitlines()
    assert first == "theirs Idlib False"
    assert len(warned) == 2
    assert "Doc._.geotag_focus is already registered" in warned[0]
    assert "geotag replaces it" in warned[0]
    assert "Span._.place is already registered by another package" in warned[1]
    assert "use Span._.geotag_place" in warned[1]
