"""Measurements that round 15's unseen material showed missing, each checked on its own small case.

* Activations written as functions (``F.relu(self.fc1(x))``, as the official examples write them) have no
  module to hook: watch now finds them in the sampled forward's autograd graph, as checkup always has, so
  units that die under too large an LR are seen (O405) in a plain script too.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from torch import nn

import nndoctor
from nndoctor.watch.instrument import instrumented


class FunctionalNet(nn.Module):
    """Three hidden layers whose ReLUs are functions in forward(); ``modules`` uses nn.ReLU modules instead."""

    def __init__(self, modules: bool = False) -> None:
        super().__init__()
        self.fc1, self.fc2, self.fc3, self.out = nn.Linear(20, 128), nn.Linear(128, 128), nn.Linear(128, 128), nn.Linear(128, 8)
        self.act = nn.ReLU() if modules else None

    def hidden(self, x: torch.Tensor) -> torch.Tensor:
        act = self.act if self.act is not None else F.relu
        return act(self.fc3(act(self.fc2(act(self.fc1(x))))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.hidden(x))


def _data() -> tuple[torch.Tensor, torch.Tensor]:
    x, y = make_classification(n_samples=4000, n_features=20, n_informative=12, n_classes=8, random_state=0)
    return torch.tensor((x - x.mean(0)) / x.std(0), dtype=torch.float32), torch.tensor(y)


def _watched(lr: float, modules: bool = False) -> tuple[nndoctor.Doctor, nn.Module]:
    """A loop in the MNIST example's style: SGD with momentum, 8 epochs of shuffled batches of 64."""
    torch.manual_seed(0)
    x, y = _data()
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            model = FunctionalNet(modules)
            optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
            for _ in range(8):
                order = torch.randperm(len(x))
                for i in range(0, len(x), 64):
                    batch = order[i:i + 64]
                    optimizer.zero_grad()
                    F.cross_entropy(model(x[batch]), y[batch]).backward()
                    optimizer.step()
    finally:
        doctor.stop()
    return doctor, model


def test_relus_written_as_functions_that_die_under_a_large_lr_are_seen_in_a_plain_loop():
    doctor, model = _watched(lr=0.5)
    shares = doctor.telemetry.dead_share
    assert set(shares) == {"fc1 → relu", "fc2 → relu", "fc3 → relu"}
    with torch.no_grad():  # independently: units of fc3 that no training row switches on
        alive = (model.fc3(F.relu(model.fc2(F.relu(model.fc1(_data()[0]))))) > 0).any(dim=0)
    dead_now = 1 - alive.float().mean().item()
    assert dead_now > 0.5 and shares["fc3 → relu"][-1][1] >= dead_now  # a batch switches on no more units than all rows
    assert shares["fc3 → relu"][0][1] < 0.2  # they were alive at the start: they died during training
    roots = [f.code for f in doctor.findings() if f.severity.at_least(nndoctor.Severity.WARNING) and f.explained_by is None]
    assert roots[:1] == ["O405"]


def test_relus_that_stay_alive_are_quiet_and_module_relus_are_not_counted_twice():
    doctor, _ = _watched(lr=0.05)
    assert set(doctor.telemetry.dead_share) == {"fc1 → relu", "fc2 → relu", "fc3 → relu"}
    assert not {"O405", "M203"} & {f.code for f in doctor.findings()}
    with_modules, _ = _watched(lr=0.05, modules=True)
    assert set(with_modules.telemetry.dead_share) == {"act"}  # one module called three times: its own hook only


class AttentionPooled(nn.Module):
    """Tokens -> GRU states -> additive attention pooling (one score per position) -> classes."""

    def __init__(self, classes: int = 6) -> None:
        super().__init__()
        self.embed = nn.Embedding(50, 16)
        self.rnn = nn.GRU(16, 32, batch_first=True)
        self.score = nn.Linear(32, 1)
        self.out = nn.Linear(32, classes)

    def forward(self, tokens: torch.Tensor) -> torch.Tensor:
        states, _ = self.rnn(self.embed(tokens))
        weights = torch.softmax(self.score(torch.tanh(states)).squeeze(-1), dim=1)
        return self.out((weights.unsqueeze(-1) * states).sum(dim=1))


def _m206(model: nn.Module, x: torch.Tensor, classes: int) -> list[nndoctor.Finding]:
    y = torch.arange(len(x)) % classes
    report = nndoctor.checkup(nndoctor.Setup(model=model, train=(x, y), loss=nn.CrossEntropyLoss(), batch_size=32),
                              select=["M206"])
    return [f for f in report.findings if f.code == "M206"]


def test_an_attention_scorer_is_no_bottleneck_but_a_narrow_layer_of_a_stack_is():
    from nndoctor.probes.layer_stats import bypassed_layers

    torch.manual_seed(0)
    tokens = torch.randint(0, 50, (64, 12))
    assert _m206(AttentionPooled(), tokens, 6) == []
    stack = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 2), nn.ReLU(), nn.Linear(2, 6))
    (finding,) = _m206(stack, torch.randn(64, 10), 6)
    assert finding.evidence["narrow_layers"] == {"2": 2}
    # independently of the verdict: the scorer's output is skipped by the states, the stack's narrow layer is not
    assert bypassed_layers(AttentionPooled(), lambda m: m(tokens), ["score"]) == {"score"}
    assert bypassed_layers(stack, lambda m: m(torch.randn(4, 10)), ["2"]) == set()


class NarrowGRU(nn.Module):
    """A GRU of 2 units read through its last state (``h_n``, the second of its outputs) for 6 classes."""

    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(1, 2, batch_first=True)
        self.out = nn.Linear(2, 6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        _, h = self.rnn(x)
        return self.out(h[-1])


def test_a_narrow_recurrent_layer_read_through_its_last_state_is_still_a_bottleneck():
    torch.manual_seed(0)
    (finding,) = _m206(NarrowGRU(), torch.randn(64, 12, 1), 6)
    assert finding.evidence["narrow_layers"] == {"rnn": 2}


def test_the_steps_of_a_relu_rnn_are_its_state_not_functional_relus():
    class IRNN(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.RNN(3, 32, nonlinearity="relu", batch_first=True)
            nn.init.eye_(self.rnn.weight_hh_l0)
            self.head = nn.Linear(32, 1)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            out, _ = self.rnn(x)
            return self.head(F.relu(out[:, -1])).squeeze(-1)

    torch.manual_seed(0)
    x, y = torch.randn(256, 20, 3), torch.randn(256)
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            model = IRNN()
            optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
            for _ in range(60):
                optimizer.zero_grad()
                F.mse_loss(model(x), y).backward()
                optimizer.step()
    finally:
        doctor.stop()
    assert set(doctor.telemetry.dead_share) == {"relu #1"}  # the forward's own relu; none of the RNN's 20 steps
