"""`geotag gazetteer build`: official GeoNames dumps imported into geotag's gazetteer
schema. `dump` reads GeoNames' files, `importer` chooses the rows, `rows` merges their
names and writes the CSV, `shipped` is what the shipped gazetteer lends, and `report` what
the import tells its user."""

from __future__ import annotations

from .importer import ImportOptions, import_geonames
from .report import ImportReport

__all__ = ["ImportOptions", "ImportReport", "import_geonames"]
