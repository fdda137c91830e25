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
CACHE_FORMAT = 4

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


class NameIndex:
    """Normalised key -> gazetteer rows, stored flat (sorted keys, offsets, rows) so the
    cache holds it as plain bytes and loads it without building a million small objects."""

    __slots__ = ("_slot", "keys", "offsets", "rows")

    def __init__(self, keys: list[str], offsets: array[int], rows: array[int]) -> None:
        self.keys = keys
        self.offsets = offsets
        self.rows = rows
        self._slot = {k: i for i, k in enumerate(keys)}

    @classmethod
    def build(cls, table: dict[str, list[int]]) -> NameIndex:
        keys = sorted(table)
        offsets = array("i", [0])
        rows = array("i")
        for key in keys:
            rows.extend(table[key])
            offsets.append(len(rows))
        return cls(keys, offsets, rows)

    def get(self, key: str) -> list[int]:
        i = self._slot.get(key)
        if i is None:
            return []
        return self.rows[self.offsets[i] : self.offsets[i + 1]].tolist()

    def __len__(self) -> int:
        return len(self.keys)

    def valid(self, n_rows: int) -> bool:
        offsets, rows = self.offsets, self.rows
        if len(offsets) != len(self.keys) + 1 or offsets[0] != 0 or offsets[-1] != len(rows):
            return False
        if any(offsets[i] > offsets[i + 1] for i in range(len(self.keys))):
            return False
        return not rows or (min(rows) >= 0 and max(rows) < n_rows)


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
    name: list[str]
    feature_class: list[str]
    feature_code: list[str]
    country_code: list[str]
    admin1_code: list[str]
    admin1_name: list[str]
    source: list[str]
    names: NameIndex
    abbreviations: NameIndex


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
        return cls(_table_from_records(rows, "<rows>"), demonyms or {})

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

    def demonym_names_people(self, word: str) -> bool:
        """True when a listed demonym is a word for the people ("Syrians", "Turk", "Briton",
        "Frenchman"), False when it is (also) the adjective ("Syrian", "Turkish")."""
        key = normalize_name(word)
        target = self.demonyms.get(key)
        if target is None:
            return False
        if key.endswith("men") or key.endswith("man"):
            return True
        if key.endswith("s") and key[:-1] in self.demonyms:
            return True
        if key + "s" not in self.demonyms:
            return False
        # "Turk" has a plural and its country has another singular form ("Turkish"): a noun.
        return any(
            other != key and not other.endswith("s") and t == target
            for other, t in self.demonyms.items()
        )

    def by_geonameid(self, geonameid: int) -> int | None:
        if self._by_id is None:
            self._by_id = {}
            for i, gid in enumerate(self._c.geonameid):
                if gid != NO_ID:
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
    c = _Table(
        array("q"), array("d"), array("d"), array("q"), [], [], [], [], [], [], [],
        NameIndex.build({}), NameIndex.build({}),
    )  # fmt: skip
    names: dict[str, list[int]] = {}
    abbreviations: dict[str, list[int]] = {}
    for i, (number, rec) in enumerate(enumerate(records, start=2)):
        if None in rec:
            raise GazetteerError(f"{where}:{number}: more fields than the header has columns")
        name = (rec.get("name") or "").strip()
        if not name:
            raise GazetteerError(f"{where}:{number}: column 'name' is empty")
        gid = _int_or_none(rec, "geonameid", where, number)
        c.geonameid.append(NO_ID if gid is None else gid)
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
        alternates = (rec.get("alternatenames") or "").split("|")
        for key in {normalize_name(n) for n in (name, *alternates)}:
            if key:
                names.setdefault(key, []).append(i)
        for abbr in {abbreviation_key(a) for a in (rec.get("abbreviations") or "").split("|")}:
            if abbr:
                abbreviations.setdefault(abbr, []).append(i)
    c.names = NameIndex.build(names)
    c.abbreviations = NameIndex.build(abbreviations)
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
    return cache_dir() / f"gazetteer-{digest[:32]}-v{CACHE_FORMAT}.index"


_MAGIC = b"GEOTAG-GAZETTEER-INDEX\n"
_SEPARATOR = "\x1f"  # the unit separator never occurs in a name


def _encode_texts(values: list[str]) -> bytes:
    return _SEPARATOR.join(values).encode("utf-8")


def _decode_texts(data: bytes, count: int) -> list[str] | None:
    values = data.decode("utf-8").split(_SEPARATOR) if count else []
    return values if len(values) == count else None


def _write_cache(path: Path, table: _Table, digest: str) -> None:
    """A small JSON header, then plain bytes: arrays and separator-joined strings.
    Nothing in it is executed when read."""
    sections: list[tuple[str, bytes]] = []
    for col, _ in _NUMBER_COLUMNS:
        sections.append((col, getattr(table, col).tobytes()))
    for col in _TEXT_COLUMNS:
        sections.append((col, _encode_texts(getattr(table, col))))
    for name in ("names", "abbreviations"):
        index: NameIndex = getattr(table, name)
        sections.append((f"{name}.keys", _encode_texts(index.keys)))
        sections.append((f"{name}.offsets", index.offsets.tobytes()))
        sections.append((f"{name}.rows", index.rows.tobytes()))
    header = {
        "format": CACHE_FORMAT,
        "sha256": digest,
        "byteorder": sys.byteorder,
        "rows": len(table.name),
        "keys": {"names": len(table.names), "abbreviations": len(table.abbreviations)},
        "sections": [[name, len(data)] for name, data in sections],
    }
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as f:
            f.write(_MAGIC + orjson.dumps(header) + b"\n")
            for _, data in sections:
                f.write(data)
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
    """The cached table, or None when the file is missing, stale, or does not add up."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(_MAGIC):
        return None
    end = raw.find(b"\n", len(_MAGIC))
    try:
        header = orjson.loads(raw[len(_MAGIC) : end])
        if (
            header["format"] != CACHE_FORMAT
            or header["sha256"] != digest
            or header["byteorder"] != sys.byteorder
        ):
            return None
        rows = int(header["rows"])
        parts: dict[str, bytes] = {}
        pos = end + 1
        for name, size in header["sections"]:
            parts[name] = raw[pos : pos + size]
            pos += size
        if pos != len(raw):
            return None
        numbers = {}
        for col, code in _NUMBER_COLUMNS:
            numbers[col] = _array(code, parts[col], rows)
        texts = {col: _decode_texts(parts[col], rows) for col in _TEXT_COLUMNS}
        indexes = {}
        for name in ("names", "abbreviations"):
            n_keys = int(header["keys"][name])
            keys = _decode_texts(parts[f"{name}.keys"], n_keys)
            offsets = _array("i", parts[f"{name}.offsets"], n_keys + 1)
            hits = _array("i", parts[f"{name}.rows"], None)
            if keys is None or offsets is None or hits is None:
                return None
            index = NameIndex(keys, offsets, hits)
            if not index.valid(rows):
                return None
            indexes[name] = index
    except (KeyError, TypeError, ValueError, UnicodeDecodeError, orjson.JSONDecodeError):
        return None
    if any(v is None for v in numbers.values()) or any(v is None for v in texts.values()):
        return None
    return _Table(**numbers, **texts, **indexes)  # type: ignore[arg-type]


def _array(code: str, data: bytes, count: int | None) -> array[Any] | None:
    values = array(code)
    if len(data) % values.itemsize:
        return None
    values.frombytes(data)
    return values if count is None or len(values) == count else None
