"""Run geotag with the rule for places inside organisation names set one way, to write
the prediction files that `cv_rule_choice.py` chooses between (the figures in
`tagging/recognition.py` beside INSIDE_TOWN_POPULATION).

    PYTHONPATH=src python scripts/inside_variants.py VARIANT evaluate GOLD.jsonl -j 1 \
        --predictions P.jsonl

VARIANT: `off` (the model alone), `areas` (countries, regions and counties only), a town
population (`100000`: towns from that size too), either followed by `+story` (towns of
the story's regions whatever their size too).
"""

from __future__ import annotations

import sys

from geotag.tagging import recognition


def main() -> None:
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    variant = sys.argv.pop(1)
    if variant == "off":
        # The rule never fires: the place model alone decides.
        recognition._named_inside = lambda *_: False
    else:
        towns, _, story = variant.partition("+")
        recognition.INSIDE_TOWN_POPULATION = None if towns == "areas" else int(towns)
        recognition.INSIDE_TOWNS_OF_STORY = story == "story"
    from geotag.cli import main as geotag

    sys.argv[0] = "geotag"
    geotag()


if __name__ == "__main__":
    main()
