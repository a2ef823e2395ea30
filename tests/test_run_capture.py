"""``nndoctor run`` = watch + checkup: capturing what a script built and examining it statically.

Each test runs a plain training loop in the style of PyTorch's examples (DataLoader,
model, loss, optimizer, ``loss.backward()``) under ``nndoctor.watch`` and a
:class:`SetupCapture`, then examines the capture and merges both reports.
"""
from __future__ import annotations

import copy
import io
import random
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, Subset, TensorDataset

import nndoctor
from nndoctor import Finding, Report, Severity
from nndoctor.combine import exam_codes, examine, merge
from nndoctor.watch import hub
from nndoctor.watch.capture import ExamModel, SetupCapture, UnknownLoss, twin_loader

Loop = Callable[[], None]
# The exam's wall-clock safety net in these tests: far above any probe's time on a loaded machine, so a
# busy CI runner cannot make a check inconclusive (the verdicts do not depend on time; only the net does).
EXAM_SAFETY_NET_S = 3600.0


def digits(shuffle_labels: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's 8x8 digits as (N, 64) floats in [0, 1] and int64 labels (the MNIST examples, small)."""
    from sklearn.datasets import load_digits

    data = load_digits()
    x = torch.tensor(data.data / 16.0, dtype=torch.float32)
    y = torch.tensor(data.target, dtype=torch.int64)
    if shuffle_labels:  # the bug: labels permuted apart from their images
        y = y[torch.randperm(len(y), generator=torch.Generator().manual_seed(1))]
    return x, y


def mlp(seed: int = 0) -> nn.Module:
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))


def train_classifier(model: nn.Module, train: DataLoader, val: DataLoader | None, epochs: int = 1,
                     optimizer: torch.optim.Optimizer | None = None) -> None:
    """The loop of PyTorch's MNIST example: train an epoch, then test under eval + no_grad."""
    optimizer = optimizer or torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    for _ in range(epochs):
        model.train()
        for data, target in train:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(data), target)
            loss.backward()
            optimizer.step()
        if val is not None:
            model.eval()
            with torch.no_grad():
                for data, target in val:
                    F.cross_entropy(model(data), target, reduction="sum")


def watched(loop: Loop) -> tuple[Report, Report, Report, SetupCapture]:
    """Run ``loop`` under watch + capture; return (watch report, exam report, merged report, capture)."""
    with nndoctor.watch(alerts=False) as doctor, SetupCapture() as capture:
        loop()
    exam = examine(capture, budget=EXAM_SAFETY_NET_S)
    assert not exam.extra.get("inconclusive"), exam.extra["inconclusive"]  # the verdicts below were all reached
    return doctor.report(), exam, merge(doctor.report(), exam), capture


def codes_at_least(report: Report, severity: str = "warning") -> set[str]:
    return {f.code for f in report.at_least(Severity(severity))}


# -- what the exam finds that watching alone cannot ----------------------------------------------
def test_labels_shuffled_apart_from_inputs_are_found_by_the_exam():
    x, y = digits(shuffle_labels=True)
    model = mlp()
    train = DataLoader(TensorDataset(x[:500], y[:500]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[1400:], y[1400:]), batch_size=100)
    watch_report, exam, run, capture = watched(lambda: train_classifier(model, train, val))
    assert "D111" not in watch_report.codes  # watching alone cannot tell
    assert "D111" in codes_at_least(exam, "error")
    assert capture.train_loader is train and capture.val_loader is val
    assert run.mode == "watch" and run.findings[0].code == "D111"
    assert run.findings[0].evidence["seen_by"] == "exam"


def test_validation_set_sliced_from_the_training_set_is_leakage():
    x, y = digits()
    model = mlp()
    train = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[:300], y[:300]), batch_size=100)  # the bug: a slice of the training rows
    _, exam, run, capture = watched(lambda: train_classifier(model, train, val))
    assert capture.val_loader is val
    (leak,) = [f for f in exam.findings if f.code == "D108"]
    assert leak.severity.at_least(Severity.WARNING) and leak.evidence["exact_in_train"] == 300
    assert "D108" in run.codes


