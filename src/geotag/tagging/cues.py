"""Where a story's cue words are ("in", a person's title, "of"), found once for a story
that asks often, so the searches of the few characters before each of its names run only
where a cue lies within reach of that name.

A search anchored at a name ("in X", "Mayor X", "the city of X") tries every position
of the window before it; a story with thousands of names (a long text) repeats them
thousands of times, where one scan of the text for the cue costs about as much as fifty
of them. A cue's pattern matches wherever its search could match, so the answer is the
same, found faster.
"""

from __future__ import annotations

import re
from bisect import bisect_left

# A story is scanned for a cue once it has asked about one window per this many of its
# characters (a scan of the text costs about that many window searches); before, every
# window is searched.
CHARS_PER_ASK = 64


class _Story:
    __slots__ = ("asked", "starts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.asked = 0
        self.starts: list[int] | None = None


class Cue:
    """A word (pattern) that a window search before a name cannot match without."""

    __slots__ = ("_last", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        # The last story asked about: its names ask again and again. Replaced whole, so
        # threads tagging stories at once never mix one story's text with another's cues.
        self._last = _Story("")

    def within(self, text: str, start: int, reach: int) -> bool:
        """False when the cue does not begin in text[start - reach : start], so a search
        of that window for a pattern that needs the cue cannot match; True when it does,
        or when the story has not asked often enough yet to be worth scanning."""
        story = self._last
        if story.text is not text:
            story = self._last = _Story(text)
        starts = story.starts
        if starts is None:
            story.asked += 1
            if story.asked * CHARS_PER_ASK < len(text):
                return True
            # Matches of a cue cannot overlap (each is a whole word, or a word followed
            # by a space), so finditer misses none of them.
            starts = story.starts = [m.start() for m in self.pattern.finditer(text)]
        i = bisect_left(starts, start - reach)
        return i < len(starts) and starts[i] < start
