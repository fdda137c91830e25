"""`geotag evaluate`: score geotag against gold annotated documents."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import click

from ..errors import GeotagError, OutputError
from ..options import PipelineOptions
from .examples import examples
from .options import jobs_option, pipeline_options
from .runner import load_pipeline
from .status import silence, warn


@click.command(
    "evaluate",
    epilog=examples(
        "geotag evaluate gold.jsonl",
        "geotag evaluate gold.jsonl --gold-spans -f json",
        "geotag evaluate gold.jsonl -j 0 --predictions predictions.jsonl",
    ),
)
@click.argument("gold", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@pipeline_options
@click.option(
    "--gold-spans",
    is_flag=True,
    help="Resolve the gold PLACE spans instead of recognising places (measures resolution alone).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report as text for people or as one JSON object for scripts.",
)
@click.option(
    "--predictions",
    type=click.Path(dir_okay=False, writable=True, allow_dash=True),
    help="Also write geotag's output for every gold document to this JSON Lines file.",
)
@jobs_option
def evaluate_command(
    gold: str,
    pipeline: PipelineOptions,
    gold_spans: bool,
    fmt: str,
    predictions: str | None,
    jobs: int,
) -> None:
    """Score geotag on GOLD, a JSON Lines file of annotated documents ('-': stdin).

    Reports exact-span precision, recall and F1 for PERSON, ORG and PLACE, and for gold
    places with coordinates the accuracy within 161 km (end to end, and among the places
    found), median and mean error, AUC, and GeoNames-id accuracy.
    """
    from ..evaluate import evaluate, format_report, read_gold

    docs = read_gold(gold, warn)
    loaded = load_pipeline(pipeline)
    with _predictions_file(predictions) as stream:
        report = evaluate(loaded, docs, gold_spans=gold_spans, jobs=jobs, predictions=stream)
    if fmt == "json":
        import orjson

        sys.stdout.buffer.write(orjson.dumps(report) + b"\n")
    else:
        click.echo(format_report(report))


@contextmanager
def _predictions_file(path: str | None) -> Iterator[IO[bytes] | None]:
    """The --predictions file ('-': stdout), closed at the end; when it could not be
    written (a full disk), closing it must not fail a second time."""
    if path is None or path == "-":
        yield sys.stdout.buffer if path else None
        return
    try:
        stream = open(path, "wb")  # noqa: SIM115
    except OSError as exc:
        raise GeotagError(f"{path}: cannot write: {exc.strerror or exc}") from None
    try:
        yield stream
    except OutputError:
        silence(stream)
        raise
    finally:
        stream.close()
