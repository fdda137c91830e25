"""`--explain` in the formats that are not JSON: the "Why" table of the `table` format,
the one cell (CSV column, GeoJSON property) that says why a place was chosen, and the
HTML report's "Why" cell."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Candidate, Document, Explanation, Mention, Resolution
from .escape import for_terminal

if TYPE_CHECKING:
    from rich.table import Table

# Candidates the table shows per place (the JSON output lists more).
TABLE_CANDIDATES = 3


def explanation_of(resolution: Resolution | None) -> Explanation | None:
    return resolution.explanation if resolution is not None else None


def explain_cell(resolution: Resolution | None) -> str:
    """ "parent: named parent: Texas": the rule and why, as one cell; empty when there
    is no explanation (a person, an organisation, a run without --explain)."""
    why = explanation_of(resolution)
    return f"{why.rule}: {why.reason}" if why is not None else ""


def explained(doc: Document) -> list[Mention]:
    """The document's explained place mentions, one per name and explanation, in order."""
    seen: set[tuple[str, Explanation]] = set()
    out = []
    for m in doc.mentions:
        why = explanation_of(m.resolution)
        if why is None or (m.text, why) in seen:
            continue
        seen.add((m.text, why))
        out.append(m)
    return out


def candidate_line(c: Candidate) -> str:
    """ "Paris, Texas, US · PPLA2 · pop 24,782 · 2.70" """
    p = c.place
    return f"{where(c)} · {p.feature_code} · pop {p.population:,} · {c.score:.2f}"


def where(c: Candidate) -> str:
    """ "Paris, Texas, US": a candidate's name, region and country code, without repeats."""
    p = c.place
    return ", ".join(dict.fromkeys(x for x in (p.name, p.admin1, p.country_code) if x))


def explain_table(doc: Document) -> Table | None:
    """A second table per document: per place name, the rule that decided, why, and the
    best candidates with their scores; None when nothing in the document is explained.
    Its columns wrap, so it stays readable at 80 columns."""
    from rich.markup import escape
    from rich.table import Table

    mentions = explained(doc)
    if not mentions:
        return None

    def shown(text: str) -> str:
        return escape(for_terminal(text))

    table = Table(title="Why these places", title_justify="left", title_style="bold green")
    table.add_column("Name", style="green", ratio=2)
    table.add_column("Decided by", ratio=3)
    table.add_column("Candidates (score)", ratio=5)
    for m in mentions:
        why = explanation_of(m.resolution)
        assert why is not None
        lines = [candidate_line(c) for c in why.candidates[:TABLE_CANDIDATES]]
        if why.considered > TABLE_CANDIDATES:
            lines.append(f"[dim]… {why.considered} considered[/dim]")
        table.add_row(
            shown(m.text),
            f"[bold]{shown(why.rule)}[/bold]: {shown(why.reason)}",
            "\n".join(shown(line) if not line.startswith("[dim]") else line for line in lines),
        )
    return table


def why_html(resolution: Resolution | None) -> str:
    """The HTML report's "Why" cell: the rule, opened on click to the reason and the best
    candidates with their scores (a <details> element: no script, nothing to load)."""
    import html

    why = explanation_of(resolution)
    if why is None:
        return ""

    def e(text: object) -> str:
        return html.escape(str(text), quote=True)

    rows = "".join(
        f"<tr><td>{e(where(c))}</td><td>{e(c.place.feature_code)}</td>"
        f'<td class="num">{c.place.population:,}</td>'
        f'<td class="num">{c.score:.2f}</td></tr>'
        for c in why.candidates
    )
    table = (
        "<table><thead><tr><th>Candidate</th><th>Code</th><th>Population</th><th>Score</th>"
        f"</tr></thead><tbody>{rows}</tbody></table>"
        if rows
        else ""
    )
    considered = f"<p>{why.considered} candidate(s) considered.</p>" if why.considered else ""
    return (
        f'<details class="why"><summary>{e(why.rule)}</summary>'
        f"<p>{e(why.reason)}</p>{table}{considered}</details>"
    )
