"""A span's edges and the spans of a text: trimming articles, possessives and stray
punctuation, the dot of an abbreviation, overlaps, and where a sentence starts."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from ..gazetteer import Gazetteer
from ..gazetteer.names import POSSESSIVE
from ..models import RawSpan

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_EDGE_JUNK = " \t\r\n\xa0.,;:!?\"'“”‘’«»()[]{}-–—/\\*•|&+"
_ARTICLE = re.compile(r"(?:the|The|THE)\s+")
_DOTTED = re.compile(r"(?:^|\s)(?:[A-Za-z]\.){2,}$|(?:^|\s)(?:St|Mt|Ft|Jr|Sr|Co|Inc|Ltd|Corp)\.$")
_ABBREVIATION = re.compile(r"(?:[A-Z][A-Za-z]{0,4}\.)+")
_LOWER_WORD = re.compile(r"\b[a-z][a-z-]+\b")


def trim(text: str, start: int, end: int, label: str, gazetteer: Gazetteer) -> RawSpan:
    start, end = trim_span(text, start, end, gazetteer)
    if label != "PERSON":
        m = _ARTICLE.match(text, start, end)
        if m and m.end() < end and not _is_name_with_article(text[start:end], gazetteer):
            start = m.end()
    m = POSSESSIVE.search(text, start, end)
    if m and m.start() > start:
        start, end = trim_span(text, start, m.start(), gazetteer)
    return start, end, label


def trim_span(
    text: str, start: int, end: int, gazetteer: Gazetteer | None = None
) -> tuple[int, int]:
    """Drop whitespace and stray punctuation at a span's edges, and cut a span that runs
    into an unclosed bracket ("Hayat Tahrir al-Sham (HTS" -> "Hayat Tahrir al-Sham")."""
    while start < end and text[start] in _EDGE_JUNK:
        if text[start] in "([{" and _balanced(text[start:end]):
            break
        start += 1
    dotted = text[start : end + 1]
    if (
        gazetteer is not None
        and text[end : end + 1] == "."
        and is_abbreviation(dotted)
        and ("." in dotted[:-1] or dotted[1:-1].islower())
        and gazetteer.lookup_abbreviation(dotted)
    ):
        end += 1  # spaCy often leaves the dot of "W.Va." or "Kan." outside the span
    while end > start and text[end - 1] in _EDGE_JUNK:
        ch = text[end - 1]
        if ch == "." and _keeps_final_dot(text[start:end], gazetteer):
            break
        if ch in ")]}" and _balanced(text[start:end]):
            break
        end -= 1
    span = text[start:end]
    if span.count("(") > span.count(")"):
        cut = start + span.rindex("(")
        if cut > start:
            return trim_span(text, start, cut, gazetteer)
    return start, end


def _balanced(s: str) -> bool:
    return s.count("(") == s.count(")") and s.count("[") == s.count("]")


def is_abbreviation(s: str) -> bool:
    """ "U.S.", "N.C.", "Calif.": capitals with dots."""
    return bool(_ABBREVIATION.fullmatch(s))


def _keeps_final_dot(s: str, gazetteer: Gazetteer | None) -> bool:
    """ "U.S.", "Inc." and "N.C." keep their final dot; a sentence's full stop does not."""
    if _DOTTED.search(s):
        return True
    return gazetteer is not None and is_abbreviation(s) and bool(gazetteer.lookup_abbreviation(s))


def _is_name_with_article(span: str, gazetteer: Gazetteer) -> bool:
    """ "The Hague" and "The Gambia" keep their article: it is part of the name."""
    return any(gazetteer.place(r).name.lower() == span.lower() for r in gazetteer.lookup(span))


@functools.lru_cache(maxsize=1)
def lowercase_words(text: str) -> frozenset[str]:
    """The words a text writes in lower case: a capitalised word among them ("Studio" at a
    line's start, "Box") is an ordinary word there, not a name. Kept for the last text:
    repair and recognition ask it of the same story many times, and each answer is a
    scan of the whole text."""
    return frozenset(_LOWER_WORD.findall(text))


def people_words(text: str, spans: Iterable[RawSpan]) -> tuple[set[str], set[str]]:
    """The last words and the other words of the people the recogniser named in full
    ("Trump" and "Donald" of "Donald Trump")."""
    surnames: set[str] = set()
    given: set[str] = set()
    for s, e, label in spans:
        words = text[s:e].split()
        if label == "PERSON" and len(words) > 1:
            surnames.add(words[-1])
            given.update(words[:-1])
    return surnames, given


def sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \t\"'“‘")
    return not before or before[-1] in ".!?\n:"


def drop_overlaps(spans: list[RawSpan]) -> list[RawSpan]:
    """Sorted spans without overlaps: of two that overlap, the longer stays."""
    out: list[RawSpan] = []
    for span in spans:
        if out and span[0] < out[-1][1]:
            if (span[1] - span[0]) > (out[-1][1] - out[-1][0]):
                out[-1] = span
            continue
        out.append(span)
    return out


class Occupied:
    """Spans already taken: the characters of the text they cover. Whether a new span is
    free costs the span's own length, whatever the number of spans taken, and so does
    taking one; a span of no characters is always free."""

    def __init__(self, spans: Iterable[RawSpan]) -> None:
        self._taken = bytearray()
        for s, e, _ in spans:
            self.add(s, e)

    def free(self, start: int, end: int) -> bool:
        return self._taken.find(1, start, end) < 0

    def add(self, start: int, end: int) -> None:
        if end > len(self._taken):
            self._taken.extend(bytes(end - len(self._taken)))
        self._taken[start:end] = b"\x01" * (end - start)
