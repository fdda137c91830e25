"""Where a command's streams go, read once when geotag starts and passed to the commands:
which of stdin, stdout and stderr are terminals, whether tables may use colour, how wide
they may be, and so which output format a command writes when none is asked for."""

from __future__ import annotations

import dataclasses
import functools
import os
import sys
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

import click

from .options import Command

if TYPE_CHECKING:
    from ..formats.report import ReportOutput

# A COLUMNS that is no width (0, negative, a word) counts as the usual terminal's.
FALLBACK_WIDTH = 80


def _is_terminal(stream: IO[Any] | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):  # closed, or not a real file
        return False


@dataclass(frozen=True, slots=True)
class Terminal:
    """The terminal environment of a run."""

    stdin: bool = False  # stdin is a terminal (nobody piped anything in)
    stdout: bool = False  # stdout is a terminal: output is for people
    stderr: bool = False  # stderr is a terminal: progress bars may show
    color: bool = True  # tables may use colour: neither --no-color nor NO_COLOR
    # columns, from COLUMNS (80 when it is nonsense); None: as the terminal says
    width: int | None = None

    @classmethod
    def detect(cls) -> Terminal:
        return cls(
            stdin=_is_terminal(sys.stdin),
            stdout=_is_terminal(sys.stdout),
            stderr=_is_terminal(sys.stderr),
            # NO_COLOR counts when set to anything but "" (https://no-color.org).
            color=os.environ.get("NO_COLOR", "") == "",
            width=console_width(os.environ.get("COLUMNS")),
        )

    def output_format(self, fmt: str | None) -> str:
        """The format to write: the one asked for, else a table at a terminal and JSON
        for a pipe or a file."""
        return fmt or ("table" if self.stdout else "json")

    def report(self, fmt: str | None) -> ReportOutput:
        """Where a gazetteer command's report goes: stdout, in the format to write."""
        from ..formats.report import ReportOutput

        return ReportOutput(self.output_format(fmt), sys.stdout.buffer, not self.color, self.width)


def current_terminal() -> Terminal:
    """The run's Terminal, detected once by the `geotag` group (or now, for a command
    invoked on its own)."""
    ctx = click.get_current_context()
    terminal = ctx.find_object(Terminal)
    if terminal is None:
        terminal = Terminal.detect()
        ctx.obj = terminal
    return terminal


def terminal_option(command: Command) -> Command:
    """--no-color -> `terminal`, the run's Terminal (without colour when it is given)."""

    @functools.wraps(command)
    def run(*args: Any, no_color: bool, **kwargs: Any) -> None:
        terminal = current_terminal()
        if no_color:
            terminal = dataclasses.replace(terminal, color=False)
        command(*args, terminal=terminal, **kwargs)

    return click.option(
        "--no-color", is_flag=True, help="No colour in tables (NO_COLOR is respected too)."
    )(run)


def console_width(columns: str | None) -> int | None:
    """The width COLUMNS asks for: None when it is not set (the terminal's, else 80); 80
    when it is not a whole number above 0 (rich would print nothing for 0)."""
    if columns is None:
        return None
    try:
        width = int(columns)
    except ValueError:
        return FALLBACK_WIDTH
    return width if width > 0 else FALLBACK_WIDTH
