"""geotag.dask and `--cluster` on a real LocalCluster (2 worker processes, 1 thread each),
shared by the module: the same bytes as a local run, error records in place of bad records,
every input once after a worker dies, and no Dask at all unless it is asked for."""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from geotag.models import Article, Document

from .helpers import FAKE_PATTERNS, MINI_GAZETTEER

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.dask


# -- no Dask unless asked for ----------------------------------------------------------------

_LOADED_MODULES = """
import sys
import geotag
from geotag.cli import cli
try:
    cli(['--help'], prog_name='geotag')
except SystemExit as exc:
    assert exc.code == 0, exc.code
print(sorted(m for m in ('dask', 'distributed', 'pandas', 'pyarrow') if m in sys.modules))
"""


def test_import_geotag_and_help_leave_dask_unloaded() -> None:
    out = subprocess.run(
        [sys.executable, "-c", _LOADED_MODULES], capture_output=True, text=True, check=True
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"


# `import dask` fails in this child as it does where Dask is not installed.
_WITHOUT_DASK = """
import sys
sys.modules['dask'] = None
from geotag.cli import main
sys.argv = ['geotag', *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("command", ["tag", "corpus"])
def test_cluster_without_dask_installed_is_one_clear_error(
    command: str, fake_model: str, tmp_path: Path
) -> None:
    article = tmp_path / "a.txt"
    article.write_text("Peskov in Moscow.", encoding="utf-8")
    args = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "--cluster", "local:1"]
    if command == "tag":
        args += [str(article)]
    else:
        args = ["corpus", str(article), str(tmp_path / "out"), *args]
    env = {**os.environ, "GEOTAG_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", _WITHOUT_DASK, *args], capture_output=True, text=True, env=env
    )
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == (
        "geotag: error: --cluster needs Dask, and dask is not installed: "
        "pip install 'geotag[dask]'\n"
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--cluster", "local:0"], "expected local:N with N at least 1"),
        (["--cluster", "local:two"], "expected local:N with N at least 1"),
        (["--cluster", "tcp://host"], "expected a scheduler address such as tcp://host:8786"),
        (["--cluster", "local:2", "-j", "2"], "--jobs and --cluster cannot be combined"),
    ],
)
def test_bad_cluster_flags_are_usage_errors(run, args: list[str], message: str) -> None:
    result = run(*args, "-", input="Peskov in Moscow.")
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_an_unreachable_scheduler_is_one_clear_error(run, monkeypatch) -> None:
    import geotag.dask.executor

    # A port nothing listens on; Dask retries it until the timeout, shortened here.
    monkeypatch.setattr(geotag.dask.executor, "CONNECT_TIMEOUT", "2s")
    result = run("--cluster", "tcp://127.0.0.1:9", "-", input="Peskov in Moscow.")
    assert result.exit_code == 1
    assert result.stderr.startswith("geotag: error: cannot reach the Dask scheduler at tcp://")
    assert result.stdout == ""


# -- the cluster -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    # Workers are spawned with this environment, so they get the test session's gazetteer
    # cache (the autouse fixture sets the variable too late for a module fixture).
    cache = tmp_path_factory.getbasetemp() / "cache"
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
            env={"GEOTAG_CACHE_DIR": str(cache)},
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


@pytest.fixture(scope="module")
def fake(fake_model: str) -> dict[str, str]:
    """The options that select the fake NER and the small gazetteer."""
    return {"model": fake_model, "gazetteer": str(MINI_GAZETTEER)}


@pytest.fixture(scope="module")
def fake_pipeline(fake_model: str):
    import geotag

    return geotag.load_pipeline(fake_model, MINI_GAZETTEER)


def fake_texts(count: int, seed: int = 1) -> list[str]:
    """Short news-like texts naming what the fake NER knows, each different."""
    rng = random.Random(seed)
    names = [text for text, _ in FAKE_PATTERNS]
    texts = []
    for n in range(count):
        words = [rng.choice(names) for _ in range(rng.randint(2, 6))]
        texts.append(f"Report {n}: " + ", then ".join(f"{w} said" for w in words) + ".")
    return texts


def news_texts(count: int, seed: int = 7) -> list[str]:
    """Texts of 3 to 8 sentences drawn from the shipped example articles, shuffled."""
    sentences: list[str] = []
    for path in sorted((ROOT / "examples").glob("*.txt")):
        text = " ".join(path.read_text(encoding="utf-8").split())
        sentences += [s.strip() + "." for s in text.split(". ") if s.strip()]
    rng = random.Random(seed)
    return [" ".join(rng.sample(sentences, rng.randint(3, 8))) for _ in range(count)]


def local_documents(pipeline, articles: list[Article]) -> list[dict[str, Any]]:
    out = []
    for result in pipeline.tag_articles(articles):
        assert isinstance(result, Document), result
        out.append(result.to_dict())
    return out


def read_parts(folder: Path) -> list[dict[str, Any]]:
    records = []
    for part in sorted(folder.glob("part-*.jsonl")):
        records += [json.loads(line) for line in part.read_text(encoding="utf-8").splitlines()]
    return records


def csv_rows(pipeline, articles: list[Article]) -> list[list[str]]:
    """What `--format csv` writes for these articles, parsed back, without the header."""
    from geotag.formats.csv import CsvWriter

    stream = io.BytesIO()
    writer = CsvWriter(stream)
    for result in pipeline.tag_articles(articles):
        assert isinstance(result, Document), result
        writer.write(result)
    writer.close()
    rows = list(csv.reader(io.StringIO(stream.getvalue().decode("utf-8"))))
    return rows[1:]


def as_csv_cells(frame) -> list[list[str]]:
    """A mention table's cells as the CSV writer would print them."""
    from geotag.formats.csv import CSV_COLUMNS

    rows = []
    for record in frame[list(CSV_COLUMNS)].astype(object).to_dict("records"):
        rows.append(["" if _null(v) else str(v) for v in record.values()])
    return rows


def _null(value: Any) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def invoke(*args: str, input: str | None = None) -> Result:
    from geotag.cli import cli

    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


# -- geotag --cluster: the bytes of a local run ----------------------------------------------


def write_jsonl_with_bad_lines(path: Path, texts: list[str]) -> None:
    """JSON Lines of texts with ids of several kinds, and a few bad lines among them."""
    lines = []
    for n, text in enumerate(texts):
        rid: Any = [n, f"wire-{n}", {"k": n}][n % 3]
        lines.append(json.dumps({"id": rid, "text": text}))
        if n == 50:
            lines += ["not json at all", json.dumps({"id": "no-text"})]
        if n == 120:
            lines += [json.dumps({"id": "num", "text": 7}), json.dumps({"id": "e", "text": ""})]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def assert_same_run(local: Result, remote: Result) -> None:
    assert remote.exit_code == local.exit_code
    assert remote.stdout_bytes == local.stdout_bytes
    # The same failures, reported the same way; only the timing in the summary differs.
    assert remote.stderr.splitlines()[:-1] == local.stderr.splitlines()[:-1]


@pytest.mark.model
def test_cluster_output_is_byte_identical_to_a_local_run_real_model(client, tmp_path: Path) -> None:
    scheduler = client.scheduler.address
    news = tmp_path / "news.jsonl"
    write_jsonl_with_bad_lines(news, news_texts(200))
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
    for inputs in (examples, ["--input-format", "jsonl", str(news)]):
        local = invoke("-f", "jsonl", "--jobs", "1", *inputs)
        remote = invoke("-f", "jsonl", "--cluster", scheduler, *inputs)
        assert_same_run(local, remote)
        assert len(local.stdout.splitlines()) == len(local.stdout_bytes.splitlines()) > 2
    # 200 documents (the empty text among them), 3 bad lines; many places found.
    assert local.exit_code == 1
    assert len(local.stdout.splitlines()) == 201
    assert local.stdout.count('"geonameid"') > 400


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "geojson"])
def test_cluster_output_is_byte_identical_to_a_local_run(
    client, fake, tmp_path: Path, fmt: str
) -> None:
    common = ["--model", fake["model"], "--gazetteer", fake["gazetteer"], "-f", fmt]
    news = tmp_path / "news.jsonl"
    write_jsonl_with_bad_lines(news, fake_texts(400, seed=31))
    examples = sorted(str(p) for p in (ROOT / "examples").glob("*.txt"))
    for inputs in (examples, ["--input-format", "jsonl", str(news)]):
        local = invoke(*common, "--jobs", "1", *inputs)
        remote = invoke(*common, "--cluster", client.scheduler.address, *inputs)
        assert_same_run(local, remote)
        assert len(local.stdout_bytes) > 2_000
    assert local.exit_code == 1
    assert len(local.stderr.splitlines()) == 4  # three bad lines and the summary


