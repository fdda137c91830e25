"""PROTOTYPE (issue 13 groundwork): a GeoNames dump to geotag's 13-column CSV with EVERY
feature class kept, for measuring index designs at the size issue 13 wants.

    python bench/proto_index/convert_all.py DUMP_DIR OUT.csv

Not the importer: it streams the dump once and writes each row as it goes (bounded
memory), with the importer's own name cleaning and alternate-name filter
(`geotag.importer.usable_alternates`), countries named from countryInfo.txt and regions'
English names from admin1CodesASCII.txt. It does not apply the importer's collision rule
(dropping an alternate name that is a more important row's name), because that rule
needs every row's primary name in memory; the real import of all classes will need its
own bounded-memory form of it (an external sort of (name, rank) pairs would do).
"""

from __future__ import annotations

import csv
import sys
import time
from pathlib import Path

from geotag.gazetteer import COLUMNS, COUNTRY_CODES
from geotag.importer import clean_name, format_degrees, usable_alternates


def convert(dump: Path, out: Path) -> int:
    countries: dict[str, str] = {}
    with (dump / "countryInfo.txt").open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            cells = line.rstrip("\n").split("\t")
            countries[cells[16]] = cells[4]
    admin1: dict[tuple[str, str], str] = {}
    with (dump / "admin1CodesASCII.txt").open(encoding="utf-8") as f:
        for line in f:
            code, name, ascii_name, _ = line.rstrip("\n").split("\t")
            cc, _, a1 = code.partition(".")
            admin1[(cc, a1)] = clean_name(name) or ascii_name
    rows = 0
    tmp = out.with_name(f".{out.name}.tmp")
    with (
        (dump / "allCountries.txt").open(encoding="utf-8") as lines,
        tmp.open("w", encoding="utf-8", newline="") as f,
    ):
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(COLUMNS)
        for line in lines:
            c = line.rstrip("\n").split("\t")
            gid, cls, code, cc, a1 = c[0], c[6], c[7], c[8], c[10]
            name = clean_name(c[1])
            if not name:
                continue
            region = cls == "A" and (code in COUNTRY_CODES or code == "ADM1")
            alternates = usable_alternates(c[3].split(","), region) if c[3] else []
            if gid in countries and code in COUNTRY_CODES:
                if name != countries[gid]:
                    alternates.insert(0, name)
                name = countries[gid]
            elif code == "ADM1" and (cc, a1) in admin1 and admin1[(cc, a1)] != name:
                alternates.insert(0, name)
                name = admin1[(cc, a1)]
            alternates = [a for a in dict.fromkeys(alternates) if a != name]
            writer.writerow(
                [gid, name, "|".join(sorted(alternates)), "",
                 format_degrees(float(c[4])), format_degrees(float(c[5])), cls, code,
                 "" if code == "CONT" else cc, "" if a1 == "00" else a1,
                 admin1.get((cc, a1), ""), c[14] or "0", "geonames"]
            )  # fmt: skip
            rows += 1
    tmp.replace(out)
    return rows


def main() -> int:
    if len(sys.argv) != 3:
        print("usage: convert_all.py DUMP_DIR OUT.csv", file=sys.stderr)
        return 2
    started = time.perf_counter()
    rows = convert(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"convert_all: {rows:,} rows in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
