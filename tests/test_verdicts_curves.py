"""The O and G verdicts (nndoctor.verdicts.curves) and the adapters that feed them.

Each verdict is checked on constructed measurements (healthy silent, broken firing), and
the wrong verdicts fixed by what a rule means keep a test each: a reference loss must be in
the train loss's own units (a VAE's summed BCE + KL has none), and losses of different
targets (mixup's soft rows against hard validation labels) are not compared. The links
between symptoms and causes are made by diagnosis.rank alone and state their evidence.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding
from nndoctor.probes import overfit, trial
from nndoctor.verdicts import VERDICTS, curves, generalisation, optimisation
from nndoctor.watch import live_rules
from nndoctor.watch.telemetry import LossCall, Telemetry

OWN = ["O401", "O402", "O403", "O406", "O407", "O409", "O410", "G601", "G602", "G603", "G604", "G605"]


def test_each_code_has_its_one_verdict_here():
    home = {"O": "nndoctor.verdicts.optimisation", "G": "nndoctor.verdicts.generalisation"}
    assert all(VERDICTS[code].__module__ == home[code[0]] for code in OWN)


# -- the watch's reference must be in the loss's own units (G602 on a VAE) --------------------
def _stuck_run(reduction: str, level: float, kind: str = "binary_cross_entropy", steps: int = 200) -> Telemetry:
    """A live run whose train loss sits at ``level`` throughout, with Bernoulli targets of mean 0.3 at the loss."""
    rng = np.random.default_rng(0)
    t = Telemetry()
    t.train_loss = list(level * (1 + 0.01 * rng.standard_normal(steps)))
    t.train_loss_steps = list(range(steps))
    t.steps = steps
    t.loss_calls = [LossCall(kind, s, True, None, {"reduction": reduction, "target_mean": 0.3}) for s in range(3)]
    return t


def test_underfitting_is_judged_against_a_reference_in_the_losses_units():
    entropy = -(0.3 * math.log(0.3) + 0.7 * math.log(0.7))
    stuck = list(live_rules.underfit(_stuck_run("mean", entropy), {}, True))
    assert [f.code for f in stuck] == ["G602"] and stuck[0].evidence["reference"] == pytest.approx(entropy)
    # the same loss, summed over a batch of 64 x 64 pixels (and a KL term on top): the per-element entropy says nothing
    summed = _stuck_run("sum", 1.75e3)
    assert live_rules.reference_loss(summed, {}) is None
    assert list(live_rules.underfit(summed, {}, True)) == []


def test_a_train_loss_that_adds_other_loss_functions_has_no_reference():
    t = _stuck_run("mean", 0.6)
    t.loss_calls.append(LossCall("mse_loss", 1, True, None, {"reduction": "mean"}))
    assert live_rules.reference_loss(t, {}) is None


def test_underfitting_verdict_abstains_without_a_reference():
    assert generalisation.underfitting(generalisation.FitEvidence(reference=None, final_loss=1750.0, steps=200)) is None
    assert generalisation.underfitting(generalisation.FitEvidence(reference=0.61, final_loss=0.6, steps=200)).code == "G602"
    assert generalisation.underfitting(generalisation.FitEvidence(reference=0.61, final_loss=0.2, steps=200)) is None


# -- G604 compares losses of the same targets (mixup) --------------------------------------------
def _val_run(target_kind: str, train_level: float, val_level: float) -> Telemetry:
    t = Telemetry()
    t.train_loss = [train_level] * 100
    t.train_loss_steps = list(range(100))
    t.steps = 100
    t.val_loss, t.val_steps = [val_level], [100]
    t.loss_calls = [LossCall("cross_entropy", s, True, 10, {"reduction": "mean", "target_kind": target_kind}) for s in range(3)]
    t.label_counts = [(0, [10.0] * 10)]
    return t


def test_validation_under_half_a_hard_label_train_loss_is_suspicious():
    found = list(live_rules.suspicious_val(_val_run("indices", 0.84, 0.38), {}, True))
    assert [f.code for f in found] == ["G604"]
    assert list(live_rules.suspicious_val(_val_run("indices", 0.84, 0.7), {}, True)) == []


def test_mixed_soft_targets_are_not_compared_with_hard_validation_labels():
    """Cross-entropy against mixup's mixed rows cannot go below their entropy; validation scores hard labels."""
    assert list(live_rules.suspicious_val(_val_run("probabilities", 0.84, 0.38), {}, True)) == []


