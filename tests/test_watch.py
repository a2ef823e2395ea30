"""watch: every W rule fires on a broken loop, stays silent on healthy ones; hooks never leak."""
from __future__ import annotations

import io
import math
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

import nndoctor
from nndoctor import Severity
from nndoctor.watch import live_rules
from nndoctor.watch import session as session_module
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.live_rules import oscillation_evidence
from nndoctor.watch.telemetry import Telemetry

SCRIPTS = Path(__file__).parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import healthy  # noqa: E402
import loops  # noqa: E402


@pytest.fixture(autouse=True)
def one_thread():
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def watched(fn, *args, **kwargs) -> nndoctor.Doctor:
    """Run a loop that builds its own model/optimizer, watched the way `nndoctor run` watches."""
    doctor = nndoctor.Doctor(alerts=False)
    doctor.start()
    try:
        with instrumented(doctor):
            fn(*args, **kwargs)
    finally:
        doctor.stop()
    return doctor


def loud(doctor: nndoctor.Doctor) -> list[str]:
    return [f.code for f in doctor.findings() if f.severity.at_least(Severity.WARNING)]


def roots(doctor: nndoctor.Doctor) -> list[str]:
    return [f.code for f in doctor.report().root_causes()]


FAULTS = [
    (loops.classify, "missing_zero_grad", "T501"),
    (loops.classify, "eval_mode_training", "T502"),
    (loops.classify, "train_mode_eval", "T503"),
    (loops.classify, "not_in_optimizer", "T504"),
    (loops.classify, "zero_before_step", "T505"),
    (loops.classify, "same_batch", "T506"),
    (loops.classify, "unnormalized", "D101"),
    (loops.classify, "nonfinite_inputs", "D104"),
    (loops.classify, "ordered", "D115"),
    (loops.classify, "softmax_before_ce", "L301"),
    (loops.classify, "constant_init", "M201"),
    (loops.classify, "big_logits", "L307"),
    (loops.classify, "maximise", "L308"),
    (loops.classify, "log_likelihood", "L308"),
    (loops.regression, "unscaled_targets", "D105"),
    (loops.regression, "diverge", "O401"),
    (loops.regression, "lr_to_zero", "O411"),
    (loops.regression, "lr_raised", "O411"),
    (loops.regression, "tight_clipping", "O408"),
    (loops.regression, "tight_value_clipping", "O408"),
    (loops.regression, "lr_far_too_low", "O402"),
    (loops.classify, "model_after_optimizer", "T504"),
    (loops.classify, "layer_swapped", "T504"),
    (loops.classify, "step_every_fourth", "T505"),
    (loops.classify, "hidden_lr_tiny", "O412"),
    (loops.classify, "head_lr_huge", "O412"),
]


@pytest.mark.parametrize("loop,fault,code", FAULTS, ids=[f"{c}-{f}" for _, f, c in FAULTS])
def test_fault_is_the_top_root_cause(loop, fault, code):
    doctor = watched(loop, fault)
    assert doctor.telemetry.internal_errors == []
    assert roots(doctor)[:1] == [code], [(f.code, f.explained_by) for f in doctor.findings()]


def test_an_input_batchnorm_frozen_by_eval_mode_training_is_the_root_of_unscaled_inputs():
    doctor = watched(healthy.input_batchnorm, eval_mode=True)
    by_code = {f.code: f for f in doctor.findings()}
    assert roots(doctor)[:1] == ["T502"]
    assert by_code["D101"].explained_by == "T502" and by_code["D101"].evidence["input_batchnorm"] == "0"


def test_bad_labels_crash_is_still_diagnosed():
    with pytest.raises(IndexError):
        watched(loops.classify, "labels_off_by_one")
    doctor = nndoctor.Doctor(alerts=False).start()
    try:
        with instrumented(doctor):
            loops.classify("labels_off_by_one")
    except IndexError:
        pass
    finally:
        doctor.stop()
    finding = next(f for f in doctor.findings() if f.code == "D113")
    assert "reach 3" in finding.message and "3 outputs" in finding.message


