"""Dead units are counted the same way by watch and checkup (``layer_stats.active_units``).

A unit of a convolution's feature map is a channel (every position shares its weights), also for
the 3-D maps of a 1-D convolution; a unit of a Linear applied to a sequence is a feature of the
last axis. Watch used to count positions of a 1-D map, so a dead channel never showed there.
The expected shares come from the construction: channels and features given a bias no input can
overcome are dead, the others are alive.
"""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor.probes.layer_stats import active_units
from nndoctor.watch.instrument import instrumented

DEAD_CHANNELS, CHANNELS = 10, 16
DEAD_FEATURES, FEATURES = 4, 12


class SignalNet(nn.Module):
    """Conv1d -> ReLU over (batch, channels, time), then a Linear -> ReLU over (batch, time, features)."""

    def __init__(self, functional: bool = False) -> None:
        super().__init__()
        self.conv = nn.Conv1d(3, CHANNELS, 5, padding=2)
        self.act1 = nn.ReLU()
        self.proj = nn.Linear(CHANNELS, FEATURES)
        self.act2 = nn.ReLU()
        self.head = nn.Linear(FEATURES, 4)
        self.functional = functional
        with torch.no_grad():
            self.conv.bias[:DEAD_CHANNELS] = -1e4
            self.proj.bias[:DEAD_FEATURES] = -1e4

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        act = F.relu if self.functional else None
        h = act(self.conv(x)) if act else self.act1(self.conv(x))
        h = h.transpose(1, 2)
        h = act(self.proj(h)) if act else self.act2(self.proj(h))
        return self.head(h.mean(dim=1))


def _watched_shares(functional: bool) -> tuple[dict, dict]:
    torch.manual_seed(0)
    x, y = torch.randn(256, 3, 40), torch.randint(0, 4, (256,))
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            model = SignalNet(functional)
            optimizer = torch.optim.SGD(model.parameters(), lr=1e-3)
            for i in range(0, 256, 32):
                optimizer.zero_grad()
                F.cross_entropy(model(x[i:i + 32]), y[i:i + 32]).backward()
                optimizer.step()
    finally:
        doctor.stop()
    return doctor.telemetry.dead_share, doctor.telemetry.relu_units


def test_watch_counts_channels_of_a_1d_map_and_features_of_a_sequence():
    shares, units = _watched_shares(functional=False)
    assert units == {"act1": CHANNELS, "act2": FEATURES}
    assert shares["act1"][0][1] == pytest.approx(DEAD_CHANNELS / CHANNELS)
    assert shares["act2"][0][1] == pytest.approx(DEAD_FEATURES / FEATURES)


def test_functional_relus_are_counted_the_same_way():
    shares, units = _watched_shares(functional=True)
    assert units == {"conv → relu": CHANNELS, "proj → relu": FEATURES}
    assert shares["conv → relu"][0][1] == pytest.approx(DEAD_CHANNELS / CHANNELS)
    assert shares["proj → relu"][0][1] == pytest.approx(DEAD_FEATURES / FEATURES)


def test_active_units_reads_the_unit_axis():
    maps = torch.zeros(2, 3, 5)
    maps[1, 2, 4] = 1.0  # one position of channel 2; feature 4 of a sequence
    assert active_units(maps, after_conv=True).tolist() == [False, False, True]
    assert active_units(maps, after_conv=False).tolist() == [False, False, False, False, True]
    assert active_units(torch.zeros(2, 3, 4, 4), after_conv=False).shape == (3,)  # 2-D maps: always channels
