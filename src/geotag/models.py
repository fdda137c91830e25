"""Plain, frozen result types passed between geotag's layers; no spaCy, no I/O.

Three things are called "source" in geotag's output and are kept apart here: a document's
`source` is where its text came from (a path, '-' for stdin, `FILE:LINE`); a place's
`provider` (written as the `source` key of the JSON `place` object) says who resolved it
(the gazetteer, or the opt-in online geocoder); and the gazetteer CSV's `source` column, its
rows' provenance, is read only by `geotag.gazetteer`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

Label = Literal["PERSON", "ORG", "PLACE", "DEMONYM"]
# A place mention's kind: a place's name, or a word for its people ("Syrian").
MentionKind = Literal["toponym", "demonym"]
# How a place is used: for itself, or for its government ("the Kremlin said").
Role = Literal["literal", "metonym"]
# A mention's role in the output: also "embedded" for a place inside an organisation's name.
MentionRole = Literal["literal", "metonym", "embedded"]
# An entity span as a recogniser reports it: (start, end, label), offsets into the text.
RawSpan = tuple[int, int, str]
# Where a layer sends a warning it does not decide how to show (the CLI prints it).
Warn = Callable[[str], None]
# A record's id as its input gave it: any JSON value but null (7 stays 7, true stays true).
RecordId = str | int | float | bool | list[Any] | dict[str, Any]
# west, south, east, north, in degrees
BBox = tuple[float, float, float, float]


def bbox_of(values: Sequence[float] | None) -> BBox | None:
    """A bounding box from four numbers in degrees: west, south, east, north (west may be
    east of east: a box across the antimeridian). ValueError naming what is wrong."""
    if values is None:
        return None
    if len(values) != 4:
        raise ValueError("bbox must be four numbers: west, south, east, north")
    west, south, east, north = values
    for side, value, limit, kind in (
        ("west", west, 180, "longitude"),
        ("south", south, 90, "latitude"),
        ("east", east, 180, "longitude"),
        ("north", north, 90, "latitude"),
    ):
        # `not <=` also catches NaN, which compares false with everything.
        if not -limit <= value <= limit:
            raise ValueError(f"{side} {value:g} is not a {kind} (-{limit} to {limit})")
    if south > north:
        raise ValueError(f"south {south:g} is north of north {north:g}")
    return (west, south, east, north)


def country_codes(codes: Iterable[str]) -> tuple[str, ...]:
    """ISO country codes as geotag compares them: stripped, upper case."""
    return tuple(c.strip().upper() for c in codes)


def ignore_warning(_message: str) -> None:
    """A Warn that drops the message (library callers that want no warnings)."""


def id_text(value: RecordId) -> str:
    """A record id as text for people and for text formats: a string as it is, any other
    value as its JSON (`7`, `true`, `{"k":[1]}`)."""
    if isinstance(value, str):
        return value
    import json

    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Article:
    """One input text and where it came from (a path, '-' for stdin, or a record id)."""

    text: str
    source: str | None = None
    id: RecordId | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be read or processed; reported, never fatal to a batch.
    `id` is the record's id when it is known (a JSON Lines record that could not be tagged)."""

    source: str
    error: str
    id: RecordId | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {} if self.id is None else {"id": self.id}
        out["source"] = self.source
        out["error"] = self.error
        return out


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry: a real place with coordinates."""

    geonameid: int | None
    name: str
    lat: float
    lon: float
    feature_class: str
    feature_code: str
    country_code: str
    country: str
    admin1_code: str
    admin1: str
    population: int
    provider: str = "gazetteer"

    @property
    def key(self) -> str:
        """Identity of a place across mentions and documents: its GeoNames id, else its
        name, country and point (hand-written rows and online answers have no id)."""
        if self.geonameid is not None:
            return f"gn:{self.geonameid}"
        return f"name:{self.name}|{self.country_code}|{self.lat:.4f}|{self.lon:.4f}"

    @property
    def label(self) -> str:
        """ "Idlib, Idlib, Syria": the name with its region and country, without repeats."""
        return ", ".join(dict.fromkeys(x for x in (self.name, self.admin1, self.country) if x))

    def to_dict(self, keys: Sequence[str] | None = None) -> dict[str, Any]:
        """The place's JSON object (an empty country or region is null); with `keys`, only
        those of its keys, in that order: a place summed up inside another object."""
        out = {
            "geonameid": self.geonameid,
            "name": self.name,
            "lat": self.lat,
            "lon": self.lon,
            "feature_class": self.feature_class,
            "feature_code": self.feature_code,
            "country_code": self.country_code or None,
            "country": self.country or None,
            "admin1": self.admin1 or None,
            "population": self.population,
            "source": self.provider,
        }
        return out if keys is None else {key: out[key] for key in keys}


# The place's keys in each object that sums a place up, in the JSON's order.
_CANDIDATE_KEYS = ("geonameid", "name", "feature_code", "country_code", "admin1", "lat", "lon")
_EXPLAINED_KEYS = ("geonameid", "name", "country_code", "admin1", "feature_code", "population")
_WITHIN_KEYS = ("geonameid", "name", "country_code", "admin1")
_FOCUS_KEYS = ("geonameid", "name", "country_code", "lat", "lon")


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a mention could refer to, with the resolver's score and its parts."""

    place: Place
    score: float
    features: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out = self.place.to_dict(_CANDIDATE_KEYS)
        out["score"] = round(self.score, 4)
        return out


