"""Many inputs through the command: files, directories, lists of paths, JSON Lines records,
and one bad input among good ones (the cli and readers layers, in-process with CliRunner
where that shows the behaviour). On the fake NER and the mini gazetteer."""

from __future__ import annotations

import codecs
import json
import os
import shlex
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from .helpers import HANG, docs, entity_texts, errors, unreadable_file, write

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


@pytest.mark.slow  # a 10 MB text
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


@pytest.mark.slow  # 10,000 files
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
