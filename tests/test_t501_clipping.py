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


def hand_written_loop(clear: str, accumulate: int = 1, steps: int = 120) -> None:
    """The word-LM example's update, ``p -= lr * p.grad`` with no optimizer; ``accumulate`` backwards per update."""
    torch.manual_seed(0)
    x = torch.randn(512, 8)
    y = x @ torch.randn(8, 1) + 0.1 * torch.randn(512, 1)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    for step in range(steps):
        i = (step * 32) % 512
        if clear == "zero_grad" and step % accumulate == 0:
            model.zero_grad()
        elif clear == "grad_zero_" and step % accumulate == 0:
            for p in model.parameters():
                if p.grad is not None:
                    p.grad.zero_()
        loss = nn.functional.mse_loss(model(x[i:i + 32]), y[i:i + 32])
        loss.backward()
        if (step + 1) % accumulate == 0:
            with torch.no_grad():
                for p in model.parameters():
                    p -= 0.01 * p.grad


def hand_written_codes(clear: str, accumulate: int = 1) -> tuple[set[str], dict[str, int]]:
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            hand_written_loop(clear, accumulate)
    finally:
        doctor.stop()
    counters = doctor.telemetry.counters
    return {f.code for f in doctor.findings()}, {k: counters.get(k, 0) for k in ("uncleared_steps", "cleared_steps")}


def test_a_hand_written_update_that_never_clears_is_t501():
    """No optimizer holds the step: the gradient the update reads is the same tensor, one backward on, every step."""
    codes, counts = hand_written_codes("never")
    assert "T501" in codes
    assert counts["uncleared_steps"] >= 100 and counts["cleared_steps"] <= 2, counts


@pytest.mark.parametrize("clear", ["zero_grad", "grad_zero_"])
@pytest.mark.parametrize("accumulate", [1, 4])
def test_a_hand_written_update_that_clears_is_silent(clear, accumulate):
    """Cleared by ``model.zero_grad()`` or ``p.grad.zero_()``, every step or after every 4 accumulated backwards."""
    codes, counts = hand_written_codes(clear, accumulate)
    assert "T501" not in codes
    assert counts["uncleared_steps"] == 0 and counts["cleared_steps"] >= 120 // accumulate - 2, counts
