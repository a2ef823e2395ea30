"""Dumb baselines before anything clever: the prior, a linear model, the input-independent net.

The prior (majority class / target mean) and the linear model (logistic or ridge regression
on the flattened features) are scikit-learn's, fitted on the same training samples and
scored on the same validation samples as the network. The input-independent baseline is
the network itself trained on zeroed inputs: what it reaches there is what it can get
without looking at the data.
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.metrics import accuracy_score, balanced_accuracy_score, mean_squared_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

# Flattened inputs wider than this are not "flat features" a linear model is a fair baseline on.
MAX_LINEAR_FEATURES = 4096
# Logistic regression's iteration budget (lbfgs); fixed so the baseline is deterministic and bounded.
LOGISTIC_ITERATIONS = 300


def class_scores(name: str, truth: np.ndarray, predicted: np.ndarray) -> dict[str, Any]:
    """A classifier baseline's row: accuracy (shown) and balanced accuracy (compared: G606).

    Balanced accuracy (the mean per-class recall) is what the comparison reads, because a
    setup that weights its rare classes trades plain accuracy for their recall on purpose.
    """
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a class never predicted is a recall of 0, as intended
        balanced = float(balanced_accuracy_score(truth, predicted))
    return {"name": name, "metric": "accuracy", "value": float(accuracy_score(truth, predicted)),
            "balanced_accuracy": balanced}


def balanced_standard_error(truth: np.ndarray, predicted: np.ndarray) -> float:
    """Sampling error of balanced accuracy: the per-class binomial errors of the recalls, averaged over classes.

    Each recall's error uses the Agresti-Coull estimate (two hits and two misses added): a recall
    measured at exactly 0 or 1 is not known without error, as the plain estimate r(1 - r)/n = 0 says.
    """
    classes = np.unique(truth)
    variances = [r * (1 - r) / (n + 4) for c in classes
                 for n in [int((truth == c).sum())] for r in [(float((predicted[truth == c] == c).sum()) + 2) / (n + 4)]]
    return float(np.sqrt(sum(variances)) / max(len(classes), 1))


def prior_baseline(y_train: np.ndarray, y_val: np.ndarray, classes: bool) -> dict[str, Any]:
    """The majority class (its accuracy) or the training mean (its MSE) on the validation targets."""
    x_train, x_val = np.zeros((len(y_train), 1)), np.zeros((len(y_val), 1))
    if classes:
        model = DummyClassifier(strategy="prior").fit(x_train, y_train)
        return class_scores("prior (majority class)", y_val, model.predict(x_val))
    model = DummyRegressor(strategy="mean").fit(x_train, y_train.reshape(len(y_train), -1))  # image targets: flat
    return {"name": "prior (training mean)", "metric": "mse",
            "value": float(mean_squared_error(y_val.reshape(len(y_val), -1), model.predict(x_val).reshape(len(y_val), -1)))}


def linear_baseline(x_train: np.ndarray | None, y_train: np.ndarray, x_val: np.ndarray | None, y_val: np.ndarray,
                    classes: bool, why_not: str | None = None) -> dict[str, Any]:
    """Logistic (classes) or ridge (values) regression on standardised flat features; skipped with a note otherwise."""
    name = "logistic regression" if classes else "ridge regression"
    metric = "accuracy" if classes else "mse"
    if x_train is None or x_val is None:
        return {"name": name, "metric": metric, "value": None, "note": why_not or "the inputs are not flat features"}
    if x_train.shape[1] > MAX_LINEAR_FEATURES:
        return {"name": name, "metric": metric, "value": None,
                "note": f"{x_train.shape[1]} input features are more than {MAX_LINEAR_FEATURES}: not flat features"}
    if classes and len(np.unique(y_train)) < 2:
        return {"name": name, "metric": metric, "value": None, "note": "the training sample holds a single class"}
    if classes:
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=LOGISTIC_ITERATIONS))
        model.fit(x_train, y_train)
        return class_scores(name, y_val, model.predict(x_val))
    model = make_pipeline(StandardScaler(), Ridge(alpha=1.0)).fit(x_train, y_train.reshape(len(y_train), -1))
    predicted = model.predict(x_val).reshape(len(y_val), -1)
    return {"name": name, "metric": metric, "value": float(mean_squared_error(y_val.reshape(len(y_val), -1), predicted))}


def standard_error(metric: str, network: float, residuals_sq: np.ndarray | None, n: int) -> float:
    """The sampling error of the network's validation metric on ``n`` samples.

    Accuracy: the binomial standard error sqrt(p(1-p)/n); MSE: the standard error of the mean
    of the squared residuals.
    """
    if metric == "accuracy":
        return float(np.sqrt(max(network * (1 - network), 1e-12) / max(n, 1)))
    if residuals_sq is not None and len(residuals_sq) > 1:
        return float(np.std(residuals_sq, ddof=1) / np.sqrt(len(residuals_sq)))
    return 0.0
