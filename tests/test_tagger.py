"""From NER spans to documents: labels, span repair, aggregation and focus (no model)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geotag.gazetteer import Gazetteer
from geotag.options import PipelineOptions
from geotag.tagging.spans import trim_span
from geotag.tagging.tagger import Tagger, TagOptions


def spans(text: str, *marks: tuple[str, str]) -> list[tuple[int, int, str]]:
    out = []
    for surface, label in marks:
        start = 0
        while (i := text.find(surface, start)) >= 0:
            out.append((i, i + len(surface), label))
            start = i + len(surface)
    return out


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" Idlib, ", "Idlib"),
        ("“Aleppo”", "Aleppo"),
        ("Hayat Tahrir al-Sham (HTS", "Hayat Tahrir al-Sham"),
        ("Hayat Tahrir al-Sham (HTS)", "Hayat Tahrir al-Sham (HTS)"),
        ("the U.S.", "the U.S."),
        ("Syria.", "Syria"),
        ("St.", "St."),
        ("'s", "s"),
    ],
)
def test_trim_span(text: str, expected: str) -> None:
    start, end = trim_span(text, 0, len(text))
    assert text[start:end] == expected


def test_labels_map_to_person_org_place(mini_gazetteer: Gazetteer) -> None:
    text = (
        "Peskov of the Kremlin met Reuters in Idlib; Syrian and Muslim groups watched on Tuesday."
    )
    marks = spans(
        text,
        ("Peskov", "PERSON"),
        ("Kremlin", "ORG"),
        ("Reuters", "ORG"),
        ("Idlib", "GPE"),
        ("Syrian", "NORP"),
        ("Muslim", "NORP"),
        ("Tuesday", "DATE"),
    )
    doc = Tagger(mini_gazetteer).tag(text, marks)
    got = [(m.text, m.label, m.kind) for m in doc.mentions]
    assert got == [
        ("Peskov", "PERSON", None),
        ("Kremlin", "PLACE", "toponym"),
        ("Reuters", "ORG", None),
        ("Idlib", "PLACE", "toponym"),
        ("Syrian", "PLACE", "demonym"),
    ]
    no_demonyms = Tagger(mini_gazetteer, TagOptions(PipelineOptions(demonyms=False))).tag(
        text, marks
    )
    assert "Syrian" not in [m.text for m in no_demonyms.mentions]


def test_people_gather_surnames_under_full_names(mini_gazetteer: Gazetteer) -> None:
    text = "Dmitry Peskov spoke. Peskov said no. Later Peskov left."
    doc = Tagger(mini_gazetteer).tag(
        text, spans(text, ("Dmitry Peskov", "PERSON"), ("Peskov", "PERSON"))
    )
    (person,) = doc.people
    assert person.name == "Dmitry Peskov" and person.mentions == 3
    assert person.forms == ("Peskov", "Dmitry Peskov")


def test_places_gather_by_resolved_place(mini_gazetteer: Gazetteer) -> None:
    text = "Turkish jets hit Idlib. Turkey said Idlib was a threat."
    doc = Tagger(mini_gazetteer).tag(
        text, spans(text, ("Turkish", "NORP"), ("Turkey", "GPE"), ("Idlib", "GPE"))
    )
    by_name = {e.name: e for e in doc.places}
    assert by_name["Idlib"].mentions == 2
    turkey = by_name["Turkey"]
    assert (
        turkey.mentions == 2
        and turkey.kind == "toponym"
        and set(turkey.forms) == {"Turkish", "Turkey"}
    )


def test_focus_passes_mentions_up_and_weighs_demonyms_less(mini_gazetteer: Gazetteer) -> None:
    text = "Shelling in Idlib and Aleppo. Turkish troops watched."
    doc = Tagger(mini_gazetteer).tag(
        text, spans(text, ("Idlib", "GPE"), ("Aleppo", "GPE"), ("Turkish", "NORP"))
    )
    countries = [(f.place.country_code, round(f.score, 2)) for f in doc.focus.countries]
    # Syria: two places, 1 + 1; Turkey: a demonym, the square root of its half weight.
    assert countries == [("SY", 0.74), ("TR", 0.26)]
    assert {f.place.name for f in doc.focus.regions} == {"Idlib", "Aleppo"}
    assert all(f.place.feature_code == "ADM1" for f in doc.focus.regions)
    assert [f.place.feature_class for f in doc.focus.cities] == ["P", "P"]


def test_overlapping_spans_keep_the_longer(mini_gazetteer: Gazetteer) -> None:
    text = "Moscow Kremlin"
    doc = Tagger(mini_gazetteer).tag(text, [(0, 6, "GPE"), (0, 14, "FAC")])
    assert [m.text for m in doc.mentions] == ["Moscow Kremlin"]


LABELS = st.sampled_from(["PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "DATE"])
WORDS = st.sampled_from(
    [
        "Idlib",
        "Paris",
        "Texas",
        "the",
        "Kremlin",
        "Syrian",
        "(",
        ")",
        ",",
        "  ",
        "U.S.",
        "’s",
        "Ḥalab",
        "Georgia",
        "\n\n",
        "province",
        "city",
        "x",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(WORDS, max_size=30),
    picks=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 40), LABELS), max_size=12),
)
def test_any_spans_give_valid_offsets_and_json(mini_gazetteer: Gazetteer, words, picks) -> None:
    text = " ".join(words)
    raw = [(s, min(len(text), s + n), lab) for s, n, lab in picks if s < len(text)]
    doc = Tagger(mini_gazetteer).tag(text, raw)
    ends = 0
    orgs = [m for m in doc.mentions if m.label == "ORG"]
    for m in doc.mentions:
        assert 0 <= m.start < m.end <= len(text)
        assert text[m.start : m.end] == m.text
        if m.embedded:  # a place inside an organisation's name, and only there
            assert any(o.start <= m.start and m.end <= o.end for o in orgs)
            continue
        assert m.start >= ends  # otherwise no overlaps, in order
        ends = m.end
        if m.resolution is not None:
            assert 0.0 <= m.resolution.confidence <= 1.0
    json.loads(json.dumps(doc.to_dict()))


def test_demonym_adjectives_are_places_and_people_words_are_demonyms(
    mini_gazetteer: Gazetteer,
) -> None:
    text = "Syrian troops and Turkish tanks moved; Syrians and Turks fled; a Turk stayed."
    marks = spans(
        text,
        ("Syrian", "NORP"),
        ("Turkish", "NORP"),
        ("Syrians", "NORP"),
        ("Turks", "NORP"),
        ("Turk", "NORP"),
    )
    doc = Tagger(mini_gazetteer).tag(text, marks)
    got = [(m.text, m.label, m.resolution.place.country_code) for m in doc.mentions]
    assert got == [
        ("Syrian", "PLACE", "SY"),
        ("Turkish", "PLACE", "TR"),
        ("Syrians", "DEMONYM", "SY"),
        ("Turks", "DEMONYM", "TR"),
        ("Turk", "DEMONYM", "TR"),
    ]
    syria = next(e for e in doc.places if e.resolution.place.country_code == "SY")
    assert syria.mentions == 2 and syria.kind == "demonym"


def test_embedded_places_keep_their_organisation(real_gazetteer: Gazetteer) -> None:
    text = "The University of Texas said 20 people died."
    doc = Tagger(real_gazetteer).tag(text, spans(text, ("University of Texas", "ORG")))
    org, place = doc.mentions
    assert (org.label, org.text) == ("ORG", "University of Texas")
    assert (place.label, place.text) == ("PLACE", "Texas")
    assert place.to_dict()["role"] == "embedded"
    assert place.resolution.place.country_code == "US"
    assert doc.focus.countries[0].place.country_code == "US"


def test_an_adjective_inside_an_organisation_name_is_its_country(
    real_gazetteer: Gazetteer,
) -> None:
    text = "The Russian Foreign Ministry said talks would resume."
    doc = Tagger(real_gazetteer).tag(text, spans(text, ("Russian Foreign Ministry", "ORG")))
    org, place = doc.mentions
    assert (org.label, org.text) == ("ORG", "Russian Foreign Ministry")
    assert (place.label, place.text, place.kind) == ("PLACE", "Russian", "demonym")
    assert place.to_dict()["role"] == "embedded"
    assert place.resolution.place.country_code == "RU"
