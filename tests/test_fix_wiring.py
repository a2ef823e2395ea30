"""fix's wiring remedies (non-finite inputs, bounded output, mismatched loss, optimizer settings),
each checked against an independent calculation, and one verified end to end."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.fix.transforms import NotApplicable
from nndoctor.fix.wiring_remedies import guard_zero_scale, impute_non_finite, matching_loss, sane_optimizer, unbounded_output
from nndoctor.fix.wrappers import BinaryLogitsLoss, IndexCrossEntropy

from conftest import blobs, mlp

ADAM = lambda p: torch.optim.Adam(p, lr=1e-3)  # noqa: E731


def _setup(x, y, model, loss=None, optimizer=ADAM) -> nndoctor.Setup:
    cut = int(len(x) * 0.8)
    return nndoctor.Setup(model=model, train=(x[:cut], y[:cut]), val=(x[cut:], y[cut:]),
                          loss=loss or nn.CrossEntropyLoss(), optimizer=optimizer, batch_size=32).resolve()


def _all_inputs(setup: nndoctor.Setup, split: str) -> np.ndarray:
    """Every input of a split in dataset order (the training loader shuffles)."""
    loader = setup.train_loader if split == "train" else setup.val_loader
    return np.stack([np.asarray(loader.dataset[i][0]) for i in range(len(loader.dataset))])


def test_non_finite_inputs_are_replaced_by_the_training_mean_of_their_feature() -> None:
    x, y = blobs()
    x[::7, 2] = np.nan
    x[:, 5] = np.nan  # a constant column standardised by its zero std
    x[3, 1] = np.inf
    (candidate,) = impute_non_finite(_setup(x, y, mlp(10, 3)), None)
    train = x[:480]
    finite = np.isfinite(train)
    expected = np.where(finite, train, 0.0).sum(axis=0) / np.maximum(finite.sum(axis=0), 1)
    cleaned = _all_inputs(candidate.setup, "train")
    val = _all_inputs(candidate.setup, "val")
    assert np.isfinite(cleaned).all() and np.isfinite(val).all()
    np.testing.assert_allclose(cleaned[7, 2], expected[2], rtol=1e-5)
    np.testing.assert_allclose(cleaned[:, 5], 0.0)
    np.testing.assert_allclose(cleaned[3, 1], expected[1], rtol=1e-5)
    np.testing.assert_array_equal(np.delete(cleaned[1], 5), np.delete(train[1], 5))


def test_impute_does_not_apply_to_finite_inputs() -> None:
    x, y = blobs()
    with pytest.raises(NotApplicable):
        impute_non_finite(_setup(x, y, mlp(10, 3)), None)


def test_bounded_regression_head_is_removed() -> None:
    x, y = blobs()
    targets = (x[:, 0] - 2.0).astype(np.float32)
    model = nn.Sequential(mlp(10, 1), nn.ReLU(), nn.Flatten(0))
    setup = _setup(x, targets, model, loss=nn.MSELoss())
    (candidate,) = unbounded_output(setup, None)
    assert "ReLU" in candidate.title
    assert candidate.setup.model(torch.as_tensor(x[:64])).min() < 0
    assert (setup.model(torch.as_tensor(x[:64])) >= 0).all()


def test_multi_hot_targets_under_cross_entropy_get_binary_logits() -> None:
    x, y = blobs()
    multi_hot = np.stack([y == 0, y != 1, x[:, 0] > 0], axis=1).astype(np.float32)
    setup = _setup(x, multi_hot, mlp(10, 3))
    (candidate,) = matching_loss(setup, None)
    assert isinstance(candidate.setup.loss, BinaryLogitsLoss)
    assert "BCEWithLogitsLoss" in candidate.snippet


def test_single_label_classes_under_a_binary_loss_get_cross_entropy() -> None:
    x, y = blobs()
    one_hot = np.eye(3, dtype=np.float32)[y]
    setup = _setup(x, one_hot, mlp(10, 3, final=nn.Sigmoid()), loss=nn.BCELoss(), optimizer=ADAM)
    if setup.task != "multiclass":
        pytest.skip(f"one-hot rows are read as {setup.task}")
    (candidate,) = matching_loss(setup, None)
    assert isinstance(candidate.setup.loss, IndexCrossEntropy)
    assert "Sigmoid" in candidate.snippet


def test_sane_optimizer_replaces_only_the_pathological_settings() -> None:
    x, y = blobs()
    setup = _setup(x, y, mlp(10, 3), optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=1.0, weight_decay=1e-4))
    (candidate,) = sane_optimizer(setup, None)
    group = candidate.setup.optimizer_factory(mlp(10, 3).parameters()).param_groups[0]
    assert group["momentum"] == 0.9 and group["lr"] == 0.05 and group["weight_decay"] == 1e-4
    with pytest.raises(NotApplicable):
        sane_optimizer(_setup(x, y, mlp(10, 3)), None)


def test_sane_optimizer_restores_swapped_adam_betas_and_keeps_a_language_models_pair() -> None:
    x, y = blobs()
    swapped = _setup(x, y, mlp(10, 3), optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.999, 0.9)))
    (candidate,) = sane_optimizer(swapped, None)
    assert candidate.setup.optimizer_factory(mlp(10, 3).parameters()).param_groups[0]["betas"] == (0.9, 0.999)
    language_model = _setup(x, y, mlp(10, 3), optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, betas=(0.9, 0.95)))
    with pytest.raises(NotApplicable):
        sane_optimizer(language_model, None)


@pytest.mark.parametrize("eps", [1e-13, 1e-11, 1e-8, 1e-3, 0.1])
def test_sane_optimizer_replaces_eps_exactly_when_o410_names_it(eps: float) -> None:
    """The remedy and the verdict share one range: an eps O410 passes (1e-3 is a common choice for stability) is
    left alone, one it names is set to torch's default."""
    from nndoctor.verdicts.optimisation import settings_problems

    x, y = blobs()
    setup = _setup(x, y, mlp(10, 3), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3, eps=eps))
    named = bool(settings_problems("Adam", [{"lr": 1e-3, "betas": (0.9, 0.999), "eps": eps}]))
    if named:
        (candidate,) = sane_optimizer(setup, None)
        assert candidate.setup.optimizer_factory(mlp(10, 3).parameters()).param_groups[0]["eps"] == 1e-8
    else:
        with pytest.raises(NotApplicable):
            sane_optimizer(setup, None)
    assert named == (eps in (1e-13, 0.1))


