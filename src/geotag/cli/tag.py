"""`geotag tag` (the default command): tag files, directories, stdin or JSON Lines."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, BinaryIO

import click

from ..errors import GeotagError
from ..formats import FORMATS
from . import status
from .examples import examples
from .options import (
    ClusterAddress,
    InputSettings,
    cluster_option,
    format_option,
    geocoder_options,
    input_options,
    jobs_option,
    pipeline_options,
    quiet_option,
)
from .runner import load_pipeline, run
from .status import ExitStatus
from .terminal import Terminal, terminal_option

if TYPE_CHECKING:
    from ..gazetteer import Gazetteer
    from ..geocoder import GeocoderOptions
    from ..models import Article, Document, Failure
    from ..options import PipelineOptions


@dataclass(frozen=True, slots=True)
class TagRequest:
    """Everything a `geotag tag` run needs, checked and typed."""

    paths: tuple[str, ...]
    pipeline: PipelineOptions
    reading: InputSettings
    fmt: str
    terminal: Terminal
    geocoding: GeocoderOptions | None = None
    jobs: int = 1
    cluster: ClusterAddress | None = None
    errors_inline: bool = False
    csv_raw: bool = False
    quiet: bool = False


@click.command(
    "tag",
    epilog=examples(
        "geotag examples/idlib-ceasefire.txt",
        "geotag -r news/ --glob '*.txt' -j 0 -f jsonl > tagged.jsonl",
        "geotag --input-format jsonl --text-field body -f csv stories.jsonl > mentions.csv",
    ),
)
@click.argument("inputs", nargs=-1, metavar="[FILE|DIR|-]...")
@format_option(FORMATS)
@pipeline_options
@geocoder_options
@input_options
@jobs_option
@cluster_option()
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
@terminal_option
@quiet_option
def tag_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    pipeline: PipelineOptions,
    geocoding: GeocoderOptions | None,
    reading: InputSettings,
    jobs: int,
    cluster: ClusterAddress | None,
    errors_inline: bool,
    csv_raw: bool,
    terminal: Terminal,
    quiet: bool,
) -> None:
    """Tag FILEs: find people, organisations and places, and resolve every place.

    With no FILE, reads piped stdin ('-' also means stdin). Every place is resolved
    against the offline gazetteer to coordinates, country, region, feature type and
    GeoNames id.
    """
    if cluster is not None and jobs != 1:
        raise click.UsageError(
            "--jobs and --cluster cannot be combined: on a cluster, its workers are the jobs"
        )
    if sys.stdout is None:  # started with stdout closed (`>&-`)
        raise GeotagError("stdout is closed: nowhere to write the results (redirect it to a file)")
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
        if reading.files_from is None and (sys.stdin is None or terminal.stdin):
            raise click.UsageError("no input: give FILE arguments, '-' for stdin, or pipe text in")
        if reading.files_from is None:
            paths = ["-"]
    request = TagRequest(
        paths=tuple(paths),
        pipeline=pipeline,
        reading=reading,
        fmt=terminal.output_format(fmt),
        terminal=terminal,
        geocoding=geocoding,
        jobs=jobs,
        cluster=cluster,
        errors_inline=errors_inline,
        csv_raw=csv_raw,
        quiet=quiet,
    )
    sys.exit(tag(request))


def tag(request: TagRequest) -> ExitStatus:
    """Run a checked request: load, read, tag, write; the exit status of the run."""
    options = request.pipeline
    if request.geocoding is not None:
        # Names the gazetteer does not know are what the geocoder is for: keep them.
        options = replace(options, keep_unknown_places=True)
    if request.cluster is None:
        pipeline = load_pipeline(options)
        return _tag_with(
            request,
            lambda articles: pipeline.tag_articles(articles, jobs=request.jobs, read_ahead=True),
            lambda: pipeline.tagger.gazetteer,
        )
    from ..gazetteer import Gazetteer
    from ..gazetteer.overrides import read_overrides
    from ..tagging.corrections import check_overrides
    from .cluster import cluster_tagger

    overrides = read_overrides(options.overrides)
    if overrides is not None:
        # Checked here, as a local run does, before the cluster is asked for anything.
        check_overrides(overrides, Gazetteer.load(options.gazetteer))
    # The same run with the tagging on the cluster: inputs are read and results written
    # here, by the same readers and writers, so the output is that of a local run.
    with cluster_tagger(request.cluster, options) as remote:
        return _tag_with(request, remote.tag_articles, lambda: Gazetteer.load(options.gazetteer))


def _tag_with(
    request: TagRequest,
    tag_articles: Callable[[Iterator[Article | Failure]], Iterator[Document | Failure]],
    gazetteer: Callable[[], Gazetteer],
) -> ExitStatus:
    from ..formats import make_writer
    from ..readers import expand_paths, iter_inputs

    warn = status.ignore if request.quiet else status.warn
    reading = request.reading
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
        no_color=not request.terminal.color,
        width=request.terminal.width,
        errors_inline=request.errors_inline,
        csv_raw=request.csv_raw,
        explain=request.pipeline.explain,
    )
    results = tag_articles(articles)
    if request.geocoding is not None:
        # Online lookups happen here, in this process, after tagging: only for places
        # the gazetteer left unresolved, and only because --geocoder was given.
        from ..geocoder import NominatimGeocoder, geocode_results

        online = NominatimGeocoder(request.geocoding, warn)
        results = geocode_results(results, online, gazetteer())
    batch = len(sources) > 1 or reading.input_format == "jsonl"
    show = batch and not request.quiet
    total = len(sources) if reading.input_format == "text" else None
    progress = show and request.terminal.stderr
    return run(results, writer, total, show_progress=progress, summary=show)


def _stdin() -> BinaryIO:
    """stdin as bytes; a closed stdin (`<&-`) reads as empty ("no input" without FILEs)."""
    return sys.stdin.buffer if sys.stdin is not None else io.BytesIO()
