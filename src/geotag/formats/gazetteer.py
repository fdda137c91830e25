"""What `geotag gazetteer info` and `geotag gazetteer lookup` print: tables or JSON."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..gazetteer.info import GazetteerInfo
from ..models import Candidate, Place
from .describe import feature_type
from .report import ReportOutput, add_candidate_columns, candidate_cells
from .table import shown


def write_gazetteer_info(info: GazetteerInfo, report: ReportOutput) -> None:
    """`geotag gazetteer info`: a GazetteerInfo as tables, or as one JSON object."""
    if report.is_json:
        report.write_json(info.to_dict())
        return
    from rich.table import Table

    console = report.console()
    about = Table.grid(padding=(0, 2))
    about.add_column(style="bold")
    about.add_column()
    about.add_row("path", shown(info.path or "(rows given in memory)"))
    about.add_row("rows", f"{info.rows:,}")
    about.add_row("size", f"{info.size:,} bytes")
    about.add_row("modified", info.modified or "unknown")
    about.add_row("sha256", info.sha256 or "unknown")
    about.add_row("demonyms", f"{info.demonyms:,}")
    about.add_row("sources", shown(", ".join(f"{token} {n:,}" for token, n in info.sources)))
    console.print(about)
    table = Table(title="Rows by feature type", title_justify="left")
    table.add_column("Class")
    table.add_column("Code")
    table.add_column("Type")
    table.add_column("Rows", justify="right")
    for cls, code, n in info.feature_codes:
        kind = feature_type(Place(None, "", 0.0, 0.0, cls, code, "", "", "", "", 0))
        table.add_row(shown(cls), shown(code), shown(kind), f"{n:,}")
    console.print(table)


def candidate_dict(candidate: Candidate, rank: int, weights: Mapping[str, float]) -> dict[str, Any]:
    """A ranked candidate with its place and the parts of its score (value x weight)."""
    p = candidate.place
    return {
        "rank": rank,
        **candidate.to_dict(),
        "feature_class": p.feature_class,
        "country": p.country or None,
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
    weights: Mapping[str, float],
    report: ReportOutput,
) -> None:
    """`geotag gazetteer lookup`: ranked candidates and why each scored what it did."""
    if report.is_json:
        obj = {
            "query": query,
            "country": country,
            "abstain_below": threshold,
            "candidates": [candidate_dict(c, i, weights) for i, c in enumerate(candidates, 1)],
        }
        report.write_json(obj)
        return
    from rich.table import Table

    console = report.console()
    places = Table(
        title=f"Candidates for {shown(repr(query))}" + (f" in {country}" if country else ""),
        title_justify="left",
        caption=f"Scored as a mention with no other place in the document; below "
        f"{threshold:.2f} geotag leaves a place unresolved.",
        caption_justify="left",
    )
    add_candidate_columns(places, min_width=10)
    places.add_column("Id", justify="right", no_wrap=True)
    places.add_column("Lat, Lon", justify="right", no_wrap=True)
    names = [name for name, _ in candidates[0].features] if candidates else []
    parts = Table(
        title="Score parts (value x weight; the score is their sum)",
        title_justify="left",
        caption="pref: --prefer-country and --bbox; weights in geotag/tagging/ranker_weights.py",
        caption_justify="left",
    )
    parts.add_column("#", justify="right", no_wrap=True)
    for name in names:
        parts.add_column(_PART_HEADERS.get(name, name), justify="right", no_wrap=True)
    for i, c in enumerate(candidates, 1):
        p = c.place
        score = f"{c.score:.2f}" if c.score >= threshold else f"[dim]{c.score:.2f}[/dim]"
        places.add_row(
            *candidate_cells(i, c, score),
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