def test_cluster_with_overrides_and_explain_gives_the_bytes_of_a_local_run(
    client, fake, tmp_path: Path
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        '[[override]]\nname = "Ankara"\nnot_place = true\n\n'
        '[[override]]\nname = "Idlib"\nlat = 35.93\nlon = 36.63\ncountry = "SY"\n',
        encoding="utf-8",
    )
    common = ["--model", fake["model"], "--gazetteer", fake["gazetteer"], "-f", "jsonl"]
    common += ["--overrides", str(rules), "--explain"]
    news = tmp_path / "news.jsonl"
    write_jsonl_with_bad_lines(news, fake_texts(300, seed=37))
    inputs = ["--input-format", "jsonl", str(news)]
    local = invoke(*common, "--jobs", "1", *inputs)
    remote = invoke(*common, "--cluster", client.scheduler.address, *inputs)
    assert_same_run(local, remote)
    assert "user override" in local.stdout and '"Ankara"' not in local.stdout


def test_cluster_checks_the_overrides_before_it_connects(fake, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[override]]\nname = "Idlib"\ngeonameid = 12\n', encoding="utf-8")
    common = ["--model", fake["model"], "--gazetteer", fake["gazetteer"]]
    # Nothing listens on this address: the file's fault is found first.
    result = invoke(*common, "--overrides", str(rules), "--cluster", "127.0.0.1:9", "-")
    assert result.exit_code == 2
    assert result.stderr == f"geotag: error: {rules}:1: geonameid 12 is not in the gazetteer\n"


