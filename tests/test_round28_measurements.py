"""Round 28's measurements (benchmarks/outofsample/round28/RESULTS.md)."""
from __future__ import annotations

import textwrap

import pytest

from conftest import codes
from nndoctor.watch.run import run_script

# Four classes at 85/8/5/2%, cross-entropy with balanced class weights, the output bias started at `gain` times the
# log class shares (1: the playbook's "init well" at the data prior; 4: far more confident than the prior).
WEIGHTED = textwrap.dedent("""
    import numpy as np
    import torch
    from sklearn.datasets import make_classification
    from torch import nn
    from torch.utils.data import DataLoader, TensorDataset

    torch.manual_seed(0)
    x, y = make_classification(n_samples=1200, n_features=12, n_informative=6, n_classes=4, n_clusters_per_class=1,
                               weights=[0.85, 0.08, 0.05, 0.02], class_sep=1.5, random_state=0)
    x = ((x - x.mean(0)) / x.std(0)).astype(np.float32)
    loader = DataLoader(TensorDataset(torch.tensor(x), torch.tensor(y)), batch_size=64, shuffle=True)
    counts = np.bincount(y, minlength=4)
    model = nn.Sequential(nn.Linear(12, 64), nn.ReLU(), nn.Linear(64, 4))
    with torch.no_grad():
        model[-1].weight.mul_(0.1)
        model[-1].bias.copy_({gain} * torch.log(torch.tensor(counts / counts.sum(), dtype=torch.float32)))
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor(len(y) / (4 * counts), dtype=torch.float32))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for epoch in range(3):
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
    print(f"final loss {{loss.item():.4f}}")
""")


@pytest.mark.parametrize("gain", [1, 4])
def test_a_bias_at_the_data_prior_under_class_weights_is_no_initial_loss_fault_in_run(tmp_path, gain):
    """e/h05_harbour_crane_lightning (healthy: balanced class weights on 85/8/5/2% shares, the output bias at the log
    prior): the watch read L307 at 1.8x ln 4, though under those weights the plain prior costs that much and checkup
    already excuses it (M210's own test that the average output sits at the data prior). The watch now records the
    first batch's prior losses and reads L307 as checkup does; a bias four times as confident as the prior still fires."""
    script = tmp_path / "weighted.py"
    script.write_text(WEIGHTED.format(gain=gain))
    found = codes(run_script(str(script), alerts=False).report, "info")
    assert ("L307" in found) == (gain == 4)
