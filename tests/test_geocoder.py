"""The opt-in Nominatim fallback, against a small Nominatim-like server on 127.0.0.1; and
the promise that without `--geocoder` geotag never opens a network connection."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

import pytest
from click.testing import CliRunner

from geotag.cli import cli
from geotag.geocoder import (
    CACHE_FILE,
    MAX_CONSECUTIVE_FAILURES,
    GeocoderOptions,
    NominatimGeocoder,
    parse_server,
    query_for,
)

from .helpers import MINI_GAZETTEER, TEXT, json_stream

UNRESOLVED = "Sailors sought Atlantis."  # the fake NER tags Atlantis; the gazetteer lacks it

# Answers in the shape of Nominatim's /search?format=json&addressdetails=1.
ANSWERS = {
    "Atlantis": [
        {
            "place_id": 1,
            "licence": "test data",
            "osm_type": "node",
            "osm_id": 42,
            "lat": "36.4000000",
            "lon": "25.4300000",
            "class": "place",
            "type": "island",
            "place_rank": 17,
            "importance": 0.61,
            "addresstype": "island",
            "name": "Atlantis",
            "display_name": "Atlantis, South Aegean, Greece",
            "address": {
                "island": "Atlantis",
                "state": "South Aegean",
                "country": "Greece",
                "country_code": "gr",
            },
            "boundingbox": ["36.3", "36.5", "25.3", "25.5"],
        }
    ],
    "Sham Town": [
        {
            "osm_type": "relation",
            "osm_id": 7,
            "lat": "34.5",
            "lon": "36.5",
            "class": "boundary",
            "type": "administrative",
            "addresstype": "town",
            "importance": 0.3,
            "name": "Sham Town",
            "display_name": "Sham Town, Syria",
            "address": {"town": "Sham Town", "country": "Sūriyā", "country_code": "sy"},
        }
    ],
}


class FakeNominatim(BaseHTTPRequestHandler):
    requests: ClassVar[list[dict]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        params = {k: v[0] for k, v in parse_qs(url.query).items()}
        type(self).requests.append(
            {"path": url.path, "params": params, "agent": self.headers.get("User-Agent")}
        )
        query = params.get("q", "")
        if query == "Slowtown":
            time.sleep(1.5)
        if query == "Broken":
            self.send_error(500, "server on fire")
            return
        body = json.dumps(ANSWERS.get(query, [])).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args) -> None:  # keep the test output clean
        return None


@pytest.fixture()
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, list[dict]]]:
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    FakeNominatim.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), FakeNominatim)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", FakeNominatim.requests
    finally:
        httpd.shutdown()
        httpd.server_close()


def geocoding(url: str, *extra: str) -> list[str]:
    return [
        "--geocoder",
        "nominatim",
        "--geocoder-domain",
        url,
        "--geocoder-min-delay",
        "0",
        *extra,
    ]


def test_unresolved_place_is_looked_up_and_marked(run, server) -> None:
    url, requests = server
    result = run(
        "-f", "json", *geocoding(url, "--geocoder-user-agent", "geotag-tests/1"), input=UNRESOLVED
    )
    assert result.exit_code == 0, result.stderr
    (doc,) = json_stream(result.stdout)
    (ent,) = doc["entities"]
    place = ent["place"]
    assert place["source"] == "nominatim"
    assert (place["lat"], place["lon"]) == (36.4, 25.43)
    assert place["country_code"] == "GR" and place["country"] == "Greece"
    assert place["name"] == "Atlantis" and place["geonameid"] is None
    assert place["feature_code"] == "ISL" and place["confidence"] == 0.61
    assert doc["places"][0]["place"]["source"] == "nominatim"
    (request,) = requests
    assert request["path"] == "/search"
    assert request["params"]["q"] == "Atlantis" and request["params"]["format"] == "json"
    assert request["params"]["addressdetails"] == "1"
    assert request["agent"] == "geotag-tests/1"
    assert result.stderr == ""


def test_the_table_says_where_a_place_came_from(run, server) -> None:
    url, _ = server
    result = run("-f", "table", *geocoding(url), input=UNRESOLVED)
    assert "Atlantis" in result.stdout and "nominatim" in result.stdout
    assert "unresolved" not in result.stdout


def test_resolved_places_are_not_sent(run, server) -> None:
    url, requests = server
    result = run("-f", "json", *geocoding(url), input=TEXT)
    assert result.exit_code == 0
    assert requests == []  # every place of TEXT is in the gazetteer (or a demonym)
    (doc,) = json_stream(result.stdout)
    assert all(
        e["place"]["source"] == "gazetteer" for e in doc["entities"] if e["label"] == "PLACE"
    )


def test_answers_are_cached_on_disk_as_json(run, server, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("GEOTAG_CACHE_DIR", str(tmp_path / "cache"))
    url, requests = server
    first = run("-f", "jsonl", *geocoding(url), input=UNRESOLVED)
    second = run("-f", "jsonl", *geocoding(url), input=UNRESOLVED)
    assert first.stdout == second.stdout
    assert len(requests) == 1  # the second run answered from the cache
    cache = json.loads((tmp_path / "cache" / CACHE_FILE).read_text(encoding="utf-8"))
    (key,) = cache["entries"]
    assert key == f"{url}\tAtlantis" and cache["entries"][key]["country_code"] == "GR"
    third = run("-f", "jsonl", *geocoding(url, "--no-geocoder-cache"), input=UNRESOLVED)
    assert third.stdout == first.stdout and len(requests) == 2


def test_not_found_stays_null_and_is_cached(server, tmp_path: Path) -> None:
    url, requests = server
    scheme, domain = parse_server(url)
    options = GeocoderOptions(domain=domain, scheme=scheme, min_delay=0)
    warnings: list[str] = []
    for _ in range(2):
        geocoder = NominatimGeocoder(options, warnings.append, cache_path=tmp_path / "c.json")
        assert geocoder.geocode("Nowhere At All") is None
    assert len(requests) == 1 and warnings == []
    cache = json.loads((tmp_path / "c.json").read_text(encoding="utf-8"))
    assert cache["entries"] == {f"{url}\tNowhere At All": None}


@pytest.mark.parametrize(
    ("query", "reason"),
    [("Broken", "500"), ("Slowtown", "no answer within 0.3 s")],
)
def test_server_errors_are_one_warning(tmp_path: Path, server, query: str, reason: str) -> None:
    url, _ = server
    scheme, domain = parse_server(url)
    warnings: list[str] = []
    geocoder = NominatimGeocoder(
        GeocoderOptions(domain=domain, scheme=scheme, min_delay=0, timeout=0.3),
        warnings.append,
        cache_path=tmp_path / "cache.json",
    )
    assert geocoder.geocode(query) is None
    (warning,) = warnings
    assert warning.startswith(f"nominatim: '{query}':") and reason in warning
    assert "\n" not in warning
    assert not (tmp_path / "cache.json").exists()  # failures are not cached


def test_unreachable_server_warns_then_gives_up(run, tmp_path: Path) -> None:
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    warnings: list[str] = []
    geocoder = NominatimGeocoder(
        GeocoderOptions(domain=f"127.0.0.1:{port}", scheme="http", min_delay=0, timeout=2),
        warnings.append,
        cache_path=tmp_path / "cache.json",
    )
    for name in ("Atlantis", "Lemuria", "Mu", "Hyperborea"):
        assert geocoder.geocode(name) is None
    assert geocoder.requests == MAX_CONSECUTIVE_FAILURES  # then it stopped asking
    assert len(warnings) == MAX_CONSECUTIVE_FAILURES + 1
    assert "not asked again" in warnings[-1]
    # Through the CLI: one line per problem, no traceback, the place stays null, exit 0.
    result = run("-f", "json", *geocoding(f"http://127.0.0.1:{port}"), input=UNRESOLVED)
    assert result.exit_code == 0
    assert json_stream(result.stdout)[0]["entities"][0]["place"] is None
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("geotag: warning: nominatim: 'Atlantis':")
    assert len(result.stderr.splitlines()) == 1


def test_country_name_follows_the_gazetteer(server, tmp_path: Path) -> None:
    from .helpers import fake_ner

    model = tmp_path / "model"
    fake_ner([("Sham Town", "GPE")]).to_disk(model)
    url, _ = server
    result = CliRunner().invoke(
        cli,
        ["--model", str(model), "--gazetteer", str(MINI_GAZETTEER), "-f", "json", *geocoding(url)],
        input="Fighting in Sham Town.",
        catch_exceptions=False,
    )
    (doc,) = json_stream(result.stdout)
    place = doc["entities"][0]["place"]
    assert place["country"] == "Syria" and place["feature_class"] == "P"  # not "Sūriyā"
    # The focus counts the new place for its country.
    assert doc["focus"]["countries"][0]["name"] == "Syria"


def test_usage_errors(run) -> None:
    result = run("--geocoder", "nominatim", "--geocoder-min-delay", "0.2", input=UNRESOLVED)
    assert result.exit_code == 2 and "one request a second" in result.stderr
    result = run("--geocoder", "nominatim", "--geocoder-domain", "ftp://x", input=UNRESOLVED)
    assert result.exit_code == 2 and "http or https" in result.stderr
    result = run("--geocoder", "google", input=UNRESOLVED)
    assert result.exit_code == 2


def test_parse_server_and_query() -> None:
    assert parse_server("nominatim.example.org") == ("https", "nominatim.example.org")
    assert parse_server("http://localhost:8080/nominatim/") == ("http", "localhost:8080/nominatim")
    with pytest.raises(ValueError):
        parse_server("https://")
    assert query_for("the Sahel") == "Sahel" and query_for("Idlib's") == "Idlib"


# -- no network without the flag -----------------------------------------------------------


class NetworkUsed(ConnectionRefusedError):
    """What the guard raises: an OSError, as a real failed connection would be."""


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Fail any attempt to connect or to resolve a name, and record it."""
    attempts: list[object] = []

    def refuse(*args, **kwargs):
        attempts.append(args)
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    return attempts


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "geojson", "table"])
def test_no_network_without_the_flag(fake_model: str, no_network: list[object], fmt: str) -> None:
    # Domain and user agent set through the environment do not switch the geocoder on.
    result = CliRunner(
        env={"GEOTAG_GEOCODER_DOMAIN": "http://127.0.0.1:9", "GEOTAG_GEOCODER_USER_AGENT": "x"}
    ).invoke(
        cli,
        ["--model", fake_model, "--gazetteer", str(MINI_GAZETTEER), "-f", fmt],
        input=TEXT + " " + UNRESOLVED,
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert no_network == []


def test_the_guard_catches_the_geocoder(run, no_network: list[object]) -> None:
    # The same guard does see a connection when --geocoder is given: the test above can fail.
    result = run("-f", "json", *geocoding("http://127.0.0.1:9"), input=UNRESOLVED)
    assert no_network, "the geocoder should have tried to connect"
    assert result.exit_code == 0 and "Traceback" not in result.stderr
    assert "network access attempted" in result.stderr
