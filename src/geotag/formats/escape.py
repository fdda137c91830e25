"""Strings geotag did not write itself (paths, record ids, article text, gazetteer and
geocoder names) made safe for where they go: valid UTF-8 in files and pipes, and on a
terminal no control sequences. Every writer, and every line on stderr, goes through here.

A path that is not valid UTF-8 reaches Python with a lone surrogate for each bad byte
(os.fsdecode's "surrogateescape": U+DC80-U+DCFF stand for bytes 0x80-0xFF). UTF-8 cannot
hold one, so such a byte is written as the `\\xNN` escape `ls -b` and Python show; any other
lone surrogate (only the Python API can pass one) as `\\uNNNN`.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

_SURROGATE = re.compile("[\ud800-\udfff]")
# What a terminal would act on rather than show: C0 controls (ESC starts every escape
# sequence), DEL, C1 controls (U+009B is a one-character CSI), and the bidirectional
# overrides and isolates that reorder what is shown ("Trojan Source"). Lone surrogates too.
_TERMINAL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_TERMINAL_LINES = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED:
        return _NAMED[char]
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def unsurrogate(text: str) -> str:
    """`text` with each lone surrogate escaped, so it can be written as UTF-8."""
    if text.isascii():
        return text
    return _SURROGATE.sub(_escape, text)


def for_terminal(text: str, lines: bool = False) -> str:
    """`text` as a terminal should show it: control characters, bidirectional overrides
    and lone surrogates written as escapes (`\\x1b`, `\\n`, `\\u202e`, `\\xff`). With
    `lines`, newlines are kept (for messages of several lines)."""
    return (_TERMINAL_LINES if lines else _TERMINAL).sub(_escape, text)


def utf8(text: str) -> bytes:
    """`text` as UTF-8, lone surrogates escaped (checked only when encoding fails)."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return unsurrogate(text).encode("utf-8")


def json_bytes(obj: Any, option: int = 0) -> bytes:
    """`orjson.dumps(obj, option=option)` for any value geotag writes.

    orjson refuses two things an input can bring: a lone surrogate (a file name that is not
    UTF-8) and an integer beyond 64 bits (a record's id). The first is escaped as in
    `unsurrogate`; the second is written whole by the standard library. Only output that
    orjson refused takes this longer way.
    """
    try:
        return orjson.dumps(obj, option=option)
    except TypeError:  # orjson.JSONEncodeError
        pass
    clean = _unsurrogate_all(obj)
    try:
        return orjson.dumps(clean, option=option)
    except TypeError:
        pass
    indent = 2 if option & orjson.OPT_INDENT_2 else None
    text = json.dumps(
        clean,
        ensure_ascii=False,
        allow_nan=False,
        indent=indent,
        separators=(",", ": ") if indent else (",", ":"),
    )
    return text.encode("utf-8") + (b"\n" if option & orjson.OPT_APPEND_NEWLINE else b"")


def _unsurrogate_all(obj: object) -> object:
    if isinstance(obj, str):
        return unsurrogate(obj)
    if isinstance(obj, dict):
        return {_unsurrogate_all(k): _unsurrogate_all(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_unsurrogate_all(v) for v in obj]
    return obj
