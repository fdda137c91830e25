"""NER span repairs and the place model (geotag.tagging.repair, .recognition) on hand-made
spans and the fixture gazetteer."""

from __future__ import annotations

import pytest

from geotag.gazetteer import Gazetteer
from geotag.tagging.recognition import candidates, default_model
from geotag.tagging.repair import prepare_spans, repair_spans
from geotag.tagging.spans import trim


def at(text: str, surface: str, label: str, nth: int = 0) -> tuple[int, int, str]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return start, start + len(surface), label


def shown(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str]]:
    return [(text[s:e], label) for s, e, label in spans]


def repaired(text: str, spans: list[tuple[int, int, str]], gazetteer: Gazetteer):
    """The repaired spans (without the places embedded in organisation names)."""
    return repair_spans(text, spans, gazetteer).spans


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
    real_gazetteer: Gazetteer, text: str, surface: str, label: str, expected: str
) -> None:
    start = text.index(surface)
    found = repaired(text, [at(text, surface, label)], real_gazetteer)
    (span,) = [(s, e) for s, e, _ in found if s <= start + len(surface) and start <= e]
    assert text[span[0] : span[1]] == expected


def test_person_article_is_kept(real_gazetteer: Gazetteer) -> None:
    text = "She met the Rock."
    assert trim(text, *at(text, "the Rock", "PERSON"), real_gazetteer) == at(
        text, "the Rock", "PERSON"
    )


def test_demonym_tagged_as_person_becomes_norp(real_gazetteer: Gazetteer) -> None:
    text = "Syrian officials met."
    assert repaired(text, [at(text, "Syrian", "PERSON")], real_gazetteer)[0][2] == "NORP"


def test_surname_of_a_named_person(real_gazetteer: Gazetteer) -> None:
    text = "Donald Trump spoke. Later Trump left for Paris."
    spans = [
        at(text, "Donald Trump", "PERSON"),
        at(text, "Trump", "ORG", 1),
        at(text, "Paris", "GPE"),
    ]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Donald Trump", "PERSON"),
        ("Trump", "PERSON"),
        ("Paris", "GPE"),
    ]


def test_named_parent_makes_a_person_a_place(real_gazetteer: Gazetteer) -> None:
    text = "A fire in Alexandria, Va. destroyed a home. Alexandria Ocasio spoke."
    spans = [at(text, "Alexandria", "PERSON"), at(text, "Alexandria Ocasio", "PERSON")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Alexandria", "GPE"),
        ("Va.", "GPE"),
        ("Alexandria Ocasio", "PERSON"),
    ]


def test_country_and_region_names_tagged_as_people(real_gazetteer: Gazetteer) -> None:
    text = "Floods hit Sri Lanka and Tamil Nadu in India while Reuters watched."
    spans = [
        at(text, "Sri Lanka", "PERSON"),
        at(text, "Tamil Nadu", "PERSON"),
        at(text, "India", "GPE"),
        at(text, "Reuters", "ORG"),
    ]
    labels = [label for *_, label in repaired(text, spans, real_gazetteer)]
    assert labels == ["GPE", "GPE", "GPE", "ORG"]


def place_probability(text: str, spans, surface: str, gazetteer: Gazetteer) -> float:
    """The place model's probability for the candidate spelled `surface`."""
    fixed, named = prepare_spans(text, spans, gazetteer)
    model = default_model()
    (found,) = [
        c for c in candidates(text, fixed, gazetteer, named) if text[c.start : c.end] == surface
    ]
    return model.probability(found.features)


def test_a_region_name_is_likelier_a_place_when_its_country_is_in_the_story(
    real_gazetteer: Gazetteer,
) -> None:
    alone = "Victoria declared a disaster."
    story = "Bushfires in Australia spread as Victoria declared a disaster."
    spans = [at(story, "Australia", "GPE"), at(story, "Victoria", "ORG")]
    p_alone = place_probability(alone, [at(alone, "Victoria", "ORG")], "Victoria", real_gazetteer)
    p_story = place_probability(story, spans, "Victoria", real_gazetteer)
    assert p_story > p_alone
    assert repaired(story, spans, real_gazetteer)[1][2] == "GPE"


def test_context_moves_the_place_probability_the_right_way(real_gazetteer: Gazetteer) -> None:
    def p(text: str, label: str = "ORG") -> float:
        return place_probability(text, [at(text, "Tripoli", label)], "Tripoli", real_gazetteer)

    plain = p("Tripoli reopened on Monday.")
    assert p("Clashes in Tripoli reopened on Monday.") > plain  # a locative word
    assert p("Tripoli, Lebanon reopened on Monday.") > plain  # a parent that contains it
    assert p("Tripoli province reopened on Monday.") > plain  # a type word