def test_nan_names_step_and_matches_the_loss_series():
    doctor = watched(loops.regression, "diverge")
    finding = next(f for f in doctor.findings() if f.code == "O401")
    losses = doctor.telemetry.train_loss
    first_bad = next(i for i, v in enumerate(losses) if not math.isfinite(v))
    assert finding.message.startswith(f"step {doctor.telemetry.train_loss_steps[first_bad]}: loss became")
    assert all(math.isfinite(v) for v in losses[:first_bad])


def test_exploding_gradients_and_high_lr_dying_relu():
    doctor = watched(loops.regression, "diverge")
    assert "O403" in [f.code for f in doctor.findings()]
    dead = watched(loops.classify, "oscillate", lr=3.0)
    assert "O405" in loud(dead)


def test_vanishing_gradients_in_a_deep_sigmoid_stack():
    torch.manual_seed(0)
    x, y = loops.blobs(480)
    layers: list[nn.Module] = [nn.Linear(10, 32), nn.Sigmoid()]
    for _ in range(10):
        layers += [nn.Linear(32, 32), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(32, 3))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    with nndoctor.watch(model, opt, alerts=False) as doctor:
        for _ in range(5):
            for xb, yb in loops.loader(x, y):
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
    assert roots(doctor)[:1] == ["O404"]
    finding = next(f for f in doctor.findings() if f.code == "O404")
    per_layer = finding.evidence["per_layer"]
    assert per_layer["0.weight"] / per_layer["22.weight"] == pytest.approx(finding.evidence["ratio"])


def test_plateau_and_tiny_updates_with_too_small_lr():
    doctor = watched(loops.classify, None, lr=1e-7, epochs=3)
    codes = loud(doctor)
    # Adam moves each weight by about the LR: steps frozen in every layer under it are the LR's, and the plateau its symptom
    assert codes[0] == "O402" and "O412" in codes and "O406" in codes
    found = {f.code: f for f in doctor.findings()}
    assert found["O406"].explained_by == "O402" and found["O412"].explained_by in ("O402", "O406")
    ratios = [np.median(v) for v in doctor.telemetry.update_ratios.values()]
    assert max(ratios) < 1e-5


EAGER = {name: fn for name, fn in healthy.HEALTHY.items() if name != "compiled"}
HEALTHY = [(loops.classify, None), (loops.classify, "handwritten_nll"), (loops.regression, None), *[(fn, ()) for fn in EAGER.values()]]


@pytest.mark.parametrize("loop,args", HEALTHY, ids=["classify", "handwritten-nll", "regression", *EAGER])
def test_healthy_loops_stay_silent(loop, args):
    doctor = watched(loop, *(args if isinstance(args, tuple) else (args,)))
    assert loud(doctor) == [], [(f.code, f.message) for f in doctor.findings()]
    assert doctor.telemetry.internal_errors == []
    assert doctor.telemetry.steps > 20


