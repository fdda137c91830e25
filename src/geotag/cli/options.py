"""Options shared by several commands, each declared once, and the typed settings they
become: a command receives `PipelineOptions`, `InputSettings`... rather than a dozen loose
flags. The pipeline's flags are derived from `geotag.options.PipelineOptions`."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import IO, TYPE_CHECKING, Any

import click

from ..models import BBox, bbox_of
from ..options import PipelineOptions, offers

if TYPE_CHECKING:
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


# -- the pipeline's options, from PipelineOptions ----------------------------------------

# How a flag's text becomes the option's value, where click's types do not say it. A
# gazetteer stays a plain path: one that is missing, a directory or unreadable is the
# gazetteer's error (exit 1) whether it came from the flag or from GEOTAG_GAZETTEER.
_CALLBACKS: dict[str, Callable[[click.Context, click.Parameter, Any], Any]] = {
    "prefer_countries": countries_option,
    "bbox": bbox_option,
}
_FIELDS = {f.name: f for f in dataclasses.fields(PipelineOptions)}


def pipeline_option(name: str) -> Decorator:
    """The flag of the pipeline option `name`, as the field of PipelineOptions offers it:
    a bool option on by default is turned off by its `--no-` flag, a tuple is a repeatable
    flag, any other default is shown."""
    offer = offers()[name]
    assert offer.flag is not None, f"{name} is not offered on the command line"
    default = _FIELDS[name].default
    settings: dict[str, Any] = {
        "help": offer.help
        if offer.envvar is None
        else f"{offer.help.removesuffix('.')} [env: {offer.envvar}].",
        "metavar": offer.metavar,
        "envvar": offer.envvar,
        "callback": _CALLBACKS.get(name),
    }
    if isinstance(default, bool):
        settings.update(is_flag=True, flag_value=not default, default=default)
    elif isinstance(default, tuple):
        settings.update(multiple=True)
    elif default is not None:
        settings.update(default=default, show_default=True)
    return click.option(offer.flag, name, **settings)


def flag_of(name: str) -> str:
    """The flag a pipeline option has on the command line (its name if none)."""
    offer = offers().get(name)
    return offer.flag if offer is not None and offer.flag else name


# -- single options ----------------------------------------------------------------------

gazetteer_option = pipeline_option("gazetteer")
jobs_option = click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Worker processes (0: one per CPU).",
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
    return _apply(command, [pipeline_option("prefer_countries"), pipeline_option("bbox")])


# -- the pipeline ------------------------------------------------------------------------


def pipeline_options(command: Command) -> Command:
    """A flag for every option of PipelineOptions offered on the command line ->
    `pipeline`, a PipelineOptions."""
    names = [name for name, offer in offers().items() if offer.flag is not None]

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> None:
        chosen = PipelineOptions(**{name: kwargs.pop(name) for name in names})
        command(*args, pipeline=chosen, **kwargs)

    return _apply(run, [pipeline_option(name) for name in names])


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


def record_options(command: Command) -> Command:
    """--text-field and --id-field: where a record (a JSON Lines line, a Parquet row) holds
    its text and its id."""
    return _apply(
        command,
        [
            click.option(
                "--text-field",
                default="text",
                show_default=True,
                help="Records: the field with the text.",
            ),
            click.option(
                "--id-field",
                default="id",
                show_default=True,
                help="Records: the field whose value is passed through as the document's id.",
            ),
        ],
    )


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
            record_options,
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
