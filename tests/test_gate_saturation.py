"""M204 for recurrent layers: gate pre-activations followed through the recurrence, checked against torch's own RNNs."""
from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from nndoctor.probes.layer_stats import gate_preactivations, recording
from nndoctor.verdicts.layers import SATURATED_SHARE


@pytest.mark.parametrize("kind", [nn.LSTM, nn.GRU, nn.RNN])
def test_the_second_steps_gates_match_torchs_own_first_hidden_state(kind):
    torch.manual_seed(0)
    rnn, x = kind(3, 8, batch_first=True), torch.randn(5, 4, 3)
    with torch.no_grad():
        out, _ = rnn(x)
        gi = F.linear(x[:, 1], rnn.weight_ih_l0, rnn.bias_ih_l0)
        gh = F.linear(out[:, 0], rnn.weight_hh_l0, rnn.bias_hh_l0)
    per_step = {nn.LSTM: 2, nn.GRU: 2, nn.RNN: 1}[kind]
    got = gate_preactivations(rnn, x)
    assert len(got) == 4 * per_step
    if kind is nn.LSTM:
        i, f, g, o = (gi + gh).chunk(4, dim=1)
        torch.testing.assert_close(got[2][0], torch.cat([i, f, o], dim=1))
        torch.testing.assert_close(got[3][0], g)
    elif kind is nn.GRU:
        (ir, iz, in_), (hr, hz, hn) = gi.chunk(3, dim=1), gh.chunk(3, dim=1)
        torch.testing.assert_close(got[2][0], torch.cat([ir + hr, iz + hz], dim=1))
        torch.testing.assert_close(got[3][0], in_ + torch.sigmoid(ir + hr) * hn)
    else:
        torch.testing.assert_close(got[1][0], gi + gh)


def _share(rnn: nn.Module, x: torch.Tensor) -> float:
    model = nn.Sequential(rnn)
    with recording(model, track_grads=False) as recorder, torch.no_grad():
        model(x)
    return recorder.records["0"].saturated_share


def test_default_init_gates_stay_out_of_the_tails_and_a_unit_normal_rnn_saturates():
    torch.manual_seed(0)
    x = torch.randn(64, 20, 3)
    for kind in (nn.LSTM, nn.GRU, nn.RNN):
        assert _share(kind(3, 32, batch_first=True), x) < 0.01
    rnn = nn.RNN(3, 32, batch_first=True)
    for name, p in rnn.named_parameters():
        if name.startswith("weight"):
            nn.init.normal_(p, std=1.0)
    assert _share(rnn, x) >= SATURATED_SHARE
    relu_rnn = nn.RNN(3, 8, nonlinearity="relu")
    assert gate_preactivations(relu_rnn, torch.randn(4, 2, 3)) == []
