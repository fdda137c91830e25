"""Records in, results out: what a partition's elements, JSON Lines blocks, text files and
dataframe rows become (an Article, or a rejected record and why), and what a tagged
partition becomes (JSON documents and error records, or the typed mention table)."""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

from ..errors import InputError
from ..formats.csv import CSV_COLUMNS, mention_row
from ..models import Article, Document, Failure, RecordId, id_text
from ..options import PipelineOptions
from .workers import tag_articles

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

# The mention table: the columns of `--format csv`, typed, and an `error` column that is set
# (with `source` and `id`) on the row standing for a record that could not be tagged.
ERROR_COLUMN = "error"
_INTEGER_COLUMNS = frozenset({"start", "end", "geonameid", "population"})
_FLOAT_COLUMNS = frozenset({"lat", "lon", "confidence"})


@dataclass(frozen=True, slots=True)
class Rejected:
    """An input record that cannot be tagged, and why."""

    id: RecordId | None
    source: str | None
    error: str


Item: TypeAlias = "Article | Rejected"
Result: TypeAlias = "tuple[Item, Document | Failure]"


def mention_dtypes() -> dict[str, Any]:
    """Column -> pandas dtype of the mention table: nullable Int64 and Float64 for numbers,
    pyarrow strings for the rest, in the order of `--format csv` plus `error`."""
    import pandas as pd

    # A renamed numeric column would otherwise turn into a string column without a sound.
    missing = (_INTEGER_COLUMNS | _FLOAT_COLUMNS) - set(CSV_COLUMNS)
    if missing:
        raise RuntimeError(f"numeric columns missing from the CSV layout: {sorted(missing)}")
    dtypes: dict[str, Any] = {}
    for column in (*CSV_COLUMNS, ERROR_COLUMN):
        if column in _INTEGER_COLUMNS:
            dtypes[column] = pd.Int64Dtype()
        elif column in _FLOAT_COLUMNS:
            dtypes[column] = pd.Float64Dtype()
        else:
            dtypes[column] = pd.StringDtype("pyarrow")
    return dtypes


def mention_meta() -> pd.DataFrame:
    """An empty mention table: the `meta` of `tag_dataframe`, so Dask never samples."""
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in mention_dtypes().items()})


def mention_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.Schema.from_pandas(mention_meta(), preserve_index=False)


# -- records in ------------------------------------------------------------------------------


def _name(rid: RecordId | None, source: str | None) -> str:
    # As geotag names inputs in its messages: the source, else the id.
    if source is not None:
        return source
    return f"id {id_text(rid)}" if rid is not None else "<record>"


def checked(text: Any, rid: RecordId | None, source: str | None, field: str) -> Item:
    """The article, or why `text` (the value of `field`) cannot be one."""
    name = _name(rid, source)
    if text is None:
        return Rejected(rid, source, f"{name}: no {field!r} field in the record")
    if not isinstance(text, str):
        kind = type(text).__name__
        return Rejected(rid, source, f"{name}: field {field!r} is {kind}, not a string")
    if not text.strip():
        # An empty body in an archive is a failed extraction upstream, worth seeing.
        what = "empty" if not text else "only whitespace"
        return Rejected(rid, source, f"{name}: field {field!r} is {what}")
    return Article(text, source=source, id=rid)


def from_element(element: Any, text_field: str, id_field: str) -> Item:
    """A bag element: a text, or a record with a text and an id."""
    if isinstance(element, str):
        return checked(element, None, None, text_field)
    if isinstance(element, Mapping):
        return checked(element.get(text_field), element.get(id_field), None, text_field)
    kind = type(element).__name__
    return Rejected(None, None, f"<record>: expected a text or a record, got {kind}")


def from_jsonl_block(
    block: bytes, path: str, block_number: int, text_field: str, id_field: str
) -> list[Item]:
    """The records of a block of JSON Lines. Sources are PATH:LINE, as in a local run;
    lines of later blocks of a split file read PATH#BLOCK:LINE, counted in the block."""
    from ..readers import read_jsonl

    where = path if block_number == 0 else f"{path}#{block_number}"
    # The local reader, so a block's records are read exactly as a local run reads them
    # (encodings, ids kept digit for digit, ids nested too deep refused).
    return [
        checked(x.text, x.id, x.source, text_field)
        if isinstance(x, Article)
        else Rejected(x.id, x.source, x.error)
        for x in read_jsonl(io.BytesIO(block), where, text_field, id_field)
    ]


def from_text_files(files: Sequence[Any]) -> list[Item]:
    """One article per file (fsspec OpenFiles), decoded as a local run decodes files."""
    from ..readers import decode

    items: list[Item] = []
    for opened in files:
        source = display_path(opened.fs, opened.path)
        try:
            with opened as f:
                data = f.read()
            text = decode(data, source)
        except OSError as exc:
            items.append(Rejected(None, source, f"{source}: cannot read: {exc}"))
            continue
        except InputError as exc:
            items.append(Rejected(None, source, str(exc)))
            continue
        items.append(checked(text, None, source, "text"))
    return items


def from_frame(frame: pd.DataFrame, text_column: str, id_column: str | None) -> list[Item]:
    """The rows of a pandas partition; ids from `id_column`, else from the index."""
    texts = frame[text_column].tolist()
    nulls = frame[text_column].isna().tolist()
    ids = frame[id_column] if id_column is not None else frame.index.to_series()
    id_nulls = ids.isna().tolist()
    items: list[Item] = []
    for text, null, rid, id_null in zip(texts, nulls, ids.tolist(), id_nulls, strict=True):
        items.append(checked(None if null else text, None if id_null else rid, None, text_column))
    return items


def display_path(fs: Any, path: str) -> str:
    protocol = fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,)
    return path if "file" in protocol else str(fs.unstrip_protocol(path))


# -- results out -----------------------------------------------------------------------------


def tag_items(items: Sequence[Item], options: PipelineOptions) -> list[Result]:
    """Each item with its Document or Failure, in order; rejected records pass through."""
    feed: list[Article | Failure] = [
        item
        if isinstance(item, Article)
        else Failure(_name(item.id, item.source), item.error, item.id)
        for item in items
    ]
    return list(zip(items, tag_articles(feed, options), strict=True))


def error_record(item: Item, error: str) -> dict[str, Any]:
    record: dict[str, Any] = {}
    if item.id is not None:
        record["id"] = item.id
    if item.source is not None:
        record["source"] = item.source
    record["error"] = error
    return record


def documents(results: Iterable[Result]) -> list[dict[str, Any]]:
    return [
        result.to_dict() if isinstance(result, Document) else error_record(item, result.error)
        for item, result in results
    ]


def mention_frame(results: Iterable[Result]) -> pd.DataFrame:
    """The mention table of tagged items: one row per mention, one per error record."""
    import pandas as pd

    width = len(CSV_COLUMNS)
    rows: list[list[Any]] = []
    for item, result in results:
        rid = None if item.id is None else id_text(item.id)
        if isinstance(result, Document):
            for mention in result.mentions:
                # The CSV row writes a missing value as "": here it is a null again. No
                # real cell is "" (text is never empty; empty names are already None).
                cells = mention_row(result, mention)
                row = [result.source, rid, *(None if c == "" else c for c in cells[2:])]
                rows.append([*row, None])
        else:
            rows.append([item.source, rid, *([None] * (width - 2)), result.error])
    dtypes = mention_dtypes()
    frame = pd.DataFrame(rows, columns=list(dtypes), dtype=object)
    return frame.astype(dtypes)
