"""Options shared by several commands, each declared once, and the typed settings they
become: a command receives `PipelineSettings`, `InputSettings`... rather than a dozen loose
flags."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any

import click

from ..engine.model import DEFAULT_MODEL
from ..engine.spec import PipelineSpec
from ..models import BBox, bbox_of

if TYPE_CHECKING:
    from ..engine.pipeline import Pipeline
    from ..geocoder import GeocoderOptions

Command = Callable[..., None]
Decorator = Callable[[Command], Command]


def country_code(value: str) -> str:
    """An ISO 3166-1 alpha-2 code, any case: "sy" -> "SY"; a usage error otherwise."""
    code = value.strip().upper()
    if len(code) != 2 or not code.isalpha():
        raise click.BadParameter(f"not a two-letter country code: {value}")
    return code


def country_option(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback of an option that takes one country code."""
    return None if value is None else country_code(value)


def countries_option(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> tuple[str, ...]:
    """Callback of a repeatable option of country codes."""
    return tuple(country_code(v) for v in value)


def bbox_option(ctx: click.Context, param: click.Parameter, value: str | None) -> BBox | None:
    """Callback of an option that takes W,S,E,N in degrees."""
    if value is None:
        return None
    try:
        numbers = [float(v) for v in value.split(",")]
    except ValueError:
        numbers = []
    if len(numbers) != 4:
        raise click.BadParameter("expected four numbers W,S,E,N, e.g. 35,32,43,38")
    try:
        return bbox_of(numbers)
    except ValueError as exc:
        raise click.BadParameter(f"{exc}; expected W,S,E,N in degrees") from None


def _apply(command: Command, options: list[Decorator]) -> Command:
    for option in reversed(options):
        command = option(command)
    return command


# -- single options ----------------------------------------------------------------------

# A plain path: a gazetteer that is missing, a directory or unreadable is the gazetteer's
# error (exit 1) whether it came from the flag or from GEOTAG_GAZETTEER.
gazetteer_option = click.option(
    "--gazetteer",
    metavar="PATH",
    envvar="GEOTAG_GAZETTEER",
    help="Gazetteer CSV to use instead of the shipped one [env: GEOTAG_GAZETTEER].",
)
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
)
no_color_option = click.option(
    "--no-color", is_flag=True, help="No colour in tables (NO_COLOR is respected too)."
)
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, help="No progress, summary or warnings on stderr; errors only."
)


@dataclass(frozen=True, slots=True)
class ClusterAddress:
    """Where `--cluster` runs: a scheduler's address, or (address None) a LocalCluster of
    `workers` processes started for the run."""

    address: str | None
    workers: int = 1

    def __str__(self) -> str:
        return self.address if self.address is not None else f"local:{self.workers}"


def _cluster_address(
    ctx: click.Context, param: click.Parameter, value: str | None
) -> ClusterAddress | None:
    if value is None:
        return None
    value = value.strip()
    if value.startswith("local:"):
        count = value.removeprefix("local:")
        if not count.isdigit() or int(count) < 1:
            raise click.BadParameter(f"expected local:N with N at least 1, got {value!r}")
        return ClusterAddress(None, int(count))
    # A scheduler: tcp://host:8786, tls://host:8786, or host:port (Dask adds tcp://).
    host = value.split("://", 1)[-1]
    if not host or ":" not in host or not host.rsplit(":", 1)[1].isdigit():
        raise click.BadParameter(
            f"expected a scheduler address such as tcp://host:8786, or local:N; got {value!r}"
        )
    port = int(host.rsplit(":", 1)[1])
    if not 0 < port < 65536:
        # Dask would try to connect for its whole timeout before saying anything.
        raise click.BadParameter(f"port {port} in {value!r} is not a port (1 to 65535)")
    return ClusterAddress(value)


def cluster_option(required: bool = False) -> Decorator:
    """`--cluster ADDRESS`: run on a Dask cluster (needs the `dask` extra)."""
    return click.option(
        "--cluster",
        metavar="ADDRESS",
        required=required,
        callback=_cluster_address,
        help="Tag on a Dask cluster: a scheduler address (tcp://host:8786) or local:N for N "
        "worker processes on this machine. Needs pip install 'geotag[dask]'.",
    )


def format_option(choices: tuple[str, ...]) -> Decorator:
    """`-f/--format`; with no choice given a command picks by where stdout goes."""
    return click.option(
        "-f",
        "--format",
        "fmt",
        type=click.Choice(choices),
        help="Output format. Default: table at a terminal, json otherwise.",
    )


def preference_options(command: Command) -> Command:
    """`--prefer-country` and `--bbox`: tilt ambiguous places (tagging and lookup alike)."""
    return _apply(
        command,
        [
            click.option(
                "--prefer-country",
                "prefer_countries",
                multiple=True,
                metavar="CC",
                callback=countries_option,
                help="Tilt ambiguous places towards this country (ISO code; repeatable).",
            ),
            click.option(
                "--bbox",
                metavar="W,S,E,N",
                callback=bbox_option,
                help="Tilt ambiguous places towards this bounding box (degrees).",
            ),
        ],
    )


# -- the pipeline ------------------------------------------------------------------------


