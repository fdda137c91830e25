"""PROTOTYPE (issue 13 groundwork, not part of the package): measure today's gazetteer path
at scale, whole processes under /usr/bin/time -v, in one run with the shipped gazetteer as
the baseline.

    python bench/proto_index/measure_current.py --dump DIR [--dump DIR2 ...] --work WORKDIR

For each GeoNames dump folder (see bench/synth_geonames.py):

- build: `geotag gazetteer build --geonames DIR --out WORK/NAME.csv --min-population 0`
  (skipped when the CSV exists and --reuse is given);
- first use: `geotag --gazetteer CSV text.txt` with an empty GEOTAG_CACHE_DIR (the index
  is compiled and cached);
- warm run: the same command again;
- lookup: `geotag gazetteer lookup NAME --gazetteer CSV` (warm cache), NAME the CSV's
  commonest primary name.

The shipped gazetteer's first use and warm run are measured first, in the same run, and
every figure is also given as a ratio to them: other work on the machine moves absolute
timings. Figures are wall-clock seconds and peak RSS (MB) of the whole process.
"""

from __future__ import annotations

import argparse
import collections
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "gazetteer.csv"
# A demonym and a few names: the first demonym makes today's code build a dict over every
# row (Gazetteer.by_geonameid), which is part of what the issue measured.
TEXT = (
    "Syrian officials met their Turkish counterparts in {name} on Monday. Reuters said "
    "talks in Damascus and Ankara would resume next week near the {name} River.\n"
)


@dataclass
class Run:
    what: str
    seconds: float
    peak_mb: float
    cpu_seconds: float
    status: int


def timed(what: str, command: list[str], env: dict[str, str] | None = None) -> Run:
    """Run a command under /usr/bin/time -v; wall time, peak RSS and CPU from its report."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *command],
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=False,
    )
    report = done.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", report)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", report)
    user = re.search(r"User time \(seconds\): ([\d.]+)", report)
    system = re.search(r"System time \(seconds\): ([\d.]+)", report)
    if not (wall and rss and user and system):
        raise RuntimeError(f"{what}: no /usr/bin/time report:\n{report[-2000:]}")
    seconds = 0.0
    for part in wall.group(1).split(":"):
        seconds = seconds * 60 + float(part)
    if done.returncode:
        print(f"{what}: exit {done.returncode}: {report.splitlines()[:3]}", file=sys.stderr)
    return Run(
        what,
        seconds,
        int(rss.group(1)) / 1024,
        float(user.group(1)) + float(system.group(1)),
        done.returncode,
    )


def commonest_name(path: Path) -> tuple[str, int]:
    """The primary name most rows share (streamed; not timed)."""
    counts: collections.Counter[str] = collections.Counter()
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            counts[row["name"]] += 1
    name, count = counts.most_common(1)[0]
    return name, count


def use(csv_path: Path, label: str, text: Path, lookup: str | None) -> list[Run]:
    """First use (empty cache), warm run, and optionally a lookup, for one gazetteer."""
    geotag = str(Path(sys.executable).with_name("geotag"))
    with tempfile.TemporaryDirectory(prefix="geotag-cache-") as cache:
        env = {"GEOTAG_CACHE_DIR": cache}
        command = [geotag, "--format", "json", "--gazetteer", str(csv_path), str(text)]
        runs = [timed(f"{label} first use", command, env), timed(f"{label} warm run", command, env)]
        if lookup:
            runs.append(
                timed(
                    f"{label} lookup",
                    [
                        geotag,
                        "gazetteer",
                        "lookup",
                        lookup,
                        "--gazetteer",
                        str(csv_path),
                        "--format",
                        "json",
                    ],
                    env,
                )
            )
    return runs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dump", type=Path, action="append", default=[], help="dump folder")
    parser.add_argument("--work", type=Path, required=True, help="folder for CSVs and results")
    parser.add_argument("--reuse", action="store_true", help="keep an existing built CSV")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    geotag = str(Path(sys.executable).with_name("geotag"))
    results: list[dict[str, object]] = []

    def record(run: Run, **extra: object) -> None:
        row = {**asdict(run), **extra}
        results.append(row)
        print(json.dumps(row), flush=True)

    shipped_text = args.work / "text-shipped.txt"
    shipped_text.write_text(TEXT.format(name="Idlib"), encoding="utf-8")
    baseline = use(SHIPPED, "shipped", shipped_text, "Springfield")
    for run in baseline:
        record(run, rows=sum(1 for _ in SHIPPED.open(encoding="utf-8")) - 1)
    for dump in args.dump:
        out = args.work / f"{dump.name}.csv"
        if not (args.reuse and out.exists()):
            build = timed(
                f"{dump.name} build",
                [
                    geotag,
                    "gazetteer",
                    "build",
                    "--geonames",
                    str(dump),
                    "--out",
                    str(out),
                    "--min-population",
                    "0",
                    "--quiet",
                ],
            )
            record(build, dump_rows=sum(1 for _ in (dump / "allCountries.txt").open("rb")))
        name, count = commonest_name(out)
        rows = sum(1 for _ in out.open("rb")) - 1
        text = args.work / f"text-{dump.name}.txt"
        text.write_text(TEXT.format(name=name), encoding="utf-8")
        for run in use(out, dump.name, text, name):
            record(run, rows=rows, lookup=name, lookup_rows=count)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")
    first, warm = baseline[0], baseline[1]
    print("\n| run | rows | seconds | x shipped | peak MB | x shipped |")
    print("|---|---|---|---|---|---|")
    for row in results:
        ref = first if "first use" in str(row["what"]) else warm
        print(
            f"| {row['what']} | {row.get('rows', row.get('dump_rows', ''))} | "
            f"{row['seconds']:.2f} | {float(row['seconds']) / ref.seconds:.1f} | "  # type: ignore[arg-type]
            f"{row['peak_mb']:.0f} | {float(row['peak_mb']) / ref.peak_mb:.1f} |"  # type: ignore[arg-type]
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
