"""Measurements traced on round 14's unseen scripts (benchmarks/outofsample/round14), each against the reading it replaced.

* A loop that trains on standardised targets and scores its validation in the targets' own units
  (``pred * y_sd + y_mu`` against raw targets) reports a validation loss in other units: an MSE of 6 on
  targets near 70 is a good fit, not a model that "never went below the constant predictor's 1.0" (D111).
* A layer of the user's own class (``x @ self.weight.t() + self.bias``) is a weight layer too: all-zero weights
  there are identical units (M201), and the hand-written step that leaves them where they are is not skipping them
  (T504): their gradient is exactly zero.
* SWALR raises the LR after the main schedule has decayed it, by design (stochastic weight averaging), as cyclic
  schedules do: no schedule stepped at the wrong cadence (O411).
* A hand-written update through ``p.data`` (the char-RNN tutorial's ``p.data.add_(p.grad.data, alpha=-lr)``) moves
  no version counter; its direction is read from the values: one that adds the gradient climbs the loss (L308).
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_friedman1
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.watch.instrument import instrumented


def _cells(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    x, y = make_friedman1(n_samples=n, n_features=10, noise=0.5, random_state=seed)
    return x.astype(np.float32), (70.0 + 1.5 * y).astype(np.float32)


def _standardised_loop(raw_validation: bool, paired: bool) -> nndoctor.Report:
    """A hand-written SGD loop on standardised targets; validation scored in raw units or in the training units."""
    torch.manual_seed(0)
    x_train, y_train = _cells(400, seed=1)
    x_val, y_val = _cells(400, seed=2)
    if not paired:  # labels shuffled apart from their rows: nothing transfers
        y_train = np.random.default_rng(0).permutation(y_train)
    x_mu, x_sd, y_mu, y_sd = x_train.mean(0), x_train.std(0), y_train.mean(), y_train.std()
    xt, yt = torch.from_numpy((x_train - x_mu) / x_sd), torch.from_numpy((y_train - y_mu) / y_sd)
    xv = torch.from_numpy((x_val - x_mu) / x_sd)
    yv = torch.from_numpy(y_val if raw_validation else (y_val - y_mu) / y_sd)
    model = nn.Sequential(nn.Linear(10, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            for epoch in range(80):
                for i in range(0, len(xt), 32):
                    loss = F.mse_loss(model(xt[i:i + 32]).squeeze(1), yt[i:i + 32])
                    model.zero_grad()
                    loss.backward()
                    with torch.no_grad():
                        for p in model.parameters():
                            p -= 0.1 * p.grad
                if (epoch + 1) % 10 == 0:
                    with torch.no_grad():
                        pred = model(xv).squeeze(1)
                        F.mse_loss(pred * y_sd + y_mu if raw_validation else pred, yv)
    finally:
        doctor.stop()
    return doctor.report()


def _loud(report: nndoctor.Report) -> set[str]:
    return {f.code for f in report.at_least(Severity.WARNING)}


def test_a_validation_loss_in_the_targets_raw_units_is_not_read_against_the_standardised_reference():
    assert not {"D111", "G601", "G604"} & _loud(_standardised_loop(raw_validation=True, paired=True))


def test_labels_that_do_not_transfer_are_still_found_when_validation_is_scored_in_the_training_units():
    assert "D111" in _loud(_standardised_loop(raw_validation=False, paired=False))


class Dense(nn.Module):
    """A hand-written affine layer; ``init`` says whether it draws its weights or leaves them at zero."""

    def __init__(self, fan_in: int, fan_out: int, init: bool) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(fan_out, fan_in))
        self.bias = nn.Parameter(torch.zeros(fan_out))
        if init:
            nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x @ self.weight.t() + self.bias


class Positions(nn.Module):
    """A learned positional table, zero at the start on purpose: rows are positions, not units."""

    def __init__(self, length: int, width: int) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(length, width))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.weight


def _dense_net(init: bool) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(Dense(8, 32, init), nn.ReLU(), Dense(32, 32, init), nn.ReLU(), Dense(32, 1, True))


def _hand_written_sgd(model: nn.Module) -> nndoctor.Report:
    torch.manual_seed(1)
    x = torch.randn(512, 8)
    y = (x[:, :3].sum(1) + 0.1 * torch.randn(512)).unsqueeze(1)
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            for _ in range(10):
                for i in range(0, 512, 32):
                    loss = F.mse_loss(model(x[i:i + 32]), y[i:i + 32])
                    model.zero_grad()
                    loss.backward()
                    with torch.no_grad():
                        for p in model.parameters():
                            p -= 0.05 * p.grad
    finally:
        doctor.stop()
    return doctor.report()


def test_zero_weights_in_a_hand_written_layer_are_identical_units_and_the_root_of_what_follows():
    report = _hand_written_sgd(_dense_net(init=False))
    assert "M201" in _loud(report) and "T504" not in _loud(report)
    assert report.root_causes()[0].code == "M201"
    spec = nndoctor.Setup(model=_dense_net(init=False), train=(torch.randn(256, 8), torch.randn(256, 1)), loss=nn.MSELoss())
    assert "M201" in {f.code for f in nndoctor.checkup(spec, select=["M201"]).findings}


def test_a_hand_written_layer_drawn_at_random_and_a_zero_positional_table_are_no_identical_units():
    assert not {"M201", "T504"} & _loud(_hand_written_sgd(_dense_net(init=True)))
    torch.manual_seed(0)
    model = nn.Sequential(Positions(8, 16), nn.Linear(16, 1))
    spec = nndoctor.Setup(model=model, train=(torch.randn(256, 8, 16), torch.randn(256, 8, 1)), loss=nn.MSELoss())
    assert "M201" not in {f.code for f in nndoctor.checkup(spec, select=["M201"]).findings}


def _swa_loop() -> None:
    """torch's SWA recipe: a cosine decay over 12 epochs, then SWALR anneals to the SWA LR and the average is kept."""
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = (x[:, :3].sum(1) + 0.1 * torch.randn(512)).unsqueeze(1)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=12)
    swa_model = torch.optim.swa_utils.AveragedModel(model)
    swa = torch.optim.swa_utils.SWALR(optimizer, swa_lr=0.01, anneal_epochs=2)
    for epoch in range(18):
        for xb, yb in loader:
            optimizer.zero_grad()
            F.mse_loss(model(xb), yb).backward()
            optimizer.step()
        if epoch < 12:
            decay.step()
        else:
            swa_model.update_parameters(model)
            swa.step()


