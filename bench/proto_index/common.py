"""PROTOTYPE (issue 13, not part of the package): what both index designs share: the
gazetteer CSV read as a stream (hashed on the way, never held whole), one parsed row at a
time, the name keys of a row, and the stat-based content key of a CSV.

Meant to be ported into `geotag/gazetteer/` by the lead; it imports the package only for
what must stay identical (columns, normalisation, country codes, the Place model).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

from geotag.errors import GazetteerError
from geotag.gazetteer import COLUMNS, REQUIRED, abbreviation_key, normalize_name

NO_ID = -1
READ_CHUNK = 1 << 20

# normalize_name's rules for ASCII text (the bulk of any gazetteer), as one translate and
# one split: about three times faster than the regular expressions, and identical (see
# check_fast_key). Anything else goes through normalize_name itself.
_ASCII_KEEP = "abcdefghijklmnopqrstuvwxyz0123456789"
_ASCII_FOLD = str.maketrans(
    {chr(c): (chr(c) if chr(c) in _ASCII_KEEP else " ") for c in range(128)}
    | {"'": None, "`": None, "&": " and "}
)


def name_key(text: str) -> str:
    """normalize_name(text), with a fast path for ASCII input."""
    if not text.isascii():
        return normalize_name(text)
    key = " ".join(text.lower().translate(_ASCII_FOLD).split())
    return key[4:] if key.startswith("the ") else key


def check_fast_key(names: list[str]) -> None:
    """Raise if the fast path ever disagrees with normalize_name (run on real names)."""
    for name in names:
        if name_key(name) != normalize_name(name):
            raise AssertionError(f"{name!r}: {name_key(name)!r} != {normalize_name(name)!r}")


class _HashingReader(io.RawIOBase):
    """A binary file that feeds every byte it hands out to a hash: the CSV is hashed in
    the same single pass that parses it, in bounded memory."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer)
        n = self.raw.readinto(view)  # type: ignore[attr-defined]
        if n:
            self.hash.update(view[:n])
            self.size += n
        return n or 0


class Row(NamedTuple):
    """One gazetteer row as the index stores it (texts already stripped). A named tuple:
    made millions of times, a frozen dataclass's __init__ costs twice as much."""

    geonameid: int
    name: str
    lat: float
    lon: float
    population: int
    feature_class: str
    feature_code: str
    country_code: str
    admin1_code: str
    admin1_name: str
    source: str
    name_keys: set[str]
    abbreviation_keys: set[str]


# Canonical column order of the values a Row is made from (after the header is mapped).
_WANTED = ("geonameid", "name", "alternatenames", "abbreviations", "lat", "lon",
           "feature_class", "feature_code", "country_code", "admin1_code", "admin1_name",
           "population", "source")  # fmt: skip


