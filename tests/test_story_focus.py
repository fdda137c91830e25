"""The country a story is about, and the words for places and peoples that must not be
dropped (issue 19, point 7): a city and a demonym of one country outweigh two passing
mentions of another; a place named only inside an organisation's name still counts;
places in no country still give a focus region; "Englishman", "Welshwoman" and "U.S"
(without its last dot) are found and placed. The real model and the real gazetteer, on
stories written here."""

from __future__ import annotations

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.gazetteer import Gazetteer
from geotag.models import Document, Mention
from geotag.tagging.tagger import Tagger


def mention(doc: Document, surface: str) -> Mention:
    found = [m for m in doc.mentions if m.text == surface]
    assert found, f"{surface!r} not in {[m.text for m in doc.mentions]}"
    return found[0]


def countries(doc: Document) -> list[str]:
    return [f.place.country_code for f in doc.focus.countries]


def test_a_city_and_a_demonym_outweigh_two_passing_mentions(real_pipeline: Pipeline) -> None:
    text = (
        "Protesters filled the streets of Lyon on Saturday as French unions called a "
        "general strike over pensions. The strike follows a walkout in Germany last "
        "month, and Germany's unions sent a message of support."
    )
    doc = real_pipeline.tag_text(text)
    assert [m.text for m in doc.mentions if m.label == "PLACE"] == [
        "Lyon",
        "French",
        "Germany",
        "Germany",
    ]
    assert countries(doc)[:2] == ["FR", "DE"]


def test_one_place_named_again_and_again_still_leads(real_gazetteer: Gazetteer) -> None:
    # Repeating a name counts less than naming more places, but it still counts.
    text = "Germany voted. Germany won. Germany cheered. Germany slept. Paris watched."
    marks = [(i, i + 7, "GPE") for i in range(len(text)) if text.startswith("Germany", i)]
    marks.append((text.index("Paris"), text.index("Paris") + 5, "GPE"))
    doc = Tagger(real_gazetteer).tag(text, sorted(marks))
    assert countries(doc) == ["DE", "FR"]
    assert doc.focus.countries[0].mentions == 4


def test_a_place_only_inside_an_organisation_still_gives_a_focus(real_pipeline: Pipeline) -> None:
    doc = real_pipeline.tag_text("Shares in Royal Bank of Scotland fell by a fifth on Monday.")
    assert countries(doc) == ["GB"]
    assert [f.place.name for f in doc.focus.regions] == ["Scotland"]


@pytest.mark.parametrize(
    ("text", "region"),
    [
        (
            "Scientists at a research station in Antarctica recorded the lowest "
            "temperature in a decade on Tuesday.",
            "Antarctica",
        ),
        (
            "The yacht was lost for a week in the Pacific Ocean before it was found.",
            "Pacific Ocean",
        ),
    ],
)
def test_a_place_in_no_country_gives_a_focus_region(
    real_pipeline: Pipeline, text: str, region: str
) -> None:
    doc = real_pipeline.tag_text(text)
    assert doc.focus.countries == ()
    assert [f.place.name for f in doc.focus.regions] == [region]


@pytest.mark.parametrize(
    ("word", "country"),
    [("Englishman", "GB"), ("Welshwoman", "GB"), ("Frenchwoman", "FR"), ("Irishmen", "IE")],
)
def test_words_for_a_man_or_a_woman_of_a_people_are_demonyms(
    real_pipeline: Pipeline, word: str, country: str
) -> None:
    doc = real_pipeline.tag_text(f"A {word} was rescued off the coast on Monday after a storm.")
    found = mention(doc, word)
    assert (found.label, found.kind) == ("DEMONYM", "demonym")
    assert found.resolution is not None and found.resolution.place is not None
    assert found.resolution.place.country_code == country


def test_a_word_for_a_man_is_made_only_from_a_people_s_adjective(
    real_gazetteer: Gazetteer,
) -> None:
    assert real_gazetteer.demonym("Welshwoman") == real_gazetteer.demonym("Welsh")
    assert real_gazetteer.demonym_names_people("Scotswoman")
    # "German" is no adjective in -ish, -ch, -sh or -s: English says "German man".
    assert real_gazetteer.demonym("Germanman") is None
    assert real_gazetteer.demonym("Chairman") is None


def test_a_language_is_not_taken_for_a_people(real_pipeline: Pipeline) -> None:
    doc = real_pipeline.tag_text("She teaches English and Maths at a school near the river.")
    assert all(m.label not in ("PLACE", "DEMONYM") for m in doc.mentions)


@pytest.mark.parametrize("written", ["U.S", "U.S."])
def test_the_us_without_its_last_dot_is_the_united_states(
    real_pipeline: Pipeline, written: str
) -> None:
    doc = real_pipeline.tag_text(f"The {written} government said on Monday it would send aid.")
    found = mention(doc, written)
    assert found.label == "PLACE"
    assert found.resolution is not None and found.resolution.place is not None
    assert found.resolution.place.country_code == "US"
    assert found.resolution.place.feature_code.startswith("PCL")


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        (
            "CAIRO — Crowds gathered in Tahrir Square on Friday, and the ship waited at "
            "the port of Alexandria.",
            "Tahrir Square",
            "EG",
        ),
        ("MOSCOW — Thousands of people walked in Gorky Park on Sunday.", "Gorky Park", "RU"),
        ("The rally ended in Trafalgar Square in London on Saturday.", "Trafalgar Square", "GB"),
    ],
)
def test_places_the_gazetteer_lacks_are_reported(
    real_pipeline: Pipeline, text: str, name: str, country: str
) -> None:
    found = mention(real_pipeline.tag_text(text), name)
    assert found.label == "PLACE"
    assert found.resolution is not None and found.resolution.place is not None
    assert found.resolution.place.country_code == country
