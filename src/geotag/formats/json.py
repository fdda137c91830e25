"""The `json` and `jsonl` formats: one JSON object per document, streamed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

import orjson

from ..models import Document, Failure
from .escape import json_bytes

# A document with more mentions than this (a book, a 20 MB file) is serialised in pieces:
# the same bytes, without its whole JSON and dict in memory at once.
PIECEWISE_MENTIONS = 5000
_PIECE = 1000


def document_json(doc: Document, indent: bool) -> Iterator[bytes]:
    """The bytes of `json_bytes(doc.to_dict())` (indented or not), in pieces."""
    option = orjson.OPT_INDENT_2 if indent else 0
    head: dict[str, Any] = {}
    if doc.id is not None:
        head["id"] = doc.id
    if doc.source is not None:
        head["source"] = doc.source
    rest = {
        "people": [e.to_dict() for e in doc.people],
        "organizations": [e.to_dict() for e in doc.organizations],
        "places": [e.to_dict() for e in doc.places],
        "focus": doc.focus.to_dict(),
    }
    if indent:
        opening = json_bytes(head, option)[:-2] + b",\n" if head else b"{\n"
        yield opening + b'  "entities": [\n'
        separator, pad = b",\n", b"    "
    else:
        yield (json_bytes(head)[:-1] + b"," if head else b"{") + b'"entities":['
        separator, pad = b",", b""
    for i in range(0, len(doc.mentions), _PIECE):
        chunk = doc.mentions[i : i + _PIECE]
        parts = [json_bytes(m.to_dict(), option) for m in chunk]
        if indent:
            parts = [pad + part.replace(b"\n", b"\n" + pad) for part in parts]
        yield (separator if i else b"") + separator.join(parts)
    tail = json_bytes(rest, option)
    yield (b"\n  ],\n" + tail[2:]) if indent else (b"]," + tail[1:])


class JsonWriter:
    """`json`: one indented object per document, one after another (a stream jq reads);
    `jsonl` (compact=True): one object per line."""

    def __init__(self, stream: IO[bytes], compact: bool = False, errors_inline: bool = False):
        self.stream = stream
        self.option = 0 if compact else orjson.OPT_INDENT_2
        self.errors_inline = errors_inline

    def _emit(self, obj: dict[str, Any]) -> None:
        # Appending the newline in orjson saves a copy of a document's whole JSON.
        self.stream.write(json_bytes(obj, self.option | orjson.OPT_APPEND_NEWLINE))
        self.stream.flush()

    def write(self, doc: Document) -> None:
        if len(doc.mentions) <= PIECEWISE_MENTIONS:
            self._emit(doc.to_dict())
            return
        for piece in document_json(doc, indent=bool(self.option)):
            self.stream.write(piece)
        self.stream.write(b"\n")
        self.stream.flush()

    def failure(self, failure: Failure) -> None:
        if self.errors_inline:
            self._emit(failure.to_dict())

    def close(self) -> None:
        self.stream.flush()


# The columns of `--format csv`: the document, the mention, then its resolved place (empty
