"""Sort geotag's place errors on a gold corpus by cause, with the surface forms behind each.

    python scripts/error_analysis.py GOLD.jsonl PRED.jsonl [--gazetteer CSV] [--ner MODEL]
                                     [--top 30] [--json]

GOLD and PRED are JSON Lines as read by the reference scorer (../shared/eval/README.md):
documents matched by "id", each with a flat "entities" list. PRED is what `geotag evaluate
--predictions` writes. A gold place is matched as the scorer matches it (the predicted
PLACE that overlaps it most), so "correct" here is the scorer's acc@161 numerator.

Every gold PLACE with coordinates gets one cause:

- correct: the overlapping predicted place is within 161 km;
- not recognised: no predicted PLACE overlaps it (split by the label a predicted entity
  there has: PERSON, ORG, DEMONYM, none), with whether the gazetteer knows the name;
- no gazetteer entry: found, unresolved, and the name gives no candidate at all;
- wrong candidate: resolved more than 161 km away (split: the right place is a candidate of
  the name but lost; it is in the gazetteer under other names only; it is not there);
- abstained: found, unresolved, though the name has candidates.

Exact-span recall losses and precision errors (predicted PLACE spans that are not gold PLACE
spans) are counted too. With --ner MODEL the spaCy model is run on the texts, so that a
precision error can be traced to the model's own label (a PERSON or ORG the tagger turned
into a place, a name recovered where the model found nothing) and a missed place to what
the model said there.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from geotag.gazetteer import Gazetteer, normalize_name
from geotag.tagging.geometry import great_circle_km

RADIUS_KM = 161.0
# The scorer's label folding (../shared/eval/score.py).
PLACE_LABELS = frozenset({"PLACE", "GPE", "LOC", "LOCATION", "FAC", "TOPONYM"})
NESTED = ("place", "resolved", "resolution", "location", "geo")
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")
# A trailing or leading type word says what kind of place a name is ("Idlib province").
TYPE_WORDS = frozenset(
    """province governorate oblast region state prefecture county district krai republic
    territory canton department emirate voivodeship wilaya parish city town village
    municipality counties states provinces""".split()
)
_ABBREVIATION = re.compile(r"^(?:[A-Z][A-Za-z]{0,4}\.)+$|^[A-Z]{2,4}$")


def fold_label(label: Any) -> str:
    text = str(label).upper()
    if text in PLACE_LABELS:
        return "PLACE"
    if text in ("PER", "PERSON"):
        return "PERSON"
    if text in ("ORG", "ORGANIZATION", "ORGANISATION"):
        return "ORG"
    return text


def coords(mention: dict[str, Any]) -> tuple[float, float] | None:
    holders = [mention, *(mention[k] for k in NESTED if isinstance(mention.get(k), dict))]
    for holder in holders:
        lat = holder.get("lat", holder.get("latitude"))
        lon = holder.get("lon", holder.get("lng", holder.get("longitude")))
        if lat is not None and lon is not None:
            return float(lat), float(lon)
    return None


def near(mention: dict[str, Any], point: tuple[float, float]) -> bool:
    other = coords(mention)
    return other is not None and great_circle_km(point, other) <= RADIUS_KM


def read_jsonl(path: str) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def overlaps(a: dict[str, Any], b: dict[str, Any]) -> int:
    return max(0, min(int(a["end"]), int(b["end"])) - max(int(a["start"]), int(b["start"])))


def best_overlap(target: dict[str, Any], spans: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    """The span overlapping `target` most; the first in file order among equals (as the scorer)."""
    found = [s for s in spans if overlaps(target, s) > 0]
    found.sort(key=lambda s: -overlaps(target, s))
    return found[0] if found else None


# ---------------------------------------------------------------- gazetteer questions


class Names:
    """What the gazetteer offers for a surface form, asked roughly as the resolver asks."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer

    def candidates(self, surface: str, demonyms: bool = True) -> list[int]:
        """Rows for a name; with `demonyms`, also the place a demonym names (as a mention
        the tagger took for a demonym is resolved)."""
        stripped = _POSSESSIVE.sub("", surface.strip())
        key = normalize_name(stripped)
        rows = list(self.gazetteer.lookup_key(key))
        words = key.split()
        if not rows and len(words) > 1:
            if words[-1] in TYPE_WORDS:
                rows = list(self.gazetteer.lookup_key(" ".join(words[:-1])))
            elif words[0] in TYPE_WORDS:
                base = " ".join(words[2:] if len(words) > 2 and words[1] == "of" else words[1:])
                rows = list(self.gazetteer.lookup_key(base))
        if _ABBREVIATION.match(stripped):
            rows += [r for r in self.gazetteer.lookup_abbreviation(stripped) if r not in rows]
        demonym = self.gazetteer.demonym(stripped) if demonyms else None
        if demonym is not None and demonym not in rows:
            rows.append(demonym)
        return rows

    def is_right(self, row: int, gold: dict[str, Any]) -> bool:
        place = self.gazetteer.place(row)
        if gold.get("geonameid") is not None and place.geonameid == gold["geonameid"]:
            return True
        point = coords(gold)
        return point is not None and great_circle_km(point, (place.lat, place.lon)) <= RADIUS_KM

    def right_among(self, rows: Iterable[int], gold: dict[str, Any]) -> bool:
        return any(self.is_right(r, gold) for r in rows)

    def holds_gold_id(self, gold: dict[str, Any]) -> bool:
        gid = gold.get("geonameid")
        return gid is not None and self.gazetteer.by_geonameid(int(gid)) is not None

    def describe(self, row: int) -> str:
        p = self.gazetteer.place(row)
        where = "-".join(x for x in (p.country_code, p.admin1_code) if x)
        return f"{p.name} ({p.feature_code}, {where})"


