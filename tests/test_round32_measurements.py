"""Round 32: a hand-written update with its own LR per parameter, and the loop sample of a model fed several inputs."""
from __future__ import annotations

import pytest
import torch

SEGMENTED = """
import numpy as np
import torch
from torch import nn

rng = np.random.default_rng(0)
torch.manual_seed(0)
seg = torch.from_numpy(rng.integers(0, 12, 1200))
num = torch.randn(1200, 5)
y = num[:, 0] - 0.5 * num[:, 1] + 0.3 * torch.randn(1200)


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.segment = nn.Embedding(12, 4)
        self.body = nn.Sequential(nn.Linear(9, 32), nn.Tanh(), nn.Linear(32, 1))

    def forward(self, seg, num):
        return self.body(torch.cat([self.segment(seg), num], 1)).squeeze(1)


model = Net()
for epoch in range(3):
    perm = torch.from_numpy(rng.permutation(1200))
    for i in range(0, 1200, 50):
        b = perm[i:i + 50]
        loss = nn.functional.mse_loss(model(seg[b], num[b]), y[b])
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for name, p in model.named_parameters():
                p -= (SEGMENT_LR if name.startswith("segment") else 0.05) * p.grad
print("done", loss.item())
"""


def _captured(tmp_path, segment_lr: str):
    from nndoctor.watch.run import run_script

    script = tmp_path / "train.py"
    script.write_text(SEGMENTED.replace("SEGMENT_LR", segment_lr))
    outcome = run_script(str(script), alerts=False, keep_capture=True)
    return outcome, outcome.capture.setup()


def test_a_hand_written_update_with_its_own_lr_for_one_layer_trains_copies_with_those_groups(tmp_path):
    outcome, setup = _captured(tmp_path, "0.0005")
    assert outcome.report.extra.get("manual_sgd_lr") is None  # not one LR
    model = setup.fresh_model()
    optimizer = setup.make_optimizer(model)
    assert isinstance(optimizer, torch.optim.SGD)
    rates = {id(p): g["lr"] for g in optimizer.param_groups for p in g["params"]}
    segment = model.segment.weight
    assert rates[id(segment)] == pytest.approx(0.0005, rel=0.01)
    assert all(rates[id(p)] == pytest.approx(0.05, rel=0.01) for p in model.body.parameters())
    assert "2 parameter groups" in setup.optimizer_description


def test_one_lr_for_every_layer_stays_one_sgd_lr(tmp_path):
    outcome, setup = _captured(tmp_path, "0.05")
    assert outcome.report.extra.get("manual_sgd_lr") == pytest.approx(0.05, rel=0.01)
    optimizer = setup.make_optimizer(setup.fresh_model())
    assert len(optimizer.param_groups) == 1 and optimizer.param_groups[0]["lr"] == pytest.approx(0.05, rel=0.01)


def test_the_loop_sample_of_a_model_fed_a_category_id_first_is_not_cut_at_its_first_batch(tmp_path):
    """12 segment ids repeat across rows: only the whole row (ids, features, target) says whether a row came back."""
    outcome, setup = _captured(tmp_path, "0.05")
    rows = sum(len(y) for _, y in setup.batches("train"))
    assert rows >= 1000  # one epoch of 1200 rows (the sample's bounds permitting), not the first batch of 50


def test_fix_says_when_its_seeded_runs_were_one_run(tmp_path):
    """A loop without a DataLoader is replayed in its fed order from the script's own weights: the seeds cannot differ,
    and the trials say so rather than present three copies of one run as three."""
    from nndoctor.fix.script import fix_script

    script = tmp_path / "train.py"
    script.write_text(SEGMENTED.replace("SEGMENT_LR", "0.0005"))
    section = fix_script(str(script), seeds=2).report.extra["fix"]
    assert section["baseline"] is not None
    assert len(set(section["baseline"]["metric"]["per_seed"])) == 1
    assert "identical" in section.get("note", "")


def test_fix_with_a_shuffled_loader_does_not_call_its_seeds_one_run():
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    import nndoctor
    from nndoctor.fix.api import fix

    torch.manual_seed(0)
    x = torch.randn(600, 6)
    y = (x[:, 0] + x[:, 1] > 0).long()
    model = nn.Sequential(nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 2))
    setup = nndoctor.Setup(model=model, train=DataLoader(TensorDataset(x[:500], y[:500]), batch_size=25, shuffle=True),
                           val=DataLoader(TensorDataset(x[500:], y[500:]), batch_size=100), loss=nn.CrossEntropyLoss(),
                           optimizer=torch.optim.SGD(model.parameters(), lr=1e-5)).resolve()
    section = fix(setup, seeds=2).extra["fix"]
    assert section["baseline"] is not None  # seeds reshuffle the batches: not one run, even where the scores tie
    assert "identical" not in section.get("note", "")
