"""Repairs to the NER's spans before they are labelled: edges, labels, missed places.

Each rule is general (it states a property of names in news text), is applied in the
order of `repair_spans`, and never moves a span outside the text:

1. **Edges.** A leading article ("the United States"), a trailing possessive ("Syria's")
   and stray punctuation are dropped; a span that runs into an unclosed bracket ("Hayat
   Tahrir al-Sham (HTS") is cut before it; an abbreviation keeps its final dot ("W.Va.").
2. **Demonyms.** A span on the demonym list is a demonym (NORP), whatever label it got.
3. **People's surnames.** A one-word span that is the last name of a person named in full
   elsewhere in the document ("Trump" beside "Donald Trump") is that PERSON.
4. **Named parents, locative words, local towns.** A PERSON or ORG span followed by
   ", <state or country>" that the gazetteer knows as a place there ("Alexandria, Va."),
   or that follows "in", "near", "outside"... and names a town or region exactly ("a fire
   in Fargo"), or that names a town in a region the story's other places are in, is a
   place.
5. **Country and region names.** A PERSON or ORG span that is exactly the name of a
   country or a first-level region ("Sri Lanka", "Tamil Nadu") is a place.
6. **One label per name.** A name tagged as a place more often than as anything else in
   the document is a place everywhere, and the other way round.
7. **Recovery.** Country names and abbreviations, first-level regions, datelines
   ("ALBUQUERQUE, N.M. (AP) -"), towns after a locative word ("in Shiloh") and towns of
   the story's own region that the model missed are added when the gazetteer is sure: a
   capitalised name, not inside another entity, not a month or a day, not a word the
   same text also uses in lower case.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable

from .gazetteer import COUNTRY_CODES, Gazetteer, is_generic_name, normalize_name
from .models import Place

RawSpan = tuple[int, int, str]

PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
NAME_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP"})
_EDGE_JUNK = " \t\r\n\xa0.,;:!?\"'“”‘’«»()[]{}-–—/\\*•|&+"
_ARTICLE = re.compile(r"(?:the|The|THE)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
_DOTTED = re.compile(r"(?:^|\s)(?:[A-Za-z]\.){2,}$|(?:^|\s)(?:St|Mt|Ft|Jr|Sr|Co|Inc|Ltd|Corp)\.$")
_NAME = re.compile(r"[A-Z][\w’'.&-]*(?:\s+(?:of\s+|de\s+|al-|el-)?[A-Z][\w’'.&-]*){0,4}")
# "COLUMBUS, Ohio (AP) —", "BEIRUT:", "TORRINGTON —" at a line's or a sentence's start.
_DATELINE = re.compile(
    r"(?:^|(?<=\n)|(?<=[.!?]\s))[ \t]*(?P<name>[A-Z][A-Z.'’-]+(?:[ \t]+[A-Z][A-Z.'’-]+){0,3})"
    r"(?=\s*(?:,|\(|—|–|-{1,2}\s|:\s))"
)
_FOLLOWING_PARENT = re.compile(r",\s*((?:[A-Z][A-Za-z]{0,4}\.)+|[A-Z][a-z]+(?:\s[A-Z][a-z]+)?)")


def repair_spans(text: str, spans: Iterable[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """The NER spans after the repairs listed in the module docstring, sorted, no overlaps."""
    fixed = [trim(text, s, e, label, gazetteer) for s, e, label in spans if label in NAME_LABELS]
    # A name has a capital letter; "meth" or "state" tagged as an entity is noise.
    fixed = [(s, e, label) for s, e, label in fixed if s < e and not text[s:e].islower()]
    fixed = _drop_common_words(text, fixed)
    named = countries_named(text, fixed, gazetteer)
    fixed = [_relabel(text, s, e, label, gazetteer, named) for s, e, label in fixed]
    fixed = _surnames(text, fixed, gazetteer)
    fixed = _majority_labels(text, fixed)
    fixed = _drop_overlaps(sorted(set(fixed)))
    fixed += recover_places(text, fixed, gazetteer, named)
    return _drop_overlaps(sorted(set(fixed)))


def _drop_common_words(text: str, spans: list[RawSpan]) -> list[RawSpan]:
    """A one-word person or organisation that the same text also writes in lower case
    ("Studio", "Box", "Discontinued" at the start of a line) is an ordinary word."""
    lowered: set[str] | None = None
    out = []
    for s, e, label in spans:
        word = text[s:e]
        if label in ("PERSON", "ORG") and word.isalpha() and word[1:].islower():
            if lowered is None:
                lowered = set(_LOWER_WORD.findall(text))
            if word.lower() in lowered:
                continue
        out.append((s, e, label))
    return out


_LOWER_WORD = re.compile(r"\b[a-z][a-z-]+\b")


def countries_named(text: str, spans: Iterable[RawSpan], gazetteer: Gazetteer) -> set[str]:
    """Countries and first-level regions ("US", "US.TX") the model's place and demonym
    spans point to: a country named, or the country and region of the likeliest place of
    that name. Region names are trusted only in these countries, and town names given to
    people or organisations only in these regions."""
    named: set[str] = set()
    for s, e, label in spans:
        if label not in PLACE_LABELS and label != "NORP":
            continue
        surface = text[s:e]
        row = gazetteer.demonym(surface)
        rows = [row] if row is not None else gazetteer.lookup(surface)
        places = [gazetteer.place(r) for r in rows]
        countries = [p for p in places if p.feature_code in COUNTRY_CODES]
        best = countries or sorted(places, key=lambda p: -p.population)[:1]
        for p in best:
            if p.country_code:
                named.add(p.country_code)
                if p.admin1_code and p.feature_code not in COUNTRY_CODES:
                    named.add(f"{p.country_code}.{p.admin1_code}")
    return named


# -- 8. places inside organisation names ---------------------------------------------------

EMBEDDED_MIN_POPULATION = 20_000
_WORD = re.compile(r"[^\s/]+")
_OF = re.compile(r"\b(?:of|for|in)\s+(?:the\s+)?")


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
                if _embedded_place(text[ws:we], gazetteer):
                    found.append((ws, we, "GPE"))
                    break
    return found


# -- what the gazetteer says of a name -----------------------------------------------------


def named_exactly(surface: str, gazetteer: Gazetteer) -> list[Place]:
    """Places whose own name is `surface` (folded); none for an ordinary word ("Centre")."""
    if is_generic_name(surface):
        return []
    key = normalize_name(surface)
    places = (gazetteer.place(r) for r in gazetteer.lookup_key(key))
    return [p for p in places if normalize_name(p.name) == key]


def _country_abbreviation(surface: str, gazetteer: Gazetteer, longest: int) -> bool | None:
    """For an abbreviation ("U.S.", "UAE"): whether it names a country; None otherwise."""
    if not (_is_abbreviation(surface) or (surface.isupper() and len(surface) <= longest)):
        return None
    rows = gazetteer.lookup_abbreviation(surface)
    return any(gazetteer.place(r).feature_code in COUNTRY_CODES for r in rows)


def _country_or_region(p: Place, named: set[str] | None) -> bool:
    """A country, or a first-level region (of a country in `named`, when given:
    "Victoria" is a person unless Australia is in play)."""
    if p.feature_code in COUNTRY_CODES:
        return True
    return p.feature_code == "ADM1" and (named is None or p.country_code in named)


def _names_country_or_region(
    surface: str, gazetteer: Gazetteer, named: set[str] | None = None
) -> bool:
    if any(_country_or_region(p, named) for p in named_exactly(surface, gazetteer)):
        return True
    return bool(len(surface) > 2 and _country_abbreviation(surface, gazetteer, 5))


def _names_a_town(surface: str, gazetteer: Gazetteer) -> bool:
    return any(p.feature_class in "PA" for p in named_exactly(surface, gazetteer))


def _names_a_local_town(surface: str, gazetteer: Gazetteer, named: set[str]) -> bool:
    """A town of exactly this name in a first-level region the story's places are in
    ("Torrington" tagged as an organisation in a story about Connecticut towns)."""
    if surface in _CALENDAR:
        return False
    return any(
        p.feature_class == "P" and f"{p.country_code}.{p.admin1_code}" in named
        for p in named_exactly(surface, gazetteer)
    )


def _known_place(surface: str, gazetteer: Gazetteer, cities: bool, named: set[str] | None) -> bool:
    """A country (name or abbreviation) or a first-level region (of a country in `named`,
    when given) named exactly, or with `cities` (a dateline) also a city."""
    abbreviation = _country_abbreviation(surface, gazetteer, 4)
    if abbreviation is not None:
        return abbreviation
    if len(normalize_name(surface)) < 4:
        return False
    return any(
        _country_or_region(p, named) or (cities and p.feature_class == "P")
        for p in named_exactly(surface, gazetteer)
    )


def _embedded_place(surface: str, gazetteer: Gazetteer) -> bool:
    if not surface[:1].isupper() or is_generic_name(surface):
        return False
    abbreviation = _country_abbreviation(surface, gazetteer, 4)
    if abbreviation is not None:
        return abbreviation
    return any(
        p.feature_code in COUNTRY_CODES
        or p.feature_code in ("ADM1", "ADM2")
        or (p.feature_class == "P" and p.population >= EMBEDDED_MIN_POPULATION)
        for p in named_exactly(surface, gazetteer)
    )


# -- 1. edges ------------------------------------------------------------------------------


def trim(text: str, start: int, end: int, label: str, gazetteer: Gazetteer) -> RawSpan:
    start, end = trim_span(text, start, end, gazetteer)
    if label != "PERSON":
        m = _ARTICLE.match(text, start, end)
        if m and m.end() < end and not _is_name_with_article(text[start:end], gazetteer):
            start = m.end()
    m = _POSSESSIVE.search(text, start, end)
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
        and _is_abbreviation(dotted)
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


def _is_abbreviation(s: str) -> bool:
    return bool(re.fullmatch(r"(?:[A-Z][A-Za-z]{0,4}\.)+", s))


def _keeps_final_dot(s: str, gazetteer: Gazetteer | None) -> bool:
    """ "U.S.", "Inc." and "N.C." keep their final dot; a sentence's full stop does not."""
    if _DOTTED.search(s):
        return True
    return gazetteer is not None and _is_abbreviation(s) and bool(gazetteer.lookup_abbreviation(s))


