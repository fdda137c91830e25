"""Where texts come from: files, directories, stdin, lists of paths and JSON Lines records.

Every reader yields `Article`s and, for inputs that cannot be read, `Failure`s in their
place, so one bad input never stops a batch. Warnings (replaced bytes) go to `warn`.
"""

from __future__ import annotations

import codecs
import fnmatch
import itertools
import math
import os
import sys
from collections.abc import Iterable, Iterator
from typing import IO, BinaryIO, Literal, NoReturn

import orjson

from .errors import InputError
from .models import Article, Failure, RecordId, Warn, ignore_warning

STDIN = "-"
InputFormat = Literal["text", "jsonl"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode(
    data: bytes, source: str, warn: Warn = ignore_warning, encoding: str | None = None
) -> str:
    """Bytes to text: a BOM decides (UTF-8/16/32), else `encoding` if given, else UTF-8.

    NUL bytes mean a binary file (InputError), unless `encoding` writes text with them
    (UTF-16 or UTF-32 without a BOM): then a NUL character in the decoded text does. Bytes
    that are not valid UTF-8 are replaced with U+FFFD and reported through `warn`.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as exc:
                warn(f"{source}: invalid {codec.upper()} at byte {exc.start}; bad bytes replaced")
                return data.decode(codec, errors="replace")
    if b"\x00" in data and not nul_bytes_are_text(encoding):
        raise InputError(f"{source}: binary file (contains NUL bytes), not text")
    if encoding:
        try:
            text = data.decode(encoding, errors="replace")
        except (LookupError, UnicodeError) as exc:  # a codec that cannot replace (punycode)
            raise InputError(f"{source}: cannot decode as {encoding}: {exc}") from None
        if "\x00" in text:
            raise InputError(f"{source}: binary file (contains NUL characters), not text")
        return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
        warn(
            f"{source}: not valid UTF-8 (first bad byte at offset {exc.start}); "
            f"{bad} byte sequence(s) replaced with U+FFFD; "
            f"use --encoding latin-1 (or another) if the file is not UTF-8"
        )
        return text


def nul_bytes_are_text(encoding: str | None) -> bool:
    """True for encodings that write plain text with NUL bytes (UTF-16, UTF-32)."""
    if not encoding:
        return False
    try:
        return b"\x00" in "a".encode(encoding)
    except (LookupError, UnicodeError):
        return False


# Enough of a file's start to tell a binary file (NUL bytes, no BOM) before reading it all.
_SNIFF_BYTES = 1 << 16


def read_text_file(path: str, warn: Warn = ignore_warning, encoding: str | None = None) -> str:
    """The decoded text of one file; InputError with a one-line reason otherwise."""
    try:
        with open(path, "rb") as f:
            data = f.read(_SNIFF_BYTES)
            if (
                b"\x00" in data
                and not data.startswith(tuple(bom for bom, _ in _BOMS))
                and not nul_bytes_are_text(encoding)
            ):
                raise InputError(f"{path}: binary file (contains NUL bytes), not text")
            data += f.read()
    except OSError as exc:
        raise InputError(_open_error(path, exc)) from None
    return decode(data, path, warn, encoding)


def expand_paths(
    paths: Iterable[str],
    recursive: bool = False,
    patterns: tuple[str, ...] = ("*.txt",),
    warn: Warn = ignore_warning,
) -> Iterator[str | Failure]:
    """Paths in order, with directories replaced by their matching files when `recursive`.

    A directory without `recursive` stays as it is, and is reported when it is read. A
    folder that cannot be listed is a Failure in its place; a directory with no matching
    file is reported through `warn`.
    """
    for path in paths:
        if recursive and path != STDIN and os.path.isdir(path):
            found = 0
            for item in walk_directory(path, patterns):
                found += isinstance(item, str)
                yield item
            if not found:
                warn(f"{path}: no files matching {' or '.join(patterns)}")
        else:
            yield path


def iter_inputs(
    sources: Iterable[str | Failure],
    *,
    stdin: BinaryIO,
    input_format: InputFormat = "text",
    text_field: str = "text",
    id_field: str = "id",
    encoding: str | None = None,
    warn: Warn = ignore_warning,
) -> Iterator[Article | Failure]:
    """Articles from every source in order ('-' is stdin); a Failure for each bad one."""
    for source in sources:
        if isinstance(source, Failure):
            yield source
            continue
        yield from _read_source(source, stdin, input_format, text_field, id_field, encoding, warn)


def _read_source(
    source: str,
    stdin: BinaryIO,
    input_format: InputFormat,
    text_field: str,
    id_field: str,
    encoding: str | None,
    warn: Warn,
) -> Iterator[Article | Failure]:
    if input_format == "jsonl":
        try:
            stream = stdin if source == STDIN else open(source, "rb")  # noqa: SIM115
        except OSError as exc:
            yield Failure(source, _open_error(source, exc))
            return
        try:
            yield from read_jsonl(stream, source, text_field, id_field, encoding, warn)
        except OSError as exc:
            yield Failure(source, _open_error(source, exc))
        finally:
            if stream is not stdin:
                stream.close()
        return
    try:
        if source == STDIN:
            text = decode(_read_stdin(stdin), STDIN, warn, encoding)
        else:
            text = read_text_file(source, warn, encoding)
    except InputError as exc:
        yield Failure(source, str(exc))
        return
    yield Article(text, source=source)


def _read_stdin(stdin: BinaryIO) -> bytes:
    try:
        return stdin.read()
    except OSError as exc:
        raise InputError(_open_error(STDIN, exc)) from None


def _open_error(source: str, exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"{source}: no such file"
    if isinstance(exc, IsADirectoryError):
        return f"{source}: is a directory (use -r to read the files in it)"
    if isinstance(exc, PermissionError):
        return f"{source}: permission denied"
    return f"{source}: cannot read: {exc.strerror or exc}"


def read_jsonl(
    stream: IO[bytes],
    source: str,
    text_field: str = "text",
    id_field: str = "id",
    encoding: str | None = None,
    warn: Warn = ignore_warning,
) -> Iterator[Article | Failure]:
    """One Article per JSON Lines record; a bad line is a Failure naming its line number.

    The stream is decoded as a text file is (`decode`): a BOM decides, else `encoding`,
    else UTF-8; lines are found in the decoded text, so UTF-16 and UTF-32 read too.
    """
    for number, line in jsonl_lines(stream, source, encoding, warn):
        where = f"{source}:{number}"
        if isinstance(line, InputError):
            yield Failure(where, str(line))
            continue
        # Blank by JSON's own whitespace: str.strip() would also drop control characters
        # such as \x1c, which make a line that is not JSON and must be reported.
        if not line.strip(JSON_WHITESPACE):
            continue
        try:
            record = parse_json(line)
        except ValueError as exc:
            yield Failure(where, f"{where}: {exc}")
            continue
        if not isinstance(record, dict):
            yield Failure(where, f"{where}: expected a JSON object, got {type(record).__name__}")
            continue
        rid = record.get(id_field)
        if isinstance(rid, (list, dict)) and _deeper_than(rid, MAX_ID_DEPTH):
            yield Failure(
                where, f"{where}: field {id_field!r} is nested over {MAX_ID_DEPTH} levels deep"
            )
            continue
        if rid is not None and not isinstance(rid, str) and _may_have_lost_digits(rid):
            rid = _read_exactly(line, id_field, rid)
        text = record.get(text_field)
        if text is None:
            yield Failure(where, f"{where}: no {text_field!r} field in the record", rid)
            continue
        if not isinstance(text, str):
            kind = type(text).__name__
            yield Failure(where, f"{where}: field {text_field!r} is {kind}, not a string", rid)
            continue
        yield Article(text, source=where, id=rid)


def jsonl_lines(
    stream: IO[bytes], source: str, encoding: str | None = None, warn: Warn = ignore_warning
) -> Iterator[tuple[int, str | InputError]]:
    """The numbered lines of a JSON Lines stream as text, or why a line is not text.

    UTF-8 (and encodings like it) is decoded a line at a time, so a binary or badly
    encoded line fails alone. In UTF-16 or UTF-32 (a BOM says so, or `encoding`) a newline
    byte may belong to another character: the stream is decoded first, then split.
    """
    head = stream.read(4)
    wide = _wide_codec(head, encoding)
    if wide is None:
        first = head + (b"" if head.endswith(b"\n") else stream.readline())
        *whole, rest = first.split(b"\n")
        raws = itertools.chain([w + b"\n" for w in whole], [rest] if rest else [], stream)
        for number, raw in enumerate(raws, start=1):
            where = f"{source}:{number}"
            try:
                yield number, decode(raw, where, warn, encoding)
            except InputError as exc:
                yield number, exc
        return
    # read1: what a pipe has now, so records written one at a time are read as they come.
    read = getattr(stream, "read1", stream.read)
    chunks = itertools.chain([head], iter(lambda: read(_SNIFF_BYTES), b""))
    for number, line in enumerate(_wide_lines(chunks, wide, source, warn), start=1):
        if "\x00" in line:
            yield number, InputError(f"{source}:{number}: binary (contains NUL characters)")
        else:
            yield number, line


# JSON text starts with two ASCII characters, so where the NUL bytes of its first four
# bytes fall tells UTF-16 and UTF-32 and their byte order without a BOM (RFC 4627, 3).
_NUL_PATTERNS = (
    ((True, True, True, False), "utf-32-be"),
    ((True, False, True, False), "utf-16-be"),
    ((False, True, True, True), "utf-32-le"),
    ((False, True, False, True), "utf-16-le"),
)


def _wide_codec(head: bytes, encoding: str | None) -> str | None:
    """The codec of a JSON Lines stream starting with `head` when it is UTF-16 or UTF-32
    (a BOM says so, else `encoding`, else the NUL bytes of its start), or None."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            # UTF-8 goes a line at a time; `decode` drops the BOM of the first.
            return None if codec == "utf-8-sig" else codec
    if encoding:
        if not nul_bytes_are_text(encoding):
            return None
        name = codecs.lookup(encoding).name
        if name in ("utf-16", "utf-32"):
            # Without a BOM, as bytes.decode reads them: in this machine's byte order.
            return f"{name}-{'le' if sys.byteorder == 'little' else 'be'}"
        return encoding
    if len(head) == 4 and b"\x00" in head:
        nuls = tuple(byte == 0 for byte in head)
        return next((codec for pattern, codec in _NUL_PATTERNS if pattern == nuls), None)
    return None


def _wide_lines(chunks: Iterable[bytes], codec: str, source: str, warn: Warn) -> Iterator[str]:
    """The lines of bytes in a wide encoding, decoded as they come; bad bytes are
    replaced, with a warning naming the line where that first happens."""
    decoder = codecs.getincrementaldecoder(codec)()
    pending = ""
    lines = 0
    for chunk in itertools.chain(chunks, [b""]):
        final = not chunk
        try:
            text = decoder.decode(chunk, final)
        except UnicodeDecodeError:
            # The decoder's state is as before this chunk: go on from it, replacing.
            state = decoder.getstate()
            decoder = codecs.getincrementaldecoder(codec)(errors="replace")
            decoder.setstate(state)
            text = decoder.decode(chunk, final)
            warn(f"{source}:{lines + 1}: invalid {codec.upper()} from here on; bad bytes replaced")
        *done, pending = (pending + text).split("\n")
        lines += len(done)
        yield from done
    if pending:
        yield pending


JSON_WHITESPACE = " \t\r\n"


def parse_json(line: str) -> object:
    """The JSON value on a line; ValueError with the reason a person reads otherwise.

    orjson refuses a number beyond a double's range (an integer of 310 digits and more):
    such a line is read again by the standard library, which keeps an integer's every
    digit up to Python's limit for reading one (`sys.get_int_max_str_digits`, 4300).
    """
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        if "number is infinity" not in str(exc):
            raise ValueError(f"malformed JSON: {exc}") from None
    import json

    try:
        return json.loads(line, parse_float=_finite_float, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError("malformed JSON: nested too deeply") from None
    except _OutOfRange:
        raise
    except ValueError as exc:
        if "integer string conversion" in str(exc):
            limit = sys.get_int_max_str_digits()
            raise ValueError(f"an integer of more than {limit} digits") from None
        raise ValueError(f"malformed JSON: {exc}") from None


class _OutOfRange(ValueError):
    pass


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise _OutOfRange(f"number {text[:20]} is beyond the range of a double")
    return value


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


# An id is written back in every output; one nested deeper than this (JSON allows it, and
# orjson reads up to 1024 levels) could not be written by every format without recursing
# past Python's limit, so such a record is a failed input.
MAX_ID_DEPTH = 100


def _deeper_than(value: object, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, (list, dict)):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return False


# orjson reads an integer beyond 64 bits as the nearest float; from 2**53 on a float no longer
# holds every integer, so an id with such a number is read again by the standard library,
# which keeps every digit (only then: it is several times slower).
_EXACT_FLOAT_INTEGERS = 2**53


def _may_have_lost_digits(value: object) -> bool:
    if isinstance(value, float):
        return value.is_integer() and abs(value) >= _EXACT_FLOAT_INTEGERS
    if isinstance(value, dict):
        return any(_may_have_lost_digits(v) for v in value.values())
    if isinstance(value, list):
        return any(_may_have_lost_digits(v) for v in value)
    return False


def _read_exactly(line: str, field: str, value: RecordId) -> RecordId:
    import json

    try:
        exact: RecordId = json.loads(line)[field]
    except (ValueError, KeyError, TypeError):
        return value
    return exact


def walk_directory(root: str, patterns: tuple[str, ...]) -> Iterator[str | Failure]:
    """Regular files under `root` matching any pattern, sorted, skipping hidden files and
    folders (and pipes, sockets, devices: reading one could block for ever). A folder that
    cannot be listed is a Failure."""
    errors: list[OSError] = []
    for folder, dirs, files in os.walk(root, onerror=errors.append):
        while errors:
            yield _listing_failure(errors.pop(0))
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith(".") or not any(fnmatch.fnmatch(name, p) for p in patterns):
                continue
            path = os.path.join(folder, name)
            if os.path.isfile(path):
                yield path
    for exc in errors:
        yield _listing_failure(exc)


def _listing_failure(exc: OSError) -> Failure:
    where = str(exc.filename)
    return Failure(where, f"{where}: cannot list the folder: {exc.strerror or exc}")


def read_path_list(stream: IO[bytes]) -> Iterator[str]:
    """Paths from a --files-from list: one a line, or separated by NUL bytes as `find
    -print0` writes them; empty entries are skipped. Paths keep the bytes they had
    (os.fsdecode), so names that are not valid UTF-8 still open. A list in UTF-16 or
    UTF-32 with a byte-order mark (as Windows PowerShell writes them) is decoded first.
    InputError when the list cannot be read."""
    name = getattr(stream, "name", "--files-from")
    name = "-" if name == "<stdin>" else str(name)
    try:
        data = stream.read()
    except OSError as exc:
        raise InputError(_open_error(name, exc)) from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    elif data.startswith(tuple(bom for bom, codec in _BOMS if codec != "utf-8-sig")):
        data = os.fsencode(decode(data, name))
    if b"\x00" in data:
        entries = data.split(b"\x00")
    else:
        entries = [line.rstrip(b"\r") for line in data.split(b"\n")]
    for raw in entries:
        if raw.strip():
            yield os.fsdecode(raw)
