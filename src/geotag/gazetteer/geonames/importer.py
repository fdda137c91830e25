"""`geotag gazetteer build`: import official GeoNames dumps into geotag's gazetteer schema.

Two passes over the dump (allCountries.txt is 1.5 GB), each reading it in blocks whose
lines pyarrow splits into columns (`blocks`). The first keeps the ids, counts the rows and
ranks them by primary name for the collision rule (`rows.RowTable`); the rows after the
dump's and alternateNamesV2.txt follow. The second pass, split by blocks across worker
processes, turns each kept row into its CSV line and its index row (`rows.Writer`); the
parts are joined into the CSV, which replaces the output only when complete. Each worker
saves its part of the index (columns, and its keys sorted in one blob) to a file beside
the output; the parent reads them back once the first pass's tables are gone, and writes
the compiled index from them with one sort.
"""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import IO, Any

from ...errors import DumpError, GazetteerError
from ...models import Warn, ignore_warning
from ..cache import sibling_index
from ..index.writer import IndexPart, write_part_index
from ..schema import (
    COLUMNS,
    DEFAULT_FEATURE_CLASSES,
    DEFAULT_MIN_POPULATION,
    RowKind,
)
from . import blocks as block_reading
from .blocks import Block, Filter, Kept, blocks, kept_rows, require_pyarrow
from .dump import (
    ADMIN1_FILE,
    ALTERNATE_NAMES_FILE,
    COUNTRY_FILE,
    Problems,
    find_dump,
    open_lines,
    read_admin1_codes,
    read_alternate_names,
    read_country_info,
    required_file,
)
from .records import (
    add_missing,
    add_tail,
    admin1_record,
    country_record,
    dump_record,
    shipped_record,
)
from .report import ImportReport
from .rows import IdSet, Primaries, Record, RowTable, Writer
from .shipped import read_shipped