def test_swa_raising_the_lr_after_a_decayed_schedule_is_no_schedule_bug():
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            _swa_loop()
    finally:
        doctor.stop()
    report = doctor.report()
    [lrs] = report.telemetry["lr"].values()
    assert max(lrs[-32:]) > 2 * min(lrs)  # the LR did go back up
    assert "O411" not in _loud(report)


def _tutorial_loop(sign: float) -> nndoctor.Report:
    """The classifying-names tutorial's update, ``p.data.add_(p.grad.data, alpha=sign * lr)``, on a small classifier."""
    torch.manual_seed(0)
    x = torch.randn(640, 10)
    y = (x[:, :4].argmax(1))
    model = nn.Sequential(nn.Linear(10, 32), nn.Tanh(), nn.Linear(32, 4))
    criterion = nn.CrossEntropyLoss()
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            for _ in range(4):
                for i in range(0, 640, 32):
                    model.zero_grad()
                    criterion(model(x[i:i + 32]), y[i:i + 32]).backward()
                    for p in model.parameters():
                        p.data.add_(p.grad.data, alpha=sign * 0.1)
    finally:
        doctor.stop()
    return doctor.report()


def test_a_hand_written_update_that_adds_the_gradient_through_data_climbs_the_loss():
    climbing = [f for f in _tutorial_loop(+1.0).findings if f.code == "L308"]
    assert climbing and climbing[0].evidence["update_climbed"] == climbing[0].evidence["update_checks"] >= 2
    assert "L308" not in _loud(_tutorial_loop(-1.0))


def _probe_steps(updates: list[float], gradients: list[float]) -> tuple[int, int]:
    """ManualSgdProbe on a scalar weight: each step's gradient, then the update the loop applied."""
    from nndoctor.watch.manual_sgd import ManualSgdProbe

    weight = nn.Parameter(torch.zeros(1))
    probe = ManualSgdProbe()
    for update, gradient in zip(updates, gradients):
        weight.grad = torch.tensor([gradient])
        probe.mark([weight])
        with torch.no_grad():
            weight += update
        probe.measure()
    return probe.climbing()


def test_a_scalar_weight_under_momentum_climbs_on_some_steps_by_no_single_rate():
    """A scalar's cosine with its gradient is always ±1: momentum (``v = 0.9 v + g; p -= 0.05 v``) that overshoots moves
    it along its current gradient on some steps; only a plain step at one negative rate (``p += lr g``) climbs."""
    gradients = [1.0, -0.3, -0.2]  # the probe reads a hand-written update's first three steps
    velocity, momentum = 0.0, []
    for g in gradients:
        velocity = 0.9 * velocity + g
        momentum.append(-0.05 * velocity)
    assert _probe_steps(momentum, gradients) == (3, 0)
    assert sum(u * g > 0 for u, g in zip(momentum, gradients)) == 2  # two of the three steps did move along the gradient
    assert _probe_steps([0.05 * g for g in gradients], gradients) == (3, 3)
    assert _probe_steps([-0.05 * g for g in gradients], gradients) == (3, 0)


