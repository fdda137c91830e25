from __future__ import annotations

import os
from pathlib import Path

import pytest

from geotag.errors import GazetteerError
from geotag.gazetteer import Gazetteer, abbreviation_key, normalize_name
from geotag.gazetteer.packaged import default_gazetteer_path

from .helpers import MINI_GAZETTEER


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Idlib", "idlib"),
        ("IDLIB", "idlib"),
        ("the Netherlands", "netherlands"),
        ("The Hague", "hague"),
        ("Côte d’Ivoire", "cote divoire"),
        ("Côte d'Ivoire", "cote divoire"),
        ("São Paulo", "sao paulo"),
        ("Saint-Étienne", "saint etienne"),
        ("Bosnia & Herzegovina", "bosnia and herzegovina"),
        ("  Kyiv  ", "kyiv"),
        ("Łódź", "lodz"),
        ("Düsseldorf", "dusseldorf"),
        ("theodore", "theodore"),
    ],
)
def test_normalize_name(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


def test_abbreviation_key_keeps_case_and_drops_dots() -> None:
    assert abbreviation_key("U.S.") == abbreviation_key("US") == "US"
    assert abbreviation_key("N.C.") == "NC"
    assert abbreviation_key("us") != abbreviation_key("US")


def test_lookup_by_name_alternate_name_and_diacritics(mini_gazetteer: Gazetteer) -> None:
    names = {mini_gazetteer.place(r).name for r in mini_gazetteer.lookup("türkiye")}
    assert names == {"Turkey"}
    idlib = {mini_gazetteer.place(r).feature_code for r in mini_gazetteer.lookup("IDLIB")}
    assert idlib == {"ADM1", "PPLA"}
    assert mini_gazetteer.lookup("Atlantis") == []


def test_abbreviations_are_separate_from_names(mini_gazetteer: Gazetteer) -> None:
    assert [mini_gazetteer.place(r).name for r in mini_gazetteer.lookup_abbreviation("U.S.")] == [
        "United States"
    ]
    assert mini_gazetteer.lookup("us") == []


def test_place_carries_country_and_admin1_names(mini_gazetteer: Gazetteer) -> None:
    row = next(
        r for r in mini_gazetteer.lookup("Idlib") if mini_gazetteer.place(r).feature_code == "PPLA"
    )
    place = mini_gazetteer.place(row)
    assert (place.country, place.admin1, place.geonameid) == ("Syria", "Idlib", 169389)


def test_demonym_points_at_country_row(mini_gazetteer: Gazetteer) -> None:
    row = mini_gazetteer.demonym("Syrians")
    assert row is not None and mini_gazetteer.place(row).country_code == "SY"
    assert mini_gazetteer.demonym("Muslim") is None


HEADER = "geonameid,name,alternatenames,abbreviations,lat,lon,feature_class,feature_code,country_code,admin1_code,admin1_name,population,source\n"


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("1,Foo,,,abc,2,P,PPL,XX,,,0,x\n", r":3: column 'lat': expected a number, got 'abc'"),
        ("1,Foo,,,95,2,P,PPL,XX,,,0,x\n", r":3: column 'lat': 95.0 is outside"),
        ("x,Foo,,,1,2,P,PPL,XX,,,0,x\n", r":3: column 'geonameid': expected a whole number"),
        ("1,,,,1,2,P,PPL,XX,,,0,x\n", r":3: column 'name' is empty"),
        ("1,Foo,,,1,2,P,PPL,XX,,,many,x\n", r":3: column 'population'"),
        ("1,Foo,,,1,2,P,PPL,XX,,,0,x,extra\n", r":3: more fields than the header"),
        # Issue 11: a quote left open mid-file names its line, whatever follows.
        ('3,"Foo,,,1,2,P,PPL,XX,,,0,x\n4,Baz,,,1,2,P,PPL,XX,,,0,x\n', r":3: a quoted field opened"),
        (
            '3,"Foo,,,1,2,P,PPL,XX,,,0,x\n4,"Baz",,,1,2,P,PPL,XX,,,0,x\n',
            r":3: a quoted field runs on",
        ),
        ("1,Foo,,,1,2,P,PPL,XX,,,0,x\n", r":3: geonameid 1 is also on line 2"),
    ],
)
def test_malformed_gazetteer_names_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "1,Bar,,,1,2,P,PPL,XX,,,0,x\n" + row, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.load(path, cache=False)


