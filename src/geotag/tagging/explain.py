"""Explanations (`--explain`): a resolved mention's candidates, their scores and the
rule that decided, said in words. Built only when asked for, from what the resolver has
already computed, so a run without `--explain` does none of this work."""

from __future__ import annotations

from ..gazetteer import Gazetteer
from ..models import Candidate, Explanation, Place
from .candidates import MentionGroup, Scored
from .ranker import RANKER, Ranker
from .scoring import confidence, weighted_parts

# Candidates an explanation lists, best first (`considered` counts them all).
EXPLAINED_CANDIDATES = 8
# The weighted features a scored decision is summed up by.
TOP_FEATURES = 3

# What each rule that needs no detail says.
_RULE_REASONS = {
    "demonym-unknown": "a demonym the gazetteer has no country for",
    "landmark": "a seat of power named as an organisation",
    "continent": "a continent named exactly",
    "country": "a country named exactly",
    "single": "the name's only candidate",
    "world-city": "a world city over its small namesakes: the story is not local to one",
    "no-candidate": "no gazetteer entry for the name",
    "home": "a town or county of the story's home region (its dateline and sure places)",
    "within": "no gazetteer entry: placed within the place it lies in (named with it, "
    "the dateline's or the focus city), an approximation",
}


def explain_group(
    gazetteer: Gazetteer,
    g: MentionGroup,
    in_context: bool,
    abstain_below: float,
    min_confidence: float,
    ranker: Ranker = RANKER,
) -> Explanation:
    """Why a group of mentions got its place (or none): its rule, in words, and its
    candidates as scored last: against the story's other places (`in_context`), or, when
    a hard rule settled the group before any scoring, as for the name alone."""
    rule = g.rule or "no-candidate"
    candidates = tuple(
        Candidate(gazetteer.place(r), s, f) for s, r, f in g.scored[:EXPLAINED_CANDIDATES]
    )
    settled = gazetteer.place(g.settled) if g.settled is not None else None
    reason = _reason(gazetteer, rule, g, settled, abstain_below, min_confidence, ranker)
    return Explanation(rule, reason, candidates, len(g.rows), in_context)


def explain_demonym(country: Place | None) -> Explanation:
    if country is None:
        return Explanation("demonym-unknown", _RULE_REASONS["demonym-unknown"])
    return Explanation("demonym", f"a demonym of {country.name}")


def explain_override(origin: str) -> Explanation:
    return Explanation("override", f"user override ({origin})")


def top_features(
    gazetteer: Gazetteer, scored: Scored, count: int = TOP_FEATURES, ranker: Ranker = RANKER
) -> str:
    """ "story's country US +1.30, type PPLA2 +1.00, population +0.98": a candidate's
    largest weighted features, each said of that candidate."""
    _, row, features = scored
    place = gazetteer.place(row)
    parts = weighted_parts(features, ranker.weights)
    return (
        ", ".join(f"{_feature_words(k, place)} {w:+.2f}" for w, k in parts[:count]) or "no feature"
    )


def _feature_words(name: str, place: Place) -> str:
    """A score's feature as it applies to one place."""
    if name == "type":
        return f"type {place.feature_code}"
    if name == "importance":
        return "population" if place.population else "well known (curated)"
    if name == "country":
        return f"story's country {place.country_code}"
    if name == "admin1":
        return f"story's region {place.admin1 or place.admin1_code}"
    return _FEATURE_WORDS.get(name, name)


_FEATURE_WORDS = {
    "distance": "near the story's places",
    "name": "name match",
    "label": "NER label fits",
    "hint": "type word",
    "preference": "your preference",
}


def _reason(
    gazetteer: Gazetteer,
    rule: str,
    g: MentionGroup,
    settled: Place | None,
    abstain_below: float,
    min_confidence: float,
    ranker: Ranker,
) -> str:
    if rule == "single" and g.hint:
        # The words around the name asked for a kind of place, and one of that kind is left.
        return f"the name's only candidate of the kind the text names ({g.hint})"
    if rule in _RULE_REASONS:
        return _RULE_REASONS[rule]
    if rule == "parent":
        return g.reason or "a parent named next to it"
    if rule == "local" and settled is not None:
        return f"a town of the story's region: {settled.admin1 or settled.country}"
    if rule == "score" and g.scored:
        best = top_features(gazetteer, g.scored[0], ranker=ranker)
        return f"scored best ({g.scored[0][0]:.2f}): {best}"
    if rule == "abstain" and g.scored:
        top = g.scored[0][0]
        if top < abstain_below:
            return f"abstained: the best score, {top:.2f}, is below {abstain_below:.2f}"
        share = confidence([s for s, _, _ in g.scored], ranker)
        return (
            f"abstained: the best candidate's confidence, {share:.2f}, is below "
            f"{min_confidence:.2f} (candidates too close)"
        )
    return rule