def test_unseeded_run_is_an_info_finding():
    torch.seed()  # a random 64-bit seed, as in a fresh process that never seeds
    model = nn.Linear(4, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    x, y = torch.randn(64, 4), torch.randn(64, 1)
    with nndoctor.watch(model, opt, alerts=False) as doctor:
        for _ in range(10):
            opt.zero_grad()
            F.mse_loss(model(x), y).backward()
            opt.step()
    assert [(f.code, f.severity) for f in doctor.findings() if f.code == "T507"] == [("T507", Severity.INFO)]
    torch.manual_seed(0)
    with nndoctor.watch(model, opt, alerts=False) as seeded:
        opt.zero_grad()
        F.mse_loss(model(x), y).backward()
        opt.step()
    assert "T507" not in [f.code for f in seeded.findings()]


def test_compiled_model_stays_silent_and_says_what_it_could_not_watch():
    doctor = watched(healthy.compiled)
    assert loud(doctor) == [] and doctor.telemetry.internal_errors == []
    assert any("torch.compile" in text for text in doctor.report().to_dict()["limitations"])


def test_explicit_watch_api_gan_and_val_loss_logging():
    torch.manual_seed(0)
    x, y = loops.blobs(400)
    model = loops.mlp()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    with nndoctor.watch(model, opt, every=5, alerts=False) as doctor:
        for epoch in range(4):
            for xb, yb in loops.loader(x[:320], y[:320]):
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
            doctor.log(val_loss=0.5 - 0.01 * epoch)
    report = doctor.report()
    assert report.mode == "watch" and report.to_dict()["mode"] == "watch"
    assert doctor.telemetry.steps == 40 and len(doctor.telemetry.train_loss) == 40
    assert doctor.telemetry.logged["val_loss"][-1] == (40, pytest.approx(0.47))
    assert all(isinstance(f, nndoctor.Finding) for f in doctor.findings())


def _hook_state(model: nn.Module, opt: torch.optim.Optimizer) -> tuple:
    per_module = [(len(m._forward_hooks), len(m._forward_pre_hooks), len(m._backward_hooks)) for m in model.modules()]
    return (per_module, len(opt._optimizer_step_pre_hooks), len(opt._optimizer_step_post_hooks),
            "zero_grad" in vars(opt), "zero_grad" in vars(model), torch.autograd.backward, F.cross_entropy,
            torch.nn.utils.clip_grad_norm_, torch.optim.Optimizer.__init__, torch.manual_seed)


def test_hooks_are_gone_after_watch_exits_even_on_error():
    torch.manual_seed(0)
    x, y = loops.blobs(64)
    model, opt = loops.mlp(), None
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before = _hook_state(model, opt)
    with pytest.raises(RuntimeError, match="user error"):
        with nndoctor.watch(model, opt, every=1, alerts=False):
            for _ in range(3):
                opt.zero_grad()
                F.cross_entropy(model(x), y).backward()
                opt.step()
            assert _hook_state(model, opt) != before
            raise RuntimeError("user error")
    assert _hook_state(model, opt) == before


def test_errors_inside_nndoctor_never_reach_the_loop(monkeypatch):
    def broken(*args, **kwargs):
        raise ValueError("monitor bug")

    monkeypatch.setattr(session_module.Doctor, "_measure_grads", broken)
    monkeypatch.setattr(session_module, "input_stats", broken)
    monkeypatch.setattr(session_module.Doctor, "on_loss_input", broken)
    doctor = watched(loops.classify, None, epochs=1)
    assert any("monitor bug" in e for e in doctor.telemetry.internal_errors)
    assert doctor.telemetry.steps == 30


def test_alerts_once_per_code_to_the_stream():
    stream = io.StringIO()
    torch.manual_seed(0)
    x, y = loops.blobs(256)
    model = loops.mlp()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    with nndoctor.watch(model, opt, every=5, stream=stream):
        for _ in range(40):
            F.cross_entropy(model(x), y).backward()  # no zero_grad
            opt.step()
    lines = stream.getvalue().splitlines()
    assert sum("[T501 missing-zero-grad]" in line for line in lines) == 1
    assert lines[0].startswith("nndoctor: step ")


def test_oscillation_verdict_against_constructed_curves():
    rng = np.random.default_rng(0)
    steps = np.arange(400)
    noisy_descent = 2.0 * np.exp(-steps / 60) + 0.2 + 0.05 * rng.standard_normal(400)
    slow_swings = 1.0 + 0.5 * np.sin(steps / 15) + 0.05 * rng.standard_normal(400)
    bouncing = np.where(steps % 2 == 0, 0.4, 2.0) + 0.05 * rng.standard_normal(400)
    assert oscillation_evidence(list(noisy_descent)) is None
    assert oscillation_evidence(list(slow_swings))["shape"] == "swings"
    assert oscillation_evidence(list(bouncing))["shape"] == "bouncing"
    flat = 0.7 + 0.05 * rng.standard_normal(400)
    spikes = flat.copy()
    spikes[[10, 30, 60, 90]] = [40.0, 250.0, 9.0, 3000.0]
    assert oscillation_evidence(list(spikes))["shape"] == "spikes"
    assert oscillation_evidence(list(spikes))["first_spike_index"] == 10
    assert oscillation_evidence(list(flat)) is None
    one_bad_batch = noisy_descent.copy()
    one_bad_batch[50] = 40.0
    assert oscillation_evidence(list(one_bad_batch)) is None


def test_undertrained_run_is_advice_not_an_alarm():
    slow = watched(loops.classify, epochs=2, lr=3e-4)
    undertrained = [f for f in slow.findings() if f.code == "G605"]
    assert undertrained and all(f.severity == Severity.INFO for f in undertrained)
    assert undertrained[0].evidence["relative_drop_over_tail"] > 0
    converged = watched(loops.classify, epochs=12, lr=3e-3)
    assert "G605" not in [f.code for f in converged.findings()]


def test_model_built_after_its_optimizer_is_the_one_not_updated():
    doctor = watched(loops.classify, "model_after_optimizer", epochs=3)
    by_code = {f.code: f for f in doctor.findings()}
    stuck = by_code["T504"]
    assert stuck.severity == Severity.ERROR  # nothing the loss trains can move
    assert all(name.startswith("model1.") for name in stuck.evidence["receive_gradients"])
    assert "not the one the optimizer updates" in stuck.message
    assert by_code["M209"].explained_by == "T504"  # the optimizer's own tensors get no gradient for the same reason


def test_backward_passes_thrown_away_by_zero_grad_are_a_step_order_bug():
    doctor = watched(loops.classify, "step_every_fourth", epochs=2)
    finding = next(f for f in doctor.findings() if f.code == "T505")
    # every backward but those a step used (one per step) and the last one, which no later zero_grad throws away
    assert finding.evidence["discarded_backwards"] == doctor.telemetry.backward_calls - doctor.telemetry.steps - 1
    assert "T505" not in [f.code for f in watched(healthy.grad_accumulation, 2).findings()]


def _lbfgs_full_batch(steps: int = 30) -> None:
    torch.manual_seed(0)
    x, y = loops.blobs(480)
    model = loops.mlp()
    opt = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=5)
    for _ in range(steps):
        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(model(x), y)
            loss.backward()
            return loss
        opt.step(closure)


