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
from nndoctor.watch import session as session_module
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.live_rules import oscillation_evidence

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
    (loops.regression, "unscaled_targets", "D105"),
    (loops.regression, "diverge", "O401"),
    (loops.regression, "lr_to_zero", "O411"),
    (loops.regression, "lr_raised", "O411"),
    (loops.regression, "tight_clipping", "O408"),
]


@pytest.mark.parametrize("loop,fault,code", FAULTS, ids=[f"{c}-{f}" for _, f, c in FAULTS])
def test_fault_is_the_top_root_cause(loop, fault, code):
    doctor = watched(loop, fault)
    assert doctor.telemetry.internal_errors == []
    assert roots(doctor)[:1] == [code], [(f.code, f.explained_by) for f in doctor.findings()]


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
    assert {"O406", "O402", "O412"} <= set(codes)
    ratios = [np.median(v) for v in doctor.telemetry.update_ratios.values()]
    assert max(ratios) < 1e-5


EAGER = {name: fn for name, fn in healthy.HEALTHY.items() if name != "compiled"}
HEALTHY = [(loops.classify, None), (loops.regression, None), *[(fn, ()) for fn in EAGER.values()]]


@pytest.mark.parametrize("loop,args", HEALTHY, ids=["classify", "regression", *EAGER])
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


def test_undertrained_run_is_advice_not_an_alarm():
    slow = watched(loops.classify, epochs=2, lr=3e-4)
    undertrained = [f for f in slow.findings() if f.code == "G605"]
    assert undertrained and all(f.severity == Severity.INFO for f in undertrained)
    assert undertrained[0].evidence["relative_drop_over_tail"] > 0
    converged = watched(loops.classify, epochs=12, lr=3e-3)
    assert "G605" not in [f.code for f in converged.findings()]
