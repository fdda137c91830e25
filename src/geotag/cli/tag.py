"""`geotag tag` (the default command): tag files, directories, stdin or JSON Lines."""

from __future__ import annotations

import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO

import click

from ..formats import FORMATS
from . import status
from .options import (
    InputSettings,
    PipelineSettings,
    format_option,
    geocoder_options,
    input_options,
    jobs_option,
    no_color_option,
    pipeline_options,
    quiet_option,
)
from .runner import run
from .status import ExitStatus

if TYPE_CHECKING:
    from ..geocoder import GeocoderOptions
    from ..models import Document, Failure


@dataclass(frozen=True, slots=True)
class TagRequest:
    """Everything a `geotag tag` run needs, checked and typed."""

    paths: tuple[str, ...]
    pipeline: PipelineSettings
    reading: InputSettings
    fmt: str
    geocoding: GeocoderOptions | None = None
    jobs: int = 1
    errors_inline: bool = False
    csv_raw: bool = False
    no_color: bool = False
    quiet: bool = False


@click.command("tag")
@click.argument("inputs", nargs=-1, metavar="[FILE|DIR|-]...")
@format_option(FORMATS)
@pipeline_options
@geocoder_options
@input_options
@jobs_option
@click.option(
    "--errors-inline",
    is_flag=True,
    help='json/jsonl: also write {"source": ..., "error": ...} records for failed inputs.',
)
@click.option(
    "--csv-raw",
    is_flag=True,
    help="csv: write text cells as they are. By default a cell starting with =, +, -, @, "
    "tab or CR gets a leading ' so spreadsheets do not run it as a formula.",
)
@no_color_option
@quiet_option
def tag_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    pipeline: PipelineSettings,
    geocoding: GeocoderOptions | None,
    reading: InputSettings,
    jobs: int,
    errors_inline: bool,
    csv_raw: bool,
    no_color: bool,
    quiet: bool,
) -> None:
    """Tag FILEs: find people, organisations and places, and resolve every place.

    With no FILE, reads piped stdin ('-' also means stdin). Every place is resolved
    against the offline gazetteer to coordinates, country, region, feature type and
    GeoNames id.
    """
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        status.error("stdout is closed: nowhere to write the results (redirect it to a file)")
        sys.exit(ExitStatus.FAILED)
    paths = list(inputs)
    if reading.files_from is not None:
        from ..readers import read_path_list

        listed = list(read_path_list(reading.files_from))
        if not listed and not quiet:
            status.warn("--files-from: the list of paths is empty")
        paths += listed
        if reading.files_from is _stdin() and "-" in paths:
            raise click.UsageError("stdin cannot be both the --files-from list and an input")
    if not paths:
        if reading.files_from is None and (sys.stdin is None or _stdin().isatty()):
            raise click.UsageError("no input: give FILE arguments, '-' for stdin, or pipe text in")
        if reading.files_from is None:
            paths = ["-"]
    request = TagRequest(
        paths=tuple(paths),
        pipeline=pipeline,
        reading=reading,
        fmt=fmt or ("table" if sys.stdout.buffer.isatty() else "json"),
        geocoding=geocoding,
        jobs=jobs,
        errors_inline=errors_inline,
        csv_raw=csv_raw,
        no_color=no_color,
        quiet=quiet,
    )
    sys.exit(tag(request))


def tag(request: TagRequest) -> ExitStatus:
    """Run a checked request: load, read, tag, write; the exit status of the run."""
    from ..formats import make_writer
    from ..readers import expand_paths, iter_inputs

    warn = status.ignore if request.quiet else status.warn
    reading = request.reading
    settings = request.pipeline
    if request.geocoding is not None:
        # Names the gazetteer does not know are what the geocoder is for: keep them.
        settings = replace(settings, keep_unknown_places=True)
    pipeline = settings.load()
    sources = list(expand_paths(request.paths, reading.recursive, reading.patterns, warn))
    articles = iter_inputs(
        sources,
        stdin=_stdin(),
        input_format="jsonl" if reading.input_format == "jsonl" else "text",
        text_field=reading.text_field,
        id_field=reading.id_field,
        encoding=reading.encoding,
        warn=warn,
    )
    writer = make_writer(
        request.fmt,
        sys.stdout.buffer,
        no_color=request.no_color,
        errors_inline=request.errors_inline,
        csv_raw=request.csv_raw,
    )
    results: Iterator[Document | Failure] = pipeline.tag_articles(
        articles, jobs=request.jobs, read_ahead=True
    )
    if request.geocoding is not None:
        # Online lookups happen here, in this process, after tagging: only for places
        # the gazetteer left unresolved, and only because --geocoder was given.
        from ..geocoder import NominatimGeocoder, geocode_results

        online = NominatimGeocoder(request.geocoding, warn)
        results = geocode_results(results, online, pipeline.tagger.gazetteer)
    batch = len(sources) > 1 or reading.input_format == "jsonl"
    show = batch and not request.quiet
    total = len(sources) if reading.input_format == "text" else None
    return run(results, writer, total, show_progress=show, summary=show)


def _stdin() -> BinaryIO:
    """stdin as bytes; a closed stdin (`<&-`) reads as empty ("no input" without FILEs)."""
    return sys.stdin.buffer if sys.stdin is not None else io.BytesIO()
