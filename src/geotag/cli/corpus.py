"""`geotag corpus`: tag an archive where it lies, on a Dask cluster; the workers read the
inputs and write the output parts, and only the counts come back."""

from __future__ import annotations

import dataclasses
import sys
import time
from dataclasses import dataclass
from typing import Any

import click

from ..options import PipelineOptions
from . import status
from .examples import examples
from .options import (
    ClusterAddress,
    cluster_option,
    pipeline_options,
    quiet_option,
    record_options,
)
from .status import ExitStatus


@click.command(
    "corpus",
    epilog=examples(
        "geotag corpus 'archive/*.jsonl' tagged/ --cluster local:4",
        "geotag corpus 's3://news/2024/*.parquet' s3://news/tagged --input-format parquet "
        "--output-format parquet --cluster tcp://scheduler:8786",
    ),
)
@click.argument("inputs", nargs=-1, required=True, metavar="INPUT...")
@click.argument("output", metavar="OUTPUT")
@cluster_option(required=True)
@click.option(
    "--input-format",
    type=click.Choice(["jsonl", "parquet", "text"]),
    default="jsonl",
    show_default=True,
    help="jsonl: one JSON record per line; parquet: a text and an id column; text: one "
    "article per file.",
)
@click.option(
    "--output-format",
    type=click.Choice(["jsonl", "parquet"]),
    default="jsonl",
    show_default=True,
    help="jsonl: the JSON documents and error records; parquet: one row per mention, the "
    "columns of --format csv plus error.",
)
@record_options
@click.option(
    "--blocksize",
    metavar="SIZE",
    help="jsonl: split files into partitions of about SIZE (e.g. 64MB); default one a file.",
)
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it holds an earlier run.")
@pipeline_options
@quiet_option
def corpus_command(**request: Any) -> None:
    """Tag a corpus on a Dask cluster: INPUT paths, globs or URLs (s3://, gs://, hdfs://
    with their filesystems installed) to the directory OUTPUT, as part-NNNNN files.

    The workers read and write; no text passes through this process. Records that cannot
    be tagged become error records in the output. Exit status 1 when there are any.
    """
    sys.exit(tag_corpus(CorpusRequest(**request)))


@dataclass(frozen=True, kw_only=True)
class CorpusRequest:
    """What `geotag corpus` was asked to do (its parameters, by name)."""

    inputs: tuple[str, ...]
    output: str
    cluster: ClusterAddress
    input_format: str
    output_format: str
    text_field: str
    id_field: str
    blocksize: str | None
    overwrite: bool
    pipeline: PipelineOptions
    quiet: bool

    def corpus_keywords(self) -> dict[str, Any]:
        """The parameters `geotag.dask.tag_corpus` takes by the names the command's
        options have: all but the inputs, the output, where to run, the pipeline and quiet."""
        own = {"inputs", "output", "cluster", "pipeline", "quiet"}
        return {
            f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name not in own
        }


def tag_corpus(request: CorpusRequest) -> ExitStatus:
    """Run the corpus on the cluster; the exit status."""
    from .cluster import connected, dask_module

    geotag_dask = dask_module()
    started = time.monotonic()
    with connected(request.cluster) as client:
        # Loaded before the graph is sent, so a model missing on a worker is one clear
        # error rather than a failure in the middle of the run.
        dask_module("workers").load_options_on_workers(client, request.pipeline)
        summary = geotag_dask.tag_corpus(
            list(request.inputs),
            request.output,
            **request.corpus_keywords(),
            **dataclasses.asdict(request.pipeline),
        )
    if not request.quiet:
        elapsed = time.monotonic() - started
        status.note(
            f"{summary.documents} document(s), {summary.mentions} mention(s), "
            f"{summary.failures} failed, {summary.partitions} part(s) in {request.output}, "
            f"{elapsed:.1f}s"
        )
    return status.finished(summary.failures)