class CsvStream:
    """Rows of a gazetteer CSV, one at a time; `sha256` and `size` are known once the
    stream is exhausted."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._raw: _HashingReader | None = None

    def __iter__(self) -> Iterator[Row]:
        try:
            f = self.path.open("rb")
        except OSError as exc:
            raise GazetteerError(f"cannot read gazetteer {self.path}: {exc.strerror}") from None
        with f:
            self._raw = _HashingReader(f)
            text = io.TextIOWrapper(
                io.BufferedReader(self._raw, READ_CHUNK), encoding="utf-8-sig", newline=""
            )
            reader = csv.reader(text)
            header = next(reader, [])
            missing = [c for c in REQUIRED if c not in header]
            if missing:
                raise GazetteerError(
                    f"{self.path}:1: header lacks column(s) {', '.join(missing)}; "
                    f"expected the columns {','.join(COLUMNS)}"
                )
            width = len(header)
            # Missing optional columns read from an always-empty extra cell.
            positions = [header.index(c) if c in header else width for c in _WANTED]
            try:
                for number, cells in enumerate(reader, start=2):
                    if len(cells) > width:
                        raise GazetteerError(
                            f"{self.path}:{number}: more fields than the header has columns"
                        )
                    cells += [""] * (width + 1 - len(cells))
                    yield self._row([cells[i].strip() for i in positions], number)
            except UnicodeDecodeError:
                raise GazetteerError(f"{self.path}: not valid UTF-8") from None

    @property
    def sha256(self) -> str:
        assert self._raw is not None
        return self._raw.hash.hexdigest()

    @property
    def size(self) -> int:
        assert self._raw is not None
        return self._raw.size

    def _row(self, cells: list[str], number: int) -> Row:
        (gid, name, alternates, abbreviations, lat, lon, feature_class, feature_code,
         country_code, admin1_code, admin1_name, population, source) = cells  # fmt: skip
        if not name:
            raise GazetteerError(f"{self.path}:{number}: column 'name' is empty")
        keys = {name_key(name)}
        if alternates:
            keys.update(name_key(n) for n in alternates.split("|"))
        keys.discard("")
        abbreviation_keys: set[str] = set()
        if abbreviations:
            abbreviation_keys = {abbreviation_key(a) for a in abbreviations.split("|")}
            abbreviation_keys.discard("")
        where = f"{self.path}:{number}"
        return Row(
            _whole(gid, "geonameid", where, NO_ID),
            name,
            _coordinate(lat, "lat", 90.0, where),
            _coordinate(lon, "lon", 180.0, where),
            _whole(population, "population", where, 0),
            feature_class,
            feature_code,
            country_code.upper(),
            admin1_code,
            admin1_name,
            source,
            keys,
            abbreviation_keys,
        )


def _whole(value: str, column: str, where: str, empty: int) -> int:
    if not value:
        return empty
    try:
        return int(value)
    except ValueError:
        raise GazetteerError(
            f"{where}: column '{column}': expected a whole number, got {value!r}"
        ) from None


def _coordinate(value: str, column: str, limit: float, where: str) -> float:
    try:
        number = float(value)
    except ValueError:
        raise GazetteerError(
            f"{where}: column '{column}': expected a number, got {value!r}"
        ) from None
    if not -limit <= number <= limit:
        raise GazetteerError(
            f"{where}: column '{column}': {number} is outside [-{limit:g}, {limit:g}]"
        )
    return number


# -- the content key -------------------------------------------------------------------------

# Files changed within this long of the cache's build may have changed again in the same
# clock tick without moving mtime ("racy" in git's sense): such a stat key is not trusted.
RACY_NS = 2_000_000_000


@dataclass(frozen=True, slots=True)
class StatKey:
    """Who the CSV is, cheaply: without reading it. Path, device, inode, size and mtime
    change whenever the file is replaced or rewritten; `os.replace` of a new build gives a
    new inode even when size and mtime collide."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> StatKey:
        real = path.resolve()
        st = real.stat()
        return cls(str(real), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def digest(self) -> str:
        text = f"{self.path}\0{self.device}\0{self.inode}\0{self.size}\0{self.mtime_ns}"
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def to_list(self) -> list[object]:
        return [self.path, self.device, self.inode, self.size, self.mtime_ns]


def trusted(recorded: list[object], current: StatKey, built_at_ns: int) -> bool:
    """The cache's recorded stat key still names the CSV, and the CSV was not modified so
    close to the build that a same-tick edit could hide."""
    return recorded == current.to_list() and current.mtime_ns < built_at_ns - RACY_NS


def sample_lookups(path: Path, count: int = 1_000, seed: int = 13) -> list[str]:
    """Names to look up: 70% primary names of random rows (so common names come up as
    often as they are common), 20% alternate names, 10% names that are not there. One
    streamed pass (reservoir sampling); the same list for a file and seed."""
    import random

    rng = random.Random(seed)
    primaries: list[str] = []
    alternates: list[str] = []
    want_p, want_a = count * 7 // 10, count * 2 // 10
    seen_p = seen_a = 0
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            seen_p += 1
            if len(primaries) < want_p:
                primaries.append(row["name"])
            elif (j := rng.randrange(seen_p)) < want_p:
                primaries[j] = row["name"]
            for alt in (row.get("alternatenames") or "").split("|"):
                if not alt:
                    continue
                seen_a += 1
                if len(alternates) < want_a:
                    alternates.append(alt)
                elif (j := rng.randrange(seen_a)) < want_a:
                    alternates[j] = alt
    misses = [f"Nowhere {i} {rng.randrange(10**9)}" for i in range(count - want_p - want_a)]
    names = primaries + alternates + misses
    rng.shuffle(names)
    return names
