"""Candidate gathering: from a place mention's words to the gazetteer rows it may name,
and the mentions of a document grouped by query (one sense per document)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..gazetteer import Gazetteer, is_generic_name, normalize_name
from ..gazetteer.names import strip_possessive
from .lexicon import CALENDAR, DIRECTIONS
from .query import (
    LABEL_CUES,
    WATER_WORDS,
    PlaceQuery,
    context_cue,
    context_hint,
    hint_before,
    name_cue,
    split_query,
)
from .rules import Rule
from .scoring import REGION_CODES, Features, is_country
from .spans import sentence_start

# The least population of a town a longer name may be placed at by its inner name.
INNER_NAME_POPULATION = 15_000
# Last words of names that are somewhere in a town, not the town ("Main Street").
_THOROUGHFARES = frozenset(
    "street st road rd avenue ave drive dr lane ln boulevard blvd way trail place pl "
    "square highway hwy parkway pkwy park line".split()
)
# "U.S.", "Calif.", "US", and initials that lost their last dot ("U.S", "D.C").
_ABBREVIATION = re.compile(r"^(?:[A-Z][A-Za-z]{0,4}\.)+$|^(?:[A-Z]\.)+[A-Z]$|^[A-Z]{2,4}$")
_SPEECH = re.compile(
    r"^\s*(?:has |had |have |will |would |also |on \w+ )?"
    r"(?:said|says|say|announced|announces|warned|warns|denied|denies|rejected|rejects|"
    r"stated|claimed|claims|insisted|insists|accused|accuses|urged|urges|condemned|"
    r"condemns|declined|responded|confirmed|confirms|demanded|demands|"
    r"spokesman|spokeswoman|spokesperson)\b"
)

Scored = tuple[float, int, Features]  # score, row, features


@dataclass(slots=True)
class MentionGroup:
    """All mentions sharing one query: they get one place (one sense per document)."""

    key: str
    base: str
    hint: str
    members: list[int]
    ner_labels: Counter[str]
    rows: list[int]
    landmark: bool = False
    # Resolved by a name inside the mention's: a guess, never evidence for the others.
    inner: bool = False
    settled: int | None = None
    confidence: float = 0.0
    rule: Rule | None = None
    scored: list[Scored] = field(default_factory=list)
    # The rule's detail in words, where it has one ("named parent: Texas"; `--explain`).
    reason: str = ""

    @property
    def weight(self) -> int:
        """How much the group's place counts as context for the others."""
        return 0 if self.inner else len(self.members)


def speaks(text: str, q: PlaceQuery) -> bool:
    """The mention is followed by a verb of speech ("the Kremlin said"): it names an
    institution by its place."""
    return bool(_SPEECH.match(text[q.end : q.end + 40]))


# A game's result: a verb of winning or losing between two sides, and a score in the same
# sentence ("Boston beat Chicago 4-2", "Brazil lost to Germany 7–1").
_RESULT = (
    r"(?:beat|beats|defeated|defeats|edged|edges|routed|routs|thrashed|thrashes|blanked|"
    r"swept|sweeps|downed|downs|topped|outscored|outlasted|trounced|hammered|stunned|"
    r"lost to|loses to|fell to|falls to|drew with|draws with|tied)"
)
_RESULT_AFTER = re.compile(rf"^\s+{_RESULT}\b")
_RESULT_BEFORE = re.compile(rf"\b{_RESULT}\s+(?:the\s+)?$")
_SCORE = re.compile(r"(?<![\d.,-])\d{1,3}\s?[-–]\s?\d{1,3}(?![\d.,-])")
_SENTENCE_END = re.compile(r"[.!?\n]")


# The other side of a game's result ("Boston beat **Chicago**"): a capitalised name.
_SIDE_AFTER = re.compile(r"\s*(?:the\s+)?([A-Z][a-z]*)")
_SIDE_BEFORE = re.compile(r"(?<![\w.'’-])[A-Z][\w.'’-]*\s+$")


def plays(text: str, q: PlaceQuery, places: Sequence[PlaceQuery] = ()) -> bool:
    """The mention names a team by its town or country ("**Boston** beat **Chicago**
    4-2"): it is the subject or the object of a verb of winning or losing, and the
    sentence gives a score, or the verb's other side is another of the story's `places`
    or a capitalised name within the sentence ("**Boston** beat **Chicago** on
    Saturday"; "Germany beat France" in exports is no literal place either). A word
    capitalised only because a sentence starts with it is no side ("Storms beat
    Florida")."""
    after = _RESULT_AFTER.match(text[q.end : q.end + 20])
    window = max(0, q.start - 20)
    before = _RESULT_BEFORE.search(text[window : q.start])
    if after is None and before is None:
        return False
    ends = [m.start() for m in _SENTENCE_END.finditer(text, 0, q.start)]
    start = ends[-1] + 1 if ends else 0
    m = _SENTENCE_END.search(text, q.end)
    if _SCORE.search(text, start, m.start() if m else len(text)):
        return True
    if after is not None:
        side = _SIDE_AFTER.match(text, q.end + after.end())
        return side is not None and side.group(1) not in CALENDAR  # "beat Tuesday's deadline"
    assert before is not None
    verb = window + before.start()
    side = _SIDE_BEFORE.search(text, max(0, verb - 40), verb)
    if side is None:
        return False
    return not sentence_start(text, side.start()) or any(p.start == side.start() for p in places)


