"""G603 reads the model's probabilities as well as its argmax.

A calibrated model of classes that overlap (click-through, default risk) gives the rare class its
share of probability and ranks its rows first, yet rarely puts it above one half: its argmax never
names the rare class although the model is doing its job. Weights that push the outputs off the
rare class, or a model that learned nothing about it, are still the accuracy paradox.
"""
from __future__ import annotations

import math

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from torch import nn

import nndoctor
from nndoctor.verdicts.curves import probabilities_serve
from nndoctor.verdicts.generalisation import ClassRecall, accuracy_paradox_verdict


def _data(informative: bool = True) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_classification(n_samples=6000, n_features=10, n_informative=4, weights=[0.9, 0.1], class_sep=0.4,
                               flip_y=0, random_state=0)
    if not informative:
        x = np.random.default_rng(0).normal(size=x.shape)
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y.astype(np.float32)[:, None]


def _setup(pos_weight: float | None = None, informative: bool = True) -> nndoctor.Setup:
    x, y = _data(informative)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    with torch.no_grad():
        model[2].bias.fill_(math.log(0.1 / 0.9))  # the output bias at the click rate's log-odds
    weight = None if pos_weight is None else torch.tensor([pos_weight])
    return nndoctor.Setup(model=model, train=(x[:4500], y[:4500]), val=(x[4500:], y[4500:]),
                          loss=nn.BCEWithLogitsLoss(pos_weight=weight),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)


def test_the_data_overlap_so_a_calibrated_model_never_crosses_one_half():
    """Independently of nndoctor: logistic regression ranks the rare class above chance but never predicts it."""
    x, y = _data()
    fit = LogisticRegression(max_iter=1000).fit(x[:4500], y[:4500, 0])
    p = fit.predict_proba(x[4500:])[:, 1]
    assert roc_auc_score(y[4500:, 0], p) > 0.6 and (p > 0.5).mean() < 0.01


def test_a_calibrated_model_of_overlapping_classes_is_no_paradox():
    assert "G603" not in nndoctor.checkup(_setup(), select=["G603"]).codes


def test_weights_that_push_the_outputs_off_the_rare_class_are_the_paradox():
    (found,) = [f for f in nndoctor.checkup(_setup(pos_weight=1 / 9), select=["G603"]).findings if f.code == "G603"]
    assert found.evidence["never_predicted"] == [1]


def test_a_model_that_learned_nothing_of_the_rare_class_is_the_paradox():
    assert "G603" in nndoctor.checkup(_setup(informative=False), select=["G603"]).codes


def test_probabilities_serve_needs_both_the_share_and_the_ranking():
    support = {0: 900, 1: 100}
    assert probabilities_serve([1], support, {0: 0.9, 1: 0.1}, {0: 0.8, 1: 0.8})
    assert not probabilities_serve([1], support, {0: 0.99, 1: 0.01}, {0: 0.8, 1: 0.8})  # pushed off its share
    assert not probabilities_serve([1], support, {0: 0.9, 1: 0.1}, {0: 0.55, 1: 0.55})  # no ranking
    assert not probabilities_serve([1], support, None, None)  # not measured: the verdict stands
    recall = ClassRecall({0: 1.0, 1: 0.0}, support, "x", probability_share={0: 0.9, 1: 0.1}, ranking={0: 0.8, 1: 0.8})
    assert not list(accuracy_paradox_verdict(recall))
    assert list(accuracy_paradox_verdict(ClassRecall({0: 1.0, 1: 0.0}, support, "x")))