def test_label_smoothing_in_training_only_is_not_compared_either():
    t = _val_run("indices", 0.84, 0.38)
    for call in t.loss_calls:
        call.evidence["label_smoothing"] = 0.1
    assert list(live_rules.suspicious_val(t, {}, True)) == []


def test_a_summed_train_loss_is_not_compared_with_a_per_term_validation_loss():
    t = _val_run("indices", 0.84 * 64, 0.38)
    for call in t.loss_calls:
        call.evidence["reduction"] = "sum"
    assert list(live_rules.suspicious_val(t, {}, True)) == []


def test_a_falling_train_loss_is_compared_at_the_evaluation_step_not_as_the_run_mean():
    """A single evaluation at the end of a run that learned: the run's mean train loss is far above "now".

    Healthy: the loss decays from 1.6 to 0.6 with minibatch noise and outlying batches, validation
    scores 0.35 at the end (the whole-run mean, about 0.85, would call it "under half"). Broken: the
    same run with validation at 0.1, under half of where training stands at the end.
    """
    rng = np.random.default_rng(0)
    steps = np.arange(300)
    curve = 0.6 + 1.0 * np.exp(-steps / 60) + rng.normal(0, 0.03, 300)
    curve[rng.choice(300, 15, replace=False)] += 1.0  # glitchy batches
    t = _val_run("indices", 0.0, 0.35)
    t.train_loss, t.train_loss_steps, t.val_steps, t.steps = list(curve), list(range(300)), [300], 300
    assert float(np.mean(curve)) > 2 * 0.35  # what the old mean-since-last-evaluation read
    assert list(live_rules.suspicious_val(t, {}, True)) == []
    t.val_loss = [0.1]
    found = list(live_rules.suspicious_val(t, {}, True))
    assert [f.code for f in found] == ["G604"]
    assert found[0].evidence["train_loss_low"] <= found[0].evidence["train_loss"]


def test_level_at_reads_a_line_through_noise_and_outliers():
    """Theil-Sen at the step, against the known line; its band holds the truth and is ordered."""
    from nndoctor.verdicts.trend import level_at

    rng = np.random.default_rng(1)
    x = np.arange(200)
    y = 2.0 - 0.004 * x + rng.normal(0, 0.05, 200)
    y[::9] += 3.0  # outliers a least-squares line would follow
    level = level_at(x, y, 200)
    assert level is not None and level.points == 20
    assert level.low <= level.estimate <= level.high
    assert level.low - 0.05 <= 2.0 - 0.004 * 200 <= level.high + 0.05
    assert level_at([5, 6], [1.0, 2.0], 3) is None
    assert level_at([0, 1], [1.0, 3.0], 1).estimate == 2.0


def test_soft_targets_still_allow_the_accuracy_comparison():
    unlike = generalisation.ValidationEvidence(0.84, 0.38, "After the trial", train_acc=0.7, val_acc=1.0, losses_alike=False)
    assert [f.code for f in generalisation.suspicious_validation_verdict(unlike)] == ["G604"]
    unlike_ok = generalisation.ValidationEvidence(0.84, 0.38, "After the trial", train_acc=0.95, val_acc=0.96, losses_alike=False)
    assert list(generalisation.suspicious_validation_verdict(unlike_ok)) == []


def test_checkup_tells_soft_target_rows_from_one_hot_rows():
    from nndoctor.checks.generalisation import soft_targets

    one_hot = F.one_hot(torch.tensor([0, 2, 1]), 3).float()
    mixed = 0.7 * one_hot + 0.3 * one_hot.roll(1, dims=0)
    assert not soft_targets(one_hot) and soft_targets(mixed) and not soft_targets(torch.tensor([0, 2, 1]))


