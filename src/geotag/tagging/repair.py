"""Repairs to the recogniser's spans, in this order (`repair_spans`); no rule moves a span
outside the text:

1. **Edges.** A leading article ("the United States"), a trailing possessive ("Syria's")
   and stray punctuation are dropped; a span that runs into an unclosed bracket ("Hayat
   Tahrir al-Sham (HTS") is cut before it; an abbreviation keeps its final dot ("W.Va.").
2. **Noise.** A span in lower case ("meth") is no name; a one-word person or organisation
   the same text also writes in lower case ("Studio", "Box") is an ordinary word.
3. **Demonyms.** A one-word span on the demonym list is a demonym (NORP), whatever label
   it got, and so is a religion's or a movement's word ("Takfiri", "Salafists"): never an
   organisation. Of overlapping spans the longer stays. A word for a people the
   recogniser missed ("an Englishman") is a demonym too.
4. **Places** (`recognition`): which of the recogniser's spans, and of the names it missed
   or tagged inside a longer span, are places, by the place model (and a person or an
   organisation in a place's role: "camps near Sarmada", "the Bab al-Hawa crossing",
   when the gazetteer has the name in a country of the story or lacks it). A place inside an
   organisation's name ("**Minnesota** Department of Transportation") is reported apart,
   as embedded: the organisation keeps its span.
5. **People's surnames.** A one-word span that is the last name of a person named in full
   elsewhere in the document ("Trump" beside "Donald Trump") is that PERSON, and one that
   is a given name of such a person and no place is a PERSON too; the recogniser's place
   spans the model rejected are dropped unless this makes them people.
   An organisation's plural short form ("Bruins" beside "Boston Bruins") is that
   organisation.
6. **One label per name**, whatever its case ("TRUMP", "Trump"). A name once right after
   a person's title ("President Trump") is a person everywhere; otherwise a name tagged
   as a person more often than as an organisation in the document is a person
   everywhere, and the other way round, and a tie is a person's when the name begins with
   a given name. A person's or an organisation's name the recogniser missed later in the
   story, a person's surname alone ("Player" after "Gary Player") or an organisation's
   short form gets its label.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..gazetteer import COUNTRY_CODES, Gazetteer
from ..models import RawSpan
from .lexicon import names_a_belief, names_country_or_region
from .place_role import ends_in_institution_word
from .recognition import (
    RecognitionModel,
    after_title,
    candidates,
    choose_places,
    default_model,
)
from .spans import (
    NAME_LABELS,
    PLACE_LABELS,
    Occupied,
    drop_overlaps,
    lowercase_words,
    people_words,
    sentence_start,
    trim,
)


@dataclass(frozen=True, slots=True)
class Repaired:
    """The spans after repair: sorted and without overlaps, and apart from them the places
    named inside organisation names (each inside one of the organisation spans)."""

    spans: list[RawSpan]
    embedded: list[RawSpan]


def repair_spans(
    text: str,
    spans: Iterable[RawSpan],
    gazetteer: Gazetteer,
    model: RecognitionModel | None = None,
    *,
    keep_unknown: bool = False,
    given_places: bool = False,
) -> Repaired:
    """The recogniser's spans after the repairs listed in the module docstring. With
    `keep_unknown`, place spans the gazetteer does not know stay places (unresolved); with
    `given_places`, the place spans are taken as they are given (gold spans, to measure
    resolution alone) and no other place is looked for."""
    fixed, named = prepare_spans(text, spans, gazetteer)
    found = candidates(text, fixed, gazetteer, named)
    if given_places:
        found = [c for c in found if c.ner_label in PLACE_LABELS]
        for c in found:
            c.probability = 1.0
        places = found
    else:
        places = choose_places(
            found, model if model is not None else default_model(), keep_unknown=keep_unknown
        )
    embedded = [(c.start, c.end, "GPE") for c in places if c.outer_label == "ORG"]
    inside_org = {(c.start, c.end) for c in places if c.outer_label == "ORG"}
    chosen = [
        (c.start, c.end, c.ner_label if c.ner_label in PLACE_LABELS else "GPE")
        for c in places
        if (c.start, c.end) not in inside_org
    ]
    taken = Occupied(chosen)
    chosen_set = set(chosen)
    others = [span for span in fixed if span not in chosen_set and taken.free(span[0], span[1])]
    # Place spans the model rejected may still be people; the rest of them go.
    others = [span for span in _surnames(text, others, gazetteer) if span[2] not in PLACE_LABELS]
    others = _majority_labels(text, others, gazetteer)
    spans = drop_overlaps(sorted(set(chosen + others)))
    if not given_places:
        embedded = sorted(embedded + _demonyms_inside(text, spans, embedded, gazetteer))
    return Repaired(sorted(spans + _repeats(text, spans, embedded, gazetteer)), embedded)


_CAPITALISED = re.compile(r"[A-Z][\w’'-]*")


def _demonyms_inside(
    text: str, spans: list[RawSpan], embedded: list[RawSpan], gazetteer: Gazetteer
) -> list[RawSpan]:
    """The adjectives of countries inside organisation names ("**Canadian** Blood
    Services", "Centre for Monitoring **Indian** Economy"), as embedded demonyms (NORP)."""
    out: list[RawSpan] = []
    taken = Occupied(embedded)
    for s, e, label in spans:
        if label != "ORG":
            continue
        words = [(m.start(), m.end()) for m in _CAPITALISED.finditer(text, s, e)]
        i = 0
        while i < len(words):
            start = words[i][0]
            # Two words when the list has both ("North American"), else one.
            for j in (i + 1, i):
                end = words[min(j, len(words) - 1)][1]
                word = text[start:end]
                if (
                    j < len(words)
                    and gazetteer.demonym(word) is not None
                    and not gazetteer.demonym_names_people(word)
                    and taken.free(start, end)
                ):
                    out.append((start, end, "NORP"))
                    i = j
                    break
            i += 1
    return out


def prepare_spans(
    text: str, spans: Iterable[RawSpan], gazetteer: Gazetteer
) -> tuple[list[RawSpan], set[str]]:
    """Steps 1 and 2, and demonyms relabelled: the spans the place model looks at, and the
    countries and regions the story names (see `countries_named`)."""
    fixed = [trim(text, s, e, label, gazetteer) for s, e, label in spans if label in NAME_LABELS]
    # A name has a capital letter; "meth" or "state" tagged as an entity is noise.
    fixed = [(s, e, label) for s, e, label in fixed if s < e and not text[s:e].islower()]
    fixed = _drop_common_words(text, fixed)
    fixed += _missed_people_words(text, fixed, gazetteer)
    named = countries_named(text, fixed, gazetteer)
    fixed = [_demonym(text, s, e, label, gazetteer) for s, e, label in fixed]
    # Of the recogniser's spans that overlap (several recognisers in one pipeline), the
    # longer stays.
    return drop_overlaps(sorted(set(fixed))), named


_WORD = re.compile(r"\b[A-Z][a-z]+\b")


def _missed_people_words(text: str, spans: list[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """Words for the people of a place that the recogniser left untagged ("an
    **Englishman**", "a **Welshwoman**"), as demonyms (NORP). Only the words for people:
    an untagged adjective is as often a language ("in English")."""
    taken = Occupied(spans)
    people: dict[str, bool] = {}  # asked once per word of the story
    out: list[RawSpan] = []
    for m in _WORD.finditer(text):
        word = m.group()
        if word not in people:
            people[word] = gazetteer.demonym(word) is not None and gazetteer.demonym_names_people(
                word
            )
        if people[word] and taken.free(m.start(), m.end()):
            out.append((m.start(), m.end(), "NORP"))
    return out


def _demonym(text: str, start: int, end: int, label: str, gazetteer: Gazetteer) -> RawSpan:
    """A span on the demonym list is a demonym (NORP), and so is the word of a religion or
    a movement ("Takfiri", "Salafists"): a group of people, not an organisation."""
    surface = text[start:end]
    if label == "NORP":
        return start, end, label
    # Several words only when the list has them all ("Sri Lankan", "Central American").
    if gazetteer.demonym(surface) is not None and (" " not in surface or label in PLACE_LABELS):
        return start, end, "NORP"
    if " " not in surface and names_a_belief(surface):
        return start, end, "NORP"
    return start, end, label


def _drop_common_words(text: str, spans: list[RawSpan]) -> list[RawSpan]:
    """A one-word person or organisation that the same text also writes in lower case
    ("Studio", "Box", "Discontinued" at the start of a line) is an ordinary word."""
    lowered: frozenset[str] | None = None
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


# -- 4, 5. labels from the document --------------------------------------------------------


def _surnames(text: str, spans: list[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """One-word spans that are part of a person's full name ("Trump" beside "Donald
    Trump") are that person, unless the word is also a country or region's name; and
    one-word spans that are the short form of an organisation named in full ("Bruins"
    beside "Boston Bruins", see `_short_forms`) are that organisation."""
    surnames, given = people_words(text, spans)
    short = _short_forms(text, spans, gazetteer) - surnames - given
    out = []
    for s, e, label in spans:
        word = text[s:e]
        if label in ("ORG", "GPE", "LOC") and " " not in word:
            surname = word in surnames and not names_country_or_region(word, gazetteer)
            if surname or (word in given and not gazetteer.lookup(word)):
                label = "PERSON"
        if label in ("PERSON", "GPE", "LOC") and word in short:
            label = "ORG"
        out.append((s, e, label))
    return out


def _short_forms(text: str, spans: Iterable[RawSpan], gazetteer: Gazetteer) -> set[str]:
    """The last words of the organisations named in full that stand for the organisation
    alone, as a team's nickname does ("Bruins" of "Boston Bruins"): a capitalised plural
    that is no organisation's kind ("Records"), no place's name, no given name, no demonym,
    and that the text never writes in lower case, of a name that does not begin with a
    given name ("Hank Williams" tagged as an organisation is likelier a person). A
    singular last word is as often a person's surname in a firm's or a street's name
    ("Morgan Tsvangirai Avenue"), or a common noun ("Board"), as a short form."""
    out: set[str] = set()
    lowered: frozenset[str] | None = None
    for s, e, label in spans:
        words = text[s:e].split()
        if label != "ORG" or len(words) < 2:
            continue
        word = words[-1]
        plural = word.endswith("s") and not word.endswith("ss")
        if not (plural and len(word) > 3 and word.isalpha() and word[0].isupper()):
            continue
        if ends_in_institution_word(word) or gazetteer.given_name_share(word) > 0:
            continue
        if gazetteer.given_name_share(words[0]) > 0:
            continue  # a person's name the recogniser took for an organisation's
        if gazetteer.lookup(word) or gazetteer.demonym(word) is not None:
            continue
        if lowered is None:
            lowered = lowercase_words(text)
        if word.lower() not in lowered:
            out.add(word)
    return out


def _kind(label: str) -> str:
    return "PLACE" if label in PLACE_LABELS else label


def _name_key(name: str) -> str:
    """The same name however it is written: "TRUMP" and "Trump", "O’Brien" and
    "O'Brien"."""
    return name.replace("’", "'").casefold()


def _majority_labels(text: str, spans: list[RawSpan], gazetteer: Gazetteer) -> list[RawSpan]:
    """One label per name (step 6), however it is written ("TRUMP", "Trump"): a person
    everywhere if it once comes right after a person's title ("President **Trump**",
    `_titled`); else the label it has most often in the document, and where it is as often
    a person as an organisation, a person when it begins with a given name ("Buddy Rich")
    and does not end in an organisation's word ("Soleilmoon **Records**")."""
    votes: dict[str, Counter[str]] = {}
    titled: set[str] = set()
    for s, e, label in spans:
        if label in ("PERSON", "ORG") or label in PLACE_LABELS:
            key = _name_key(text[s:e])
            votes.setdefault(key, Counter())[_kind(label)] += 1
            if _titled(text, s, e):
                titled.add(key)
    winners: dict[str, str] = dict.fromkeys(titled, "PERSON")
    for key, counts in votes.items():
        (top, n), *rest = counts.most_common()
        if key in titled:
            continue
        if not rest or n > rest[0][1]:
            winners[key] = top
        elif (
            {top, rest[0][0]} == {"PERSON", "ORG"}
            and (len(rest) == 1 or rest[1][1] < n)
            and gazetteer.given_name_share(key.split()[0]) > 0
            and not ends_in_institution_word(key)
        ):
            winners[key] = "PERSON"
    out = []
    for s, e, label in spans:
        winner = winners.get(_name_key(text[s:e]))
        if winner and winner != _kind(label) and label != "NORP":
            label = "GPE" if winner == "PLACE" else winner
        out.append((s, e, label))
    return out


def _titled(text: str, start: int, end: int) -> bool:
    """A name of one or two words right after a person's title ("President Trump", "Mrs.
    O'Brien"), none of them a word the text also writes in lower case ("Deputy National
    Secretary") and the last no organisation's word ("St Mary's Hospital")."""
    words = text[start:end].split()
    if len(words) > 2 or ends_in_institution_word(words[-1]) or not after_title(text, start):
        return False
    lowered = lowercase_words(text)
    return not any(w.lower() in lowered for w in words)


_WORD_CHAR = re.compile(r"\w")
_END = ""  # the key that marks a name's end in the tree of `_occurrences`
REPEATED = ("PERSON", "ORG")
_NEXT_NAME = re.compile(r"\s+[A-Z0-9]")
_LAST_NAME = re.compile(r"(?<![.!?:;\n])\s(?:[A-Z][\w'’.-]*|of|de|von|van)\s+$")


def _occurrences(text: str, names: Iterable[str]) -> list[tuple[int, int]]:
    """Where the names occur, left to right and not overlapping, the longest name where
    several start at one place (what a regex alternation of them, longest first, finds).

    One pass over the text: the names go into a tree of their characters, and at each
    character that begins a name the tree is walked as far as the text follows it, so the
    work grows with the text and the names' lengths, not with their number times the
    text's length (searching the text once per name, which a long story's thousands of
    names made the slowest part of tagging it)."""
    tree: dict[str, Any] = {}
    for name in names:
        branch = tree
        for ch in name:
            branch = branch.setdefault(ch, {})
        branch[_END] = len(name)
    if not tree:
        return []
    first = re.compile("[" + "".join(re.escape(ch) for ch in tree) + "]")
    out: list[tuple[int, int]] = []
    n = len(text)
    m = first.search(text)
    while m is not None:
        start = i = m.start()
        node: dict[str, Any] | None = tree
        longest = 0
        while node is not None:
            longest = node.get(_END, longest)
            node = node.get(text[i]) if i < n else None
            i += 1
        if longest:
            out.append((start, start + longest))
        m = first.search(text, start + (longest or 1))
    return out


def _repeats(
    text: str, spans: list[RawSpan], embedded: list[RawSpan], gazetteer: Gazetteer
) -> list[RawSpan]:
    """Mentions of a person or organisation the recogniser tagged once and missed later:
    the same name again, a person's surname alone ("Player" after "Gary Player") or an
    organisation's short form ("Bruins" after "Boston Bruins"), where nothing else is
    tagged. Sorted, and overlapping none of `spans`."""
    names: dict[str, str] = {}
    for s, e, label in spans:
        if label not in REPEATED:
            continue
        name = text[s:e]
        names.setdefault(name, label)
        words = name.split()
        if label == "PERSON" and len(words) > 1 and len(words[-1]) > 2 and words[-1].isalpha():
            names.setdefault(words[-1], "PERSON")
    short = {w for w in _short_forms(text, spans, gazetteer) if w not in names}
    names.update(dict.fromkeys(short, "ORG"))
    names = {n: label for n, label in names.items() if n[:1].isupper() and len(n) > 1}
    if not names:
        return []
    taken = Occupied([*spans, *embedded])
    found: list[RawSpan] = []
    for s, e in _occurrences(text, names):
        if (s and _WORD_CHAR.match(text[s - 1])) or _WORD_CHAR.match(text[e : e + 1]):
            continue  # part of a longer word
        if _NEXT_NAME.match(text, e) or (_LAST_NAME.search(text, max(0, s - 30), s)):
            continue  # part of a longer name the recogniser did not tag
        if text[s:e] in short and sentence_start(text, s):
            continue  # a capital only because a sentence starts ("Investigators said")
        if taken.free(s, e):
            found.append((s, e, names[text[s:e]]))
            taken.add(s, e)
    return found
