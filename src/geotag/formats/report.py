"""Where a gazetteer command's report goes (`geotag gazetteer info`, `lookup`, `explain`,
`check-overrides`): one indented JSON object, or tables on a console; and the columns a
ranked candidate is shown in, which `lookup` and `explain` share."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import orjson

from ..models import Candidate
from .escape import json_bytes
from .table import make_console, shown

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table


@dataclass(frozen=True, slots=True)
class ReportOutput:
    """How a report is written: `fmt` is "json" or "table"; JSON goes to `stdout` as
    bytes, tables to a console with or without colour, `width` columns wide (None: the
    terminal's)."""

    fmt: str
    stdout: IO[bytes]
    no_color: bool = False
    width: int | None = None

    @property
    def is_json(self) -> bool:
        return self.fmt == "json"

    def write_json(self, obj: dict[str, Any]) -> None:
        self.stdout.write(json_bytes(obj, orjson.OPT_INDENT_2) + b"\n")
        self.stdout.flush()

    def console(self) -> Console:
        return make_console(self.no_color, self.width)


def add_candidate_columns(table: Table, **place_column: Any) -> None:
    """A ranked candidate's first columns: rank, score, place, feature code, population
    (`place_column`: how the place's column is sized)."""
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Place", style="green", **place_column)
    table.add_column("Code", no_wrap=True)
    table.add_column("Population", justify="right", no_wrap=True)


def candidate_cells(rank: int, candidate: Candidate, score: str) -> list[str]:
    """The cells of add_candidate_columns for one candidate, its score as given."""
    p = candidate.place
    return [str(rank), score, shown(p.label), shown(p.feature_code), f"{p.population:,}"]