@pytest.mark.parametrize("carried", [True, False])
def test_a_column_carrying_the_label_is_found_without_a_validation_loader(carried):
    """Validation scored outside torch (scikit-learn metric on a tensor) still gets the leak test, on held-out training rows."""
    x, y = digits()
    rng = np.random.default_rng(0)
    extra = y.double() + 0.1 * torch.tensor(rng.standard_normal(len(y))) if carried else torch.tensor(rng.standard_normal(len(y)))
    x = torch.cat([x, extra.float().unsqueeze(1)], dim=1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(65, 64), nn.ReLU(), nn.Linear(64, 10))
    train = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=32, shuffle=True)
    _, exam, run, capture = watched(lambda: train_classifier(model, train, None))
    leaks = [f for f in exam.findings if f.code == "G604"]
    if carried:
        (leak,) = leaks
        assert leak.evidence["column"] == 64 and leak.evidence["scored_on"] == "held-out training rows"
        assert "G604" in codes_at_least(run)
    else:
        assert not leaks and "G604" not in run.codes


@pytest.mark.parametrize("form", ["subset of the training indices", "copies of sampled training rows", "disjoint subset"])
def test_validation_drawn_from_the_training_rows_is_leakage_whatever_its_dataset(form):
    x, y = digits()
    data = TensorDataset(x, y)
    order = np.random.default_rng(0).permutation(len(data))
    train_idx, sampled = order[:1400], np.random.default_rng(1).choice(order[:1400], 300, replace=False)
    train = DataLoader(Subset(data, train_idx.tolist()), batch_size=32, shuffle=True)
    if form == "subset of the training indices":
        val_set = Subset(data, sampled.tolist())
    elif form == "copies of sampled training rows":
        val_set = TensorDataset(x[sampled].clone(), y[sampled].clone())
    else:
        val_set = Subset(data, order[1400:].tolist())
    val = DataLoader(val_set, batch_size=100)
    _, exam, run, capture = watched(lambda: train_classifier(model=mlp(), train=train, val=val))
    assert capture.val_loader is val
    leaks = [f for f in exam.findings if f.code == "D108"]
    rows = {x[i].numpy().tobytes() for i in train_idx}  # an independent count: exact byte copies of training rows
    copied = sum(row.numpy().tobytes() in rows for row, _ in val_set)
    if form == "disjoint subset":  # digits holds a few repeated images: at most those, never a warning
        assert copied < 15 and [f.evidence["exact_in_train"] for f in leaks] == ([copied] if copied else [])
        assert "D108" not in codes_at_least(run)
        return
    assert copied == 300 and leaks[0].evidence["exact_in_train"] == copied
    assert leaks[0].severity.at_least(Severity.WARNING) and "D108" in run.codes


