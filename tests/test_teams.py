"""A town or country named as a side of a game's result is a team (role metonym), with a
score in the sentence or without one when the other side is named too (issue 19, point
6). The real model and the real gazetteer, on sentences written here."""

from __future__ import annotations

import pytest

from geotag.engine.pipeline import Pipeline


def roles_of(pipeline: Pipeline, text: str) -> dict[str, str]:
    return {m.text: m.role for m in pipeline.tag_text(text).mentions if m.label == "PLACE"}


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        (
            "Boston beat Chicago on Saturday night to take the series lead.",
            {"Boston": "metonym", "Chicago": "metonym"},
        ),
        (
            "Germany edged the Netherlands in extra time.",
            {"Germany": "metonym", "Netherlands": "metonym"},
        ),
        (
            "In the final on Sunday, Brazil lost to Argentina.",
            {"Brazil": "metonym", "Argentina": "metonym"},
        ),
    ],
)
def test_two_places_on_either_side_of_a_result_are_teams(
    real_pipeline: Pipeline, text: str, roles: dict[str, str]
) -> None:
    assert roles_of(real_pipeline, text) == roles


@pytest.mark.parametrize(
    "text",
    [
        # a word capitalised only because the sentence starts with it
        "Storms beat Florida for a week before the sun came back.",
        # the other side is no name
        "Crowds in Chicago beat the heat at the lake on Sunday.",
        # a date is no side
        "Boston beat Tuesday's deadline for the new budget by an hour.",
        "He beat Chicago traffic by leaving work early.",
    ],
)
def test_a_verb_of_winning_with_no_other_side_leaves_the_place_literal(
    real_pipeline: Pipeline, text: str
) -> None:
    roles = roles_of(real_pipeline, text)
    assert roles and set(roles.values()) == {"literal"}
