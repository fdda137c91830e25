"""Batch runs: many inputs, bad inputs among good ones, streaming, Ctrl-C, worker processes.

The command runs in-process (CliRunner) where that shows the behaviour, and as a real
process where the behaviour is about processes: pipes that close, signals, workers. All on
the fake NER and the mini gazetteer, so no test waits for the real model.
"""

from __future__ import annotations

import codecs
import json
import os
import re
import select
import shlex
import signal
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from geotag.engine.pipeline import CHUNK_CHARS, Pipeline, split_text
from geotag.engine.pool import resolve_jobs
from geotag.errors import GeotagError
from geotag.gazetteer import Gazetteer
from geotag.models import Article, Document, Failure

from .helpers import (
    FAKE_PATTERNS,
    MINI_DEMONYMS,
    MINI_GAZETTEER,
    TEXT,
    fake_ner,
    unreadable_file,
)

# Generous: only a hang (the bug these tests look for) comes anywhere near it.
HANG = 120


def docs(stdout: str) -> list[dict]:
    return [json.loads(line) for line in stdout.splitlines()]


def errors(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("geotag: error:")]


def write(path: Path, data: str | bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return str(path)


def entity_texts(doc: dict) -> list[str]:
    return [e["text"] for e in doc["entities"]]


# -- many inputs ---------------------------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_many_files_come_out_in_the_order_given(run, tmp_path: Path, jobs: str) -> None:
    names = ["Moscow", "Idlib", "Ankara", "Paris", "Texas"] * 6
    paths = [write(tmp_path / f"{i:02d}.txt", f"News from {n}.") for i, n in enumerate(names)]
    order = paths[::-1]  # not the sorted order: the order given
    result = run("-f", "jsonl", "-j", jobs, *order)
    assert result.exit_code == 0, result.stderr
    out = docs(result.stdout)
    assert [d["source"] for d in out] == order
    assert [entity_texts(d) for d in out] == [[n] for n in names[::-1]]


def test_recursive_directories_skip_hidden_files_and_pipes(
    command: list[str], tmp_path: Path
) -> None:
    root = tmp_path / "news"
    for rel in ("a.txt", "b/c.txt", "b/d.md", ".e.txt", ".hidden/f.txt", "b/g.txt.bak"):
        write(root / rel, "Peskov in Moscow.")
    os.mkfifo(root / "b" / "pipe.txt")  # reading it would wait for ever

    def sources(*args: str) -> list[str]:
        out = subprocess.run(
            [*command, "-f", "jsonl", "-r", *args, str(root)],
            capture_output=True,
            text=True,
            timeout=HANG,
            check=True,
        )
        return [d["source"] for d in docs(out.stdout)]

    assert sources() == [str(root / "a.txt"), str(root / "b" / "c.txt")]
    both = sources("--glob", "*.md", "--glob", "*.txt")
    assert [Path(p).name for p in both] == ["a.txt", "c.txt", "d.md"]


def test_recursive_directory_with_no_matching_file_warns(run, tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "Moscow")
    result = run("-f", "jsonl", "-r", "--glob", "*.csv", str(tmp_path))
    assert result.exit_code == 0 and result.stdout == ""
    assert f"geotag: warning: {tmp_path}: no files matching *.csv" in result.stderr


def test_a_directory_without_recursive_fails_alone(run, tmp_path: Path) -> None:
    good = write(tmp_path / "a.txt", "Moscow")
    result = run("-f", "jsonl", str(tmp_path), good)
    assert result.exit_code == 1
    assert [d["source"] for d in docs(result.stdout)] == [good]
    assert errors(result.stderr) == [
        f"geotag: error: {tmp_path}: is a directory (use -r to read the files in it)"
    ]


@pytest.mark.parametrize("separator", [b"\n", b"\r\n", b"\x00"])
def test_files_from_stdin(run, tmp_path: Path, separator: bytes) -> None:
    a = write(tmp_path / "a.txt", "Moscow")
    b = write(tmp_path / "b c.txt", "Idlib")  # a space in the name
    listing = separator.join([a.encode(), b"", b.encode()]) + separator
    result = run("-f", "jsonl", "--files-from", "-", input=listing)
    assert result.exit_code == 0, result.stderr
    assert [d["source"] for d in docs(result.stdout)] == [a, b]


def test_files_from_a_file_adds_to_the_arguments(run, tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", "Moscow")
    b = write(tmp_path / "b.txt", "Idlib")
    listing = write(tmp_path / "list", f"{b}\n")
    result = run("-f", "jsonl", a, "--files-from", listing)
    assert [d["source"] for d in docs(result.stdout)] == [a, b]


def test_stdin_cannot_be_the_list_and_an_input(run) -> None:
    result = run("--files-from", "-", "-", input="a.txt\n")
    assert result.exit_code == 2 and "stdin cannot be both" in result.stderr


def test_find_piped_into_files_from(command: list[str], tmp_path: Path) -> None:
    for i in range(5):
        write(tmp_path / "in" / f"{i}.txt", "Peskov in Moscow.")
    write(tmp_path / "in" / "skip.md", "Moscow")
    pipeline = (
        f"find {shlex.quote(str(tmp_path / 'in'))} -name '*.txt' -print0 | sort -z | "
        f"{shlex.join(command)} --files-from - -f jsonl"
    )
    out = subprocess.run(
        pipeline, shell=True, capture_output=True, text=True, timeout=HANG, check=False
    )
    assert out.returncode == 0, out.stderr
    assert [Path(d["source"]).name for d in docs(out.stdout)] == [f"{i}.txt" for i in range(5)]


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_jsonl_records_with_chosen_fields_pass_their_ids_through(
    run, tmp_path: Path, via: str
) -> None:
    records = [
        {"uid": "a-1", "body": "Peskov in Moscow."},
        {"uid": 2, "body": "Shelling in Idlib."},
        {"body": "Nothing here."},
    ]
    data = "".join(json.dumps(r) + "\n" for r in records)
    args = ["-f", "jsonl", "--input-format", "jsonl", "--text-field", "body", "--id-field", "uid"]
    if via == "file":
        result = run(*args, write(tmp_path / "in.jsonl", data))
    else:
        result = run(*args, input=data)
    assert result.exit_code == 0, result.stderr
    out = docs(result.stdout)
    assert [d.get("id") for d in out] == ["a-1", 2, None]  # a number stays a number
    assert [entity_texts(d) for d in out] == [["Peskov", "Moscow"], ["Idlib"], []]


# -- one bad input among good ones ---------------------------------------------------------


BAD_INPUTS: dict[str, tuple[Callable[[Path], str], str]] = {
    "missing": (lambda d: str(d / "nope.txt"), "no such file"),
    "directory": (lambda d: str(d), "is a directory (use -r to read the files in it)"),
    "binary": (
        lambda d: write(d / "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00IHDR"),
        "binary file (contains NUL bytes), not text",
    ),
    "binary late": (
        lambda d: write(d / "late.txt", b"Moscow " * 20_000 + b"\x00"),
        "binary file (contains NUL bytes), not text",
    ),
    "unreadable": (unreadable_file, "permission denied"),
}


@pytest.mark.parametrize("kind", BAD_INPUTS)
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bad_input_is_one_error_line_and_the_rest_go_on(
    run, tmp_path: Path, kind: str, jobs: str
) -> None:
    make, reason = BAD_INPUTS[kind]
    bad = make(tmp_path)
    before = write(tmp_path / "ok" / "before.txt", "Peskov in Moscow.")
    after = write(tmp_path / "ok" / "after.txt", "Shelling in Idlib.")
    result = run("-f", "jsonl", "-j", jobs, before, bad, after)
    assert result.exit_code == 1
    assert [d["source"] for d in docs(result.stdout)] == [before, after]
    assert errors(result.stderr) == [f"geotag: error: {bad}: {reason}"]
    assert "Traceback" not in result.stderr
    inline = run("-f", "jsonl", "-j", jobs, "--errors-inline", before, bad, after)
    assert docs(inline.stdout)[1] == {"source": bad, "error": f"{bad}: {reason}"}


@pytest.mark.parametrize("content", [b"", b"  \n\t\r\n  "], ids=["empty", "whitespace"])
def test_empty_and_blank_files_give_empty_documents(run, tmp_path: Path, content: bytes) -> None:
    path = write(tmp_path / "blank.txt", content)
    result = run("-f", "jsonl", path)
    assert result.exit_code == 0 and result.stderr == ""
    (doc,) = docs(result.stdout)
    assert doc["source"] == path and doc["entities"] == [] and doc["places"] == []


def test_invalid_utf8_is_replaced_with_a_warning(run, tmp_path: Path) -> None:
    path = write(tmp_path / "bad.txt", b"Peskov \xff\xfe said in Moscow.")
    result = run("-f", "jsonl", path)
    assert result.exit_code == 0
    assert "not valid UTF-8" in result.stderr and errors(result.stderr) == []
    (doc,) = docs(result.stdout)
    text = "Peskov \ufffd\ufffd said in Moscow."
    for e in doc["entities"]:
        assert text[e["start"] : e["end"]] == e["text"]
    assert entity_texts(doc) == ["Peskov", "Moscow"]


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_with_a_bom_is_decoded(run, tmp_path: Path, codec: str) -> None:
    bom = codecs.BOM_UTF16_LE if codec.endswith("le") else codecs.BOM_UTF16_BE
    path = write(tmp_path / "u16.txt", bom + "Über Idlib: Peskov in Moscow.".encode(codec))
    result = run("-f", "jsonl", path)
    assert result.exit_code == 0 and result.stderr == ""
    (doc,) = docs(result.stdout)
    assert [(e["start"], e["text"]) for e in doc["entities"]] == [
        (5, "Idlib"),
        (12, "Peskov"),
        (22, "Moscow"),
    ]


def test_latin1_warns_unless_the_encoding_is_given(run, tmp_path: Path) -> None:
    path = write(tmp_path / "latin.txt", "Café in Moscow, Peskov said.".encode("latin-1"))
    guessed = run("-f", "jsonl", path)
    assert guessed.exit_code == 0 and "--encoding latin-1" in guessed.stderr
    told = run("-f", "jsonl", "--encoding", "latin-1", path)
    assert told.exit_code == 0 and told.stderr == ""
    (doc,) = docs(told.stdout)
    assert [(e["start"], e["text"]) for e in doc["entities"]] == [(8, "Moscow"), (16, "Peskov")]


def test_malformed_jsonl_lines_are_reported_by_line_number(run, tmp_path: Path) -> None:
    path = write(
        tmp_path / "in.jsonl",
        '{"id": "a", "text": "Moscow"}\n'
        "{not json\n"
        '{"id": "c", "body": "no text field"}\n'
        '{"id": "d", "text": ["not", "a", "string"]}\n'
        '{"id": "e", "text": null}\n'
        "\n"
        '{"id": "g", "text": "Idlib"}\n',
    )
    result = run("-f", "jsonl", "--input-format", "jsonl", "--errors-inline", path)
    assert result.exit_code == 1
    out = docs(result.stdout)
    assert [d.get("id") for d in out if "error" not in d] == ["a", "g"]
    failures = [d for d in out if "error" in d]
    assert [f["source"] for f in failures] == [f"{path}:{n}" for n in (2, 3, 4, 5)]
    lines = errors(result.stderr)
    assert len(lines) == 4
    assert f"{path}:2: malformed JSON" in lines[0]
    assert f"{path}:3: no 'text' field" in lines[1]
    assert f"{path}:4: field 'text' is list, not a string" in lines[2]
    assert f"{path}:5: no 'text' field" in lines[3]


def test_a_10_mb_single_line(run, tmp_path: Path) -> None:
    sentence = "the convoy left the town at dawn and reached the river by noon. "
    filler = sentence * 790
    text = " Moscow ".join([filler] * 200)  # about 10 MB, one line, 199 names
    assert len(text) > 10_000_000 and "\n" not in text
    path = write(tmp_path / "long.txt", text)
    result = run("-f", "jsonl", path)
    assert result.exit_code == 0, result.stderr
    (doc,) = docs(result.stdout)
    assert len(doc["entities"]) == 199
    for e in doc["entities"]:
        assert text[e["start"] : e["end"]] == "Moscow"


def test_ten_thousand_tiny_files(run, tmp_path: Path) -> None:
    root = tmp_path / "tiny"
    root.mkdir()
    for i in range(10_000):
        (root / f"{i:05d}.txt").write_text("Peskov in Moscow." if i % 3 else "")
    result = run("-f", "jsonl", "-r", str(root))
    assert result.exit_code == 0, result.stderr
    out = docs(result.stdout)
    assert [d["source"] for d in out] == [str(root / f"{i:05d}.txt") for i in range(10_000)]
    assert all(len(d["entities"]) == (2 if i % 3 else 0) for i, d in enumerate(out))
    assert "10000 document(s), 0 failed" in result.stderr


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


# -- long texts ----------------------------------------------------------------------------


def test_split_text_cuts_at_paragraphs_then_sentences_then_spaces() -> None:
    text = ("First sentence here. Second one! " * 40 + "\n\n") * 10
    pieces = list(split_text(text, 500))
    assert "".join(p for _, p in pieces) == text
    assert all(len(p) <= 500 for _, p in pieces)
    assert [o for o, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]
    assert all(p.endswith(("\n\n", "! ", ". ")) for _, p in pieces[:-1])
    words = "word " * 300
    assert all(p.endswith(" ") for _, p in list(split_text(words, 100))[:-1])
    solid = "x" * 1050
    assert [len(p) for _, p in split_text(solid, 500)] == [500, 500, 50]


def test_offsets_hold_across_chunk_boundaries(mini_gazetteer: Gazetteer) -> None:
    pipeline = Pipeline(nlp=fake_ner(FAKE_PATTERNS), gazetteer=mini_gazetteer)
    news = "Peskov flew from Moscow to Ankara. "
    filler = "the convoy left the town at dawn and reached the river by noon. "
    block = news + filler * 7
    blocks = 2 * CHUNK_CHARS // len(block)
    # The first cut falls just before a sentence with names; the others anywhere.
    text = filler * ((CHUNK_CHARS - 20) // len(filler)) + block * blocks
    pieces = list(split_text(text, CHUNK_CHARS))
    assert len(pieces) >= 3 and pieces[1][1].startswith(news)
    doc = pipeline.tag_text(text)
    assert len(doc.mentions) == 3 * blocks
    for m in doc.mentions:
        assert text[m.start : m.end] == m.text
    assert doc.mentions[0].start == pieces[1][0]
    assert {m.text for m in doc.mentions} == {"Peskov", "Moscow", "Ankara"}


# -- the library -------------------------------------------------------------------------


@Language.component("geotag_test_crash")
def _crash_on_boom(doc: Doc) -> Doc:
    """Kills the process that runs it on a text with BOOM: a worker crash in native code."""
    if "BOOM" in doc.text:
        os.kill(os.getpid(), signal.SIGKILL)
    return doc


@pytest.fixture()
def crashing_pipeline(mini_gazetteer: Gazetteer) -> Pipeline:
    nlp = fake_ner(FAKE_PATTERNS)
    nlp.add_pipe("geotag_test_crash")
    return Pipeline(nlp=nlp, gazetteer=mini_gazetteer)


def test_a_worker_that_dies_costs_only_the_text_that_killed_it(
    crashing_pipeline: Pipeline,
) -> None:
    texts = [f"Report {i} from Moscow." for i in range(60)]
    texts[7] = "BOOM in Moscow."
    texts[41] = "BOOM again."
    articles = [Article(t, source=f"s{i}") for i, t in enumerate(texts)]
    results = list(crashing_pipeline.tag_articles(articles, jobs=2))
    assert [r.source for r in results] == [f"s{i}" for i in range(60)]
    failed = {r.source: r.error for r in results if isinstance(r, Failure)}
    assert failed == {
        "s7": "s7: the worker process tagging it died (killed by SIGKILL, out of memory?)",
        "s41": "s41: the worker process tagging it died (killed by SIGKILL, out of memory?)",
    }
    for r, text in zip(results, texts, strict=True):
        if isinstance(r, Document):
            assert r.text == text and [m.text for m in r.mentions] == ["Moscow"]


def test_workers_that_keep_dying_are_an_error_not_a_hang(crashing_pipeline: Pipeline) -> None:
    articles = [Article("BOOM", source=f"s{i}") for i in range(50)]
    results = crashing_pipeline.tag_articles(articles, jobs=2)
    with pytest.raises(GeotagError, match=r"worker processes keep dying \(killed by SIGKILL"):
        for result in results:
            assert isinstance(result, Failure)


def test_parallel_results_equal_serial_results(mini_gazetteer: Gazetteer) -> None:
    pipeline = Pipeline(nlp=fake_ner(FAKE_PATTERNS), gazetteer=mini_gazetteer)
    texts = [TEXT, "", "Paris, Texas.", "x" * (CHUNK_CHARS + 10) + " Moscow", TEXT * 50]
    articles: list[Article | Failure] = [Article(t, source=str(i)) for i, t in enumerate(texts)]
    articles.insert(2, Failure("bad", "bad: no such file"))
    serial = list(pipeline.tag_articles(articles * 7, jobs=1))
    parallel = list(pipeline.tag_articles(articles * 7, jobs=2))
    assert parallel == serial
    assert sum(isinstance(r, Failure) for r in serial) == 7


def test_spawned_workers_load_their_own_pipeline(fake_model: str) -> None:
    from geotag.engine.pool import WorkerPool

    pipeline = Pipeline(fake_model, Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS))
    pool = WorkerPool(pipeline, 2, start_method="spawn")
    results = list(pool.run(Article(f"{i}: Peskov in Moscow.", source=str(i)) for i in range(9)))
    assert [r.source for r in results] == [str(i) for i in range(9)]
    assert all(isinstance(r, Document) and len(r.mentions) == 2 for r in results)


def test_jobs_zero_means_every_usable_cpu() -> None:
    assert resolve_jobs(0) >= 1 and resolve_jobs(3) == 3
    with pytest.raises(ValueError):
        resolve_jobs(-1)
