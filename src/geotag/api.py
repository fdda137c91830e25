"""The Python API: tag one text or a stream of texts with a pipeline loaded once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from . import DEFAULT_MODEL
from .errors import GeotagError
from .gazetteer import Gazetteer
from .models import Article, Document, Failure
from .pipeline import Pipeline
from .resolver import ResolverOptions
from .tagger import TagOptions

_loaded: dict[tuple[str, str | None], Pipeline] = {}


def load_pipeline(
    model: str = DEFAULT_MODEL,
    gazetteer: str | Path | None = None,
    *,
    demonyms: bool = True,
    prefer_countries: Iterable[str] = (),
    bbox: tuple[float, float, float, float] | None = None,
) -> Pipeline:
    """A ready Pipeline: the spaCy model (NER components only) and the gazetteer."""
    options = TagOptions(
        demonyms=demonyms,
        resolver=ResolverOptions(
            prefer_countries=tuple(c.upper() for c in prefer_countries), bbox=bbox
        ),
    )
    return Pipeline(model, Gazetteer.load(gazetteer), options)


def _default(model: str) -> Pipeline:
    key = (model, None)
    if key not in _loaded:
        _loaded[key] = load_pipeline(model)
    return _loaded[key]


def tag_text(
    text: str, *, model: str = DEFAULT_MODEL, pipeline: Pipeline | None = None
) -> Document:
    """Tag one text. The default pipeline is loaded on first use and kept."""
    return (pipeline or _default(model)).tag_text(text)


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
    pipe = pipeline or _default(model)
    articles = (t if isinstance(t, Article) else Article(t) for t in texts)
    for result in pipe.tag_articles(articles, jobs=jobs):
        if isinstance(result, Failure):
            raise GeotagError(result.error)
        yield result
