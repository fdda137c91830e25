"""Words for people about a place's kind ("capital", "region", "sea") and its notes
("metonym", "embedded"), shared by the table, html and gazetteer outputs."""

from __future__ import annotations

from ..models import Entity, Place

FEATURE_TYPES = {
    "CONT": "continent",
    "PCLI": "country",
    "PCLD": "territory",
    "PCLF": "territory",
    "PCLS": "territory",
    "PCLIX": "territory",
    "TERR": "territory",
    "PCLH": "former country",
    "ADM1": "region",
    "PPLC": "capital",
    "RGN": "region",
    "RGNE": "region",
    "ISL": "island",
    "ISLS": "islands",
}
FEATURE_CLASS_TYPES = {
    "P": "city",
    "A": "area",
    "H": "water",
    "T": "terrain",
    "L": "area",
    "S": "landmark",
    "R": "road",
    "V": "forest",
}


def feature_type(place: Place) -> str:
    """A word for a place's kind, for people ("capital", "region", "sea")."""
    code = place.feature_code
    if code in FEATURE_TYPES:
        return FEATURE_TYPES[code]
    if code in ("SEA", "OCN", "GULF", "BAY", "STRT"):
        return {"OCN": "ocean", "STRT": "strait"}.get(code, "sea")
    if code in ("STM", "STMS"):
        return "river"
    return FEATURE_CLASS_TYPES.get(place.feature_class, code.lower() or "place")


def place_flags(entity: Entity) -> list[str]:
    """What the table and html outputs note beside a place entity: "demonym", "metonym",
    "embedded" (named only inside organisations), in that order."""
    flags = []
    if entity.kind == "demonym":
        flags.append("demonym")
    if entity.role in ("metonym", "embedded"):
        flags.append(entity.role)
    return flags
