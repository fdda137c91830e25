"""The candidate ranker's weights and calibration: written by scripts/fit_ranker.py, do
not edit by hand (refit instead).

Hand-set weights, before any fit.
"""

RANKER_WEIGHTS: dict[str, object] = {
    "weights": {
        "type": 2.0,
        "importance": 1.2,
        "country": 1.3,
        "admin1": 0.6,
        "distance": 0.8,
        "name": 0.55,
        "label": 0.4,
        "hint": 1.5,
        "preference": 2.0,
    },
    "temperature": 2.0,
    "none_option": False,
    "abstain_below": 1.2,
}
