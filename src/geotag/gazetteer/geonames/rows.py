"""The rows a GeoNames import keeps, their names, and the CSV lines and index rows they
become.

The first pass over the dump fills a `RowTable`: which ids are kept, how many rows of
each kind, and what the collision rule needs (the ranks of the rows by primary name).
Rows that need more than their dump line (countries, regions, continents, rows the
shipped gazetteer corrects) are made into `Record`s there; every other row is only
counted. The second pass (`Writer`, one per process) turns each kept row into its CSV
line and its index row: alternate names folded once per distinct name, the collision
rule applied, nothing re-read.
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any

from ..csvfile import NO_ID, Row, abbreviation_keys, row_keys
from ..index.writer import IndexPart
from ..names import fold_name
from ..schema import (
    DraftRow,
    GazetteerRow,
    Rank,
    RowKind,
    clean_name,
    format_degrees,
    is_usable_alternate,
    keeps_alternate,
    usable_alternates,
)
from .shipped import Shipped, split_names

# Distinct names folded and cleaned are remembered this many at a time, per process:
# GeoNames repeats names (thousands of "San José"), and the cache stays bounded.
NAME_CACHE = 1 << 19

fold = lru_cache(maxsize=NAME_CACHE)(fold_name)
clean = lru_cache(maxsize=NAME_CACHE)(clean_name)


@lru_cache(maxsize=NAME_CACHE)
def usable(raw: str) -> str:
    """A raw alternate name cleaned, or "" when it fails the filter (not for regions)."""
    name = clean_name(raw)
    return name if name and is_usable_alternate(name) else ""


@dataclass(slots=True)
class Record(DraftRow):
    """A row on its way to the CSV: names still to pass the collision rule."""

    source: str = "geonames"
    harvested: list[str] = field(default_factory=list)
    curated: list[str] = field(default_factory=list)
    abbreviations: list[str] = field(default_factory=list)

    def row(self, names: list[str], admin1_name: str) -> GazetteerRow:
        """The CSV row, with the alternate names that passed the collision rule."""
        admin1_code = self.admin1_code if self.admin1_code != "00" else ""
        abbreviations = sorted(set(self.abbreviations))
        return self.csv_row(names, abbreviations, admin1_code, admin1_name, self.source)


class IdSet:
    """Geonameids seen, one byte each below BITMAP_LIMIT (a set of 13 million ints costs
    700 MB; this, 13 MB), a set above."""

    BITMAP_LIMIT = 1 << 30

    def __init__(self) -> None:
        import numpy as np

        self.seen = np.zeros(0, dtype=bool)
        self.others: set[int] = set()

    def __contains__(self, gid: int) -> bool:
        if 0 <= gid < len(self.seen):
            return bool(self.seen[gid])
        return gid in self.others

    def add(self, gid: int) -> None:
        self.add_new([gid])

    def add_new(self, gids: list[int]) -> list[bool]:
        """Add ids in order; for each, whether it was new (not seen before, nor earlier in
        `gids`)."""
        import numpy as np

        ids = np.asarray(gids, dtype=object if not gids else None)
        if ids.dtype != np.int64 or (
            len(ids) and (ids.min() < 0 or ids.max() >= self.BITMAP_LIMIT)
        ):
            return [self._add_one(int(g)) for g in gids]
        if len(ids) and int(ids.max()) >= len(self.seen):
            grown = np.zeros(max(int(ids.max()) + 1, 2 * len(self.seen)), dtype=bool)
            grown[: len(self.seen)] = self.seen
            self.seen = grown
        _, first = np.unique(ids, return_index=True)
        new = np.zeros(len(ids), dtype=bool)
        new[first] = True
        new &= ~self.seen[ids]
        self.seen[ids] = True
        return list(new.tolist())

    def _add_one(self, gid: int) -> bool:
        if gid in self:
            return False
        if 0 <= gid < self.BITMAP_LIMIT:
            if gid >= len(self.seen):
                import numpy as np

                grown = np.zeros(max(gid + 1, 2 * len(self.seen)), dtype=bool)
                grown[: len(self.seen)] = self.seen
                self.seen = grown
            self.seen[gid] = True
        else:
            self.others.add(gid)
        return True


class RowTable:
    """The rows kept so far, each once (by geonameid), with what the collision rule and
    the summary need of them. With `extras`, a row borrows from the shipped gazetteer's
    row of its id. Records of rows after the dump's (`tail`) are kept in order."""

    def __init__(self, extras: bool, shipped: Shipped) -> None:
        self.extras = extras
        self.shipped = shipped
        self.written = IdSet()
        self.counts: dict[RowKind, int] = {}
        # For the collision rule: normalised primary name -> the ranks of the rows (other
        # than features) that have it.
        self.primaries: dict[str, list[Rank]] = {}
        self.admin1_names: dict[tuple[str, str], str] = {}
        # Dump rows made into records (by geonameid), and the rows after the dump's.
        self.records: dict[int, Record] = {}
        self.tail: list[Record] = []
        # geonameid -> (names, abbreviations) from alternateNamesV2.txt, for kept rows.
        self.alternates: dict[int, tuple[list[str], list[str]]] = {}

    def add(self, record: Record) -> bool:
        """Keep a record unless its id is kept already; True if kept."""
        if record.geonameid is not None:
            if record.geonameid in self.written:
                return False
            self.written.add(record.geonameid)
        self.note(record)
        return True

    def note(self, record: Record) -> None:
        """Count a record whose id is marked kept, and rank it by its primary name."""
        if self.extras:
            self._borrow(record)
        self.counted(record.kind, record.name, record.population, record.country_code,
                     record.admin1_code)  # fmt: skip
        if record.kind is RowKind.ADMIN1:
            self.admin1_names[(record.country_code, record.admin1_code)] = record.name

    def counted(self, kind: int, name: str, population: int, cc: str, admin1: str) -> None:
        """Count a row and rank it by its primary name (features need no rank: they never
        take a name from another row and never keep one from a town or region)."""
        kind = RowKind(kind)
        self.counts[kind] = self.counts.get(kind, 0) + 1
        if kind is not RowKind.FEATURE:
            rank = (int(kind), population, sys.intern(cc), sys.intern(admin1))
            self.primaries.setdefault(fold(name), []).append(rank)

    def borrows(self, gid: int) -> bool:
        """Whether the row of this id takes anything from the shipped gazetteer."""
        return self.extras and gid in self.shipped.by_id

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


