"""Property tests over hostile input (Hypothesis; fake NER, mini gazetteer): any text, any
file name, any JSON Lines record, any gazetteer rows. Whatever comes in: no traceback, offsets that point at
their text, output that parses as what it claims to be, and every good input in it."""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from geotag.cli import cli
from geotag.engine.pipeline import CHUNK_CHARS, Pipeline
from geotag.errors import GazetteerError
from geotag.formats import FORMATS, make_writer
from geotag.formats.escape import unsurrogate
from geotag.gazetteer import Gazetteer
from geotag.models import Article, Document

from .helpers import FAKE_PATTERNS, MINI_DEMONYMS, MINI_GAZETTEER, fake_ner, json_stream

NAMES = [name for name, _ in FAKE_PATTERNS]
HOSTILE = [
    "\x1b[31m",
    "\x1b]0;title\x07",
    "\x00",
    "\r\n",
    "\u202e",
    "\x9b",
    "\ufeff",
    "\udcff",  # a byte of a file name that is not UTF-8, as Python holds it
    "\ud800",
    "[/bold]",
    "=cmd|' /c calc'!A1",
    "\u0301",
    "👍🏽",
]
# Any Unicode, surrogates included (Hypothesis leaves them out unless asked).
ANY_CHARACTER = st.one_of(st.characters(exclude_categories=()), st.characters(categories=["Cs"]))
PIECES = st.one_of(
    st.sampled_from(NAMES),
    st.sampled_from(HOSTILE),
    st.text(ANY_CHARACTER, max_size=12),
    st.sampled_from([" ", "\n\n", ". ", ", "]),
    # very long tokens, past the size at which texts are cut into pieces
    st.builds(
        lambda c, n: c * n, st.sampled_from(["x", "é", "\u3042", "-"]), st.integers(1, 30_000)
    ),
)
TEXTS = st.lists(PIECES, max_size=25).map("".join)


def jsonl_lines(out: str) -> list[str]:
    # Only "\n" ends a JSON Lines line: str.splitlines would also cut at U+0085 or U+2028,
    # which JSON writes as they are inside strings.
    return out.split("\n")[:-1] if out else []


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    gazetteer = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS, cache=False)
    return Pipeline(nlp=fake_ner(FAKE_PATTERNS), gazetteer=gazetteer)


def check_outputs(docs: list[Document]) -> None:
    """Every format writes the documents, as valid UTF-8 and as what it claims to be."""
    for fmt in FORMATS:
        stream = io.BytesIO()
        if fmt == "table":
            continue  # it writes to the console; the CLI tests below cover it
        writer = make_writer(fmt, stream)
        for doc in docs:
            writer.write(doc)
        writer.close()
        out = stream.getvalue().decode("utf-8")  # strict: valid UTF-8 or it raises
        if fmt in ("json", "jsonl"):
            parsed = json_stream(out)
            assert len(parsed) == len(docs)
            for d, doc in zip(parsed, docs, strict=True):
                assert [(e["start"], e["end"]) for e in d["entities"]] == [
                    (m.start, m.end) for m in doc.mentions
                ]
        elif fmt == "csv":
            rows = list(csv.DictReader(io.StringIO(out, newline="")))
            assert len(rows) == sum(len(d.mentions) for d in docs)
        elif fmt == "geojson":
            json.loads(out)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts=st.lists(TEXTS, min_size=1, max_size=4))
def test_any_text_tags_with_exact_offsets_and_writes_in_every_format(
    pipeline: Pipeline, texts: list[str]
) -> None:
    articles = [Article(t, source=f"t{i}") for i, t in enumerate(texts)]
    results = list(pipeline.tag_articles(articles))
    assert [r.source for r in results] == [a.source for a in articles]
    docs = []
    for result, text in zip(results, texts, strict=True):
        assert isinstance(result, Document), result
        for m in result.mentions:
            assert 0 <= m.start < m.end <= len(text)
            assert text[m.start : m.end] == m.text
        docs.append(result)
    check_outputs(docs)


