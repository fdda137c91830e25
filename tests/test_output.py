"""`--format csv` and `--format geojson`: what their consumers read, how they stream, and
that they say what the JSON output says (fake NER here; the real model at the end)."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from geojson_pydantic import FeatureCollection

from geotag.cli import cli
from geotag.cli.runner import run as run_results
from geotag.cli.status import Interrupted
from geotag.formats.csv import CSV_COLUMNS, CsvWriter
from geotag.formats.geojson import GeoJsonWriter
from geotag.models import Document
from geotag.tagging.tagger import Tagger

from .helpers import TEXT, Recorder, atlantis_gazetteer, json_stream

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "examples").glob("*.txt"))


@pytest.fixture()
def two_articles(tmp_path: Path) -> list[Path]:
    # A comma and a double quote in a path: the `source` cell must be quoted.
    first = tmp_path / 'one, "first".txt'
    first.write_text(TEXT, encoding="utf-8")
    second = tmp_path / "two.txt"
    second.write_text("Paris, Texas. Sailors lived in Atlantis.", encoding="utf-8")
    return [first, second]


def csv_rows(data: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data, newline="")))


# -- csv -----------------------------------------------------------------------------------


def test_csv_is_rfc4180_with_one_header(run, two_articles: list[Path]) -> None:
    result = run("-f", "csv", *map(str, two_articles))
    assert result.exit_code == 0, result.stderr
    out = result.stdout_bytes
    assert out.startswith(b"source,id,start,end,text,label,")
    assert out.count(b"source,id,start") == 1  # the header once per run, not per document
    # CRLF after every record, and no bare LF anywhere (no field here contains a newline).
    assert out.endswith(b"\r\n") and out.count(b"\n") == out.count(b"\r\n")
    assert not out.startswith(b"\xef\xbb\xbf")
    first_cell = out.split(b"\r\n")[1].split(b".txt")[0]
    assert first_cell.startswith(b'"') and b'""first""' in first_cell
    rows = csv_rows(out.decode("utf-8"))
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert {r["source"] for r in rows} == {str(p) for p in two_articles}
    for row in rows:
        assert len(row) == len(CSV_COLUMNS) and None not in row


def test_csv_rows_are_the_json_entities(run, two_articles: list[Path], tmp_path: Path) -> None:
    gazetteer = ["--gazetteer", str(atlantis_gazetteer(tmp_path))]
    docs = json_stream(run("-f", "json", *gazetteer, *map(str, two_articles)).stdout)
    rows = csv_rows(run("-f", "csv", *gazetteer, *map(str, two_articles)).stdout)
    entities = [(d["source"], e) for d in docs for e in d["entities"]]
    assert len(rows) == len(entities)
    for row, (source, ent) in zip(rows, entities, strict=True):
        assert row["source"] == source
        assert (int(row["start"]), int(row["end"]), row["text"]) == (
            ent["start"],
            ent["end"],
            ent["text"],
        )
        assert (row["label"], row["ner_label"]) == (ent["label"], ent["ner_label"])
        assert row["kind"] == (ent.get("kind") or "") and row["role"] == (ent.get("role") or "")
        place = ent.get("place")
        if place is None:
            assert row["place_name"] == row["lat"] == row["geonameid"] == ""
            continue
        assert row["place_name"] == place["name"]
        assert float(row["lat"]) == place["lat"] and float(row["lon"]) == place["lon"]
        assert row["geonameid"] == ("" if place["geonameid"] is None else str(place["geonameid"]))
        assert row["country_code"] == (place["country_code"] or "")
        assert row["admin1"] == (place["admin1"] or "")
        assert row["feature_code"] == place["feature_code"]
        assert float(row["confidence"]) == place["confidence"]
        assert row["place_source"] == place["source"] == "gazetteer"
    atlantis = next(r for r in rows if r["text"] == "Atlantis")
    assert atlantis["label"] == "PLACE" and atlantis["place_name"] == ""
    peskov = next(r for r in rows if r["text"] == "Peskov")
    assert peskov["label"] == "PERSON" and peskov["kind"] == peskov["lat"] == ""


def test_csv_of_no_mentions_is_the_header_alone(run) -> None:
    result = run("-f", "csv", input="nothing to see here")
    assert result.exit_code == 0
    assert result.stdout_bytes == (",".join(CSV_COLUMNS) + "\r\n").encode()


def test_csv_keeps_record_ids(run, tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "a-1", "text": "Idlib, Syria."}\n', encoding="utf-8")
    rows = csv_rows(run("-f", "csv", "--input-format", "jsonl", str(path)).stdout)
    assert rows and all(r["id"] == "a-1" for r in rows)


def tagged(mini_gazetteer, text: str, spans, source: str) -> Document:
    return Tagger(mini_gazetteer).tag(text, spans, source=source)


def test_csv_writes_each_document_as_it_is_done(mini_gazetteer) -> None:
    stream = Recorder()
    writer = CsvWriter(stream)
    writer.write(tagged(mini_gazetteer, "Idlib burns.", [(0, 5, "GPE")], "a"))
    assert stream.flushed and b"a,,0,5,Idlib,PLACE" in stream.flushed[-1]
    writer.write(tagged(mini_gazetteer, "Moscow waits.", [(0, 6, "GPE")], "b"))
    assert b"b,,0,6,Moscow" in stream.flushed[-1]
    writer.close()
    assert len(csv_rows(stream.getvalue().decode())) == 2


# -- geojson -------------------------------------------------------------------------------


def check_rfc7946(data: bytes) -> dict:
    """The rules a GeoJSON consumer relies on, beyond what the pydantic models check."""
    FeatureCollection.model_validate_json(data)
    obj = json.loads(data)
    assert obj["type"] == "FeatureCollection"
    assert "crs" not in obj  # RFC 7946 removed it: WGS 84 longitude, latitude only
    for feature in obj["features"]:
        assert feature["type"] == "Feature" and "crs" not in feature
        geometry = feature["geometry"]
        assert geometry["type"] == "Point"
        lon, lat = geometry["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert isinstance(feature["properties"], dict)
    return obj


def test_geojson_is_one_valid_feature_collection(run, two_articles: list[Path]) -> None:
    result = run("-f", "geojson", *map(str, two_articles))
    assert result.exit_code == 0, result.stderr
    obj = check_rfc7946(result.stdout_bytes)
    assert result.stdout_bytes.count(b"FeatureCollection") == 1
    names = [f["properties"]["name"] for f in obj["features"]]
    assert "Atlantis" not in names  # unresolved places have no point
    assert {"Idlib", "Moscow", "Kremlin", "Paris", "Texas"} <= set(names)


def test_geojson_features_are_the_json_places(run, two_articles: list[Path]) -> None:
    docs = json_stream(run("-f", "json", *map(str, two_articles)).stdout)
    obj = json.loads(run("-f", "geojson", *map(str, two_articles)).stdout)
    places = [(d["source"], p) for d in docs for p in d["places"] if p["place"] is not None]
    assert len(obj["features"]) == len(places)
    for feature, (source, entry) in zip(obj["features"], places, strict=True):
        props, place = feature["properties"], entry["place"]
        # RFC 7946: longitude first.
        assert feature["geometry"]["coordinates"] == [place["lon"], place["lat"]]
        assert props["source"] == source
        assert (props["name"], props["mentions"]) == (entry["name"], entry["mentions"])
        assert (props["kind"], props["role"]) == (entry["kind"], entry["role"])
        assert props["place_name"] == place["name"] and props["geonameid"] == place["geonameid"]
        assert props["country_code"] == place["country_code"]
        assert props["feature_code"] == place["feature_code"]
        assert props["confidence"] == place["confidence"]
        assert props["place_source"] == place["source"]


def test_geojson_longitude_comes_first(run) -> None:
    obj = json.loads(run("-f", "geojson", input="Paris, Texas.").stdout)
    texas = next(f for f in obj["features"] if f["properties"]["place_name"] == "Texas")
    assert texas["geometry"]["coordinates"] == [-99.25061, 31.25044]  # west of Greenwich
    paris = next(f for f in obj["features"] if f["properties"]["place_name"] == "Paris")
    assert paris["properties"]["country_code"] == "US"
    assert paris["geometry"]["coordinates"] == [-95.55551, 33.66094]


def test_geojson_of_nothing_is_an_empty_collection(run) -> None:
    result = run("-f", "geojson", input="nothing to see here")
    assert check_rfc7946(result.stdout_bytes)["features"] == []


def test_geojson_streams_and_an_interrupted_run_still_parses(mini_gazetteer) -> None:
    first = tagged(mini_gazetteer, "Idlib burns.", [(0, 5, "GPE")], "a")

    def results():
        yield first
        raise KeyboardInterrupt

    stream = Recorder()
    writer = GeoJsonWriter(stream)
    with pytest.raises(Interrupted, match="interrupted after 1 document"):
        run_results(results(), writer, None, show_progress=False, summary=False)
    # The finished document's feature was flushed before the interruption...
    assert any(b'"Idlib"' in chunk and not chunk.endswith(b"]}\n") for chunk in stream.flushed)
    # ...and the collection was closed, so it still parses.
    obj = check_rfc7946(stream.getvalue())
    assert [f["properties"]["name"] for f in obj["features"]] == ["Idlib"]


def test_geojson_close_is_idempotent(mini_gazetteer) -> None:
    stream = io.BytesIO()
    writer = GeoJsonWriter(stream)
    writer.write(tagged(mini_gazetteer, "Moscow.", [(0, 6, "GPE")], "a"))
    writer.write(tagged(mini_gazetteer, "Ankara.", [(0, 6, "GPE")], "b"))
    writer.close()
    writer.close()
    obj = check_rfc7946(stream.getvalue())
    assert [f["properties"]["source"] for f in obj["features"]] == ["a", "b"]


# -- the real model on the three example articles ------------------------------------------


@pytest.fixture(scope="module")
def example_outputs() -> dict[str, bytes]:
    runner = CliRunner()
    out = {}
    for fmt in ("json", "csv", "geojson"):
        result = runner.invoke(cli, ["-f", fmt, *map(str, EXAMPLES)], catch_exceptions=False)
        assert result.exit_code == 0, result.stderr
        out[fmt] = result.stdout_bytes
    return out


def test_examples_csv_matches_json(example_outputs: dict[str, bytes]) -> None:
    assert len(EXAMPLES) == 3
    docs = json_stream(example_outputs["json"].decode())
    rows = csv_rows(example_outputs["csv"].decode())
    assert [d["source"] for d in docs] == [str(p) for p in EXAMPLES]
    expected = [
        (
            d["source"],
            e["start"],
            e["end"],
            e["text"],
            e["label"],
            (e.get("place") or {}).get("geonameid"),
            (e.get("place") or {}).get("name"),
            (e.get("place") or {}).get("lat"),
            (e.get("place") or {}).get("lon"),
            (e.get("place") or {}).get("confidence"),
        )
        for d in docs
        for e in d["entities"]
    ]
    got = [
        (
            r["source"],
            int(r["start"]),
            int(r["end"]),
            r["text"],
            r["label"],
            int(r["geonameid"]) if r["geonameid"] else None,
            r["place_name"] or None,
            float(r["lat"]) if r["lat"] else None,
            float(r["lon"]) if r["lon"] else None,
            float(r["confidence"]) if r["confidence"] else None,
        )
        for r in rows
    ]
    assert got == expected
    assert sum(1 for r in rows if r["label"] == "PLACE" and r["lat"]) >= 20


def test_examples_geojson_matches_json(example_outputs: dict[str, bytes]) -> None:
    docs = json_stream(example_outputs["json"].decode())
    obj = check_rfc7946(example_outputs["geojson"])
    expected = [
        (d["source"], p["name"], p["mentions"], p["place"]["geonameid"], p["place"]["name"])
        for d in docs
        for p in d["places"]
        if p["place"] is not None
    ]
    got = [
        (
            f["properties"]["source"],
            f["properties"]["name"],
            f["properties"]["mentions"],
            f["properties"]["geonameid"],
            f["properties"]["place_name"],
        )
        for f in obj["features"]
    ]
    assert got == expected
    resolved = [p["place"] for d in docs for p in d["places"] if p["place"] is not None]
    for feature, place in zip(obj["features"], resolved, strict=True):
        assert feature["geometry"]["coordinates"] == [place["lon"], place["lat"]]
    # Spot check the order on a place far from lon == lat: Atlanta is at 33.7 N, 84.4 W.
    atlanta = next(f for f in obj["features"] if f["properties"]["place_name"] == "Atlanta")
    lon, lat = atlanta["geometry"]["coordinates"]
    assert math.isclose(lon, -84.39, abs_tol=0.1) and math.isclose(lat, 33.75, abs_tol=0.1)


@pytest.mark.parametrize("compact", [True, False])
def test_a_very_long_document_is_written_in_pieces_with_the_same_bytes(
    mini_gazetteer, compact: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    import orjson

    from geotag.formats import json as output
    from geotag.tagging.tagger import Tagger

    text = "Troops left Idlib for Aleppo. " * 40
    spans = [(m, m + 5, "GPE") for m in range(12, len(text), 30)]
    spans += [(m + 10, m + 16, "GPE") for m in range(12, len(text), 30)]
    for source, id in (("a.txt", None), (None, "7"), (None, None)):
        doc = Tagger(mini_gazetteer).tag(text, spans, source=source, id=id)
        option = 0 if compact else orjson.OPT_INDENT_2
        expected = orjson.dumps(doc.to_dict(), option=option) + b"\n"
        monkeypatch.setattr(output, "PIECEWISE_MENTIONS", 10)
        monkeypatch.setattr(output, "_PIECE", 7)
        stream = io.BytesIO()
        output.JsonWriter(stream, compact=compact).write(doc)
        assert len(doc.mentions) > 10
        assert stream.getvalue() == expected