# -- the checkup's reference and single-batch target ------------------------------------------
def _setup(model: nn.Module, x: torch.Tensor, y: torch.Tensor, loss) -> nndoctor.Setup:
    return nndoctor.Setup(model=model, train=(x, y), loss=loss, optimizer=lambda p: torch.optim.SGD(p, lr=0.1)).resolve()


def test_the_closed_form_prior_is_used_only_for_a_per_sample_mean_loss():
    torch.manual_seed(0)
    x, y = torch.randn(300, 5), torch.randint(0, 3, (300,))
    shares = torch.bincount(y).double() / len(y)
    entropy = float(-(shares * shares.log()).sum())
    assert trial.reference_loss(_setup(nn.Linear(5, 3), x, y, nn.CrossEntropyLoss()), y) == pytest.approx(entropy)
    assert trial.reference_loss(_setup(nn.Linear(5, 3), x, y, lambda o, t: F.cross_entropy(o, t)), y) == pytest.approx(entropy)
    assert trial.reference_loss(_setup(nn.Linear(5, 3), x, y, nn.CrossEntropyLoss(reduction="sum")), y) is None
    penalised = lambda o, t: F.cross_entropy(o, t) + o.pow(2).mean()
    assert trial.reference_loss(_setup(nn.Linear(5, 3), x, y, penalised), y) is None


class _TinyLM(nn.Module):
    def __init__(self, vocab: int = 40) -> None:
        super().__init__()
        self.embed, self.out = nn.Embedding(vocab, 8), nn.Linear(8, vocab)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.out(self.embed(x))


def test_a_language_models_prior_is_the_entropy_of_its_token_counts():
    torch.manual_seed(0)
    tokens = torch.randint(0, 40, (32, 10))
    targets = torch.randint(0, 40, (32, 10))
    setup = _setup(_TinyLM(), tokens, targets, None)
    assert setup.task == "sequence"
    counts = np.bincount(targets.reshape(-1).numpy(), minlength=40)
    expected = curves.prior_entropy(counts, classes=40).estimate
    assert trial.reference_loss(setup, targets) == pytest.approx(expected)
    assert expected < math.log(40) + 0.1


def test_take_samples_joins_dict_inputs():
    batches = [({"a": torch.full((4, 2), float(i)), "b": torch.zeros(4, 3)}, torch.full((4,), i)) for i in range(3)]
    x, y = trial.take_samples(batches, 6)
    assert x["a"].shape == (6, 2) and x["b"].shape == (6, 3) and y.tolist() == [0, 0, 0, 0, 1, 1]


class _VAE(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.enc, self.dec = nn.Linear(16, 4), nn.Linear(2, 16)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        mu, logvar = self.enc(x).chunk(2, dim=1)
        return torch.sigmoid(self.dec(mu + torch.randn_like(mu) * (0.5 * logvar).exp())), mu, logvar


def _vae_loss(output: tuple[torch.Tensor, torch.Tensor, torch.Tensor], x: torch.Tensor) -> torch.Tensor:
    recon, mu, logvar = output
    return F.binary_cross_entropy(recon, x, reduction="sum") - 0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())


def test_a_structured_output_loss_gives_the_single_batch_test_no_target():
    torch.manual_seed(0)
    x = torch.rand(64, 16)
    setup = nndoctor.Setup(model=_VAE(), train=(x, x), loss=_vae_loss, optimizer=lambda p: torch.optim.Adam(p, lr=1e-3)).resolve()
    result = overfit.single_batch_overfit(setup, (x[:16], x[:16]), setup.fresh_model,
                                          config=overfit.OverfitConfig(steps=20, min_steps=5))
    assert result.reference is None and not result.target_known
    from nndoctor.checks.generalisation import fit_evidence

    assert generalisation.underfitting(fit_evidence(result)) is None


# -- one verdict, both modes --------------------------------------------------------------
def test_o401_reads_a_non_finite_loss_the_same_in_both_modes():
    live = optimisation.learning_rate(optimisation.LearningRateEvidence(0.5, "SGD", nonfinite=optimisation.NonFinite(40, {"value": "nan"}, (2.0, 3.5))))
    trial_found = optimisation.learning_rate(optimisation.LearningRateEvidence(0.5, "SGD", nonfinite=optimisation.NonFinite(40, {"value": "nan"}, (2.0, 3.5), " of the trial")))
    assert [f.code for f in live] == [f.code for f in trial_found] == ["O401"]
    assert live[0].message.startswith("step 40: loss became NaN") and trial_found[0].message.startswith("step 40 of the trial")