def test_a_quote_left_open_in_a_long_file_is_one_clear_error(tmp_path: Path) -> None:
    """Past the csv module's field limit (128 KiB) the quote used to surface as
    `_csv.Error: field larger than field limit`."""
    rows = [f"{n},Town {n},,,1,2,P,PPL,XX,,,0,x\n" for n in range(10, 20_000)]
    rows[57] = '67,"Town 67,,,1,2,P,PPL,XX,,,0,x\n'
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    with pytest.raises(
        GazetteerError, match=r"bad.csv:59: a quoted field opened on this line does not close"
    ):
        Gazetteer.load(path, cache=False)


def test_invalid_utf8_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    rows = "".join(f"{n},Town {n},,,1,2,P,PPL,XX,,,0,x\n" for n in range(10, 40_000))
    path.write_bytes((HEADER + rows).encode() + b"5,Bad\xff,,,1,2,P,PPL,XX,,,0,x\n")
    with pytest.raises(GazetteerError, match=r"bad.csv:39992: not valid UTF-8"):
        Gazetteer.load(path, cache=False)


def test_ascii_names_fold_as_the_general_rules_do(real_gazetteer: Gazetteer) -> None:
    """normalize_name's fast path for ASCII text gives the general rules' keys for every
    name and alternate name of the shipped gazetteer."""
    import csv

    from geotag.gazetteer.names import fold_any, fold_name

    with default_gazetteer_path().open(encoding="utf-8", newline="") as f:
        names = [
            n for row in csv.DictReader(f) for n in (row["name"], *row["alternatenames"].split("|"))
        ]
    assert len(names) > 500_000
    assert [n for n in names if fold_name(n) != fold_any(n)] == []


def test_missing_columns_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,lat\nFoo,1\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r":1: header lacks column\(s\) lon"):
        Gazetteer.load(path, cache=False)
    with pytest.raises(GazetteerError, match="gazetteer not found"):
        Gazetteer.load(tmp_path / "nope.csv", cache=False)


def test_unwritable_cache_dir_is_harmless(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(blocker / "sub"))
    assert len(Gazetteer.load(MINI_GAZETTEER)) > 10


def test_env_var_chooses_gazetteer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTAG_GAZETTEER", str(MINI_GAZETTEER))
    assert Gazetteer.load(cache=False).path == MINI_GAZETTEER


def test_default_gazetteer_is_found() -> None:
    path = default_gazetteer_path()
    assert path.is_file() and os.path.getsize(path) > 0


def test_sampled_bisection_finds_every_key_the_whole_table_holds(
    real_gazetteer: Gazetteer,
) -> None:
    # A lookup narrows to a stretch between two sampled keys first: keys at a stretch's
    # edges, on either side of them, before the first and after the last key must all be
    # found (or not) as a bisection over the whole table finds them.
    from bisect import bisect_left

    names = real_gazetteer._index.names
    keys = names.keys
    step = names.step
    assert step > 1  # the shipped table is sampled
    probes = set()
    for i in [*range(0, len(keys), step), len(keys) - 1, *range(1, len(keys), 997)]:
        for j in (i - 1, i, i + 1):
            if 0 <= j < len(keys):
                key = keys[j].decode()
                probes.update({key, key + "!", key[:-1]})
    probes.update({"", "\x00", "\U0010ffff"})
    for probe in sorted(probes):
        wanted = probe.encode()
        i = bisect_left(keys, wanted)
        found = i < len(keys) and keys[i] == wanted
        expected = names.rows[names.starts[i] : names.starts[i + 1]].tolist() if found else []
        assert names.get(probe) == expected
