"""O409 in `nndoctor run`: a run that regularised and did not fit asks its exam to train a copy without the regularisation.

The real run cannot take its dropout or weight decay away; the exam trains two copies of the captured
setup for equal steps, with and without it, and the one O409 verdict judges them (issue 14).
"""
from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
import torch

from nndoctor.watch.live_rules import evaluate, exam_requests
from nndoctor.watch.run import run_script
from nndoctor.watch.telemetry import LossCall, Telemetry

SCRIPT = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
g = torch.Generator().manual_seed(1)
centres = torch.randn(4, 12, generator=g) * 2.5
y = torch.arange(960) % 4
x = centres[y] + torch.randn(960, 12, generator=g)
loader = DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Dropout({p}), nn.Linear(64, 64), nn.ReLU(), nn.Dropout({p}),
                      nn.Linear(64, 64), nn.ReLU(), nn.Dropout({p}), nn.Linear(64, 4))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(4):
    for xb, yb in loader:
        optimizer.zero_grad()
        nn.functional.cross_entropy(model(xb), yb).backward()
        optimizer.step()
'''


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def _run(tmp_path, p: float):
    script = tmp_path / "train.py"
    script.write_text(textwrap.dedent(SCRIPT.format(p=p)))
    return run_script(str(script), alerts=False).report


def test_dropout_that_keeps_the_run_from_fitting_is_found_by_training_a_copy_without_it(tmp_path):
    report = _run(tmp_path, 0.95)
    assert report.extra["exam_requests"] == ["O409"]
    finding = next(f for f in report.findings if f.code == "O409")
    evidence = finding.evidence
    # independent: four balanced classes, so predicting the prior scores ln 4
    assert evidence["reference"] == pytest.approx(math.log(4), rel=0.02)
    assert evidence["with_regularisation"] > 0.5 * evidence["reference"]
    assert evidence["without_regularisation"] <= 0.5 * evidence["with_regularisation"]
    assert set(evidence["regularisers"]["dropout"]) == {"2", "5", "8"}


def test_ordinary_dropout_fits_and_asks_for_nothing(tmp_path):
    report = _run(tmp_path, 0.2)
    assert report.extra["exam_requests"] == []
    assert "O409" not in [f.code for f in report.findings]


def _telemetry(final: float, steps: int = 200) -> Telemetry:
    t = Telemetry()
    t.train_loss = list(np.linspace(math.log(4), final, steps))
    t.train_loss_steps = list(range(steps))
    t.loss_calls = [LossCall("cross_entropy", 0, True, 4, {})]
    return t


FACTS = {"has_dropout": True, "initial_optimizers": [{"kind": "Adam", "groups": [{"lr": 1e-3, "weight_decay": 0.0}]}],
         "class_counts": None, "n_outputs": 4, "reductions": {}}


def _requests(t: Telemetry, facts: dict) -> list[str]:
    """What the finished run's report would ask the exam for: the requests read off the rules' own findings."""
    return exam_requests(t, facts, evaluate(t, facts, final=True))


def test_the_request_needs_regularisation_and_a_loss_not_even_halfway_down(monkeypatch):
    from nndoctor.watch import live_rules

    monkeypatch.setattr(live_rules, "reference_loss", lambda t, facts, upper=False: math.log(4))
    assert _requests(_telemetry(0.9), FACTS) == ["O409"]  # 0.9 > ln4 / 2 = 0.69
    assert _requests(_telemetry(0.5), FACTS) == []  # fitted more than halfway
    plain = {**FACTS, "has_dropout": False}
    assert _requests(_telemetry(0.9), plain) == []  # nothing to take away
    decayed = {**plain, "initial_optimizers": [{"kind": "SGD", "groups": [{"lr": 0.1, "weight_decay": 1e-3}]}]}
    assert _requests(_telemetry(0.9), decayed) == ["O409"]
    monkeypatch.setattr(live_rules, "reference_loss", lambda t, facts, upper=False: None)
    assert _requests(_telemetry(0.9), FACTS) == []  # no constant-predictor level in these units
