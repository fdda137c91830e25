"""Long single texts: does geotag's time per megabyte stay flat as one text grows, and how
far is it from the bare spaCy model on the same text?

    python bench/longtext.py                     # 0.5, 2 and 5 MB and the two stress texts
    python bench/longtext.py --quick             # small sizes, to try it out
    python bench/longtext.py --json results.json # also keep the figures

Each text is one document, run through `geotag --format jsonl --jobs 1` and through a bare
`nlp.pipe` loop over the same text cut into geotag's piece size, with the same model and
the same excluded components, both whole processes, one after the other (the machine is
shared: read the load line). The texts are built at run time:

- ordinary: sentences of the news texts in --eval (JSON Lines with a "text" field), eight
  to a paragraph, a blank line between paragraphs, at 0.5, 2 and 5 MB;
- repetitive: one line repeating one sentence that names Aleppo, Idlib and Damascus
  (5 MB: about 300,000 place mentions of three names);
- distinct names: 20,000 different names, half invented people, half towns of the
  gazetteer, in short sentences.

Targets (issue 23, issue 20): seconds per MB at 2 and at 5 MB within 1.3x of that at
0.5 MB; the 5 MB ordinary text within 1.5x of the bare model; the two stress texts are
shown with their ratio to the bare model against the same 1.5x.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from bench import (
    DEFAULT_EVAL,
    MB,
    excluded_components,
    invented_name,
    read_texts,
    run_timed,
    verdict,
)

# A bare loop over the same text in pieces of geotag's size, cut at a paragraph, a
# sentence or a space as geotag cuts (the pieces need not be identical, only as long).
BARE_TEXT = """
import json, sys, spacy
model, exclude, path, limit = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], int(sys.argv[4])
nlp = spacy.load(model, exclude=exclude)
nlp.max_length = max(nlp.max_length, limit + 1)
text = open(path, encoding="utf-8").read()
pieces, start = [], 0
while start < len(text):
    end = min(len(text), start + limit)
    if end < len(text):
        window = text[start:end]
        cut = max(window.rfind("\\n\\n"), window.rfind(". "), window.rfind(" "))
        end = start + cut + 1 if cut > limit // 2 else end
    pieces.append(text[start:end])
    start = end
found = 0
for doc in nlp.pipe(pieces):
    found += len(doc.ents)
