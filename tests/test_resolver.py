"""Resolver rules on the small fixture gazetteer (tests/fixtures/mini_gazetteer.csv)."""

from __future__ import annotations

import re

import pytest

from geotag.gazetteer import Gazetteer
from geotag.models import Resolution
from geotag.tagging.query import PlaceQuery, split_query
from geotag.tagging.resolver import Resolver
from geotag.tagging.resolver_options import ResolverOptions


def mark(text: str, *names: str, label: str = "GPE") -> list[PlaceQuery]:
    """Queries for every occurrence of each name, in text order."""
    found = []
    for name in names:
        for m in re.finditer(re.escape(name), text):
            found.append(PlaceQuery(m.start(), m.end(), name, label))
    return sorted(set(found), key=lambda q: q.start)


def resolve(gaz: Gazetteer, text: str, *names: str, **opts: object) -> dict[str, Resolution]:
    queries = mark(text, *names)
    results = Resolver(gaz, ResolverOptions(**opts)).resolve(text, queries)  # type: ignore[arg-type]
    return {f"{q.text}@{q.start}": r for q, r in zip(queries, results, strict=True)}


def only(results: dict[str, Resolution], name: str) -> Resolution:
    (res,) = [r for k, r in results.items() if k.startswith(name + "@")][:1]
    return res


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("Idlib province", ("idlib", "region")),
        ("Idlib Governorate", ("idlib", "region")),
        ("Idlib city", ("idlib", "city")),
        ("the city of Aleppo", ("aleppo", "city")),
        ("Syria's", ("syria", "")),
        ("the Netherlands", ("netherlands", "")),
        ("Kansas City", ("kansas", "city")),
    ],
)
def test_split_query(surface: str, expected: tuple[str, str]) -> None:
    assert split_query(surface) == expected


def test_paris_texas_is_restricted_to_its_parent(mini_gazetteer: Gazetteer) -> None:
    res = resolve(mini_gazetteer, "The fair in Paris, Texas drew crowds.", "Paris", "Texas")
    paris = only(res, "Paris")
    assert paris.place is not None and paris.place.country_code == "US"
    assert paris.place.admin1_code == "TX" and paris.rule == "parent"
    plain = only(resolve(mini_gazetteer, "Protests in Paris grew.", "Paris"), "Paris")
    assert plain.place is not None and plain.place.country_code == "FR"


def test_moscow_idaho_and_abbreviation_parent(mini_gazetteer: Gazetteer) -> None:
    res = resolve(
        mini_gazetteer,
        "A storm hit Moscow, Idaho and Raleigh, N.C. on Monday.",
        "Moscow",
        "Idaho",
        "Raleigh",
    )
    assert only(res, "Moscow").place.country_code == "US"  # type: ignore[union-attr]
    raleigh = only(res, "Raleigh")
    assert raleigh.place is not None and raleigh.place.admin1_code == "NC"


def test_parent_with_a_same_named_town_elsewhere(mini_gazetteer: Gazetteer) -> None:
    # The fixture has a hamlet called Texas in Pennsylvania, listed before the state.
    res = resolve(mini_gazetteer, "The fair in Paris, Texas drew crowds.", "Paris", "Texas")
    texas = only(res, "Texas").place
    assert texas is not None and texas.feature_code == "ADM1" and texas.admin1_code == "TX"


def test_parent_in_brackets_and_in_central(mini_gazetteer: Gazetteer) -> None:
    res = resolve(mini_gazetteer, "Clashes in Tripoli (Lebanon) spread.", "Tripoli", "Lebanon")
    assert only(res, "Tripoli").place.country_code == "LB"  # type: ignore[union-attr]
    res = resolve(mini_gazetteer, "Shelling near Hama in central Syria.", "Hama", "Syria")
    hama = only(res, "Hama")
    assert hama.place is not None and hama.place.country_code == "SY"
    lone = only(resolve(mini_gazetteer, "Tripoli was calm.", "Tripoli"), "Tripoli")
    assert lone.place is not None and lone.place.country_code == "LY"


