"""Measurements fixed during the eighth out-of-sample round (benchmarks/outofsample/round8, benchmarks/gpu).

Each test builds the situation itself and checks it both ways.
"""
from __future__ import annotations

from nndoctor import Severity
from nndoctor.verdicts.optimisation import LearningRateEvidence, LossCurve, learning_rate


def _lr_codes(values: tuple[float, ...], reference: float = 2.30) -> list[tuple[str, Severity]]:
    curve = LossCurve(values=values, source="fixed-set", steps=300, span="over 300 steps", reference=reference,
                      initial=values[0])
    return [(f.code, f.severity) for f in learning_rate(LearningRateEvidence(lr=40.0, optimizer="SGD", curve=curve))]


def test_a_loss_that_blew_up_and_settled_back_at_the_constant_predictor_diverged_but_an_early_spike_that_then_learned_did_not():
    # a BatchNorm net under a far too high LR: the loss explodes, then normalisation brings it back to chance
    assert _lr_codes((2.36, 3e17, 4e9, 60.0, 5.0, 2.4, 2.32)) == [("O401", Severity.ERROR)]
    # the same spike in a net that then learns: ends well below where it began
    assert _lr_codes((2.36, 6.0, 3.1, 1.2, 0.6, 0.3, 0.2)) == []
    # a bump that never doubled the loss, on a net that learns nothing, is not divergence (the plateau's finding)
    assert _lr_codes((2.36, 3.5, 2.6, 2.4, 2.33, 2.31, 2.31)) == []
    # swings to a few times the start that settle back are oscillation (O407's), not an explosion
    assert _lr_codes((2.36, 9.0, 2.5, 7.0, 2.4, 2.35, 2.33)) == []


SHIFTED_LM = '''
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
V, T = 50, 16
succ = torch.randint(0, V, (V, 2))
tokens = torch.empty(256, T + 1, dtype=torch.long)
tokens[:, 0] = torch.randint(0, V, (256,))
for t in range(T):
    tokens[:, t + 1] = succ[tokens[:, t], torch.randint(0, 2, (256,))]

class LM(nn.Module):
    def __init__(self, d=32):
        super().__init__()
        self.emb = nn.Embedding(V, d)
        self.pos = nn.Parameter(torch.zeros(T, d))  # a learned positional table, zero at init as many codebases do
        self.mix = nn.Linear(d, d)
        self.head = nn.Linear(d, V)
    def forward(self, x):
        return self.head(torch.relu(self.mix(self.emb(x) + self.pos[: x.shape[1]])))

model = LM()
BROKEN
opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
for epoch in range(3):
    for (tok,) in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(tokens), batch_size=32, shuffle=True):
        logits = model(tok[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, V).float(), tok[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
'''


def test_a_language_model_fed_its_tokens_shifted_is_examined_and_a_zero_positional_table_is_no_constant_init(tmp_path):
    from nndoctor.watch.run import run_script

    def report(broken: str):
        script = tmp_path / f"lm_{len(broken)}.py"
        script.write_text(SHIFTED_LM.replace("BROKEN", broken))
        return run_script(str(script), alerts=False).report

    healthy = report("")
    assert not healthy.failures
    assert not [s for s in healthy.skipped if "loss checks skipped" in s or "target checks skipped" in s]
    assert "M201" not in {f.code for f in healthy.findings}
    # a hidden layer whose units are all equal, feeding a head that weighs them all alike: they stay copies
    constant = report("torch.nn.init.zeros_(model.mix.weight); torch.nn.init.constant_(model.head.weight, 0.02)")
    assert "M201" in {f.code for f in constant.findings if f.severity.at_least(Severity.WARNING)}


TWO_STAGES = '''
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
x = torch.randn(512, 12)
y = (x[:, :3].sum(1) > 0).long() + 2 * (x[:, 3:6].sum(1) > 0).long()  # four fine classes
model = nn.Sequential(nn.Linear(12, 32), nn.ReLU(), nn.Linear(32, 2))

x_val = torch.randn(256, 12)
y_val = (x_val[:, :3].sum(1) > 0).long() + 2 * (x_val[:, 3:6].sum(1) > 0).long()
val_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x_val, y_val), batch_size=128)

def train(optimizer, labels, epochs, validate=False):
    for epoch in range(epochs):
        model.train()
        for xb, yb in torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, labels), batch_size=32, shuffle=True):
            optimizer.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()
        if validate:
            model.eval()
            with torch.no_grad():
                correct = sum((model(xb).argmax(1) == yb).sum().item() for xb, yb in val_loader)

train(torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), y % 2, 2)  # stage 1: the coarse task
STAGE_TWO
train(optimizer, y, 4, validate=True)  # stage 2: the four fine classes, validated on them
'''
BUILT_BEFORE_SWAP = "optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)\nmodel[2] = nn.Linear(32, 4)"
BUILT_AFTER_SWAP = "model[2] = nn.Linear(32, 4)\noptimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)"


