"""Models whose forward takes several positional inputs (``model(x_num, x_cat)``, ``model(x, mask)``).

Checkup feeds ``nndoctor.Inputs`` from the user's ``inputs=`` accessor as positional
arguments; ``nndoctor run`` builds them itself from the loader's batch, or from the loop's own
inputs when no DataLoader feeds it, so the data, model and loss exam runs on such scripts too.
The batch-mixing and gradient checks differentiate through every float input (and the first
embedding's output for integer ones): a model that mixes samples, or a custom backward that is
wrong, is found behind two inputs as behind one, and a healthy one stays silent.
"""
from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nndoctor
from nndoctor import Inputs, Severity, SetupError
from nndoctor.watch.run import run_script


class TabularNet(nn.Module):
    """Numeric features beside an embedded categorical code; ``mix`` pairs each row with another row's code."""

    def __init__(self, mix: bool = False) -> None:
        super().__init__()
        self.mix = mix
        self.emb = nn.Embedding(12, 4)
        self.body = nn.Sequential(nn.Linear(8 + 4, 32), nn.ReLU(), nn.Linear(32, 3))

    def forward(self, x_num: torch.Tensor, x_cat: torch.Tensor) -> torch.Tensor:
        codes = self.emb(x_cat)
        return self.body(torch.cat([x_num, codes.flip(0) if self.mix else codes], dim=1))


class WrongSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):  # type: ignore[override]
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):  # type: ignore[override]
        (x,) = ctx.saved_tensors
        return grad * x  # the derivative of x*x is 2x


class SquaringNet(TabularNet):
    def forward(self, x_num: torch.Tensor, x_cat: torch.Tensor) -> torch.Tensor:
        hidden = self.body[0](torch.cat([x_num, self.emb(x_cat)], dim=1))
        return self.body[2](WrongSquare.apply(hidden))


def tabular_setup(model: nn.Module) -> nndoctor.Setup:
    g = torch.Generator().manual_seed(0)
    n = 900
    xn = torch.randn(n, 8, generator=g)
    xc = torch.randint(0, 12, (n,), generator=g)
    y = (xn[:, 0] + (xc % 3).float() > 1).long() + (xn[:, 1] > 0).long()
    train = DataLoader(TensorDataset(xn[:750], xc[:750], y[:750]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(xn[750:], xc[750:], y[750:]), batch_size=64)
    return nndoctor.Setup(model=model, train=train, val=val, loss=nn.CrossEntropyLoss(),
                          inputs=lambda b: Inputs(b[0], b[1]), targets=lambda b: b[2])


def codes(report: nndoctor.Report) -> set[str]:
    return {f.code for f in report.at_least(Severity.WARNING)}


def test_inputs_pickle_and_copy_as_inputs():
    x = Inputs(torch.ones(2, 3), torch.zeros(2, dtype=torch.long))
    for twin in (pickle.loads(pickle.dumps(x)), copy.deepcopy(x)):
        assert isinstance(twin, Inputs) and len(twin) == 2 and torch.equal(twin[0], x[0])


@pytest.mark.parametrize("model, code", [(TabularNet(mix=True), "M207"), (SquaringNet(), "M208")])
def test_checkup_finds_model_faults_behind_two_inputs(model, code):
    report = nndoctor.checkup(tabular_setup(model), select=["M207", "M208"])
    assert not report.failures, report.failures
    assert code in codes(report), report.verdict()


def test_checkup_is_silent_on_a_healthy_two_input_model():
    report = nndoctor.checkup(tabular_setup(TabularNet()), select=["M", "L"])
    assert not report.failures, report.failures
    assert not codes(report), report.verdict()


def test_an_accessor_that_raises_is_a_setup_error_naming_it():
    rows = TensorDataset(torch.randn(64, 8), torch.randint(0, 12, (64,)), torch.randint(0, 3, (64,)))
    setup = nndoctor.Setup(model=TabularNet(), train=DataLoader(rows, batch_size=16),
                           inputs=lambda b: b[5], targets=lambda b: b[2])
    with pytest.raises(SetupError, match="inputs= accessor"):
        nndoctor.checkup(setup)


LOADER_SCRIPT = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
torch.manual_seed(0)

class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = nn.Embedding(12, 4)
        self.body = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 3))
    def forward(self, x_num, x_cat):
        return self.body(torch.cat([x_num, self.emb(x_cat)], dim=1))

g = torch.Generator().manual_seed(0)
xn = torch.randn(2000, 8, generator=g)
xc = torch.randint(0, 12, (2000,), generator=g)
y = (xn[:, 0] + (xc % 3).float() > 1).long() + (xn[:, 1] > 0).long()
xn = xn * SCALE
train = DataLoader(TensorDataset(xn[:1600], xc[:1600], y[:1600]), batch_size=64, shuffle=True)
val = DataLoader(TensorDataset(xn[1600:], xc[1600:], y[1600:]), batch_size=256)
model = Net()
opt = torch.optim.Adam(model.parameters(), lr=2e-3)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(4):
    model.train()
    for xb, cb, yb in train:
        opt.zero_grad()
        loss_fn(model(xb, cb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb, cb).argmax(1) == yb).sum().item() for xb, cb, yb in val)
'''

LOOP_SCRIPT = '''
import torch
from torch import nn
torch.manual_seed(0)

class Pool(nn.Module):
    def __init__(self):
        super().__init__()
        self.proj = nn.Sequential(nn.Linear(6, 32), nn.ReLU())
        self.head = nn.Linear(32, 2)
    def forward(self, x, mask):
        h = self.proj(x) * mask.unsqueeze(-1)
        return self.head(h.sum(1) / mask.sum(1, keepdim=True).clamp(min=1))

g = torch.Generator().manual_seed(1)
X = torch.randn(1200, 12, 6, generator=g)
M = (torch.arange(12)[None, :] < torch.randint(3, 13, (1200,), generator=g)[:, None]).float()
Y = (((X[..., 0] * M).sum(1) / M.sum(1)) > 0).long()
X = X * SCALE
model = Pool()
opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(3):
    perm = torch.randperm(1000)
    for i in range(0, 1000, 50):
        idx = perm[i:i + 50]
        loss = nn.functional.cross_entropy(model(X[idx], M[idx]), Y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
'''


def run(tmp_path: Path, script: str, scale: float) -> nndoctor.Report:
    path = tmp_path / "train.py"
    path.write_text(script.replace("SCALE", repr(scale)))
    outcome = run_script(str(path), alerts=False)
    assert outcome.exit_status == 0
    assert not outcome.report.failures, outcome.report.failures
    return outcome.report


@pytest.mark.parametrize("script", [LOADER_SCRIPT, LOOP_SCRIPT], ids=["loader", "loop"])
def test_run_examines_a_model_fed_two_positional_inputs(tmp_path, script):
    healthy = run(tmp_path, script, 1.0)
    skipped = " ".join(healthy.skipped)
    assert "positional inputs" not in skipped and "data, model and loss checks skipped" not in skipped, skipped
    assert healthy.extra["exam"]["capture"]["loss_known"], healthy.extra["exam"]["capture"]
    assert "D101" not in codes(healthy), healthy.verdict()
    raw = run(tmp_path, script, 300.0)
    assert "D101" in codes(raw), raw.verdict()
