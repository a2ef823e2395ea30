"""Measurements changed after round 9's unseen material and review; each test reads the setup both ways."""
import torch
from torch.utils.data import DataLoader, TensorDataset
from nndoctor.findings import Severity


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


def _count_rows(n: int, seed: int):
    """Rows of small counts driven by one latent engagement (correlated columns that repeat by themselves)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    engagement = rng.gamma(2.0, 1.0, n)
    x = np.column_stack([1 + rng.poisson(3 * engagement), np.ceil(rng.lognormal(3.0 + 0.3 * engagement, 0.8)),
                         rng.poisson(0.8 * engagement), rng.poisson(0.3 * engagement), rng.binomial(1, 0.4, n)])
    y = (x[:, 2] + 2 * x[:, 3] + rng.normal(0, 1, n) > 2).astype(np.int64)
    return np.log1p(x).astype(np.float32), y  # about a fifth of the rows repeat, half again what independence gives


def _copy_codes(train_x, train_y, val_x, val_y) -> set[str]:
    import nndoctor
    from torch import nn

    setup = nndoctor.Setup(nn.Sequential(nn.Linear(5, 16), nn.ReLU(), nn.Linear(16, 2)), train=(train_x, train_y),
                           val=(val_x, val_y), loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3))
    report = nndoctor.checkup(setup, select=["D107", "D108"])
    return {f.code for f in report.findings if f.severity.at_least(nndoctor.Severity.WARNING)}


def test_rows_of_counts_that_repeat_by_themselves_are_no_copies_but_copied_rows_and_a_copied_validation_are():
    import numpy as np

    x, y = _count_rows(3000, 0)
    assert _copy_codes(x[:2400], y[:2400], x[2400:], y[2400:]) == set()  # a random split of the same lattice
    copied = np.concatenate([x[:1600], x[:800]]), np.concatenate([y[:1600], y[:800]])  # a third of training pasted twice
    assert "D107" in _copy_codes(*copied, x[2400:], y[2400:])
    assert "D108" in _copy_codes(x[:2400], y[:2400], x[:600], y[:600])  # validation drawn from the training rows


def test_the_chance_of_a_repeat_matches_independent_columns_drawn_at_random():
    import numpy as np

    from nndoctor.probes.data_duplicates import chance_copy_share

    rng = np.random.default_rng(1)
    n = 4000
    rows = np.column_stack([rng.integers(0, 6, n), rng.choice(3, n, p=[0.6, 0.3, 0.1]), rng.integers(0, 2, n),
                            rng.integers(0, 9, n)]).astype(np.float32)
    _, inverse, counts = np.unique(rows, axis=0, return_inverse=True, return_counts=True)
    observed = float((counts[inverse.ravel()] > 1).mean())
    assert abs(chance_copy_share(rows, n) - observed) < 0.03
    assert chance_copy_share(rng.normal(size=(n, 4)).astype(np.float32), n) < 1e-6  # continuous columns never repeat


WARM_UP_THEN_NLL = '''
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(1024, 4)
y = x[:, :1] * 2 + torch.randn(1024, 1) * (0.2 + x[:, 1:2].abs())

class MeanVariance(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(4, 32), nn.ReLU())
        self.mean, self.raw_var = nn.Linear(32, 1), nn.Linear(32, 1)
    def forward(self, inputs):
        h = self.trunk(inputs)
        return self.mean(h), nn.functional.softplus(self.raw_var(h)) + 1e-4

model = MeanVariance()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(8):
    for xb, yb in DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True):
        mean, var = model(xb)
        loss = nn.functional.mse_loss(mean, yb) if epoch < WARM_UP else nn.functional.gaussian_nll_loss(mean, yb, var)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
'''


def test_a_variance_head_trained_after_an_mse_warm_up_has_a_gradient_path_and_one_never_trained_does_not(tmp_path):
    from nndoctor.watch.run import run_script

    def codes(warm_up: int) -> set[str]:
        script = tmp_path / f"gnll_{warm_up}.py"
        script.write_text(WARM_UP_THEN_NLL.replace("WARM_UP", str(warm_up)))
        report = run_script(str(script), alerts=False).report
        return {f.code for f in report.findings if f.severity.at_least(Severity.WARNING)}

    assert "M209" not in codes(2)
    assert "M209" in codes(99)  # an MSE on the mean alone, every epoch: the variance head never learns


def test_a_masks_classes_are_counted_per_pixel_and_its_dominant_background_is_information_not_a_warning():
    import numpy as np

    from nndoctor.probes.data_audit import class_labels, per_position_labels
    from nndoctor.verdicts.labels import ClassShares, class_imbalance

    masks = np.zeros((40, 8, 8), np.int64)
    masks[:, 2:4, 2:4], masks[:, 5:7, 5:7] = 1, 2  # every image: background, two small objects
    labels = class_labels(masks, "multiclass")
    assert per_position_labels(masks) and len(labels) == masks.size
    assert np.bincount(labels).tolist() == [40 * 56, 40 * 4, 40 * 4]  # against a count done by hand
    rows = np.array([0] * 85 + [1] * 15)  # one label per row: the accuracy paradox at 85%
    assert not per_position_labels(rows) and not per_position_labels(np.eye(3, dtype=np.int64)[rows % 3])

    def severity(per_position: bool):
        classes, counts = np.unique(labels if per_position else rows, return_counts=True)
        found = list(class_imbalance(ClassShares(classes, counts, per_position=per_position)))
        return found[0].severity if found else None

    assert severity(True) == Severity.INFO and severity(False) == Severity.WARNING


LIGHTNING_MANUAL = '''
import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(512, 6)
y = (x[:, 0] > 0).long()

class Classifier(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.net = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 2))
    def training_step(self, batch, batch_idx):
        opt = self.optimizers()
        CLEAR
        loss = nn.functional.cross_entropy(self.net(batch[0]), batch[1])
        self.manual_backward(loss)
        opt.step()
    def configure_optimizers(self):
        return torch.optim.SGD(self.parameters(), lr=0.05)

trainer = L.Trainer(max_epochs=3, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(Classifier(), DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True))
'''


def test_lightning_manual_optimisation_without_zero_grad_is_caught_and_with_it_is_not(tmp_path):
    from nndoctor.watch.run import run_script

    def codes(clear: str) -> set[str]:
        script = tmp_path / f"manual_{len(clear)}.py"
        script.write_text(LIGHTNING_MANUAL.replace("CLEAR", clear))
        return {f.code for f in run_script(str(script), alerts=False, exam=False).report.findings}

    assert "T501" in codes("pass")
    assert "T501" not in codes("opt.zero_grad()")



def test_progress_that_only_reaches_the_constant_predictor_is_no_progress_for_a_far_too_low_lr():
    from nndoctor.verdicts.curves import progress, progress_past_prior
    from nndoctor.verdicts.optimisation import LearningRateEvidence, LossCurve, RangeTest, learning_rate

    curve = (1.72, 1.44, 1.20, 1.02, 0.93, 0.86)  # from above the constant predictor's 1.0 to 14% below it
    assert progress(curve) == 0.5 and abs(progress_past_prior(curve, 1.0) - 0.14) < 1e-9
    assert progress_past_prior([0.9, 0.5], 1.0) == progress([0.9, 0.5])  # started below it: the plain share

    def codes(values: tuple[float, ...], suggested: float) -> list[str]:
        evidence = LearningRateEvidence(1e-5, "SGD", LossCurve(values, "fixed-set", 400, "in the 400-step trial", 1.0),
                                        RangeTest(suggested, 0.1), update_ratio=2e-4, last_update_ratio=2e-4)
        return [f.code for f in learning_rate(evidence)]

    assert codes(curve, 3e-3) == ["O402"]  # 300x below the range test, and it learned the mean alone
    assert codes((1.0, 0.8, 0.6, 0.5, 0.45, 0.42), 3e-3) == []  # 58% below the constant predictor: learning
    assert codes(curve, 1e-4) == []  # within the range test's reach: slow is not too low


LIGHTNING_TWO_OPTIMIZERS = '''
import lightning as L
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
x = torch.randn(512, 6)
y = (x[:, 0] > 0).float().unsqueeze(1)

class TwoPlayers(L.LightningModule):
    def __init__(self):
        super().__init__()
        self.automatic_optimization = False
        self.first, self.second = nn.Linear(6, 6), nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1))
    def training_step(self, batch, batch_idx):
        opt_first, opt_second = self.optimizers()
        opt_second.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(self.second(self.first(batch[0]).detach()), batch[1])
        self.manual_backward(loss)
        opt_second.step()
        opt_first.zero_grad()
        loss = nn.functional.binary_cross_entropy_with_logits(self.second(self.first(batch[0])), batch[1])
        self.manual_backward(loss)
        opt_first.step()
    def configure_optimizers(self):
        return torch.optim.Adam(self.first.parameters(), 1e-3), torch.optim.Adam(self.second.parameters(), 1e-3)

trainer = L.Trainer(max_epochs=3, accelerator="cpu", logger=False, enable_checkpointing=False,
                    enable_progress_bar=False, enable_model_summary=False)
trainer.fit(TwoPlayers(), DataLoader(TensorDataset(x, y), batch_size=32, shuffle=True))
'''


def test_lightnings_wrapped_optimizers_clear_their_gradients_when_two_alternate(tmp_path):
    from nndoctor.watch.run import run_script

    script = tmp_path / "two_players.py"
    script.write_text(LIGHTNING_TWO_OPTIMIZERS)
    report = run_script(str(script), alerts=False, exam=False).report
    assert "T501" not in {f.code for f in report.findings}
    assert report.telemetry["counters"]["zero_grad_calls"] >= 2 * 16 * 3  # LightningOptimizer.zero_grad is seen