DEFAULT_LANGUAGES = ("en",)
# The rows' kinds as the summary names them.
KIND_NAMES = {
    RowKind.CONTINENT: "continents",
    RowKind.COUNTRY: "countries",
    RowKind.ADMIN1: "regions",
    RowKind.ADMIN2: "districts",
    RowKind.CITY: "cities",
    RowKind.FEATURE: "other features",
    RowKind.PLACE: "hand-written",
}
COPY_BLOCK = 1 << 22
# The dump's bytes whose rows one task of the second pass makes and holds (about 1 GB of
# memory a task at GeoNames' mix of rows): a bigger dump is split into more tasks, each
# in a fresh worker, so that a worker's memory does not grow with the dump.
SPAN_BYTES = 256 << 20


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What to keep: rows of `feature_classes` (countries, first-level regions and
    continents always), cities of at least `min_population` people (capitals always), only
    places in `countries` when given (countries and continents always), and with `extras`
    the shipped gazetteer's hand-written rows, names and abbreviations.

    With `alternate_names`, names from alternateNamesV2.txt are added: those in
    `languages`, those with no language, and abbreviations; historic names are not.
    With `index`, the compiled index is written next to the CSV, so the first run that
    uses it starts at once. The second pass runs in `jobs` processes (default: one per
    core, at most two)."""

    min_population: int = DEFAULT_MIN_POPULATION
    extras: bool = True
    skip_malformed: bool = False
    feature_classes: frozenset[str] = DEFAULT_FEATURE_CLASSES
    countries: frozenset[str] | None = None
    alternate_names: bool = False
    languages: tuple[str, ...] = DEFAULT_LANGUAGES
    index: bool = True
    jobs: int | None = None


@dataclass(frozen=True, slots=True)
class _Extent:
    """A block of the dump as the first pass saw it: where it is, and the rows it keeps
    (`rows`), of which `fresh` are not a geonameid seen before."""

    offset: int
    size: int
    first_line: int
    first_row: int
    fresh: list[bool] | None  # None: every row kept is fresh


def import_geonames(
    directory: str | os.PathLike[str],
    out: str | os.PathLike[str],
    options: ImportOptions | None = None,
    warn: Warn | None = None,
    shipped_path: Path | None = None,
) -> ImportReport:
    """Import the GeoNames dump in `directory` into a gazetteer CSV at `out`.

    Reads allCountries.txt or citiesN.txt (or their .zip), admin1CodesASCII.txt and
    countryInfo.txt. Raises DumpError with `FILE:LINE: reason` for a malformed line
    (unless options.skip_malformed) or a missing file, and with a hint to install the
    `geonames` extra when pyarrow is missing.
    """
    options = options if options is not None else ImportOptions()
    say: Warn = warn or ignore_warning
    folder = Path(directory)
    dump = find_dump(folder)
    problem = Problems(options.skip_malformed, say)
    countries = read_country_info(required_file(folder, COUNTRY_FILE), problem)
    admin1 = read_admin1_codes(required_file(folder, ADMIN1_FILE), problem)
    require_pyarrow()
    shipped = read_shipped(shipped_path)
    rules = Filter(
        dump.name,
        countries,
        admin1,
        options.feature_classes,
        options.countries,
        options.min_population,
    )
    table = RowTable(options.extras, shipped)
    jobs = _jobs(options)
    extents, continents = _first_pass(dump, rules, table, problem, jobs)
    backfill = add_missing(table, options.countries, countries, admin1)
    if not continents:
        for row in shipped.continents:
            add_tail(table, shipped_record(row, RowKind.CONTINENT))
    if options.extras:
        for row in shipped.hand_written:
            gid = row.get("geonameid", "")
            cc = row.get("country_code", "")
            if options.countries is not None and cc and cc not in options.countries:
                continue
            if not gid or int(gid) not in table.written:
                add_tail(table, shipped_record(row, RowKind.PLACE))
    if options.alternate_names:
        table.alternates = read_alternate_names(
            required_file(folder, ALTERNATE_NAMES_FILE),
            options.languages,
            table.written,
            problem,
        )
    table.primaries.freeze()
    out_path = Path(out)
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        saved, tail, dropped, sha256, size = _second_pass(
            dump, rules, table, extents, out_path, options
        )
    except OSError as exc:
        raise DumpError(f"cannot write {out_path}: {exc.strerror or exc}") from None
    summary = ImportReport(
        out=str(out_path),
        dump=dump.name,
        rows=tuple((KIND_NAMES[k], table.counts[k]) for k in RowKind if table.counts.get(k)),
        malformed=problem.count,
        backfill=backfill,
        alternates_dropped=dropped,
    )
    # The collision rule's tables go before the index's parts are read back: the two
    # would otherwise add up to the build's peak memory.
    del table
    _release()
    try:
        if options.index:
            index = sibling_index(out_path)
            try:
                parts = [*map(_load_part, saved), tail]
                write_part_index(out_path, index, parts, sha256, size)
            except OSError as exc:
                raise DumpError(f"cannot write {index}: {exc.strerror or exc}") from None
            except GazetteerError as exc:
                raise DumpError(str(exc)) from None
    finally:
        for path in saved:
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    return summary


def _release() -> None:
    """Hand the memory of the tables just let go back to the system (glibc keeps freed
    heap otherwise), before the index's parts are read."""
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _load_part(path: Path) -> IndexPart:
    """A part of the index as a worker saved it (`_write_span`), its file removed."""
    with path.open("rb") as f:
        part = pickle.load(f)
    path.unlink()
    assert isinstance(part, IndexPart)
    return part


# -- the first pass: which rows are kept -------------------------------------------------------


def _first_pass(
    dump: Path, rules: Filter, table: RowTable, problem: Problems, jobs: int
) -> tuple[list[_Extent], int]:
    """Keep, count and rank the dump's rows, block by block; records for the rows that
    need more than their line. Returns the blocks' extents and the continents found.
    Over stretches of the file in `jobs` processes where it can (a plain file, no
    geonameid twice), else in this one."""
    if (
        jobs > 1
        and dump.suffix.lower() != ".zip"
        and dump.stat().st_size > 2 * block_reading.BLOCK_BYTES
    ):
        found = _first_pass_in_parts(dump, rules, table, problem, jobs)
        if found is not None:
            return found
    extents: list[_Extent] = []
    continents = 0
    rows = 0
    with open_lines(dump) as f:
        for block in blocks(f):
            kept = kept_rows(block, rules, problem, cells=False)
            fresh = table.written.add_new(kept.geonameid)
            every = all(fresh)
            extents.append(_Extent(block.offset, len(block.data), block.first_line, rows,
                                   None if every else fresh))  # fmt: skip
            continents += _keep(kept, fresh, table, rules)
            rows += sum(fresh)
    return extents, continents


