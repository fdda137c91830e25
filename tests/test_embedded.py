"""Places named inside organisation names: found in every form (leading, trailing, "of X",
possessive), linked to their organisation in every format, weighed less in the focus,
dropped by `--no-embedded`; ordinary words and parts of longer names are never such
places. The real model and the real gazetteer, on sentences written here."""

from __future__ import annotations

import csv
import io
import json

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.formats import make_writer
from geotag.gazetteer import Gazetteer
from geotag.models import Document, Mention
from geotag.options import PipelineOptions
from geotag.tagging.tagger import Tagger, TagOptions


def spans(text: str, *marks: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Recogniser spans: each mark's every occurrence in the text, with its label."""
    out = []
    for surface, label in marks:
        start = text.find(surface)
        while start >= 0:
            out.append((start, start + len(surface), label))
            start = text.find(surface, start + len(surface))
    return sorted(out)


def embedded(doc: Document) -> dict[str, str]:
    """Each embedded place's text, with the organisation it is named inside."""
    out = {}
    for m in doc.mentions:
        if m.embedded:
            assert m.inside is not None
            out[m.text] = m.inside.text
    return out


@pytest.mark.parametrize(
    ("text", "organisation", "place", "country"),
    [
        # leading
        ("The New Orleans Saints won again on Sunday.", "New Orleans Saints", "New Orleans", "US"),
        (
            "The Korea Baseball Organization called off two games.",
            "Korea Baseball Organization",
            "Korea",
            "KR",
        ),
        # "of X"
        ("He worked for Bank of America for ten years.", "Bank of America", "America", "US"),
        (
            "Shares in the Royal Bank of Scotland fell sharply.",
            "Royal Bank of Scotland",
            "Scotland",
            "GB",
        ),
        # possessive
        (
            "Manitoba's Opposition New Democrats want a vote.",
            "Manitoba's Opposition New Democrats",
            "Manitoba",
            "CA",
        ),
    ],
)
def test_a_place_in_each_form_is_found_inside_its_organisation(
    real_gazetteer: Gazetteer, text: str, organisation: str, place: str, country: str
) -> None:
    doc = Tagger(real_gazetteer).tag(text, spans(text, (organisation, "ORG")))
    org = next(m for m in doc.mentions if m.label == "ORG")
    assert org.text == organisation  # the organisation is still an organisation
    found = next(m for m in doc.mentions if m.embedded)
    assert (found.text, found.role) == (place, "embedded")
    assert found.inside is not None
    assert (found.inside.start, found.inside.end) == (org.start, org.end)
    assert found.resolution is not None and found.resolution.place is not None
    assert found.resolution.place.country_code == country


def test_a_big_town_at_the_end_of_an_organisation_name_is_found(real_gazetteer: Gazetteer) -> None:
    text = "She teaches at the University of Wisconsin-Milwaukee."
    doc = Tagger(real_gazetteer).tag(
        text, spans(text, ("University of Wisconsin-Milwaukee", "ORG"))
    )
    assert embedded(doc) == {
        "Wisconsin": "University of Wisconsin-Milwaukee",
        "Milwaukee": "University of Wisconsin-Milwaukee",
    }


@pytest.mark.parametrize(
    ("text", "organisation"),
    [
        # ordinary words that are also towns somewhere ("Police" in Poland, "Bank" in India)
        ("The Peel Regional Police and the Royal Bank searched.", "Royal Bank"),
        # a name inside another name, after a capitalised word of it
        ("The New Concord Reservoir Trust met on Monday.", "New Concord Reservoir Trust"),
        ("Boeing bought McDonnell Douglas in 1997.", "McDonnell Douglas"),
        # part of a street's name
        ("The Memphis Street Association met on Monday.", "Memphis Street Association"),
        # a county's short name is no county's name ("Bureau" for Bureau County)
        ("The Federal Bureau of Investigation said nothing.", "Federal Bureau of Investigation"),
        # a town that is a given name
        ("He spoke at the Lincoln Club dinner.", "Lincoln Club"),
    ],
)
def test_no_false_places_inside_organisation_names(
    real_gazetteer: Gazetteer, text: str, organisation: str
) -> None:
    doc = Tagger(real_gazetteer).tag(text, spans(text, (organisation, "ORG")))
    assert [m.text for m in doc.mentions if m.label == "ORG"] == [organisation]
    assert embedded(doc) == {}


def test_a_small_town_of_the_story_s_region_is_found(real_gazetteer: Gazetteer) -> None:
    # Grovetown, Georgia has some 15,000 people: named inside an organisation's name, it
    # is a place when the story names its region, not otherwise.
    org = ("Grovetown Department of Public Safety", "ORG")
    local = (
        "Officers of the Grovetown Department of Public Safety arrested a man in Augusta, Georgia."
    )
    marks = spans(local, org, ("Augusta", "GPE"), ("Georgia", "GPE"))
    assert embedded(Tagger(real_gazetteer).tag(local, marks)) == {"Grovetown": org[0]}
    far = "Officers of the Grovetown Department of Public Safety arrested a man."
    assert embedded(Tagger(real_gazetteer).tag(far, spans(far, org))) == {}


def test_embedded_places_weigh_less_in_the_focus(real_gazetteer: Gazetteer) -> None:
    text = "Royal Bank of Scotland and Bank of Ireland staff met in Dublin."
    marks = spans(
        text, ("Royal Bank of Scotland", "ORG"), ("Bank of Ireland", "ORG"), ("Dublin", "GPE")
    )
    doc = Tagger(real_gazetteer).tag(text, marks)
    assert set(embedded(doc)) == {"Scotland", "Ireland"}
    countries = {f.place.country_code: f.score for f in doc.focus.countries}
    # Each place counts the square root of its weight: Ireland, half for the bank and
    # one for Dublin; the UK, half for the bank. Literal, the banks' places would tie
    # with Dublin.
    half, one = 0.5**0.5, 1.0
    total = half + one + half
    assert countries == pytest.approx({"IE": (half + one) / total, "GB": half / total})


def test_a_story_named_only_inside_an_organisation_still_has_a_focus(
    real_gazetteer: Gazetteer,
) -> None:
    text = "Shares in Royal Bank of Scotland fell on Monday."
    doc = Tagger(real_gazetteer).tag(text, spans(text, ("Royal Bank of Scotland", "ORG")))
    assert [f.place.country_code for f in doc.focus.countries] == ["GB"]


def test_no_embedded_drops_them_and_keeps_the_organisations(real_gazetteer: Gazetteer) -> None:
    text = "The Minnesota Department of Transportation and the Canadian Blood Services met."
    marks = spans(
        text, ("Minnesota Department of Transportation", "ORG"), ("Canadian Blood Services", "ORG")
    )
    on = Tagger(real_gazetteer).tag(text, marks)
    assert embedded(on) == {
        "Minnesota": "Minnesota Department of Transportation",
        "Canadian": "Canadian Blood Services",
    }
    off = Tagger(real_gazetteer, TagOptions(PipelineOptions(embedded_places=False))).tag(
        text, marks
    )
    assert [(m.text, m.label) for m in off.mentions] == [
        ("Minnesota Department of Transportation", "ORG"),
        ("Canadian Blood Services", "ORG"),
    ]
    assert off.places == () and off.focus.countries == ()


def written(doc: Document, fmt: str) -> str:
    out = io.BytesIO()
    writer = make_writer(fmt, out)
    writer.write(doc)
    writer.close()
    return out.getvalue().decode()


def test_the_organisation_is_named_in_json_and_csv(real_gazetteer: Gazetteer) -> None:
    text = "Shares in Royal Bank of Scotland fell on Monday."
    doc = Tagger(real_gazetteer).tag(text, spans(text, ("Royal Bank of Scotland", "ORG")))
    place: Mention = next(m for m in doc.mentions if m.embedded)
    start = text.index("Royal")
    assert place.to_dict()["inside"] == {
        "start": start,
        "end": start + len("Royal Bank of Scotland"),
        "text": "Royal Bank of Scotland",
    }
    org = next(m for m in doc.mentions if m.label == "ORG")
    assert "inside" not in org.to_dict()
    rows = list(csv.DictReader(io.StringIO(written(doc, "csv"))))
    assert {r["text"]: r["inside"] for r in rows} == {
        "Royal Bank of Scotland": "",
        "Scotland": "Royal Bank of Scotland",
    }


def test_the_real_model_finds_them_in_a_story(real_pipeline: Pipeline) -> None:
    text = (
        "Fans of the New Orleans Saints packed the stadium on Sunday. Later, officials of "
        "the Royal Bank of Scotland said profits at the bank had doubled."
    )
    doc = real_pipeline.tag_text(text)
    found = embedded(doc)
    assert found.get("New Orleans") == "New Orleans Saints"
    assert found.get("Scotland") == "Royal Bank of Scotland"
    orgs = {m.text for m in doc.mentions if m.label == "ORG"}
    assert {"New Orleans Saints", "Royal Bank of Scotland"} <= orgs


def test_a_place_named_only_inside_organisations_says_so_in_every_format(
    real_gazetteer: Gazetteer,
) -> None:
    text = "Royal Bank of Scotland and Bank of Scotland staff met. Glasgow sent a mayor."
    marks = spans(
        text, ("Royal Bank of Scotland", "ORG"), ("Bank of Scotland", "ORG"), ("Glasgow", "GPE")
    )
    doc = Tagger(real_gazetteer).tag(text, marks)
    scotland = next(e for e in doc.places if e.name == "Scotland")
    assert scotland.role == "embedded" and scotland.mentions == 2
    assert scotland.to_dict()["inside"] == ["Royal Bank of Scotland", "Bank of Scotland"]
    glasgow = next(e for e in doc.places if e.name == "Glasgow")
    assert glasgow.role == "literal" and "inside" not in glasgow.to_dict()
    features = json.loads(written(doc, "geojson"))["features"]
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["Scotland"]["role"] == "embedded"
    assert by_name["Scotland"]["inside"] == ["Royal Bank of Scotland", "Bank of Scotland"]
    assert "inside" not in by_name["Glasgow"]
    page = written(doc, "html")
    assert "names the place Scotland: Scotland, United Kingdom" in page


def test_a_place_named_both_alone_and_inside_an_organisation_is_literal(
    real_gazetteer: Gazetteer,
) -> None:
    text = "Texas voted on Tuesday. The University of Texas closed."
    doc = Tagger(real_gazetteer).tag(
        text, spans(text, ("Texas", "GPE"), ("University of Texas", "ORG"))
    )
    texas = next(e for e in doc.places if e.name == "Texas")
    assert (texas.role, texas.mentions, texas.inside) == ("literal", 2, ("University of Texas",))
