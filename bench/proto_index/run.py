"""PROTOTYPE measurement worker: one measured step in its own process, so that
/usr/bin/time -v reports that step's peak RSS. Prints one JSON line of in-process timings.

    PYTHONPATH=bench python -m proto_index.run STEP DESIGN CSV CACHE_DIR [LOOKUPS.json]

STEP: build (compile CSV -> index only), first (empty cache: build, open, lookups), warm
(cache present: open, lookups), sibling (mmap: compile into CSV.index, as `gazetteer build`
would right after writing the CSV) or hash (mmap: the streaming SHA-256 that accepts a
sibling index whose stat key no longer matches). DESIGN: mmap, sqlite, or current
(today's geotag.gazetteer.Gazetteer with its cache in CACHE_DIR).
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from .common import name_key

# A geonameid looked up once per run: today's code builds a dict over every row for the
# first one (the first demonym in a text does this).
PROBE_ID = 169389


def _current(csv_path: Path, cache: Path) -> tuple[Any, str]:
    os.environ["GEOTAG_CACHE_DIR"] = str(cache)
    from geotag.gazetteer import Gazetteer

    return Gazetteer.load(csv_path), "loaded"


def _lookups(index: Any, names: list[str]) -> int:
    touched = 0
    index.by_geonameid(PROBE_ID)
    for name in names:
        for row in index.lookup_key(name_key(name)):
            index.place(row)
            touched += 1
    return touched


def _memory() -> dict[str, int]:
    """This process's memory now (Linux): resident, private (its own pages: what each
    forked worker would add) and file-backed shared (the page cache: mapped index pages,
    shared by every process that maps the file), in KiB."""
    fields: dict[str, int] = {}
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as f:
            for line in f:
                name, _, rest = line.partition(":")
                if rest.strip().endswith("kB"):
                    fields[name] = int(rest.split()[0])
    except OSError:
        return {}
    return {
        "rss_kb": fields.get("Rss", 0),
        "private_kb": fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0),
        "anonymous_kb": fields.get("Anonymous", 0),
    }


def main(argv: list[str]) -> int:
    step, design, csv_path, cache = argv[0], argv[1], Path(argv[2]), Path(argv[3])
    names: list[str] = json.loads(Path(argv[4]).read_text()) if len(argv) > 4 else []
    result: dict[str, Any] = {"step": step, "design": design}
    # Imports are not part of opening: every design needs the package's normaliser anyway.
    from . import mmap_index, sqlite_index

    if design == "current":
        import geotag.gazetteer  # noqa: F401
    started, started_cpu = time.perf_counter(), time.process_time()
    if step == "hash":
        digest = mmap_index._sha256(csv_path)
        result.update(seconds=time.perf_counter() - started, sha256=digest,
                      cpu_seconds=time.process_time() - started_cpu)  # fmt: skip
        print(json.dumps(result))
        return 0
    if step in ("build", "sibling"):
        if step == "sibling":
            report: Any = mmap_index.build(csv_path, mmap_index.sibling_path(csv_path))
        elif design == "mmap":
            report = mmap_index.build(csv_path, mmap_index.cache_path(cache, csv_path))
        else:
            report = sqlite_index.build(csv_path, sqlite_index.cache_path(cache, csv_path))
        result.update(
            seconds=time.perf_counter() - started,
            cpu_seconds=time.process_time() - started_cpu,
            bytes=report.bytes,
            rows=report.rows,
        )
        print(json.dumps(result))
        return 0
    index: Any
    if design == "mmap":
        index, how = mmap_index.load(csv_path, cache)
    elif design == "sqlite":
        index, how = sqlite_index.load(csv_path, cache)
    else:
        index, how = _current(csv_path, cache)
    opened, opened_cpu = time.perf_counter(), time.process_time()
    touched = _lookups(index, names)
    done, done_cpu = time.perf_counter(), time.process_time()
    result.update(
        how=how,
        open_seconds=opened - started,
        open_cpu=opened_cpu - started_cpu,
        lookup_seconds=done - opened,
        lookup_cpu=done_cpu - opened_cpu,
        lookups=len(names),
        rows_touched=touched,
        rows=len(index) if design == "current" else index.rows,
        **_memory(),
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