@dataclass(frozen=True, slots=True)
class Explanation:
    """Why a place mention was resolved as it was (`--explain`): the rule that decided,
    that decision in words ("named parent: Texas", "user override (fixes.toml:4)"), and
    the candidates considered, best first, each with its score and the score's features.
    `considered` counts them all; `candidates` keeps the first few. `in_context`: scored
    against the story's other places (False: a hard rule settled the mention before any
    scoring, and the scores are those of the name alone)."""

    rule: str
    reason: str
    candidates: tuple[Candidate, ...] = ()
    considered: int = 0
    in_context: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "reason": self.reason,
            "considered": self.considered,
            "in_context": self.in_context,
            "candidates": [
                {
                    **c.place.to_dict(_EXPLAINED_KEYS),
                    "score": round(c.score, 4),
                    "features": {k: round(v, 4) for k, v in c.features},
                }
                for c in self.candidates
            ],
        }


@dataclass(frozen=True, slots=True)
class Resolution:
    """The resolver's answer for one place mention.

    `place` is None when nothing matched or the best candidate scored below the
    abstention threshold; `alternatives` then still lists the best candidates.
    """

    place: Place | None
    confidence: float
    alternatives: tuple[Candidate, ...] = ()
    role: Role = "literal"
    rule: str = ""
    # The mention is not `place` itself but lies within it ("Royal Street" in New
    # Orleans): `place` is an approximation, and the output says so.
    within: bool = False
    # Set only when an explanation was asked for (`--explain`).
    explanation: Explanation | None = None


@dataclass(frozen=True, slots=True)
class Inside:
    """The organisation mention a place is named inside ("Texas" in "University of
    Texas"): its offsets into the document's text and its text."""

    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention; `text == document_text[start:end]` always holds."""

    start: int
    end: int
    text: str
    label: Label
    ner_label: str
    kind: MentionKind | None = None
    resolution: Resolution | None = None
    key: str = ""
    # For a place named inside an organisation's name: that organisation's mention.
    inside: Inside | None = None

    @property
    def embedded(self) -> bool:
        """A place named inside an organisation's name, not a place mention of its own."""
        return self.inside is not None

    @property
    def role(self) -> MentionRole:
        if self.embedded:
            return "embedded"
        return self.resolution.role if self.resolution else "literal"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "label": self.label,
            "ner_label": self.ner_label,
        }
        if self.label in ("PLACE", "DEMONYM"):
            res = self.resolution
            out["kind"] = self.kind or "toponym"
            out["role"] = self.role
            if self.inside is not None:
                out["inside"] = self.inside.to_dict()
            out["place"] = place_dict(res)
            out["alternatives"] = [c.to_dict() for c in res.alternatives] if res else []
            if res is not None and res.explanation is not None:
                out["explain"] = res.explanation.to_dict()
        return out


def place_dict(res: Resolution | None) -> dict[str, Any] | None:
    """The `place` object of the JSON schema: the place plus the confidence; for a
    mention that lies within the place (`Resolution.within`), also `precision: "within"`
    and the container's name and id under `within`."""
    if res is None or res.place is None:
        return None
    out = res.place.to_dict()
    out["confidence"] = round(res.confidence, 4)
    if res.within:
        out["precision"] = "within"
        out["within"] = res.place.to_dict(_WITHIN_KEYS)
    return out


@dataclass(frozen=True, slots=True)
class Entity:
    """Mentions of one thing gathered under one name (one row of the tables)."""

    name: str
    label: Label
    mentions: int
    forms: tuple[str, ...] = ()
    kind: MentionKind | None = None
    # A place's: `embedded` when it is named only inside organisation names.
    role: MentionRole | None = None
    resolution: Resolution | None = None
    # A place's: the organisations it is named inside, as written, first seen first.
    inside: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "mentions": self.mentions}
        if len(self.forms) > 1 or (self.forms and self.forms[0] != self.name):
            out["forms"] = list(self.forms)
        if self.label == "PLACE":
            out["kind"] = self.kind or "toponym"
            out["role"] = self.role or "literal"
            if self.inside:
                out["inside"] = list(self.inside)
            out["place"] = place_dict(self.resolution)
        return out


@dataclass(frozen=True, slots=True)
class FocusItem:
    """A place the document is about, with a share of the document's attention."""

    place: Place
    score: float
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        out = self.place.to_dict(_FOCUS_KEYS)
        out["score"] = round(self.score, 4)
        out["mentions"] = self.mentions
        return out


@dataclass(frozen=True, slots=True)
class Focus:
    countries: tuple[FocusItem, ...] = ()
    regions: tuple[FocusItem, ...] = ()
    cities: tuple[FocusItem, ...] = ()

    def levels(self) -> tuple[tuple[str, tuple[FocusItem, ...]], ...]:
        """(name, items) for each level, countries first, as the JSON keys name them."""
        return (("countries", self.countries), ("regions", self.regions), ("cities", self.cities))

    def to_dict(self) -> dict[str, Any]:
        return {level: [f.to_dict() for f in items] for level, items in self.levels()}


@dataclass(frozen=True, slots=True)
class Document:
    """Everything geotag found in one input text."""

    source: str | None
    mentions: tuple[Mention, ...]
    people: tuple[Entity, ...] = ()
    organizations: tuple[Entity, ...] = ()
    places: tuple[Entity, ...] = ()
    focus: Focus = field(default_factory=Focus)
    id: RecordId | None = None
    text: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.id is not None:
            out["id"] = self.id
        if self.source is not None:
            out["source"] = self.source
        out["entities"] = [m.to_dict() for m in self.mentions]
        out["people"] = [e.to_dict() for e in self.people]
        out["organizations"] = [e.to_dict() for e in self.organizations]
        out["places"] = [e.to_dict() for e in self.places]
        out["focus"] = self.focus.to_dict()
        return out
