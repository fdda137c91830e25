"""The place gazetteer: reads the CSV, indexes normalised names, caches the compiled index."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import orjson
from anyascii import anyascii

from .errors import GazetteerError
from .models import Place

COLUMNS = (
    "geonameid",
    "name",
    "alternatenames",
    "abbreviations",
    "lat",
    "lon",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1_code",
    "admin1_name",
    "population",
    "source",
)
REQUIRED = ("name", "lat", "lon", "feature_class", "feature_code", "country_code")
COUNTRY_CODES = frozenset({"PCLI", "PCLD", "PCLF", "PCLS", "PCLIX", "PCL", "TERR"})
GAZETTEER_ENV = "GEOTAG_GAZETTEER"
CACHE_ENV = "GEOTAG_CACHE_DIR"
# Bump whenever the compiled layout or the normalisation changes: old caches are then ignored.
CACHE_FORMAT = 3

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb\u00b4]")
_ABBREV_STRIP = re.compile(r"[.\s]")


def normalize_name(text: str) -> str:
    """Fold a place name to its index key: case, diacritics, punctuation and a leading "the".

    >>> normalize_name("The Côte d’Ivoire")
    'cote divoire'
    """
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = anyascii(text)
    text = _APOSTROPHES.sub("", text.lower()).replace("&", " and ")
    text = _NON_ALNUM.sub(" ", text).strip()
    if text.startswith("the "):
        text = text[4:]
    return text


def abbreviation_key(text: str) -> str:
    """Abbreviations match case-sensitively with dots and spaces dropped: "U.S." == "US"."""
    return _ABBREV_STRIP.sub("", unicodedata.normalize("NFKC", text))


def default_gazetteer_path() -> Path:
    """The shipped gazetteer: inside the installed package, or data/ of a source checkout."""
    return _data_file("gazetteer.csv")


def default_demonyms_path() -> Path:
    return _data_file("demonyms.csv")


def _data_file(name: str) -> Path:
    packaged = resources.files("geotag") / "data" / name
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[2] / "data" / name
    if checkout.is_file():
        return checkout
    raise GazetteerError(
        f"the default {name} is missing: neither {packaged} nor {checkout} exists; "
        f"reinstall geotag or pass --gazetteer PATH"
    )


@dataclass(slots=True)
class _Columns:
    """The gazetteer's rows stored column by column (compact, and cheap to cache)."""

    geonameid: list[int | None]
    name: list[str]
    lat: list[float]
    lon: list[float]
    feature_class: list[str]
    feature_code: list[str]
    country_code: list[str]
    admin1_code: list[str]
    admin1_name: list[str]
    population: list[int]
    source: list[str]
    names: list[list[str]]
    abbreviations: list[list[str]]
    name_index: dict[str, list[int]]
    abbreviation_index: dict[str, list[int]]

    def build_indexes(self) -> None:
        names: dict[str, list[int]] = {}
        abbreviations: dict[str, list[int]] = {}
        for i, row_names in enumerate(self.names):
            for key in {normalize_name(n) for n in row_names}:
                if key:
                    names.setdefault(key, []).append(i)
            for abbr in {abbreviation_key(a) for a in self.abbreviations[i]}:
                abbreviations.setdefault(abbr, []).append(i)
        self.name_index = names
        self.abbreviation_index = abbreviations