def test_washington_is_the_capital_unless_the_state_is_meant(mini_gazetteer: Gazetteer) -> None:
    res = only(
        resolve(mini_gazetteer, "Officials in Washington said no.", "Washington"), "Washington"
    )
    assert res.place is not None and res.place.feature_code == "PPLC"
    res = only(
        resolve(mini_gazetteer, "Washington state passed a law.", "Washington"), "Washington"
    )
    assert res.place is not None and res.place.feature_code == "ADM1"
    assert res.place.admin1_code == "WA"


def test_washington_state_when_the_story_is_there(mini_gazetteer: Gazetteer) -> None:
    text = "Wildfires near Spokane and Seattle forced Washington to declare an emergency."
    res = only(resolve(mini_gazetteer, text, "Spokane", "Seattle", "Washington"), "Washington")
    assert res.place is not None and res.place.feature_code == "ADM1"


def test_a_bare_state_name_is_the_state_not_a_city_that_goes_by_it(
    mini_gazetteer: Gazetteer,
) -> None:
    """Issue 19: a bare state's name means the area; New York City goes by "New York" only
    as an alternate name (changed from the city, which it was before)."""
    res = only(resolve(mini_gazetteer, "Rents rose in New York.", "New York"), "New York")
    assert res.place is not None and res.place.feature_code == "ADM1"
    assert [c.place.name for c in res.alternatives] == ["New York City"]


def test_a_city_beats_a_smaller_region_of_the_same_name_elsewhere(
    mini_gazetteer: Gazetteer,
) -> None:
    res = only(resolve(mini_gazetteer, "Protests in Portland.", "Portland"), "Portland")
    assert res.place is not None and res.place.country_code == "US"
    res = only(resolve(mini_gazetteer, "Air strikes hit Gaza.", "Gaza"), "Gaza")
    assert res.place is not None and res.place.country_code == "PS"


def test_georgia_follows_the_story(mini_gazetteer: Gazetteer) -> None:
    caucasus = "Russia massed troops on the border with Georgia, near Tbilisi."
    res = only(resolve(mini_gazetteer, caucasus, "Russia", "Georgia", "Tbilisi"), "Georgia")
    assert res.place is not None and res.place.country_code == "GE"
    atlanta = "Voters in Atlanta lined up as Georgia counted ballots."
    res = only(resolve(mini_gazetteer, atlanta, "Atlanta", "Georgia"), "Georgia")
    assert res.place is not None and res.place.country_code == "US"
    assert res.place.feature_code == "ADM1"


def test_countries_never_go_to_villages(mini_gazetteer: Gazetteer) -> None:
    text = "France, Syria and Turkey met in Geneva."
    res = resolve(mini_gazetteer, text, "France", "Syria", "Turkey")
    for name, cc in (("France", "FR"), ("Syria", "SY"), ("Turkey", "TR")):
        place = only(res, name).place
        assert place is not None and place.feature_code == "PCLI" and place.country_code == cc


def test_continent_rule(mini_gazetteer: Gazetteer) -> None:
    res = only(resolve(mini_gazetteer, "Refugees reached Europe.", "Europe"), "Europe")
    assert res.place is not None and res.place.feature_code == "CONT" and res.rule == "continent"


def test_idlib_region_versus_city(mini_gazetteer: Gazetteer) -> None:
    text = "Fighting in Idlib province reached Idlib city. Later Idlib fell."
    queries = mark(text, "Idlib")
    results = Resolver(mini_gazetteer).resolve(text, queries)
    codes = [r.place.feature_code for r in results if r.place]
    assert codes == ["ADM1", "PPLA", "PPLA"]


def test_one_sense_per_document(mini_gazetteer: Gazetteer) -> None:
    text = "Paris, Texas is small. Paris has a fair. Later Paris slept."
    queries = mark(text, "Paris", "Texas")
    results = Resolver(mini_gazetteer).resolve(text, queries)
    paris = {
        (r.place.geonameid if r.place else None)
        for q, r in zip(queries, results, strict=True)
        if q.text == "Paris"
    }
    assert paris == {4717560}


