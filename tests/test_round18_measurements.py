"""Round 18's measurements: a per-step loss's level is its typical batch as well as its mean (O401's rise, O407's
"no progress"); run reaches G606; next-token labels; repeats of discrete rows; a load of the weights already held."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

import nndoctor
from nndoctor import Severity
from nndoctor.verdicts.curves import oscillation_evidence, windows
from nndoctor.verdicts.optimisation import LearningRateEvidence, LossCurve, learning_rate
from nndoctor.watch.instrument import instrumented


def _per_step(losses: np.ndarray) -> LossCurve:
    return LossCurve(values=tuple(windows(losses, 10)), source="per-step", steps=len(losses), span="over the run",
                     per_step=tuple(losses), initial=float(losses[0]))


def _codes(losses: np.ndarray) -> set[str]:
    return {f.code for f in learning_rate(LearningRateEvidence(lr=1e-3, optimizer="Adam", curve=_per_step(losses)))}


def _tailed(typical: np.ndarray, seed: int, share: float = 0.03, size: float = 30.0) -> np.ndarray:
    """Batches at ``typical`` levels, a ``share`` of them holding an outlier that scores ``size`` times as much."""
    rng = np.random.default_rng(seed)
    return typical * rng.lognormal(0.0, 0.1, len(typical)) * np.where(rng.random(len(typical)) < share, size, 1.0)


def test_outlier_batches_at_the_end_are_not_a_loss_that_training_made_worse():
    falling = np.linspace(0.3, 0.25, 320)
    tailed = _tailed(falling, seed=2)
    tailed[:5] = 0.3  # an ordinary start
    tailed[-20:-17] = 6.0  # three outlier batches in the last tenth: its mean is 2.3x the start, its typical batch 0.25
    assert tailed[-32:].mean() >= 1.5 * tailed[0] > np.median(tailed[-32:])
    assert "O401" not in _codes(tailed)
    worse = _tailed(np.linspace(0.3, 0.9, 320), seed=2)  # every batch rose threefold: the weights made it worse
    worse[0] = 0.3
    assert "O401" in _codes(worse)


def test_a_window_mean_that_doubles_on_one_outlier_is_not_divergence():
    steady = np.full(400, 0.3) * np.random.default_rng(4).lognormal(0.0, 0.05, 400)
    steady[-10] = 30.0  # one batch in the last window holds an outlier: its mean is 3.3x the first window's
    assert windows(steady, 10)[-1] >= 2 * windows(steady, 10)[0]
    assert "O401" not in _codes(steady)
    diverged = steady * np.linspace(1.0, 3.0, 400)  # every batch of the last window doubled
    diverged[-10] = 0.9
    assert "O401" in _codes(diverged)


def test_bouncing_is_judged_against_the_constant_predictors_typical_batch_when_the_start_was_light():
    rng = np.random.default_rng(3)
    noisy = 0.30 * rng.lognormal(0.0, 0.9, 400)  # batches jumping by their content, typical 0.30
    noisy[:5] = 0.21  # the run happened to start on light batches
    bounce = oscillation_evidence(noisy)
    assert bounce is not None and bounce["shape"] == "bouncing" and bounce["start"] == 0.21
    # such content puts 45% of batches over twice the start at fixed weights (the spikes' measurement)
    assert oscillation_evidence(noisy, content_share=0.45, content_typical=0.38) is None  # under "no learning"'s
    stuck = oscillation_evidence(noisy, content_share=0.45, content_typical=0.33)  # level within a fifth of "no learning": no progress
    assert stuck is not None and stuck["start_is_constant"]


# -- run reaches G606: the exam's trial copy against baselines on the captured validation split -------------------
def _tiles(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """4-band 6x6 tiles whose class is read from the fourth band (a near-infrared-like channel) alone."""
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=g)
    x = torch.rand(n, 4, 6, 6, generator=g)
    x[:, 3] += 0.5 * y[:, None, None].float()
    return x, y


class _ThreeBands(nn.Module):
    """A small CNN that reads bands 0-2 only (``bands`` left at its default): the label's band never reaches it."""

    def __init__(self, bands: tuple[int, ...] = (0, 1, 2)) -> None:
        super().__init__()
        self.bands = list(bands)
        self.net = nn.Sequential(nn.Conv2d(len(bands), 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 16, 4))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x[:, self.bands])


