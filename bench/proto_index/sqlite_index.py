"""PROTOTYPE for issue 13, design (b): the gazetteer index as an SQLite database (stdlib
sqlite3), for comparison with the memory-mapped file of design (a).

Not part of the package. Schema:

    places(row INTEGER PRIMARY KEY, geonameid, name, lat, lon, feature_class, feature_code,
           country_code, admin1_code, admin1_name, population, source)
    names(key TEXT, row INTEGER, PRIMARY KEY (key, row)) WITHOUT ROWID
    abbreviations(key TEXT, row INTEGER, PRIMARY KEY (key, row)) WITHOUT ROWID
    ids(geonameid INTEGER, row INTEGER, PRIMARY KEY (geonameid, row)) WITHOUT ROWID
    meta(key TEXT PRIMARY KEY, value TEXT)   -- JSON: stat key, sha256, countries, regions

The name tables are clustered on (key, row): a lookup is one B-tree descent and a range
scan, and no separate index doubles the keys. Rows are inserted in CSV order into the
places table; (key, row) pairs go to a temporary staging table first and are copied
sorted, because inserting into a clustered B-tree in key order is several times faster
than in random order, and SQLite's own sorter spills to disk (bounded memory).
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geotag.gazetteer import COUNTRY_CODES
from geotag.models import Place

from .common import NO_ID, CsvStream, StatKey, trusted

FORMAT = 1
BATCH = 50_000
CACHE_KIB = 200_000  # SQLite page cache while building (KiB), the build's main memory

_SCHEMA = """
CREATE TABLE places (
    row INTEGER PRIMARY KEY, geonameid INTEGER, name TEXT, lat REAL, lon REAL,
    feature_class TEXT, feature_code TEXT, country_code TEXT, admin1_code TEXT,
    admin1_name TEXT, population INTEGER, source TEXT);
CREATE TABLE names (key TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (key, row))
    WITHOUT ROWID;
CREATE TABLE abbreviations (key TEXT NOT NULL, row INTEGER NOT NULL, PRIMARY KEY (key, row))
    WITHOUT ROWID;
