"""`geotag gazetteer info`: which gazetteer file is in use and what is in it."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from .lookup import Gazetteer


@dataclass(frozen=True, slots=True)
class GazetteerInfo:
    """`geotag gazetteer info`: which file, how big, what is in it, where it came from."""

    path: str
    sha256: str
    size: int
    modified: str
    rows: int
    feature_codes: tuple[tuple[str, str, int], ...]  # class, code, rows
    sources: tuple[tuple[str, int], ...]
    demonyms: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "bytes": self.size,
            "modified": self.modified,
            "rows": self.rows,
            "feature_codes": [
                {"feature_class": cls, "feature_code": code, "rows": n}
                for cls, code, n in self.feature_codes
            ],
            "sources": dict(self.sources),
            "demonyms": self.demonyms,
        }


def describe(gazetteer: Gazetteer) -> GazetteerInfo:
    """Counts by feature code and by source token; the file's size, mtime and SHA-256."""
    path = gazetteer.path
    size, modified = 0, ""
    if path is not None:
        with contextlib.suppress(OSError):
            stat = path.stat()
            size = stat.st_size
            when = datetime.fromtimestamp(stat.st_mtime, tz=timezone.utc)
            modified = when.isoformat(timespec="seconds").replace("+00:00", "Z")
    by_code = gazetteer.feature_class_counts()
    tokens: dict[str, int] = {}
    for source, n in gazetteer.provenance_counts().items():
        for token in source.split("+"):
            tokens[token or "(none)"] = tokens.get(token or "(none)", 0) + n
    return GazetteerInfo(
        path=str(path) if path is not None else "",
        sha256=gazetteer.sha256,
        size=size,
        modified=modified,
        rows=len(gazetteer),
        feature_codes=tuple(
            (cls, code, n) for (cls, code), n in sorted(by_code.items(), key=lambda kv: -kv[1])
        ),
        sources=tuple(sorted(tokens.items(), key=lambda kv: -kv[1])),
        demonyms=len(gazetteer.demonyms),
    )