def _sgd_with_closure(epochs: int = 3) -> None:
    torch.manual_seed(0)
    x, y = loops.blobs(480)
    model = loops.mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for _ in range(epochs):
        for xb, yb in loops.loader(x, y):
            def closure(xb=xb, yb=yb):
                opt.zero_grad()
                loss = F.cross_entropy(model(xb), yb)
                loss.backward()
                return loss
            opt.step(closure)


@pytest.mark.parametrize("loop", [_lbfgs_full_batch, _sgd_with_closure], ids=["lbfgs", "sgd"])
def test_closure_steps_are_not_loop_bugs(loop):
    doctor = watched(loop)
    assert loud(doctor) == [], [(f.code, f.message) for f in doctor.findings()]
    assert doctor.telemetry.counters.get("step_without_backward", 0) == 0
    assert doctor.telemetry.counters.get("uncleared_steps", 0) == 0
    assert len(doctor.telemetry.train_loss) == doctor.telemetry.steps  # one loss per step, not one per closure call
    assert doctor.telemetry.grad_steps  # gradients are read after the closure ran


def test_manually_scaled_loss_is_recorded_unscaled():
    doctor = watched(loops.classify, "manual_loss_scale", epochs=2)
    assert loud(doctor) == [], [(f.code, f.message) for f in doctor.findings()]
    assert doctor.telemetry.train_loss[0] == pytest.approx(math.log(3), rel=0.2)


def test_value_clipping_of_outliers_only_is_silent():
    doctor = watched(loops.regression, "outlier_value_clipping")
    assert loud(doctor) == [] and doctor.telemetry.value_clips


@pytest.mark.parametrize("whole_model", [False, True], ids=["load_state_dict", "torch.load(model)"])
def test_early_stopping_that_restores_the_best_weights_makes_overfitting_advice(whole_model):
    plain = next(f for f in watched(loops.overfit).findings() if f.code == "G601")
    restored = next(f for f in watched(loops.overfit, restore=True, whole_model=whole_model).findings() if f.code == "G601")
    assert plain.severity == Severity.WARNING
    assert restored.severity == Severity.INFO and "early stopping" in restored.message
    assert not hasattr(torch.load, "__wrapped__")  # the patch is gone with the session


def test_the_trained_model_saved_and_read_back_is_no_early_stopping():
    """``torch.save(model)`` after the last epoch and ``torch.load`` for the test pass restore the same weights."""
    finding = next(f for f in watched(loops.overfit, save_final=True).findings() if f.code == "G601")
    assert finding.severity == Severity.WARNING and "early stopping" not in finding.message


