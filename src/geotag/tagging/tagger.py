"""From raw NER spans to a finished Document: labels, repairs, resolution, aggregation, focus.

Nothing here knows about spaCy: the input is the text and `(start, end, label)` spans, so
the same code serves the engine's pipeline, the spaCy component and tests with hand-made
spans.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from ..gazetteer import Gazetteer, normalize_name
from ..models import Document, Label, Mention, MentionKind, RawSpan, RecordId
from ..options import PipelineOptions
from .aggregate import aggregate, focus
from .query import LABEL_CUES, PlaceQuery
from .recognition import RecognitionModel
from .repair import repair_spans
from .resolver import Resolver, ResolverOptions
from .spans import PLACE_LABELS


@dataclass(frozen=True, slots=True)
class TagOptions:
    """How the tagger works: the options a user chose, and which names are places."""

    chosen: PipelineOptions = field(default_factory=PipelineOptions)
    # Which names are places; None: the shipped model.
    recognition: RecognitionModel | None = None

    @property
    def resolver(self) -> ResolverOptions:
        return ResolverOptions(
            prefer_countries=self.chosen.prefer_countries,
            bbox=self.chosen.bbox,
            # A name the gazetteer does not know is left to the online geocoder when one
            # will look it up, rather than placed at a place named inside it.
            inner_names=not self.chosen.keep_unknown_places,
        )


class Tagger:
    """Turns NER output into Documents; holds the gazetteer and the resolver."""

    def __init__(self, gazetteer: Gazetteer, options: TagOptions | None = None) -> None:
        self.gazetteer = gazetteer
        self.options = options or TagOptions()
        self.resolver = Resolver(gazetteer, self.options.resolver)

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
        mentions = self.label(text, spans, given_places=given_places)
        mentions = self.resolve(text, mentions)
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
        # A story names the same organisations and peoples again and again: each surface
        # form is looked up once per story.
        landmarks: dict[str, bool] = {}
        demonyms: dict[str, bool | None] = {}
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
                landmark = landmarks.get(surface)
                if landmark is None:
                    landmark = landmarks[surface] = self._is_landmark(surface)
                if landmark:
                    label, kind = "PLACE", "toponym"
                else:
                    label = "ORG"
            elif ner_label in PLACE_LABELS:
                label, kind = "PLACE", "toponym"
            else:  # NORP
                if not self.options.chosen.demonyms:
                    continue
                if surface not in demonyms:
                    demonyms[surface] = self._demonym_names_people(surface)
                people = demonyms[surface]
                if people is None:
                    continue
                label, kind = ("DEMONYM" if people else "PLACE"), "demonym"
            out.append(Mention(start, end, surface, label, ner_label, kind))
        for start, end, inner in repaired.embedded:
            inner_kind: MentionKind = "demonym" if inner == "NORP" else "toponym"
            out.append(
                Mention(start, end, text[start:end], "PLACE", "ORG", inner_kind, embedded=True)
            )
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def _demonym_names_people(self, surface: str) -> bool | None:
        """Whether a demonym names the people ("Syrians") rather than qualifies
        ("Syrian troops"); None when the surface is no demonym the gazetteer knows."""
        if self.gazetteer.demonym(surface) is None:
            return None
        return self.gazetteer.demonym_names_people(surface)

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
        places = [i for i, m in enumerate(mentions) if m.label in ("PLACE", "DEMONYM")]
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
        names: dict[str, str] = {}  # surface -> normalised, once per story
        for i, res in zip(places, resolutions, strict=True):
            m = mentions[i]
            if res.place is not None:
                key = res.place.key
            else:
                name = names.get(m.text)
                if name is None:
                    name = names[m.text] = normalize_name(m.text)
                key = f"text:{name}"
            out[i] = replace(m, resolution=res, key=key)
        for i, m in enumerate(out):
            if m.label not in ("PLACE", "DEMONYM"):
                name = names.get(m.text)
                if name is None:
                    name = names[m.text] = normalize_name(m.text)
                out[i] = replace(m, key=name or m.text.lower())
        return out
