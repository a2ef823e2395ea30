"""nndoctor tune (issue 16): coarse-to-fine, the LR schedule as a hyperparameter, the Hyperband pruner.

Narrowed ranges are checked against an independent numpy calculation on the trials' params;
the schedules against their closed forms, read off the optimizer inside fix's trial loop.
"""
from __future__ import annotations

import contextlib
import math

import numpy as np
import pytest
import torch
from torch import nn

optuna = pytest.importorskip("optuna", reason="nndoctor tune needs the optional extra nndoctor[tune] (optuna)")

import nndoctor
from nndoctor.errors import NNDoctorError
from nndoctor.fix.trials import baseline_candidate, train_trial
from nndoctor.probes.lr_range import lr_range_test
from nndoctor.rng import seed_everything
from nndoctor.tune.coarse import narrow_space
from nndoctor.tune.schedules import DIV_FACTOR, make_scheduler

SPACE = {"lr": (1e-4, 1.0, "log"), "width": (4, 64), "dropout": (0.0, 0.5), "act": ["relu", "tanh"]}


def _study_with(values: list[tuple[dict, float]]):
    study = optuna.create_study(direction="maximize")
    dists = {"lr": optuna.distributions.FloatDistribution(1e-4, 1.0, log=True),
             "width": optuna.distributions.IntDistribution(4, 64),
             "dropout": optuna.distributions.FloatDistribution(0.0, 0.5),
             "act": optuna.distributions.CategoricalDistribution(["relu", "tanh"])}
    for params, value in values:
        study.add_trial(optuna.trial.create_trial(params=params, distributions=dists, value=value))
    return study


def _peaked_trials(n: int = 40, seed: int = 0) -> list[tuple[dict, float]]:
    """Random points scored by closeness to lr=1e-2, width=32, dropout=0.1 (a known best region)."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        p = {"lr": float(10 ** rng.uniform(-4, 0)), "width": int(rng.integers(4, 65)),
             "dropout": float(rng.uniform(0, 0.5)), "act": str(rng.choice(["relu", "tanh"]))}
        score = -abs(math.log10(p["lr"]) + 2) - abs(p["width"] - 32) / 30 - abs(p["dropout"] - 0.1) * 2
        out.append((p, score))
    return out


def test_narrowed_ranges_hold_the_best_quartile_inside_the_original():
    data = _peaked_trials()
    study = _study_with(data)
    fine = narrow_space(SPACE, study.trials)
    # independent: the top quartile by value with numpy
    values = np.array([v for _, v in data])
    top = [data[i][0] for i in np.argsort(-values)[: int(np.ceil(0.25 * len(data)))]]
    best = data[int(np.argmax(values))][0]
    assert fine["act"] == SPACE["act"]
    for name in ("lr", "width", "dropout"):
        low, high = fine[name][:2]
        olow, ohigh = SPACE[name][:2]
        col = np.array([p[name] for p in top], dtype=float)
        assert olow <= low <= col.min() and col.max() <= high <= ohigh, (name, fine[name])
        assert low <= best[name] <= high
    assert fine["lr"][2] == "log" and isinstance(fine["width"][0], int) and isinstance(fine["width"][1], int)
    # it really narrows around the known best region (log space for lr)
    assert np.log10(fine["lr"][1]) - np.log10(fine["lr"][0]) < 0.75 * 4
    assert fine["lr"][0] < 1e-2 < fine["lr"][1]


def test_narrowing_needs_a_dict_space_and_completed_trials():
    with pytest.raises(NNDoctorError, match="dict"):
        narrow_space(lambda t: {}, [])
    with pytest.raises(NNDoctorError, match="completed trials"):
        narrow_space(SPACE, _study_with(_peaked_trials(1)).trials)


def _data():
    from sklearn.datasets import load_breast_cancer
    from sklearn.preprocessing import StandardScaler

    x, y = load_breast_cancer(return_X_y=True)
    return StandardScaler().fit_transform(x).astype(np.float32), y.astype(np.int64)


def mlp(lr: float = 0.05, width: int = 16, scheduler=None) -> nndoctor.Setup:
    x, y = _data()
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(30, width), nn.ReLU(), nn.Linear(width, 2))
    return nndoctor.Setup(model=model, train=(x[:450], y[:450]), val=(x[450:], y[450:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9), scheduler=scheduler)


def test_coarse_to_fine_runs_a_fine_study_in_the_same_storage_inside_the_narrowed_ranges(tmp_path):
    storage = f"sqlite:///{tmp_path}/s.db"
    space = {"lr": (0.003, 0.3, "log"), "width": [8, 16]}
    result = nndoctor.tune(mlp, space, trials=4, steps=20, sampler="random", storage=storage, study="c2f",
                           coarse_to_fine=True)
    fine = result.extra["fine"]
    assert fine.study.study_name == "c2f-fine" and len(optuna.load_study(study_name="c2f-fine", storage=storage).trials) == 4
    low, high, _ = result.extra["narrowed"]["lr"]
    assert 0.003 <= low < high <= 0.3
    assert all(low <= t.params["lr"] <= high for t in fine.study.trials)
    summary = result.summary()
    assert summary["fine"]["study"] == "c2f-fine" and summary["narrowed"]["lr"][:2] == [low, high]


def test_coarse_to_fine_refuses_a_function_space_before_training():
    with pytest.raises(NNDoctorError, match="dict"):
        nndoctor.tune(mlp, lambda t: {"lr": t.suggest_float("lr", 0.01, 0.1)}, trials=1, steps=5, coarse_to_fine=True)


def _lrs_in_trial(setup: nndoctor.Setup, steps: int) -> list[float]:
    """The LR each step 2..steps trained with, read off the trial's own optimizer after each step."""
    seen: dict = {}
    lrs: list[float] = []

    def watcher(model, optimizer):
        seen["opt"] = optimizer
        return contextlib.nullcontext()

    train_trial(baseline_candidate(setup.resolve()), setup, 0, steps, watcher=watcher,
                on_step=lambda done, model: lrs.append(seen["opt"].param_groups[0]["lr"]))
    return lrs[:-1]


