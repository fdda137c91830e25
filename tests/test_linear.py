"""The tagging path's work grows linearly with a story: the structures that keep it so
(taken spans, names found in one pass, the heaviest points of the resolver's context) give
the answers of the plain scans they replace, and the number of calls made to tag a story
of 4n paragraphs is about four times that for n paragraphs (counted, never timed)."""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from geotag.gazetteer import Gazetteer
from geotag.models import RawSpan
from geotag.tagging.repair import _occurrences
from geotag.tagging.scoring import NEAR_POINTS, Context, is_country
from geotag.tagging.spans import Occupied
from geotag.tagging.tagger import Tagger

# -- the structures against the scans they replace ------------------------------------------

SPAN = st.tuples(st.integers(0, 60), st.integers(1, 12)).map(lambda t: (t[0], t[0] + t[1]))


@settings(max_examples=300, deadline=None)
@given(steps=st.lists(st.tuples(SPAN, SPAN), min_size=1, max_size=12))
def test_occupied_answers_as_a_scan_of_every_span(
    steps: list[tuple[tuple[int, int], tuple[int, int]]],
) -> None:
    """Whether a span is free: the same answer as comparing it with every span taken, as
    spans are taken one by one (overlapping ones too)."""
    occupied = Occupied([])
    held: list[tuple[int, int]] = []
    for (start, end), taken in steps:
        assert occupied.free(start, end) == all(end <= s or e <= start for s, e in held)
        occupied.add(*taken)
        held.append(taken)


def _occurrences_by_search(text: str, names: list[str]) -> list[tuple[int, int]]:
    """The plain way: every occurrence of every name, then the longest at each start,
    left to right without overlaps."""
    longest: dict[int, int] = {}
    for name in names:
        i = text.find(name)
        while i >= 0:
            longest[i] = max(longest.get(i, 0), len(name))
            i = text.find(name, i + 1)
    out: list[tuple[int, int]] = []
    for start in sorted(longest):
        if not out or start >= out[-1][1]:
            out.append((start, start + longest[start]))
    return out


# A small alphabet, so names overlap, share beginnings and run into one another.
SMALL_TEXT = st.text(alphabet="AaBb .", max_size=80)
SMALL_NAMES = st.lists(st.text(alphabet="AaBb .", min_size=2, max_size=6), max_size=6)


@settings(max_examples=400, deadline=None)
@given(text=SMALL_TEXT, names=SMALL_NAMES)
def test_names_found_in_one_pass_as_by_searching_each(text: str, names: list[str]) -> None:
    assert _occurrences(text, names) == _occurrences_by_search(text, names)


def test_names_found_in_one_pass_in_prose() -> None:
    text = "Gary Player met Player and Gary Players at Gary Player's house; Playerx no."
    assert [text[s:e] for s, e in _occurrences(text, ["Gary Player", "Player", "Gary"])] == [
        "Gary Player",
        "Player",
        "Gary Player",
        "Gary Player",
        "Player",
    ]


def _near_by_sorting(points: dict[int, list[float]]) -> list[tuple[float, float]]:
    """The plain way: every point sorted by weight, the earlier counted first among equals."""
    heaviest = sorted(points.values(), key=lambda pt: -pt[2])[:NEAR_POINTS]
    return [(lat, lon) for lat, lon, _ in heaviest]


