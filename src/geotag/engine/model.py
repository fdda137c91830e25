"""Loading a spaCy pipeline with only the components entity recognition needs.

For en_core_web_sm that is `ner` alone (it has its own tok2vec), which makes geotag about
twice as fast as the full pipeline. Each model is loaded once per process and shared.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelError
from ..models import RawSpan
from ..options import DEFAULT_MODEL

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

ENTITY_FACTORIES = frozenset({"ner", "beam_ner", "entity_ruler", "span_ruler"})
# Longer texts go through NER in pieces. The recogniser's working memory grows with what
# it is given at once (en_core_web_sm: about 300 MB more for 100,000 characters, 70 MB for
# 50,000, none to speak of for 25,000), and pieces of this size are no slower (measured:
# 59k characters/s against 52k for 100,000); cuts fall at paragraph or sentence ends.
CHUNK_CHARS = 20_000


def installed_models() -> list[str]:
    import spacy.util

    return sorted(spacy.util.get_installed_models())


_loaded: dict[str, Language] = {}


def load_nlp(model: str = DEFAULT_MODEL) -> Language:
    """Load `model` (an installed pipeline package or a path) with only what NER needs.

    A model is loaded once per process and shared by later calls.
    """
    if model not in _loaded:
        _loaded[model] = _load_nlp(model)
    return _loaded[model]


def excluded_components(model: str) -> list[str]:
    """The components of `model` that entity recognition does not need (they are not
    loaded); the bench loads plain spaCy without them too, to compare like with like."""
    import spacy.util

    path = model_path(model)
    return unneeded_components(spacy.util.load_config(path / "config.cfg")) if path else []


def _load_nlp(model: str) -> Language:
    import spacy

    exclude = excluded_components(model)
    try:
        nlp = spacy.load(model, exclude=exclude)
    except OSError as exc:
        raise ModelError(_missing_model_message(model)) from exc
    except Exception as exc:  # spaCy raises many kinds for a broken pipeline
        raise ModelError(f"cannot load spaCy pipeline {model!r}: {exc}") from exc
    if not any(nlp.get_pipe_meta(name).factory in ENTITY_FACTORIES for name in nlp.pipe_names):
        raise ModelError(
            f"spaCy pipeline {model!r} has no entity recogniser (components: "
            f"{', '.join(nlp.pipe_names) or 'none'}); choose one with 'ner'"
        )
    nlp.max_length = max(nlp.max_length, CHUNK_CHARS + 1)
    return nlp


def model_path(model: str) -> Path | None:
    import spacy.util

    candidate = Path(model)
    if candidate.is_dir() and (candidate / "config.cfg").is_file():
        return candidate
    if not spacy.util.is_package(model):
        if candidate.exists() or "/" in model:
            raise ModelError(f"not a spaCy pipeline directory (no config.cfg): {model}")
        raise ModelError(_missing_model_message(model))
    package = spacy.util.get_package_path(model)
    for sub in sorted(package.iterdir()):
        if (sub / "config.cfg").is_file():
            return sub
    return None


def _missing_model_message(model: str) -> str:
    found = installed_models()
    have = ", ".join(found) if found else "none"
    return (
        f"spaCy pipeline {model!r} is not installed (installed pipelines: {have}); "
        f"install it with pip or pass --model with one of those"
    )


def unneeded_components(config: Any) -> list[str]:
    """Components that neither find entities nor feed a component that does."""
    components: dict[str, Any] = dict(config.get("components", {}))
    pipeline: list[str] = list(config.get("nlp", {}).get("pipeline", []))
    needed = {
        name for name in pipeline if components.get(name, {}).get("factory") in ENTITY_FACTORIES
    }
    for name in list(needed):
        for upstream in _listener_upstreams(components.get(name, {})):
            if upstream == "*":
                needed |= {
                    n
                    for n in pipeline
                    if components.get(n, {}).get("factory")
                    in {"tok2vec", "transformer", "curated_transformer"}
                }
            else:
                needed.add(upstream)
    return [name for name in pipeline if name not in needed]


def _listener_upstreams(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        arch = str(node.get("@architectures", ""))
        if "Listener" in arch:
            yield str(node.get("upstream", "*"))
        for value in node.values():
            yield from _listener_upstreams(value)


def spans_of(doc: Doc) -> list[RawSpan]:
    """The Doc's entities as (start_char, end_char, label)."""
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]
