"""Round 29's measurements (benchmarks/outofsample/round29/RESULTS.md)."""
from __future__ import annotations

import textwrap

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from conftest import codes
from nndoctor.findings import Severity
from nndoctor.verdicts.layers import LayerGradients, vanishing_gradients
from nndoctor.watch.run import run_script

# A tanh MLP on a mostly linear target, trained by a hand-written SGD update (no optimizer object) at `lr` for 20 epochs.
SLOW_BUDGET = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2000, 8)).astype(np.float32)
    y = (x @ rng.normal(size=8) + np.sin(2 * x[:, 0]) + 0.1 * rng.normal(size=2000)).astype(np.float32)
    y = (y - y.mean()) / y.std()
    X, Y = torch.tensor(x), torch.tensor(y)
    model = nn.Sequential(nn.Linear(8, 64), nn.Tanh(), nn.Linear(64, 64), nn.Tanh(), nn.Linear(64, 1))
    lr = {lr}
    for epoch in range(20):
        perm = torch.randperm(len(X))
        for i in range(0, len(X), 32):
            idx = perm[i:i + 32]
            loss = nn.functional.mse_loss(model(X[idx]).squeeze(-1), Y[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
    print(f"final loss {{loss.item():.4f}}")
""")


@pytest.mark.parametrize("lr", [5e-4, 0.02])
def test_a_run_still_falling_under_tiny_steps_asks_the_range_test_whether_the_lr_limits_it(tmp_path, lr):
    """a/snowgun_output (O402: a hand-written SGD at 1e-4 on a tanh MLP): the loss fell past half the constant
    predictor's and was still falling at the end, under steps of 2.6e-5 of the weights' norm (median layer), and read
    only a layer's O412. Neither of the watch's own O402 readings applies (not flat, not slow, not a straight line short
    of halfway), and a run merely too short for its sound LR ends the same way: the exam's range test and single batch
    on a copy now tell them apart. At lr=5e-4 one batch is fitted only at a far higher LR (O402, the unfinished run its
    symptom); at 0.02, steps near the ~1e-3 rule of thumb, the run is only unfinished (G605's advice)."""
    script = tmp_path / "slow_budget.py"
    script.write_text(SLOW_BUDGET.format(lr=lr))
    report = run_script(str(script), alerts=False).report
    assert ("O402" in codes(report)) == (lr == 5e-4)
    assert "G605" in codes(report, "info")


class _Recurrent(nn.Module):
    def __init__(self, cell: type[nn.RNNBase]):
        super().__init__()
        self.rnn = cell(2, 32, batch_first=True)
        self.head = nn.Linear(32, 2)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1])


def _decided_early(cell: type[nn.RNNBase]) -> nndoctor.Setup:
    """Sequences of 50 steps whose class is decided by their first three steps alone."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 50, 2)).astype(np.float32)
    y = (x[:, :3, 0].sum(1) > 0).astype(np.int64)
    torch.manual_seed(0)
    return nndoctor.Setup(model=_Recurrent(cell), train=(x[:600], y[:600]), val=(x[600:], y[600:]),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=3e-3), batch_size=32)


def test_a_plain_rnn_whose_gradient_vanishes_through_time_is_o404_not_only_a_plateau():
    """b/salt_pan_grade_spec (O404: a plain nn.RNN over a 60-day log whose grade is set by days 5-25) read only the
    plateau (O406): O404 measured the gradient through the depth of the stack, never back through time. A plain
    layer's gradient at the first step is now read against its last (at init, as O403 reads its growth) when the
    trial's loss stayed flat, and explains the plateau."""
    plain = nndoctor.checkup(_decided_early(nn.RNN), select=["O401", "O402", "O404", "O406"])
    assert [f.code for f in plain.findings if f.explained_by is None] == ["O404"]
    assert plain.findings[0].evidence["ratio"] < 1e-3  # the first step gets orders of magnitude less than the last
    assert next(f for f in plain.findings if f.code == "O406").explained_by == "O404"


@pytest.mark.parametrize("ratio, fell_short, fires", [(1e-9, True, True), (1e-9, False, False), (0.05, True, False)])
def test_vanishing_through_time_needs_both_the_vanished_gradient_and_a_run_that_fell_short(ratio, fell_short, fires):
    """A plain layer that fitted its data with a tiny first-step gradient needed no early steps (a short-memory task),
    and a run that fell short (flat, or not halfway below the constant predictor's) under a gradient that reaches the
    first step has another cause; only both together are O404. (Gated layers never reach the verdict: an LSTM/GRU
    starts as small through time but learns to keep its gates open.)"""
    found = list(vanishing_gradients(LayerGradients((), "over the trial", {"rnn": {"ratio": ratio, "steps": 50.0}},
                                                    fell_short)))
    assert bool(found) == fires


@pytest.mark.parametrize("fractional", [True, False])
def test_a_share_trained_under_bce_has_no_classes_to_be_imbalanced(fractional):
    """e/h04_hut_occupancy_lightning (healthy: the share of a hut's beds taken, a fraction in [0, 1] under
    BCEWithLogitsLoss) read D106: the data audit rounded the shares to 0/1 and found 94% "class 1". A fraction has no
    classes to count; the same rows with 0/1 labels at those shares are imbalanced."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 6)).astype(np.float32)
    share = 1 / (1 + np.exp(-(2.5 + x[:, 0])))  # most nights nearly full
    y = (share if fractional else (rng.random(1200) < share)).astype(np.float32)
    setup = nndoctor.Setup(model=nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1)),
                           train=(x[:1000], y[:1000, None]), val=(x[1000:], y[1000:, None]), loss=nn.BCEWithLogitsLoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    assert ("D106" in codes(nndoctor.checkup(setup, select=["D106"]), "info")) == (not fractional)


EARLY_RUN = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset


    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.RNN(2, 32, batch_first=True)
            self.head = nn.Linear(32, 2)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])


    rng = np.random.default_rng(0)
    x = rng.normal(size=(800, 50, 2)).astype(np.float32)
    y = (x[:, :3, 0].sum(1) > 0).astype(np.int64)  # decided by the first three of 50 steps
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.tensor(x[:600]), torch.tensor(y[:600])), batch_size=32, shuffle=True)
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for epoch in range(10):
        for xb, yb in loader:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
""")


def test_run_reads_a_plain_rnns_plateau_as_its_gradient_vanishing_back_through_time(tmp_path):
    """The same task as a plain script: the watch reads the plateau (O406), and its exam measures the plain layer's
    gradient through time on a copy at init and reads it against the run's own flat loss (the exam's short trial on
    a copy need not stay as flat as the script's run)."""
    script = tmp_path / "early.py"
    script.write_text(EARLY_RUN)
    report = run_script(str(script), alerts=False).report
    roots = [f.code for f in report.findings if f.severity.at_least(Severity.WARNING) and f.explained_by is None]
    assert roots == ["O404"]
    assert next(f for f in report.findings if f.code == "O406").explained_by == "O404"
