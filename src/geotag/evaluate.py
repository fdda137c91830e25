"""Measure geotag against gold annotations: recognition P/R/F1 and resolution accuracy.

The metrics follow the reference scorer the project is measured with (exact-span
precision/recall/F1 per label, overlap recall, accuracy within 161 km end to end and among
found mentions, median/mean error, AUC of log errors), computed here from geotag's own
results, plus GeoNames-id exact match where the gold has ids.
"""

from __future__ import annotations

import math
import statistics
import sys
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import orjson

from .errors import InputError, OutputError
from .formats.escape import json_bytes
from .models import Article, Document, Failure, RecordId, Warn, id_text, ignore_warning
from .readers import STDIN, jsonl_lines, parse_json
from .tagging.geometry import great_circle_km

if TYPE_CHECKING:
    from .engine.pipeline import Pipeline
    from .gazetteer import Gazetteer

LABELS = {
    "PERSON": "PERSON",
    "PER": "PERSON",
    "ORG": "ORG",
    "ORGANIZATION": "ORG",
    "ORGANISATION": "ORG",
    "PLACE": "PLACE",
    "GPE": "PLACE",
    "LOC": "PLACE",
    "LOCATION": "PLACE",
    "FAC": "PLACE",
    "TOPONYM": "PLACE",
}
SCORED = ("PERSON", "ORG", "PLACE")
HALF_EARTH_KM = 20039.0
ACCURACY_KM = 161.0
NESTED = ("place", "resolved", "resolution", "location", "geo")


@dataclass(frozen=True, slots=True)
class GoldDocument:
    id: RecordId  # as the gold gave it (its line number if none), passed on to predictions
    text: str
    entities: tuple[dict[str, Any], ...]


def read_gold(path: str | Path, warn: Warn = ignore_warning) -> list[GoldDocument]:
    """Gold JSON Lines: {"id", "text", "entities": [{"start", "end", "label", "lat", ...}]}.

    Every record is checked as it is read, so a malformed one is an InputError naming
    `FILE:LINE` and what is wrong, never a failure halfway through scoring; a file with
    no record is one too. '-' reads standard input. Labels that are not scored go to
    `warn`, once each (see `_unscored`).
    """
    docs = []
    seen: dict[str, int] = {}
    unscored: dict[str, list[int]] = {}  # label -> [first line, entities]
    number = 0
    try:
        with _open_gold(path) as f:
            # Decoded as the JSON Lines geotag tags are (a BOM, UTF-16 and UTF-32 too).
            for number, line in jsonl_lines(f, str(path), warn=warn):
                if isinstance(line, InputError):
                    raise line
                if not line.strip():
                    continue
                where = f"{path}:{number}"
                try:
                    rec = parse_json(line)
                except ValueError as exc:
                    raise InputError(f"{where}: {exc}") from None
                doc = _gold_document(rec, number, where)
                key = id_text(doc.id)
                if key in seen:
                    raise InputError(
                        f"{where}: id {key!r} is used by line {seen[key]} too; "
                        f"predictions are matched to gold documents by id"
                    )
                seen[key] = number
                docs.append(doc)
                for entity in doc.entities:
                    if norm_label(entity["label"]) is None:
                        unscored.setdefault(entity["label"], [number, 0])[1] += 1
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not docs:
        # Scoring nothing would report zeros that look like a result.
        raise InputError(f"{path}:{max(number, 1)}: no gold documents; expected one a line")
    _unscored(path, unscored, warn)
    return docs


@contextmanager
def _open_gold(path: str | Path) -> Iterator[IO[bytes]]:
    if str(path) == STDIN:
        yield sys.stdin.buffer
        return
    with open(path, "rb") as f:
        yield f


def _unscored(path: str | Path, labels: dict[str, list[int]], warn: Warn) -> None:
    """Labels outside PERSON, ORG and PLACE (and their synonyms): one warning, not an
    error. Corpora carry such labels on purpose (MISC in CoNLL-style data; DEMONYM or
    LANGUAGE in geoparsing corpora), and they are rightly not scored; but a misspelt
    label looks the same and would silently drop its entities from the score."""
    if labels:
        each = ", ".join(
            f"{label!r} ({count} from line {line})" for label, (line, count) in labels.items()
        )
        warn(f"{path}: labels not scored: {each}; scored: {', '.join(sorted(LABELS))}")


def _gold_document(rec: Any, number: int, where: str) -> GoldDocument:
    if not isinstance(rec, dict):
        raise InputError(f"{where}: expected a JSON object, got {_kind(rec)}")
    text = rec.get("text")
    if not isinstance(text, str):
        got = "no 'text' field" if text is None else f"'text' is {_kind(text)}"
        raise InputError(f"{where}: {got}; expected the document's text as a string")
    rid = rec.get("id", number)
    if rid is None or isinstance(rid, (list, dict)):
        raise InputError(f"{where}: 'id' is {_kind(rid)}; expected a string or a number")
    entities = rec.get("entities", [])
    if not isinstance(entities, list):
        raise InputError(f"{where}: 'entities' is {_kind(entities)}; expected a list")
    for n, entity in enumerate(entities, start=1):
        problem = _entity_problem(entity, text)
        if problem:
            raise InputError(f"{where}: entity {n}: {problem}")
    return GoldDocument(rid, text, tuple(entities))


