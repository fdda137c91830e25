"""Choose one gazetteer place for every place mention of a document (no spaCy here).

How a mention is resolved, in order:

1. **Query.** The surface form loses a leading "the", a possessive and a type word that
   says what kind of place it is ("Idlib province" -> "Idlib" + region, "the city of
   Aleppo" -> "Aleppo" + city); the name index gives the candidates, and abbreviations
   ("U.S.", "N.C.") add theirs. A name the index does not know is looked up by the place
   it is named after ("Dubai World Cup" -> Dubai, "Bank of Mexico" -> Mexico; never a
   street or a hamlet): a guess, so it is never context for the other mentions.
2. **Hard rules**, which settle a mention outright:
   demonyms go to their country; seats of power named as an organisation ("the Kremlin
   said") go to the landmark; a continent or a country named exactly goes to it (unless a
   first-level region of another country shares the name, "Georgia"); an explicit parent
   next to the name ("Paris, Texas", "Tripoli (Lebanon)", "Hama in central Syria",
   "Raleigh, N.C.") keeps only the candidates inside that parent, and settles the parent
   too; a mention with one candidate is settled.
3. **Scores** for the rest, against what the hard rules settled (see `score_candidate`):
   feature type, importance, agreement with the document's countries and regions,
   distance to settled places, name match, NER label agreement, type hint and the user's
   country/bbox preferences. Mentions are settled most-confident first, so each one
   becomes context for the next; then every scored mention is scored again against all
   the others (a famous "Paris" settled early can still become Paris, Texas), and a
   country's name becomes a town when the story is local to the town's region and names
   nothing else in that country ("Palestine" among Texas places).
4. **One sense per document**: every mention with the same query gets the same place.
5. **Abstain** when the best score is below `ResolverOptions.abstain_below`, or its
   confidence (its softmax share among the candidates) is below `min_confidence`: the
   mention keeps `place: null` and lists its best candidates.

The rule between a region (first or second level) and a city of the same name: the city
wins when it lies in that same region (the region is named after it: Idlib, Aleppo, New
York, York), and is preferred when it is a national capital elsewhere (Washington) or a
city or hand-written place elsewhere more important than the region (Portland, Oregon over
a Jamaican parish), unless the mention says it means the region ("Idlib province",
"Washington state").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..errors import OptionError
from ..gazetteer import Gazetteer, is_generic_name, normalize_name
from ..gazetteer.names import strip_possessive
from ..models import Candidate, Place, Resolution
from .lexicon import DIRECTIONS
from .query import (
    LABEL_CUES,
    WATER_WORDS,
    PlaceQuery,
    context_cue,
    context_hint,
    name_cue,
    split_query,
)
from .scoring import (
    CURATED_IMPORTANCE,
    LABEL_CLASSES,
    REGION_CODES,
    TYPE_PRIOR,
    TYPE_PRIOR_DEFAULT,
    WEIGHTS,
    Context,
    Features,
    confidence,
    flat_distance2,
    great_circle_km,
    in_bbox,
    is_country,
)

# The least population of a town a longer name may be placed at by its inner name.
INNER_NAME_POPULATION = 15_000
# Last words of names that are somewhere in a town, not the town ("Main Street").
_THOROUGHFARES = frozenset(
    "street st road rd avenue ave drive dr lane ln boulevard blvd way trail place pl "
    "square highway hwy parkway pkwy park line".split()
)
_PARENT_ABBREVIATION = re.compile(r",\s*((?:[A-Z][A-Za-z]{0,4}\.)+|[A-Z]{2})(?![A-Za-z])")
_ABBREVIATION = re.compile(r"^(?:[A-Z][A-Za-z]{0,4}\.)+$|^[A-Z]{2,4}$")
_SPEECH = re.compile(
    r"^\s*(?:has |had |have |will |would |also |on \w+ )?"
    r"(?:said|says|say|announced|announces|warned|warns|denied|denies|rejected|rejects|"
    r"stated|claimed|claims|insisted|insists|accused|accuses|urged|urges|condemned|"
    r"condemns|declined|responded|confirmed|confirms|demanded|demands|"
    r"spokesman|spokeswoman|spokesperson)\b"
)


@dataclass(frozen=True, slots=True)
class ResolverOptions:
    prefer_countries: tuple[str, ...] = ()
    bbox: tuple[float, float, float, float] | None = None  # west, south, east, north
    abstain_below: float = 1.2
    min_confidence: float = 0.25
    alternatives: int = 3
    # A place mention the gazetteer has no entry for is placed at the place it names
    # inside ("Manila Cathedral" -> Manila); off when an online geocoder gets it first.
    inner_names: bool = True


# Codes people reach for that ISO 3166 spells otherwise.
_CODE_HINTS = {"UK": "GB", "EL": "GR"}


def check_countries(gazetteer: Gazetteer, codes: Iterable[str]) -> None:
    """OptionError unless the gazetteer has a country for every preferred code: a code it
    does not know would tilt nothing, silently."""
    unknown = [code for code in codes if gazetteer.country_row(code) is None]
    if not unknown:
        return
    hints = [f"{code} is {_CODE_HINTS[code]}" for code in unknown if code in _CODE_HINTS]
    raise OptionError(
        "prefer_countries",
        f"the gazetteer has no country with the code {', '.join(unknown)}"
        + (f" ({'; '.join(hints)} in ISO 3166)" if hints else ""),
    )


REFINE_PASSES = 2
LOCAL_MENTIONS = 3
_Scored = tuple[float, int, Features]  # score, row, features


@dataclass(slots=True)
class _Group:
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
    rule: str = ""
    scored: list[_Scored] = field(default_factory=list)

    @property
    def weight(self) -> int:
        """How much the group's place counts as context for the others."""
        return 0 if self.inner else len(self.members)


