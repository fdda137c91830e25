"""The `table` format: rich tables for people at a terminal."""

from __future__ import annotations

import sys
from typing import Any

from ..models import Document, Entity, Failure, FocusItem, Place, id_text
from .describe import feature_type
from .escape import for_terminal
from .explain import explain_table


def shown(text: str) -> str:
    """Text from an input or the gazetteer as rich markup that shows it as it is: no
    control sequence reaches the terminal and no bracket is taken for a style."""
    from rich.markup import escape

    return escape(for_terminal(text))


def make_console(no_color: bool = False, width: int | None = None) -> Any:
    """A rich console on stdout; colour obeys --no-color and NO_COLOR, and `width` (None:
    the terminal's) is the columns tables may take."""
    from rich.console import Console

    return Console(file=sys.stdout, no_color=no_color or None, width=width, highlight=False)


class TableWriter:
    """Rich tables for people: People, Organisations, Places and the document's focus."""

    def __init__(self, console: Any) -> None:
        self.console = console

    def write(self, doc: Document) -> None:
        from rich.rule import Rule

        title = doc.source if doc.id is None else f"{doc.source or ''} id={id_text(doc.id)}".strip()
        self.console.print(Rule(shown(title or "document"), style="bold"))
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
        why = explain_table(doc)
        if why is not None:
            self.console.print(why)
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
        table.add_row(
            shown(e.name), str(e.mentions), shown(", ".join(f for f in e.forms if f != e.name))
        )
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
                shown(e.name), str(e.mentions), "[red]unresolved[/red]", ", ".join(flags), "", ""
            )
            continue
        table.add_row(
            shown(e.name),
            str(e.mentions),
            shown(p.label),
            shown(", ".join([feature_type(p), *flags, *_provider(p)])),
            f"{p.lat:.2f}, {p.lon:.2f}",
            f"{res.confidence:.2f}",
        )
    return table


def _focus_line(doc: Document) -> str:
    parts = []
    for level, items in doc.focus.levels():
        if items:
            parts.append(f"[bold]{level}[/bold] " + ", ".join(_focus_item(i) for i in items))
    return "Focus: " + "; ".join(parts) if parts else ""


def _focus_item(item: FocusItem) -> str:
    return f"{shown(item.place.name)} {item.score:.0%}"


def _provider(place: Place) -> list[str]:
    """Who resolved a place, shown only when it was not the gazetteer."""
    return [place.provider] if place.provider != "gazetteer" else []
