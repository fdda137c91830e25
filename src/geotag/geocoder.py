"""The opt-in online fallback: ask a Nominatim server about place mentions the gazetteer
left unresolved. Nothing here runs unless a user asks for it (`--geocoder nominatim`).

Requests go through geopy's Nominatim client behind its RateLimiter (at most one request
per `min_delay` seconds; the public server allows one a second). Answers, including "not
found", are cached on disk as JSON, keyed by server and query, and reused by later runs;
errors are not cached. A failed request is one warning and the place stays null.
"""

from __future__ import annotations

import contextlib
import enum
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Final

import orjson

from ._version import __version__
from .gazetteer import Gazetteer
from .gazetteer.cache import cache_dir
from .gazetteer.names import strip_possessive
from .models import Document, Failure, Mention, Place, Resolution, Warn, ignore_warning
from .tagging.aggregate import aggregate, focus

NAME = "nominatim"
PUBLIC_DOMAIN = "nominatim.openstreetmap.org"
DEFAULT_USER_AGENT = f"geotag/{__version__}"
# The public server's usage policy: at most one request a second.
PUBLIC_MIN_DELAY = 1.0
DEFAULT_TIMEOUT = 10.0
# After this many failed requests in a row the server is not asked again in this run.
MAX_CONSECUTIVE_FAILURES = 3
CACHE_FORMAT = 1
CACHE_FILE = f"geocoder-{NAME}-v{CACHE_FORMAT}.json"

# OSM address types and place types -> GeoNames feature class and code (approximate).
_FEATURES = {
    "continent": ("L", "CONT"),
    "country": ("A", "PCLI"),
    "state": ("A", "ADM1"),
    "province": ("A", "ADM1"),
    "region": ("A", "ADM1"),
    "state_district": ("A", "ADM2"),
    "county": ("A", "ADM2"),
    "district": ("A", "ADM2"),
    "municipality": ("A", "ADM3"),
    "city": ("P", "PPL"),
    "town": ("P", "PPL"),
    "village": ("P", "PPL"),
    "hamlet": ("P", "PPL"),
    "isolated_dwelling": ("P", "PPL"),
    "locality": ("P", "PPL"),
    "suburb": ("P", "PPLX"),
    "city_district": ("P", "PPLX"),
    "borough": ("P", "PPLX"),
    "quarter": ("P", "PPLX"),
    "neighbourhood": ("P", "PPLX"),
    "ocean": ("H", "OCN"),
    "sea": ("H", "SEA"),
    "bay": ("H", "BAY"),
    "strait": ("H", "STRT"),
    "river": ("H", "STM"),
    "stream": ("H", "STM"),
    "canal": ("H", "CNL"),
    "lake": ("H", "LK"),
    "water": ("H", "LK"),
    "island": ("T", "ISL"),
    "islet": ("T", "ISL"),
    "archipelago": ("T", "ISLS"),
    "peak": ("T", "MT"),
    "volcano": ("T", "VLC"),
    "mountain_range": ("T", "MTS"),
    "ridge": ("T", "RDGE"),
    "valley": ("T", "VAL"),
    "desert": ("T", "DSRT"),
    "peninsula": ("T", "PEN"),
}
_CLASS_FEATURES = {
    "building": ("S", "BLDG"),
    "amenity": ("S", "BLDG"),
    "tourism": ("S", "BLDG"),
    "historic": ("S", "HSTS"),
    "office": ("S", "BLDG"),
    "aeroway": ("S", "AIRP"),
    "highway": ("R", "RD"),
    "railway": ("R", "RR"),
    "waterway": ("H", "STM"),
    "natural": ("T", "HLL"),
    "leisure": ("L", "PRK"),
}
_LEADING_THE = re.compile(r"^the\s+", re.I)


@dataclass(frozen=True, slots=True)
class GeocoderOptions:
    """Where and how to ask: the server, its user agent, the pace and the cache."""

    domain: str = PUBLIC_DOMAIN
    scheme: str = "https"
    user_agent: str = DEFAULT_USER_AGENT
    min_delay: float = PUBLIC_MIN_DELAY
    timeout: float = DEFAULT_TIMEOUT
    cache: bool = True


def parse_server(value: str) -> tuple[str, str]:
    """`--geocoder-domain`: a host (`nominatim.example.org`, `host:8080/nominatim`) or a URL
    with its scheme (`http://127.0.0.1:8080`). Returns (scheme, domain).

    >>> parse_server("http://127.0.0.1:8080/")
    ('http', '127.0.0.1:8080')
    """
    value = value.strip()
    scheme = "https"
    match = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", value)
    if match:
        scheme = match.group(1).lower()
        if scheme not in ("http", "https"):
            raise ValueError(f"expected an http or https server, got {value!r}")
        value = value[match.end() :]
    domain = value.strip("/")
    if not domain or any(c.isspace() for c in domain):
        raise ValueError(f"expected a host name, optionally with a port and a path: {value!r}")
    return scheme, domain