def test_hostile_texts_through_worker_processes_equal_one_process(pipeline: Pipeline) -> None:
    texts = [
        "".join(HOSTILE) + " Peskov in Moscow",
        "x" * (CHUNK_CHARS + 5) + " Idlib\x1b[0m",
        "\udcff\udcfe Ankara",
        "",
        "\x00" * 100 + "Paris",
    ]
    articles = [Article(t, source=str(i), id=i) for i, t in enumerate(texts * 5)]
    assert list(pipeline.tag_articles(articles, jobs=2)) == list(pipeline.tag_articles(articles))


# -- file names ------------------------------------------------------------------------------

FILE_NAMES = st.binary(min_size=1, max_size=60).filter(
    lambda b: b"/" not in b and b"\x00" not in b and b not in (b".", b"..")
)
CLI_FORMATS = ["jsonl", "csv", "geojson", "html", "table"]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(names=st.lists(FILE_NAMES, min_size=1, max_size=4, unique=True))
def test_any_file_names_in_every_format(fake_model: str, names: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = os.fsencode(tmp)
        paths = []
        for n, name in enumerate(sorted(names)):
            path = os.path.join(folder, name)
            with open(path, "wb") as f:
                f.write(f"Report {n}: Peskov in Moscow.".encode())
            paths.append(os.fsdecode(path))
        listing = b"".join(os.fsencode(p) + b"\x00" for p in paths)  # as find -print0
        base = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER)]
        runner = CliRunner()
        for fmt in CLI_FORMATS:
            for how in (paths, ["--files-from", "-"]):
                result = runner.invoke(
                    cli,
                    [*base, "-f", fmt, "--glob", "*", *how],
                    input=listing,
                    catch_exceptions=False,
                    env={"COLUMNS": "1000"},
                )
                assert result.exit_code == 0, (fmt, result.stderr)
                assert "Traceback" not in result.stderr
                out = result.stdout_bytes.decode("utf-8")
                if fmt == "jsonl":
                    got = [json.loads(line)["source"] for line in jsonl_lines(out)]
                    assert got == [unsurrogate(p) for p in paths]
                elif fmt == "csv":
                    rows = list(csv.DictReader(io.StringIO(out, newline="")))
                    assert len(rows) == 2 * len(paths)
                elif fmt == "geojson":
                    assert len(json.loads(out)["features"]) == len(paths)
                elif fmt == "table":
                    assert "\x1b" not in out and out.count("Focus:") == len(paths)
                else:
                    assert out.count('<section class="doc"') == len(paths)


# -- JSON Lines records ----------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=6,
)
GOOD_RECORDS = st.builds(
    lambda rid, text, extra: {**extra, "id": rid, "text": text},
    JSON_VALUES,
    st.lists(st.one_of(st.sampled_from(NAMES), st.text(max_size=8)), max_size=8).map(" ".join),
    st.dictionaries(st.sampled_from(["meta", "source", "x"]), JSON_VALUES, max_size=2),
)
BAD_LINES = st.one_of(
    st.binary(max_size=30).filter(lambda b: b"\n" not in b and b.strip()),
    JSON_VALUES.filter(lambda v: not isinstance(v, dict)).map(json.dumps).map(str.encode),
    st.builds(
        lambda v: json.dumps({"id": 1, "text": v}).encode(),
        JSON_VALUES.filter(lambda v: not isinstance(v, str)),
    ),
    st.just(b'{"id": 2}'),
    st.just(b'{"id": 3, "text": "\\udcff"}'),  # a lone surrogate: not valid JSON text
)
LINES = st.lists(
    st.one_of(GOOD_RECORDS.map(lambda r: ("good", r)), BAD_LINES.map(lambda b: ("bad", b))),
    max_size=8,
)


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(lines=LINES)
def test_any_jsonl_records_each_come_out_once(fake_model: str, lines: list) -> None:
    data = b"".join(
        (json.dumps(item).encode() if kind == "good" else item) + b"\n" for kind, item in lines
    )
    base = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--input-format", "jsonl"]
    result = CliRunner().invoke(
        cli, [*base, "-f", "jsonl", "--errors-inline"], input=data, catch_exceptions=False
    )
    assert "Traceback" not in result.stderr
    out = [json.loads(line) for line in jsonl_lines(result.stdout_bytes.decode("utf-8"))]
    assert [d["source"] for d in out] == [f"-:{n}" for n in range(1, len(lines) + 1)]
    failed = 0
    for (kind, item), d in zip(lines, out, strict=True):
        if kind == "bad":
            assert {"source", "error"} <= set(d) <= {"id", "source", "error"}
            assert d["error"].startswith(d["source"] + ": ")
            failed += 1
            continue
        assert "error" not in d, d
        assert d.get("id") == item["id"] and ("id" in d) == (item["id"] is not None)
        for e in d["entities"]:
            assert item["text"][e["start"] : e["end"]] == e["text"]
    assert result.exit_code == (1 if failed else 0)
    errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
    assert len(errors) == failed


