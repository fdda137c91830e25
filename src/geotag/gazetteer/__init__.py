"""The place gazetteer: its schema, the index geotag loads, and the GeoNames import."""

from .index import Gazetteer
from .names import abbreviation_key, is_generic_name, normalize_name
from .schema import COUNTRY_CODES

__all__ = ["COUNTRY_CODES", "Gazetteer", "abbreviation_key", "is_generic_name", "normalize_name"]
