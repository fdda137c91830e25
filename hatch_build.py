"""Wheel build hook: compile the shipped gazetteer's index into the wheel, beside the CSV.

A new install's first run then opens the index at once (one check of the CSV's SHA-256
and of the index's checksum) instead of compiling 178 thousand rows, which costs several
times a warm run. An editable install gets the index in the checkout's data/ folder,
where the package finds the CSV (ignored by git). An index that does not match the CSV
is never used: geotag compiles its own into the cache folder as before.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
CSV = ROOT / "data" / "gazetteer.csv"


def compile_index(out: Path) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    try:
        from geotag.gazetteer.index.writer import compile_csv

        compile_csv(CSV, out)
    finally:
        sys.path.remove(str(ROOT / "src"))


class CompiledGazetteerHook(BuildHookInterface):  # type: ignore[misc]
    PLUGIN_NAME = "compiled-gazetteer"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or not CSV.is_file():
            return
        if version == "editable":
            compile_index(CSV.with_name(CSV.name + ".index"))
            return
        self._tmp = tempfile.TemporaryDirectory(prefix="geotag-build-")
        index = Path(self._tmp.name) / "gazetteer.csv.index"
        compile_index(index)
        build_data["force_include"][str(index)] = "geotag/data/gazetteer.csv.index"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        tmp = getattr(self, "_tmp", None)
        if tmp is not None:
            tmp.cleanup()
