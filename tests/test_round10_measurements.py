"""Measurements changed after round 10's unseen material; each test reads a setup both ways (healthy, broken)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, Dataset

import nndoctor
from nndoctor import Severity
from nndoctor.combine import examine
from nndoctor.watch.capture import SetupCapture


def digits(binary: bool = False) -> tuple[torch.Tensor, torch.Tensor]:
    data = load_digits()
    x = torch.tensor(data.data, dtype=torch.float32)
    x = (x >= 8).float() if binary else x / 8.0 - 1.0
    return x, torch.tensor(data.target)


def mlp(inputs: int = 64, classes: int = 10) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(inputs, 64), nn.ReLU(), nn.Linear(64, classes))


def loud(report) -> set[str]:
    return {f.code for f in report.at_least(Severity.WARNING)}


# -- D105 and the range test on a count likelihood ------------------------------------------------
def counts(n: int = 2400) -> tuple[torch.Tensor, torch.Tensor]:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(n, 6, generator=g)
    rate = torch.exp(3.0 + 0.4 * x[:, 0] - 0.3 * x[:, 1])
    return x, torch.poisson(rate, generator=g).unsqueeze(1)


class LogRate(nn.Module):
    def __init__(self, mean: float) -> None:
        super().__init__()
        torch.manual_seed(0)
        self.net = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 1))
        nn.init.constant_(self.net[2].bias, float(np.log(mean)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


def test_counts_under_a_poisson_likelihood_are_not_d105_and_its_negative_loss_does_not_explode_the_range_test():
    x, y = counts()
    setup = nndoctor.Setup(model=LogRate(float(y.mean())), train=(x[:2000], y[:2000]), val=(x[2000:], y[2000:]),
                           loss=nn.PoissonNLLLoss(log_input=True), optimizer=lambda p: torch.optim.Adam(p, lr=2e-3),
                           task="regression", batch_size=64)
    report = nndoctor.checkup(setup, budget=60)
    assert not {"D105", "O401"} & loud(report), report.verdict()
    # the same counts under a distance loss are a units problem (the control)
    mse = nndoctor.Setup(model=mlp(6, 1), train=(x[:2000], y[:2000]), val=(x[2000:], y[2000:]), loss=nn.MSELoss(),
                         optimizer=lambda p: torch.optim.Adam(p, lr=2e-3), task="regression", batch_size=64)
    assert "D105" in nndoctor.checkup(mse, budget=60).codes


# -- D109: a random transform in the training dataset ------------------------------------------------
class Shifted(Dataset):
    """Digit scans shifted by up to one pixel (padding with the background), at random or by a fixed rule."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor, random: bool) -> None:
        self.x, self.y, self.random = x.view(-1, 1, 8, 8), y, random

    def __len__(self) -> int:
        return len(self.y)

    def __getitem__(self, i: int):
        pad = F.pad(self.x[i], (1, 1, 1, 1), value=-1.0)
        dy, dx = torch.randint(0, 3, (2,)).tolist() if self.random else (i % 3, (i // 3) % 3)
        return pad[:, dy:dy + 8, dx:dx + 8], self.y[i]


def cnn() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(16 * 64, 10))


def test_augmented_training_inputs_are_not_compared_with_validation_but_the_same_rows_fixed_are():
    x, y = digits()
    val = (x[1400:].view(-1, 1, 8, 8), y[1400:])

    def shift_codes(random: bool) -> set[str]:
        setup = nndoctor.Setup(model=cnn(), train=DataLoader(Shifted(x[:1400], y[:1400], random), batch_size=32, shuffle=True),
                               val=val, loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
        return {f.code for f in nndoctor.checkup(setup, budget=60).findings if f.code == "D109"}

    assert shift_codes(random=True) == set()
    assert shift_codes(random=False) == {"D109"}  # shifted rows in a fixed dataset do differ from validation's


def test_the_augmentation_probe_reads_items_under_its_own_seeds_and_puts_every_rng_back():
    import random
    from types import SimpleNamespace

    from nndoctor.probes.data_audit import augmented_inputs

    class Context:  # what the probe reads of a checkup context: the setup's training loader, and the probe cache
        def __init__(self, random_shift: bool) -> None:
            self.setup = SimpleNamespace(train_loader=DataLoader(Shifted(x[:100], y[:100], random_shift)))

        def probe(self, name, compute):
            return compute(self)

    x, y = digits()
    states = (torch.get_rng_state(), np.random.get_state()[1].copy(), random.getstate())
    assert augmented_inputs(Context(random_shift=True)) is True
    assert augmented_inputs(Context(random_shift=False)) is False
    assert torch.equal(torch.get_rng_state(), states[0]) and np.array_equal(np.random.get_state()[1], states[1])
    assert random.getstate() == states[2]


# -- D108 on rows of flags ----------------------------------------------------------------------------
def test_binarised_scans_repeat_by_themselves_and_only_copies_beyond_that_are_d108():
    x, y = digits(binary=True)
    perm = torch.randperm(len(x), generator=torch.Generator().manual_seed(0))
    x, y = x[perm], y[perm]
    train, val = (x[:1400], y[:1400]), (x[1400:], y[1400:])

    def leak_codes(val_split) -> set[str]:
        setup = nndoctor.Setup(model=mlp(), train=train, val=val_split, loss=nn.CrossEntropyLoss(),
                               optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
        return {f.code for f in nndoctor.checkup(setup, budget=60).findings if f.code == "D108" and f.severity.at_least(Severity.WARNING)}

    assert leak_codes(val) == set()
    leaked = (torch.cat([val[0][:250], train[0][:150]]), torch.cat([val[1][:250], train[1][:150]]))  # 37% copied
    assert leak_codes(leaked) == {"D108"}


# -- M203 in a frozen backbone --------------------------------------------------------------------
def encoder_with_dead_units() -> nn.Sequential:
    torch.manual_seed(0)
    encoder = nn.Sequential(nn.Linear(64, 64), nn.ReLU())
    with torch.no_grad():
        encoder[0].bias[:40] = -50.0  # 40 of 64 units silent on every input
    return encoder


def test_dead_units_in_a_frozen_pretrained_encoder_are_not_m203_but_in_a_trained_one_they_are():
    x, y = digits()

    def dead_codes(frozen: bool) -> set[str]:
        encoder = encoder_with_dead_units()
        encoder.requires_grad_(not frozen)
        model = nn.Sequential(encoder, nn.Linear(64, 10))
        setup = nndoctor.Setup(model=model, train=(x[:1400], y[:1400]), val=(x[1400:], y[1400:]), loss=nn.CrossEntropyLoss(),
                               optimizer=lambda p: torch.optim.Adam([q for q in p if q.requires_grad], lr=1e-3), batch_size=64)
        return {f.code for f in nndoctor.checkup(setup, budget=60).findings if f.code == "M203"}

    assert dead_codes(frozen=True) == set()
    assert dead_codes(frozen=False) == {"M203"}


# -- run: a GAN's fakes are not the loop's data -------------------------------------------------------
GAN = """
import torch
from torch import nn

torch.manual_seed(0)
real = torch.randn(4096, 2) * 0.2 + torch.tensor([1.0, -1.0])
netG = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
netD = nn.Sequential(nn.Linear(2, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
opt_d = torch.optim.Adam(netD.parameters(), lr=1e-3, betas=(0.5, 0.999))
opt_g = torch.optim.Adam(netG.parameters(), lr=1e-3, betas=(0.5, 0.999))
criterion = nn.BCEWithLogitsLoss()
for epoch in range(3):
    for i in range(0, 4096, 128):
        netD.zero_grad()
        criterion(netD(real[i:i + 128]).view(-1), torch.full((128,), 0.9)).backward()
        fake = netG(torch.randn(128, 8))
        criterion(netD(fake.detach()).view(-1), torch.zeros(128)).backward()
        opt_d.step()
        netG.zero_grad()
        criterion(netD(fake).view(-1), torch.ones(128)).backward()
        opt_g.step()
print("done")
"""


def test_a_gans_generated_batches_are_left_out_of_the_loop_sample(tmp_path):
    from nndoctor.watch.run import run_script

    script = tmp_path / "gan.py"
    script.write_text(GAN)
    outcome = run_script(str(script), alerts=False, keep_capture=True)
    batches = outcome.capture.sample.batches
    assert batches and all(torch.all(y == 0.9) for _, y in batches)  # the discriminator's real batches only
    assert all(x.mean(0)[0] > 0.5 for (x,), _ in batches)  # real rows sit at (1, -1), not the generator's
    assert "D115" not in loud(outcome.report), outcome.report.verdict()


# -- run: an evaluation pass over chunks of the training tensor is not the validation split ---------------
def test_a_training_chunk_evaluated_first_is_not_taken_for_validation():
    x, y = digits()
    xt, yt, xv, yv = x[:1400], y[:1400], x[1400:], y[1400:]
    model = mlp()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)

    def sse(inputs: torch.Tensor, targets: torch.Tensor) -> float:
        model.eval()
        with torch.no_grad():
            return sum(F.cross_entropy(model(inputs[i:i + 512]), targets[i:i + 512], reduction="sum").item()
                       for i in range(0, len(inputs), 512))

    with SetupCapture() as capture:
        for _ in range(3):
            model.train()
            perm = torch.randperm(len(xt))
            for i in range(0, len(xt), 32):
                idx = perm[i:i + 32]
                optimizer.zero_grad()
                F.cross_entropy(model(xt[idx]), yt[idx]).backward()
                optimizer.step()
            sse(xt, yt), sse(xv, yv)
    report = examine(capture)
    assert capture.val_tensor is not None and capture.val_tensor.rows == len(xv)
    assert "D108" not in loud(report), report.verdict()


# -- run: a hand-written SGD update is measured as SGD at its LR ----------------------------------------
MANUAL_SGD = """
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(2048, 8)
y = x[:, :1] * 2.0 - x[:, 1:2] + 0.1 * torch.randn(2048, 1)
model = nn.Sequential(nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 1))
velocity = [torch.zeros_like(p) for p in model.parameters()]
for epoch in range(3):
    perm = torch.randperm(2048)
    for i in range(0, 2048, 64):
        idx = perm[i:i + 64]
        loss = nn.functional.mse_loss(model(x[idx]), y[idx])
        CLEAR_BEFORE
        loss.backward()
        with torch.no_grad():
            for p, v in zip(model.parameters(), velocity):
                UPDATE
                CLEAR_AFTER
print("done", loss.item())
"""


@pytest.mark.parametrize("clear_before, clear_after", [
    ("model.zero_grad()", ""),
    ("", "p.grad.zero_()"),  # cleared in place by hand: no zero_grad call to measure at
    ("", "p.grad = None"),
])
def test_a_hand_written_sgd_update_is_examined_as_sgd_at_its_measured_lr_and_momentum_is_not(tmp_path, clear_before,
                                                                                              clear_after):
    from nndoctor.watch.run import run_script

    def measured(update: str):
        script = tmp_path / "train.py"
        script.write_text(MANUAL_SGD.replace("UPDATE", update).replace("CLEAR_BEFORE", clear_before or "pass")
                          .replace("CLEAR_AFTER", clear_after or "pass"))
        outcome = run_script(str(script), alerts=False, keep_capture=True)
        return outcome.report.extra.get("manual_sgd_lr"), outcome.capture.setup()

    lr, setup = measured("p -= 0.03 * p.grad")
    assert lr is not None and abs(lr - 0.03) < 1e-6
    optimizer = setup.make_optimizer(setup.fresh_model())
    assert isinstance(optimizer, torch.optim.SGD) and abs(optimizer.param_groups[0]["lr"] - 0.03) < 1e-6
    lr, setup = measured("v.mul_(0.9).add_(p.grad); p -= 0.03 * v")  # momentum: not along -grad after the first step
    assert lr is None and "unknown" in setup.optimizer_description


# -- D111 with a model fed several inputs -----------------------------------------------------------
TWO_INPUTS = """
import numpy as np
import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
n = 3000
x = rng.normal(size=(n, 6)).astype(np.float32)
plan = rng.integers(0, 5, n)
logit = 1.5 * x[:, 0] - x[:, 1] + np.array([-1.0, 0.0, 0.5, 1.0, 2.0])[plan]
y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.int64)
ORDER


class Churn(nn.Module):
    def __init__(self):
        super().__init__()
        self.plan = nn.Embedding(5, 4)
        self.mlp = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2))

    def forward(self, x_num, plan_id):
        return self.mlp(torch.cat([x_num, self.plan(plan_id)], dim=1))


torch.manual_seed(0)
train = TensorDataset(torch.from_numpy(x[:2400]), torch.from_numpy(plan[:2400]), torch.from_numpy(y[:2400]))
val = TensorDataset(torch.from_numpy(x[2400:]), torch.from_numpy(plan[2400:]), torch.from_numpy(y[2400:]))
model, loss_fn = Churn(), nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(4):
    model.train()
    for xb, pb, yb in DataLoader(train, batch_size=64, shuffle=True):
        optimizer.zero_grad()
        loss_fn(model(xb, pb), yb).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb, pb).argmax(1) == yb).sum().item() for xb, pb, yb in DataLoader(val, batch_size=500))
print("val acc", correct / 600)
"""


def test_labels_unpaired_from_a_two_input_model_are_d111_and_paired_ones_are_not(tmp_path):
    from nndoctor.watch.run import run_script

    def codes(order: str) -> set[str]:
        script = tmp_path / "churn.py"
        script.write_text(TWO_INPUTS.replace("ORDER", order))
        return loud(run_script(str(script), alerts=False).report)

    assert "D111" in codes("y = y[rng.permutation(n)]"), "labels shuffled against both inputs"
    assert not {"D110", "D111"} & codes("")


# -- G602: one batch not memorised at one LR is not "at any LR" ---------------------------------------
def test_without_a_range_suggestion_the_single_batch_tries_a_decade_below_a_loss_that_rose():
    from nndoctor.checks.generalisation import fit_evidence
    from nndoctor.probes.overfit import single_batch_overfit
    from nndoctor.verdicts.generalisation import underfitting

    x, y = digits()

    def attempts(lr: float):
        setup = nndoctor.Setup(model=mlp(), train=(x[:512], y[:512]), loss=nn.CrossEntropyLoss(),
                               optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9), batch_size=32).resolve()
        batch = (x[:32], y[:32])
        return single_batch_overfit(setup, batch, mlp, fallback_lr=lambda: None)

    too_high = attempts(lr=8.0)
    assert [(a.source, a.fitted) for a in too_high.attempts] == [("user", False), ("decade", True)]
    assert too_high.attempts[1].lr == pytest.approx(0.8)
    finding = underfitting(fit_evidence(too_high))
    assert finding.evidence["lr_cause"] == "O401"  # a decade below fits: the LR, not the capacity
    hopeless = attempts(lr=20.0)  # not at 20, not at 2: two LRs tried, neither fits
    assert underfitting(fit_evidence(hopeless)).evidence["at_any_lr"] is True
    assert [a.source for a in attempts(lr=0.05).attempts] == ["user"]  # fitted at the user's LR: nothing more


def test_a_random_split_of_an_interaction_log_repeats_pairs_by_itself_and_copied_rows_are_d108():
    g = torch.Generator().manual_seed(0)
    users, items = torch.randint(0, 300, (12000,), generator=g), torch.randint(0, 40, (12000,), generator=g)
    context = torch.randn(300, 2, generator=g)[users]  # a user's context columns move with the user id
    x = torch.cat([users[:, None].float(), items[:, None].float(), context], dim=1)
    y = (torch.rand(12000, generator=g) < 0.3).long()
    train, val = (x[:9000], y[:9000]), (x[9000:], y[9000:])

    def leak_codes(val_split) -> set[str]:
        setup = nndoctor.Setup(model=mlp(4, 2), train=train, val=val_split, loss=nn.CrossEntropyLoss(),
                               optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64)
        return {f.code for f in nndoctor.checkup(setup, budget=60).findings
                if f.code in ("D107", "D108") and f.severity.at_least(Severity.WARNING)}

    assert leak_codes(val) == set()  # a (user, item) pair seen in both splits is the log's own repeat rate
    leaked = (torch.cat([val[0][:2000], train[0][:1000]]), torch.cat([val[1][:2000], train[1][:1000]]))
    assert leak_codes(leaked) == {"D108"}


def test_the_scripts_own_model_beating_the_majority_refutes_d111_that_the_probes_missed():
    from nndoctor.checks.data import model_beats_majority
    from nndoctor.verdicts.data import LabelProbe, labels_unpredictable

    probes_missed = dict(task="binary", best=0.53, best_probe="logistic regression", n=1000, scores={"logistic regression": 0.53},
                         chance=0.52, p_value=0.3, upper_bound=0.56, rank_p_value=0.4)
    # a GRU that reads the order of events: 915 of 1000 held-out labels right where the majority class is 520
    found = model_beats_majority({"support": [520, 480], "correct": [480, 435]})
    assert found < 1e-6
    assert list(labels_unpredictable(LabelProbe(**probes_missed, model_p_value=found))) == []
    # shuffled labels: the model predicts the majority class everywhere and gains nothing over it
    at_majority = model_beats_majority({"support": [780, 220], "correct": [780, 0]})
    assert [f.code for f in labels_unpredictable(LabelProbe(**probes_missed, model_p_value=at_majority))] == ["D111"]


def test_a_remedy_derived_from_a_setup_with_unlabelled_validation_scores_on_training():
    from nndoctor.fix.transforms import derive
    from nndoctor.fix.trials import scored_split

    x, y = digits()
    setup = nndoctor.Setup(model=mlp(), train=(x[:1400], y[:1400]), val=(x[1400:], None), loss=nn.CrossEntropyLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=64).resolve()
    candidate = derive(setup, optimizer=lambda p: torch.optim.Adam(p, lr=1e-2))
    assert not candidate.val_labelled and scored_split(candidate) == scored_split(setup) == "train"


def test_a_dataset_copied_before_its_split_is_not_taken_for_discrete_rows():
    """Copies repeat every column's values too; discreteness is counted over the distinct rows."""
    from sklearn.datasets import load_wine
    from sklearn.model_selection import train_test_split

    from nndoctor.probes.data_duplicates import all_discrete

    x, y = load_wine(return_X_y=True)
    assert not all_discrete(np.concatenate([x] * 4))
    xs, ys = np.concatenate([x] * 4).astype(np.float32), np.concatenate([y] * 4)
    xt, xv, yt, yv = train_test_split(xs, ys, test_size=0.25, random_state=0, stratify=ys)
    mean, std = xt.mean(0), xt.std(0)
    setup = nndoctor.Setup(model=mlp(13, 3), train=((xt - mean) / std, yt), val=((xv - mean) / std, yv),
                           loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=16)
    assert {"D107", "D108"} <= loud(nndoctor.checkup(setup, budget=60))


RATINGS = """
import torch
from torch import nn

g = torch.Generator().manual_seed(0)
users, items = torch.randint(0, 300, (6000,), generator=g), torch.randint(0, 200, (6000,), generator=g)
rating = torch.randn(300, generator=g)[users] + torch.randn(200, generator=g)[items] + 0.3 * torch.randn(6000, generator=g)


class Factors(nn.Module):
    def __init__(self):
        super().__init__()
        self.user, self.item = nn.Embedding(300, 8), nn.Embedding(200, 8)
        self.user_bias, self.item_bias = nn.Embedding(300, 1), nn.Embedding(200, 1)

    def forward(self, u, i):
        return (self.user(u) * self.item(i)).sum(1) + self.user_bias(u).squeeze(1) + self.item_bias(i).squeeze(1)


torch.manual_seed(0)
model = Factors()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
for epoch in range(8):
    perm = torch.randperm(5000)
    for start in range(0, 5000, 100):
        idx = perm[start:start + 100]
        optimizer.zero_grad()
        nn.functional.mse_loss(model(users[idx], items[idx]), rating[idx]).backward()
        optimizer.step()
with torch.no_grad():
    print("val mse", nn.functional.mse_loss(model(users[5000:], items[5000:]), rating[5000:]).item())
"""


def test_a_two_input_model_with_many_level_ids_is_not_probed_as_magnitudes(tmp_path):
    """Ratings from user and item ids (300 and 200 levels, embedded): the probes cannot read ids as numbers, so
    their failing says nothing about the targets (no D111 on a healthy factorisation)."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "ratings.py"
    script.write_text(RATINGS)
    assert not {"D110", "D111"} & loud(run_script(str(script), alerts=False).report)


IMBALANCED = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

g = torch.Generator().manual_seed(0)
y = (torch.rand(6000, generator=g) < 0.04).long()  # class 1 is 24x rarer
x = torch.randn(6000, 8, generator=g) + 3.0 * y[:, None].float()  # and far from class 0: easy to recognise
torch.manual_seed(0)
model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 2))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
train = DataLoader(TensorDataset(x[:4000], y[:4000]), batch_size=64, shuffle=True)
for epoch in range(4):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        optimizer.step()
EVALUATE
"""


def test_run_reads_imbalance_the_model_recognises_as_information_and_unevaluated_imbalance_as_a_warning(tmp_path):
    from nndoctor.watch.run import run_script

    def d106(evaluate: str):
        script = tmp_path / "imbalanced.py"
        script.write_text(IMBALANCED.replace("EVALUATE", evaluate))
        return next(f for f in run_script(str(script), alerts=False).report.findings if f.code == "D106")

    evaluated = d106("model.eval()\nwith torch.no_grad():\n"
                     "    for xb, yb in DataLoader(TensorDataset(x[4000:], y[4000:]), batch_size=500):\n"
                     "        print(nn.functional.cross_entropy(model(xb), yb).item())")
    assert evaluated.severity == Severity.INFO and evaluated.evidence["trial_recall"] is not None
    assert d106("").severity == Severity.WARNING  # no evaluation pass: nothing shows the rare class is recognised
