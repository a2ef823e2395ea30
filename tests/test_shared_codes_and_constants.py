"""The shared one-hot rule for category codes and the shared best-constant predictor.

The label probe (numpy) and the one-hot remedy (torch batches) encode codes through one
function; the init probe and the run-mode reference read their "no learning" constants from
one function. Both are checked against independent calculations: scikit-learn's encoder, and
the closed forms of the best constant (log class prior, re-weighted prior, smoothed prior,
mean, median) or a scalar optimiser for Huber / smooth L1.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy.optimize import minimize_scalar
from torch import nn

from nndoctor.probes.data_audit import code_levels, one_hot_codes, one_hot_tensor
from nndoctor.probes.init_outputs import constant_predictions, regression_constants
from nndoctor.watch.loss_inspect import best_constant_loss


def _table(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(size=300), rng.integers(0, 6, 300) * 2.0, rng.normal(size=300),
                            rng.integers(1, 4, 300).astype(float)]).astype(np.float32)


def test_codes_are_encoded_as_scikit_learn_does_and_unseen_values_get_no_column():
    from sklearn.preprocessing import OneHotEncoder

    x = _table()
    levels = code_levels(x, [1, 3])
    assert [list(v) for v in levels.values()] == [[0, 2, 4, 6, 8, 10], [1, 2, 3]]
    val = _table(1)
    val[:5, 1] = [12.0, 5.0, np.nan, np.inf, -2.0]  # unseen, off the levels, not finite
    val[5:10, 1] = np.nan
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False).fit(x[:, [1, 3]])
    for rows in (x, val[10:]):
        expected = np.hstack([rows[:, [0, 2]], encoder.transform(rows[:, [1, 3]])]).astype(np.float32)
        np.testing.assert_array_equal(one_hot_codes(rows, levels), expected)
    encoded = one_hot_codes(val, levels)
    assert encoded.shape == (300, 2 + 6 + 3) and encoded.dtype == np.float32
    assert not encoded[:10, 2:8].any()  # no level column is hot for an unseen or non-finite code
    np.testing.assert_array_equal(encoded[:10, 8:], (val[:10, [3]] == levels[3][None, :]).astype(np.float32))


def test_the_batch_transform_and_the_probe_encode_alike():
    x = _table()
    levels = code_levels(x.astype(np.float64), [1, 3])  # the remedy's levels come from float64 rows
    batch = torch.from_numpy(x)
    encoded = one_hot_tensor(batch, levels)
    np.testing.assert_array_equal(encoded.numpy(), one_hot_codes(x, levels))
    assert encoded.dtype == torch.float32
    torch.testing.assert_close(one_hot_tensor(batch[7], levels), encoded[7])  # one dataset item at a time
    nudged = batch.clone()
    nudged[:, 1] += 1e-3  # a code read back in another precision still finds its level
    torch.testing.assert_close(one_hot_tensor(nudged, levels)[:, 2:], encoded[:, 2:])
    between = batch.clone()
    between[:, 1] = 3.0  # half-way between two levels: no level claims it
    assert not one_hot_tensor(between, levels)[:, 2:8].any()


def test_no_levels_leave_the_table_as_it_is():
    x = _table()
    assert one_hot_codes(x, {}) is x


def _prior(labels: np.ndarray, classes: int) -> np.ndarray:
    return np.bincount(labels, minlength=classes) / len(labels)


def _logits(candidate: torch.Tensor) -> np.ndarray:
    return candidate[0].numpy().astype(np.float64)


def test_the_class_constants_are_the_log_prior_the_weighted_prior_and_the_smoothed_prior():
    labels = np.array([0] * 70 + [1] * 20 + [2] * 10)
    weight, eps = np.array([1.0, 3.0, 5.0]), 0.2
    outputs, targets = torch.zeros(100, 3), torch.tensor(labels)
    plain, *_ = constant_predictions("class_logits", outputs, targets, 1, nn.CrossEntropyLoss())
    np.testing.assert_allclose(_logits(plain), np.log(_prior(labels, 3)), rtol=1e-5)
    loss = nn.CrossEntropyLoss(weight=torch.tensor(weight, dtype=torch.float32))
    candidates = constant_predictions("class_logits", outputs, targets, 1, loss)
    weighted = weight * np.bincount(labels) / np.sum(weight * np.bincount(labels))
    np.testing.assert_allclose(_logits(candidates[1]), np.log(weighted), rtol=1e-5)
    assert float(loss(candidates[1], targets)) < float(loss(candidates[0], targets)) - 0.05  # the plain prior is not the best here
    smoothed = constant_predictions("class_logits", outputs, targets, 1, nn.CrossEntropyLoss(label_smoothing=eps))
    np.testing.assert_allclose(_logits(smoothed[1]), np.log((1 - eps) * _prior(labels, 3) + eps / 3), rtol=1e-5)


def _targets() -> np.ndarray:
    rng = np.random.default_rng(3)
    return np.concatenate([rng.normal(0, 1, (201, 2)), rng.normal(0, 1, (20, 2)) + [8.0, -5.0]])  # odd rows, skewed


@pytest.mark.parametrize("kind,options", [("huber_loss", {"delta": 0.5}), ("smooth_l1_loss", {"beta": 2.0})])
def test_the_regression_constants_are_the_mean_the_median_and_the_robust_minimum(kind, options):
    y = _targets()
    mean, median, robust = (c.numpy() for c in regression_constants(torch.tensor(y), kind, **options))
    np.testing.assert_allclose(mean, y.mean(axis=0), rtol=1e-12)
    np.testing.assert_array_equal(median, np.median(y, axis=0))
    loss = getattr(nn.functional, kind)
    for j, column in enumerate(torch.tensor(y).T):
        optimum = minimize_scalar(lambda c, col=column: float(loss(torch.full_like(col, c), col, **options)),
                                  bounds=(-6, 9), method="bounded", options={"xatol": 1e-10}).x
        assert robust[j] == pytest.approx(optimum, abs=1e-6)
        assert abs(robust[j] - median[j]) > 1e-3 and abs(robust[j] - mean[j]) > 1e-3  # neither closed form is the minimum


def test_the_best_constant_loss_is_the_variance_the_mean_absolute_deviation_and_the_init_probes_constant():
    y = _targets()
    rows = y.tolist()
    assert best_constant_loss("mse_loss", rows) == pytest.approx(np.var(y, axis=0).mean(), rel=1e-12)
    assert best_constant_loss("l1_loss", rows) == pytest.approx(np.abs(y - np.median(y, axis=0)).mean(), rel=1e-12)
    targets = torch.tensor(y, dtype=torch.float32)
    for kind, loss in (("mse_loss", nn.MSELoss()), ("l1_loss", nn.L1Loss()), ("huber_loss", nn.HuberLoss(delta=0.5)),
                       ("smooth_l1_loss", nn.SmoothL1Loss(beta=2.0))):
        probe = min(float(loss(p, targets)) for p in constant_predictions("values", torch.zeros_like(targets), targets, 1, loss))
        reference = best_constant_loss(kind, rows, delta=getattr(loss, "delta", 1.0), beta=getattr(loss, "beta", 1.0))
        assert probe == pytest.approx(reference, rel=1e-5), kind  # one source: init probe and run-mode reference agree
