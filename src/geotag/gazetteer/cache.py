"""Where a gazetteer CSV's compiled index comes from, and when it may be trusted.

An index is found, in this order: in the cache folder (compiled there on an earlier first
use), or next to the CSV (`X.csv.index`, written by `geotag gazetteer build`, or shipped
inside the package for the default gazetteer); else the CSV is compiled into the cache
folder, under a lock so that two processes starting together compile it once.

Trust costs nothing on a warm start: a small trust record in the cache folder says which
CSV (path, device, inode, size, modification and change times) has which content, and
which index file (same identity) answers for it, as of when that was checked. When the
CSV or the index is not exactly as recorded, or the CSV changed so close to the check that
a same-tick edit could hide, the record is not used: the CSV is hashed (SHA-256, one
streaming pass), the index's own checksum is verified, and a new record is written. A
record or index that does not fit is never trusted, and nothing in them is executed.

The cache folder holds other programs' files and the user's own: geotag deletes only files
whose first bytes are one of its own signatures.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import orjson

from ..errors import GazetteerError
from .index.format import FORMAT, MAGIC, IndexDamaged
from .index.reader import MappedIndex
from .index.writer import compile_csv

CACHE_ENV = "GEOTAG_CACHE_DIR"
TRUST_MAGIC = b"GEOTAG-GAZTRUST\n"
# The cache format of geotag 0.x before memory-mapped indexes: still recognised as ours.
OLD_MAGIC = b"GEOTAG-GAZETTEER-INDEX\n"
OWN_MAGICS = (MAGIC, TRUST_MAGIC, OLD_MAGIC)
SIBLING_SUFFIX = ".index"
# A file changed within this long of a check may have changed again in the same clock tick
# without its times moving (git's "racy" case): such a record is checked again.
RACY_NS = 2_000_000_000
CACHE_KEEP = 5  # gazetteers whose compiled index and trust record are kept
LOCK_NAME = "gazetteer.lock"


def cache_dir() -> Path:
    """geotag's cache folder ($GEOTAG_CACHE_DIR, else the user cache directory); the
    geocoder keeps its answers there too."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("geotag", appauthor=False))


def sibling_index(csv_path: Path) -> Path:
    """Where `geotag gazetteer build` leaves the index of the CSV it writes."""
    return csv_path.with_name(csv_path.name + SIBLING_SUFFIX)


