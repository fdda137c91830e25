"""Writers for each output format; each document is written and flushed as soon as it is done."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import IO, TYPE_CHECKING, Any, Protocol

import orjson

from .models import (
    Candidate,
    Document,
    Entity,
    Failure,
    FocusItem,
    Mention,
    Place,
)

if TYPE_CHECKING:
    from .importer import GazetteerInfo

# Machine formats first; `table` is for people at a terminal.

FEATURE_TYPES = {
    "CONT": "continent",
    "PCLI": "country",
    "PCLD": "territory",
    "PCLF": "territory",
    "PCLS": "territory",
    "PCLIX": "territory",
    "TERR": "territory",
    "PCLH": "former country",
    "ADM1": "region",
    "PPLC": "capital",
    "RGN": "region",
    "RGNE": "region",
    "ISL": "island",
    "ISLS": "islands",
}
FEATURE_CLASS_TYPES = {
    "P": "city",
    "A": "area",
    "H": "water",
    "T": "terrain",
    "L": "area",
    "S": "landmark",
    "R": "road",
    "V": "forest",
}


def feature_type(place: Place) -> str:
    """A word for a place's kind, for people ("capital", "region", "sea")."""
    code = place.feature_code
    if code in FEATURE_TYPES:
        return FEATURE_TYPES[code]
    if code in ("SEA", "OCN", "GULF", "BAY", "STRT"):
        return {"OCN": "ocean", "STRT": "strait"}.get(code, "sea")
    if code in ("STM", "STMS"):
        return "river"
    return FEATURE_CLASS_TYPES.get(place.feature_class, code.lower() or "place")


class Writer(Protocol):
    def write(self, doc: Document) -> None: ...

    def failure(self, failure: Failure) -> None: ...

    def close(self) -> None: ...


# A document with more mentions than this (a book, a 20 MB file) is serialised in pieces:
# the same bytes, without its whole JSON and dict in memory at once.
PIECEWISE_MENTIONS = 5000
_PIECE = 1000


def document_json(doc: Document, indent: bool) -> Iterator[bytes]:
    """The bytes of `orjson.dumps(doc.to_dict())` (indented or not), in pieces."""
    option = orjson.OPT_INDENT_2 if indent else 0
    head: dict[str, Any] = {}
    if doc.id is not None:
        head["id"] = doc.id
    if doc.source is not None:
        head["source"] = doc.source
    rest = {
        "people": [e.to_dict() for e in doc.people],
        "organizations": [e.to_dict() for e in doc.organizations],
        "places": [e.to_dict() for e in doc.places],
        "focus": doc.focus.to_dict(),
    }
    if indent:
        opening = orjson.dumps(head, option=option)[:-2] + b",\n" if head else b"{\n"
        yield opening + b'  "entities": [\n'
        separator, pad = b",\n", b"    "
    else:
        yield (orjson.dumps(head)[:-1] + b"," if head else b"{") + b'"entities":['
        separator, pad = b",", b""
    for i in range(0, len(doc.mentions), _PIECE):
        chunk = doc.mentions[i : i + _PIECE]
        parts = [orjson.dumps(m.to_dict(), option=option) for m in chunk]
        if indent:
            parts = [pad + part.replace(b"\n", b"\n" + pad) for part in parts]
        yield (separator if i else b"") + separator.join(parts)
    tail = orjson.dumps(rest, option=option)
    yield (b"\n  ],\n" + tail[2:]) if indent else (b"]," + tail[1:])


class JsonWriter:
    """`json`: one indented object per document, one after another (a stream jq reads);
    `jsonl` (compact=True): one object per line."""

    def __init__(self, stream: IO[bytes], compact: bool = False, errors_inline: bool = False):
        self.stream = stream
        self.option = 0 if compact else orjson.OPT_INDENT_2
        self.errors_inline = errors_inline

    def _emit(self, obj: dict[str, Any]) -> None:
        # Appending the newline in orjson saves a copy of a document's whole JSON.
        self.stream.write(orjson.dumps(obj, option=self.option | orjson.OPT_APPEND_NEWLINE))
        self.stream.flush()

    def write(self, doc: Document) -> None:
        if len(doc.mentions) <= PIECEWISE_MENTIONS:
            self._emit(doc.to_dict())
            return
        for piece in document_json(doc, indent=bool(self.option)):
            self.stream.write(piece)
        self.stream.write(b"\n")
        self.stream.flush()

    def failure(self, failure: Failure) -> None:
        if self.errors_inline:
            self._emit(failure.to_dict())

    def close(self) -> None:
        self.stream.flush()


