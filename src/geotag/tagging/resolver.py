"""Choose one gazetteer place for every place mention of a document (no spaCy here).

How a mention is resolved, in order:

1. **Query** (`candidates.py`). The surface form loses a leading "the", a possessive and
   a type word that says what kind of place it is ("Idlib province" -> "Idlib" + region,
   "the city of Aleppo" -> "Aleppo" + city); the name index gives the candidates, and
   abbreviations ("U.S.", "N.C.") add theirs. A name the index does not know is looked up
   by the place it is named after ("Dubai World Cup" -> Dubai, "Bank of Mexico" ->
   Mexico; never a street or a hamlet): a guess, so it is never context for the others.
2. **Hard rules** (named in `rules.py`, with the confidence each gives), which settle a
   mention outright: demonyms go to their country; seats of power named as an
   organisation ("the Kremlin said") go to the landmark; a continent or a country named
   exactly goes to it (unless a first-level region of another country shares the name,
   "Georgia"); an explicit parent next to the name ("Paris, Texas", "Tripoli (Lebanon)",
   "Hama in central Syria", "Raleigh, N.C.", "China, Texas": it outranks a country's
   name) keeps only the candidates inside that parent, a city rather than the region
   named after it ("Aleppo, Syria"), and settles the parent too; a mention with one
   candidate is settled. A country's name after "city of" or "province of" is the
   country ("the capital city of Iraq"; `CandidateFinder._container`).
3. **Scores** for the rest, against what the hard rules settled (see `score_candidate`):
   feature type, importance, agreement with the document's countries and regions,
   distance to settled places, name match, NER label agreement, type hint and the user's
   country/bbox preferences. Mentions are settled most-confident first, so each one
   becomes context for the next; then every scored mention is scored again against all
   the others (a famous "Paris" settled early can still become Paris, Texas); a world
   city with only small namesakes stays the world city unless the story lies mostly in a
   namesake's region (`_world_cities`); and a country's name becomes a town only when
   the story is local to the town's region (`_local_towns`: "Palestine" among Anderson
   County places, never "China" listed with "the United States"); then `local.py`'s
   home region and the containers of places the gazetteer lacks (marked `within`).
4. **One sense per document**: every mention with the same query gets the same place.
5. **Abstain** when the best score is below `ResolverOptions.abstain_below` (None: the
   ranker's), or its confidence (its softmax share among the candidates, calibrated into
   the chance of lying within 161 km: `ranker.py`) is below `min_confidence`: the mention
   keeps `place: null` and lists its best candidates.

The rule between a region (first or second level) and a city of the same name: the city
wins when it lies in that same region and goes by that very name (the region is named
after it: Idlib, Aleppo, York; not Oklahoma City for "Oklahoma"), and is preferred when
it is a national capital elsewhere (Washington) or a city or hand-written place elsewhere
more important than the region (Portland, Oregon over a Jamaican parish), unless the
mention says it means the region ("Idlib province", "Washington state").
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..gazetteer import Gazetteer, normalize_name
from ..models import Candidate, Place, Resolution
from .candidates import CandidateFinder, MentionGroup, Scored, plays, speaks
from .explain import explain_demonym, explain_group
from .geometry import great_circle_km, in_bbox, nearest
from .local import HOME_CONFIDENCE, WITHIN_NAMED, WITHIN_STORY, containers, dateline, home_towns
from .namesakes import listed_with_country, story_in, world_city
from .parent import named_parent
from .query import PlaceQuery
from .ranker import RANKER
from .resolver_options import ResolverOptions, check_countries
from .rules import RULE_CONFIDENCE, Rule
from .scoring import (
    CURATED_IMPORTANCE,
    LABEL_CLASSES,
    REGION_CODES,
    TYPE_PRIOR,
    TYPE_PRIOR_DEFAULT,
    Context,
    Features,
    confidence,
    is_country,
)

REFINE_PASSES = 2
# Mentions in a first-level region that make a story local to it.
LOCAL_MENTIONS = 3


class Resolver:
    """Resolves the place mentions of one document at a time against a gazetteer."""

    def __init__(self, gazetteer: Gazetteer, options: ResolverOptions | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options if options is not None else ResolverOptions()
        self.finder = CandidateFinder(gazetteer, inner_names=self.options.inner_names)
        self.ranker = self.options.ranker if self.options.ranker is not None else RANKER
        below = self.options.abstain_below
        # The features beyond the hand-set ones, computed only for a ranker that weighs them.
        self.extended = self.ranker.extended
        self.abstain_below = self.ranker.abstain_below if below is None else below
        check_countries(gazetteer, self.options.prefer_countries)

    # -- public --------------------------------------------------------------------------

    def resolve(self, text: str, queries: Sequence[PlaceQuery]) -> list[Resolution]:
        """One Resolution per query, in order."""
        return self.resolve_groups(text, queries)[0]

    def resolve_groups(
        self, text: str, queries: Sequence[PlaceQuery]
    ) -> tuple[list[Resolution], dict[str, MentionGroup]]:
        """`resolve`, and the mention groups as settled (what scripts/fit_ranker.py
        learns from)."""
        results: list[Resolution | None] = [None] * len(queries)
        dateline_at = dateline(text, queries)
        groups = self.finder.group(text, queries, dateline_at)
        for i, q in enumerate(queries):
            if q.kind == "demonym":
                results[i] = self._demonym(q)
        self._apply_hard_rules(text, queries, groups)
        named_countries = Counter(
            r.place.country_code for r in results if r is not None and r.place is not None
        )
        self._score_rest(groups)
        self._local_towns(text, queries, groups, named_countries)
        for g, row in home_towns(self.gazetteer, groups.values(), dateline_at):
            self._settle(g, row, "home", self._rule_confidence("home", HOME_CONFIDENCE))
        if self.options.within:
            found = containers(self.gazetteer, text, queries, groups.values(), dateline_at)
            for g, row, named in found:
                sure = (
                    self._rule_confidence("within-named", WITHIN_NAMED)
                    if named
                    else self._rule_confidence("within-story", WITHIN_STORY)
                )
                self._settle(g, row, "within", sure)
        for g in groups.values():
            res = self._resolution(g)
            for i in g.members:
                q = queries[i]
                metonym = res.place is not None and (speaks(text, q) or plays(text, q, queries))
                results[i] = replace(res, role="metonym") if q.landmark or metonym else res
        return [r if r is not None else Resolution(None, 0.0) for r in results], groups

    def candidates(self, name: str, country: str | None = None) -> list[Candidate]:
        """Ranked candidates for a bare name, scored without document context."""
        base, hint = self.finder.query(name)
        rows = self.finder.rows_for(name, base)
        if country:
            rows = [r for r in rows if self.gazetteer.place(r).country_code == country.upper()]
        group = MentionGroup(base, base, hint, [], Counter({"GPE": 1}), rows)
        scored = self._rank(group, Context.empty())
        return [Candidate(self.gazetteer.place(r), s, f) for s, r, f in scored]

    def _demonym(self, q: PlaceQuery) -> Resolution:
        row = self.gazetteer.demonym(q.text)
        country = self.gazetteer.place(row) if row is not None else None
        why = explain_demonym(country) if self.options.explain else None
        if country is None:
            return Resolution(None, 0.0, rule="demonym-unknown", explanation=why)
        sure = self._rule_confidence("demonym", RULE_CONFIDENCE["demonym"])
        return Resolution(country, sure, rule="demonym", explanation=why)

    # -- hard rules ------------------------------------------------------------------------

    def _apply_hard_rules(
        self, text: str, queries: Sequence[PlaceQuery], groups: dict[str, MentionGroup]
    ) -> None:
        gaz = self.gazetteer
        by_member = {i: g for g in groups.values() for i in g.members}
        for g in groups.values():
            if not g.rows:
                continue
            places = [(r, gaz.place(r)) for r in g.rows]
            if g.landmark:
                self._settle(g, max(g.rows, key=lambda r: gaz.place(r).population), "landmark")
                continue
            hinted = (
                None if f"hint-{g.hint}" in self.options.rules_off else self._apply_hint(g, places)
            )
            if hinted is not None:
                places = hinted
            continents = [r for r, p in places if p.feature_code == "CONT"]
            if continents:
                self._settle(g, continents[0], "continent")
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
                    self._settle(g, best, "country")
        for i in range(len(queries)):
            member_of = by_member.get(i)
            # An explicit parent outranks the name's one candidate and a country's name
            # ("China, Texas", "Lebanon, Pa."), but not the other hard rules.
            if member_of is None or member_of.rule not in (None, "single", "country"):
                continue
            self._apply_parent(text, queries, i, member_of, by_member)
        for g in groups.values():
            if g.settled is None and len(g.rows) == 1:
                self._settle(g, g.rows[0], "single")

    def _apply_hint(
        self, g: MentionGroup, places: list[tuple[int, Place]]
    ) -> list[tuple[int, Place]] | None:
        """Keep the candidates of the kind the words around the name ask for, when there
        are any: a region ("Orange County", "Idlib province") or a city. When there are
        none, the other candidates stay, for the scores (whose `hint` feature still weighs
        the kind) to choose among: the words may belong to something else ("the Nenagh
        district", "a Grovetown home"). Cross-validated on the dev corpora against leaving
        a region's name unresolved (scripts/fit_ranker.py --ablate): better on both.
        """
        if g.hint == "region":
            keep = [(r, p) for r, p in places if p.feature_class == "A" and not is_country(p)]
            if keep:
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
        g: MentionGroup,
        by_member: dict[int, MentionGroup],
    ) -> None:
        """Restrict a mention to the candidates inside a parent named right next to it."""
        found = named_parent(self.gazetteer, text, queries, i, g, by_member)
        if found is None:
            return
        child_row, parent_row, parent_group = found
        self._settle(g, child_row, "parent")
        if self.options.explain:
            g.reason = f"named parent: {self.gazetteer.place(parent_row).name}"
        if parent_group is not None and (
            parent_group.settled is None or parent_group.rule == "single"
        ):
            self._settle(parent_group, parent_row, "parent")
            if self.options.explain:
                parent_group.reason = f"named as the parent of {queries[i].text}"

    def _settle(
        self, g: MentionGroup, row: int, rule: Rule, confidence: float | None = None
    ) -> None:
        """Place the group at a row by a rule, with the rule's confidence unless given."""
        if rule in self.options.rules_off:
            return
        g.settled = row
        if confidence is None:
            confidence = self._rule_confidence(rule, RULE_CONFIDENCE[rule])
        g.confidence = confidence
        g.rule = rule

    def _rule_confidence(self, key: str, default: float) -> float:
        """How often a rule's place lies within 161 km of the truth: as calibrated with
        the ranker, else the hand-set default."""
        return self.ranker.rule_confidence.get(key, default)

    # -- scoring -----------------------------------------------------------------------------

    def _score_rest(self, groups: dict[str, MentionGroup]) -> None:
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
        self._world_cities(groups)

    def _context(self, groups: Iterable[MentionGroup]) -> Context:
        context = Context.empty()
        for g in groups:
            context.add(self.gazetteer, g.settled, g.weight)
        return context

    def _world_cities(self, groups: dict[str, MentionGroup]) -> None:
        """A world city over its small namesakes, unless the story points to one.

        "Geneva" in a story about farmers in Iowa and Illinois, or about Syria, is Geneva,
        Switzerland, where the scores leave it to a town of the story's country or abstain.
        A namesake keeps the name when at least half of the story's other mentions lie in
        its first-level region ("Paris" in a story whose one other place is Dallas), or
        when the user's --prefer-country or --bbox leaves the world city out.
        """
        gaz = self.gazetteer
        context = self._context(groups.values())
        for g in groups.values():
            # A name found inside a longer one is a guess: never forced to a world city.
            if g.rule not in ("score", "abstain") or g.inner:
                continue
            city = world_city(gaz, g)
            if city is None or g.settled == city or not self._within_preferences(city):
                continue
            context.add(gaz, g.settled, -g.weight)
            if not any(r != city and story_in(context, gaz.place(r)) for r in g.rows):
                self._settle(g, city, "world-city")
            context.add(gaz, g.settled, +g.weight)

    def _within_preferences(self, row: int) -> bool:
        """Inside the user's preferred countries and bounding box, when given: a world
        city outside them is left to the scores, which weigh the preference."""
        p = self.gazetteer.place(row)
        opts = self.options
        if opts.prefer_countries and p.country_code not in opts.prefer_countries:
            return False
        return not opts.bbox or in_bbox(p, opts.bbox)

    def _local_towns(
        self,
        text: str,
        queries: Sequence[PlaceQuery],
        groups: dict[str, MentionGroup],
        named_countries: Counter[str],
    ) -> None:
        """A country's name read as a town of the region a local story is in.

        "Palestine" in a story about Anderson County, Texas is Palestine, Texas. Otherwise a
        country's name is the country, and the town wins only when the story is local to
        the town's first-level region: it names that region or a county of it, at least
        LOCAL_MENTIONS other mentions lie in the region, nothing lies in the country of the
        name (not even its demonym, "Chinese"), no other country than the town's is named,
        and the name is not listed with a country's ("the United States and China": a
        story about trade with China, however many Texas towns it names).
        """
        gaz = self.gazetteer
        context = self._context(groups.values())
        settled = [(g, gaz.place(g.settled)) for g in groups.values() if g.settled is not None]
        regions_named = {
            (p.country_code, p.admin1_code)
            for g, p in settled
            if g.weight and p.feature_code in REGION_CODES
        }
        by_member = {i: g for g in groups.values() for i in g.members}
        for g in groups.values():
            if g.rule != "country" or g.settled is None:
                continue
            country = gaz.place(g.settled).country_code
            if named_countries[country] or listed_with_country(text, queries, g, by_member, gaz):
                continue
            others = {
                p.country_code for h, p in settled if h is not g and h.weight and is_country(p)
            }
            context.add(gaz, g.settled, -g.weight)
            towns = [
                r
                for r in g.rows
                if (p := gaz.place(r)).feature_class == "P"
                and (p.country_code, p.admin1_code) in regions_named
                and context.admin1.get((p.country_code, p.admin1_code), 0.0) >= LOCAL_MENTIONS
                and others <= {p.country_code}
            ]
            if not context.countries.get(country, 0.0) and towns:
                best = max(towns, key=lambda r: gaz.place(r).population)
                self._settle(g, best, "local")
            context.add(gaz, g.settled, +g.weight)

    def _refine(self, groups: dict[str, MentionGroup]) -> None:
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

    def _decide(self, g: MentionGroup) -> None:
        """Settle a scored group on its best candidate, or abstain when that candidate
        scores too low or barely beats the next (the confidence is too low)."""
        top_score, top_row, _ = g.scored[0]
        confidence = self.confidence_of(g)
        if top_score >= self.abstain_below and confidence >= self.options.min_confidence:
            self._settle(g, top_row, "score", confidence)
        else:
            g.settled, g.confidence, g.rule = None, 0.0, "abstain"

    def confidence_of(self, g: MentionGroup) -> float:
        """The calibrated confidence of a scored group's best candidate."""
        return confidence([score for score, _, _ in g.scored], self.ranker)

    def _rank(self, g: MentionGroup, context: Context) -> list[Scored]:
        scored = [(*self.score_candidate(g, r, context), r) for r in g.rows]
        scored.sort(key=lambda t: (-t[0], t[2]))
        return [(s, r, f) for s, f, r in scored]

    def score_candidate(
        self, g: MentionGroup, row: int, context: Context
    ) -> tuple[float, Features]:
        """A candidate's score: the weighted sum of the features listed in WEIGHTS."""
        p = self.gazetteer.place(row)
        code = p.feature_code
        type_prior = TYPE_PRIOR.get(code, TYPE_PRIOR_DEFAULT.get(p.feature_class, 0.3))
        importance = self._importance(row, p)
        n = context.total
        country = context.countries.get(p.country_code, 0.0) / n if n else 0.0
        admin1 = context.admin1.get((p.country_code, p.admin1_code), 0.0) / n if n else 0.0
        distance = 0.0
        km = math.inf
        points = context.near()
        if points:
            # The nearest point by a flat approximation, then its great-circle distance.
            km = great_circle_km((p.lat, p.lon), nearest(p.lat, p.lon, points))
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
        features: Features = (
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
        if self.extended:
            town = 1.0 if p.feature_class == "P" else 0.0
            features += (
                # What kind of place it is, beyond the type prior's one ordering.
                ("is_country", 1.0 if is_country(p) else 0.0),
                ("is_region", 1.0 if code == "ADM1" else 0.0),
                ("is_county", 1.0 if code == "ADM2" else 0.0),
                ("is_capital", 1.0 if code == "PPLC" else 0.0),
                ("is_seat", 1.0 if code.startswith(("PPLA", "PPLG")) else 0.0),
                ("is_town", town),
                ("is_water", 1.0 if p.feature_class == "H" else 0.0),
                ("no_population", 0.0 if p.population else 1.0),
                ("near", math.exp(-km / 50.0)),
                # The story's context says more of a town than of a country or a region.
                ("town_in_country", town * country),
                ("town_in_region", town * admin1),
                ("town_near", town * distance),
                ("focus_country", 1.0 if p.country_code == context.focus() else 0.0),
                # Against the ranker's "none of them" (scored 0): how likely any one is.
                ("bias", 1.0),
            )
        weights = self.ranker.weights
        score = sum(weights.get(k, 0.0) * v for k, v in features)
        return score, features

    def _importance(self, row: int, p: Place) -> float:
        """Population on a log scale (10 million and more: 1). Seas, rivers, regions and
        landmarks have none; those on geotag's short hand-written list of places news
        names are well known by construction and count as a large city would."""
        if p.population:
            return min(1.0, math.log10(p.population + 1) / 7.0)
        if p.feature_class in "HLTSR" and self.gazetteer.is_curated(row):
            return CURATED_IMPORTANCE
        return 0.0

    def _region_or_city(self, g: MentionGroup, row: int, region: Place) -> float:
        """Penalty for a region that shares its name with a city or another place (the
        stated rule).

        A city inside that region and called by the name itself is what the region is named
        after (Idlib, Aleppo; for a county such as York, a city in the same first-level
        region): the city wins outright. One that only goes by the name as an alternate
        ("Oklahoma" for Oklahoma City) does not: a bare state's name means the state.
        Preferred, though the document's context can still choose the region:
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
            if (
                other.feature_class == "P"
                and other.country_code == region.country_code
                and other.admin1_code == region.admin1_code
                and normalize_name(other.name) == g.base
            ):
                return -1.0
            if other.feature_code == "PPLC" or self._importance(r, other) > importance:
                penalty = -0.5
        return penalty

    # -- output --------------------------------------------------------------------------

    def _resolution(self, g: MentionGroup) -> Resolution:
        gaz = self.gazetteer
        in_context = bool(g.scored)
        if not g.scored:
            g.scored = self._rank(g, Context.empty())
        alts = [Candidate(gaz.place(r), s, f) for s, r, f in g.scored if r != g.settled][
            : self.options.alternatives
        ]
        rule: Rule = g.rule or "no-candidate"
        why = None
        if self.options.explain:
            why = explain_group(
                gaz, g, in_context, self.abstain_below, self.options.min_confidence, self.ranker
            )
        if g.settled is None:
            return Resolution(None, 0.0, tuple(alts), rule=rule, explanation=why)
        # A name placed by a name inside it ("Manila Cathedral") lies within that place.
        within = rule == "within" or (g.inner and self.options.within)
        confidence = g.confidence
        if g.inner and within:
            # Placed at a name inside it: as sure as such places are found to be.
            confidence = self._rule_confidence("inner", min(g.confidence, WITHIN_NAMED))
        place = gaz.place(g.settled)
        return Resolution(place, confidence, tuple(alts), rule=rule, within=within, explanation=why)


def _margin(g: MentionGroup) -> float:
    top = g.scored[0][0]
    return top - (g.scored[1][0] if len(g.scored) > 1 else 0.0)