def test_gradient_growth_is_an_explosion_only_when_the_loss_does_not_descend_steadily_through_it():
    """A gradient that grows 150x from a quiet init while the loss keeps falling is the net starting to learn."""
    norms = tuple([0.1] * 5 + [0.1 * 1.2 ** i for i in range(1, 28)] + [15.0] * 10)
    steps = tuple(range(len(norms)))
    assert curves.gradient_growth(norms) >= curves.EXPLODING_GROWTH  # the growth alone would be O403

    def judged(losses: tuple[float, ...]) -> list[str]:
        curve = optimisation.LossCurve(losses, "fixed-set", 400, "in the trial", reference=1.1)
        return [f.code for f in optimisation.exploding_gradients(optimisation.GradientHistory(
            norms, "in the trial", steps=steps, curve=curve))]

    falling = tuple(1.1 * 0.7 ** np.arange(8))
    assert all(b < 0.1 for b in curves.bumps(falling))  # independently: no point climbs above its lows
    assert judged(falling) == []
    climbing_back = (1.1, 0.8, 0.6, 0.9, 0.5, 1.0, 0.4, 0.45)  # twice back above earlier lows
    assert judged(climbing_back) == ["O403"]
    assert [f.code for f in optimisation.exploding_gradients(optimisation.GradientHistory(
        norms[:10] + (math.inf,), "in the trial", curve=optimisation.LossCurve(falling, "fixed-set", 400, "in the trial")))] == ["O403"]

def test_o402_needs_a_falling_loss_unless_a_probe_discriminates():
    flat = optimisation.LossCurve(tuple([2.3] * 10), "per-step", 300, "over 300 steps", reference=2.3, per_step=tuple([2.3] * 300))
    tiny = optimisation.LearningRateEvidence(1e-4, "SGD", curve=flat, update_ratio=5e-5, last_update_ratio=5e-5)
    assert optimisation.learning_rate(tiny) == []  # the plateau's finding (O406)
    with_test = optimisation.LearningRateEvidence(1e-4, "SGD", curve=flat, update_ratio=5e-5, last_update_ratio=5e-5,
                                            range_test=optimisation.RangeTest(0.03, 3.0))
    (found,) = optimisation.learning_rate(with_test)
    assert found.code == "O402" and "300x below" in found.message


def test_plateau_and_oscillation_verdicts_on_constructed_curves():
    flat = optimisation.LossCurve((1.1, 1.1, 1.1, 1.1, 1.1), "fixed-set", 200, "in the 200-step trial", reference=1.1)
    assert [f.code for f in optimisation.loss_plateau(optimisation.PlateauEvidence(flat))] == ["O406"]
    falling = optimisation.LossCurve(tuple(1.1 * 0.8 ** np.arange(8)), "fixed-set", 200, "in the 200-step trial", reference=1.1)
    assert list(optimisation.loss_plateau(optimisation.PlateauEvidence(falling))) == []
    bouncing = (1.0, 0.7, 1.0, 1.0, 0.7, 1.0, 1.0, 0.7, 1.0, 1.0, 0.7)  # back up to the start after every dip
    assert [f.code for f in optimisation.oscillating_loss(optimisation.OscillationEvidence(bouncing, "fixed-set"))] == ["O407"]
    assert list(optimisation.oscillating_loss(optimisation.OscillationEvidence(tuple(falling.values), "fixed-set"))) == []