@pytest.mark.slow  # starts a LocalCluster of its own
def test_cluster_local_n_starts_its_own_cluster(fake, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for n, text in enumerate(fake_texts(40, seed=23)):
        (folder / f"{n:02d}.txt").write_text(text, encoding="utf-8")
    (folder / "40.txt").write_bytes(b"\x00binary")
    common = ["--model", fake["model"], "--gazetteer", fake["gazetteer"], "-f", "jsonl", "-r"]
    local = invoke(*common, str(folder))
    remote = invoke(*common, "--cluster", "local:2", str(folder))
    assert (remote.exit_code, local.exit_code) == (1, 1)
    assert remote.stdout_bytes == local.stdout_bytes
    assert len(remote.stdout.splitlines()) == 40
    assert "binary file" in remote.stderr


def test_cluster_tagger_survives_a_killed_worker_in_order(client, fake) -> None:
    from geotag.dask.executor import ClusterTagger
    from geotag.options import PipelineOptions

    texts = fake_texts(3000, seed=29)
    tagger = ClusterTagger(client, PipelineOptions(**fake))
    results = tagger.run(Article(t, id=n) for n, t in enumerate(texts))
    ids = []
    pid = None
    for result in results:
        assert isinstance(result, Document), result
        ids.append(result.id)
        if pid is None and len(ids) == 200:
            busy = [w for w, keys in client.processing().items() if keys]
            assert busy, "the run ended before a worker was killed"
            pid = client.run(os.getpid, workers=[busy[0]])[busy[0]]
            os.kill(pid, signal.SIGKILL)
    assert pid is not None and pid not in client.run(os.getpid).values()
    assert ids == list(range(len(texts)))  # every input once, in input order


def test_cluster_tags_each_text_once_and_every_copy_gets_its_output(
    client, fake, fake_pipeline, monkeypatch: pytest.MonkeyPatch
) -> None:
    from geotag.dask.executor import ClusterTagger
    from geotag.options import PipelineOptions

    texts = fake_texts(60, seed=31)
    rng = random.Random(5)
    # Copies near their first copy and far from it, in the same batch and in later ones.
    order = texts + [rng.choice(texts) for _ in range(140)]
    rng.shuffle(order)
    articles = [Article(t, source=f"wire-{n}", id=n) for n, t in enumerate(order)]
    sent: list[str] = []
    submit = ClusterTagger._submit

    def recording_submit(self: Any, batch: Any, seqs: Any, to_tag: list[Article]) -> Any:
        sent.extend(article.text for article in to_tag)
        return submit(self, batch, seqs, to_tag)

    monkeypatch.setattr(ClusterTagger, "_submit", recording_submit)
    remote = list(ClusterTagger(client, PipelineOptions(**fake)).run(articles))
    assert sorted(sent) == sorted(set(order))
    monkeypatch.setenv("GEOTAG_BENCH_NO_REUSE", "1")
    local = list(fake_pipeline.tag_articles(articles))
    assert [json.dumps(r.to_dict()) for r in remote] == [json.dumps(r.to_dict()) for r in local]
    assert [(r.source, r.id, r.text) for r in remote] == [
        (a.source, a.id, a.text) for a in articles
    ]
    assert sum(len(r.mentions) for r in remote) > 200


# -- geotag corpus ---------------------------------------------------------------------------


def test_corpus_command_jsonl_and_parquet(client, fake, fake_pipeline, tmp_path: Path) -> None:
    import pandas as pd

    good = write_jsonl_corpus(tmp_path / "in", files=3, per_file=10)
    scheduler = client.scheduler.address
    common = ["--model", fake["model"], "--gazetteer", fake["gazetteer"], "--cluster", scheduler]
    pattern = str(tmp_path / "in" / "*.jsonl")
    result = invoke("corpus", pattern, str(tmp_path / "out"), *common)
    assert result.exit_code == 1  # three bad lines became error records
    assert result.stdout == ""
    assert result.stderr.startswith("geotag: 30 document(s), ")
    assert "3 failed, 3 part(s)" in result.stderr
    out = read_parts(tmp_path / "out")
    assert [d for d in out if "error" not in d] == local_documents(fake_pipeline, good)
    again = invoke("corpus", pattern, str(tmp_path / "out"), *common)
    assert again.exit_code == 1 and "is not empty" in again.stderr
    table = invoke(
        "corpus", pattern, str(tmp_path / "p"), "--output-format", "parquet", "-q", *common
    )
    assert (table.exit_code, table.stderr) == (1, "")
    frame = pd.read_parquet(tmp_path / "p")
    assert frame["error"].notna().sum() == 3
    assert (frame["error"].isna()).sum() == sum(len(d["entities"]) for d in out if "error" not in d)


# -- tag_bag ---------------------------------------------------------------------------------


def test_tag_bag_gives_the_documents_of_a_local_run_real_model(client, real_pipeline) -> None:
    import dask.bag as db

    from geotag.dask import tag_bag

    texts = news_texts(40)
    records = [{"id": n, "text": text} for n, text in enumerate(texts)]
    out = tag_bag(db.from_sequence(records, npartitions=6)).compute()
    expected = local_documents(real_pipeline, [Article(t, id=n) for n, t in enumerate(texts)])
    assert len(out) == 40
    assert out == expected  # same dicts, in input order
    assert sum(len(d["places"]) for d in out) > 40  # the texts are not empty of places


def test_tag_bag_of_plain_texts(client, fake, fake_pipeline) -> None:
    import dask.bag as db

    from geotag.dask import tag_bag

    texts = fake_texts(30)
    out = tag_bag(db.from_sequence(texts, npartitions=3), **fake).compute()
    assert out == local_documents(fake_pipeline, [Article(t) for t in texts])


def test_tag_bag_turns_bad_records_into_error_records_in_their_place(client, fake) -> None:
    import dask.bag as db

    from geotag.dask import tag_bag

    elements = [
        {"id": "a", "text": "Peskov in Moscow."},
        {"id": "b"},
        {"id": "c", "text": 42},
        {"id": "d", "text": ""},
        {"id": "e", "text": "  \n"},
        7,
        "Idlib",
        {"uid": "f", "body": "Paris"},
        {"id": "g", "text": "Reuters in Ankara."},
    ]
    out = tag_bag(db.from_sequence(elements, npartitions=3), **fake).compute()
    assert len(out) == len(elements)
    assert [d.get("id") for d in out] == ["a", "b", "c", "d", "e", None, None, None, "g"]
    errors = [d.get("error") for d in out]
    assert errors == [
        None,
        "id b: no 'text' field in the record",
        "id c: field 'text' is int, not a string",
        "id d: field 'text' is empty",
        "id e: field 'text' is only whitespace",
        "<record>: expected a text or a record, got int",
        None,
        "<record>: no 'text' field in the record",
        None,
    ]
    assert [e["text"] for e in out[0]["entities"]] == ["Peskov", "Moscow"]
    assert [e["text"] for e in out[6]["entities"]] == ["Idlib"]
    other = tag_bag(db.from_sequence(elements[7:8]), text_field="body", id_field="uid", **fake)
    (doc,) = other.compute()
    assert doc["id"] == "f" and [e["text"] for e in doc["entities"]] == ["Paris"]


def test_each_worker_loads_the_pipeline_once(client, fake) -> None:
    import dask.bag as db

    import geotag.dask.workers
    from geotag.dask import tag_bag

    before = client.run(geotag.dask.workers.cache_info)
    # Options no earlier test used, so this run loads a pipeline of its own.
    bag = db.from_sequence(fake_texts(200, seed=3), npartitions=20)
    out = tag_bag(bag, prefer_countries=["FR"], **fake).compute()
    assert len(out) == 200
    after = client.run(geotag.dask.workers.cache_info)
    assert set(after) == set(before)
    loads = {w: after[w]["loads"] - before[w]["loads"] for w in after}
    # 20 partitions on 2 workers: at least one ran 10, and none loaded more than once.
    assert all(n <= 1 for n in loads.values()), loads
    assert sum(loads.values()) >= 1, loads


def test_load_on_workers_names_a_worker_without_the_model(client) -> None:
    from geotag.dask import load_on_workers
    from geotag.errors import GeotagError

    with pytest.raises(GeotagError, match=r"worker tcp://.*no_such_model_xyz.*not installed"):
        load_on_workers(client, model="no_such_model_xyz")


# -- tag_dataframe ---------------------------------------------------------------------------


def test_tag_dataframe_gives_the_mentions_of_the_csv_writer(client, fake, fake_pipeline) -> None:
    import dask.dataframe as dd
    import pandas as pd

    import geotag.dask.workers
    from geotag.dask import mention_dtypes, tag_dataframe

    texts = [*fake_texts(60, seed=5), "Atlantis and Texas, no more."]
    frame = pd.DataFrame({"id": [f"n{i}" for i in range(len(texts))], "text": texts})
    loads = geotag.dask.workers._loads
    ddf = tag_dataframe(dd.from_pandas(frame, npartitions=4), **fake)
    # The meta is declared: building the graph ran nothing here, and the types are known.
    assert geotag.dask.workers._loads == loads
    assert dict(ddf.dtypes) == mention_dtypes()
    out = ddf.compute()
    assert dict(out.dtypes) == mention_dtypes()
    assert out["error"].isna().all()
    articles = [Article(t, id=f"n{i}") for i, t in enumerate(texts)]
    assert as_csv_cells(out) == csv_rows(fake_pipeline, articles)
    # Typed: numbers are numbers, missing values are nulls.
    person = out[out["label"] == "PERSON"].iloc[0]
    assert person["place_name"] is pd.NA and person["lat"] is pd.NA and person["geonameid"] is pd.NA
    texas = out[out["text"] == "Texas"].iloc[0]
    assert texas["geonameid"] == 4736286 and texas["lat"] > 31
    assert out["start"].dtype == "Int64" and out["lat"].dtype == "Float64"


def test_tag_dataframe_bad_rows_are_error_rows_and_ids_can_come_from_the_index(
    client, fake
) -> None:
    import dask
    import dask.dataframe as dd
    import pandas as pd

    from geotag.dask import tag_dataframe
    from geotag.errors import GeotagError

    frame = pd.DataFrame(
        {"body": ["Moscow.", None, 12, "", "Idlib."]},
        index=pd.Index([10, 11, 12, 13, 14], name="row"),
        dtype=object,
    )
    # Dask would make the object column strings ("12"): keep the values as they are.
    with dask.config.set({"dataframe.convert-string": False}):
        ddf = tag_dataframe(dd.from_pandas(frame, npartitions=2), "body", None, **fake)
        out = ddf.compute()
    assert out["id"].tolist() == ["10", "11", "12", "13", "14"]
    assert out["text"].tolist()[0] == "Moscow" and out["text"].tolist()[4] == "Idlib"
    errors = out["error"].tolist()
    assert errors[0] is pd.NA and errors[4] is pd.NA
    assert errors[1:4] == [
        "id 11: no 'body' field in the record",
        "id 12: field 'body' is int, not a string",
        "id 13: field 'body' is empty",
    ]
    with pytest.raises(GeotagError, match="no column 'text'"):
        tag_dataframe(dd.from_pandas(frame, npartitions=1), **fake)


# -- tag_corpus ------------------------------------------------------------------------------

BAD_LINES = [
    (b"this is not json", "malformed JSON"),
    (b'{"id": "nt"}', "no 'text' field in the record"),
    (b'{"id": "ns", "text": ["a"]}', "field 'text' is list, not a string"),
    (b'{"id": "et", "text": ""}', "field 'text' is empty"),
    (b"[1, 2]", "expected a JSON object, got list"),
]


def write_jsonl_corpus(folder: Path, files: int, per_file: int, seed: int = 11) -> list[Article]:
    """JSON Lines files with a bad line now and then; the good records as local Articles."""
    folder.mkdir(parents=True)
    texts = iter(fake_texts(files * per_file, seed=seed))
    good = []
    for f in range(files):
        path = folder / f"feed-{f:02d}.jsonl"
        lines = []
        for r in range(per_file):
            rid, text = f"f{f}r{r}", next(texts)
            lines.append(json.dumps({"id": rid, "text": text}).encode())
            good.append(Article(text, f"{path}:{len(lines)}", rid))
            if r == 2 and f < len(BAD_LINES):
                lines.append(BAD_LINES[f][0])
        path.write_bytes(b"\n".join(lines) + b"\n")
    return good


def test_tag_corpus_jsonl_round_trip(client, fake, fake_pipeline, tmp_path: Path) -> None:
    from geotag.dask import tag_corpus

    good = write_jsonl_corpus(tmp_path / "in", files=len(BAD_LINES) + 1, per_file=12)
    summary = tag_corpus(str(tmp_path / "in" / "*.jsonl"), str(tmp_path / "out"), **fake)
    out = read_parts(tmp_path / "out")
    documents = [r for r in out if "error" not in r]
    errors = [r for r in out if "error" in r]
    assert documents == local_documents(fake_pipeline, good)  # with their PATH:LINE sources
    assert [(e.get("id"), e["source"].rsplit("/", 1)[1]) for e in errors] == [
        (None, "feed-00.jsonl:4"),
        ("nt", "feed-01.jsonl:4"),
        ("ns", "feed-02.jsonl:4"),
        ("et", "feed-03.jsonl:4"),
        (None, "feed-04.jsonl:4"),
    ]
    for error, (_, reason) in zip(errors, BAD_LINES, strict=True):
        assert reason in error["error"]
    assert summary.documents == len(good) and summary.failures == len(BAD_LINES)
    assert summary.mentions == sum(len(d["entities"]) for d in documents)
    assert summary.partitions == len(BAD_LINES) + 1


def test_tag_corpus_splits_big_files_into_blocks(client, fake, tmp_path: Path) -> None:
    from geotag.dask import tag_corpus

    good = write_jsonl_corpus(tmp_path / "in", files=1, per_file=300)
    summary = tag_corpus(
        str(tmp_path / "in" / "feed-00.jsonl"), str(tmp_path / "out"), blocksize=4096, **fake
    )
    out = read_parts(tmp_path / "out")
    assert summary.partitions > 3
    assert sorted(d["id"] for d in out if "error" not in d) == sorted(a.id for a in good)
    assert [d["source"].rsplit("/", 1)[1] for d in out][:3] == [
        "feed-00.jsonl:1",
        "feed-00.jsonl:2",
        "feed-00.jsonl:3",
    ]
    assert any("#" in d["source"] for d in out)
    assert summary.failures == 1 and summary.documents == 300


def test_tag_corpus_parquet_round_trip(client, fake, fake_pipeline, tmp_path: Path) -> None:
    import dask.dataframe as dd
    import pandas as pd

    from geotag.dask import mention_dtypes, tag_corpus

    texts = fake_texts(80, seed=13)
    inputs = tmp_path / "in"
    inputs.mkdir()
    ids = list(range(1000, 1080))
    for half in (0, 1):
        part = slice(half * 40, half * 40 + 40)
        frame = pd.DataFrame({"id": ids[part], "text": texts[part]})
        frame.to_parquet(inputs / f"articles-{half}.parquet")
    bad = pd.DataFrame({"id": [1, 2], "text": [None, ""]}, dtype=object)
    bad["id"] = bad["id"].astype("int64")
    bad.to_parquet(inputs / "articles-2.parquet")
    summary = tag_corpus(
        str(inputs), str(tmp_path / "out"), input_format="parquet", output_format="parquet", **fake
    )
    out = dd.read_parquet(str(tmp_path / "out")).compute()
    assert dict(out.dtypes) == mention_dtypes()
    mentions = out[out["error"].isna()]
    articles = [Article(t, id=i) for i, t in zip(ids, texts, strict=True)]
    assert as_csv_cells(mentions) == csv_rows(fake_pipeline, articles)
    errors = out[out["error"].notna()]
    assert errors["id"].tolist() == ["1", "2"]
    assert errors["error"].tolist() == [
        "id 1: no 'text' field in the record",
        "id 2: field 'text' is empty",
    ]
    assert (summary.documents, summary.failures) == (80, 2)
    assert summary.mentions == len(mentions)


def test_tag_corpus_jsonl_to_parquet_and_back_agree(client, fake, tmp_path: Path) -> None:
    import dask.dataframe as dd

    from geotag.dask import tag_corpus

    write_jsonl_corpus(tmp_path / "in", files=3, per_file=10)
    pattern = str(tmp_path / "in" / "*.jsonl")
    as_jsonl = tag_corpus(pattern, str(tmp_path / "j"), **fake)
    as_parquet = tag_corpus(pattern, str(tmp_path / "p"), output_format="parquet", **fake)
    assert as_jsonl.to_dict() | {"output": ""} == as_parquet.to_dict() | {"output": ""}
    table = dd.read_parquet(str(tmp_path / "p")).compute()
    documents = [d for d in read_parts(tmp_path / "j") if "error" not in d]
    spans = [(d["id"], e["start"], e["end"]) for d in documents for e in d["entities"]]
    rows = table[table["error"].isna()]
    assert list(zip(rows["id"], rows["start"], rows["end"], strict=True)) == spans


def test_tag_corpus_text_files_one_article_each(
    client, fake, fake_pipeline, tmp_path: Path
) -> None:
    from geotag.dask import tag_corpus

    folder = tmp_path / "news"
    folder.mkdir()
    texts = fake_texts(7, seed=17)
    for n, text in enumerate(texts):
        (folder / f"{n}.txt").write_text(text, encoding="utf-8")
    (folder / "7.txt").write_bytes(b"")
    (folder / "8.txt").write_bytes(b"\x00\x01binary")
    (folder / "9.txt").write_bytes(b"\xef\xbb\xbfMoscow in caf\xe9")  # a BOM, then not UTF-8
    summary = tag_corpus(
        str(folder / "*.txt"),
        str(tmp_path / "out"),
        input_format="text",
        files_per_partition=3,
        **fake,
    )
    out = read_parts(tmp_path / "out")
    assert [Path(d["source"]).name for d in out] == [f"{n}.txt" for n in range(10)]
    expected = local_documents(
        fake_pipeline, [Article(t, str(folder / f"{n}.txt")) for n, t in enumerate(texts)]
    )
    assert out[:7] == expected
    assert "field 'text' is empty" in out[7]["error"]
    assert "binary file" in out[8]["error"]
    assert [e["text"] for e in out[9]["entities"]] == ["Moscow"]
    assert (summary.documents, summary.failures, summary.partitions) == (8, 2, 4)


def test_tag_corpus_refuses_to_mix_with_an_earlier_output(client, fake, tmp_path: Path) -> None:
    from geotag.dask import tag_corpus
    from geotag.errors import GeotagError

    write_jsonl_corpus(tmp_path / "in", files=2, per_file=3)
    pattern = str(tmp_path / "in" / "*.jsonl")
    tag_corpus(pattern, str(tmp_path / "out"), **fake)
    with pytest.raises(GeotagError, match="is not empty"):
        tag_corpus(pattern, str(tmp_path / "out"), **fake)
    (tmp_path / "out" / "part-00099.jsonl").write_text('{"stale": true}\n')
    tag_corpus(pattern, str(tmp_path / "out"), overwrite=True, **fake)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "part-00000.jsonl",
        "part-00001.jsonl",
    ]
    with pytest.raises(GeotagError, match=r"cannot read .*nothing-here"):
        tag_corpus(str(tmp_path / "nothing-here*.jsonl"), str(tmp_path / "o2"), **fake)
    with pytest.raises(GeotagError, match="unknown input format 'csv'"):
        tag_corpus(pattern, str(tmp_path / "o3"), input_format="csv", **fake)  # type: ignore[arg-type]


