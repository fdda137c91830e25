"""Start-up discipline: --help is light, and the packaged data ships inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from geotag.formats.html import load_page_assets

ROOT = Path(__file__).resolve().parents[1]


def test_help_does_not_import_spacy_or_rich() -> None:
    code = (
        "import sys\n"
        "from geotag.cli import cli\n"
        "try:\n"
        "    cli(['--help'], prog_name='geotag')\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0\n"
        "print(sorted(m for m in ('spacy', 'rich', 'geopy', 'thinc') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_version() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "geotag", "--version"], capture_output=True, text=True, check=True
    )
    import geotag

    assert out.stdout.strip() == f"geotag, version {geotag.__version__}"


def test_terminal_without_input_prints_usage_instead_of_hanging() -> None:
    pty = pytest.importorskip("pty")
    code = "from geotag.cli import main; main()"
    pid, fd = pty.fork()
    if pid == 0:  # child: stdin, stdout and stderr are the terminal
        os.execv(sys.executable, [sys.executable, "-c", code])
    output = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 2
    assert b"no input" in output and b"Usage:" in output


@pytest.mark.slow
def test_wheel_carries_the_gazetteer_and_finds_it(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("geotag-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        # The index compiled at build time (hatch_build.py): a first run need not compile.
        packaged = {"gazetteer.csv", "gazetteer.csv.index", "demonyms.csv", "world-110m.json"}
        assert {f"geotag/data/{name}" for name in packaged} <= names
        assets = {"report.css", "report.js"}  # the html report's style and script
        assert {f"geotag/formats/assets/{name}" for name in assets} <= names
        site = tmp_path / "site"
        zf.extractall(site)
    code = (
        "import geotag, geotag.gazetteer as g, geotag.gazetteer.packaged as p\n"
        "print(geotag.__file__)\n"
        "print(p.default_gazetteer_path())\n"
        "gaz = g.Gazetteer.load(cache=False)\n"
        "print(len(gaz))\n"
        "print(gaz._index.path)\n"
        "from geotag.formats.html import load_page_assets\n"
        "print(load_page_assets().content_security_policy.replace(' ', '_'))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    module, data, rows, index, policy = out.stdout.split()
    assert module.startswith(str(site)) and data.startswith(str(site))
    assert int(rows) > 1000
    assert index == data + ".index"  # the shipped index, checked and used
    assert policy == load_page_assets().content_security_policy.replace(" ", "_")
