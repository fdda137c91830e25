"""The executor behind `geotag --cluster`: an ordered map of articles over a Dask cluster,
as `engine.pool.WorkerPool` is over local processes. Inputs are read and results written
by the caller (the same readers and writers as a local run); only the tagging is remote."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..engine.feed import Feed, article_name
from ..engine.pool import PARALLEL_BATCH, PARALLEL_CHARS
from ..engine.reuse import Reuse
from ..errors import GeotagError
from ..models import Article, Document, Failure
from ..options import PipelineOptions
from .workers import load_options_on_workers, tag_articles

# Batches in flight per worker thread: the one it works on and two queued, so a worker
# never waits for the client, while the results waiting to be written in order stay few.
BATCHES_PER_THREAD = 3
# Seconds between looks for new input while the oldest batch is still being tagged.
INPUT_POLL = 0.05
# How long a scheduler address may take to answer before geotag gives up.
CONNECT_TIMEOUT = "10s"


@contextlib.contextmanager
def cluster_client(address: str | None, workers: int = 1) -> Iterator[Any]:
    """A Dask client: on the scheduler at `address`, or with `address` None on a new
    LocalCluster of `workers` processes (one thread each), closed on leaving."""
    import dask
    from distributed import Client, LocalCluster

    # Dask reports a worker it lost and restarts at INFO/WARNING: geotag's stderr is for
    # its own progress and errors, and a lost worker's work is redone anyway.
    logging.getLogger("distributed").setLevel(logging.ERROR)
    if address is None:
        with (
            dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}),
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=":0",  # a free port: never clash with another cluster
                silence_logs=logging.ERROR,
            ) as cluster,
            Client(cluster) as client,  # type: ignore[no-untyped-call]
        ):
            yield client
        return
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise GeotagError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield client


def _worker_environ() -> dict[str, Any]:
    """The environment Dask gives the worker processes it starts, less its low
    MALLOC_TRIM_THRESHOLD_: glibc then hands freed memory back to the system after every
    batch, and tagging (spaCy allocates and frees a lot) ran 7% and 24% slower with it
    than with glibc's own threshold in two runs on 200 news texts."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}))
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


@dataclass(slots=True)
class _Batch:
    """Articles in input order (`seqs`, their numbers in the run), of which those not
    copies of earlier texts (`sent`) are tagged by `future` (None: none are)."""

    articles: list[Article]
    seqs: list[int]
    sent: list[Article]
    future: Any


@dataclass(slots=True)
class _Retry:
    """A batch split into single articles, sent again."""

    batches: list[_Batch]


def _tag_batch(articles: list[Article], options: PipelineOptions) -> list[Document | Failure]:
    # The client has the text: do not send it back.
    return [
        replace(result, text="") if isinstance(result, Document) else result
        for result in tag_articles(articles, options)
    ]


