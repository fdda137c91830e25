"""The main table (allCountries.txt, citiesN.txt) read in blocks of whole lines, and the
rows an import keeps chosen from each block.

A block is split into columns by pyarrow's CSV reader and filtered column-wise; only the
rows kept come back to Python, as lists. A block with anything out of the ordinary (a line
with another number of fields, bytes that are not UTF-8, a number that is not plain
digits, a name that cleans to nothing) is read line by line instead, with each fault
reported as `FILE:LINE: reason` in the order of the lines, so a malformed dump gives the
same errors and the same rows either way. pyarrow is the `geonames` extra.
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from ...errors import DumpError
from ..schema import APOSTROPHES, COUNTRY_CODES, RowKind, clean_name, format_degrees
from .dump import GEONAMES_COLUMNS, Admin1, Country, DumpLine, Problems, degrees, is_text, whole

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa

BLOCK_BYTES = 8 << 20
EXTRA = "geonames"
MISSING_EXTRA = (
    "geotag gazetteer build reads GeoNames dumps with pyarrow, which is not installed: "
    f"pip install 'geotag[{EXTRA}]'"
)

# Historical, abandoned and destroyed places are not what news means by a name.
SKIPPED_CITY_CODES = frozenset({"PPLH", "PPLQ", "PPLW", "PPLCH"})
# The same for administrative units: former divisions and historical states.
SKIPPED_ADMIN_CODES = frozenset(
    {"ADM1H", "ADM2H", "ADM3H", "ADM4H", "ADM5H", "ADMDH", "PCLH", "TERRH"}
)
# Countries and first-level regions are the ones listed in their files.
LISTED_ADMIN_CODES = frozenset({"ADM1", *COUNTRY_CODES})

# The columns read: geonameid, name, alternatenames, latitude, longitude, feature class,
# feature code, country code, admin1 code, population.
_READ = ("geonameid", "name", "alternatenames", "latitude", "longitude", "feature_class",
         "feature_code", "country_code", "admin1_code", "population")  # fmt: skip
_DIGITS = r"^[0-9]+$"
_DECIMAL = r"^-?[0-9]+(\.[0-9]+)?$"
# What `str.split()` splits on, as an RE2 class: a cell with none of it at either end
# needs no strip(), a name with none of it (but single spaces) and no BOM or odd
# apostrophe needs no cleaning.
_SPACES = "".join(f"\\x{{{c:x}}}" for c in range(0x110000) if chr(c).isspace() and c != 32)
_PADDED = rf"^[ {_SPACES}]|[ {_SPACES}]$"
_UNCLEAN = "".join(f"\\x{{{ord(c):x}}}" for c in "\ufeff" + APOSTROPHES)
_DIRTY = rf"^$|^ | $|  |[{_SPACES}{_UNCLEAN}]"
# Degrees as geotag writes them (five decimals): such a cell is copied, not formatted.
_FIVE_DECIMALS = r"^-?(0|[1-9][0-9]*)\.[0-9]{5}$"


def require_pyarrow() -> None:
    """DumpError with the one-line hint when the `geonames` extra is not installed."""
    try:
        import pyarrow.csv  # noqa: F401
    except ImportError:
        raise DumpError(MISSING_EXTRA) from None


@dataclass(frozen=True, slots=True)
class Block:
    """Whole lines of the main table: where they start in the (unpacked) file, and the
    number of the first."""

    offset: int
    data: bytes
    first_line: int


def blocks(f: IO[bytes], size: int | None = None) -> Iterator[Block]:
    """The file in blocks of about `size` bytes (BLOCK_BYTES), each cut after a newline."""
    size = size or BLOCK_BYTES
    carry = b""
    offset, line = 0, 1
    while chunk := f.read(size):
        data = carry + chunk if carry else chunk
        cut = data.rfind(b"\n") + 1
        if not cut:
            carry = data
            continue
        block, carry = data[:cut], data[cut:]
        yield Block(offset, block, line)
        offset += len(block)
        line += block.count(b"\n")
    if carry:
        yield Block(offset, carry, line)


@dataclass(slots=True)
class Kept:
    """The rows a block keeps, in order, as columns: the kind each is kept as, the
    geonameid, the cleaned name and the dump's cells (alternate names still raw)."""

    kind: list[int] = field(default_factory=list)
    geonameid: list[int] = field(default_factory=list)
    name: list[str] = field(default_factory=list)
    alternatenames: list[str] = field(default_factory=list)
    lat: list[float] = field(default_factory=list)
    lon: list[float] = field(default_factory=list)
    lat_cell: list[str] = field(default_factory=list)  # as the CSV writes them
    lon_cell: list[str] = field(default_factory=list)
    feature_class: list[str] = field(default_factory=list)
    feature_code: list[str] = field(default_factory=list)
    country_code: list[str] = field(default_factory=list)
    admin1_code: list[str] = field(default_factory=list)
    population: list[int] = field(default_factory=list)
    # Whether a text cell may start or end with a space (reading the CSV strips it).
    padded: bool = True

    def __len__(self) -> int:
        return len(self.kind)


