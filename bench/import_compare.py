"""Measure `geotag gazetteer build` on a GeoNames dump, and compare its output byte for byte
with another checkout's importer on the same dump.

    python bench/synth_geonames.py --rows 1000000 --out DUMPS/1m
    python bench/import_compare.py DUMPS/1m --work WORK [--reference OTHER/src] [--json F]

Runs this checkout's importer (every feature class, no population floor: the most rows a
dump can give) in its own process and reports its wall time, CPU time (its own and its
worker processes'), its peak RSS (the largest single process, os.wait4) and the peak of
the memory of the whole process tree (the sum of each process's PSS, sampled every 0.2 s:
forked workers share pages with their parent, which RSS would count twice). The time per
million dump lines, extrapolated to allCountries.txt's 13 million, is compared with issue
20's target (3 minutes on 2 cores, peak memory 2 GB). With --reference, the same build runs
with that `src` folder's geotag first and the CSV and the index must be the same bytes.
The load average at the start and the end is printed: the machine may be shared, which
moves times but not memory.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
GEONAMES_LINES = 13_000_000  # allCountries.txt, about
TARGET_SECONDS = 180.0
TARGET_BYTES = 2 << 30
MB = 1 << 20


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo += children.get(current, [])
    return found


def _pss(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall time, CPU time (with its children), peak RSS of its
    largest process and peak PSS of its process tree."""
    start = time.perf_counter()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], sum(_pss(p) for p in _descendants(process.pid)))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stderr = process.stderr.read() if process.stderr else ""
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}):\n{stderr}")
    return {
        "wall_s": round(wall, 2),
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 2),
        "max_rss_mb": round(usage.ru_maxrss * 1024 / MB),
        "tree_pss_mb": round(peak[0] / MB),
        "summary": [line for line in stderr.splitlines() if line.startswith("geotag:")],
    }


def build(src: Path, dump: Path, out: Path, jobs: int | None) -> dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(src))
    command = [sys.executable, "-m", "geotag", "gazetteer", "build", "--geonames", str(dump)]
    command += ["-o", str(out), "--feature-classes", "APHTLSVRU", "--min-population", "0"]
    return run(command + (["--jobs", str(jobs)] if jobs else []), env)


def lines_of(path: Path) -> int:
    count = 0
    with path.open("rb") as f:
        while chunk := f.read(1 << 24):
            count += chunk.count(b"\n")
    return count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dump", type=Path, help="a folder with a GeoNames dump")
    parser.add_argument("--work", type=Path, required=True, help="where to write the builds")
    parser.add_argument("--reference", type=Path, help="another checkout's src folder")
    parser.add_argument("--jobs", type=int, help="worker processes (default: the importer's)")
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    lines = lines_of(args.dump / "allCountries.txt")
    figures: dict[str, Any] = {"dump": str(args.dump), "lines": lines}
    figures["load_before"] = os.getloadavg()
    new_csv = args.work / "new.csv"
    if args.reference:
        old_csv = args.work / "reference.csv"
        figures["reference"] = build(args.reference, args.dump, old_csv, None)
    figures["new"] = new = build(ROOT / "src", args.dump, new_csv, args.jobs)
    figures["load_after"] = os.getloadavg()
    per_million = new["wall_s"] / lines * 1e6
    whole = per_million * GEONAMES_LINES / 1e6
    figures["s_per_million_lines"] = round(per_million, 2)
    figures["extrapolated_13m_s"] = round(whole, 1)
    print(f"dump: {args.dump} ({lines:,} lines); load average at start "
          f"{figures['load_before'][0]:.2f}, at end {figures['load_after'][0]:.2f}")  # fmt: skip
    for name in ("reference", "new"):
        if name in figures:
            f = figures[name]
            print(f"{name:>9}: {f['wall_s']:.1f} s wall, {f['cpu_s']:.1f} s CPU, peak RSS "
                  f"{f['max_rss_mb']} MB (largest process), peak PSS {f['tree_pss_mb']} MB "
                  f"(process tree)")  # fmt: skip
    verdict = "PASS" if whole <= TARGET_SECONDS else "SHORT"
    print(f"build time: {per_million:.2f} s per million lines, {whole:.0f} s extrapolated to "
          f"13M lines (target <= {TARGET_SECONDS:.0f} s): {verdict}")  # fmt: skip
    memory = max(new["tree_pss_mb"], new["max_rss_mb"]) * MB
    # Memory does not grow in proportion (the tables and caches have fixed parts): judged
    # only on a dump of (nearly) GeoNames' size.
    judged = "PASS" if memory <= TARGET_BYTES else "SHORT"
    if lines < 0.9 * GEONAMES_LINES:
        judged = "not judged (measure on a 13M-line dump)"
    print(f"peak memory: {memory / MB:.0f} MB at {lines:,} lines (target <= "
          f"{TARGET_BYTES / MB:.0f} MB at 13M): {judged}")  # fmt: skip
    if args.reference:
        same_csv = filecmp.cmp(args.work / "reference.csv", new_csv, shallow=False)
        same_index = filecmp.cmp(
            args.work / "reference.csv.index", args.work / "new.csv.index", shallow=False
        )
        figures["identical"] = same_csv and same_index
        print(f"output: CSV {'identical' if same_csv else 'DIFFERENT'}, index "
              f"{'identical' if same_index else 'DIFFERENT'}: "
              f"{'PASS' if figures['identical'] else 'FAIL'}")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return 0 if figures.get("identical", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