class BatchCentred(nn.Module):
    """Subtracts the batch mean in forward: each sample's output depends on the rest of its batch."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc1, self.fc2 = nn.Linear(64, 32), nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.fc1(x))
        return self.fc2(h - h.mean(0))


def test_a_model_mixing_samples_across_the_batch_is_found():
    x, y = digits()
    model = BatchCentred()
    train = DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True)
    _, exam, run, capture = watched(lambda: train_classifier(model, train, None))
    (mixing,) = [f for f in exam.findings if f.code == "M207"]
    assert mixing.severity == Severity.ERROR
    assert "M207" in codes_at_least(run, "error")
    assert capture.model is not model and isinstance(capture.model, BatchCentred)


def test_a_healthy_digits_loop_gets_no_warning_from_the_exam():
    x, y = digits()
    model = mlp()
    train = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[1400:], y[1400:]), batch_size=100)
    _, exam, run, capture = watched(lambda: train_classifier(model, train, val, epochs=2))
    assert not exam.failures and not exam.skipped
    assert codes_at_least(exam) == set(), exam.verdict()
    assert set(exam.extra["exam_codes"]) >= {"D108", "D111", "M207", "M208", "L301", "L307"}
    summary = capture.summary()
    assert summary["loss"] == "cross_entropy" and summary["optimizer"] == "SGD" and summary["targets"] == "y"
    assert all(f.evidence["seen_by"] == "watch" for f in run.at_least(Severity.WARNING))



def test_a_validation_set_evaluated_as_one_tensor_is_examined():
    """Without a validation DataLoader, the tensor the model is evaluated on after training began is the split."""
    x, y = digits()
    model = mlp()
    train = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=32, shuffle=True)

    def loop() -> None:
        train_classifier(model, train, None)
        model.eval()
        with torch.no_grad():
            F.cross_entropy(model(x[1400:]), y[1400:])

    _, exam, _, capture = watched(loop)
    assert capture.val_loader is None and capture.val_tensor is not None
    assert capture.val_tensor.rows == 397 and torch.equal(capture.val_tensor.labels, y[1400:])
    assert not any("no validation split" in s for s in exam.skipped), exam.skipped
    assert capture.summary()["val_source"] == "tensor" and "D108" not in codes_at_least(exam)


def test_without_a_validation_split_the_split_checks_are_named_as_not_examined():
    """No validation loader and no tensor evaluated: the report says the split checks did not run instead of implying they passed."""
    x, y = digits()
    model = mlp()
    train = DataLoader(TensorDataset(x[:1400], y[:1400]), batch_size=32, shuffle=True)
    _, exam, _, capture = watched(lambda: train_classifier(model, train, None))
    assert capture.val_loader is None and capture.val_tensor is None
    assert any("no validation split" in s and "D108" in s for s in exam.skipped), exam.skipped

# -- what was captured ------------------------------------------------------------------------------
def test_the_copy_is_the_model_before_its_first_update_and_the_settings_are_captured():
    x, y = digits()
    model = mlp()
    initial = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = torch.optim.AdamW([{"params": model[0].parameters(), "lr": 3e-3},
                                   {"params": model[2].parameters(), "lr": 1e-3, "weight_decay": 0.0}])
    train = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    loss_fn = nn.CrossEntropyLoss(label_smoothing=0.1)

    def loop() -> None:
        for data, target in train:
            optimizer.zero_grad()
            (loss_fn(model(data), target) / 2).backward()  # scaled for accumulation: still the same loss
            optimizer.step()

    with SetupCapture() as capture:
        loop()
    assert all(torch.equal(capture.model.state_dict()[k], v) for k, v in initial.items())
    assert not torch.equal(model[0].weight, initial["0.weight"])  # the user's model trained on
    setup = capture.setup()
    assert isinstance(setup.loss, nn.CrossEntropyLoss) and setup.loss.label_smoothing == 0.1
    rebuilt = setup.make_optimizer(setup.fresh_model())
    assert isinstance(rebuilt, torch.optim.AdamW)
    assert [g["lr"] for g in rebuilt.param_groups] == [3e-3, 1e-3]
    assert [g["weight_decay"] for g in rebuilt.param_groups] == [0.01, 0.0]
    assert setup.train_loader is not train and setup.train_loader.dataset is train.dataset  # a twin, same data


class Net(nn.Module):
    """PyTorch's MNIST example network, sized for 8x8 digits: forward returns log-probabilities."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc1, self.fc2 = nn.Linear(64, 64), nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)


def test_hand_written_sgd_is_captured_with_the_optimizer_unknown():
    x, y = digits()
    model = Net()
    train = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)

    def loop() -> None:
        for data, target in train:
            loss = F.nll_loss(model(data), target)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.05 * p.grad

    _, exam, run, capture = watched(loop)
    assert capture.captured and capture.chosen_optimizer() is None
    assert capture.summary()["optimizer"] is None and capture.summary()["loss"] == "nll_loss"
    assert "unknown" in capture.setup().optimizer_description
    assert not exam.failures and run.mode == "watch" and run.extra["exam"]["capture"]["optimizer"] is None
    assert codes_at_least(exam) == set(), exam.verdict()
    assert "M207" in exam.extra["exam_codes"]


class VAE(nn.Module):
    """PyTorch's VAE example, sized for 8x8 digits: forward returns (reconstruction, mu, logvar)."""

    def __init__(self) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.fc1, self.fc21, self.fc22 = nn.Linear(64, 32), nn.Linear(32, 4), nn.Linear(32, 4)
        self.fc3, self.fc4 = nn.Linear(4, 32), nn.Linear(32, 64)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return torch.sigmoid(self.fc4(F.relu(self.fc3(z)))), mu, logvar


