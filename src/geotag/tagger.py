"""From raw NER spans to a finished Document: labels, repairs, resolution, aggregation, focus.

Nothing here knows about spaCy: the input is the text and `(start, end, label)` spans, so
the same code serves the CLI pipeline, the spaCy component and tests with hand-made spans.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .gazetteer import Gazetteer, normalize_name
from .models import Document, Entity, Focus, FocusItem, Kind, Label, Mention, Place, Resolution
from .repair import PLACE_LABELS, RawSpan, embedded_places, repair_spans
from .resolver import PlaceQuery, Resolver, ResolverOptions


@dataclass(frozen=True, slots=True)
class TagOptions:
    """What a user can change about tagging (the CLI's flags map onto these)."""

    demonyms: bool = True
    resolver: ResolverOptions = field(default_factory=ResolverOptions)


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
        id: str | None = None,
    ) -> Document:
        mentions = self.label(text, spans)
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

    def label(self, text: str, spans: Iterable[RawSpan]) -> list[Mention]:
        """Repair the NER spans, then map their labels to PERSON / ORG / PLACE / DEMONYM.

        A demonym used as an adjective ("Syrian troops") is a PLACE of kind demonym, as
        GeoWebNews counts it; a word for the people ("Syrians", "a Turk") is a DEMONYM:
        linked to its country, but not a place name. Other labels (dates...) are dropped.
        """
        out: list[Mention] = []
        repaired = repair_spans(text, spans, self.gazetteer)
        inner = embedded_places(text, repaired, self.gazetteer)
        for start, end, ner_label in repaired:
            surface = text[start:end]
            label: Label
            kind: Kind | None = None
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
                if not self.options.demonyms or self.gazetteer.demonym(surface) is None:
                    continue
                people = self.gazetteer.demonym_names_people(surface)
                label, kind = ("DEMONYM" if people else "PLACE"), "demonym"
            out.append(Mention(start, end, surface, label, ner_label, kind))
        for start, end, _ in inner:
            out.append(
                Mention(start, end, text[start:end], "PLACE", "ORG", "toponym", embedded=True)
            )
        out.sort(key=lambda m: (m.start, -m.end))
        return out

    def _is_landmark(self, surface: str) -> bool:
        return any(
            self.gazetteer.place(r).feature_class in "SR" for r in self.gazetteer.lookup(surface)
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
        for i, res in zip(places, resolutions, strict=True):
            m = mentions[i]
            out[i] = replace(m, resolution=res, key=_place_key(m, res))
        for i, m in enumerate(out):
            if m.label not in ("PLACE", "DEMONYM"):
                out[i] = replace(m, key=normalize_name(m.text) or m.text.lower())
        return out


def _place_key(m: Mention, res: Resolution) -> str:
    if res.place is not None:
        p = res.place
        return f"gn:{p.geonameid}" if p.geonameid is not None else f"name:{p.name}|{p.country_code}"
    return f"text:{normalize_name(m.text)}"


# -- aggregation ---------------------------------------------------------------------------


def aggregate(
    mentions: Sequence[Mention],
) -> tuple[tuple[Entity, ...], tuple[Entity, ...], tuple[Entity, ...]]:
    """Gather mentions into people, organisations and places, most mentioned first."""
    people = _people(m for m in mentions if m.label == "PERSON")
    orgs = _gather(m for m in mentions if m.label == "ORG")
    places = _gather(m for m in mentions if m.label in ("PLACE", "DEMONYM"))
    return people, orgs, places


def _gather(
    mentions: Iterable[Mention], key_of: dict[str, str] | None = None
) -> tuple[Entity, ...]:
    groups: dict[str, list[Mention]] = {}
    for m in mentions:
        key = key_of.get(m.key, m.key) if key_of else m.key
        groups.setdefault(key, []).append(m)
    entities = []
    for order, (_, ms) in enumerate(groups.items()):
        forms = Counter(m.text for m in ms)
        longest = max(forms, key=lambda f: (len(f.split()), forms[f], len(f)))
        first = ms[0]
        res = next((m.resolution for m in ms if m.resolution and m.resolution.place), None)
        if res is None:
            res = first.resolution
        kind = first.kind
        is_place = first.label in ("PLACE", "DEMONYM")
        if is_place and any(m.kind == "toponym" for m in ms):
            kind = "toponym"
        role = None
        if is_place:
            literal = any(m.resolution is None or m.resolution.role == "literal" for m in ms)
            role = "literal" if literal else "metonym"
        name = longest if first.label == "PERSON" else forms.most_common(1)[0][0]
        if is_place and kind == "toponym":
            name = next(m.text for m in ms if m.kind == "toponym")
        entities.append(
            (
                -len(ms),
                order,
                Entity(
                    name=name,
                    label="PLACE" if is_place else first.label,
                    mentions=len(ms),
                    forms=tuple(sorted(forms, key=lambda f: (-forms[f], f))),
                    kind=kind,
                    role=role,  # type: ignore[arg-type]
                    resolution=res,
                ),
            )
        )
    entities.sort(key=lambda t: (t[0], t[1]))
    return tuple(e for _, _, e in entities)


def _people(mentions: Iterable[Mention]) -> tuple[Entity, ...]:
    """People, with a bare surname ("Peskov") counted under the full name that has it."""
    ms = list(mentions)
    full_names: dict[str, str] = {}
    for m in ms:
        words = m.key.split()
        if len(words) > 1:
            full_names.setdefault(words[-1], m.key)
    alias = {}
    for m in ms:
        words = m.key.split()
        if len(words) == 1 and words[0] in full_names:
            alias[m.key] = full_names[words[0]]
    return _gather(ms, alias)


# -- focus ---------------------------------------------------------------------------------

# Demonyms and places inside organisation names say less about where a story is.
WEAK_WEIGHT = 0.5


def focus(mentions: Sequence[Mention], gazetteer: Gazetteer, top: int = 3) -> Focus:
    """The countries, regions and cities a document is about.

    Each resolved place mention counts for itself and is passed up to its region and its
    country; demonyms and places inside organisation names count half. A score is the
    share of all the weight at its level.
    """
    countries: _Tally = {}
    regions: _Tally = {}
    cities: _Tally = {}
    for m in mentions:
        res = m.resolution
        if m.label not in ("PLACE", "DEMONYM") or res is None or res.place is None:
            continue
        p = res.place
        weight = WEAK_WEIGHT if m.kind == "demonym" or m.embedded else 1.0
        country = gazetteer.country_row(p.country_code) if p.country_code else None
        if country is not None:
            _credit(countries, country, weight)
        region = gazetteer.admin1_row(p.country_code, p.admin1_code) if p.admin1_code else None
        if region is not None:
            _credit(regions, region, weight)
        if p.feature_class == "P":
            _credit(cities, p, weight)
    return Focus(
        countries=_top(countries, gazetteer, top),
        regions=_top(regions, gazetteer, top),
        cities=_top(cities, gazetteer, top),
    )


_Tally = dict[int | Place, list[float]]


def _credit(tally: _Tally, key: int | Place, weight: float) -> None:
    entry = tally.setdefault(key, [0.0, 0.0])
    entry[0] += weight
    entry[1] += 1


def _top(tally: _Tally, gazetteer: Gazetteer, top: int) -> tuple[FocusItem, ...]:
    total = sum(w for w, _ in tally.values()) or 1.0
    ranked = sorted(tally.items(), key=lambda kv: -kv[1][0])[:top]
    return tuple(
        FocusItem(key if isinstance(key, Place) else gazetteer.place(key), w / total, int(n))
        for key, (w, n) in ranked
    )
