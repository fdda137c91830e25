"""Place mentions the recogniser missed: recovered from the text where the gazetteer
leaves no doubt, and places named inside organisation names."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..gazetteer import Gazetteer
from ..models import RawSpan
from .lexicon import (
    CALENDAR,
    after_locative,
    embedded_place,
    known_place,
    names_a_local_town,
    names_a_town,
)
from .spans import Occupied, lowercase_words, sentence_start, trim_span

_NAME = re.compile(r"[A-Z][\w’'.&-]*(?:\s+(?:of\s+|de\s+|al-|el-)?[A-Z][\w’'.&-]*){0,4}")
# "COLUMBUS, Ohio (AP) —", "BEIRUT:", "TORRINGTON —" at a line's or a sentence's start.
_DATELINE = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?]\s))[ \t]*(?P<name>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})"
    r"(?=\s*(?:,|\(|—|–|-{1,2}\s|:\s))"
)
_WORD = re.compile(r"[^\s/]+")
_OF = re.compile(r"\b(?:of|for|in)\s+(?:the\s+)?")


def recover_places(
    text: str, spans: list[RawSpan], gazetteer: Gazetteer, named: set[str] | None = None
) -> list[RawSpan]:
    """Place names the model missed, where the gazetteer leaves no doubt. First-level
    regions count only in a country the document names (`named`), when it is given."""
    taken = Occupied(spans)
    lowered = None
    found: list[RawSpan] = []

    for m in _DATELINE.finditer(text):
        s, e = m.start("name"), m.end("name")
        s, e = trim_span(text, s, e, gazetteer)
        if s < e and taken.free(s, e) and known_place(text[s:e], gazetteer, True, None):
            found.append((s, e, "GPE"))
            taken.add(s, e)
    for m in _NAME.finditer(text):
        s, e = trim_span(text, m.start(), m.end(), gazetteer)
        if s >= e or not taken.free(s, e):
            continue
        surface = text[s:e]
        if not known_place(surface, gazetteer, False, named):
            town = after_locative(text, s) and names_a_town(surface, gazetteer)
            if surface in CALENDAR or not (
                town or (named and names_a_local_town(surface, gazetteer, named))
            ):
                continue
        if " " not in surface and not surface.isupper():
            if lowered is None:
                lowered = lowercase_words(text)
            if surface.lower() in lowered or sentence_start(text, s):
                continue
        found.append((s, e, "GPE"))
        taken.add(s, e)
    return found


def embedded_places(text: str, spans: Iterable[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """Places named inside organisation names: "Minnesota Department of Transportation",
    "Fargo Police", "University of Texas". Only a name that starts the organisation's name
    or follows its "of"/"for"/"in", and that the gazetteer knows as a country, region or
    town of some size, exactly; the organisation keeps its own span."""
    found: list[RawSpan] = []
    for s, e, label in spans:
        if label != "ORG":
            continue
        starts = [s]
        starts += [m.end() for m in _OF.finditer(text, s, e) if m.end() < e]
        for start in starts:
            words = [(m.start(), m.end()) for m in _WORD.finditer(text, start, e)][:4]
            # Longest first; never the whole organisation name.
            for n in range(len(words), 0, -1):
                ws, we = trim_span(text, words[0][0], words[n - 1][1], gazetteer)
                if ws >= we or (ws == s and we == e):
                    continue
                if embedded_place(text[ws:we], gazetteer):
                    found.append((ws, we, "GPE"))
                    break
    return found
