"""--explain with the real model and gazetteer: the rule that decided, in words, the
candidates with their scores and features, in every format; and nothing else changes."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from click.testing import CliRunner

from geotag.formats import make_writer
from geotag.models import Document, Mention
from geotag.options import PipelineOptions

from .helpers import docs

TEXAS = (
    "Storms hit Paris, Texas on Monday. Officials in Dallas and Fort Worth said crews "
    "from Tyler would help. Paris residents were told to stay home."
)
CANDIDATE_KEYS = [
    "geonameid",
    "name",
    "country_code",
    "admin1",
    "feature_code",
    "population",
    "score",
    "features",
]


@pytest.fixture(scope="module")
def explaining(real_pipeline):
    """The real pipeline, explaining (the model and gazetteer loaded once are shared)."""
    from geotag.engine.pipeline import Pipeline

    return Pipeline(
        PipelineOptions(explain=True),
        gazetteer=real_pipeline.tagger.gazetteer,
        nlp=real_pipeline.nlp,
    )


def place_mentions(doc: Document, text: str) -> list[Mention]:
    return [m for m in doc.mentions if m.text == text and m.label == "PLACE"]


def test_paris_in_a_texas_story_is_explained_by_its_named_parent(explaining) -> None:
    doc = explaining.tag_text(TEXAS)
    first, later = place_mentions(doc, "Paris")
    for m in (first, later):  # one sense per document: the later "Paris" says the same
        assert m.resolution is not None and m.resolution.explanation is not None
        why = m.resolution.explanation
        assert (why.rule, why.reason) == ("parent", "named parent: Texas")
        assert m.resolution.place is not None and m.resolution.place.admin1 == "Texas"
    # The parent outranked the scores: Paris, France scored higher on the name alone.
    why = first.resolution.explanation  # type: ignore[union-attr]
    assert not why.in_context
    assert why.candidates[0].place.country_code == "FR"
    assert "Texas" in [c.place.admin1 for c in why.candidates]
    assert why.considered >= len(why.candidates) > 2
    (texas,) = place_mentions(doc, "Texas")
    assert texas.resolution.explanation.reason == "named as the parent of Paris"  # type: ignore[union-attr]


def test_a_scored_place_names_its_top_features_and_an_abstention_says_why(
    explaining,
) -> None:
    doc = explaining.tag_text(
        "Fighting near Tripoli and Benghazi continued, officials in Libya said. "
        "Springfield was quiet."
    )
    (tripoli,) = place_mentions(doc, "Tripoli")
    why = tripoli.resolution.explanation  # type: ignore[union-attr]
    assert why.rule == "score" and why.in_context
    assert why.reason.startswith("scored best (")
    best = why.candidates[0]
    assert best.place == tripoli.resolution.place  # type: ignore[union-attr]
    assert f"({best.score:.2f})" in why.reason
    # The reason lists the best candidate's largest weighted features.
    assert "story's country LY +" in why.reason and dict(best.features)["country"] > 0


def test_an_abstention_says_why(real_gazetteer) -> None:
    from geotag.tagging.query import PlaceQuery
    from geotag.tagging.resolver import Resolver
    from geotag.tagging.resolver_options import ResolverOptions

    text = "Fighting near Tripoli and Benghazi continued. Springfield was quiet."
    queries = [
        PlaceQuery(text.index(name), text.index(name) + len(name), name, "GPE")
        for name in ("Tripoli", "Benghazi", "Springfield")
    ]
    # A bar above what so unclear a name reaches (its confidence is its chance of being
    # right, calibrated): it is left unresolved, with its candidates and the reason.
    strict = Resolver(real_gazetteer, ResolverOptions(explain=True, min_confidence=0.9))
    springfield = strict.resolve(text, queries)[2]
    why = springfield.explanation
    assert springfield.place is None and why is not None
    assert why.rule == "abstain"
    assert why.reason.startswith("abstained: the best candidate's confidence, 0.")
    assert why.reason.endswith("is below 0.90 (candidates too close)")
    assert len(why.candidates) > 1


def test_json_explain_objects_have_stable_keys_and_add_nothing_else(
    real_pipeline, explaining
) -> None:
    plain = real_pipeline.tag_text(TEXAS).to_dict()
    explained = explaining.tag_text(TEXAS).to_dict()
    places = [e for e in explained["entities"] if e["label"] == "PLACE"]
    assert places and all("explain" in e for e in places)
    for e in places:
        assert list(e["explain"]) == ["rule", "reason", "considered", "in_context", "candidates"]
        for c in e["explain"]["candidates"]:
            assert list(c) == CANDIDATE_KEYS
            assert list(c["features"])[:2] == ["type", "importance"]
    for e in explained["entities"]:
        e.pop("explain", None)
    assert explained == plain


def _write(fmt: str, doc: Document, explain: bool) -> str:
    stream = io.BytesIO()
    writer = make_writer(fmt, stream, explain=explain)
    writer.write(doc)
    writer.close()
    return stream.getvalue().decode("utf-8")


def test_csv_and_geojson_carry_the_reason_as_one_cell(explaining) -> None:
    doc = explaining.tag_text(TEXAS)
    rows = list(csv.DictReader(io.StringIO(_write("csv", doc, explain=True))))
    paris = [r for r in rows if r["text"] == "Paris"]
    assert paris and all(r["explain"] == "parent: named parent: Texas" for r in paris)
    dallas = next(r for r in rows if r["text"] == "Dallas")
    assert dallas["explain"].startswith(("score: scored best", "single: "))
    features = json.loads(_write("geojson", doc, explain=True))["features"]
    by_name = {f["properties"]["name"]: f["properties"] for f in features}
    assert by_name["Paris"]["explain"] == "parent: named parent: Texas"


def test_the_table_has_a_why_table_readable_at_80_columns(explaining) -> None:
    from geotag.formats.table import TableWriter, make_console

    console = make_console(no_color=True, width=80)
    with console.capture() as captured:
        TableWriter(console).write(explaining.tag_text(TEXAS))
    out = captured.get()
    assert "Why these places" in out
    assert "named parent: Texas" in " ".join(out.split())
    assert max(len(line) for line in out.splitlines()) <= 80


def test_the_cli_flag_explains_in_jsonl_and_without_it_nothing_is_explained(
    tmp_path: Any,
) -> None:
    from geotag.cli import cli

    story = tmp_path / "texas.txt"
    story.write_text(TEXAS, encoding="utf-8")
    runner = CliRunner()
    plain = runner.invoke(cli, ["-f", "jsonl", str(story)], catch_exceptions=False)
    explained = runner.invoke(cli, ["-f", "jsonl", "--explain", str(story)], catch_exceptions=False)
    assert (plain.exit_code, explained.exit_code) == (0, 0)
    assert '"explain"' not in plain.stdout
    (doc,) = docs(explained.stdout)
    reasons = {e["text"]: e["explain"]["reason"] for e in doc["entities"] if "explain" in e}
    assert reasons["Paris"] == "named parent: Texas"


def test_gazetteer_explain_shows_a_name_in_a_context() -> None:
    from geotag.cli import cli

    def explain(*args: str) -> dict[str, Any]:
        result = CliRunner().invoke(
            cli, ["gazetteer", "explain", *args, "-f", "json"], catch_exceptions=False
        )
        assert result.exit_code == 0, result.output
        out: dict[str, Any] = json.loads(result.stdout)
        return out

    texas = explain("Paris", "--context", "Storms hit Dallas and Tyler, Texas on Monday.")
    alone = explain("Paris")
    assert texas["place"]["admin1"] == "Texas" and texas["in_context"]
    assert alone["place"]["country_code"] == "FR" and alone["rule"] == "score"
    for answer in (texas, alone):
        assert answer["mentions"] == 1
        assert answer["candidates"][0]["geonameid"] == answer["place"]["geonameid"]
        assert answer["reason"].startswith(f"scored best ({answer['candidates'][0]['score']:.2f})")
    # The name in the context is the one explained, with a parent named next to it.
    parent = explain("Paris", "--context", "Storms hit Paris, Texas on Monday.")
    assert (parent["rule"], parent["reason"]) == ("parent", "named parent: Texas")


def test_the_html_report_opens_each_places_explanation_on_click(explaining) -> None:
    from html.parser import HTMLParser

    page = _write("html", explaining.tag_text(TEXAS), explain=True)
    plain = _write("html", explaining.tag_text(TEXAS), explain=False)
    assert "<details" not in plain and "<th>Why</th>" not in plain

    class Rows(HTMLParser):
        """Each places-table row's cells as text, and the summaries of its <details>."""

        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.summaries: list[str] = []
            self._in: list[str] = []

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            self._in.append(tag)
            if tag == "tr" and dict(attrs).get("data-place"):
                self.rows.append([])

        def handle_endtag(self, tag: str) -> None:
            while self._in and self._in.pop() != tag:
                pass

        def handle_data(self, data: str) -> None:
            if "summary" in self._in:
                self.summaries.append(data)
            if self.rows and "tr" in self._in:
                self.rows[-1].append(data)

    parser = Rows()
    parser.feed(page)
    assert "<th>Why</th>" in page
    paris = next(row for row in parser.rows if row and row[0] == "Paris")
    text = " ".join(paris)
    assert "named parent: Texas" in text and "Paris, Île-de-France, FR" in text
    assert "parent" in parser.summaries and "score" in parser.summaries