def query_for(text: str) -> str:
    """The text sent for a mention: as written, without a leading "the" or a possessive."""
    return strip_possessive(_LEADING_THE.sub("", " ".join(text.split())))


class NominatimGeocoder:
    """Looks place names up on a Nominatim server, politely and through a disk cache."""

    def __init__(
        self,
        options: GeocoderOptions | None = None,
        warn: Warn | None = None,
        cache_path: Path | None = None,
    ) -> None:
        from geopy.adapters import URLLibAdapter
        from geopy.extra.rate_limiter import RateLimiter
        from geopy.geocoders import Nominatim

        self.options = options if options is not None else GeocoderOptions()
        self.warn: Warn = warn or ignore_warning
        # urllib: one request per attempt, no hidden retries, the standard proxy settings.
        client = Nominatim(
            domain=self.options.domain,
            scheme=self.options.scheme,
            user_agent=self.options.user_agent,
            timeout=self.options.timeout,
            adapter_factory=URLLibAdapter,
        )
        # No retries and no swallowing: geopy would log a traceback for either.
        self._geocode = RateLimiter(
            client.geocode,
            min_delay_seconds=self.options.min_delay,
            max_retries=0,
            swallow_exceptions=False,
        )
        self.server = f"{self.options.scheme}://{self.options.domain}"
        self.cache_path = cache_path if cache_path is not None else cache_dir() / CACHE_FILE
        self._cache: dict[str, Any] = self._read_cache() if self.options.cache else {}
        self._failures = 0
        self.disabled = False
        self.requests = 0

    # -- lookups -------------------------------------------------------------------------

    def geocode(self, text: str) -> tuple[Place, float] | None:
        """The best match for a place name and Nominatim's importance of it (0-1), or None
        when the server knows no such place, cannot be reached, or answers nonsense."""
        query = query_for(text)
        if not query:
            return None
        key = f"{self.server}\t{query}"
        if key in self._cache:
            return _place_from_answer(self._cache[key])
        if self.disabled:
            return None
        answer = self._ask(query)
        if answer is _FAILED:
            return None
        self._cache[key] = answer
        if self.options.cache:
            self._write_cache()
        return _place_from_answer(answer)

    def _ask(self, query: str) -> _Answer | _Failed:
        from geopy.exc import GeocoderTimedOut, GeopyError

        self.requests += 1
        try:
            location = self._geocode(query, exactly_one=True, addressdetails=True, language="en")
            answer = _answer_from_raw(location.raw) if location is not None else None
        except GeocoderTimedOut:
            return self._failed(query, f"no answer within {self.options.timeout:g} s")
        except GeopyError as exc:
            return self._failed(query, _one_line(exc) or type(exc).__name__)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return self._failed(query, f"unexpected answer ({_one_line(exc)})")
        self._failures = 0
        return answer

    def _failed(self, query: str, reason: str) -> _Failed:
        self._failures += 1
        self.warn(f"{NAME}: {query!r}: {reason}; the place stays unresolved")
        if self._failures >= MAX_CONSECUTIVE_FAILURES:
            self.disabled = True
            self.warn(
                f"{NAME}: {self._failures} failed requests in a row; "
                f"{self.server} is not asked again in this run"
            )
        return _FAILED

    # -- cache ---------------------------------------------------------------------------

    def _read_cache(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.cache_path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        entries = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(entries, dict) or data.get("format") != CACHE_FORMAT:
            return {}
        return {k: v for k, v in entries.items() if v is None or _is_answer(v)}

    def _write_cache(self) -> None:
        payload = {"format": CACHE_FORMAT, "entries": self._cache}
        path = self.cache_path
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(orjson.dumps(payload, option=orjson.OPT_INDENT_2))
            os.replace(tmp, path)
        except OSError:
            # A read-only or full cache directory only costs repeated requests.
            with contextlib.suppress(OSError):
                tmp.unlink(missing_ok=True)


class _Failed(enum.Enum):
    """A request that got no usable answer (not cached, unlike an answer of no place)."""

    FAILED = enum.auto()


_FAILED: Final = _Failed.FAILED
# What is kept of an answer (`_answer_from_raw`); None when the server knows no such place.
_Answer = dict[str, Any] | None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:300]


