"""A user's corrections for a corpus: the `--overrides` TOML file, read and checked.

Each `[[override]]` table names a mention as written in the text and says what it is: a
gazetteer row (`geonameid`), not a place at all (`not_place`), or a place the gazetteer
lacks (`lat`, `lon`, `country`...). Rules are checked whole before any text is tagged; an
error names the file and line of the rule at fault.
"""

from __future__ import annotations

import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from ..errors import OverridesError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

OverrideKind = Literal["row", "not_place", "custom"]
# The corrections file used when none is given.
OVERRIDES_ENV = "GEOTAG_OVERRIDES"

_TABLE_HEADER = re.compile(r"^\s*\[\[\s*override\s*\]\]\s*(?:#.*)?$")
_KEY_LINE = re.compile(r"^\s*([A-Za-z0-9_-]+|\"[^\"]*\")\s*=")
_CUSTOM_KEYS = ("lat", "lon", "country", "feature_code", "admin1", "display_name")
_KEYS = frozenset({"name", "geonameid", "not_place", "country_context", *_CUSTOM_KEYS})


@dataclass(frozen=True, slots=True)
class Override:
    """One rule: the mention `name` (case-sensitive, whole mention) is what the rule says.
    `origin` is `FILE:LINE`, shown by `--explain` and the check command."""

    name: str
    kind: OverrideKind
    origin: str
    geonameid: int | None = None
    lat: float | None = None
    lon: float | None = None
    country: str | None = None
    feature_code: str = ""
    admin1: str = ""
    display_name: str | None = None
    country_context: str | None = None

    def applies_in(self, countries: Iterable[str]) -> bool:
        """Whether the rule holds in a story whose focus or home countries are these."""
        return self.country_context is None or self.country_context in set(countries)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "kind": self.kind, "origin": self.origin}
        for key in ("geonameid", "lat", "lon", "country", "display_name", "country_context"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


@dataclass(frozen=True, slots=True)
class Overrides:
    """The rules of one file, by the name they match."""

    path: str
    rules: tuple[Override, ...]
    _by_name: dict[str, Override] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {r.name: r for r in reversed(self.rules)})

    def for_name(self, name: str) -> Override | None:
        """The first rule for this exact mention text, if any."""
        return self._by_name.get(name)

    def __len__(self) -> int:
        return len(self.rules)


def read_overrides(path: str | os.PathLike[str] | None) -> Overrides | None:
    """The corrections file at `path` (None: $GEOTAG_OVERRIDES when set), read and
    checked; None when there is no file to use."""
    if path is None:
        path = os.environ.get(OVERRIDES_ENV) or None
    return None if path is None else load_overrides(path)


def load_overrides(path: str | os.PathLike[str]) -> Overrides:
    """Read and check a corrections file; OverridesError (naming FILE:LINE) on any fault."""
    where = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as e:
        raise OverridesError(
            f"{where}: cannot read the overrides file: {e.strerror or e}"
        ) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise OverridesError(f"{where}: not UTF-8 text (TOML files are UTF-8)") from None
    return parse_overrides(text, where)


