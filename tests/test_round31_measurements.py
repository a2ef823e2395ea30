"""Round 31's out-of-sample findings, measured on independent cases of their own (not the round's files)."""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
import torch
from torch import nn

import nndoctor
from conftest import codes
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.fix.api import trial_remedies
from nndoctor.probes.trial import setup_step_cost
from nndoctor.watch.run import run_script


class _LastState(nn.Module):
    def __init__(self, cell: type[nn.RNNBase]):
        super().__init__()
        self.rnn = cell(2, 24, batch_first=True)
        self.head = nn.Linear(24, 3)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.head(h[-1] if not isinstance(h, tuple) else h[0][-1])


def _drift_over_the_whole_log(cell: type[nn.RNNBase], steps: int = 80, recent: bool = False) -> nndoctor.Setup:
    """Three classes told apart by a small offset spread over every step of a noisy log (a sum over the whole sequence
    separates them; no few steps do), or with ``recent`` by the last two steps alone (a short-memory task)."""
    rng = np.random.default_rng(1)
    n = 900
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, steps, 2)).astype(np.float32)
    if recent:
        x[:, -2:, 0] += 2.0 * (y[:, None] - 1)
    else:
        x[:, :, 0] += 0.2 * (y[:, None] - 1)
    torch.manual_seed(0)
    return nndoctor.Setup(model=_LastState(cell), train=(x[:600], y[:600].astype(np.int64)),
                          val=(x[600:], y[600:].astype(np.int64)), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


@pytest.fixture(scope="module")
def fell_short() -> tuple[nndoctor.Setup, nndoctor.Report]:
    """The plain RNN over the drifting logs and its checkup (O404, O406), shared by the verdict's test and fix's."""
    setup = _drift_over_the_whole_log(nn.RNN)
    return setup, nndoctor.checkup(setup, select=["O404", "O406"])


def test_a_plain_rnn_that_fell_short_of_its_data_is_o404_when_its_gradient_vanished_through_time(fell_short):
    """a/rebreather_cell_check (O404: a plain nn.RNN over 80-step logs whose class is a small offset spread over the
    whole log) learned a little from the last steps, so its loss was not flat, and read only G606 (a linear model
    beats it): O404 back through time asked for a flat loss. A run that ended not even halfway below the constant
    predictor's fell short too; with the first step's gradient orders of magnitude under the last's, that is O404."""
    _, report = fell_short
    o404 = next(f for f in report.findings if f.code == "O404")
    assert o404.evidence["kind"] == "through time" and o404.evidence["ratio"] < 1e-3


def test_a_plain_rnn_that_fits_a_short_memory_task_is_not_o404():
    """The same plain layer over the same length, with the class in the last two steps: its first step's gradient
    vanishes just as much, but the run fits its data, so nothing fell short and there is nothing to explain."""
    report = nndoctor.checkup(_drift_over_the_whole_log(nn.RNN, recent=True), select=["O404", "O406"])
    assert "O404" not in codes(report, "info")


PLAIN_RNN_SCRIPT = textwrap.dedent("""
    import numpy as np
    import torch
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    n, steps = 1000, 80
    y = rng.integers(0, 3, n)
    x = rng.normal(size=(n, steps, 2)).astype(np.float32)
    x[:, :, 0] += 0.2 * (y[:, None] - 1)
    train = DataLoader(TensorDataset(torch.tensor(x[:800]), torch.tensor(y[:800])), batch_size=64, shuffle=True)

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = nn.{cell}(2, 24, batch_first=True)
            self.head = nn.Linear(24, 3)

        def forward(self, x):
            out, _ = self.rnn(x)
            return self.head(out[:, -1])

    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(4):
        for xb, yb in train:
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(xb), yb)
            loss.backward()
            opt.step()
    print(f"final loss {{loss.item():.3f}}")
""")


def test_run_asks_the_exam_for_o404_where_a_plain_rnn_fell_short(tmp_path):
    """In `run` the watch reads the script's own curve: not flat, but ended not even halfway below the constant
    predictor's, so it asks the exam to measure the gradient back through time on a copy."""
    script = tmp_path / "plain_rnn.py"
    script.write_text(PLAIN_RNN_SCRIPT.format(cell="RNN"))
    report = run_script(str(script), alerts=False).report
    assert report.extra["fell_short"] is True and "O406" not in codes(report, "info")
    assert "O404" in codes(report)


def test_fix_swaps_a_plain_rnn_that_fell_short_for_a_gru_and_verifies_it(fell_short):
    """The catalog's fix for O404 in a recurrent model (LSTM/GRU instead of a plain RNN) had no trialled remedy: the
    O404 remedies (init, normalisation, ReLU) act on a stack's depth. An nn.GRU returns the same (output, h_n) as the
    nn.RNN it replaces, so the model around it runs unchanged; the equal-budget trial shows whether its gates help."""
    setup, report = fell_short
    cost, samples = setup_step_cost(setup)
    section = trial_remedies(setup, report, seeds=3, steps=300, deadline=math.inf, budget=600, cost=cost,
                             samples=samples, notify=lambda *_: None)
    result = next(r for r in section["results"] if r["code"] == "O404")
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "gated-recurrent", result


def test_gradients_that_grow_under_a_loss_with_no_floor_are_its_symptom():
    """d/mosaic_tesserae_spec (L303: NLLLoss on raw logits, the loss running off to -3e4) read O403 as a second root
    beside L303: the loss has no floor, so the optimizer drives the logits without limit and the gradient grows with
    the weights that carry them. The growth is what the missing log_softmax does, as for a flipped sign (L308)."""
    unbounded = Finding("L303", Severity.ERROR, "outputs are not log-probabilities", {"loss": "nll_loss"})
    exploded = Finding("O403", Severity.ERROR, "gradient norm grew 1e4x during the trial", {"growth": 1.2e4})
    roots = [f.code for f in rank([exploded, unbounded]) if f.explained_by is None]
    assert roots == ["L303"] and exploded.explained_by == "L303"
