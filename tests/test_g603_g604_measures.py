"""G603 from the predictions of a script's own evaluation pass, and G604's per-sample (median) comparison."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.metrics import accuracy_score, recall_score
from torch import nn

import nndoctor
from nndoctor.probes.trial import class_recall, median_sample_loss
from nndoctor.verdicts.generalisation import (
    ValidationEvidence,
    suspicious_validation_verdict,
)
from nndoctor.watch.predictions import EvalPredictions, recall_bounds


# -- counting the last evaluation pass -------------------------------------------------------
def test_counts_match_numpy_and_a_repeated_input_starts_a_new_pass():
    rng = np.random.default_rng(0)
    scores = torch.tensor(rng.standard_normal((50, 3)), dtype=torch.float32)
    x = torch.zeros(50, 2)
    counter = EvalPredictions()
    counter.add(7, x, scores[:20])
    counter.add(7, torch.zeros(30, 2), scores[20:])
    expected = np.bincount(scores.numpy().argmax(1), minlength=3).tolist()
    assert counter.summary() == {"width": 3, "predicted": expected, "rows": 50}
    counter.add(7, x, scores[:20])  # the same validation tensor again: a second pass, not 70 rows
    assert counter.summary()["rows"] == 20
    counter.add(8, torch.zeros(5, 2), scores[:5])  # after a training step: a new pass
    assert counter.summary()["rows"] == 5


def test_a_single_logit_is_counted_both_as_logit_and_as_probability():
    counter = EvalPredictions()
    counter.add(0, None, torch.tensor([[-1.0], [0.2], [0.7], [3.0]]))
    assert counter.summary() == {"width": 1, "rows": 4, "positive_logit": 3, "positive_probability": 2}


def test_recall_bounds_hold_against_sklearn_on_the_true_labels():
    rng = np.random.default_rng(1)
    prior = [0.9, 0.05, 0.05]
    truth = rng.choice(3, size=600, p=prior)
    for predicted_labels in (np.zeros(600, dtype=int), np.where(rng.random(600) < 0.03, 1, 0)):
        predicted = np.bincount(predicted_labels, minlength=3).tolist()
        recall, support = recall_bounds(predicted, prior, 600)
        true_recall = recall_score(truth, predicted_labels, labels=[0, 1, 2], average=None, zero_division=0)
        assert recall[2] == true_recall[2] == 0.0  # never predicted: recall 0 whatever the labels
        bound = sum(recall[c] * support[c] for c in support) / sum(support.values())
        assert bound >= accuracy_score(truth, predicted_labels) - 0.02  # an upper bound up to the prior's rounding


# -- G603 in a watched loop that scores its validation set with argmax only -------------------
def _imbalanced(seed: int, signal: float) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng(seed)
    y = np.where(rng.random(1200) < 0.92, 0, rng.integers(1, 3, 1200))
    x = rng.standard_normal((1200, 8)) + signal * np.eye(8)[y]
    return torch.tensor(x, dtype=torch.float32), torch.tensor(y)


def _watch(x: torch.Tensor, y: torch.Tensor, weight: torch.Tensor | None, epochs: int) -> list[str]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.05)
    x_train, y_train, x_val = x[:900], y[:900], x[900:]
    with nndoctor.watch(model, opt, alerts=False) as doctor:
        for _ in range(epochs):
            for i in range(0, 900, 50):
                opt.zero_grad()
                F.cross_entropy(model(x_train[i:i + 50]), y_train[i:i + 50], weight=weight).backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                model(x_val).argmax(1)
            model.train()
    return [f.code for f in doctor.findings()]


def test_g603_fires_when_the_minority_classes_are_never_predicted():
    x, y = _imbalanced(0, signal=0.0)  # nothing to learn but the prior
    assert "G603" in _watch(x, y, None, epochs=3)


def test_g603_silent_when_class_weights_let_the_model_recall_the_minority():
    x, y = _imbalanced(0, signal=3.0)
    counts = torch.bincount(y[:900], minlength=3).float()
    assert "G603" not in _watch(x, y, counts.max() / counts, epochs=6)


def test_class_recall_reads_smoothed_binary_labels_like_sklearn_on_the_hard_ones():
    """Soft 0.05/0.95 targets (label smoothing for BCE) are the classes 0 and 1, not all class 0."""
    torch.manual_seed(0)
    x = torch.randn(60, 4)
    hard = (x[:, 0] > 0.3).long()
    soft = hard.float() * 0.9 + 0.05
    model = nn.Linear(4, 1)
    setup = nndoctor.Setup(model=model, train=(x.numpy(), soft[:, None].numpy()), loss=nn.BCEWithLogitsLoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.1), batch_size=30).resolve()
    assert setup.task == "binary"
    found = class_recall(setup, model, [(x[:30], soft[:30, None]), (x[30:], soft[30:, None])])
    with torch.no_grad():
        predicted = (model(x).squeeze(1) > 0).long().numpy()
    expected = recall_score(hard.numpy(), predicted, labels=[0, 1], average=None, zero_division=0)
    assert found.support == {0: int((hard == 0).sum()), 1: int((hard == 1).sum())}
    assert found.recall == pytest.approx({0: expected[0], 1: expected[1]})
    assert found.predicted_share[1] == pytest.approx(predicted.mean())


# -- G604: a gap carried by a few training rows is not a gap ---------------------------------
def test_median_sample_loss_matches_a_per_row_calculation():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    x, y = torch.randn(40, 3), torch.randn(40, 1)
    setup = nndoctor.Setup(model=model, train=(x.numpy(), y.numpy()), loss=nn.SmoothL1Loss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.1), batch_size=20)
    with torch.no_grad():
        by_hand = F.smooth_l1_loss(model(x), y, reduction="none").squeeze(1).median()
    value = median_sample_loss(setup, model, [(x[:20], y[:20]), (x[20:], y[20:])])
    # numpy's median averages the two middle rows; torch's takes the lower one
    rows = F.smooth_l1_loss(model(x), y, reduction="none").detach().squeeze(1).numpy()
    assert value == pytest.approx(float(np.median(rows)))
    assert value == pytest.approx(float(by_hand), abs=float(np.ptp(np.sort(rows)[19:21])) + 1e-6)


@pytest.mark.parametrize("train_median, fires", [(0.30, True), (0.11, False)])
def test_g604_needs_the_gap_in_the_typical_sample_too(train_median, fires):
    evidence = ValidationEvidence(train_loss=0.9, val_loss=0.12, where="After the trial", reference=1.0,
                                  train_median=train_median, val_median=0.10)
    assert bool(list(suspicious_validation_verdict(evidence))) is fires


def test_g604_still_fires_on_the_mean_when_no_median_is_known():
    assert list(suspicious_validation_verdict(ValidationEvidence(0.9, 0.12, "After the trial", reference=1.0)))


# -- checkup: the paradox half-way through the trial ------------------------------------------
class _TrialOnly:
    def __init__(self, result):
        self.result = result

    def probe(self, name, fn):
        return self.result


def _trial_result(final_recall, half_recall):
    from nndoctor.probes.trial import ClassPass, TrialResult

    support = {0: 177, 1: 7, 2: 10, 3: 9}
    result = TrialResult(lr=5e-3, steps=400, recall=final_recall, support=support, recall_split="val")
    result.half_recall = (200, ClassPass(half_recall, support, {}))
    return result


def test_g603_checkup_reads_the_trial_half_way_when_the_end_is_no_paradox():
    from nndoctor.checks.generalisation import accuracy_paradox_check

    recovered = {0: 1.0, 1: 0.43, 2: 0.7, 3: 0.78}
    collapsed = {0: 1.0, 1: 0.0, 2: 0.0, 3: 0.0}
    found = list(accuracy_paradox_check(_TrialOnly(_trial_result(recovered, collapsed))))
    assert [f.code for f in found] == ["G603"] and "step 200 of 400" in found[0].message
    assert found[0].evidence["never_predicted"] == [1, 2, 3]
    assert list(accuracy_paradox_check(_TrialOnly(_trial_result(recovered, recovered)))) == []
