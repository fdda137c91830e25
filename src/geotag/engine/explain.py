"""The two questions a user asks of the resolver and of a corrections file, answered with
the real pipeline: why does this name go where it goes in this context
(`geotag gazetteer explain`), and which of my rules fire on this text
(`geotag gazetteer check-overrides`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from ..gazetteer.overrides import Override, Overrides
from ..models import Document, Mention, RawSpan
from ..tagging.tagger import Tagger
from .model import spans_of
from .pipeline import Pipeline


def explain_name(
    pipeline: Pipeline, name: str, context: str = ""
) -> tuple[Document, list[Mention]]:
    """The document NAME makes in CONTEXT, explained, and NAME's mentions in it.

    NAME is a place mention wherever it occurs in the context as a whole word (added after
    the context when it does not occur), whatever the recogniser says of it there; the
    context's other places are found as in any run and are the evidence NAME is scored
    against. The pipeline explains whatever its options say.
    """
    if not _occurrences(name, context):
        context = f"{context.rstrip()}\n\n{name}" if context.strip() else name
    occurrences = _occurrences(name, context)
    found = spans_of(pipeline.nlp(context))
    spans: list[RawSpan] = [
        s for s in found if not any(s[0] < end and start < s[1] for start, end in occurrences)
    ]
    spans += [(start, end, "GPE") for start, end in occurrences]
    doc = pipeline.tagger.tag(context, sorted(spans), given_places=True)
    mentions = [m for m in doc.mentions if m.text == name and m.label in ("PLACE", "DEMONYM")]
    return doc, mentions


def _occurrences(name: str, text: str) -> list[tuple[int, int]]:
    if not name.strip():
        return []
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


@dataclass(frozen=True, slots=True)
class RuleCheck:
    """What one rule of a corrections file does to a text: how many mentions it changed,
    and in words what it did or why it did nothing."""

    rule: Override
    fired: int
    outcome: str

    def to_dict(self) -> dict[str, object]:
        return {**self.rule.to_dict(), "fired": self.fired, "outcome": self.outcome}


def check_rules(pipeline: Pipeline | None, rules: Overrides, text: str | None) -> list[RuleCheck]:
    """Each rule of `rules` and what it does to `text`, tagged by `pipeline` with those
    rules and without any (no text: the rules are only listed)."""
    if pipeline is None or text is None:
        return [RuleCheck(r, 0, "valid") for r in rules.rules]
    tagger = pipeline.tagger
    spans = spans_of(pipeline.nlp(text))
    plain = Tagger(tagger.gazetteer, replace(tagger.options, overrides=None)).tag(text, spans)
    fixed = Tagger(tagger.gazetteer, replace(tagger.options, overrides=rules)).tag(text, spans)
    top = fixed.focus.countries[:1]
    country = top[0].place.country_code if top else None
    out = []
    for rule in rules.rules:
        first = rules.for_name(rule.name)
        named = [m for m in plain.mentions if m.text == rule.name and not m.embedded]
        if first is not rule and first is not None:
            out.append(RuleCheck(rule, 0, f"never applies: {first.origin} names it first"))
        elif not named:
            out.append(RuleCheck(rule, 0, "matches nothing in the text"))
        elif rule.kind == "not_place":
            before = _places_named(plain, rule.name)
            dropped = before - _places_named(fixed, rule.name)
            if dropped:
                out.append(RuleCheck(rule, dropped, f"{dropped} mention(s) no longer a place"))
            else:
                out.append(RuleCheck(rule, 0, _idle(rule, country, "no place mention to drop")))
        else:
            pinned = sum(
                1
                for m in fixed.mentions
                if m.text == rule.name
                and m.resolution is not None
                and m.resolution.rule == "override"
            )
            if pinned:
                place = next(
                    m.resolution.place
                    for m in fixed.mentions
                    if m.text == rule.name and m.resolution is not None and m.resolution.place
                )
                out.append(RuleCheck(rule, pinned, f"{pinned} mention(s) placed at {place.label}"))
            else:
                out.append(RuleCheck(rule, 0, _idle(rule, country, "nothing pinned")))
    return out


def _places_named(doc: Document, name: str) -> int:
    return sum(1 for m in doc.mentions if m.text == name and m.label in ("PLACE", "DEMONYM"))


def _idle(rule: Override, country: str | None, otherwise: str) -> str:
    if rule.country_context is not None and rule.country_context != country:
        return (
            f"named, but the story's country is {country or 'unknown'}, not {rule.country_context}"
        )
    return otherwise
