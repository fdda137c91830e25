"""The --overrides file: what a well-formed file means, and the one-line FILE:LINE error
for each kind of fault."""

from __future__ import annotations

from pathlib import Path

import pytest

from geotag.errors import OverridesError
from geotag.gazetteer.overrides import load_overrides, parse_overrides

EXAMPLE = """\
# corrections for a sports corpus
[[override]]
name = "Georgia"
geonameid = 614540

[[override]]
name = "Jordan"
not_place = true
country_context = "us"

[[override]]
name = "Camp Bastion"
lat = 31.862
lon = 64.225
country = "AF"
"""


def test_each_kind_of_rule_is_read_with_its_origin():
    rules = parse_overrides(EXAMPLE, "corpus.toml")
    georgia, jordan, bastion = rules.rules
    assert (georgia.kind, georgia.geonameid, georgia.origin) == ("row", 614540, "corpus.toml:2")
    assert (jordan.kind, jordan.country_context, jordan.origin) == (
        "not_place",
        "US",
        "corpus.toml:6",
    )
    assert (bastion.kind, bastion.lat, bastion.lon, bastion.country) == (
        "custom",
        31.862,
        64.225,
        "AF",
    )
    assert bastion.feature_code == "PPL"


def test_rules_match_whole_mentions_case_sensitively():
    rules = parse_overrides(EXAMPLE, "corpus.toml")
    assert rules.for_name("Jordan") is rules.rules[1]
    assert rules.for_name("jordan") is None
    assert rules.for_name("Jordan Valley") is None


def test_country_context_limits_a_rule_to_stories_of_that_country():
    jordan = parse_overrides(EXAMPLE).rules[1]
    assert jordan.applies_in(["US", "CA"])
    assert not jordan.applies_in(["JO"])
    assert parse_overrides(EXAMPLE).rules[0].applies_in([])


def test_an_empty_file_has_no_rules():
    assert len(parse_overrides("# nothing yet\n")) == 0


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ('[[override]]\nname = "x"\ngeonameid = [\n', 3, "not valid TOML"),
        ('[[override]]\nname = "x"\ngeonameid = 1\ncolour = "red"\n', 4, "unknown key 'colour'"),
        ('title = "mine"\n', 1, "unknown key 'title'"),
        ('[[override]]\nname = "x"\nlat = 91\nlon = 1\ncountry = "AF"\n', 3, "out of range"),
        ('[[override]]\nname = "x"\nlat = 1\nlon = 181\ncountry = "AF"\n', 4, "out of range"),
        ('[[override]]\nname = "x"\ngeonameid = "614540"\n', 3, "positive integer"),
        ("[[override]]\ngeonameid = 614540\n", 1, "needs `name`"),
        ('[[override]]\nname = "x"\n', 1, "exactly one of"),
        ('[[override]]\nname = "x"\nnot_place = true\ngeonameid = 1\n', 1, "exactly one of"),
        ('[[override]]\nname = "x"\nlat = 1\nlon = 1\n', 1, "needs `lat`, `lon` and `country`"),
        ('[[override]]\nname = "x"\nlat = 1\nlon = 1\ncountry = "USA"\n', 5, "two-letter"),
        ('[[override]]\nname = "x"\nnot_place = false\n', 3, "only be true"),
    ],
)
def test_a_fault_is_one_line_naming_file_and_line(text: str, line: int, fragment: str):
    with pytest.raises(OverridesError) as caught:
        parse_overrides(text, "bad.toml")
    message = str(caught.value)
    assert message.startswith(f"bad.toml:{line}: "), message
    assert fragment in message
    assert "\n" not in message


def test_the_second_rule_is_blamed_on_its_own_line():
    text = EXAMPLE + '\n[[override]]\nname = "Kabul"\ngeonameid = -3\n'
    with pytest.raises(OverridesError, match=r"^o\.toml:19: "):
        parse_overrides(text, "o.toml")


def test_a_file_that_cannot_be_read_or_decoded_is_named(tmp_path: Path):
    with pytest.raises(OverridesError, match=r"missing\.toml: cannot read"):
        load_overrides(tmp_path / "missing.toml")
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[[override]]\nname = "Z\xfcrich"\nnot_place = true\n')
    with pytest.raises(OverridesError, match=r"latin\.toml: not UTF-8"):
        load_overrides(latin)
    good = tmp_path / "good.toml"
    good.write_text(EXAMPLE, encoding="utf-8")
    assert load_overrides(good).rules[2].origin == f"{good}:11"
