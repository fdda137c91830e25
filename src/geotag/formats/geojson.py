"""The `geojson` format: one RFC 7946 FeatureCollection per run, streamed."""

from __future__ import annotations

from typing import IO, Any

from ..models import Document, Entity, Failure
from .escape import json_bytes
from .explain import explain_cell


def place_feature(doc: Document, entity: Entity) -> dict[str, Any] | None:
    """A GeoJSON Feature for a resolved place of a document (as in the JSON `places`);
    None when it is unresolved."""
    e = entity.to_dict()
    place = e.get("place")
    if place is None:
        return None
    properties: dict[str, Any] = {
        "name": e["name"],
        "mentions": e["mentions"],
        "forms": e.get("forms", [e["name"]]),
        "label": entity.label,
        "kind": e.get("kind"),
        "role": e.get("role"),
        "place_name": place["name"],
        "geonameid": place["geonameid"],
        "feature_class": place["feature_class"],
        "feature_code": place["feature_code"],
        "country_code": place["country_code"],
        "country": place["country"],
        "admin1": place["admin1"],
        "population": place["population"],
        "confidence": place["confidence"],
        "place_source": place["source"],
        "source": doc.source,
    }
    if "inside" in e:
        # The organisations whose names name the place.
        properties["inside"] = e["inside"]
    if "precision" in place:
        # The point is the container's: the entity lies somewhere within it.
        properties["precision"] = place["precision"]
        properties["within"] = place["within"]
    if doc.id is not None:
        properties["id"] = doc.id
    if entity.resolution is not None and entity.resolution.explanation is not None:
        properties["explain"] = explain_cell(entity.resolution)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": properties,
    }


class GeoJsonWriter:
    """`geojson`: one RFC 7946 FeatureCollection per run, a Point feature per resolved place
    of each document ([longitude, latitude], WGS 84; no `crs` member).

    It streams: the opening is written first, each document's features as it is done (one
    feature a line), and the closing `]}` by close(). A run stopped by Ctrl-C is closed
    too; a killed one leaves the finished features and no closing brackets."""

    _OPENING = b'{"type":"FeatureCollection","features":[\n'
    _CLOSING = b"\n]}\n"

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._opened = False
        self._closed = False
        self._features = 0

    def _open(self) -> None:
        if not self._opened:
            self.stream.write(self._OPENING)
            self._opened = True

    def write(self, doc: Document) -> None:
        self._open()
        chunks = []
        for entity in doc.places:
            feature = place_feature(doc, entity)
            if feature is not None:
                chunks.append((b",\n" if self._features else b"") + json_bytes(feature))
                self._features += 1
        self.stream.write(b"".join(chunks))
        self.stream.flush()

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        if self._closed:
            return
        self._open()
        self.stream.write(self._CLOSING)
        self.stream.flush()
        self._closed = True