def test_overfitting_seen_when_evaluation_only_takes_argmax():
    doctor = watched(loops.overfit, argmax_eval=True)
    finding = next(f for f in doctor.findings() if f.code == "G601")
    assert finding.evidence["val_source"] == "scored" and doctor.telemetry.val_loss == []
    healthy_run = watched(loops.overfit, argmax_eval=True, n_train=960, epochs=8, hidden=16)
    assert loud(healthy_run) == [] and len(healthy_run.telemetry.scored_val_loss) == 8
    # the scored loss is the cross-entropy a loss call would have measured on the same batches
    with_loss = watched(loops.overfit, n_train=960, epochs=8, hidden=16)
    assert healthy_run.telemetry.scored_val_loss == pytest.approx(with_loss.telemetry.val_loss, rel=1e-4)


def test_validation_flat_far_above_a_memorised_training_set_is_overfitting():
    doctor = watched(loops.memorise_regression, n_train=64, epochs=60)
    finding = next(f for f in doctor.findings() if f.code == "G601")
    val, e = doctor.telemetry.val_loss, finding.evidence
    assert finding.severity == Severity.WARNING and e["kind"] == "gap" and e["val_source"] == "detected"
    assert e["val_level"] == pytest.approx(float(np.mean(val[-30:])))  # the last half of 60 evaluations
    assert e["ratio"] >= 4 and e["gap_share_of_reference"] >= 0.1
    healthy_run = watched(loops.memorise_regression, n_train=1024, epochs=15)
    assert loud(healthy_run) == [], [(f.code, f.message) for f in healthy_run.findings()]


def _decayed(weight_decay: float) -> None:
    torch.manual_seed(0)
    x, y = loops.blobs(960, noise=1.6)
    model = loops.mlp()
    opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=weight_decay)
    for _ in range(5):
        for xb, yb in loops.loader(x, y):
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()


def test_weight_decay_that_outweighs_the_data():
    doctor = watched(_decayed, 0.5)
    assert roots(doctor)[:1] == ["O409"], [(f.code, f.explained_by) for f in doctor.findings()]
    assert doctor.findings()[0].evidence["weight_norm_end"] < 0.5 * doctor.findings()[0].evidence["weight_norm_start"]
    assert loud(watched(_decayed, 5e-4)) == []


def _telemetry(losses: list[float]) -> Telemetry:
    t = Telemetry()
    t.train_loss, t.train_loss_steps = list(losses), list(range(len(losses)))
    return t


def test_loss_that_ends_above_where_it_started_is_divergence():
    rng = np.random.default_rng(0)
    rose = [1.4] + list(4.0 + rng.standard_normal(60)) + list(2.2 + 0.2 * rng.standard_normal(140))
    found = [f for f in live_rules.divergence(_telemetry(rose), {}, True)]
    assert [f.code for f in found] == ["O401"] and found[0].evidence["initial_loss"] == 1.4
    descent = list(2.0 * np.exp(-np.arange(200) / 40) + 0.1 + 0.05 * rng.standard_normal(200))
    assert list(live_rules.divergence(_telemetry(descent), {}, True)) == []


def test_slow_steady_descent_evidence_against_constructed_curves():
    rng = np.random.default_rng(0)
    steps = np.arange(300)
    straight = list(1.0 - 0.001 * steps + 0.05 * rng.standard_normal(300))
    converging = list(0.9 * np.exp(-steps / 30) + 0.1 + 0.05 * rng.standard_normal(300))
    assert live_rules.steady_descent(straight, reference=1.0)["second_half_slope"] < 0
    assert live_rules.steady_descent(converging, reference=1.0) is None
    assert live_rules.steady_descent(straight, reference=1.2) is not None
    assert live_rules.steady_descent(list(0.3 - 0.0005 * steps), reference=1.0) is None  # well below the prior: fitting


