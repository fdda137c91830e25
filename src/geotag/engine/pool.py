"""Tagging in worker processes: an ordered map of articles over a pool of workers that
share the loaded model and gazetteer, and replace a worker that dies."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from typing import Any, Protocol

from ..errors import GeotagError
from ..models import Article, Document, Failure
from .feed import Feed, article_name
from .reuse import Reuse


class Tags(Protocol):
    """What a worker tags with (a loaded `Pipeline`): articles in, results out in order,
    and how a worker that does not inherit it (no fork) loads it again."""

    def tag_stream(
        self, articles: Iterable[Article | Failure], *, ramp: bool = True
    ) -> Iterator[Document | Failure]: ...

    def reloader(self) -> Reload: ...


# Loads the pipeline in a worker process: picklable, it is sent to a spawned worker.
Reload = Callable[[], Tags]


def resolve_jobs(jobs: int) -> int:
    """Worker count: `jobs`, or one per usable CPU for 0."""
    if jobs < 0:
        raise ValueError("jobs must be 0 (all CPUs) or a positive number")
    if jobs:
        return jobs
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


# A batch for a worker: at most PARALLEL_BATCH articles and about PARALLEL_CHARS characters
# (a few tenths of a second of NER), so results stream out early and evenly, and the cost
# of a message (well under a millisecond) stays negligible.
PARALLEL_BATCH = 32
PARALLEL_CHARS = 20_000
# Batches a worker holds at once: the one it works on and the next, so it never waits for
# the parent, while the results waiting to be written in order stay few.
WORKER_DEPTH = 2
# Workers that die this many times in a row, each before finishing any batch, cannot run.
MAX_BARREN_DEATHS = 5
# Seconds between looks for new input while workers have room but no input has come.
INPUT_POLL = 0.05

_Batch = list[tuple[int, Article]]


class _Worker:
    """One worker process and the batches it holds, oldest (the one in work) first.

    A forked worker inherits the parent's end of every pipe open at the time, its own and
    its siblings': it closes them first, or a sibling's pipe would never report the
    parent's death to that sibling (an end stays open while any process holds it).
    """

    def __init__(
        self, ctx: Any, pipeline: Tags | None, reload: Reload, siblings: list[Any]
    ) -> None:
        self.conn, child = ctx.Pipe()
        forked = ctx.get_start_method() == "fork"
        # A spawned worker inherits no pipe (and connections must not be pickled to it).
        parent_ends = [self.conn, *siblings] if forked else []
        # The kernel's "kill me when my parent dies" follows the thread that started the
        # worker: asked for only when that is the main thread, which lives as the process.
        deathsig = sys.platform == "linux" and threading.current_thread() is threading.main_thread()
        self.process = ctx.Process(
            target=_worker_main,
            args=(child, pipeline, reload, parent_ends, os.getpid(), deathsig),
            name="geotag-worker",
            daemon=True,
        )
        try:
            with _forking_worker():
                self.process.start()
        except OSError as exc:  # no more processes, or no memory for one
            self.conn.close()
            raise GeotagError(
                f"cannot start a worker process ({exc.strerror or exc}); try fewer --jobs"
            ) from None
        finally:
            child.close()
        self.batches: deque[_Batch] = deque()
        self.served = 0


# True in the parent while it forks a worker, and so in the worker as it starts.
_FORKING = threading.Event()


@contextlib.contextmanager
def _forking_worker() -> Iterator[None]:
    _FORKING.set()
    try:
        yield
    finally:
        _FORKING.clear()


def _forget_stdin() -> None:
    """In a worker just forked: drop `sys.stdin` before multiprocessing closes it.

    A replacement worker is forked while the parent's reading thread may be blocked in a
    read of stdin, holding its buffer's lock; the fork copies that lock held, and closing
    stdin in the child (the first thing multiprocessing does there) would wait for it
    forever. The worker never reads stdin: its descriptor is pointed at /dev/null.
    """
    if _FORKING.is_set():
        sys.stdin = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_stdin)


class WorkerPool:
    """An ordered map of articles over worker processes.

    Workers are forked from the loaded pipeline (model and gazetteer index are shared, never
    rebuilt); where fork does not exist each worker loads its own once. At most a window of
    articles is in flight, so memory stays flat however many come in. A worker that dies
    (killed, out of memory, crashed in native code) is replaced: the batch it was working on
    is tried again one article at a time, and an article that kills a worker on its own
    becomes a Failure. Workers ignore SIGINT; Ctrl-C stops the parent, which ends them.
    """

    def __init__(self, pipeline: Tags, workers: int, start_method: str | None = None) -> None:
        import multiprocessing as mp

        if start_method is None:
            start_method = "fork" if "fork" in mp.get_all_start_methods() else "spawn"
        self.ctx = mp.get_context(start_method)
        self.inherited = pipeline if self.ctx.get_start_method() == "fork" else None
        self.reload = pipeline.reloader()
        self.seq = 0
        self.barren_deaths = 0
        # Started now rather than on the first next(), before a caller starts threads
        # (a progress bar) that a fork would copy in an unknown state.
        self.workers: list[_Worker] = []
        try:
            for _ in range(workers):
                self.workers.append(self._start())
        except GeotagError:
            _terminate(self.workers)
            raise
        # Ends the workers if the results are dropped without being read to the end.
        self._finalizer = weakref.finalize(self, _terminate, self.workers)

    def _start(self) -> _Worker:
        siblings = [w.conn for w in self.workers]
        return _Worker(self.ctx, self.inherited, self.reload, siblings)

    def run(self, articles: Iterable[Article | Failure]) -> Iterator[Document | Failure]:
        window = len(self.workers) * WORKER_DEPTH * PARALLEL_BATCH
        inputs = articles if isinstance(articles, Feed) else Feed(articles)
        inputs.start(window)
        done: dict[int, Document | Failure] = {}
        retry: deque[_Batch] = deque()
        # A copy of a text read before is not sent: it takes the first copy's result.
        reuse = Reuse()
        out = 0
        size = 1
        finished = False
        try:
            while True:
                while out in done or reuse.is_copy(out):
                    yield reuse.finish(out, done.pop(out, None))
                    out += 1
                while (worker := self._least_busy()) is not None:
                    if retry:
                        batch = retry.popleft()
                    elif inputs.exhausted or self.seq - out >= window:
                        break
                    else:
                        idle = not any(w.batches for w in self.workers)
                        batch = self._next_batch(inputs, size, done, reuse, wait=idle)
                        if not batch:
                            break  # nothing to read yet, or failures to hand out first
                        size = min(2 * size, PARALLEL_BATCH)
                    self._send(worker, batch)
                if any(w.batches for w in self.workers):
                    # While workers have room and inputs are still to come, look again
                    # for inputs now and then rather than wait for a result.
                    starved = (
                        self._least_busy() is not None
                        and not inputs.exhausted
                        and self.seq - out < window
                    )
                    self._collect(done, retry, INPUT_POLL if starved else None)
                elif inputs.exhausted and not retry and out == self.seq:
                    finished = True
                    return
        finally:
            inputs.close()
            self._close(graceful=finished)

    def _least_busy(self) -> _Worker | None:
        worker = min(self.workers, key=lambda w: len(w.batches))
        return worker if len(worker.batches) < WORKER_DEPTH else None

    def _next_batch(
        self,
        inputs: Feed,
        size: int,
        done: dict[int, Document | Failure],
        reuse: Reuse,
        wait: bool,
    ) -> _Batch:
        """Up to `size` inputs that are there already (fewer if long); with `wait`, wait
        for the first. Failures go straight to `done`, copies of earlier texts to `reuse`.

        Near the end of the input (when the rest is read already), batches shrink so the
        rest is shared out evenly: a worker must not sit idle at the end while another
        still holds two whole batches.
        """
        left = inputs.left()
        if left is not None:
            share = -(-left // (WORKER_DEPTH * len(self.workers)))
            size = max(1, min(size, share))
        batch: _Batch = []
        chars = 0
        for _ in range(size):
            item = next(inputs, None) if wait and not batch else inputs.poll()
            if item is None:
                break
            n = self.seq
            self.seq += 1
            if isinstance(item, Failure):
                done[n] = item
                wait = False
                continue
            if reuse.claim(n, item):
                wait = False
                continue
            batch.append((n, item))
            chars += len(item.text)
            if chars >= PARALLEL_CHARS:
                break
        return batch

    def _send(self, worker: _Worker, batch: _Batch) -> None:
        worker.batches.append(batch)
        # A dead worker's send fails: _collect sees its end and hands its batches out again.
        with contextlib.suppress(OSError):
            worker.conn.send([article for _, article in batch])

    def _collect(
        self, done: dict[int, Document | Failure], retry: deque[_Batch], timeout: float | None
    ) -> None:
        """Wait until a worker returns a batch or dies (or `timeout`), and take what it has."""
        from multiprocessing.connection import wait

        busy = [w for w in self.workers if w.batches]
        objects = [w.conn for w in busy] + [w.process.sentinel for w in busy]
        ready = set(wait(objects, timeout))
        for worker in busy:
            if worker.conn in ready or worker.process.sentinel in ready:
                self._receive(worker, done)
                if not worker.process.is_alive():
                    self._replace(worker, done, retry)

    def _receive(self, worker: _Worker, done: dict[int, Document | Failure]) -> None:
        try:
            while worker.batches and worker.conn.poll():
                kind, payload = worker.conn.recv()
                if kind == "error":
                    raise GeotagError(payload)
                batch = worker.batches.popleft()
                for (n, article), result in zip(batch, payload, strict=True):
                    if isinstance(result, Document):
                        result = replace(result, text=article.text)
                    done[n] = result
                worker.served += 1
                self.barren_deaths = 0
        except (EOFError, OSError):
            worker.process.join(timeout=5)  # it closed its end: it is exiting

    def _replace(
        self, worker: _Worker, done: dict[int, Document | Failure], retry: deque[_Batch]
    ) -> None:
        """Start a new worker in place of a dead one and deal with the batches it held."""
        reason = _exit_reason(worker.process.exitcode)
        lost = list(worker.batches)
        worker.conn.close()
        if worker.served == 0:
            self.barren_deaths += 1
            if self.barren_deaths >= MAX_BARREN_DEATHS:
                raise GeotagError(
                    f"worker processes keep dying ({reason}) before finishing any work; "
                    f"try --jobs 1"
                )
        self.workers[self.workers.index(worker)] = self._start()
        if not lost:
            return
        # The oldest batch is the one it was working on (or was about to).
        first, rest = lost[0], lost[1:]
        if len(first) == 1:
            n, article = first[0]
            name = article_name(article)
            done[n] = Failure(
                name, f"{name}: the worker process tagging it died ({reason})", article.id
            )
        else:
            rest = [[pair] for pair in first] + rest
        retry.extendleft(reversed(rest))

    def _close(self, graceful: bool) -> None:
        self._finalizer.detach()
        for worker in self.workers:
            if graceful:
                with contextlib.suppress(OSError):
                    worker.conn.send(None)
            else:
                worker.process.terminate()
        for worker in self.workers:
            worker.process.join(timeout=10 if graceful else 2)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
            worker.conn.close()


def _terminate(workers: list[_Worker]) -> None:
    for worker in workers:
        worker.process.terminate()
        worker.conn.close()


def _exit_reason(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        hint = ", out of memory?" if -code == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit code {code}"


def _worker_main(
    conn: Any,
    pipeline: Tags | None,
    reload: Reload,
    parent_ends: list[Any],
    parent: int,
    deathsig: bool,
) -> None:
    """A worker: tag the batches that arrive, send the results back, in order.

    It never prints: problems go back to the parent as messages, and it leaves with
    os._exit so nothing inherited from the parent (buffered output) is flushed twice.
    It ends with its parent, however the parent ends (see `_outlive_no_parent`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    _outlive_no_parent(parent_ends, parent, deathsig)
    code = 0
    try:
        _serve(conn, pipeline, reload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _outlive_no_parent(parent_ends: list[Any], parent: int, deathsig: bool) -> None:
    """Make sure this worker cannot outlive the process that started it.

    Its pipe then reads as closed the moment the parent is gone, which ends the worker
    (see `_serve`) once the parent's ends it inherited are closed here. On Linux the kernel
    also kills it outright (PR_SET_PDEATHSIG), even in the middle of a long text. stdin and
    stdout point at /dev/null: a worker writes nothing, and a reader of geotag's output
    sees its end as soon as the main process ends.
    """
    for end in parent_ends:
        end.close()
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):
        with contextlib.suppress(OSError):
            os.dup2(devnull, fd)
    os.close(devnull)
    if deathsig:
        _kill_me_with_my_parent()
    if os.getppid() != parent:  # the parent died before any of this was in place
        os._exit(0)


# prctl(2) option: the signal this process gets when its parent (thread) dies.
_PR_SET_PDEATHSIG = 1


def _kill_me_with_my_parent() -> None:
    import ctypes

    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)


def _serve(conn: Any, pipeline: Tags | None, reload: Reload) -> None:
    import queue
    import threading

    if pipeline is None:
        try:
            pipeline = reload()
        except GeotagError as exc:
            conn.send(("error", str(exc)))
            return
    # Batches are received on a thread, so the parent can always hand over the next one
    # even while this process is busy sending results (two blocked senders would deadlock).
    tasks: queue.SimpleQueue[list[Article] | None] = queue.SimpleQueue()

    def receive() -> None:
        try:
            while True:
                tasks.put(conn.recv())
        except (EOFError, OSError):
            # The parent's end is closed: it died, or ended this worker. Nobody will read
            # what this process would still send, so it stops now, mid-text or not.
            os._exit(0)

    threading.Thread(target=receive, name="geotag-receive", daemon=True).start()
    while (articles := tasks.get()) is not None:
        results: list[Document | Failure] = []
        for result in pipeline.tag_stream(articles, ramp=False):
            # The parent has the text: do not send it back.
            results.append(replace(result, text="") if isinstance(result, Document) else result)
        conn.send(("done", results))
