"""T501 (missing zero_grad) is judged before the first backward after a step, so in-place edits
between backward and step (gradient clipping) do not make an uncleared loop look cleared."""
from __future__ import annotations

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.watch.instrument import instrumented


def loop(clear: str, clip: bool, steps: int = 120) -> None:
    """A plain regression loop; ``clear`` is how (or whether) it clears the gradients each step."""
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = x @ torch.randn(8, 1) + 0.1 * torch.randn(512, 1)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    for step in range(steps):
        i = (step * 32) % 512
        if clear == "zero_grad":
            opt.zero_grad()
        elif clear == "grad_zero_":
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.zero_()
        elif clear == "grad_none":
            for p in model.parameters():
                p.grad = None
        loss = nn.functional.mse_loss(model(x[i:i + 32]), y[i:i + 32])
        loss.backward()
        if clip:
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()


def t501_counts(clear: str, clip: bool) -> tuple[set[str], dict[str, int]]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            loop(clear, clip)
    finally:
        doctor.stop()
    counters = doctor.telemetry.counters
    return {f.code for f in doctor.findings()}, {k: counters.get(k, 0) for k in ("uncleared_steps", "cleared_steps")}


@pytest.mark.parametrize("clip", [False, True])
def test_never_cleared_gradients_are_t501_with_or_without_clipping(clip):
    codes, counts = t501_counts("never", clip)
    assert "T501" in codes
    assert counts["uncleared_steps"] == 119 and counts["cleared_steps"] == 0  # every step after the first


@pytest.mark.parametrize("clear", ["zero_grad", "grad_zero_", "grad_none"])
@pytest.mark.parametrize("clip", [False, True])
def test_every_way_of_clearing_is_silent(clear, clip):
    codes, counts = t501_counts(clear, clip)
    assert "T501" not in codes
    assert counts["uncleared_steps"] == 0 and counts["cleared_steps"] == 119