class CandidateFinder:
    """The gazetteer rows a mention may name: by its name, its abbreviation, a cue or a
    type word around it, or the place a longer name is named after."""

    def __init__(self, gazetteer: Gazetteer, *, inner_names: bool = True) -> None:
        self.gazetteer = gazetteer
        # A place mention the gazetteer has no entry for is placed at the place it names
        # inside ("Manila Cathedral" -> Manila); off when an online geocoder gets it first.
        self.inner_names = inner_names

    def group(
        self, text: str, queries: Sequence[PlaceQuery], dateline_at: int | None = None
    ) -> dict[str, MentionGroup]:
        """The place mentions (demonyms aside) grouped by query, each group with its
        candidate rows. The story's dateline (`dateline_at`, "NEW YORK —") names a city."""
        groups: dict[str, MentionGroup] = {}
        for i, q in enumerate(queries):
            if q.kind == "demonym":
                continue
            base, hint = self.query(q.text)
            hint = hint or context_hint(text, q.start, q.end)
            rows = self.rows_for(q.text, base) or self._by_type_word(base)
            if (
                not hint
                and i == dateline_at
                and not any(is_country(self.gazetteer.place(r)) for r in rows)
            ):
                # A dateline names a city ("NEW YORK —"), unless a country's name.
                hint = "city"
            if (
                hint
                and hint_before(q.text, text, q.start, q.end)
                and self._container(base, hint, rows)
            ):
                hint = ""
            inner = None
            if not rows and not hint and self.inner_names:
                inner = self._inner_name(q.text)
                if inner is not None:
                    base, rows = inner
            if hint == "region":
                # "Cobb" in "Gwinnett and Cobb counties" is Cobb County.
                for form in (f"{base} county", f"{base} parish", f"county {base}"):
                    rows += [r for r in self.gazetteer.lookup_key(form) if r not in rows]
            rows = self._by_cue(text, q, base, rows)
            # "Red Sea" names the sea, though two governorates share its name.
            names_water = not hint and WATER_WORDS & set(base.split())
            if names_water and any(self.gazetteer.place(r).feature_class == "H" for r in rows):
                hint = "water"
            # A building found only with a cue is a landmark when named as one (an ORG),
            # not because its name "said" something.
            landmarks = [
                r
                for r in rows
                if self.gazetteer.place(r).feature_class in "SR"
                and (q.landmark or not self.gazetteer.needs_cue(r))
            ]
            # A seat of power named as an organisation, or as one that speaks ("the
            # Elysee said"), is the landmark, not a district of the same name.
            landmark = q.landmark or bool(landmarks and speaks(text, q))
            key = f"{base}|{hint}|{int(landmark)}" + ("|inner" if inner else "")
            g = groups.get(key)
            if g is None:
                if is_generic_name(base):
                    # "Gulf" or "West" alone: only a sea or a named region may answer.
                    rows = [r for r in rows if self.gazetteer.place(r).feature_class in "HL"]
                if landmark:
                    rows = landmarks
                g = groups[key] = MentionGroup(
                    key, base, hint, [], Counter(), rows, landmark, inner=inner is not None
                )
            g.members.append(i)
            g.ner_labels[q.ner_label] += 1
        return groups

    def _container(self, base: str, hint: str, rows: list[int]) -> bool:
        """ "The capital city of Iraq", "the province of Lebanon": a country's name after a
        type word and "of" names the country the city or province is in, not a town that
        bears the name (or one of its alternate names). A region of that very name is
        meant when there is one ("the state of Georgia")."""
        places = [self.gazetteer.place(r) for r in rows]
        if not any(is_country(p) for p in places):
            return False
        return hint == "city" or not any(
            p.feature_code in REGION_CODES and normalize_name(p.name) == base for p in places
        )

    def _by_cue(self, text: str, q: PlaceQuery, base: str, rows: list[int]) -> list[int]:
        """Features news names only with a cue (`Gazetteer.needs_cue`: a full GeoNames
        import's streams, airports, stadiums) stay candidates only with one: a type word
        in the name, right before or after it ("Lake Manassas", "the Vltava river",
        "Schiphol Airport") or a facility's NER label; then they are the only candidates
        of the kinds the cue names. Without one they yield to any town, region or country
        of the name, and answer only when nothing else has it ("the Serengeti").
        The shipped gazetteer has no such rows: nothing changes for it."""
        gaz = self.gazetteer
        cued = [r for r in rows if gaz.needs_cue(r)]
        if not cued:
            return rows
        plain = [r for r in rows if not gaz.needs_cue(r)]
        in_name = name_cue(base)[1]
        # A type word inside a town's own name is no cue ("Lake Charles", Louisiana).
        codes = (
            context_cue(text, q.start, q.end)
            + LABEL_CUES.get(q.ner_label, ())
            + (() if plain else in_name)
        )
        if codes and any(gaz.feature_of(r)[1].startswith(codes) for r in cued):
            return [r for r in rows if gaz.feature_of(r)[1].startswith(codes)]
        return plain or rows

    def _by_type_word(self, base: str) -> list[int]:
        """For a name the gazetteer lacks with a type word at an end ("the Vltava River"
        tagged whole, the gazetteer knowing "Vltava"): the features of that kind named by
        the rest, among those found only with a cue (none in the shipped gazetteer)."""
        stripped, codes = name_cue(base)
        if not stripped:
            return []
        gaz = self.gazetteer
        return [
            r
            for r in gaz.lookup_key(stripped)
            if gaz.needs_cue(r) and gaz.feature_of(r)[1].startswith(codes)
        ]

    def query(self, surface: str) -> tuple[str, str]:
        """`split_query`, unless the type word is part of a known name ("Czech Republic",
        "Kansas City", "Orange County"): then the whole name, and no hint unless the name
        has a region among its places and the word asks for one ("Aleppo Governorate")."""
        base, hint = split_query(surface)
        whole = normalize_name(strip_possessive(surface.strip()))
        rows = self.gazetteer.lookup_key(whole) if hint and whole != base else []
        if not rows:
            return base, hint
        # The type word still says which of the whole name's places is meant when one of
        # them is of that kind: "Aleppo Governorate" is the governorate, though the city
        # goes by that name too.
        places = [self.gazetteer.place(r) for r in rows]
        if hint == "region" and any(
            p.feature_code in REGION_CODES and not is_country(p) for p in places
        ):
            return whole, hint
        return whole, ""

    def rows_for(self, surface: str, base: str) -> list[int]:
        """The rows of a name, and those of an abbreviation it is ("U.S.", "N.C.")."""
        gaz = self.gazetteer
        rows = list(gaz.lookup_key(base))
        stripped = strip_possessive(surface.strip())
        if _ABBREVIATION.match(stripped):
            rows += [r for r in gaz.lookup_abbreviation(stripped) if r not in rows]
        return rows

    def _inner_name(self, surface: str) -> tuple[str, list[int]] | None:
        """The place a name the gazetteer does not know is named after: the longest run of
        capitalised words at its start, or after its "of", that the gazetteer knows as a
        place that stands out ("Dubai" in "Dubai World Cup", "Walker County" in "Walker
        County Sheriff's Office", "Mexico" in "Bank of Mexico"); a demonym stands for its
        place ("European Commission"). Never for a street or a park, which lie somewhere
        in their town, not at its middle ("Main Street", "Hopkins Park")."""
        words = strip_possessive(surface.strip()).split()
        if len(words) < 2 or words[-1].lower().rstrip(".") in _THOROUGHFARES:
            return None
        # The start, after a word of direction ("South Florida") or after "of".
        starts = [0] + [
            i + 1
            for i, w in enumerate(words[:-1])
            if w == "of" or (i == 0 and w.lower() in DIRECTIONS)
        ]
        for size in range(len(words) - 1, 0, -1):
            for i in starts:
                run = words[i : i + size]
                if len(run) < size or not all(w[:1].isupper() for w in (run[0], run[-1])):
                    continue
                name = strip_possessive(" ".join(run))
                base = normalize_name(name)
                if not base or is_generic_name(base):
                    continue
                rows = [r for r in self.rows_for(name, base) if self._named_by(r, name, base)]
                if not rows and size == 1:
                    demonym = self.gazetteer.demonym(name)
                    rows = [demonym] if demonym is not None else []
                rows = [r for r in rows if self._stands_out(r)]
                if rows:
                    return base, rows
        return None

    def _named_by(self, row: int, name: str, base: str) -> bool:
        """The words name the place itself, not a part of a longer name it goes by: its
        own name, an abbreviation of it ("U.S."), or an alternate name of a country or a
        first-level region ("Britain"). "Camp" is an alternate name of Camp County,
        Texas, but "Camp Bastion" is not named after it."""
        p = self.gazetteer.place(row)
        if normalize_name(p.name) == base or p.feature_code in ("ADM1", "CONT"):
            return True
        return is_country(p) or bool(_ABBREVIATION.match(name))

    def _stands_out(self, row: int) -> bool:
        """A place big enough to be what a longer name is named after: not a hamlet that
        happens to be called "Street" or "Wing"."""
        p = self.gazetteer.place(row)
        if p.feature_class == "P":
            return p.population >= INNER_NAME_POPULATION
        return p.feature_class in "AHL"
