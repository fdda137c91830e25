"""The `html` format: one self-contained report page per run — each article with its
entities highlighted, its focus, tables and a map — drawn offline from shipped outlines.

The page streams like the other formats: the head (styles, legend and the world outlines)
is written before the first document, each document's section as soon as it is tagged, and
the overview map, the footer and the closing tags at `close()`. A run cut short leaves a page
that browsers still show, with every finished document.

Nothing on the page is loaded from elsewhere: the outlines are inline SVG (their data and
framing in `worldmap.py`), the style and script are the package's `assets/report.css` and
`assets/report.js` written inline, and a Content-Security-Policy allows only those two.
Every piece of text from an article or the gazetteer is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import IO

from .._version import __version__
from ..models import Document, Entity, Failure, FocusItem, Mention, Place, Resolution, id_text
from .describe import feature_type, place_flags
from .escape import utf8
from .explain import why_html
from .worldmap import WorldMap, frame, load_world_map

ASSETS = "assets"
# Marker radius as a share of the frame's width (about 6 px on a 900 px map).
MARKER_SHARE = 0.0065


@dataclass(frozen=True, slots=True)
class PageAssets:
    """The page's style and script as written inside their elements, and the policy that
    lets only these two run."""

    style: str
    script: str

    @property
    def content_security_policy(self) -> str:
        # Only this page's own style and script run; nothing is fetched, not even an image.
        return (
            f"default-src 'none'; style-src {_csp_hash(self.style)}; "
            f"script-src {_csp_hash(self.script)}; "
            "img-src data:; base-uri 'none'; form-action 'none'"
        )


@lru_cache(maxsize=1)
def load_page_assets() -> PageAssets:
    """The shipped assets/report.css and assets/report.js. The script makes hovering a
    mention, a table row or a marker light up the other two for the same place."""
    folder = resources.files("geotag.formats") / ASSETS
    # Each element's body starts on a line of its own, so the policy's hashes cover that
    # newline too.
    return PageAssets(
        style="\n" + (folder / "report.css").read_text(encoding="utf-8"),
        script="\n" + (folder / "report.js").read_text(encoding="utf-8"),
    )


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


@dataclass(slots=True)
class _Marker:
    place: Place
    key: str
    names: list[str]
    documents: list[int]


class HtmlReportWriter:
    """`html`: the whole run as one page (see the module docstring for how it streams)."""

    def __init__(
        self, stream: IO[bytes], world: WorldMap | None = None, explain: bool = False
    ) -> None:
        self.stream = stream
        # A "Why" column in the places tables: each place's explanation, opened on click.
        self.explain = explain
        self.world = world if world is not None else load_world_map()
        self.started = False
        self.documents = 0
        self.failures = 0
        self.place_ids: dict[str, str] = {}
        self.markers: dict[str, _Marker] = {}
        self.contents: list[tuple[int, str, int]] = []
        self.assets = load_page_assets()

    # -- the Writer protocol ------------------------------------------------------------

    def write(self, doc: Document) -> None:
        self._start()
        self.documents += 1
        self._emit(self._document(doc, self.documents))

    def failure(self, failure: Failure) -> None:
        self._start()
        self.failures += 1
        self._emit(
            f'<section class="failure"><h2>{_e(failure.source)}</h2>'
            f"<p>not tagged: {_e(failure.error)}</p></section>\n"
        )

    def close(self) -> None:
        self._start()
        self._emit(self._overview() + self._footer())

    # -- pieces of the page ---------------------------------------------------------------

    def _emit(self, text: str) -> None:
        self.stream.write(utf8(text))
        self.stream.flush()

    def _start(self) -> None:
        if self.started:
            return
        self.started = True
        outlines = "".join(
            f'<path id="c-{_e(code)}" d="{_e(d)}"><title>{_e(name)}</title></path>'
            if code
            else f'<path d="{_e(d)}"/>'
            for code, name, d in self.world.countries
        )
        self._emit(
            "<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">\n'
            '<meta http-equiv="Content-Security-Policy" '
            f'content="{self.assets.content_security_policy}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="geotag {_e(__version__)}">\n'
            '<link rel="icon" href="data:,">\n'
            "<title>geotag report</title>\n"
            f"<style>{self.assets.style}</style></head>\n<body>\n"
            "<header><h1>geotag report</h1>"
            '<p class="legend"><strong>Legend:</strong>'
            '<mark class="person">person</mark><mark class="org">organisation</mark>'
            '<mark class="place">place</mark>'
            '<mark class="place unresolved">unresolved place</mark>'
            '<mark class="place demonym">demonym</mark>'
            '<mark class="place metonym">metonym</mark>'
            '<span><span class="dot"></span> resolved place</span>'
            '<span><span class="swatch"></span> focus country</span></p>'
            '<p class="meta">Hover over (or tab to) a mention to see how it was resolved.</p>'
            "</header>\n"
            '<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">'
            "<defs>"
            f'<g id="world" fill-rule="evenodd">{outlines}</g>'
            "</defs></svg>\n"
        )

    def _place_id(self, place: Place) -> str:
        key = place.key
        if key not in self.place_ids:
            self.place_ids[key] = f"p{len(self.place_ids) + 1}"
        return self.place_ids[key]

    def _document(self, doc: Document, number: int) -> str:
        title = doc.source if doc.source not in (None, "-") else "standard input"
        if doc.id is not None:
            rid = id_text(doc.id)
            title = f"{doc.source} · id {rid}" if doc.source not in (None, "-") else rid
        title = title or f"document {number}"
        resolved = [e for e in doc.places if e.resolution and e.resolution.place]
        unresolved = len(doc.places) - len(resolved)
        counts = (
            f"{len(doc.people)} people · {len(doc.organizations)} organisations · "
            f"{len(doc.places)} places" + (f" ({unresolved} unresolved)" if unresolved else "")
        )
        self.contents.append((number, title, len(doc.mentions)))
        markers: dict[str, _Marker] = {}
        for entity in doc.places:
            res = entity.resolution
            place = res.place if res else None
            if res is None or place is None:
                continue
            key = self._place_id(place)
            for table in (markers, self.markers):
                marker = table.setdefault(key, _Marker(place, key, [], []))
                # A place the gazetteer lacks is shown at its container, and says so.
                name = f"{entity.name} (within)" if res.within else entity.name
                if name not in marker.names:
                    marker.names.append(name)
                if number not in marker.documents:
                    marker.documents.append(number)
        focus_countries = [f.place.country_code for f in doc.focus.countries]
        parts = [
            f'<section class="doc" id="doc-{number}">',
            f"<h2>{_e(title)}</h2>",
            f'<p class="meta">Document {number} · {counts}</p>',
            self._focus(doc),
            self._map(
                list(markers.values()),
                focus_countries,
                f"Places in document {number}",
                world_frame=False,
            ),
            f'<div class="article">{self._highlight(doc)}</div>',
            _name_table("People", "person", doc.people),
            _name_table("Organisations", "org", doc.organizations),
            self._places_table(doc.places),
            "</section>\n",
        ]
        return "\n".join(p for p in parts if p)

    def _focus(self, doc: Document) -> str:
        rows = []
        for level, items in doc.focus.levels():
            if items:
                rows.append(
                    f"<dt>{level.capitalize()}</dt>"
                    f"<dd>{', '.join(self._focus_item(i) for i in items)}</dd>"
                )
        if not rows:
            return ""
        return '<h3>Focus</h3><dl class="focus">' + "".join(rows) + "</dl>"

    def _focus_item(self, item: FocusItem) -> str:
        score = max(0.0, min(1.0, item.score))
        return (
            f'<span data-place="{self._place_id(item.place)}">{_e(item.place.name)} '
            f'<meter min="0" max="1" value="{score:.3f}"></meter> {score:.0%}</span>'
        )

    def _highlight(self, doc: Document) -> str:
        """The article's text, escaped, with each mention wrapped in a <mark>."""
        text = doc.text
        if not text and doc.mentions:
            return '<span class="meta">(the text is not available)</span>'
        names = _entity_names(doc)
        # Places named inside an organisation's name are not marked apart: the
        # organisation's mark names them.
        named_inside: dict[tuple[int, int], list[Mention]] = {}
        for m in doc.mentions:
            if m.inside is not None:
                named_inside.setdefault((m.inside.start, m.inside.end), []).append(m)
        out: list[str] = []
        at = 0
        for m in sorted(doc.mentions, key=lambda m: (m.start, m.end)):
            if m.start < at or m.end > len(text):
                continue
            out.append(_e(text[at : m.start]))
            out.append(self._mark(m, names, named_inside.get((m.start, m.end), [])))
            at = m.end
        out.append(_e(text[at:]))
        return "".join(out)

    def _mark(
        self, m: Mention, names: dict[tuple[str, str], str], inside: Sequence[Mention] = ()
    ) -> str:
        # Anything that is not a person or an organisation is linked to a place: a place
        # name, or a demonym (a DEMONYM is a word for the people, "Syrians").
        classes = [{"PERSON": "person", "ORG": "org"}.get(m.label, "place")]
        attrs = ""
        if classes == ["place"]:
            res = m.resolution
            if m.kind == "demonym" or m.label == "DEMONYM":
                classes.append("demonym")
            if res is not None and res.role == "metonym":
                classes.append("metonym")
            if res is None or res.place is None:
                classes.append("unresolved")
            else:
                attrs = f' data-place="{self._place_id(res.place)}"'
        tip = _mention_tip(m, names)
        for place in inside:
            res = place.resolution
            where = _resolved_to(res) if res is not None and res.place is not None else "unresolved"
            tip += f"; names the place {place.text}: {where}"
        return (
            f'<mark class="{" ".join(classes)}"{attrs} tabindex="0" data-tip="{_e(tip)}">'
            f"{_e(m.text)}</mark>"
        )

    def _places_table(self, places: Sequence[Entity]) -> str:
        if not places:
            return ""
        rows = []
        for e in places:
            res = e.resolution
            notes = place_flags(e)
            if res is None or res.place is None:
                candidates = ", ".join(
                    f"{c.place.name} ({c.place.country_code or '—'}, {c.score:.2f})"
                    for c in (res.alternatives if res else ())[:3]
                )
                resolved = '<span class="unresolved-label">unresolved</span>' + (
                    f"<br>candidates: {_e(candidates)}" if candidates else ""
                )
                rows.append(
                    f'<tr class="unresolved"><td class="name">{_e(e.name)}</td>'
                    f'<td class="num">{e.mentions}</td><td>{resolved}</td>'
                    f"<td>{_e(', '.join(notes))}</td><td></td><td></td><td></td>"
                    + (f"<td>{why_html(res)}</td>" if self.explain else "")
                    + "</tr>"
                )
                continue
            p = res.place
            gid = (
                f'<a href="https://www.geonames.org/{p.geonameid}" rel="noreferrer">'
                f"{p.geonameid}</a>"
                if p.geonameid is not None
                else ""
            )
            rows.append(
                f'<tr data-place="{self._place_id(p)}"><td class="name">{_e(e.name)}</td>'
                f'<td class="num">{e.mentions}</td><td>{_e(_resolved_to(res))}</td>'
                f"<td>{_e(', '.join([feature_type(p), *notes]))}</td>"
                f'<td class="num">{p.lat:.2f}, {p.lon:.2f}</td>'
                f'<td class="num">{res.confidence:.2f}</td><td class="num">{gid}</td>'
                + (f"<td>{why_html(res)}</td>" if self.explain else "")
                + "</tr>"
            )
        return (
            '<h3>Places</h3><table class="places"><thead><tr><th>Name</th><th>Mentions</th>'
            "<th>Resolved to</th><th>Type</th><th>Lat, Lon</th><th>Confidence</th>"
            "<th>GeoNames</th>"
            + ("<th>Why</th>" if self.explain else "")
            + "</tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table>"
        )

    def _map(
        self,
        markers: Sequence[_Marker],
        focus_countries: Iterable[str],
        label: str,
        world_frame: bool,
    ) -> str:
        if not markers:
            return "" if not world_frame else '<p class="meta">No place was resolved.</p>'
        world = self.world
        points = [world.project(m.place.lon, m.place.lat) for m in markers]
        x, y, w, h = frame(points, world, whole_world=world_frame)
        r = w * MARKER_SHARE
        known = world.codes
        highlighted = "".join(
            f'<use href="#c-{_e(code)}" class="focus-country"/>'
            for code in dict.fromkeys(focus_countries)
            if code in known
        )
        circles = []
        for marker, (px, py) in zip(markers, points, strict=True):
            p = marker.place
            where = f"{p.label} ({feature_type(p)}), {p.lat:.2f}, {p.lon:.2f}"
            names = ", ".join(marker.names)
            if world_frame:
                docs = ", ".join(str(n) for n in marker.documents)
                names += f" — document{'s' if len(marker.documents) > 1 else ''} {docs}"
            circles.append(
                f'<circle class="marker" data-place="{marker.key}" cx="{px:.1f}" cy="{py:.1f}" '
                f'r="{r:.1f}"><title>{_e(names)} → {_e(where)}</title></circle>'
            )
        return (
            f'<figure class="map"><svg viewBox="{x:.1f} {y:.1f} {w:.1f} {h:.1f}" role="img" '
            f'aria-label="{_e(label)}" data-frame="{x:.1f} {y:.1f} {w:.1f} {h:.1f}">'
            f'<use href="#world" class="land"/>{highlighted}<g>{"".join(circles)}</g></svg>'
            f"<figcaption>{_e(label)}: {len(markers)} resolved "
            f"place{'s' if len(markers) != 1 else ''}; hover over a marker for its name."
            "</figcaption></figure>"
        )

    def _overview(self) -> str:
        if self.documents + self.failures <= 1:
            return ""
        contents = "".join(
            f'<li><a href="#doc-{n}">{_e(title)}</a> <span class="meta">({count} '
            f"mention{'s' if count != 1 else ''})</span></li>"
            for n, title, count in self.contents
        )
        failed = f"; {self.failures} input(s) failed" if self.failures else ""
        return (
            '<section id="overview"><h2>All documents</h2>'
            f'<p class="meta">{self.documents} document(s) tagged{failed}.</p>'
            + self._map(list(self.markers.values()), (), "All resolved places", world_frame=True)
            + f"<ol>{contents}</ol></section>\n"
        )

    def _footer(self) -> str:
        return (
            f"<footer><p>Made by geotag {_e(__version__)}. Country outlines: "
            "Natural Earth (public domain), simplified to about 1:110m. "
            "Place data: GeoNames (CC BY 4.0), Natural Earth and the CIA World Factbook "
            "(public domain).</p></footer>\n"
            f"<script>{self.assets.script}</script>\n</body></html>\n"
        )


