"""NER span repairs (geotag.tagging.repair, .recover) on hand-made spans and the fixture gazetteer."""

from __future__ import annotations

import pytest

from geotag.gazetteer import Gazetteer
from geotag.tagging.recover import recover_places
from geotag.tagging.repair import repair_spans


def at(text: str, surface: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def shown(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in spans]


@pytest.mark.parametrize(
    ("text", "surface", "label", "expected"),
    [
        ("Talks with the United States.", "the United States", "GPE", "United States"),
        ("He left Syria's capital.", "Syria's", "GPE", "Syria"),
        ("He left Syria’s capital.", "Syria’s", "GPE", "Syria"),
        ("Officials at the Kremlin said", "the Kremlin", "ORG", "Kremlin"),
        ("A fire in Alexandria, Va. today", "Va", "GPE", "Va."),
        ("Born in the U.S. and raised", "the U.S.", "GPE", "U.S."),
        ("It rained in Tripoli.", "Tripoli.", "GPE", "Tripoli"),
    ],
)
def test_edges(
    mini_gazetteer: Gazetteer, text: str, surface: str, label: str, expected: str
) -> None:
    start = text.index(surface)
    repaired = repair_spans(text, [at(text, surface, label)], mini_gazetteer)
    (span,) = [(s, e) for s, e, _ in repaired if s <= start + len(surface) and start <= e]
    assert text[span[0] : span[1]] == expected


def test_person_article_is_kept(mini_gazetteer: Gazetteer) -> None:
    text = "She met the Rock."
    assert shown(text, repair_spans(text, [at(text, "the Rock", "PERSON")], mini_gazetteer)) == [
        ("the Rock", "PERSON")
    ]


def test_demonym_tagged_as_person_becomes_norp(mini_gazetteer: Gazetteer) -> None:
    text = "Syrian officials met."
    assert repair_spans(text, [at(text, "Syrian", "PERSON")], mini_gazetteer)[0][2] == "NORP"


def test_surname_of_a_named_person(mini_gazetteer: Gazetteer) -> None:
    text = "Donald Trump spoke. Later Trump left for Paris."
    spans = [
        at(text, "Donald Trump", "PERSON"),
        at(text, "Trump", "ORG", 1),
        at(text, "Paris", "GPE"),
    ]
    assert shown(text, repair_spans(text, spans, mini_gazetteer)) == [
        ("Donald Trump", "PERSON"),
        ("Trump", "PERSON"),
        ("Paris", "GPE"),
    ]


def test_named_parent_makes_a_person_a_place(mini_gazetteer: Gazetteer) -> None:
    text = "A fire in Alexandria, Va. destroyed a home. Alexandria Ocasio spoke."
    spans = [at(text, "Alexandria", "PERSON"), at(text, "Alexandria Ocasio", "PERSON")]
    assert shown(text, repair_spans(text, spans, mini_gazetteer))[:2] == [
        ("Alexandria", "GPE"),
        ("Alexandria Ocasio", "PERSON"),
    ]


def test_country_and_region_names_tagged_as_people(mini_gazetteer: Gazetteer) -> None:
    text = "Floods hit Sri Lanka and Tamil Nadu in India while Reuters watched."
    spans = [
        at(text, "Sri Lanka", "PERSON"),
        at(text, "Tamil Nadu", "PERSON"),
        at(text, "India", "GPE"),
        at(text, "Reuters", "ORG"),
    ]
    labels = [label for *_, label in repair_spans(text, spans, mini_gazetteer)]
    assert labels == ["GPE", "GPE", "GPE", "ORG"]


def test_a_region_name_needs_its_country_in_the_story(mini_gazetteer: Gazetteer) -> None:
    text = "Victoria found the phone under the sofa."
    assert repair_spans(text, [at(text, "Victoria", "ORG")], mini_gazetteer)[0][2] == "ORG"
    assert recover_places(text, [], mini_gazetteer, named=set()) == []
    text = "Bushfires in Australia spread as Victoria declared a disaster."
    spans = [at(text, "Australia", "GPE"), at(text, "Victoria", "ORG")]
    assert repair_spans(text, spans, mini_gazetteer)[1][2] == "GPE"


def test_one_label_per_name(mini_gazetteer: Gazetteer) -> None:
    text = "Aleppo fell. Aleppo burned. Aleppo rebuilt. Zorbin and Zorbin"
    spans = [
        at(text, "Aleppo", "GPE"),
        at(text, "Aleppo", "ORG", 1),
        at(text, "Aleppo", "GPE", 2),
        at(text, "Zorbin", "GPE"),
        at(text, "Zorbin", "PERSON", 1),
    ]
    labels = [label for *_, label in repair_spans(text, spans, mini_gazetteer)]
    assert labels == ["GPE", "GPE", "GPE", "GPE", "PERSON"]  # a tie changes nothing


def test_recovers_countries_abbreviations_and_datelines(mini_gazetteer: Gazetteer) -> None:
    text = "ALEPPO, Syria (AP) — Envoys of the UAE met in Lebanon."
    spans = recover_places(text, [], mini_gazetteer)
    assert shown(text, spans) == [
        ("ALEPPO", "GPE"),
        ("Syria", "GPE"),
        ("UAE", "GPE"),
        ("Lebanon", "GPE"),
    ]


def test_recovery_leaves_common_words_and_entities_alone(mini_gazetteer: Gazetteer) -> None:
    text = (
        "Georgia Smith carved the turkey. Turkey is a bird, she said; Paris was a friend. "
        "France Jones and Moscow Mule cocktails. Texas Instruments rose."
    )
    taken = [
        at(text, "Georgia Smith", "PERSON"),
        at(text, "France Jones", "PERSON"),
        at(text, "Texas Instruments", "ORG"),
    ]
    assert recover_places(text, taken, mini_gazetteer) == []


def test_spans_never_leave_the_text(mini_gazetteer: Gazetteer) -> None:
    text = "(HTS"
    assert repair_spans(text, [(0, 4, "ORG")], mini_gazetteer) == [(1, 4, "ORG")]


def test_places_inside_organisation_names(mini_gazetteer: Gazetteer) -> None:
    from geotag.tagging.recover import embedded_places

    text = "The Idlib Health Directorate, the University of Texas, Reuters and Georgia Smith."
    spans = [
        at(text, "Idlib Health Directorate", "ORG"),
        at(text, "University of Texas", "ORG"),
        at(text, "Reuters", "ORG"),
        at(text, "Georgia Smith", "PERSON"),
    ]
    assert shown(text, embedded_places(text, spans, mini_gazetteer)) == [
        ("Idlib", "GPE"),
        ("Texas", "GPE"),
    ]


def test_an_organisation_named_only_by_a_place_is_not_split(mini_gazetteer: Gazetteer) -> None:
    from geotag.tagging.recover import embedded_places

    text = "Paris beat Lyon."
    assert embedded_places(text, [at(text, "Paris", "ORG")], mini_gazetteer) == []


def test_after_a_locative_word_a_known_town_is_a_place(mini_gazetteer: Gazetteer) -> None:
    text = "Clashes in Tripoli grew while Tripoli Bank closed. A storm in Raleigh hit in March."
    spans = [at(text, "Tripoli", "ORG"), at(text, "Tripoli Bank", "ORG")]
    repaired = repair_spans(text, spans, mini_gazetteer)
    assert shown(text, repaired) == [
        ("Tripoli", "GPE"),
        ("Tripoli Bank", "ORG"),
        ("Raleigh", "GPE"),
    ]


def test_a_town_of_the_storys_region_tagged_as_an_organisation(mini_gazetteer: Gazetteer) -> None:
    text = "Seattle crews and Spokane officials met; Spokane Mayor Reuters said no."
    spans = [at(text, "Seattle", "GPE"), at(text, "Spokane", "ORG"), at(text, "Reuters", "ORG")]
    labels = [label for *_, label in repair_spans(text, spans, mini_gazetteer)]
    assert labels == ["GPE", "GPE", "ORG"]
    alone = "Spokane officials met."
    assert repair_spans(alone, [at(alone, "Spokane", "ORG")], mini_gazetteer)[0][2] == "ORG"


def test_an_untagged_town_of_the_storys_region_is_recovered(mini_gazetteer: Gazetteer) -> None:
    text = "Crews from Seattle drove east; by noon Spokane was dry, and hope returned."
    spans = [at(text, "Seattle", "GPE")]
    assert shown(text, repair_spans(text, spans, mini_gazetteer)) == [
        ("Seattle", "GPE"),
        ("Spokane", "GPE"),
    ]


def test_the_next_names_of_a_list_after_in(mini_gazetteer: Gazetteer) -> None:
    text = "Analysts in Singapore and Rotterdam said rates rose."
    spans = [at(text, "Singapore", "GPE"), at(text, "Rotterdam", "PERSON")]
    assert [label for *_, label in repair_spans(text, spans, mini_gazetteer)] == ["GPE", "GPE"]


def test_a_one_word_name_the_text_also_writes_in_lower_case_is_a_word(
    mini_gazetteer: Gazetteer,
) -> None:
    text = "Studio: the studio closed. Box office takings fell as the box emptied; Reuters said so."
    spans = [at(text, "Studio", "ORG"), at(text, "Box", "PERSON"), at(text, "Reuters", "ORG")]
    assert shown(text, repair_spans(text, spans, mini_gazetteer)) == [("Reuters", "ORG")]
