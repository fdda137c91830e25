"""The `html` format: one self-contained report page per run — each article with its
entities highlighted, its focus, tables and a map — drawn offline from shipped outlines.

The page streams like the other formats: the head (styles, legend and the world outlines)
is written before the first document, each document's section as soon as it is tagged, and
the overview map, the footer and the closing tags at `close()`. A run cut short leaves a page
that browsers still show, with every finished document.

Nothing on the page is loaded from elsewhere: the outlines are inline SVG (Natural Earth,
public domain, in plate carrée so a place's marker sits at a linear function of its longitude
and latitude), and a Content-Security-Policy allows only the page's own style and script.
Every piece of text from an article or the gazetteer is HTML-escaped.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import IO

from .._version import __version__
from ..models import Document, Entity, Failure, FocusItem, Mention, Place, id_text
from .describe import feature_type
from .escape import utf8

WORLD_MAP_FILE = "world-110m.json"

# Map frames in degrees: a document's map shows at least this much longitude around its
# places, and the world overview drops the polar caps unless a place lies in one.
MIN_FRAME_DEGREES = 40.0
FRAME_PADDING_DEGREES = 6.0
WORLD_NORTH, WORLD_SOUTH = 84.0, -60.0
# Marker radius as a share of the frame's width (about 6 px on a 900 px map).
MARKER_SHARE = 0.0065


@dataclass(frozen=True, slots=True)
class WorldMap:
    """Country outlines as SVG path data in plate carrée map units."""

    scale: int
    width: int
    height: int
    countries: tuple[tuple[str, str, str], ...]  # (ISO 3166 alpha-2 or "", name, path data)

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        """Longitude and latitude to map units: x grows eastwards, y southwards."""
        return (lon + 180.0) * self.scale, (90.0 - lat) * self.scale

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _, _ in self.countries if code)


@lru_cache(maxsize=1)
def load_world_map() -> WorldMap:
    """The shipped outlines (src/geotag/data/world-110m.json, built by
    scripts/build_world_map.py)."""
    raw = (resources.files("geotag") / "data" / WORLD_MAP_FILE).read_bytes()
    data = json.loads(raw)
    return WorldMap(
        scale=int(data["scale"]),
        width=int(data["width"]),
        height=int(data["height"]),
        countries=tuple((c["id"], c["name"], c["d"]) for c in data["countries"]),
    )


STYLE = """
:root{--person:#1d4ed8;--person-bg:#dbeafe;--org:#7e22ce;--org-bg:#f3e8ff;
--place:#15803d;--place-bg:#dcfce7;--unresolved:#b91c1c;--unresolved-bg:#fee2e2;
--sea:#dcebf7;--land:#f3f0e8;--border:#9aa0a6;--focus:#ffe08a;--marker:#e6007e}
*{box-sizing:border-box}
svg.defs{position:absolute}
body{margin:0 auto;max-width:72rem;padding:0 1rem 2rem;display:flex;flex-direction:column;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f2328;background:#fff}
body>header{order:-2}#overview{order:-1}
h1{font-size:1.5rem;margin:1rem 0 .25rem}h2{font-size:1.25rem;margin:0 0 .25rem}
h3{font-size:1rem;margin:1rem 0 .25rem}
.doc,.failure,#overview{border-top:2px solid #d0d7de;padding-top:1rem;margin-top:1.5rem}
.meta{color:#57606a;margin:0 0 .5rem}
.legend{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:center;margin:.5rem 0}
.legend .dot{display:inline-block;width:.8em;height:.8em;border-radius:50%;
background:var(--marker);vertical-align:-.05em}
.legend .swatch{display:inline-block;width:1em;height:.8em;background:var(--focus);
border:1px solid var(--border);vertical-align:-.05em}
.article{white-space:pre-wrap;overflow-wrap:anywhere;background:#fafbfc;border:1px solid #eaeef2;
border-radius:6px;padding:.75rem 1rem;line-height:1.8}
mark{color:inherit;border-radius:3px;padding:0 .1em;border-bottom:2px solid;position:relative}
mark.person{background:var(--person-bg);border-color:var(--person)}
mark.org{background:var(--org-bg);border-color:var(--org)}
mark.place{background:var(--place-bg);border-color:var(--place)}
mark.place.unresolved{background:var(--unresolved-bg);border-color:var(--unresolved)}
mark.demonym{border-bottom-style:dashed}mark.metonym{border-bottom-style:double;border-bottom-width:3px}
mark.hot,tr.hot{outline:2px solid var(--marker)}
mark[data-tip]:hover::after,mark[data-tip]:focus::after{content:attr(data-tip);position:absolute;
left:0;top:100%;z-index:3;margin-top:4px;width:max-content;max-width:26rem;white-space:normal;
background:#24292f;color:#fff;font-size:.8rem;line-height:1.4;padding:.35em .6em;border-radius:4px;
pointer-events:none}
.map{margin:.75rem 0}.doc .map{max-width:56rem}
.map svg{display:block;width:100%;height:auto;background:var(--sea);border:1px solid #d0d7de;
border-radius:6px}
.map figcaption{color:#57606a;font-size:.85rem}
.land{fill:var(--land);stroke:var(--border)}.focus-country{fill:var(--focus);stroke:var(--border)}
#world path{vector-effect:non-scaling-stroke;stroke-width:.6px}
.marker{fill:var(--marker);stroke:#fff;stroke-width:1.5px;vector-effect:non-scaling-stroke}
.marker.hot{stroke:#000;stroke-width:3px}
table{border-collapse:collapse;width:100%;margin:.25rem 0 .75rem;font-size:.9rem}
th,td{text-align:left;padding:.25rem .5rem;border-bottom:1px solid #eaeef2;vertical-align:top}
th{background:#f6f8fa}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{font-weight:600}.person td.name{color:var(--person)}.org td.name{color:var(--org)}
.places td.name{color:var(--place)}.unresolved-label{color:var(--unresolved);font-weight:600}
.focus{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem;margin:.25rem 0}
.focus dt{font-weight:600}.focus dd{margin:0}.focus meter{width:4rem;vertical-align:middle}
.failure p{color:var(--unresolved)}
footer{order:1;margin-top:2rem;color:#57606a;font-size:.85rem;border-top:1px solid #d0d7de}
"""

# Hovering a mention, a table row or a marker lights up the other two for the same place.
SCRIPT = """
(function () {
  "use strict";
  function light(event, on) {
    var target = event.target;
    var el = target && target.closest ? target.closest("[data-place]") : null;
    if (!el) { return; }
    var key = el.getAttribute("data-place");
    document.querySelectorAll("[data-place]").forEach(function (other) {
      if (other.getAttribute("data-place") === key) { other.classList.toggle("hot", on); }
    });
  }
  document.addEventListener("mouseover", function (e) { light(e, true); });
  document.addEventListener("mouseout", function (e) { light(e, false); });
  document.addEventListener("focusin", function (e) { light(e, true); });
  document.addEventListener("focusout", function (e) { light(e, false); });
})();
"""


def _csp_hash(source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


# Only this page's own style and script run; nothing is fetched, not even an image.
CONTENT_SECURITY_POLICY = (
    f"default-src 'none'; style-src {_csp_hash(STYLE)}; script-src {_csp_hash(SCRIPT)}; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)


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

    def __init__(self, stream: IO[bytes], world: WorldMap | None = None) -> None:
        self.stream = stream
        self.world = world if world is not None else load_world_map()
        self.started = False
        self.documents = 0
        self.failures = 0
        self.place_ids: dict[str, str] = {}
        self.markers: dict[str, _Marker] = {}
        self.contents: list[tuple[int, str, int]] = []

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
            f'<meta http-equiv="Content-Security-Policy" content="{CONTENT_SECURITY_POLICY}">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f'<meta name="generator" content="geotag {_e(__version__)}">\n'
            '<link rel="icon" href="data:,">\n'
            "<title>geotag report</title>\n"
            f"<style>{STYLE}</style></head>\n<body>\n"
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
            place = entity.resolution.place if entity.resolution else None
            if place is None:
                continue
            key = self._place_id(place)
            for table in (markers, self.markers):
                marker = table.setdefault(key, _Marker(place, key, [], []))
                if entity.name not in marker.names:
                    marker.names.append(entity.name)
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
        out: list[str] = []
        at = 0
        for m in sorted(doc.mentions, key=lambda m: (m.start, m.end)):
            if m.start < at or m.end > len(text):
                continue
            out.append(_e(text[at : m.start]))
            out.append(self._mark(m, names))
            at = m.end
        out.append(_e(text[at:]))
        return "".join(out)

    def _mark(self, m: Mention, names: dict[tuple[str, str], str]) -> str:
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
            notes = [
                n
                for n in (e.kind == "demonym" and "demonym", e.role == "metonym" and "metonym")
                if n
            ]
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
                    f"<td>{_e(', '.join(notes))}</td><td></td><td></td><td></td></tr>"
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
                f'<td class="num">{e.mentions}</td><td>{_e(p.label)}</td>'
                f"<td>{_e(', '.join([feature_type(p), *notes]))}</td>"
                f'<td class="num">{p.lat:.2f}, {p.lon:.2f}</td>'
                f'<td class="num">{res.confidence:.2f}</td><td class="num">{gid}</td></tr>'
            )
        return (
            '<h3>Places</h3><table class="places"><thead><tr><th>Name</th><th>Mentions</th>'
            "<th>Resolved to</th><th>Type</th><th>Lat, Lon</th><th>Confidence</th>"
            "<th>GeoNames</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>"
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
            f"<script>{SCRIPT}</script>\n</body></html>\n"
        )


def frame(
    points: Sequence[tuple[float, float]], world: WorldMap, whole_world: bool = False
) -> tuple[float, float, float, float]:
    """The map window (x, y, width, height in map units) that shows every point with some
    room around it: at least MIN_FRAME_DEGREES wide, 2:1, inside the world, and without
    the polar caps unless a point lies there."""
    s = world.scale
    pad = FRAME_PADDING_DEGREES * s
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    top = max(0.0, min((90 - WORLD_NORTH) * s, min(ys) - pad))
    bottom = min(float(world.height), max((90 - WORLD_SOUTH) * s, max(ys) + pad))
    if whole_world:
        return 0.0, top, float(world.width), bottom - top
    x0, x1 = min(xs) - pad, max(xs) + pad
    y0, y1 = min(ys) - pad, max(ys) + pad
    w = max(x1 - x0, MIN_FRAME_DEGREES * s, 2 * (y1 - y0))
    h = w / 2
    w = min(w, float(world.width))
    h = min(h, bottom - top)
    x = min(max((x0 + x1) / 2 - w / 2, 0.0), world.width - w)
    y = min(max((y0 + y1) / 2 - h / 2, top), bottom - h)
    return x, y, w, h


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
        f"{p.label} — {feature_type(p)}, {p.lat:.2f}, {p.lon:.2f}; confidence {res.confidence:.2f}"
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
