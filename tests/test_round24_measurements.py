"""Round 24's measurements (benchmarks/outofsample/round24/RESULTS.md): what the watch misread, and now reads."""
from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
import torch

# A regression target that is a nonlinear statistic of the inputs (each row's spread): a linear probe or nearest
# neighbours on the raw values cannot find it, the script's model (which computes the spread in forward) does.
SPREAD_TARGET = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)
n, width = 1200, 32
scale = torch.rand(n) * 1.5 + 0.5
x = torch.randn(n, width) * scale[:, None]
y = (scale - 1.25) / 0.43
PAIRING
train = DataLoader(TensorDataset(x[:1000], y[:1000]), batch_size=50, shuffle=True)
val = DataLoader(TensorDataset(x[1000:], y[1000:]), batch_size=100)
class Spread(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
    def forward(self, x):
        return self.head(x.pow(2).mean(1, keepdim=True).sqrt()).squeeze(-1)
model = Spread()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(8):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        nn.functional.mse_loss(model(xb), yb).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        sse = sum(nn.functional.mse_loss(model(xb), yb, reduction="sum").item() for xb, yb in val)
    print(f"val mse {sse / 200:.3f}")
"""


@pytest.mark.parametrize("pairing, flagged", [("", False), ("y = y[torch.randperm(n)]", True)])
def test_held_out_rows_the_model_predicts_prove_regression_targets_paired(tmp_path, pairing, flagged):
    # round 24's e/rail_geometry_transformer: a track-quality index (a roughness of the trace) that ridge and
    # nearest neighbours score at R² -0.006, read as unpaired targets (D111, error) while the model reached R² 0.83
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(SPREAD_TARGET.replace("PAIRING", pairing))
    with contextlib.redirect_stdout(io.StringIO()) as printed:
        report = run_script(str(script), alerts=False).report
    val_mse = float(printed.getvalue().split("val mse")[-1])
    assert (val_mse > 0.9) == flagged  # paired: the model learned (targets have unit variance); unpaired: it cannot
    assert ("D111" in report.codes) == flagged
    terms = report.extra["eval_loss_terms"]
    assert terms["rows"] == 200 and terms["mean"] == pytest.approx(val_mse, abs=1e-3)


def test_paired_terms_against_a_direct_computation():
    from nndoctor.checks.data import model_beats_constant
    from nndoctor.record.heldout_errors import paired_terms, squared_error_sums

    rng = np.random.default_rng(3)
    y = rng.normal(40.0, 5.0, 300)  # far from zero: the expansion must not cancel away the squared errors
    prediction = y + rng.normal(0.0, 2.0, 300)
    batches = [squared_error_sums(torch.tensor(prediction[i:i + 64]), torch.tensor(y[i:i + 64]))
               for i in range(0, 300, 64)]
    totals = [sum(column) for column in zip(*batches)]
    terms = paired_terms(totals)
    error, constant = (prediction - y) ** 2, (y - y.mean()) ** 2
    assert terms["rows"] == 300
    assert terms["mean"] == pytest.approx(error.mean(), rel=1e-9)
    assert terms["constant"] == pytest.approx(constant.mean(), rel=1e-9)
    assert terms["variance"] == pytest.approx(np.var(error - constant, ddof=1), rel=1e-6)
    assert model_beats_constant(terms) < 1e-6  # errors of 2 against a spread of 5
    shuffled = paired_terms([sum(column) for column in zip(*[
        squared_error_sums(torch.tensor(rng.permutation(prediction)[:150]), torch.tensor(y[:150]))])])
    assert model_beats_constant(shuffled) > 0.5  # predictions unrelated to their rows do worse than the mean
    assert squared_error_sums(torch.zeros(4, 2), torch.zeros(4, 2)) is None  # a target per column: not one mean


SPREAD_SPEC = """
import torch
from torch import nn
import nndoctor
class Spread(nn.Module):
    def __init__(self):
        super().__init__()
        self.head = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 1))
    def forward(self, x):
        return self.head(x.pow(2).mean(1, keepdim=True).sqrt()).squeeze(-1)
def setup():
    g = torch.Generator().manual_seed(0)
    n, width = 1200, 32
    scale = torch.rand(n, generator=g) * 1.5 + 0.5
    x = torch.randn(n, width, generator=g) * scale[:, None]
    y = (scale - 1.25) / 0.43
    PAIRING
    return nndoctor.Setup(model=Spread(), train=(x[:1000], y[:1000]), val=(x[1000:], y[1000:]),
                          loss=nn.MSELoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-2), batch_size=50)
"""


@pytest.mark.parametrize("pairing, flagged", [("", False), ("y = y[torch.randperm(n, generator=g)]", True)])
def test_the_trials_held_out_errors_prove_regression_targets_paired_in_checkup(tmp_path, pairing, flagged):
    # the same spread target as a spec: checkup has no script evaluation, its trial trains the model on a copy
    from nndoctor import checkup
    from nndoctor.cli import load_setup

    spec = tmp_path / "spec.py"
    spec.write_text(SPREAD_SPEC.replace("PAIRING", pairing))
    report = checkup(load_setup(str(spec)), select=["D111"])
    assert ("D111" in report.codes) == flagged