# -- once per machine, once per input --------------------------------------------------------

# Two processes start together on a cold cache and count the index writes they attempt.
_BUILD = """
import os, sys, time
import geotag.dask.workers
log, ready, go, gazetteer = sys.argv[1:]
real_replace = os.replace
def counting_replace(src, dst, *args, **kwargs):
    if str(dst).endswith(".index"):
        with open(log, "a") as f:
            f.write(f"{os.getpid()}\\n")
    return real_replace(src, dst, *args, **kwargs)
os.replace = counting_replace
open(ready + str(os.getpid()), "w").close()
while not os.path.exists(go):
    time.sleep(0.005)
geotag.dask.workers.build_index_once(gazetteer)
"""


@pytest.mark.slow  # two processes index 40,000 rows
def test_the_index_is_built_once_per_machine_by_workers_starting_together(
    tmp_path: Path,
) -> None:
    # A gazetteer big enough that parsing it takes a while (the shipped one takes seconds):
    # without the cache's lock both processes would be parsing it at the same time.
    with MINI_GAZETTEER.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    gazetteer = tmp_path / "gazetteer.csv"
    with gazetteer.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        for n in range(40_000 // len(rows)):
            writer.writerows({**row, "geonameid": "", "name": f"{row['name']} {n}"} for row in rows)
    log, ready, go = tmp_path / "writes.log", tmp_path / "ready-", tmp_path / "go"
    env = {**os.environ, "GEOTAG_CACHE_DIR": str(tmp_path / "cache")}
    args = [str(log), str(ready), str(go), str(gazetteer)]
    procs = [subprocess.Popen([sys.executable, "-c", _BUILD, *args], env=env) for _ in range(2)]
    deadline = time.monotonic() + 60
    while len(list(tmp_path.glob("ready-*"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert len(log.read_text().split()) == 1
    assert len(list((tmp_path / "cache").glob("*.index"))) == 1


def test_a_worker_killed_mid_run_loses_and_repeats_nothing(client, fake, tmp_path: Path) -> None:
    from geotag.dask import tag_corpus

    good = write_jsonl_corpus(tmp_path / "in", files=16, per_file=100, seed=19)
    job = tag_corpus(str(tmp_path / "in" / "*.jsonl"), str(tmp_path / "out"), compute=False, **fake)
    future = client.compute(job)
    victim = None
    deadline = time.monotonic() + 60
    while victim is None and time.monotonic() < deadline and not future.done():
        busy = [w for w, keys in client.processing().items() if keys]
        written = list((tmp_path / "out").glob("part-*"))
        if busy and written:
            victim = busy[0]
        else:
            time.sleep(0.02)
    assert victim is not None and not future.done(), "the run ended before a worker was killed"
    pid = client.run(os.getpid, workers=[victim])[victim]
    os.kill(pid, signal.SIGKILL)
    summary = future.result(timeout=120)
    assert pid not in client.run(os.getpid).values()  # it did die, and was replaced
    out = read_parts(tmp_path / "out")
    ids = [d.get("id") for d in out if "error" not in d]
    assert len(ids) == len(set(ids)) == len(good)
    assert set(ids) == {a.id for a in good}
    assert summary.documents == len(good) and summary.failures == len(BAD_LINES)


def test_a_jsonl_block_is_read_as_a_local_run_reads_it() -> None:
    # The cluster's reader is the local one: ids keep every digit, and an id nested too
    # deep to be written back is an error record, not a task that fails when writing.
    from geotag.dask.records import Rejected, from_jsonl_block
    from geotag.readers import MAX_ID_DEPTH

    deep = "[" * (MAX_ID_DEPTH + 50) + "]" * (MAX_ID_DEPTH + 50)
    block = (
        b'{"id": 123456789012345678901234, "text": "In Moscow."}\n'
        + f'{{"id": {deep}, "text": "In Moscow."}}\n'.encode()
    )
    first, second = from_jsonl_block(block, "feed.jsonl", 0, "text", "id")
    assert isinstance(first, Article) and first.id == 123456789012345678901234
    assert first.source == "feed.jsonl:1"
    assert isinstance(second, Rejected) and "nested" in second.error
