"""The `geotag` command: parse options, call the library, pick a writer. Wiring only.

Exit codes: 0 every input tagged; 1 some input failed (or geotag could not start);
2 usage error; 130 interrupted.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import click

from . import DEFAULT_MODEL, __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FORMATS = ("table", "json", "jsonl")


class DefaultGroup(click.Group):
    """A group whose default command runs when the first argument names no command,
    so `geotag article.txt` means `geotag tag article.txt`."""

    default_command = "tag"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (
            args[0] not in self.commands and args[0] not in ("--help", "-h", "--version")
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        command = self.commands[self.default_command]
        sub = click.Context(command, info_name=ctx.info_name, parent=ctx.parent)
        command.format_usage(sub, formatter)
        command.format_help_text(sub, formatter)
        click.Command.format_options(command, sub, formatter)
        self.format_commands(ctx, formatter)
        self.format_epilog(ctx, formatter)


def _error(message: str) -> None:
    click.echo(f"geotag: error: {message}", err=True)


def _warn(message: str) -> None:
    click.echo(f"geotag: warning: {message}", err=True)


def _ignore(_message: str) -> None:
    return None


def _parse_bbox(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        west, south, east, north = (float(v) for v in value.split(","))
    except ValueError:
        raise click.BadParameter("expected four numbers W,S,E,N, e.g. 35,32,43,38") from None
    if not (-90 <= south <= north <= 90 and -180 <= west <= 180 and -180 <= east <= 180):
        raise click.BadParameter("expected W,S,E,N in degrees with S <= N")
    return (west, south, east, north)


def _parse_countries(_ctx: click.Context, _param: click.Parameter, value: tuple[str, ...]) -> Any:
    codes = tuple(v.strip().upper() for v in value)
    bad = [c for c in codes if len(c) != 2 or not c.isalpha()]
    if bad:
        raise click.BadParameter(f"not a two-letter country code: {', '.join(bad)}")
    return codes


@click.group(
    name="geotag",
    cls=DefaultGroup,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Exit codes: 0 all inputs tagged, 1 some input failed, 2 usage error, "
    "130 interrupted. Docs: README.md.",
)
@click.version_option(__version__, "--version", prog_name="geotag")
def cli() -> None:
    """Find the people, organisations and places in news text and resolve every place."""


def pipeline_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that tags text shares (model, gazetteer, resolver)."""
    for option in reversed(
        [
            click.option(
                "--model",
                default=DEFAULT_MODEL,
                show_default=True,
                help="spaCy pipeline: an installed package name or a path.",
            ),
            click.option(
                "--gazetteer",
                type=click.Path(dir_okay=False),
                envvar="GEOTAG_GAZETTEER",
                help="Gazetteer CSV to use instead of the shipped one [env: GEOTAG_GAZETTEER].",
            ),
            click.option(
                "--no-demonyms",
                is_flag=True,
                help="Do not report demonyms (Syrian, Turkish) as places.",
            ),
            click.option(
                "--prefer-country",
                "prefer_countries",
                multiple=True,
                metavar="CC",
                callback=_parse_countries,
                help="Tilt ambiguous places towards this country (ISO code; repeatable).",
            ),
            click.option(
                "--bbox",
                callback=_parse_bbox,
                metavar="W,S,E,N",
                help="Tilt ambiguous places towards this bounding box (degrees).",
            ),
        ]
    ):
        f = option(f)
    return f


@cli.command("tag")
@click.argument("inputs", nargs=-1, metavar="[FILE|DIR|-]...")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    help="Output format. Default: table at a terminal, json otherwise.",
)
@pipeline_options
@click.option(
    "-r", "--recursive", is_flag=True, help="Read the files inside DIR arguments, recursively."
)
@click.option(
    "--glob",
    "patterns",
    multiple=True,
    default=("*.txt",),
    show_default=True,
    metavar="PATTERN",
    help="With -r: file names to read (repeatable). Hidden files are always skipped.",
)
@click.option(
    "--files-from",
    type=click.File("rb"),
    metavar="FILE",
    help="Read the paths to tag from FILE, one a line ('-' for stdin).",
)
@click.option(
    "--input-format",
    type=click.Choice(["text", "jsonl"]),
    default="text",
    show_default=True,
    help="text: each input is one article; jsonl: one JSON record per line.",
)
@click.option(
    "--text-field", default="text", show_default=True, help="jsonl: the field with the text."
)
@click.option(
    "--id-field",
    default="id",
    show_default=True,
    help="jsonl: the field whose value is passed through as the document's id.",
)
@click.option(
    "--encoding",
    help="Decode inputs with this encoding when they are not UTF-8 (e.g. latin-1).",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)
