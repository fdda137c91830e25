"""Measure `geotag --cluster` against a local run, in one session, as ratios.

    python bench/bench_dask.py                  # about 15 minutes on 2 cores
    python bench/bench_dask.py --quick          # a smaller run to try it out
    python bench/bench_dask.py --json dask.json

The corpus is built at run time from the texts of the JSON Lines files in --eval (as
bench/bench.py builds it; no text is stored in the repository). Every speed figure is a
ratio against a baseline measured in the same run, interleaved with it, repeated (medians):
read the load and "parallel capacity" lines first, other work on the machine moves them.

What is measured (targets in brackets):

g. `geotag --cluster local:2` against `geotag --jobs 2`, whole processes on the same JSON
   Lines (start, model loads, tagging, writing; the outputs compared byte for byte)
   [>= 0.85x], and the same with the pipelines already loaded (the executor behind
   --cluster on warm workers against `Pipeline.tag_articles(jobs=2)`);
h. local:2 against local:1, whole processes and warm [>= 1.7x], next to `--jobs 2`
   against `--jobs 1` in the same rounds: on a busy machine neither can gain what the
   machine does not have to give, and the control shows how much that was;
i. peak RSS of each worker process, against the local `--jobs 2` workers';
j. `geotag corpus` on a 1,000-document Parquet corpus, Parquet out, on local:2: seconds
   end to end (cluster start, model loads, tagging, writing), against `geotag -j 2 -f
   jsonl` on the same documents;
k. the gazetteer index built by 2 processes starting together on a cold cache, with the
   lock geotag.dask takes and without it: wall time, CPU seconds, index writes.
l. what a task costs the executor beyond its tagging on warm local:2 workers: the round
   trip of an empty batch, the cost per task with 200 in flight, and that times the
   batches of a run as a share of the warm local:2 run's time.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import (
    DEFAULT_EVAL,
    median,
    news_documents,
    parallel_capacity,
    read_texts,
    run_timed,
    write_jsonl,
)

# -- the local baseline, in a process of its own so its children's peak RSS is its own ----

LOCAL_RUN = """
import json, resource, sys, time
import geotag
from geotag.models import Article, Document
model, corpus, jobs = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(corpus, encoding="utf-8") as f:
    records = [json.loads(line) for line in f]
pipeline = geotag.load_pipeline(model)
articles = [Article(r["text"], id=r["id"]) for r in records]
started = time.perf_counter()
results = list(pipeline.tag_articles(articles, jobs=jobs))
elapsed = time.perf_counter() - started
assert all(isinstance(r, Document) for r in results) and len(results) == len(records)
print(json.dumps({
    "seconds": elapsed,
    "worker_peak_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
    "parent_peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
}))
"""


def local_run(model: str, corpus: Path, jobs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", LOCAL_RUN, model, str(corpus), str(jobs)],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"bench: the local run failed: {out.stderr[-2000:]}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# -- clusters ------------------------------------------------------------------------------


def worker_peak_kb() -> int:
    """Run on a worker: its process's peak RSS."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


@contextlib.contextmanager
def local_cluster(workers: int) -> Iterator[Any]:
    """A LocalCluster as `--cluster local:N` starts it."""
    from geotag.dask.executor import cluster_client

    with cluster_client(None, workers) as client:
        yield client


# -- (k) the index build -----------------------------------------------------------------

BUILD = """
import os, resource, sys, time
import geotag.dask.workers
ready, go, locked = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
if not locked:
    # The cache's compile lock (filelock's, imported when a compile starts) left out.
    import filelock
    class NoLock:
        def __init__(self, *args, **kwargs): pass
        def acquire(self): pass
        def release(self): pass
    filelock.FileLock = NoLock
parses = []
real_replace = os.replace
def counting_replace(src, dst, *args, **kwargs):
    if str(dst).endswith(".index"):
        parses.append(dst)
    return real_replace(src, dst, *args, **kwargs)
os.replace = counting_replace
open(ready + str(os.getpid()), "w").close()
while not os.path.exists(go):
    time.sleep(0.002)
cpu = time.process_time()
geotag.dask.workers.build_index_once(None)
import json
print(json.dumps({"cpu": time.process_time() - cpu, "writes": len(parses),
                  "peak_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}))
"""