def test_a_custom_vae_loss_skips_the_loss_checks_and_examines_the_rest():
    x, y = digits()
    images = x.reshape(-1, 1, 8, 8)  # the loader yields images; the loop flattens them as the example does
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = DataLoader(TensorDataset(images, y), batch_size=64, shuffle=True)

    def loop() -> None:
        model.train()
        for data, _ in train:
            optimizer.zero_grad()
            recon, mu, logvar = model(data.view(-1, 64))
            bce = F.binary_cross_entropy(recon, data.view(-1, 64), reduction="sum")
            kld = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
            (bce + kld).backward()
            optimizer.step()

    _, exam, run, capture = watched(loop)
    assert capture.loss is None and capture.summary()["loss_known"] is False
    assert any("loss checks skipped" in s for s in exam.skipped)
    assert any("loss checks skipped" in s for s in run.skipped)
    assert capture.adapter.target == "x" and capture.output_pick == 0  # an autoencoder of its flattened input
    assert not exam.failures, exam.failures
    examined = set(exam.extra["exam_codes"])
    assert not examined & {"L301", "L307", "M210", "D113"} and {"M207", "D101"} <= examined
    setup = capture.setup()
    assert isinstance(setup.loss, UnknownLoss) and isinstance(setup.model, ExamModel)
    assert not any(f.code.startswith("L") for f in exam.findings)


def test_an_autocast_output_cast_back_to_float_is_the_model_output():
    """AMP loops compute the loss on ``output.float()``: a cast keeps the values, so the loss checks run."""
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
    with SetupCapture() as capture:
        for data, target in train:
            optimizer.zero_grad()
            with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
                out = model(data)
            F.cross_entropy(out.float(), target).backward()
            optimizer.step()
    assert capture.loss is not None and not any("loss checks skipped" in s for s in capture.skipped), capture.skipped
    assert {"L307", "D113"} <= set(exam_codes(capture))


def test_a_loss_on_a_transformed_output_is_custom():
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(x, y), batch_size=32)
    with SetupCapture() as capture:
        for data, target in train:
            optimizer.zero_grad()
            F.nll_loss(F.log_softmax(model(data), dim=1), target).backward()  # log_softmax in the loop, not the model
            optimizer.step()
    assert capture.loss is None and any("computed by LogSoftmax" in s for s in capture.skipped), capture.skipped
    assert capture.adapter.target == "y" and "L303" not in exam_codes(capture) and "D111" in exam_codes(capture)


def test_input_only_batches_of_an_autoencoder_are_examined_against_their_inputs():
    x, _ = digits()
    model = VAE()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    train = DataLoader(TensorDataset(x[:512]), batch_size=64, shuffle=True)  # batches are (data,), as in the example
    with SetupCapture() as capture:
        for (data,) in train:
            optimizer.zero_grad()
            recon, _, _ = model(data)
            F.mse_loss(recon, data).backward()
            optimizer.step()
    assert isinstance(capture.loss, nn.MSELoss) and capture.adapter.target == "x" and capture.output_pick == 0
    setup = capture.setup().resolve()
    x_batch, y_batch = setup.first_batch()
    assert torch.equal(x_batch, y_batch) and setup.task == "regression"


def test_a_loss_plus_penalty_is_custom_but_its_targets_still_count():
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(x, y), batch_size=32)

    def loop() -> None:
        for data, target in train:
            optimizer.zero_grad()
            out = model(data)
            (F.cross_entropy(out, target) + 1e-3 * out.pow(2).mean()).backward()
            optimizer.step()

    with SetupCapture() as capture:
        loop()
    assert capture.loss is None and capture.adapter.target == "y"
    codes = exam_codes(capture)
    assert "D111" in codes and "L307" not in codes and "D113" not in codes


def test_per_sample_losses_reduced_by_mean_are_the_mean_loss():
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(x, y.float()), batch_size=32)

    def loop() -> None:
        for data, target in train:
            optimizer.zero_grad()
            # target reshaped and cast in the loop: the exam feeds the loss the same way
            per_sample = F.binary_cross_entropy_with_logits(model(data)[:, :1], (target > 4).float().unsqueeze(1), reduction="none")
            per_sample.mean().backward()
            optimizer.step()

    with SetupCapture() as capture:
        loop()
    # the target is a function of y, not y itself: the loss cannot be replayed on the batch
    assert capture.loss is None and any("loss checks skipped" in s for s in capture.skipped)
    report = examine(capture)
    assert not report.failures, report.failures


