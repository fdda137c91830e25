"""The run loop of a batch: write each result as it comes, show progress, report failures,
and stop cleanly on Ctrl-C or a closed pipe."""

from __future__ import annotations

import contextlib
import signal
import sys
import time
from collections.abc import Iterator
from types import FrameType
from typing import TYPE_CHECKING

from ..errors import GeotagError, OutputError
from ..formats import Writer
from ..models import Document, Failure
from .status import ExitStatus, Interrupted, error, finished, note, output_error, silence_stdout

if TYPE_CHECKING:
    from ..engine.pipeline import Pipeline
    from ..options import PipelineOptions


def load_pipeline(options: PipelineOptions) -> Pipeline:
    """Load the pipeline a command runs with (GeotagError when it cannot load)."""
    import gc

    from ..engine.pipeline import Pipeline

    # Loading creates millions of objects that live as long as the process: collecting
    # meanwhile only costs time (about a tenth of start-up), and frozen afterwards they
    # stay out of later collections and out of the pages forked workers would copy.
    gc.disable()
    try:
        return Pipeline.load(options)
    finally:
        gc.freeze()
        gc.enable()


class ProgressBar:
    """A rich progress bar on stderr (documents, docs/s, ETA); shown only at a terminal."""

    def __init__(self, total: int | None) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("tagging"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[rate]} docs/s"),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self.task = self.progress.add_task("tag", total=total, rate="-")
        self.progress.start()

    def advance(self, rate: float) -> None:
        self.progress.update(self.task, advance=1, rate=f"{rate:.1f}")

    def stop(self) -> None:
        self.progress.stop()


class HeldInterrupt:
    """Ctrl-C stops geotag at once, except while a result is written (and counted): then
    it takes effect right after, so no document is cut in half. A Python-level handler
    runs in the main thread whichever thread the signal reached (BLAS threads exist)."""

    def __init__(self) -> None:
        self.holding = self.pressed = False
        self.previous: signal.Handlers | int | object | None = None
        self.installed = False

    def install(self) -> None:
        import threading

        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGINT, self._handle)
            self.installed = True

    def restore(self) -> None:
        if self.installed:
            signal.signal(signal.SIGINT, self.previous)  # type: ignore[arg-type]

    def _handle(self, _signum: int, _frame: FrameType | None) -> None:
        if self.holding:
            self.pressed = True
        else:
            raise KeyboardInterrupt

    @contextlib.contextmanager
    def hold(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pressed:
            raise KeyboardInterrupt


def run(
    results: Iterator[Document | Failure],
    writer: Writer,
    progress_total: int | None = None,
    show_progress: bool = False,
    summary: bool = False,
) -> ExitStatus:
    """Write each result as it comes; report failures; return the exit status. With
    `show_progress` (stderr is a terminal), a progress bar shows on stderr.

    A failure of the whole batch (worker processes that cannot run) is raised as a
    GeotagError after the output is closed, so what was written stays valid; output that
    cannot be written (a full disk) is raised as an OutputError.
    """
    done = failed = 0
    started = time.monotonic()
    bar = ProgressBar(progress_total) if show_progress else None
    interrupts = HeldInterrupt()
    interrupts.install()
    try:
        try:
            for item in results:
                with interrupts.hold():
                    if isinstance(item, Failure):
                        failed += 1
                        error(item.error)
                        writer.failure(item)
                    else:
                        writer.write(item)
                    done += 1
                if bar is not None:
                    bar.advance(done / max(time.monotonic() - started, 1e-9))
            writer.close()
        finally:
            # Gone before any message below, however the loop ended.
            if bar is not None:
                with contextlib.suppress(OSError):
                    bar.stop()
    except BrokenPipeError:
        # The reader went away (`| head`): `status` ends geotag quietly. A summary must
        # not read as if the run had been done: it says where it stopped.
        if summary:
            of = f" of {progress_total}" if progress_total is not None else ""
            note(
                f"stopped early: the output's reader went away after {done}{of} "
                f"document(s), {failed} failed"
            )
        raise
    except OSError as exc:
        silence_stdout()
        raise OutputError(f"{output_error(exc)} (after {done} document(s))") from None
    except KeyboardInterrupt:
        # Close the output so a GeoJSON FeatureCollection still parses.
        with contextlib.suppress(OSError, KeyboardInterrupt):
            writer.close()
        raise Interrupted(
            f"interrupted after {done} document(s); the finished ones are written"
        ) from None
    except GeotagError as exc:
        with contextlib.suppress(OSError):
            writer.close()
        raise GeotagError(f"{exc} (after {done} document(s))") from None
    finally:
        interrupts.restore()
        # Stop the pipeline now (worker processes end), not whenever it is collected.
        close = getattr(results, "close", None)
        if close is not None:
            close()
    if summary:
        elapsed = time.monotonic() - started
        note(
            f"{done} document(s), {failed} failed, {elapsed:.1f}s "
            f"({done / max(elapsed, 1e-9):.1f} docs/s)"
        )
    return finished(failed)
