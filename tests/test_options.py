"""Every pipeline option, declared once in geotag.options, reaches every way in: the Python
API, the command line, the spaCy component and the Dask functions."""

from __future__ import annotations

import dataclasses
import inspect
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from geotag.options import PipelineOptions, offers

from .helpers import FAKE_PATTERNS, MINI_GAZETTEER, OVERRIDES, fake_ner

# For each option: a value other than its default, the value PipelineOptions stores for
# it, and the command-line arguments that choose it (None: not a flag). A new option
# fails test_every_option_has_a_sample until it has a line here.
SAMPLES: dict[str, tuple[Any, Any, list[str] | None]] = {
    "model": ("other_model", "other_model", ["--model", "other_model"]),
    "gazetteer": (MINI_GAZETTEER, str(MINI_GAZETTEER), ["--gazetteer", str(MINI_GAZETTEER)]),
    "demonyms": (False, False, ["--no-demonyms"]),
    "embedded_places": (False, False, ["--no-embedded"]),
    "prefer_countries": (["us"], ("US",), ["--prefer-country", "us"]),
    "bbox": (
        [-100.0, 30.0, -90.0, 40.0],
        (-100.0, 30.0, -90.0, 40.0),
        ["--bbox", "-100,30,-90,40"],
    ),
    "within": (False, False, ["--no-within"]),
    # Set by --geocoder, for which the names the gazetteer does not know are kept.
    "keep_unknown_places": (True, True, None),
    "overrides": (OVERRIDES, str(OVERRIDES), ["--overrides", str(OVERRIDES)]),
    "explain": (True, True, ["--explain"]),
}
NAMES = [f.name for f in dataclasses.fields(PipelineOptions)]


def test_every_option_has_a_sample() -> None:
    assert list(SAMPLES) == NAMES
    defaults = PipelineOptions()
    for name, (_, stored, _) in SAMPLES.items():
        assert stored != getattr(defaults, name), name


@pytest.mark.parametrize("name", NAMES)
def test_an_option_is_stored_in_one_form(name: str) -> None:
    given, stored, _ = SAMPLES[name]
    options = PipelineOptions(**{name: given})
    assert getattr(options, name) == stored
    assert hash(options) == hash(PipelineOptions(**{name: stored}))


def test_every_option_has_help() -> None:
    assert list(offers()) == NAMES
    assert all(offer.help.endswith(".") for offer in offers().values())


def test_the_api_takes_every_option_with_its_default() -> None:
    import geotag

    parameters = inspect.signature(geotag.load_pipeline).parameters
    assert list(parameters) == NAMES
    for f in dataclasses.fields(PipelineOptions):
        assert parameters[f.name].default == f.default


@pytest.mark.parametrize("name", NAMES)
def test_the_api_passes_each_option_to_the_pipeline(fake_model: str, name: str) -> None:
    import geotag

    given, stored, _ = SAMPLES[name]
    chosen = {"model": fake_model, "gazetteer": MINI_GAZETTEER}
    if name != "model":
        chosen[name] = given
    pipeline = geotag.load_pipeline(**chosen)
    expected = fake_model if name == "model" else stored
    assert getattr(pipeline.tagger.options.chosen, name) == expected


@pytest.mark.parametrize("name", [n for n in NAMES if n != "model"])
def test_the_component_takes_each_option(name: str) -> None:
    given, stored, _ = SAMPLES[name]
    nlp = fake_ner(FAKE_PATTERNS)
    value = [*given] if isinstance(given, list) else given
    config = {
        "gazetteer": str(MINI_GAZETTEER),
        name: str(value) if name in ("gazetteer", "overrides") else value,
    }
    component = nlp.add_pipe("geotag", config=config)
    assert getattr(component.tagger.options.chosen, name) == stored


def test_the_component_config_is_every_option_but_the_model() -> None:
    # The component runs inside the spaCy pipeline it is added to: it loads no model.
    nlp = fake_ner(FAKE_PATTERNS)
    nlp.add_pipe("geotag", config={"gazetteer": str(MINI_GAZETTEER)})
    config = dict(nlp.config["components"]["geotag"])
    config.pop("factory")
    assert sorted(config) == sorted(n for n in NAMES if n != "model")


def _options_in(graph: Any) -> list[PipelineOptions]:
    """The PipelineOptions found anywhere in a Dask graph's tasks."""
    found: list[PipelineOptions] = []

    def walk(value: Any) -> None:
        if isinstance(value, PipelineOptions):
            found.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        else:
            for attr in ("args", "kwargs", "value"):  # dask's Task and DataNode objects
                if hasattr(value, attr):
                    walk(getattr(value, attr))

    walk(dict(graph))
    return found


@pytest.mark.parametrize("name", NAMES)
def test_the_dask_functions_send_each_option_with_their_tasks(name: str) -> None:
    db = pytest.importorskip("dask.bag")
    dd = pytest.importorskip("dask.dataframe")
    import pandas as pd

    from geotag.dask import tag_bag, tag_dataframe

    given, stored, _ = SAMPLES[name]
    bag = tag_bag(db.from_sequence(["Idlib burned."], npartitions=1), **{name: given})
    frame = dd.from_pandas(pd.DataFrame({"text": ["Idlib burned."], "id": [1]}), npartitions=1)
    tagged = tag_dataframe(frame, **{name: given})
    for collection in (bag, tagged):
        sent = _options_in(collection.__dask_graph__())
        assert sent and all(getattr(options, name) == stored for options in sent)


def _pipeline_chosen_by(args: list[str]) -> PipelineOptions:
    from geotag.cli.options import pipeline_options

    chosen: list[PipelineOptions] = []

    @click.command()
    @pipeline_options
    def probe(pipeline: PipelineOptions) -> None:
        chosen.append(pipeline)

    result = CliRunner().invoke(probe, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    (options,) = chosen
    return options


def test_the_command_line_has_a_flag_for_every_offered_option() -> None:
    assert _pipeline_chosen_by([]) == PipelineOptions()
    for name, (_, stored, args) in SAMPLES.items():
        assert (args is None) == (offers()[name].flag is None), name
        if args is not None:
            assert getattr(_pipeline_chosen_by(args), name) == stored, name


def test_every_pipeline_command_takes_every_flag() -> None:
    from geotag.cli import cli

    flags = {offer.flag for offer in offers().values() if offer.flag}
    for command in ("tag", "evaluate", "corpus"):
        params = cli.commands[command].params  # type: ignore[attr-defined]
        declared = {opt for p in params for opt in p.opts}
        assert flags <= declared, command


def test_a_path_given_to_the_api_is_kept_as_text(tmp_path: Path) -> None:
    assert PipelineOptions(gazetteer=tmp_path / "g.csv").gazetteer == str(tmp_path / "g.csv")
