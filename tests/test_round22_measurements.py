"""Round 22's measurements (benchmarks/outofsample/round22/RESULTS.md): what the exam misread, and now reads."""
from __future__ import annotations

import pytest
import torch
from torch import nn


@pytest.mark.parametrize("raw", [False, True])
def test_a_reconstructions_targets_are_read_in_the_inputs_units(raw):
    # round 22's e/train_door_pretrain_frozen: motor-current cycles standardised as one signal (a scalar mean and std)
    # keep their inrush peak 6 std up in the first positions; an autoencoder's targets are those inputs, so their
    # offsets by position are the signal's shape, not targets off scale. Raw currents in mA (x1000) still are.
    from nndoctor import Setup
    from nndoctor.runner import checkup

    g = torch.Generator().manual_seed(0)
    t = torch.linspace(0, 1, 64)
    current = 2.5 * torch.exp(-t / 0.03) + 0.9 + 0.1 * torch.randn(1200, 1, 64, generator=g)
    signals = current * 1000 if raw else (current - current.mean()) / current.std()
    if not raw:
        assert signals[:, 0, 0].mean() > 5  # the inrush sits far off the signal's mean
    torch.manual_seed(0)
    model = nn.Sequential(nn.Conv1d(1, 8, 5, stride=2, padding=2), nn.ReLU(),
                          nn.ConvTranspose1d(8, 1, 4, stride=2, padding=1))
    setup = Setup(model=model, train=(signals[:1000], signals[:1000]), val=(signals[1000:], signals[1000:]),
                  loss=nn.MSELoss(), optimizer=lambda p: torch.optim.Adam(p, lr=2e-3), batch_size=64, task="regression")
    assert ("D105" in checkup(setup, select=["D105"]).codes) == raw
