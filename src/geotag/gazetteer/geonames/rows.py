"""The rows a GeoNames import keeps, and the second pass that merges their alternate names.

The first pass adds each kept row to a `RowTable`, which spools it to a temporary JSON
Lines file and keeps only what the collision rule needs (each row's rank, the rows by
primary name). The second pass reads the rows back, merges the names of
alternateNamesV2.txt, drops harvested names that are another row's name, and writes the
gazetteer CSV.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import orjson

from ..csvfile import NO_ID
from ..names import normalize_name
from ..schema import (
    COLUMNS,
    DraftRow,
    GazetteerRow,
    Rank,
    RowKind,
    keeps_alternate,
    usable_alternates,
)
from .shipped import Shipped, split_names


@dataclass(slots=True)
class Record(DraftRow):
    """A row on its way to the CSV: names still to pass the collision rule."""

    source: str = "geonames"
    harvested: list[str] = field(default_factory=list)
    curated: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)

    def to_json(self) -> bytes:
        return orjson.dumps(
            [
                int(self.kind),
                self.geonameid,
                self.name,
                self.lat,
                self.lon,
                self.feature_class,
                self.feature_code,
                self.country_code,
                self.admin1_code,
                self.population,
                self.source,
                self.harvested,
                self.curated,
                self.abbreviations,
            ]
        )

    @classmethod
    def from_json(cls, line: bytes) -> Record:
        values = orjson.loads(line)
        return cls(RowKind(values[0]), *values[1:])

    def row(self, names: list[str], admin1_name: str) -> GazetteerRow:
        """The CSV row, with the alternate names that passed the collision rule."""
        admin1_code = self.admin1_code if self.admin1_code != "00" else ""
        abbreviations = sorted(set(self.abbreviations))
        return self.csv_row(names, abbreviations, admin1_code, admin1_name, self.source)


class IdSet:
    """Geonameids seen, one bit each (a set of 13 million ints costs 700 MB; this, 2 MB)."""

    BITSET_LIMIT = 1 << 32

    def __init__(self) -> None:
        self.bits = bytearray()
        self.others: set[int] = set()

    def __contains__(self, gid: int) -> bool:
        if 0 <= gid < self.BITSET_LIMIT:
            byte = gid >> 3
            return byte < len(self.bits) and bool(self.bits[byte] >> (gid & 7) & 1)
        return gid in self.others

    def add(self, gid: int) -> None:
        if 0 <= gid < self.BITSET_LIMIT:
            byte = gid >> 3
            if byte >= len(self.bits):
                self.bits.extend(bytes(max(byte + 1 - len(self.bits), len(self.bits))))
            self.bits[byte] |= 1 << (gid & 7)
        else:
            self.others.add(gid)


# A feature's rank: features never take a name from another row and never keep one from
# a town or region (see _keep_names), so they are left out of the collision rule's tables.
_FEATURE_RANK: Rank = (int(RowKind.FEATURE), 0, "", "")


class RowTable:
    """The rows kept so far: spooled to `temp`, each once (by geonameid), with what the
    collision rule and the summary need of them. With `extras`, a row borrows from the
    shipped gazetteer's row of its id."""

    def __init__(self, extras: bool, shipped: Shipped, temp: IO[bytes]) -> None:
        self.extras = extras
        self.shipped = shipped
        self.temp = temp
        self.written = IdSet()
        self.counts: dict[RowKind, int] = {}
        # For the collision rule: normalised primary name -> record numbers, and per record
        # its kind, population, country and admin1 code.
        self.primaries: dict[str, list[int]] = {}
        self.ranks: list[Rank] = []
        self.admin1_names: dict[tuple[str, str], str] = {}
        # geonameid -> (names, abbreviations) from alternateNamesV2.txt, for kept rows.
        self.alternates: dict[int, tuple[list[str], list[str]]] = {}

    def add(self, record: Record) -> None:
        if record.geonameid is not None:
            if record.geonameid in self.written:
                return
            self.written.add(record.geonameid)
        if self.extras:
            self._borrow(record)
        self.temp.write(record.to_json() + b"\n")
        number = len(self.ranks)
        if record.kind is RowKind.FEATURE:
            self.ranks.append(_FEATURE_RANK)
        else:
            cc, admin1 = sys.intern(record.country_code), sys.intern(record.admin1_code)
            self.ranks.append((int(record.kind), record.population, cc, admin1))
            self.primaries.setdefault(normalize_name(record.name), []).append(number)
        self.counts[record.kind] = self.counts.get(record.kind, 0) + 1
        if record.kind is RowKind.ADMIN1:
            self.admin1_names[(record.country_code, record.admin1_code)] = record.name

    def _borrow(self, record: Record) -> None:
        """Abbreviations from the shipped row with this id; its name, names and feature code
        too where that row was corrected by hand (source `geotag`: Erbil, Turkey...)."""
        row = self.shipped.by_id.get(record.geonameid) if record.geonameid is not None else None
        if row is None:
            return
        record.abbreviations = record.abbreviations or split_names(row.get("abbreviations"))
        if record.source != "geonames":
            return  # a row taken from the shipped gazetteer already has its names
        if "geotag" in row.get("source", "").split("+") and row.get("name"):
            if row["name"] != record.name:
                record.harvested.insert(0, record.name)
                record.name = row["name"]
            record.curated = split_names(row.get("alternatenames"))
            if record.kind is not RowKind.ADMIN1 and row.get("feature_code"):
                record.feature_class = row.get("feature_class") or record.feature_class
                record.feature_code = row["feature_code"]
            record.source = "geonames+geotag"


