"""Benchmark: nndoctor tune against plain random search and Optuna TPE + MedianPruner.

Five small tasks of different kinds (binary tabular, multi-class digits, wine with SGD,
regression, a GRU on sequences); each search space is the wide coarse one the articles start
with, so it includes learning rates that diverge. Every method gets the same budget of training
steps per (task, seed) and starts trials until it is spent:

(a) random search, every trial trained to the end;
(b) Optuna TPE (random first 10 trials) with its MedianPruner, every unpruned trial to the end;
(c) ``nndoctor.tune``: the same TPE and MedianPruner, plus the doctor watching each trial
    (diverging trials pruned at once with O401 as the reason).

(a) and (b) use the same trial loop and seeds as (c) without the doctor. A plain training loop
does not stop at a NaN loss, so a diverged trial in (a)/(b) is charged its full steps (it is
counted as "diverged to the end"); (c) is charged the steps it actually trained. Reported per
task and method, mean over seeds: best validation metric (balanced accuracy or R²), steps
spent, trials, and diverged trials trained to the end.

Run: ``python -m benchmarks.tune`` (writes benchmarks/results/tune.md).
"""
from __future__ import annotations

import argparse
import math
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import torch
from torch import nn

import nndoctor
from nndoctor.fix.trials import baseline_candidate, evaluate, run_trial
from nndoctor.tune.space import suggest

STEPS = 80
TRIALS_WORTH = 12  # budget per (task, seed, method) = TRIALS_WORTH * STEPS training steps
CHECKPOINTS = 5


def _split(x: np.ndarray, y: np.ndarray, seed: int = 0) -> tuple:
    from sklearn.model_selection import train_test_split

    return train_test_split(x, y, test_size=0.25, random_state=seed)


def _standard(x_train: np.ndarray, x_val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean, std = x_train.mean(0), x_train.std(0) + 1e-8
    return ((x_train - mean) / std).astype(np.float32), ((x_val - mean) / std).astype(np.float32)


def _mlp(n_in: int, width: int, n_out: int, dropout: float = 0.0) -> nn.Module:
    return nn.Sequential(nn.Linear(n_in, width), nn.ReLU(), nn.Dropout(dropout), nn.Linear(width, n_out))


def _tabular(loader: Callable, optimizer: str, regression: bool = False) -> Callable[..., nndoctor.Setup]:
    x, y = loader(return_X_y=True)
    x_tr, x_va, y_tr, y_va = _split(x, y)
    x_tr, x_va = _standard(x_tr, x_va)
    if regression:
        mean, std = y_tr.mean(), y_tr.std()
        y_tr, y_va = ((y_tr - mean) / std).astype(np.float32)[:, None], ((y_va - mean) / std).astype(np.float32)[:, None]
    else:
        y_tr, y_va = y_tr.astype(np.int64), y_va.astype(np.int64)
    n_out = 1 if regression else int(y.max()) + 1

    def setup(lr: float, width: int, weight_decay: float = 0.0, dropout: float = 0.0, batch_size: int = 32) -> nndoctor.Setup:
        torch.manual_seed(0)
        model = _mlp(x_tr.shape[1], width, n_out, dropout)
        if optimizer == "adam":
            make = lambda p: torch.optim.Adam(p, lr=lr, weight_decay=weight_decay)
        else:
            make = lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9, weight_decay=weight_decay)
        return nndoctor.Setup(model=model, train=(x_tr, y_tr), val=(x_va, y_va), loss=nn.MSELoss() if regression else nn.CrossEntropyLoss(),
                              optimizer=make, batch_size=batch_size)

    return setup


class GRUNet(nn.Module):
    def __init__(self, hidden: int) -> None:
        super().__init__()
        self.gru = nn.GRU(1, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.gru(x)[0][:, -1])


