"""From raw NER spans to a finished Document: labels, repairs, resolution, aggregation, focus.

Nothing here knows about spaCy: the input is the text and `(start, end, label)` spans, so
the same code serves the engine's pipeline, the spaCy component and tests with hand-made
spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..gazetteer import Gazetteer, normalize_name
from ..gazetteer.overrides import Overrides
from ..models import Document, Inside, Label, Mention, MentionKind, RawSpan, RecordId
from ..options import PipelineOptions
from .aggregate import aggregate, focus
from .corrections import apply_overrides, check_overrides, conditional_names
from .query import LABEL_CUES, PlaceQuery
from .ranker import Ranker
from .recognition import RecognitionModel
from .repair import repair_spans
from .resolver import Resolver
from .resolver_options import ResolverOptions
from .spans import PLACE_LABELS


@dataclass(frozen=True, slots=True)
class TagOptions:
    """How the tagger works: the options a user chose, and which names are places."""

    chosen: PipelineOptions = field(default_factory=PipelineOptions)
    # Which names are places; None: the shipped model.
    recognition: RecognitionModel | None = None
    # The user's corrections (the file `chosen.overrides` names, read by the caller),
    # applied before resolution.
    overrides: Overrides | None = None
    # The candidate ranker; None: the shipped one (scripts/fit_ranker.py passes others).
    ranker: Ranker | None = None

    @property
    def resolver(self) -> ResolverOptions:
        return ResolverOptions(
            prefer_countries=self.chosen.prefer_countries,
            bbox=self.chosen.bbox,
            # A name the gazetteer does not know is left to the online geocoder when one
            # will look it up, rather than placed at a place named inside it.
            inner_names=not self.chosen.keep_unknown_places,
            within=self.chosen.within and not self.chosen.keep_unknown_places,
            explain=self.chosen.explain,
            ranker=self.ranker,
        )


class Tagger:
    """Turns NER output into Documents; holds the gazetteer and the resolver."""

    def __init__(self, gazetteer: Gazetteer, options: TagOptions | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options if options is not None else TagOptions()
        self.resolver = Resolver(gazetteer, self.options.resolver)
        if self.options.overrides is not None:
            check_overrides(self.options.overrides, gazetteer)

    def tag(
        self,
        text: str,
        spans: Iterable[RawSpan],
        *,
        source: str | None = None,
        id: RecordId | None = None,
        given_places: bool = False,
    ) -> Document:
        """Tag a text whose recogniser spans are `spans`. With `given_places` the place
        spans are taken as given (gold spans, to measure resolution alone)."""
        labelled = self.label(text, spans, given_places=given_places)
        rules = self.options.overrides
        if rules is None:
            mentions = self.resolve(text, labelled)
        else:
            explain = self.options.chosen.explain
            pinned = apply_overrides(labelled, rules, self.gazetteer, None, explain=explain)
            mentions = self.resolve(text, pinned)
            # A rule that holds only in stories about one country is applied once the
            # story's countries are known without the names it could change.
            names = conditional_names(rules, labelled)
            if names:
                others = [m for m in mentions if m.text not in names]
                top = focus(others, self.gazetteer).countries[:1]
                countries = [c.place.country_code for c in top]
                pinned = apply_overrides(
                    labelled, rules, self.gazetteer, countries, explain=explain
                )
                mentions = self.resolve(text, pinned)
        people, organizations, places = aggregate(mentions)
        return Document(
            source=source,
            id=id,
            mentions=tuple(mentions),
            people=people,
            organizations=organizations,
            places=places,
            focus=focus(mentions, self.gazetteer),
            text=text,
        )

    # -- labels --------------------------------------------------------------------------

    def label(
        self, text: str, spans: Iterable[RawSpan], *, given_places: bool = False
    ) -> list[Mention]:
        """Repair the NER spans, then map their labels to PERSON / ORG / PLACE / DEMONYM.

        A demonym used as an adjective ("Syrian troops") is a PLACE of kind demonym, as
        GeoWebNews counts it; a word for the people ("Syrians", "a Turk") is a DEMONYM:
        linked to its country, but not a place name. Other labels (dates...) are dropped.
        """
        out: list[Mention] = []
        repaired = repair_spans(
            text,
            spans,
            self.gazetteer,
            self.options.recognition,
            keep_unknown=self.options.chosen.keep_unknown_places,
            given_places=given_places,
        )
        for start, end, ner_label in repaired.spans:
            surface = text[start:end]
            label: Label
            kind: MentionKind | None = None
            if ner_label == "PERSON":
                label = "PERSON"
            elif ner_label == "ORG":
                if self._is_landmark(surface):
                    label, kind = "PLACE", "toponym"
                else:
                    label = "ORG"
            elif ner_label in PLACE_LABELS:
                label, kind = "PLACE", "toponym"
            else:  # NORP
                if not self.options.chosen.demonyms or self.gazetteer.demonym(surface) is None:
                    continue
                people = self.gazetteer.demonym_names_people(surface)
                label, kind = ("DEMONYM" if people else "PLACE"), "demonym"
            out.append(Mention(start, end, surface, label, ner_label, kind))
        if self.options.chosen.embedded_places:
            out.extend(_embedded_mentions(text, repaired.embedded, repaired.spans))
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def _is_landmark(self, surface: str) -> bool:
        """An organisation's name that is a landmark's: a hand-written seat of power, or
        (full GeoNames) an airport, stadium or palace, not any hotel or bank so named."""
        gaz = self.gazetteer
        return any(
            gaz.feature_of(r)[0] in "SR"
            and (not gaz.needs_cue(r) or gaz.feature_of(r)[1].startswith(LABEL_CUES["ORG"]))
            for r in gaz.lookup(surface)
        )

    # -- resolution ----------------------------------------------------------------------

    def resolve(self, text: str, mentions: Sequence[Mention]) -> list[Mention]:
        # A mention already resolved (pinned by a user's override) is not asked again.
        places = [
            i
            for i, m in enumerate(mentions)
            if m.label in ("PLACE", "DEMONYM") and m.resolution is None
        ]
        queries = [
            PlaceQuery(
                start=mentions[i].start,
                end=mentions[i].end,
                text=mentions[i].text,
                ner_label=mentions[i].ner_label,
                kind=mentions[i].kind or "toponym",
                landmark=mentions[i].ner_label == "ORG" and not mentions[i].embedded,
            )
            for i in places
        ]
        resolutions = self.resolver.resolve(text, queries)
        out = list(mentions)
        for i, res in zip(places, resolutions, strict=True):
            m = mentions[i]
            if res.place is None:
                key = f"text:{normalize_name(m.text)}"
            elif res.within:
                # Not the place itself: its own entity, not one more mention of the town.
                key = f"within:{normalize_name(m.text)}|{res.place.key}"
            else:
                key = res.place.key
            out[i] = replace(m, resolution=res, key=key)
        for i, m in enumerate(out):
            if m.label not in ("PLACE", "DEMONYM") and not m.key:
                out[i] = replace(m, key=normalize_name(m.text) or m.text.lower())
        return out


def _embedded_mentions(
    text: str, embedded: Iterable[RawSpan], spans: Sequence[RawSpan]
) -> Iterable[Mention]:
    """The places named inside organisation names, each linked to the mention it lies in
    (the shortest span that holds it; one whose organisation span did not survive the
    repairs is not reported)."""
    for start, end, inner in embedded:
        kind: MentionKind = "demonym" if inner == "NORP" else "toponym"
        holders = [(e - s, s, e) for s, e, _ in spans if s <= start and end <= e]
        if holders:
            _, s, e = min(holders)
            inside = Inside(s, e, text[s:e])
            yield Mention(start, end, text[start:end], "PLACE", "ORG", kind, inside=inside)
