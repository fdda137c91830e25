"""`--cluster`: the CLI's one way into geotag.dask, imported only when the flag is given,
and the one place where Dask not being installed becomes an error a person can act on."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from types import ModuleType
from typing import Any

from ..errors import GeotagError
from ..models import Article, Document, Failure
from ..options import PipelineOptions
from .options import ClusterAddress

# What the `dask` extra brings; a missing one means the extra is not installed.
DASK_PACKAGES = ("dask", "distributed", "pandas", "pyarrow", "fsspec")


def dask_module(name: str = "") -> ModuleType:
    """geotag.dask (or its module NAME); a GeotagError (exit 1) saying how to install Dask
    when the `dask` extra is not installed."""
    from importlib import import_module

    try:
        return import_module(f"geotag.dask.{name}" if name else "geotag.dask")
    except ModuleNotFoundError as exc:
        missing = (exc.name or "").split(".")[0]
        if missing not in DASK_PACKAGES:
            raise
        raise GeotagError(
            f"--cluster needs Dask, and {missing} is not installed: pip install 'geotag[dask]'"
        ) from None


@contextlib.contextmanager
def connected(cluster: ClusterAddress) -> Iterator[Any]:
    """A Dask client on the cluster, for the length of the block."""
    executor = dask_module("executor")
    with executor.cluster_client(cluster.address, cluster.workers) as client:
        yield client


@contextlib.contextmanager
def cluster_tagger(cluster: ClusterAddress, options: PipelineOptions) -> Iterator[ClusterRun]:
    """Connect (or start a LocalCluster), load the pipeline on every worker, and hand back
    what tags articles there; the cluster is let go on leaving."""
    executor = dask_module("executor")
    with connected(cluster) as client:
        yield ClusterRun(executor.ClusterTagger(client, options))


class ClusterRun:
    """Articles in, results out in input order, as `Pipeline.tag_articles` does locally."""

    def __init__(self, tagger: Any) -> None:
        self.tagger = tagger

    def tag_articles(self, articles: Iterable[Article | Failure]) -> Iterator[Document | Failure]:
        from ..engine.feed import ReadAheadFeed

        results: Iterator[Document | Failure] = self.tagger.run(ReadAheadFeed(articles))
        return results