def test_one_label_per_name(real_gazetteer: Gazetteer) -> None:
    text = "Aleppo fell. Aleppo burned. Aleppo rebuilt. Zorbin and Zorbin"
    spans = [
        at(text, "Aleppo", "GPE"),
        at(text, "Aleppo", "ORG", 1),
        at(text, "Aleppo", "GPE", 2),
        at(text, "Zorbin", "GPE"),
        at(text, "Zorbin", "PERSON", 1),
    ]
    labels = [label for *_, label in repaired(text, spans, real_gazetteer)]
    # Aleppo is a place throughout; a name no gazetteer knows, a place once and a person
    # once, is no place: a person, both times.
    assert labels == ["GPE", "GPE", "GPE", "PERSON", "PERSON"]


def test_recovers_countries_abbreviations_and_datelines(real_gazetteer: Gazetteer) -> None:
    text = "ALEPPO, Syria (AP) — Envoys of the UAE met in Lebanon."
    spans = repaired(text, [], real_gazetteer)
    assert shown(text, spans) == [
        ("ALEPPO", "GPE"),
        ("Syria", "GPE"),
        ("UAE", "GPE"),
        ("Lebanon", "GPE"),
    ]


def test_recovery_leaves_common_words_and_entities_alone(real_gazetteer: Gazetteer) -> None:
    text = (
        "Georgia Smith carved the turkey. Turkey is a bird, she said. "
        "France Jones and Moscow Mule cocktails. Texas Instruments rose."
    )
    taken = [
        at(text, "Georgia Smith", "PERSON"),
        at(text, "France Jones", "PERSON"),
        at(text, "Texas Instruments", "ORG"),
    ]
    # The entities stay whole, and no common word becomes a place (a place that starts an
    # organisation's name, "Texas" here, may be reported inside it, as embedded).
    assert repaired(text, taken, real_gazetteer) == taken


def test_spans_never_leave_the_text(real_gazetteer: Gazetteer) -> None:
    text = "(HTS"
    assert repaired(text, [(0, 4, "ORG")], real_gazetteer) == [(1, 4, "ORG")]


def test_places_inside_organisation_names(real_gazetteer: Gazetteer) -> None:
    text = "The Minnesota Department of Transportation, the University of Texas, Reuters and Georgia Smith."
    spans = [
        at(text, "Minnesota Department of Transportation", "ORG"),
        at(text, "University of Texas", "ORG"),
        at(text, "Reuters", "ORG"),
        at(text, "Georgia Smith", "PERSON"),
    ]
    assert shown(text, repair_spans(text, spans, real_gazetteer).embedded) == [
        ("Minnesota", "GPE"),
        ("Texas", "GPE"),
    ]


def test_adjectives_of_countries_inside_organisation_names(real_gazetteer: Gazetteer) -> None:
    text = "The Canadian Blood Services, the Centre for Monitoring Indian Economy and the Americans United."
    spans = [
        at(text, "Canadian Blood Services", "ORG"),
        at(text, "Centre for Monitoring Indian Economy", "ORG"),
        at(text, "Americans United", "ORG"),  # a word for the people is not the place
    ]
    assert shown(text, repair_spans(text, spans, real_gazetteer).embedded) == [
        ("Canadian", "NORP"),
        ("Indian", "NORP"),
    ]


def test_an_organisation_named_only_by_a_place_is_not_split(real_gazetteer: Gazetteer) -> None:
    text = "Paris beat Lyon."
    assert repair_spans(text, [at(text, "Paris", "ORG")], real_gazetteer).embedded == []


def test_after_a_locative_word_a_known_town_is_a_place(real_gazetteer: Gazetteer) -> None:
    text = "Clashes in Tripoli grew while Tripoli Bank closed."
    spans = [at(text, "Tripoli", "ORG"), at(text, "Tripoli Bank", "ORG")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Tripoli", "GPE"),
        ("Tripoli Bank", "ORG"),
    ]
    # Untagged, in a story about its state: "in" and the story together make it a place.
    text = "Rivers rose across North Dakota. A storm in Fargo hit in March."
    spans = [at(text, "North Dakota", "GPE")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("North Dakota", "GPE"),
        ("Fargo", "GPE"),
    ]


def test_a_town_of_the_storys_region_tagged_as_an_organisation(real_gazetteer: Gazetteer) -> None:
    text = "Seattle crews and Spokane officials met; Spokane Mayor Nash told Reuters no."
    spans = [at(text, "Seattle", "GPE"), at(text, "Spokane", "ORG"), at(text, "Reuters", "ORG")]
    labels = [label for *_, label in repaired(text, spans, real_gazetteer)]
    assert labels == ["GPE", "GPE", "ORG"]
    alone = "Spokane officials met."
    assert repaired(alone, [at(alone, "Spokane", "ORG")], real_gazetteer)[0][2] == "ORG"


def test_an_untagged_town_of_the_storys_region_is_recovered(real_gazetteer: Gazetteer) -> None:
    text = "Crews from Seattle drove east; by noon Spokane was dry, and hope returned."
    spans = [at(text, "Seattle", "GPE")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Seattle", "GPE"),
        ("Spokane", "GPE"),
    ]


