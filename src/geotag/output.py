"""Writers for each output format; each document is written and flushed as soon as it is done."""

from __future__ import annotations

from typing import IO, Any, Protocol

import orjson

from .models import Document, Entity, Failure, FocusItem, Place

FORMATS = ("table", "json", "jsonl")

FEATURE_TYPES = {
    "CONT": "continent",
    "PCLI": "country",
    "PCLD": "territory",
    "PCLF": "territory",
    "PCLS": "territory",
    "PCLIX": "territory",
    "TERR": "territory",
    "ADM1": "region",
    "PPLC": "capital",
    "RGN": "region",
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


class JsonWriter:
    """`json`: one indented object per document, one after another (a stream jq reads);
    `jsonl` (compact=True): one object per line."""

    def __init__(self, stream: IO[bytes], compact: bool = False, errors_inline: bool = False):
        self.stream = stream
        self.option = 0 if compact else orjson.OPT_INDENT_2
        self.errors_inline = errors_inline

    def _emit(self, obj: dict[str, Any]) -> None:
        self.stream.write(orjson.dumps(obj, option=self.option) + b"\n")
        self.stream.flush()

    def write(self, doc: Document) -> None:
        self._emit(doc.to_dict())

    def failure(self, failure: Failure) -> None:
        if self.errors_inline:
            self._emit(failure.to_dict())

    def close(self) -> None:
        self.stream.flush()


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
            ", ".join([feature_type(p), *flags]),
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
