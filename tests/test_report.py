"""The html report: structure, escaping, streaming, the shipped outlines, the CLI, and the
page as real headless Chromium renders it (no console errors, markers where they belong)."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geotag.formats.html import HtmlReportWriter, load_page_assets
from geotag.formats.worldmap import MIN_FRAME_DEGREES, frame, load_world_map
from geotag.gazetteer import Gazetteer
from geotag.models import Document, Failure
from geotag.options import PipelineOptions
from geotag.tagging.tagger import Tagger, TagOptions

from .devtools import Browser, near, png_pixels
from .helpers import Recorder

NAMES = [
    ("Dmitry Peskov", "PERSON"),
    ("Peskov", "PERSON"),
    ("Kremlin", "ORG"),
    ("Reuters", "ORG"),
    ("Turkish", "NORP"),
    ("Syrians", "NORP"),
    ("Idlib", "GPE"),
    ("Moscow", "GPE"),
    ("Washington", "GPE"),
    ("Ankara", "GPE"),
    ("Atlantis", "LOC"),
]
ARTICLE = (
    "The Kremlin said on Tuesday that Turkish troops shelled Idlib.\n"
    'Dmitry Peskov, in Moscow, wrote <script>alert("x")</script> & <b>bold</b> to Reuters.\n'
    "Washington did not answer; Peskov blamed Atlantis. Syrians fled."
)
OTHER = "Talks in Ankara and Washington."


def spans(text: str) -> list[tuple[int, int, str]]:
    """What a NER would find: every listed name, longest first, without overlaps."""
    taken = [False] * len(text)
    out = []
    for name, label in sorted(NAMES, key=lambda n: -len(n[0])):
        for m in re.finditer(rf"\b{re.escape(name)}\b", text):
            if not any(taken[m.start() : m.end()]):
                out.append((m.start(), m.end(), label))
                taken[m.start() : m.end()] = [True] * (m.end() - m.start())
    return sorted(out)


def tag(gazetteer: Gazetteer, text: str, source: str = "article.txt") -> Document:
    # Unknown places kept (as with an online geocoder), so the page shows an unresolved one.
    options = TagOptions(PipelineOptions(keep_unknown_places=True))
    return Tagger(gazetteer, options).tag(text, spans(text), source=source)


def report(*items: Document | Failure) -> str:
    out = io.BytesIO()
    writer = HtmlReportWriter(out)
    for item in items:
        if isinstance(item, Failure):
            writer.failure(item)
        else:
            writer.write(item)
    writer.close()
    return out.getvalue().decode("utf-8")


class Page(HTMLParser):
    """Elements with their attributes, the article's text, and a check that tags nest."""

    VOID: ClassVar[set[str]] = {"meta", "link", "br", "input", "img", "use", "path", "circle"}

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.stack: list[str] = []
        self.articles: list[str] = []
        self.scripts: list[str] = []
        self.feed(source)
        self.close()
        assert self.stack == [], f"unclosed: {self.stack}"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {k: v or "" for k, v in attrs}
        self.elements.append((tag, attributes))
        if "article" in attributes.get("class", "").split():
            self.articles.append("")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID:
            return
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "script":
            self.scripts.append(data)
        elif "div" in self.stack and self.articles and self._in_article():
            self.articles[-1] += data

    def _in_article(self) -> bool:
        divs = [e for e in self.elements if e[0] == "div"]
        return bool(divs) and "article" in divs[-1][1].get("class", "")

    def find(self, tag: str, cls: str | None = None) -> list[dict[str, str]]:
        return [
            a
            for t, a in self.elements
            if t == tag and (cls is None or cls in a.get("class", "").split())
        ]


# -- structure and escaping ----------------------------------------------------------------


