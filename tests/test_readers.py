from __future__ import annotations

import codecs
import io
import os
from pathlib import Path

import pytest

from geotag.errors import InputError
from geotag.models import Article, Failure
from geotag.readers import decode, expand_paths, iter_inputs, read_jsonl, read_path_list

from .helpers import unreadable_file


def test_decode_utf8_with_and_without_bom() -> None:
    assert decode("Kyiv – Київ".encode(), "x") == "Kyiv – Київ"
    assert decode(codecs.BOM_UTF8 + b"Idlib", "x") == "Idlib"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-be", "utf-32"])
def test_decode_utf16_and_32_with_bom(codec: str) -> None:
    data = "Aleppo, Ḥalab".encode(codec)
    if codec == "utf-16-be":
        data = codecs.BOM_UTF16_BE + data
    assert decode(data, "x") == "Aleppo, Ḥalab"


def test_invalid_utf8_is_replaced_with_a_warning() -> None:
    warnings: list[str] = []
    text = decode("Café in Zürich".encode("latin-1"), "a.txt", warnings.append)
    assert text == "Caf\ufffd in Z\ufffdrich"
    assert len(warnings) == 1 and "a.txt" in warnings[0] and "2 byte sequence" in warnings[0]


def test_explicit_encoding_decodes_latin1() -> None:
    assert decode("Café".encode("latin-1"), "a.txt", encoding="latin-1") == "Café"


def test_nul_bytes_mean_binary() -> None:
    with pytest.raises(InputError, match="binary file"):
        decode(b"\x89PNG\r\n\x1a\n\x00\x00", "img.png")


def read_all(paths: list[str], stdin: bytes = b"", **kw: object) -> list[Article | Failure]:
    return list(iter_inputs(paths, stdin=io.BytesIO(stdin), **kw))  # type: ignore[arg-type]


def test_files_stdin_and_failures_keep_their_order(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text("Beirut", encoding="utf-8")
    items = read_all([str(tmp_path / "missing.txt"), str(good), "-", str(tmp_path)], b"Homs")
    assert [type(i).__name__ for i in items] == ["Failure", "Article", "Article", "Failure"]
    assert items[0].error.endswith("missing.txt: no such file")  # type: ignore[union-attr]
    assert items[2] == Article("Homs", source="-")
    assert "is a directory (use -r" in items[3].error  # type: ignore[union-attr]


def test_empty_and_whitespace_files_are_articles(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\t\n")
    items = read_all([str(tmp_path / "empty.txt"), str(tmp_path / "blank.txt")])
    assert [i.text for i in items] == ["", "  \n\t\n"]  # type: ignore[union-attr]


@pytest.mark.parametrize("input_format", ["text", "jsonl"])
def test_unreadable_file(tmp_path: Path, input_format: str) -> None:
    path = unreadable_file(tmp_path)
    (item,) = read_all([path], input_format=input_format)
    assert item == Failure(path, f"{path}: permission denied")


def test_binary_file_is_recognised_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"\x00" * 10 + b"x" * 1_000_000)
    (item,) = read_all([str(path)])
    assert isinstance(item, Failure) and "binary file" in item.error
    utf16 = tmp_path / "u16.txt"
    utf16.write_bytes("Homs".encode("utf-16"))  # NUL bytes, but a BOM says what they are
    assert read_all([str(utf16)]) == [Article("Homs", source=str(utf16))]


def test_a_path_through_a_file_is_not_a_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x")
    path = str(tmp_path / "a.txt" / "b.txt")
    (item,) = read_all([path])
    assert isinstance(item, Failure) and item.error == f"{path}: cannot read: Not a directory"


def test_recursive_walk_skips_hidden_and_filters(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / ".hidden").mkdir()
    for rel in ("a.txt", "b/c.txt", "b/d.md", ".e.txt", ".hidden/f.txt"):
        (tmp_path / rel).write_text(rel)
    found = [Path(p).relative_to(tmp_path).as_posix() for p in expand_paths([str(tmp_path)], True)]
    assert found == ["a.txt", "b/c.txt"]
    found = list(expand_paths([str(tmp_path)], True, ("*.md", "*.txt")))
    assert [Path(p).name for p in found] == ["a.txt", "c.txt", "d.md"]
    assert list(expand_paths([str(tmp_path)], False)) == [str(tmp_path)]


def test_jsonl_records_ids_and_bad_lines() -> None:
    data = (
        b'{"id": 7, "text": "Hama"}\n'
        b"\n"
        b'{"id": "b", "text": 5}\n'
        b"{not json}\n"
        b'{"id": "c"}\n'
        b"[1, 2]\n"
        b'{"uid": "d", "body": "Homs"}\n'
    )
    items = list(read_jsonl(io.BytesIO(data), "in.jsonl"))
    assert items[0] == Article("Hama", source="in.jsonl:1", id=7)  # the id as JSON gave it
    assert (
        isinstance(items[1], Failure) and "in.jsonl:3" in items[1].error and "int" in items[1].error
    )
    assert isinstance(items[2], Failure) and "in.jsonl:4: malformed JSON" in items[2].error
    assert isinstance(items[3], Failure) and "no 'text' field" in items[3].error
    assert isinstance(items[4], Failure) and "expected a JSON object" in items[4].error
    assert isinstance(items[5], Failure)
    line = b'{"uid": "d", "body": "Homs"}\n'
    custom = list(read_jsonl(io.BytesIO(line), "x", text_field="body", id_field="uid"))
    assert custom == [Article("Homs", source="x:1", id="d")]


def test_path_list() -> None:
    assert list(read_path_list(io.BytesIO(b"a.txt\n\nb c.txt\r\n"))) == ["a.txt", "b c.txt"]


def test_path_list_separated_by_nul_keeps_newlines_and_odd_bytes() -> None:
    data = b"a\nb.txt\x00\x00caf\xe9.txt\x00"
    assert list(read_path_list(io.BytesIO(data))) == ["a\nb.txt", os.fsdecode(b"caf\xe9.txt")]
    assert list(read_path_list(io.BytesIO(codecs.BOM_UTF8 + b"x.txt\n"))) == ["x.txt"]


def test_expand_paths_warns_about_a_folder_with_no_match(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("x")
    warnings: list[str] = []
    assert list(expand_paths([str(tmp_path)], True, ("*.txt",), warnings.append)) == []
    assert warnings == [f"{tmp_path}: no files matching *.txt"]


def test_walk_skips_fifos_and_reports_folders_it_cannot_list(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "a.txt").write_text("x")
    assert list(expand_paths([str(tmp_path)], True)) == [str(tmp_path / "a.txt")]
    if os.geteuid() == 0:
        return  # root lists any folder
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        items = list(expand_paths([str(tmp_path)], True))
    finally:
        locked.chmod(0o755)
    assert items[-1] == Failure(str(locked), f"{locked}: cannot list the folder: Permission denied")
