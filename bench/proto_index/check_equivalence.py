"""PROTOTYPE check: both index designs answer exactly as today's Gazetteer does, on a
gazetteer CSV (default: the shipped one), and design (a) refuses damaged files.

    python bench/proto_index/check_equivalence.py [GAZ.csv] [--sample 20000]

Compares, for a sample of names (primary and alternate) and of abbreviations: the rows
of every key, the Place of every row found, geonameid lookups, the country and region
tables, and the feature counts. Also checks that the fast ASCII key path equals
normalize_name on every name of the CSV. Exits 1 on the first difference.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from geotag.gazetteer import Gazetteer, abbreviation_key, default_gazetteer_path  # noqa: E402
from proto_index import mmap_index, sqlite_index  # noqa: E402
from proto_index.common import check_fast_key, name_key  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("csv", type=Path, nargs="?", default=default_gazetteer_path())
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    names: list[str] = []
    abbreviations: list[str] = []
    ids: list[int] = []
    with args.csv.open(encoding="utf-8-sig", newline="") as f:
        for record in csv.DictReader(f):
            names.append(record["name"])
            names += [a for a in record["alternatenames"].split("|") if a]
            abbreviations += [a for a in record["abbreviations"].split("|") if a]
            if record["geonameid"]:
                ids.append(int(record["geonameid"]))
    check_fast_key(names)
    rng = random.Random(5)
    sample = [*rng.sample(names, min(args.sample, len(names))), "Nowhere at all", "The"]
    today = Gazetteer.load(args.csv, cache=False)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        mapped = mmap_index.MappedIndex(_built(mmap_index.build, args.csv, folder / "a.index"))
        database = sqlite_index.SqliteIndex(_built(sqlite_index.build, args.csv, folder / "b.db"))
        designs: tuple[tuple[str, mmap_index.MappedIndex | sqlite_index.SqliteIndex], ...] = (
            ("mmap", mapped),
            ("sqlite", database),
        )
        for design, index in designs:
            for name in sample:
                key = name_key(name)
                expected = sorted(today.lookup_key(key))
                if sorted(index.lookup_key(key)) != expected:
                    return _fail(f"{design}: rows of {name!r} differ")
                for row in expected:
                    if index.place(row) != today.place(row):
                        return _fail(f"{design}: place {row} differs: {index.place(row)}")
            for text in [*abbreviations, "U.S.", "nope"]:
                key = abbreviation_key(text)
                if sorted(index.lookup_abbreviation_key(key)) != sorted(
                    today.lookup_abbreviation(text)
                ):
                    return _fail(f"{design}: abbreviation {text!r} differs")
            for gid in [*rng.sample(ids, min(2_000, len(ids))), -5, 10**12]:
                if index.by_geonameid(gid) != today.by_geonameid(gid):
                    return _fail(f"{design}: geonameid {gid} differs")
            if index.countries != today._countries or index.regions != today._regions:
                return _fail(f"{design}: country or region tables differ")
        counts = {(c, f): n for c, f, n in mapped.header["feature_counts"]}
        if counts != today.feature_class_counts():
            return _fail("mmap: feature counts differ")
        mapped.close()
        database.close()
        _check_damage(folder / "a.index")
    print(f"identical on {len(sample):,} names, {len(abbreviations):,} abbreviations")
    return 0


def _built(build: object, csv_path: Path, out: Path) -> Path:
    build(csv_path, out)  # type: ignore[operator]
    return out


def _check_damage(path: Path) -> None:
    """A truncated file, a wrong magic and an empty file are refused, never trusted."""
    data = path.read_bytes()
    for damaged in (data[: len(data) // 2], b"X" + data[1:], b""):
        path.write_bytes(damaged)
        try:
            mmap_index.MappedIndex(path)
        except mmap_index.CacheDamaged:
            continue
        raise SystemExit("mmap: a damaged file was opened")


def _fail(message: str) -> int:
    print(f"check_equivalence: {message}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
