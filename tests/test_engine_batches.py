"""The engine on many texts: long texts tagged in chunks with whole-text offsets, and the
worker pool (a worker that dies costs only its text, parallel results equal serial ones,
spawned workers). On the fake NER and the mini gazetteer, without the command line."""

from __future__ import annotations

import os
import signal

import pytest
from spacy.language import Language
from spacy.tokens import Doc

from geotag.engine.pipeline import CHUNK_CHARS, Pipeline, split_text
from geotag.engine.pool import resolve_jobs
from geotag.errors import GeotagError
from geotag.gazetteer import Gazetteer
from geotag.models import Article, Document, Failure
from geotag.options import PipelineOptions

from .helpers import FAKE_PATTERNS, MINI_DEMONYMS, MINI_GAZETTEER, TEXT, fake_ner

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
    # Different texts: copies of one text would be tagged (and kill a worker) once.
    articles = [Article(f"BOOM {i}", source=f"s{i}") for i in range(50)]
    results = crashing_pipeline.tag_articles(articles, jobs=2)
    with pytest.raises(GeotagError, match=r"worker processes keep dying \(killed by SIGKILL"):
        for result in results:
            assert isinstance(result, Failure)


def test_copies_of_a_text_that_kills_a_worker_fail_under_their_own_names(
    crashing_pipeline: Pipeline,
) -> None:
    texts = ["BOOM in Moscow.", "Report from Moscow.", "BOOM in Moscow.", "BOOM in Moscow."]
    articles = [Article(t, source=f"s{i}") for i, t in enumerate(texts)]
    results = list(crashing_pipeline.tag_articles(articles, jobs=2))
    assert [r.source for r in results] == ["s0", "s1", "s2", "s3"]
    assert isinstance(results[1], Document)
    for n in (0, 2, 3):
        failure = results[n]
        assert isinstance(failure, Failure)
        assert failure.error.startswith(f"s{n}: the worker process tagging it died (killed")


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

    pipeline = Pipeline(
        PipelineOptions(fake_model), Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    )
    pool = WorkerPool(pipeline, 2, start_method="spawn")
    results = list(pool.run(Article(f"{i}: Peskov in Moscow.", source=str(i)) for i in range(9)))
    assert [r.source for r in results] == [str(i) for i in range(9)]
    assert all(isinstance(r, Document) and len(r.mentions) == 2 for r in results)


def test_jobs_zero_means_every_usable_cpu() -> None:
    assert resolve_jobs(0) >= 1 and resolve_jobs(3) == 3
    with pytest.raises(ValueError):
        resolve_jobs(-1)


def test_a_read_ahead_feed_knows_what_is_left_once_read_to_the_end() -> None:
    import time

    from geotag.engine.feed import ReadAheadFeed

    feed = ReadAheadFeed(Article(f"text {i}") for i in range(5))
    assert feed.left() is None  # nothing read yet
    feed.start(10)
    deadline = time.monotonic() + 10
    while feed.left() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    assert feed.left() == 5
    next(feed)
    next(feed)
    assert feed.left() == 3
    assert len(list(feed)) == 3
    assert feed.left() == 0


def test_batches_shrink_at_the_end_so_no_worker_waits_on_another(
    mini_gazetteer: Gazetteer,
) -> None:
    from geotag.engine.feed import ReadAheadFeed
    from geotag.engine.pool import WorkerPool

    pipeline = Pipeline(nlp=fake_ner(FAKE_PATTERNS), gazetteer=mini_gazetteer)
    pool = WorkerPool(pipeline, 2)
    sizes: list[int] = []
    send = pool._send

    def recording_send(worker: object, batch: list[tuple[int, Article]]) -> None:
        sizes.append(len(batch))
        send(worker, batch)  # type: ignore[arg-type]

    pool._send = recording_send  # type: ignore[method-assign]
    articles = ReadAheadFeed(Article(f"{i}: Peskov in Moscow.", source=str(i)) for i in range(300))
    results = list(pool.run(articles))
    assert [r.source for r in results] == [str(i) for i in range(300)]
    assert sum(sizes) == 300
    assert max(sizes) > 8  # full batches in the middle of the run...
    assert sizes[-3:] == [1, 1, 1]  # ...and single texts at its end