@dataclass(frozen=True, slots=True)
class Filter:
    """Which lines become rows, and as what (see `ImportOptions`)."""

    file_name: str
    countries: dict[bytes, Country]
    admin1: dict[bytes, Admin1]
    feature_classes: frozenset[str]
    wanted: frozenset[str] | None
    min_population: int

    def kind(self, line: DumpLine, where: str, problem: Problems) -> int | None:
        """The kind of row a line becomes, or None (line by line)."""
        gid, code = line.geonameid, line.feature_code.decode("utf-8", "replace")
        feature_class = line.feature_class.decode("utf-8", "replace")
        if gid in self.countries:
            return RowKind.COUNTRY
        if code == "CONT":
            return RowKind.CONTINENT
        wanted = self.wanted
        if (
            wanted is not None
            and line.country_code.upper().decode("utf-8", "replace") not in wanted
        ):
            return None
        if gid in self.admin1:
            return RowKind.ADMIN1
        if feature_class not in self.feature_classes:
            return None
        if feature_class == "A":
            if code in SKIPPED_ADMIN_CODES or code in LISTED_ADMIN_CODES:
                return None
            return RowKind.ADMIN2
        if feature_class != "P":
            return RowKind.FEATURE
        if code in SKIPPED_CITY_CODES:
            return None
        if code != "PPLC":
            population = line.population
            try:
                if int(population or b"0") < self.min_population:
                    return None
            except ValueError:
                problem(
                    where,
                    f"column 'population': expected a whole number, got "
                    f"{population.decode('utf-8', 'replace')!r}",
                )
                return None
        return RowKind.CITY


def kept_rows(block: Block, rules: Filter, problem: Problems, cells: bool = True) -> Kept:
    """The rows `block` keeps: column-wise, or line by line when anything is unusual.
    Without `cells`, column-wise reading leaves the coordinates' CSV cells out."""
    kept = _columnwise(block, rules, cells)
    return kept if kept is not None else _line_by_line(block, rules, problem)


def _line_by_line(block: Block, rules: Filter, problem: Problems) -> Kept:
    kept = Kept()
    width = len(GEONAMES_COLUMNS)
    lines = block.data.split(b"\n")
    if block.data.endswith(b"\n"):
        lines.pop()
    for number, raw in enumerate(lines, start=block.first_line):
        where = f"{rules.file_name}:{number}"
        fields = raw.rstrip(b"\r\n").split(b"\t")
        if len(fields) != width:
            if len(fields) == 1 and not fields[0].strip():
                continue
            problem(where, f"expected {width} tab-separated fields, found {len(fields)}")
            continue
        line = DumpLine._make(fields)
        kind = rules.kind(line, where, problem)
        if kind is None or not is_text(line, where, problem):
            continue
        gid = whole(line.geonameid.decode(), "geonameid", where, problem)
        lat = degrees(line.latitude.decode(), "latitude", 90.0, where, problem)
        lon = degrees(line.longitude.decode(), "longitude", 180.0, where, problem)
        population = whole(line.population.decode() or "0", "population", where, problem)
        name = clean_name(line.name.decode())
        if gid is None or lat is None or lon is None or population is None:
            continue
        if not name:
            problem(where, "column 'name' is empty")
            continue
        kept.kind.append(kind)
        kept.geonameid.append(gid)
        kept.name.append(name)
        kept.alternatenames.append(line.alternatenames.decode())
        kept.lat.append(lat)
        kept.lon.append(lon)
        kept.lat_cell.append(format_degrees(lat))
        kept.lon_cell.append(format_degrees(lon))
        kept.feature_class.append(line.feature_class.decode())
        kept.feature_code.append(line.feature_code.decode())
        kept.country_code.append(line.country_code.decode().upper())
        kept.admin1_code.append(line.admin1_code.decode())
        kept.population.append(population)
    return kept


