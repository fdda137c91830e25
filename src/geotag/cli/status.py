"""Exit statuses, and the one place where errors become them.

The library raises `GeotagError` (a message a person can act on); here it becomes one line
on stderr and exit 1. Ctrl-C becomes exit 130. Bad flags are click's usage errors (exit 2).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum

import click

from ..errors import GeotagError
from ..formats.escape import for_terminal


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1  # some input failed, or geotag could not start or go on
    USAGE = 2  # a bad option or argument (click's UsageError)
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT


class Interrupted(Exception):
    """Ctrl-C, with what it cost: exits 130 with this message."""


def error(message: str) -> None:
    click.echo(f"geotag: error: {for_terminal(message)}", err=True)


def warn(message: str) -> None:
    click.echo(f"geotag: warning: {for_terminal(message)}", err=True)


def note(message: str) -> None:
    """A summary line on stderr (not a warning)."""
    click.echo(f"geotag: {for_terminal(message)}", err=True)


def ignore(_message: str) -> None:
    """`warn` for --quiet."""


@contextmanager
def errors_become_exits() -> Iterator[None]:
    """Run a command; a GeotagError or an interrupt ends it with its one-line message and
    exit status, never a traceback."""
    try:
        yield
    except GeotagError as exc:
        error(str(exc))
        sys.exit(ExitStatus.FAILED)
    except click.ClickException as exc:
        # click shows the value given in some of its messages (a --files-from path);
        # its type declares the message final, but this is where it is shown from.
        setattr(exc, "message", for_terminal(exc.message, lines=True))  # noqa: B010
        raise
    except Interrupted as exc:
        error(str(exc))
        sys.exit(ExitStatus.INTERRUPTED)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(ExitStatus.INTERRUPTED)
