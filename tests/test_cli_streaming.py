"""The command as a process: output that streams before the next input has arrived, a
closed stdout, a reader that goes away, `| head`, Ctrl-C, and the progress bar only at a
terminal. Real processes (pipes, signals, worker processes) on the fake NER and the mini
gazetteer."""

from __future__ import annotations

import json
import os
import re
import select
import shlex
import signal
import subprocess
from pathlib import Path

import pytest

from .helpers import HANG, docs, entity_texts, write


def test_closed_stdout_is_one_error_line(command: list[str], tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "Moscow")
    out = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *command, "-f", "jsonl", path],
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        "geotag: error: stdout is closed: nowhere to write the results (redirect it to a file)"
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_is_gone_ends_geotag_quietly(
    command: list[str], tmp_path: Path, jobs: str
) -> None:
    paths = [write(tmp_path / f"{i}.txt", "Peskov in Moscow.") for i in range(50)]
    proc = subprocess.Popen(
        [*command, "-f", "jsonl", "-j", jobs, *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| true`
    err = proc.stderr.read()
    assert proc.wait(timeout=HANG) == 0
    # No error: only the summary, which says the run stopped early (issue 23).
    assert err == (
        b"geotag: stopped early: the output's reader went away after 0 of 50 document(s), "
        b"0 failed\n"
    )


# -- streaming and Ctrl-C ------------------------------------------------------------------


def read_line(proc: subprocess.Popen[bytes]) -> bytes:
    """One line of an unbuffered (bufsize=0) stdout: nothing is read beyond it, so select
    sees what is still to come and the rest can be read afterwards."""
    assert proc.stdout is not None
    line = b""
    while not line.endswith(b"\n"):
        ready, _, _ = select.select([proc.stdout], [], [], HANG)
        assert ready, "no output"
        byte = proc.stdout.read(1)
        assert byte, "output ended"
        line += byte
    return line


def finish(proc: subprocess.Popen[bytes]) -> tuple[bytes, bytes]:
    """The rest of stdout and all of stderr, once the process ends."""
    assert proc.stdout is not None and proc.stderr is not None
    rest = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait(timeout=HANG)
    return rest, err


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_document_is_written_before_the_next_input_has_arrived(
    command: list[str], tmp_path: Path, jobs: str
) -> None:
    first = write(tmp_path / "first.txt", "Peskov in Moscow.")
    fifo = tmp_path / "later.txt"
    os.mkfifo(fifo)  # its text comes only once the first document is out
    proc = subprocess.Popen(
        [*command, "-f", "jsonl", "-j", jobs, first, str(fifo)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    try:
        line = read_line(proc)
    finally:
        if proc.poll() is None:  # let geotag finish whatever happened
            with open(fifo, "w") as f:
                f.write("Shelling in Idlib.")
    assert json.loads(line)["source"] == first
    rest, err = finish(proc)
    assert proc.returncode == 0, err
    (second,) = docs(rest.decode())
    assert entity_texts(second) == ["Idlib"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_head_stops_geotag_early_and_quietly(command: list[str], tmp_path: Path, jobs: str) -> None:
    paths = [write(tmp_path / f"{i:04d}.txt", f"Report {i}: Peskov in Moscow.") for i in range(600)]
    # The last input never comes: a geotag that went on to the end would wait for ever.
    os.mkfifo(tmp_path / "9999.txt")
    listing = write(tmp_path / "list", "\n".join([*paths, str(tmp_path / "9999.txt")]))
    pipeline = f"{shlex.join(command)} --files-from {listing} -f jsonl -j {jobs} | head -3"
    out = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {pipeline}"],
        capture_output=True,
        text=True,
        timeout=HANG,
        check=False,
    )
    assert out.returncode == 0
    # No error: only the summary, which says the run stopped early (issue 23).
    assert re.fullmatch(
        r"geotag: stopped early: the output's reader went away after \d+ of 601 document\(s\), "
        r"0 failed\n",
        out.stderr,
    )
    assert [Path(d["source"]).name for d in docs(out.stdout)] == [
        "0000.txt",
        "0001.txt",
        "0002.txt",
    ]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_ctrl_c_exits_130_keeping_every_finished_document(
    command: list[str], tmp_path: Path, jobs: str
) -> None:
    paths = [write(tmp_path / f"{i:03d}.txt", f"Report {i}: Peskov in Moscow.") for i in range(40)]
    os.mkfifo(tmp_path / "999.txt")  # geotag is still at work when Ctrl-C comes
    proc = subprocess.Popen(
        [*command, *paths, str(tmp_path / "999.txt"), "-f", "jsonl", "-j", jobs],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
        start_new_session=True,  # its own process group, as a terminal's job
    )
    lines = [read_line(proc) for _ in range(3)]
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole group gets it
    rest, err = finish(proc)
    assert proc.returncode == 130
    written = docs(b"".join(lines).decode() + rest.decode())
    assert [Path(d["source"]).name for d in written] == [
        f"{i:03d}.txt" for i in range(len(written))
    ]
    assert all(entity_texts(d) == ["Peskov", "Moscow"] for d in written)
    assert err.decode().splitlines() == [
        f"geotag: error: interrupted after {len(written)} document(s); "
        f"the finished ones are written"
    ]


def test_progress_bar_only_at_a_terminal(command: list[str], tmp_path: Path) -> None:
    pty = pytest.importorskip("pty")
    paths = [write(tmp_path / f"{i}.txt", "Peskov in Moscow.") for i in range(3)]

    def stderr_at_terminal(*args: str) -> bytes:
        controller, terminal = pty.openpty()
        proc = subprocess.Popen(
            [*command, *args],
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            env={**os.environ, "TERM": "xterm", "COLUMNS": "100"},
        )
        os.close(terminal)
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal closed
                break
            if not chunk:
                break
            seen += chunk
        proc.wait(timeout=HANG)
        os.close(controller)
        return seen

    shown = stderr_at_terminal("-f", "jsonl", *paths)
    assert b"tagging" in shown and b"docs/s" in shown
    assert b"3 document(s), 0 failed" in shown
    assert b"tagging" not in stderr_at_terminal("-f", "jsonl", "-q", *paths)
    assert b"tagging" not in stderr_at_terminal("-f", "jsonl", paths[0])


def test_no_progress_bar_when_stderr_is_not_a_terminal(run, tmp_path: Path) -> None:
    paths = [write(tmp_path / f"{i}.txt", "Moscow") for i in range(3)]
    result = run("-f", "jsonl", *paths)
    assert result.stderr.splitlines()[0].startswith("geotag: 3 document(s), 0 failed, ")
    assert len(result.stderr.splitlines()) == 1
    assert run("-f", "jsonl", "-q", *paths).stderr == ""