def test_one_document_page_structure(mini_gazetteer: Gazetteer) -> None:
    doc = tag(mini_gazetteer, ARTICLE)
    source = report(doc)
    page = Page(source)
    assert source.startswith("<!DOCTYPE html>") and source.endswith("</html>\n")
    assert len(page.find("section", "doc")) == 1
    assert page.find("section") == page.find("section", "doc")  # one document: no overview
    marks = [m for m in page.find("mark") if "data-tip" in m]  # not the legend
    assert len(marks) == len(doc.mentions)
    by_class = [set(m["class"].split()) for m in marks]
    assert {"place", "metonym"} in by_class  # the Kremlin said
    assert {"place", "demonym"} in by_class  # Turkish, Syrians
    syrians = next(m for m in marks if "people of Syria" in m["data-tip"])
    assert syrians["class"] == "place demonym" and syrians["data-place"]
    assert {"place", "unresolved"} in by_class  # Atlantis
    assert sum("person" in c for c in by_class) == 2 and sum("org" in c for c in by_class) == 1
    idlib = next(m for m in marks if "Syria" in m["data-tip"] and "city" in m["data-tip"])
    assert "35.93, 36.63" in idlib["data-tip"] and "confidence" in idlib["data-tip"]
    peskov = [m["data-tip"] for m in marks if "person" in m["class"]]
    assert any("listed as Dmitry Peskov" in tip for tip in peskov)
    # one marker per resolved place, linked by data-place to the mention and the table row
    markers = page.find("circle", "marker")
    resolved = [e for e in doc.places if e.resolution and e.resolution.place]
    assert len(markers) == len(resolved) == 6
    rows = {a["data-place"] for a in page.find("tr") if "data-place" in a}
    assert {m["data-place"] for m in markers} == rows
    assert [a for a in page.find("tr") if a.get("class") == "unresolved"]
    focus = {f"#c-{f.place.country_code}" for f in doc.focus.countries}
    assert {"#c-RU", "#c-SY"} <= focus
    assert {a["href"] for a in page.find("use", "focus-country")} == focus
    assert "Natural Earth (public domain)" in source


def test_article_text_is_escaped_and_round_trips(mini_gazetteer: Gazetteer) -> None:
    doc = tag(mini_gazetteer, ARTICLE, source='<img src=x onerror="alert(1)">.txt')
    source = report(doc)
    page = Page(source)
    assert page.articles == [ARTICLE]
    assert source.count("<script") == 1 and page.scripts and "alert" not in page.scripts[0]
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in source
    assert not page.find("img") and not page.find("b")
    # no attribute anywhere runs code or loads anything
    for _tag, attrs in page.elements:
        assert not any(name.startswith("on") for name in attrs), attrs
        assert "src" not in attrs
    hrefs = [a["href"] for t, a in page.elements if "href" in a]
    assert all(h.startswith(("#", "data:", "https://www.geonames.org/")) for h in hrefs), hrefs


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["Idlib", "Moscow", "Peskov", "Atlantis", " ", "\n"]),
            st.text(alphabet="<>&\"'/ab =;", max_size=8),
        ),
        max_size=12,
    )
)
def test_any_text_comes_back_exactly(mini_gazetteer: Gazetteer, pieces: list[str]) -> None:
    text = "".join(pieces)
    page = Page(report(tag(mini_gazetteer, text)))
    assert page.articles == [text]
    assert len(page.scripts) == 1