def test_a_loss_of_no_known_kind_is_examined_with_a_stand_in():
    x, y = digits()
    images = x.reshape(-1, 1, 8, 8)
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
    train = DataLoader(TensorDataset(images[:512], y[:512]), batch_size=64)
    with SetupCapture() as capture:
        for data, _ in train:
            optimizer.zero_grad()
            model(data.flatten(1)).logsumexp(1).mean().backward()  # no torch loss function at all
            optimizer.step()
    assert capture.adapter.target == "none" and capture.adapter.x_tail == (64,)
    report = examine(capture)
    assert not report.failures, report.failures
    examined = set(report.extra["exam_codes"])
    assert "M207" in examined and not examined & {"D110", "D111", "D113", "L307", "M210"}
    assert any("target checks skipped" in s for s in report.skipped)


def test_a_captured_loss_that_does_not_fit_falls_back_to_the_stand_in(monkeypatch: pytest.MonkeyPatch):
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(x[:512], y[:512]), batch_size=64)
    with SetupCapture() as capture:
        for data, target in train:
            optimizer.zero_grad()
            F.cross_entropy(model(data), target).backward()
            optimizer.step()
    real_setup = capture.setup

    def setup(stand_in: bool = False):
        if not stand_in:
            raise nndoctor.SetupError("The loss cannot compare output and targets.", "Fix it.")
        return real_setup(stand_in=True)

    monkeypatch.setattr(capture, "setup", setup)
    report = examine(capture)
    assert not report.failures and "M207" in report.extra["exam_codes"] and "D111" not in report.extra["exam_codes"]
    assert any("The loss cannot compare" in s for s in report.skipped)


def test_a_loop_without_a_dataloader_is_reported_not_raised():
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    with SetupCapture() as capture:
        for i in range(0, 256, 32):
            optimizer.zero_grad()
            F.cross_entropy(model(x[i:i + 32]), y[i:i + 32]).backward()
            optimizer.step()
    report = examine(capture)
    assert capture.captured and capture.model is not None
    assert report.at_least(Severity.WARNING) == [] and report.failures == []
    assert any("the first 8 batches (256 samples) the loop fed" in s for s in report.skipped)  # examined on them