def _gradient_telemetry(grad_over_weight: float) -> Telemetry:
    t = Telemetry()
    t.weight_params = ["0.weight", "2.weight"]
    for step in (0, 1, 2, 4, 8):
        t.grad_steps.append(step)
        for name, weight in (("0.weight", 3.0), ("2.weight", 4.0)):
            t.grad_norms.setdefault(name, []).append(grad_over_weight * weight)
            t.grad_norm_steps.setdefault(name, []).append(step)
            t.weight_norms.setdefault(name, []).append((step, weight))
        t.total_grad_norm.append(grad_over_weight * 5.0)
    return t


def test_gradients_that_dwarf_the_weights_from_the_start_have_exploded():
    exploded = list(live_rules.exploding_gradients(_gradient_telemetry(1e5), {}, True))
    assert [f.code for f in exploded] == ["O403"]
    assert exploded[0].evidence["median_grad_to_weight"] == pytest.approx(1e5)
    assert list(live_rules.exploding_gradients(_gradient_telemetry(0.3), {}, True)) == []


def test_vanishing_gradients_are_judged_per_block_after_the_first_steps():
    t = Telemetry()
    names = ["enc.layer.0.attn.query.weight", "enc.layer.0.attn.value.weight", "enc.layer.1.attn.query.weight",
             "enc.layer.1.attn.value.weight", "head.weight"]
    t.weight_params = names
    for step in (0, 1, 2, 4, 8, 16):
        t.grad_steps.append(step)
        for name, grad in zip(names, (1e-6, 1e-2, 1e-6, 1e-2, 1.0)):
            t.grad_norms.setdefault(name, []).append(grad)
            t.grad_norm_steps.setdefault(name, []).append(step)
            t.param_sizes[name] = 100
    assert list(live_rules.vanishing_gradients(t, {}, True)) == []  # queries are second order, values carry the gradient
    t.grad_norms["enc.layer.0.attn.value.weight"] = [1e-6] * 6
    found = list(live_rules.vanishing_gradients(t, {}, True))
    assert [f.code for f in found] == ["O404"] and found[0].location == "enc.layer.0.attn.query.weight"


# -- L308 for hand-written losses: the sign of what backward() minimises ------------------------
def test_log_likelihood_sign_follows_negations_and_scalings_down_to_log_softmax():
    from nndoctor.watch.graph import log_likelihood_sign

    logits, labels = torch.randn(8, 4, requires_grad=True), torch.randint(0, 4, (8,))
    log_probs = torch.log_softmax(logits, dim=1)
    picked = log_probs.gather(1, labels[:, None]).mean()
    indexed = log_probs[torch.arange(8), labels].sum()
    cases = {"mean of picked": (picked, 1), "negated": (-picked, -1), "halved": (picked / 2, 1),
             "times -0.5": (picked * -0.5, -1), "negated sum": (-indexed, -1), "sum": (indexed, 1),
             "nll_loss": (F.nll_loss(log_probs, labels), None), "plus a penalty": (-picked + logits.pow(2).mean(), -1),
             "mse": (F.mse_loss(logits, torch.zeros(8, 4)), None)}
    for name, (tensor, expected) in cases.items():
        assert log_likelihood_sign(tensor) == expected, name
        if expected is not None and "penalty" not in name:  # independent check: log-probabilities are <= 0
            assert (float(tensor.detach()) <= 0) == (expected > 0), name


# -- M203 in watch: a one-unit ReLU (an output activation) is not a share of a layer ---------------
def test_watch_passes_relu_widths_so_a_one_unit_output_relu_is_not_a_dead_layer():
    from nndoctor.watch.monitors import unit_count

    assert unit_count(torch.zeros(4, 1)) == 1 and unit_count(torch.zeros(4, 7, 5)) == 5 and unit_count(torch.zeros(4, 6, 3, 3)) == 6
    t = Telemetry()
    t.dead_share = {"head.1": [(s, 1.0) for s in (0, 1, 2, 4)], "body.1": [(s, 0.75) for s in (0, 1, 2, 4)]}
    t.relu_units = {"head.1": 1, "body.1": 16}
    (found,) = [f for f in live_rules.dying_relu(t, {}, True) if f.code == "M203"]
    assert list(found.evidence["dead_share"]) == ["body.1"]


