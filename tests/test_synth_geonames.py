"""bench/synth_geonames.py: its dumps are in GeoNames' formats, the same for a seed, and the
real importer takes them and keeps what the generator says it wrote."""

from __future__ import annotations

import csv
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from geotag.gazetteer import Gazetteer
from geotag.gazetteer.geonames import ImportOptions, import_geonames
from geotag.gazetteer.geonames.blocks import SKIPPED_ADMIN_CODES
from geotag.gazetteer.geonames.dump import GEONAMES_COLUMNS

ROOT = Path(__file__).resolve().parents[1]
ROWS = 3_000


def _generator() -> ModuleType:
    """bench/ is not a package: load the script as a module."""
    name = "synth_geonames"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, ROOT / "bench" / f"{name}.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="module")
def dump(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    folder = tmp_path_factory.mktemp("synth")
    stats = _generator().SyntheticGeoNames(ROWS, seed=7).write(folder, alternate_names=True)
    return folder, stats


def _lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f if not line.startswith("#")]


def test_the_files_have_geonames_columns_and_agree(dump: tuple[Path, object]) -> None:
    folder, stats = dump
    rows = _lines(folder / "allCountries.txt")
    assert len(rows) == ROWS == stats.rows
    assert {len(r) for r in rows} == {len(GEONAMES_COLUMNS)}
    ids = [int(r[0]) for r in rows]
    assert len(set(ids)) == ROWS
    assert all(-90 <= float(r[4]) <= 90 and -180 <= float(r[5]) <= 180 for r in rows)
    assert {r[6] for r in rows} >= {"P", "S", "H", "T", "A", "L"}
    admin1 = {r[0] for r in _lines(folder / "admin1CodesASCII.txt")}
    admin2 = {r[0] for r in _lines(folder / "admin2Codes.txt")}
    countries = _lines(folder / "countryInfo.txt")
    assert {len(c) for c in countries} == {19}
    assert len(countries) == stats.countries
    # Every code a row uses is listed in the side files, and every listed unit has its row.
    for r in rows:
        if r[10] not in ("", "00"):
            assert f"{r[8]}.{r[10]}" in admin1
        if r[11]:
            assert f"{r[8]}.{r[10]}.{r[11]}" in admin2
    listed = {int(line[-1]) for line in _lines(folder / "admin1CodesASCII.txt")}
    listed |= {int(line[-1]) for line in _lines(folder / "admin2Codes.txt")}
    listed |= {int(c[16]) for c in countries}
    assert listed <= set(ids)
    alternates = _lines(folder / "alternateNamesV2.txt")
    assert len(alternates) == stats.alternate_rows > 0
    assert {len(a) for a in alternates} == {10}
    assert {int(a[1]) for a in alternates} <= set(ids)
    assert {a[2] for a in alternates} >= {"", "en", "ru", "link", "wkdt"}


def test_names_collide_across_classes(dump: tuple[Path, object]) -> None:
    folder, _ = dump
    classes: dict[str, set[str]] = {}
    for r in _lines(folder / "allCountries.txt"):
        classes.setdefault(r[1], set()).add(r[6])
    shared = [name for name, found in classes.items() if len(found) >= 2]
    assert len(shared) >= 20


SKIPPED_ADMIN = set(SKIPPED_ADMIN_CODES)


def test_the_real_importer_keeps_what_the_generator_wrote(
    dump: tuple[Path, object], tmp_path: Path
) -> None:
    folder, stats = dump
    out = tmp_path / "gazetteer.csv"
    options = ImportOptions(min_population=0, extras=False)
    report = import_geonames(folder, out, options)
    historical = sum(n for code, n in stats.by_code.items() if code in SKIPPED_ADMIN)
    assert dict(report.rows) == {
        "continents": stats.continents,
        "countries": stats.countries,
        "regions": stats.admin1,
        "districts": stats.by_class["A"] - stats.countries - stats.admin1 - historical,
        "cities": stats.populated_places(),
        # Every default class (continents are class L); roads, railways, undersea not.
        "other features": sum(stats.by_class[c] for c in "HTLSV") - stats.continents,
    }
    assert report.malformed == 0
    assert not report.backfill.countries_missing and not report.backfill.admin1_missing
    gazetteer = Gazetteer.load(out, cache=False)
    assert len(gazetteer) == report.total
    with (folder / "countryInfo.txt").open(encoding="utf-8") as f:
        names = [c[4] for c in csv.reader(f, delimiter="\t") if not c[0].startswith("#")]
    for name in names:
        assert any(gazetteer.place(r).feature_class == "A" for r in gazetteer.lookup(name))


def test_a_seed_gives_the_same_files(tmp_path: Path) -> None:
    generator = _generator()
    first, second, other = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    generator.SyntheticGeoNames(2_000, seed=3).write(first, alternate_names=True)
    generator.SyntheticGeoNames(2_000, seed=3).write(second, alternate_names=True)
    generator.SyntheticGeoNames(2_000, seed=4).write(other)
    for path in sorted(first.iterdir()):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name
    dump = "allCountries.txt"
    assert (first / dump).read_bytes() != (other / dump).read_bytes()
    assert not (other / "alternateNamesV2.txt").exists()


def test_the_command_line_rejects_a_bad_row_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        _generator().main(["--rows", "lots", "--out", "unused"])
    assert exit_info.value.code == 2
    assert "not a row count" in capsys.readouterr().err