@pytest.mark.parametrize("name", ["constant", "step", "cosine_restarts", "one_cycle"])
def test_the_trial_loop_steps_the_schedule_per_batch(name: str):
    steps, peak = 24, 0.08
    lrs = _lrs_in_trial(mlp(scheduler=lambda opt, n: make_scheduler(name, opt, n, max_lr=peak)), steps)
    i = np.arange(1, steps)  # 0-based index of the steps 2..steps
    if name == "constant":
        expected = np.full(len(i), peak)
    elif name == "step":
        expected = peak * 0.1 ** (i // 8)
    elif name == "cosine_restarts":
        low = peak / DIV_FACTOR
        expected = low + (peak - low) * (1 + np.cos(np.pi * (i % 6) / 6)) / 2
    else:  # Smith's one-cycle as torch defines it: cosine up from peak/25 to the peak over 30% of the run, then down to peak/25e4
        up = 0.3 * steps - 1
        start, end = peak / DIV_FACTOR, peak / DIV_FACTOR / 1e4
        rising = np.minimum(i / up, 1.0)
        falling = np.clip((i - up) / (steps - 1 - up), 0.0, 1.0)
        expected = np.where(i <= up, peak + (start - peak) / 2 * (1 + np.cos(np.pi * rising)),
                            end + (peak - end) / 2 * (1 + np.cos(np.pi * falling)))
    np.testing.assert_allclose(lrs, expected, rtol=1e-6)


def test_one_cycle_peak_comes_from_the_range_test_and_spares_the_model():
    box: dict = {}
    setup = mlp(scheduler=lambda opt, n: make_scheduler("one_cycle", opt, n, max_lr="range_test", setup=box["s"]))
    box["s"] = setup
    before = [p.detach().clone() for p in setup.model.parameters()]
    lrs = _lrs_in_trial(setup, 30)
    seed_everything(0)  # the trial's seed: the sweep then sees the same batches as inside the trial
    expected = lr_range_test(setup, setup.fresh_model()).suggestion.lr
    assert expected is not None and math.isclose(max(lrs), expected, rel_tol=1e-6)
    assert all(torch.equal(a, b) for a, b in zip(before, setup.model.parameters()))


def test_bad_schedule_input_gives_one_paragraph():
    opt = torch.optim.SGD(nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(NNDoctorError, match="no LR schedule"):
        make_scheduler("linear", opt, 10)
    with pytest.raises(NNDoctorError, match="range_test"):
        make_scheduler("step", opt, 10, max_lr="range_test")
    with pytest.raises(NNDoctorError):
        mlp(scheduler=3)


def test_hyperband_pruner_is_used_and_bad_names_are_refused():
    result = nndoctor.tune(mlp, {"lr": (0.01, 0.2, "log")}, trials=3, steps=20, sampler="random", pruner="hyperband")
    assert isinstance(result.study.pruner, optuna.pruners.HyperbandPruner) and len(result.study.trials) == 3
    with pytest.raises(NNDoctorError, match="no pruner"):
        nndoctor.tune(mlp, {"lr": (0.01, 0.2, "log")}, trials=1, steps=5, pruner="asha")


SPEC = """
import numpy as np, torch
from torch import nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
import nndoctor
from nndoctor.tune.schedules import make_scheduler

x, y = load_breast_cancer(return_X_y=True)
x = StandardScaler().fit_transform(x).astype(np.float32)
y = y.astype(np.int64)
STEPS = 20
SPACE = {"lr": (0.01, 0.3, "log"), "schedule": ["constant", "one_cycle"]}

def setup(lr, schedule):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(30, 8), nn.ReLU(), nn.Linear(8, 2))
    return nndoctor.Setup(model=model, train=(x[:450], y[:450]), val=(x[450:], y[450:]), loss=nn.CrossEntropyLoss(),
                          optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9),
                          scheduler=lambda opt, steps: make_scheduler(schedule, opt, steps))
"""


def test_the_command_runs_coarse_to_fine_with_a_searched_schedule(tmp_path, capsys):
    import json

    from nndoctor.cli import main

    spec = tmp_path / "sched.py"
    spec.write_text(SPEC)
    out = tmp_path / "t.json"
    assert main(["tune", str(spec), "--trials", "3", "--sampler", "random", "--pruner", "median",
                 "--coarse-to-fine", "--json", str(out)]) == 0
    summary = json.loads(out.read_text())
    assert summary["study"] == "sched" and summary["fine"]["study"] == "sched-fine"
    assert len(summary["fine"]["trials"]) == 3 and "Fine round" in capsys.readouterr().out


def test_no_fine_round_when_every_coarse_trial_was_pruned(capsys):
    result = nndoctor.tune(mlp, {"lr": (50.0, 100.0, "log")}, trials=2, steps=20, sampler="random", coarse_to_fine=True)
    assert all(t.state.name == "PRUNED" for t in result.study.trials) and "fine" not in result.extra
    assert "completed trials" in result.extra["fine_skipped"]
    result.print()
    assert "No fine round" in capsys.readouterr().out
