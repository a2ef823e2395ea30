"""Same input, same report: verdicts never depend on how busy the machine is.

Probes are budgeted in steps sized from the setup, never in seconds. The same checkup runs
on an idle machine and again while two pure-Python busy loops load both cores; the codes,
severities and every probe's step count must match. The wall clock is only a safety net:
when it trips, the probe is inconclusive and its findings are withheld, never replaced.
"""
from __future__ import annotations

import contextlib
import multiprocessing
import time
from typing import Iterator

import pytest
import torch
from torch import nn

import nndoctor
from nndoctor.checks import base
from nndoctor.checks.base import Context, Inconclusive
from nndoctor.findings import Finding, Severity
from nndoctor.probes import lr_range, overfit, trial
from nndoctor.probes.trial import StepCost, sized_steps

from conftest import blobs, mlp

# The codes read from the training probes (range test, single-batch overfit, regularisation
# comparison, trial): the verdicts a slow machine used to change.
PROBE_CODES = ["O", "G", "L301"]


@pytest.fixture
def small_probes(monkeypatch):
    """Fewer nominal steps (the tests share two cores); the budgets stay step counts."""
    monkeypatch.setattr(trial, "CONFIG", trial.TrialConfig(steps=160, eval_points=8))
    monkeypatch.setattr(lr_range, "CONFIG", lr_range.RangeConfig(steps=60))
    monkeypatch.setattr(overfit, "CONFIG", overfit.OverfitConfig(steps=150, regularisation_steps=60))


@pytest.fixture
def temporary_check():
    """Register checks for one test and remove them afterwards."""
    added: list[str] = []

    def register(*codes: str, phase: str = "data"):
        def wrap(fn):
            base.check(*codes, phase=phase, name=f"test.{fn.__name__}")(fn)
            added.append(f"test.{fn.__name__}")
            return fn
        return wrap

    yield register
    for key in added:
        base._REGISTRY.pop(key, None)


def _spin(stop) -> None:
    """Pure-Python busy loop: holds one core until ``stop`` is set."""
    count = 0
    while not stop.is_set():
        count += 1


@contextlib.contextmanager
def busy_cores(n: int = 2) -> Iterator[None]:
    """Load ``n`` cores with busy-looping processes for the duration of the block."""
    ctx = multiprocessing.get_context("fork") if "fork" in multiprocessing.get_all_start_methods() else multiprocessing.get_context()
    stop = ctx.Event()
    workers = [ctx.Process(target=_spin, args=(stop,), daemon=True) for _ in range(n)]
    for worker in workers:
        worker.start()
    time.sleep(0.2)
    try:
        assert all(w.is_alive() for w in workers)
        yield
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.terminate()
                worker.join(timeout=5)


def healthy() -> nndoctor.Setup:
    x, y = blobs(n=400)
    return nndoctor.Setup(model=mlp(10, 3, hidden=32), train=(x[:320], y[:320]), val=(x[320:], y[320:]),
                          loss=nn.CrossEntropyLoss(), optimizer=lambda p: torch.optim.Adam(p, lr=1e-3), batch_size=32)


