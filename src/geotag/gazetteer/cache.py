"""The compiled gazetteer index cached on disk, keyed by the CSV's SHA-256, so start-up
skips parsing the CSV. The file is a small JSON header followed by plain bytes (numeric
arrays and text columns); nothing in it is executed when read, a checksum guards the bytes,
and a file that does not fit is rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import sys
from array import array
from pathlib import Path
from typing import Any

import orjson

from .columns import NUMBER_COLUMNS, TEXT_COLUMNS, Columns, NameIndex, TextColumn

CACHE_ENV = "GEOTAG_CACHE_DIR"
# Bump whenever the compiled layout or the normalisation changes: old caches are then ignored.
CACHE_FORMAT = 5


def cache_dir() -> Path:
    """geotag's cache folder ($GEOTAG_CACHE_DIR, else the user cache directory); the
    geocoder keeps its answers there too."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("geotag", appauthor=False))


def cache_file(digest: str) -> Path:
    return cache_dir() / f"gazetteer-{digest[:32]}-v{CACHE_FORMAT}.index"


_MAGIC = b"GEOTAG-GAZETTEER-INDEX\n"


def write_cache(path: Path, table: Columns, digest: str) -> None:
    """A small JSON header, then plain bytes: numeric arrays and text columns.
    Nothing in it is executed when read; a checksum guards the bytes."""
    sections: list[tuple[str, bytes]] = []
    for col, _ in NUMBER_COLUMNS:
        sections.append((col, getattr(table, col).tobytes()))
    columns: list[tuple[str, TextColumn]] = [(c, getattr(table, c)) for c in TEXT_COLUMNS]
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
        prune_cache(path)
    except OSError:
        # A read-only or full cache directory only costs start-up time.
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


CACHE_KEEP = 5


def prune_cache(current: Path) -> None:
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


def read_cache(path: Path, digest: str) -> Columns | None:
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
        for col, code in NUMBER_COLUMNS:
            fields[col] = _array(code, parts[col], rows)
        for col in TEXT_COLUMNS:
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
    return Columns(**fields, countries=countries, regions=regions)


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
