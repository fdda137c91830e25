"""Words about people that the gazetteer keeps beside places: demonyms ("Syrian",
"Kurdish") and the place each names, and given names with how common they are."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from ..errors import GazetteerError
from .names import normalize_name
from .schema import int_or_none


@dataclass(frozen=True, slots=True)
class DemonymTarget:
    """What a demonym names: a country, or a region or continent ("Kurdish", "European")."""

    country_code: str
    geonameid: int | None
    name: str


def read_demonyms(path: Path) -> dict[str, DemonymTarget]:
    """Demonym CSV (`demonym`, `country_code`, optional `geonameid`, `target_name`)."""
    table: dict[str, DemonymTarget] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for number, rec in enumerate(csv.DictReader(f), start=2):
                word = normalize_name(rec.get("demonym") or "")
                cc = (rec.get("country_code") or "").strip().upper()
                target = (rec.get("target_name") or "").strip()
                gid = int_or_none(rec, "geonameid", str(path), number)
                if word and (cc or gid is not None or target):
                    table.setdefault(word, DemonymTarget(cc, gid, target))
    except OSError as exc:
        raise GazetteerError(f"cannot read demonyms {path}: {exc.strerror}") from None
    return table


def read_given_names(path: Path) -> dict[str, float]:
    """Given-name CSV (`name`, `percent`): name -> share of people with it, in percent."""
    table: dict[str, float] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for number, rec in enumerate(csv.DictReader(f), start=2):
                name = (rec.get("name") or "").strip()
                try:
                    share = float(rec.get("percent") or "")
                except ValueError:
                    raise GazetteerError(
                        f"{path}:{number}: column 'percent': expected a number"
                    ) from None
                if name:
                    table[name] = share
    except OSError as exc:
        raise GazetteerError(f"cannot read given names {path}: {exc.strerror}") from None
    return table