# The columns of `--format csv`: the document, the mention, then its resolved place (empty
# for people, organisations and unresolved places). Values are those of the JSON output.
CSV_COLUMNS = (
    "source",
    "id",
    "start",
    "end",
    "text",
    "label",
    "ner_label",
    "kind",
    "role",
    "place_name",
    "lat",
    "lon",
    "country_code",
    "country",
    "admin1",
    "feature_class",
    "feature_code",
    "geonameid",
    "population",
    "confidence",
    "place_source",
)
_PLACE_CELLS = (
    ("place_name", "name"),
    ("lat", "lat"),
    ("lon", "lon"),
    ("country_code", "country_code"),
    ("country", "country"),
    ("admin1", "admin1"),
    ("feature_class", "feature_class"),
    ("feature_code", "feature_code"),
    ("geonameid", "geonameid"),
    ("population", "population"),
    ("confidence", "confidence"),
    ("place_source", "source"),
)


def mention_row(doc: Document, mention: Mention) -> list[Any]:
    """One CSV row: a mention with its place, in the order of CSV_COLUMNS. The values are
    taken from the mention's JSON form, so both formats always say the same."""
    m = mention.to_dict()
    place = m.get("place") or {}
    row = [doc.source, doc.id, *(m.get(k) for k in CSV_COLUMNS[2:9])]
    row += [place.get(key) for _, key in _PLACE_CELLS]
    return ["" if cell is None else cell for cell in row]


class CsvWriter:
    """`csv`: one row per mention, a header row once per run, RFC 4180 (comma-separated,
    CRLF line ends, fields quoted where needed, quotes doubled), UTF-8 without a BOM.

    Documents with no mention add no row; failed inputs are reported on stderr only."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._header_written = False

    def _emit(self, rows: list[list[Any]]) -> None:
        buffer = io.StringIO()
        writer = csv.writer(buffer)  # the "excel" dialect is RFC 4180's
        if not self._header_written:
            writer.writerow(CSV_COLUMNS)
            self._header_written = True
        writer.writerows(rows)
        self.stream.write(buffer.getvalue().encode("utf-8"))
        self.stream.flush()

    def write(self, doc: Document) -> None:
        self._emit([mention_row(doc, m) for m in doc.mentions])

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        if not self._header_written:
            self._emit([])
        self.stream.flush()


def place_feature(doc: Document, entity: Entity) -> dict[str, Any] | None:
    """A GeoJSON Feature for a resolved place of a document (as in the JSON `places`);
    None when it is unresolved."""
    e = entity.to_dict()
    place = e.get("place")
    if place is None:
        return None
    properties: dict[str, Any] = {
        "name": e["name"],
        "mentions": e["mentions"],
        "forms": e.get("forms", [e["name"]]),
        "label": entity.label,
        "kind": e.get("kind"),
        "role": e.get("role"),
        "place_name": place["name"],
        "geonameid": place["geonameid"],
        "feature_class": place["feature_class"],
        "feature_code": place["feature_code"],
        "country_code": place["country_code"],
        "country": place["country"],
        "admin1": place["admin1"],
        "population": place["population"],
        "confidence": place["confidence"],
        "place_source": place["source"],
        "source": doc.source,
    }
    if doc.id is not None:
        properties["id"] = doc.id
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [place["lon"], place["lat"]]},
        "properties": properties,
    }


class GeoJsonWriter:
    """`geojson`: one RFC 7946 FeatureCollection per run, a Point feature per resolved place
    of each document ([longitude, latitude], WGS 84; no `crs` member).

    It streams: the opening is written first, each document's features as it is done (one
    feature a line), and the closing `]}` by close(). A run stopped by Ctrl-C is closed
    too; a killed one leaves the finished features and no closing brackets."""

    _OPENING = b'{"type":"FeatureCollection","features":[\n'
    _CLOSING = b"\n]}\n"

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._opened = False
        self._closed = False
        self._features = 0

    def _open(self) -> None:
        if not self._opened:
            self.stream.write(self._OPENING)
            self._opened = True

    def write(self, doc: Document) -> None:
        self._open()
        chunks = []
        for entity in doc.places:
            feature = place_feature(doc, entity)
            if feature is not None:
                chunks.append((b",\n" if self._features else b"") + orjson.dumps(feature))
                self._features += 1
        self.stream.write(b"".join(chunks))
        self.stream.flush()

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        if self._closed:
            return
        self._open()
        self.stream.write(self._CLOSING)
        self.stream.flush()
        self._closed = True


class TableWriter:
    """Rich tables for people: People, Organisations, Places and the document's focus."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def write(self, doc: Document) -> None:
        from rich.rule import Rule

        title = doc.source if doc.id is None else f"{doc.source or ''} id={doc.id}".strip()
        self.console.print(Rule(title or "document", style="bold"))
        if not doc.mentions:
            self.console.print("[dim]no people, organisations or places found[/dim]")
        if doc.people:
            self.console.print(_name_table("People", doc.people, "cyan"))
        if doc.organizations:
            self.console.print(_name_table("Organisations", doc.organizations, "magenta"))
        if doc.places:
            self.console.print(_places_table(doc.places))
        focus = _focus_line(doc)
        if focus:
            self.console.print(focus)
        self.console.file.flush()

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        self.console.file.flush()


