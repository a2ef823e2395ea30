"""Label probe: can a quick scikit-learn model predict the targets from the inputs out of sample?

Two probes, a linear one (logistic / ridge regression) and a local one (k nearest
neighbours, which also sees non-linear structure such as XOR), are scored with 5-fold
cross-validation on at most ``MAX_ROWS`` standardised rows. Labels that no probe can
predict better than the majority class (R² ≤ 0 for regression) are not paired with their
inputs (D111); when the linear probe is clearly informative, samples whose given label gets
a very low out-of-sample probability are candidates for wrong labels (D110). Their count is
compared with the count the probe's own probabilities predict if every label were right
(the sum of the class probabilities below the cut-off), so hard, overlapping classes are
not mistaken for noise.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .data_audit import CLASSIFICATION, _finite_rows, class_labels, sample_of

MAX_ROWS = 2000
MAX_DIMS = 64  # inputs wider than this are reduced with PCA inside each fold
SUSPECT_PROBABILITY = 0.05  # a given label this unlikely out of sample is suspect
CONFIDENCE = 0.99


@dataclass
class LabelProbe:
    """Out-of-sample scores of the probes and the samples whose labels look wrong."""

    task: str
    n: int
    scores: dict[str, float]  # accuracy (classification) or R² (regression) per probe
    chance: float  # majority-class share, or 0.0 (R² of predicting the mean)
    p_value: float = 1.0  # best probe vs chance, Bonferroni over probes (classification)
    upper_bound: float = 1.0  # one-sided 99% upper confidence bound on the best accuracy
    suspect_rows: list[int] = field(default_factory=list)
    suspect_count: int = 0
    expected_suspects: float = 0.0  # how many a calibrated probe would flag if every label were right
    suspect_p_value: float = 1.0

    @property
    def best(self) -> float:
        return max(self.scores.values()) if self.scores else float("nan")

    @property
    def best_probe(self) -> str:
        return max(self.scores, key=self.scores.get) if self.scores else ""


def _pipeline(estimator: Any, dims: int) -> Any:
    from sklearn.decomposition import PCA
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    steps = [StandardScaler()]
    if dims > MAX_DIMS:
        steps += [PCA(n_components=MAX_DIMS, random_state=0), StandardScaler()]
    return make_pipeline(*steps, estimator)


def probe_labels(x: np.ndarray, y: np.ndarray, task: str, rows: np.ndarray | None = None, seed: int = 0) -> LabelProbe | None:
    """Cross-validated probe scores for inputs ``x`` (any shape, flattened) and targets ``y``."""
    if len(x) < 30:
        return None
    x = x.reshape(len(x), -1).astype(np.float64)
    rows = np.arange(len(x)) if rows is None else rows
    if task in CLASSIFICATION:
        labels = class_labels(y, task)
        if labels is None or len(labels) != len(x):
            return None
        return _probe_classes(x, labels, task, rows, seed)
    if task == "regression":
        targets = y.reshape(len(y), -1).astype(np.float64)
        keep = np.isfinite(targets).all(axis=1)
        return _probe_regression(x[keep], targets[keep], seed)
    return None


def _probe_classes(x: np.ndarray, labels: np.ndarray, task: str, rows: np.ndarray, seed: int) -> LabelProbe | None:
    from scipy.stats import binomtest, poisson
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier

    classes, counts = np.unique(labels, return_counts=True)
    keep = np.isin(labels, classes[counts >= 2])
    x, labels, rows = x[keep], labels[keep], rows[keep]
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2 or len(labels) < 30:
        return None
    folds = StratifiedKFold(n_splits=int(min(5, counts.min())), shuffle=True, random_state=seed)
    probes = {
        "logistic regression": LogisticRegression(max_iter=200, tol=1e-3),
        "15-nearest neighbours": KNeighborsClassifier(n_neighbors=min(15, len(labels) // 4)),
    }
    scores, probabilities = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, estimator in probes.items():
            proba = cross_val_predict(_pipeline(estimator, x.shape[1]), x, labels, cv=folds, method="predict_proba")
            probabilities[name] = proba
            scores[name] = float(np.mean(classes[proba.argmax(axis=1)] == labels))
    chance = float(counts.max() / counts.sum())
    n = len(labels)
    best = max(scores.values())
    test = binomtest(int(round(best * n)), n, chance, alternative="greater")
    upper = float(binomtest(int(round(best * n)), n).proportion_ci(2 * CONFIDENCE - 1).high)
    result = LabelProbe(task, n, scores, chance, min(1.0, test.pvalue * len(probes)), upper)
    proba = probabilities["logistic regression"]
    index = np.searchsorted(classes, labels)
    given = proba[np.arange(n), index]
    suspect = given < SUSPECT_PROBABILITY
    result.suspect_count = int(suspect.sum())
    result.expected_suspects = float(np.where(proba < SUSPECT_PROBABILITY, proba, 0.0).sum())
    result.suspect_p_value = float(poisson.sf(result.suspect_count - 1, max(result.expected_suspects, 1e-9)))
    order = np.argsort(given[suspect])
    result.suspect_rows = [int(r) for r in rows[suspect][order][:20]]
    return result


def _probe_regression(x: np.ndarray, targets: np.ndarray, seed: int) -> LabelProbe | None:
    from sklearn.linear_model import Ridge
    from sklearn.metrics import r2_score
    from sklearn.model_selection import KFold, cross_val_predict
    from sklearn.neighbors import KNeighborsRegressor

    if len(targets) < 30 or not np.any(targets.std(axis=0) > 0):
        return None
    folds = KFold(n_splits=5, shuffle=True, random_state=seed)
    probes = {"ridge regression": Ridge(alpha=1.0), "15-nearest neighbours": KNeighborsRegressor(n_neighbors=min(15, len(targets) // 4))}
    scores = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, estimator in probes.items():
            predicted = cross_val_predict(_pipeline(estimator, x.shape[1]), x, targets, cv=folds)
            scores[name] = float(r2_score(targets, predicted.reshape(targets.shape)))
    return LabelProbe("regression", len(targets), scores, 0.0)


def label_probe(ctx: Any) -> LabelProbe | None:
    """The label probe on the training audit sample (cached per checkup)."""
    def compute(c: Any) -> LabelProbe | None:
        sample = sample_of(c, "train")
        if sample is None or sample.x is None or sample.y is None or sample.x_integer or len(sample.x) != len(sample.y):
            return None
        keep = _finite_rows(sample.x) & _finite_rows(sample.y.reshape(len(sample.y), -1))
        x, y, rows = sample.x[keep][:MAX_ROWS], sample.y[keep][:MAX_ROWS], sample.rows[keep][:MAX_ROWS]
        return probe_labels(x, y, c.setup.task, rows, seed=c.setup.seed)

    return ctx.probe("label_probe", compute)
