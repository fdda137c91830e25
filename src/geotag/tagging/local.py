"""Where a story is: its home region (the first-level region a local story is set in),
and the container of a place the gazetteer has no row for ("Royal Street in New Orleans").
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..gazetteer import Gazetteer, normalize_name
from ..models import Place
from .candidates import MentionGroup
from .query import PlaceQuery

# Round figures chosen beforehand, not fit on the dev corpora. A home region needs this
# much evidence (a dateline counts DATELINE_VOTES, every other unambiguous mention one)
# and at least half of all the evidence that lies in some first-level region.
HOME_VOTES = 3
DATELINE_VOTES = 3
# The confidence of a place the gazetteer lacks, placed at its container: named as its
# container in the same sentence, or only by the story's dateline or focus city.
WITHIN_NAMED = 0.5
WITHIN_STORY = 0.35
# A town of the home region chosen over a namesake elsewhere.
HOME_CONFIDENCE = 0.6

# Rules that settle a mention without weighing its candidates: their places are the
# unambiguous evidence of where a story is.
_UNAMBIGUOUS = frozenset({"parent", "single", "landmark"})
# "HUNTSVILLE, Ala. —", "CAIRO (Reuters) -": a place, perhaps its state or an agency,
# then a dash, at the very start of the story.
_DATELINE_TAIL = re.compile(
    r"(?:,\s*[A-Z][\w.]*(?:\s[A-Z][\w.]*)?)?\s*(?:\([^)\n]{1,40}\)\s*)?[-—–]"
)
# Between a place the gazetteer lacks and its container named right after it: "X, Y",
# "X in (downtown) Y", "X, a neighbourhood of Y".
_KINDS = (
    "neighbou?rhood|suburb|district|area|street|road|avenue|town|village|part|section|"
    "quarter|borough|community|city|region|province|campus|park|square|stadium|township|"
    "enclave|camp|base|island|port|hamlet|settlement|resort|county"
)
_WITHIN_LINK = re.compile(
    r"\s*,\s*|\s+(?:in|at|of)\s+(?:the\s+)?"
    r"(?:(?:downtown|central|north|south|east|west|northern|southern|eastern|western|"
    r"suburban|rural|greater|outer|inner|old|historic)\s+)?"
    rf"|\s*,\s*(?:an?|the)\s+(?:[\w-]+\s+){{0,3}}(?:{_KINDS})\s+(?:of|in|outside)\s+(?:the\s+)?"
)
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)\s+")


def dateline(text: str, queries: Sequence[PlaceQuery]) -> int | None:
    """The index of the query that is the story's dateline place, or None."""
    if not queries or text[: queries[0].start].strip():
        return None
    if _DATELINE_TAIL.match(text, queries[0].end):
        return 0
    return None


@dataclass(frozen=True, slots=True)
class StoryPlaces:
    """A story's place mentions as the resolver has grouped them so far, each group found
    by any of its members' indices, and the index of its dateline's mention (None: no
    dateline)."""

    gaz: Gazetteer
    groups: list[MentionGroup]
    by_member: dict[int, MentionGroup]
    dateline_at: int | None

    @classmethod
    def of(
        cls, gaz: Gazetteer, groups: Iterable[MentionGroup], dateline_at: int | None
    ) -> StoryPlaces:
        groups = list(groups)
        return cls(gaz, groups, {i: g for g in groups for i in g.members}, dateline_at)

    def dateline_place(self) -> tuple[MentionGroup, Place] | None:
        """The dateline's group and the place it is settled on, if it is."""
        if self.dateline_at is None:
            return None
        g = self.by_member.get(self.dateline_at)
        if g is None or g.settled is None:
            return None
        return g, self.gaz.place(g.settled)


def home_region(story: StoryPlaces) -> tuple[str, str] | None:
    """The (country code, first-level region code) a story is set in: where its dateline
    and its unambiguous mentions (a place with its state, a name with one candidate, a
    state itself) mostly lie; None when they do not point to one region clearly."""
    gaz = story.gaz
    votes: Counter[tuple[str, str]] = Counter()
    for g in story.groups:
        if g.settled is None or g.inner:
            continue
        p = gaz.place(g.settled)
        if not p.admin1_code or not (g.rule in _UNAMBIGUOUS or p.feature_code == "ADM1"):
            continue
        votes[(p.country_code, p.admin1_code)] += len(g.members)
    dated = story.dateline_place()
    if dated is not None and dated[1].admin1_code:
        votes[(dated[1].country_code, dated[1].admin1_code)] += DATELINE_VOTES
    if not votes:
        return None
    region, n = votes.most_common(1)[0]
    if n < HOME_VOTES or n * 2 < sum(votes.values()):
        return None
    return region


