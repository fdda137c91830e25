"""People and organisations, one entity wherever a name recurs in a story: a name once
after a person's title is a person throughout, however it is written ("Trump's",
"TRUMP"), and a team's nickname is the team. The real model and the real gazetteer, on
sentences written here."""

from __future__ import annotations

from geotag.engine.pipeline import Pipeline


def labels_of(pipeline: Pipeline, text: str, name: str) -> list[str]:
    doc = pipeline.tag_text(text)
    return [m.label for m in doc.mentions if m.text.casefold() == name.casefold()]


def test_a_titled_name_is_one_person_in_every_form(real_pipeline: Pipeline) -> None:
    # The small model tags the first "Trump" a person and the other two organisations.
    text = (
        "President Trump spoke on Monday. Critics said Trump's plan would fail. "
        "TRUMP responded on Twitter."
    )
    assert labels_of(real_pipeline, text, "Trump") == ["PERSON", "PERSON", "PERSON"]


def test_a_teams_nickname_is_the_team(real_pipeline: Pipeline) -> None:
    # The small model tags "Bruins" alone a person.
    text = "The Boston Bruins won again. The Bruins beat Montreal 4-2, and the Bruins now lead."
    assert labels_of(real_pipeline, text, "Bruins") == ["ORG", "ORG"]
    assert labels_of(real_pipeline, text, "Boston Bruins") == ["ORG"]


def test_people_named_in_full_keep_their_surnames(real_pipeline: Pipeline) -> None:
    text = "Garry Kasparov met Bill Gates in Oslo. Later Kasparov and Gates had dinner."
    assert labels_of(real_pipeline, text, "Kasparov") == ["PERSON"]
    assert labels_of(real_pipeline, text, "Gates") == ["PERSON"]


def roles_of(pipeline: Pipeline, text: str) -> dict[str, str]:
    return {m.text: m.role for m in pipeline.tag_text(text).mentions if m.label == "PLACE"}


def test_towns_and_countries_in_a_games_result_are_teams(real_pipeline: Pipeline) -> None:
    roles = roles_of(real_pipeline, "Boston beat Chicago 4-2 on Saturday night at home.")
    assert roles == {"Boston": "metonym", "Chicago": "metonym"}
    roles = roles_of(real_pipeline, "Brazil lost to Germany 7-1 in the semi-final.")
    assert roles == {"Brazil": "metonym", "Germany": "metonym"}


def test_a_verb_of_winning_without_a_score_leaves_the_place_literal(
    real_pipeline: Pipeline,
) -> None:
    roles = roles_of(real_pipeline, "Storms beat Florida for a week. Boston sent 200 workers.")
    assert roles == {"Florida": "literal", "Boston": "literal"}
    roles = roles_of(real_pipeline, "Crowds in Chicago beat the heat; it hit 95 degrees.")
    assert roles == {"Chicago": "literal"}
