"""`geotag gazetteer build`: GeoNames-format dumps (hand-written fixtures) to geotag's CSV."""

from __future__ import annotations

import csv
import shutil
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from geotag.cli import cli
from geotag.errors import DumpError
from geotag.gazetteer import Gazetteer
from geotag.gazetteer.geonames import ImportOptions, blocks, import_geonames
from geotag.gazetteer.packaged import default_gazetteer_path
from geotag.gazetteer.schema import COLUMNS, is_usable_alternate

from .helpers import FIXTURES, MINI_GAZETTEER, fake_ner

GEONAMES = FIXTURES / "geonames"
ALL_COUNTRIES = GEONAMES / "allCountries.txt"


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        assert tuple(reader.fieldnames or ()) == COLUMNS
        return {row["name"] + "|" + row["feature_code"]: row for row in reader}


def dump_dir(
    tmp_path: Path, lines: list[str] | None = None, name: str = "allCountries.txt"
) -> Path:
    """A copy of the fixtures, with the main table replaced by `lines` when given."""
    folder = tmp_path / "geonames"
    folder.mkdir(exist_ok=True)
    for extra in ("admin1CodesASCII.txt", "countryInfo.txt"):
        shutil.copy(GEONAMES / extra, folder / extra)
    if lines is None:
        shutil.copy(ALL_COUNTRIES, folder / name)
    else:
        (folder / name).write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return folder


def shipped(geonameid: int) -> dict[str, str]:
    """A row of the shipped gazetteer (its points change when it is rebuilt)."""
    with default_gazetteer_path().open(encoding="utf-8", newline="") as f:
        return next(row for row in csv.DictReader(f) if row["geonameid"] == str(geonameid))


def fixture_lines() -> list[str]:
    return ALL_COUNTRIES.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("built") / "gazetteer.csv"
    report = import_geonames(GEONAMES, out)
    return out, report


def test_rows_kinds_and_points(built) -> None:
    out, report = built
    rows = rows_of(out)
    syria = rows["Syria|PCLI"]  # countryInfo's name, the dump's point and id
    assert (syria["geonameid"], syria["lat"], syria["lon"]) == ("163843", "35.00000", "38.00000")
    assert syria["population"] == "22125249" and syria["country_code"] == "SY"
    assert "Syrian Arab Republic" in syria["alternatenames"].split("|")
    # France has no dump row: its point is the shipped gazetteer's.
    france = rows["France|PCLI"]
    assert (france["lat"], france["lon"]) == (shipped(3017382)["lat"], shipped(3017382)["lon"])
    assert report.backfill.country_points_from_shipped == ("AE", "FR")
    assert report.backfill.countries_missing == ("XA",)  # nowhere to take a point from
    assert "Serbia and Montenegro|PCLI" not in rows  # dissolved
    idlib_region = rows["Idlib|ADM1"]  # admin1CodesASCII's name and code
    assert (idlib_region["country_code"], idlib_region["admin1_code"]) == ("SY", "12")
    assert "Muhafazat Idlib" in idlib_region["alternatenames"].split("|")
    assert rows["Gaziantep|ADM1"]["lat"] == shipped(314829)["lat"]  # not in the dump
    assert report.backfill.admin1_missing == ("SY.99",)
    assert {"Asia|CONT", "Europe|CONT"} <= set(rows)
    city = rows["Qasr Testaba|PPL"]
    assert city["admin1_name"] == "Idlib" and city["source"] == "geonames"
    assert city["alternatenames"] == "Kasr Testaba|Testaba Town"
    assert dict(report.rows)["cities"] == 6


def test_what_is_left_out(built) -> None:
    rows = rows_of(built[0])
    names = {key.split("|")[0] for key in rows}
    assert "Tiny Hamlet" not in names  # under --min-population
    assert "Village Without People" not in names  # no population given
    assert "Old Testaba" not in names  # PPLH: historical
    # A stream and a hill are kept (every class news names) unless left out.
    assert "Nahr Testaba" in names and "Tall Testaba" in names


def test_feature_classes_leave_out_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "ap.csv"
    import_geonames(GEONAMES, out, ImportOptions(feature_classes=frozenset("AP")))
    names = {key.split("|")[0] for key in rows_of(out)}
    assert "Nahr Testaba" not in names and "Tall Testaba" not in names


