"""Continents, states and world cities named bare: a continent or a state spaCy tags is kept
and is the area, not a town of its name; a state's name is the state, not the city that
goes by it; a world city with only small namesakes is the world city. The real model and
the real gazetteer, on sentences written here."""

from __future__ import annotations

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.models import Place


def place_of(pipeline: Pipeline, text: str, surface: str) -> Place | None:
    doc = pipeline.tag_text(text)
    found = [m for m in doc.mentions if m.text == surface and m.label == "PLACE"]
    assert found, f"{surface!r} not a place in {[(m.text, m.label) for m in doc.mentions]}"
    res = found[0].resolution
    return res.place if res else None


@pytest.mark.parametrize(
    ("text", "surface", "code", "admin1"),
    [
        ("Trade across Asia slowed sharply last year, economists said.", "Asia", "CONT", ""),
        (
            "Exporters in Virginia cut shipments of tobacco last year.",
            "Virginia",
            "ADM1",
            "Virginia",
        ),
        (
            "Peanut farmers in Georgia and Alabama expect a poor harvest.",
            "Georgia",
            "ADM1",
            "Georgia",
        ),
        (
            "Early settlers in Oklahoma grew wheat on the open plains.",
            "Oklahoma",
            "ADM1",
            "Oklahoma",
        ),
        ("The state of New York passed a law on rents on Friday.", "New York", "ADM1", "New York"),
    ],
)
def test_a_bare_continent_or_state_is_the_area(
    real_pipeline: Pipeline, text: str, surface: str, code: str, admin1: str
) -> None:
    place = place_of(real_pipeline, text, surface)
    assert place is not None and place.feature_code == code
    assert place.admin1 == admin1 or code == "CONT"


@pytest.mark.parametrize(
    ("text", "surface", "admin1"),
    [
        ("Fighting spread across Aleppo Governorate on Sunday, monitors said.", "Aleppo", "Aleppo"),
        ("Shelling hit villages in Homs province on Sunday, monitors said.", "Homs", "Homs"),
    ],
)
def test_a_region_s_type_word_after_the_name_asks_for_the_region(
    real_pipeline: Pipeline, text: str, surface: str, admin1: str
) -> None:
    place = place_of(real_pipeline, text, surface)
    assert place is not None and place.feature_code == "ADM1" and place.admin1 == admin1


def test_a_city_named_by_its_own_name_still_beats_its_region(real_pipeline: Pipeline) -> None:
    """ "Idlib" is the city the governorate is named after."""
    place = place_of(
        real_pipeline, "Government forces shelled Idlib on Sunday, monitors said.", "Idlib"
    )
    assert place is not None and place.feature_class == "P" and place.country_code == "SY"


@pytest.mark.parametrize(
    ("text", "surface", "country"),
    [
        ("Delegates met in Geneva on Monday to discuss the war in Syria.", "Geneva", "CH"),
        (
            "Students from Oxford marched through London, England on Friday to protest fees.",
            "Oxford",
            "GB",
        ),
    ],
)
def test_a_world_city_with_small_namesakes_is_resolved(
    real_pipeline: Pipeline, text: str, surface: str, country: str
) -> None:
    place = place_of(real_pipeline, text, surface)
    assert place is not None and place.country_code == country


def test_a_dateline_names_a_city(real_pipeline: Pipeline) -> None:
    """A bare "New York" is the state, but a story's dateline is where it was written."""
    text = "NEW YORK (Reuters) - Stocks fell on Monday as investors in New York fretted."
    doc = real_pipeline.tag_text(text)
    first, later = [m for m in doc.mentions if m.text in ("NEW YORK", "New York")]
    assert first.resolution is not None and first.resolution.place is not None
    assert first.resolution.place.feature_class == "P"
    assert later.resolution is not None and later.resolution.place is not None
    assert later.resolution.place.feature_code == "ADM1"


def test_a_country_s_dateline_is_the_country(real_pipeline: Pipeline) -> None:
    place = place_of(real_pipeline, "LEBANON — Officials in Beirut said on Monday.", "LEBANON")
    assert place is not None and place.feature_code == "PCLI"
