"""Where geotag's own time goes: the bench's corpus recognised once, then one cold pass of
`Tagger.tag` under cProfile, and the ten geotag functions with the most own time.

    python bench/profile_tagging.py                 # 300 documents, as bench.py --docs 300
    python bench/profile_tagging.py --docs 1000 --top 20

Also prints the tagging's CPU seconds against the recogniser's (process time, which the
machine's other work disturbs less than wall time), for a cold pass (first-time lookups
included, as in a real run) and a warm one. The profile's absolute seconds are inflated
by cProfile (more for many small calls); read its ranking and shares.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import DEFAULT_EVAL, news_documents, read_texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help="folder of *.jsonl")
    parser.add_argument("--docs", type=int, default=300)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args()

    from geotag.engine.model import spans_of
    from geotag.engine.pipeline import BATCH_SIZE, Pipeline
    from geotag.options import PipelineOptions

    texts = [d["text"] for d in news_documents(read_texts(args.eval), args.docs, seed=1)]
    pipeline = Pipeline(PipelineOptions())
    nlp = pipeline.nlp
    started = time.process_time()
    spans = []
    for i in range(0, len(texts), BATCH_SIZE):
        with nlp.memory_zone():
            part = texts[i : i + BATCH_SIZE]
            spans += [spans_of(doc) for doc in nlp.pipe(part, batch_size=len(part))]
    ner = time.process_time() - started

    profile = cProfile.Profile()
    started = time.process_time()
    profile.enable()
    for text, found in zip(texts, spans, strict=True):
        pipeline.tagger.tag(text, found)
    profile.disable()
    cold = time.process_time() - started
    started = time.process_time()
    for text, found in zip(texts, spans, strict=True):
        pipeline.tagger.tag(text, found)
    warm = time.process_time() - started
    print(
        f"{len(texts)} documents: NER {ner:.2f} CPU s; tagging, warm pass {warm:.2f} s "
        f"({warm / ner:.1%} of NER); cold pass under cProfile {cold:.2f} s"
    )

    stats = pstats.Stats(profile)
    total = stats.total_tt  # type: ignore[attr-defined]
    rows = sorted(
        ((v[2], v[1], k) for k, v in stats.stats.items() if "geotag" in k[0]),  # type: ignore[attr-defined]
        reverse=True,
    )
    print(f"profiled {total:.2f} s, geotag's own {sum(r[0] for r in rows):.2f} s")
    print(f"{'own s':>7} {'share':>6} {'calls':>7}  function")
    for own, calls, (path, line, name) in rows[: args.top]:
        where = path.split("geotag/", 1)[-1]
        print(f"{own:7.3f} {own / total:6.1%} {calls:7d}  {where}:{line}({name})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
