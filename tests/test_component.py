"""geotag as a spaCy component in a pipeline built here (fake NER: an entity ruler)."""

from __future__ import annotations

import subprocess
import sys

from spacy.tokens import DocBin

from .helpers import FAKE_PATTERNS, MINI_GAZETTEER, fake_ner


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
    by_text = {ent.text: ent._.place for ent in doc.ents}
    assert by_text["Idlib"]["country_code"] == "SY"
    assert by_text["Paris"]["admin1"] == "Texas"
    assert by_text["Kremlin"]["country_code"] == "RU"
    assert by_text["Turkish"]["country_code"] == "TR"
    names = [p["place"]["name"] for p in doc._.places]
    assert "Idlib" in names and "Turkey" in names
    assert doc._.focus["countries"][0]["country_code"] in {"SY", "US", "TR", "RU"}


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