def _entity_problem(entity: Any, text: str) -> str | None:
    """Why a gold entity cannot be scored, or None."""
    if not isinstance(entity, dict):
        return f"expected an object with start, end and label, got {_kind(entity)}"
    for key in ("start", "end"):
        if key not in entity:
            return f"no {key!r}"
        if not _is_integer(entity[key]):
            return f"{key!r} is {_kind(entity[key])}; expected a character offset (an integer)"
    start, end = entity["start"], entity["end"]
    if not 0 <= start < end <= len(text):
        return f"span {start}-{end} is not inside the text (0-{len(text)})"
    label = entity.get("label")
    if not isinstance(label, str) or not label:
        got = "no 'label'" if label is None else f"'label' is {_kind(label)}"
        return f"{got}; expected a label such as PLACE, PERSON or ORG"
    named = entity.get("text")
    if named is not None and named != text[start:end]:
        # Offsets that drifted (another encoding's, or counted in bytes) score the wrong
        # span: the entity's own text is the check the gold carries.
        return f"'text' is {_kind(named)} but span {start}-{end} is {text[start:end][:40]!r}"
    try:
        coordinates(entity)
        _geonameid(entity)
    except ValueError as exc:
        return str(exc)
    gid = entity.get("geonameid")  # what `score` compares, whatever a nested place holds
    if gid is not None and not _is_integer(gid):
        return f"geonameid is {_kind(gid)}; expected an integer"
    return None


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _kind(value: Any) -> str:
    """A JSON value's kind, as a JSON reader would name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"a number ({value})"
    if isinstance(value, str):
        return f"a string ({value[:40]!r})"
    return "a list" if isinstance(value, list) else "an object"


def gold_place_spans(doc: GoldDocument) -> list[tuple[int, int]]:
    return [(e["start"], e["end"]) for e in doc.entities if norm_label(e["label"]) == "PLACE"]


def norm_label(label: object) -> str | None:
    return LABELS.get(str(label).upper())


def coordinates(mention: dict[str, Any]) -> tuple[float, float] | None:
    """The (lat, lon) of a mention, on it or in a nested object (place, resolved...), or
    None. ValueError when they are there but not coordinates (text, out of range): a
    distance would otherwise be measured to a longitude wrapped round the globe."""
    for holder in [mention, *(mention.get(k) for k in NESTED)]:
        if not isinstance(holder, dict):
            continue
        lat = holder.get("lat", holder.get("latitude"))
        lon = holder.get("lon", holder.get("lng", holder.get("longitude")))
        if (lat is None) != (lon is None):
            given, lacking = ("latitude", "longitude") if lon is None else ("longitude", "latitude")
            raise ValueError(f"a {given} without a {lacking}")
        if lat is not None and lon is not None:
            for name, value, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
                if not _is_number(value):
                    raise ValueError(f"{name} is {_kind(value)}; expected a number")
                if not -limit <= value <= limit:
                    raise ValueError(f"{name} {value} is outside [-{limit}, {limit}]")
            return float(lat), float(lon)
    return None


def _geonameid(mention: dict[str, Any]) -> int | None:
    place = mention.get("place")
    value = place.get("geonameid") if isinstance(place, dict) else mention.get("geonameid")
    if value is None:
        return None
    if _is_integer(value):
        return int(value)
    # A string of digits is refused too: ids are compared as numbers, and a gold file
    # that writes them as text has most likely other fields as text as well.
    raise ValueError(f"geonameid is {_kind(value)}; expected an integer")


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float | int]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4), "gold": n_gold, "pred": n_pred}


def _auc(errors: Sequence[float]) -> float | None:
    if not errors:
        return None
    scaled = sorted(math.log(e + 1) / math.log(HALF_EARTH_KM) for e in errors)
    if len(scaled) == 1:
        return round(scaled[0], 4)
    area = sum((scaled[i] + scaled[i + 1]) / 2 for i in range(len(scaled) - 1))
    return round(area / (len(scaled) - 1), 4)


def score(gold: Sequence[GoldDocument], predicted: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Score predicted documents (geotag's JSON dicts, matched by id) against the gold."""
    by_id = {id_text(d["id"]): d for d in predicted if d.get("id") is not None}
    counts = {lab: {"exact": 0, "overlap": 0, "pred": 0, "gold": 0} for lab in SCORED}
    n_geo = hits = id_total = id_hits = missing = 0
    errors: list[float] = []
    for g in gold:
        p = by_id.get(id_text(g.id))
        if p is None:
            missing += 1
            p = {"entities": []}
        gold_ents = [(e["start"], e["end"], norm_label(e["label"]), e) for e in g.entities]
        pred_ents = [
            (e["start"], e["end"], norm_label(e.get("label")), e) for e in p.get("entities", [])
        ]
        for label in SCORED:
            gs = [(s, e) for s, e, lb, _ in gold_ents if lb == label]
            ps = [(s, e) for s, e, lb, _ in pred_ents if lb == label]
            gold_set = set(gs)
            c = counts[label]
            c["gold"] += len(gs)
            c["pred"] += len(ps)
            c["exact"] += sum(1 for span in ps if span in gold_set)
            c["overlap"] += sum(1 for s, e in gs if any(ps_ < e and s < pe for ps_, pe in ps))
        for s, e, glabel, ge in gold_ents:
            gc = coordinates(ge)
            if glabel != "PLACE" or gc is None:
                continue
            n_geo += 1
            found = [
                pe for ps_, pe_, plab, pe in pred_ents if plab == "PLACE" and ps_ < e and s < pe_
            ]
            found.sort(key=lambda m: -(min(e, m["end"]) - max(s, m["start"])))
            pc = coordinates(found[0]) if found else None
            if ge.get("geonameid") is not None:
                id_total += 1
                id_hits += bool(found) and _geonameid(found[0]) == int(ge["geonameid"])
            if pc is None:
                continue
            err = great_circle_km(gc, pc)
            errors.append(err)
            hits += err <= ACCURACY_KM
    report: dict[str, Any] = {"docs": len(gold), "docs_missing_from_pred": missing}
    for lab, c in counts.items():
        report[lab] = {
            "exact": _prf(c["exact"], c["pred"], c["gold"]),
            "overlap": {"r": round(c["overlap"] / c["gold"], 4) if c["gold"] else 0.0},
        }
    report["resolution"] = {
        "gold_places_with_coords": n_geo,
        "resolved": len(errors),
        "acc161_end_to_end": round(hits / n_geo, 4) if n_geo else None,
        "acc161_of_resolved": round(hits / len(errors), 4) if errors else None,
        "median_km": round(statistics.median(errors), 1) if errors else None,
        "mean_km": round(statistics.fmean(errors), 1) if errors else None,
        "auc": _auc(errors),
        "geonameid_accuracy": round(id_hits / id_total, 4) if id_total else None,
        "gold_places_with_geonameid": id_total,
    }
    return report


