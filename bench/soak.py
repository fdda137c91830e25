"""Soak run: a long JSON Lines stream through `geotag --jobs 2`, with workers killed on the way.

    python bench/soak.py                     # 100,000 documents, a worker killed every 10,000
    python bench/soak.py --docs 20000        # shorter
    python bench/soak.py --json soak.json    # also keep the figures

Short news-like documents (invented names, so the vocabulary grows as on real news) are
written into geotag's stdin as it reads them (`--input-format jsonl -f jsonl
--errors-inline`). Each time another 10,000 documents have come out, one worker is killed
with SIGKILL (by turns), as the kernel's out-of-memory killer would. Checked at the end:

- every record comes out exactly once, as a document with its id or as an error record
  (the texts a killed worker was tagging), in input order;
- memory stays flat: the resident memory of the main process and of the workers is
  sampled every 1,000 documents, and the figures at 10,000 and at the end are compared
  (workers are compared by their proportional share, PSS, since forked workers share the
  model's pages with the main process);
- no process is left behind once geotag exits: none of the workers ever started (the
  killed ones, their replacements) is still alive.

Linux only (it reads /proc). Exits 1 when a check fails.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024
SAMPLE_EVERY = 1000

_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]
_PLACES = [
    "Aleppo",
    "Idlib",
    "Moscow",
    "Kyiv",
    "Paris",
    "Lagos",
    "Dhaka",
    "Portland, Oregon",
    "Georgia",
    "Texas",
    "the Gaza Strip",
    "Tripoli",
    "Sao Paulo",
    "Jakarta",
    "Mosul",
]
_ORGS = ["the United Nations", "Reuters", "the Red Cross", "NATO", "the World Bank"]
_TEMPLATES = [
    "{person} said on {day} that talks in {place} with {org} had stalled.",
    "Shelling resumed near {place} overnight, {org} reported, citing {person}.",
    "{person}, a resident of {place}, told {org} that prices had doubled since {day}.",
    "Officials in {place} and {place2} met {person} of {org} on {day}.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def invented_name(rng: random.Random) -> str:
    word = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4)))
    return word.capitalize()


def documents(count: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    for n in range(count):
        text = rng.choice(_TEMPLATES).format(
            person=f"{invented_name(rng)} {invented_name(rng)}",
            place=rng.choice(_PLACES),
            place2=rng.choice(_PLACES),
            org=rng.choice(_ORGS),
            day=rng.choice(_DAYS),
        )
        yield json.dumps({"id": n, "text": text}).encode() + b"\n"


# -- processes -----------------------------------------------------------------------------


def _status(pid: int) -> tuple[str, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()
    return fields[0], int(fields[1])


def alive(pid: int) -> bool:
    state = _status(pid)
    return state is not None and state[0] != "Z"


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            state = _status(int(entry.name))
            if state is not None and state[1] == pid and state[0] != "Z":
                found.append(int(entry.name))
    return sorted(found)


def memory(pid: int) -> tuple[int, int]:
    """(RSS, PSS) in bytes, 0 when the process is gone."""
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1]) * 1024
            elif line.startswith("Pss:"):
                pss = int(line.split()[1]) * 1024
    except OSError:
        pass
    return rss, pss


# -- the run -------------------------------------------------------------------------------


def feed(stdin: IO[bytes], count: int, seed: int) -> None:
    try:
        for line in documents(count, seed):
            stdin.write(line)
        stdin.close()
    except BrokenPipeError:
        pass


def soak(args: argparse.Namespace) -> dict[str, Any]:
    command = [
        sys.executable,
        "-m",
        "geotag",
        "--jobs",
        str(args.jobs),
        "--input-format",
        "jsonl",
        "-f",
        "jsonl",
        "--errors-inline",
        "-q",
    ]
    if args.model:
        command += ["--model", args.model]
    started = time.monotonic()
    proc = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    errors: list[bytes] = []
    threading.Thread(target=lambda: errors.extend(proc.stderr or []), daemon=True).start()
    threading.Thread(target=feed, args=(proc.stdin, args.docs, args.seed), daemon=True).start()

    seen: dict[int, int] = {}  # line number -> times out
    wrong_order = wrong_id = failed = kills = 0
    workers_seen: set[int] = set()
    samples: list[dict[str, Any]] = []
    first_out: float | None = None
    last = 0
    for raw in proc.stdout:
        out = json.loads(raw)
        if first_out is None:
            first_out = time.monotonic()
        line = int(out["source"].rpartition(":")[2])
        seen[line] = seen.get(line, 0) + 1
        wrong_order += line != last + 1
        last = line
        if "error" in out:
            failed += 1
        elif out.get("id") != line - 1:
            wrong_id += 1
        done = len(seen)
        if done % SAMPLE_EVERY == 0:
            workers = children(proc.pid)
            workers_seen.update(workers)
            main_rss, main_pss = memory(proc.pid)
            shares = [memory(w) for w in workers]
            samples.append(
                {
                    "docs": done,
                    "seconds": round(time.monotonic() - started, 1),
                    "main_rss_mb": round(main_rss / MB, 1),
                    "workers_rss_mb": [round(r / MB, 1) for r, _ in shares],
                    "total_pss_mb": round((main_pss + sum(p for _, p in shares)) / MB, 1),
                }
            )
            if done % args.kill_every == 0 and done < args.docs and workers:
                victim = workers[kills % len(workers)]
                os.kill(victim, signal.SIGKILL)
                kills += 1
    code = proc.wait()
    wall = time.monotonic() - started
    time.sleep(1)  # let the kernel finish with any worker that is on its way out
    left = sorted(w for w in workers_seen if alive(w))
    missing = [n for n in range(1, args.docs + 1) if n not in seen]
    repeated = [n for n, times in seen.items() if times > 1]
    by_docs = {s["docs"]: s for s in samples}
    at_10k = by_docs.get(min(10_000, args.docs))
    # the last sample taken while the workers were still there (at the very end they may
    # have left already)
    at_end = next((s for s in reversed(samples) if s["workers_rss_mb"]), None)
    report: dict[str, Any] = {
        "docs": args.docs,
        "jobs": args.jobs,
        "exit_code": code,
        "wall_seconds": round(wall, 1),
        "docs_per_second": round(len(seen) / wall, 1),
        "docs_per_second_after_first": round(
            len(seen) / max(time.monotonic() - (first_out or started), 1e-9), 1
        ),
        "workers_killed": kills,
        "error_records": failed,
        "missing": len(missing),
        "repeated": len(repeated),
        "out_of_order": wrong_order,
        "wrong_ids": wrong_id,
        "workers_seen": len(workers_seen),
        "processes_left": left,
        "stderr_lines": len(errors),
        "memory_at_10k": at_10k,
        "memory_at_end": at_end,
        "samples": samples,
    }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--kill-every", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--model", help="spaCy pipeline (default: geotag's)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not Path("/proc/self/smaps_rollup").exists():
        sys.exit("soak: needs Linux's /proc")
    print(
        f"soak: {args.docs:,} documents, --jobs {args.jobs}, a worker killed every "
        f"{args.kill_every:,}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    report = soak(args)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    shown = {k: v for k, v in report.items() if k != "samples"}
    print(json.dumps(shown, indent=2))
    start, end = report["memory_at_10k"], report["memory_at_end"]
    ok = (
        report["missing"] == 0
        and report["repeated"] == 0
        and report["out_of_order"] == 0
        and report["wrong_ids"] == 0
        and not report["processes_left"]
        and report["error_records"] <= report["workers_killed"]
        and report["exit_code"] == (1 if report["error_records"] else 0)
    )
    if start and end:
        growth = end["main_rss_mb"] / start["main_rss_mb"]
        pss = end["total_pss_mb"] / start["total_pss_mb"]
        print(
            f"soak: main RSS {start['main_rss_mb']} MB at {start['docs']:,} -> "
            f"{end['main_rss_mb']} MB at {end['docs']:,} ({growth:.2f}x); all processes' "
            f"PSS {start['total_pss_mb']} -> {end['total_pss_mb']} MB ({pss:.2f}x); "
            f"workers' RSS {start['workers_rss_mb']} -> {end['workers_rss_mb']} MB"
        )
    print("soak: " + ("every check passed" if ok else "A CHECK FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