def _columnwise(block: Block, rules: Filter, cells_too: bool = True) -> Kept | None:
    """The same rows as `_line_by_line`, or None when the block needs it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if not _is_utf8(block.data):  # every column of a kept line must be UTF-8
        return None
    table = _read(block.data)
    if table is None:
        return None
    if table.num_rows == 0:
        return Kept()
    col = {name: table.column(name).combine_chunks() for name in _READ}
    gid, fclass, fcode = col["geonameid"], col["feature_class"], col["feature_code"]

    def mask(values: pa.Array) -> npt.NDArray[np.bool_]:
        return np.asarray(values.to_numpy(zero_copy_only=False), dtype=bool)

    country_ids = pa.array([g.decode() for g in rules.countries], pa.string())
    admin1_ids = pa.array([g.decode() for g in rules.admin1], pa.string())
    is_a, is_p = mask(pc.equal(fclass, "A")), mask(pc.equal(fclass, "P"))
    conditions = [
        mask(pc.is_in(gid, value_set=country_ids)),
        mask(pc.equal(fcode, "CONT")),
    ]
    kinds: list[int] = [RowKind.COUNTRY, RowKind.CONTINENT]
    if rules.wanted is not None:
        wanted = pa.array(sorted(rules.wanted), pa.string())
        in_wanted = mask(pc.is_in(pc.ascii_upper(col["country_code"]), value_set=wanted))
        conditions.append(~in_wanted)
        kinds.append(-1)
    classes = pa.array(sorted(rules.feature_classes), pa.string())
    skipped_admin = pa.array(sorted(SKIPPED_ADMIN_CODES | LISTED_ADMIN_CODES), pa.string())
    skipped_city = pa.array(sorted(SKIPPED_CITY_CODES), pa.string())
    conditions += [
        mask(pc.is_in(gid, value_set=admin1_ids)),
        ~mask(pc.is_in(fclass, value_set=classes)),
        is_a & mask(pc.is_in(fcode, value_set=skipped_admin)),
        is_a,
        ~is_p,
        mask(pc.is_in(fcode, value_set=skipped_city)),
    ]
    kinds += [RowKind.ADMIN1, -1, -1, RowKind.ADMIN2, RowKind.FEATURE, -1]
    kind = np.select(conditions, [np.int8(k) for k in kinds], np.int8(RowKind.CITY))
    population = col["population"]
    towns = (kind == RowKind.CITY) & ~mask(pc.equal(fcode, "PPLC"))
    if towns.any():
        people = population.filter(pa.array(towns))
        if not pc.all(pc.match_substring_regex(people, r"^[0-9]*$")).as_py():
            return None
        counted = _integers(pc.if_else(pc.equal(people, ""), "0", people))
        if counted is None:
            return None
        small = np.zeros(len(kind), dtype=bool)
        small[np.flatnonzero(towns)] = counted < rules.min_population
        kind[small] = -1
    keep = np.flatnonzero(kind >= 0)
    if not len(keep):
        return Kept()
    rows = pa.array(keep)
    cells = {name: pc.take(values, rows) for name, values in col.items()}
    numbers = _integers(cells["geonameid"], _DIGITS)
    lat = _decimals(cells["latitude"], 90.0)
    lon = _decimals(cells["longitude"], 180.0)
    people = cells["population"]
    counted = _integers(pc.if_else(pc.equal(people, ""), "0", people))
    if numbers is None or lat is None or lon is None or counted is None:
        return None
    if not pc.all(pc.string_is_ascii(cells["country_code"])).as_py():
        return None  # upper-cased as Python does, line by line
    names = cells["name"].to_pylist()
    for i in np.flatnonzero(mask(pc.match_substring_regex(cells["name"], _DIRTY))):
        names[i] = clean_name(names[i])
        if not names[i]:
            return None
    codes = ("feature_class", "feature_code", "country_code", "admin1_code")
    padded = any(pc.any(pc.match_substring_regex(cells[c], _PADDED)).as_py() for c in codes)
    return Kept(
        kind=kind[keep].tolist(),
        geonameid=numbers.tolist(),
        name=names,
        alternatenames=cells["alternatenames"].to_pylist(),
        lat=lat.tolist(),
        lon=lon.tolist(),
        lat_cell=_degree_cells(cells["latitude"], lat) if cells_too else [],
        lon_cell=_degree_cells(cells["longitude"], lon) if cells_too else [],
        feature_class=cells["feature_class"].to_pylist(),
        feature_code=cells["feature_code"].to_pylist(),
        country_code=pc.ascii_upper(cells["country_code"]).to_pylist(),
        admin1_code=cells["admin1_code"].to_pylist(),
        population=counted.tolist(),
        padded=padded,
    )


def _degree_cells(raw: pa.Array, values: Any) -> list[str]:
    """The CSV cells of a column of degrees: the dump's own where it has five decimals."""
    import numpy as np
    import pyarrow.compute as pc

    copied = pc.and_(pc.match_substring_regex(raw, _FIVE_DECIMALS), pc.not_equal(raw, "-0.00000"))
    cells: list[str | None] = pc.if_else(copied, raw, None).to_pylist()
    for i in np.flatnonzero(~copied.to_numpy(zero_copy_only=False)):
        cells[i] = format_degrees(float(values[i]))
    return cells  # type: ignore[return-value]


