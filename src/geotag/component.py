"""geotag as a spaCy pipeline component: `nlp.add_pipe("geotag")` after an NER.

Results are kept as plain JSON-ready data in the Doc (the same objects as geotag's JSON
output), so Docs stay serialisable and work with `nlp.pipe(n_process=...)` and DocBin:

- `Doc._.geotag`: the whole document result (`entities`, `people`, `organizations`,
  `places`, `focus`);
- `Doc._.places`, `Doc._.focus`: its `places` and `focus` parts;
- `Span._.place`: the resolved place of an entity span, or None.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from spacy.language import Language
from spacy.tokens import Doc, Span

if TYPE_CHECKING:
    from .repair import RawSpan
    from .tagger import Tagger

# spaCy imports this module for every pipeline it loads once geotag is installed (through
# the spacy_factories entry point), so the tagger and the gazetteer load only when a
# geotag component is actually made.


def spans_of(doc: Doc) -> list[RawSpan]:
    """The Doc's entities as (start_char, end_char, label)."""
    return [(e.start_char, e.end_char, e.label_) for e in doc.ents]


def _doc_part(name: str) -> Any:
    def get(doc: Doc) -> Any:
        result = doc._.geotag
        return result.get(name) if result else None

    return get


def _span_place(span: Span) -> dict[str, Any] | None:
    result = span.doc._.geotag
    if not result:
        return None
    for ent in result["entities"]:
        if ent["start"] == span.start_char and ent["end"] == span.end_char:
            place: dict[str, Any] | None = ent.get("place")
            return place
    return None


def register_extensions() -> None:
    """Register the Doc and Span extensions once (safe to call again)."""
    if not Doc.has_extension("geotag"):
        Doc.set_extension("geotag", default=None)
    if not Doc.has_extension("places"):
        Doc.set_extension("places", getter=_doc_part("places"))
    if not Doc.has_extension("focus"):
        Doc.set_extension("focus", getter=_doc_part("focus"))
    if not Span.has_extension("place"):
        Span.set_extension("place", getter=_span_place)


class GeotagComponent:
    """Resolves the places among a Doc's entities and stores the result on the Doc."""

    def __init__(self, tagger: Tagger) -> None:
        self.tagger = tagger
        register_extensions()

    def __call__(self, doc: Doc) -> Doc:
        document = self.tagger.tag(doc.text, spans_of(doc))
        doc._.geotag = document.to_dict()
        return doc


@Language.factory(
    "geotag",
    default_config={
        "gazetteer": None,
        "demonyms": True,
        "prefer_countries": [],
        "bbox": None,
    },
    requires=["doc.ents"],
    assigns=["doc._.geotag", "doc._.places", "doc._.focus", "span._.place"],
)
def make_geotag(
    nlp: Language,
    name: str,
    gazetteer: str | None,
    demonyms: bool,
    prefer_countries: list[str],
    bbox: list[float] | None,
) -> GeotagComponent:
    """Factory: `gazetteer` is a CSV path (None: $GEOTAG_GAZETTEER or the shipped one)."""
    from .gazetteer import Gazetteer
    from .resolver import ResolverOptions
    from .tagger import Tagger, TagOptions

    options = TagOptions(
        demonyms=demonyms,
        resolver=ResolverOptions(
            prefer_countries=tuple(c.upper() for c in prefer_countries),
            bbox=(bbox[0], bbox[1], bbox[2], bbox[3]) if bbox else None,
        ),
    )
    return GeotagComponent(Tagger(Gazetteer.load(gazetteer), options))
