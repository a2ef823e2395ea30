"""G606 compares classifiers by balanced accuracy: weighting a rare class on purpose is not losing to a baseline."""
from __future__ import annotations

import numpy as np
import torch
from sklearn.datasets import make_classification
from torch import nn

import nndoctor
from nndoctor.look.baselines import balanced_standard_error, class_scores
from nndoctor.look.predict import Outputs


def test_class_scores_against_per_class_recalls_by_hand():
    truth = np.array([0, 0, 0, 0, 0, 0, 1, 1, 2, 2])
    predicted = np.array([0, 0, 0, 0, 0, 1, 1, 0, 2, 2])
    recalls = [5 / 6, 1 / 2, 1.0]
    row = class_scores("x", truth, predicted)
    assert row["value"] == 8 / 10 and abs(row["balanced_accuracy"] - np.mean(recalls)) < 1e-12
    # Agresti-Coull: each recall's hits and misses get two more before its binomial variance is read
    hits = [5, 1, 2]
    adjusted = [(h + 2) / (n + 4) for h, n in zip(hits, [6, 2, 2])]
    by_hand = np.sqrt(sum(r * (1 - r) / (n + 4) for r, n in zip(adjusted, [6, 2, 2]))) / 3
    assert abs(balanced_standard_error(truth, predicted) - by_hand) < 1e-12


def test_recalls_of_exactly_zero_and_one_still_carry_sampling_error():
    """A network that never predicts the rare class measures its recall as 0 on 400 rows, not knows it is 0."""
    truth = np.array([0] * 3600 + [1] * 400)
    error = balanced_standard_error(truth, np.zeros_like(truth))
    assert 0.001 < error < 0.01  # about sqrt(2/404 / 404) / 2: the rare class's recall dominates


def _imbalanced(pos_weight: float | None) -> nndoctor.Setup:
    x, y = make_classification(n_samples=3000, n_features=12, n_informative=6, weights=[0.97, 0.03],
                               class_sep=1.2, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    y = y.astype(np.float32)[:, None]
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 1))
    weight = None if pos_weight is None else torch.tensor([pos_weight])
    return nndoctor.Setup(model=model, train=(x[:2250], y[:2250]), val=(x[2250:], y[2250:]),
                          loss=nn.BCEWithLogitsLoss(pos_weight=weight),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)


def test_a_class_weighted_imbalanced_classifier_is_not_below_baseline():
    report = nndoctor.checkup(_imbalanced(pos_weight=28.0), select=["G606"])
    assert "G606" not in report.codes, [f.message for f in report.findings]
    baselines = report.extra["look"]["baselines"]
    prior = next(r for r in baselines["rows"] if r["name"].startswith("prior"))
    assert prior["value"] > 0.9 and prior["balanced_accuracy"] == 0.5  # the majority class: high accuracy, chance recall


def _calibrated_outputs(informative: bool) -> Outputs:
    """A click model's outputs: 10% clicks, each row's click probability its true one (calibrated), never above one half."""
    rng = np.random.default_rng(0)
    score = rng.normal(size=4000)
    p = 1 / (1 + np.exp(-(np.log(0.1 / 0.9) + (0.9 if informative else 0.0) * score - 0.4)))
    p = np.minimum(p, 0.45)
    truth = (rng.random(4000) < p).astype(np.int64)
    probabilities = np.stack([1 - p, p], axis=1)
    return Outputs("classes", np.zeros(4000, dtype=np.int64), truth, probabilities.max(1), None, 2, None, probabilities)


def test_a_calibrated_model_that_never_names_the_rare_class_is_compared_by_plain_accuracy():
    """Its argmax never crosses one half, so balanced accuracy would compare thresholds, not models."""
    from sklearn.metrics import roc_auc_score

    from nndoctor.look import _thresholds_only

    served = _calibrated_outputs(informative=True)
    assert roc_auc_score(served.truth, served.probabilities[:, 1]) > 0.7  # independently: it ranks the clicks
    assert _thresholds_only(served)
    assert not _thresholds_only(_calibrated_outputs(informative=False))  # probabilities that rank nothing
