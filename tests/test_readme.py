"""The README and docs/ are the contract: CI runs the quick start verbatim, the examples run,
the links resolve and the map of the code matches the tree."""

from __future__ import annotations

import glob
import json
import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
DOC_PAGES = sorted((ROOT / "docs").glob("*.md"))
PAGES = [README, *DOC_PAGES]


def read(page: Path) -> str:
    return page.read_text(encoding="utf-8")


def section(text: str, heading: str) -> str:
    """The text under `heading` up to the next heading of level two."""
    return text.split(f"{heading}\n", 1)[1].split("\n## ", 1)[0]


def quick_start_commands() -> list[str]:
    block = re.findall(
        r"```(?:sh|bash|console)?\n(.*?)```", section(read(README), "## Quick start"), flags=re.S
    )[0]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


def python_blocks() -> list[Any]:
    params = []
    for page in PAGES:
        for n, block in enumerate(re.findall(r"```python\n(.*?)```", read(page), flags=re.S), 1):
            name = f"{page.relative_to(ROOT)}:{n}"
            # A LocalCluster starts worker processes that each load the model: seconds.
            marks = [pytest.mark.dask, pytest.mark.slow] if "dask" in block else []
            params.append(pytest.param(name, block, marks=marks, id=name))
    return params


def test_quick_start_is_three_commands_run_verbatim_by_ci() -> None:
    commands = quick_start_commands()
    assert len(commands) == 3, commands
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    positions = [ci.index(cmd) for cmd in commands]  # ValueError names a missing one
    assert positions == sorted(positions)
    assert commands[2].split()[0] == "pytest"


@pytest.mark.model
def test_quick_start_example_exists_and_runs() -> None:
    _, run, _ = quick_start_commands()
    argv = shlex.split(run)
    assert argv[0] == "geotag"
    for arg in argv[1:]:
        if not arg.startswith("-"):
            assert (ROOT / arg).is_file(), arg
    out = subprocess.run(
        [sys.executable, "-m", "geotag", *argv[1:], "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"places"' in out.stdout


def test_tour_names_example_files_that_exist() -> None:
    tour = section(read(README), "## A tour of the commands")
    named = set(re.findall(r"\bexamples/[\w*.-]+", tour))
    assert named
    for pattern in named:
        assert glob.glob(str(ROOT / pattern)), pattern


@pytest.mark.model
def test_tour_shows_what_geotag_prints() -> None:
    tour = section(read(README), "## A tour of the commands")
    (block,) = re.findall(r"```console\n(.*?)```", tour, flags=re.S)
    command, _, shown = block.partition("\n    | jq")
    argv = shlex.split(command.removeprefix("$ ").rstrip("\\ \n"))
    shown_rows = [line.split("\t") for line in shown.splitlines()[1:]]
    out = subprocess.run(
        [sys.executable, "-m", "geotag", *argv[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    places = json.loads(out.stdout)["places"]
    printed = [
        [p["name"], p["role"], p["place"]["feature_code"], p["place"]["country_code"]]
        for p in places[: len(shown_rows)]
    ]
    assert shown_rows and printed == shown_rows


def test_python_examples_use_the_public_api() -> None:
    import geotag

    for page in PAGES:
        for name in re.findall(r"\bgeotag\.(\w+)\(", read(page)):
            assert name in geotag.__all__, (page.name, name)


@pytest.mark.model
@pytest.mark.parametrize(("name", "block"), python_blocks())
def test_python_blocks_run(name: str, block: str, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    exec(compile(block, name, "exec"), {})


def test_readme_links_every_docs_page() -> None:
    linked = set(re.findall(r"\]\((docs/[^)#]+)", read(README)))
    assert linked == {str(page.relative_to(ROOT)) for page in DOC_PAGES}


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(page: Path) -> None:
    text = read(page)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.is_file(), f"{page.name}: {target}"
        if anchor:
            headings = re.findall(
                r"^#+ (.+)$", re.sub(r"```.*?```", "", read(linked), flags=re.S), flags=re.M
            )
            assert anchor in {slug(h) for h in headings}, f"{page.name}: {target}"


def test_map_of_the_code_names_every_package_and_module() -> None:
    readme = read(README)
    section_text = readme.split("### Map of the code", 1)[1].split("\n## ", 1)[0]
    mapped = set(re.findall(r"^- `(src/geotag/[^`]+)`", section_text, flags=re.M))
    mapped |= set(re.findall(r", `(src/geotag/[^`]+)`", section_text))
    package = ROOT / "src" / "geotag"
    tree = {
        f"src/geotag/{p.name}/" if p.is_dir() else f"src/geotag/{p.name}"
        for p in package.iterdir()
        if not p.name.startswith(("_", "."))
        and p.name != "data"
        and (p.suffix == ".py" or (p / "__init__.py").is_file())
    }
    assert mapped == tree