def test_fix_re_initialises_a_hand_written_layer_it_reads_as_identical_units():
    from nndoctor.findings import Finding
    from nndoctor.fix.model_remedies import reinitialise

    model = _dense_net(init=False)
    spec = nndoctor.Setup(model=model, train=(torch.randn(256, 8), torch.randn(256, 1)), loss=nn.MSELoss()).resolve()
    (candidate,) = reinitialise(spec, Finding("M201", Severity.ERROR, "test", evidence={}))
    drawn = candidate.setup.model[0].weight.detach()
    assert drawn.std() > 0 and (drawn - drawn[:1]).abs().max() > 0  # distinct units now
    assert torch.count_nonzero(model[0].weight) == 0  # the user's model as it was


def test_the_activation_after_a_layer_is_not_read_past_a_hand_written_layer():
    from nndoctor.fix.transforms import following_activation, leaf_order

    net = nn.Sequential(nn.Linear(8, 8), Dense(8, 8, True), nn.ReLU())
    order = leaf_order(net, torch.randn(4, 8))
    assert following_activation(order, "0") is None  # the Linear feeds the user's layer, not the ReLU
    assert isinstance(following_activation(order, "1"), nn.ReLU)


def test_a_plateau_under_label_smoothing_that_drowns_the_labels_gets_less_of_it():
    """``label_smoothing=1.0`` (a typo for 0.1) makes every target uniform: the loss is ln K whatever the model. A
    plateau's remedy lowers it to 0.1 on a copy of the loss, as the remedy for too much regularisation (O409) does."""
    from nndoctor.findings import Finding
    from nndoctor.fix.remedies import lower_label_smoothing, reduce_regularisation, remedies_for

    torch.manual_seed(0)
    x = torch.randn(600, 6)
    y = x[:, :3].argmax(1)
    loss = nn.CrossEntropyLoss(label_smoothing=1.0)
    spec = nndoctor.Setup(model=nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 3)), train=(x, y), loss=loss,
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-2)).resolve()
    assert "less-label-smoothing" in [r.name for r in remedies_for("O406")]
    for remedy, code in ((lower_label_smoothing, "O406"), (reduce_regularisation, "O409")):
        (candidate,) = remedy(spec, Finding(code, Severity.ERROR, "test", evidence={}))
        assert candidate.setup.loss.label_smoothing == 0.1 and loss.label_smoothing == 1.0
        assert not candidate.loss_comparable
    logits = torch.randn(600, 3)
    assert math.isclose(float(loss(logits, y)), float(-torch.log_softmax(logits, 1).mean()), rel_tol=1e-6)  # uniform targets


class _Thumbs(torch.utils.data.Dataset):
    """A Hugging Face-style dataset: one dict per sample, thumbs-up/down as ±1 in its label entry."""

    def __init__(self) -> None:
        torch.manual_seed(0)
        self.users, self.thumbs = torch.randint(0, 50, (200,)), torch.randint(0, 2, (200,)).float() * 2 - 1

    def __len__(self) -> int:
        return 200

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"user_ids": self.users[i], "labels": self.thumbs[i]}


class _Taste(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.users = nn.Embedding(50, 1)

    def forward(self, user_ids: torch.Tensor) -> torch.Tensor:
        return self.users(user_ids).squeeze(-1)


def test_labels_recoded_in_dict_samples_keep_the_dict_the_collator_reads():
    """±1 thumbs for BCEWithLogitsLoss become 0/1 in each sample's label entry, the sample still a dict."""
    from nndoctor.findings import Finding
    from nndoctor.fix.remedies import encode_labels

    data = _Thumbs()
    spec = nndoctor.Setup(model=_Taste(), train=torch.utils.data.DataLoader(data, batch_size=32),
                          loss=nn.BCEWithLogitsLoss(), task="binary").resolve()
    (candidate,) = encode_labels(spec, Finding("D113", Severity.ERROR, "test", evidence={}))
    recoded = candidate.setup.train_loader.dataset
    assert all(set(recoded[i]) == {"user_ids", "labels"} for i in range(3))
    labels = torch.cat([batch["labels"] for batch in candidate.setup.train_loader])
    assert torch.equal(labels, (data.thumbs > 0).float())