def parse_overrides(text: str, where: str = "<overrides>") -> Overrides:
    """Check the TOML text of a corrections file; `where` names it in errors."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        line = _decode_error_line(e, text)
        raise OverridesError(f"{where}:{line}: not valid TOML: {_reason(e)}") from None
    lines = text.splitlines()
    headers = [n for n, line in enumerate(lines, 1) if _TABLE_HEADER.match(line)]
    for key in data:
        if key != "override":
            raise OverridesError(
                f"{where}:{_key_line(lines, key, 1, len(lines))}: unknown key {key!r}: "
                "each rule is an [[override]] table"
            )
    tables = data.get("override", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise OverridesError(f"{where}:1: 'override' must be [[override]] tables")
    if len(headers) != len(tables):  # inline tables or dotted keys: lines are approximate
        headers = [1] * len(tables)
    rules = []
    for n, table in enumerate(tables):
        first = headers[n]
        last = headers[n + 1] - 1 if n + 1 < len(headers) else len(lines)
        rules.append(_rule(table, where, lines, first, last))
    return Overrides(where, tuple(rules))


def _rule(
    table: Mapping[str, Any], where: str, lines: list[str], first: int, last: int
) -> Override:
    def fail(message: str, key: str | None = None) -> OverridesError:
        line = first if key is None else _key_line(lines, key, first, last)
        return OverridesError(f"{where}:{line}: {message}")

    for key in table:
        if key not in _KEYS:
            known = ", ".join(sorted(_KEYS))
            raise fail(f"unknown key {key!r} (known: {known})", key)
    name = table.get("name")
    if not isinstance(name, str) or not name.strip():
        raise fail("a rule needs `name`, the mention as written in the text", "name")
    origin = f"{where}:{first}"
    context = table.get("country_context")
    if context is not None:
        context = _country(context, "country_context", fail)
    chosen = [k for k in ("geonameid", "not_place") if k in table]
    custom = [k for k in _CUSTOM_KEYS if k in table]
    if len(chosen) + bool(custom) != 1:
        raise fail(
            f"rule for {name!r} must give exactly one of `geonameid`, `not_place = true`, "
            "or a custom place (`lat`, `lon`, `country`)"
        )
    if "geonameid" in table:
        gid = table["geonameid"]
        if isinstance(gid, bool) or not isinstance(gid, int) or gid <= 0:
            raise fail(f"`geonameid` must be a positive integer, not {gid!r}", "geonameid")
        return Override(name, "row", origin, geonameid=gid, country_context=context)
    if "not_place" in table:
        if table["not_place"] is not True:
            raise fail("`not_place` can only be true", "not_place")
        return Override(name, "not_place", origin, country_context=context)
    for key in ("lat", "lon", "country"):
        if key not in table:
            raise fail(f"a custom place for {name!r} needs `lat`, `lon` and `country`")
    lat, lon = _number(table, "lat", fail), _number(table, "lon", fail)
    if not -90 <= lat <= 90:
        raise fail(f"`lat` {lat} is out of range (-90 to 90)", "lat")
    if not -180 <= lon <= 180:
        raise fail(f"`lon` {lon} is out of range (-180 to 180)", "lon")
    texts = {}
    for key in ("feature_code", "admin1", "display_name"):
        value = table.get(key, "")
        if not isinstance(value, str):
            raise fail(f"`{key}` must be a string", key)
        texts[key] = value
    return Override(
        name,
        "custom",
        origin,
        lat=lat,
        lon=lon,
        country=_country(table["country"], "country", fail),
        feature_code=texts["feature_code"].strip().upper() or "PPL",
        admin1=texts["admin1"],
        display_name=texts["display_name"] or None,
        country_context=context,
    )


def _number(table: Mapping[str, Any], key: str, fail: Any) -> float:
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise fail(f"`{key}` must be a number of degrees, not {value!r}", key)
    return float(value)


def _country(value: Any, key: str, fail: Any) -> str:
    if not isinstance(value, str) or len(value.strip()) != 2 or not value.strip().isalpha():
        raise fail(f"`{key}` must be a two-letter ISO country code, not {value!r}", key)
    return value.strip().upper()


def _key_line(lines: list[str], key: str, first: int, last: int) -> int:
    for n in range(first, last + 1):
        m = _KEY_LINE.match(lines[n - 1]) if n - 1 < len(lines) else None
        if m and m.group(1).strip('"') == key:
            return n
    return first


def _decode_error_line(e: Exception, text: str) -> int:
    line = getattr(e, "lineno", None)  # Python 3.14 adds it; older ones put it in the text
    if isinstance(line, int):
        return line
    m = re.search(r"line (\d+)", str(e))
    if m:
        return int(m.group(1))
    return max(1, len(text.splitlines())) if "end of document" in str(e) else 1


def _reason(e: Exception) -> str:
    return re.sub(r"\s*\(at line \d+, column \d+\)", "", str(getattr(e, "msg", e))).strip()