def test_a_path_list_may_hold_any_bytes() -> None:
    from geotag.readers import read_path_list

    names = [bytes([b]) + b".txt" for b in range(1, 256) if b not in (0x0A, 0x0D, 0x2F)]
    got = list(read_path_list(io.BytesIO(b"\n".join(names))))
    assert [os.fsencode(p) for p in got] == [n for n in names if n.strip()]


# -- gazetteer rows ------------------------------------------------------------------------

HEADER = MINI_GAZETTEER.read_text(encoding="utf-8").splitlines()[0].split(",")
FIELD_TEXT = st.text(ANY_CHARACTER.filter(lambda c: c != "\x00"), max_size=10)
ROW = st.fixed_dictionaries(
    {
        "geonameid": st.one_of(st.integers(1, 10**9).map(str), st.just(""), FIELD_TEXT),
        "name": st.one_of(st.sampled_from(NAMES), FIELD_TEXT, st.sampled_from(HOSTILE)),
        "alternatenames": st.one_of(st.just(""), FIELD_TEXT),
        "abbreviations": st.one_of(st.just(""), FIELD_TEXT),
        "lat": st.one_of(st.floats(-90, 90).map(str), FIELD_TEXT),
        "lon": st.one_of(st.floats(-180, 180).map(str), FIELD_TEXT),
        "feature_class": st.one_of(st.sampled_from(list("APHLSTUVR")), FIELD_TEXT),
        "feature_code": st.one_of(st.sampled_from(["PPL", "ADM1", "PCLI", "LK"]), FIELD_TEXT),
        "country_code": st.one_of(st.sampled_from(["US", "SY", "RU", ""]), FIELD_TEXT),
        "admin1_code": st.one_of(st.just(""), FIELD_TEXT),
        "admin1_name": st.one_of(st.just(""), FIELD_TEXT),
        "population": st.one_of(st.integers(0, 10**9).map(str), FIELD_TEXT),
        "source": st.just("fuzz"),
    }
)


def gazetteer_csv(rows: list[dict[str, str]], raw: bool) -> str:
    """The rows as a gazetteer CSV: quoted as a CSV writer quotes, or joined raw with
    commas (stray quotes, commas and line breaks then break the file's shape)."""
    out = io.StringIO()
    if raw:
        out.write(",".join(HEADER) + "\n")
        for row in rows:
            out.write(",".join(row[c] for c in HEADER) + "\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([row[c] for c in HEADER])
    return out.getvalue()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(ROW, min_size=1, max_size=6), raw=st.booleans())
def test_any_gazetteer_rows_load_or_are_one_line_with_file_and_line(
    rows: list[dict[str, str]], raw: bool
) -> None:
    text = gazetteer_csv(rows, raw)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "g.csv")
        with open(path, "wb") as f:  # lone surrogates become bytes that are not UTF-8
            f.write(text.encode("utf-8", "surrogatepass"))
        try:
            gazetteer = Gazetteer.load(path, demonyms=MINI_DEMONYMS, cache=False)
        except GazetteerError as exc:
            # Never a traceback: one line that says where and why.
            message = str(exc)
            assert "\n" not in message
            assert message.startswith(f"{path}:"), message
            loaded = False
        else:
            loaded = True
            for row in rows:  # every row that loaded answers to its own name
                if row["name"] in NAMES:
                    found = gazetteer.lookup(row["name"])
                    assert any(gazetteer.place(r).name == row["name"] for r in found)
        event("loaded" if loaded else "refused")
        result = CliRunner().invoke(
            cli, ["gazetteer", "info", "--gazetteer", path], catch_exceptions=False
        )
        assert result.exit_code == (0 if loaded else 1), result.output
        if not loaded:
            assert [line for line in result.stderr.splitlines() if line][-1].startswith(
                "geotag: error:"
            )