def _is_name_with_article(span: str, gazetteer: Gazetteer) -> bool:
    """ "The Hague" and "The Gambia" keep their article: it is part of the name."""
    return any(gazetteer.place(r).name.lower() == span.lower() for r in gazetteer.lookup(span))


# -- 2, 4, 5. labels from the gazetteer ----------------------------------------------------


def _relabel(
    text: str, start: int, end: int, label: str, gazetteer: Gazetteer, named: set[str]
) -> RawSpan:
    surface = text[start:end]
    if label != "NORP" and gazetteer.demonym(surface) is not None and " " not in surface:
        return start, end, "NORP"
    if label in ("PERSON", "ORG"):
        if _names_country_or_region(surface, gazetteer, named):
            return start, end, "GPE"
        if _has_named_parent(text, start, end, gazetteer):
            return start, end, "GPE"
        if _LOCATIVE.search(text, max(0, start - 48), start) and _names_a_town(surface, gazetteer):
            return start, end, "GPE"
        if _names_a_local_town(surface, gazetteer, named):
            return start, end, "GPE"
    return start, end, label


_CALENDAR = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Christmas Easter""".split()
)
# Words after which a name is a location ("a fire in Fargo"), not a person or a company.
_LOCATIVE = re.compile(
    r"\b(?:in|near|outside|across|throughout|around|downtown)\s+"
    # ... and the next names of a list after one: "in Singapore and Rotterdam".
    r"(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,2}(?:,\s*|\s+and\s+|\s+or\s+))?$"
)


def _has_named_parent(text: str, start: int, end: int, gazetteer: Gazetteer) -> bool:
    m = _FOLLOWING_PARENT.match(text, end)
    if not m:
        return False
    parent = m.group(1)
    parents = gazetteer.lookup_abbreviation(parent) or gazetteer.lookup(parent)
    regions = {
        (gazetteer.place(r).country_code, gazetteer.place(r).admin1_code)
        for r in parents
        if gazetteer.place(r).feature_code == "ADM1"
    }
    countries = {
        gazetteer.place(r).country_code
        for r in parents
        if gazetteer.place(r).feature_code in COUNTRY_CODES
    }
    for r in gazetteer.lookup(text[start:end]):
        p = gazetteer.place(r)
        if p.feature_class in "PA" and (
            (p.country_code, p.admin1_code) in regions or p.country_code in countries
        ):
            return True
    return False


# -- 3, 6. labels from the document --------------------------------------------------------


def _surnames(text: str, spans: list[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """One-word spans that are part of a person's full name ("Trump" beside "Donald
    Trump") are that person, unless the word is also a country or region's name."""
    surnames: set[str] = set()
    given: set[str] = set()
    for s, e, label in spans:
        words = text[s:e].split()
        if label == "PERSON" and len(words) > 1:
            surnames.add(words[-1])
            given.update(words[:-1])
    out = []
    for s, e, label in spans:
        word = text[s:e]
        if label in ("ORG", "GPE", "LOC") and " " not in word:
            surname = word in surnames and not _names_country_or_region(word, gazetteer)
            if surname or (word in given and not gazetteer.lookup(word)):
                label = "PERSON"
        out.append((s, e, label))
    return out


