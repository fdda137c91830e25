"""A country's name is the country, a world city is the world city, a city named with its
country stays the city: the real model and the real gazetteer on stories written here."""

from __future__ import annotations

import pytest

from geotag.engine.pipeline import Pipeline
from geotag.models import Place
from geotag.tagging.query import PlaceQuery, hint_before
from geotag.tagging.resolver import Resolver
from geotag.tagging.resolver_options import ResolverOptions


def resolved(pipeline: Pipeline, text: str, surface: str) -> list[Place | None]:
    """The places of every place mention of `surface`, in order (None: unresolved)."""
    doc = pipeline.tag_text(text)
    found = [m for m in doc.mentions if m.text == surface and m.label == "PLACE"]
    assert found, f"{surface!r} not found as a place in {[m.text for m in doc.mentions]}"
    return [m.resolution.place if m.resolution else None for m in found]


TRADE_STORY = (
    "HOUSTON — Texas farmers are bracing for another year of tariffs as the trade war "
    "between the United States and China drags on. China bought far less sorghum from "
    "Texas growers last year, and exporters in Houston and Corpus Christi say the slump has "
    'cost them dearly. "China was our biggest customer," said a grain trader in Amarillo. '
    "Officials hope China will resume purchases before the harvest, but few in Lubbock "
    "expect a quick deal."
)
LEBANON_STORY = (
    "Lebanon's central bank said on Monday it would stop financing imports of fuel. "
    "Lebanon has been mired in an economic collapse since 2019. Aid groups in Beirut "
    "warned of shortages, and a Pennsylvania-based charity said it would send generators "
    "to Lebanon next month."
)
LEBANON_PA_STORY = (
    "LEBANON, Pa. — The Lebanon County commissioners voted on Tuesday to repave a street "
    "downtown. The borough of Lebanon will close the road for two weeks, and drivers from "
    "Harrisburg and Hershey should expect delays."
)
CHINA_TEXAS_STORY = (
    "Residents of China, Texas, held their fall festival on Saturday. Visitors drove in "
    "from Beaumont and Nederland, and volunteers from Jefferson County ran the stalls."
)
PALESTINE_STORY = (
    "Voters in Palestine approved a bond for a new fire station on Saturday. The measure "
    "passed by a wide margin, and officials in Elkhart and Frankston said they would watch "
    "how Palestine spends the money. Anderson County judges praised the turnout, and a "
    "Texas lawmaker who lives in Tyler called the vote a model for small towns."
)
IRAQ_STORY = (
    "Thousands of protesters marched through the capital city of Iraq on Sunday, demanding "
    "jobs. In Basra, oil workers joined the strike, while officials in Tehran called for calm."
)
GENEVA_STORY = (
    "WASHINGTON — Negotiators from the United States and Iran will meet in Geneva next "
    "week, diplomats said. Farmers in Iowa and Illinois are watching the talks closely. The "
    "talks in Geneva follow a failed round in Vienna."
)
GENEVA_ILLINOIS_STORY = (
    "GENEVA — The city council in Geneva voted on Monday to widen the bridge over the Fox "
    "River. Commuters from Batavia and St. Charles cross it daily, and Kane County engineers "
    "said work would start in May. Illinois officials will pay part of the cost."
)
ALEPPO_STORY = (
    "Shelling hit a market in Aleppo, Syria, on Tuesday, activists said. Rescue workers in "
    "Aleppo pulled survivors from the rubble."
)


def test_a_country_in_a_trade_story_is_the_country_however_texan(real_pipeline) -> None:
    places = resolved(real_pipeline, TRADE_STORY, "China")
    assert [p and (p.country_code, p.feature_code) for p in places] == [("CN", "PCLI")] * 4


def test_a_country_named_beside_a_us_state_is_the_country(real_pipeline) -> None:
    for p in resolved(real_pipeline, LEBANON_STORY, "Lebanon"):
        assert p is not None and (p.country_code, p.feature_code) == ("LB", "PCLI")


def test_a_town_qualified_by_its_state_is_the_town(real_pipeline) -> None:
    for p in resolved(real_pipeline, LEBANON_PA_STORY, "Lebanon"):
        assert p is not None and p.feature_class == "P"
        assert (p.country_code, p.admin1) == ("US", "Pennsylvania")
    county = resolved(real_pipeline, LEBANON_PA_STORY, "Lebanon County")
    assert all(p is not None and p.feature_code == "ADM2" for p in county)
    for p in resolved(real_pipeline, CHINA_TEXAS_STORY, "China"):
        assert p is not None and (p.country_code, p.admin1) == ("US", "Texas")


def test_a_local_story_that_names_the_state_keeps_the_town(real_pipeline) -> None:
    for p in resolved(real_pipeline, PALESTINE_STORY, "Palestine"):
        assert p is not None and p.feature_class == "P" and p.admin1 == "Texas"


def test_the_city_of_a_country_names_the_country(real_pipeline) -> None:
    """Not a city in Iran that has "Iraq" among its alternate names."""
    for p in resolved(real_pipeline, IRAQ_STORY, "Iraq"):
        assert p is not None and (p.country_code, p.feature_code) == ("IQ", "PCLI")


def test_a_world_city_outranks_its_small_namesakes(real_pipeline) -> None:
    for p in resolved(real_pipeline, GENEVA_STORY, "Geneva"):
        assert p is not None and p.country_code == "CH" and p.feature_class == "P"
    for p in resolved(real_pipeline, GENEVA_STORY, "Vienna"):
        assert p is not None and p.country_code == "AT" and p.feature_class == "P"


def test_a_story_local_to_a_namesake_keeps_it(real_pipeline) -> None:
    for p in resolved(real_pipeline, GENEVA_ILLINOIS_STORY, "Geneva"):
        assert p is not None and (p.country_code, p.admin1) == ("US", "Illinois")


def test_a_city_named_with_its_country_is_the_city_as_the_bare_name_is(real_pipeline) -> None:
    with_country, bare = resolved(real_pipeline, ALEPPO_STORY, "Aleppo")
    assert with_country is not None and with_country.feature_class == "P"
    assert with_country == bare


@pytest.mark.parametrize(
    ("surface", "text", "expected"),
    [
        ("Iraq", "the capital city of Iraq", True),
        ("the province of Idlib", "the province of Idlib", True),
        ("Idlib", "Idlib province", False),
        ("Lebanon County", "Lebanon County", False),
        ("Lebanon", "Lebanon County", False),
        ("Lebanon", "in Lebanon", False),
    ],
)
def test_hint_before_tells_a_container_from_a_name(surface: str, text: str, expected: bool):
    start = text.index(surface)
    assert hint_before(surface, text, start, start + len(surface)) is expected


def test_a_preferred_country_outranks_the_world_city(real_gazetteer) -> None:
    """The user's --prefer-country points elsewhere, as the story can."""
    text = "Farmers in Iowa met buyers in Geneva on Friday."
    queries = [
        PlaceQuery(text.index(name), text.index(name) + len(name), name, "GPE")
        for name in ("Iowa", "Geneva")
    ]
    plain = Resolver(real_gazetteer).resolve(text, queries)[1].place
    preferred = Resolver(real_gazetteer, ResolverOptions(prefer_countries=("US",)))
    in_us = preferred.resolve(text, queries)[1].place
    assert plain is not None and plain.country_code == "CH"
    # Left to the scores: a town in the US, or none where the US towns are a close call.
    assert in_us is None or in_us.country_code == "US"
