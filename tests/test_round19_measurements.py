"""Round 19's measurements (benchmarks/outofsample/round19/RESULTS.md): what `run` could not see, and now reads."""
from __future__ import annotations

import pytest

from nndoctor import Severity

RECURRENT = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
g = torch.Generator().manual_seed(1)
x = torch.randn(256, 64, 4, generator=g)
y = x[:, -8:, 0].mean(1) + 0.1 * torch.randn(256, generator=g)
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = nn.RNN(4, 64, batch_first=True)
        self.out = nn.Linear(64, 1)
        for name, p in self.rnn.named_parameters():
            if name.startswith("weight_hh"):
                nn.init.orthogonal_(p, gain={gain})

    def forward(self, x):
        h, _ = self.rnn(x)
        return self.out(h[:, -1]).squeeze(-1)


model = Forecaster()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {{epoch}} loss {{loss.item():.4f}}")
"""


@pytest.mark.parametrize("gain", [5 / 3, 1.0], ids=["tanh-gain", "unit-gain"])
def test_run_reads_a_recurrence_that_explodes_back_through_time_at_init(tmp_path, gain):
    """Round 19 d/packet_loss_rnn: an Elman RNN whose recurrent weights are orthogonal times tanh's gain 5/3 (the
    chaotic regime). Its gradient norms start large and only shrink during the run, so the watched history shows no
    growth; the gradient reaching the first time step at init (hundreds of times the last one's) is a property of the
    model the script built, which the run's exam now measures on a copy as checkup does."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "rnn.py"
    script.write_text(RECURRENT.format(gain=gain))
    report = run_script(str(script), alerts=False).report
    assert len(report.telemetry["step_losses"]) == 32, report.verdict()  # it trained: 4 epochs of 8 steps
    found = [f for f in report.at_least(Severity.WARNING) if f.code == "O403"]
    if gain > 1:
        assert found and found[0].evidence["through_time"]["rnn"]["ratio"] >= 100, report.verdict()
    else:
        assert not found, report.verdict()


TOKENS = """
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

rng = np.random.default_rng(0)
n = 1200
y = rng.integers(0, 2, n)
ids = rng.integers(10, 400, (n, 20))
own = rng.random((n, 20)) < 0.3
ids[own] = (100 + 40 * y[:, None] + rng.integers(0, 40, (n, 20)))[own]
if {label_word}:
    ids[np.arange(n), rng.integers(0, 20, n)] = 3 + y  # the export's verdict field, joined into the text
x, t = torch.tensor(ids), torch.tensor(y)
train = DataLoader(TensorDataset(x[:1000], t[:1000]), batch_size=50, shuffle=True)
val = DataLoader(TensorDataset(x[1000:], t[1000:]), batch_size=100)

torch.manual_seed(0)
model = nn.Sequential(nn.EmbeddingBag(400, 16), nn.Linear(16, 2))
opt = torch.optim.Adam(model.parameters(), lr=5e-3)
for epoch in range(3):
    model.train()
    for xb, yb in train:
        opt.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        opt.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val)
    print(f"epoch {{epoch}} val acc {{correct / 200:.3f}}")
"""


@pytest.mark.parametrize("label_word", [True, False], ids=["label-word", "plain-text"])
def test_run_reads_a_word_that_names_the_label(tmp_path, label_word):
    """Round 19 b/sms_spam_trainer joined every field of an export into the text, the verdict too: one token's
    presence, anywhere in the row, gives the class. No position carries it, so the one-column test read nothing."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "bag.py"
    script.write_text(TOKENS.format(label_word=label_word))
    report = run_script(str(script), alerts=False).report
    assert len(report.telemetry["step_losses"]) == 60, report.verdict()  # it trained: 3 epochs of 20 steps
    found = [f for f in report.at_least(Severity.WARNING) if f.code == "G604"]
    if label_word:
        assert found and found[0].evidence["token"] in (3, 4), report.verdict()
    else:
        assert not found, report.verdict()


LINEAR_STACK = """
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

g = torch.Generator().manual_seed(0)
x = torch.rand(1600, 6, generator=g) * 2 - 1
y = x[:, 0] + x[:, 1] + torch.sin(3 * x[:, 0]) * x[:, 1] + x[:, 2] ** 2 + 0.05 * torch.randn(1600, generator=g)
y = (y - y.mean()) / y.std()
loader = DataLoader(TensorDataset(x[:1280], y[:1280]), batch_size=64, shuffle=True)


def mlp(widths, dropout=0.1):
    layers = []
    for a, b in zip(widths[:-2], widths[1:-1]):
        layers += [nn.Linear(a, b), {between}]
    return nn.Sequential(*layers, nn.Linear(widths[-2], widths[-1]))


torch.manual_seed(0)
model = mlp([6, 64, 64, 1])
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for epoch in range(12):
    for xb, yb in loader:
        opt.zero_grad()
        loss = nn.functional.mse_loss(model(xb).squeeze(-1), yb)
        loss.backward()
        opt.step()
    print(f"epoch {{epoch}} loss {{loss.item():.4f}}")
"""


@pytest.mark.parametrize("between", ["nn.Dropout(dropout)", "nn.GELU(), nn.Dropout(dropout)"], ids=["no-activation",
                                                                                                    "gelu"])
def test_run_asks_whether_a_stack_with_no_activation_seen_is_one_affine_map(tmp_path, between):
    """Round 19 b/taxi_fare_lightning: a helper put only Dropout between its Linear layers. The run fits half the
    target's variance, far from the constant predictor's level, so G602's "stays at the constant" never asked; with
    no activation seen on the sampled forwards and the training data not fitted, the exam's midpoint test now
    measures whether the stack is one affine map. The same network with a GELU (an activation the watch does not
    count) fits its training data, so nothing is asked."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "stack.py"
    script.write_text(LINEAR_STACK.format(between=between))
    report = run_script(str(script), alerts=False).report
    found = [f for f in report.at_least(Severity.WARNING) if f.code == "G602"]
    if "GELU" in between:
        assert not found, report.verdict()
    else:
        assert "G602" in (report.extra.get("exam_requests") or []), report.verdict()
        assert found and found[0].evidence["affine_layers"] == 3, report.verdict()


def test_the_run_exam_runs_only_the_static_check_of_a_code_that_has_a_training_one_too():
    """O403 has a measurement at init (model phase, through time) and one over checkup's trial (training phase). The
    fault benchmark caught `run`'s exam running both once O403 became one of its codes: the trial's short gradient
    history read O403 on two healthy RNN scripts. The exam runs the static phases' checks, and a training check only
    when the watch asked for its code."""
    import numpy as np
    import torch
    from torch import nn

    import nndoctor
    from nndoctor.combine import STATIC_PHASES

    rng = np.random.default_rng(0)
    x = rng.normal(size=(256, 6)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    setup = nndoctor.Setup(model=nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2)), train=(x, y),
                           loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    assert "trial" in nndoctor.checkup(setup, select=["O403"], look=False).telemetry
    static = nndoctor.checkup(setup, select=["O403"], look=False, phases=STATIC_PHASES)
    assert "trial" not in static.telemetry and not static.failures


def test_checkup_gives_one_o403_when_the_trial_and_the_init_both_read_it():
    """O403's measurement at init is its own check for `run`'s exam; where the trial runs too, the trial's check reads
    the same measurement and gives the one O403 (the review of round 19's change found checkup reporting two)."""
    import torch
    from torch import nn

    import nndoctor

    class Recurrent(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn, self.out = nn.RNN(4, 64, batch_first=True), nn.Linear(64, 1)
            nn.init.orthogonal_(self.rnn.weight_hh_l0, gain=2.0)

        def forward(self, x):
            return self.out(self.rnn(x)[0][:, -1]).squeeze(-1)

    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, 64, 4, generator=g)
    y = x[:, -5:, 0].mean(1)
    torch.manual_seed(0)
    setup = nndoctor.Setup(model=Recurrent(), train=(x[:400], y[:400]), val=(x[400:], y[400:]), loss=nn.MSELoss(),
                           optimizer=lambda p: torch.optim.SGD(p, lr=0.5))
    found = [f for f in nndoctor.checkup(setup, select=["O403"]).findings if f.code == "O403"]
    assert len(found) == 1 and "during the" in found[0].message  # the trial's explosion, the one verdict's first
