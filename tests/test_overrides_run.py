"""--overrides in a run: with the real model and gazetteer, a rule changes what it names
and only where its country context holds; a custom place is on the map; a faulty file
stops the run before any text is tagged (one line naming file and line, exit 2); the
environment variable, the spaCy component's config entry and worker processes too."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from geotag.options import PipelineOptions

from .helpers import FAKE_PATTERNS, MINI_GAZETTEER, docs, fake_ner

SPORTS = (
    "Jordan scored 30 points as the Chicago Bulls beat the Boston Celtics in Chicago on "
    "Friday. Jordan said the team in Illinois was ready for New York."
)
MIDEAST = "King Abdullah of Jordan met officials in Amman and Damascus on Sunday."
BASTION = "British troops left Camp Bastion in Helmand on Tuesday, officials in Kabul said."
RULES = """\
# corrections for a sports desk
[[override]]
name = "Jordan"
not_place = true
country_context = "US"

[[override]]
name = "Camp Bastion"
lat = 31.862
lon = 64.225
country = "AF"
feature_code = "MILB"
"""


def invoke(*args: str) -> Result:
    from geotag.cli import cli

    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture()
def rules(tmp_path: Path) -> Path:
    path = tmp_path / "sports.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture()
def stories(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in (("sports", SPORTS), ("mideast", MIDEAST), ("bastion", BASTION)):
        out[name] = tmp_path / f"{name}.txt"
        out[name].write_text(text, encoding="utf-8")
    return out


def places(doc: dict) -> dict[str, dict]:
    return {e["text"]: e for e in doc["entities"] if e["label"] == "PLACE"}


@pytest.mark.model
def test_jordan_is_no_place_in_a_us_sports_story_only_with_the_file(
    rules: Path, stories: dict[str, Path]
) -> None:
    without = invoke("-f", "jsonl", str(stories["sports"]), str(stories["mideast"]))
    with_rules = invoke(
        "-f", "jsonl", "--overrides", str(rules), str(stories["sports"]), str(stories["mideast"])
    )
    assert (without.exit_code, with_rules.exit_code) == (0, 0)
    sports, mideast = docs(without.stdout)
    assert places(sports)["Jordan"]["place"]["country_code"] == "JO"
    sports_fixed, mideast_fixed = docs(with_rules.stdout)
    assert "Jordan" not in places(sports_fixed)
    assert "Jordan" not in [p["name"] for p in sports_fixed["places"]]
    assert places(sports_fixed)["Chicago"] == places(sports)["Chicago"]
    # The rule holds in stories about the US: in a story about Jordan it is the country.
    assert mideast_fixed == mideast
    assert places(mideast_fixed)["Jordan"]["place"]["country_code"] == "JO"


@pytest.mark.model
def test_a_custom_place_is_in_geojson_with_its_coordinates_and_explained(
    rules: Path, stories: dict[str, Path]
) -> None:
    plain = invoke("-f", "geojson", str(stories["bastion"]))
    result = invoke(
        "-f", "geojson", "--overrides", str(rules), "--explain", str(stories["bastion"])
    )
    assert result.exit_code == 0
    # Without the file the gazetteer has no Camp Bastion: a guess elsewhere, or nothing.
    before = {f["properties"]["name"]: f for f in json.loads(plain.stdout)["features"]}
    guess = before.get("Camp Bastion")
    assert guess is None or guess["geometry"]["coordinates"] != [64.225, 31.862]
    features = {f["properties"]["name"]: f for f in json.loads(result.stdout)["features"]}
    camp = features["Camp Bastion"]
    assert camp["geometry"]["coordinates"] == [64.225, 31.862]
    props = camp["properties"]
    assert (props["country_code"], props["country"]) == ("AF", "Afghanistan")
    assert (props["feature_code"], props["place_source"], props["geonameid"]) == (
        "MILB",
        "override",
        None,
    )
    assert props["explain"] == f"override: user override ({rules}:7)"
    assert features["Kabul"]["properties"]["country_code"] == "AF"


@pytest.mark.model
@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        # not TOML at all
        ('[[override]]\nname = "Gaza\n', 2, "not valid TOML"),
        # a key no rule has
        ('[[override]]\nname = "Gaza"\ngeonameid = 281133\nzoom = 3\n', 4, "unknown key 'zoom'"),
        # an id the gazetteer does not have
        ('\n[[override]]\nname = "Gaza"\ngeonameid = 999999999\n', 2, "not in the gazetteer"),
        # coordinates out of range
        (
            '[[override]]\nname = "Gaza"\ngeonameid = 281133\n\n[[override]]\nname = "Camp"\n'
            'lat = 95.0\nlon = 10.0\ncountry = "AF"\n',
            7,
            "`lat` 95.0 is out of range",
        ),
        # two answers for one name
        ('[[override]]\nname = "Gaza"\ngeonameid = 281133\nnot_place = true\n', 1, "exactly one"),
    ],
)
def test_a_faulty_file_is_one_line_naming_file_and_line_and_exit_2(
    tmp_path: Path, stories: dict[str, Path], text: str, line: int, message: str
) -> None:
    path = tmp_path / "faulty.toml"
    path.write_text(text, encoding="utf-8")
    result = invoke("-f", "jsonl", "--overrides", str(path), str(stories["sports"]))
    assert result.exit_code == 2
    assert result.stdout == ""  # nothing tagged
    (error,) = result.stderr.splitlines()
    assert error.startswith(f"geotag: error: {path}:{line}: ")
    assert message in error


def test_a_missing_file_is_a_usage_error_before_the_model_loads(tmp_path: Path) -> None:
    result = invoke("--model", "no-such-model", "--overrides", str(tmp_path / "none.toml"), "-")
    assert result.exit_code == 2
    assert "cannot read the overrides file" in result.stderr
    assert "no-such-model" not in result.stderr


@pytest.mark.model
def test_geotag_overrides_in_the_environment_is_used_when_no_flag_is_given(
    rules: Path, stories: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GEOTAG_OVERRIDES", str(rules))
    result = invoke("-f", "jsonl", str(stories["sports"]))
    assert result.exit_code == 0
    assert "Jordan" not in places(docs(result.stdout)[0])
    # The flag wins over the environment.
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    flagged = invoke("-f", "jsonl", "--overrides", str(empty), str(stories["sports"]))
    assert "Jordan" in places(docs(flagged.stdout)[0])


@pytest.mark.model
def test_the_python_api_reads_the_environment_when_not_given(
    rules: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import geotag

    monkeypatch.setenv("GEOTAG_OVERRIDES", str(rules))
    doc = geotag.load_pipeline().tag_text(SPORTS)
    assert "Jordan" not in [m.text for m in doc.mentions if m.label == "PLACE"]


# -- the component and worker processes, on the fake NER and the mini gazetteer --------------

FAKE_RULES = """\
[[override]]
name = "Ankara"
not_place = true