CREATE TABLE ids (geonameid INTEGER NOT NULL, row INTEGER NOT NULL,
    PRIMARY KEY (geonameid, row)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TEMP TABLE staged_names (key TEXT, row INTEGER);
CREATE TEMP TABLE staged_abbreviations (key TEXT, row INTEGER);
"""


@dataclass(frozen=True, slots=True)
class BuildReport:
    rows: int
    bytes: int
    seconds: float


def build(csv_path: Path, out: Path) -> BuildReport:
    started = time.perf_counter()
    built_at = time.time_ns()
    stat = StatKey.of(csv_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp, isolation_level=None)
    try:
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "locking_mode=EXCLUSIVE",
            f"cache_size=-{CACHE_KIB}",
            "temp_store=FILE",
        ):
            db.execute(f"PRAGMA {pragma}")
        db.executescript(_SCHEMA)
        db.execute("BEGIN")
        stream = CsvStream(csv_path)
        countries: dict[str, tuple[int, int]] = {}
        regions: dict[str, int] = {}
        places: list[tuple[Any, ...]] = []
        names: list[tuple[str, int]] = []
        abbreviations: list[tuple[str, int]] = []
        rows = 0
        for row_number, r in enumerate(stream):
            rows += 1
            places.append(
                (row_number, None if r.geonameid == NO_ID else r.geonameid, r.name, r.lat, r.lon,
                 r.feature_class, r.feature_code, r.country_code, r.admin1_code, r.admin1_name,
                 r.population, r.source)
            )  # fmt: skip
            names.extend((key, row_number) for key in r.name_keys)
            abbreviations.extend((key, row_number) for key in r.abbreviation_keys)
            cc = r.country_code
            if cc and r.feature_code in COUNTRY_CODES:
                best = countries.get(cc)
                if best is None or r.population > best[1]:
                    countries[cc] = (row_number, r.population)
            elif cc and r.feature_code == "ADM1":
                regions.setdefault(f"{cc}.{r.admin1_code}", row_number)
            if len(places) >= BATCH:
                _flush(db, places, names, abbreviations)
        _flush(db, places, names, abbreviations)
        db.execute("INSERT INTO names SELECT key, row FROM staged_names ORDER BY key, row")
        db.execute(
            "INSERT INTO abbreviations SELECT key, row FROM staged_abbreviations ORDER BY key, row"
        )
        db.execute(
            "INSERT INTO ids SELECT geonameid, row FROM places WHERE geonameid IS NOT NULL "
            "ORDER BY geonameid, row"
        )
        meta = {
            "format": FORMAT,
            "built_at_ns": built_at,
            "stat": stat.to_list(),
            "sha256": stream.sha256,
            "rows": rows,
            "countries": {cc: row for cc, (row, _) in countries.items()},
            "regions": regions,
        }
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()]
        )
        db.execute("COMMIT")
        db.execute("DROP TABLE staged_names")
        db.execute("DROP TABLE staged_abbreviations")
    finally:
        db.close()
    os.replace(tmp, out)
    return BuildReport(rows, out.stat().st_size, time.perf_counter() - started)


def _flush(
    db: sqlite3.Connection,
    places: list[tuple[Any, ...]],
    names: list[tuple[str, int]],
    abbreviations: list[tuple[str, int]],
) -> None:
    db.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", places)
    db.executemany("INSERT INTO staged_names VALUES (?, ?)", names)
    db.executemany("INSERT INTO staged_abbreviations VALUES (?, ?)", abbreviations)
    places.clear()
    names.clear()
    abbreviations.clear()


class SqliteIndex:
    """A built database opened read-only (immutable: no locks, no journal checks)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        if not path.is_file():
            raise FileNotFoundError(path)
        self.db = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        meta = dict(self.db.execute("SELECT key, value FROM meta"))
        self.meta: dict[str, Any] = {k: json.loads(v) for k, v in meta.items()}
        self.rows: int = self.meta["rows"]
        self.countries: dict[str, int] = self.meta["countries"]
        self.regions: dict[str, int] = self.meta["regions"]
        self._names = "SELECT row FROM names WHERE key = ?"
        self._place = (
            "SELECT geonameid, name, lat, lon, feature_class, feature_code, country_code, "
            "admin1_code, admin1_name, population FROM places WHERE row = ?"
        )
        self._country_names: dict[str, str] = {}

    def close(self) -> None:
        self.db.close()

    def lookup_key(self, key: str) -> list[int]:
        return [r for (r,) in self.db.execute(self._names, (key,))]

    def lookup_abbreviation_key(self, key: str) -> list[int]:
        return [
            r for (r,) in self.db.execute("SELECT row FROM abbreviations WHERE key = ?", (key,))
        ]

    def by_geonameid(self, geonameid: int) -> int | None:
        found = self.db.execute("SELECT row FROM ids WHERE geonameid = ? LIMIT 1", (geonameid,))
        hit = found.fetchone()
        return None if hit is None else int(hit[0])

    def place(self, row: int) -> Place:
        gid, name, lat, lon, fclass, fcode, cc, a1, a1_name, pop = self.db.execute(
            self._place, (row,)
        ).fetchone()
        return Place(
            geonameid=gid,
            name=name,
            lat=lat,
            lon=lon,
            feature_class=fclass,
            feature_code=fcode,
            country_code=cc,
            country=self._country_name(cc),
            admin1_code=a1,
            admin1=a1_name,
            population=pop,
        )

    def _country_name(self, cc: str) -> str:
        name = self._country_names.get(cc)
        if name is None:
            row = self.countries.get(cc)
            name = ""
            if row is not None:
                (name,) = self.db.execute(
                    "SELECT name FROM places WHERE row = ?", (row,)
                ).fetchone()
            self._country_names[cc] = name
        return name


def cache_path(cache_dir: Path, csv_path: Path) -> Path:
    return cache_dir / f"gazetteer-{StatKey.of(csv_path).digest()}-sqlite{FORMAT}.db"


def load(csv_path: Path, cache_dir: Path) -> tuple[SqliteIndex, str]:
    current = StatKey.of(csv_path)
    path = cache_path(cache_dir, csv_path)
    try:
        index = SqliteIndex(path)
        if trusted(index.meta["stat"], current, index.meta["built_at_ns"]):
            return index, "warm"
        index.close()
    except (OSError, sqlite3.DatabaseError, KeyError):
        pass
    build(csv_path, path)
    return SqliteIndex(path), "built"


def lookups(index: SqliteIndex, keys: Iterable[str]) -> int:
    touched = 0
    for key in keys:
        for row in index.lookup_key(key):
            index.place(row)
            touched += 1
    return touched
