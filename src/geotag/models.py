"""Plain, frozen result types passed between geotag's layers; no spaCy, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Label = Literal["PERSON", "ORG", "PLACE", "DEMONYM"]
Kind = Literal["toponym", "demonym"]
Role = Literal["literal", "metonym", "embedded"]


@dataclass(frozen=True, slots=True)
class Article:
    """One input text and where it came from (a path, '-' for stdin, or a record id)."""

    text: str
    source: str | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Failure:
    """An input that could not be read or processed; reported, never fatal to a batch."""

    source: str
    error: str

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "error": self.error}


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
    source: str = "gazetteer"

    def to_dict(self) -> dict[str, Any]:
        return {
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
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class Candidate:
    """A place a mention could refer to, with the resolver's score and its parts."""

    place: Place
    score: float
    features: tuple[tuple[str, float], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "geonameid": self.place.geonameid,
            "name": self.place.name,
            "feature_code": self.place.feature_code,
            "country_code": self.place.country_code or None,
            "admin1": self.place.admin1 or None,
            "lat": self.place.lat,
            "lon": self.place.lon,
            "score": round(self.score, 4),
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


@dataclass(frozen=True, slots=True)
class Mention:
    """One entity mention; `text == document_text[start:end]` always holds."""

    start: int
    end: int
    text: str
    label: Label
    ner_label: str
    kind: Kind | None = None
    resolution: Resolution | None = None
    key: str = ""
    embedded: bool = False

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
            out["role"] = "embedded" if self.embedded else (res.role if res else "literal")
            out["place"] = place_dict(res)
            out["alternatives"] = [c.to_dict() for c in res.alternatives] if res else []
        return out


def place_dict(res: Resolution | None) -> dict[str, Any] | None:
    """The `place` object of the JSON schema: the place plus the confidence."""
    if res is None or res.place is None:
        return None
    out = res.place.to_dict()
    out["confidence"] = round(res.confidence, 4)
    return out


@dataclass(frozen=True, slots=True)
class Entity:
    """Mentions of one thing gathered under one name (one row of the tables)."""

    name: str
    label: Label
    mentions: int
    forms: tuple[str, ...] = ()
    kind: Kind | None = None
    role: Role | None = None
    resolution: Resolution | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "mentions": self.mentions}
        if len(self.forms) > 1 or (self.forms and self.forms[0] != self.name):
            out["forms"] = list(self.forms)
        if self.label == "PLACE":
            out["kind"] = self.kind or "toponym"
            out["role"] = self.role or "literal"
            out["place"] = place_dict(self.resolution)
        return out


@dataclass(frozen=True, slots=True)
class FocusItem:
    """A place the document is about, with a share of the document's attention."""

    place: Place
    score: float
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "geonameid": self.place.geonameid,
            "name": self.place.name,
            "country_code": self.place.country_code or None,
            "lat": self.place.lat,
            "lon": self.place.lon,
            "score": round(self.score, 4),
            "mentions": self.mentions,
        }


@dataclass(frozen=True, slots=True)
class Focus:
    countries: tuple[FocusItem, ...] = ()
    regions: tuple[FocusItem, ...] = ()
    cities: tuple[FocusItem, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "countries": [f.to_dict() for f in self.countries],
            "regions": [f.to_dict() for f in self.regions],
            "cities": [f.to_dict() for f in self.cities],
        }


@dataclass(frozen=True, slots=True)
class Document:
    """Everything geotag found in one input text."""

    source: str | None
    mentions: tuple[Mention, ...]
    people: tuple[Entity, ...] = ()
    organizations: tuple[Entity, ...] = ()
    places: tuple[Entity, ...] = ()
    focus: Focus = field(default_factory=Focus)
    id: str | None = None
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