def test_alternate_names_are_filtered(built) -> None:
    rows = rows_of(built[0])
    assert rows["Idlib|PPLA"]["alternatenames"] == "Idleb|Idlip"  # IDL, idlib, Идлиб, Idlib2 out
    # Damascus loses "Syria": the country's name, and a country outranks a city.
    assert "Syria" not in rows["Damascus|PPLC"]["alternatenames"].split("|")
    assert "Dimashq" in rows["Damascus|PPLC"]["alternatenames"].split("|")
    assert "Syria (Republic)" not in rows["Syria|PCLI"]["alternatenames"]
    assert not is_usable_alternate("SY-ID") and not is_usable_alternate("U.K.")
    assert is_usable_alternate("Aleppo") and not is_usable_alternate("Korea, South", region=True)


def test_shipped_extras_and_corrections(built, tmp_path: Path) -> None:
    rows = rows_of(built[0])
    assert "Kremlin|CSTL" in rows and "Red Sea|SEA" in rows  # hand-written rows kept
    turkey = rows["Turkey|PCLI"]  # corrected by hand in the shipped gazetteer
    assert "Republic of Türkiye" in turkey["alternatenames"].split("|")
    bare = tmp_path / "bare.csv"
    import_geonames(GEONAMES, bare, ImportOptions(extras=False))
    bare_rows = rows_of(bare)
    assert "Kremlin|CSTL" not in bare_rows and "Red Sea|SEA" not in bare_rows
    assert "France|PCLI" in bare_rows  # the shipped point is still borrowed


def test_output_loads_and_is_deterministic(built, tmp_path: Path) -> None:
    out, report = built
    gazetteer = Gazetteer.load(out, cache=False)
    assert len(gazetteer) == report.total
    again = tmp_path / "again.csv"
    import_geonames(GEONAMES, again)
    assert again.read_bytes() == out.read_bytes()


