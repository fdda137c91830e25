"""Repairs to the recogniser's spans before they are labelled, run in this order by
`repair_spans`; no rule moves a span outside the text:

1. **Edges.** A leading article ("the United States"), a trailing possessive ("Syria's")
   and stray punctuation are dropped; a span that runs into an unclosed bracket ("Hayat
   Tahrir al-Sham (HTS") is cut before it; an abbreviation keeps its final dot ("W.Va.").
2. **Noise.** A span in lower case ("meth") is no name; a one-word person or organisation
   the same text also writes in lower case ("Studio", "Box") is an ordinary word.
3. **Labels from the gazetteer.** A span on the demonym list is a demonym (NORP), whatever
   label it got. A PERSON or ORG span is a place when it is exactly the name of a country
   or of a first-level region of a country the story names ("Sri Lanka", "Tamil Nadu"),
   when a parent follows it that the gazetteer knows it in ("Alexandria, Va."), when it
   follows "in", "near", "outside"... and names a town ("a fire in Fargo"), or when it
   names a town of a region the story's other places are in.
4. **People's surnames.** A one-word span that is the last name of a person named in full
   elsewhere in the document ("Trump" beside "Donald Trump") is that PERSON, and one that
   is a given name of such a person and no place is a PERSON too.
5. **One label per name.** A name tagged as a place more often than as anything else in
   the document is a place everywhere, and the other way round.
6. **Overlaps.** Of two overlapping spans the longer stays.
7. **Recovery** (`recover.recover_places`). Country names and abbreviations, first-level
   regions, datelines ("ALBUQUERQUE, N.M. (AP) -"), towns after a locative word ("in
   Shiloh") and towns of the story's own region that the model missed are added when the
   gazetteer is sure: a capitalised name, not inside another entity, not a month or a day,
   not a word the same text also uses in lower case.

Places named inside organisation names ("**Minnesota** Department of Transportation") are
found apart, by `recover.embedded_places`: the organisation keeps its span.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..gazetteer import COUNTRY_CODES, Gazetteer
from ..models import RawSpan
from .lexicon import after_locative, names_a_local_town, names_a_town, names_country_or_region
from .recover import recover_places
from .spans import NAME_LABELS, PLACE_LABELS, drop_overlaps, lowercase_words, trim

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
    fixed = drop_overlaps(sorted(set(fixed)))
    fixed += recover_places(text, fixed, gazetteer, named)
    return drop_overlaps(sorted(set(fixed)))


def _drop_common_words(text: str, spans: list[RawSpan]) -> list[RawSpan]:
    """A one-word person or organisation that the same text also writes in lower case
    ("Studio", "Box", "Discontinued" at the start of a line) is an ordinary word."""
    lowered: set[str] | None = None
    out = []
    for s, e, label in spans:
        word = text[s:e]
        if label in ("PERSON", "ORG") and word.isalpha() and word[1:].islower():
            if lowered is None:
                lowered = lowercase_words(text)
            if word.lower() in lowered:
                continue
        out.append((s, e, label))
    return out


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


# -- 3. labels from the gazetteer ------------------------------------------------------------


def _relabel(
    text: str, start: int, end: int, label: str, gazetteer: Gazetteer, named: set[str]
) -> RawSpan:
    surface = text[start:end]
    if label != "NORP" and gazetteer.demonym(surface) is not None and " " not in surface:
        return start, end, "NORP"
    if label in ("PERSON", "ORG"):
        if names_country_or_region(surface, gazetteer, named):
            return start, end, "GPE"
        if _has_named_parent(text, start, end, gazetteer):
            return start, end, "GPE"
        if after_locative(text, start) and names_a_town(surface, gazetteer):
            return start, end, "GPE"
        if names_a_local_town(surface, gazetteer, named):
            return start, end, "GPE"
    return start, end, label


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


# -- 4, 5. labels from the document --------------------------------------------------------


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
            surname = word in surnames and not names_country_or_region(word, gazetteer)
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