def _name_table(title: str, entities: tuple[Entity, ...], style: str) -> Any:
    from rich.table import Table

    table = Table(title=title, title_justify="left", title_style=f"bold {style}")
    table.add_column("Name", style=style, ratio=2)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Also written", style="dim", ratio=3)
    for e in entities:
        table.add_row(e.name, str(e.mentions), ", ".join(f for f in e.forms if f != e.name))
    return table


def _places_table(places: tuple[Entity, ...]) -> Any:
    from rich.table import Table

    table = Table(title="Places", title_justify="left", title_style="bold green")
    table.add_column("Name", style="green", ratio=2)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Resolved to", ratio=3)
    table.add_column("Type", ratio=1)
    table.add_column("Lat, Lon", justify="right", no_wrap=True)
    table.add_column("Conf.", justify="right", no_wrap=True)
    for e in places:
        res = e.resolution
        p = res.place if res else None
        flags = [
            f for f in (e.kind == "demonym" and "demonym", e.role == "metonym" and "metonym") if f
        ]
        if p is None or res is None:
            table.add_row(
                e.name, str(e.mentions), "[red]unresolved[/red]", ", ".join(flags), "", ""
            )
            continue
        where = ", ".join(dict.fromkeys(x for x in (p.name, p.admin1, p.country) if x))
        table.add_row(
            e.name,
            str(e.mentions),
            where,
            ", ".join([feature_type(p), *flags, *([p.source] if p.source != "gazetteer" else [])]),
            f"{p.lat:.2f}, {p.lon:.2f}",
            f"{res.confidence:.2f}",
        )
    return table


def _focus_line(doc: Document) -> str:
    parts = []
    for label, items in (
        ("countries", doc.focus.countries),
        ("regions", doc.focus.regions),
        ("cities", doc.focus.cities),
    ):
        if items:
            parts.append(f"[bold]{label}[/bold] " + ", ".join(_focus_item(i) for i in items))
    return "Focus: " + "; ".join(parts) if parts else ""


def _focus_item(item: FocusItem) -> str:
    return f"{item.place.name} {item.score:.0%}"


# -- geotag gazetteer info / lookup ---------------------------------------------------------


def make_console(no_color: bool = False) -> Any:
    """A rich console on stdout; colour obeys --no-color and NO_COLOR."""
    import sys

    from rich.console import Console

    return Console(file=sys.stdout, no_color=no_color or None, highlight=False)