def _is_utf8(data: bytes, step: int = 1 << 20) -> bool:
    """Whether `data` is UTF-8, checked a megabyte at a time (decoding it whole would
    hold up to four times its size)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    try:
        for start in range(0, len(view), step):
            decoder.decode(view[start : start + step], final=start + step >= len(view))
    except UnicodeDecodeError:
        return False
    return True


def _read(data: bytes) -> pa.Table | None:
    """The block's columns as text, or None if a line has another number of fields."""
    import pyarrow as pa
    import pyarrow.csv as csv

    invalid: list[int] = []

    def on_invalid(row: Any) -> str:
        invalid.append(1)
        return "skip"

    names = list(GEONAMES_COLUMNS)
    table = csv.read_csv(
        pa.py_buffer(data),
        read_options=csv.ReadOptions(column_names=names, block_size=1 << 22),
        parse_options=csv.ParseOptions(
            delimiter="\t",
            quote_char=False,
            double_quote=False,
            escape_char=False,
            newlines_in_values=False,
            ignore_empty_lines=True,
            invalid_row_handler=on_invalid,
        ),
        convert_options=csv.ConvertOptions(
            column_types={name: pa.string() for name in _READ},
            include_columns=list(_READ),
            strings_can_be_null=False,
            null_values=[],
            check_utf8=False,
        ),
    )
    return None if invalid else table


def _integers(values: pa.Array, pattern: str = _DIGITS) -> npt.NDArray[np.int64] | None:
    """Plain digits as int64 (numpy), or None for anything else (read line by line)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) and not pc.all(pc.match_substring_regex(values, pattern)).as_py():
        return None
    try:
        numbers = pc.cast(values, pa.int64()).to_numpy()
    except pa.ArrowInvalid:
        return None
    return np.asarray(numbers, dtype=np.int64)


def _decimals(values: pa.Array, limit: float) -> npt.NDArray[np.float64] | None:
    """Plain decimals within +-limit as float64 (numpy), or None for anything else."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) and not pc.all(pc.match_substring_regex(values, _DECIMAL)).as_py():
        return None
    numbers = np.asarray(pc.cast(values, pa.float64()).to_numpy(), dtype=np.float64)
    if len(numbers) and not bool(np.all(np.abs(numbers) <= limit)):
        return None
    return numbers