def test_the_next_names_of_a_list_after_in(real_gazetteer: Gazetteer) -> None:
    text = "Analysts in Singapore and Rotterdam said rates rose."
    spans = [at(text, "Singapore", "GPE"), at(text, "Rotterdam", "PERSON")]
    assert [label for *_, label in repaired(text, spans, real_gazetteer)] == ["GPE", "GPE"]


def test_a_one_word_name_the_text_also_writes_in_lower_case_is_a_word(
    real_gazetteer: Gazetteer,
) -> None:
    text = "Studio: the studio closed. Box office takings fell as the box emptied; Reuters said so."
    spans = [at(text, "Studio", "ORG"), at(text, "Box", "PERSON"), at(text, "Reuters", "ORG")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [("Reuters", "ORG")]


def test_words_of_religions_and_movements_are_no_organisations(real_gazetteer: Gazetteer) -> None:
    text = "Takfiri fighters and Salafists clashed with Reuters reporters nearby."
    spans = [at(text, "Takfiri", "ORG"), at(text, "Salafists", "ORG"), at(text, "Reuters", "ORG")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Takfiri", "NORP"),
        ("Salafists", "NORP"),
        ("Reuters", "ORG"),
    ]


def test_a_name_the_recogniser_missed_later_gets_its_label(real_gazetteer: Gazetteer) -> None:
    text = (
        "Gary Player won in 1961. Player said the course was hard; Player Trophy winners cheered."
    )
    spans = [at(text, "Gary Player", "PERSON")]
    assert shown(text, repaired(text, spans, real_gazetteer)) == [
        ("Gary Player", "PERSON"),
        ("Player", "PERSON"),  # the second "Player" starts a longer, untagged name
    ]


def test_a_name_after_a_persons_title_is_a_person_throughout(real_gazetteer: Gazetteer) -> None:
    text = "Governor Halvard spoke. Critics said Halvard's plan failed. HALVARD replied."
    spans = [
        at(text, "Halvard", "PERSON"),
        at(text, "Halvard", "ORG", 1),
        at(text, "HALVARD", "ORG"),
    ]
    # Two organisation votes to one person vote, but the title settles it, in any case.
    assert [label for *_, label in repaired(text, spans, real_gazetteer)] == ["PERSON"] * 3


def test_a_title_does_not_make_an_institution_or_common_words_a_person(
    real_gazetteer: Gazetteer,
) -> None:
    text = "Mass at St Brigid Hospital. St Brigid Hospital staff and the national group met."
    spans = [at(text, "Brigid Hospital", "ORG"), at(text, "Brigid Hospital", "ORG", 1)]
    assert [label for *_, label in repaired(text, spans, real_gazetteer)] == ["ORG", "ORG"]
    words = "Deputy National Group spokesman said the national group met. National Group won."
    spans = [at(words, "National Group", "ORG"), at(words, "National Group", "ORG", 1)]
    assert [label for *_, label in repaired(words, spans, real_gazetteer)] == ["ORG", "ORG"]


@pytest.mark.parametrize(
    ("first", "expected"),
    [
        # A tie between person and organisation: a given name first makes it a person...
        ("Buddy Quillan", "PERSON"),
        # ...an organisation's word last, or no given name, leaves the recogniser's labels.
        ("Buddy Quillan Records", "mixed"),
        ("Quillanex", "mixed"),
    ],
)
def test_a_tie_between_person_and_organisation(
    real_gazetteer: Gazetteer, first: str, expected: str
) -> None:
    text = f"Fans loved {first}. Later {first} toured Japan."
    spans = [at(text, first, "PERSON"), at(text, first, "ORG", 1)]
    labels = [label for s, e, label in repaired(text, spans, real_gazetteer) if text[s:e] == first]
    assert labels == (["PERSON", "PERSON"] if expected == "PERSON" else ["PERSON", "ORG"])


def test_a_teams_nickname_is_the_team(real_gazetteer: Gazetteer) -> None:
    text = "The Wexford Otters won. The Otters beat the visitors, and fans cheered the Otters."
    spans = [at(text, "Wexford Otters", "ORG"), at(text, "Otters", "PERSON", 1)]
    found = shown(text, repaired(text, spans, real_gazetteer))
    # The one tagged a person becomes the team; the one left untagged is found.
    assert found == [("Wexford Otters", "ORG"), ("Otters", "ORG"), ("Otters", "ORG")]


@pytest.mark.parametrize(
    "text",
    [
        # A plural the text also writes in lower case is a common noun.
        "The Wexford Otters won. Otters were seen; otters swim.",
        # A full name that begins with a given name is a person the recogniser mistook.
        "The Hank Otters won. Later, Otters was seen.",
    ],
)
def test_what_is_no_teams_nickname(real_gazetteer: Gazetteer, text: str) -> None:
    first = text.index("Otters") - (len("Wexford ") if "Wexford" in text else len("Hank "))
    spans = [(first, text.index("Otters") + len("Otters"), "ORG")]
    found = shown(text, repaired(text, spans, real_gazetteer))
    assert all(name != "Otters" for name, _ in found)
