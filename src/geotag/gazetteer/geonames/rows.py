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
from array import array
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import IO, Any

from ..csvfile import NO_ID, Row, abbreviation_keys, row_keys, row_of
from ..index.writer import Columns, IndexPart
from ..names import fold_name
from ..schema import (
    DraftRow,
    GazetteerRow,
    Rank,
    RowKind,
    clean_name,
    is_usable_alternate,
    keeps_alternate,
    rank_order,
    strongest_rival,
    usable_alternates,
)
from .blocks import Kept
from .shipped import Shipped, split_names

# Distinct names folded and cleaned are remembered this many at a time, per process:
# GeoNames repeats names (thousands of "San José"), and the cache stays bounded.
NAME_CACHE = 1 << 17

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

    def add_new(self, gids: Sequence[int]) -> list[bool]:
        """Add ids in order; for each, whether it was new (not seen before, nor earlier in
        `gids`)."""
        import numpy as np

        ids = np.asarray(gids, dtype=None if len(gids) else object)
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


class Primaries:
    """For the collision rule: the ranks of the rows (other than features) by their
    normalised primary name. Packed: a name's number, and per row its population and its
    kind and (country, admin1) pair, 16 bytes a row instead of a tuple's 100; `freeze`
    orders them by name once, and `rivals` unpacks a name's ranks when asked."""

    def __init__(self) -> None:
        self.numbers: dict[str, int] = {}
        self.keys = array("I")
        self.populations = array("q")
        self.kinds = array("I")  # pair number << 3 | kind
        self.pairs: dict[tuple[str, str], int] = {}
        self.outsized: dict[str, list[Rank]] = {}  # populations beyond 64 bits
        self.pair_list: list[tuple[str, str]] = []
        self.starts: Any = None

    def add(self, key: str, rank: Rank) -> None:
        kind, population, cc, admin1 = rank
        if not -(1 << 63) <= population < 1 << 63:
            self.outsized.setdefault(key, []).append(rank)
            return
        number = self.numbers.setdefault(key, len(self.numbers))
        pair = self.pairs.setdefault((cc, admin1), len(self.pairs))
        self.keys.append(number)
        self.populations.append(population)
        self.kinds.append(pair << 3 | kind)

    def add_many(
        self,
        names: list[str],
        kinds: list[int],
        populations: list[int],
        countries: list[str],
        admin1: list[str],
    ) -> None:
        """Rank rows by their (clean) primary names, a block at a time."""
        try:
            packed = array("q", populations)
        except OverflowError:  # a population beyond 64 bits, read line by line
            for row in zip(names, kinds, populations, countries, admin1, strict=True):
                self.add(fold(row[0]), (row[1], row[2], row[3], row[4]))
            return
        keys = list(map(fold, names))
        numbers, pairs = self.numbers, self.pairs
        for key in set(keys).difference(numbers):
            numbers[key] = len(numbers)
        places = list(zip(countries, admin1, strict=True))
        for place in set(places).difference(pairs):
            pairs[place] = len(pairs)
        self.keys.extend(map(numbers.__getitem__, keys))
        self.populations.extend(packed)
        self.kinds.extend([pairs[p] << 3 | k for p, k in zip(places, kinds, strict=True)])

    def merge(self, other: Primaries) -> None:
        """Take in the ranks another process added (before either is frozen)."""
        import numpy as np

        numbers = np.empty(len(other.numbers), dtype=np.uint32)
        for key, local in other.numbers.items():
            numbers[local] = self.numbers.setdefault(key, len(self.numbers))
        pairs = np.empty(len(other.pairs), dtype=np.uint32)
        for pair, local in other.pairs.items():
            pairs[local] = self.pairs.setdefault(pair, len(self.pairs))
        if other.keys:
            keys = np.frombuffer(other.keys, dtype=np.uint32)
            kinds = np.frombuffer(other.kinds, dtype=np.uint32)
            self.keys.frombytes(numbers[keys].tobytes())
            self.kinds.frombytes(((pairs[kinds >> 3] << 3) | (kinds & 7)).tobytes())
            self.populations.extend(other.populations)
        for key, ranks in other.outsized.items():
            self.outsized.setdefault(key, []).extend(ranks)

    def freeze(self) -> None:
        """Order the ranks by name, once all are added."""
        import numpy as np

        keys = np.frombuffer(self.keys, dtype=np.uint32) if self.keys else np.empty(0, np.uint32)
        order = np.argsort(keys, kind="stable")
        counts = np.bincount(keys, minlength=len(self.numbers))
        self.starts = np.zeros(len(self.numbers) + 1, dtype=np.int64)
        np.cumsum(counts, out=self.starts[1:])
        self.populations = (
            array("q", np.frombuffer(self.populations, np.int64)[order].tobytes())
            if self.keys
            else array("q")
        )
        self.kinds = (
            array("I", np.frombuffer(self.kinds, np.uint32)[order].tobytes())
            if self.keys
            else array("I")
        )
        self.keys = array("I")
        self.pair_list = list(self.pairs)
        self.rivals = lru_cache(maxsize=1 << 14)(self._rivals)  # type: ignore[method-assign]

    def rivals(self, key: str) -> list[Rank]:
        return self._rivals(key)

    def _rivals(self, key: str) -> list[Rank]:
        """The ranks of the rows named `key`, strongest first (`rank_order`)."""
        number = self.numbers.get(key)
        ranks: list[Rank] = []
        if number is not None:
            pairs, populations, kinds = self.pair_list, self.populations, self.kinds
            for at in range(int(self.starts[number]), int(self.starts[number + 1])):
                cc, admin1 = pairs[kinds[at] >> 3]
                ranks.append((kinds[at] & 7, populations[at], cc, admin1))
        return sorted(ranks + self.outsized.get(key, []), key=rank_order)


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
        self.primaries = Primaries()
        self.admin1_names: dict[tuple[str, str], str] = {}
        self.borrowed_ids: Any = None
        if extras:
            import numpy as np

            self.borrowed_ids = np.fromiter(shipped.by_id, dtype=np.int64, count=len(shipped.by_id))
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

    def note(self, record: Record, counted: bool = False) -> None:
        """Count a record whose id is marked kept (unless `counted`), and rank it by its
        primary name."""
        if self.extras:
            self._borrow(record)
        if not counted:
            self.counts[record.kind] = self.counts.get(record.kind, 0) + 1
        if record.kind is not RowKind.FEATURE:
            self.rank(record.kind, record.name, record.population, record.country_code,
                      record.admin1_code)  # fmt: skip
        if record.kind is RowKind.ADMIN1:
            self.admin1_names[(record.country_code, record.admin1_code)] = record.name

    def rank(self, kind: int, name: str, population: int, cc: str, admin1: str) -> None:
        """Rank a row by its primary name (features need no rank: they never take a name
        from another row and never keep one from a town or region)."""
        self.primaries.add(fold(name), (int(kind), population, cc, admin1))

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

    def dump_rows(self, rows: Kept) -> None:
        """Rows of the dump kept in the first pass: column by column, but for the names
        (each distinct one folded once per process) and the rows made into records."""
        table = self.table
        n = len(rows)
        own_keys = list(map(fold, rows.name))
        alternatenames, name_keys, dropped = self._names(rows, own_keys)
        abbreviations: list[str] = [""] * n
        abbreviation_keys_: list[Collection[str]] = [()] * n
        if table.alternates:
            for i, gid in enumerate(rows.geonameid):
                extra = table.alternates.get(gid)
                if extra is not None and extra[1]:
                    abbreviations[i] = "|".join(sorted(set(extra[1])))
                    abbreviation_keys_[i] = abbreviation_keys(abbreviations[i])
        admin1_names = table.admin1_names
        admin1_cells = [a if a != "00" else "" for a in rows.admin1_code]
        admin1_name = [
            admin1_names.get(key, "")
            for key in zip(rows.country_code, rows.admin1_code, strict=True)
        ]
        columns: list[list[Any]] = [
            list(map(str, rows.geonameid)),
            rows.name,
            alternatenames,
            abbreviations,
            rows.lat_cell,
            rows.lon_cell,
            rows.feature_class,
            rows.feature_code,
            rows.country_code,
            admin1_cells,
            admin1_name,
            list(map(str, rows.population)),
            ["geonames"] * n,
        ]
        ids = list(rows.geonameid)
        population = list(rows.population)
        records = table.records
        made: dict[int, Row] = {}
        for i in [i for i, gid in enumerate(ids) if gid in records]:
            cells = self._record_cells(records[ids[i]])
            for column, cell in zip(columns, cells, strict=True):
                column[i] = cell
            made[i] = row = index_row(cells)
            name_keys[i], abbreviation_keys_[i] = row.name_keys, row.abbreviation_keys
            ids[i], population[i] = row.geonameid, row.population
        self.dropped += dropped
        self.csv.writerows(zip(*columns, strict=True))
        # The index has the cells as reading the CSV back gives them: stripped.
        _, names, _, _, lat, lon, fclass, fcode, cc, a1, a1_name, _, source = columns
        if rows.padded:
            names, fclass, fcode, cc, a1, a1_name = (
                [c.strip() for c in column] for column in (names, fclass, fcode, cc, a1, a1_name)
            )
        for i, row in made.items():
            names[i], fclass[i], fcode[i], cc[i] = (
                row.name,
                row.feature_class,
                row.feature_code,
                row.country_code,
            )
            a1[i], a1_name[i], source[i] = row.admin1_code, row.admin1_name, row.source
        self.part.add_columns(
            Columns(
                geonameid=ids,
                name=names,
                lat=list(map(float, lat)),
                lon=list(map(float, lon)),
                population=population,
                feature=[f"{c}\t{f}" for c, f in zip(fclass, fcode, strict=True)],
                feature_code=fcode,
                country_code=cc,
                admin1_code=a1,
                admin1=[f"{c}\t{n}" for c, n in zip(a1, a1_name, strict=True)],
                source=source,
                name_keys=name_keys,
                abbreviation_keys=abbreviation_keys_,
            )
        )

    def _names(
        self, rows: Kept, own_keys: list[str]
    ) -> tuple[list[str], list[Collection[str]], int]:
        """Each row's alternate names cell and name keys (the collision rule applied),
        and how many names it dropped."""
        table = self.table
        alternates, primaries, records = table.alternates, table.primaries, table.records
        feature = RowKind.FEATURE
        cells: list[str] = [""] * len(rows)
        keys_of_rows: list[Collection[str]] = [(k,) if k else () for k in own_keys]
        dropped = 0
        for i, raw in enumerate(rows.alternatenames):
            gid = rows.geonameid[i]
            extra = alternates.get(gid) if alternates else None
            if (not raw and extra is None) or gid in records:
                continue
            harvested = [n for n in map(usable, raw.split(",")) if n] if raw else []
            if extra is not None:
                harvested += usable_alternates(extra[0])
            if not harvested:
                continue
            kind = rows.kind[i]
            own_key = own_keys[i]
            seen = {own_key}
            keys = [own_key]
            kept: list[str] = []
            me: Rank | None = None
            for alternate in harvested:
                key = fold(alternate)
                if not key or key in seen:
                    continue
                seen.add(key)
                # A feature keeps a town's name ("Tarnby" for Tarnby Airport): the
                # resolver chooses it only with a cue, so it takes nothing from the town.
                if kind != feature:
                    rivals = primaries.rivals(key)
                    if rivals:
                        me = me or (kind, rows.population[i], rows.country_code[i],
                                    rows.admin1_code[i])  # fmt: skip
                        if not keeps_alternate(me, key, own_key, strongest_rival(me, rivals)):
                            dropped += 1
                            continue
                kept.append(alternate)
                keys.append(key)
            if not kept:
                continue
            kept.sort()
            cells[i] = cell = "|".join(kept)
            if any("|" in name for name in kept):
                keys_of_rows[i] = row_keys(rows.name[i], cell)  # the CSV splits such a name
            else:
                keys_of_rows[i] = [k for k in keys if k]
        return cells, keys_of_rows, dropped


def index_row(cells: list[str]) -> Row:
    """The index row of a CSV line, as reading the CSV back would make it."""
    stripped = [c.strip() for c in cells]
    (gid, name, alternates, abbreviations, lat, lon, feature_class, feature_code,
     country_code, admin1_code, admin1_name, population, source) = stripped  # fmt: skip
    return row_of(
        int(gid) if gid else NO_ID,
        name,
        float(lat),
        float(lon),
        int(population) if population else 0,
        (feature_class, feature_code, country_code, admin1_code, admin1_name, source),
        alternates,
        abbreviations,
    )


def keep_names(record: Record, primaries: Primaries) -> tuple[list[str], int]:
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
        if keeps_alternate(me, key, own_key, strongest_rival(me, primaries.rivals(key))):
            kept.append(name)
        else:
            dropped += 1
    return sorted(kept), dropped
