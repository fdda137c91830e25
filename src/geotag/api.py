"""The Python API: tag one text or a stream of texts with a pipeline loaded once.

The spaCy model and the gazetteer are each loaded once per process and shared (by
`engine.model.load_nlp` and `Gazetteer.load`), so calling these functions again is cheap.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from .engine.model import DEFAULT_MODEL
from .engine.pipeline import Pipeline
from .engine.spec import PipelineSpec
from .errors import GeotagError
from .models import Article, Document, Failure


def load_pipeline(
    model: str = DEFAULT_MODEL,
    gazetteer: str | Path | None = None,
    *,
    demonyms: bool = True,
    prefer_countries: Iterable[str] = (),
    bbox: Sequence[float] | None = None,
    keep_unknown_places: bool = False,
) -> Pipeline:
    """A ready Pipeline: the spaCy model (NER components only) and the gazetteer.

    With `keep_unknown_places`, the recogniser's place names the gazetteer does not know
    are reported (unresolved) rather than judged by the place model; for an online
    geocoder to look up.
    """
    return PipelineSpec.create(
        model, gazetteer, demonyms, prefer_countries, bbox, keep_unknown_places
    ).load()


def tag_text(
    text: str, *, model: str = DEFAULT_MODEL, pipeline: Pipeline | None = None
) -> Document:
    """Tag one text."""
    return (pipeline if pipeline is not None else load_pipeline(model)).tag_text(text)


def tag_texts(
    texts: Iterable[str | Article],
    *,
    jobs: int = 1,
    model: str = DEFAULT_MODEL,
    pipeline: Pipeline | None = None,
) -> Iterator[Document]:
    """Tag many texts, yielding Documents in input order as each one is done.

    A text that cannot be tagged raises GeotagError with the reason.
    """
    pipe = pipeline if pipeline is not None else load_pipeline(model)
    articles = (t if isinstance(t, Article) else Article(t) for t in texts)
    for result in pipe.tag_articles(articles, jobs=jobs):
        if isinstance(result, Failure):
            raise GeotagError(result.error)
        yield result
