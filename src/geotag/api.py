"""The Python API: tag one text or a stream of texts with a pipeline loaded once.

The spaCy model and the gazetteer are each loaded once per process and shared (by
`engine.model.load_nlp` and `Gazetteer.load`), so calling these functions again is cheap.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Iterator
from typing import ParamSpec

from .engine.pipeline import Pipeline
from .errors import GeotagError
from .models import Article, Document, Failure
from .options import DEFAULT_MODEL, PipelineOptions

_Options = ParamSpec("_Options")


def _takes_options(
    options: Callable[_Options, PipelineOptions],
) -> Callable[[Callable[[PipelineOptions], Pipeline]], Callable[_Options, Pipeline]]:
    """A function of PipelineOptions made to take their fields as its arguments, with their
    names, defaults and types (for `help()` and type checkers too)."""

    def decorate(load: Callable[[PipelineOptions], Pipeline]) -> Callable[_Options, Pipeline]:
        @functools.wraps(load)
        def with_options(*args: _Options.args, **kwargs: _Options.kwargs) -> Pipeline:
            return load(options(*args, **kwargs))

        signature = inspect.signature(options).replace(return_annotation="Pipeline")
        setattr(with_options, "__signature__", signature)  # noqa: B010
        return with_options

    return decorate


@_takes_options(PipelineOptions)
def load_pipeline(options: PipelineOptions) -> Pipeline:
    """A ready Pipeline: the spaCy model (NER components only) and the gazetteer.

    Takes the fields of `geotag.options.PipelineOptions` as its arguments (the first two
    may be given by position), and their looser forms: a path for the gazetteer (None:
    $GEOTAG_GAZETTEER or the shipped one), any iterable of country codes, four numbers.
    """
    return Pipeline.load(options)


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
