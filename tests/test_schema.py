"""One row of the gazetteer, written as four types: the CSV's row (GazetteerRow), the
builders' draft (DraftRow), the index's row (csvfile.Row) and models.Place. They are tied
together by `schema.place_columns()`: these tests fail when one of them gains, loses,
renames or reorders a column the others do not."""

from __future__ import annotations

import csv
import dataclasses
from typing import get_type_hints

from geotag.gazetteer import Gazetteer
from geotag.gazetteer.csvfile import Row
from geotag.gazetteer.packaged import default_gazetteer_path
from geotag.gazetteer.schema import (
    COLUMNS,
    LOOKED_UP_FIELDS,
    ROW_ONLY_COLUMNS,
    DraftRow,
    GazetteerRow,
    place_columns,
)
from geotag.models import Place


def test_a_place_is_a_rows_columns_in_their_order_less_its_names_and_provenance() -> None:
    fields = [f.name for f in dataclasses.fields(Place) if f.name not in LOOKED_UP_FIELDS]
    assert fields == list(place_columns().values())
    # Each exception names something that exists: no stale entry hides a drift.
    assert set(LOOKED_UP_FIELDS) <= {f.name for f in dataclasses.fields(Place)}
    assert set(ROW_ONLY_COLUMNS) <= set(COLUMNS)


def test_a_place_field_has_the_type_of_its_column() -> None:
    place, row = get_type_hints(Place), get_type_hints(GazetteerRow)
    for column, field in place_columns().items():
        assert place[field] == row[column], column


def test_a_draft_row_is_a_places_columns_less_the_region_name_it_is_given() -> None:
    # DraftRow.csv_row is given the region's name (the builders look it up by code).
    drafted = [f.name for f in dataclasses.fields(DraftRow)]
    assert drafted[0] == "kind"
    assert drafted[1:] == [c for c in place_columns() if c != "admin1_name"]
    draft, row = get_type_hints(DraftRow), get_type_hints(GazetteerRow)
    for name in drafted[1:]:
        assert draft[name] == row[name], name


def test_the_index_row_holds_every_column_its_names_as_keys() -> None:
    as_keys = {"alternatenames": "name_keys", "abbreviations": "abbreviation_keys"}
    assert set(Row._fields) == {as_keys.get(c, c) for c in COLUMNS}


def test_the_lookup_gives_each_row_of_the_shipped_gazetteer_its_columns_as_a_place(
    real_gazetteer: Gazetteer,
) -> None:
    parse = {
        "geonameid": lambda v: int(v) if v else None,
        "lat": float,
        "lon": float,
        "population": lambda v: int(v or 0),
    }
    with default_gazetteer_path().open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(real_gazetteer)
    # Every 97th row: rows of every source and kind, the last included.
    for number in [*range(0, len(rows), 97), len(rows) - 1]:
        place = real_gazetteer.place(number)
        for column, field in place_columns().items():
            expected = parse.get(column, str)(rows[number][column])
            assert getattr(place, field) == expected, (number, column)