def test_an_output_relu_stuck_below_negative_targets_is_the_root_not_a_dead_layer():
    torch.manual_seed(0)
    x = torch.randn(256, 6)
    y = x @ torch.randn(6, 1) - 3.0
    model = nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 1), nn.ReLU())
    with torch.no_grad():
        model[2].bias.fill_(-5.0)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    with nndoctor.watch(model, opt, alerts=False) as doctor:
        for _ in range(40):
            for i in range(0, 256, 32):
                opt.zero_grad()
                F.mse_loss(model(x[i:i + 32]), y[i:i + 32]).backward()
                opt.step()
    assert doctor.telemetry.relu_units == {"1": 16, "3": 1}
    assert "M203" not in [f.code for f in doctor.findings()]


def _watched_on_blobs(model: nn.Module, opt: torch.optim.Optimizer, epochs: int = 3) -> nndoctor.Doctor:
    """A plain cross-entropy loop over the blobs task under watch."""
    x, y = loops.blobs(960, seed=0, noise=1.6)
    with nndoctor.watch(model, opt, alerts=False) as doctor:
        for _ in range(epochs):
            for xb, yb in loops.loader(x, y):
                opt.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                opt.step()
    return doctor


class _Offset(nn.Module):
    """An MLP plus a learned input offset that starts at zero (like a learned positional table)."""

    def __init__(self):
        super().__init__()
        self.net = loops.mlp()
        self.offset = nn.Parameter(torch.zeros(1, 10))

    def forward(self, x):
        return self.net(x + self.offset)


def test_a_weight_that_started_at_zero_is_not_the_healthy_side_of_an_update_ratio_split():
    torch.manual_seed(0)
    model = _Offset()
    doctor = _watched_on_blobs(model, torch.optim.Adam(model.parameters(), lr=1e-7))  # one group: the global LR is what is off
    t = doctor.telemetry
    assert t.weight_norms["offset"][0][1] == 0.0
    # the offset moves by a large share of the small norm it is building; the real layers by ~1e-6
    assert np.median(t.update_ratios["offset"]) > 1e-2
    o412 = next(f for f in doctor.findings() if f.code == "O412")
    assert "offset" not in o412.evidence["per_layer"] and not o412.evidence["some_layers"]
    assert set(o412.evidence["too_small"]) == {n for n in t.weight_params if n != "offset"}


def test_a_weight_started_far_below_the_usual_scale_is_judged_against_that_scale():
    # IRNN-style recipe: a first layer at std 0.001 on purpose; Adam grows it to an ordinary size
    torch.manual_seed(0)
    model = loops.mlp()
    nn.init.normal_(model[0].weight, std=1e-3)
    doctor = _watched_on_blobs(model, torch.optim.Adam(model.parameters(), lr=3e-3))
    t = doctor.telemetry
    first = t.weight_params[0]
    start, step = t.weight_norms[first][0][1], float(np.median(t.update_norms[first]))
    assert step / start > live_rules.UPDATE_TOO_LARGE  # against its own tiny start every step would 're-draw' the layer
    default = math.sqrt(model[0].weight.numel() / (3 * model[0].weight.shape[1]))
    assert live_rules.default_init_norm(model[0].weight.numel(), model[0].weight.shape[1]) == pytest.approx(default)
    assert step / default < live_rules.UPDATE_TOO_LARGE
    assert "O412" not in {f.code for f in doctor.findings()}


def test_minus_infinity_logits_are_a_mask_not_an_overflow():
    """A contrastive loss fills each sample's similarity with itself with -inf: softmax gives it probability 0,
    so it is no non-finite output; chance is then over the remaining candidates of each row."""
    from nndoctor.watch.loss_inspect import inspect_loss_call

    sim = torch.randn(8, 8)
    sim.fill_diagonal_(float("-inf"))
    masked = inspect_loss_call("cross_entropy", sim, torch.arange(8).roll(1), {})
    assert masked["input_nonfinite"] == 0 and masked["masked_logits"] == 8 and masked["candidates"] == 7
    overflow = sim.clone()
    overflow[0] = float("-inf")  # a row with no finite logit is no mask: its loss is infinite
    overflow[1, 2] = float("nan")
    broken = inspect_loss_call("cross_entropy", overflow, torch.arange(8).roll(1), {})
    assert broken["input_nonfinite"] == 8 + 7 + 1 and "masked_logits" not in broken