def double_softmax() -> nndoctor.Setup:
    x, y = blobs(n=400)
    return nndoctor.Setup(model=mlp(10, 3, hidden=32, final=nn.Softmax(dim=1)), train=(x[:320], y[:320]),
                          val=(x[320:], y[320:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.SGD(p, lr=0.01), batch_size=32)


def regularised() -> nndoctor.Setup:
    """Dropout and weight decay: exercises the with/without-regularisation probe too."""
    x, y = blobs(n=400, seed=1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Dropout(0.3), nn.Linear(32, 3))
    return nndoctor.Setup(model=model, train=(x[:320], y[:320]), val=(x[320:], y[320:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.AdamW(p, lr=1e-3, weight_decay=0.05), batch_size=32)


def outcome(report: nndoctor.Report) -> dict:
    """What must not depend on machine load: findings (code, severity, cause) and probe step counts."""
    return {
        "findings": [(f.code, f.severity.value, f.explained_by) for f in report.findings],
        "probe_steps": report.telemetry.get("probe_steps"),
        "inconclusive": list(report.skipped),
        "failures": [f.check for f in report.failures],
    }


def test_same_report_on_an_idle_and_a_loaded_machine(small_probes):
    setups = {"healthy": healthy, "double softmax": double_softmax, "regularised": regularised}
    idle = {name: outcome(nndoctor.checkup(make(), select=PROBE_CODES, budget=600)) for name, make in setups.items()}
    with busy_cores(2):
        loaded = {name: outcome(nndoctor.checkup(make(), select=PROBE_CODES, budget=600)) for name, make in setups.items()}
    assert loaded == idle
    # the comparison means something: the faulty setup is diagnosed, the healthy one is not, every probe ran
    assert any(code == "L301" for code, *_ in idle["double softmax"]["findings"])
    assert not [f for f in idle["healthy"]["findings"] if f[1] != "info"]
    assert idle["regularised"]["probe_steps"]["regularisation"] == 60
    assert all(o["inconclusive"] == [] and o["failures"] == [] for o in idle.values())
    assert idle["healthy"]["probe_steps"]["trial"] == 160 and idle["healthy"]["probe_steps"]["lr_range"] <= 60


def test_a_machine_forty_times_slower_gets_the_same_report(small_probes, monkeypatch):
    """A clock that runs forty times fast stands in for a machine forty times slower: while the
    safety net holds, no probe runs fewer steps and no verdict changes."""
    normal = {name: outcome(nndoctor.checkup(make(), select=PROBE_CODES, budget=1e6)) for name, make in
              (("healthy", healthy), ("double softmax", double_softmax))}
    real = time.perf_counter
    monkeypatch.setattr(time, "perf_counter", lambda: 40.0 * real())
    slow = {name: outcome(nndoctor.checkup(make(), select=PROBE_CODES, budget=1e6)) for name, make in
            (("healthy", healthy), ("double softmax", double_softmax))}
    monkeypatch.undo()
    assert slow == normal


# -- sizing: from the setup, never from a stopwatch --------------------------------------------
def test_step_budgets_depend_on_the_setups_cost_only():
    cheap, costly = StepCost(1e4, "counted"), StepCost(1e8, "counted")
    assert sized_steps(400, 80, cheap, 32) == 400
    # 3 x 1e8 x 32 ≈ 9.6 GFLOP per step: about a tenth of the steps, never below the minimum
    assert sized_steps(400, 20, costly, 32) == int(400 * 1e9 / (3 * 1e8 * 32))
    assert sized_steps(400, 80, costly, 32) == 80
    assert sized_steps(400, 80, costly, 32, "cuda") > sized_steps(400, 80, costly, 32, "cpu")


def test_cheap_cpu_probes_run_on_one_thread_and_the_thread_count_is_restored():
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        with trial.probe_threads(StepCost(1e4, "counted"), 32, torch.device("cpu")) as threads:
            assert threads == torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        with trial.probe_threads(StepCost(1e8, "counted"), 32, torch.device("cpu")) as threads:
            assert threads == 2  # a costly step keeps the user's threads
    finally:
        torch.set_num_threads(before)


def test_step_cost_counts_forward_flops_against_a_hand_calculation():
    dense = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 3))
    labels = torch.zeros(16, dtype=torch.long)
    cost = trial.measure_step_cost(dense, (torch.randn(16, 10), labels))
    # a multiply-add per weight; biases fall under the floor of two FLOPs per parameter
    assert cost.forward_flops_per_sample == pytest.approx(2 * sum(p.numel() for p in dense.parameters()))
    conv = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 14 * 14, 2))
    cost = trial.measure_step_cost(conv, (torch.randn(4, 3, 16, 16), labels[:4]))
    by_hand = 2 * (8 * 3 * 3 * 3 * 14 * 14) + 2 * (8 * 14 * 14 * 2)  # a kernel is reused at every output position
    assert cost.source == "counted" and cost.forward_flops_per_sample == pytest.approx(by_hand)
    assert cost.step_flops(32) == pytest.approx(3 * by_hand * 32)