@dataclass(slots=True)
class _Survey:
    """What the first pass found in a stretch of the dump, for the table to take in."""

    blocks: list[tuple[int, int, int, Any]]  # offset, size, first line, geonameids kept
    problems: list[tuple[str, str]]
    counts: dict[RowKind, int]
    records: dict[int, Record]
    admin1_names: dict[tuple[str, str], str]
    primaries: Primaries
    continents: int
    repeated: bool  # a geonameid came twice within the stretch


class _Collected(Problems):
    """Problems kept in order, to be reported by the parent process."""

    def __init__(self) -> None:
        super().__init__(True, ignore_warning)
        self.found: list[tuple[str, str]] = []

    def __call__(self, where: str, message: str) -> None:
        self.found.append((where, message))


def _first_pass_in_parts(
    dump: Path, rules: Filter, table: RowTable, problem: Problems, jobs: int
) -> tuple[list[_Extent], int] | None:
    """The first pass over stretches of the file in worker processes, taken in in order;
    None (nothing taken in) when a geonameid comes twice: which row keeps it depends on
    the order across stretches, so this one process reads the dump then."""
    global _JOB
    _JOB = _Job(dump, rules, table, False)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            surveys = pool.map(_survey, _stretches(dump, jobs))
    finally:
        _JOB = None
    if any(s.repeated for s in surveys):
        return None
    for survey in surveys:
        for _, _, _, ids in survey.blocks:
            if not all(table.written.add_new(ids)):
                table.written = IdSet()
                return None
    extents: list[_Extent] = []
    rows = 0
    for survey in surveys:
        for where, message in survey.problems:
            problem(where, message)
        for offset, size, first_line, ids in survey.blocks:
            extents.append(_Extent(offset, size, first_line, rows, None))
            rows += len(ids)
        for kind, n in survey.counts.items():
            table.counts[kind] = table.counts.get(kind, 0) + n
        table.records.update(survey.records)
        table.admin1_names.update(survey.admin1_names)
        table.primaries.merge(survey.primaries)
    return extents, sum(s.continents for s in surveys)


