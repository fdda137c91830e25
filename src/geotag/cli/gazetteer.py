"""`geotag gazetteer info|lookup|build`: inspect the gazetteer, look names up in it, or
build one from GeoNames dumps."""

from __future__ import annotations

import click

from ..errors import GeotagError
from ..gazetteer.schema import DEFAULT_FEATURE_CLASSES, DEFAULT_MIN_POPULATION, FEATURE_CLASSES
from ..models import BBox
from . import status
from .examples import examples
from .options import (
    country_code,
    country_option,
    format_option,
    gazetteer_option,
    preference_options,
    quiet_option,
)
from .status import Interrupted
from .terminal import Terminal, terminal_option

REPORT_FORMATS = ("table", "json")


@click.group(
    "gazetteer",
    epilog=examples(
        "geotag gazetteer info",
        "geotag gazetteer lookup Paris --prefer-country US",
        "geotag gazetteer build --geonames dumps/ -o gazetteer.csv",
    ),
)
def gazetteer_group() -> None:
    """Inspect the gazetteer, look names up in it, or build one from GeoNames dumps."""


@gazetteer_group.command(
    "info",
    epilog=examples(
        "geotag gazetteer info",
        "geotag gazetteer info --gazetteer my-gazetteer.csv -f json",
    ),
)
@gazetteer_option
@format_option(REPORT_FORMATS)
@terminal_option
def gazetteer_info_command(gazetteer: str | None, fmt: str | None, terminal: Terminal) -> None:
    """Describe the gazetteer in use: path, rows, sources, date.

    Shows the path, the rows by feature type, the sources, the date (the file's
    modification time, UTC) and the SHA-256.
    """
    from ..formats.gazetteer import write_gazetteer_info
    from ..gazetteer import Gazetteer
    from ..gazetteer.info import describe

    info = describe(Gazetteer.load(gazetteer))
    write_gazetteer_info(info, terminal.report(fmt))


@gazetteer_group.command(
    "lookup",
    epilog=examples(
        "geotag gazetteer lookup Paris",
        "geotag gazetteer lookup Georgia --country US --limit 3",
        "geotag gazetteer lookup Tripoli --bbox 35,32,43,38 -f json",
    ),
)
@click.argument("name")
@click.option(
    "--country",
    metavar="CC",
    callback=country_option,
    help="Only candidates in this country (ISO code).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="Show at most this many candidates.",
)
@gazetteer_option
@preference_options
@format_option(REPORT_FORMATS)
@terminal_option
def gazetteer_lookup_command(
    name: str,
    country: str | None,
    limit: int,
    gazetteer: str | None,
    prefer_countries: tuple[str, ...],
    bbox: BBox | None,
    fmt: str | None,
    terminal: Terminal,
) -> None:
    """Rank the candidates for NAME, with their scores.

    Shows each candidate's score and its weighted parts (feature type, importance, name
    match...), scored as for a mention with no other place in the document: what to run
    when a place resolves wrongly. Exits 1 when no entry has that name.
    """
    from ..formats.gazetteer import write_candidates
    from ..gazetteer import Gazetteer
    from ..tagging.resolver import Resolver
    from ..tagging.resolver_options import ResolverOptions
    from ..tagging.scoring import WEIGHTS

    gaz = Gazetteer.load(gazetteer)
    options = ResolverOptions(prefer_countries=prefer_countries, bbox=bbox)
    resolver = Resolver(gaz, options)
    candidates = resolver.candidates(name, country)[:limit]
    report = terminal.report(fmt)
    if candidates or report.is_json:
        write_candidates(name, country, candidates, resolver.abstain_below, WEIGHTS, report)
    if not candidates:
        where = f" in {country}" if country else ""
        raise GeotagError(f"no gazetteer entry is named {name!r}{where}")


@gazetteer_group.command(
    "build",
    epilog=examples(
        "geotag gazetteer build --geonames dumps/ -o gazetteer.csv",
        "geotag gazetteer build --geonames dumps/ --countries SY,TR --min-population 1000 "
        "--alternate-names",
    ),
)
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
    default=DEFAULT_MIN_POPULATION,
    show_default=True,
    metavar="N",
    help="Keep cities of at least N people (national capitals are always kept).",
)
@click.option(
    "--feature-classes",
    default="".join(sorted(DEFAULT_FEATURE_CLASSES)),
    show_default=True,
    metavar="LETTERS",
    callback=lambda ctx, param, value: _feature_classes(value),
    help="GeoNames feature classes to keep: A administrative units (every level), "
    "P populated places, H water, T terrain, L parks and areas, S spots (airports, "
    "stadiums, buildings), V vegetation, R roads and railways, U undersea. Countries, "
    "first-level regions and continents are always kept.",
)
@click.option(
    "--countries",
    metavar="CC,CC",
    callback=lambda ctx, param, value: _countries(value),
    help="Keep only places in these countries (ISO codes, comma-separated); every "
    "country and continent is still kept.",
)
@click.option(
    "--alternate-names",
    is_flag=True,
    help="Add names from alternateNamesV2.txt in DIR: English (see --languages), those "
    "with no language, and abbreviations; historic names are left out.",
)
@click.option(
    "--languages",
    default="en",
    show_default=True,
    metavar="CODES",
    help="With --alternate-names: the ISO 639 language codes whose names are kept "
    "(comma-separated).",
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
@click.option(
    "-j",
    "--jobs",
    type=click.IntRange(min=1),
    metavar="N",
    help="Worker processes for the second pass over the dump (default: 2, or 1 on a "
    "single core); each holds its share of the rows.",
)
@quiet_option
def gazetteer_build_command(
    directory: str,
    out: str,
    min_population: int,
    feature_classes: frozenset[str],
    countries: frozenset[str] | None,
    alternate_names: bool,
    languages: str,
    no_extras: bool,
    skip_malformed: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Build a gazetteer CSV from GeoNames dumps you downloaded.

    Countries come from countryInfo.txt, first-level regions from admin1CodesASCII.txt,
    every other place from the dump; use the result with --gazetteer PATH or
    GEOTAG_GAZETTEER. Its compiled index is written beside it (OUT.index), so the first
    run that uses it starts at once. Needs pyarrow: pip install 'geotag[geonames]'.
    """
    from ..gazetteer.geonames import ImportOptions, import_geonames

    options = ImportOptions(
        min_population=min_population,
        extras=not no_extras,
        skip_malformed=skip_malformed,
        feature_classes=feature_classes,
        countries=countries,
        alternate_names=alternate_names,
        languages=tuple(code.strip() for code in languages.split(",") if code.strip()),
        jobs=jobs,
    )
    try:
        report = import_geonames(directory, out, options, status.ignore if quiet else status.warn)
    except KeyboardInterrupt:
        raise Interrupted(f"interrupted; {out} was not written") from None
    if not quiet:
        for line in report.summary():
            status.note(line)


def _feature_classes(value: str) -> frozenset[str]:
    classes = frozenset(value.replace(",", "").upper())
    unknown = classes - FEATURE_CLASSES
    if unknown or not classes:
        raise click.BadParameter(
            f"expected letters among {''.join(sorted(FEATURE_CLASSES))}, got {value!r}"
        )
    return classes


def _countries(value: str | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset(country_code(code) for code in value.split(",") if code.strip())