# -- the safety net: inconclusive, findings withheld, never a different verdict -------------
def test_a_tripped_probe_is_inconclusive_and_its_findings_withheld(small_probes, monkeypatch):
    full = nndoctor.checkup(double_softmax(), select=PROBE_CODES, budget=600)
    assert {"G602", "L301"} <= set(full.codes) and not full.skipped
    monkeypatch.setattr(trial, "CONFIG", trial.TrialConfig(steps=160, eval_points=8, seconds=0.0))  # trips at once
    tripped = nndoctor.checkup(double_softmax(), select=PROBE_CODES, budget=600)
    entries = tripped.extra["inconclusive"]
    assert entries and all("trial" in e["reason"] and "safety net" in e["reason"] for e in entries)
    assert tripped.skipped == [e["check"] for e in entries]
    assert "probe_steps" in tripped.telemetry and "trial" not in tripped.telemetry["probe_steps"]
    # what remains is what the full run found, with the same severity: nothing new, nothing changed
    before = {(f.code, f.severity) for f in full.findings}
    after = {(f.code, f.severity) for f in tripped.findings}
    assert after < before
    withheld = {code for e in entries for code in e["codes"]}
    assert "G602" in withheld and "G602" not in tripped.codes  # underfitting reads the trial first
    assert "L301" in tripped.codes  # the loss check needs no trial: unaffected
    assert tripped.to_dict()["inconclusive"] == entries


def test_a_check_that_swallows_the_safety_net_cannot_report_something_else(healthy_classification, temporary_check):
    """Even a check that catches the Inconclusive and yields another finding has it withheld."""

    def slow_probe(ctx: Context) -> float:
        ctx.check_deadline("slow probe")
        return 1.0

    @temporary_check("D107", "D108")
    def careless(ctx):
        try:
            ctx.probe("slow", slow_probe)
            yield Finding("D107", Severity.WARNING, "measured")
        except Exception:
            yield Finding("D108", Severity.ERROR, "a different verdict, from a measurement that never finished")

    @temporary_check("D109")
    def unaffected(ctx):
        yield Finding("D109", Severity.INFO, "needs no probe")

    report = nndoctor.checkup(healthy_classification, select=["D107", "D108", "D109"], budget=600)
    assert set(report.codes) == {"D107", "D109"}

    setup = healthy_classification.resolve()
    ctx = Context(setup=setup, deadline=time.perf_counter() - 1.0)  # the safety net has already run out
    ctx.begin_check()
    findings = list(careless(ctx))
    assert [f.code for f in findings] == ["D108"]  # what the check itself would have said...
    assert ctx.inconclusive_reason() and "slow probe" in ctx.inconclusive_reason()  # ...is what the runner withholds
    with pytest.raises(Inconclusive):
        ctx.probe("slow", slow_probe)  # stays inconclusive for every later reader


def test_the_runner_withholds_a_swallowed_safety_net(healthy_classification, temporary_check, monkeypatch):
    @temporary_check("D108")
    def careless(ctx):
        try:
            ctx.check_deadline("slow measurement")
        except Inconclusive:
            yield Finding("D108", Severity.ERROR, "a different verdict")

    @temporary_check("D109")
    def unaffected(ctx):
        yield Finding("D109", Severity.INFO, "needs no probe")

    # the safety net runs out between the start of the exam and this check
    monkeypatch.setattr(base.Context, "out_of_time", lambda self: False)
    report = nndoctor.checkup(healthy_classification, select=["D108", "D109"], budget=1e-9)
    assert report.codes == ["D109"]
    assert report.skipped == ["test.careless"]
    assert "slow measurement" in report.extra["inconclusive"][0]["reason"]


def test_a_budget_that_runs_out_before_a_check_lists_it_without_running_it(healthy_classification, temporary_check):
    ran = []

    @temporary_check("D107")
    def never_runs(ctx):
        ran.append(True)
        yield Finding("D107", Severity.WARNING, "should have been skipped")

    report = nndoctor.checkup(healthy_classification, select=["D107"], budget=0)
    assert not ran and report.codes == [] and "test.never_runs" in report.skipped
    assert all("safety net" in entry["reason"] for entry in report.extra["inconclusive"])


def test_time_left_never_shrinks_work_while_the_safety_net_holds(healthy_classification):
    setup = healthy_classification.resolve()
    assert Context(setup=setup, deadline=time.perf_counter() + 1e-3).time_left() == float("inf")
    late = Context(setup=setup, deadline=time.perf_counter() - 1.0)
    late.begin_check()
    assert late.time_left() == 0.0 and late.inconclusive_reason() is not None
