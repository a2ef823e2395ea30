"""``nndoctor.tune(...)``: load the spec, open the study, run the watched trials, report.

A spec is a Python file (or the same objects passed directly) with ``setup(**params) ->
nndoctor.Setup``, the search space as ``def space(trial)`` or ``SPACE = {...}``, and optionally
``STEPS`` (training steps per trial). Every trial trains exactly that many steps unless it is
pruned; ``budget`` (seconds) caps how long new trials are *started*, never a trial's steps, so
a slow machine runs fewer trials but never different verdicts.
"""
from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import NNDoctorError
from ..findings import Finding
from ..setup import Setup
from .coarse import narrow_space
from .pruning import NOT_HYPERPARAMETER, StudyStopped, root_errors
from .space import Space, check_space, grid_of, grid_size, suggest
from .study import default_storage, make_pruner, make_sampler, open_study
from .trial_run import CHECKPOINTS, build_setup, run_one

DEFAULT_STEPS = 300
# The data exam before the first trial: a data fault at ERROR stops the study before any training.
DATA_EXAM = ["D1"]
# The fine round's trials train with seeds past the coarse round's, so no two trials share one.
FINE_SEED_OFFSET = 100_000


@dataclass
class TuneResult:
    """The study after this run: Optuna's Study plus what stopped it (a finding tuning cannot fix)."""

    study: Any
    storage: str | None
    steps: int
    stopped: Finding | None = None
    new_trials: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        from .report import summarise

        return summarise(self)

    def print(self, console: Any = None) -> None:
        from .report import print_summary

        print_summary(self.summary(), console)

    def save_json(self, path: str | Path) -> None:
        from .report import save_json

        save_json(self.summary(), path)

    def save_html(self, path: str | Path) -> None:
        from .report import save_html

        save_html(self.summary(), path)


def load_spec(path: str | Path) -> tuple[Callable[..., Setup], Space, int | None]:
    """(setup, space, STEPS) from a spec file, with one-paragraph errors for what is missing."""
    from ..cli import import_file

    module = import_file(str(path))
    factory = getattr(module, "setup", None)
    if not callable(factory):
        raise NNDoctorError(f"{path} defines no function setup(**params).",
                            "Add `def setup(lr, batch_size): return nndoctor.Setup(...)` that builds the setup from the parameters.")
    space = getattr(module, "space", None) or getattr(module, "SPACE", None)
    steps = getattr(module, "STEPS", None)
    return factory, check_space(space), (int(steps) if steps is not None else None)


def _exam_data(setup: Setup) -> None:
    """Checkup's data exam on the first trial's setup: an ERROR data fault stops the study now."""
    from ..runner import checkup

    report = checkup(setup, select=DATA_EXAM)
    stop = next((f for f in root_errors(report.findings) if f.code.startswith(NOT_HYPERPARAMETER)), None)
    if stop is not None:
        raise StudyStopped(stop)


