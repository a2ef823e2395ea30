"""Measurements that round 11's unseen scripts showed wrong (benchmarks/outofsample/round11); each test fails on the
commit before its change."""
from __future__ import annotations

import torch
from sklearn.datasets import load_digits
from torch import nn

import nndoctor


def digits() -> tuple[torch.Tensor, torch.Tensor]:
    data = load_digits()
    return torch.tensor(data.data, dtype=torch.float32) / 8.0 - 1.0, torch.tensor(data.target)


def codes(model: nn.Module, select: list[str]) -> list[tuple[str, str, str | None]]:
    x, y = digits()
    setup = nndoctor.Setup(model=model, train=(x[:1400], y[:1400]), val=(x[1400:], y[1400:]), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
    return [(f.code, f.severity.name, f.explained_by) for f in nndoctor.checkup(setup, budget=60, select=select).findings]


# -- M210 against L307: a gain written in forward() ----------------------------------------------------
class ScaledHead(nn.Module):
    """ReLU features into a Linear head whose outputs forward() multiplies by ``gain`` (a logit scale)."""

    def __init__(self, gain: float) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.body, self.head, self.gain = nn.Sequential(nn.Linear(64, 64), nn.ReLU()), nn.Linear(64, 10), gain

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.body(x)) * self.gain


def test_an_offset_a_gain_in_forward_multiplies_is_the_gains_l307_not_the_bias_m210():
    assert codes(ScaledHead(16.0), ["M210", "L307"]) == [("L307", "WARNING", None)]
    assert codes(ScaledHead(1.0), ["M210", "L307"]) == []
    off_prior = ScaledHead(1.0)
    with torch.no_grad():
        off_prior.head.bias.copy_(torch.linspace(-12, 12, 10))  # the bias itself far from the prior: still M210
    assert ("M210", "WARNING", None) in codes(off_prior, ["M210", "L307"])


# -- D105: targets whose offset the model already starts at ---------------------------------------------
class OffsetRegressor(nn.Module):
    """A small net whose forward adds a fixed global mean (a recommender's mu, a persistence baseline)."""

    def __init__(self, offset: float) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
        self.register_buffer("mu", torch.tensor(offset))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.mu + self.net(x).squeeze(-1)


