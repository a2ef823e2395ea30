"""Bias / variance: train, validation and test error against the target error, and what to do first.

Errors are in one unit: 1 - accuracy for classes, the mean squared error for values.
Avoidable bias is train error minus the target error (the best a human or the state of the
art reaches; 0 when not given); variance is validation minus train error. The larger of the
two says what to work on, the way the source articles lay it out.
"""
from __future__ import annotations

from typing import Any

REDUCE_BIAS = "reduce bias first: bigger model, train longer (then a better architecture)"
REDUCE_VARIANCE = "reduce variance: more data, regularise (augmentation, dropout, weight decay, early stopping)"
TEST_GAP = "the test error is above the validation error: the choices made on validation overfit it; get a fresh validation set"


def bias_variance(train_error: float, val_error: float | None, test_error: float | None = None,
                  target_error: float | None = None, unit: str = "error") -> dict[str, Any]:
    """Avoidable bias, variance and their reading (JSON-able)."""
    target = 0.0 if target_error is None else float(target_error)
    bias = train_error - target
    out: dict[str, Any] = {"unit": unit, "train": train_error, "val": val_error, "test": test_error,
                           "target": target_error, "target_assumed": target_error is None,
                           "avoidable_bias": bias, "variance": None, "reading": []}
    if val_error is None:
        out["reading"] = [REDUCE_BIAS] if bias > 0 else []
        return out
    variance = val_error - train_error
    out["variance"] = variance
    if bias <= 0 and variance <= 0:
        out["reading"] = ["at the target: nothing to reduce"]
    else:
        out["reading"] = [REDUCE_BIAS if bias >= variance else REDUCE_VARIANCE]
    if test_error is not None and test_error > val_error:
        out["reading"].append(TEST_GAP)
    return out
