"""Faults, with geotag as a real process (fake NER, mini gazetteer): its main process killed,
a worker killed, a disk that is full or a stdout that refuses writes, a file that cannot be
read. Nothing is left running, nothing is lost but what the fault took, and every fault is
one line on stderr with the documented exit code."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geotag.formats import FORMATS

from .helpers import FIXTURES, MINI_GAZETTEER, TEXT, unreadable_file

GOLD = FIXTURES / "eval" / "gold.jsonl"
# Generous: only a hang (the bug these tests look for) comes anywhere near it.
HANG = 120
# How long a worker may outlive its parent: "a few seconds".
GRACE = 5.0

linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc"
)


def children(pid: int) -> list[int]:
    """The live child processes of `pid`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None and stat[1] == pid and stat[0] != "Z":
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, or stopped; not gone and not a zombie (dead, waiting to be reaped)."""
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"


def _stat(pid: int) -> tuple[str, int] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = raw[raw.rindex(")") + 2 :].split()  # after "pid (name) "
    return fields[0], int(fields[1])


def wait_for(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def record(n: int) -> bytes:
    return json.dumps({"id": n, "text": f"Report {n}: Peskov in Moscow."}).encode() + b"\n"


def started(command: list[str], *args: str) -> tuple[subprocess.Popen[bytes], list[int]]:
    """geotag --jobs 2 on JSON Lines from a pipe kept open, once both workers have tagged."""
    proc = subprocess.Popen(
        [*command, "--jobs", "2", "--input-format", "jsonl", "-f", "jsonl", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(b"".join(record(n) for n in range(200)))
    proc.stdin.flush()
    for _ in range(200):  # every record out: both workers are up and serving
        assert proc.stdout.readline(), proc.stderr.read() if proc.stderr else ""
    workers = children(proc.pid)
    assert len(workers) == 2, workers
    return proc, workers


# -- the main process killed ---------------------------------------------------------------


@pytest.mark.slow  # two workers serving 200 records, per signal
@linux_only
@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM])
def test_killing_the_main_process_leaves_no_worker_behind(
    command: list[str], how: signal.Signals
) -> None:
    proc, workers = started(command)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        os.kill(proc.pid, how)
        proc.wait(timeout=HANG)
        assert wait_for(lambda: not any(alive(w) for w in workers), GRACE), [
            (w, _stat(w)) for w in workers if alive(w)
        ]
        # Nothing holds geotag's stdout any more: its reader sees the end at once.
        assert proc.stdout.read() == b""
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)
        proc.stdin.close()


def pool_script(path: Path, fake_model: str, body: str) -> Path:
    """A Python script at `path` that loads a pipeline on the fake NER, then runs `body`
    (with WorkerPool and Article imported)."""
    path.write_text(
        "import sys, threading, time\n"
        "from geotag.engine.pipeline import Pipeline\n"
        "from geotag.engine.pool import WorkerPool\n"
        "from geotag.gazetteer import Gazetteer\n"
        "from geotag.models import Article\n"
        "from geotag.options import PipelineOptions\n"
        f"pipeline = Pipeline(PipelineOptions({fake_model!r}), "
        f"Gazetteer.load({str(MINI_GAZETTEER)!r}))\n" + body
    )
    return path


@pytest.mark.slow  # three workers busy on long texts
@linux_only
def test_a_worker_mid_text_dies_with_its_parent(fake_model: str, tmp_path: Path) -> None:
    """Workers forked from a thread other than the main one get no death signal from the
    kernel: the closed pipe alone must end them, here while they are busy tagging."""
    script = pool_script(
        tmp_path / "pool.py",
        fake_model,
        "def texts():\n"
        "    n = 0\n"
        "    while True:\n"
        "        n += 1\n"
        "        yield Article('Peskov in Moscow. ' * 500, source=str(n))\n"
        "def run():\n"
        "    for n, _ in enumerate(WorkerPool(pipeline, 3).run(texts())):\n"
        "        if n == 50:\n"
        "            print('busy', flush=True)\n"
        "threading.Thread(target=run, daemon=True).start()\n"
        "time.sleep(600)\n",
    )
    proc = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"busy\n"
    workers = children(proc.pid)
    assert len(workers) == 3
    try:
        proc.kill()
        proc.wait(timeout=HANG)
        assert wait_for(lambda: not any(alive(w) for w in workers), GRACE)
    finally:
        for w in workers:
            if alive(w):
                os.kill(w, signal.SIGKILL)


# -- a worker killed -----------------------------------------------------------------------


def test_a_worker_starts_while_a_thread_waits_on_stdin(fake_model: str, tmp_path: Path) -> None:
    # A replacement worker is forked while the reading thread is blocked on an idle pipe
    # (JSON Lines still to come): the fork copies stdin's lock held, and the worker hung
    # for good closing stdin before it ever ran.
    script = pool_script(
        tmp_path / "fork_while_reading.py",
        fake_model,
        "threading.Thread(target=sys.stdin.buffer.read, daemon=True).start()\n"
        "time.sleep(0.5)  # the thread is in its read, holding the lock\n"
        "docs = list(WorkerPool(pipeline, 2).run([Article('Peskov in Moscow.', source='a')]))\n"
        "print(len(docs), flush=True)\n",
    )
    proc = subprocess.Popen(
        [sys.executable, str(script)], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert proc.stdout is not None
        assert wait_for(lambda: proc.poll() is not None, 60), "the worker hung starting"
        assert proc.stdout.read() == b"1\n"
    finally:
        proc.kill()
        proc.wait()


@linux_only
def test_a_killed_worker_costs_at_most_its_text_and_every_id_comes_out_once(
    command: list[str],
) -> None:
    proc, workers = started(command, "--errors-inline")
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    os.kill(workers[0], signal.SIGKILL)
    proc.stdin.write(b"".join(record(n) for n in range(200, 400)))
    proc.stdin.close()
    rest = proc.stdout.read()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=HANG) in (0, 1)
    out = [json.loads(line) for line in rest.splitlines()]
    assert sorted(d["source"] for d in out) == sorted(f"-:{n}" for n in range(201, 401))
    failed = [d for d in out if "error" in d]
    assert len(failed) <= 1  # the text it was tagging, if it was tagging one
    assert len(err.splitlines()) == len(failed) + 1  # and the summary line
    assert not any(alive(w) for w in workers)
    assert not children(proc.pid)


# -- output that cannot be written ---------------------------------------------------------


def to_full_disk(args: list[str]) -> subprocess.CompletedProcess[str]:
    """Run `args` with its standard output on a disk that is full (/dev/full)."""
    with open("/dev/full", "wb") as full:
        return subprocess.run(
            args, stdout=full, stderr=subprocess.PIPE, text=True, timeout=HANG, check=False
        )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_full_disk_is_one_line_and_exit_1(command: list[str], tmp_path: Path, fmt: str) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    out = to_full_disk([*command, "-f", fmt, str(article), str(article)])
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "geotag: error: cannot write the output: No space left on device (after 0 document(s))"
    ]


@pytest.mark.parametrize(
    "args",
    [
        ["gazetteer", "info", "-f", "json"],
        ["gazetteer", "info", "-f", "table"],
        ["gazetteer", "lookup", "Moscow", "-f", "json"],
        ["gazetteer", "lookup", "Moscow", "-f", "table"],
        ["evaluate", "GOLD"],
        ["evaluate", "GOLD", "-f", "json"],
    ],
    ids=" ".join,
)
def test_other_commands_on_a_full_disk(fake_model: str, args: list[str]) -> None:
    args = [str(GOLD) if a == "GOLD" else a for a in args]
    if args[0] == "evaluate":
        args += ["--model", fake_model]
    out = to_full_disk([sys.executable, "-m", "geotag", *args, "--gazetteer", str(MINI_GAZETTEER)])
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "geotag: error: cannot write the output: No space left on device"
    ]


def test_predictions_on_a_full_disk_name_the_file(fake_model: str) -> None:
    args = ["evaluate", str(GOLD), "--model", fake_model, "--predictions", "/dev/full"]
    out = subprocess.run(
        [sys.executable, "-m", "geotag", *args, "--gazetteer", str(MINI_GAZETTEER)],
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.splitlines() == [
        "geotag: error: /dev/full: cannot write: No space left on device"
    ]


def test_a_stdout_open_only_for_reading_is_one_line(command: list[str], tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(TEXT, encoding="utf-8")
    with open(article, "rb") as read_only:
        out = subprocess.run(
            [*command, "-f", "jsonl", str(article)],
            stdout=read_only,
            stderr=subprocess.PIPE,
            text=True,
            timeout=HANG,
            check=False,
        )
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "geotag: error: cannot write the output: Bad file descriptor (after 0 document(s))"
    ]


# -- a file that cannot be read ------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_unreadable_file_fails_alone(run, tmp_path: Path, fmt: str) -> None:
    secret = unreadable_file(tmp_path)
    good = tmp_path / "good.txt"
    good.write_text("Shelling in Idlib.", encoding="utf-8")
    result = run("-f", fmt, "--jobs", "2", secret, str(good))
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
    assert errors == [f"geotag: error: {secret}: permission denied"]
    assert "Idlib" in result.stdout and "Traceback" not in result.stderr
