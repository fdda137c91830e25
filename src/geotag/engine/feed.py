"""The feed of articles into the recogniser (whatever read them: `geotag.readers`, a list,
a generator): taken as they are needed, or read ahead on a thread so a tagger can see
whether the next one has arrived."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ..models import Article, Failure, id_text


class Feed:
    """Articles taken where they are used: `poll` waits for the next one."""

    def __init__(self, items: Iterable[Article | Failure]) -> None:
        self._items = iter(items)
        self.exhausted = False

    def start(self, ahead: int) -> None:
        return None

    def ready(self) -> bool:
        return True

    def __iter__(self) -> Iterator[Article | Failure]:
        return self

    def __next__(self) -> Article | Failure:
        try:
            return next(self._items)
        except StopIteration:
            self.exhausted = True
            raise

    def poll(self) -> Article | Failure | None:
        return next(self, None)

    def left(self) -> int | None:
        """How many items are still to come, when that is known already (None if not)."""
        return 0 if self.exhausted else None

    def close(self) -> None:
        return None


class ReadAheadFeed(Feed):
    """Articles read on a thread, a little ahead, so whoever tags them can see whether the
    next one is there yet and need not wait on a slow pipe or disk while work is at hand
    (JSON Lines growing in a pipe, `find` still walking); it also overlaps reading files
    with tagging. An exception in reading is raised to the consumer."""

    def __init__(self, items: Iterable[Article | Failure]) -> None:
        import queue
        import threading

        super().__init__(items)
        self._queue: queue.Queue[Any] = queue.Queue()  # replaced, bounded, in start()
        self._closed = threading.Event()
        self._all_read = threading.Event()  # the last item (and the end) is in the queue

    def start(self, ahead: int) -> None:
        import queue
        import threading

        self._queue = queue.Queue(max(1, ahead))
        threading.Thread(target=self._fill, name="geotag-read", daemon=True).start()

    def _fill(self) -> None:
        try:
            for item in self._items:
                self._queue.put(item)
                if self._closed.is_set():
                    return
        except BaseException as exc:  # raised in the consumer, where it can be handled
            self._queue.put(_Raised(exc))
            return
        self._queue.put(_END)
        self._all_read.set()

    def ready(self) -> bool:
        """True when the next item (or the end) can be had without waiting."""
        return self.exhausted or not self._queue.empty()

    def __next__(self) -> Article | Failure:
        if self.exhausted:
            raise StopIteration
        return self._take(self._queue.get())

    def poll(self) -> Article | Failure | None:
        """The next item if it is there already, else None (see `exhausted`)."""
        import queue

        if self.exhausted:
            return None
        try:
            return self._take(self._queue.get_nowait())
        except (queue.Empty, StopIteration):
            return None

    def left(self) -> int | None:
        """The items still to come once the input is read to its end (the queue then
        holds them all, and the end), else None."""
        if self.exhausted:
            return 0
        if not self._all_read.is_set():
            return None
        return max(0, self._queue.qsize() - 1)

    def _take(self, item: Any) -> Article | Failure:
        if item is _END:
            self.exhausted = True
            raise StopIteration
        if isinstance(item, _Raised):
            self.exhausted = True
            raise item.exc
        assert isinstance(item, (Article, Failure))
        return item

    def close(self) -> None:
        """Stop reading ahead: free the thread if it waits to hand over an item."""
        import queue

        self._closed.set()
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass


_END = object()


@dataclass(frozen=True, slots=True)
class _Raised:
    exc: BaseException


def article_name(article: Article) -> str:
    """How messages name an article: its source, else its id."""
    if article.source:
        return article.source
    return f"id {id_text(article.id)}" if article.id is not None else "<text>"
