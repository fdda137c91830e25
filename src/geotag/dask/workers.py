"""The pipeline in each Dask worker process: loaded once per process and options, the
gazetteer's compiled index built once per machine, and tagging a partition with it."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from typing import Any

from ..engine.pipeline import Pipeline
from ..errors import GeotagError
from ..gazetteer import Gazetteer
from ..models import Article, Document, Failure
from ..options import PipelineOptions


def build_index_once(gazetteer: str | None) -> None:
    """Make sure the gazetteer's compiled index is in the cache before the model loads.

    Workers starting together on one machine share the cache folder, where the index is
    compiled under the cache's lock (`geotag.gazetteer.cache`): the first worker compiles,
    the others wait and then open its index. Loaded first, the index is found ready by
    `Pipeline.load`, so no worker starts a compiling process of its own beside the
    model's load.
    """
    Gazetteer.load(gazetteer)


class _Loaded:
    """A pipeline and the lock its users take: spaCy's memory zones free the strings a
    batch added, so two threads tagging with one pipeline would free each other's."""

    def __init__(self, pipeline: Pipeline) -> None:
        self.pipeline = pipeline
        self.lock = threading.Lock()


# A per-process cache rather than a distributed WorkerPlugin: it needs no Client when the
# graph is built, works under any Dask scheduler (distributed, processes, threads), and a
# worker that restarts or joins later loads on its first task without re-registration.
_cache: dict[PipelineOptions, _Loaded] = {}
_cache_lock = threading.Lock()
_loads = 0


def loaded(options: PipelineOptions) -> _Loaded:
    global _loads
    with _cache_lock:
        entry = _cache.get(options)
        if entry is None:
            build_index_once(options.gazetteer)
            entry = _Loaded(Pipeline.load(options))
            _cache[options] = entry
            _loads += 1
        return entry


def cache_info() -> dict[str, int]:
    """This process's id and how many pipelines it has loaded (for tests and diagnostics)."""
    return {"pid": os.getpid(), "loads": _loads, "cached": len(_cache)}


def load_on_workers(client: Any, **options: Any) -> None:
    """Load the pipeline on every worker of `client` now rather than on its first task,
    so a model missing on a worker is reported before any work is sent (GeotagError
    naming the worker). Workers that join later load on their first task. `options`:
    those of `geotag.load_pipeline` (the fields of `PipelineOptions`), by keyword."""
    load_options_on_workers(client, PipelineOptions(**options))


def load_options_on_workers(client: Any, options: PipelineOptions) -> None:
    workers = sorted(client.nthreads())
    if not workers:
        raise GeotagError("the Dask cluster has no workers")
    # A task on each worker rather than client.run, which would block the worker's event
    # loop (and its heartbeats) for the seconds a load takes.
    futures = [
        client.submit(_try_load, options, workers=[w], allow_other_workers=False, pure=False)
        for w in workers
    ]
    for worker, error in zip(workers, client.gather(futures), strict=True):
        if error is not None:
            raise GeotagError(f"worker {worker}: {error}")


def _try_load(options: PipelineOptions) -> str | None:
    try:
        loaded(options)
    except GeotagError as exc:
        return str(exc)
    return None


def tag_articles(
    articles: Sequence[Article | Failure], options: PipelineOptions
) -> list[Document | Failure]:
    """Tag a partition's articles with this process's pipeline, in order; failures pass
    through in their place."""
    entry = loaded(options)
    with entry.lock:
        return list(entry.pipeline.tag_stream(articles, ramp=False))
