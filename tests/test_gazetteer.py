from __future__ import annotations

import os
from pathlib import Path

import pytest

from geotag.errors import GazetteerError
from geotag.gazetteer import Gazetteer, abbreviation_key, normalize_name
from geotag.gazetteer.cache import cache_dir
from geotag.gazetteer.packaged import default_gazetteer_path

from .helpers import MINI_DEMONYMS, MINI_GAZETTEER


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
    ],
)
def test_malformed_gazetteer_names_line_and_column(tmp_path: Path, row: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(HEADER + "2,Bar,,,1,2,P,PPL,XX,,,0,x\n" + row, encoding="utf-8")
    with pytest.raises(GazetteerError, match=message):
        Gazetteer.load(path, cache=False)


def test_missing_columns_and_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("name,lat\nFoo,1\n", encoding="utf-8")
    with pytest.raises(GazetteerError, match=r":1: header lacks column\(s\) lon"):
        Gazetteer.load(path, cache=False)
    with pytest.raises(GazetteerError, match="gazetteer not found"):
        Gazetteer.load(tmp_path / "nope.csv", cache=False)


def test_cache_is_written_reused_and_rebuilt_when_corrupt(tmp_path: Path) -> None:
    first = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    files = list(cache_dir().glob(f"gazetteer-{first.sha256[:32]}-*"))
    assert len(files) == 1
    stamp = files[0].stat().st_mtime_ns
    again = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    assert files[0].stat().st_mtime_ns == stamp  # read, not rewritten
    assert len(again) == len(first)
    files[0].write_bytes(b"GEOTAG-GAZETTEER-INDEX\n{" + first.sha256.encode())
    rebuilt = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    assert len(rebuilt) == len(first)
    assert rebuilt.lookup("Idlib") == first.lookup("Idlib")


def test_cache_with_wrong_shape_is_not_trusted(tmp_path: Path) -> None:
    from geotag.gazetteer.cache import cache_file, write_cache
    from geotag.gazetteer.index import parse_csv

    raw = MINI_GAZETTEER.read_bytes()
    first = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    table = parse_csv(raw, MINI_GAZETTEER)
    table.names.rows[0] = 10**6  # points past the last row
    write_cache(cache_file(first.sha256), table, first.sha256)
    again = Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS)
    assert again.lookup("Idlib") == first.lookup("Idlib")
    assert all(r < len(again) for key in ("Asia", "Idlib", "Paris") for r in again.lookup(key))
    cached = cache_file(first.sha256)
    cached.write_bytes(cached.read_bytes()[:-10])  # truncated
    assert Gazetteer.load(MINI_GAZETTEER, demonyms=MINI_DEMONYMS).lookup("Paris")


def test_changed_csv_gets_a_new_cache_key(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_bytes(MINI_GAZETTEER.read_bytes())
    a = Gazetteer.load(path)
    path.write_bytes(MINI_GAZETTEER.read_bytes() + b"1,Newtown,,,1,2,P,PPL,US,,,5,x\n")
    b = Gazetteer.load(path)
    assert a.sha256 != b.sha256
    assert len(b) == len(a) + 1 and b.lookup("Newtown")


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


def test_old_cache_formats_are_pruned(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(tmp_path))
    old = tmp_path / "gazetteer-0123-v1.json"
    old.write_text("{}")
    Gazetteer.load(MINI_GAZETTEER)
    assert not old.exists()
    assert len(list(tmp_path.glob("gazetteer-*.index"))) == 1
