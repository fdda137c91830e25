"""The candidate ranker's weights and calibration: written by scripts/fit_ranker.py, do
not edit by hand (refit instead).

Fitted 2026-12-08 on 356 documents (geowebnews_dev.jsonl, lgl_dev.jsonl),
3253 gold mentions, L2 1.0. Held-out figures (5-fold cross-validation over documents,
seed 19; weights and calibration fitted on the other folds), the learned weights against
the hand-set ones (calibrated alike); the better on the mean acc@161 is shipped: hand.
learned (mean acc@161 0.8221):
  gold spans, geowebnews_dev: acc@161 0.9000 (of resolved 0.9434), PLACE F1 1.0000
  gold spans, lgl_dev: acc@161 0.8360 (of resolved 0.8833), PLACE F1 0.9937
  end to end, geowebnews_dev: acc@161 0.8105 (of resolved 0.9472), PLACE F1 0.8557
  end to end, lgl_dev: acc@161 0.7419 (of resolved 0.8889), PLACE F1 0.8273
hand (mean acc@161 0.8296):
  gold spans, geowebnews_dev: acc@161 0.8927 (of resolved 0.9295), PLACE F1 1.0000
  gold spans, lgl_dev: acc@161 0.8489 (of resolved 0.8988), PLACE F1 0.9937
  end to end, geowebnews_dev: acc@161 0.8129 (of resolved 0.9385), PLACE F1 0.8557
  end to end, lgl_dev: acc@161 0.7639 (of resolved 0.9003), PLACE F1 0.8273
hand, held out on gold spans, by what decided (places, mean confidence, right):
  continent: 20, 0.922, 1.000
  country: 634, 0.965, 0.968
  demonym: 359, 0.977, 0.983
  home: 2, 0.600, 0.500
  inner: 82, 0.689, 0.659
  local: 14, 0.887, 1.000
  parent: 201, 0.983, 0.995
  score: 1107, 0.836, 0.852
  single: 670, 0.956, 0.958
  within-named: 44, 0.771, 0.727
  within-story: 55, 0.653, 0.600
  world-city: 3, 0.624, 0.000
Each rule against the learned model's best candidate (held out; places, right):
  continent: 28 places, rule 27, model 27
  country: 641 places, rule 617, model 617
  home: 2 places, rule 1, model 2
  local: 14 places, rule 14, model 14
  parent: 202 places, rule 201, model 199
  single: 707 places, rule 659, model 659
  world-city: 3 places, rule 0, model 0
"""

RANKER_WEIGHTS: dict[str, object] = {
    "weights": {
        "admin1": 0.6,
        "country": 1.3,
        "distance": 0.8,
        "hint": 1.5,
        "importance": 1.2,
        "label": 0.4,
        "name": 0.55,
        "preference": 2.0,
        "type": 2.0,
    },
    "temperature": 2.0,
    "none_option": False,
    "abstain_below": 1.2,
    "calibration": [
        [0.2134, 0.2759],
        [0.4442, 0.6767],
        [0.583, 0.8017],
        [0.6899, 0.8621],
        [0.8046, 0.9353],
        [0.9061, 0.9483],
        [0.9533, 0.9655],
        [0.9869, 0.9828],
        [0.9982, 1.0],
    ],
    "rule_confidence": {
        "continent": 0.9358,
        "country": 0.966,
        "demonym": 0.9785,
        "home": 0.7561,
        "inner": 0.6747,
        "local": 0.9197,
        "parent": 0.9861,
        "single": 0.956,
        "within-named": 0.7561,
        "within-story": 0.6429,
        "world-city": 0.621,
    },
}