class Gazetteer:
    """Places from a gazetteer CSV, indexed by normalised name and by abbreviation."""

    def __init__(
        self,
        columns: _Columns,
        demonyms: dict[str, DemonymTarget],
        path: Path | None = None,
        sha256: str = "",
    ) -> None:
        self._c = columns
        self.path = path
        self.sha256 = sha256
        self.demonyms = demonyms
        self._places: dict[int, Place] = {}
        self._names = columns.name_index
        self._abbreviations = columns.abbreviation_index
        self._countries: dict[str, int] = {}
        self._admin1: dict[tuple[str, str], int] = {}
        self._by_id: dict[int, int] | None = None
        self._index()

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

        The parsed columns are cached as JSON under the user cache directory, keyed by the
        CSV's SHA-256, so later start-ups skip parsing. A cache that does not parse or does
        not fit is rebuilt, never trusted.
        """
        if path is None:
            path = os.environ.get(GAZETTEER_ENV) or default_gazetteer_path()
        csv_path = Path(path)
        try:
            raw = csv_path.read_bytes()
        except FileNotFoundError:
            raise GazetteerError(f"gazetteer not found: {csv_path}") from None
        except IsADirectoryError:
            raise GazetteerError(f"gazetteer is a directory, not a CSV file: {csv_path}") from None
        except OSError as exc:
            raise GazetteerError(f"cannot read gazetteer {csv_path}: {exc.strerror}") from None
        digest = hashlib.sha256(raw).hexdigest()
        cache_file = _cache_file(digest) if cache else None
        columns = _read_cache(cache_file, digest) if cache_file else None
        if columns is None:
            columns = _parse_csv(raw, csv_path)
            if cache_file:
                _write_cache(cache_file, columns, digest)
        demonym_path = Path(demonyms) if demonyms else _optional_default_demonyms()
        table = read_demonyms(demonym_path) if demonym_path else {}
        return cls(columns, table, csv_path, digest)

    @classmethod
    def from_rows(
        cls, rows: Iterable[dict[str, str]], demonyms: dict[str, DemonymTarget] | None = None
    ) -> Gazetteer:
        """Build a gazetteer from dict rows with the CSV's columns (tests, small fixtures)."""
        return cls(_columns_from_records(rows, "<rows>"), demonyms or {})

    def _index(self) -> None:
        c = self._c
        for i, code in enumerate(c.feature_code):
            cc = c.country_code[i]
            if code in COUNTRY_CODES and cc:
                # Several rows can share a code (a breakaway unit); the most populous wins.
                best = self._countries.get(cc)
                if best is None or c.population[i] > c.population[best]:
                    self._countries[cc] = i
            elif code == "ADM1" and cc:
                self._admin1.setdefault((cc, c.admin1_code[i]), i)

    # -- queries -------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._c.name)

    def __iter__(self) -> Iterator[int]:
        return iter(range(len(self._c.name)))

    def place(self, row: int) -> Place:
        place = self._places.get(row)
        if place is None:
            c = self._c
            cc = c.country_code[row]
            country_row = self._countries.get(cc)
            place = Place(
                geonameid=c.geonameid[row],
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
        return self._names.get(normalize_name(name), [])

    def lookup_key(self, key: str) -> list[int]:
        """Rows for an already normalised key."""
        return self._names.get(key, [])

    def lookup_abbreviation(self, text: str) -> list[int]:
        return self._abbreviations.get(abbreviation_key(text), [])

    def names_of(self, row: int) -> list[str]:
        return self._c.names[row]

    def country_row(self, country_code: str) -> int | None:
        return self._countries.get(country_code)

    def admin1_row(self, country_code: str, admin1_code: str) -> int | None:
        return self._admin1.get((country_code, admin1_code))

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

    def by_geonameid(self, geonameid: int) -> int | None:
        if self._by_id is None:
            self._by_id = {}
            for i, gid in enumerate(self._c.geonameid):
                if gid is not None:
                    self._by_id.setdefault(gid, i)
        return self._by_id.get(geonameid)

    def feature_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for code in self._c.feature_code:
            counts[code] = counts.get(code, 0) + 1
        return counts

    def source_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for src in self._c.source:
            counts[src] = counts.get(src, 0) + 1
        return counts


# -- CSV parsing -------------------------------------------------------------------------


def _parse_csv(raw: bytes, path: Path) -> _Columns:
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


def _columns_from_records(records: Iterable[dict[str, str]], where: str) -> _Columns:
    c = _Columns([], [], [], [], [], [], [], [], [], [], [], [], [], {}, {})
    for number, rec in enumerate(records, start=2):
        if None in rec:
            raise GazetteerError(f"{where}:{number}: more fields than the header has columns")
        name = (rec.get("name") or "").strip()
        if not name:
            raise GazetteerError(f"{where}:{number}: column 'name' is empty")
        c.geonameid.append(_int_or_none(rec, "geonameid", where, number))
        c.name.append(name)
        c.lat.append(_coordinate(rec, "lat", 90.0, where, number))
        c.lon.append(_coordinate(rec, "lon", 180.0, where, number))
        c.feature_class.append((rec.get("feature_class") or "").strip())
        c.feature_code.append((rec.get("feature_code") or "").strip())
        c.country_code.append((rec.get("country_code") or "").strip().upper())
        c.admin1_code.append((rec.get("admin1_code") or "").strip())
        c.admin1_name.append((rec.get("admin1_name") or "").strip())
        c.population.append(_int_or_none(rec, "population", where, number) or 0)
        c.source.append((rec.get("source") or "").strip())
        alternates = [a.strip() for a in (rec.get("alternatenames") or "").split("|")]
        c.names.append([name, *(a for a in alternates if a and a != name)])
        c.abbreviations.append(
            [a.strip() for a in (rec.get("abbreviations") or "").split("|") if a.strip()]
        )
    c.build_indexes()
    return c


def _int_or_none(rec: dict[str, str], column: str, where: str, number: int) -> int | None:
    value = (rec.get(column) or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise GazetteerError(
            f"{where}:{number}: column '{column}': expected a whole number, got {value!r}"
        ) from None


def _coordinate(rec: dict[str, str], column: str, limit: float, where: str, number: int) -> float:
    value = (rec.get(column) or "").strip()
    try:
        number_value = float(value)
    except ValueError:
        raise GazetteerError(
            f"{where}:{number}: column '{column}': expected a number, got {value!r}"
        ) from None
    if not -limit <= number_value <= limit:
        raise GazetteerError(
            f"{where}:{number}: column '{column}': {number_value} is outside "
            f"[-{limit:g}, {limit:g}]"
        )
    return number_value


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
                gid = _int_or_none(rec, "geonameid", str(path), number)
                if word and (cc or gid is not None or target):
                    table.setdefault(word, DemonymTarget(cc, gid, target))
    except OSError as exc:
        raise GazetteerError(f"cannot read demonyms {path}: {exc.strerror}") from None
    return table


def _optional_default_demonyms() -> Path | None:
    try:
        return default_demonyms_path()
    except GazetteerError:
        return None


# -- cache -------------------------------------------------------------------------------


def cache_dir() -> Path:
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("geotag", appauthor=False))


def _cache_file(digest: str) -> Path:
    return cache_dir() / f"gazetteer-{digest[:32]}-v{CACHE_FORMAT}.json"


_ROW_COLUMNS = tuple(k for k in _Columns.__slots__ if not k.endswith("_index"))


def _read_cache(path: Path, digest: str) -> _Columns | None:
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("sha256") != digest:
        return None
    try:
        columns = _Columns(**{k: data[k] for k in _Columns.__slots__})
    except (KeyError, TypeError):
        return None
    rows = len(columns.name)
    if any(not isinstance(getattr(columns, k), list) for k in _ROW_COLUMNS):
        return None
    if any(len(getattr(columns, k)) != rows for k in _ROW_COLUMNS):
        return None
    for index in (columns.name_index, columns.abbreviation_index):
        if not isinstance(index, dict):
            return None
        for hits in index.values():
            if not isinstance(hits, list) or any(
                not isinstance(i, int) or not 0 <= i < rows for i in hits
            ):
                return None
    return columns


def _write_cache(path: Path, columns: _Columns, digest: str) -> None:
    payload: dict[str, Any] = {k: getattr(columns, k) for k in _Columns.__slots__}
    payload["sha256"] = digest
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(orjson.dumps(payload))
        os.replace(tmp, path)
    except OSError:
        # A read-only or full cache directory only costs start-up time.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
