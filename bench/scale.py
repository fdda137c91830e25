"""Measure the gazetteer at GeoNames' scale: per synthetic dump, the build, the first use,
a warm run and lookups, against the shipped gazetteer measured in the same run.

    python bench/synth_geonames.py --rows 1000000 --out DUMPS/1m
    python bench/scale.py DUMPS/100k DUMPS/1m DUMPS/3m --work WORK [--json figures.json]

Per dump, each step in its own process, its wall time and peak RSS (os.wait4):

- build: `geotag gazetteer build --geonames DUMP --min-population 0` with every default
  feature class (the import, then the index written beside the CSV);
- first use: a process that loads the new gazetteer with an empty cache folder (it finds
  the index beside the CSV, hashes the CSV once, verifies the index and records its
  trust) and looks one name up;
- first use without the index beside the CSV (`--compile`): the same, compiling the CSV
  into the cache folder (what a hand-made CSV costs);
- warm run: the same process again, the cache folder now holding the trust record;
- lookup: in one process, 1,000 names sampled from the CSV looked up and every row they
  find made into a Place, timed after loading;
- forked workers (Linux): two workers forked after loading do the same lookups; the
  memory of the first (RSS, PSS, shared clean, private dirty, from smaps_rollup) shows
  the mapping shared rather than copied.

The shipped gazetteer gets the same first use and warm run in the same session, as the
baseline for ratios: other work on the machine moves absolute timings (2 cores, shared).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
GEOTAG = [sys.executable, "-m", "geotag"]

# Loads a gazetteer in a fresh process: the cost a run of geotag pays before tagging.
LOAD = """
import sys, time
t = time.perf_counter()
from geotag.gazetteer import Gazetteer
g = Gazetteer.load(sys.argv[1])
rows = g.lookup(sys.argv[2])
print(len(g), len(rows), round(time.perf_counter() - t, 4))
"""

# Lookups after loading: names from a file, every row found made into a Place.
LOOKUP = """
import sys, time
from geotag.gazetteer import Gazetteer
g = Gazetteer.load(sys.argv[1])
names = open(sys.argv[2], encoding="utf-8").read().splitlines()
t = time.perf_counter()
found = 0
for name in names:
    for row in g.lookup(name):
        g.place(row)
        found += 1
print(found, round(time.perf_counter() - t, 4))
"""


# Two workers forked after loading, each looking the names up: what each holds of the
# mapping privately (Private_Dirty) against what it shares with the others (Shared_Clean).
FORKED = """
import os, sys
from geotag.gazetteer import Gazetteer
g = Gazetteer.load(sys.argv[1])
names = open(sys.argv[2], encoding="utf-8").read().splitlines()
def memory(pid):
    fields = {}
    for line in open(f"/proc/{pid}/smaps_rollup"):
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            fields[parts[0].rstrip(":")] = int(parts[1]) // 1024
    return fields
children = []
for _ in range(2):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        for name in names:
            for row in g.lookup(name):
                g.place(row)
        m = memory(os.getpid())
        os.write(write, f"{m['Rss']} {m['Pss']} {m['Shared_Clean']} {m['Private_Dirty']}".encode())
        os._exit(0)
    os.close(write)
    children.append((pid, read))
for pid, read in children:
    print(os.read(read, 200).decode())
    os.waitpid(pid, 0)
