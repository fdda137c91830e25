"""Measure geotag's batch speed, start-up and memory against plain spaCy, in one run.

    python bench/bench.py                      # everything (about 25 minutes on 2 cores)
    python bench/bench.py --quick              # a smaller run to try it out (3 minutes)
    python bench/bench.py --json results.json  # also keep the figures
    python bench/bench.py --only abnr --docs 300 --rounds 2   # some sections, smaller

The corpus is built at run time from the texts of the JSON Lines files in --eval (default:
../shared/eval next to the repository; any JSON Lines with a "text" field will do); no
text is stored in the repository. Every figure is a ratio against a baseline measured in
the same run, interleaved with it and repeated (medians), because other work on the
machine changes absolute timings from one minute to the next: read the load and the
"parallel capacity" lines before reading the rest.

What is measured (targets in brackets, from issue 20; PASS or SHORT in the table):

a. throughput of `geotag --format jsonl` against a bare `nlp.pipe` loop with the same
   model and the same excluded components, both whole processes [>= 0.95x]; the SHA-256
   of geotag's JSON Lines output is printed (to compare code before and after a change);
b. `--jobs 2` against `--jobs 1` [>= 1.8x], and that as a share of the machine's two-core
   capacity measured at the start [>= 95%]; the two outputs must be the same bytes; and
   the CPU seconds --jobs 2 spends (parent and workers) against --jobs 1's (shown);
c. a warm start on one short article against `python -c "import spacy; spacy.load(...)"`
   [<= 1.1x], and `geotag --help` [<= 0.15 s];
d. peak RSS with the default gazetteer and --jobs 1 [<= 600 MB], and RSS after 10,000
   documents against RSS after 1,000 [within 10%];
e. one long single-line text (20 MB): time and peak RSS [<= 600 MB];
f. the cost of geotag's own work per document (span repair, resolution, aggregation,
   focus: `Tagger.tag`) against the entity recogniser's time on the same document, in one
   process [<= 5%];
g. the cost of `--explain`: tagging the same recognised spans with and without it,
   interleaved in one process, as a ratio of `Tagger.tag` times and of whole documents
   (NER + tagging) [whole documents <= 1.10x; without --explain nothing is built];
r. a corpus of which 30% are copies of its other texts, --jobs 1, against the same run
   with the reuse of results turned off [>= 1.35x], outputs the same bytes;
n. the recogniser alone in one process: geotag's batches (BATCH_SIZE pieces, each batch
   in a memory zone) against `nlp.pipe`'s default batching on the same texts [>= 0.95x],
   and the same batches without memory zones as a control.

`--only abnr` runs some sections (the corpus for a, b, f, g, n, r has --docs documents).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_EVAL = ROOT.parent / "shared" / "eval"
MB = 1024 * 1024


# -- corpus --------------------------------------------------------------------------------


def read_texts(folder: Path) -> list[str]:
    texts = []
    for path in sorted(folder.glob("*.jsonl")):
        with path.open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    text = json.loads(line).get("text")
                    if isinstance(text, str) and len(text) > 200:
                        texts.append(text)
    if not texts:
        sys.exit(f"bench: no texts in {folder}/*.jsonl; pass --eval DIR")
    return texts


_SYLLABLES = [c + v for c in "bdfgklmnprstvz" for v in "aeiou"]


def invented_name(rng: random.Random) -> str:
    """A word no model has seen, so the vocabulary grows as it does on real news."""
    return "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))).capitalize()


def news_documents(
    texts: Sequence[str], count: int, seed: int, chars: int | None = None
) -> Iterator[dict[str, str]]:
    """`count` documents cycling through `texts` (cut to `chars`), each with a byline of
    invented names, so no two are the same."""
    rng = random.Random(seed)
    for n in range(count):
        text = texts[n % len(texts)]
        if chars is not None:
            text = text[:chars]
        byline = f"Reported by {invented_name(rng)} {invented_name(rng)} (ref {n}).\n\n"
        yield {"id": f"doc-{n}", "text": byline + text}


def write_jsonl(path: Path, records: Iterable[dict[str, str]]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
            n += 1
    return n


# -- running and timing ----------------------------------------------------------------


def run_timed(
    cmd: Sequence[str], stdout: Any = subprocess.DEVNULL, env: dict[str, str] | None = None
) -> tuple[float, int]:
    """Wall time of a whole process and its peak RSS (KB), from wait4."""
    elapsed, usage = run_usage(cmd, stdout, env)
    return elapsed, usage.ru_maxrss


def run_usage(
    cmd: Sequence[str],
    stdout: Any = subprocess.DEVNULL,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> tuple[float, Any]:
    """Wall time of a whole process and its resource usage from wait4 (on Linux its CPU
    time includes the worker processes it waited for)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=subprocess.PIPE, env=env, cwd=cwd)
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd)} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return elapsed, usage


