"""Hostile inputs of the third reliability round (issue 23): each one a defect a user could
hit, each answered here by what geotag does now (the real model and gazetteer where the
claim is about them)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.cli import cli
from geotag.errors import GazetteerError
from geotag.gazetteer import Gazetteer

from .helpers import ARTICLES, MINI_GAZETTEER, json_stream

HEADER = MINI_GAZETTEER.read_text(encoding="utf-8").splitlines()[0]


def invoke(*args: str, input: str | bytes | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def one_line_error(result: Result, *parts: str) -> None:
    """An error on stderr in one line naming each of `parts`, nothing on stdout."""
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("geotag: error: ")
    for part in parts:
        assert part in lines[0]


# -- 2. a named gazetteer is the one used, or the run stops ----------------------------------


@pytest.fixture()
def header_only(tmp_path: Path) -> Path:
    path = tmp_path / "empty.csv"
    path.write_text(HEADER + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def article() -> str:
    return str(next(ARTICLES.glob("*.txt")))


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_header_only_gazetteer_stops_the_run(
    header_only: Path, article: str, fake_model: str, jobs: str
) -> None:
    result = invoke(
        "--model", fake_model, "--gazetteer", str(header_only), "-j", jobs, "-f", "jsonl", article
    )
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_header_only_gazetteer_stops_evaluate(header_only: Path, tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text('{"id": 1, "text": "Troops entered Idlib.", "entities": []}\n')
    result = invoke("evaluate", str(gold), "--gazetteer", str(header_only))
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_header_only_gazetteer_stops_the_api(header_only: Path) -> None:
    from geotag import load_pipeline

    with pytest.raises(GazetteerError, match="no places") as caught:
        load_pipeline(gazetteer=header_only)
    assert str(header_only) in str(caught.value)


def test_header_only_gazetteer_is_refused_also_from_a_warm_cache(header_only: Path) -> None:
    # The compiled index is cached by content: a second load must not slip past the check.
    for _ in range(2):
        with pytest.raises(GazetteerError, match="no places"):
            Gazetteer.load(header_only)


@pytest.mark.dask
def test_header_only_gazetteer_stops_a_cluster_run(header_only: Path, article: str) -> None:
    pytest.importorskip("distributed")
    result = invoke("--gazetteer", str(header_only), "--cluster", "local:1", "-f", "jsonl", article)
    assert result.exit_code == 1
    one_line_error(result, str(header_only), "no places")


def test_a_given_gazetteer_is_used_whatever_its_size(
    mini_gazetteer: Gazetteer, tmp_path: Path
) -> None:
    """The pipeline takes the gazetteer it is given: never the shipped one in its place."""
    from geotag.engine.pipeline import Pipeline
    from geotag.tagging.tagger import Tagger

    from .helpers import fake_ner

    class Sized(Gazetteer):
        """The mini gazetteer, pretending to be empty as an object with __len__ can."""

        def __len__(self) -> int:
            return 0

    given = Sized.__new__(Sized)
    given.__dict__.update(mini_gazetteer.__dict__)
    pipeline = Pipeline(gazetteer=given, nlp=fake_ner([("Idlib", "GPE")]))
    assert isinstance(pipeline.tagger, Tagger)
    assert pipeline.tagger.gazetteer is given


# -- 3. a row with fewer fields than the header ------------------------------------------


def test_a_short_gazetteer_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text(HEADER + "\n1,Bar,,,1,2,P,PPL,XX,,,0,x\n2,Dhaka,,,23.7,90.4\n")
    with pytest.raises(GazetteerError, match=r"short\.csv:3: fewer fields than the header"):
        Gazetteer.load(path, cache=False)


def test_a_short_gazetteer_row_stops_the_cli(tmp_path: Path, fake_model: str, article: str) -> None:
    path = tmp_path / "short.csv"
    path.write_text(HEADER + "\n2,Dhaka,,,23.7,90.4\n")
    result = invoke("--model", fake_model, "--gazetteer", str(path), "-f", "jsonl", article)
    assert result.exit_code == 1
    one_line_error(result, f"{path}:2:", "fewer fields than the header has columns (6, not 13)")


def test_a_gazetteer_without_optional_columns_still_loads(tmp_path: Path) -> None:
    """Rows as wide as a header that leaves optional columns out are not short rows."""
    path = tmp_path / "narrow.csv"
    path.write_text(
        "geonameid,name,lat,lon,feature_class,feature_code,country_code\n"
        "2,Dhaka,23.7,90.4,P,PPLC,BD\n"
    )
    gazetteer = Gazetteer.load(path, cache=False)
    assert [gazetteer.place(0).name, gazetteer.place(0).country_code] == ["Dhaka", "BD"]


# -- 8. evaluate refuses gold it cannot score, and reads stdin ----------------------------

GOLD_TEXT = "Peskov was in Moscow."
MOSCOW = {"start": 14, "end": 20, "label": "GPE", "text": "Moscow"}


def gold_lines(*entities: dict) -> str:
    import json

    good = json.dumps({"id": "a", "text": GOLD_TEXT, "entities": [MOSCOW]})
    bad = json.dumps({"id": "b", "text": GOLD_TEXT, "entities": list(entities)})
    return f"{good}\n\n{bad}\n"


@pytest.mark.parametrize(
    ("entity", "reason"),
    [
        ({**MOSCOW, "lat": 55.75, "lon": 37.62, "geonameid": "524901"}, "geonameid is a string"),
        (
            {**MOSCOW, "place": {"lat": 55.75, "lon": 37.62, "geonameid": "524901"}},
            "geonameid is a string",
        ),
        ({**MOSCOW, "lat": 55.75}, "a latitude without a longitude"),
        ({**MOSCOW, "place": {"lon": 37.62}}, "a longitude without a latitude"),
        (
            {**MOSCOW, "text": "Moscow."},
            "'text' is a string ('Moscow.') but span 14-20 is 'Moscow'",
        ),
        (
            {**MOSCOW, "start": 13, "end": 19},
            "'text' is a string ('Moscow') but span 13-19 is ' Mosco'",
        ),
    ],
)
def test_evaluate_refuses_gold_it_cannot_score(tmp_path: Path, entity: dict, reason: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(gold_lines(entity), encoding="utf-8")
    result = invoke("evaluate", str(gold))
    assert result.exit_code == 1
    one_line_error(result, f"{gold}:3: entity 1: {reason}")


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_evaluate_refuses_an_empty_gold_file(tmp_path: Path, content: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(content)
    result = invoke("evaluate", str(gold))
    assert result.exit_code == 1
    one_line_error(result, f"{gold}:", "no gold documents")


def test_evaluate_warns_once_about_labels_it_does_not_score(
    tmp_path: Path, fake_model: str
) -> None:
    gold = tmp_path / "gold.jsonl"
    misspelt = {"start": 0, "end": 6, "label": "PERSN", "text": "Peskov"}
    gold.write_text(gold_lines(misspelt, {**misspelt, "start": 0}), encoding="utf-8")
    result = invoke(
        "evaluate", str(gold), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)
    )
    assert result.exit_code == 0
    (warning,) = result.stderr.splitlines()
    assert warning.startswith(
        f"geotag: warning: {gold}: labels not scored: 'PERSN' (2 from line 3)"
    )
    assert "PERSON  exact" in result.stdout


def test_evaluate_reads_gold_from_stdin(tmp_path: Path, fake_model: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(gold_lines(MOSCOW), encoding="utf-8")
    common = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "-f", "json"]
    from_file = invoke("evaluate", str(gold), *common)
    from_stdin = invoke("evaluate", "-", *common, input=gold.read_bytes())
    assert (from_stdin.exit_code, from_stdin.stderr) == (0, "")
    assert from_stdin.stdout == from_file.stdout
    assert '"docs":2' in from_stdin.stdout


def test_evaluate_names_stdin_in_its_errors() -> None:
    result = invoke("evaluate", "-", input='{"text": "x", "entities": [{"start": 0}]}\n')
    assert result.exit_code == 1
    one_line_error(result, "-:1: entity 1: no 'end'")


# -- 6. JSON Lines in UTF-16 and UTF-32, records counted -----------------------------------

RECORDS = [{"id": n, "text": f"Troops entered Idlib on day {n}. Île-de-France"} for n in range(10)]


def jsonl_text() -> str:
    import json

    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS)


@pytest.mark.parametrize(
    ("codec", "flags"),
    [
        ("utf-16", []),  # Python writes a BOM for these two
        ("utf-32", []),
        ("utf-16", ["--encoding", "utf-16"]),
        ("utf-16-le", []),  # no BOM: told by where the NUL bytes fall (RFC 4627)
        ("utf-16-be", []),
        ("utf-32-le", []),
        ("utf-32-be", []),
        ("utf-16-le", ["--encoding", "utf-16-le"]),
        ("utf-8-sig", []),
    ],
)
@pytest.mark.parametrize("from_stdin", [False, True])
def test_jsonl_in_wide_encodings_is_read_record_by_record(
    tmp_path: Path, fake_model: str, codec: str, flags: list[str], from_stdin: bool
) -> None:
    import json

    data = jsonl_text().encode(codec)
    path = tmp_path / "records.jsonl"
    path.write_bytes(data)
    common = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl"]
    args = [*common, *flags, "-f", "jsonl", "-" if from_stdin else str(path)]
    result = invoke(*args, input=data if from_stdin else None)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1].startswith("geotag: 10 document(s), 0 failed")
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["id"] for d in out] == [r["id"] for r in RECORDS]
    for doc in out:
        assert (15, 20, "Idlib") in {(e["start"], e["end"], e["text"]) for e in doc["entities"]}


def test_bad_bytes_in_utf16_jsonl_are_replaced_with_a_warning(
    tmp_path: Path, fake_model: str
) -> None:
    good = jsonl_text().encode("utf-16-le")
    # A lone low surrogate in the text of the third record.
    broken = good.replace("day 2".encode("utf-16-le"), "day ".encode("utf-16-le") + b"\x00\xdc")
    path = tmp_path / "records.jsonl"
    path.write_bytes(b"\xff\xfe" + broken)
    result = invoke(
        "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl",
        "-f", "jsonl", str(path),
    )  # fmt: skip
    assert result.exit_code == 0
    warning, summary = result.stderr.splitlines()
    assert warning.startswith(f"geotag: warning: {path}:")
    assert "invalid UTF-16" in warning
    assert summary.startswith("geotag: 10 document(s), 0 failed")
    assert [d["id"] for d in json_stream(result.stdout)] == list(range(10))


def test_evaluate_reads_utf16_gold(tmp_path: Path, fake_model: str) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_bytes(gold_lines(MOSCOW).encode("utf-16"))
    result = invoke(
        "evaluate", str(gold), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)
    )
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout.startswith("docs 2 ")


# -- 7. integer ids of any size keep every digit -------------------------------------------


@pytest.mark.parametrize("digits", [19, 25, 309, 310, 400, 4300])
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_an_integer_id_keeps_every_digit(fake_model: str, digits: int, fmt: str) -> None:
    import csv
    import io
    import json

    big = int("7" * digits)
    records = [
        {"id": big, "text": "Troops entered Idlib."},
        {"id": {"k": [-big]}, "text": "Troops entered Idlib."},
    ]
    lines = "".join(json.dumps(r) + "\n" for r in records)
    result = invoke(
        "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl",
        "-f", fmt, "-", input=lines,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    if fmt == "jsonl":
        got = [json.loads(line)["id"] for line in result.stdout.splitlines()]
        assert got == [big, {"k": [-big]}]
    else:
        ids = {row["id"] for row in csv.DictReader(io.StringIO(result.stdout))}
        assert ids == {str(big), json.dumps({"k": [-big]}, separators=(",", ":"))}


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("7" * 4301, "an integer of more than 4300 digits"),
        ("1e400", "number 1e400 is beyond the range of a double"),
    ],
)
def test_a_number_beyond_reach_is_a_failed_record(fake_model: str, value: str, reason: str) -> None:
    lines = f'{{"id": {value}, "text": "Troops entered Idlib."}}\n{{"id": 2, "text": "Idlib."}}\n'
    result = invoke(
        "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl",
        "-f", "jsonl", "-", input=lines,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == f"geotag: error: -:1: {reason}"
    assert [d["id"] for d in json_stream(result.stdout)] == [2]


def test_evaluate_keeps_a_long_integer_id(tmp_path: Path, fake_model: str) -> None:
    import json

    gold = tmp_path / "gold.jsonl"
    big = int("3" * 400)
    gold.write_text(json.dumps({"id": big, "text": GOLD_TEXT, "entities": [MOSCOW]}) + "\n")
    out = tmp_path / "predictions.jsonl"
    result = invoke(
        "evaluate", str(gold), "--model", fake_model, "--gazetteer", str(MINI_GAZETTEER),
        "--predictions", str(out),
    )  # fmt: skip
    assert (result.exit_code, result.stderr) == (0, "")
    assert json.loads(out.read_text())["id"] == big
    assert "missing from prediction: 0" in result.stdout


# -- 4. a table on a stdout that cannot carry UTF-8 -----------------------------------------

ACCENTED = "Police in São Paulo and Zürich said the Île-de-France region was calm.\n"


def run_geotag(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    """geotag as a real process: the encoding of its stdout is the point."""
    full = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), **env}
    return subprocess.run(
        [sys.executable, "-m", "geotag", *args], env=full, capture_output=True, **kwargs
    )


@pytest.mark.model
@pytest.mark.parametrize(
    "env",
    [
        {"PYTHONIOENCODING": "ascii"},
        {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""},
    ],
    ids=["PYTHONIOENCODING=ascii", "LC_ALL=C"],
)
def test_a_table_on_an_ascii_stdout_is_spelt_in_ascii(tmp_path: Path, env: dict) -> None:
    story = tmp_path / "story.txt"
    story.write_text(ACCENTED, encoding="utf-8")
    done = run_geotag(["-f", "table", str(story)], {**env, "COLUMNS": "100"})
    assert done.returncode == 0, done.stderr.decode()
    assert b"Traceback" not in done.stderr
    out = done.stdout.decode("ascii")  # every byte ASCII
    assert "Sao Paulo, Brazil" in out
    assert "Zurich" in out
    # The transliteration happens before the layout: every row of a table is as wide.
    tables: list[set[int]] = [set()]
    for line in out.splitlines():
        if line.startswith(("|", "+")):
            tables[-1].add(len(line))
        elif tables[-1]:
            tables.append(set())
    assert len(tables) >= 2
    assert all(len(widths) <= 1 for widths in tables)


def test_a_gazetteer_table_on_an_ascii_stdout(tmp_path: Path) -> None:
    done = run_geotag(
        ["gazetteer", "lookup", "São Paulo", "-f", "table"],
        {"PYTHONIOENCODING": "ascii", "COLUMNS": "100"},
    )
    assert done.returncode == 0, done.stderr.decode()
    assert "Sao Paulo, Brazil" in done.stdout.decode("ascii")


def test_carried_keeps_what_the_encoding_can_write() -> None:
    from geotag.formats.table import carried

    assert carried("Île-de-France 北京", "latin-1") == "Île-de-France BeiJing"
    assert carried("Île-de-France …", "ascii") == "Ile-de-France ..."
    assert carried("Île …", "ascii", one_cell=True) == "Ile ."
    assert carried("Île", "utf-8") == "Île"


# -- 5. narrow and nonsense terminal widths -------------------------------------------------


def table_at(fake_model: str, columns: str) -> Result:
    from .helpers import TEXT

    return CliRunner(env={"COLUMNS": columns}).invoke(
        cli,
        ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "-f", "table", "-"],
        input=TEXT,
        catch_exceptions=False,
    )


@pytest.mark.parametrize("columns", ["20", "40", "59"])
def test_a_narrow_table_keeps_each_place_with_its_country(fake_model: str, columns: str) -> None:
    result = table_at(fake_model, columns)
    assert (result.exit_code, result.stderr) == (0, "")
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= int(columns)
    words = " ".join(" ".join(lines).split())  # the records, unwrapped
    assert "Idlib (1) -> Idlib, Syria; city;" in words
    assert "Moscow (1) -> Moscow, Russia;" in words
    assert "People: Peskov (1)" in words or "People: Dmitry Peskov" in words


@pytest.mark.parametrize("columns", ["0", "-3", "wide", ""])
def test_a_nonsense_width_is_taken_as_80(fake_model: str, columns: str) -> None:
    result = table_at(fake_model, columns)
    assert (result.exit_code, result.stderr) == (0, "")
    assert result.stdout == table_at(fake_model, "80").stdout
    assert "Idlib, Syria" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) == 80


def test_a_wide_enough_terminal_keeps_the_tables(fake_model: str) -> None:
    assert "┃ Name" in table_at(fake_model, "60").stdout


# -- 9. the reader going away ends every format alike ----------------------------------------


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "geojson", "html"])
def test_every_format_exits_0_when_the_reader_goes_away(
    command: list[str], fmt: str, tmp_path: Path
) -> None:
    from .helpers import TEXT

    # Far more output than a pipe holds, so the writer is still writing when it closes.
    records = tmp_path / "records.jsonl"
    records.write_text("".join(f'{{"id": {n}, "text": "{TEXT}"}}\n' for n in range(3000)))
    child = subprocess.Popen(
        [*command, "--input-format", "jsonl", "-f", fmt, "-q", str(records)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "100"},
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline()  # as `| head -1` does
    child.stdout.close()
    assert child.wait(timeout=300) == 0
    assert child.stderr.read() == b""


# -- 10. smaller ones: --bbox, --cluster, the summary of a run cut short ---------------------


@pytest.mark.parametrize(
    ("bbox", "reason"),
    [
        ("0,0,10,95", "north 95 is not a latitude (-90 to 90)"),
        ("0,-91,10,5", "south -91 is not a latitude (-90 to 90)"),
        ("0,0,190,5", "east 190 is not a longitude (-180 to 180)"),
        ("0,10,10,5", "south 10 is north of north 5"),
        ("nan,0,10,5", "west nan is not a longitude"),
        ("1,2,3", "expected four numbers W,S,E,N"),
    ],
)
@pytest.mark.parametrize("command", [[], ["gazetteer", "lookup", "Idlib"]])
def test_a_bad_bbox_names_its_problem(bbox: str, reason: str, command: list[str]) -> None:
    result = invoke(*command, "--bbox", bbox, "-")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "Invalid value for '--bbox': " + reason in result.stderr


def test_the_api_names_a_bad_bbox(tmp_path: Path) -> None:
    from geotag.models import bbox_of

    with pytest.raises(ValueError, match="north 95 is not a latitude"):
        bbox_of((0, 0, 10, 95))
    # West east of east: a box across the antimeridian, not a mistake.
    assert bbox_of((170, -10, -170, 10)) == (170, -10, -170, 10)


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:99999", "127.0.0.1:0", "tcp://h:65536"])
def test_a_cluster_address_without_a_port_is_a_usage_error(address: str, article: str) -> None:
    # Refused while the options are read: nothing tries to connect (Dask would for 10 s).
    result = invoke("--cluster", address, article)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "is not a port (1 to 65535)" in result.stderr


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_summary_of_a_run_cut_short_says_so(
    command: list[str], tmp_path: Path, jobs: str
) -> None:
    import re

    from .helpers import TEXT

    # Far more output than a pipe holds: the reader is gone long before the end.
    paths = []
    for n in range(200):
        path = tmp_path / f"story-{n:03}.txt"
        path.write_text(TEXT)
        paths.append(str(path))
    child = subprocess.Popen(
        [*command, "-f", "json", "-j", jobs, *paths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdout is not None and child.stderr is not None
    assert child.stdout.readline()
    child.stdout.close()
    assert child.wait(timeout=300) == 0
    (line,) = child.stderr.read().decode().splitlines()
    found = re.fullmatch(
        r"geotag: stopped early: the output's reader went away after (\d+) of 200 "
        r"document\(s\), 0 failed",
        line,
    )
    assert found, line
    assert int(found.group(1)) < 200


def test_a_jsonl_line_of_a_control_character_is_a_failed_record(fake_model: str) -> None:
    # Found by Hypothesis: "\x1c" is whitespace to str.strip() but not to JSON.
    from click.testing import CliRunner

    from geotag.cli import cli

    data = b'{"text": "Peskov in Moscow."}\n\x1c\n\n{"text": "Idlib."}\n'
    args = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl"]
    result = CliRunner().invoke(cli, [*args, "-f", "jsonl"], input=data, catch_exceptions=False)
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
    assert len(errors) == 1 and errors[0].startswith("geotag: error: -:2: malformed JSON")
    assert len(result.stdout.splitlines()) == 2