def _sequences() -> Callable[..., nndoctor.Setup]:
    """Is the running sum of a noisy sequence positive at its end? (needs the whole sequence)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1200, 12, 1)).astype(np.float32)
    y = (x.sum(axis=(1, 2)) > 0).astype(np.int64)
    x_tr, x_va, y_tr, y_va = _split(x, y)

    def setup(lr: float, width: int, batch_size: int = 32) -> nndoctor.Setup:
        torch.manual_seed(0)
        return nndoctor.Setup(model=GRUNet(width), train=(x_tr, y_tr), val=(x_va, y_va), loss=nn.CrossEntropyLoss(),
                              optimizer=lambda p: torch.optim.RMSprop(p, lr=lr), batch_size=batch_size)

    return setup


def tasks() -> dict[str, tuple[Callable[..., nndoctor.Setup], dict[str, Any]]]:
    from sklearn.datasets import (
        load_breast_cancer,
        load_diabetes,
        load_digits,
        load_wine,
    )

    lr = (1e-4, 30.0, "log")
    return {
        "breast-cancer MLP (SGD)": (_tabular(load_breast_cancer, "sgd"), {"lr": lr, "width": [8, 32, 64], "weight_decay": (1e-6, 1e-2, "log")}),
        "digits MLP (Adam)": (_tabular(load_digits, "adam"), {"lr": (1e-4, 3.0, "log"), "width": [32, 64, 128], "dropout": (0.0, 0.5), "batch_size": [16, 32, 64]}),
        "wine MLP (SGD)": (_tabular(load_wine, "sgd"), {"lr": lr, "width": [8, 16, 32], "batch_size": [8, 16, 32]}),
        "diabetes regression (SGD)": (_tabular(load_diabetes, "sgd", regression=True), {"lr": lr, "width": [16, 32, 64], "weight_decay": (1e-6, 1e-2, "log")}),
        "sequence GRU (RMSprop)": (_sequences(), {"lr": (1e-4, 3.0, "log"), "width": [8, 16, 32], "batch_size": [16, 32, 64]}),
    }


def step_budget(budget: int) -> Callable[[Any, Any], None]:
    """An Optuna callback that stops the study once its trials have spent ``budget`` steps."""
    def stop(study: Any, trial: Any) -> None:
        if sum(t.user_attrs.get("charged", t.user_attrs.get("steps", 0)) for t in study.trials) >= budget:
            study.stop()
    return stop


def plain_search(factory: Callable[..., nndoctor.Setup], space: dict[str, Any], seed: int, pruned: bool, budget: int) -> Any:
    """(a) random search or (b) TPE + MedianPruner over the same trial loop, no doctor."""
    sampler = (optuna.samplers.TPESampler(n_startup_trials=10, seed=seed) if pruned else optuna.samplers.RandomSampler(seed=seed))
    pruner = optuna.pruners.MedianPruner(n_startup_trials=5) if pruned else optuna.pruners.NopPruner()
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)

    def objective(trial: Any) -> float:
        setup = factory(**suggest(trial, space)).resolve()
        candidate = baseline_candidate(setup)

        def checkpoint(step: int, model: Any, losses: list[float]) -> None:
            trial.set_user_attr("steps", step)
            trial.set_user_attr("charged", step)
            metric = evaluate(candidate, setup, model)[0]
            if math.isfinite(metric):
                trial.report(metric, step)
                if trial.should_prune():
                    raise optuna.TrialPruned()

        score = run_trial(candidate, setup, seed * 1000 + trial.number, STEPS, checkpoint=checkpoint, checkpoint_every=STEPS // CHECKPOINTS)
        trial.set_user_attr("steps", score.steps)
        trial.set_user_attr("charged", STEPS)  # a plain loop trains a NaN run to the end
        trial.set_user_attr("diverged", score.diverged)
        return float("nan") if score.metric is None else score.metric

    study.optimize(objective, n_trials=10 * TRIALS_WORTH, callbacks=[step_budget(budget)])
    return study


def doctor_search(factory: Callable[..., nndoctor.Setup], space: dict[str, Any], seed: int, budget: int) -> Any:
    """(c) nndoctor tune: TPE + MedianPruner + the doctor."""
    result = nndoctor.tune(factory, space, trials=10 * TRIALS_WORTH, steps=STEPS, seed=seed * 1000, callbacks=[step_budget(budget)])
    if result.stopped is not None:
        raise RuntimeError(f"{result.stopped.code} stopped a healthy benchmark task: {result.stopped.message}")
    return result.study


def steps_to_reach(study: Any, target: float) -> float:
    """Steps charged up to and including the first trial that reached ``target`` (NaN: never)."""
    spent = 0
    for t in sorted(study.trials, key=lambda t: t.number):
        spent += t.user_attrs.get("charged", t.user_attrs.get("steps", 0))
        if t.value is not None and math.isfinite(t.value) and t.value >= target - 1e-12:
            return float(spent)
    return math.nan


def measure(study: Any, target: float) -> dict[str, float]:
    values = [t.value for t in study.trials if t.value is not None and math.isfinite(t.value)]
    return {
        "best": max(values) if values else math.nan,
        "steps": sum(t.user_attrs.get("charged", t.user_attrs.get("steps", 0)) for t in study.trials),
        "trials": len(study.trials),
        "steps_to_b_best": steps_to_reach(study, target),
        "diverged_to_end": sum(bool(t.user_attrs.get("diverged")) for t in study.trials),
        "doctor_pruned": sum(t.user_attrs.get("pruned_by", "median") != "median" for t in study.trials
                             if t.state == optuna.trial.TrialState.PRUNED),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--filter", default="")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "tune.md"))
    args = parser.parse_args()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    warnings.filterwarnings("ignore")
    torch.set_num_threads(1)
    budget = TRIALS_WORTH * STEPS
    started = time.perf_counter()
    rows = []
    methods = {
        "(a) random": lambda f, s, seed: plain_search(f, s, seed, pruned=False, budget=budget),
        "(b) TPE + median": lambda f, s, seed: plain_search(f, s, seed, pruned=True, budget=budget),
        "(c) nndoctor tune": lambda f, s, seed: doctor_search(f, s, seed, budget),
    }
    for name, (factory, space) in tasks().items():
        if args.filter and args.filter not in name:
            continue
        per_method: dict[str, list[dict[str, float]]] = {m: [] for m in methods}
        for seed in range(args.seeds):
            studies = {method: search(factory, space, seed) for method, search in methods.items()}
            target = max((t.value for t in studies["(b) TPE + median"].trials if t.value is not None and math.isfinite(t.value)), default=math.inf)
            for method, study in studies.items():
                per_method[method].append(measure(study, target))
        for method, runs in per_method.items():
            row = {k: float(np.nanmean([r[k] for r in runs])) if any(math.isfinite(r[k]) for r in runs) else math.nan for k in runs[0]}
            row["reached"] = sum(math.isfinite(r["steps_to_b_best"]) for r in runs)
            rows.append((name, method, row))
            print(f"{name:28s} {method:18s} best {row['best']:.4f} steps {row['steps']:.0f} trials {row['trials']:.1f} "
                  f"to-b-best {row['steps_to_b_best']:.0f} ({row['reached']}/{args.seeds}) "
                  f"diverged-to-end {row['diverged_to_end']:.1f} doctor-pruned {row['doctor_pruned']:.1f}", flush=True)
    seconds = time.perf_counter() - started
    lines = [
        "# Tune benchmark", "",
        (f"`python -m benchmarks.tune --seeds {args.seeds}`: {STEPS} steps per full trial, a budget of {budget} training steps per "
        f"(task, seed, method); each method starts trials until the budget is spent. Means over {args.seeds} seeds. "
        f"Metric: validation balanced accuracy (R² for regression). A diverged trial in (a)/(b) is charged its full "
        f"{STEPS} steps (a plain loop trains a NaN run to the end); (c) is charged the steps it trained. "
        f"'steps to (b)'s best': steps charged until the first trial that matched (b)'s best metric on the same seed "
        f"(mean over the seeds where it did; how many in brackets). The data exam (c) runs before its first trial is not "
        f"counted. Total time {seconds:.0f} s on 1 thread."), "",
        "| task | method | best val metric | steps spent | steps to (b)'s best | trials | diverged trials trained to the end | trials the doctor pruned |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, method, row in rows:
        lines.append(f"| {name} | {method} | {row['best']:.4f} | {row['steps']:.0f} | {row['steps_to_b_best']:.0f} ({row['reached']}/{args.seeds}) | {row['trials']:.1f} | "
                     f"{row['diverged_to_end']:.1f} | {row['doctor_pruned']:.1f} |")
    Path(args.out).write_text("\n".join(lines) + "\n")
    print(f"wrote {args.out} in {seconds:.0f} s")


if __name__ == "__main__":
    main()