def test_policy_hashes_match_the_style_and_script_written(mini_gazetteer: Gazetteer) -> None:
    source = report(tag(mini_gazetteer, OTHER))
    policy = load_page_assets().content_security_policy
    for kind, body in (
        ("style", re.search(r"<style>(.*?)</style>", source, re.S)),
        ("script", re.search(r"<script>(.*?)</script>", source, re.S)),
    ):
        assert body is not None
        digest = base64.b64encode(hashlib.sha256(body.group(1).encode()).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in policy
    assert "default-src 'none'" in policy
    assert f'content="{policy}"' in source


def test_page_inlines_the_shipped_style_and_script(mini_gazetteer: Gazetteer) -> None:
    assets = Path(__file__).parents[1] / "src" / "geotag" / "formats" / "assets"
    source = report(tag(mini_gazetteer, OTHER))
    style = (assets / "report.css").read_text(encoding="utf-8")
    script = (assets / "report.js").read_text(encoding="utf-8")
    assert source.count(f"<style>\n{style}</style>") == 1
    assert source.count(f"<script>\n{script}</script>") == 1


def test_streams_head_then_sections_then_the_end(mini_gazetteer: Gazetteer) -> None:
    stream = Recorder()
    writer = HtmlReportWriter(stream)
    writer.write(tag(mini_gazetteer, ARTICLE, "a.txt"))
    first = stream.flushed[-1].decode()
    assert '<section class="doc" id="doc-1">' in first and "</section>" in first
    assert "</html>" not in first
    writer.failure(Failure("gone.txt", "gone.txt: no such file"))
    writer.write(tag(mini_gazetteer, OTHER, "b.txt"))
    assert "</html>" not in stream.flushed[-1].decode()
    writer.close()
    page = Page(stream.getvalue().decode())
    assert len(page.find("section", "doc")) == 2 and len(page.find("section", "failure")) == 1
    (overview,) = [a for a in page.find("section") if a.get("id") == "overview"]
    assert overview
    # the overview map gathers the places of both documents, Washington once
    markers = page.find("circle", "marker")
    assert len(markers) == 6 + 2 + (6 + 2 - 1)
    assert len({m["data-place"] for m in markers}) == 7


def test_a_run_with_no_documents_is_still_a_page() -> None:
    page = Page(report())
    assert page.find("html") and not page.find("section")


# -- the map --------------------------------------------------------------------------------


def rings(path: str) -> list[list[tuple[int, int]]]:
    """Absolute points of the builder's path data: M x y, then relative l steps, z."""
    out = []
    for m in re.finditer(r"M(-?\d+) (-?\d+)l([^z]*)z", path):
        x, y = int(m.group(1)), int(m.group(2))
        ring = [(x, y)]
        numbers = [int(n) for n in re.findall(r"-?\d+", m.group(3))]
        for dx, dy in zip(numbers[::2], numbers[1::2], strict=True):
            x, y = x + dx, y + dy
            ring.append((x, y))
        out.append(ring)
    return out


def inside(point: tuple[float, float], path: str) -> bool:
    """Even-odd rule, as the report draws the outlines."""
    px, py = point
    hit = False
    for ring in rings(path):
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
            if (y1 > py) != (y2 > py) and px < x1 + (py - y1) * (x2 - x1) / (y2 - y1):
                hit = not hit
    return hit


def plate_carree(lon: float, lat: float) -> tuple[float, float]:
    return (lon + 180) * 10, (90 - lat) * 10


@pytest.mark.parametrize(
    ("code", "lon", "lat"),
    [
        ("SY", 36.63, 35.93),  # Idlib
        ("SY", 36.29, 33.51),  # Damascus
        ("RU", 37.62, 55.75),  # Moscow
        ("US", -77.04, 38.90),  # Washington
        ("FR", 2.35, 48.85),  # Paris
        ("AU", 151.21, -33.87),  # Sydney
        ("BR", -47.88, -15.79),  # Brasília
        ("JP", 139.69, 35.69),  # Tokyo
    ],
)
def test_shipped_outlines_put_cities_in_their_country(code: str, lon: float, lat: float) -> None:
    world = load_world_map()
    paths = {c: d for c, _, d in world.countries}
    assert inside(plate_carree(lon, lat), paths[code])
    assert world.project(lon, lat) == pytest.approx(plate_carree(lon, lat))
    neighbours = [c for c in ("TR", "LB", "UA", "CA", "ES", "MX") if c != code]
    assert not any(inside(plate_carree(lon, lat), paths[c]) for c in neighbours)


def test_shipped_outlines_are_small_and_credited() -> None:
    data_file = Path(__file__).parents[1] / "src" / "geotag" / "data" / "world-110m.json"
    assert data_file.stat().st_size < 300_000
    data = json.loads(data_file.read_text(encoding="utf-8"))
    assert "Natural Earth" in data["about"] and "public domain" in data["about"]
    assert len(load_world_map().codes) > 170


def test_frame_fits_its_places_and_stays_in_the_world() -> None:
    world = load_world_map()
    idlib = plate_carree(36.63, 35.93)
    x, y, w, h = frame([idlib], world)
    assert w == MIN_FRAME_DEGREES * 10 and h == w / 2
    assert x < idlib[0] < x + w and y < idlib[1] < y + h
    x, y, w, h = frame([plate_carree(179.5, -17), plate_carree(178, -18)], world)  # Fiji
    assert x + w <= world.width and x >= 0
    x, y, w, h = frame([plate_carree(-77, 39), plate_carree(37.6, 55.8)], world)
    assert w > 1100 and y >= 0 and y + h <= world.height


# -- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize("via", ["file", "stdin"])
def test_cli_writes_one_report(run, tmp_path: Path, via: str) -> None:
    text = "The Kremlin said Turkish troops shelled Idlib. <script>x()</script>"
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    result = run("--format", "html", *([str(path)] if via == "file" else []), input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    page = Page(result.stdout)
    assert page.articles == [text]
    assert len(page.find("circle", "marker")) == 3


def test_cli_report_covers_every_input_and_failure(run, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("Shelling in Idlib.", encoding="utf-8")
    b.write_text("Peskov in Moscow.", encoding="utf-8")
    result = run("-f", "html", "-q", str(a), str(tmp_path / "missing.txt"), str(b))
    assert result.exit_code == 1
    page = Page(result.stdout)
    assert len(page.find("section", "doc")) == 2 and len(page.find("section", "failure")) == 1
    assert "missing.txt" in result.stderr


# -- real headless Chromium ---------------------------------------------------------------

MARKER = (0xE6, 0x00, 0x7E)
LAND, SEA, FOCUS = (0xF3, 0xF0, 0xE8), (0xDC, 0xEB, 0xF7), (0xFF, 0xE0, 0x8A)


@pytest.mark.browser
def test_the_harness_sees_errors_and_requests(browser: Browser, tmp_path: Path) -> None:
    """The check below is only worth something if it fails on a broken page."""
    blocked = tmp_path / "blocked.html"
    blocked.write_text(
        f'<!DOCTYPE html><meta http-equiv="Content-Security-Policy" '
        f'content="{load_page_assets().content_security_policy}"><p>x</p><script>1</script>',
        encoding="utf-8",
    )
    browser.open(blocked.as_uri(), width=800)
    assert any("Content Security Policy" in p for p in browser.problems())
    # Without the policy: an exception, and a request (to a closed port on this machine).
    broken = tmp_path / "broken.html"
    broken.write_text(
        '<!DOCTYPE html><p>x</p><script>nope()</script><img src="http://127.0.0.1:9/x.png">',
        encoding="utf-8",
    )
    browser.open(broken.as_uri(), width=800)
    problems = "\n".join(browser.problems())
    assert "exception:" in problems and "nope" in problems
    assert "request: http://127.0.0.1:9/x.png" in problems


@pytest.mark.browser
def test_chromium_renders_the_report_with_markers_in_place(
    browser: Browser, mini_gazetteer: Gazetteer, tmp_path: Path
) -> None:
    page = tmp_path / "report.html"
    page.write_text(
        report(tag(mini_gazetteer, ARTICLE, "a.txt"), tag(mini_gazetteer, OTHER, "b.txt")),
        encoding="utf-8",
    )
    browser.open(page.as_uri(), width=1200)
    assert browser.problems() == []
    maps = browser.evaluate(
        "Array.from(document.querySelectorAll('figure.map svg')).map(function (s) {"
        " var r = s.getBoundingClientRect();"
        " return [r.left + scrollX, r.top + scrollY, r.width, r.height,"
        " s.getAttribute('viewBox'), s.closest('section').id]; })"
    )
    assert [m[5] for m in maps] == ["doc-1", "doc-2", "overview"]
    first, second, overview = maps
    assert overview[1] < first[1] < second[1]  # the overview, written last, shows first
    height = browser.evaluate("document.documentElement.scrollHeight")
    (tmp_path / "screenshot.png").write_bytes(browser.screenshot(0, 0, 1200, height))

    def pixel_of(svg: list[Any], lon: float, lat: float) -> tuple[float, float]:
        left, top, width, height = svg[:4]
        vx, vy, vw, vh = (float(v) for v in svg[4].split())
        scale = min(width / vw, height / vh)
        x, y = plate_carree(lon, lat)
        return (
            left + (width - vw * scale) / 2 + (x - vx) * scale,
            top + (height - vh * scale) / 2 + (y - vy) * scale,
        )

    def colours_around(svg: list[Any], lon: float, lat: float, r: int = 3) -> list[Any]:
        x, y = pixel_of(svg, lon, lat)
        rows = png_pixels(browser.screenshot(round(x) - r, round(y) - r, 2 * r + 1, 2 * r + 1))
        return [c for row in rows for c in row]

    places = {"Idlib": (36.63, 35.93), "Moscow": (37.62, 55.75), "Washington": (-77.04, 38.9)}
    for name, (lon, lat) in places.items():
        for svg in (overview, first):
            centre = colours_around(svg, lon, lat)
            assert sum(near(c, MARKER) for c in centre) >= 25, (name, svg[4])
    ankara = (32.85, 39.92)
    assert sum(near(c, MARKER) for c in colours_around(second, *ankara)) >= 25
    # ...and no marker where there is no place; the outlines line up with the markers
    for svg, (lon, lat), ground in (
        (overview, (-30.0, 30.0), SEA),  # mid-Atlantic
        (overview, (3.0, 27.0), LAND),  # the Sahara
        (first, (40.0, 62.0), FOCUS),  # northern Russia, a focus country of document 1
        (first, (34.0, 43.3), SEA),  # the Black Sea
        (second, (37.6, 55.75), LAND),  # Moscow is not in document 2
    ):
        colours = colours_around(svg, lon, lat)
        assert not any(near(c, MARKER, 60) for c in colours), (lon, lat)
        assert sum(near(c, ground) for c in colours) >= 40, (lon, lat, colours[24])
