"""PROTOTYPE measurement driver for issue 13's index designs: (a) mmap, (b) sqlite, and
today's code (current), each step a whole process under /usr/bin/time -v.

    python bench/proto_index/measure_index.py --csv GAZ.csv --work DIR \\
        [--designs mmap,sqlite,current] [--first 1] [--warm 3]

Per CSV and design:
- first use: an empty cache directory; the process compiles the index, opens it, and
  does 1 geonameid lookup and 1,000 name lookups (each hit made a Place, as the resolver
  does); repeated --first times, each time with a fresh cache;
- warm: the cache from the last first use; open + the same lookups; repeated --warm times.
Steps of different designs are interleaved so that load on the machine hits them alike;
medians are reported. Lookups: bench/proto_index/common.sample_lookups (70% primary
names of random rows, 20% alternate names, 10% misses), the same list for every design.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from proto_index.common import sample_lookups  # noqa: E402
from proto_index.measure_current import timed  # noqa: E402


def step(kind: str, design: str, csv_path: Path, cache: Path, lookups: Path) -> dict[str, Any]:
    env = {"PYTHONPATH": str(HERE.parent) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "proto_index.run", kind, design, str(csv_path), str(cache),
               str(lookups)]  # fmt: skip
    handle, name = tempfile.mkstemp(suffix=".json")
    os.close(handle)
    # The worker's stdout goes to a file: timed() discards the measured command's stdout.
    shell = ["sh", "-c", 'exec "$@" > "$0"', name, *command]
    run = timed(f"{design} {kind}", shell, env)
    inside = json.loads(Path(name).read_text() or "{}")
    os.unlink(name)
    disk = sum(p.stat().st_size for p in cache.iterdir() if p.is_file())
    row = {"design": design, "step": kind, "wall": run.seconds, "peak_mb": run.peak_mb,
           "cpu": run.cpu_seconds, "disk_mb": disk / 2**20, **inside}  # fmt: skip
    print(json.dumps(row), flush=True)
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--csv", type=Path, action="append", required=True)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--designs", default="mmap,sqlite,current")
    parser.add_argument("--first", type=int, default=1)
    parser.add_argument("--warm", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--sibling",
        action="store_true",
        help="mmap: also compile CSV.index as an import would, then time a first use that "
        "finds it (empty cache), and the streaming hash that accepts a copied CSV",
    )
    args = parser.parse_args()
    designs = args.designs.split(",")
    args.work.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    for csv_path in args.csv:
        lookups = args.work / f"lookups-{csv_path.stem}.json"
        if not lookups.exists():
            lookups.write_text(json.dumps(sample_lookups(csv_path)), encoding="utf-8")
        caches = {d: args.work / f"cache-{csv_path.stem}-{d}" for d in designs}
        for repeat in range(args.first):
            for design in designs:
                cache = caches[design]
                if cache.exists():
                    for p in cache.iterdir():
                        p.unlink()
                cache.mkdir(exist_ok=True)
                measured = step("first", design, csv_path, cache, lookups)
                results.append({"csv": csv_path.name, "repeat": repeat, **measured})
        for repeat in range(args.warm):
            for design in designs:
                measured = step("warm", design, csv_path, caches[design], lookups)
                results.append({"csv": csv_path.name, "repeat": repeat, **measured})
        if args.sibling:
            empty = args.work / f"cache-{csv_path.stem}-empty"
            empty.mkdir(exist_ok=True)
            for kind in ("sibling", "first", "hash"):
                measured = step(kind, "mmap", csv_path, empty, lookups)
                measured["design"] = "mmap+sibling"
                results.append({"csv": csv_path.name, "repeat": 0, **measured})
            for p in empty.iterdir():
                p.unlink()
            empty.rmdir()
            # A sibling left behind would turn later "first use" runs into warm ones.
            csv_path.with_name(csv_path.name + ".index").unlink()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print()
    print("| csv | design | step | runs | wall s | CPU s | open s (CPU) | 1,000 lookups s (CPU) "
          "| peak RSS MB | anonymous MB at end | cache on disk MB |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for csv_name in dict.fromkeys(r["csv"] for r in results):
        for design in [*designs, "mmap+sibling"]:
            for kind in ("first", "warm", "sibling", "hash"):
                runs = [
                    r
                    for r in results
                    if (r["csv"], r["design"], r["step"]) == (csv_name, design, kind)
                ]
                if not runs:
                    continue

                def med(key: str, runs: list[dict[str, Any]] = runs) -> float:
                    return statistics.median(float(r.get(key, 0.0)) for r in runs)

                print(f"| {csv_name} | {design} | {kind} | {len(runs)} | {med('wall'):.2f} | "
                      f"{med('cpu'):.2f} | {med('open_seconds'):.3f} ({med('open_cpu'):.3f}) | "
                      f"{med('lookup_seconds'):.3f} ({med('lookup_cpu'):.3f}) | "
                      f"{med('peak_mb'):.0f} | {med('anonymous_kb') / 1024:.0f} | "
                      f"{med('disk_mb'):.0f} |")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
