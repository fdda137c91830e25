"""The packages' names that load on first use (`geotag._lazy`): `import geotag` does not
import spaCy, a name loads from its submodule when asked for and is kept, and an unknown
name is an AttributeError that says which module lacks it."""

from __future__ import annotations

import subprocess
import sys

import pytest


def run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_a_name_loads_on_first_use_and_is_kept() -> None:
    out = run(
        "import sys, geotag\n"
        "before = 'spacy' in sys.modules or 'geotag.models' in sys.modules\n"
        "place = geotag.Place\n"
        "print(before, place.__module__, 'Place' in vars(geotag), geotag.Place is place)"
    )
    assert out == "False geotag.models True True"


def test_the_gazetteer_package_loads_its_names_on_first_use() -> None:
    out = run(
        "import sys, geotag.gazetteer as g\n"
        "before = 'geotag.gazetteer.lookup' in sys.modules\n"
        "print(before, g.Gazetteer.__module__, 'geotag.gazetteer.lookup' in sys.modules)"
    )
    assert out == "False geotag.gazetteer.lookup True"


@pytest.mark.parametrize("package", ["geotag", "geotag.gazetteer"])
def test_an_unknown_name_is_an_attribute_error(package: str) -> None:
    from importlib import import_module

    module = import_module(package)
    with pytest.raises(AttributeError, match=f"^module '{package}' has no attribute 'nope'$"):
        module.nope  # noqa: B018
    assert not hasattr(module, "nope")