# -- the second pass: CSV lines and index rows ---------------------------------------------


class Writer:
    """Rows to CSV lines (to `out`) and to the index rows of `part`, counting the alternate
    names the collision rule drops."""

    def __init__(self, table: RowTable, out: IO[str], part: IndexPart) -> None:
        self.table = table
        self.csv = csv.writer(out, lineterminator="\n")
        self.part = part
        self.dropped = 0

    def records(self, records: list[Record]) -> None:
        lines: list[list[str]] = []
        index: list[Row] = []
        for record in records:
            cells = self._record_cells(record)
            lines.append(cells)
            index.append(index_row(cells))
        self.csv.writerows(lines)
        self.part.add(index)

    def _record_cells(self, record: Record) -> list[str]:
        table = self.table
        extra = table.alternates.get(record.geonameid if record.geonameid is not None else NO_ID)
        if extra is not None:
            region = record.kind in (RowKind.COUNTRY, RowKind.ADMIN1)
            record.harvested += usable_alternates(extra[0], region)
            record.abbreviations += [a for a in extra[1] if a not in record.abbreviations]
        names, lost = keep_names(record, table.primaries)
        self.dropped += lost
        admin1_name = table.admin1_names.get((record.country_code, record.admin1_code), "")
        if record.kind is RowKind.ADMIN1:
            admin1_name = record.name
        return record.row(names, admin1_name).cells()

    def dump_rows(self, rows: Any) -> None:
        """Rows of the dump (a `blocks.Kept`, cleaned names) kept and not made into
        records: the collision rule and the cells inline, with every name folded once per
        process and distinct name."""
        table = self.table
        records, alternates, primaries = table.records, table.alternates, table.primaries
        admin1_names = table.admin1_names
        feature = RowKind.FEATURE
        lines: list[list[str] | tuple[str, ...]] = []
        index: list[Row] = []
        dropped = 0
        for gid, kind, name, raw, lat, lon, fclass, fcode, cc, admin1, population in zip(
            rows.geonameid, rows.kind, rows.name, rows.alternatenames, rows.lat, rows.lon,
            rows.feature_class, rows.feature_code, rows.country_code, rows.admin1_code,
            rows.population, strict=True,
        ):  # fmt: skip
            record = records.get(gid)
            if record is not None:
                cells = self._record_cells(record)
                lines.append(cells)
                index.append(index_row(cells))
                continue
            own_key = fold(name)
            harvested = [n for n in map(usable, raw.split(",")) if n] if raw else []
            extra = alternates.get(gid)
            abbreviations: list[str] = []
            if extra is not None:
                harvested += usable_alternates(extra[0])
                abbreviations = sorted(set(extra[1]))
            seen = {own_key}
            keys = [own_key]
            kept: list[str] = []
            if harvested:
                me: Rank | None = None
                for alternate in harvested:
                    key = fold(alternate)
                    if not key or key in seen:
                        continue
                    seen.add(key)
                    # A feature keeps a town's name ("Tarnby" for Tarnby Airport): the
                    # resolver chooses it only with a cue, so it takes nothing from the town.
                    if kind != feature:
                        rivals = primaries.get(key)
                        if rivals:
                            me = me or (kind, population, cc, admin1)
                            if not keeps_alternate(me, key, own_key, rivals):
                                dropped += 1
                                continue
                    kept.append(alternate)
                    keys.append(key)
                kept.sort()
            alternatenames = "|".join(kept)
            abbreviation_cell = "|".join(abbreviations)
            lat_cell, lon_cell = format_degrees(lat), format_degrees(lon)
            admin1_code = admin1 if admin1 != "00" else ""
            admin1_name = admin1_names.get((cc, admin1), "")
            pop = str(population)
            lines.append(
                (str(gid), name, alternatenames, abbreviation_cell, lat_cell, lon_cell, fclass,
                 fcode, cc, admin1_code, admin1_name, pop, "geonames")
            )  # fmt: skip
            if any("|" in n for n in kept):
                name_keys = row_keys(name, alternatenames)  # the CSV splits such a name
            else:
                name_keys = set(keys)
                name_keys.discard("")
            index.append(
                Row(gid, name, float(lat_cell), float(lon_cell), population, fclass.strip(),
                    fcode.strip(), cc.strip().upper(), admin1_code.strip(), admin1_name.strip(),
                    "geonames", name_keys, abbreviation_keys(abbreviation_cell))
            )  # fmt: skip
        self.dropped += dropped
        self.csv.writerows(lines)
        self.part.add(index)