# -- second pass: names and the CSV ------------------------------------------------------------


def write_csv(temp_path: Path, final_path: Path, table: RowTable) -> int:
    """Read the kept rows back, merge their alternate names, drop those colliding with
    another row's name, and write the gazetteer CSV; returns how many were dropped."""
    dropped = 0
    with temp_path.open("rb") as rows, final_path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for number, line in enumerate(rows):
            record = Record.from_json(line)
            extra = table.alternates.get(record.geonameid or NO_ID)
            if extra is not None:
                region = record.kind in (RowKind.COUNTRY, RowKind.ADMIN1)
                record.harvested += usable_alternates(extra[0], region)
                record.abbreviations += [a for a in extra[1] if a not in record.abbreviations]
            names, lost = _keep_names(record, number, table)
            dropped += lost
            admin1_name = table.admin1_names.get((record.country_code, record.admin1_code), "")
            if record.kind is RowKind.ADMIN1:
                admin1_name = record.name
            writer.writerow(record.row(names, admin1_name).cells())
    return dropped


def _keep_names(record: Record, number: int, table: RowTable) -> tuple[list[str], int]:
    """Curated names as they are; a harvested name only if it is no other row's name, or
    this row clearly wins (a more important kind or ten times the people), or it spells
    this row's own name and this row outranks the others. A city keeps its region's name;
    a feature (a stream, an airport) keeps every name."""
    own_key = normalize_name(record.name)
    seen = {own_key}
    kept: list[str] = []
    for name in record.curated:
        key = normalize_name(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    me = table.ranks[number]
    dropped = 0
    for name in record.harvested:
        key = normalize_name(name)
        if not key or key in seen:
            continue
        seen.add(key)
        # A feature keeps a town's name ("Tarnby" for Tarnby Airport): the resolver
        # chooses it only with a cue, so it takes nothing from the town.
        if record.kind is RowKind.FEATURE:
            kept.append(name)
            continue
        rivals = [table.ranks[r] for r in table.primaries.get(key, ()) if r != number]
        if keeps_alternate(me, key, own_key, rivals):
            kept.append(name)
        else:
            dropped += 1
    return sorted(kept), dropped
