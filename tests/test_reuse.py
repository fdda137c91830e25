"""Identical texts in a run are tagged once, in this process and in worker processes, and
every copy gets the output it would get on its own, with its own source, id and text.
On the real model and gazetteer (`real_pipeline`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from geotag.engine.pool import WorkerPool
from geotag.engine.reuse import NO_REUSE_VARIABLE, Reuse, text_key
from geotag.models import Article, Document, Failure

ROOT = Path(__file__).resolve().parents[1]


def example_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((ROOT / "examples").glob("*.txt"))]


def syndicated(texts: list[str]) -> list[Article]:
    """The texts, each again two or three times further on, each copy its own source and
    id; one copy differs from its text by a single character, so it is no copy."""
    a, b, c = texts[:3]
    order = [a, b, a, c, b, a, a + " ", c]
    return [Article(t, source=f"wire-{n}.txt", id=n) for n, t in enumerate(order)]


def lines(results: list[Document | Failure]) -> list[str]:
    assert all(isinstance(r, Document) for r in results)
    return [json.dumps(r.to_dict(), ensure_ascii=False) for r in results]


def test_a_copy_takes_its_first_copys_output_with_its_own_source_and_id(
    real_pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = syndicated(example_texts())
    tagged: list[str] = []
    tag = real_pipeline.tagger.tag

    def counting_tag(text: str, *args: Any, **kwargs: Any) -> Document:
        tagged.append(text)
        result: Document = tag(text, *args, **kwargs)
        return result

    monkeypatch.setattr(real_pipeline.tagger, "tag", counting_tag)
    results = list(real_pipeline.tag_articles(articles))
    # Four distinct texts (one of them a near copy), each tagged once.
    assert len(tagged) == len(set(tagged)) == 4
    assert [(r.source, r.id, r.text) for r in results] == [
        (a.source, a.id, a.text) for a in articles
    ]
    # Each copy's output is what it gets when every text is tagged again.
    monkeypatch.setenv(NO_REUSE_VARIABLE, "1")
    again = list(real_pipeline.tag_articles(articles))
    assert len(tagged) == 4 + len(articles)
    assert lines(results) == lines(again)
    assert results[0].mentions == results[2].mentions and len(results[0].mentions) > 5


def test_workers_are_sent_each_text_once_and_give_the_serial_output(
    real_pipeline: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    articles = syndicated(example_texts()) * 3
    sent: list[str] = []
    send = WorkerPool._send

    def recording_send(self: WorkerPool, worker: Any, batch: list[tuple[int, Article]]) -> None:
        sent.extend(article.text for _, article in batch)
        send(self, worker, batch)

    monkeypatch.setattr(WorkerPool, "_send", recording_send)
    parallel = list(real_pipeline.tag_articles(articles, jobs=2))
    assert sorted(sent) == sorted({a.text for a in articles})
    assert lines(parallel) == lines(list(real_pipeline.tag_articles(articles)))


def test_a_copy_of_a_failure_fails_under_its_own_name() -> None:
    reuse = Reuse()
    first, copy = Article("same text", "a.txt"), Article("same text", id=7)
    assert not reuse.claim(0, first)
    assert reuse.claim(1, copy)
    failed = Failure("a.txt", "a.txt: the worker process tagging it died (killed by SIGKILL)")
    assert reuse.finish(0, failed) is failed
    assert reuse.finish(1, None) == Failure(
        "id 7", "id 7: the worker process tagging it died (killed by SIGKILL)", 7
    )


def test_results_kept_are_bounded_but_never_those_a_read_copy_waits_for() -> None:
    reuse = Reuse(limit=2)
    texts = [f"text {n}" for n in range(5)]
    assert not reuse.claim(0, Article(texts[0]))
    assert reuse.claim(1, Article(texts[0], "copy"))  # waits for input 0's result
    reuse.finish(0, Document(None, (), text=texts[0]))
    for n in range(1, 5):
        assert not reuse.claim(n + 10, Article(texts[n]))
        reuse.finish(n + 10, Document(None, (), text=texts[n]))
    # The one a copy waits for, and the latest.
    assert list(reuse.results) == [text_key(texts[0]), text_key(texts[4])]
    assert reuse.finish(1, None) == Document("copy", (), text=texts[0])
    # A copy of a text forgotten since is no copy: it is tagged again.
    assert not reuse.claim(20, Article(texts[1]))
    assert reuse.claim(21, Article(texts[4]))
