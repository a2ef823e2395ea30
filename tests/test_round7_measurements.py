"""Measurements fixed during the seventh out-of-sample round (benchmarks/outofsample/round7).

Each test builds the situation itself and checks it both ways.
"""
from __future__ import annotations

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.findings import Finding
from nndoctor.probes.data_audit import SplitSample, sliding_windows
from nndoctor.runner import checkup


def _seasonal_series(hours: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(hours)
    return (np.sin(2 * np.pi * t / 24) + 0.8 * np.cos(2 * np.pi * t / (24 * 365)) + 0.1 * rng.standard_normal(hours)).astype(np.float32)


def _windows(series: np.ndarray, start: int, stop: int, lookback: int = 48, stride: int = 4) -> tuple[np.ndarray, np.ndarray]:
    starts = range(start, stop - lookback - 1, stride)
    x = np.stack([series[s:s + lookback] for s in starts])[:, :, None]
    y = np.array([series[s + lookback] for s in starts], dtype=np.float32)
    return x, y


def test_rows_cut_in_order_from_a_series_are_windows_and_independent_rows_are_not():
    series = _seasonal_series(2000)
    x, y = _windows(series, 0, 2000)
    rows = np.arange(len(x))
    assert sliding_windows(SplitSample("train", x, y, rows, len(x)))
    gappy = series.copy()
    gappy[::37] = np.nan  # sensor dropouts left in: still shifted copies of each other
    assert sliding_windows(SplitSample("train", _windows(gappy, 0, 2000)[0], y, rows, len(x)))
    channels_first = np.ascontiguousarray(x.transpose(0, 2, 1))
    assert sliding_windows(SplitSample("train", channels_first, y, rows, len(x)))
    shuffled_sample = np.random.default_rng(0).permutation(len(x))[:200]  # a random sample keeps enough neighbours
    assert sliding_windows(SplitSample("train", x[shuffled_sample], y[shuffled_sample], shuffled_sample, len(x)))
    independent = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    assert not sliding_windows(SplitSample("train", independent, y, rows, len(x)))
    flat = np.zeros_like(x)  # constant rows match any shift, and say nothing
    assert not sliding_windows(SplitSample("train", flat, y, rows, len(x)))


class _Forecaster(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.rnn = nn.GRU(1, 16, batch_first=True)
        self.head = nn.Linear(16, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.rnn(x)[0][:, -1]).squeeze(-1)


def _shift_findings(x_train, y_train, x_val, y_val):
    torch.manual_seed(0)
    model = _Forecaster()
    setup = nndoctor.Setup(model=model, train=(x_train, y_train), val=(x_val, y_val), loss=nn.MSELoss(),
                           optimizer=torch.optim.Adam(model.parameters(), 1e-3), batch_size=64)
    return [f for f in checkup(setup, select=["D109"]).findings if f.code == "D109"]


def test_a_split_in_time_of_a_seasonal_series_is_drift_and_a_shifted_random_split_a_fault():
    series = _seasonal_series(24 * 420)
    split = 24 * 360  # validation: the last two months, a different season from the year before
    in_time = _shift_findings(*_windows(series, 0, split), *_windows(series, split, len(series)))
    assert in_time and all(f.severity is Severity.INFO and f.evidence["windows"] for f in in_time)
    # the same rows as independent samples (each window on its own, shuffled): the shift is the split's fault
    x_train, y_train = _windows(series, 0, split)
    x_val, y_val = _windows(series, split, len(series))
    order = np.random.default_rng(0).permutation(len(x_train))
    shifted = _shift_findings(x_train[order], y_train[order], x_val, y_val)
    assert shifted and all(f.severity is Severity.WARNING for f in shifted)


def test_a_validation_rise_that_gives_back_a_sliver_of_the_gain_is_mild_and_one_that_gives_back_a_third_is_overfitting():
    from nndoctor.verdicts.generalisation import TrainValCurves, overfitting_verdict

    steps = tuple(range(0, 1000, 100))
    train = tuple(np.geomspace(1.8, 0.0009, 10))
    near_perfect = (1.8, 0.4, 0.05, 0.01, 0.0045, 0.0048, 0.0051, 0.0053, 0.0055, 0.0057)  # +27% of a minimum near zero
    mild = list(overfitting_verdict(TrainValCurves(train, near_perfect, steps)))
    assert [(f.code, f.severity) for f in mild] == [("G601", Severity.INFO)]
    assert mild[0].evidence["gave_back"] < 0.01
    real = (1.8, 1.0, 0.7, 0.55, 0.5, 0.56, 0.62, 0.7, 0.76, 0.82)  # gives back a third of the fall from 1.8 to 0.5
    found = list(overfitting_verdict(TrainValCurves(train, real, steps)))
    assert [(f.code, f.severity) for f in found] == [("G601", Severity.WARNING)]


def test_a_batch_that_fits_at_a_few_times_the_lr_only_needed_more_steps_and_one_that_needs_far_more_names_the_lr():
    from nndoctor.verdicts.generalisation import Attempt, FitEvidence, underfitting
    from nndoctor.verdicts.optimisation import LearningRateEvidence, SingleBatch, learning_rate

    def attempts(suggested_lr: float) -> tuple[Attempt, Attempt]:
        user = Attempt(2e-3, "user", 2.31, 0.158, 0.94, 200, fitted=False, diverged=False, conclusive=True)
        other = Attempt(suggested_lr, "suggested", 2.31, 0.01, 1.0, 200, fitted=True, diverged=False, conclusive=True)
        return user, other

    def findings(suggested_lr: float) -> list[str]:
        fit = underfitting(FitEvidence(samples=32, reference=2.3, target_loss=0.215, attempts=attempts(suggested_lr)))
        batch = SingleBatch(user_fitted=False, user_conclusive=True, user_diverged=False, user_loss=0.158,
                            suggested_lr=suggested_lr, suggested_fitted=True, suggested_loss=0.01)
        lr = learning_rate(LearningRateEvidence(lr=2e-3, optimizer="Adam", single_batch=batch))
        return ([fit.code] if fit is not None else []) + [f.code for f in lr]

    assert findings(7.9e-3) == []  # 4x: the user's LR fits the batch in about 4x the steps
    assert findings(0.1) == ["G602", "O402"]  # 50x: the LR, not the step budget, keeps it from fitting


TOKEN_STREAM = '''
import torch
from torch import nn
from torch.utils.data import DataLoader

torch.manual_seed(0)
docs = [(int(k), torch.randint(4 * k, 4 * k + 40, (int(n),))) for k, n in zip(torch.randint(0, 4, (256,)), torch.randint(5, 30, (256,)))]

def collate(batch):
    labels = torch.tensor([k for k, _ in batch])
    offsets = torch.tensor([0] + [len(t) for _, t in batch[:-1]]).cumsum(0)
    return labels, torch.cat([t for _, t in batch]), offsets

class Topics(nn.Module):
    def __init__(self):
        super().__init__()
        self.bag = nn.EmbeddingBag(64, 16)
        self.fc = nn.Linear(16, 4)
    def forward(self, text, offsets):
        return self.fc(self.bag(text, offsets))

model = Topics()
opt = torch.optim.SGD(model.parameters(), lr=1.0)
for epoch in range(3):
    for labels, text, offsets in DataLoader(docs, batch_size=32, shuffle=True, collate_fn=collate):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(model(text, offsets), labels)
        loss.backward()
        opt.step()
'''


def test_a_flat_token_stream_with_offsets_is_not_cut_into_rows(tmp_path):
    # the exam examines one padded row per document (watch.bags), never rows cut from the stream itself
    from nndoctor.watch.run import run_script

    script = tmp_path / "topics.py"
    script.write_text(TOKEN_STREAM)
    report = run_script(str(script), alerts=False).report
    assert not any("differ in length" in s for s in report.skipped) and report.extra["exam"]["capture"]["captured"]
    assert not report.failures  # no probe cut the token stream into rows of its own
    assert not [f for f in report.findings if f.code in ("D107", "D108", "M207")]


def test_validation_run_in_train_mode_explains_a_validation_curve_that_never_learned_but_not_the_label_probe():
    from nndoctor.diagnosis import rank
    from nndoctor.findings import Finding

    train_mode_eval = Finding("T503", Severity.WARNING, "192 of 192 evaluation forwards in train mode", {"eval_forwards": 192})
    curve = Finding("D111", Severity.ERROR, "validation never below the constant predictor",
                    {"train_end": 0.25, "val_best": 1.79, "reference": 1.39})
    ordered = rank([curve, train_mode_eval])
    assert [f.code for f in ordered] == ["T503", "D111"] and ordered[1].explained_by == "T503"
    probe = Finding("D111", Severity.ERROR, "the inputs do not predict the labels", {"p_value": 0.8, "scores": {}})
    ordered = rank([probe, Finding("T503", Severity.WARNING, "evaluation in train mode", {})])
    assert ordered[0].code == "D111" and ordered[0].explained_by is None


def test_a_regression_output_is_a_prediction_only_under_a_loss_in_the_targets_units():
    from nndoctor.look.predict import collect

    torch.manual_seed(0)
    x = torch.rand(64, 8)
    model = nn.Linear(8, 8)

    def neg_elbo(logits, target):  # Bernoulli logits: the output is not in the pixels' units
        return nn.functional.binary_cross_entropy_with_logits(logits, target, reduction="sum") / len(target)

    def setup(loss):
        return nndoctor.Setup(model=model, train=(x, x), loss=loss, optimizer=torch.optim.Adam(model.parameters(), 1e-3),
                              task="regression")

    assert collect(setup(neg_elbo), model, [(x, x)]) is None
    for loss in (nn.MSELoss(), nn.HuberLoss(), nn.functional.l1_loss):
        outputs = collect(setup(loss), model, [(x, x)])
        assert outputs is not None and np.allclose(outputs.predicted, model(x).detach().reshape(-1).numpy(), atol=1e-6)


class _PaddedBag(nn.Module):
    def __init__(self, padding_idx: int | None) -> None:
        super().__init__()
        self.emb = nn.Embedding(50, 8, padding_idx=padding_idx)
        self.fc = nn.Linear(8, 2)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.fc(self.emb(ids).mean(dim=1))


def test_an_embeddings_padding_row_gets_no_gradient_by_design_not_by_a_wrong_backward():
    from nndoctor.checks.base import Context
    from nndoctor.checks.model import gradient_check_probe

    ids = torch.randint(1, 50, (64, 12))
    ids[:, 8:] = 0  # padded tails
    y = torch.randint(0, 2, (64,))

    def check(padding_idx):
        torch.manual_seed(0)
        model = _PaddedBag(padding_idx)
        with torch.no_grad():
            model.emb.weight[0] = torch.randn(8)  # a padding row that is not zero: its forward counts
        setup = nndoctor.Setup(model=model, train=(ids, y), loss=nn.CrossEntropyLoss(),
                               optimizer=torch.optim.Adam(model.parameters(), 1e-3), batch_size=32)
        result = gradient_check_probe(Context(setup.resolve()), coordinates=400)  # every coordinate of the table
        return [f.code for f in checkup(setup, select=["M208"]).findings], result

    codes, result = check(padding_idx=0)
    assert codes == []
    emb = next(t for t in result.tensors if t.name == "emb.weight")
    assert abs(emb.central - emb.analytical) <= 1e-6 * max(1.0, abs(emb.central))
    assert check(padding_idx=None)[0] == []  # no padding row: every row has its true gradient


REPEATED_DRAW = '''
import torch
from torch import nn
torch.manual_seed(0)
X = torch.randn({rows}, 6)
y = (X[:, 0] > 0).long()
X_val = torch.randn(200, 6)
model = nn.Sequential(nn.Linear(6, 16), nn.Tanh(), nn.Linear(16, 2))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
for step in range(300):
    {draw}
    loss = nn.functional.cross_entropy(model(xb), yb)
    opt.zero_grad()
    loss.backward()
    opt.step()
with torch.no_grad():
    model.eval()
    print(nn.functional.cross_entropy(model(X), y).item(), model(X_val).argmax(1).float().mean().item())
'''


def test_a_batch_drawn_the_same_way_every_step_is_a_part_of_the_data_and_full_batch_training_is_not(tmp_path):
    from nndoctor.watch.run import run_script

    def t506(rows: int, draw: str) -> list[Finding]:
        script = tmp_path / "loop.py"
        script.write_text(REPEATED_DRAW.format(rows=rows, draw=draw))
        return [f for f in run_script(str(script), alerts=False, exam=False).report.findings if f.code == "T506"]

    reseeded = "g = torch.Generator().manual_seed(7); ix = torch.randint(0, len(X), (32,), generator=g); xb, yb = X[ix], y[ix]"
    found = t506(4000, reseeded)
    assert [f.severity for f in found] == [Severity.WARNING] and found[0].evidence["rows_held"] == 4000
    found = t506(4000, "xb, yb = X[:32], y[:32]")  # a fixed slice: the batch is a view of the whole tensor
    assert [f.severity for f in found] == [Severity.WARNING]
    full_batch = t506(150, "xb, yb = X, y")  # every row every step, validated on 200 others
    assert [f.severity for f in full_batch] == [Severity.INFO]


def test_an_imbalance_the_trained_trial_still_recalls_is_a_risk_not_realised():
    from nndoctor.verdicts.labels import ClassShares, class_imbalance

    def severity(recall, support):
        shares = ClassShares(classes=np.array([0, 1, 2]), counts=np.array([3600, 800, 400]), scope="all 4800 rows",
                             trial_recall=recall, trial_support=support)
        return [f.severity for f in class_imbalance(shares)]

    support = {0: 619, 1: 280, 2: 125}
    assert severity(None, None) == [Severity.WARNING]
    assert severity({0: 0.91, 1: 0.85, 2: 0.83}, support) == [Severity.INFO]
    assert severity({0: 0.98, 1: 0.80, 2: 0.63}, support) == [Severity.WARNING]  # accuracy 0.90 hides balanced 0.80
    assert severity({0: 0.91, 1: 0.85, 2: 0.83}, {0: 619, 1: 280, 2: 3}) == [Severity.WARNING]  # too few to tell


def test_checkup_reads_the_trials_recall_for_an_imbalance_only_when_it_trains_the_trial_anyway():
    rng = np.random.default_rng(0)
    y = rng.choice(3, size=1500, p=[0.84, 0.11, 0.05]).astype(np.int64)
    x = (rng.standard_normal((1500, 4)) + 3.0 * np.eye(3, 4)[y]).astype(np.float32)  # well separated classes
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 3))
    setup = nndoctor.Setup(model=model, train=(x[:1200], y[:1200]), val=(x[1200:], y[1200:]), loss=nn.CrossEntropyLoss(),
                           optimizer=torch.optim.Adam(model.parameters(), 1e-2), batch_size=64)
    alone = [f for f in checkup(setup, select=["D106"]).findings if f.code == "D106"]
    assert [f.severity for f in alone] == [Severity.WARNING]  # no trial asked for: the shares alone
    with_trial = [f for f in checkup(setup, select=["D106", "G603"]).findings if f.code == "D106"]
    assert [f.severity for f in with_trial] == [Severity.INFO] and with_trial[0].evidence["trial_recall"]


