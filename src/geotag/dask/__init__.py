"""geotag on a Dask cluster: tag bags, dataframes and whole archives with the documents a
local run gives (`corpus`), and the ordered executor behind `geotag --cluster` (`executor`).
This is the one package that imports dask; `import geotag` never loads it.

Each worker process loads the pipeline once (`workers`: a per-process cache keyed by its
options) and the gazetteer's compiled index is built once per machine. A record that
cannot be tagged becomes an error record (`records`), never a failed task.
"""

from __future__ import annotations

from .corpus import CorpusSummary, tag_bag, tag_corpus, tag_dataframe
from .records import ERROR_COLUMN, mention_dtypes, mention_meta
from .workers import load_on_workers

__all__ = [
    "ERROR_COLUMN",
    "CorpusSummary",
    "load_on_workers",
    "mention_dtypes",
    "mention_meta",
    "tag_bag",
    "tag_corpus",
    "tag_dataframe",
]