def _entity_names(doc: Document) -> dict[tuple[str, str], str]:
    """(label, form) -> the name its entity is listed under ("Peskov" -> "Dmitry Peskov")."""
    names: dict[tuple[str, str], str] = {}
    for entity in (*doc.people, *doc.organizations):
        for form in entity.forms or (entity.name,):
            names.setdefault((entity.label, form), entity.name)
    return names


def _mention_tip(m: Mention, names: dict[tuple[str, str], str]) -> str:
    if m.label in ("PERSON", "ORG"):
        kind = "person" if m.label == "PERSON" else "organisation"
        name = names.get((m.label, m.text), m.text)
        listed = f", listed as {name}" if name != m.text else ""
        return f"{kind}{listed} (NER label {m.ner_label})"
    res = m.resolution
    if m.label == "DEMONYM" and res is not None and res.place is not None:
        return f"a word for the people of {res.place.name} (demonym, NER label {m.ner_label})"
    if res is None or res.place is None:
        tip = f"unresolved place (NER label {m.ner_label}): no gazetteer entry fits well enough"
        if res is not None and res.alternatives:
            tip += "; best candidates: " + ", ".join(
                f"{c.place.name} ({c.place.country_code or '—'}, {c.score:.2f})"
                for c in res.alternatives[:3]
            )
        return tip
    p = res.place
    tip = (
        f"{_resolved_to(res)} — {feature_type(p)}, {p.lat:.2f}, {p.lon:.2f}; "
        f"confidence {res.confidence:.2f}"
    )
    if m.kind == "demonym":
        tip += "; demonym"
    if res.role == "metonym":
        tip += "; metonym (stands for its government)"
    return tip


def _name_table(title: str, css: str, entities: Sequence[Entity]) -> str:
    if not entities:
        return ""
    rows = "".join(
        f'<tr><td class="name">{_e(e.name)}</td><td class="num">{e.mentions}</td>'
        f"<td>{_e(', '.join(f for f in e.forms if f != e.name))}</td></tr>"
        for e in entities
    )
    return (
        f'<h3>{title}</h3><table class="{css}"><thead><tr><th>Name</th><th>Mentions</th>'
        f"<th>Also written</th></tr></thead><tbody>{rows}</tbody></table>"
    )


def _resolved_to(res: Resolution) -> str:
    """The place a mention resolved to, said to be an approximation when the mention lies
    within it ("within New Orleans, Louisiana, United States")."""
    assert res.place is not None
    return f"within {res.place.label}" if res.within else res.place.label
