"""The place gazetteer: its schema, the index geotag loads, and the GeoNames import.

The names below load on first use, so importing a submodule (the schema, for the command
line's defaults) does not load the index's dependencies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import lazy_names

__all__ = ["COUNTRY_CODES", "Gazetteer", "abbreviation_key", "is_generic_name", "normalize_name"]

_LAZY = {
    "COUNTRY_CODES": "schema",
    "Gazetteer": "lookup",
    "abbreviation_key": "names",
    "is_generic_name": "names",
    "normalize_name": "names",
}

if TYPE_CHECKING:
    from .lookup import Gazetteer
    from .names import abbreviation_key, is_generic_name, normalize_name
    from .schema import COUNTRY_CODES


__getattr__ = lazy_names(__name__, _LAZY)
