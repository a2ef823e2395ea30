"""Measurements changed after round 9's unseen material and review; each test reads the setup both ways."""
import torch
from torch.utils.data import DataLoader, TensorDataset


def test_a_later_stages_validation_of_pairs_gives_its_inputs_and_one_of_dicts_is_left_out_not_fatal():
    from nndoctor.watch.capture import _loader_inputs

    x, y = torch.randn(70, 3), torch.arange(70) % 2
    pairs = DataLoader(TensorDataset(x, y), batch_size=16)
    assert torch.equal(_loader_inputs(pairs, rows=40), x[:40])
    dicts = DataLoader([{"x": row, "y": label} for row, label in zip(x, y)], batch_size=16)
    assert _loader_inputs(dicts) is None
    triples = DataLoader(TensorDataset(x, y, y), batch_size=16)
    assert _loader_inputs(triples) is None


def test_training_rows_copied_many_times_explain_the_overfitting_and_without_copies_it_stands_alone():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding, Severity

    def findings(with_copies: bool) -> list[Finding]:
        found = [Finding("G601", Severity.WARNING, "Validation loss bottomed at step 0 and rose while train loss fell.")]
        if with_copies:
            found.append(Finding("D107", Severity.WARNING, "100% of training rows have an exact copy."))
        return found

    ranked = rank(findings(True))
    assert [(f.code, f.explained_by) for f in ranked] == [("D107", None), ("G601", "D107")]
    assert [(f.code, f.explained_by) for f in rank(findings(False))] == [("G601", None)]


RESIDUAL_MLP = '''
import torch
from torch import nn

torch.manual_seed(0)
x = torch.randn(512, 12)
y = (x[:, 0] * x[:, 1] + x[:, 2]).unsqueeze(1)

class Block(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.norm, self.fc1, self.fc2 = nn.LayerNorm(d), nn.Linear(d, 64), nn.Linear(64, d)
        nn.init.zeros_(self.fc2.weight)  # the branch starts as the identity (Fixup / ReZero)
        nn.init.zeros_(self.fc2.bias)
    def forward(self, h):
        return h + self.fc2(torch.relu(self.fc1(self.norm(h))))

model = nn.Sequential(nn.Linear(12, 32), Block(), Block(), nn.Linear(32, 1))
CONSTANT
'''


def _residual_model(constant: str):
    namespace: dict = {}
    exec(RESIDUAL_MLP.replace("CONSTANT", constant), namespace)
    return namespace["model"], namespace["x"], namespace["y"]


def _watched_codes(model, x, y) -> set[str]:
    import nndoctor
    from torch.nn import functional as F

    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    with nndoctor.watch(model, optimizer, alerts=False) as doctor:
        for step in range(30):
            batch = slice(step % 8 * 64, step % 8 * 64 + 64)
            optimizer.zero_grad()
            F.mse_loss(model(x[batch]), y[batch]).backward()
            optimizer.step()
    return {f.code for f in doctor.findings()}


def _checkup_codes(model, x, y) -> set[str]:
    import nndoctor

    setup = nndoctor.Setup(model, train=(x[:400], y[:400]), val=(x[400:], y[400:]), loss=torch.nn.MSELoss(),
                           optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    return set(nndoctor.checkup(setup, select=["M201"]).codes)


def test_a_zero_initialised_residual_branch_is_no_constant_init_but_units_weighed_alike_downstream_are():
    healthy = _residual_model("")
    assert "M201" not in _checkup_codes(*healthy) and "M201" not in _watched_codes(*healthy)
    # the same branch's first layer made constant too: fc1's units are equal and fc2 (zero) weighs them all alike
    stuck = _residual_model("for block in (model[1], model[2]):\n    nn.init.constant_(block.fc1.weight, 0.05)")
    assert "M201" in _checkup_codes(*stuck) and "M201" in _watched_codes(*stuck)


def test_constant_rows_followed_by_a_layer_that_weighs_them_apart_are_measured_against_an_independent_training_run():
    """The exemption's premise, checked by training: rows of a constant layer part when the next layer's columns differ."""
    from torch import nn
    from torch.nn import functional as F

    from nndoctor.verdicts.layers import WeightInit, constant_init

    torch.manual_seed(0)
    x = torch.randn(256, 8)
    y = (x[:, 0] * x[:, 1] > 0).long()
    for alike in (False, True):
        model = nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))
        nn.init.constant_(model[0].weight, 0.1)
        nn.init.zeros_(model[0].bias)
        if alike:
            nn.init.constant_(model[2].weight, 0.1)
        head = model[2].weight.detach()
        layers = [WeightInit("0", 16, 0.0, 0.0), WeightInit("2", 2, float((head - head[0]).abs().max()), float(head.std()),
                                                             True, 16, float((head - head[:, :1]).abs().max()))]
        flagged = bool(list(constant_init(layers)))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(50):
            optimizer.zero_grad()
            F.cross_entropy(model(x), y).backward()
            optimizer.step()
        rows = model[0].weight.detach()
        stayed_copies = float((rows - rows[0]).abs().max()) < 1e-6
        assert flagged == stayed_copies == alike