class ClusterTagger:
    """Articles in, Documents or Failures out, in input order, tagged on a Dask cluster.

    Every worker loads the pipeline once, before the first batch is sent (a model missing
    on a worker is a GeotagError naming it). At most a window of batches is in flight, so
    memory stays flat however many articles come in. A worker that dies is Dask's to deal
    with: its tasks run again elsewhere and each result arrives once. A batch whose workers
    keep dying (Dask's KilledWorker) is tried again one article at a time, and an article
    that kills workers on its own becomes a Failure.
    """

    def __init__(self, client: Any, options: PipelineOptions) -> None:
        load_options_on_workers(client, options)
        self.client = client
        self.options = options
        threads = sum(client.nthreads().values())
        self.window: int = max(2, BATCHES_PER_THREAD * int(threads))
        self.seq = 0

    def run(self, articles: Iterable[Article | Failure]) -> Iterator[Document | Failure]:
        inputs = articles if isinstance(articles, Feed) else Feed(articles)
        inputs.start(self.window * PARALLEL_BATCH)
        queue: deque[_Batch | Failure] = deque()
        # A copy of a text read before is not sent: it takes the first copy's result.
        reuse = Reuse()
        try:
            while True:
                self._fill(inputs, queue, reuse)
                if not queue:
                    if inputs.exhausted:
                        return
                    continue
                head = queue[0]
                if isinstance(head, Failure):
                    queue.popleft()
                    yield head
                    continue
                room = not inputs.exhausted and self._has_room(queue)
                results = self._results(head, INPUT_POLL if room else None)
                if results is None:
                    continue  # not done yet: look for more input meanwhile
                queue.popleft()
                if isinstance(results, _Retry):
                    queue.extendleft(reversed(results.batches))
                    continue
                tagged = iter(results)
                for article, n in zip(head.articles, head.seqs, strict=True):
                    if reuse.is_copy(n):
                        yield reuse.finish(n, None)
                        continue
                    result = next(tagged)
                    if isinstance(result, Document):
                        result = replace(result, text=article.text)
                    yield reuse.finish(n, result)
        finally:
            inputs.close()
            futures = [
                entry.future
                for entry in queue
                if isinstance(entry, _Batch) and entry.future is not None
            ]
            if futures:
                with contextlib.suppress(Exception):
                    self.client.cancel(futures)

    def _has_room(self, queue: deque[_Batch | Failure]) -> bool:
        """Fewer batches in flight than the window, and a queue no longer than a window's
        worth of articles (failed inputs wait in it too: a run of them is not all read
        into memory, and counting what is in flight stays a short scan)."""
        if len(queue) >= self.window * PARALLEL_BATCH:
            return False
        return sum(isinstance(entry, _Batch) for entry in queue) < self.window

    def _fill(self, inputs: Feed, queue: deque[_Batch | Failure], reuse: Reuse) -> None:
        """Read what input is there (waiting for it only when nothing is in flight) and
        send it in batches until the window is full."""
        batch: list[Article] = []
        seqs: list[int] = []
        sent: list[Article] = []
        chars = 0
        while self._has_room(queue) and not inputs.exhausted:
            wait = not queue and not batch
            item = next(inputs, None) if wait else inputs.poll()
            if item is None:
                break
            n = self.seq
            self.seq += 1
            if isinstance(item, Failure):
                if batch:
                    queue.append(self._submit(batch, seqs, sent))
                    batch, seqs, sent, chars = [], [], [], 0
                queue.append(item)
                continue
            batch.append(item)
            seqs.append(n)
            if reuse.claim(n, item):
                continue
            sent.append(item)
            chars += len(item.text)
            if len(sent) >= PARALLEL_BATCH or chars >= PARALLEL_CHARS:
                queue.append(self._submit(batch, seqs, sent))
                batch, seqs, sent, chars = [], [], [], 0
        if batch:
            queue.append(self._submit(batch, seqs, sent))

    def _submit(self, articles: list[Article], seqs: list[int], sent: list[Article]) -> _Batch:
        future = self.client.submit(_tag_batch, sent, self.options, pure=False) if sent else None
        return _Batch(articles, seqs, sent, future)

    def _results(
        self, batch: _Batch, timeout: float | None
    ) -> list[Document | Failure] | _Retry | None:
        """The batch's results; None if not done within `timeout`; or, when its workers
        kept dying, the batch split into single articles sent again."""
        from distributed import KilledWorker

        if batch.future is None:
            return []
        if timeout is not None and not batch.future.done():
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                batch.future.result(timeout=timeout)
            if not batch.future.done():
                return None
        try:
            results: list[Document | Failure] = batch.future.result()
        except KilledWorker as exc:
            if len(batch.articles) > 1:
                sent = {id(article) for article in batch.sent}
                return _Retry(
                    [
                        self._submit([article], [n], [article] if id(article) in sent else [])
                        for article, n in zip(batch.articles, batch.seqs, strict=True)
                    ]
                )
            article = batch.articles[0]
            name = article_name(article)
            return [
                Failure(name, f"{name}: the worker processes tagging it died ({exc})", article.id)
            ]
        except GeotagError:
            raise
        except Exception as exc:
            raise GeotagError(
                f"the Dask cluster failed to tag a batch ({type(exc).__name__}: {exc})"
            ) from None
        return results
