"""The `csv` format: one row per mention, RFC 4180, the values of the JSON output, with
text cells that a spreadsheet would run as a formula made inert."""

from __future__ import annotations

import csv
import io
import re
from typing import IO, Any

from ..models import Document, Failure, Mention, id_text
from .escape import utf8
from .explain import explain_cell

# The columns of `--format csv`: the document, the mention, then its resolved place (empty
# for people, organisations and unresolved places). Values are those of the JSON output.
CSV_COLUMNS = (
    "source",
    "id",
    "start",
    "end",
    "text",
    "label",
    "ner_label",
    "kind",
    "role",
    "place_name",
    "lat",
    "lon",
    "country_code",
    "country",
    "admin1",
    "feature_class",
    "feature_code",
    "geonameid",
    "population",
    "confidence",
    "place_source",
    "precision",
    "inside",
)
_PLACE_CELLS = (
    ("place_name", "name"),
    ("lat", "lat"),
    ("lon", "lon"),
    ("country_code", "country_code"),
    ("country", "country"),
    ("admin1", "admin1"),
    ("feature_class", "feature_class"),
    ("feature_code", "feature_code"),
    ("geonameid", "geonameid"),
    ("population", "population"),
    ("confidence", "confidence"),
    ("place_source", "source"),
    # "within" when the mention is not the place but lies in it; empty otherwise.
    ("precision", "precision"),
)


# A text cell starting with one of these is a formula to Excel, LibreOffice and Google
# Sheets (=HYPERLINK(...), @SUM(...), -2+3, a tab or carriage return before one): OWASP's
# advice on CSV injection is an apostrophe in front, which spreadsheets read as "this is
# text" and do not show. Numbers geotag writes (offsets, -33.86) are not text cells and
# stay numbers; "-" and "-:N", geotag's names for stdin and its records, cannot be formulas.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_STDIN_SOURCE = re.compile(r"-(:[0-9]+)?")


def inert(cell: str) -> str:
    """A text cell that no spreadsheet will run as a formula."""
    if cell.startswith(FORMULA_STARTS) and not _STDIN_SOURCE.fullmatch(cell):
        return "'" + cell
    return cell


# The column `--explain` adds: the rule that decided and why ("parent: named parent:
# Texas", "score: scored best (5.16): story's country US +1.30, ...").
EXPLAIN_COLUMN = "explain"


def mention_row(doc: Document, mention: Mention, explain: bool = False) -> list[Any]:
    """One CSV row: a mention with its place, in the order of CSV_COLUMNS (then the
    explanation, with `explain`). The values are taken from the mention's JSON form, so
    both formats always say the same; an id that is not a string or a number is written
    as its JSON."""
    m = mention.to_dict()
    place = m.get("place") or {}
    rid = doc.id
    if rid is not None and (isinstance(rid, bool) or not isinstance(rid, (int, float))):
        rid = id_text(rid)
    row = [doc.source, rid, *(m.get(k) for k in CSV_COLUMNS[2:9])]
    row += [place.get(key) for _, key in _PLACE_CELLS]
    # The organisation a place is named inside (role `embedded`); empty otherwise.
    row.append((m.get("inside") or {}).get("text"))
    if explain:
        row.append(explain_cell(mention.resolution))
    return ["" if cell is None else cell for cell in row]


class CsvWriter:
    """`csv`: one row per mention, a header row once per run, RFC 4180 (comma-separated,
    CRLF line ends, fields quoted where needed, quotes doubled), UTF-8 without a BOM.

    Text cells that would start a formula get a leading apostrophe unless `raw`; with
    `explain`, a last column says why each place was chosen. Documents with no mention
    add no row; failed inputs are reported on stderr only."""

    def __init__(self, stream: IO[bytes], raw: bool = False, explain: bool = False) -> None:
        self.stream = stream
        self.raw = raw
        self.explain = explain
        self._header_written = False

    def _emit(self, rows: list[list[Any]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # the "excel" dialect is RFC 4180's
        if not self._header_written:
            writer.writerow((*CSV_COLUMNS, EXPLAIN_COLUMN) if self.explain else CSV_COLUMNS)
            self._header_written = True
        if not self.raw:
            rows = [[inert(c) if isinstance(c, str) else c for c in row] for row in rows]
        writer.writerows(rows)
        self.stream.write(utf8(buffer.getvalue()))
        self.stream.flush()

    def write(self, doc: Document) -> None:
        self._emit([mention_row(doc, m, self.explain) for m in doc.mentions])

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        if not self._header_written:
            self._emit([])
        self.stream.flush()
