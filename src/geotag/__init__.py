"""geotag: find the people, organisations and places in news text; resolve every place offline.

    >>> import geotag
    >>> doc = geotag.tag_text("The Kremlin said Turkish troops shelled Idlib.")
    >>> [(e.name, e.resolution.place.country_code) for e in doc.places]

Heavy modules (spaCy) load on first use, so `import geotag` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import lazy_names
from ._version import __version__

__all__ = [
    "DEFAULT_MODEL",
    "Article",
    "Candidate",
    "Document",
    "Entity",
    "Failure",
    "Focus",
    "Gazetteer",
    "GeotagError",
    "Mention",
    "Pipeline",
    "Place",
    "Resolution",
    "__version__",
    "load_pipeline",
    "tag_text",
    "tag_texts",
]

_LAZY = {
    "DEFAULT_MODEL": "options",
    "Article": "models",
    "Candidate": "models",
    "Document": "models",
    "Entity": "models",
    "Failure": "models",
    "Focus": "models",
    "Mention": "models",
    "Place": "models",
    "Resolution": "models",
    "Gazetteer": "gazetteer",
    "GeotagError": "errors",
    "Pipeline": "engine.pipeline",
    "load_pipeline": "api",
    "tag_text": "api",
    "tag_texts": "api",
}

if TYPE_CHECKING:
    from .api import load_pipeline, tag_text, tag_texts
    from .engine.pipeline import Pipeline
    from .errors import GeotagError
    from .gazetteer import Gazetteer
    from .models import (
        Article,
        Candidate,
        Document,
        Entity,
        Failure,
        Focus,
        Mention,
        Place,
        Resolution,
    )
    from .options import DEFAULT_MODEL


__getattr__ = lazy_names(__name__, _LAZY)