def test_demonyms_and_landmarks(mini_gazetteer: Gazetteer) -> None:
    text = "The Kremlin said Syrian troops advanced."
    queries = [
        PlaceQuery(4, 11, "Kremlin", "ORG", landmark=True),
        PlaceQuery(17, 23, "Syrian", "NORP", kind="demonym"),
    ]
    kremlin, syrian = Resolver(mini_gazetteer).resolve(text, queries)
    assert kremlin.place is not None and kremlin.role == "metonym"
    assert kremlin.place.country_code == "RU" and kremlin.place.admin1_code == "48"
    assert syrian.place is not None and syrian.place.country_code == "SY"


def test_country_speaking_is_a_metonym(mini_gazetteer: Gazetteer) -> None:
    res = only(resolve(mini_gazetteer, "Turkey said it would respond.", "Turkey"), "Turkey")
    assert res.role == "metonym"
    res = only(resolve(mini_gazetteer, "Troops crossed into Turkey.", "Turkey"), "Turkey")
    assert res.role == "literal"


def test_unknown_name_stays_unresolved(mini_gazetteer: Gazetteer) -> None:
    res = only(resolve(mini_gazetteer, "They met in Atlantis.", "Atlantis"), "Atlantis")
    assert res.place is None and res.confidence == 0.0 and res.alternatives == ()


@pytest.mark.parametrize(
    ("name", "place"),
    [
        ("Aleppo University Hospital", "Aleppo"),
        ("Bank of Syria", "Syria"),
        ("North Texas Tollway Authority", "Texas"),
        ("Seattle Seahawks", "Seattle"),
    ],
)
def test_a_name_the_gazetteer_lacks_is_placed_at_the_place_it_is_named_after(
    mini_gazetteer: Gazetteer, name: str, place: str
) -> None:
    res = only(resolve(mini_gazetteer, f"The news came from {name} today.", name), name)
    assert res.place is not None and res.place.name == place


@pytest.mark.parametrize(
    "name",
    [
        "Seattle Street",  # a street lies somewhere in its town, not at its middle
        "Cobb Park",
        "Texas Line",
        "Atlantis Aleppo Centre",  # the place must open the name or follow its "of"
        "Cobb Institute",  # a hamlet of 1,778 people is no name to be named after
    ],
)
def test_no_inner_place_for_streets_tails_and_hamlets(mini_gazetteer: Gazetteer, name: str) -> None:
    res = only(resolve(mini_gazetteer, f"The news came from {name} today.", name), name)
    assert res.place is None


def test_an_inner_place_is_no_evidence_for_the_others(mini_gazetteer: Gazetteer) -> None:
    # Paris, Texas stays in France's shadow: the guess at "Texas Roadhouse" does not tilt it.
    text = "Diners at Texas Roadhouse heard that Paris is calm."
    res = resolve(mini_gazetteer, text, "Texas Roadhouse", "Paris")
    assert only(res, "Texas Roadhouse").place is not None
    paris = only(res, "Paris").place
    assert paris is not None and paris.country_code == "FR"


def test_no_inner_place_with_an_online_geocoder(mini_gazetteer: Gazetteer) -> None:
    name = "Aleppo University Hospital"
    res = resolve(mini_gazetteer, f"It came from {name}.", name, inner_names=False)
    assert only(res, name).place is None


def test_prefer_country_and_bbox_tilt_ambiguous_names(mini_gazetteer: Gazetteer) -> None:
    text = "They met in Tripoli."
    assert only(resolve(mini_gazetteer, text, "Tripoli"), "Tripoli").place.country_code == "LY"  # type: ignore[union-attr]
    res = resolve(mini_gazetteer, text, "Tripoli", prefer_countries=("LB",))
    assert only(res, "Tripoli").place.country_code == "LB"  # type: ignore[union-attr]
    res = resolve(mini_gazetteer, text, "Tripoli", bbox=(35.0, 33.0, 37.0, 35.0))
    assert only(res, "Tripoli").place.country_code == "LB"  # type: ignore[union-attr]


