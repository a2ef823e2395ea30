"""``nndoctor fix train.py``: a plain training script's root causes, trialled on the setup it built."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

DOUBLE_SOFTMAX = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
centres = torch.randn(6, 16) * 0.5
y = torch.arange(900) % 6
x = centres[y] + torch.randn(900, 16)
train = DataLoader(TensorDataset(x[:720], y[:720]), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(x[720:], y[720:]), batch_size=90)
model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 6), nn.Softmax(dim=1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.CrossEntropyLoss()
for epoch in range(EPOCHS):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        loss_fn(model(xb), yb).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val)
print("val accuracy", correct / 180)
'''


def test_a_scripts_double_softmax_gets_its_remedy_verified_on_what_the_script_built(tmp_path):
    from nndoctor.fix.script import fix_script

    script = tmp_path / "train.py"
    script.write_text(DOUBLE_SOFTMAX.replace("EPOCHS", "3"))
    fixed = fix_script(str(script), budget=300, seeds=3, steps=150)
    report = fixed.report
    assert fixed.exit_status == 0 and report.mode == "fix"
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert "L301" in results, (report.codes, report.extra["fix"].get("message"))
    remedy = results["L301"]["remedy"]
    assert results["L301"]["status"] == "verified" and remedy["remedy"] == "logits-loss"
    # every seed of the remedied copy beats the script's own setup, trained the same number of steps
    assert all(a > b for a, b in zip(remedy["after"]["metric"]["per_seed"], remedy["before"]["metric"]["per_seed"]))
    assert report.extra["fix"]["steps"] == 150


def test_a_clip_bound_that_cuts_every_step_is_replayed_in_the_baseline_and_loosened_in_the_remedy(tmp_path):
    from nndoctor.fix.script import fix_script

    clipped = DOUBLE_SOFTMAX.replace(", nn.Softmax(dim=1))", ")").replace("EPOCHS", "3").replace(
        "        loss_fn(model(xb), yb).backward()\n",
        "        loss_fn(model(xb), yb).backward()\n        nn.utils.clip_grad_norm_(model.parameters(), 0.001)\n")
    script = tmp_path / "train.py"
    script.write_text(clipped)
    fixed = fix_script(str(script), budget=300, seeds=3, steps=150)
    section = fixed.report.extra["fix"]
    assert section["loop_clip_norm"] == 0.001 and not section["loop_fixes"]
    (result,) = [r for r in section["results"] if r["code"] == "O408"]
    assert result["status"] == "verified" and result["remedy"]["remedy"] == "loosen-clipping"
    median = next(f for f in fixed.report.findings if f.code == "O408").evidence["median_pre_clip_norm"]
    assert f"max_norm={float(f'{10 * median:.2g}'):g}" in result["remedy"]["snippet"]


def test_a_script_that_never_trains_is_reported_with_nothing_trialled_and_keeps_its_exit_status(tmp_path):
    from nndoctor.fix.script import fix_script

    script = tmp_path / "broken.py"
    script.write_text("import torch\nmodel = torch.nn.Linear(3, 1)\nraise SystemExit(3)\n")
    fixed = fix_script(str(script))
    assert fixed.exit_status == 3
    assert fixed.report.extra["fix"]["results"] == []
    assert fixed.report.extra["fix"]["message"].startswith("Nothing was trialled: the script did not train")


@pytest.mark.parametrize("healthy", [False, True])
def test_the_cli_fixes_a_script_the_way_it_fixes_a_spec(tmp_path, healthy):
    source = DOUBLE_SOFTMAX.replace("EPOCHS", "3")
    if healthy:
        source = source.replace(", nn.Softmax(dim=1))", ")")
    script = tmp_path / "train.py"
    script.write_text(source)
    out = tmp_path / "fix.json"
    done = subprocess.run([sys.executable, "-m", "nndoctor.cli", "fix", str(script), "--json", str(out), "--seeds", "2"],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert "val accuracy" in done.stdout, done.stderr[-2000:]
    data = json.loads(out.read_text())
    verified = [r["code"] for r in data["fix"]["results"] if r["status"] == "verified"]
    if healthy:
        assert data["fix"]["results"] == [] and done.returncode == 0, (verified, data["fix"].get("message"))
    else:
        assert "L301" in verified and done.returncode == 1


def test_trials_score_on_the_training_split_when_validation_is_known_by_its_inputs_alone():
    import numpy as np
    import torch
    from torch import nn

    import nndoctor
    from nndoctor.fix.trials import baseline_candidate, run_trial, scored_split

    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64)
    setup = nndoctor.Setup(nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2)), train=(x[:240], y[:240]),
                           val=(x[240:], None), loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-2))
    assert scored_split(setup.resolve()) == "train"
    score = run_trial(baseline_candidate(setup), setup, 0, 30)
    assert 0.5 < score.metric <= 1.0