def write_gazetteer_info(
    info: GazetteerInfo, fmt: str, stdout: IO[bytes], no_color: bool = False
) -> None:
    """`geotag gazetteer info`: a GazetteerInfo as tables, or as one JSON object."""
    if fmt == "json":
        stdout.write(orjson.dumps(info.to_dict(), option=orjson.OPT_INDENT_2) + b"\n")
        stdout.flush()
        return
    from rich.table import Table

    console = make_console(no_color)
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold")
    about.add_column()
    about.add_row("path", info.path or "(rows given in memory)")
    about.add_row("rows", f"{info.rows:,}")
    about.add_row("size", f"{info.size:,} bytes")
    about.add_row("modified", info.modified or "unknown")
    about.add_row("sha256", info.sha256 or "unknown")
    about.add_row("demonyms", f"{info.demonyms:,}")
    about.add_row("sources", ", ".join(f"{token} {n:,}" for token, n in info.sources))
    console.print(about)
    table = Table(title="Rows by feature type", title_justify="left")
    table.add_column("Class")
    table.add_column("Code")
    table.add_column("Type")
    table.add_column("Rows", justify="right")
    for cls, code, n in info.feature_codes:
        kind = feature_type(Place(None, "", 0.0, 0.0, cls, code, "", "", "", "", 0))
        table.add_row(cls, code, kind, f"{n:,}")
    console.print(table)


def candidate_dict(candidate: Candidate, rank: int, weights: dict[str, float]) -> dict[str, Any]:
    """A ranked candidate with its place and the parts of its score (value x weight)."""
    p = candidate.place
    return {
        "rank": rank,
        "score": round(candidate.score, 4),
        "geonameid": p.geonameid,
        "name": p.name,
        "feature_class": p.feature_class,
        "feature_code": p.feature_code,
        "country_code": p.country_code or None,
        "country": p.country or None,
        "admin1": p.admin1 or None,
        "lat": p.lat,
        "lon": p.lon,
        "population": p.population,
        "features": {
            name: {"value": round(value, 4), "weighted": round(weights.get(name, 1.0) * value, 4)}
            for name, value in candidate.features
        },
    }


def write_candidates(
    query: str,
    country: str | None,
    candidates: list[Candidate],
    threshold: float,
    weights: dict[str, float],
    fmt: str,
    stdout: IO[bytes],
    no_color: bool = False,
) -> None:
    """`geotag gazetteer lookup`: ranked candidates and why each scored what it did."""
    if fmt == "json":
        obj = {
            "query": query,
            "country": country,
            "abstain_below": threshold,
            "candidates": [candidate_dict(c, i, weights) for i, c in enumerate(candidates, 1)],
        }
        stdout.write(orjson.dumps(obj, option=orjson.OPT_INDENT_2) + b"\n")
        stdout.flush()
        return
    from rich.table import Table

    console = make_console(no_color)
    places = Table(
        title=f"Candidates for {query!r}" + (f" in {country}" if country else ""),
        title_justify="left",
        caption=f"Scored as a mention with no other place in the document; below "
        f"{threshold:.2f} geotag leaves a place unresolved.",
        caption_justify="left",
    )
    places.add_column("#", justify="right", no_wrap=True)
    places.add_column("Score", justify="right", no_wrap=True)
    places.add_column("Place", style="green", min_width=10)
    places.add_column("Code", no_wrap=True)
    places.add_column("Population", justify="right", no_wrap=True)
    places.add_column("Id", justify="right", no_wrap=True)
    places.add_column("Lat, Lon", justify="right", no_wrap=True)
    names = [name for name, _ in candidates[0].features] if candidates else []
    parts = Table(
        title="Score parts (value x weight; the score is their sum)",
        title_justify="left",
        caption="pref: --prefer-country and --bbox; weights in geotag/resolver.py (WEIGHTS)",
        caption_justify="left",
    )
    parts.add_column("#", justify="right", no_wrap=True)
    for name in names:
        parts.add_column(_PART_HEADERS.get(name, name), justify="right", no_wrap=True)
    for i, c in enumerate(candidates, 1):
        p = c.place
        where = ", ".join(dict.fromkeys(x for x in (p.name, p.admin1, p.country) if x))
        score = f"{c.score:.2f}" if c.score >= threshold else f"[dim]{c.score:.2f}[/dim]"
        places.add_row(
            str(i),
            score,
            where,
            p.feature_code,
            f"{p.population:,}",
            "" if p.geonameid is None else str(p.geonameid),
            f"{p.lat:.2f}, {p.lon:.2f}",
        )
        values = dict(c.features)
        parts.add_row(
            str(i),
            *(
                f"{weights.get(n, 1.0) * values[n]:+.2f}" if values.get(n) else "[dim]0[/dim]"
                for n in names
            ),
        )
    console.print(places)
    if names:
        console.print(parts)


_PART_HEADERS = {"importance": "imp.", "distance": "dist.", "preference": "pref"}
