"""D110 from the training labels alone: the noise floor fitted to out-of-fold probe probabilities.

The floor is checked against an independent calculation: probabilities written down from a
known posterior, labels drawn from it, and a known share of them redrawn at random.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from data_fixtures import of, raised, run_data_checks
from torch import nn

import nndoctor
from nndoctor.probes.label_probe import noise_floor, probe_labels


def _posterior(n: int, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Class probabilities of a softmax in well separated logits, and labels drawn from them (clean labels)."""
    rng = np.random.default_rng(seed)
    logits = 6.0 * rng.normal(size=(n, k))
    proba = np.exp(logits - logits.max(axis=1, keepdims=True))
    proba /= proba.sum(axis=1, keepdims=True)
    labels = np.array([rng.choice(k, p=p) for p in proba])
    return proba, labels


def _redraw(labels: np.ndarray, k: int, share: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    redo = rng.random(len(labels)) < share
    return np.where(redo, rng.integers(0, k, len(labels)), labels), redo


def test_floor_is_zero_for_labels_drawn_from_the_probabilities():
    proba, labels = _posterior(3000, 4, seed=0)
    share, p = noise_floor(proba, labels)
    assert share < 0.02 and p > 1e-3


def test_floor_ignores_a_probe_that_is_only_overconfident():
    proba, labels = _posterior(3000, 4, seed=1)
    sharp = proba ** 3 / (proba ** 3).sum(axis=1, keepdims=True)  # same ranking, three times the logits
    share, p = noise_floor(sharp, labels)
    assert share < 0.02 and p > 1e-3


@pytest.mark.parametrize("redrawn", [0.15, 0.3])
def test_floor_recovers_the_share_of_labels_redrawn_at_random(redrawn: float):
    proba, labels = _posterior(3000, 4, seed=2)
    noisy, redo = _redraw(labels, 4, redrawn, seed=3)
    share, p = noise_floor(proba, noisy)
    assert share == pytest.approx(redo.mean(), abs=0.03) and p < 1e-6


def _blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n_samples=n, centers=4, n_features=6, cluster_std=1.5, random_state=seed)
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32), y


def test_probe_floor_on_small_tabular_data():
    x, y = _blobs(240, seed=0)
    clean = probe_labels(x, y, "multiclass")
    noisy_y, redo = _redraw(y, 4, 0.3, seed=1)
    noisy = probe_labels(x, noisy_y, "multiclass")
    assert clean.noise_floor < 0.1 or clean.noise_floor_p > 1e-3
    assert noisy.noise_floor == pytest.approx(redo.mean(), abs=0.12) and noisy.noise_floor_p < 1e-3


def _tabular(x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(x.shape[1], 32), nn.ReLU(), nn.Linear(32, int(y.max()) + 1))
    return nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)


def test_d110_fires_on_heavy_symmetric_noise_without_a_validation_split():
    x, y = _blobs(800, seed=2)
    noisy, redo = _redraw(y, 4, 0.4, seed=3)
    (finding,) = of(run_data_checks(_tabular(x, noisy), "D110", "D111"), "D110")
    assert finding.evidence["labels_without_inputs"]
    assert finding.evidence["noise_floor"] == pytest.approx(redo.mean(), abs=0.08)


def test_d110_silent_on_clean_overlapping_blobs():
    from sklearn.datasets import make_blobs

    x, y = make_blobs(n_samples=800, centers=4, n_features=6, cluster_std=4.0, random_state=4)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    assert "D110" not in raised(run_data_checks(_tabular(x, y), "D110", "D111"), "info")


def _topics(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Documents of 24 tokens: background words 0..199 and, in a third of the places, words of the topic's own block."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    x = rng.integers(0, 200, size=(n, 24))
    topical = rng.random((n, 24)) < 0.33
    x[topical] = 200 + 20 * np.repeat(y, 24).reshape(n, 24)[topical] + rng.integers(0, 20, int(topical.sum()))
    return x.astype(np.int64), y


def _token_setup(x: np.ndarray, y: np.ndarray) -> nndoctor.Setup:
    torch.manual_seed(0)
    model = nn.Sequential(nn.EmbeddingBag(260, 16), nn.Linear(16, 3))

    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.bag, self.head = model[0], model[1]

        def forward(self, tokens):
            return self.head(self.bag(tokens))

    return nndoctor.Setup(model=Bag(), train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32)


def test_d110_reads_token_inputs():
    x, y = _topics(900, seed=5)
    assert "D110" not in raised(run_data_checks(_token_setup(x, y), "D110", "D111"), "info")
    noisy, redo = _redraw(y, 3, 0.35, seed=6)
    findings = run_data_checks(_token_setup(x, noisy), "D110", "D111")
    (finding,) = of(findings, "D110")
    assert "D111" not in raised(findings, "info")
    assert finding.evidence["noise_floor"] == pytest.approx(redo.mean(), abs=0.1)


def test_d110_silent_when_classes_are_several_clusters_a_linear_probe_cannot_fit():
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=2000, n_features=10, n_informative=6, n_classes=3, n_clusters_per_class=3,
                               flip_y=0.0, random_state=5)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    probe = probe_labels(x, y, "multiclass")
    assert probe.noise_floor >= 0.1 and probe.noise_floor_p < 1e-3  # the linear misfit does look like a floor ...
    assert probe.scores["15-nearest neighbours"] - probe.scores["logistic regression"] > 0.1  # ... the local probe shows why
    assert "D110" not in raised(run_data_checks(_tabular(x, y), "D110", "D111"), "info")


def _clustered(seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Four classes of two clusters each in 20 dimensions (10 informative, 6 pure noise) with an 80% majority: the
    linear probe is confident where another class's cluster sits, and the neighbours, lost in the noise dimensions,
    are no better than it (round 27's b/potato_sorting, a healthy sorter). 1% of the labels are redrawn at random."""
    from sklearn.datasets import make_classification

    x, y = make_classification(n_samples=6000, n_features=20, n_informative=10, n_redundant=4, n_classes=4,
                               n_clusters_per_class=2, weights=[0.8, 0.1, 0.06, 0.04], class_sep=1.3, flip_y=0.01,
                               random_state=seed)
    return ((x - x.mean(0)) / x.std(0)).astype(np.float32)[:2000], y[:2000]


def test_a_linear_floor_no_random_forest_sees_is_the_linear_probes_misfit():
    x, y = _clustered(seed=21)
    probe = probe_labels(x, y, "multiclass")
    assert probe.noise_floor >= 0.1 and probe.noise_floor_p < 1e-3  # the linear misfit looks like a floor ...
    assert probe.scores["15-nearest neighbours"] - probe.scores["logistic regression"] < 0.05  # ... the neighbours agree
    assert probe.forest_floor is not None and probe.forest_floor < 0.02  # ... a forest fits the clusters: the 1% only
    assert "D110" not in raised(run_data_checks(_tabular(x, y), "D110", "D111"), "info")


def test_labels_redrawn_at_random_keep_their_floor_under_a_random_forest():
    x, y = _blobs(800, seed=2)
    noisy, redo = _redraw(y, 4, 0.3, seed=3)
    probe = probe_labels(x, noisy, "multiclass")
    assert probe.forest_floor == pytest.approx(redo.mean(), abs=0.1) and probe.forest_floor_p < 1e-3
    assert "D110" in raised(run_data_checks(_tabular(x, noisy), "D110", "D111"), "info")
