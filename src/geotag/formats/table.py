"""The `table` format: rich tables for people at a terminal."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from ..models import Document, Entity, Failure, FocusItem, Place, id_text
from .describe import feature_type, place_flags
from .escape import for_terminal

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table
from .explain import explain_table


def shown(text: str) -> str:
    """Text from an input or the gazetteer as rich markup that shows it as it is: no
    control sequence reaches the terminal, no bracket is taken for a style, and what
    stdout's encoding cannot carry is spelt in ASCII (São Paulo as Sao Paulo), before
    the table is laid out so that its columns still line up."""
    from rich.markup import escape

    return escape(carried(for_terminal(text), getattr(sys.stdout, "encoding", None)))


def carried(text: str, encoding: str | None, one_cell: bool = False) -> str:
    """`text` with each character `encoding` cannot write transliterated (anyascii),
    or '?' where even that cannot be written; with `one_cell`, cut to one character
    (for text already laid out in columns)."""
    if not encoding:
        return text
    try:
        text.encode(encoding)
        return text
    except UnicodeEncodeError:
        pass
    except LookupError:
        return text
    from anyascii import anyascii

    out = []
    for char in text:
        try:
            char.encode(encoding)
        except UnicodeEncodeError:
            char = anyascii(char) or "?"
            if one_cell:
                char = char[0]
            char = char.encode(encoding, "replace").decode(encoding)
        out.append(char)
    return "".join(out)


class _Replacing:
    """stdout for a console when its encoding is not UTF-8: what rich draws itself (an
    ellipsis where a cell is cut) is written in ASCII, a character for a character, rather
    than raising an error; `shown` has transliterated the text from inputs already."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.encoding = stream.encoding

    def write(self, text: str) -> int:
        return int(self._stream.write(carried(text, self.encoding, one_cell=True)))

    def __getattr__(self, name: str) -> object:
        return getattr(self._stream, name)


# Below this many columns the Places table cannot show a name, its place and its type
# side by side (rich squeezes every column to a letter or none): records are stacked.
NARROW = 60


def make_console(no_color: bool = False, width: int | None = None) -> Console:
    """A rich console on stdout; colour obeys --no-color and NO_COLOR, and `width` (None:
    the terminal's) is the columns tables may take."""
    from rich.console import Console

    stream: Any = sys.stdout
    encoding = str(getattr(stream, "encoding", None) or "utf-8")
    if not encoding.lower().replace("_", "-").startswith("utf"):
        stream = _Replacing(stream)

    class PipeConsole(Console):
        def on_broken_pipe(self) -> None:
            # rich exits 1 here, in the middle of a write; every other format lets the
            # error reach the run loop, which stops quietly with exit 0 (`| head`).
            self.quiet = True
            raise BrokenPipeError

    return PipeConsole(file=stream, no_color=no_color or None, highlight=False, width=width)


class TableWriter:
    """Rich tables for people: People, Organisations, Places and the document's focus."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def write(self, doc: Document) -> None:
        from rich.rule import Rule

        title = doc.source if doc.id is None else f"{doc.source or ''} id={id_text(doc.id)}".strip()
        self.console.print(Rule(shown(title or "document"), style="bold"))
        if not doc.mentions:
            self.console.print("[dim]no people, organisations or places found[/dim]")
        if self.console.width < NARROW:
            self._write_stacked(doc)
        else:
            self._write_tables(doc)
        focus = _focus_line(doc)
        if focus:
            self.console.print(focus)
        why = explain_table(doc)
        if why is not None:
            self.console.print(why)
        self.console.file.flush()

    def _write_tables(self, doc: Document) -> None:
        if doc.people:
            self.console.print(_name_table("People", doc.people, "cyan"))
        if doc.organizations:
            self.console.print(_name_table("Organisations", doc.organizations, "magenta"))
        if doc.places:
            self.console.print(_places_table(doc.places))

    def _write_stacked(self, doc: Document) -> None:
        """A record a line, wrapped, for a terminal too narrow for the tables."""
        for title, entities, style in (
            ("People", doc.people, "cyan"),
            ("Organisations", doc.organizations, "magenta"),
        ):
            if entities:
                names = ", ".join(
                    f"[{style}]{shown(e.name)}[/{style}] ({e.mentions})" for e in entities
                )
                self.console.print(f"[bold {style}]{title}:[/bold {style}] {names}")
        if doc.places:
            self.console.print("[bold green]Places:[/bold green]")
        for e in doc.places:
            res = e.resolution
            p = res.place if res else None
            flags = place_flags(e)
            head = f"[green]{shown(e.name)}[/green] ({e.mentions}) -> "
            if p is None or res is None:
                self.console.print(
                    head + "[red]unresolved[/red]" + "".join(f"; {f}" for f in flags)
                )
                continue
            kind = shown(", ".join([feature_type(p), *flags, *_provider(p)]))
            self.console.print(
                f"{head}{shown(p.label)}; {kind}; {p.lat:.2f}, {p.lon:.2f}; {res.confidence:.2f}"
            )

    def failure(self, failure: Failure) -> None:
        return None

    def close(self) -> None:
        self.console.file.flush()


def _name_table(title: str, entities: tuple[Entity, ...], style: str) -> Table:
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


def _places_table(places: tuple[Entity, ...]) -> Table:
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
        flags = place_flags(e)
        if p is None or res is None:
            table.add_row(
                shown(e.name), str(e.mentions), "[red]unresolved[/red]", ", ".join(flags), "", ""
            )
            continue
        table.add_row(
            shown(e.name),
            str(e.mentions),
            # A place the gazetteer lacks, shown at the place it lies in: an approximation.
            shown(f"within {p.label}" if res.within else p.label),
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