@pytest.fixture(scope="module")
def town_rows(real_gazetteer: Gazetteer) -> list[int]:
    """Rows of distinct points (no country, no continent), 70 of them: more than
    NEAR_POINTS, so which ones are the heaviest matters."""
    rows: list[int] = []
    seen: set[tuple[float, float]] = set()
    for row in range(0, len(real_gazetteer), 997):
        p = real_gazetteer.place(row)
        if not is_country(p) and p.feature_code != "CONT" and (p.lat, p.lon) not in seen:
            seen.add((p.lat, p.lon))
            rows.append(row)
        if len(rows) == 70:
            break
    return rows


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_heaviest_points_as_by_sorting_all(
    data: st.DataObject, real_gazetteer: Gazetteer, town_rows: list[int]
) -> None:
    """Places counted in and out (the resolver takes a mention's place out to score it
    again, then puts it back): the NEAR_POINTS heaviest are those a full sort gives."""
    context = Context.empty()
    steps = data.draw(
        st.lists(
            st.tuples(st.sampled_from(town_rows), st.sampled_from([1, 1, 2, 3, -1, -2, 0])),
            min_size=1,
            max_size=250,
        )
    )
    for row, weight in steps:
        context.add(real_gazetteer, row, weight)
        assert context.near() == _near_by_sorting(context.points)


# -- the whole tagging path, counted --------------------------------------------------------


@contextmanager
def counted_calls() -> Iterator[list[int]]:
    """Counts the calls of Python functions and built-ins (a generator's every step
    counts: `all(... for k in kept)` over the spans kept so far is seen for what it is)."""
    count = [0]

    def profile(frame: object, event: str, arg: object) -> None:
        if event in ("call", "c_call"):
            count[0] += 1

    sys.setprofile(profile)
    try:
        yield count
    finally:
        sys.setprofile(None)


def _story(paragraphs: int, towns: list[str], distinct: bool) -> tuple[str, list[RawSpan]]:
    """A story with its recogniser spans: the same people and places in every paragraph,
    or (`distinct`) a new person and a new town in each."""
    rng = random.Random(paragraphs)
    parts: list[str] = []
    spans: list[RawSpan] = []
    at = 0
    for n in range(paragraphs):
        person = f"{'Kalu' if not distinct else _invented(rng)} Mabado"
        town = towns[n % len(towns)] if distinct else "Saraqeb"
        pieces = [
            (person, "PERSON"),
            (" told the Idlib Health Directorate that shelling hit ", None),
            ("Aleppo", "GPE"),
            (", ", None),
            ("Idlib", "GPE"),
            (" and ", None),
            (town, "GPE"),
            (". Mabado said ", None),
            ("Damascus", "GPE"),
            (" and the ", None),
            ("Red Crescent", "ORG"),
            (" had sent tents to camps near ", None),
            ("Sarmada", "ORG"),
            (".\n\n", None),
        ]
        for piece, label in pieces:
            if label is not None:
                spans.append((at, at + len(piece), label))
            parts.append(piece)
            at += len(piece)
    return "".join(parts), spans


def _invented(rng: random.Random) -> str:
    return "".join(rng.choice("bdgkmnrstvz") + rng.choice("aeiou") for _ in range(3)).title()


@pytest.fixture(scope="module")
def towns(real_gazetteer: Gazetteer) -> list[str]:
    """Names of towns the gazetteer knows, all different."""
    names: dict[str, None] = {}
    for row in range(0, len(real_gazetteer), 101):
        name = real_gazetteer.name_of(row)
        if real_gazetteer.feature_of(row)[0] == "P" and name.isalpha() and name.istitle():
            names.setdefault(name)
    return list(names)[:400]


@pytest.mark.parametrize("distinct", [False, True], ids=["repeated names", "distinct names"])
def test_tagging_work_grows_linearly(
    real_gazetteer: Gazetteer, towns: list[str], distinct: bool
) -> None:
    tagger = Tagger(real_gazetteer)
    calls = []
    mentions = []
    for paragraphs in (50, 200):
        text, spans = _story(paragraphs, towns, distinct)
        with counted_calls() as count:
            doc = tagger.tag(text, spans)
        calls.append(count[0])
        mentions.append(len(doc.mentions))
    assert mentions[1] >= 4 * mentions[0] * 0.95  # the story really grew fourfold
    # Linear: four times the story, about four times the calls (a little more for sorts
    # and hash tables; the scans this replaced made it 5.7 and 7.7 times).
    assert calls[1] <= 4.6 * calls[0], calls