class PipelineSettings(PipelineSpec):
    """Which model and gazetteer to load, and how to resolve places."""

    __slots__ = ()

    def load(self) -> Pipeline:
        import gc

        # Loading creates millions of objects that live as long as the process: collecting
        # meanwhile only costs time (about a tenth of start-up), and frozen afterwards they
        # stay out of later collections and out of the pages forked workers would copy.
        gc.disable()
        try:
            return PipelineSpec.load(self)
        finally:
            gc.freeze()
            gc.enable()


def pipeline_options(command: Command) -> Command:
    """--model, --gazetteer, --no-demonyms, --prefer-country, --bbox -> `pipeline`."""

    @functools.wraps(command)
    def run(
        *args: Any,
        model: str,
        gazetteer: str | None,
        no_demonyms: bool,
        prefer_countries: tuple[str, ...],
        bbox: BBox | None,
        **kwargs: Any,
    ) -> None:
        settings = PipelineSettings(model, gazetteer, not no_demonyms, prefer_countries, bbox)
        command(*args, pipeline=settings, **kwargs)

    return _apply(
        run,
        [
            click.option(
                "--model",
                default=DEFAULT_MODEL,
                show_default=True,
                help="spaCy pipeline: an installed package name or a path.",
            ),
            gazetteer_option,
            click.option(
                "--no-demonyms",
                is_flag=True,
                help="Do not report demonyms (Syrian, Turkish) as places.",
            ),
            preference_options,
        ],
    )


# -- inputs ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class InputSettings:
    """Where texts come from and how they are read."""

    recursive: bool = False
    patterns: tuple[str, ...] = ("*.txt",)
    files_from: IO[bytes] | None = None
    input_format: str = "text"
    text_field: str = "text"
    id_field: str = "id"
    encoding: str | None = None


def _check_encoding(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value:
        import codecs

        try:
            codecs.lookup(value)
        except LookupError:
            raise click.BadParameter(f"unknown encoding {value!r}") from None
        try:
            # Codecs that are not text encodings (base64, rot13, zlib) are refused by
            # bytes.decode, and some cannot replace bad bytes (idna).
            b"a".decode(value, errors="replace")
        except (LookupError, UnicodeError):
            raise click.BadParameter(
                f"{value!r} is not a text encoding geotag can read (e.g. latin-1, utf-16-le)"
            ) from None
    return value


def input_options(command: Command) -> Command:
    """-r, --glob, --files-from, --input-format, --text-field, --id-field, --encoding ->
    `reading`."""

    @functools.wraps(command)
    def run(
        *args: Any,
        recursive: bool,
        patterns: tuple[str, ...],
        files_from: IO[bytes] | None,
        input_format: str,
        text_field: str,
        id_field: str,
        encoding: str | None,
        **kwargs: Any,
    ) -> None:
        settings = InputSettings(
            recursive, patterns, files_from, input_format, text_field, id_field, encoding
        )
        command(*args, reading=settings, **kwargs)

    return _apply(
        run,
        [
            click.option(
                "-r",
                "--recursive",
                is_flag=True,
                help="Read the files inside DIR arguments, recursively.",
            ),
            click.option(
                "--glob",
                "patterns",
                multiple=True,
                default=("*.txt",),
                show_default=True,
                metavar="PATTERN",
                help="With -r: file names to read (repeatable). Hidden files are always skipped.",
            ),
            click.option(
                "--files-from",
                type=click.File("rb"),
                metavar="FILE",
                help="Read the paths to tag from FILE, one a line ('-' for stdin).",
            ),
            click.option(
                "--input-format",
                type=click.Choice(["text", "jsonl"]),
                default="text",
                show_default=True,
                help="text: each input is one article; jsonl: one JSON record per line.",
            ),
            click.option(
                "--text-field",
                default="text",
                show_default=True,
                help="jsonl: the field with the text.",
            ),
            click.option(
                "--id-field",
                default="id",
                show_default=True,
                help="jsonl: the field whose value is passed through as the document's id.",
            ),
            click.option(
                "--encoding",
                callback=_check_encoding,
                help="Decode inputs with this encoding when they are not UTF-8 (e.g. latin-1).",
            ),
        ],
    )


# -- the online geocoder -----------------------------------------------------------------


def geocoder_options(command: Command) -> Command:
    """The opt-in online fallback for places the gazetteer cannot resolve -> `geocoding`
    (None unless --geocoder is given)."""

    @functools.wraps(command)
    def run(
        *args: Any,
        geocoder: str | None,
        geocoder_domain: str | None,
        geocoder_user_agent: str | None,
        geocoder_min_delay: float,
        geocoder_timeout: float,
        no_geocoder_cache: bool,
        **kwargs: Any,
    ) -> None:
        settings = None
        if geocoder:
            settings = _geocoder_settings(
                geocoder_domain,
                geocoder_user_agent,
                geocoder_min_delay,
                geocoder_timeout,
                not no_geocoder_cache,
            )
        command(*args, geocoding=settings, **kwargs)

    return _apply(
        run,
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
        ],
    )


def _geocoder_settings(
    domain: str | None, user_agent: str | None, min_delay: float, timeout: float, cache: bool
) -> GeocoderOptions:
    """GeocoderOptions from the flags, or a usage error (exit 2)."""
    from ..geocoder import PUBLIC_DOMAIN, PUBLIC_MIN_DELAY, GeocoderOptions, parse_server

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
        options = replace(options, user_agent=user_agent.strip())
    return options