@pytest.mark.parametrize("bands", [(0, 1, 2), (0, 1, 2, 3)], ids=["band-dropped", "all-bands"])
def test_run_reaches_g606_from_the_exams_trial_copy(bands):
    from test_run_capture import EXAM_SAFETY_NET_S

    from nndoctor.combine import examine
    from nndoctor.watch.capture import SetupCapture

    x, y = _tiles(1200, seed=0)
    train = DataLoader(TensorDataset(x[:900], y[:900]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[900:], y[900:]), batch_size=100)

    def loop() -> None:
        torch.manual_seed(0)
        model = _ThreeBands(bands)
        opt = torch.optim.Adam(model.parameters(), lr=3e-3)
        for _ in range(3):
            model.train()
            for xb, yb in train:
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
            model.eval()
            with torch.no_grad():
                for xb, yb in val:
                    F.cross_entropy(model(xb), yb)

    with nndoctor.watch(alerts=False), SetupCapture() as capture:
        loop()
    exam = examine(capture, budget=EXAM_SAFETY_NET_S)
    assert "G606" in exam.extra["exam_codes"]
    baselines = exam.extra["look"]["baselines"]
    linear = next(r["value"] for r in baselines["rows"] if r["name"] == "logistic regression")
    found = [f for f in exam.findings if f.code == "G606"]
    if len(bands) == 3:  # the network never sees the label's band; a linear model on the flat tile reads it
        assert found and found[0].severity == Severity.WARNING and linear > baselines["network"] + 0.2, baselines
    else:
        assert not found, found[0].message


