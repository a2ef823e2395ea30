"""Never hurt the patient: a watched loop's objects pickle, copy, script and trace as if unwatched.

Also: loops that update the weights by hand (no optimizer object) are legitimate training
loops; they are stepped by their updates and raise no step-order alarm.
"""
from __future__ import annotations

import copy
import io
import sys
import warnings
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as module_hooks
from torch.optim import optimizer as optimizer_hooks

import nndoctor
from nndoctor.watch.instrument import instrumented
from nndoctor.watch.run import run_script

SCRIPTS = Path(__file__).parent / "scripts"
sys.path.insert(0, str(SCRIPTS))

import loops  # noqa: E402


class Net(nn.Module):
    """A model class defined at module level, as whole-model checkpoints need."""

    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(loops.FEATURES, 32)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(32, loops.CLASSES)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.act(self.fc1(x)))


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


def train_steps(model: nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor, steps: int) -> None:
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(model(x), y).backward()
        opt.step()


def global_hook_state() -> tuple:
    return (dict(module_hooks._global_forward_hooks), dict(module_hooks._global_forward_pre_hooks),
            dict(module_hooks._global_forward_hooks_with_kwargs), dict(optimizer_hooks._global_optimizer_pre_hooks),
            dict(optimizer_hooks._global_optimizer_post_hooks), nn.Module.zero_grad, nn.Module.load_state_dict,
            torch.optim.Optimizer.zero_grad, list(warnings.filters))


def per_object_state(model: nn.Module, opt: torch.optim.Optimizer) -> tuple:
    modules = [(sorted(vars(m)), len(m._forward_hooks), len(m._forward_pre_hooks), len(m._state_dict_hooks),
                len(m._load_state_dict_post_hooks)) for m in model.modules()]
    return modules, sorted(vars(opt)), len(opt._optimizer_step_pre_hooks), len(opt._optimizer_step_post_hooks)


def test_watched_model_is_saved_whole_and_loads_back():
    torch.manual_seed(0)
    x, y = loops.blobs(64)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    with nndoctor.watch(model, opt, every=1, alerts=False) as doctor:  # every=1: sampling attachments are live too
        train_steps(model, opt, x, y, 3)
        buffer = io.BytesIO()
        torch.save(model, buffer)
        torch.save(opt, io.BytesIO())
        train_steps(model, opt, x, y, 1)
    buffer.seek(0)
    loaded = torch.load(buffer, weights_only=False)
    assert doctor.telemetry.steps == 4 and doctor.telemetry.internal_errors == []
    assert [k for k in vars(loaded)] == [k for k in vars(Net())]
    assert not any(m._forward_hooks or m._forward_pre_hooks for m in loaded.modules())


def test_word_language_model_style_checkpoints_run_under_nndoctor_run(capsys):
    outcome = run_script(str(SCRIPTS / "examples" / "save_whole_model.py"), ["--epochs", "2"], alerts=False)
    out = capsys.readouterr()
    assert outcome.exit_status == 0, out.err
    assert "End of training" in out.out and "Error" not in out.err
    assert outcome.report.telemetry["internal_errors"] == []