def test_min_population_and_capitals(tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    import_geonames(GEONAMES, out, ImportOptions(min_population=0))
    names = {key.split("|")[0] for key in rows_of(out)}
    assert {"Tiny Hamlet", "Village Without People"} <= names and "Old Testaba" not in names
    out = tmp_path / "capitals.csv"
    import_geonames(GEONAMES, out, ImportOptions(min_population=10**9))
    cities = {k for k, r in rows_of(out).items() if r["feature_class"] == "P" and r["geonameid"]}
    assert cities == {"Damascus|PPLC", "Ankara|PPLC", "Paris|PPLC"}


def test_a_cities_dump_borrows_country_and_continent_points(tmp_path: Path) -> None:
    cities = [line for line in fixture_lines() if line.split("\t")[6] == "P"]
    folder = dump_dir(tmp_path, cities, "cities15000.txt")
    out = tmp_path / "g.csv"
    report = import_geonames(folder, out)
    rows = rows_of(out)
    assert report.dump == "cities15000.txt"
    assert set(report.backfill.country_points_from_shipped) == {"AE", "FR", "SY", "TR"}
    assert rows["Syria|PCLI"]["lat"] == shipped(163843)["lat"]  # the shipped point
    assert len([r for r in rows.values() if r["feature_code"] == "CONT"]) == 7
    assert rows["Idlib|ADM1"]["lat"] == shipped(169387)["lat"]
    # Abbreviations come along with rows on a borrowed point.
    assert rows["United Arab Emirates|PCLI"]["abbreviations"] == "U.A.E.|UAE"


def test_a_zipped_dump_gives_the_same_gazetteer(built, tmp_path: Path) -> None:
    folder = dump_dir(tmp_path)
    with zipfile.ZipFile(folder / "allCountries.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.write(folder / "allCountries.txt", "allCountries.txt")
    (folder / "allCountries.txt").unlink()
    out = tmp_path / "g.csv"
    assert import_geonames(folder, out).dump == "allCountries.zip"
    assert out.read_bytes() == built[0].read_bytes()


@pytest.mark.parametrize(
    ("number", "replacement", "message"),
    [
        (5, lambda f: f[:18], "expected 19 tab-separated fields, found 18"),
        (
            5,
            lambda f: [*f[:4], "north", *f[5:]],
            "column 'latitude': expected a number, got 'north'",
        ),
        (5, lambda f: [*f[:5], "200", *f[6:]], "column 'longitude': 200.0 is outside [-180, 180]"),
        (12, lambda f: [*f[:14], "many", *f[15:]], "column 'population': expected a whole number"),
    ],
)
def test_malformed_lines_stop_with_file_and_line(
    tmp_path: Path, number, replacement, message
) -> None:
    lines = fixture_lines()
    fields = lines[number - 1].split("\t")
    lines[number - 1] = "\t".join(replacement(fields))
    folder = dump_dir(tmp_path, lines)
    out = tmp_path / "g.csv"
    with pytest.raises(DumpError) as caught:
        import_geonames(folder, out)
    assert str(caught.value).startswith(f"allCountries.txt:{number}: {message}")
    assert not out.exists() and list(tmp_path.glob(".g.csv*")) == []  # nothing half-written
    # Through the CLI: one line, exit 1.
    result = CliRunner().invoke(
        cli, ["gazetteer", "build", "--geonames", str(folder), "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"geotag: error: allCountries.txt:{number}: ")
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_invalid_utf8_is_a_malformed_line(tmp_path: Path) -> None:
    folder = dump_dir(tmp_path)
    data = ALL_COUNTRIES.read_bytes().replace(b"Qasr Testaba\t", b"Qasr Test\xffba\t", 1)
    (folder / "allCountries.txt").write_bytes(data)
    with pytest.raises(DumpError, match=r"allCountries.txt:12: not valid UTF-8"):
        import_geonames(folder, tmp_path / "g.csv")


def test_skip_malformed_counts_and_reports(tmp_path: Path) -> None:
    lines = fixture_lines()
    lines[4] = "\t".join(lines[4].split("\t")[:10])  # Idlib the city, cut short
    lines.insert(8, "not a dump line")
    folder = dump_dir(tmp_path, lines)
    out = tmp_path / "g.csv"
    result = CliRunner().invoke(
        cli,
        ["gazetteer", "build", "--geonames", str(folder), "--out", str(out), "--skip-malformed"],
    )
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "geotag: warning: allCountries.txt:5: expected 19 tab-separated fields, found 10; line skipped",
        "geotag: warning: allCountries.txt:9: expected 19 tab-separated fields, found 1; line skipped",
    ]
    assert "geotag: 2 malformed line(s) skipped" in result.stderr
    assert "Idlib|PPLA" not in rows_of(out) and "Aleppo|PPLA" in rows_of(out)


def test_missing_files_are_one_line_errors(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = dump_dir(tmp_path)
    (folder / "admin1CodesASCII.txt").unlink()
    result = runner.invoke(
        cli, ["gazetteer", "build", "--geonames", str(folder), "-o", str(tmp_path / "g.csv")]
    )
    assert result.exit_code == 1 and "admin1CodesASCII.txt is missing" in result.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    result = runner.invoke(cli, ["gazetteer", "build", "--geonames", str(empty)])
    assert result.exit_code == 1 and "no GeoNames dump found" in result.stderr
    result = runner.invoke(cli, ["gazetteer", "build", "--geonames", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "not a directory" in result.stderr
    result = runner.invoke(cli, ["gazetteer", "build"])
    assert result.exit_code == 2  # --geonames is required


def test_memory_does_not_grow_with_the_rows_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The dump is read in blocks: 20 times more lines that make no row (streams, with the
    classes kept to A and P) cost no more memory than a block (made small here)."""
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 1 << 16)
    header = fixture_lines()
    filler = "\t".join(
        ["{}", "Brook", "Brook", "Bach,Ruisseau", "1.0", "2.0", "H", "STM"] + [""] * 11
    )

    def peak(extra_lines: int) -> int:
        folder = dump_dir(
            tmp_path / str(extra_lines),
            header + [filler.format(10**8 + i) for i in range(extra_lines)],
        )
        tracemalloc.start()
        try:
            options = ImportOptions(extras=False, feature_classes=frozenset("AP"))
            out = tmp_path / f"{extra_lines}.csv"
            import_geonames(folder, out, options, shipped_path=MINI_GAZETTEER)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    (tmp_path / "1000").mkdir()
    (tmp_path / "20000").mkdir()
    small, large = peak(1000), peak(20000)
    assert large - small < 500_000, (small, large)


def test_end_to_end_import_then_tag(built, tmp_path: Path) -> None:
    model = tmp_path / "model"
    fake_ner([("Qasr Testaba", "GPE"), ("Idlib", "GPE")]).to_disk(model)
    result = CliRunner().invoke(
        cli,
        ["--model", str(model), "--gazetteer", str(built[0]), "-f", "json"],
        input="Shelling hit Qasr Testaba, south of Idlib.",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    import json

    doc = json.loads(result.stdout)
    qasr = next(e for e in doc["entities"] if e["text"] == "Qasr Testaba")
    place = qasr["place"]
    assert place["geonameid"] == 9990001 and place["country"] == "Syria"
    assert place["admin1"] == "Idlib" and place["source"] == "gazetteer"
