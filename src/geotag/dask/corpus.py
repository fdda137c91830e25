"""Tagging Dask collections and whole corpora: bags of texts or records, dataframes, and
archives read and written by the workers (`tag_corpus`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import dask
import dask.bag
import orjson
from dask.delayed import Delayed, delayed

from ..errors import GeotagError
from ..models import Document
from ..options import PipelineOptions
from .records import (
    Item,
    display_path,
    documents,
    from_element,
    from_frame,
    from_jsonl_block,
    from_text_files,
    mention_frame,
    mention_meta,
    mention_schema,
    tag_items,
)

if TYPE_CHECKING:
    import dask.dataframe
    import pandas as pd
    from fsspec import AbstractFileSystem

InputFormat = Literal["jsonl", "parquet", "text"]
OutputFormat = Literal["jsonl", "parquet"]


def tag_bag(
    bag: dask.bag.Bag,
    *,
    text_field: str = "text",
    id_field: str = "id",
    **options: Any,
) -> dask.bag.Bag:
    """Tag a bag of texts, or of records (mappings) with a text and an id, lazily.

    The result holds, in input order, each input's document as JSON (`Document.to_dict()`,
    what `--format json` writes), or for an input that cannot be tagged (no text, text
    not a string or empty, an element neither text nor record) an error record
    `{"id": ..., "error": ...}` in its place. `options`: those of `geotag.load_pipeline`
    (the fields of `PipelineOptions`), by keyword; the model and gazetteer paths are read
    on the workers.
    """
    chosen = PipelineOptions(**options)
    tagged: dask.bag.Bag = bag.map_partitions(  # type: ignore[no-untyped-call]
        _tag_bag_partition, text_field, id_field, chosen
    )
    return tagged


def _tag_bag_partition(
    partition: Iterable[Any], text_field: str, id_field: str, options: PipelineOptions
) -> list[dict[str, Any]]:
    items = [from_element(element, text_field, id_field) for element in partition]
    return documents(tag_items(items, options))


def tag_dataframe(
    ddf: dask.dataframe.DataFrame,
    text_column: str = "text",
    id_column: str | None = "id",
    **options: Any,
) -> dask.dataframe.DataFrame:
    """Tag the texts of a dataframe: one row per mention with the columns of `--format
    csv`, typed (see `mention_dtypes`), plus `error`, set on the one row that stands for
    a text that could not be tagged. Documents without a mention add no row, as in the
    CSV. Ids come from `id_column`, or from the index when it is None. Lazy; the meta
    is declared, so nothing runs until you compute. `options`: as for `tag_bag`.
    """
    wanted = [text_column] if id_column is None else [text_column, id_column]
    missing = [c for c in wanted if c not in ddf.columns]
    if missing:
        have = ", ".join(map(str, ddf.columns))
        raise GeotagError(f"no column {missing[0]!r} in the dataframe (columns: {have})")
    chosen = PipelineOptions(**options)
    tagged: dask.dataframe.DataFrame = ddf[wanted].map_partitions(
        _tag_frame_partition,
        text_column,
        id_column,
        chosen,
        meta=mention_meta(),
        clear_divisions=True,
    )
    return tagged


def _tag_frame_partition(
    frame: pd.DataFrame, text_column: str, id_column: str | None, options: PipelineOptions
) -> pd.DataFrame:
    return mention_frame(tag_items(from_frame(frame, text_column, id_column), options))


@dataclass(frozen=True)
class CorpusSummary:
    """What `tag_corpus` did: documents tagged, their mentions, error records written."""

    documents: int
    mentions: int
    failures: int
    partitions: int
    output: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "mentions": self.mentions,
            "failures": self.failures,
            "partitions": self.partitions,
            "output": self.output,
        }


def tag_corpus(
    inputs: str | Sequence[str],
    output: str,
    *,
    input_format: InputFormat = "jsonl",
    output_format: OutputFormat = "jsonl",
    text_field: str = "text",
    id_field: str = "id",
    blocksize: int | str | None = None,
    files_per_partition: int = 64,
    compression: str | None = "infer",
    storage_options: dict[str, Any] | None = None,
    overwrite: bool = False,
    compute: bool = True,
    **options: Any,
) -> CorpusSummary | Delayed:
    """Tag a corpus where it lies and write the results next to it: the workers read,
    tag and write; no text passes through this process.

    `inputs`: paths, globs or fsspec URLs (`s3://`, `gs://`, `hdfs://` with their
    filesystems installed). `input_format`: `jsonl` (one record a line, `text_field` and
    `id_field`; one partition per file, or per `blocksize` bytes of it), `parquet`
    (columns `text_field` and `id_field`) or `text` (one article per file,
    `files_per_partition` files a partition).

    `output` is a directory, written as part-NNNNN.jsonl files (the JSON documents, and
    error records `{"id", "source", "error"}` in place of records that could not be
    tagged) or part-NNNNN.parquet files (the mention table of `tag_dataframe`). It must
    not exist or be empty unless `overwrite`. A rerun task rewrites its whole part, so
    a worker lost mid-run leaves every input in the output exactly once.

    `options`: as for `tag_bag`. Returns the summary; with `compute=False`, a Delayed
    that computes it (and writes).
    """
    if input_format not in ("jsonl", "parquet", "text"):
        raise GeotagError(f"unknown input format {input_format!r}: jsonl, parquet or text")
    if output_format not in ("jsonl", "parquet"):
        raise GeotagError(f"unknown output format {output_format!r}: jsonl or parquet")
    chosen = PipelineOptions(**options)
    storage = storage_options or {}
    if input_format == "jsonl":
        parts = _jsonl_parts(inputs, text_field, id_field, blocksize, compression, storage)
    elif input_format == "text":
        parts = _text_parts(inputs, files_per_partition, compression, storage)
    else:
        parts = _parquet_parts(inputs, text_field, id_field, storage)
    fs, root = _prepare_output(output, overwrite, storage)
    token = dask.base.tokenize(inputs, output, input_format, output_format, chosen, parts)
    write = delayed(_write_part, pure=True)
    counts = [
        write(
            part,
            chosen,
            fs,
            f"{root}/part-{n:05d}.{output_format}",
            output_format,
            dask_key_name=f"geotag-part-{token}-{n}",
        )
        for n, part in enumerate(parts)
    ]
    summary: Delayed = delayed(_summarise, pure=True)(
        counts, output, dask_key_name=f"geotag-summary-{token}"
    )
    if not compute:
        return summary
    result: CorpusSummary = summary.compute()  # type: ignore[no-untyped-call]
    return result


def _jsonl_parts(
    inputs: str | Sequence[str],
    text_field: str,
    id_field: str,
    blocksize: int | str | None,
    compression: str | None,
    options: dict[str, Any],
) -> list[Delayed]:
    from dask.bytes.core import read_bytes

    if isinstance(blocksize, str):
        blocksize = dask.utils.parse_bytes(blocksize)
    try:
        # read_bytes is what dask.bag.read_text reads with; it is used directly because
        # each block must know its file and place (for PATH:LINE) and its lines are parsed
        # here, one by one, so a bad line is an error record and not a failed partition.
        _, blocks, paths = read_bytes(  # type: ignore[no-untyped-call]
            inputs,
            delimiter=b"\n",
            blocksize=blocksize,
            sample=False,
            compression=compression,
            include_path=True,
            **options,
        )
    except (OSError, ValueError) as exc:
        raise GeotagError(f"cannot read {_describe(inputs)}: {exc}") from None
    fs = _filesystem(inputs, options)
    parse = delayed(from_jsonl_block, pure=True)
    return [
        parse(block, display_path(fs, path), j, text_field, id_field)
        for file_blocks, path in zip(blocks, paths, strict=True)
        for j, block in enumerate(file_blocks)
    ]


def _text_parts(
    inputs: str | Sequence[str],
    files_per_partition: int,
    compression: str | None,
    options: dict[str, Any],
) -> list[Delayed]:
    import fsspec

    if files_per_partition < 1:
        raise GeotagError("files_per_partition must be at least 1")
    # dask's text readers split files into lines; here a file is an article, so files are
    # opened with fsspec (what those readers are built on) and grouped into partitions.
    files = fsspec.open_files(inputs, mode="rb", compression=compression, **options)
    if not files:
        raise GeotagError(f"no files match {_describe(inputs)}")
    read = delayed(from_text_files, pure=True)
    return [
        read(list(files[start : start + files_per_partition]))
        for start in range(0, len(files), files_per_partition)
    ]


def _parquet_parts(
    inputs: str | Sequence[str], text_column: str, id_column: str, options: dict[str, Any]
) -> list[Delayed]:
    import dask.dataframe as dd

    try:
        ddf = dd.read_parquet(inputs, storage_options=options or None)
    except (OSError, ValueError) as exc:
        raise GeotagError(f"cannot read {_describe(inputs)}: {exc}") from None
    # Parquet rows have no line to name them by: the id column is what locates a row.
    missing = [c for c in (text_column, id_column) if c not in ddf.columns]
    if missing:
        have = ", ".join(map(str, ddf.columns))
        raise GeotagError(f"no column {missing[0]!r} in {_describe(inputs)} (columns: {have})")
    frames = ddf[[text_column, id_column]].to_delayed()
    rows = delayed(from_frame, pure=True)
    return [rows(frame, text_column, id_column) for frame in frames]


def _describe(inputs: str | Sequence[str]) -> str:
    return inputs if isinstance(inputs, str) else ", ".join(inputs)


def _filesystem(target: str | Sequence[str], options: dict[str, Any]) -> AbstractFileSystem:
    from fsspec.core import url_to_fs

    first = target if isinstance(target, str) else target[0]
    return url_to_fs(first, **options)[0]


def _prepare_output(
    output: str, overwrite: bool, options: dict[str, Any]
) -> tuple[AbstractFileSystem, str]:
    from fsspec.core import url_to_fs

    fs, root = url_to_fs(output, **options)
    root = str(root).rstrip("/")
    if fs.exists(root):
        if not fs.isdir(root):
            raise GeotagError(f"output {output} exists and is not a directory")
        if fs.ls(root):
            if not overwrite:
                raise GeotagError(
                    f"output {output} is not empty; choose a new directory or pass "
                    f"overwrite=True to replace it"
                )
            # Parts of an earlier, larger run would otherwise mix with this one's.
            fs.rm(root, recursive=True)
    fs.makedirs(root, exist_ok=True)
    return fs, root


def _write_part(
    items: list[Item], options: PipelineOptions, fs: Any, path: str, output_format: OutputFormat
) -> tuple[int, int, int]:
    """Tag a partition and write it whole to `path`; (documents, mentions, failures)."""
    results = tag_items(items, options)
    tagged = sum(isinstance(r, Document) for _, r in results)
    mentions = sum(len(r.mentions) for _, r in results if isinstance(r, Document))
    if output_format == "jsonl":
        lines = b"".join(
            orjson.dumps(record, option=orjson.OPT_APPEND_NEWLINE) for record in documents(results)
        )
        with fs.open(path, "wb") as f:
            f.write(lines)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        frame = mention_frame(results)
        table = pa.Table.from_pandas(frame, schema=mention_schema(), preserve_index=False)
        with fs.open(path, "wb") as f:
            pq.write_table(table, f)
    return tagged, mentions, len(results) - tagged


def _summarise(counts: list[tuple[int, int, int]], output: str) -> CorpusSummary:
    return CorpusSummary(
        documents=sum(c[0] for c in counts),
        mentions=sum(c[1] for c in counts),
        failures=sum(c[2] for c in counts),
        partitions=len(counts),
        output=output,
    )
