"""Hostile and malformed input, in-process (fake NER, mini gazetteer): file names that are not
UTF-8, ids of every JSON kind, cells a spreadsheet would run, control sequences for the
terminal, flags the data has nothing for, encodings. Each case ends in output that parses, a
one-line error with the documented exit code, and every good input still there."""

from __future__ import annotations

import csv
import html
import io
import json
import os
from pathlib import Path

import orjson
import pytest
from click.testing import CliRunner, Result

from geotag.cli import cli
from geotag.formats import FORMATS
from geotag.formats.csv import inert
from geotag.formats.escape import for_terminal, json_bytes, unsurrogate, utf8
from geotag.models import Article, Failure, id_text
from geotag.readers import decode, iter_inputs, read_path_list

from .helpers import MINI_GAZETTEER, TEXT, json_stream

# A file name with bytes that are not UTF-8, as Python holds it (os.fsdecode).
BAD_NAME = os.fsdecode(b"caf\xe9 \xff.txt")
SHOWN_NAME = "caf\\xe9 \\xff.txt"  # how every output writes it


def invoke(fake_model: str, *args: str, input: str | bytes | None = None) -> Result:
    full = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), *args]
    # color=True: click would otherwise strip colour codes itself, hiding what geotag does;
    # tables as wide as the long paths, so no name is cut short.
    return CliRunner().invoke(
        cli, full, input=input, catch_exceptions=False, color=True, env={"COLUMNS": "400"}
    )


def sources(fmt: str, out: bytes) -> list[str]:
    """The document sources (or the whole output, for table and html) of a run's output;
    the output must be valid UTF-8 (and valid JSON/CSV where it is those)."""
    text = out.decode("utf-8")
    if fmt == "jsonl":
        return [json.loads(line)["source"] for line in text.splitlines()]
    if fmt == "json":
        return [d["source"] for d in json_stream(text)]
    if fmt == "csv":
        return list(dict.fromkeys(r["source"] for r in csv.DictReader(io.StringIO(text))))
    if fmt == "geojson":
        features = json.loads(text)["features"]
        return list(dict.fromkeys(f["properties"]["source"] for f in features))
    return [text]