def _answer_from_raw(raw: dict[str, Any]) -> dict[str, Any]:
    """What is kept (and cached) of a Nominatim search result."""
    address = raw.get("address") or {}
    lat, lon = float(raw["lat"]), float(raw["lon"])
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"coordinates out of range: {lat}, {lon}")
    name = str(raw.get("name") or "").strip()
    if not name:
        name = str(raw.get("display_name") or "").split(",")[0].strip()
    return {
        "name": name,
        "display_name": raw.get("display_name") or "",
        "lat": lat,
        "lon": lon,
        "class": raw.get("class") or raw.get("category") or "",
        "type": raw.get("type") or "",
        "addresstype": raw.get("addresstype") or "",
        "country_code": str(address.get("country_code") or "").upper(),
        "country": address.get("country") or "",
        "admin1": address.get("state") or address.get("province") or address.get("region") or "",
        "importance": raw.get("importance"),
        "osm": f"{raw.get('osm_type', '')}/{raw.get('osm_id', '')}",
    }


_ANSWER_TYPES = {
    "name": str,
    "lat": float,
    "lon": float,
    "class": str,
    "type": str,
    "addresstype": str,
    "country_code": str,
    "country": str,
    "admin1": str,
}


def _is_answer(value: Any) -> bool:
    """A cached answer that _place_from_answer can read (the cache file may be edited)."""
    return isinstance(value, dict) and all(
        isinstance(value.get(k), t) for k, t in _ANSWER_TYPES.items()
    )


def _place_from_answer(answer: dict[str, Any] | None) -> tuple[Place, float] | None:
    if answer is None:
        return None
    feature_class, feature_code = (
        _FEATURES.get(answer["addresstype"])
        or _FEATURES.get(answer["type"])
        or _CLASS_FEATURES.get(answer["class"])
        or ("L", "AREA")
    )
    admin1 = answer["admin1"] if feature_code not in ("PCLI", "CONT", "ADM1") else ""
    place = Place(
        geonameid=None,
        name=answer["name"],
        lat=answer["lat"],
        lon=answer["lon"],
        feature_class=feature_class,
        feature_code=feature_code,
        country_code=answer["country_code"] if feature_code != "CONT" else "",
        country=answer["country"] if feature_code != "CONT" else "",
        admin1_code="",
        admin1=admin1,
        population=0,
        provider=NAME,
    )
    importance = answer.get("importance")
    confidence = float(importance) if isinstance(importance, int | float) else 0.5
    return place, min(1.0, max(0.0, confidence))


# -- documents -----------------------------------------------------------------------------


def geocode_document(doc: Document, geocoder: NominatimGeocoder, gazetteer: Gazetteer) -> Document:
    """`doc` with its unresolved toponyms looked up online; people, organisations, places and
    focus are gathered again. Demonyms and resolved places are left as they are."""
    found: dict[str, tuple[Place, float] | None] = {}
    mentions = list(doc.mentions)
    changed = False
    for i, m in enumerate(mentions):
        if not _wants_geocoding(m):
            continue
        if m.text not in found:
            found[m.text] = geocoder.geocode(m.text)
        hit = found[m.text]
        if hit is None:
            continue
        place, confidence = hit
        place = _with_gazetteer_country(place, gazetteer)
        old = m.resolution or Resolution(None, 0.0)
        res = Resolution(place, confidence, old.alternatives, old.role, NAME)
        mentions[i] = replace(m, resolution=res, key=place.key)
        changed = True
    if not changed:
        return doc
    people, organizations, places = aggregate(mentions)
    return replace(
        doc,
        mentions=tuple(mentions),
        people=people,
        organizations=organizations,
        places=places,
        focus=focus(mentions, gazetteer),
    )


def geocode_results(
    results: Iterable[Document | Failure], geocoder: NominatimGeocoder, gazetteer: Gazetteer
) -> Iterator[Document | Failure]:
    """Pass a stream of tagging results through the geocoder, in order."""
    for item in results:
        yield geocode_document(item, geocoder, gazetteer) if isinstance(item, Document) else item


def _wants_geocoding(m: Mention) -> bool:
    return (
        m.label == "PLACE"
        and m.kind != "demonym"
        and (m.resolution is None or m.resolution.place is None)
    )


def _with_gazetteer_country(place: Place, gazetteer: Gazetteer) -> Place:
    """Use the gazetteer's name for the country, so both sources spell it alike."""
    row = gazetteer.country_row(place.country_code) if place.country_code else None
    if row is None:
        return place
    return replace(place, country=gazetteer.place(row).name)