print(found)
"""

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")
REPEATED_SENTENCE = "Shelling hit Aleppo, Idlib and Damascus on Monday. "
_PLAIN_NAME = re.compile(r"[A-Z][a-z]+(?: [A-Z][a-z]+)?")


def news_sentences(texts: Sequence[str]) -> list[str]:
    """The sentences of the texts, whitespace collapsed, of ordinary length."""
    out = []
    for text in texts:
        for sentence in _SENTENCE_END.split(" ".join(text.split())):
            if 40 <= len(sentence) <= 400:
                out.append(sentence)
    return out


def ordinary_text(sentences: Sequence[str], size: int) -> str:
    """`size` bytes (UTF-8) or a little more of the sentences in turn, eight to a
    paragraph, a blank line between paragraphs."""
    paragraphs = []
    written = 0
    n = 0
    while written < size:
        paragraph = " ".join(sentences[(n + k) % len(sentences)] for k in range(8))
        n += 8
        paragraphs.append(paragraph)
        written += len(paragraph.encode()) + 2
    return "\n\n".join(paragraphs) + "\n"


def repetitive_text(size: int) -> str:
    """One line repeating one sentence with three place names, `size` bytes or a little
    more."""
    return REPEATED_SENTENCE * (size // len(REPEATED_SENTENCE) + 1) + "\n"


def distinct_names_text(names: int, seed: int = 7) -> str:
    """`names` different names, half invented people and half towns of the shipped
    gazetteer, one person and one town a sentence, eight sentences to a paragraph."""
    from geotag.gazetteer import Gazetteer

    gazetteer = Gazetteer.load()
    rng = random.Random(seed)
    towns = sorted(
        {
            gazetteer.name_of(r)
            for r in range(len(gazetteer))
            if gazetteer.feature_of(r)[0] == "P"
            and gazetteer.population_of(r) >= 1000
            and _PLAIN_NAME.fullmatch(gazetteer.name_of(r))
        }
    )
    rng.shuffle(towns)
    people: set[str] = set()
    while len(people) < names // 2:
        people.add(f"{invented_name(rng)} {invented_name(rng)}")
    verbs = ("spoke to reporters in", "was born in", "opened a shop in", "left")
    sentences = [
        f"{person} {verbs[n % len(verbs)]} {town} on Tuesday."
        for n, (person, town) in enumerate(zip(sorted(people), towns, strict=False))
    ]
    rng.shuffle(sentences)
    paragraphs = [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    return "\n\n".join(paragraphs) + "\n"


def measure(
    geotag: list[str], bare: list[str], path: Path, out: Path, piece: int
) -> dict[str, float | str]:
    """geotag and the bare loop on one text: seconds, peak RSS, and the output's hash (the
    same text and code give the same hash: a check that a change kept the output)."""
    with out.open("wb") as f:
        seconds, peak = run_timed([*geotag, str(path)], stdout=f)
    bare_seconds, _ = run_timed([*bare, str(path), str(piece)])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:16]
    return {
        "mb": path.stat().st_size / MB,
        "seconds": seconds,
        "bare_seconds": bare_seconds,
        "peak_rss_mb": peak / 1024,
        "jsonl_sha256": digest,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder of *.jsonl")
    parser.add_argument("--model", default=None, help="spaCy pipeline (default: geotag's)")
    parser.add_argument(
        "--sizes", default="0.5,2,5", help="MB of the ordinary texts, comma-separated"
    )
    parser.add_argument("--repetitive-mb", type=float, default=5, help="0 skips it")
    parser.add_argument("--names", type=int, default=20_000, help="0 skips it")
    parser.add_argument("--quick", action="store_true", help="small sizes, to try it out")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes, args.repetitive_mb, args.names = "0.05,0.2", 0.2, 1000
    sizes = [float(s) for s in args.sizes.split(",") if s.strip()]

    from geotag import DEFAULT_MODEL
    from geotag.engine.model import CHUNK_CHARS

    model = args.model or DEFAULT_MODEL
    exclude = excluded_components(model)
    geotag = [sys.executable, "-m", "geotag", "--model", model]
    geotag += ["--format", "jsonl", "-q", "--jobs", "1"]
    bare = [sys.executable, "-c", BARE_TEXT, model, json.dumps(exclude)]
    load_before = os.getloadavg()
    print(f"geotag long texts: model {model}, CPUs {os.cpu_count()}, load {load_before[0]:.2f}")
    sentences = news_sentences(read_texts(args.eval))
    results: dict[str, Any] = {"model": model, "load_before": load_before, "texts": {}}

    with tempfile.TemporaryDirectory(prefix="geotag-longtext-") as tmp:
        work = Path(tmp)
        texts: list[tuple[str, Callable[[], str]]] = [
            (f"ordinary {mb:g} MB", partial(ordinary_text, sentences, int(mb * MB))) for mb in sizes
        ]
        if args.repetitive_mb > 0:
            size = int(args.repetitive_mb * MB)
            texts.append((f"repetitive {args.repetitive_mb:g} MB", partial(repetitive_text, size)))
        if args.names > 0:
            texts.append(
                (f"{args.names:,} distinct names", partial(distinct_names_text, args.names))
            )
        for name, build in texts:
            path = work / "text.txt"
            path.write_text(build(), encoding="utf-8")
            figures = measure(geotag, bare, path, work / "out.jsonl", CHUNK_CHARS)
            results["texts"][name] = figures
            print(
                f"  {name}: geotag {figures['seconds']:.1f}s, bare model "
                f"{figures['bare_seconds']:.1f}s, peak RSS {figures['peak_rss_mb']:.0f} MB, "
                f"load {os.getloadavg()[0]:.2f}",
                flush=True,
            )
    load_after = os.getloadavg()
    results["load_after"] = load_after

    rows = _rows(results["texts"], sizes)
    print(f"\nload before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    width = max(len(r[0]) for r in rows)
    print(f"\n{'measure'.ljust(width)}  {'value':>10}  {'target':>9}  verdict")
    for label, value, target, ok in rows:
        print(f"{label.ljust(width)}  {value:>10}  {target:>9}  {verdict(ok) if target else ''}")
    print("\noutput hashes (sha256 of the JSONL, first 16 hex digits):")
    for name, figures in results["texts"].items():
        print(f"  {name}: {figures['jsonl_sha256']}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


def _rows(
    texts: dict[str, dict[str, Any]], sizes: Sequence[float]
) -> list[tuple[str, str, str, bool | None]]:
    rows: list[tuple[str, str, str, bool | None]] = []
    per_mb = {mb: texts[f"ordinary {mb:g} MB"] for mb in sizes}
    base = per_mb[sizes[0]]["seconds"] / per_mb[sizes[0]]["mb"] if sizes else None
    for mb, figures in per_mb.items():
        seconds_per_mb = figures["seconds"] / figures["mb"]
        bare_per_mb = figures["bare_seconds"] / figures["mb"]
        rows.append((f"ordinary {mb:g} MB: geotag s/MB", f"{seconds_per_mb:.1f}", "", None))
        rows.append((f"ordinary {mb:g} MB: bare model s/MB", f"{bare_per_mb:.1f}", "", None))
        if base is not None and mb != sizes[0]:
            growth = seconds_per_mb / base
            rows.append(
                (
                    f"ordinary {mb:g} MB: s/MB / that at {sizes[0]:g} MB",
                    f"{growth:.2f}x",
                    "<= 1.30x",
                    growth <= 1.3,
                )
            )
        ratio = figures["seconds"] / figures["bare_seconds"]
        last = mb == sizes[-1]
        rows.append(
            (
                f"ordinary {mb:g} MB: geotag / bare model",
                f"{ratio:.2f}x",
                "<= 1.50x" if last else "",
                ratio <= 1.5 if last else None,
            )
        )
    for name, figures in texts.items():
        if name.startswith("ordinary"):
            continue
        ratio = figures["seconds"] / figures["bare_seconds"]
        rows.append((f"{name}: geotag / bare model", f"{ratio:.2f}x", "<= 1.50x", ratio <= 1.5))
        rows.append((f"{name}: peak RSS", f"{figures['peak_rss_mb']:.0f} MB", "", None))
    return rows


if __name__ == "__main__":
    sys.exit(main())
