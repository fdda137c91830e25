"""A name the recogniser calls a person or an organisation, in words that put it in a
place's role ("camps near X and Y", "the X crossing", "between X and Y"), is a place when
the gazetteer has a place of that name in a country the story is about, or lacks the name
and it reads as a place's name (`place_role.in_place_role`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.models import Document, Mention
from geotag.tagging.lexicon import listed_with, locative_frame

ROOT = Path(__file__).resolve().parents[1]


def frame_of(text: str, name: str) -> str:
    start = text.index(name)
    return locative_frame(text, start, start + len(name))


@pytest.mark.parametrize(
    ("text", "name", "frame"),
    [
        ("Tents ran out in camps near Qah and Deir Hassan.", "Qah", "near"),
        ("Tents ran out in camps near Qah and Deir Hassan.", "Deir Hassan", "near"),
        ("Shelling hit villages outside Kafr Nabl overnight.", "Kafr Nabl", "near"),
        ("Trucks waited at the Kilis border crossing for days.", "Kilis", "site"),
        ("The Rafah crossing reopened.", "Rafah", "site"),
        ("The road between Ariha and Maaret Misrin was cut.", "Ariha", "between"),
        ("The road between Ariha and Maaret Misrin was cut.", "Maaret Misrin", "between"),
        ("Fighting spread north of Hama on Monday.", "Hama", "direction"),
        ("She grew up in Harem, a border town.", "Harem", "in"),
        ("The firm signed a deal with Acme Robotics.", "Acme Robotics", ""),
        ("The crossing at Rafah reopened.", "Rafah", ""),
        ("Aid reached Azaz on Friday.", "Azaz", ""),
    ],
)
def test_locative_frames(text: str, name: str, frame: str) -> None:
    assert frame_of(text, name) == frame


def test_names_listed_with_a_name() -> None:
    text = "Families fled Aleppo, Idlib and Homs last year."
    start = text.index("Idlib")
    assert listed_with(text, start, start + len("Idlib")) == ["Aleppo", "Homs"]
    start = text.index("Aleppo")
    assert listed_with(text, start, start + len("Aleppo")) == ["Idlib"]


# -- with the real model and gazetteer ------------------------------------------------------


def tagged(pipeline: Pipeline, text: str) -> dict[str, Mention]:
    doc: Document = pipeline.tag_text(text)
    return {m.text: m for m in doc.mentions}


def recognised(pipeline: Pipeline, text: str) -> dict[str, str]:
    """What the recogniser alone calls each name."""
    return {e.text: e.label_ for e in pipeline.nlp(text).ents}


def place_of(m: Mention) -> str | None:
    res = m.resolution
    return res.place.country_code if res is not None and res.place is not None else None


def test_a_known_place_of_the_story_named_as_an_organisation(real_pipeline: Pipeline) -> None:
    """ "the Kupiansk crossing": the recogniser says ORG; the gazetteer has Kupiansk (as
    an alternate name of Kupyansk) in Ukraine, which the story is about."""
    text = (
        "Ukrainian officials said drones hit a depot outside Kramatorsk overnight. "
        "Ukraine's army said the Kupiansk crossing was shelled again."
    )
    assert recognised(real_pipeline, text)["Kupiansk"] == "ORG"
    m = tagged(real_pipeline, text)["Kupiansk"]
    assert m.label == "PLACE"
    assert place_of(m) == "UA"


def test_names_the_gazetteer_lacks_near_places(real_pipeline: Pipeline) -> None:
    """Camps near two villages the gazetteer lacks; one of them the recogniser calls a
    person: both are places, unresolved; the named crossing too."""
    text = (
        "Sudanese refugees crossed into Chad this week. Aid agencies said camps near "
        "Adre and Tine in Chad were overflowing, and the Adikong crossing was closed."
    )
    assert recognised(real_pipeline, text)["Adikong"] in ("ORG", "PERSON")
    found = tagged(real_pipeline, text)
    assert found["Adre"].label == "PLACE"
    assert found["Adikong"].label == "PLACE"
    assert place_of(found["Adikong"]) is None  # the gazetteer lacks it: unresolved


def test_people_and_firms_in_the_same_words_stay_what_they_are(
    real_pipeline: Pipeline,
) -> None:
    text = (
        "The company invested in Acme Robotics last year. Talks between Boehmer and "
        "Raynola ended without a deal. He was arraigned in Jackson County Circuit Court "
        "on Monday. Lisa met reporters near Maria Sharapova on Tuesday."
    )
    found = tagged(real_pipeline, text)
    assert found["Acme Robotics"].label == "ORG"
    assert found["Boehmer"].label == "ORG"
    assert found["Jackson County Circuit Court"].label == "ORG"
    assert found["Maria Sharapova"].label == "PERSON"


def test_the_readme_example_keeps_its_syrian_places(real_pipeline: Pipeline) -> None:
    text = (ROOT / "examples" / "idlib-ceasefire.txt").read_text(encoding="utf-8")
    before = recognised(real_pipeline, text)
    found = tagged(real_pipeline, text)
    for name in ("Saraqeb", "Sarmada", "Atmeh", "Bab al-Hawa"):
        assert before.get(name, before.get(f"the {name}")) in ("ORG", "PERSON"), name
        assert found[name].label == "PLACE", name
        assert found[name].ner_label == "GPE"  # reported as a place name
    assert place_of(found["Saraqeb"]) == "SY"
