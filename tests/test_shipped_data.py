"""Claims data/README.md makes about the shipped gazetteer and demonyms (the real files)."""

from __future__ import annotations

import pytest

from geotag.gazetteer import Gazetteer


def places(gazetteer: Gazetteer, name: str) -> set[tuple[str, str]]:
    """(country code, feature code) of every row a name finds."""
    return {
        (gazetteer.place(r).country_code, gazetteer.place(r).feature_code)
        for r in gazetteer.lookup(name)
    }


@pytest.mark.parametrize(
    ("written", "country", "code"),
    [("Qamishli", "SY", "PPL"), ("Hodeidah", "YE", "PPLA"), ("Mawsil", "IQ", "PPLA")],
)
def test_arab_towns_are_found_without_the_article(
    real_gazetteer: Gazetteer, written: str, country: str, code: str
) -> None:
    assert (country, code) in places(real_gazetteer, written)


def test_a_short_remainder_is_not_a_name(real_gazetteer: Gazetteer) -> None:
    # Damascus is also "Ash Sham": "Sham" alone would be a word, not Damascus.
    assert ("SY", "PPLC") not in places(real_gazetteer, "Sham")


def test_st_and_saint_find_the_same_city(real_gazetteer: Gazetteer) -> None:
    assert ("CH", "ADM1") in places(real_gazetteer, "St. Gallen")
    assert ("CA", "PPL") in places(real_gazetteer, "Saint Catharines")
    # Oran, Missouri, lost "Saint Cloud" to Saint Cloud, Minnesota, in the collision rule;
    # it must not come back as "St. Cloud".
    found = {real_gazetteer.place(r).name for r in real_gazetteer.lookup("St. Cloud")}
    assert found == {"Saint Cloud"}


@pytest.mark.parametrize(
    ("name", "geonameid", "lat", "lon"),
    [
        ("Middle East", 6269133, 33.13906, 35.85869),
        ("North Africa", 7729887, 32.95337, 9.97559),
        ("Western Europe", 9408659, 50.21909, 7.42676),
        ("European Union", 6695072, 50.83857, 4.37599),
    ],
)
def test_regions_stand_on_geonames_records(
    real_gazetteer: Gazetteer, name: str, geonameid: int, lat: float, lon: float
) -> None:
    row = real_gazetteer.by_geonameid(geonameid)
    assert row is not None and row in real_gazetteer.lookup(name)
    place = real_gazetteer.place(row)
    assert (place.lat, place.lon) == (lat, lon)


def test_country_short_forms(real_gazetteer: Gazetteer) -> None:
    assert ("CD", "PCLI") in places(real_gazetteer, "Democratic Republic of Congo")
    assert ("CG", "PCLI") in places(real_gazetteer, "Republic of Congo")
    assert {("CD", "PCLI"), ("CG", "PCLI")} <= places(real_gazetteer, "Congo")
    assert ("LC", "PCLI") in places(real_gazetteer, "St Lucia")


def test_older_state_abbreviations(real_gazetteer: Gazetteer) -> None:
    for abbreviation, state in (("Penna.", "Pennsylvania"), ("Wisc.", "Wisconsin")):
        rows = real_gazetteer.lookup_abbreviation(abbreviation)
        assert [real_gazetteer.place(r).name for r in rows] == [state]


def test_bare_county_names_only_where_no_town_has_them(real_gazetteer: Gazetteer) -> None:
    assert ("US", "ADM2") in places(real_gazetteer, "Henrico")
    assert ("US", "ADM2") in places(real_gazetteer, "Otter Tail")
    # Anderson is a town in several states: the bare name stays off Anderson County.
    assert ("US", "ADM2") not in places(real_gazetteer, "Anderson")


@pytest.mark.parametrize(
    ("word", "target"),
    [("Saudi", "Saudi Arabia"), ("Central American", "Central America"), ("Dagestani", "Dagestan")],
)
def test_added_demonyms(real_gazetteer: Gazetteer, word: str, target: str) -> None:
    row = real_gazetteer.demonym(word)
    assert row is not None and real_gazetteer.place(row).name == target


def test_historical_records_are_gone_live_cities_stay(real_gazetteer: Gazetteer) -> None:
    assert not real_gazetteer.lookup("Buffalo (historical)")
    # GeoNames' 2023 file codes Yurga, Russia (85,000 people) PPLH; the build does not drop by
    # those codes, which are older than the cities it ships.
    assert real_gazetteer.by_geonameid(1485724) is not None
