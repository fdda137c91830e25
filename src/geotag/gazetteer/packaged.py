"""The data files shipped inside the package, found through importlib.resources."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ..errors import GazetteerError


def default_gazetteer_path() -> Path:
    """The shipped gazetteer: inside the installed package, or data/ of a source checkout."""
    return data_file("gazetteer.csv")


def default_demonyms_path() -> Path:
    return data_file("demonyms.csv")


def default_given_names_path() -> Path:
    return data_file("given_names.csv")


def data_file(name: str) -> Path:
    packaged = resources.files("geotag") / "data" / name
    if packaged.is_file():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "data" / name
    if checkout.is_file():
        return checkout
    raise GazetteerError(
        f"the default {name} is missing: neither {packaged} nor {checkout} exists; "
        f"reinstall geotag or pass --gazetteer PATH"
    )