def _stretches(dump: Path, jobs: int) -> list[tuple[int, int]]:
    """The file cut into `jobs` stretches of about the same size, each after a newline."""
    size = dump.stat().st_size
    cuts = [0]
    with dump.open("rb") as f:
        for n in range(1, jobs):
            f.seek(max(cuts[-1], size * n // jobs))
            f.readline()
            cuts.append(min(f.tell(), size))
    cuts.append(size)
    return [(a, b) for a, b in pairwise(cuts) if b > a]


class _Stretch:
    """A file read from its current position for at most `size` bytes."""

    def __init__(self, f: IO[bytes], size: int) -> None:
        self.f = f
        self.left = size

    def read(self, n: int) -> bytes:
        data = self.f.read(min(n, self.left))
        self.left -= len(data)
        return data


def _survey(stretch: tuple[int, int]) -> _Survey:
    import numpy as np

    job = _JOB
    assert job is not None
    start, end = stretch
    problem = _Collected()
    table = RowTable(job.table.extras, job.table.shipped)
    found: list[tuple[int, int, int, Any]] = []
    continents = 0
    repeated = False
    with job.dump.open("rb") as f:
        line = 1
        while f.tell() < start:
            line += f.read(min(COPY_BLOCK, start - f.tell())).count(b"\n")
        for piece in blocks(_Stretch(f, end - start)):  # type: ignore[arg-type]
            block = Block(start + piece.offset, piece.data, line + piece.first_line - 1)
            kept = kept_rows(block, job.rules, problem, cells=False)
            fresh = table.written.add_new(kept.geonameid)
            repeated = repeated or not all(fresh)
            try:
                ids = np.asarray(kept.geonameid, dtype=np.int64)
            except OverflowError:  # an id beyond 64 bits: this process reads the dump
                repeated, ids = True, np.empty(0, np.int64)
            found.append((block.offset, len(block.data), block.first_line, ids))
            continents += _keep(kept, fresh, table, job.rules)
    return _Survey(found, [(w, m) for w, m in problem.found], table.counts, table.records,
                   table.admin1_names, table.primaries, continents, repeated)  # fmt: skip


def _keep(kept: Kept, fresh: list[bool], table: RowTable, rules: Filter) -> int:
    """Count and rank a block's fresh rows; make records of those that need one."""
    import numpy as np

    continents = 0
    kinds = np.asarray(kept.kind, dtype=np.int64)
    borrowing: Any = None
    if table.extras:
        try:
            borrowing = np.isin(np.asarray(kept.geonameid, dtype=np.int64), table.borrowed_ids)
        except OverflowError:  # an id beyond 64 bits, read line by line: one by one
            borrowing = np.asarray([g in table.shipped.by_id for g in kept.geonameid], dtype=bool)
    new = np.asarray(fresh, dtype=bool)
    for kind, n in Counter(kinds[new].tolist()).items():
        table.counts[RowKind(kind)] = table.counts.get(RowKind(kind), 0) + n
    special = kinds <= RowKind.ADMIN1
    if borrowing is not None and len(kinds):
        special |= borrowing
    special &= new
    for i in np.flatnonzero(special).tolist():
        kind, gid = kept.kind[i], kept.geonameid[i]
        record = dump_record(kept, i)
        if kind == RowKind.COUNTRY:
            record = country_record(rules.countries[str(gid).encode()], record)
        elif kind == RowKind.ADMIN1:
            record = admin1_record(rules.admin1[str(gid).encode()], record, rules.admin1)
        elif kind == RowKind.CONTINENT:
            continents += 1
            record.country_code = record.admin1_code = ""
        table.note(record, counted=True)
        table.records[gid] = record
    ranked = np.flatnonzero(new & ~special & (kinds != RowKind.FEATURE)).tolist()
    if ranked:
        names, population = kept.name, kept.population
        cc, admin1 = kept.country_code, kept.admin1_code
        table.primaries.add_many(
            [names[i] for i in ranked],
            [kept.kind[i] for i in ranked],
            [population[i] for i in ranked],
            [cc[i] for i in ranked],
            [admin1[i] for i in ranked],
        )
    return continents


# -- the second pass: the CSV and the index's parts --------------------------------------------


def _second_pass(
    dump: Path,
    rules: Filter,
    table: RowTable,
    extents: list[_Extent],
    out: Path,
    options: ImportOptions,
) -> tuple[list[Path], IndexPart, int, str, int]:
    """Write the CSV (its lines made in `jobs` processes, each task over a stretch of
    blocks of at most about SPAN_BYTES, in a fresh worker, then joined under a temporary
    name and renamed into place); returns the files the workers saved their parts of the
    index in (`_write_span`; the caller removes them), the part of the rows after the
    dump's, the names dropped, and the CSV's SHA-256 and size."""
    jobs = _jobs(options)
    zipped = dump.suffix.lower() == ".zip"
    total = sum(e.size for e in extents)
    tasks = max(jobs, -(-total // SPAN_BYTES))
    spans = [extents] if zipped else _spans(extents, tasks)
    stem = f".{out.name}.{os.getpid()}"
    paths = [out.with_name(f"{stem}.part{n}") for n in range(len(spans) + 1)]
    final = out.with_name(f"{stem}.tmp")
    global _JOB
    _JOB = _Job(dump, rules, table, zipped)
    try:
        work = list(zip(spans, paths, strict=False))
        if jobs > 1 and len(work) > 1:
            context = multiprocessing.get_context("fork")
            with context.Pool(min(jobs, len(work)), maxtasksperchild=1) as pool:
                results = pool.starmap(_write_span, work, chunksize=1)
        else:
            results = [_write_span(span, path) for span, path in work]
        saved = [path for path, _, _ in results]
        first = sum(rows for _, rows, _ in results)
        tail = IndexPart(first)
        with paths[-1].open("w", encoding="utf-8", newline="") as f:
            writer = Writer(table, f, tail)
            writer.records(table.tail)
        dropped = sum(lost for _, _, lost in results) + writer.dropped
        sha256, size = _join(final, paths)
        os.replace(final, out)
    except BaseException:
        for path in paths:
            with contextlib.suppress(OSError):
                _saved(path).unlink(missing_ok=True)
        raise
    finally:
        _JOB = None
        for path in (*paths, final):
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
    return saved, tail, dropped, sha256, size


def _jobs(options: ImportOptions) -> int:
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1  # the workers inherit the first pass's tables by forking
    return options.jobs or min(2, os.cpu_count() or 1)


@dataclass(frozen=True, slots=True)
class _Job:
    """What the second pass's workers share (inherited when they fork)."""

    dump: Path
    rules: Filter
    table: RowTable
    zipped: bool


_JOB: _Job | None = None


def _spans(extents: list[_Extent], jobs: int) -> list[list[_Extent]]:
    """The blocks in `jobs` stretches of about the same size (fewer when there are fewer
    blocks)."""
    total = sum(e.size for e in extents)
    spans: list[list[_Extent]] = [[]]
    done = 0
    for extent in extents:
        if done >= total * len(spans) / jobs and len(spans) < jobs:
            spans.append([])
        spans[-1].append(extent)
        done += extent.size
    return [span for span in spans if span]


def _saved(path: Path) -> Path:
    return path.with_name(f"{path.name}.index")


def _write_span(span: list[_Extent], path: Path) -> tuple[Path, int, int]:
    """The CSV lines of a stretch of blocks, to `path`, and its part of the index, keys
    sorted (`IndexPart.freeze`), pickled to a file beside it: read back only once the
    first pass's tables are gone, and never held twice by a pipe. Returns that file, the
    part's rows and the names dropped."""
    job = _JOB
    assert job is not None
    quiet = Problems(True, ignore_warning)  # the first pass reported them
    part = IndexPart(span[0].first_row if span else 0)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = Writer(job.table, f, part)
        for extent, block in _blocks_of(job, span):
            kept = kept_rows(block, job.rules, quiet)
            if extent.fresh is not None:
                _only(kept, extent.fresh)
            writer.dump_rows(kept)
    part.freeze()
    saved = _saved(path)
    with saved.open("wb") as f:
        pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    return saved, part.rows, writer.dropped


def _blocks_of(job: _Job, span: list[_Extent]) -> Iterator[tuple[_Extent, Block]]:
    if job.zipped:  # a zip member cannot be read from the middle: read it through
        with open_lines(job.dump) as f:
            yield from zip(span, blocks(f), strict=True)
        return
    with job.dump.open("rb") as f:
        for extent in span:
            f.seek(extent.offset)
            yield extent, Block(extent.offset, f.read(extent.size), extent.first_line)


def _only(kept: Kept, fresh: list[bool]) -> None:
    """Leave out the rows whose geonameid came before (the first row of an id wins)."""
    for name in kept.__slots__:
        values = getattr(kept, name)
        if isinstance(values, list):
            setattr(kept, name, [v for v, keep in zip(values, fresh, strict=True) if keep])


def _join(final: Path, paths: Sequence[Path]) -> tuple[str, int]:
    """The header and the parts into one file, hashed on the way."""
    digest = hashlib.sha256()
    size = 0
    with final.open("wb") as out:
        head = (",".join(COLUMNS) + "\n").encode()
        out.write(head)
        digest.update(head)
        size += len(head)
        for path in paths:
            with path.open("rb") as part:
                while data := part.read(COPY_BLOCK):
                    out.write(data)
                    digest.update(data)
                    size += len(data)
    return digest.hexdigest(), size


# -- records: a dump line, a listed country or region, a shipped row ---------------------------