def test_bouncing_is_judged_against_where_the_loss_began_not_its_first_window():
    """A noisy loss that fell within its first twentieth has made progress; one that bounces at its start level has not.

    Minibatch losses of a heavy-tailed loss at its floor jump by more than half their level from
    step to step; only the start level tells a fitted run from one that never came down.
    """
    rng = np.random.default_rng(0)
    steps = np.arange(760)
    # falls from ~0.3 to a floor of ~0.16 within the first 20 steps (inside the first of 20 windows of 38)
    floor = 0.16 + 0.14 * np.exp(-steps / 6.0)
    fitted = floor * rng.lognormal(0.0, 0.6, 760)
    start = float(np.median(fitted[:5]))  # independent: where the loss began
    level = float(np.median(fitted[380:]))
    assert level < 0.8 * start and float(np.median(np.abs(np.diff(fitted[380:])))) >= 0.5 * level
    assert float(np.median(fitted[:38])) * 0.8 <= level  # the first window's median had already left the start
    assert curves.oscillation_evidence(list(fitted)) is None
    stuck = 0.3 * rng.lognormal(0.0, 0.6, 760)  # the same noise, never below where it began
    found = curves.oscillation_evidence(list(stuck))
    assert found is not None and found["shape"] == "bouncing"
    assert found["start"] == pytest.approx(float(np.median(stuck[:5])))


def test_overfitting_severity_follows_who_chose_the_runs_length():
    train = (1.0, 0.8, 0.6, 0.4, 0.3, 0.2, 0.1)
    val = (1.0, 0.8, 0.7, 0.75, 0.8, 0.85, 0.9)  # turned up, but still below its start
    chosen = list(generalisation.overfitting_verdict(generalisation.TrainValCurves(train, val, tuple(range(7)), length_chosen=True)))
    users = list(generalisation.overfitting_verdict(generalisation.TrainValCurves(train, val, tuple(range(7)), last_step=6)))
    assert chosen[0].severity == Severity.INFO and users[0].severity == Severity.WARNING
    healthy = (1.0, 0.8, 0.7, 0.65, 0.62, 0.6, 0.59)
    assert list(generalisation.overfitting_verdict(generalisation.TrainValCurves(train, healthy, tuple(range(7))))) == []


# -- links are made by diagnosis.rank and state their evidence -------------------------------
def test_a_plateau_is_explained_by_a_far_too_low_lr_with_the_evidence_stated():
    root = optimisation.learning_rate(optimisation.LearningRateEvidence(
        1e-4, "SGD", curve=optimisation.LossCurve((2.3,) * 10, "fixed-set", 300, "in the trial", reference=2.3),
        range_test=optimisation.RangeTest(0.03, 3.0)))[0]
    plateau = next(iter(optimisation.loss_plateau(optimisation.PlateauEvidence(
        optimisation.LossCurve((2.3,) * 10, "fixed-set", 300, "in the trial", reference=2.3)))))
    ranked = rank([plateau, root])
    assert [f.code for f in ranked] == ["O402", "O406"]
    assert ranked[1].explained_by == "O402"
    assert ranked[1].evidence["because"] == "O406 because O402: the range test's best LR is 300x yours"


def test_a_non_finite_loss_explains_the_curve_symptoms_after_it():
    nan = optimisation.learning_rate(optimisation.LearningRateEvidence(0.5, "SGD", nonfinite=optimisation.NonFinite(40, {"value": "nan"})))[0]
    exploding = Finding("O403", Severity.ERROR, "The gradient norm turned non-finite.")
    ranked = rank([exploding, nan])
    assert ranked[0].code == "O401" and ranked[1].explained_by == "O401"
    assert ranked[1].evidence["because"].startswith("O403 because O401: step 40: loss became NaN")


def test_a_loop_bug_explains_the_curves_it_distorts():
    order = Finding("T505", Severity.WARNING, "optimizer.step is called before loss.backward.")
    flat = Finding("O406", Severity.ERROR, "The train loss stayed flat.")
    ranked = rank([flat, order])
    assert ranked[1].code == "O406" and ranked[1].explained_by == "T505"