def home_candidate(gaz: Gazetteer, g: MentionGroup, home: tuple[str, str]) -> int | None:
    """The town or county of the home region a scored name means ("Arlington", "Henry
    County" in a story from Georgia), or None: its most populous candidate there named
    by the name itself (not by an alternate name), unless the name is settled on a
    country, a first-level region or a continent, or already in the home region."""
    if g.settled is not None:
        settled = gaz.place(g.settled)
        if (settled.country_code, settled.admin1_code) == home:
            return None
        if settled.feature_code in ("ADM1", "CONT") or settled.feature_code.startswith("PCL"):
            return None
    if any(gaz.place(r).feature_code == "ADM1" for r in g.rows):
        # A bare state's name is the state ("Washington" listed with Oregon), not a town.
        return None
    names = {g.base, f"{g.base} county", f"{g.base} parish"}
    local = [
        r
        for r in g.rows
        if (p := gaz.place(r)).feature_class in "PA"
        and (p.country_code, p.admin1_code) == home
        and p.feature_code != "ADM1"
        and normalize_name(p.name) in names
    ]
    if not local:
        return None
    return max(local, key=lambda r: gaz.place(r).population)


def container(
    text: str,
    queries: Sequence[PlaceQuery],
    g: MentionGroup,
    by_member: dict[int, MentionGroup],
) -> MentionGroup | None:
    """The resolved mention a place the gazetteer lacks lies in, named in the same
    sentence: right after it ("Royal Street in New Orleans", "Madinaty, a suburb of
    Cairo", "Camp Bastion, Helmand") or as its possessor ("New Orleans' French Quarter")."""
    for i in g.members:
        # The mention right after, linked as its container; then the one right before,
        # as its possessor.
        for j, link in ((i + 1, _WITHIN_LINK), (i - 1, _POSSESSIVE)):
            other = by_member.get(j) if 0 <= j < len(queries) else None
            if other is None or other.settled is None or queries[j].kind != "toponym":
                continue
            first, second = (queries[i], queries[j]) if j > i else (queries[j], queries[i])
            if link.fullmatch(text, first.end, second.start):
                return other
    return None


def story_container(story: StoryPlaces) -> MentionGroup | None:
    """Where a story's places lie when it says no more: its dateline's city, else its
    focus city (named more than once, and by at least half the mentions of cities: not
    Ankara in a story about Idlib that names Ankara most)."""
    gaz = story.gaz
    dated = story.dateline_place()
    if dated is not None and dated[1].feature_class == "P":
        return dated[0]
    cities = sorted(
        (
            g
            for g in story.groups
            if g.settled is not None and not g.inner and gaz.place(g.settled).feature_class == "P"
        ),
        key=lambda g: len(g.members),
        reverse=True,
    )
    if not cities or len(cities[0].members) < 2:
        return None
    # The focus only when the story is mostly there: at least half of its cities' mentions.
    if 2 * len(cities[0].members) < sum(len(g.members) for g in cities):
        return None
    return cities[0]


def home_towns(
    gaz: Gazetteer, groups: Iterable[MentionGroup], dateline_at: int | None
) -> list[tuple[MentionGroup, int]]:
    """A local story's bare names are its home region's towns and counties: each scored
    group ("Arlington", "Henry County" in a story datelined "ATLANTA, Ga." or naming
    Georgia places with their state) and the home region's row it means, where the
    scores picked a bigger namesake, a world city, or abstained. A country, a state or a
    continent named stays what it is; so does a name given its own parent."""
    story = StoryPlaces.of(gaz, groups, dateline_at)
    home = home_region(story)
    if home is None:
        return []
    found = []
    for g in story.groups:
        if g.rule not in ("score", "abstain", "world-city") or g.inner:
            continue
        row = home_candidate(gaz, g, home)
        if row is not None:
            found.append((g, row))
    return found


def containers(
    gaz: Gazetteer,
    text: str,
    queries: Sequence[PlaceQuery],
    groups: Iterable[MentionGroup],
    dateline_at: int | None,
) -> list[tuple[MentionGroup, int, bool]]:
    """Each place the gazetteer has no row for, the row of the place it lies in, and
    whether that place is named with it (True) or only the story's (False): the container
    the sentence names ("Royal Street in New Orleans"), else the story's dateline or focus
    city. A name with a type word that found nothing ("Orange County" without a county)
    is left alone."""
    story = StoryPlaces.of(gaz, groups, dateline_at)
    fallback = story_container(story)
    found = []
    for g in story.groups:
        if g.rows or g.settled is not None or g.hint:
            continue
        named = container(text, queries, g, story.by_member)
        if named is not None and named is not g and named.settled is not None:
            found.append((g, named.settled, True))
        elif fallback is not None and fallback.settled is not None:
            found.append((g, fallback.settled, False))
    return found