def _kind(label: str) -> str:
    return "PLACE" if label in PLACE_LABELS else label


def _majority_labels(text: str, spans: list[RawSpan]) -> list[RawSpan]:
    votes: dict[str, Counter[str]] = {}
    for s, e, label in spans:
        if label in ("PERSON", "ORG") or label in PLACE_LABELS:
            votes.setdefault(text[s:e], Counter())[_kind(label)] += 1
    winners: dict[str, str] = {}
    for name, counts in votes.items():
        (top, n), *rest = counts.most_common()
        if rest and n > rest[0][1]:
            winners[name] = top
    out = []
    for s, e, label in spans:
        winner = winners.get(text[s:e])
        if winner and winner != _kind(label) and label != "NORP":
            label = "GPE" if winner == "PLACE" else winner
        out.append((s, e, label))
    return out


# -- 7. recovery ---------------------------------------------------------------------------


def recover_places(
    text: str, spans: list[RawSpan], gazetteer: Gazetteer, named: set[str] | None = None
) -> list[RawSpan]:
    """Place names the model missed, where the gazetteer leaves no doubt. First-level
    regions count only in a country the document names (`named`), when it is given."""
    taken = _Occupied(spans)
    lowered = None
    found: list[RawSpan] = []

    for m in _DATELINE.finditer(text):
        s, e = m.start("name"), m.end("name")
        s, e = trim_span(text, s, e, gazetteer)
        if s < e and taken.free(s, e) and _known_place(text[s:e], gazetteer, True, None):
            found.append((s, e, "GPE"))
            taken.add(s, e)
    for m in _NAME.finditer(text):
        s, e = trim_span(text, m.start(), m.end(), gazetteer)
        if s >= e or not taken.free(s, e):
            continue
        surface = text[s:e]
        if not _known_place(surface, gazetteer, False, named):
            after_locative = _LOCATIVE.search(text, max(0, s - 48), s)
            town = after_locative and _names_a_town(surface, gazetteer)
            if surface in _CALENDAR or not (
                town or (named and _names_a_local_town(surface, gazetteer, named))
            ):
                continue
        if " " not in surface and not surface.isupper():
            if lowered is None:
                lowered = set(re.findall(r"\b[a-z][a-z-]+\b", text))
            if surface.lower() in lowered or _sentence_start(text, s):
                continue
        found.append((s, e, "GPE"))
        taken.add(s, e)
    return found


class _Occupied:
    """Spans already taken, none overlapping another, kept sorted: whether a new span is
    free is a bisection (only its neighbours can overlap it), not a scan."""

    def __init__(self, spans: Iterable[RawSpan]) -> None:
        self.spans = sorted((s, e) for s, e, _ in spans)

    def free(self, start: int, end: int) -> bool:
        i = bisect_left(self.spans, (start, start))
        if i > 0 and self.spans[i - 1][1] > start:
            return False
        return i == len(self.spans) or self.spans[i][0] >= end

    def add(self, start: int, end: int) -> None:
        insort(self.spans, (start, end))


def _sentence_start(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \t\"'“‘")
    return not before or before[-1] in ".!?\n:"


def _drop_overlaps(spans: list[RawSpan]) -> list[RawSpan]:
    out: list[RawSpan] = []
    for span in spans:
        if out and span[0] < out[-1][1]:
            if (span[1] - span[0]) > (out[-1][1] - out[-1][0]):
                out[-1] = span
            continue
        out.append(span)
    return out
