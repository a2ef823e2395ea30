"""``nndoctor run``: a validation set evaluated as one tensor (no DataLoader) is the exam's validation split.

Small scripts often score validation in one call, ``loss_fn(model(X_val), y_val)`` or
``(model(X_val).argmax(1) == y_val).float().mean()`` under ``model.eval()`` + ``torch.no_grad()``.
The capture takes the first such tensor that is not the training data as the validation
split (its labels from the loss call its output reached, else inputs only), so leakage (D108)
and train/validation shift (D109) are judged on it. Each script is run through
:func:`nndoctor.watch.run.run_script`, as ``nndoctor run train.py`` does.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from nndoctor import Report, Severity
from nndoctor.combine import examine
from nndoctor.watch import eval_tensors as eval_tensors_module
from nndoctor.watch import hub
from nndoctor.watch.capture import SetupCapture
from nndoctor.watch.run import run_script

SCRIPT = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import load_digits

digits = load_digits()
X = torch.tensor(digits.data[:600] / 16.0, dtype=torch.float32)
y = torch.tensor(digits.target[:600])
g = torch.Generator().manual_seed(0)
perm = torch.randperm(600, generator=g)
train_idx = perm[:480]
VAL_IDX
X_train, y_train, X_val, y_val = X[train_idx], y[train_idx], X[val_idx], y[val_idx]
X_test, y_test = torch.tensor(digits.data[600:720] / 16.0, dtype=torch.float32), torch.tensor(digits.target[600:720])

torch.manual_seed(0)
model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
loss_fn = nn.CrossEntropyLoss()
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)


def batches():
    if LOADER:
        yield from loader
        return
    order = torch.randperm(480)
    for i in range(0, 480, 32):
        idx = order[i:i + 32]
        yield X_train[idx], y_train[idx]


for epoch in range(3):
    model.train()
    for xb, yb in batches():
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        if TRAIN_ACCURACY:
            train_acc = (model(X_train).argmax(1) == y_train).float().mean()
        if TRAIN_CHUNKS:
            train_hits = sum(int((model(X_train[i:i + 160]).argmax(1) == y_train[i:i + 160]).sum()) for i in range(0, 480, 160))
        if VAL_LOSS:
            val_loss = loss_fn(model(X_val), y_val)
        elif VAL_ACCURACY:
            val_acc = (model(X_val).argmax(1) == y_val).float().mean()
if TEST_AFTER:
    with torch.no_grad():
        test_acc = (model(X_test).argmax(1) == y_test).float().mean()
'''
# Validation drawn from the whole pool of 600 rows: about 80% of it are training rows (the bug).
OVERLAP = "val_idx = torch.randperm(600, generator=g)[:120]"
DISJOINT = "val_idx = perm[480:]"


def run(tmp_path: Path, val_idx: str = OVERLAP, loader: bool = False, train_accuracy: bool = False,
        val_loss: bool = True, val_accuracy: bool = False, train_chunks: bool = False,
        test_after: bool = False) -> Report:
    text = (SCRIPT.replace("VAL_IDX", val_idx).replace("LOADER", str(loader)).replace("TRAIN_CHUNKS", str(train_chunks))
            .replace("TRAIN_ACCURACY", str(train_accuracy)).replace("VAL_LOSS", str(val_loss))
            .replace("VAL_ACCURACY", str(val_accuracy)).replace("TEST_AFTER", str(test_after)))
    script = tmp_path / "train.py"
    script.write_text(text)
    outcome = run_script(str(script), alerts=False)
    assert outcome.exit_status == 0
    assert not outcome.report.failures, outcome.report.failures
    return outcome.report


def at_warning(report: Report) -> set[str]:
    return {f.code for f in report.at_least(Severity.WARNING)}


def capture_of(report: Report) -> dict:
    return report.extra["exam"]["capture"]


def not_seen(report: Report) -> bool:
    return any("no validation split" in s for s in report.skipped)


@pytest.mark.parametrize("loader", [False, True], ids=["sliced-batches", "dataloader"])
def test_validation_drawn_from_the_training_pool_and_evaluated_as_one_tensor_is_leakage(tmp_path, loader):
    report = run(tmp_path, OVERLAP, loader=loader)
    (leak,) = [f for f in report.findings if f.code == "D108"]
    assert leak.severity.at_least(Severity.WARNING)
    assert 0.6 <= leak.evidence["exact_in_train"] / 120 <= 0.95  # ~80% of the validation rows are training rows
    summary = capture_of(report)
    assert summary["val_source"] == "tensor" and summary["val_tensor_rows"] == 120 and summary["val_tensor_labels"]
    assert not not_seen(report)
    assert any("exam's validation split is the tensor" in s and "cross_entropy" in s for s in report.skipped)


@pytest.mark.parametrize("val_idx", [OVERLAP, DISJOINT], ids=["leaked", "held-out"])
def test_the_split_scored_every_epoch_is_validation_not_a_test_set_scored_once_after_training(tmp_path, val_idx):
    """A clean test set scored after training shares no rows with training; the split the loop watched is still the
    one examined: leaked, it is D108; held out, nothing is reported."""
    report = run(tmp_path, val_idx, test_after=True)
    assert capture_of(report)["val_tensor_rows"] == 120
    leaks = [f for f in report.findings if f.code == "D108" and f.severity.at_least(Severity.WARNING)]
    if val_idx == OVERLAP:
        assert leaks and 0.6 <= leaks[0].evidence["exact_in_train"] / 120 <= 0.95
    else:
        assert not leaks and not {"D108", "D109"} & at_warning(report), report.verdict()


def test_a_disjoint_validation_tensor_is_examined_and_found_clean(tmp_path):
    report = run(tmp_path, DISJOINT)
    assert not {"D108", "D109"} & at_warning(report), report.verdict()
    assert capture_of(report)["val_source"] == "tensor" and capture_of(report)["val_tensor_labels"]
    assert not not_seen(report), report.skipped
    assert not any("a validation set evaluated as one tensor is not seen" in s for s in report.skipped)


def test_train_accuracy_on_the_training_tensor_is_not_taken_as_validation(tmp_path):
    """``model(X_train)`` under no_grad holds the training rows: it is skipped, and X_val (evaluated after it) is taken."""
    report = run(tmp_path, DISJOINT, train_accuracy=True)
    assert not {"D108", "D109"} & at_warning(report), report.verdict()
    assert not [f for f in report.findings if f.code == "D108" and f.evidence.get("exact_in_train", 0) > 10]
    assert capture_of(report)["val_tensor_rows"] == 120  # X_val's rows, not X_train's 480


def test_train_accuracy_in_chunks_of_the_training_tensor_is_not_taken_as_validation(tmp_path):
    """``model(X_train[i:i + 160])`` chunk by chunk: each chunk's rows are training rows, so none is taken as a
    validation split (that would report every row as leaked); the disjoint X_val evaluated after them is."""
    report = run(tmp_path, DISJOINT, loader=True, train_chunks=True)
    assert not {"D108", "D109"} & at_warning(report), report.verdict()
    assert capture_of(report)["val_tensor_rows"] == 120


@pytest.mark.parametrize("loader", [False, True], ids=["sliced-batches", "dataloader"])
def test_only_the_training_tensor_evaluated_gives_no_validation_split(tmp_path, loader):
    report = run(tmp_path, DISJOINT, loader=loader, train_accuracy=True, val_loss=False)
    assert "D108" not in report.codes and capture_of(report)["val_source"] is None
    (note,) = [s for s in report.skipped if "no validation split" in s]
    assert ("held the training rows" in note or "only on its training data" in note) and "D108" in note


def test_a_validation_tensor_scored_without_a_loss_is_examined_as_inputs_only(tmp_path):
    """Accuracy only (no loss call): leakage is still found on the inputs; the label checks skip, nothing fails."""
    report = run(tmp_path, OVERLAP, val_loss=False, val_accuracy=True)
    assert "D108" in at_warning(report)
    summary = capture_of(report)
    assert summary["val_source"] == "tensor" and summary["val_tensor_labels"] is False
    (note,) = [s for s in report.skipped if "exam's validation split is the tensor" in s]
    assert "inputs only" in note and "D108" in note
    assert not [f for f in report.findings if f.code == "D109" and f.location == "labels"]


# -- never hurt the patient --------------------------------------------------------------------------
def _digits() -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return torch.tensor(data.data[:400] / 16.0, dtype=torch.float32), torch.tensor(data.target[:400])


def _loop(x: torch.Tensor, y: torch.Tensor) -> tuple[dict[str, torch.Tensor], list[torch.Tensor], torch.Tensor]:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    train = DataLoader(TensorDataset(x[:320], y[:320]), batch_size=32, shuffle=True)
    outputs = []
    for _ in range(2):
        model.train()
        for xb, yb in train:
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            out = model(x[320:])
            F.cross_entropy(out, y[320:])
            outputs.append(out.clone())
    return {k: v.clone() for k, v in model.state_dict().items()}, outputs, torch.get_rng_state()


def test_the_validation_tensor_capture_changes_no_output_weight_or_rng_and_is_removed_at_stop():
    x, y = _digits()
    x_before = x.clone()
    plain = _loop(x, y)
    with SetupCapture() as capture:
        watched = _loop(x, y)
    assert all(torch.equal(plain[0][k], watched[0][k]) for k in plain[0])
    assert all(torch.equal(a, b) for a, b in zip(plain[1], watched[1]))
    assert torch.equal(plain[2], watched[2]) and torch.equal(x, x_before)
    assert capture.val_tensor is not None and capture.val_tensor.rows == 80
    assert capture.val_tensor.x.data_ptr() != x.data_ptr() and torch.equal(capture.val_tensor.x, x[320:])
    assert capture.eval_tensors is not None and not capture.eval_tensors.active
    assert not hub.active_sessions() and not any(hub._TARGETS.values())


@pytest.mark.parametrize("where", ["hash_rows", "row_fingerprint"])  # at the first step / in an eval forward
def test_a_failure_inside_the_validation_tensor_capture_is_recorded_never_raised(monkeypatch: pytest.MonkeyPatch, where):
    x, y = _digits()
    plain = _loop(x, y)

    def broken(t: torch.Tensor) -> np.ndarray:
        raise RuntimeError("boom")

    monkeypatch.setattr(eval_tensors_module, where, broken)
    with SetupCapture() as capture:
        watched = _loop(x, y)
    assert all(torch.equal(a, b) for a, b in zip(plain[1], watched[1]))
    report = examine(capture)
    assert any("validation tensor" in f.check and "boom" in f.error for f in capture.failures), capture.failures
    assert capture.val_tensor is None and any("no validation split" in s for s in report.skipped)


# -- Setup(val=(X, None)): validation inputs without labels -------------------------------------------
def test_a_setup_with_validation_inputs_only_runs_the_input_checks_and_nothing_fails():
    import nndoctor
    from nndoctor.runner import checkup

    x, y = _digits()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    leaky = nndoctor.Setup(model=model, train=(x[:320], y[:320]), val=(x[:80], None))
    assert not leaky.val_labelled and list(leaky.batches("val")) == []
    report = checkup(leaky)
    assert not report.failures and "D108" in at_warning(report)
    assert any("inputs only" in note for note in leaky.summary()["notes"])
    clean = checkup(nndoctor.Setup(model=model, train=(x[:320], y[:320]), val=(x[320:], None)))
    assert not clean.failures and not {"D108", "D109"} & at_warning(clean)