# -- file names that are not UTF-8 ---------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("via", ["arguments", "files-from", "directory"])
def test_a_file_name_that_is_not_utf8_never_stops_a_run(
    fake_model: str, tmp_path: Path, fmt: str, via: str
) -> None:
    bad = os.path.join(tmp_path, BAD_NAME)
    with open(bad, "w", encoding="utf-8") as f:
        f.write(TEXT)
    good = tmp_path / "z-good.txt"
    good.write_text("Shelling in Idlib.", encoding="utf-8")
    if via == "arguments":
        result = invoke(fake_model, "-f", fmt, bad, str(good))
    elif via == "files-from":
        listing = os.fsencode(bad) + b"\n" + os.fsencode(good) + b"\n"
        result = invoke(fake_model, "-f", fmt, "--files-from", "-", input=listing)
    else:
        result = invoke(fake_model, "-f", fmt, "-r", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    found = sources(fmt, result.stdout_bytes)
    if fmt in ("table", "html"):
        assert SHOWN_NAME in found[0] and str(good) in found[0]
    else:
        assert found == [unsurrogate(bad), str(good)]
        assert found[0].endswith(SHOWN_NAME)


def test_a_missing_file_with_such_a_name_is_one_error_line_and_an_inline_record(
    fake_model: str, tmp_path: Path
) -> None:
    missing = os.path.join(tmp_path, BAD_NAME)
    result = invoke(fake_model, "-f", "jsonl", "--errors-inline", missing, "-", input=TEXT)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"geotag: error: {tmp_path}/{SHOWN_NAME}: no such file"
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["source"] == f"{tmp_path}/{SHOWN_NAME}" and "no such file" in first["error"]
    assert second["source"] == "-"


def test_escaping_is_one_rule_for_every_output() -> None:
    name = os.fsdecode(b"a\xff\x1b[31m\n")
    assert unsurrogate(name) == "a\\xff\x1b[31m\n"  # files keep controls (JSON escapes them)
    assert for_terminal(name) == "a\\xff\\x1b[31m\\n"
    assert for_terminal("x\u202eexe.txt\x9b2J") == "x\\u202eexe.txt\\x9b2J"
    assert for_terminal("two\nlines", lines=True) == "two\nlines"
    assert for_terminal("Ḥalab, Zürich, 北京") == "Ḥalab, Zürich, 北京"
    assert utf8(name) == b"a\\xff\x1b[31m\n"
    assert unsurrogate("\ud800") == "\\ud800"  # not a file name's byte


def test_json_bytes_is_orjson_unless_orjson_refuses() -> None:
    doc = {"id": 7, "source": "é.txt", "entities": [{"start": 0, "lat": -33.5}]}
    for option in (0, orjson.OPT_INDENT_2, orjson.OPT_APPEND_NEWLINE):
        assert json_bytes(doc, option) == orjson.dumps(doc, option=option)
    odd = {"id": 2**70, "source": os.fsdecode(b"\xff.txt"), "n": [1.5, True, None]}
    for option in (0, orjson.OPT_INDENT_2, orjson.OPT_APPEND_NEWLINE):
        out = json_bytes(odd, option)
        assert json.loads(out.decode("utf-8")) == {**odd, "source": "\\xff.txt"}
    assert json_bytes(odd, orjson.OPT_INDENT_2).startswith(b'{\n  "id": 1180591620717411303424,')


# -- ids ------------------------------------------------------------------------------------

IDS = [7, -3, 2.5, True, False, "a-1", "", {"k": [1]}, [1, "x"], 2**70]


@pytest.mark.parametrize("fmt", FORMATS)
def test_ids_keep_the_json_value_they_were(fake_model: str, fmt: str) -> None:
    records = "".join(json.dumps({"id": i, "text": "Moscow."}) + "\n" for i in IDS)
    records += '{"text": "Moscow."}\n{"id": null, "text": "Moscow."}\n'
    result = invoke(fake_model, "-f", fmt, "--input-format", "jsonl", input=records)
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes.decode("utf-8")
    if fmt in ("json", "jsonl"):
        docs = json_stream(out)
        assert [d.get("id", "absent") for d in docs] == [*IDS, "absent", "absent"]
        assert [type(d.get("id")) for d in docs[: len(IDS)]] == [type(i) for i in IDS]
    elif fmt == "geojson":
        features = json.loads(out)["features"]
        assert [f["properties"].get("id", "absent") for f in features] == [*IDS, "absent", "absent"]
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        # numbers as numbers, other values as their JSON; the empty string stays empty
        expected = ["7", "-3", "2.5", "true", "false", "a-1", "", '{"k":[1]}', '[1,"x"]']
        assert [r["id"] for r in rows] == [*expected, str(2**70), "", ""]
    elif fmt == "html":
        for rid in IDS:
            assert f"· id {html.escape(id_text(rid))}</h2>" in out
    else:
        for rid in IDS:
            assert f"id={id_text(rid)} " in out


def test_an_id_nested_too_deep_fails_alone(fake_model: str) -> None:
    from geotag.readers import MAX_ID_DEPTH

    deep = "[" * (MAX_ID_DEPTH + 1) + "]" * (MAX_ID_DEPTH + 1)
    fits = "[" * MAX_ID_DEPTH + "]" * MAX_ID_DEPTH
    records = f'{{"id": {deep}, "text": "Moscow"}}\n{{"id": {fits}, "text": "Moscow"}}\n'
    for fmt in FORMATS:
        result = invoke(fake_model, "-f", fmt, "--input-format", "jsonl", input=records)
        assert result.exit_code == 1, (fmt, result.stderr)
        errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
        assert errors == [
            f"geotag: error: -:1: field 'id' is nested over {MAX_ID_DEPTH} levels deep"
        ]
        assert "Moscow" in result.stdout


def test_id_text_is_json_for_all_but_strings() -> None:
    assert [id_text(i) for i in (7, True, None, "x", {"a": "é"})] == [
        "7",
        "true",
        "null",
        "x",
        '{"a":"é"}',
    ]


def test_an_id_names_its_failure_as_json(fake_model: str) -> None:
    from geotag.engine.pipeline import article_name

    assert article_name(Article("x", id=True)) == "id true"
    assert article_name(Article("x", id={"k": 1})) == 'id {"k":1}'


# -- CSV cells a spreadsheet would run ------------------------------------------------------


def test_csv_cells_that_would_start_a_formula_get_an_apostrophe(fake_model: str) -> None:
    ids = ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok", "-"]
    records = "".join(json.dumps({"id": i, "text": "Moscow."}) + "\n" for i in ids)
    records += json.dumps({"id": -5, "text": "Moscow."}) + "\n"
    result = invoke(fake_model, "-f", "csv", "--input-format", "jsonl", input=records)
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [r["id"] for r in rows] == [
        '\'=HYPERLINK("http://x")',
        "'+1",
        "'-2+3",
        "'@SUM(A1)",
        "'\tx",
        "'\rx",
        "ok",
        "-",  # alone it cannot be a formula
        "-5",  # a number in the record: a number in the sheet
    ]
    # stdin's records ("-:N") cannot be formulas; coordinates stay numbers (negative too)
    assert [r["source"] for r in rows] == [f"-:{n}" for n in range(1, 10)]
    paris = invoke(fake_model, "-f", "csv", "--input-format", "jsonl", input='{"text": "Texas"}')
    (row,) = csv.DictReader(io.StringIO(paris.stdout))
    assert row["lon"].startswith("-") and float(row["lon"]) < 0
    raw = invoke(fake_model, "-f", "csv", "--csv-raw", "--input-format", "jsonl", input=records)
    assert [r["id"] for r in csv.DictReader(io.StringIO(raw.stdout))] == [*ids, "-5"]


def test_inert_keeps_safe_cells() -> None:
    assert [inert(c) for c in ("Moscow", "", "'=x", "-", "-:12", "-:x", "a=b")] == [
        "Moscow",
        "",
        "'=x",
        "-",
        "-:12",
        "'-:x",
        "a=b",
    ]


def test_a_file_name_that_is_a_formula_is_inert(
    fake_model: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "=cmd|' calc'!A1.txt"
    path.write_text("Moscow.", encoding="utf-8")
    result = invoke(fake_model, "-f", "csv", "-r", str(tmp_path), "--glob", "=*")
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["source"] == str(path)  # an absolute path starts with "/", not a formula
    monkeypatch.chdir(tmp_path)
    result = invoke(fake_model, "-f", "csv", path.name)
    (row,) = csv.DictReader(io.StringIO(result.stdout))
    assert row["source"] == "'" + path.name


# -- the terminal ---------------------------------------------------------------------------


def test_control_sequences_never_reach_the_terminal(fake_model: str, tmp_path: Path) -> None:
    name = tmp_path / "e\x1b[41mvil\x1b]0;owned\x07.txt"
    name.write_text("Peskov was in Moscow.", encoding="utf-8")
    missing = str(tmp_path / "gone\x1b[2J\n.txt")
    records = json.dumps({"id": "\x1b[31mred", "text": "Moscow \x1b[5m"}) + "\n"
    feed = tmp_path / "feed.jsonl"
    feed.write_text(records, encoding="utf-8")
    for args in (
        ["-f", "table", "--no-color", str(name), missing],
        ["-f", "table", "--no-color", "--input-format", "jsonl", str(feed)],
    ):
        result = invoke(fake_model, *args)
        assert "\x1b" not in result.stdout and "\x07" not in result.stdout
        assert "\x1b" not in result.stderr
    result = invoke(fake_model, "-f", "table", "--no-color", str(name), missing)
    assert "e\\x1b[41mvil\\x1b]0;owned\\x07.txt" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
    assert errors == [f"geotag: error: {tmp_path}/gone\\x1b[2J\\n.txt: no such file"]


def test_rich_markup_in_names_and_ids_is_shown_as_written(fake_model: str) -> None:
    records = json.dumps({"id": "[/x] [bold]b", "text": "Moscow"}) + "\n"
    result = invoke(fake_model, "-f", "table", "--input-format", "jsonl", input=records)
    assert result.exit_code == 0, result.stderr
    assert "id=[/x] [bold]b" in result.stdout


def test_click_messages_are_escaped_too(fake_model: str, tmp_path: Path) -> None:
    result = invoke(fake_model, "--files-from", str(tmp_path / "x\x1b]0;t\x07"), "a.txt")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "x\\x1b]0;t\\x07" in result.stderr


# -- flags the data has nothing for ---------------------------------------------------------


def test_a_preferred_country_the_gazetteer_lacks_is_a_usage_error(fake_model: str) -> None:
    result = invoke(fake_model, "--prefer-country", "XX", "-", input=TEXT)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "Error: Invalid value for '--prefer-country': the gazetteer has no country with the code XX"
    )
    uk = invoke(fake_model, "--prefer-country", "UK", "-", input=TEXT)
    assert uk.exit_code == 2 and "(UK is GB in ISO 3166)" in uk.stderr
    lookup = CliRunner().invoke(
        cli,
        [
            "gazetteer",
            "lookup",
            "Paris",
            "--gazetteer",
            str(MINI_GAZETTEER),
            "--prefer-country",
            "XX",
        ],
    )
    assert lookup.exit_code == 2 and "no country with the code XX" in lookup.stderr


def test_the_api_raises_for_such_a_country() -> None:
    from geotag.errors import OptionError
    from geotag.gazetteer import Gazetteer
    from geotag.options import PipelineOptions
    from geotag.tagging.tagger import Tagger, TagOptions

    with pytest.raises(OptionError, match="no country with the code ZZ"):
        Tagger(Gazetteer.load(MINI_GAZETTEER), TagOptions(PipelineOptions(prefer_countries=["zz"])))


@pytest.mark.parametrize("how", ["env", "flag"])
def test_a_gazetteer_that_is_a_directory_exits_1_like_a_missing_one(
    fake_model: str, tmp_path: Path, how: str
) -> None:
    runner = CliRunner()
    results = []
    for target in (tmp_path, tmp_path / "missing.csv"):
        if how == "env":
            args = ["--model", fake_model, "-"]
            result = runner.invoke(cli, args, input=TEXT, env={"GEOTAG_GAZETTEER": str(target)})
        else:
            args = ["--model", fake_model, "--gazetteer", str(target), "-"]
            result = runner.invoke(cli, args, input=TEXT)
        results.append(result)
    assert [r.exit_code for r in results] == [1, 1]
    assert (
        results[0].stderr
        == f"geotag: error: gazetteer is a directory, not a CSV file: {tmp_path}\n"
    )
    assert results[1].stderr.startswith("geotag: error: gazetteer not found:")


# -- encodings ------------------------------------------------------------------------------


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be", "utf-32-le"])
def test_utf16_and_32_without_a_bom_read_with_their_encoding(
    fake_model: str, tmp_path: Path, codec: str
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(TEXT.encode(codec))
    without = invoke(fake_model, "-f", "jsonl", str(path))
    assert without.exit_code == 1 and "binary file" in without.stderr
    result = invoke(fake_model, "-f", "jsonl", "--encoding", codec, str(path))
    assert result.exit_code == 0, result.stderr
    (doc,) = json_stream(result.stdout)
    assert [e["text"] for e in doc["entities"]][-1] == "Moscow"


def test_a_binary_file_is_still_binary_in_utf16() -> None:
    data = "text\x00\x00more".encode("utf-16-le")
    with pytest.raises(Exception, match="binary file"):
        decode(data, "x.bin", encoding="utf-16-le")


@pytest.mark.parametrize("codec", ["base64", "rot13", "zlib", "idna"])
def test_codecs_that_are_not_text_encodings_are_usage_errors(fake_model: str, codec: str) -> None:
    result = invoke(fake_model, "--encoding", codec, "-", input=TEXT)
    assert result.exit_code == 2
    assert f"'{codec}' is not a text encoding" in result.stderr


def test_a_list_of_paths_in_utf16_with_a_bom(tmp_path: Path) -> None:
    listing = "a.txt\r\nb é.txt\r\n".encode("utf-16")  # as Windows PowerShell writes it
    assert list(read_path_list(io.BytesIO(listing))) == ["a.txt", "b é.txt"]


class _Failing(io.BytesIO):
    name = "list.txt"

    def read(self, *args: object) -> bytes:
        raise OSError(5, "Input/output error")


def test_reading_errors_of_stdin_and_lists_are_reasons_not_tracebacks() -> None:
    from geotag.errors import InputError

    with pytest.raises(InputError, match=r"^list.txt: cannot read: Input/output error$"):
        list(read_path_list(_Failing()))
    (failure,) = iter_inputs(["-"], stdin=_Failing())
    assert failure == Failure("-", "-: cannot read: Input/output error")