def tune(
    spec: str | Path | Callable[..., Setup],
    space: Space | None = None,
    *,
    trials: int = 20,
    steps: int | None = None,
    budget: float | None = None,
    sampler: str = "tpe",
    storage: str | None = None,
    study: str | None = None,
    seed: int = 0,
    callbacks: list[Callable[[Any, Any], None]] | None = None,
    pruner: str = "median",
    coarse_to_fine: bool = False,
) -> TuneResult:
    """Run ``trials`` more watched trials of the study (created, or resumed when it exists).

    ``spec`` is a spec file's path or a ``setup(**params)`` function (then ``space`` is
    required); a file's study is stored beside it in SQLite unless ``storage`` names another
    URL, a function's study is in memory unless ``storage`` is given. Trial ``n`` trains with
    seed ``seed + n``. A finding no hyperparameter can fix stops the study: the result's
    ``stopped`` names it (and other workers on the same storage stop after their current trial).
    ``callbacks`` are Optuna's ``(study, frozen_trial)`` callbacks, e.g. to stop at a step budget.
    ``pruner`` is Optuna's ``median`` or ``hyperband`` (the doctor prunes on top of either).
    ``coarse_to_fine`` (dict spaces) then narrows each range around the best region of the study
    and runs ``trials`` more in the study ``<study>-fine`` of the same storage; the result's
    ``extra["fine"]`` is that round and ``extra["narrowed"]`` its space (``extra["fine_skipped"]`` says
    why there is none when fewer than two coarse trials completed).
    """
    if trials < 1:
        raise NNDoctorError(f"trials={trials} must be at least 1.", "Ask for one trial or more, e.g. --trials 20.")
    if isinstance(spec, (str, Path)):
        factory, file_space, file_steps = load_spec(spec)
        space = check_space(space if space is not None else file_space)
        steps = steps or file_steps
        storage = storage or default_storage(spec)
        name = study or Path(spec).stem
    else:
        factory, name = spec, study or getattr(spec, "__name__", "nndoctor-tune")
        space = check_space(space)
    steps = int(steps or DEFAULT_STEPS)
    if steps < 1:
        raise NNDoctorError(f"steps={steps} must be at least 1.", "Give each trial at least one training step.")
    if coarse_to_fine and callable(space):
        narrow_space(space, [])  # the one-paragraph error, before any trial is spent
    started = time.time()
    first = _round(factory, space, name, trials=trials, steps=steps, budget=budget, sampler=sampler, pruner=pruner,
                   storage=storage, seed=seed, callbacks=callbacks)
    left = None if budget is None else budget - (time.time() - started)
    if coarse_to_fine and first.stopped is None and "stopped_by_other_worker" not in first.extra and (left is None or left > 0):
        try:
            fine_space = narrow_space(space, first.study.trials)
        except NNDoctorError as exc:  # too few completed trials to find a region: the coarse round stands on its own
            first.extra["fine_skipped"] = str(exc)
            return first
        first.extra["narrowed"] = fine_space
        first.extra["fine"] = _round(factory, fine_space, f"{name}-fine", trials=trials, steps=steps, budget=left,
                                     sampler=sampler, pruner=pruner, storage=storage, seed=seed + FINE_SEED_OFFSET,
                                     callbacks=callbacks)
    return first


def _round(factory: Callable[..., Setup], space: Space, name: str, *, trials: int, steps: int, budget: float | None,
           sampler: str, pruner: str, storage: str | None, seed: int,
           callbacks: list[Callable[[Any, Any], None]] | None) -> TuneResult:
    """One study's worth of watched trials (the coarse round, or the fine one in its own study)."""
    sampler_seed = seed + os.getpid() if storage else seed  # parallel workers (and resumed runs) must not draw the same points
    the_study = open_study(storage, name, make_sampler(sampler, space, sampler_seed), make_pruner(pruner, steps, CHECKPOINTS))
    if sampler == "grid":
        trials = min(trials, grid_size(grid_of(space)))
    started = time.time()
    examined: list[bool] = []

    def objective(trial: Any) -> float:
        params = suggest(trial, space)
        setup = build_setup(factory, params)
        if not examined:
            examined.append(True)
            _exam_data(setup)
        return run_one(trial, setup, params, steps, seed + trial.number, pruner)

    def stop_when_another_worker_stopped(study: Any, trial: Any) -> None:
        stopped = study.user_attrs.get("stopped_by")
        if stopped and stopped.get("at", 0) > started:
            study.stop()

    before = len(the_study.trials)
    result = TuneResult(the_study, storage, steps)
    try:
        the_study.optimize(objective, n_trials=trials, timeout=budget, catch=(),
                           callbacks=[stop_when_another_worker_stopped, *(callbacks or [])], gc_after_trial=False)
    except StudyStopped as exc:
        result.stopped = exc.finding
        the_study.set_user_attr("stopped_by", {"code": exc.finding.code, "message": exc.finding.message,
                                               "fix": exc.finding.fix or exc.finding.rule.fix, "at": time.time()})
    result.new_trials = len(the_study.trials) - before
    if result.stopped is None:
        stopped = the_study.user_attrs.get("stopped_by")
        if stopped and stopped.get("at", 0) > started:
            result.extra["stopped_by_other_worker"] = stopped
    return result
