"""How `geotag gazetteer build` reads a dump: column-wise with pyarrow (the `geonames`
extra), line by line where a block is unusual, its second pass split across processes,
and the index written from memory; each must give what the plain reading of the CSV does."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geotag.gazetteer.geonames import ImportOptions, blocks, import_geonames
from geotag.gazetteer.geonames.blocks import Block, Filter
from geotag.gazetteer.geonames.dump import Problems, read_admin1_codes, read_country_info
from geotag.gazetteer.index.writer import compile_csv
from geotag.models import ignore_warning

from .helpers import FIXTURES

GEONAMES = FIXTURES / "geonames"
FEATURES = FIXTURES / "geonames-features"
ROOT = Path(__file__).resolve().parents[1]


def dump_lines() -> list[str]:
    """The fixture's lines and some unusual but valid ones: names to clean, a feature code
    with a space before it, coordinates without five decimals, a lower-case country, no
    population, an id seen before."""
    lines = (GEONAMES / "allCountries.txt").read_text(encoding="utf-8").splitlines()
    cells = ["", "", "", "", "", "", "", "", "SY", "", "12", "", "", "", "", "", "", "", ""]

    def line(*changes: tuple[int, str]) -> str:
        row = list(cells)
        for at, value in changes:
            row[at] = value
        return "\t".join(row)

    return [
        *lines,
        line(
            (0, "900001"),
            (1, " Nahr\u00a0 Abu’Zaid "),
            (3, "Abu Zaid,Nahr Abu Zaid"),
            (4, "35.9"),
            (5, "-0.000001"),
            (6, "H"),
            (7, "STM"),
        ),
        line(
            (0, "900002"),
            (1, "\ufeffTall Kabir"),
            (4, "-0.00000"),
            (5, "36.123456"),
            (6, "T"),
            (7, " HLL"),
            (8, "sy"),
        ),
        line(
            (0, "900003"),
            (1, "Kafr Testaba"),
            (4, "35.5"),
            (5, "36.5"),
            (6, "P"),
            (7, "PPL"),
            (14, ""),
        ),
        line((0, "900001"), (1, "Nahr Again"), (4, "35"), (5, "36"), (6, "H"), (7, "STM")),
    ]


def folder_with(tmp_path: Path, lines: list[str], source: Path = GEONAMES) -> Path:
    folder = tmp_path / "dump"
    shutil.copytree(source, folder)
    (folder / "allCountries.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_columnwise_reading_keeps_what_reading_line_by_line_keeps() -> None:
    problem = Problems(False, ignore_warning)
    data = ("\n".join(dump_lines()) + "\n").encode()
    read: list[blocks.Kept] = []
    for classes, population, wanted in [("AHLPSTV", 15000, None), ("APH", 0, frozenset({"SY"}))]:
        rules = Filter(
            "allCountries.txt",
            read_country_info(GEONAMES / "countryInfo.txt", problem),
            read_admin1_codes(GEONAMES / "admin1CodesASCII.txt", problem),
            frozenset(classes),
            wanted,
            population,
        )
        block = Block(0, data, 1)
        columnwise = blocks._columnwise(block, rules)
        assert columnwise is not None  # nothing here needs reading line by line
        line_by_line = blocks._line_by_line(block, rules, problem)
        assert len(columnwise) > 10
        assert dataclasses.replace(columnwise, padded=True) == line_by_line
        read.append(columnwise)
    columnwise = read[0]
    assert columnwise.padded and not read[1].padded  # " HLL" is a T, left out in the second
    assert "Nahr Abu'Zaid" in columnwise.name and "Tall Kabir" in columnwise.name
    at = columnwise.name.index("Tall Kabir")
    assert (columnwise.lat_cell[at], columnwise.lon_cell[at]) == ("0.00000", "36.12346")


def test_a_block_with_a_malformed_line_is_read_line_by_line() -> None:
    problem = Problems(True, ignore_warning)
    rules = Filter("allCountries.txt", {}, {}, frozenset("AHLPSTV"), None, 0)
    lines = dump_lines()
    short = "\t".join(lines[3].split("\t")[:7])
    block = Block(0, ("\n".join([*lines[:3], short, *lines[4:]]) + "\n").encode(), 1)
    assert blocks._columnwise(block, rules) is None
    kept = blocks.kept_rows(block, rules, problem)
    assert problem.count == 1  # the short line, left out
    others = Block(0, ("\n".join([*lines[:3], *lines[4:]]) + "\n").encode(), 1)
    columnwise = blocks._columnwise(others, rules)
    assert columnwise is not None and len(columnwise) > 10
    assert kept == dataclasses.replace(columnwise, padded=True)


def test_the_index_written_from_memory_is_the_index_of_the_csv(tmp_path: Path) -> None:
    for source, options in [
        (GEONAMES, ImportOptions()),
        (FEATURES, ImportOptions(min_population=0, alternate_names=True, languages=("en",))),
    ]:
        out = tmp_path / f"{source.name}.csv"
        import_geonames(source, out, options)
        compiled = tmp_path / f"{source.name}.compiled"
        compile_csv(out, compiled)
        assert compiled.read_bytes() == out.with_name(out.name + ".index").read_bytes()


def test_workers_write_what_one_process_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blocks of a few lines, so that the second pass runs in two processes over several
    blocks each; an id seen in an earlier block is left out wherever it comes again."""
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 400)
    folder = folder_with(tmp_path, dump_lines())
    with (folder / "allCountries.txt").open("rb") as f:
        assert len(list(blocks.blocks(f))) >= 6
    built = {}
    for jobs in (1, 2):
        out = tmp_path / f"jobs{jobs}.csv"
        report = import_geonames(folder, out, ImportOptions(min_population=0, jobs=jobs))
        built[jobs] = (out.read_bytes(), Path(f"{out}.index").read_bytes(), report.rows)
    assert built[1] == built[2]
    csv_text = built[2][0].decode()
    assert "Nahr Abu'Zaid" in csv_text and "Nahr Again" not in csv_text


