"""`--explain` in the formats that are not JSON: the "Why" table of the `table` format,
and the one cell (CSV column, GeoJSON property) that says why a place was chosen; and
what `geotag gazetteer explain` and `check-overrides` print."""

from __future__ import annotations

from typing import IO, TYPE_CHECKING, Any

from ..gazetteer.overrides import Override
from ..models import Candidate, Document, Explanation, Mention, Resolution
from .escape import for_terminal

if TYPE_CHECKING:
    from ..engine.explain import RuleCheck

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


def explain_table(doc: Document) -> Any | None:
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


def write_name_explanation(
    name: str,
    context: str,
    mentions: list[Mention],
    fmt: str,
    stdout: IO[bytes],
    no_color: bool = False,
    width: int | None = None,
) -> None:
    """`geotag gazetteer explain`: where NAME went in the context, by which rule, and its
    candidates with their scores and weighted features."""
    import orjson

    from ..models import place_dict
    from ..tagging.scoring import WEIGHTS
    from .escape import json_bytes
    from .gazetteer import candidate_dict

    res = mentions[0].resolution if mentions else None
    why = explanation_of(res)
    if fmt == "json":
        obj: dict[str, Any] = {
            "name": name,
            "context": context,
            "mentions": len(mentions),
            "place": place_dict(res),
            "rule": why.rule if why else None,
            "reason": why.reason if why else None,
            "considered": why.considered if why else 0,
            "in_context": why.in_context if why else False,
            "candidates": [
                candidate_dict(c, i, WEIGHTS)
                for i, c in enumerate(why.candidates if why else (), 1)
            ],
        }
        stdout.write(json_bytes(obj, orjson.OPT_INDENT_2) + b"\n")
        stdout.flush()
        return
    from rich.table import Table

    from .table import make_console, shown

    console = make_console(no_color, width)
    place = res.place if res is not None else None
    went = shown(place.label) if place is not None else "[red]unresolved[/red]"
    console.print(f"[bold]{shown(name)}[/bold] -> {went}")
    if why is not None:
        console.print(f"[bold]{shown(why.rule)}[/bold]: {shown(why.reason)}")
    table = Table(
        title="Candidates",
        title_justify="left",
        caption=(
            "Scored against the context's other places."
            if why is not None and why.in_context
            else "A rule settled the name before scoring: scores of the name alone."
        )
        + (f" {why.considered} considered." if why is not None else ""),
        caption_justify="left",
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Score", justify="right", no_wrap=True)
    table.add_column("Place", style="green", ratio=3)
    table.add_column("Code", no_wrap=True)
    table.add_column("Population", justify="right", no_wrap=True)
    table.add_column("Top features (weighted)", ratio=3)
    for i, c in enumerate(why.candidates if why is not None else (), 1):
        p = c.place
        parts = sorted(((WEIGHTS[k] * v, k) for k, v in c.features if v), key=lambda t: -abs(t[0]))
        table.add_row(
            str(i),
            f"{c.score:.2f}",
            shown(p.label),
            shown(p.feature_code),
            f"{p.population:,}",
            ", ".join(f"{k} {w:+.2f}" for w, k in parts[:3]),
        )
    console.print(table)


def write_rule_checks(
    path: str,
    checks: list[RuleCheck],
    fmt: str,
    stdout: IO[bytes],
    no_color: bool = False,
    width: int | None = None,
) -> None:
    """`geotag gazetteer check-overrides`: every rule of a file and what it did to the
    text (or that it is valid, without a text)."""
    import orjson

    from .escape import json_bytes

    if fmt == "json":
        obj = {"file": path, "rules": [c.to_dict() for c in checks]}
        stdout.write(json_bytes(obj, orjson.OPT_INDENT_2) + b"\n")
        stdout.flush()
        return
    from rich.table import Table

    from .table import make_console, shown

    console = make_console(no_color, width)
    table = Table(title=f"{shown(path)}: {len(checks)} rule(s), valid", title_justify="left")
    table.add_column("Line", justify="right", no_wrap=True)
    table.add_column("Name", style="green", ratio=2)
    table.add_column("Rule", ratio=3)
    table.add_column("Fired", justify="right", no_wrap=True)
    table.add_column("Outcome", ratio=4)
    for c in checks:
        r = c.rule
        table.add_row(
            r.origin.rpartition(":")[2],
            shown(r.name),
            shown(_rule_text(r)),
            str(c.fired),
            shown(c.outcome),
        )
    console.print(table)


def _rule_text(rule: Override) -> str:
    if rule.kind == "row":
        what = f"geonameid {rule.geonameid}"
    elif rule.kind == "not_place":
        what = "not a place"
    else:
        what = f"{rule.display_name or rule.name} ({rule.lat}, {rule.lon}, {rule.country})"
    return what + (f", in {rule.country_context} stories" if rule.country_context else "")


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