def rss_kb(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def parallel_capacity() -> float:
    """How much faster two processes burn CPU than one, right now: 2.0 on two idle cores."""
    code = "s = 0\nfor i in range(6_000_000): s += i"
    one = run_timed([sys.executable, "-c", code])[0]
    started = time.perf_counter()
    procs = [subprocess.Popen([sys.executable, "-c", code]) for _ in range(2)]
    for p in procs:
        p.wait()
    two = time.perf_counter() - started
    return 2 * one / two


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


# -- the measurements ------------------------------------------------------------------

BARE_LOOP = """
import json, sys, spacy
model, exclude, corpus = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
nlp = spacy.load(model, exclude=exclude)
with open(corpus, encoding="utf-8") as f:
    texts = [json.loads(line)["text"] for line in f]
found = 0
for doc in nlp.pipe(texts):
    found += len(doc.ents)
print(found)
"""

# (f): per document, NER (nlp.pipe, one document a batch as the time is per document) and
# then geotag's tagging of the recognised spans, each timed on its own.
TAG_COST = """
import json, statistics, sys, time
from geotag.engine.model import spans_of
from geotag.engine.pipeline import Pipeline
from geotag.options import PipelineOptions
model, corpus, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
pipeline = Pipeline(PipelineOptions(model))
with open(corpus, encoding="utf-8") as f:
    texts = [json.loads(line)["text"] for line in f]
ner = tag = 0.0
shares = []
for _ in range(rounds):
    for text in texts:
        t0 = time.perf_counter()
        spans = spans_of(pipeline.nlp(text))
        t1 = time.perf_counter()
        pipeline.tagger.tag(text, spans)
        t2 = time.perf_counter()
        ner += t1 - t0
        tag += t2 - t1
        shares.append((t2 - t1) / (t1 - t0))
print(json.dumps({"ner_s": ner, "tag_s": tag, "total_share": tag / ner,
                  "median_share": statistics.median(shares),
                  "p90_share": statistics.quantiles(shares, n=10)[-1]}))
"""


# (g): the same recognised spans tagged by two taggers, one explaining, alternately, so
# the machine's load weighs on both alike; the NER time is measured once per document.
EXPLAIN_COST = """
import json, sys, time
from geotag.engine.model import spans_of
from geotag.engine.pipeline import Pipeline
from geotag.options import PipelineOptions
model, corpus, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
plain = Pipeline(PipelineOptions(model))
explaining = Pipeline(PipelineOptions(model, explain=True),
                      gazetteer=plain.tagger.gazetteer, nlp=plain.nlp)
with open(corpus, encoding="utf-8") as f:
    texts = [json.loads(line)["text"] for line in f]
ner = without = with_ = 0.0
for r in range(rounds):
    for n, text in enumerate(texts):
        t0 = time.perf_counter()
        spans = spans_of(plain.nlp(text))
        ner += time.perf_counter() - t0
        order = (plain, explaining) if (n + r) % 2 else (explaining, plain)
        for pipeline in order:
            t0 = time.perf_counter()
            pipeline.tagger.tag(text, spans)
            spent = time.perf_counter() - t0
            if pipeline is plain:
                without += spent
            else:
                with_ += spent
print(json.dumps({"ner_s": ner, "tag_s": without, "tag_explain_s": with_,
                  "tag_ratio": with_ / without,
                  "document_ratio": (ner + with_) / (ner + without)}))
"""


def excluded_components(model: str) -> list[str]:
    """What geotag leaves out of `model` (the bare loop must leave out the same)."""
    from geotag.engine.model import excluded_components as excluded

    return excluded(model)


def run_hashed(
    cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> tuple[float, Any, str]:
    """run_usage, and the SHA-256 of what the process wrote to stdout. Run it in the
    input's folder with the input's bare name: each record's source is the path given,
    which must not be the temporary folder's (it changes from run to run)."""
    with tempfile.TemporaryFile() as out:
        elapsed, usage = run_usage(cmd, stdout=out, env=env, cwd=cwd)
        out.seek(0)
        digest = hashlib.sha256(out.read()).hexdigest()
    return elapsed, usage, digest


def cpu_seconds(usage: Any) -> float:
    return float(usage.ru_utime + usage.ru_stime)


def measure_throughput(
    geotag: list[str], bare: list[str], corpus: Path, docs: int, rounds: int
) -> tuple[dict[str, list[float]], list[int], set[str]]:
    """(a) and (b): rounds of bare loop, --jobs 1 and --jobs 2, interleaved; and the
    hashes of geotag's JSON Lines outputs (one, if --jobs 2 writes what --jobs 1 does)."""
    rows: dict[str, list[float]] = {"bare": [], "jobs1": [], "jobs2": [], "cpu1": [], "cpu2": []}
    peaks: list[int] = []
    hashes: set[str] = set()
    base = [*geotag, "--input-format", "jsonl", "--format", "jsonl", "-q", corpus.name]
    for r in range(rounds):
        elapsed, _ = run_timed(bare)
        rows["bare"].append(docs / elapsed)
        elapsed, usage, digest = run_hashed([*base, "--jobs", "1"], cwd=corpus.parent)
        rows["jobs1"].append(docs / elapsed)
        rows["cpu1"].append(cpu_seconds(usage))
        peaks.append(usage.ru_maxrss)
        hashes.add(digest)
        elapsed, usage, digest = run_hashed([*base, "--jobs", "2"], cwd=corpus.parent)
        rows["jobs2"].append(docs / elapsed)
        rows["cpu2"].append(cpu_seconds(usage))
        hashes.add(digest)
        print(
            f"  round {r + 1}/{rounds}: bare {rows['bare'][-1]:.1f}, jobs 1 "
            f"{rows['jobs1'][-1]:.1f}, jobs 2 {rows['jobs2'][-1]:.1f} docs/s; "
            f"load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    return rows, peaks, hashes


def duplicated_documents(
    texts: Sequence[str], count: int, share: float, seed: int
) -> list[dict[str, str]]:
    """`count` documents of which `share` are copies of others (same text, own id), at
    random places, as syndicated wire copy comes."""
    rng = random.Random(seed)
    distinct = list(news_documents(texts, count - int(count * share), seed))
    copies = [
        {"id": f"copy-{n}", "text": rng.choice(distinct)["text"]} for n in range(int(count * share))
    ]
    documents = distinct + copies
    rng.shuffle(documents)
    return documents


def measure_duplicates(
    geotag: list[str], corpus: Path, docs: int, rounds: int
) -> tuple[list[float], set[str]]:
    """(r): --jobs 1 on a corpus with copies, with reuse and without, interleaved:
    the speed-ups, and the hashes of the two outputs (one, if they agree)."""
    cmd = [*geotag, "--input-format", "jsonl", "--format", "jsonl", "-q", "-j", "1", corpus.name]
    without_reuse = {**os.environ, "GEOTAG_BENCH_NO_REUSE": "1"}
    ratios: list[float] = []
    hashes: set[str] = set()
    for r in range(rounds):
        plain, _, digest = run_hashed(cmd, env=without_reuse, cwd=corpus.parent)
        hashes.add(digest)
        reused, _, digest = run_hashed(cmd, cwd=corpus.parent)
        hashes.add(digest)
        ratios.append(plain / reused)
        print(
            f"  round {r + 1}/{rounds}: without reuse {docs / plain:.1f}, with reuse "
            f"{docs / reused:.1f} docs/s; load {os.getloadavg()[0]:.2f}",
            flush=True,
        )
    return ratios, hashes


# (n): the recogniser alone, in one process, on the same texts: spaCy's default batching
# against geotag's batches of BATCH_SIZE pieces, each in a memory zone, and against the
# same batches with no zone; interleaved, best of the rounds.
NER_BATCHING = """
import json, sys, time
from geotag.engine.model import load_nlp
from geotag.engine.pipeline import BATCH_SIZE
model, corpus, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
nlp = load_nlp(model)
with open(corpus, encoding="utf-8") as f:
    texts = [json.loads(line)["text"] for line in f]
def default():
    return sum(len(doc.ents) for doc in nlp.pipe(texts))
def batches(zone):
    found = 0
    for i in range(0, len(texts), BATCH_SIZE):
        part = texts[i : i + BATCH_SIZE]
        if zone:
            with nlp.memory_zone():
                found += sum(len(doc.ents) for doc in nlp.pipe(part, batch_size=len(part)))
        else:
            found += sum(len(doc.ents) for doc in nlp.pipe(part, batch_size=len(part)))
    return found
runs = {"default": default, "zoned": lambda: batches(True), "batches": lambda: batches(False)}
best = dict.fromkeys(runs, float("inf"))
for _ in range(rounds):
    for name, run in runs.items():
        t = time.perf_counter()
        run()
        best[name] = min(best[name], time.perf_counter() - t)
print(json.dumps(best))
"""


def measure_start(
    geotag: list[str], model: str, exclude: list[str], short: Path, runs: int
) -> dict[str, list[float]]:
    """(c): interleaved cold starts of geotag and of loading spaCy, and --help."""
    load = f"import spacy; spacy.load({model!r}, exclude={exclude!r})"
    tag = [*geotag, "--format", "jsonl", str(short)]
    times: dict[str, list[float]] = {"spacy": [], "geotag": [], "help": []}
    run_timed(tag)  # builds the gazetteer cache if there is none yet
    for _ in range(runs):
        times["spacy"].append(run_timed([sys.executable, "-c", load])[0])
        times["geotag"].append(run_timed(tag)[0])
        times["help"].append(run_timed([*geotag, "--help"])[0])
    return times


def measure_memory_growth(
    geotag: list[str], corpus: Path, docs: int, every: int = 1000
) -> tuple[dict[int, int], int]:
    """(d): RSS of one --jobs 1 run sampled every `every` documents written."""
    cmd = [*geotag, "--input-format", "jsonl", "--format", "jsonl", "-q", "--jobs", "1"]
    proc = subprocess.Popen([*cmd, str(corpus)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    samples: dict[int, int] = {}
    n = 0
    for _ in proc.stdout:
        n += 1
        if n % every == 0 or n == docs - 10:
            samples[n] = rss_kb(proc.pid)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0 or n != docs:
        sys.exit(f"bench: the memory run failed after {n} documents")
    return samples, usage.ru_maxrss


def measure_long_text(
    geotag: list[str], path: Path, work: Path, timeout: float
) -> tuple[float | None, int]:
    """(e): one long single-line file: (seconds or None after `timeout`, peak RSS KB)."""
    started = time.perf_counter()
    with (work / "long.err").open("wb") as err:
        proc = subprocess.Popen(
            [*geotag, "--format", "jsonl", "-q", "--jobs", "1", str(path)],
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    peak = 0
    while time.perf_counter() - started < timeout:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                sys.exit(f"bench: the long text failed: {(work / 'long.err').read_text()}")
            return time.perf_counter() - started, usage.ru_maxrss
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    peak = int(line.split()[1])
        time.sleep(0.5)
    proc.kill()
    proc.wait()
    return None, peak


# -- report ------------------------------------------------------------------------------

SECTIONS = "abcdefgnr"
Row = tuple[str, str, str, bool | None]


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "SHORT")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder of *.jsonl")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: geotag's)")
    parser.add_argument("--docs", type=int, default=1000, help="documents: a, b, f, n, r")
    parser.add_argument("--rounds", type=int, default=3, help="repeats: a, b, f, n, r")
    parser.add_argument("--starts", type=int, default=9, help="repeats of (c)")
    parser.add_argument("--memory-docs", type=int, default=10_000, help="documents for (d)")
    parser.add_argument("--long-mb", type=float, default=20, help="size of (e); 0 skips it")
    parser.add_argument("--long-timeout", type=float, default=1200, help="seconds for (e)")
    parser.add_argument("--only", default=SECTIONS, help="the sections to run, e.g. abg")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.docs, args.rounds, args.starts = 200, 1, 3
        args.memory_docs, args.long_mb = 2000, 0.1
    only = set(args.only)
    # The runs of (a), (b) and (r) start in the corpus's folder: a relative PYTHONPATH
    # ("src", to measure a checkout) would there find no geotag, and the installed one
    # would be measured instead, silently.
    if os.environ.get("PYTHONPATH"):
        os.environ["PYTHONPATH"] = os.pathsep.join(
            str(Path(entry).resolve()) for entry in os.environ["PYTHONPATH"].split(os.pathsep)
        )

    from geotag import DEFAULT_MODEL

    model = args.model or DEFAULT_MODEL
    geotag = [sys.executable, "-m", "geotag", "--model", model]
    texts = read_texts(args.eval)
    load_before = os.getloadavg()
    print(f"geotag bench: {len(texts)} texts from {args.eval}, model {model}")
    print(f"CPUs {os.cpu_count()}, load {load_before[0]:.2f} {load_before[1]:.2f}")
    capacity = parallel_capacity()
    print(f"parallel capacity now: {capacity:.2f}x (2 CPU-bound processes against 1)")
    exclude = excluded_components(model)
    results: dict[str, Any] = {
        "model": model,
        "excluded": exclude,
        "cpus": os.cpu_count(),
        "load_before": load_before,
        "parallel_capacity": capacity,
    }
    rows: list[Row] = []

    with tempfile.TemporaryDirectory(prefix="geotag-bench-") as tmp:
        work = Path(tmp)
        corpus = work / "corpus.jsonl"
        write_jsonl(corpus, news_documents(texts, args.docs, seed=1))
        if only & set("ab"):
            rows += section_throughput(args, geotag, model, exclude, corpus, capacity, results)
        if "c" in only:
            rows += section_start(args, geotag, model, exclude, texts, work, results)
        if "f" in only:
            rows += section_tag_cost(args, model, corpus, results)
        if "g" in only:
            rows += section_explain_cost(args, model, corpus, results)
        if "n" in only:
            rows += section_ner_batching(args, model, corpus, results)
        if "r" in only:
            rows += section_duplicates(args, geotag, texts, work, results)
        if "d" in only:
            rows += section_memory(args, geotag, texts, work, results)
        if "e" in only and args.long_mb > 0:
            rows += section_long_text(args, geotag, texts, work, results)
    load_after = os.getloadavg()
    results["load_after"] = load_after
    print(
        f"\nload before {load_before[0]:.2f}, after {load_after[0]:.2f}; "
        f"parallel capacity {capacity:.2f}x"
    )
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure'.ljust(width)}  {'value':>10}  {'target':>9}  verdict")
    for name, value, target, ok in rows:
        print(f"{name.ljust(width)}  {value:>10}  {target:>9}  {verdict(ok)}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def section_throughput(
    args: argparse.Namespace,
    geotag: list[str],
    model: str,
    exclude: list[str],
    corpus: Path,
    capacity: float,
    results: dict[str, Any],
) -> list[Row]:
    chars = sum(len(json.loads(line)["text"]) for line in corpus.open(encoding="utf-8"))
    print(f"\n(a, b) {args.docs} documents, {chars / args.docs:.0f} characters on average")
    bare = [sys.executable, "-c", BARE_LOOP, model, json.dumps(exclude), str(corpus)]
    speed, peaks, hashes = measure_throughput(geotag, bare, corpus, args.docs, args.rounds)
    ratio_a = median([g / b for g, b in zip(speed["jobs1"], speed["bare"], strict=True)])
    ratio_b = median([p / s for p, s in zip(speed["jobs2"], speed["jobs1"], strict=True)])
    share = ratio_b / capacity
    # CPU seconds spent by --jobs 2 (parent and workers) against --jobs 1: what running
    # in parallel costs in work, which the machine's load does not change much.
    inflation = median([c2 / c1 for c2, c1 in zip(speed["cpu2"], speed["cpu1"], strict=True)])
    results["jobs2_cpu_vs_jobs1_cpu"] = inflation
    results["throughput_docs_per_s"] = speed
    results["geotag_vs_bare"] = ratio_a
    results["jobs2_vs_jobs1"] = ratio_b
    results["jobs2_share_of_capacity"] = share
    results["peak_rss_mb_jobs1"] = max(peaks) / 1024
    results["output_sha256"] = sorted(hashes)
    print(
        f"docs/s medians: bare {median(speed['bare']):.1f}, jobs 1 "
        f"{median(speed['jobs1']):.1f}, jobs 2 {median(speed['jobs2']):.1f}"
    )
    print(f"JSON Lines output sha256 (jobs 1 and 2): {', '.join(sorted(hashes))}")
    return [
        (
            "a  geotag jsonl / bare nlp.pipe (docs/s)",
            f"{ratio_a:.2f}x",
            ">= 0.95x",
            ratio_a >= 0.95,
        ),
        ("b  --jobs 2 / --jobs 1 (docs/s)", f"{ratio_b:.2f}x", ">= 1.80x", ratio_b >= 1.8),
        ("b  that, / parallel capacity", f"{share:.0%}", ">= 95%", share >= 0.95),
        ("b  CPU seconds, --jobs 2 / --jobs 1", f"{inflation:.2f}x", "(shown)", None),
        ("a  --jobs 1 and 2 outputs agree", f"{len(hashes)} hash", "1 hash", len(hashes) == 1),
    ]


def section_start(
    args: argparse.Namespace,
    geotag: list[str],
    model: str,
    exclude: list[str],
    texts: Sequence[str],
    work: Path,
    results: dict[str, Any],
) -> list[Row]:
    short = work / "short.txt"
    first = texts[0]
    short.write_text(first[: first.find(" ", 600) if len(first) > 600 else None] + "\n")
    print(f"\n(c) warm start on {short.stat().st_size} bytes, {args.starts} times each")
    starts = measure_start(geotag, model, exclude, short, args.starts)
    ratio = median([g / s for g, s in zip(starts["geotag"], starts["spacy"], strict=True)])
    results["start_s"] = {k: median(v) for k, v in starts.items()}
    results["start_vs_spacy_load"] = ratio
    start = results["start_s"]
    print(
        f"start medians: spacy load {start['spacy']:.2f}s, geotag {start['geotag']:.2f}s, "
        f"--help {start['help']:.3f}s"
    )
    return [
        ("c  warm start / spaCy load", f"{ratio:.2f}x", "<= 1.10x", ratio <= 1.1),
        ("c  geotag --help", f"{start['help']:.3f}s", "<= 0.150s", start["help"] <= 0.15),
    ]


def run_script(script: str, what: str, model: str, corpus: Path, rounds: int) -> Any:
    """One of the in-process measures above, run in a fresh Python; its JSON answer."""
    run = subprocess.run(
        [sys.executable, "-c", script, model, str(corpus), str(rounds)],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        sys.exit(f"bench: the {what} run failed: {run.stderr}")
    return json.loads(run.stdout)


def section_tag_cost(
    args: argparse.Namespace, model: str, corpus: Path, results: dict[str, Any]
) -> list[Row]:
    print(f"\n(f) tagging cost against NER, {args.docs} documents x {args.rounds}")
    cost = run_script(TAG_COST, "tagging-cost", model, corpus, args.rounds)
    results["tag_cost"] = cost
    return [
        (
            "f  tagging / NER time, all documents",
            f"{cost['total_share']:.1%}",
            "<= 5%",
            cost["total_share"] <= 0.05,
        ),
        (
            "f  tagging / NER time, median document",
            f"{cost['median_share']:.1%}",
            "<= 5%",
            cost["median_share"] <= 0.05,
        ),
    ]


def section_explain_cost(
    args: argparse.Namespace, model: str, corpus: Path, results: dict[str, Any]
) -> list[Row]:
    print(f"\n(g) --explain against none, {args.docs} documents x {args.rounds}")
    cost = run_script(EXPLAIN_COST, "--explain", model, corpus, args.rounds)
    results["explain_cost"] = cost
    return [
        ("g  tagging with / without --explain", f"{cost['tag_ratio']:.2f}x", "(its cost)", None),
        (
            "g  document with / without --explain",
            f"{cost['document_ratio']:.2f}x",
            "<= 1.10x",
            cost["document_ratio"] <= 1.1,
        ),
    ]


def section_ner_batching(
    args: argparse.Namespace, model: str, corpus: Path, results: dict[str, Any]
) -> list[Row]:
    rounds = max(2, args.rounds)
    print(f"\n(n) NER alone: geotag's batches against spaCy's default, best of {rounds}")
    run = subprocess.run(
        [sys.executable, "-c", NER_BATCHING, model, str(corpus), str(rounds)],
        capture_output=True,
        text=True,
    )
    if run.returncode != 0:
        sys.exit(f"bench: the NER batching run failed: {run.stderr}")
    best = json.loads(run.stdout)
    results["ner_batching_s"] = best
    zoned = best["default"] / best["zoned"]
    plain = best["default"] / best["batches"]
    print(
        f"seconds: default batching {best['default']:.1f}, geotag's batches "
        f"{best['zoned']:.1f} (without memory zones {best['batches']:.1f})"
    )
    return [
        ("n  NER speed, geotag's batches / default", f"{zoned:.2f}x", ">= 0.95x", zoned >= 0.95),
        ("n  the same without memory zones", f"{plain:.2f}x", "(control)", None),
    ]


def section_duplicates(
    args: argparse.Namespace,
    geotag: list[str],
    texts: Sequence[str],
    work: Path,
    results: dict[str, Any],
) -> list[Row]:
    copies = work / "copies.jsonl"
    write_jsonl(copies, duplicated_documents(texts, args.docs, 0.3, seed=3))
    print(f"\n(r) {args.docs} documents, 30% of them copies: with reuse / without")
    ratios, hashes = measure_duplicates(geotag, copies, args.docs, args.rounds)
    ratio = median(ratios)
    results["duplicates_speedup"] = ratio
    results["duplicates_output_sha256"] = sorted(hashes)
    print(f"JSON Lines output sha256 (with and without reuse): {', '.join(sorted(hashes))}")
    return [
        ("r  30% copies: with reuse / without", f"{ratio:.2f}x", ">= 1.35x", ratio >= 1.35),
        ("r  outputs with and without agree", f"{len(hashes)} hash", "1 hash", len(hashes) == 1),
    ]


def section_memory(
    args: argparse.Namespace,
    geotag: list[str],
    texts: Sequence[str],
    work: Path,
    results: dict[str, Any],
) -> list[Row]:
    memory = work / "memory.jsonl"
    write_jsonl(memory, news_documents(texts, args.memory_docs, seed=2, chars=800))
    print(f"\n(d) RSS over {args.memory_docs} short documents (--jobs 1)")
    samples, memory_peak = measure_memory_growth(geotag, memory, args.memory_docs)
    first_n = min(samples)
    last_n = max(samples)
    growth = samples[last_n] / samples[first_n]
    results["rss_mb_by_documents"] = {n: kb / 1024 for n, kb in samples.items()}
    results["rss_growth"] = growth
    peak = max(results.get("peak_rss_mb_jobs1", 0.0), memory_peak / 1024)
    results["peak_rss_mb_jobs1"] = peak
    return [
        ("d  peak RSS, --jobs 1", f"{peak:.0f} MB", "<= 600 MB", peak <= 600),
        (
            f"d  RSS at {last_n} / at {first_n} documents",
            f"{growth:.3f}x",
            "<= 1.10x",
            growth <= 1.1,
        ),
    ]


def section_long_text(
    args: argparse.Namespace,
    geotag: list[str],
    texts: Sequence[str],
    work: Path,
    results: dict[str, Any],
) -> list[Row]:
    long_path = work / "long.txt"
    size = int(args.long_mb * MB)
    with long_path.open("w", encoding="utf-8") as f:
        written = 0
        n = 0
        while written < size:
            chunk = " ".join(texts[n % len(texts)].split()) + " "
            f.write(chunk)
            written += len(chunk.encode())
            n += 1
    print(f"\n(e) one line of {written / MB:.1f} MB (timeout {args.long_timeout:.0f}s)")
    seconds, peak = measure_long_text(geotag, long_path, work, args.long_timeout)
    mb = written / MB
    results["long_text"] = {"mb": mb, "seconds": seconds, "peak_rss_mb": peak / 1024}
    return [
        (
            f"e  {mb:.0f} MB line: peak RSS",
            f"{peak / 1024:.0f} MB",
            "<= 600 MB",
            peak / 1024 <= 600 if seconds is not None else None,
        ),
        (
            f"e  {mb:.0f} MB line: time",
            f"{seconds:.0f}s" if seconds is not None else f"> {args.long_timeout:.0f}s",
            "finishes",
            seconds is not None,
        ),
    ]


if __name__ == "__main__":
    sys.exit(main())
