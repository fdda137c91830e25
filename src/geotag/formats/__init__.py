"""One streaming writer per output format: each document is written (and flushed) as soon
as it is tagged, so `| head`, `| jq` and Ctrl-C keep what was finished."""

from __future__ import annotations

from typing import IO, Protocol

from ..models import Document, Failure

FORMATS = ("table", "json", "jsonl", "csv", "geojson", "html")


class Writer(Protocol):
    """What the run loop needs of a format: a document, a failed input, the end."""

    def write(self, doc: Document) -> None: ...

    def failure(self, failure: Failure) -> None: ...

    def close(self) -> None: ...


def make_writer(
    fmt: str,
    stream: IO[bytes],
    *,
    no_color: bool = False,
    width: int | None = None,
    errors_inline: bool = False,
    csv_raw: bool = False,
    explain: bool = False,
) -> Writer:
    """The writer for `fmt` (one of FORMATS) on `stream`; `table` writes to stdout's console.
    `csv_raw` leaves CSV cells that would start a spreadsheet formula as they are;
    `explain` adds the CSV column and the HTML report's column that say why each place was
    chosen (the other formats show the explanations documents carry without being told)."""
    if fmt == "csv":
        from .csv import CsvWriter

        return CsvWriter(stream, raw=csv_raw, explain=explain)
    if fmt == "geojson":
        from .geojson import GeoJsonWriter

        return GeoJsonWriter(stream)
    if fmt == "html":
        from .html import HtmlReportWriter

        return HtmlReportWriter(stream, explain=explain)
    if fmt == "table":
        from .table import TableWriter, make_console

        return TableWriter(make_console(no_color, width))
    if fmt in ("json", "jsonl"):
        from .json import JsonWriter

        return JsonWriter(stream, compact=fmt == "jsonl", errors_inline=errors_inline)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