def test_targets_off_zero_are_not_d105_when_the_model_starts_at_their_mean():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(1200, 8, generator=g)
    y = 30.0 + 2.0 * x[:, 0] + 0.5 * torch.randn(1200, generator=g)  # mean 30, std about 2: only the offset is off

    def d105(offset: float) -> list[str]:
        setup = nndoctor.Setup(model=OffsetRegressor(offset), train=(x[:1000], y[:1000]), val=(x[1000:], y[1000:]),
                               loss=nn.MSELoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
        return [f.code for f in nndoctor.checkup(setup, budget=60, select=["D105"]).findings]

    assert d105(float(y[:1000].mean())) == []
    assert d105(0.0) == ["D105"]


# -- G603: a majority-plus-one-class predictor ------------------------------------------------------------
def test_classes_never_recognised_are_g603_while_accuracy_gains_less_than_their_share():
    from nndoctor.verdicts.generalisation import ClassRecall, accuracy_paradox_verdict

    support = {0: 1334, 1: 146, 2: 68, 3: 52}  # 83% majority; classes 1 and 3 hold 12% of the pass
    hidden = ClassRecall({0: 1.0, 1: 0.0, 2: 1.0, 3: 0.0}, support, "here")
    (found,) = accuracy_paradox_verdict(hidden)
    accuracy = (1334 + 68) / 1600
    assert found.evidence["never_predicted"] == [1, 3] and abs(found.evidence["accuracy"] - accuracy) < 1e-12
    # a tiny class missed by a model that is far better than the majority guess is not the paradox
    good = ClassRecall({0: 0.99, 1: 0.9, 2: 0.95, 3: 0.0}, {0: 1334, 1: 146, 2: 114, 3: 6}, "here")
    assert list(accuracy_paradox_verdict(good)) == []


# -- D112: a quantised magnitude whose effect rises and falls is not a code -----------------------------
def test_neighbouring_levels_with_like_targets_are_a_magnitude_and_shuffled_levels_a_code():
    import numpy as np

    from nndoctor.probes.data_audit import code_order, target_matrix
    from nndoctor.verdicts.data import CategoricalColumns, categorical_as_numeric

    rng = np.random.default_rng(0)
    level = rng.integers(0, 25, 4000)  # a spectral peak's bin, 25 evenly spaced levels
    labels = np.where(np.abs(level - 6) <= 2, 1, np.where(np.abs(level - 15) <= 2, 2, 0))  # two bands: rise and fall
    labels = np.where(rng.random(4000) < 0.2, rng.integers(0, 3, 4000), labels)
    targets = target_matrix(labels, "multiclass")
    band = code_order(0, level.astype(float), targets)
    code = code_order(0, rng.permutation(25)[level].astype(float), targets)  # the same effect behind arbitrary numbers
    assert band.p < 1e-6 and code.p < 1e-6  # neither a monotone nor a cubic fit follows the per-level means
    assert band.neighbour_p < 0.01 <= code.neighbour_p
    assert list(categorical_as_numeric(CategoricalColumns(orders=[band]))) == []
    assert [f.code for f in categorical_as_numeric(CategoricalColumns(orders=[code]))] == ["D112"]


# -- D109: a table of lagged values split in time --------------------------------------------------------
def test_lagged_columns_standardised_one_by_one_make_a_split_in_time():
    import numpy as np

    from nndoctor.probes.data_audit import _lagged_columns

    rng = np.random.default_rng(0)
    series = np.cumsum(rng.normal(size=600))
    rows = np.arange(24, 599)
    table = np.column_stack([np.stack([series[rows - k] for k in range(24)], 1), rng.normal(size=(len(rows), 3))])
    table = (table - table.mean(0)) / table.std(0)  # each lag scaled its own way: no exact copies left
    assert _lagged_columns(table[:-1], table[1:])
    assert not _lagged_columns(table[rng.permutation(len(table) - 1)], table[1:])  # rows that do not follow each other
    iid = rng.normal(size=(500, 27))
    assert not _lagged_columns(iid[:-1], iid[1:])


# -- diagnosis: what a same-batch loop and saturated units explain -----------------------------------------
def test_a_loop_fed_one_batch_explains_its_memorisation_curve_and_saturation_the_starved_updates():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding, Severity

    memorised = Finding("D111", Severity.ERROR, "memorises", {"val_best": 1.04, "train_end": 0.01, "reference": 1.03})
    probed = Finding("D111", Severity.ERROR, "probe at chance", {"scores": {"logistic": 0.1}})
    same_batch = Finding("T506", Severity.WARNING, "same batch", {"identical_pairs": 22})
    assert [(f.code, f.explained_by) for f in rank([memorised, same_batch])] == [("T506", None), ("D111", "T506")]
    assert ("D111", None) in [(f.code, f.explained_by) for f in rank([probed, Finding("T506", Severity.WARNING, "", {})])]
    starved = Finding("O412", Severity.WARNING, "too small", {"too_small": {"embedding.weight": 1e-6}, "some_layers": True})
    saturated = Finding("M204", Severity.WARNING, "tanh saturated", {})
    assert ("O412", "M204") in [(f.code, f.explained_by) for f in rank([starved, saturated])]
    oversized = Finding("O412", Severity.WARNING, "too large", {"too_large": {"embedding.weight": 0.5}, "some_layers": True})
    assert ("O412", None) in [(f.code, f.explained_by) for f in rank([oversized, Finding("M204", Severity.WARNING, "", {})])]


# -- O404 at the start of a run of plain gradient steps ---------------------------------------------------------
def test_a_stack_starved_at_the_start_of_plain_sgd_steps_is_o404_but_not_under_adam():
    from nndoctor.watch import live_rules
    from nndoctor.watch.telemetry import Telemetry

    t = Telemetry()
    names = ["0.weight", "2.weight", "4.weight", "6.weight"]
    t.weight_params, t.steps = names, 400
    for step in (0, 1, 2, 4, 8, 16, 50, 100, 150, 200, 250, 300, 350):
        t.grad_steps.append(step)
        head = 1.0 if step < 4 else 2e-3  # the output layer fits the mean within a few steps, then its gradient falls
        for name, grad in zip(names, (2e-5, 1e-4, 5e-4, head)):
            t.grad_norms.setdefault(name, []).append(grad)
            t.grad_norm_steps.setdefault(name, []).append(step)
            t.param_sizes[name] = 1
    sgd = {"initial_optimizers": [{"kind": "SGD", "groups": [{"lr": 0.05}]}]}
    adam = {"initial_optimizers": [{"kind": "Adam", "groups": [{"lr": 1e-3}]}]}
    found = list(live_rules.vanishing_gradients(t, sgd, True))
    assert [f.code for f in found] == ["O404"] and abs(found[0].evidence["ratio"] - 2e-5) < 1e-12
    assert list(live_rules.vanishing_gradients(t, adam, True)) == []


# -- D103 on channels, D101 on what the first weight layer multiplies ---------------------------------------
class StandardisesItsInput(nn.Module):
    """A 1-D CNN over (batch, channel, time) signals that standardises each channel with stored training statistics."""

    def __init__(self, mean: torch.Tensor, std: torch.Tensor, guard: bool) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.register_buffer("mean", mean)
        self.register_buffer("std", std.clamp_min(1e-6) if guard else std)
        self.net = nn.Sequential(nn.Conv1d(4, 8, 5, padding=2), nn.ReLU(), nn.AdaptiveAvgPool1d(1), nn.Flatten(), nn.Linear(8, 3))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net((x - self.mean) / self.std)


def test_a_constant_channel_standardised_inside_the_model_is_d103_and_its_raw_scale_no_d101():
    g = torch.Generator().manual_seed(0)
    x = 3e4 + 700 * torch.randn(600, 4, 64, generator=g)
    x[:, 3] = 3e4  # a sensor channel with sensitivity 0: the same value everywhere
    y = torch.randint(0, 3, (600,), generator=g)
    mean, std = x[:500].mean(dim=(0, 2), keepdim=True)[0], x[:500].std(dim=(0, 2), keepdim=True)[0]

    def found(guard: bool) -> dict[str, str]:
        setup = nndoctor.Setup(model=StandardisesItsInput(mean, std, guard), train=(x[:500], y[:500]), val=(x[500:], y[500:]),
                               loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=50)
        return {f.code: f.severity.name for f in nndoctor.checkup(setup, budget=60, select=["D101", "D103"]).findings}

    assert found(guard=False) == {"D103": "ERROR"}  # channel 3 reaches the first convolution as NaN
    assert found(guard=True) == {"D103": "INFO"}  # a finite constant channel only wastes an input


def test_the_exams_reading_of_the_input_scale_stands_over_the_raw_batches():
    from nndoctor.combine import merge
    from nndoctor.findings import Finding, Severity
    from nndoctor.report import Report

    watch = Report(mode="watch", findings=[Finding("D101", Severity.ERROR, "raw batches at 3e4", {"batches": 160})])
    exam = Report(mode="checkup", findings=[])
    exam.extra.update(exam_codes=["D101", "D102"], skipped_checks=[], inconclusive=[])
    assert "D101" not in {f.code for f in merge(watch, exam).findings}
    unjudged = Report(mode="checkup", findings=[])
    unjudged.extra.update(exam_codes=["D103"], skipped_checks=[], inconclusive=[])
    assert "D101" in {f.code for f in merge(watch, unjudged).findings}


# -- the exam runs the training checks its watch asked for after every other --------------------------------
def test_checks_of_the_codes_asked_for_last_run_after_all_others(monkeypatch):
    from nndoctor import runner

    order: list[tuple[str, ...]] = []

    def record(chk, ctx, wanted, failures, skipped):
        order.append(tuple(chk.codes))
        return [], None

    monkeypatch.setattr(runner, "_run_check", record)
    x, y = digits()
    setup = nndoctor.Setup(model=ScaledHead(1.0), train=(x[:200], y[:200]), loss=nn.CrossEntropyLoss())
    runner.checkup(setup, select=["G602", "G604", "D101"], look=False)
    plain = list(order)
    order.clear()
    runner.checkup(setup, select=["G602", "G604", "D101"], look=False, last=["G602"])
    assert sorted(plain) == sorted(order) and plain != order
    assert order[-1] == ("G602",) and plain.index(("G602",)) < len(plain) - 1