def test_both_passes_in_two_processes_report_and_write_what_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No id twice: the first pass too runs over two stretches of the file; malformed lines
    in both are reported in the order of the lines, with their numbers."""
    monkeypatch.setattr(blocks, "BLOCK_BYTES", 400)
    lines = dump_lines()[:-1]
    lines.insert(2, "not a dump line")
    lines.append("\t".join(lines[-1].split("\t")[:5]))
    folder = folder_with(tmp_path, lines)
    built = {}
    for jobs in (1, 2):
        warnings: list[str] = []
        out = tmp_path / f"jobs{jobs}.csv"
        options = ImportOptions(min_population=0, jobs=jobs, skip_malformed=True)
        report = import_geonames(folder, out, options, warn=warnings.append)
        report = dataclasses.replace(report, out="")
        built[jobs] = (out.read_bytes(), Path(f"{out}.index").read_bytes(), report, warnings)
    assert built[1] == built[2]
    assert built[2][2].malformed == 2
    assert built[2][3] == [
        "allCountries.txt:3: expected 19 tab-separated fields, found 1; line skipped",
        f"allCountries.txt:{len(lines)}: expected 19 tab-separated fields, found 5; line skipped",
    ]


def test_without_pyarrow_the_build_is_one_line_with_the_extra_to_install(tmp_path: Path) -> None:
    # A process where pyarrow cannot be imported, as where the extra is not installed.
    code = (
        "import sys; sys.modules['pyarrow'] = None\n"
        "from geotag.cli import main\n"
        "sys.argv = ['geotag', *sys.argv[1:]]\n"
        "main()\n"
    )
    out = tmp_path / "g.csv"
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "gazetteer",
            "build",
            "--geonames",
            str(GEONAMES),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "geotag: error: geotag gazetteer build reads GeoNames dumps with pyarrow, which is "
        "not installed: pip install 'geotag[geonames]'"
    ]
    assert not out.exists()
