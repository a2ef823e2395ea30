"""Round 26's measurements (benchmarks/outofsample/round26/RESULTS.md)."""
from __future__ import annotations

import textwrap

import pytest

from conftest import codes
from nndoctor.watch.run import run_script

# A forecaster in the round's style: targets standardised for training; validation scores de-standardised
# predictions against the raw targets (kg), or against standardised targets of a later, heavier regime.
SCRIPT = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1600, 6)).astype(np.float32)
    load = 20 + 6 * np.tanh(X[:, 0]) + 4 * X[:, 1] * X[:, 2] + rng.normal(0, 1, 1600)
    if {shifted}:
        load[1200:] += 12.0  # the validation rows come from a heavier season
    y = load.astype(np.float32)
    tr, va = np.arange(1200), np.arange(1200, 1600)
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    val_targets = (y[va] - y_mu) / y_sd if {shifted} else y[va]
    train_dl = DataLoader(TensorDataset(torch.tensor(X[tr]), torch.tensor((y[tr] - y_mu) / y_sd)), batch_size=32,
                          shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(X[va]), torch.tensor(val_targets)), batch_size=200)
    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 1))
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)

    @torch.no_grad()
    def evaluate():
        model.eval()
        se = n = 0
        for xb, yb in val_dl:
            pred = model(xb).squeeze(-1)
            pred = pred if {shifted} else pred * y_sd + y_mu
            se += float(((pred - yb) ** 2).sum()); n += len(yb)
        return se / n

    for epoch in range(6):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            loss = nn.functional.mse_loss(model(xb).squeeze(-1), yb)
            loss.backward()
            opt.step()
        print(f"epoch {{epoch}} val mse {{evaluate():.3f}}")
""")


@pytest.mark.parametrize("shifted", [False, True])
def test_validation_targets_in_raw_units_are_not_a_shift_but_a_later_regime_in_the_same_units_is(tmp_path, shifted):
    """b/coldstore_frost_gru (healthy): standardised training targets, validation scored in kg after de-standardising
    the predictions: D109 read the units as a shift of the target (KS 0.67). Units follow the watch's own rule for a
    validation loss (``in_same_units``); a validation season 12 kg heavier, standardised alike, is still a shift."""
    path = tmp_path / "forecast.py"
    path.write_text(SCRIPT.format(shifted=shifted))
    report = run_script(str(path), alerts=False).report
    assert ("D109" in codes(report)) == shifted, [(f.code, f.message) for f in report.findings]
    units = [f for f in report.findings if f.code == "D109" and f.evidence.get("kind") == "units"]
    assert bool(units) != shifted  # the raw targets are named as units (a note), the heavier season is not


EMA_SCRIPT = textwrap.dedent("""
    import copy, os, tempfile
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1500, 10)).astype(np.float32)
    y = (X[:, 0] + X[:, 1] * X[:, 2] > 0).astype(np.int64)
    Xtr, ytr = X[:1200], y[:1200]
    held = np.arange(1200, 1500)
    # 120 validation rows copied from training, or none
    rows = np.concatenate([np.arange(120), held[:180]]) if {leaked} else held
    Xv, yv = X[rows], y[rows]
    train_dl = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)
    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 2))
    ema = copy.deepcopy(model).eval()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(5):
        model.train()
        for xb, yb in train_dl:
            opt.zero_grad()
            nn.functional.cross_entropy(model(xb), yb).backward()
            opt.step()
            with torch.no_grad():
                for e, p in zip(ema.parameters(), model.parameters()):
                    e.mul_(0.95).add_(p, alpha=0.05)
        with torch.no_grad():
            accuracy = (ema(torch.tensor(Xv)).argmax(1) == torch.tensor(yv)).float().mean()
        print(f"epoch {{epoch}} ema acc {{accuracy:.3f}}")
    with tempfile.TemporaryDirectory() as d:
        torch.save(ema, os.path.join(d, "ema.pt"))
        scorer = torch.load(os.path.join(d, "ema.pt"), weights_only=False)
    with torch.no_grad():
        print("val loss", nn.functional.cross_entropy(scorer(torch.tensor(Xv)), torch.tensor(yv)).item())
""")


@pytest.mark.parametrize("leaked", [False, True])
def test_validation_scored_only_through_an_ema_copy_is_the_exams_validation(tmp_path, leaked):
    """a/hail_roof_claims (D110): the model is evaluated only through an EMA kept by deepcopy, saved whole and loaded
    to score: the exam had no validation split and missed the training labels validation contradicts. A copy of the
    model (its class, its parameters' names and shapes) evaluated on a tensor now counts as the model; a validation
    split with rows copied from training reads D108 through it, a held-out one nothing."""
    path = tmp_path / "ema_eval.py"
    path.write_text(EMA_SCRIPT.format(leaked=leaked))
    report = run_script(str(path), alerts=False).report
    assert any("copy of it" in note and "with the targets" in note for note in report.skipped), report.skipped
    assert ("D108" in codes(report)) == leaked, [(f.code, f.message) for f in report.findings]