def test_momentum_one_is_repaired_by_the_sane_optimizer_on_every_seed() -> None:
    x, y = blobs(n=800, features=16, classes=6)
    setup = nndoctor.Setup(model=mlp(16, 6), train=(x[:600], y[:600]), val=(x[600:], y[600:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.05, momentum=1.0), batch_size=32)
    report = nndoctor.fix(setup, budget=120, steps=200)
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert "O410" in results, report.codes
    chosen = results["O410"]["remedy"]
    assert results["O410"]["status"] == "verified" and chosen["remedy"] == "sane-optimizer"
    assert all(a > b for a, b in zip(chosen["after"]["metric"]["per_seed"], chosen["before"]["metric"]["per_seed"]))


def test_fix_verifies_the_matching_loss_by_its_check_on_multi_hot_targets() -> None:
    x, y = blobs()
    multi_hot = np.stack([y == 0, y != 1, x[:, 0] > 0], axis=1).astype(np.float32)
    report = nndoctor.fix(_setup(x, multi_hot, mlp(10, 3)), steps=80, seeds=3, budget=120)
    result = next(r for r in report.extra["fix"]["results"] if r["code"] == "L306")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "matching-loss", result
    assert "the check is clear" in result["remedy"]["reason"]


class ScaledNet(nn.Module):
    """Standardises its inputs inside forward with stored training statistics (a scaler built into the model)."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, classes: int) -> None:
        super().__init__()
        self.register_buffer("mean", torch.as_tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.as_tensor(std, dtype=torch.float32))
        self.body = nn.Sequential(nn.Linear(len(mean), 32), nn.ReLU(), nn.Linear(32, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body((x - self.mean) / self.std)


def _constant_columns() -> nndoctor.Setup:
    x, y = blobs()
    x[:, [4, 7]] = 1500.0  # a tachometer fixed at 1500 rpm: constant in every row
    torch.manual_seed(0)
    model = ScaledNet(x[:480].mean(0), x[:480].std(0), 3)
    return _setup(x, y, model)


def test_a_zero_scale_stored_in_the_model_is_guarded_at_the_constant_features() -> None:
    from nndoctor.findings import Finding, Severity

    setup = _constant_columns()
    assert torch.isnan(setup.fresh_model()(torch.as_tensor(setup.first_batch("train")[0]))).all()  # 0/0 in forward
    finding = Finding("D103", Severity.ERROR, "constant", {"features": [4, 7]})
    (candidate,) = guard_zero_scale(setup, finding)
    std = candidate.setup.fresh_model().std
    assert std[[4, 7]].tolist() == [1.0, 1.0] and bool((std != 0).all())
    assert torch.isfinite(candidate.setup.fresh_model()(torch.as_tensor(setup.first_batch("train")[0]))).all()
    with pytest.raises(NotApplicable):  # no stored scale is zero exactly there
        guard_zero_scale(setup, Finding("D103", Severity.ERROR, "constant", {"features": [2]}))


def test_fix_verifies_the_guarded_scale_on_a_model_that_standardises_inside() -> None:
    report = nndoctor.fix(_constant_columns(), steps=80, seeds=3, budget=120)
    result = next(r for r in report.extra["fix"]["results"] if r["code"] == "D103")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "guard-zero-scale", result