[[override]]
name = "Idlib"
lat = 35.93
lon = 36.63
country = "SY"
display_name = "Idlib (as the desk writes it)"
"""
FAKE_TEXT = "Turkish troops shelled Idlib, officials in Ankara and Moscow said."


@pytest.fixture()
def fake_rules(tmp_path: Path) -> Path:
    path = tmp_path / "fake.toml"
    path.write_text(FAKE_RULES, encoding="utf-8")
    return path


def test_the_component_takes_the_file_as_a_config_entry(fake_rules: Path) -> None:
    nlp = fake_ner(FAKE_PATTERNS)
    nlp.add_pipe(
        "geotag",
        config={"gazetteer": str(MINI_GAZETTEER), "overrides": str(fake_rules), "explain": True},
    )
    doc = nlp(FAKE_TEXT)
    entities = {e["text"]: e for e in doc._.geotag["entities"]}
    assert "Ankara" not in entities  # a place mention the rule says is none: dropped
    idlib = next(span for span in doc.ents if span.text == "Idlib")._.geotag_place
    assert idlib["name"] == "Idlib (as the desk writes it)"
    assert (idlib["lat"], idlib["lon"], idlib["source"]) == (35.93, 36.63, "override")
    assert entities["Moscow"]["place"]["country_code"] == "RU"
    why = entities["Idlib"]["explain"]
    assert why["reason"] == f"user override ({fake_rules}:5)"


def test_the_component_reports_a_faulty_file_by_line(tmp_path: Path) -> None:
    from geotag.errors import OverridesError

    path = tmp_path / "bad.toml"
    path.write_text('[[override]]\nname = "Idlib"\ngeonameid = 12\n', encoding="utf-8")
    nlp = fake_ner(FAKE_PATTERNS)
    with pytest.raises(OverridesError, match=rf"^{path}:1: geonameid 12 is not in the gazetteer"):
        nlp.add_pipe("geotag", config={"gazetteer": str(MINI_GAZETTEER), "overrides": str(path)})


def test_worker_processes_give_the_bytes_of_one_process(
    fake_model: str, fake_rules: Path, tmp_path: Path
) -> None:
    inputs = []
    for n in range(12):
        path = tmp_path / f"{n:02d}.txt"
        path.write_text(f"Report {n}: {FAKE_TEXT} Paris, Texas was calm.", encoding="utf-8")
        inputs.append(str(path))
    common = ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "-f", "jsonl"]
    common += ["--overrides", str(fake_rules), "--explain"]
    one = invoke(*common, "-j", "1", *inputs)
    two = invoke(*common, "-j", "2", *inputs)
    assert (one.exit_code, two.exit_code) == (0, 0)
    assert two.stdout_bytes == one.stdout_bytes
    assert one.stdout.count("user override") == 12
    assert "Ankara" not in one.stdout


def test_the_options_carry_the_path_as_text(fake_rules: Path) -> None:
    assert PipelineOptions(overrides=fake_rules).overrides == str(fake_rules)


@pytest.mark.model
def test_check_overrides_lists_what_each_rule_does_to_a_text(
    rules: Path, stories: dict[str, Path]
) -> None:
    def check(*args: str) -> list[dict]:
        result = invoke("gazetteer", "check-overrides", str(rules), *args, "-f", "json")
        assert result.exit_code == 0, result.output
        return list(json.loads(result.stdout)["rules"])

    jordan, camp = check("--text", str(stories["sports"]))
    assert (jordan["fired"], jordan["outcome"]) == (2, "2 mention(s) no longer a place")
    assert (camp["fired"], camp["outcome"]) == (0, "matches nothing in the text")
    jordan, camp = check("--text", str(stories["mideast"]))
    assert jordan["fired"] == 0 and jordan["outcome"].startswith("named, but the story's country")
    _, camp = check("--text", str(stories["bastion"]))
    assert (
        camp["fired"] == 1 and camp["outcome"] == "1 mention(s) placed at Camp Bastion, Afghanistan"
    )
    assert [r["outcome"] for r in check()] == ["valid", "valid"]


def test_check_overrides_of_a_faulty_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "bad.toml"
    path.write_text('[[override]]\nname = "X"\nlat = 10\nlon = 200\ncountry = "AF"\n')
    result = invoke("gazetteer", "check-overrides", str(path), "--gazetteer", str(MINI_GAZETTEER))
    assert result.exit_code == 2
    assert result.stderr == f"geotag: error: {path}:4: `lon` 200.0 is out of range (-180 to 180)\n"
