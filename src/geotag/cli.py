"""The `geotag` command: parse options, call the library, pick a writer. Wiring only.

Exit codes: 0 every input tagged; 1 some input failed (or geotag could not start);
2 usage error; 130 interrupted.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import sys
import time
from collections.abc import Callable, Iterator
from typing import IO, Any

import click

from . import DEFAULT_MODEL, __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
FORMATS = ("table", "json", "jsonl", "csv", "geojson", "html")


class DefaultGroup(click.Group):
    """A group whose default command runs when the first argument names no command,
    so `geotag article.txt` means `geotag tag article.txt`."""

    default_command = "tag"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        completing_first_word = ctx.resilient_parsing and not args
        if not completing_first_word and (
            not args
            or (args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"))
        ):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[Any]:
        """The first word completes to a command name or to what the default command takes."""
        command = self.commands[self.default_command]
        sub = command.make_context(self.default_command, [], parent=ctx, resilient_parsing=True)
        return [*super().shell_complete(ctx, incomplete), *command.shell_complete(sub, incomplete)]

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


jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)


def geocoder_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """The opt-in online fallback for places the gazetteer cannot resolve."""
    for option in reversed(
        [
            click.option(
                "--geocoder",
                type=click.Choice(["nominatim"]),
                help="Look up places the gazetteer leaves unresolved online (off by default: "
                "without it geotag never uses the network).",
            ),
            click.option(
                "--geocoder-domain",
                metavar="HOST|URL",
                envvar="GEOTAG_GEOCODER_DOMAIN",
                help="Nominatim server: a host, or a URL such as http://localhost:8080 "
                "[default: nominatim.openstreetmap.org; env: GEOTAG_GEOCODER_DOMAIN].",
            ),
            click.option(
                "--geocoder-user-agent",
                metavar="TEXT",
                envvar="GEOTAG_GEOCODER_USER_AGENT",
                help="User-Agent sent to the server, naming your application "
                "[default: geotag/VERSION; env: GEOTAG_GEOCODER_USER_AGENT].",
            ),
            click.option(
                "--geocoder-min-delay",
                type=click.FloatRange(min=0),
                default=1.0,
                show_default=True,
                metavar="SECONDS",
                help="Least time between two requests (at least 1 for the public server).",
            ),
            click.option(
                "--geocoder-timeout",
                type=click.FloatRange(min=0, min_open=True),
                default=10.0,
                show_default=True,
                metavar="SECONDS",
                help="How long to wait for an answer before giving up on a place.",
            ),
            click.option(
                "--no-geocoder-cache",
                is_flag=True,
                help="Neither read nor write the geocoder's answers in the cache directory.",
            ),
        ]
    ):
        f = option(f)
    return f


def _geocoder_settings(
    domain: str | None, user_agent: str | None, min_delay: float, timeout: float, cache: bool
) -> Any:
    """GeocoderOptions from the flags, or a usage error (exit 2)."""
    from .geocoder import PUBLIC_DOMAIN, PUBLIC_MIN_DELAY, GeocoderOptions, parse_server

    try:
        scheme, host = parse_server(domain or PUBLIC_DOMAIN)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--geocoder-domain") from None
    if host == PUBLIC_DOMAIN and min_delay < PUBLIC_MIN_DELAY:
        raise click.BadParameter(
            f"the public Nominatim server allows one request a second; use "
            f"{PUBLIC_MIN_DELAY:g} or more, or your own server",
            param_hint="--geocoder-min-delay",
        )
    options = GeocoderOptions(
        domain=host, scheme=scheme, min_delay=min_delay, timeout=timeout, cache=cache
    )
    if user_agent is not None:
        if not user_agent.strip():
            raise click.BadParameter("must not be empty", param_hint="--geocoder-user-agent")
        from dataclasses import replace

        options = replace(options, user_agent=user_agent.strip())
    return options


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
@geocoder_options
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
@jobs_option
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
    geocoder: str | None,
    geocoder_domain: str | None,
    geocoder_user_agent: str | None,
    geocoder_min_delay: float,
    geocoder_timeout: float,
    no_geocoder_cache: bool,
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

    if sys.stdout is None:  # started with stdout closed (`>&-`)
        _error("stdout is closed: nowhere to write the results (redirect it to a file)")
        sys.exit(EXIT_FAILED)
    # A closed stdin (`<&-`) reads as empty; with no FILE it is "no input".
    stdin = sys.stdin.buffer if sys.stdin is not None else io.BytesIO()
    warn: Callable[[str], None] = _ignore if quiet else _warn
    paths = list(inputs)
    if files_from is not None:
        listed = list(read_path_list(files_from))
        if not listed:
            warn("--files-from: the list of paths is empty")
        paths += listed
        if files_from is stdin and "-" in paths:
            raise click.UsageError("stdin cannot be both the --files-from list and an input")
    if not paths:
        if files_from is None and (sys.stdin is None or stdin.isatty()):
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
    geocoding = None
    if geocoder:
        geocoding = _geocoder_settings(
            geocoder_domain,
            geocoder_user_agent,
            geocoder_min_delay,
            geocoder_timeout,
            not no_geocoder_cache,
        )

    pipeline = _load_pipeline(model, gazetteer, no_demonyms, prefer_countries, bbox)

    sources = list(expand_paths(paths, recursive, patterns, warn))
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
    results = pipeline.tag_articles(articles, jobs=jobs, read_ahead=True)
    if geocoding is not None:
        # Online lookups happen here, in this process, after tagging: only for places
        # the gazetteer left unresolved, and only because --geocoder was given.
        from .geocoder import NominatimGeocoder, geocode_results

        online = NominatimGeocoder(geocoding, warn)
        results = geocode_results(results, online, pipeline.tagger.gazetteer)
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
    import gc

    # Loading creates millions of objects that live as long as the process: collecting
    # meanwhile only costs time (about a tenth of start-up), and frozen afterwards they
    # stay out of later collections and out of the pages forked workers would copy.
    gc.disable()
    try:
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
        except KeyboardInterrupt:
            _error("interrupted while loading")
            sys.exit(EXIT_INTERRUPTED)
    finally:
        gc.freeze()
        gc.enable()


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
@jobs_option
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


@cli.group("gazetteer")
def gazetteer_group() -> None:
    """Inspect the gazetteer, look names up in it, or build one from GeoNames dumps."""


def _gazetteer_option(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--gazetteer",
        type=click.Path(dir_okay=False),
        envvar="GEOTAG_GAZETTEER",
        help="Gazetteer CSV to use instead of the shipped one [env: GEOTAG_GAZETTEER].",
    )(f)


def _report_format(f: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(["table", "json"]),
        help="Output format. Default: table at a terminal, json otherwise.",
    )(click.option("--no-color", is_flag=True, help="No colour in tables.")(f))


def _open_gazetteer(path: str | None) -> Any:
    from .errors import GeotagError
    from .gazetteer import Gazetteer

    try:
        return Gazetteer.load(path)
    except GeotagError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILED)


@gazetteer_group.command("info")
@_gazetteer_option
@_report_format
def gazetteer_info_command(gazetteer: str | None, fmt: str | None, no_color: bool) -> None:
    """Describe the gazetteer in use: path, rows, sources, date.

    Shows the path, the rows by feature type, the sources, the date (the file's
    modification time, UTC) and the SHA-256.
    """
    from .importer import describe
    from .output import write_gazetteer_info

    stdout = sys.stdout.buffer
    info = describe(_open_gazetteer(gazetteer))
    write_gazetteer_info(info, fmt or ("table" if stdout.isatty() else "json"), stdout, no_color)


@gazetteer_group.command("lookup")
@click.argument("name")
@click.option(
    "--country",
    metavar="CC",
    help="Only candidates in this country (ISO code).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Show at most this many candidates.",
)
@_gazetteer_option
@click.option(
    "--prefer-country",
    "prefer_countries",
    multiple=True,
    metavar="CC",
    callback=_parse_countries,
    help="Score as `geotag --prefer-country` would (repeatable).",
)
@click.option(
    "--bbox",
    callback=_parse_bbox,
    metavar="W,S,E,N",
    help="Score as `geotag --bbox` would (degrees).",
)
@_report_format
def gazetteer_lookup_command(
    name: str,
    country: str | None,
    limit: int,
    gazetteer: str | None,
    prefer_countries: tuple[str, ...],
    bbox: tuple[float, float, float, float] | None,
    fmt: str | None,
    no_color: bool,
) -> None:
    """Rank the candidates for NAME, with their scores.

    Shows each candidate's score and its weighted parts (feature type, importance, name
    match...), scored as for a mention with no other place in the document: what to run
    when a place resolves wrongly. Exits 1 when no entry has that name.
    """
    from .output import write_candidates
    from .resolver import WEIGHTS, Resolver, ResolverOptions

    code = None
    if country is not None:
        code = country.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise click.BadParameter(
                f"not a two-letter country code: {country}", param_hint="--country"
            )
    gaz = _open_gazetteer(gazetteer)
    options = ResolverOptions(prefer_countries=prefer_countries, bbox=bbox)
    candidates = Resolver(gaz, options).candidates(name, code)[:limit]
    stdout = sys.stdout.buffer
    fmt = fmt or ("table" if stdout.isatty() else "json")
    if candidates or fmt == "json":
        write_candidates(
            name, code, candidates, options.abstain_below, WEIGHTS, fmt, stdout, no_color
        )
    if not candidates:
        where = f" in {code}" if code else ""
        _error(f"no gazetteer entry is named {name!r}{where}")
        sys.exit(EXIT_FAILED)


@gazetteer_group.command("build")
@click.option(
    "--geonames",
    "directory",
    required=True,
    type=click.Path(file_okay=False),
    metavar="DIR",
    help="Folder with allCountries.txt or citiesN.txt (or their .zip), "
    "admin1CodesASCII.txt and countryInfo.txt from the GeoNames export dump.",
)
@click.option(
    "-o",
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    default="gazetteer.csv",
    show_default=True,
    help="Where to write the gazetteer CSV (replaced only once it is complete).",
)
@click.option(
    "--min-population",
    type=click.IntRange(min=0),
    default=15000,
    show_default=True,
    metavar="N",
    help="Keep cities of at least N people (national capitals are always kept).",
)
@click.option(
    "--no-extras",
    is_flag=True,
    help="Leave out the shipped gazetteer's hand-written seas, rivers, regions and "
    "landmarks, its abbreviations and its corrected names.",
)
@click.option(
    "--skip-malformed",
    is_flag=True,
    help="Skip malformed dump lines (counted, the first few reported) instead of stopping.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary or warnings on stderr.")
def gazetteer_build_command(
    directory: str,
    out: str,
    min_population: int,
    no_extras: bool,
    skip_malformed: bool,
    quiet: bool,
) -> None:
    """Build a gazetteer CSV from GeoNames dumps you downloaded.

    Countries come from countryInfo.txt, first-level regions from admin1CodesASCII.txt,
    cities from the dump; use the result with --gazetteer PATH or GEOTAG_GAZETTEER.
    """
    from .errors import GeotagError
    from .importer import ImportOptions, import_geonames

    warn: Callable[[str], None] = _ignore if quiet else _warn
    options = ImportOptions(
        min_population=min_population, extras=not no_extras, skip_malformed=skip_malformed
    )
    try:
        report = import_geonames(directory, out, options, warn)
    except GeotagError as exc:
        _error(str(exc))
        sys.exit(EXIT_FAILED)
    except KeyboardInterrupt:
        _error(f"interrupted; {out} was not written")
        sys.exit(EXIT_INTERRUPTED)
    if not quiet:
        for line in report.summary():
            click.echo(f"geotag: {line}", err=True)


def _make_writer(fmt: str, stdout: IO[bytes], no_color: bool, errors_inline: bool) -> Any:
    from .output import CsvWriter, GeoJsonWriter, JsonWriter, TableWriter, make_console

    if fmt == "csv":
        return CsvWriter(stdout)
    if fmt == "geojson":
        return GeoJsonWriter(stdout)
    if fmt == "html":
        from .report import HtmlReportWriter

        return HtmlReportWriter(stdout)
    if fmt == "table":
        return TableWriter(make_console(no_color))
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


class _HeldInterrupt:
    """Ctrl-C stops geotag at once, except while a result is written (and counted): then
    it takes effect right after, so no document is cut in half. A Python-level handler
    runs in the main thread whichever thread the signal reached (BLAS threads exist)."""

    def __init__(self) -> None:
        self.holding = self.pressed = False
        self.previous: Any = None

    def install(self) -> None:
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)

    def restore(self) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGINT, self.previous)

    def _handle(self, _signum: int, _frame: Any) -> None:
        if self.holding:
            self.pressed = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pressed:
            raise KeyboardInterrupt


def _run(
    results: Iterator[Any],
    writer: Any,
    progress_total: int | None,
    show_progress: bool,
    summary: bool,
) -> int:
    """Write each result as it comes; report failures; return the exit code."""
    from .errors import GeotagError
    from .models import Failure

    done = failed = 0
    started = time.monotonic()
    bar = _ProgressBar(progress_total) if show_progress and sys.stderr.isatty() else None
    interrupts = _HeldInterrupt()
    interrupts.install()
    try:
        for item in results:
            with interrupts.hold():
                if isinstance(item, Failure):
                    failed += 1
                    _error(item.error)
                    writer.failure(item)
                else:
                    writer.write(item)
                done += 1
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
        # Close the output so a GeoJSON FeatureCollection still parses.
        with contextlib.suppress(OSError, KeyboardInterrupt):
            writer.close()
        _error(f"interrupted after {done} document(s); the finished ones are written")
        return EXIT_INTERRUPTED
    except GeotagError as exc:  # the batch cannot go on (worker processes cannot run)
        if bar is not None:
            bar.stop()
        with contextlib.suppress(OSError):
            writer.close()
        _error(f"{exc} (after {done} document(s))")
        return EXIT_FAILED
    finally:
        interrupts.restore()
        # Stop the pipeline now (worker processes end), not whenever it is collected.
        close = getattr(results, "close", None)
        if close is not None:
            close()
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