# ---------------------------------------------------------------- tallies


@dataclass
class Tally:
    """Counts by (cause, detail), and the surface forms behind each."""

    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    forms: dict[tuple[str, str], Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    # Cross-cutting facts about one cause's cases ("name in gazetteer"), counted apart.
    facets: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))

    def add(self, cause: str, detail: str, form: str, facets: Iterable[str] = ()) -> None:
        self.counts[(cause, detail)] += 1
        self.forms[(cause, detail)][form] += 1
        for facet in facets:
            self.facets[cause][facet] += 1

    def causes(self) -> Counter[str]:
        totals: Counter[str] = Counter()
        for (cause, _), n in self.counts.items():
            totals[cause] += n
        return totals

    def to_dict(self, top: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for (cause, detail), n in sorted(self.counts.items()):
            out.setdefault(cause, {})[detail] = {
                "count": n,
                "forms": self.forms[(cause, detail)].most_common(top),
            }
        for cause, facets in sorted(self.facets.items()):
            out[cause]["facets"] = dict(facets.most_common())
        return out


@dataclass
class Analysis:
    documents: int = 0
    gold_with_coords: int = 0
    resolution: Tally = field(default_factory=Tally)
    recall: Tally = field(default_factory=Tally)
    precision: Tally = field(default_factory=Tally)
    gold_places: int = 0
    predicted_places: int = 0
    exact: int = 0


# ---------------------------------------------------------------- classification


def analyse(
    gold_docs: list[dict[str, Any]],
    pred_docs: list[dict[str, Any]],
    names: Names,
    ner: dict[str, list[dict[str, Any]]] | None,
) -> Analysis:
    preds = {str(d.get("id")): d for d in pred_docs}
    result = Analysis()
    for gold_doc in gold_docs:
        result.documents += 1
        pred_doc = preds.get(str(gold_doc.get("id")), {"entities": []})
        raw = ner.get(str(gold_doc.get("id")), []) if ner is not None else None
        analyse_document(gold_doc, pred_doc, names, raw, result)
    return result


def analyse_document(
    gold_doc: dict[str, Any],
    pred_doc: dict[str, Any],
    names: Names,
    raw: list[dict[str, Any]] | None,
    result: Analysis,
) -> None:
    gold = [dict(e, label=fold_label(e["label"])) for e in gold_doc["entities"]]
    pred = [dict(e, label=fold_label(e.get("label"))) for e in pred_doc.get("entities", [])]
    gold_places = [e for e in gold if e["label"] == "PLACE"]
    pred_places = [e for e in pred if e["label"] == "PLACE"]
    others = [e for e in pred if e["label"] != "PLACE"]
    found_names = {normalize_name(e["text"]) for e in pred_places}
    gold_spans = {(e["start"], e["end"]) for e in gold_places}
    pred_spans = {(e["start"], e["end"]) for e in pred_places}
    result.gold_places += len(gold_places)
    result.predicted_places += len(pred_places)
    result.exact += len(gold_spans & pred_spans)

    for g in gold_places:
        if (g["start"], g["end"]) not in pred_spans:
            result.recall.add(*recall_loss(g, pred_places, others, raw))
        if coords(g) is None:
            continue
        result.gold_with_coords += 1
        result.resolution.add(*resolution_cause(g, pred_places, others, names, found_names, raw))

    for p in pred_places:
        if (p["start"], p["end"]) not in gold_spans:
            result.precision.add(*precision_error(p, gold, raw))


def raw_label(span: dict[str, Any], raw: list[dict[str, Any]] | None) -> str:
    if raw is None:
        return ""
    hit = best_overlap(span, raw)
    return hit["label"] if hit is not None else "none"


def recall_loss(
    g: dict[str, Any],
    pred_places: list[dict[str, Any]],
    others: list[dict[str, Any]],
    raw: list[dict[str, Any]] | None,
) -> tuple[str, str, str, Iterable[str]]:
    """Why a gold PLACE span has no predicted PLACE with exactly its boundaries."""
    place = best_overlap(g, pred_places)
    if place is not None:
        return "span boundary", boundary_kind(g, place), f"{g['text']} ~ {place['text']}", ()
    other = best_overlap(g, others)
    detail = f"predicted {other['label']}" if other is not None else "no predicted entity"
    if raw is not None:
        detail += f" (NER {raw_label(g, raw)})"
    return "no place span", detail, g["text"], ()


def boundary_kind(g: dict[str, Any], p: dict[str, Any]) -> str:
    if p["start"] <= g["start"] and p["end"] >= g["end"]:
        return "prediction longer"
    if p["start"] >= g["start"] and p["end"] <= g["end"]:
        return "prediction shorter"
    return "prediction shifted"


def resolution_cause(
    g: dict[str, Any],
    pred_places: list[dict[str, Any]],
    others: list[dict[str, Any]],
    names: Names,
    found_names: set[str],
    raw: list[dict[str, Any]] | None,
) -> tuple[str, str, str, Iterable[str]]:
    """The cause for a gold place with coordinates, its detail, its form and facets."""
    point = coords(g)
    assert point is not None
    m = best_overlap(g, pred_places)
    if m is None:
        other = best_overlap(g, others)
        label = other["label"] if other is not None else "no entity"
        rows = names.candidates(g["text"])
        if not rows:
            known = "name not in gazetteer"
        elif names.right_among(rows, g):
            known = "name in gazetteer, right place a candidate"
        else:
            known = "name in gazetteer, right place not a candidate"
        seen = [known]
        if normalize_name(g["text"]) in found_names:
            seen.append("same name found as a place elsewhere in the story")
        if raw is not None:
            seen.append(f"model said {raw_label(g, raw)}")
        return "not recognised", label, g["text"], seen

    same_span = (m["start"], m["end"]) == (g["start"], g["end"])
    form = g["text"] if same_span else f"{g['text']} ~ {m['text']}"
    facets: list[str] = [] if same_span else ["predicted span differs from gold"]
    got = coords(m)
    rows = names.candidates(m["text"], demonyms=m.get("kind") == "demonym")
    listed = [a for a in m.get("alternatives") or [] if a.get("lat") is not None]
    if got is not None:
        if great_circle_km(point, got) <= RADIUS_KM:
            return "correct", "exact span" if same_span else "overlapping span", form, ()
        place = m.get("place") or {}
        code, country = place.get("feature_code"), place.get("country_code")
        form += f" -> {place.get('name')} ({code}, {country})"
        if names.right_among(rows, g) or any(near(a, point) for a in listed):
            return "wrong candidate", "right place is a candidate, ranked lower", form, facets
        if names.holds_gold_id(g):
            return "wrong candidate", "right place in gazetteer, not under this name", form, facets
        return "wrong candidate", "right place not in gazetteer", form, facets
    if not rows and not listed:
        if not same_span:
            gold_rows = names.candidates(g["text"])
            if names.right_among(gold_rows, g):
                detail = "predicted span differs; gold span's name gives the right place"
            elif gold_rows:
                detail = "predicted span differs; gold span's name gives other places"
            else:
                detail = "predicted span differs; gold span's name gives nothing"
            return "no gazetteer entry", detail, form, ()
        if names.holds_gold_id(g):
            return "no gazetteer entry", "right place in gazetteer under other names", form, ()
        return "no gazetteer entry", "right place not in gazetteer", form, ()
    right = names.right_among(rows, g)
    detail = "right place is a candidate" if right else "right place not a candidate"
    return "abstained", detail, form, facets


def precision_error(
    p: dict[str, Any], gold: list[dict[str, Any]], raw: list[dict[str, Any]] | None
) -> tuple[str, str, str]:
    """Why a predicted PLACE span is not a gold PLACE span."""
    gold_place = best_overlap(p, [e for e in gold if e["label"] == "PLACE"])
    if gold_place is not None:
        return "span boundary", boundary_kind(gold_place, p), f"{p['text']} ~ {gold_place['text']}"
    other = best_overlap(p, [e for e in gold if e["label"] != "PLACE"])
    if other is not None:
        return "gold has another label", other["label"], p["text"]
    return "no gold entity", origin(p, raw), p["text"]


def origin(p: dict[str, Any], raw: list[dict[str, Any]] | None) -> str:
    """Where a predicted place came from, as far as the output (and the model) tell."""
    resolved = "resolved" if coords(p) is not None else "unresolved"
    if p.get("kind") == "demonym":
        return f"demonym, {resolved}"
    if p.get("role") == "embedded":
        return f"place inside an organisation name, {resolved}"
    if p.get("ner_label") == "ORG":
        return f"landmark named as organisation, {resolved}"
    if raw is None:
        return f"tagged {p.get('ner_label')}, {resolved}"
    model = raw_label(p, raw)
    if model in ("GPE", "LOC", "FAC"):
        return f"model said {model}, {resolved}"
    if model == "none":
        return f"recovered (model found nothing), {resolved}"
    return f"relabelled from {model}, {resolved}"


# ---------------------------------------------------------------- model and output


def run_ner(model: str, docs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    import spacy

    nlp = spacy.load(model)
    out = {}
    for doc, spacy_doc in zip(docs, nlp.pipe(d["text"] for d in docs), strict=True):
        out[str(doc.get("id"))] = [
            {"start": e.start_char, "end": e.end_char, "label": e.label_} for e in spacy_doc.ents
        ]
    return out


def report_lines(analysis: Analysis, top: int) -> Iterator[str]:
    n = analysis.gold_with_coords
    yield f"documents {analysis.documents}; gold places with coordinates {n}"
    yield from tally_lines("Gold places with coordinates, by cause (acc@161 end to end)",
                           analysis.resolution, n, top)  # fmt: skip
    missed = analysis.gold_places - analysis.exact
    wrong = analysis.predicted_places - analysis.exact
    yield ""
    yield (
        f"PLACE exact spans: gold {analysis.gold_places}, predicted {analysis.predicted_places}, "
        f"exact {analysis.exact}; recall losses {missed}, precision errors {wrong}"
    )
    yield from tally_lines("Recall losses (gold PLACE spans with no exact prediction)",
                           analysis.recall, missed, top)  # fmt: skip
    yield from tally_lines("Precision errors (predicted PLACE spans that are no gold PLACE span)",
                           analysis.precision, wrong, top)  # fmt: skip


def tally_lines(title: str, tally: Tally, total: int, top: int) -> Iterator[str]:
    yield ""
    yield f"== {title}"
    causes = tally.causes()
    for cause, n in causes.most_common():
        yield f"{cause:<30} {n:>5}  {n / total:6.1%}" if total else f"{cause} {n}"
    for cause, _ in causes.most_common():
        details = [(d, c) for (k, d), c in tally.counts.items() if k == cause]
        for detail, count in sorted(details, key=lambda x: -x[1]):
            yield ""
            yield f"-- {cause} / {detail}: {count}"
            forms = tally.forms[(cause, detail)].most_common(top)
            yield "   " + "; ".join(f"{form} x{c}" if c > 1 else form for form, c in forms)
        if tally.facets.get(cause):
            yield (
                f"   ({cause}, across details: "
                + ", ".join(f"{facet} {c}" for facet, c in tally.facets[cause].most_common())
                + ")"
            )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("gold", help="gold JSON Lines")
    parser.add_argument("pred", help="predictions JSON Lines (geotag evaluate --predictions)")
    parser.add_argument("--gazetteer", help="gazetteer CSV the predictions were made with")
    parser.add_argument("--ner", metavar="MODEL", help="also run this spaCy model for its labels")
    parser.add_argument("--top", type=int, default=30, help="surface forms shown per cause")
    parser.add_argument("--json", action="store_true", help="one JSON object instead of text")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    gold_docs = read_jsonl(args.gold)
    names = Names(Gazetteer.load(args.gazetteer))
    ner = run_ner(args.ner, gold_docs) if args.ner else None
    analysis = analyse(gold_docs, read_jsonl(args.pred), names, ner)
    if args.json:
        print(
            json.dumps(
                {
                    "documents": analysis.documents,
                    "gold_with_coords": analysis.gold_with_coords,
                    "gold_places": analysis.gold_places,
                    "predicted_places": analysis.predicted_places,
                    "exact": analysis.exact,
                    "resolution": analysis.resolution.to_dict(args.top),
                    "recall": analysis.recall.to_dict(args.top),
                    "precision": analysis.precision.to_dict(args.top),
                },
                ensure_ascii=False,
            )
        )
    else:
        for line in report_lines(analysis, args.top):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
