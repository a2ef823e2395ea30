"""Setup: accepted inputs, task inference and the errors for unusable setups."""
from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nndoctor
from nndoctor.setup import LossUnavailable, infer_task

from conftest import blobs, mlp


@pytest.mark.parametrize("form", ["pair", "dataset", "loader", "tensors"])
def test_train_accepts_pairs_datasets_and_loaders(form):
    x, y = blobs(n=64)
    data = {
        "pair": (x, y),
        "tensors": (torch.from_numpy(x), torch.from_numpy(y)),
        "dataset": TensorDataset(torch.from_numpy(x), torch.from_numpy(y)),
        "loader": DataLoader(TensorDataset(torch.from_numpy(x), torch.from_numpy(y)), batch_size=16),
    }[form]
    setup = nndoctor.Setup(model=mlp(10, 3), train=data).resolve()
    assert setup.task == "multiclass"
    assert isinstance(setup.loss, nn.CrossEntropyLoss)
    xb, yb = setup.first_batch()
    assert xb.dtype == torch.float32 and yb.dtype == torch.int64


def test_bound_optimizer_becomes_a_factory_with_the_same_settings():
    model = mlp(10, 3)
    bound = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.8)
    setup = nndoctor.Setup(model=model, train=blobs(n=64), optimizer=bound)
    fresh = setup.make_optimizer(setup.fresh_model())
    assert fresh is not bound and isinstance(fresh, torch.optim.SGD)
    assert fresh.param_groups[0]["lr"] == 0.05 and fresh.param_groups[0]["momentum"] == 0.8


def test_a_bound_optimizers_parameter_groups_train_the_copy_as_they_train_the_model():
    # a backbone at a lower LR than the head, and a layer left out of the optimizer: the copy's optimizer keeps both
    model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 16), nn.ReLU(), nn.Linear(16, 3))
    bound = torch.optim.AdamW([{"params": model[0].parameters(), "lr": 1e-5},
                               {"params": model[4].parameters(), "lr": 1e-3, "weight_decay": 0.0}], weight_decay=0.05)
    setup = nndoctor.Setup(model=model, train=blobs(n=64), optimizer=bound)
    copy = setup.fresh_model()
    fresh = setup.make_optimizer(copy)
    layers = list(copy.children())
    assert [(g["lr"], g["weight_decay"]) for g in fresh.param_groups] == [(1e-5, 0.05), (1e-3, 0.0)]
    assert [set(map(id, g["params"])) for g in fresh.param_groups] == [
        set(map(id, layers[0].parameters())), set(map(id, layers[4].parameters()))]
    assert "2 parameter groups" in setup.optimizer_description


@pytest.mark.parametrize(
    "targets, loss, task",
    [
        (torch.tensor([0, 1, 1, 0]), None, "binary"),
        (torch.tensor([0, 2, 1, 3, 2]), None, "multiclass"),
        (torch.eye(4)[[0, 2, 1, 3]], None, "multiclass"),
        (torch.tensor([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0]]), None, "multilabel"),
        (torch.tensor([0.3, -1.2, 2.5, 0.1]), None, "regression"),
        (torch.tensor([151.0, 75.0, 141.0, 206.0, 135.0]), nn.MSELoss(), "regression"),
        (torch.tensor([1.0, 0.0, 1.0]), nn.BCEWithLogitsLoss(), "binary"),
        # star ratings 1..5 as floats under MSE: a scale with no class 0, not 0-based class indices
        (torch.tensor([4.0, 5.0, 3.0, 1.0, 2.0, 4.0, 5.0, 3.0]), nn.MSELoss(), "regression"),
        # class ids 0..5 as floats under MSE: still read as classes (the L305 fault)
        (torch.tensor([0.0, 5.0, 3.0, 1.0, 2.0, 4.0, 5.0, 3.0]), nn.MSELoss(), "multiclass"),
        # the same ratings under a classification loss stay classes (an off-by-one for D113 to find)
        (torch.tensor([4, 5, 3, 1, 2, 4, 5, 3]), nn.CrossEntropyLoss(), "multiclass"),
    ],
)
def test_task_inference(targets, loss, task):
    assert infer_task(targets, loss, None)[0] == task