def test_confidence_in_unit_interval_and_alternatives_listed(mini_gazetteer: Gazetteer) -> None:
    res = only(resolve(mini_gazetteer, "Protests in Paris grew.", "Paris"), "Paris")
    assert 0.0 <= res.confidence <= 1.0
    assert [a.place.country_code for a in res.alternatives] == ["US"]


def test_context_pulls_ambiguous_city_to_the_documents_country(mini_gazetteer: Gazetteer) -> None:
    text = "Clashes in Lebanon spread north to Tripoli overnight."
    res = resolve(mini_gazetteer, text, "Lebanon", "Tripoli")
    tripoli = only(res, "Tripoli")
    assert tripoli.place is not None and tripoli.place.country_code == "LB"
    assert tripoli.rule == "score"


def test_a_famous_name_is_looked_at_again_with_the_whole_story(mini_gazetteer: Gazetteer) -> None:
    # "Paris" comes first, before the story's Texas context is known.
    text = (
        "Paris schools closed early. Texas officials and Texas police said the Texas storm passed."
    )
    paris = only(resolve(mini_gazetteer, text, "Paris", "Texas"), "Paris")
    assert paris.place is not None and paris.place.country_code == "US"
    alone = only(resolve(mini_gazetteer, "Paris schools closed early.", "Paris"), "Paris")
    assert alone.place is not None and alone.place.country_code == "FR"


def test_a_country_name_is_a_local_town_in_a_local_story(mini_gazetteer: Gazetteer) -> None:
    text = "Rain flooded Palestine overnight. Texas crews, Texas police and Texas roads were busy."
    res = only(resolve(mini_gazetteer, text, "Palestine", "Texas"), "Palestine")
    assert res.place is not None and res.place.feature_class == "P" and res.rule == "local"
    world = "Talks on Palestine resumed as Texas oil prices rose."
    res = only(resolve(mini_gazetteer, world, "Palestine", "Texas"), "Palestine")
    assert res.place is not None and res.place.feature_code == "PCLI"


def test_a_type_word_that_belongs_to_the_name(mini_gazetteer: Gazetteer) -> None:
    res = only(
        resolve(mini_gazetteer, "Prague is in the Czech Republic.", "Czech Republic"),
        "Czech Republic",
    )
    assert res.place is not None and res.place.country_code == "CZ"
    region = only(
        resolve(mini_gazetteer, "Idlib Governorate was shelled.", "Idlib Governorate"),
        "Idlib Governorate",
    )
    assert region.place is not None and region.place.feature_code == "ADM1"


def test_a_seat_of_power_that_speaks_is_the_landmark(mini_gazetteer: Gazetteer) -> None:
    res = only(resolve(mini_gazetteer, "The Elysee said no.", "Elysee"), "Elysee")
    assert res.place is not None and res.place.name == "Élysée Palace" and res.role == "metonym"
    res = only(resolve(mini_gazetteer, "Rents in Elysee rose.", "Elysee"), "Elysee")
    assert res.place is not None and res.place.feature_class == "P"


def test_a_water_word_in_the_name_means_the_water(mini_gazetteer: Gazetteer) -> None:
    text = "Ships avoided the Red Sea after Egypt closed ports."
    res = only(resolve(mini_gazetteer, text, "Red Sea"), "Red Sea")
    assert res.place is not None and res.place.feature_code == "SEA"
    text = "Floods hit Red Sea state in Sudan."
    res = only(resolve(mini_gazetteer, text, "Red Sea"), "Red Sea")
    assert res.place is not None and res.place.feature_code == "ADM1"


def test_a_plural_type_word_after_a_list(mini_gazetteer: Gazetteer) -> None:
    text = "Lines formed in Atlanta and in Fulton and Cobb counties."
    res = only(resolve(mini_gazetteer, text, "Atlanta", "Cobb"), "Cobb")
    assert res.place is not None and res.place.name == "Cobb County"