class _StraightThrough(nn.Module):
    """An autoencoder whose code is rounded with the detach trick: the forward is a step, the gradient passes straight."""

    def __init__(self) -> None:
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(16, 8), nn.Tanh())
        self.decoder = nn.Linear(8, 16)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = self.encoder(x)
        return self.decoder(z + (torch.round(z * 4) / 4 - z).detach())


def test_a_straight_through_estimator_written_with_detach_is_a_surrogate_not_a_wrong_backward():
    from nndoctor.checks.base import Context
    from nndoctor.checks.model import gradient_check_probe
    from nndoctor.verdicts.layers import gradient_mismatch

    torch.manual_seed(0)
    x = torch.rand(128, 16)
    model = _StraightThrough()
    setup = nndoctor.Setup(model=model, train=(x, x), loss=nn.MSELoss(), optimizer=torch.optim.Adam(model.parameters(), 1e-3),
                           task="regression")
    result = gradient_check_probe(Context(setup.resolve()))
    encoder = [t for t in result.tensors if t.name.startswith("encoder")]
    assert encoder and all(t.central == 0.0 and t.analytical != 0.0 for t in encoder)  # a step forward, a passed gradient
    assert list(gradient_mismatch(result)) == []


def test_batch_mixing_explains_a_fit_that_improves_without_regularisation():
    from nndoctor.diagnosis import rank

    mixing = Finding("M207", Severity.ERROR, "sample 0's output depends on the other samples", {"ratio": 0.265})
    regularised = Finding("O409", Severity.WARNING, "without dropout the copy fits 0.254 vs 0.529", {"weight_decay": 0.01})
    ordered = rank([regularised, mixing])
    assert [f.code for f in ordered] == ["M207", "O409"] and ordered[1].explained_by == "M207"
    alone = rank([Finding("O409", Severity.WARNING, "without dropout the copy fits 0.254 vs 0.529", {})])
    assert alone[0].explained_by is None


def test_an_imbalance_warns_when_one_class_dominates_the_others_not_when_a_rare_class_sits_among_many():
    from nndoctor.verdicts.labels import ClassShares, imbalance_severity

    def severity(counts):
        return imbalance_severity(ClassShares(classes=np.arange(len(counts)), counts=np.array(counts)))

    assert severity([500, 100]) is Severity.WARNING  # two classes: the other's average is the minority (5x)
    assert severity([690, 40, 40, 40, 40, 40, 40, 40, 30, 20]) is Severity.WARNING  # one class 17x the others' average
    letters = np.round(1000 / np.arange(1, 26) ** 0.6).astype(int)  # 25 letters, the most frequent 7x the rarest
    assert letters.max() / letters.min() > 5 and severity(letters) is Severity.INFO
    assert severity([450, 450, 100]) is Severity.INFO  # a rare class among equals: noted, no class dominates
