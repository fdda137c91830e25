"""Exit statuses, and the one place where errors become them.

The library raises `GeotagError` (a message a person can act on); here it becomes one line
on stderr and exit 1. Output that cannot be written (a full disk, a device that refuses it)
is one line and exit 1 too, a reader that went away (`| head`) ends geotag quietly, and
Ctrl-C becomes exit 130. Bad flags are click's usage errors (exit 2), and so is an
`OptionError` (a flag's value the data has nothing for) and an `OverridesError` (a fault
in the `--overrides` file, named by file and line). Every line on stderr is escaped
for a terminal: a file name or an id cannot send it control sequences.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import IO, Any

import click

from ..errors import GeotagError, OptionError, OverridesError
from ..formats.escape import for_terminal
from .options import flag_of


class ExitStatus(IntEnum):
    OK = 0
    FAILED = 1  # some input failed, or geotag could not start or go on
    USAGE = 2  # a bad option or argument (click's UsageError)
    INTERRUPTED = 130  # Ctrl-C: 128 + SIGINT


class Interrupted(Exception):
    """Ctrl-C, with what it cost: exits 130 with this message."""


def finished(failed: int) -> ExitStatus:
    """The status of a run that went to its end: 1 when any of its inputs failed (each
    failure was reported as it came)."""
    return ExitStatus.FAILED if failed else ExitStatus.OK


def error(message: str) -> None:
    click.echo(f"geotag: error: {for_terminal(message)}", err=True)


def warn(message: str) -> None:
    click.echo(f"geotag: warning: {for_terminal(message)}", err=True)


def note(message: str) -> None:
    """A summary line on stderr (not a warning)."""
    click.echo(f"geotag: {for_terminal(message)}", err=True)


def ignore(_message: str) -> None:
    """`warn` for --quiet."""


def output_error(exc: OSError) -> str:
    """What went wrong writing the output, in a line."""
    return f"cannot write the output: {exc.strerror or exc}"


def silence_stdout() -> None:
    """Point stdout at /dev/null once it cannot be written: what was still buffered is
    dropped, and Python's flush at exit has nothing left to fail on."""
    silence(sys.stdout)


def silence(stream: IO[Any] | None) -> None:
    """Point a stream that cannot be written at /dev/null, so closing it does not fail
    again on what is still buffered."""
    try:
        fd = stream.fileno() if stream is not None else -1
    except (AttributeError, ValueError, OSError):
        return  # not a real file (a test's capture)
    if fd < 0:
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


@contextmanager
def errors_become_exits() -> Iterator[None]:
    """Run a command; a GeotagError, an output that cannot be written or an interrupt ends
    it with its one-line message and exit status, never a traceback."""
    try:
        yield
    except OptionError as exc:
        hint = flag_of(exc.parameter)
        raise click.BadParameter(str(exc), param_hint=f"'{hint}'") from None
    except OverridesError as exc:
        # A fault in the user's corrections file is a usage error, found before tagging.
        error(str(exc))
        sys.exit(ExitStatus.USAGE)
    except GeotagError as exc:
        error(str(exc))
        sys.exit(ExitStatus.FAILED)
    except click.ClickException as exc:
        # click shows the value given in some of its messages (a --files-from path);
        # its type declares the message final, but this is where it is shown from.
        setattr(exc, "message", for_terminal(exc.message, lines=True))  # noqa: B010
        raise
    except BrokenPipeError:
        # The reader went away (`| head`): as the run loop does, stop quietly.
        silence_stdout()
        sys.exit(ExitStatus.OK)
    except OSError as exc:
        # Readers turn what they meet into InputError; an OSError that comes this far was
        # met writing: stdout on a full disk or a device that refuses it.
        silence_stdout()
        error(output_error(exc))
        sys.exit(ExitStatus.FAILED)
    except Interrupted as exc:
        error(str(exc))
        sys.exit(ExitStatus.INTERRUPTED)
    except KeyboardInterrupt:
        error("interrupted")
        sys.exit(ExitStatus.INTERRUPTED)
