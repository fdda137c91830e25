"""A story's cue words found once (`tagging.cues`) and its datelines tried where they can
begin: the same answers as searching every window and every character."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from geotag.tagging import lexicon, query, recognition

# Words the searches look for and words that look like them, in every case and spacing.
WORDS = [
    "in", "In", "near", "Near", "outside", "within", "around", "downtown", "across",
    "throughout", "of", "Of", "city", "province", "the", "Mr", "Mr.", "Mrs.", "Gen.",
    "General", "XMr", "St.", "Governor", "Sister", "and", "or", ",", "Aleppo", "Idlib", "Mr_",
    "Dr.\u2003", "Gen\n", "éGen.", "Mr..", "2Mr", "Mr\u00a0",
    "New York", "Sen", "Prince", "Princess", "north", "between", "U.S.", "\n", "of\n",
]  # fmt: skip
SPACES = [" ", "  ", "\n", "\t", "\xa0", ""]


# The search after_title stands for: a title, an optional dot, spaces, at the window's end.
TITLE = re.compile(r"\b(?:" + "|".join(recognition.TITLE_WORDS) + r")\.?\s+$")


def plain_after_title(text: str, start: int) -> bool:
    return bool(TITLE.search(text[max(0, start - 30) : start]))


def plain_after_locative(text: str, start: int) -> bool:
    return lexicon.LOCATIVE.search(text, max(0, start - 48), start) is not None


def plain_hint_before(text: str, start: int) -> str:
    m = query.HINT_BEFORE.search(text, max(0, start - 25), start)
    return m.group(1) if m else ""


def guarded_hint_before(text: str, start: int) -> str:
    m = query.OF_CUE.within(text, start, 25) and query.HINT_BEFORE.search(
        text, max(0, start - 25), start
    )
    return m.group(1) if m else ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(SPACES)), max_size=40))
def test_guarded_searches_answer_as_plain_ones(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + space for word, space in pieces)
    for start in range(len(text) + 1):
        assert recognition.after_title(text, start) == plain_after_title(text, start)
        assert lexicon.after_locative(text, start) == plain_after_locative(text, start)
        assert guarded_hint_before(text, start) == plain_hint_before(text, start)


def test_cues_find_what_the_searches_need() -> None:
    text = "Fighting near the city of Aleppo, said Gen. Smith in Idlib."
    assert recognition.after_title(text, text.index("Smith"))
    assert lexicon.after_locative(text, text.index("Idlib"))
    assert query.context_hint(text, text.index("Aleppo"), text.index(",")) == "city"
    assert not recognition.after_title(text, text.index("Idlib"))


DATELINE_PIECES = [
    "DAMASCUS", "ALEPPO", "NEW YORK", "U.S.", "(AP)", ",", " —", " -- ", ": ", "Syria",
    ".", "!", "?", " ", "\n", "\n\n", "\t", "said", "O'HARE", "-", "—", "(",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(DATELINE_PIECES), max_size=30))
def test_datelines_are_what_the_whole_text_search_finds(pieces: list[str]) -> None:
    text = "".join(pieces)
    expected = [m.span("name") for m in recognition._DATELINE.finditer(text)]
    assert [m.span("name") for m in recognition.datelines(text)] == expected


FRAME_WORDS = [
    "near", "NEAR", "Near", "outside", "Around", "north of", "North-east of", "southwest of",
    "between", "BETWEEN", "and", "or", ",", "the", "crossing", "in", "Sarmada", "Atmeh",
    "Bab al-Hawa", "ſouth of", "\u212aent", "camps", "“", "”",
]  # fmt: skip


def plain_locative_frame(text: str, start: int, end: int) -> str:
    window = max(0, start - 60)
    if lexicon._NEAR.search(text, window, start):
        return "near"
    if lexicon._DIRECTION_OF.search(text, window, start):
        return "direction"
    site = lexicon._SITE_AFTER.match(text, end, min(len(text), end + 24))
    if (
        site is not None
        and site.group(1) in lexicon.SITE_WORDS
        and lexicon._THE_BEFORE.search(text, max(0, start - 5), start)
    ):
        return "site"
    if lexicon._BETWEEN.search(text, window, start):
        return "between"
    if plain_after_locative(text, start):
        return "in"
    return ""


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FRAME_WORDS), st.sampled_from(SPACES)), max_size=30))
def test_locative_frames_are_what_the_plain_searches_find(pieces: list[tuple[str, str]]) -> None:
    text = "".join(word + space for word, space in pieces)
    for start in range(len(text) + 1):
        end = min(len(text), start + 8)
        assert lexicon.locative_frame(text, start, end) == plain_locative_frame(text, start, end)
