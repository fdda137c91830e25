"""geotag as a spaCy pipeline component: `nlp.add_pipe("geotag")` after an NER.

Results are kept as plain JSON-ready data in the Doc (the same objects as geotag's JSON
output), so Docs stay serialisable and work with `nlp.pipe(n_process=...)` and DocBin.
Extension attributes carry geotag's name, so they cannot collide with another package's:

- `Doc._.geotag`: the whole document result (`entities`, `people`, `organizations`,
  `places`, `focus`);
- `Doc._.geotag_places`, `Doc._.geotag_focus`: its `places` and `focus` parts;
- `Span._.geotag_place`: the resolved place of an entity span, or None.

`Doc._.places`, `Doc._.focus` and `Span._.place` are kept as aliases of the last three
where no other package has taken those names; where one has, geotag warns and leaves them.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import operator
import types
import typing
import warnings
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from ..options import PipelineOptions
from .model import spans_of

if TYPE_CHECKING:
    from ..tagging.tagger import Tagger

# spaCy imports this module for every pipeline it loads once geotag is installed (through
# the spacy_factories entry point), so the tagger and the gazetteer load only when a
# geotag component is actually made.

RESULT = "geotag"


def _doc_places(doc: Doc) -> list[dict[str, Any]] | None:
    result = doc._.geotag
    return result.get("places") if result else None


def _doc_focus(doc: Doc) -> dict[str, Any] | None:
    result = doc._.geotag
    return result.get("focus") if result else None


def _span_place(span: Span) -> dict[str, Any] | None:
    result = span.doc._.geotag
    if not result:
        return None
    for ent in result["entities"]:
        if ent["start"] == span.start_char and ent["end"] == span.end_char:
            place: dict[str, Any] | None = ent.get("place")
            return place
    return None


# (owner class, name, getter, the prefixed name it is an alias of); prefixed names first.
_GETTERS: tuple[tuple[type[Doc] | type[Span], str, Callable[..., Any], str | None], ...] = (
    (Doc, "geotag_places", _doc_places, None),
    (Doc, "geotag_focus", _doc_focus, None),
    (Span, "geotag_place", _span_place, None),
    (Doc, "places", _doc_places, "geotag_places"),
    (Doc, "focus", _doc_focus, "geotag_focus"),
    (Span, "place", _span_place, "geotag_place"),
)


def register_extensions() -> None:
    """Register the Doc and Span extensions (safe to call again). A name another package
    registered first is left to it, with a warning: the prefixed names are taken over
    (they are geotag's), the unprefixed aliases are not."""
    existing = Doc.get_extension(RESULT)
    if existing is None:
        Doc.set_extension(RESULT, default=None)
    elif existing != (None, None, None, None):
        _warn_taken("Doc", RESULT, "geotag stores its result there and replaces it")
        Doc.set_extension(RESULT, default=None, force=True)
    for owner, name, getter, alias_of in _GETTERS:
        found = owner.get_extension(name)
        if found is None:
            owner.set_extension(name, getter=getter)
        elif found[2] is not getter:
            where = owner.__name__
            if alias_of is None:
                _warn_taken(where, name, "geotag replaces it")
                owner.set_extension(name, getter=getter, force=True)
            else:
                _warn_taken(where, name, f"geotag leaves it; use {where}._.{alias_of}")


def _warn_taken(owner: str, name: str, consequence: str) -> None:
    warnings.warn(
        f"{owner}._.{name} is already registered by another package; {consequence}",
        UserWarning,
        stacklevel=3,
    )


class GeotagComponent:
    """Resolves the places among a Doc's entities and stores the result on the Doc."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        document = self.tagger.tag(doc.text, spans_of(doc))
        doc._.geotag = document.to_dict()
        return doc


def _component_config() -> tuple[dict[str, Any], inspect.Signature]:
    """The component's config, derived from PipelineOptions: every option but the model
    (the component runs in the pipeline it is added to), with its default as spaCy's
    config writes it (lists, not tuples), and the factory's signature that validates it."""
    hints = typing.get_type_hints(PipelineOptions)
    config: dict[str, Any] = {}
    parameters = [
        inspect.Parameter("nlp", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Language),
        inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=str),
    ]
    for f in dataclasses.fields(PipelineOptions):
        if f.name == "model":
            continue
        config[f.name] = list(f.default) if isinstance(f.default, tuple) else f.default
        parameters.append(
            inspect.Parameter(
                f.name,
                inspect.Parameter.KEYWORD_ONLY,
                default=f.default,
                annotation=_as_config_type(hints[f.name]),
            )
        )
    return config, inspect.Signature(parameters, return_annotation=GeotagComponent)


def _as_config_type(hint: object) -> object:
    """The type a config value of an option has: a list where the option stores a tuple."""
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple:
        return list[args[0]]  # type: ignore[valid-type]
    if args and typing.get_origin(hint) in (typing.Union, types.UnionType):
        return functools.reduce(operator.or_, map(_as_config_type, args))
    return hint


_CONFIG, _SIGNATURE = _component_config()


def make_geotag(nlp: Language, name: str, **options: Any) -> GeotagComponent:
    """Factory: `gazetteer` is a CSV path (None: $GEOTAG_GAZETTEER or the shipped one);
    the other options are those of `geotag.load_pipeline`."""
    from ..gazetteer import Gazetteer
    from ..gazetteer.overrides import read_overrides
    from ..tagging.tagger import Tagger, TagOptions

    chosen = PipelineOptions(**options)
    overrides = read_overrides(chosen.overrides)
    return GeotagComponent(
        Tagger(Gazetteer.load(chosen.gazetteer), TagOptions(chosen, overrides=overrides))
    )


setattr(make_geotag, "__signature__", _SIGNATURE)  # noqa: B010
Language.factory(
    "geotag",
    default_config=_CONFIG,
    requires=["doc.ents"],
    assigns=["doc._.geotag", "doc._.geotag_places", "doc._.geotag_focus", "span._.geotag_place"],
    func=make_geotag,
)
