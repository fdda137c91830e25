"""What `geotag gazetteer explain` and `geotag gazetteer check-overrides` print: tables
or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..gazetteer.overrides import Override
from ..models import Mention
from .explain import explanation_of
from .report import ReportOutput, add_candidate_columns, candidate_cells

if TYPE_CHECKING:
    from ..engine.explain import RuleCheck


def write_name_explanation(
    name: str,
    context: str,
    mentions: list[Mention],
    report: ReportOutput,
) -> None:
    """`geotag gazetteer explain`: where NAME went in the context, by which rule, and its
    candidates with their scores and weighted features."""
    from ..models import place_dict
    from ..tagging.scoring import WEIGHTS, weighted_parts
    from .gazetteer import candidate_dict

    res = mentions[0].resolution if mentions else None
    why = explanation_of(res)
    if report.is_json:
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
        report.write_json(obj)
        return
    from rich.table import Table

    from .table import shown

    console = report.console()
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
    add_candidate_columns(table, ratio=3)
    table.add_column("Top features (weighted)", ratio=3)
    for i, c in enumerate(why.candidates if why is not None else (), 1):
        parts = weighted_parts(c.features)
        table.add_row(
            *candidate_cells(i, c, f"{c.score:.2f}"),
            ", ".join(f"{k} {w:+.2f}" for w, k in parts[:3]),
        )
    console.print(table)


def write_rule_checks(
    path: str,
    checks: list[RuleCheck],
    report: ReportOutput,
) -> None:
    """`geotag gazetteer check-overrides`: every rule of a file and what it did to the
    text (or that it is valid, without a text)."""
    if report.is_json:
        report.write_json({"file": path, "rules": [c.to_dict() for c in checks]})
        return
    from rich.table import Table

    from .table import shown

    console = report.console()
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
