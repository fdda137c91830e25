"""What a GeoNames import tells its user: the rows it wrote, and what it had to make up
for (countries and regions the dump has no row for, malformed lines, dropped names)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Backfill:
    """Countries and first-level regions the dump has no row for (a citiesN dump has
    none): those standing on the shipped gazetteer's point, and those left out because no
    point was found anywhere."""

    country_points_from_shipped: tuple[str, ...] = ()  # ISO codes
    countries_missing: tuple[str, ...] = ()
    admin1_points_from_shipped: int = 0
    admin1_missing: tuple[str, ...] = ()  # CC.CODE


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import wrote and what it had to make up for."""

    out: str
    dump: str
    rows: tuple[tuple[str, int], ...]  # (kind of row, rows written), most important first
    malformed: int = 0
    backfill: Backfill = Backfill()
    alternates_dropped: int = 0

    @property
    def total(self) -> int:
        return sum(n for _, n in self.rows)

    def summary(self) -> list[str]:
        kinds = ", ".join(f"{n} {kind}" for kind, n in self.rows)
        lines = [f"wrote {self.out}: {self.total} rows ({kinds}) from {self.dump}"]
        backfill = self.backfill
        if backfill.country_points_from_shipped:
            lines.append(
                "countries with no row in the dump, on the shipped gazetteer's point: "
                + _some(backfill.country_points_from_shipped)
            )
        if backfill.countries_missing:
            lines.append(
                "countries left out (no point anywhere): " + _some(backfill.countries_missing)
            )
        if backfill.admin1_points_from_shipped:
            lines.append(
                f"first-level regions with no row in the dump, on the shipped gazetteer's "
                f"point: {backfill.admin1_points_from_shipped}"
            )
        if backfill.admin1_missing:
            lines.append(
                "first-level regions left out (no point anywhere): "
                + _some(backfill.admin1_missing)
            )
        if self.malformed:
            lines.append(f"{self.malformed} malformed line(s) skipped")
        lines.append(f"{self.alternates_dropped} alternate names dropped as another row's name")
        return lines


def _some(items: tuple[str, ...], shown: int = 10) -> str:
    more = len(items) - shown
    return ", ".join(items[:shown]) + (f" and {more} more" if more > 0 else "")