def index_build(work: Path, locked: bool, processes: int = 2) -> dict[str, float]:
    folder = Path(tempfile.mkdtemp(dir=work))
    env = {**os.environ, "GEOTAG_CACHE_DIR": str(folder / "cache")}
    ready, go = folder / "ready-", folder / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", BUILD, str(ready), str(go), "1" if locked else "0"],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    while len(list(folder.glob("ready-*"))) < processes:
        time.sleep(0.01)
    started = time.perf_counter()
    go.touch()
    reports = []
    for proc in procs:
        stdout, _ = proc.communicate()
        if proc.returncode != 0:
            sys.exit("bench: an index build failed")
        reports.append(json.loads(stdout.strip().splitlines()[-1]))
    return {
        "wall": time.perf_counter() - started,
        "cpu": sum(r["cpu"] for r in reports),
        "writes": sum(r["writes"] for r in reports),
        "peak_mb_sum": sum(r["peak_kb"] for r in reports) / 1024,
    }


# -- (j) the Parquet corpus ---------------------------------------------------------


def write_parquet_corpus(records: list[dict[str, str]], folder: Path, files: int) -> None:
    import pandas as pd

    folder.mkdir()
    size = -(-len(records) // files)
    for n in range(files):
        pd.DataFrame(records[n * size : (n + 1) * size]).to_parquet(folder / f"{n}.parquet")


def warm_cluster_run(client: Any, records: list[dict[str, Any]], model: str) -> float:
    """Seconds for the executor behind --cluster to tag the records on warm workers."""
    from geotag.dask.executor import ClusterTagger
    from geotag.models import Article, Document
    from geotag.options import PipelineOptions

    tagger = ClusterTagger(client, PipelineOptions(model))
    started = time.perf_counter()
    results = list(tagger.run(Article(r["text"], id=r["id"]) for r in records))
    elapsed = time.perf_counter() - started
    if len(results) != len(records) or not all(isinstance(r, Document) for r in results):
        sys.exit("bench: the cluster run lost or failed documents")
    return elapsed


def task_overhead(client: Any, model: str, tasks: int = 200) -> tuple[float, float]:
    """What a task costs the executor behind --cluster beyond its tagging, on warm workers:
    seconds for one empty batch's round trip (one at a time, median), and per task when
    `tasks` empty batches are in flight at once (submission, scheduling, results)."""
    from geotag.dask.executor import _tag_batch
    from geotag.options import PipelineOptions

    options = PipelineOptions(model)
    trips = []
    for _ in range(30):
        started = time.perf_counter()
        client.submit(_tag_batch, [], options, pure=False).result()
        trips.append(time.perf_counter() - started)
    started = time.perf_counter()
    client.gather([client.submit(_tag_batch, [], options, pure=False) for _ in range(tasks)])
    return median(trips), (time.perf_counter() - started) / tasks


def batches_sent(records: list[dict[str, Any]]) -> int:
    """How many batches the executor cuts `records` into (its PARALLEL_* limits)."""
    from geotag.engine.pool import PARALLEL_BATCH, PARALLEL_CHARS

    batches = size = chars = 0
    for record in records:
        size += 1
        chars += len(record["text"])
        if size >= PARALLEL_BATCH or chars >= PARALLEL_CHARS:
            batches, size, chars = batches + 1, 0, 0
    return batches + (size > 0)


def cli(model: str, *args: str) -> list[str]:
    # --model last: the first word may be a command (corpus).
    return [sys.executable, "-m", "geotag", *args, "--model", model]


def verdict(ok: bool | None) -> str:
    return "" if ok is None else ("PASS" if ok else "SHORT")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder of *.jsonl")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: geotag's)")
    parser.add_argument("--docs", type=int, default=1000, help="documents for (g), (h), (j)")
    parser.add_argument("--rounds", type=int, default=2, help="repeats of (g), (h)")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--skip-index", action="store_true", help="leave out (k)")
    parser.add_argument("--skip-parquet", action="store_true", help="leave out (j)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.rounds = 200, 1

    from geotag import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    texts = read_texts(args.eval)
    records = list(news_documents(texts, args.docs, seed=1))
    chars = sum(len(r["text"]) for r in records)
    load_before = os.getloadavg()
    print(f"geotag dask bench: {args.docs} documents ({chars / args.docs:.0f} characters on")
    print(f"average) from {args.eval}, model {model}; CPUs {os.cpu_count()}, load {load_before}")
    capacity = parallel_capacity()
    print(f"parallel capacity now: {capacity:.2f}x (2 CPU-bound processes against 1)")
    results: dict[str, Any] = {
        "docs": args.docs,
        "chars": chars,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "parallel_capacity_before": capacity,
    }

    with tempfile.TemporaryDirectory(prefix="geotag-bench-dask-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        write_jsonl(corpus, records)

        if not args.skip_index:
            print("\n(k) index build, 2 processes on a cold cache: with the lock, without")
            builds: dict[str, list[dict[str, float]]] = {"locked": [], "unlocked": []}
            for _ in range(2):
                builds["locked"].append(index_build(work, locked=True))
                builds["unlocked"].append(index_build(work, locked=False))
            for kind, runs in builds.items():
                print(
                    f"  {kind}: wall {median([r['wall'] for r in runs]):.1f}s, CPU "
                    f"{median([r['cpu'] for r in runs]):.1f}s, index writes "
                    f"{[int(r['writes']) for r in runs]}, peak RSS summed "
                    f"{median([r['peak_mb_sum'] for r in runs]):.0f} MB"
                )
            results["index_build"] = builds

        print(
            f"\n(g, h) whole processes, {args.rounds} round(s): --jobs 2, --jobs 1, "
            f"--cluster local:2, local:1 (seconds)"
        )
        tag = ["--input-format", "jsonl", "-f", "jsonl", "-q", str(corpus)]
        commands = {
            "jobs2": ["-j", "2"],
            "jobs1": ["-j", "1"],
            "local2": ["--cluster", "local:2"],
            "local1": ["--cluster", "local:1"],
        }
        whole: dict[str, list[float]] = {name: [] for name in commands}
        outputs: dict[str, bytes] = {}
        for r in range(args.rounds):
            for name, flags in commands.items():
                out = work / f"{name}.jsonl"
                with out.open("wb") as f:
                    whole[name].append(run_timed(cli(model, *flags, *tag), stdout=f)[0])
                outputs[name] = out.read_bytes()
            print(
                "  round {}: {}; load {:.2f}".format(
                    r + 1,
                    ", ".join(f"{n} {s[-1]:.1f}s" for n, s in whole.items()),
                    os.getloadavg()[0],
                ),
                flush=True,
            )
        identical = len(set(outputs.values())) == 1
        print(f"  outputs byte-identical across the four: {identical}")
        results["whole_seconds"] = whole
        results["outputs_identical"] = identical

        print(f"\n(g, h) warm, {args.rounds} round(s): tagging only, pipelines loaded (docs/s)")
        speed: dict[str, list[float]] = {"jobs2": [], "jobs1": [], "local2": [], "local1": []}
        local_peaks: list[float] = []
        with local_cluster(2) as two, local_cluster(1) as one:
            for client in (two, one):
                warm_cluster_run(client, records[:20], model)  # loads the pipelines
            for r in range(args.rounds):
                local = local_run(model, corpus, 2)
                speed["jobs2"].append(args.docs / local["seconds"])
                local_peaks.append(local["worker_peak_kb"] / 1024)
                speed["jobs1"].append(args.docs / local_run(model, corpus, 1)["seconds"])
                speed["local2"].append(args.docs / warm_cluster_run(two, records, model))
                speed["local1"].append(args.docs / warm_cluster_run(one, records, model))
                print(
                    f"  round {r + 1}: jobs 2 {speed['jobs2'][-1]:.1f}, jobs 1 "
                    f"{speed['jobs1'][-1]:.1f}, local:2 "
                    f"{speed['local2'][-1]:.1f}, local:1 {speed['local1'][-1]:.1f}; "
                    f"load {os.getloadavg()[0]:.2f}",
                    flush=True,
                )
            trip, per_task = task_overhead(two, model)
            batches = batches_sent(records)
            overhead_share = batches * per_task / (args.docs / median(speed["local2"]))
            print(
                f"  per task, warm local:2: {trip * 1000:.1f} ms round trip, "
                f"{per_task * 1000:.1f} ms with 200 in flight; {batches} batches for "
                f"{args.docs} documents: {overhead_share:.1%} of the warm run's time"
            )
            results["task_round_trip_s"] = trip
            results["task_overhead_s"] = per_task
            results["task_overhead_share"] = overhead_share
            worker_peaks = [kb / 1024 for kb in two.run(worker_peak_kb).values()]
            worker_peaks += [kb / 1024 for kb in one.run(worker_peak_kb).values()]

        if not args.skip_parquet:
            print("\n(j) Parquet corpus, from nothing: `geotag corpus --cluster local:2`")
            parquet_in = work / "parquet-in"
            write_parquet_corpus(records, parquet_in, files=20)
            corpus_cmd = cli(
                model,
                "corpus",
                str(parquet_in),
                str(work / "out"),
                "--cluster",
                "local:2",
                "--input-format",
                "parquet",
                "--output-format",
                "parquet",
                "--overwrite",
                "-q",
            )
            corpus_s = run_timed(corpus_cmd)[0]
            cli_s = run_timed(cli(model, "-j", "2", *tag))[0]
            import pandas as pd

            table = pd.read_parquet(work / "out")
            print(
                f"  geotag corpus {corpus_s:.1f}s end to end against {cli_s:.1f}s for "
                f"`geotag -j 2 -f jsonl` ({corpus_s / cli_s:.2f}x the time); "
                f"{table['id'].nunique()} documents with mentions, {len(table)} rows, "
                f"{int(table['error'].notna().sum())} error rows"
            )
            results["parquet"] = {
                "corpus_s": corpus_s,
                "cli_jobs2_s": cli_s,
                "corpus_vs_cli": corpus_s / cli_s,
                "rows": len(table),
            }

    def ratios(a: list[float], b: list[float]) -> float:
        return median([x / y for x, y in zip(a, b, strict=True)])

    # Whole processes: seconds, so the speed ratio is the inverse.
    g_whole = ratios(whole["jobs2"], whole["local2"])
    h_whole = ratios(whole["local1"], whole["local2"])
    control_whole = ratios(whole["jobs1"], whole["jobs2"])
    g_warm = ratios(speed["local2"], speed["jobs2"])
    h_warm = ratios(speed["local2"], speed["local1"])
    control_warm = ratios(speed["jobs2"], speed["jobs1"])
    load_after = os.getloadavg()
    capacity_after = parallel_capacity()
    results |= {
        "docs_per_s_warm": speed,
        "local2_vs_jobs2_whole": g_whole,
        "local2_vs_local1_whole": h_whole,
        "jobs2_vs_jobs1_whole": control_whole,
        "local2_vs_jobs2_warm": g_warm,
        "local2_vs_local1_warm": h_warm,
        "jobs2_vs_jobs1_warm": control_warm,
        "worker_peak_mb": worker_peaks,
        "jobs2_worker_peak_mb": local_peaks,
        "load_after": load_after,
        "parallel_capacity_after": capacity_after,
    }
    rows = [
        ("g  local:2 / --jobs 2, whole processes", g_whole, ">= 0.85x", g_whole >= 0.85),
        ("g  local:2 / --jobs 2, warm", g_warm, ">= 0.85x", g_warm >= 0.85),
        ("h  local:2 / local:1, whole processes", h_whole, ">= 1.70x", h_whole >= 1.7),
        ("h  local:2 / local:1, warm", h_warm, ">= 1.70x", h_warm >= 1.7),
        ("   control: --jobs 2 / --jobs 1, whole", control_whole, "", None),
        ("   control: --jobs 2 / --jobs 1, warm", control_warm, "", None),
        ("   control: parallel capacity, before", capacity, "", None),
    ]
    print(
        f"\nload before {load_before[0]:.2f}, after {load_after[0]:.2f}; parallel capacity "
        f"{capacity:.2f}x before, {capacity_after:.2f}x after"
    )
    print(
        f"peak RSS per worker: local:2 and local:1 "
        f"{', '.join(f'{m:.0f}' for m in worker_peaks)} MB; "
        f"local --jobs 2 worker {max(local_peaks):.0f} MB"
    )
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure (speed ratio)'.ljust(width)}  {'value':>8}  {'target':>9}  verdict")
    for name, value, target, ok in rows:
        print(f"{name.ljust(width)}  {value:>7.2f}x  {target:>9}  {verdict(ok)}")
    print(
        f"{'l  per-task overhead, share of warm local:2'.ljust(width)}  "
        f"{overhead_share:>7.1%}  {'(shown)':>9}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