def test_deepcopy_of_a_watched_model_is_a_plain_unwatched_copy():
    torch.manual_seed(0)
    x, y = loops.blobs(64)
    model = loops.mlp()
    plain_copy_state = per_object_state(copy.deepcopy(model), torch.optim.SGD(copy.deepcopy(model).parameters(), lr=0.1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    keys = list(model.state_dict()), list(opt.state_dict())
    with nndoctor.watch(model, opt, every=1, alerts=False) as doctor:
        train_steps(model, opt, x, y, 2)
        ema = copy.deepcopy(model)  # teacher / EMA copy taken mid-training, while sampling is active
        opt_copy = copy.deepcopy(opt)
        assert per_object_state(ema, torch.optim.SGD(ema.parameters(), lr=0.1)) == plain_copy_state
        assert "zero_grad" not in vars(opt_copy) and not opt_copy._optimizer_step_pre_hooks and not opt_copy._optimizer_step_post_hooks
        assert (list(model.state_dict()), list(opt.state_dict())) == keys
        evals, inputs = doctor.telemetry.counters.get("eval_forwards", 0), len(doctor._stash)
        with torch.no_grad():
            ema.eval()
            ema(x)
        ema.train()
        F.cross_entropy(ema(x), y)  # a forward with gradients on a sampled step
        assert doctor.telemetry.counters.get("eval_forwards", 0) == evals and len(doctor._stash) == inputs
        with torch.no_grad():
            model(x)
        assert doctor.telemetry.counters["eval_forwards"] == evals + 1  # the watched model itself still is


def test_ema_deepcopy_script_is_watched_without_its_copy():
    outcome = run_script(str(SCRIPTS / "examples" / "ema_deepcopy.py"), ["--epochs", "2"], alerts=False)
    report = outcome.report
    assert outcome.exit_status == 0
    assert report.setup["models"] == ["Sequential"] and report.telemetry["internal_errors"] == []
    assert report.telemetry["steps"] == 44
    # the EMA copy is no watched model (no hooks, no statistics of its own); its evaluation without gradients counts
    # only for T503's mode check, and the script puts it in eval mode
    counters = report.telemetry["counters"]
    assert counters.get("eval_forwards", 0) > 0 and "eval_forwards_in_train_mode" not in counters
    assert "T503" not in report.codes


def test_jit_script_and_trace_work_on_a_watched_model():
    torch.manual_seed(0)
    x, y = loops.blobs(32)
    model = Net()
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    plain_trace = torch.jit.trace(model, x).code
    with nndoctor.watch(model, opt, every=1, alerts=False) as doctor:
        train_steps(model, opt, x, y, 2)
        scripted = torch.jit.script(model)
        traced = torch.jit.trace(model, x)
        train_steps(model, opt, x, y, 1)
    assert traced.code == plain_trace  # nothing of nndoctor's was recorded into the trace
    with torch.no_grad():
        expected = model(x)
        assert torch.allclose(traced(x), expected) and torch.allclose(scripted(x), expected)
    assert doctor.telemetry.internal_errors == [] and doctor.telemetry.steps == 3


def test_compiled_model_prints_no_warning_of_nndoctors():
    torch.manual_seed(0)
    x, y = loops.blobs(32)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    fast = torch.compile(model, backend="eager")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with nndoctor.watch(model, opt, alerts=False) as doctor:
            for _ in range(3):
                opt.zero_grad()
                F.cross_entropy(fast(x), y).backward()
                opt.step()
    assert [str(w.message) for w in caught] == []
    assert doctor.telemetry.steps == 3
    assert any("torch.compile" in text for text in doctor.telemetry.limitations)


def test_nothing_of_nndoctors_remains_anywhere_after_the_watch():
    torch.manual_seed(0)
    x, y = loops.blobs(64)
    model = Net()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    before_global, before_objects = global_hook_state(), per_object_state(model, opt)
    with pytest.raises(RuntimeError, match="user error"):
        with nndoctor.watch(model, opt, every=1, alerts=False):
            train_steps(model, opt, x, y, 3)
            assert global_hook_state() != before_global  # the watch works through global hooks only
            assert per_object_state(model, opt) == before_objects
            raise RuntimeError("user error")
    assert global_hook_state() == before_global
    assert per_object_state(model, opt) == before_objects


def test_zero_grad_overridden_by_an_optimizer_subclass_is_still_seen():
    class Lookahead(torch.optim.SGD):
        def zero_grad(self, set_to_none: bool = True) -> None:
            super().zero_grad(set_to_none)

    def loop() -> None:
        torch.manual_seed(0)
        x, y = loops.blobs(64)
        model = Net()
        opt = Lookahead(model.parameters(), lr=0.1)
        train_steps(model, opt, x, y, 6)

    own = vars(Lookahead)["zero_grad"]
    doctor = watched(loop)
    assert doctor.telemetry.counters["zero_grad_calls"] == 6  # the override and the base call are one call
    assert doctor.telemetry.counters.get("cleared_steps", 0) == 5
    assert vars(Lookahead)["zero_grad"] is own


# -- hand-written updates -------------------------------------------------------------------------
def sgd_by_hand(steps: int = 200, lr: float = 0.05, through_data: bool = False) -> list[float]:
    """The regression example's loop: no optimizer, ``p -= lr * p.grad`` under no_grad, then ``model.zero_grad()``."""
    torch.manual_seed(0)
    x, y = loops.blobs(256)
    model = loops.mlp()
    losses = []
    for i in range(steps):
        xb, yb = x[(i * 32) % 256:][:32], y[(i * 32) % 256:][:32]
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        if through_data:
            for p in model.parameters():
                p.data.add_(p.grad.data, alpha=-lr)
        else:
            with torch.no_grad():
                for p in model.parameters():
                    p.add_(p.grad, alpha=-lr)
        model.zero_grad()
        losses.append(loss.item())
    return losses


@pytest.mark.parametrize("through_data", [False, True], ids=["no_grad", "p.data"])
def test_sgd_by_hand_is_a_training_loop_not_a_step_order_bug(through_data):
    losses = []
    doctor = watched(lambda: losses.extend(sgd_by_hand(through_data=through_data)))
    t = doctor.telemetry
    assert losses[-1] < 0.5 * losses[0]  # the loop does train
    codes = [f.code for f in doctor.findings()]
    assert "T505" not in codes and "T504" not in codes
    assert t.steps == 200 and t.manual_steps == 200 and t.counters["manual_steps"] == 200
    assert len(t.train_loss) == 200 and t.train_loss[0] == pytest.approx(losses[0])


def test_sgd_by_hand_is_sampled_every_n_steps_not_on_every_step():
    doctor = watched(sgd_by_hand, steps=200)
    sampled = sorted({entry["step"] for entry in doctor.telemetry.inputs})
    assert sampled and len(sampled) < 30 and sampled[-1] >= 150
    assert len(doctor._stash) == 0 and doctor.telemetry.internal_errors == []


def test_regression_example_under_nndoctor_run(capsys):
    outcome = run_script(str(SCRIPTS / "examples" / "sgd_by_hand.py"), ["--epochs", "3"], alerts=False)
    assert outcome.exit_status == 0 and "final val loss" in capsys.readouterr().out
    telemetry = outcome.report.telemetry
    assert telemetry["counters"]["manual_steps"] == telemetry["steps"] == 120
    assert "T505" not in [f.code for f in outcome.report.findings]


def test_backward_without_any_update_is_still_a_step_order_bug():
    def forgot_step() -> None:
        torch.manual_seed(0)
        x, y = loops.blobs(64)
        model = Net()
        opt = torch.optim.SGD(model.parameters(), lr=0.1)
        for _ in range(80):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()

    doctor = watched(forgot_step)
    finding = next(f for f in doctor.findings() if f.code == "T505")
    assert "never stepped" in finding.message
    assert doctor.telemetry.manual_steps == 0

    def no_optimizer_no_update() -> None:
        torch.manual_seed(0)
        x, y = loops.blobs(64)
        model = Net()
        for _ in range(80):
            model.zero_grad()
            F.cross_entropy(model(x), y).backward()

    assert "T505" in [f.code for f in watched(no_optimizer_no_update).findings()]


def test_a_hand_written_update_of_plain_tensors_is_no_step_order_bug():
    def factors_by_hand() -> None:  # matrix factorisation on raw tensors: no module, no optimizer to watch
        torch.manual_seed(0)
        users, items = (0.1 * torch.randn(50, 8)).requires_grad_(), (0.1 * torch.randn(40, 8)).requires_grad_()
        u, i = torch.randint(0, 50, (500,)), torch.randint(0, 40, (500,))
        ratings = torch.rand(500)
        for _ in range(80):
            loss = F.mse_loss((users[u] * items[i]).sum(1), ratings)
            loss.backward()
            with torch.no_grad():
                for p in (users, items):
                    p -= 0.5 * p.grad
                    p.grad = None

    doctor = watched(factors_by_hand)
    assert doctor.telemetry.backward_calls == 80 and "T505" not in [f.code for f in doctor.findings()]