def index_row(cells: list[str]) -> Row:
    """The index row of a CSV line, as reading the CSV back would make it."""
    stripped = [c.strip() for c in cells]
    (gid, name, alternates, abbreviations, lat, lon, feature_class, feature_code,
     country_code, admin1_code, admin1_name, population, source) = stripped  # fmt: skip
    return Row(
        int(gid) if gid else NO_ID,
        name,
        float(lat),
        float(lon),
        int(population) if population else 0,
        feature_class,
        feature_code,
        country_code.upper(),
        admin1_code,
        admin1_name,
        source,
        row_keys(name, alternates),
        abbreviation_keys(abbreviations),
    )


def keep_names(record: Record, primaries: dict[str, list[Rank]]) -> tuple[list[str], int]:
    """Curated names as they are; a harvested name only if it is no other row's name, or
    this row clearly wins (a more important kind or ten times the people), or it spells
    this row's own name and this row outranks the others. A city keeps its region's name;
    a feature (a stream, an airport) keeps every name. (A row's own primary name is its
    own key, which it never takes again: no row is its own rival.)"""
    own_key = fold(record.name)
    seen = {own_key}
    kept: list[str] = []
    for name in record.curated:
        key = fold(name)
        if key and key not in seen:
            seen.add(key)
            kept.append(name)
    me: Rank = (int(record.kind), record.population, record.country_code, record.admin1_code)
    dropped = 0
    for name in record.harvested:
        key = fold(name)
        if not key or key in seen:
            continue
        seen.add(key)
        if record.kind is RowKind.FEATURE:
            kept.append(name)
            continue
        if keeps_alternate(me, key, own_key, primaries.get(key, ())):
            kept.append(name)
        else:
            dropped += 1
    return sorted(kept), dropped