class Resolver:
    """Resolves the place mentions of one document at a time against a gazetteer."""

    def __init__(self, gazetteer: Gazetteer, options: ResolverOptions | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options if options is not None else ResolverOptions()
        check_countries(gazetteer, self.options.prefer_countries)

    # -- public --------------------------------------------------------------------------

    def resolve(self, text: str, queries: Sequence[PlaceQuery]) -> list[Resolution]:
        """One Resolution per query, in order."""
        results: list[Resolution | None] = [None] * len(queries)
        groups = self._group(text, queries)
        for i, q in enumerate(queries):
            if q.kind == "demonym":
                results[i] = self._demonym(q)
        self._apply_hard_rules(text, queries, groups)
        self._score_rest(groups)
        for g in groups.values():
            res = self._resolution(g)
            for i in g.members:
                q = queries[i]
                if q.landmark or (res.place is not None and self._speaks(text, q)):
                    res_i = Resolution(
                        res.place, res.confidence, res.alternatives, "metonym", res.rule
                    )
                else:
                    res_i = res
                results[i] = res_i
        return [r if r is not None else Resolution(None, 0.0) for r in results]

    def candidates(self, name: str, country: str | None = None) -> list[Candidate]:
        """Ranked candidates for a bare name, scored without document context."""
        base, hint = self._query(name)
        rows = self._rows_for(name, base)
        if country:
            rows = [r for r in rows if self.gazetteer.place(r).country_code == country.upper()]
        group = _Group(base, base, hint, [], Counter({"GPE": 1}), rows)
        scored = self._rank(group, Context.empty())
        return [Candidate(self.gazetteer.place(r), s, f) for s, r, f in scored]

    # -- grouping and candidates -------------------------------------------------------

    def _group(self, text: str, queries: Sequence[PlaceQuery]) -> dict[str, _Group]:
        groups: dict[str, _Group] = {}
        for i, q in enumerate(queries):
            if q.kind == "demonym":
                continue
            base, hint = self._query(q.text)
            hint = hint or context_hint(text, q.start, q.end)
            rows = self._rows_for(q.text, base) or self._by_type_word(base)
            inner = None
            if not rows and not hint and self.options.inner_names:
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
            landmark = q.landmark or bool(landmarks and self._speaks(text, q))
            key = f"{base}|{hint}|{int(landmark)}" + ("|inner" if inner else "")
            g = groups.get(key)
            if g is None:
                if is_generic_name(base):
                    # "Gulf" or "West" alone: only a sea or a named region may answer.
                    rows = [r for r in rows if self.gazetteer.place(r).feature_class in "HL"]
                if landmark:
                    rows = landmarks
                g = groups[key] = _Group(
                    key, base, hint, [], Counter(), rows, landmark, inner=inner is not None
                )
            g.members.append(i)
            g.ner_labels[q.ner_label] += 1
        return groups

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

    def _query(self, surface: str) -> tuple[str, str]:
        """`split_query`, unless the type word is part of a known name ("Czech Republic",
        "Kansas City", "Orange County"): then the whole name, and no hint."""
        base, hint = split_query(surface)
        whole = normalize_name(strip_possessive(surface.strip()))
        if hint and whole != base and self.gazetteer.lookup_key(whole):
            return whole, ""
        return base, hint

    def _rows_for(self, surface: str, base: str) -> list[int]:
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
                rows = self._rows_for(name, base)
                if not rows and size == 1:
                    demonym = self.gazetteer.demonym(name)
                    rows = [demonym] if demonym is not None else []
                rows = [r for r in rows if self._stands_out(r)]
                if rows:
                    return base, rows
        return None

    def _stands_out(self, row: int) -> bool:
        """A place big enough to be what a longer name is named after: not a hamlet that
        happens to be called "Street" or "Wing"."""
        p = self.gazetteer.place(row)
        if p.feature_class == "P":
            return p.population >= INNER_NAME_POPULATION
        return p.feature_class in "AHL"

    def _demonym(self, q: PlaceQuery) -> Resolution:
        row = self.gazetteer.demonym(q.text)
        if row is None:
            return Resolution(None, 0.0, rule="demonym-unknown")
        return Resolution(self.gazetteer.place(row), 0.9, rule="demonym")

    # -- hard rules ------------------------------------------------------------------------

    def _apply_hard_rules(
        self, text: str, queries: Sequence[PlaceQuery], groups: dict[str, _Group]
    ) -> None:
        gaz = self.gazetteer
        by_member = {i: g for g in groups.values() for i in g.members}
        for g in groups.values():
            if not g.rows:
                continue
            places = [(r, gaz.place(r)) for r in g.rows]
            if g.landmark:
                self._settle(g, max(g.rows, key=lambda r: gaz.place(r).population), 0.9, "landmark")
                continue
            hinted = self._apply_hint(g, places)
            if hinted is not None:
                places = hinted
            continents = [r for r, p in places if p.feature_code == "CONT"]
            if continents:
                self._settle(g, continents[0], 0.95, "continent")
                continue
            countries = [r for r, p in places if is_country(p)]
            if countries and g.hint != "region" and g.hint != "city":
                rivals = [
                    r
                    for r, p in places
                    if p.feature_code == "ADM1"
                    and normalize_name(p.name) == g.base
                    and p.country_code != gaz.place(countries[0]).country_code
                ]
                if not rivals:
                    best = max(countries, key=lambda r: gaz.place(r).population)
                    self._settle(g, best, 0.95, "country")
        for i in range(len(queries)):
            member_of = by_member.get(i)
            if member_of is None or (member_of.settled is not None and member_of.rule != "single"):
                continue
            self._apply_parent(text, queries, i, member_of, by_member)
        for g in groups.values():
            if g.settled is None and len(g.rows) == 1:
                self._settle(g, g.rows[0], 0.8, "single")

    def _apply_hint(
        self, g: _Group, places: list[tuple[int, Place]]
    ) -> list[tuple[int, Place]] | None:
        """Keep the candidates of the kind the words around the name ask for.

        A region asked for ("Orange County", "Idlib province") and none in the gazetteer:
        the mention is left unresolved rather than sent to a town of that name. A city
        asked for and none found: the other candidates stay.
        """
        if g.hint == "region":
            keep = [(r, p) for r, p in places if p.feature_class == "A" and not is_country(p)]
            g.rows = [r for r, _ in keep]
            return keep
        if g.hint == "city":
            keep = [(r, p) for r, p in places if p.feature_class == "P"]
            if keep:
                g.rows = [r for r, _ in keep]
                return keep
        return None

    def _apply_parent(
        self,
        text: str,
        queries: Sequence[PlaceQuery],
        i: int,
        g: _Group,
        by_member: dict[int, _Group],
    ) -> None:
        """Restrict a mention to the candidates inside a parent named right next to it."""
        q = queries[i]
        parent_rows: list[int] = []
        parent_group: _Group | None = None
        if i + 1 < len(queries) and queries[i + 1].kind == "toponym":
            nxt = queries[i + 1]
            between = text[q.end : nxt.start]
            if _is_parent_link(between, text, nxt.end):
                parent_group = by_member.get(i + 1)
                if parent_group is not None:
                    parent_rows = parent_group.rows
        if not parent_rows:
            # Matched in place: slicing the rest of a long text for every mention is quadratic.
            abbr = _PARENT_ABBREVIATION.match(text, q.end)
            if abbr:
                parent_rows = self.gazetteer.lookup_abbreviation(abbr.group(1))
        parents = [(r, self.gazetteer.place(r)) for r in parent_rows]
        parents = [(r, p) for r, p in parents if p.feature_code == "ADM1" or is_country(p)]
        if not parents:
            return
        pairs = []
        for r in g.rows:
            child = self.gazetteer.place(r)
            for p_row, parent in parents:
                if child.country_code != parent.country_code or child is parent:
                    continue
                if parent.feature_code == "ADM1" and child.admin1_code != parent.admin1_code:
                    continue
                pairs.append((child.population, TYPE_PRIOR.get(child.feature_code, 0.0), r, p_row))
        if not pairs:
            return
        _, _, child_row, parent_row = max(pairs)
        self._settle(g, child_row, 0.95, "parent")
        if parent_group is not None and (
            parent_group.settled is None or parent_group.rule == "single"
        ):
            self._settle(parent_group, parent_row, 0.95, "parent")

    def _settle(self, g: _Group, row: int, confidence: float, rule: str) -> None:
        g.settled = row
        g.confidence = confidence
        g.rule = rule

    # -- scoring -----------------------------------------------------------------------------

    def _score_rest(self, groups: dict[str, _Group]) -> None:
        """Settle the scored mentions clearest first, each batch becoming context for the
        next (one at a time in a short document, a quarter of the rest at a time in a long
        one, so the cost grows little faster than the number of names)."""
        context = self._context(groups.values())
        pending = [g for g in groups.values() if g.settled is None and g.rows]
        while pending:
            for g in pending:
                g.scored = self._rank(g, context)
            pending.sort(key=_margin, reverse=True)
            batch, pending = pending[: max(1, len(pending) // 4)], pending[len(pending) // 4 or 1 :]
            for g in batch:
                self._decide(g)
                context.add(self.gazetteer, g.settled, +g.weight)
        self._refine(groups)
        self._local_towns(groups)

    def _context(self, groups: Iterable[_Group]) -> Context:
        context = Context.empty()
        for g in groups:
            context.add(self.gazetteer, g.settled, g.weight)
        return context

    def _local_towns(self, groups: dict[str, _Group]) -> None:
        """A country's name read as a town of the region the story is in.

        "Palestine" in a story whose other places are in Texas, and that names nothing else
        in the Palestinian territories, is Palestine, Texas: the town wins when at least
        LOCAL_MENTIONS other mentions lie in its first-level region and none in the country.
        """
        context = self._context(groups.values())
        for g in groups.values():
            if g.rule != "country" or g.settled is None:
                continue
            country = self.gazetteer.place(g.settled).country_code
            context.add(self.gazetteer, g.settled, -g.weight)
            others_in_country = context.countries.get(country, 0.0)
            towns = [
                r
                for r in g.rows
                if self.gazetteer.place(r).feature_class == "P"
                and context.admin1.get(
                    (self.gazetteer.place(r).country_code, self.gazetteer.place(r).admin1_code), 0.0
                )
                >= LOCAL_MENTIONS
            ]
            if not others_in_country and towns:
                best = max(towns, key=lambda r: self.gazetteer.place(r).population)
                self._settle(g, best, 0.6, "local")
            context.add(self.gazetteer, g.settled, +g.weight)

    def _refine(self, groups: dict[str, _Group]) -> None:
        """A second look at every scored mention, now against all the others.

        The first pass settles the clearest mentions first, so a famous name ("Paris") can
        be settled before the document's other places are known; here each one is scored
        again with the rest of the document as context, until nothing changes.
        """
        scored = [g for g in groups.values() if g.rule in ("score", "abstain") and g.rows]
        context = self._context(groups.values())
        for _ in range(REFINE_PASSES):
            changed = False
            for g in scored:
                context.add(self.gazetteer, g.settled, -g.weight)
                g.scored = self._rank(g, context)
                before = g.settled
                self._decide(g)
                changed |= g.settled != before
                context.add(self.gazetteer, g.settled, +g.weight)
            if not changed:
                break

    def _decide(self, g: _Group) -> None:
        """Settle a scored group on its best candidate, or abstain when that candidate
        scores too low or barely beats the next (the confidence is too low)."""
        top_score, top_row, _ = g.scored[0]
        confidence = confidence_of(g)
        if top_score >= self.options.abstain_below and confidence >= self.options.min_confidence:
            self._settle(g, top_row, confidence, "score")
        else:
            g.settled, g.confidence, g.rule = None, 0.0, "abstain"

    def _rank(self, g: _Group, context: Context) -> list[_Scored]:
        scored = [(*self.score_candidate(g, r, context), r) for r in g.rows]
        scored.sort(key=lambda t: (-t[0], t[2]))
        return [(s, r, f) for s, f, r in scored]

    def score_candidate(self, g: _Group, row: int, context: Context) -> tuple[float, Features]:
        """A candidate's score: the weighted sum of the features listed in WEIGHTS."""
        p = self.gazetteer.place(row)
        code = p.feature_code
        type_prior = TYPE_PRIOR.get(code, TYPE_PRIOR_DEFAULT.get(p.feature_class, 0.3))
        importance = self._importance(row, p)
        n = context.total
        country = context.countries.get(p.country_code, 0.0) / n if n else 0.0
        admin1 = context.admin1.get((p.country_code, p.admin1_code), 0.0) / n if n else 0.0
        distance = 0.0
        points = context.near()
        if points:
            # The nearest point by a flat approximation, then its great-circle distance.
            nearest = min(points, key=lambda pt: flat_distance2(p.lat, p.lon, pt))
            km = great_circle_km((p.lat, p.lon), nearest)
            distance = math.exp(-km / 400.0)
        primary = normalize_name(p.name) == g.base
        name = 1.0 if primary else 0.5
        label = 0.0
        for ner, count in g.ner_labels.items():
            if p.feature_class in LABEL_CLASSES.get(ner, ()):
                label += count / max(1, sum(g.ner_labels.values()))
        hint = 0.0
        if g.hint == "city":
            hint = 1.0 if p.feature_class == "P" else -1.0
        elif g.hint == "water":
            hint = 1.0 if p.feature_class == "H" else -1.0
        elif g.hint == "region":
            hint = 1.0 if code in REGION_CODES else -1.0
        elif code in REGION_CODES:
            hint = self._region_or_city(g, row, p)
        preference = 0.0
        opts = self.options
        if opts.prefer_countries and p.country_code in opts.prefer_countries:
            preference += 1.0
        if opts.bbox and in_bbox(p, opts.bbox):
            preference += 1.0
        features = (
            ("type", type_prior),
            ("importance", importance),
            ("country", country),
            ("admin1", admin1),
            ("distance", distance),
            ("name", name),
            ("label", label),
            ("hint", hint),
            ("preference", preference),
        )
        score = sum(WEIGHTS[k] * v for k, v in features)
        return score, features

    def _importance(self, row: int, p: Place) -> float:
        """Population on a log scale (10 million and more: 1). Seas, rivers, regions and
        landmarks have none; those on geotag's short hand-written list of places news
        names are well known by construction and count as a large city would."""
        if p.population:
            return min(1.0, math.log10(p.population + 1) / 7.0)
        if p.feature_class in "HLTSR" and "geotag" in self.gazetteer.provenance_of(row):
            return CURATED_IMPORTANCE
        return 0.0

    def _region_or_city(self, g: _Group, row: int, region: Place) -> float:
        """Penalty for a region that shares its name with a city or another place (the
        stated rule).

        A city inside that region is what the region is named after (Idlib, Aleppo, New
        York; for a county such as York, a city in the same first-level region): the city
        wins outright. Preferred, though the document's context can still choose the region:
        a national capital elsewhere (Washington, D.C. against Washington state), and a city
        or a well-known feature elsewhere more important than the region (by population, or
        on the hand-written list): Portland, Oregon against the parish of Portland in
        Jamaica, Gaza against the province of Gaza in Mozambique, Long Island, New York
        against the district of Long Island in the Bahamas.
        """
        penalty = 0.0
        importance = self._importance(row, region)
        for r in g.rows:
            other = self.gazetteer.place(r)
            if other.feature_code in REGION_CODES or is_country(other):
                continue
            if other.feature_class == "P" and (
                other.country_code == region.country_code
                and other.admin1_code == region.admin1_code
            ):
                return -1.0
            if other.feature_code == "PPLC" or self._importance(r, other) > importance:
                penalty = -0.5
        return penalty

    # -- output --------------------------------------------------------------------------

    def _resolution(self, g: _Group) -> Resolution:
        gaz = self.gazetteer
        if not g.scored:
            g.scored = self._rank(g, Context.empty())
        alts = [Candidate(gaz.place(r), s, f) for s, r, f in g.scored if r != g.settled][
            : self.options.alternatives
        ]
        if g.settled is None:
            return Resolution(None, 0.0, tuple(alts), rule=g.rule or "no-candidate")
        return Resolution(gaz.place(g.settled), g.confidence, tuple(alts), rule=g.rule)

    @staticmethod
    def _speaks(text: str, q: PlaceQuery) -> bool:
        return bool(_SPEECH.match(text[q.end : q.end + 40]))


def confidence_of(g: _Group) -> float:
    return confidence([score for score, _, _ in g.scored])


def _margin(g: _Group) -> float:
    top = g.scored[0][0]
    return top - (g.scored[1][0] if len(g.scored) > 1 else 0.0)


def _is_parent_link(between: str, text: str, parent_end: int) -> bool:
    """ "X, Y" / "X (Y)" / "X in [central] Y": Y may be the parent of X."""
    if between in (", ", ","):
        return True
    if between.strip() == "(" and text[parent_end : parent_end + 1] == ")":
        return True
    return bool(
        re.fullmatch(
            r"\s+in\s+(?:the\s+)?(?:(?:north|south|east|west|central|northern|southern|eastern|"
            r"western|north-?western|north-?eastern|south-?western|south-?eastern)\s+)?",
            between,
        )
    )