def test_a_sample_with_only_two_classes_of_a_four_class_cross_entropy_is_multiclass():
    # A skewed 4-class set whose sample only holds classes 0 and 1: the loss and the output width know better.
    task, reason = infer_task(torch.tensor([0, 0, 1, 0]), nn.CrossEntropyLoss(), torch.zeros(4, 4))
    assert task == "multiclass" and "4 class scores" in reason
    assert infer_task(torch.tensor([0, 0, 1, 0]), nn.CrossEntropyLoss(), torch.zeros(4, 2))[0] == "binary"


def test_empty_dataset_is_a_clear_error():
    with pytest.raises(nndoctor.SetupError, match="empty"):
        nndoctor.Setup(model=mlp(10, 3), train=(np.zeros((0, 10), np.float32), np.zeros(0, np.int64)))


def test_output_that_does_not_fit_the_targets_is_a_clear_error():
    x = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    y = np.random.default_rng(0).normal(size=(64, 3)).astype(np.float32)
    setup = nndoctor.Setup(model=mlp(10, 5), train=(x, y), loss=nn.MSELoss())
    with pytest.raises(nndoctor.SetupError, match=r"output layer's width"):
        setup.resolve()


def test_more_classes_than_outputs_is_found_before_the_loss_runs():
    # The very fault D113 is there to find must not stop the exam: resolve records it, the loss never runs.
    x, y = blobs(n=64, classes=3)
    setup = nndoctor.Setup(model=mlp(10, 2), train=(x, y), loss=nn.CrossEntropyLoss()).resolve()
    assert setup.label_problem is not None
    assert (setup.label_problem.high, setup.label_problem.classes) == (2, 2)
    xb, yb = setup.first_batch()
    with pytest.raises(LossUnavailable, match=r"valid ids 0\.\.1"):
        setup.compute_loss(setup.forward(setup.fresh_model(), xb), yb)


def test_mismatched_lengths_and_non_modules_are_clear_errors():
    x, y = blobs(n=64)
    with pytest.raises(nndoctor.SetupError, match="64 rows"):
        nndoctor.Setup(model=mlp(10, 3), train=(x, y[:10]))
    with pytest.raises(nndoctor.SetupError, match="not a torch.nn.Module"):
        nndoctor.Setup(model="resnet", train=(x, y))


def test_a_model_with_every_parameter_frozen_is_a_clear_error():
    x, y = blobs(n=64)
    frozen = mlp(10, 3).requires_grad_(False)
    with pytest.raises(nndoctor.SetupError, match="requires grad"):
        nndoctor.Setup(model=frozen, train=(x, y))
    nndoctor.Setup(model=mlp(10, 3).requires_grad_(False).append(nn.Linear(3, 3)), train=(x, y))  # a trainable head is fine


def test_silent_broadcast_between_output_and_targets_is_the_fault_reported_not_a_setup_error():
    # the loss pairs every prediction with every target: D113 names it; checks that need a loss value abstain
    from nndoctor.setup import LossUnavailable, ShapeMismatch

    x = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    y = x[:, 0] * 2.0
    setup = nndoctor.Setup(model=mlp(10, 1), train=(x, y), loss=nn.MSELoss(), batch_size=32).resolve()
    assert isinstance(setup.label_problem, ShapeMismatch) and setup.label_problem.broadcast_shape == (32, 32)
    xb, yb = setup.first_batch()
    with pytest.raises(LossUnavailable, match="broadcasts"):
        setup.compute_loss(setup.forward(setup.fresh_model(), xb), yb)
    report = nndoctor.checkup(setup)
    assert report.findings[0].code == "D113" and report.findings[0].severity.value == "error"
    assert report.findings[0].evidence["broadcast_shape"] == [32, 32] and "min" not in report.findings[0].evidence
    matched = nndoctor.Setup(model=mlp(10, 1), train=(x, y[:, None]), loss=nn.MSELoss(), batch_size=32).resolve()
    assert matched.label_problem is None


def test_a_custom_loss_that_re_encodes_one_based_labels_is_trusted():
    # Labels 1..3 with 3 outputs are fine when the loss itself subtracts 1; built-in losses get no such benefit of the doubt.
    x, y = blobs(n=64, classes=3)
    setup = nndoctor.Setup(model=mlp(10, 3), train=(x, y + 1),
                           loss=lambda out, target: nn.functional.cross_entropy(out, target - 1)).resolve()
    assert setup.label_problem is None and setup.loss_maps_labels
    xb, yb = setup.first_batch()
    assert float(setup.compute_loss(setup.forward(setup.fresh_model(), xb), yb).detach()) > 0
    report = nndoctor.checkup(setup, select=["D113"])
    assert not [f for f in report.findings if f.code == "D113"]
