"""The README's quick start is the contract: CI must run exactly its commands."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)[:1]
    return [line for line in block.splitlines() if line.strip() and not line.startswith("#")]


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


def test_readme_python_examples_use_the_public_api() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    import geotag

    for name in re.findall(r"geotag\.(\w+)\(", readme):
        assert name in geotag.__all__, name


@pytest.mark.model
def test_readme_python_blocks_run(tmp_path, monkeypatch) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})


def test_map_of_the_code_names_every_package_and_module() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Map of the code", 1)[1].split("\n## ", 1)[0]
    mapped = set(re.findall(r"^- `(src/geotag/[^`]+)`", section, flags=re.M))
    mapped |= set(re.findall(r", `(src/geotag/[^`]+)`", section))
    package = ROOT / "src" / "geotag"
    tree = {
        f"src/geotag/{p.name}/" if p.is_dir() else f"src/geotag/{p.name}"
        for p in package.iterdir()
        if not p.name.startswith(("_", "."))
        and p.name != "data"
        and (p.suffix == ".py" or (p / "__init__.py").is_file())
    }
    assert mapped == tree