def test_a_model_called_with_two_inputs_is_reported_not_raised():
    class TwoInputs(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.fc = nn.Linear(64, 10)

        def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            return self.fc(x * mask)

    x, y = digits()
    model = TwoInputs()
    train = DataLoader(TensorDataset(x[:128], y[:128]), batch_size=32)
    with SetupCapture() as capture:
        for data, target in train:
            F.cross_entropy(model(data, torch.ones_like(data)), target).backward()
    report = examine(capture)
    assert capture.captured and report.findings == [] and report.failures == []
    assert any("2 positional inputs" in s for s in report.skipped)


def test_no_training_step_is_reported_not_raised():
    with SetupCapture() as capture:
        mlp()(torch.zeros(2, 64))
    report = examine(capture)
    assert not capture.captured and report.findings == []
    assert any("no training step" in s for s in report.skipped)


# -- never hurt the patient -------------------------------------------------------------------------
def _seeded_run(with_capture: bool) -> tuple[dict[str, torch.Tensor], tuple, torch.Generator, SetupCapture | None, list[int]]:
    """A seeded script with dropout and shuffling; torch.save of the model inside the loop."""
    random.seed(3)
    np.random.seed(3)
    torch.manual_seed(3)
    x, y = digits()
    model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    generator = torch.Generator().manual_seed(5)
    train = DataLoader(TensorDataset(x[:512], y[:512]), batch_size=64, shuffle=True, generator=generator)
    saved: list[int] = []
    capture = SetupCapture().start() if with_capture else None
    try:
        buffer = io.BytesIO()
        torch.save(model, buffer)  # before the first step, while the capture's global hooks are installed
        saved.append(len(buffer.getvalue()))
        for _ in range(2):
            for step, (data, target) in enumerate(train):
                optimizer.zero_grad()
                F.cross_entropy(model(data), target).backward()
                optimizer.step()
                if step == 1:
                    buffer = io.BytesIO()
                    torch.save(model, buffer)  # pickles the whole module mid-run
                    saved.append(len(buffer.getvalue()))
                    assert type(copy.deepcopy(model)) is nn.Sequential  # an EMA copy mid-run
                    random.random(), np.random.rand()
    finally:
        if capture is not None:
            capture.stop()
    rng = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    return {k: v.clone() for k, v in model.state_dict().items()}, rng, generator, capture, saved


def test_the_capture_leaves_model_parameters_and_rng_bit_for_bit_unchanged():
    plain_state, plain_rng, plain_gen, _, plain_saved = _seeded_run(with_capture=False)
    state, rng, generator, capture, saved = _seeded_run(with_capture=True)
    assert capture is not None and capture.captured
    assert state.keys() == plain_state.keys() and all(torch.equal(state[k], plain_state[k]) for k in state)
    assert torch.equal(rng[0], plain_rng[0]) and np.array_equal(rng[1], plain_rng[1]) and rng[2] == plain_rng[2]
    assert torch.equal(generator.get_state(), plain_gen.get_state())
    assert saved == plain_saved and len(saved) == 3  # same pickle size, nothing attached
    assert not hub.active_sessions()
    # the exam reads twins of the loaders: neither the global RNGs nor the loader's generator move
    before = (torch.get_rng_state(), generator.get_state())
    examine(capture)
    assert torch.equal(torch.get_rng_state(), before[0]) and torch.equal(generator.get_state(), before[1])


def test_twin_loader_yields_the_same_batches_without_touching_the_original():
    x, y = digits()
    generator = torch.Generator().manual_seed(7)
    loader = DataLoader(TensorDataset(x[:200], y[:200]), batch_size=50, shuffle=True, generator=generator)
    state = generator.get_state()
    twin = twin_loader(loader)
    first = [b[1] for b in twin]
    assert torch.equal(generator.get_state(), state)
    again = [b[1] for b in loader]
    assert len(first) == len(again) == 4 and all(torch.equal(a, b) for a, b in zip(first, again, strict=True))


def test_a_failing_handler_is_recorded_never_raised(monkeypatch: pytest.MonkeyPatch):
    x, y = digits()
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    train = DataLoader(TensorDataset(x, y), batch_size=32)

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    capture = SetupCapture()
    monkeypatch.setattr(capture, "_capture", broken)
    with capture:
        for data, target in train:
            optimizer.zero_grad()
            F.cross_entropy(model(data), target).backward()
            optimizer.step()
    assert any("boom" in f.error for f in capture.failures)
    report = examine(capture)
    assert any("boom" in f.error for f in report.failures) and report.findings == []


# -- merging the two reports -----------------------------------------------------------------------
def _finding(code: str, severity: str, message: str) -> Finding:
    return Finding(code, Severity(severity), message)


def test_merge_keeps_one_verdict_per_code_the_more_severe_and_watch_on_ties():
    watch_report = Report(mode="watch", findings=[_finding("O406", "warning", "watch plateau"),
                                                  _finding("D106", "info", "watch imbalance"),
                                                  _finding("G601", "warning", "watch overfit")],
                          telemetry={"steps": 10}, skipped=["w"])
    exam_report = Report(mode="checkup", findings=[_finding("D106", "warning", "exam imbalance"),
                                                   _finding("G601", "warning", "exam overfit"),
                                                   _finding("D111", "error", "exam misaligned")],
                         telemetry={"label_probe": 1}, skipped=["e"])
    run = merge(watch_report, exam_report)
    assert run.mode == "watch"
    assert sorted(run.codes) == ["D106", "D111", "G601", "O406"]
    messages = {f.code: f.message for f in run.findings}
    assert messages["D106"] == "exam imbalance" and messages["G601"] == "watch overfit"
    assert run.findings[0].code == "D111"  # re-ranked: the root cause first
    assert {f.code: f.explained_by for f in run.findings}["O406"] == "D111"
    assert run.telemetry["steps"] == 10 and run.telemetry["exam"] == {"label_probe": 1}
    assert run.skipped == ["w", "exam: e"]
    assert watch_report.findings[0].explained_by is None  # the inputs are left as they were
    assert run.to_dict()["mode"] == "watch" and "exam" in run.to_dict()