def test_a_second_stage_with_its_own_optimizer_is_watched_and_a_head_swapped_in_after_it_was_built_is_not_updated(tmp_path):
    from nndoctor.watch.run import run_script

    def report(stage_two: str):
        script = tmp_path / f"stages_{stage_two.startswith('opt')}.py"
        script.write_text(TWO_STAGES.replace("STAGE_TWO", stage_two))
        return run_script(str(script), alerts=False).report

    stale = report(BUILT_BEFORE_SWAP)
    # the fine-tune's steps are the run's too, from its second (the one that shows it steps on alone)
    assert stale.telemetry["steps"] == 2 * 16 + 4 * 16 - 1
    t504 = [f for f in stale.findings if f.code == "T504"]
    assert t504 and t504[0].severity.at_least(Severity.WARNING) and "not in any optimizer" in t504[0].message
    fresh = report(BUILT_AFTER_SWAP)
    assert "T504" not in {f.code for f in fresh.findings}
    # the fine-tune's validation holds classes the captured first stage never had: its labels are not compared
    assert fresh.extra["exam"]["capture"]["val_source"] == "loader"
    assert not fresh.at_least(Severity.WARNING), [f.code for f in fresh.at_least(Severity.WARNING)]


def _standardising_spec(guard: bool):
    import torch
    from torch import nn

    import nndoctor

    torch.manual_seed(0)
    x = torch.randn(600, 6)
    x[:, 5] = 3.0  # a metadata column that never varies
    y = (x[:, 0] + x[:, 1] > 0).long()

    class Standardise(nn.Module):
        def __init__(self, data: torch.Tensor) -> None:
            super().__init__()
            std = data.std(0)
            self.register_buffer("mean", data.mean(0))
            self.register_buffer("std", std.clamp_min(1e-6) if guard else std)

        def forward(self, inputs: torch.Tensor) -> torch.Tensor:
            return (inputs - self.mean) / self.std

    model = nn.Sequential(Standardise(x[:480]), nn.Linear(6, 32), nn.ReLU(), nn.Linear(32, 2))
    return nndoctor.Setup(model, train=(x[:480], y[:480]), val=(x[480:], y[480:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


def test_a_constant_feature_the_model_standardises_into_nan_is_the_root_of_the_nan_outputs_and_a_guarded_divisor_is_not():
    from nndoctor.runner import checkup

    broken = checkup(_standardising_spec(guard=False))
    roots = [f for f in broken.findings if f.explained_by is None and f.severity.at_least(Severity.WARNING)]
    assert roots[0].code == "D103" and roots[0].severity == Severity.ERROR and roots[0].evidence["void_features"] == [5]
    guarded = checkup(_standardising_spec(guard=True))
    assert [(f.code, f.severity) for f in guarded.findings if f.code == "D103"] == [("D103", Severity.INFO)]


def test_a_single_batch_parked_at_the_prior_on_imbalanced_labels_is_the_paradox_not_a_model_that_cannot_fit():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding

    def batch(final: float) -> Finding:
        attempts = [{"lr": 3e-3, "source": "user", "final_loss": final}, {"lr": 0.02, "source": "suggested", "final_loss": final}]
        return Finding("G602", Severity.ERROR, "cannot memorise one batch", {"reference_loss": 0.139, "attempts": attempts})

    def paradox() -> Finding:
        return Finding("G603", Severity.WARNING, "the minority class is never predicted", {"never_predicted": [1]})

    at_prior = rank([batch(0.1388), paradox()])
    assert [(f.code, f.explained_by) for f in at_prior] == [("G603", None), ("G602", "G603")]
    below = rank([batch(0.05), paradox()])  # the batch left the prior and still did not fit: the model's own problem
    assert {f.code: f.explained_by for f in below}["G602"] is None


def test_an_init_far_off_at_every_layer_explains_a_net_that_cannot_fit_and_the_default_inits_drift_does_not():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding

    def init_scale(per_layer: float, slope_limited: bool = False) -> Finding:
        return Finding("M202", Severity.WARNING, "the signal shrinks layer by layer",
                       {"activation_factor_per_layer": per_layer, "grad_factor_per_layer": per_layer,
                        "slope_limited": slope_limited})

    def stuck() -> Finding:
        return Finding("G602", Severity.ERROR, "cannot memorise one batch", {"reference_loss": 1.79, "attempts": []})

    tiny = rank([stuck(), init_scale(0.08)])  # N(0, 0.01) weights: the output is a millionth of the input after 6 layers
    assert {f.code: f.explained_by for f in tiny}["G602"] == "M202"
    default = rank([stuck(), init_scale(0.39)])  # PyTorch's default init on a deep ReLU stack: within a matching band per layer
    assert {f.code: f.explained_by for f in default}["G602"] is None
    sigmoid = rank([stuck(), init_scale(0.08, slope_limited=True)])  # a sigmoid tower squeezes the gradient at any init
    assert {f.code: f.explained_by for f in sigmoid}["G602"] is None


def test_a_single_batch_fit_that_spikes_at_its_last_step_is_still_on_its_way_and_one_that_stalled_is_not():
    from nndoctor.probes.overfit import still_falling

    steps = range(0, 210, 10)
    falling = [1.13 * 0.9 ** (s / 10) for s in steps]  # 1.13 -> 0.14 in 200 steps, a tenth per ten steps
    spiked = [*falling[:-1], 0.81]  # one overshooting step at the end of the budget
    assert still_falling(list(zip(steps, spiked)), target_loss=0.108, patience=3.0)
    stalled = [max(v, 0.8) for v in falling]  # flat at 0.8 for the second half
    assert not still_falling(list(zip(steps, stalled)), target_loss=0.108, patience=3.0)


JUDGE_AND_GENERATOR = '''
import torch
from torch import nn
from torch.nn import functional as F

torch.manual_seed(0)
X = torch.randn(1200, 16)
y = (X[:, 0] > 0).long()
Xval, yval = X[1000:], y[1000:]
judge = nn.Sequential(nn.Linear(16, 32), nn.ReLU(), nn.Linear(32, 2))
opt = torch.optim.Adam(judge.parameters(), lr=1e-3)
for step in range(150):
    idx = torch.randint(0, 1000, (64,))
    loss = F.cross_entropy(judge(X[idx]), y[idx])
    opt.zero_grad()
    loss.backward()
    opt.step()
G = nn.Sequential(nn.Linear(4, 16), nn.Tanh())
optG = torch.optim.Adam(G.parameters(), lr=1e-3)
judge.eval()
with torch.no_grad():
    samples = G(torch.randn(300, 4))  # what the generator made, scored by the judge
    scored = judge(samples).argmax(1).float().mean()
    accuracy = (judge(Xval).argmax(1) == yval).float().mean()
'''


def test_samples_a_generator_made_are_not_taken_for_the_validation_split_but_held_out_data_is(tmp_path):
    from nndoctor.watch.run import run_script

    script = tmp_path / "judge.py"
    script.write_text(JUDGE_AND_GENERATOR)
    report = run_script(str(script), alerts=False).report
    capture = report.extra["exam"]["capture"]
    assert capture["val_source"] == "tensor" and capture["val_tensor_rows"] == 200, capture
    assert "D109" not in {f.code for f in report.findings if f.severity.at_least(Severity.WARNING)}


def test_a_recurrent_layer_whose_units_start_equal_is_constant_init_in_checkup_and_a_random_one_is_not():
    import torch
    from torch import nn

    import nndoctor
    from nndoctor.probes.layer_stats import unit_weights
    from nndoctor.runner import checkup

    class Waves(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.rnn = nn.GRU(1, 16, batch_first=True)
            self.out = nn.Linear(16, 3)

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.out(self.rnn(x)[1][-1])

    def spec(constant: bool) -> nndoctor.Setup:
        torch.manual_seed(0)
        x = torch.randn(300, 12, 1)
        y = (x.sum((1, 2)) > 0).long() + (x[:, :6].sum((1, 2)) > 0).long()
        model = Waves()
        if constant:
            for name, p in model.rnn.named_parameters():
                if "weight" in name:
                    nn.init.constant_(p, 0.05)
        return nndoctor.Setup(model, train=(x[:240], y[:240]), val=(x[240:], y[240:]), loss=nn.CrossEntropyLoss(),
                              optimizer=lambda p: torch.optim.Adam(p, lr=5e-3), batch_size=32)

    assert [n for n, _ in unit_weights(Waves())] == ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "out"]
    assert "M201" in {f.code for f in checkup(spec(True), select=["M201"]).findings}
    assert "M201" not in {f.code for f in checkup(spec(False), select=["M201"]).findings}