@click.option(
    "--errors-inline",
    is_flag=True,
    help='json/jsonl: also write {"source": ..., "error": ...} records for failed inputs.',
)
@click.option("--no-color", is_flag=True, help="No colour in tables (NO_COLOR is respected too).")
@click.option(
    "-q", "--quiet", is_flag=True, help="No progress, summary or warnings on stderr; errors only."
)
def tag_command(
    inputs: tuple[str, ...],
    fmt: str | None,
    model: str,
    gazetteer: str | None,
    no_demonyms: bool,
    prefer_countries: tuple[str, ...],
    bbox: tuple[float, float, float, float] | None,
    recursive: bool,
    patterns: tuple[str, ...],
    files_from: IO[bytes] | None,
    input_format: str,
    text_field: str,
    id_field: str,
    encoding: str | None,
    jobs: int,
    errors_inline: bool,
    no_color: bool,
    quiet: bool,
) -> None:
    """Tag FILEs: find people, organisations and places, and resolve every place.

    With no FILE, reads piped stdin ('-' also means stdin). Every place is resolved
    against the offline gazetteer to coordinates, country, region, feature type and
    GeoNames id.
    """
    from .readers import expand_paths, iter_inputs, read_path_list

    stdin = sys.stdin.buffer
    warn: Callable[[str], None] = _ignore if quiet else _warn
    paths = list(inputs)
    if files_from is not None:
        paths += read_path_list(files_from, warn)
    if not paths:
        if files_from is None and stdin.isatty():
            raise click.UsageError("no input: give FILE arguments, '-' for stdin, or pipe text in")
        if files_from is None:
            paths = ["-"]
    if encoding:
        import codecs

        try:
            codecs.lookup(encoding)
        except LookupError:
            raise click.BadParameter(
                f"unknown encoding {encoding!r}", param_hint="--encoding"
            ) from None
    stdout = sys.stdout.buffer
    if fmt is None:
        fmt = "table" if stdout.isatty() else "json"

    pipeline = _load_pipeline(model, gazetteer, no_demonyms, prefer_countries, bbox)

    sources = list(expand_paths(paths, recursive, patterns))
    articles = iter_inputs(
        sources,
        stdin=stdin,
        input_format="jsonl" if input_format == "jsonl" else "text",
        text_field=text_field,
        id_field=id_field,
        encoding=encoding,
        warn=warn,
    )
    writer = _make_writer(fmt, stdout, no_color, errors_inline)
    batch = len(sources) > 1 or input_format == "jsonl"
    results = pipeline.tag_articles(articles, jobs=jobs)
    total = len(sources) if input_format == "text" else None
    sys.exit(_run(results, writer, total, batch and not quiet, summary=batch and not quiet))


def _load_pipeline(
    model: str,
    gazetteer: str | None,
    no_demonyms: bool,
    prefer_countries: tuple[str, ...],
    bbox: tuple[float, float, float, float] | None,
) -> Any:
    """Load the spaCy model and the gazetteer, or exit 1 with a one-line reason."""
    from .api import load_pipeline
    from .errors import GeotagError

    try:
        return load_pipeline(
            model,
            gazetteer,
            demonyms=not no_demonyms,
            prefer_countries=prefer_countries,
            bbox=bbox,
        )
    except GeotagError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILED)


@cli.command("evaluate")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
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
    type=click.File("wb"),
    help="Also write geotag's output for every gold document to this JSON Lines file.",
)
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)
def evaluate_command(
    gold: str,
    model: str,
    gazetteer: str | None,
    no_demonyms: bool,
    prefer_countries: tuple[str, ...],
    bbox: tuple[float, float, float, float] | None,
    gold_spans: bool,
    fmt: str,
    predictions: IO[bytes] | None,
    jobs: int,
) -> None:
    """Score geotag on GOLD, a JSON Lines file of annotated documents.

    Reports exact-span precision, recall and F1 for PERSON, ORG and PLACE, and for gold
    places with coordinates the accuracy within 161 km (end to end, and among the places
    found), median and mean error, AUC, and GeoNames-id accuracy.
    """
    from .errors import GeotagError
    from .evaluate import evaluate, format_report, read_gold

    try:
        docs = read_gold(gold)
    except GeotagError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILED)
    pipeline = _load_pipeline(model, gazetteer, no_demonyms, prefer_countries, bbox)
    report = evaluate(pipeline, docs, gold_spans=gold_spans, jobs=jobs, predictions=predictions)
    if fmt == "json":
        import orjson

        sys.stdout.buffer.write(orjson.dumps(report) + b"\n")
    else:
        click.echo(format_report(report))


def _make_writer(fmt: str, stdout: IO[bytes], no_color: bool, errors_inline: bool) -> Any:
    from .output import JsonWriter, TableWriter

    if fmt == "table":
        from rich.console import Console

        console = Console(file=sys.stdout, no_color=no_color or None, highlight=False)
        return TableWriter(console)
    return JsonWriter(stdout, compact=fmt == "jsonl", errors_inline=errors_inline)


class _ProgressBar:
    """A rich progress bar on stderr (documents, docs/s, ETA); shown only at a terminal."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("tagging"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = self.progress.add_task("tag", total=total, rate="-")
        self.progress.start()

    def advance(self, rate: float) -> None:
        self.progress.update(self.task, advance=1, rate=f"{rate:.1f}")

    def stop(self) -> None:
        self.progress.stop()


def _run(
    results: Iterator[Any],
    writer: Any,
    progress_total: int | None,
    show_progress: bool,
    summary: bool,
) -> int:
    """Write each result as it comes; report failures; return the exit code."""
    from .models import Failure

    done = failed = 0
    started = time.monotonic()
    bar = _ProgressBar(progress_total) if show_progress and sys.stderr.isatty() else None
    try:
        for item in results:
            done += 1
            if isinstance(item, Failure):
                failed += 1
                _error(item.error)
                writer.failure(item)
            else:
                writer.write(item)
            if bar is not None:
                bar.advance(done / max(time.monotonic() - started, 1e-9))
        writer.close()
    except BrokenPipeError:
        # The reader went away (`| head`): stop quietly, and keep Python from
        # complaining when it flushes stdout at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        if bar is not None:
            bar.stop()
        _error(f"interrupted after {done} document(s); the finished ones are written")
        return EXIT_INTERRUPTED
    if bar is not None:
        bar.stop()
    if summary:
        elapsed = time.monotonic() - started
        click.echo(
            f"geotag: {done} document(s), {failed} failed, {elapsed:.1f}s "
            f"({done / max(elapsed, 1e-9):.1f} docs/s)",
            err=True,
        )
    return EXIT_FAILED if failed else EXIT_OK


def main() -> None:
    cli(prog_name="geotag")
