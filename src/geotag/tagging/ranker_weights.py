"""The candidate ranker's weights and calibration: written by scripts/fit_ranker.py, do
not edit by hand (refit instead).

Fitted 2026-12-08 on 356 documents (geowebnews_dev.jsonl, lgl_dev.jsonl),
3244 gold mentions, L2 1.0. Held-out figures (5-fold cross-validation over documents,
seed 19; weights and calibration fitted on the other folds), the learned weights against
the hand-set ones (calibrated alike); the better on the mean acc@161 is shipped: hand.
learned (mean acc@161 0.8189):
  gold spans, geowebnews_dev: acc@161 0.8960 (of resolved 0.9439), PLACE F1 1.0000
  gold spans, lgl_dev: acc@161 0.8394 (of resolved 0.8959), PLACE F1 0.9937
  end to end, geowebnews_dev: acc@161 0.8024 (of resolved 0.9494), PLACE F1 0.8557
  end to end, lgl_dev: acc@161 0.7380 (of resolved 0.8966), PLACE F1 0.8276
hand (mean acc@161 0.8238):
  gold spans, geowebnews_dev: acc@161 0.8895 (of resolved 0.9292), PLACE F1 1.0000
  gold spans, lgl_dev: acc@161 0.8466 (of resolved 0.8972), PLACE F1 0.9937
  end to end, geowebnews_dev: acc@161 0.8048 (of resolved 0.9415), PLACE F1 0.8557
  end to end, lgl_dev: acc@161 0.7543 (of resolved 0.9007), PLACE F1 0.8276
hand, held out on gold spans, by what decided (places, mean confidence, right):
  continent: 20, 0.922, 1.000
  country: 634, 0.965, 0.968
  demonym: 359, 0.977, 0.983
  home: 2, 0.600, 0.500
  inner: 82, 0.689, 0.659
  local: 14, 0.887, 1.000
  parent: 201, 0.983, 0.995
  score: 1109, 0.840, 0.849
  single: 662, 0.955, 0.958
  within-named: 44, 0.771, 0.727
  within-story: 55, 0.653, 0.600
  world-city: 3, 0.624, 0.000
Each rule against the learned model's best candidate (held out; places, right):
  continent: 28 places, rule 27, model 27
  country: 641 places, rule 617, model 617
  home: 2 places, rule 1, model 2
  local: 14 places, rule 14, model 14
  parent: 202 places, rule 201, model 199
  single: 699 places, rule 651, model 651
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
        [0.1712, 0.069],
        [0.2557, 0.4828],
        [0.4206, 0.6552],
        [0.5406, 0.7155],
        [0.6622, 0.8793],
        [0.7881, 0.9195],
        [0.872, 0.9397],
        [0.9528, 0.9741],
        [0.9931, 1.0],
    ],
    "rule_confidence": {
        "continent": 0.9357,
        "country": 0.966,
        "demonym": 0.9785,
        "home": 0.756,
        "inner": 0.6747,
        "local": 0.9197,
        "parent": 0.9861,
        "single": 0.9555,
        "within-named": 0.7561,
        "within-story": 0.6429,
        "world-city": 0.6209,
    },
}