"""


def run(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in bytes and stdout of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True, cwd=ROOT
    )
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err}")
    return seconds, usage.ru_maxrss * 1024, out


def sample_names(csv_path: Path, count: int, seed: int = 7) -> list[str]:
    """`count` names drawn evenly from the CSV (reservoir sampling, one streaming pass)."""
    rng = random.Random(seed)
    chosen: list[str] = []
    with csv_path.open(encoding="utf-8", newline="") as f:
        for n, row in enumerate(csv.DictReader(f)):
            if n < count:
                chosen.append(row["name"])
            else:
                k = rng.randrange(n + 1)
                if k < count:
                    chosen[k] = row["name"]
    return chosen


def loads(csv_path: Path, cache: Path, name: str, env: dict[str, str]) -> dict[str, float]:
    """First use (empty cache folder) then a warm run."""
    shutil.rmtree(cache, ignore_errors=True)
    cache.mkdir(parents=True)
    env = {**env, "GEOTAG_CACHE_DIR": str(cache)}
    first = run([sys.executable, "-c", LOAD, str(csv_path), name], env)
    warm = run([sys.executable, "-c", LOAD, str(csv_path), name], env)
    return {
        "first_s": first[0],
        "first_rss_mb": first[1] / MB,
        "warm_s": warm[0],
        "warm_rss_mb": warm[1] / MB,
    }


def measure(dump: Path, work: Path, env: dict[str, str], compile_too: bool) -> dict[str, Any]:
    out = work / f"{dump.name}.csv"
    build = run(
        [*GEOTAG, "gazetteer", "build", "--geonames", str(dump), "-o", str(out),
         "--min-population", "0", "-q"],
        env,
    )  # fmt: skip
    names = sample_names(out, 1000)
    names_file = work / f"{dump.name}.names"
    names_file.write_text("\n".join(names), encoding="utf-8")
    figures: dict[str, Any] = {
        "dump_rows": sum(1 for _ in (dump / "allCountries.txt").open("rb")),
        "rows_kept": sum(1 for _ in out.open("rb")) - 1,
        "csv_mb": out.stat().st_size / MB,
        "index_mb": (out.with_name(out.name + ".index")).stat().st_size / MB,
        "build_s": build[0],
        "build_rss_mb": build[1] / MB,
    }
    figures |= loads(out, work / "cache", names[0], env)
    if compile_too:
        bare = work / f"{dump.name}-bare.csv"
        shutil.copyfile(out, bare)  # no index beside it
        compiled = loads(bare, work / "cache-bare", names[0], env)
        figures["compile_first_s"] = compiled["first_s"]
        figures["compile_first_rss_mb"] = compiled["first_rss_mb"]
        bare.unlink()
    env_warm = {**env, "GEOTAG_CACHE_DIR": str(work / "cache")}
    lookup = run([sys.executable, "-c", LOOKUP, str(out), str(names_file)], env_warm)
    found, seconds = lookup[2].split()
    figures["lookup_1000_s"] = float(seconds)
    figures["lookup_places"] = int(found)
    figures["lookup_rss_mb"] = lookup[1] / MB
    if sys.platform == "linux":
        forked = run([sys.executable, "-c", FORKED, str(out), str(names_file)], env_warm)
        rss, pss, shared, private = (int(v) for v in forked[2].split()[:4])
        figures["forked_worker_mb"] = {"rss": rss, "pss": pss, "shared": shared, "private": private}
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dumps", nargs="+", type=Path, help="folders of synthetic dumps")
    parser.add_argument("--work", type=Path, required=True, help="folder for the outputs")
    parser.add_argument("--compile", action="store_true", help="also first use w/o index")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ}
    from geotag.gazetteer.packaged import default_gazetteer_path

    results: dict[str, Any] = {}
    results["shipped"] = loads(default_gazetteer_path(), args.work / "cache-shipped", "Idlib", env)
    print("shipped", json.dumps(results["shipped"]), flush=True)
    for dump in args.dumps:
        results[dump.name] = measure(dump, args.work, env, args.compile)
        print(dump.name, json.dumps(results[dump.name]), flush=True)
    print()
    print("| dump | rows kept | build | first use | warm run | first/warm | lookup 1,000 |")
    print("|---|---|---|---|---|---|---|")
    for name, f in results.items():
        build = f"{f['build_s']:.1f} s / {f['build_rss_mb']:.0f} MB" if "build_s" in f else "-"
        lookup = f"{f['lookup_1000_s']:.3f} s" if "lookup_1000_s" in f else "-"
        print(
            f"| {name} | {f.get('rows_kept', '-')} | {build} "
            f"| {f['first_s']:.2f} s / {f['first_rss_mb']:.0f} MB "
            f"| {f['warm_s']:.2f} s / {f['warm_rss_mb']:.0f} MB "
            f"| {f['first_s'] / f['warm_s']:.2f} | {lookup} |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
