"""Places the gazetteer has no row for are placed within the place they lie in, marked as
an approximation in every format; a name is never placed by a part of it that only an
alternate name matches; a story's home region decides its namesakes. The real model and
the real gazetteer, on sentences written here."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.formats import make_writer
from geotag.gazetteer import Gazetteer
from geotag.models import Document, Mention
from geotag.options import PipelineOptions
from geotag.tagging.candidates import MentionGroup
from geotag.tagging.local import dateline, home_candidate
from geotag.tagging.query import PlaceQuery
from geotag.tagging.tagger import Tagger, TagOptions

STREET = "The parade went down Royal Street in New Orleans on Sunday, as it does every year."
SUBURB = "Thousands of new flats stand empty in Madinaty, a suburb of Cairo, officials said."
DATELINED = (
    "NEW ORLEANS — Crowds filled Elysian Fields on Tuesday for the parade. Police in New "
    "Orleans said the day passed quietly."
)
BASE = "British troops handed Camp Bastion in Helmand province to the Afghan army."


def given(tagger: Tagger, text: str, *places: str) -> Document:
    """The text tagged with `places` given as its place spans (as gold spans are)."""
    spans = []
    for name in places:
        start = text.index(name)
        spans.append((start, start + len(name), "GPE"))
    return tagger.tag(text, spans, given_places=True)


def mention(doc: Document, surface: str) -> Mention:
    found = [m for m in doc.mentions if m.text == surface]
    assert found, f"{surface!r} not in {[m.text for m in doc.mentions]}"
    return found[0]


@pytest.fixture(scope="module")
def tagger(real_gazetteer: Gazetteer) -> Tagger:
    return Tagger(real_gazetteer)


@pytest.fixture(scope="module")
def exact_tagger(real_gazetteer: Gazetteer) -> Tagger:
    return Tagger(real_gazetteer, TagOptions(PipelineOptions(within=False)))


@pytest.mark.parametrize(
    ("text", "unknown", "container", "country"),
    [
        (STREET, "Royal Street", "New Orleans", "US"),
        (SUBURB, "Madinaty", "Cairo", "EG"),
        (DATELINED, "Elysian Fields", "NEW ORLEANS", "US"),
    ],
)
def test_a_place_the_gazetteer_lacks_lies_within_its_container(
    tagger: Tagger, text: str, unknown: str, container: str, country: str
) -> None:
    doc = given(tagger, text, unknown, container)
    assert tagger.gazetteer.lookup(unknown) == []
    inside, outer = mention(doc, unknown), mention(doc, container)
    assert inside.resolution is not None and outer.resolution is not None
    assert outer.resolution.place is not None and outer.resolution.place.country_code == country
    assert inside.resolution.within and inside.resolution.rule == "within"
    assert inside.resolution.place == outer.resolution.place
    assert inside.resolution.confidence < outer.resolution.confidence
    place = inside.to_dict()["place"]
    assert place["precision"] == "within"
    assert place["within"]["geonameid"] == outer.resolution.place.geonameid
    assert "precision" not in outer.to_dict()["place"]
    # Its own entity, never one more mention of the town.
    assert inside.key != outer.key
    assert {e.name for e in doc.places} >= {unknown}


def test_a_container_named_in_the_sentence_is_surer_than_the_story_s(tagger: Tagger) -> None:
    named = mention(given(tagger, STREET, "Royal Street", "New Orleans"), "Royal Street")
    story = mention(given(tagger, DATELINED, "Elysian Fields", "NEW ORLEANS"), "Elysian Fields")
    assert named.resolution is not None and story.resolution is not None
    assert story.resolution.confidence < named.resolution.confidence


def test_no_within_keeps_them_unresolved(exact_tagger: Tagger) -> None:
    for text, unknown, container in (
        (STREET, "Royal Street", "New Orleans"),
        (DATELINED, "Elysian Fields", "NEW ORLEANS"),
    ):
        doc = given(exact_tagger, text, unknown, container)
        res = mention(doc, unknown).resolution
        assert res is not None and res.place is None and not res.within
        assert all("precision" not in json.dumps(m.to_dict()) for m in doc.mentions)


def test_a_story_without_a_container_leaves_them_unresolved(tagger: Tagger) -> None:
    text = "The parade went down Royal Street on Sunday, as it does every year."
    res = mention(given(tagger, text, "Royal Street"), "Royal Street").resolution
    assert res is not None and res.place is None


def test_a_name_is_not_placed_by_an_alternate_name_of_its_first_word(
    real_pipeline: Pipeline,
) -> None:
    """ "Camp" is an alternate name of Camp County, Texas; Camp Bastion is in Helmand."""
    gaz = real_pipeline.tagger.gazetteer
    assert any(gaz.place(r).country_code == "US" for r in gaz.lookup("Camp"))
    doc = real_pipeline.tag_text(BASE)
    res = mention(doc, "Camp Bastion").resolution
    assert res is not None and res.place is not None
    assert res.place.country_code == "AF" and res.within


def test_a_name_placed_by_the_place_inside_it_is_marked_within(tagger: Tagger) -> None:
    text = "Thousands gathered outside Manila Cathedral on Sunday."
    res = mention(given(tagger, text, "Manila Cathedral"), "Manila Cathedral").resolution
    assert res is not None and res.place is not None
    assert res.place.name == "Manila" and res.within


def render(fmt: str, doc: Document, capsys: pytest.CaptureFixture[str]) -> str:
    stream = io.BytesIO()
    writer = make_writer(fmt, stream, no_color=True, width=200)
    writer.write(doc)
    writer.close()
    return stream.getvalue().decode() + capsys.readouterr().out


def test_every_format_says_within(tagger: Tagger, capsys: pytest.CaptureFixture[str]) -> None:
    doc = given(tagger, STREET, "Royal Street", "New Orleans")
    rows = list(csv.DictReader(io.StringIO(render("csv", doc, capsys))))
    precision = {row["text"]: row["precision"] for row in rows}
    assert precision == {"Royal Street": "within", "New Orleans": ""}
    features = json.loads(render("geojson", doc, capsys))["features"]
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["Royal Street"]["precision"] == "within"
    assert by_name["Royal Street"]["within"]["name"] == "New Orleans"
    assert "precision" not in by_name["New Orleans"]
    assert "within New Orleans" in render("table", doc, capsys)
    page = render("html", doc, capsys)
    assert "Royal Street (within)" in page and "within New Orleans, Louisiana" in page
    line = json.loads(render("jsonl", doc, capsys))
    places = {e["text"]: e["place"] for e in line["entities"]}
    assert places["Royal Street"]["precision"] == "within"


# -- the home region ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("HUNTSVILLE, Ala. — Police said", True),
        ("CAIRO (Reuters) - Egypt said", True),
        ("Huntsville police said on Monday", False),
        ("On Monday, Huntsville police said", False),
    ],
)
def test_dateline(text: str, expected: bool) -> None:
    word = text.split()[0].strip(",") if expected else "Huntsville"
    start = text.index(word)
    query = PlaceQuery(start, start + len(word), word, "GPE")
    assert (dateline(text, [query]) == 0) is expected


def county_group(gaz: Gazetteer, name: str, settled_in: str) -> MentionGroup:
    rows = list(gaz.lookup(name))
    group = MentionGroup(name.lower(), name.lower(), "", [0], Counter(), rows)
    group.settled = next(r for r in rows if gaz.place(r).admin1 == settled_in)
    group.rule = "score"
    return group


def test_the_home_region_decides_a_county_s_namesake(real_gazetteer: Gazetteer) -> None:
    gaz = real_gazetteer
    group = county_group(gaz, "Jackson County", "Missouri")
    kansas = next(r for r in group.rows if gaz.place(r).admin1 == "Kansas")
    home = (gaz.place(kansas).country_code, gaz.place(kansas).admin1_code)
    assert home_candidate(gaz, group, home) == kansas
    # Already in the home region: nothing to change.
    group.settled = kansas
    assert home_candidate(gaz, group, home) is None


def test_the_home_region_leaves_a_state_s_name_alone(real_gazetteer: Gazetteer) -> None:
    gaz = real_gazetteer
    rows = list(gaz.lookup("Washington"))
    georgia_town = [r for r in rows if gaz.place(r).admin1 == "Georgia"]
    assert georgia_town, "the gazetteer has Washington, Georgia"
    group = MentionGroup("washington", "washington", "", [0], Counter(), rows)
    p = gaz.place(georgia_town[0])
    assert home_candidate(gaz, group, (p.country_code, p.admin1_code)) is None


def test_a_place_within_adds_nothing_to_the_focus(tagger: Tagger, exact_tagger: Tagger) -> None:
    text = DATELINED + " Later the crowds moved to Cairo."
    places = ("Elysian Fields", "NEW ORLEANS", "New Orleans", "Cairo")
    with_within, without = given(tagger, text, *places), given(exact_tagger, text, *places)
    assert mention(with_within, "Elysian Fields").resolution.within  # type: ignore[union-attr]
    assert with_within.focus == without.focus


@pytest.mark.parametrize(
    ("text", "placed"),
    [
        (
            "Officials in Ankara said talks in Ankara would go on. Aid reached Sarmada "
            "on Monday, and Ankara sent more on Tuesday, with help from Moscow.",
            True,
        ),
        (
            "Officials in Ankara said talks in Ankara and Moscow would go on. Aid reached "
            "Sarmada on Monday from Latakia and Sochi.",
            False,
        ),
    ],
)
def test_the_focus_city_holds_a_place_only_when_the_story_is_mostly_there(
    tagger: Tagger, text: str, placed: bool
) -> None:
    names = ("Ankara", "Moscow", "Sarmada", "Latakia", "Sochi")
    spans = []
    for name in names:
        start = text.find(name)
        while start != -1:
            spans.append((start, start + len(name), "GPE"))
            start = text.find(name, start + 1)
    doc = tagger.tag(text, sorted(spans), given_places=True)
    res = mention(doc, "Sarmada").resolution
    assert res is not None
    assert (res.place is not None and res.within) is placed
