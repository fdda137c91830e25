"""Every GeoNames feature class through `geotag gazetteer build`, and the rule that ranks
them: an airport, a river, a stadium or a lake is found by its name with a cue, and never
beats a town of the same name without one (fixtures in tests/fixtures/geonames-features,
written by hand in GeoNames' formats)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.cli import cli
from geotag.gazetteer import Gazetteer
from geotag.gazetteer.cache import sibling_index
from geotag.gazetteer.geonames import ImportOptions, import_geonames
from geotag.tagging.query import PlaceQuery, context_cue, name_cue
from geotag.tagging.resolver import Resolver

from .helpers import FIXTURES

FEATURES = FIXTURES / "geonames-features"


def rows_of(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return {row["geonameid"] or row["name"]: row for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def features_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("features") / "gazetteer.csv"
    import_geonames(FEATURES, out, ImportOptions(min_population=0, extras=False))
    return out


@pytest.fixture(scope="module")
def gaz(features_csv: Path) -> Gazetteer:
    return Gazetteer.load(features_csv, cache=False)


def resolve_one(gaz: Gazetteer, text: str, name: str, label: str = "GPE") -> tuple[str, str]:
    """The (name, feature code) the resolver picks for the first `name` in `text`."""
    start = text.index(name)
    query = PlaceQuery(start, start + len(name), name, label)
    (res,) = Resolver(gaz).resolve(text, [query])
    assert res.place is not None, (text, name)
    return res.place.name, res.place.feature_code


# -- the import ------------------------------------------------------------------------------


def test_every_class_by_default_and_admin2(features_csv: Path) -> None:
    rows = rows_of(features_csv)
    kinds = {(r["feature_class"], r["feature_code"]) for r in rows.values()}
    assert {("S", "AIRP"), ("H", "STM"), ("S", "STDM"), ("H", "LK"), ("T", "PLN")} <= kinds
    assert rows["9100011"]["feature_code"] == "ADM2"  # districts are kept
    assert "9100012" not in rows  # a historical division is not
    assert "9100100" not in rows  # roads only when asked for
    assert rows["9100011"]["admin1_name"] == "Northmark"


def test_feature_classes_and_countries_filter(tmp_path: Path) -> None:
    out = tmp_path / "ap.csv"
    options = ImportOptions(min_population=0, extras=False, feature_classes=frozenset("AP"))
    import_geonames(FEATURES, out, options)
    classes = {r["feature_class"] for r in rows_of(out).values()}
    assert classes == {"A", "P", "L"}  # L: the continent, always kept
    out = tmp_path / "qz.csv"
    import_geonames(
        FEATURES,
        out,
        ImportOptions(min_population=0, extras=False, countries=frozenset({"QZ"})),
    )
    rows = rows_of(out)
    assert "9100110" not in rows  # a town of another country
    assert rows["9100200"]["name"] == "Zedland"  # every country is kept (no point: shipped's)


def test_alternate_names_file_with_languages(tmp_path: Path) -> None:
    out = tmp_path / "alt.csv"
    options = ImportOptions(min_population=0, extras=False, alternate_names=True)
    import_geonames(FEATURES, out, options)
    rows = rows_of(out)
    river = rows["9100031"]["alternatenames"].split("|")
    assert {"River Velta", "Weltawa", "Veltava"} <= set(river)  # English, no language, own
    assert "Veltafluss" not in river  # German, not asked for
    assert "Moldau Velta" not in river  # historic
    assert rows["9100021"]["abbreviations"] == "TRBA"  # abbr kept, IATA code and link not
    out = tmp_path / "de.csv"
    options = ImportOptions(min_population=0, extras=False, alternate_names=True, languages=("de",))
    import_geonames(FEATURES, out, options)
    assert "Veltafluss" in rows_of(out)["9100031"]["alternatenames"].split("|")


def test_the_build_writes_the_index_beside_the_csv(features_csv: Path, gaz: Gazetteer) -> None:
    assert sibling_index(features_csv).is_file()
    assert gaz._index.path == sibling_index(features_csv)  # used, not compiled again


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_build_command_options(tmp_path: Path) -> None:
    out = tmp_path / "g.csv"
    result = run(
        "gazetteer", "build", "--geonames", str(FEATURES), "-o", str(out),
        "--feature-classes", "aph", "--countries", "qz", "--min-population", "0", "--no-extras",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert {r["feature_class"] for r in rows_of(out).values()} == {"A", "P", "H", "L"}
    bad = run("gazetteer", "build", "--geonames", str(FEATURES), "--feature-classes", "AQ")
    assert bad.exit_code == 2 and "--feature-classes" in bad.stderr
    bad = run("gazetteer", "build", "--geonames", str(FEATURES), "--countries", "QZX")
    assert bad.exit_code == 2 and "country code" in bad.stderr


# -- the ranking -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "label", "expected"),
    [
        # Without a cue, the town.
        ("Flights left Tarnby on Monday.", "Tarnby", "GPE", ("Tarnby", "PPL")),
        ("Floods reached Velta overnight.", "Velta", "GPE", ("Velta", "PPL")),
        ("Crowds gathered in Morrow.", "Morrow", "GPE", ("Morrow", "PPL")),
        ("Police in Ansel said.", "Ansel", "GPE", ("Ansel", "PPL")),
        ("Fans came to Morrow.", "Morrow", "LOC", ("Morrow", "PPL")),
        # A type word in the name, after it or before it.
        (
            "Flights left Tarnby Airport on Monday.",
            "Tarnby Airport",
            "FAC",
            ("Tarnby Airport", "AIRP"),
        ),
        ("Flights left Tarnby airport on Monday.", "Tarnby", "GPE", ("Tarnby Airport", "AIRP")),
        ("Floods on the Velta river overnight.", "Velta", "LOC", ("Velta", "STM")),
        ("Floods on the Velta River overnight.", "Velta River", "LOC", ("Velta", "STM")),
        ("A match at Morrow Stadium.", "Morrow Stadium", "FAC", ("Morrow Stadium", "STDM")),
        ("A match at the Morrow stadium.", "Morrow", "GPE", ("Morrow Stadium", "STDM")),
        ("Boats on Lake Ansel today.", "Lake Ansel", "LOC", ("Lake Ansel", "LK")),
        ("Boats on Lake Ansel today.", "Ansel", "LOC", ("Lake Ansel", "LK")),
        # A facility's NER label is a cue.
        ("A match at Morrow on Sunday.", "Morrow", "FAC", ("Morrow Stadium", "STDM")),
        ("Tarnby said flights would resume.", "Tarnby", "ORG", ("Tarnby Airport", "AIRP")),
        # A town whose own name begins with a type word keeps it.
        ("Rain fell on Lake Corwin.", "Lake Corwin", "GPE", ("Lake Corwin", "PPL")),
        # A landmark or a plain with no town of its name is found as it is.
        ("Traffic on the Grayson Bridge.", "Grayson Bridge", "FAC", ("Grayson Bridge", "BDG")),
        ("Herds crossed the Serendi.", "Serendi", "LOC", ("Serendi", "PLN")),
    ],
)
def test_features_need_a_cue_to_beat_a_town(
    gaz: Gazetteer, text: str, name: str, label: str, expected: tuple[str, str]
) -> None:
    assert resolve_one(gaz, text, name, label) == expected


def test_a_hotel_is_no_landmark_for_a_type_word_it_lacks(gaz: Gazetteer) -> None:
    # "Tarnby Hotel" is a feature too, but "airport" asks for an airport only.
    assert resolve_one(gaz, "Delays at Tarnby airport.", "Tarnby") == ("Tarnby Airport", "AIRP")
    assert resolve_one(gaz, "Tarnby Inn said.", "Tarnby Inn", "ORG") == ("Tarnby Hotel", "HTL")


def test_cue_words() -> None:
    assert name_cue("schiphol airport") == ("schiphol", ("AIR",))
    assert name_cue("lake manassas") == ("manassas", ("LK", "PND", "RSV"))
    assert name_cue("mount of olives") == ("olives", ("MT", "PK", "VLC"))
    assert name_cue("paris") == ("", ())
    assert context_cue("on the Vltava river", 7, 13) == ("STM",)
    assert context_cue("the city of Aleppo", 12, 18) == ()


def test_the_shipped_gazetteer_has_no_row_that_needs_a_cue(real_gazetteer: Gazetteer) -> None:
    """What keeps its behaviour unchanged: the cue rule touches only such rows."""
    assert not any(real_gazetteer.needs_cue(row) for row in range(len(real_gazetteer)))
