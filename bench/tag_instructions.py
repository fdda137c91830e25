"""Tagging's work in instructions, which the machine's other load does not move.

    python bench/tag_instructions.py --spans SPANS.pkl            # recognise once, keep spans
    for n in 0 1 2; do
      valgrind --tool=callgrind --callgrind-out-file=/dev/null \
        python bench/tag_instructions.py --spans SPANS.pkl --rounds $n 2>&1 | grep Collected
    done

The first call runs the recogniser over the bench's corpus (as `bench.py --docs N` builds
it) and keeps its spans in SPANS.pkl. Each later call loads them with the gazetteer and
tags every document `--rounds` times (`Tagger.tag`, no spaCy). Under callgrind, the count
of rounds 0 is the start-up, rounds 1 minus rounds 0 a cold pass (first-time lookups
included, as in a real run), rounds 2 minus rounds 1 a warm pass. Run it with two
checkouts' `PYTHONPATH` on the same SPANS.pkl to compare their tagging work.
"""

from __future__ import annotations

import argparse
import pickle
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DEFAULT_EVAL, news_documents, read_texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder of *.jsonl")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--spans", type=Path, required=True, help="the recognised spans")
    parser.add_argument("--rounds", type=int, help="tag this many times (else: recognise)")
    args = parser.parse_args()

    if args.rounds is None:
        from geotag.engine.model import load_nlp, spans_of
        from geotag.engine.pipeline import BATCH_SIZE

        texts = [d["text"] for d in news_documents(read_texts(args.eval), args.docs, seed=1)]
        nlp = load_nlp()
        spans = []
        for i in range(0, len(texts), BATCH_SIZE):
            with nlp.memory_zone():
                part = texts[i : i + BATCH_SIZE]
                spans += [spans_of(doc) for doc in nlp.pipe(part, batch_size=len(part))]
        with args.spans.open("wb") as f:
            pickle.dump(list(zip(texts, spans, strict=True)), f)
        print(f"{len(texts)} documents recognised into {args.spans}")
        return 0

    from geotag.gazetteer import Gazetteer
    from geotag.options import PipelineOptions
    from geotag.tagging.tagger import Tagger, TagOptions

    with args.spans.open("rb") as f:
        documents = pickle.load(f)
    tagger = Tagger(Gazetteer.load(None), TagOptions(PipelineOptions()))
    for n in range(args.rounds):
        started = time.process_time()
        for text, found in documents:
            tagger.tag(text, found)
        print(f"round {n + 1}: {time.process_time() - started:.3f} CPU s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