def evaluate(
    pipeline: Pipeline,
    gold: Sequence[GoldDocument],
    *,
    gold_spans: bool = False,
    jobs: int = 1,
    predictions: IO[bytes] | None = None,
) -> dict[str, Any]:
    """Tag every gold text (or resolve its gold place spans) and score the result."""
    if gold_spans:
        results: Iterable[Document | Failure] = (
            pipeline.tagger.tag(
                g.text, gold_ner_spans(pipeline.tagger.gazetteer, g), id=g.id, given_places=True
            )
            for g in gold
        )
    else:
        results = pipeline.tag_articles(
            (Article(g.text, source=None, id=g.id) for g in gold), jobs=jobs
        )
    predicted = []
    for item in results:
        if isinstance(item, Document):
            d = item.to_dict()
            predicted.append(d)
            if predictions is not None:
                with _writing(predictions):
                    predictions.write(json_bytes(d, orjson.OPT_APPEND_NEWLINE))
    if predictions is not None:
        with _writing(predictions):
            predictions.flush()
    return score(gold, predicted)


@contextmanager
def _writing(predictions: IO[bytes]) -> Iterator[None]:
    """The predictions file's write errors (a full disk), named after the file."""
    try:
        yield
    except OSError as exc:
        name = getattr(predictions, "name", "--predictions")
        raise OutputError(f"{name}: cannot write: {exc.strerror or exc}") from None


def gold_ner_spans(gaz: Gazetteer, doc: GoldDocument) -> list[tuple[int, int, str]]:
    """Gold place spans as NER output: a demonym on geotag's list counts as NORP."""
    spans = []
    for start, end in gold_place_spans(doc):
        label = "NORP" if gaz.demonym(doc.text[start:end]) is not None else "GPE"
        spans.append((start, end, label))
    return spans


def format_report(report: dict[str, Any]) -> str:
    lines = [f"docs {report['docs']} (missing from prediction: {report['docs_missing_from_pred']})"]
    for lab in SCORED:
        x = report[lab]["exact"]
        lines.append(
            f"{lab:7s} exact P {x['p']:.3f} R {x['r']:.3f} F1 {x['f1']:.3f}  "
            f"overlap R {report[lab]['overlap']['r']:.3f}  (gold {x['gold']}, pred {x['pred']})"
        )
    res = report["resolution"]
    lines.append("resolution: " + ", ".join(f"{k} {v}" for k, v in res.items()))
    return "\n".join(lines)
