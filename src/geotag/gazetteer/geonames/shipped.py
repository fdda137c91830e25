"""What a GeoNames import borrows from the shipped gazetteer: points for countries,
regions and continents the dump lacks, and (extras) its hand-written rows, names and
abbreviations."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..packaged import default_gazetteer_path
from ..schema import COUNTRY_CODES


@dataclass(slots=True)
class Shipped:
    """The shipped gazetteer's rows an import may borrow from, as CSV cells by column."""

    by_id: dict[int, dict[str, str]] = field(default_factory=dict)
    countries: dict[str, dict[str, str]] = field(default_factory=dict)
    continents: list[dict[str, str]] = field(default_factory=list)
    hand_written: list[dict[str, str]] = field(default_factory=list)


_shipped_memo: dict[tuple[str, int, int], Shipped] = {}


def read_shipped(path: Path | None = None) -> Shipped:
    """The rows an import may borrow from: everything but plain cities (most of the file).
    Read once per process and file version."""
    path = path if path is not None else default_gazetteer_path()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _shipped_memo:
        _shipped_memo.clear()
        _shipped_memo[key] = _read_shipped(path)
    return _shipped_memo[key]


def _read_shipped(path: Path) -> Shipped:
    shipped = Shipped()
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader, [])
        cls_at, abbr_at = header.index("feature_class"), header.index("abbreviations")
        src_at = header.index("source")
        for cells in reader:
            # A city matters only if it has abbreviations or was corrected by hand.
            if cells[cls_at] == "P" and not cells[abbr_at] and "geotag" not in cells[src_at]:
                continue
            row = dict(zip(header, cells, strict=False))
            gid = row.get("geonameid", "").strip()
            if gid.isdigit():
                shipped.by_id[int(gid)] = row
            code, cc = row.get("feature_code", ""), row.get("country_code", "")
            if code in COUNTRY_CODES and cc:
                best = shipped.countries.get(cc)
                if best is None or int(row["population"] or 0) > int(best["population"] or 0):
                    shipped.countries[cc] = row
            elif code == "CONT":
                shipped.continents.append(row)
            if _is_hand_written(row):
                shipped.hand_written.append(row)
    return shipped


def _is_hand_written(row: dict[str, str]) -> bool:
    """A row written in data/sources/ (a sea, river, region, landmark), as opposed to a
    GeoNames country, region or city that was only corrected there (those come from the
    dump, with the corrections borrowed by id)."""
    if "geotag" not in row.get("source", "").split("+"):
        return False
    return not row.get("geonameid") or row.get("feature_class", "") not in ("A", "P")


def split_names(value: str | None) -> list[str]:
    """A `|`-separated cell as its names."""
    return [v for v in (value or "").split("|") if v]


def joined_sources(*sources: str) -> str:
    """Provenances merged into one `source` cell: each token once, sorted, `+`-joined."""
    return "+".join(sorted({t for s in sources for t in s.split("+") if t}))
