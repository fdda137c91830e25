"""What a pipeline is loaded from, as one small hashable value: it keys a cache, travels
with a task to another process, and is what the CLI's options become."""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ..models import BBox, bbox_of, country_codes
from .model import DEFAULT_MODEL

if TYPE_CHECKING:
    from .pipeline import Pipeline

_Spec = TypeVar("_Spec", bound="PipelineSpec")


@dataclass(frozen=True, slots=True)
class PipelineSpec:
    """Which model and gazetteer to load, and how to resolve places."""

    model: str = DEFAULT_MODEL
    gazetteer: str | None = None
    demonyms: bool = True
    prefer_countries: tuple[str, ...] = ()
    bbox: BBox | None = None
    keep_unknown_places: bool = False  # set when an online geocoder will look them up

    @classmethod
    def create(
        cls: type[_Spec],
        model: str = DEFAULT_MODEL,
        gazetteer: str | os.PathLike[str] | None = None,
        demonyms: bool = True,
        prefer_countries: Iterable[str] = (),
        bbox: Sequence[float] | None = None,
        keep_unknown_places: bool = False,
    ) -> _Spec:
        """A spec from the looser types the API takes (paths, lists)."""
        return cls(
            model=str(model),
            gazetteer=os.fspath(gazetteer) if gazetteer is not None else None,
            demonyms=demonyms,
            prefer_countries=country_codes(prefer_countries),
            bbox=bbox_of(bbox),
            keep_unknown_places=keep_unknown_places,
        )

    def load(self) -> Pipeline:
        """Load the spaCy model and the gazetteer (GeotagError when either cannot load)."""
        # Imported here: the CLI builds specs from its options before it knows whether it
        # will load anything (`--help` stays fast).
        from ..gazetteer import Gazetteer
        from ..tagging.tagger import TagOptions
        from .model import load_nlp
        from .pipeline import Pipeline

        options = TagOptions.create(
            demonyms=self.demonyms,
            prefer_countries=self.prefer_countries,
            bbox=self.bbox,
            keep_unknown_places=self.keep_unknown_places,
        )
        # On a first run the gazetteer's index compiles on the other core while spaCy loads.
        Gazetteer.compile_ahead(self.gazetteer)
        nlp = load_nlp(self.model)
        return Pipeline(self.model, Gazetteer.load(self.gazetteer), options, nlp=nlp)