def test_a_batch_that_fits_only_at_another_lr_hangs_under_that_lrs_finding():
    user = generalisation.Attempt(1e-6, "user", 1.1, 1.09, 0.4, 200, False, False, True)
    other = generalisation.Attempt(1e-2, "suggested", 1.1, 0.05, 1.0, 200, True, False, True)
    symptom = generalisation.underfitting(generalisation.FitEvidence(samples=32, reference=1.1, target_loss=0.11, attempts=(user, other)))
    assert symptom.explained_by is None and symptom.evidence["lr_cause"] == "O402"
    root = Finding("O402", Severity.WARNING, "The learning rate 1e-06 (SGD) is too low.", {"user_lr": 1e-6, "suggested_lr": 1e-2})
    ranked = rank([symptom, root])
    assert [f.code for f in ranked] == ["O402", "G602"] and ranked[1].explained_by == "O402"
    assert ranked[1].evidence["because"] == "G602 because O402: the range test's best LR is 10000x yours"
    alone = rank([generalisation.underfitting(generalisation.FitEvidence(samples=32, reference=1.1, target_loss=0.11, attempts=(user, other)))])
    assert alone[0].explained_by is None  # no dangling link to a finding the report does not hold


# -- G601's wide-gap half: validation flat far above a train loss that kept falling -------------
def _gap_curves(val_tail: float, train_end: float, slope: float = 0.0) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Ten evaluations: both losses fall together for five, then validation moves by ``slope`` per evaluation
    from ``val_tail`` (noise of +-0.01 alternating) while train falls geometrically to ``train_end``."""
    train = tuple(float(v) for v in np.geomspace(1.0, train_end, 10))
    head = np.linspace(1.0, val_tail, 5)
    tail = val_tail + slope * np.arange(1, 6) + 0.01 * np.array([1, -1, 1, -1, 1])
    return train, tuple(float(v) for v in np.concatenate([head, tail]))


def _gap_found(train, val, reference=1.0, **kwargs):
    return list(generalisation.overfitting_verdict(generalisation.TrainValCurves(
        train, val, tuple(range(0, 100, 10)), reference=reference, **kwargs)))


def test_a_wide_gap_under_a_flat_validation_curve_is_overfitting():
    train, val = _gap_curves(0.3, 0.01)
    found = _gap_found(train, val)
    assert [f.code for f in found] == ["G601"] and found[0].severity == Severity.WARNING
    e = found[0].evidence
    level = float(np.mean(val[5:]))  # the tail is the last half: five evaluations
    assert e["kind"] == "gap" and e["val_level"] == pytest.approx(level)
    assert e["gap_share_of_reference"] == pytest.approx(level - train[-1])
    assert e["ratio"] == pytest.approx(level / train[-1])
    # the rise reading is not what fired: validation never went 10% above its best
    assert curves.overfitting(train, val) is None


@pytest.mark.parametrize("case", ["still falling", "narrow in reference units", "train not far below",
                                  "train above (smoothing, mixup)", "no comparable reference", "a gap from the start"])
def test_a_gap_that_is_healthy_or_unreadable_is_not_overfitting(case):
    train, val = _gap_curves(0.3, 0.01)
    reference = 1.0
    if case == "still falling":  # validation still closes a fifth of the gap over the tail's four steps
        train, val = _gap_curves(0.4, 0.01, slope=-0.02)
    elif case == "narrow in reference units":  # a well-fitted model: train 0.007 under validation 0.06, of 1.0
        train, val = _gap_curves(0.06, 0.007)
    elif case == "train not far below":
        train, val = _gap_curves(0.3, 0.12)
    elif case == "train above (smoothing, mixup)":
        train, val = _gap_curves(0.3, 0.5)
    elif case == "no comparable reference":
        reference = None
    elif case == "a gap from the start":
        val = tuple(3 * v for v in val)
    assert _gap_found(train, val, reference) == []


def test_the_accuracy_paradox_needs_an_imbalance_to_hide_behind():
    """One class predicted everywhere: on 9:1 data that scores 90% and is the paradox; on 50/50 data it
    scores chance, which is a model that learned nothing (G602/O406), not a misleading accuracy."""
    skewed = generalisation.ClassRecall(recall={0: 1.0, 1: 0.0}, support={0: 90, 1: 10}, where="On validation")
    balanced = generalisation.ClassRecall(recall={0: 1.0, 1: 0.0}, support={0: 50, 1: 50}, where="On validation")
    [finding] = generalisation.accuracy_paradox_verdict(skewed)
    assert finding.evidence["never_predicted"] == [1] and finding.evidence["accuracy"] == pytest.approx(0.9)
    assert list(generalisation.accuracy_paradox_verdict(balanced)) == []