# -- next-token labels: the classes are the token ids the model reads ----------------------------------------------
def _token_windows(n_tokens: int, vocab: int, context: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Context windows over a Zipfian token stream with a first-order dependence, and the token after each."""
    rng = np.random.default_rng(seed)
    p = 1.0 / np.arange(1, vocab + 1) ** 1.1
    stream = [0]
    for _ in range(n_tokens):
        stream.append(int((stream[-1] * 7 + rng.choice(vocab, p=p / p.sum())) % vocab) if rng.random() < 0.7
                      else int(rng.choice(vocab, p=p / p.sum())))
    ids = torch.tensor(stream)
    x = ids.unfold(0, context, 1)[:-1]
    return x.contiguous(), ids[context:]


class _WindowLM(nn.Module):
    def __init__(self, vocab: int, context: int) -> None:
        super().__init__()
        self.emb = nn.Embedding(vocab, 16)
        self.out = nn.Sequential(nn.Flatten(), nn.Linear(16 * context, 64), nn.Tanh(), nn.Linear(64, vocab))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        return self.out(self.emb(idx))


def test_next_token_labels_are_read_per_token_and_not_as_label_noise():
    from nndoctor.setup import predicts_read_tokens

    x, y = _token_windows(6000, vocab=40, context=4, seed=0)
    torch.manual_seed(0)
    model = _WindowLM(40, 4)
    setup = nndoctor.Setup(model=model, train=DataLoader(TensorDataset(x, y), batch_size=64, shuffle=True),
                           optimizer=torch.optim.Adam(model.parameters(), lr=1e-3)).resolve()
    assert setup.next_token
    found = {f.code: f for f in nndoctor.checkup(setup, select=["D106", "D110"]).findings}
    assert "D110" not in found  # many tokens follow one context: that share is language, not label errors
    assert "D106" not in found or found["D106"].severity == Severity.INFO  # a long tail is what a vocabulary is
    # an embedding classifier whose classes are not its vocabulary is a classifier: its labels are judged as classes
    assert not predicts_read_tokens(nn.Sequential(nn.Embedding(40, 8), nn.Flatten(), nn.Linear(32, 3)), x, "multiclass", 3)
    assert not predicts_read_tokens(model, x.float(), "multiclass", 40)


# -- D107: repeats of discrete rows need a measured chance level ---------------------------------------------------
def test_repeated_token_windows_without_a_validation_split_are_not_called_copies():
    from nndoctor.verdicts.splits import TrainingCopies, duplicate_samples

    x, y = _token_windows(6000, vocab=12, context=3, seed=1)
    distinct = len(torch.unique(x, dim=0))
    assert distinct < 0.5 * len(x)  # windows of a small vocabulary repeat by themselves
    torch.manual_seed(0)
    model = _WindowLM(12, 3)
    setup = nndoctor.Setup(model=model, train=DataLoader(TensorDataset(x, y), batch_size=64),
                           optimizer=torch.optim.Adam(model.parameters(), lr=1e-3))
    assert not [f for f in nndoctor.checkup(setup, select=["D107"]).findings if f.code == "D107"]
    copied = TrainingCopies("all rows", 1000, 400, 0.01, chance_share=0.02)
    assert [f.code for f in duplicate_samples(copied)] == ["D107"]  # a measured level still judges the share
    assert not list(duplicate_samples(TrainingCopies("all rows", 1000, 400, 0.01, chance_share=None)))


# -- a "best" state that is the model's own is no early stopping -------------------------------------------------
@pytest.mark.parametrize("kept", ["lowest train loss", "first epoch"])
def test_loading_back_the_weights_the_model_holds_is_no_restore(kept):
    """Round 18 b/keystroke_user_id: "early stopping" on the train loss, which full-batch steps lower at every epoch,
    keeps the last state and loads it back: the model ends as trained, and its overfitting is the run's."""
    x, y = _tiles(400, seed=1)

    def loop() -> None:
        import copy

        torch.manual_seed(0)
        model = _ThreeBands((0, 1, 2, 3))
        opt = torch.optim.SGD(model.parameters(), lr=0.05)
        best, best_state, losses = math.inf, None, []
        for epoch in range(10):
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            losses.append(loss.item())
            if (loss.item() < best) if kept == "lowest train loss" else epoch == 0:
                best, best_state = loss.item(), copy.deepcopy(model.state_dict())
        assert losses == sorted(losses, reverse=True)  # every epoch improved: the lowest is the last
        model.load_state_dict(best_state)

    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            loop()
    finally:
        doctor.stop()
    assert (doctor.telemetry.restored_at is None) == (kept == "lowest train loss")


# -- D111: the run's own held-out log-loss, and never a training loader's batches ---------------------------------
CLICKS = """
import numpy as np, torch
import torch.nn.functional as F
from torch import nn

rng = np.random.default_rng(0)
n, fields, levels = 40000, 5, 400
codes = rng.zipf(1.5, (n, fields)) % levels
effect = rng.normal(0, 0.6, (fields, levels))
logit = -3.0 + effect[np.arange(fields), codes].sum(1)
y = torch.from_numpy((rng.random(n) < 1 / (1 + np.exp(-logit))).astype(np.float32))
idx = torch.from_numpy(codes + np.arange(fields) * levels)
SHUFFLED = {shuffled}
if SHUFFLED:
    y = y[torch.from_numpy(rng.permutation(n))]
train_x, train_y, val_x, val_y = idx[:32000], y[:32000], idx[32000:], y[32000:]

torch.manual_seed(0)
weights = nn.Embedding(fields * levels, 1)
nn.init.zeros_(weights.weight)
rate = float(train_y.mean())
bias = nn.Parameter(torch.tensor([np.log(rate / (1 - rate))], dtype=torch.float32))
model = nn.ModuleDict({{"w": weights}})
params = [weights.weight, bias]
for epoch in range(3):
    perm = torch.randperm(32000)
    for s in range(0, 32000, 256):
        b = perm[s:s + 256]
        loss = F.binary_cross_entropy_with_logits(weights(train_x[b]).sum((1, 2)) + bias, train_y[b])
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad
                p.grad = None
    with torch.no_grad():
        val = F.binary_cross_entropy_with_logits(weights(val_x).sum((1, 2)) + bias, val_y, reduction="sum") / len(val_y)
    print(f"epoch {{epoch}} val log-loss {{val.item():.4f}}")
"""


@pytest.mark.parametrize("shuffled", [False, True], ids=["paired", "shuffled"])
def test_weak_signal_on_rare_labels_is_paired_by_the_runs_held_out_log_loss(tmp_path, shuffled):
    """Round 18 a/ctr_fm_handsgd: clicks at a few percent, hashed categorical ids. No probe nor the argmax beats the
    majority class on the exam's sample, while the run's held-out log-loss sits clearly under the labels' entropy."""
    from nndoctor.watch.run import run_script

    script = tmp_path / "clicks.py"
    script.write_text(CLICKS.format(shuffled=shuffled))
    report = run_script(str(script), alerts=False).report
    terms = report.extra["eval_loss_terms"]
    assert terms["rows"] == 8000
    codes = {f.code for f in report.at_least(Severity.WARNING)}
    if shuffled:
        assert terms["mean"] > terms["label_entropy"] - 0.005 and "D111" in codes, report.verdict()
    else:
        assert terms["mean"] < terms["label_entropy"] - 0.005 and "D111" not in codes, report.verdict()


def test_a_pass_over_the_training_loader_is_no_held_out_evidence():
    """Round 18 d/keystroke_auth_mlp ends with a pass over its training loader: its memorised labels were counted
    as the run's last evaluation, so labels paired with nothing looked predicted."""
    g = torch.Generator().manual_seed(0)
    x, y = torch.randn(320, 5, generator=g), torch.randint(0, 3, (320,), generator=g)
    train = DataLoader(TensorDataset(x[:256], y[:256]), batch_size=32, shuffle=True)
    val = DataLoader(TensorDataset(x[256:], y[256:]), batch_size=32)
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            torch.manual_seed(0)
            model = nn.Linear(5, 3)
            opt = torch.optim.SGD(model.parameters(), lr=0.1)
            for _ in range(2):
                for xb, yb in train:
                    opt.zero_grad()
                    F.cross_entropy(model(xb), yb).backward()
                    opt.step()
                with torch.no_grad():
                    for xb, yb in val:
                        F.cross_entropy(model(xb), yb, reduction="sum")
            with torch.no_grad():
                for xb, yb in train:  # a train-accuracy pass at the end
                    F.cross_entropy(model(xb), yb, reduction="sum")
    finally:
        doctor.stop()
    extra = doctor.report().extra
    with torch.no_grad():
        by_hand = F.cross_entropy(model(x[256:]), y[256:], reduction="none")
    shares = torch.bincount(y[256:], minlength=3).double() / 64
    assert extra["eval_loss_terms"]["rows"] == 64  # the validation loader's rows only
    assert extra["eval_loss_terms"]["mean"] == pytest.approx(float(by_hand.mean()), rel=1e-5)
    assert extra["eval_loss_terms"]["variance"] == pytest.approx(float(by_hand.var()), rel=1e-4)
    assert extra["eval_loss_terms"]["label_entropy"] == pytest.approx(float(-(shares * shares.log()).sum()), rel=1e-9)
    assert extra["eval_class_counts"]["held_out"] is False and sum(extra["eval_class_counts"]["support"]) == 320


def test_held_out_log_loss_under_the_labels_entropy_pairs_labels_the_probes_missed():
    from nndoctor.checks.data import model_beats_constant
    from nndoctor.verdicts.data import LabelProbe, labels_unpredictable

    probes_blind = dict(task="binary", best=0.942, best_probe="15-nearest neighbours", n=2000,
                        scores={"logistic regression": 0.94, "15-nearest neighbours": 0.942}, chance=0.942,
                        p_value=1.0, upper_bound=0.954, rank_p_value=0.2)
    clicks = {"rows": 12000, "mean": 0.1891, "variance": 0.3631, "label_entropy": 0.2184}  # a/ctr_fm_handsgd's pass
    p = model_beats_constant(clicks)
    assert p == pytest.approx(float(__import__("scipy").stats.norm.cdf((0.1891 - 0.2184) / math.sqrt(0.3631 / 12000))))
    assert p < 1e-6 and not list(labels_unpredictable(LabelProbe(**probes_blind, model_loss_p_value=p)))
    level = model_beats_constant({**clicks, "mean": 0.2190})  # at the entropy: the pass says nothing
    assert [f.code for f in labels_unpredictable(LabelProbe(**probes_blind, model_loss_p_value=level))] == ["D111"]
    assert model_beats_constant(None) == 1.0


CODES_BY_MSE = '''
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
centres = torch.randn(6, 16) * 0.6
y = torch.arange(900) % 6
x = centres[y] + torch.randn(900, 16)
train = DataLoader(TensorDataset(x[:720], y[:720]), batch_size=32, shuffle=True)
val = DataLoader(TensorDataset(x[720:], y[720:]), batch_size=90)
model = nn.Sequential(nn.Linear(16, 64), nn.ReLU(), nn.Linear(64, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
for epoch in range(3):
    model.train()
    for xb, yb in train:
        optimizer.zero_grad()
        F.mse_loss(model(xb).squeeze(-1), yb.float()).backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        hits = sum((model(xb).squeeze(-1).round() == yb).sum().item() for xb, yb in val)
print("val accuracy", hits / 180)
'''


def test_a_class_code_regressed_through_a_squeeze_gets_the_classification_loss_trialled(tmp_path):
    """Round 18 a/crop_type_lightning: one output squeezed to (N,) for MSE on crop codes. The run's captured model
    replays the squeeze, so the head widened to one logit per class could not be built ("shape '[64]' is invalid")."""
    from nndoctor.fix.script import fix_script

    script = tmp_path / "train.py"
    script.write_text(CODES_BY_MSE)
    report = fix_script(str(script), budget=300, seeds=3, steps=150).report
    results = {r["code"]: r for r in report.extra["fix"]["results"]}
    assert "L305" in results, (report.codes, report.extra["fix"].get("message"))
    remedy = results["L305"]["remedy"]
    assert results["L305"]["status"] == "verified" and remedy["remedy"] == "classification-loss", results["L305"]
    assert "squeeze" in remedy["snippet"]


def test_g606_in_run_is_not_read_where_the_scripts_own_model_was_measured_level_with_the_baseline():
    """Fault benchmark healthy-r400: a residual CNN trained six epochs scores 0.962 on its validation loader, level
    with a logistic regression's 0.969, while the exam's shorter-trained stand-in scored 0.853."""
    from nndoctor.verdicts.baselines import BaselineComparison, below_baseline

    def compared(run_accuracy: float | None) -> list[str]:
        m = BaselineComparison(metric="balanced accuracy", network=0.853, standard_error=0.0153, samples=450,
                               baselines=[("prior (majority class)", 0.1), ("logistic regression", 0.9685)],
                               run_accuracy=run_accuracy, run_rows=450,
                               baseline_accuracy={"prior (majority class)": 0.102, "logistic regression": 0.9689})
        return [f.code for f in below_baseline(m)]

    assert compared(None) == ["G606"]  # no measurement of the script's model: the stand-in is judged
    assert compared(0.962) == []  # 0.007 under, within 2 x sqrt(2) sampling errors (0.025)
    assert compared(0.90) == ["G606"]  # the script's own model trails by 0.069 too
