"""Where a story's cue words are ("in", "near", "of", a person's title), found once per
story, so the searches of the few characters before each of its names run only where
a cue lies within reach of that name.

A search anchored at a name ("in X", "north of X", "Mayor X") tries every position of
the window before it; a story of a few hundred names made such searches a tenth of its
tagging. A cue's pattern matches wherever its search could match, so the answer is the
same, found faster.
"""

from __future__ import annotations

import re
from bisect import bisect_left


class Cue:
    """A word (pattern) that a window search before a name cannot match without."""

    __slots__ = ("_last", "pattern")

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = re.compile(pattern, flags)
        # The last story asked about and where the cue begins in it: the names of one
        # story ask again and again. One tuple, replaced whole, so that threads tagging
        # stories at once never see one story's text with another's positions.
        self._last: tuple[str, list[int]] = ("", [])

    def within(self, text: str, start: int, reach: int) -> bool:
        """Whether the cue begins in text[start - reach : start]: False means a search of
        that window for a pattern that needs the cue cannot match."""
        last = self._last
        if last[0] is not text:
            # Matches of a cue cannot overlap (each is a whole word, or a word followed
            # by a space), so finditer misses none of them.
            last = self._last = (text, [m.start() for m in self.pattern.finditer(text)])
        starts = last[1]
        i = bisect_left(starts, start - reach)
        return i < len(starts) and starts[i] < start