@dataclass(frozen=True, slots=True)
class FileKey:
    """Who a file is, without reading it: any rewrite, replacement, move or copy changes
    one of these (the change time cannot be set back by anyone)."""

    path: str
    device: int
    inode: int
    size: int
    mtime_ns: int
    ctime_ns: int

    @classmethod
    def of(cls, path: Path) -> FileKey:
        real = path.resolve()
        st = real.stat()
        return cls(str(real), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def digest(self) -> str:
        text = "\0".join(str(v) for v in (self.path, self.device, self.inode, self.size))
        text += f"\0{self.mtime_ns}\0{self.ctime_ns}"
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def to_list(self) -> list[object]:
        return [self.path, self.device, self.inode, self.size, self.mtime_ns, self.ctime_ns]

    def settled_before(self, checked_ns: int) -> bool:
        """Last changed well before `checked_ns`: a later change would show in its times."""
        return max(self.mtime_ns, self.ctime_ns) < checked_ns - RACY_NS


def csv_key(csv_path: Path) -> FileKey:
    """The CSV's FileKey, or GazetteerError saying why it cannot be read."""
    try:
        key = FileKey.of(csv_path)
    except FileNotFoundError:
        raise GazetteerError(f"gazetteer not found: {csv_path}") from None
    except OSError as exc:
        raise GazetteerError(f"cannot read gazetteer {csv_path}: {exc.strerror}") from None
    if Path(key.path).is_dir():
        raise GazetteerError(f"gazetteer is a directory, not a CSV file: {csv_path}")
    return key


def _entry(folder: Path, key: FileKey, kind: str) -> Path:
    return folder / f"gazetteer-{key.digest()}-f{FORMAT}.{kind}"


# -- trust records -------------------------------------------------------------------------


def _read_trust(path: Path) -> dict[str, object] | None:
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if not raw.startswith(TRUST_MAGIC) or len(raw) > 1 << 16:
        return None
    try:
        record = orjson.loads(raw[len(TRUST_MAGIC) :])
    except orjson.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def write_trust(folder: Path, key: FileKey, sha256: str, index: Path, checked_ns: int) -> None:
    """Record that the CSV `key` has this content, answered by `index` as it is now. A
    cache folder that cannot be written costs a re-check next time, nothing else."""
    with contextlib.suppress(OSError):
        record = {
            "csv": key.to_list(),
            "sha256": sha256,
            "index": FileKey.of(index).to_list(),
            "checked_ns": checked_ns,
        }
        _write_atomically(_entry(folder, key, "trust"), TRUST_MAGIC + orjson.dumps(record))


def _trusted(folder: Path, key: FileKey) -> tuple[MappedIndex, str] | None:
    """The index a valid trust record names for this CSV, and the CSV's SHA-256."""
    record = _read_trust(_entry(folder, key, "trust"))
    if record is None:
        return None
    checked = record.get("checked_ns")
    index_key = record.get("index")
    sha256 = record.get("sha256")
    if (
        not isinstance(checked, int)
        or not isinstance(index_key, list)
        or not isinstance(sha256, str)
        or record.get("csv") != key.to_list()
        or not key.settled_before(checked)
    ):
        return None
    index_path = Path(str(index_key[0]))
    try:
        current = FileKey.of(index_path)
    except OSError:
        return None
    # geotag never rewrites an index in place: one that is not exactly as recorded has
    # been touched by something else.
    if current.to_list() != index_key:
        return None
    try:
        index = MappedIndex(index_path)
    except IndexDamaged:
        return None
    if index.header.get("sha256") != sha256 or index.stat.st_ino != current.inode:
        return None
    return index, sha256


# -- finding, checking and compiling ----------------------------------------------------------


def open_index(csv_path: Path, use_cache: bool = True) -> tuple[MappedIndex, str]:
    """The index of the CSV at `csv_path` and the CSV's SHA-256.

    Raises GazetteerError for a CSV that is missing or malformed (`FILE:LINE: reason`).
    Without `use_cache` nothing is read from or written to the cache folder: an index
    next to the CSV is checked and used, else the CSV is compiled into a temporary file.
    """
    for child in list(_ahead):
        if child.poll() is not None:
            _ahead.remove(child)
    key = csv_key(csv_path)
    folder = cache_dir()
    found = _find(csv_path, key, folder if use_cache else None)
    if found is not None:
        return found
    if not use_cache:
        return _compile_private(csv_path)
    return _compile_cached(csv_path, key, folder)


def compile_ahead(csv_path: Path) -> subprocess.Popen[bytes] | None:
    """Start compiling the CSV into the cache folder in another process when no index
    answers for it, and return at once. A first run then compiles on one core while it
    loads spaCy on the other; its own `open_index` waits on the cache lock for the index
    instead of compiling it again. Does nothing when an index may already answer (a trust
    record, or an index in the cache folder or beside the CSV, checked when loading) or
    the CSV cannot be read (loading then says why)."""
    try:
        key = csv_key(csv_path)
    except GazetteerError:
        return None
    folder = cache_dir()
    if _entry(folder, key, "trust").is_file() or _entry(folder, key, "index").is_file():
        return None
    if sibling_index(csv_path).is_file():
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        child = subprocess.Popen(
            [sys.executable, "-c", _COMPILE_AHEAD, str(csv_path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, CACHE_ENV: str(folder)},
        )
    except OSError:
        return None
    _ahead.append(child)
    return child


# Children of compile_ahead, kept until they are seen to end (reaped by open_index).
_ahead: list[subprocess.Popen[bytes]] = []


# The child of compile_ahead: a malformed CSV is reported by the parent, which compiles
# again when it finds no index, so errors here are not shown.
_COMPILE_AHEAD = """
import sys
from pathlib import Path
from geotag.gazetteer.cache import open_index
open_index(Path(sys.argv[1]))
"""


def _find(csv_path: Path, key: FileKey, folder: Path | None) -> tuple[MappedIndex, str] | None:
    """An index that answers for the CSV: by a trust record (no reading), else one in the
    cache folder or next to the CSV whose recorded SHA-256 is the CSV's and whose checksum
    holds (then recorded as trusted)."""
    if folder is not None:
        found = _trusted(folder, key)
        if found is not None:
            return found
    checked = time.time_ns()
    candidates = [sibling_index(csv_path)]
    if folder is not None:
        candidates.insert(0, _entry(folder, key, "index"))
    sha256: str | None = None
    for path in candidates:
        try:
            index = MappedIndex(path)
        except IndexDamaged:
            continue
        if index.header.get("csv_bytes") != key.size:
            continue
        if sha256 is None:
            sha256 = _sha256(csv_path)
        if index.header.get("sha256") != sha256:
            continue
        try:
            index.verify()
        except IndexDamaged:
            continue
        if folder is not None:
            write_trust(folder, key, sha256, path, checked)
        return index, sha256
    return None


def _compile_cached(csv_path: Path, key: FileKey, folder: Path) -> tuple[MappedIndex, str]:
    """Compile into the cache folder, one process at a time; a process that waited for
    another finds the index it compiled."""
    # Imported here: only a first use compiles, and the library takes a while to import.
    from filelock import FileLock

    # The kernel drops the lock when its holder dies, so a process killed while compiling
    # never blocks the others.
    lock = FileLock(folder / LOCK_NAME)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        lock.acquire()
    except OSError:
        return _compile_private(csv_path)
    try:
        found = _find(csv_path, key, folder)
        if found is not None:
            return found
        out = _entry(folder, key, "index")
        checked = time.time_ns()
        try:
            summary = compile_csv(csv_path, out)
        except OSError:
            # A full or read-only cache folder only costs start-up time.
            return _compile_private(csv_path)
        index = MappedIndex(out)
        write_trust(folder, key, summary.sha256, out, checked)
        prune_cache(folder, keep={out.name, _entry(folder, key, "trust").name})
        return index, summary.sha256
    finally:
        lock.release()


def _compile_private(csv_path: Path) -> tuple[MappedIndex, str]:
    """Compile into a temporary file that is gone once mapped (the mapping stays)."""
    with tempfile.TemporaryDirectory(prefix="geotag-") as tmp:
        out = Path(tmp) / "gazetteer.index"
        summary = compile_csv(csv_path, out)
        return MappedIndex(out), summary.sha256


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 20):
                digest.update(chunk)
    except OSError as exc:
        raise GazetteerError(f"cannot read gazetteer {path}: {exc.strerror}") from None
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


# -- pruning ----------------------------------------------------------------------------------


def is_own_file(path: Path) -> bool:
    """True only for a file that starts with one of geotag's signatures."""
    try:
        with path.open("rb") as f:
            head = f.read(max(len(m) for m in OWN_MAGICS))
    except OSError:
        return False
    return any(head.startswith(magic) for magic in OWN_MAGICS)


def prune_cache(folder: Path, keep: set[str]) -> None:
    """Delete geotag's own gazetteer files of older formats, and all but the CACHE_KEEP
    most recently used gazetteers'. A file is deleted only if it carries a geotag
    signature: whatever else lies in the folder is left alone, whatever its name."""
    current = f"-f{FORMAT}."
    groups: dict[str, list[tuple[float, Path]]] = {}
    for path in folder.glob("gazetteer-*"):
        if path.name in keep or not path.is_file() or path.is_symlink():
            continue
        if not is_own_file(path):
            continue
        if current not in path.name:
            with contextlib.suppress(OSError):
                path.unlink()
            continue
        stem = path.name.rsplit(".", 1)[0]
        with contextlib.suppress(OSError):
            groups.setdefault(stem, []).append((path.stat().st_mtime, path))
    recent = sorted(groups.values(), key=lambda files: -max(t for t, _ in files))
    for files in recent[CACHE_KEEP - 1 :]:
        for _, path in files:
            with contextlib.suppress(OSError):
                path.unlink()
