"""The LR schedule as a searchable hyperparameter: ``"schedule": ["constant", "step", "cosine_restarts", "one_cycle"]``.

``setup(**params)`` passes the sampled name on, e.g.::

    s = nndoctor.Setup(..., optimizer=lambda p: torch.optim.SGD(p, lr=lr, momentum=0.9),
                       scheduler=lambda opt, steps: make_scheduler(schedule, opt, steps, max_lr="range_test", setup=s))

and nndoctor's trial loop builds it on each trial's fresh optimizer and steps it once per batch.
Every schedule is torch's own (``StepLR``, ``CosineAnnealingWarmRestarts``, ``OneCycleLR``).
``max_lr="range_test"`` takes the peak from nndoctor's LR range test (the suggestion that
checkup's O401/O402 and fix use), as Smith's one-cycle/cyclical policy prescribes; the low end of
every cycle is the peak over ``DIV_FACTOR`` (OneCycleLR's own default ratio).
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ..errors import NNDoctorError

SCHEDULES = ("constant", "step", "cosine_restarts", "one_cycle")
# Lowest LR of a cycle = peak / DIV_FACTOR (torch's OneCycleLR default, Smith's ~1/25 starting LR).
DIV_FACTOR = 25.0
# "step" multiplies the LR by STEP_GAMMA at each third of the run (the classic 10x drops).
STEP_DROPS, STEP_GAMMA = 3, 0.1
# "cosine_restarts" anneals over this many equal cycles (SGDR with T_mult=1).
RESTART_CYCLES = 4


def range_test_lr(setup: Any) -> float:
    """The LR the range test suggests for ``setup`` (on a fresh model copy; the user's model is untouched)."""
    from ..probes.lr_range import lr_range_test

    with torch.random.fork_rng():  # the sweep's shuffling must not shift the trial's own random stream
        suggestion = lr_range_test(setup, setup.fresh_model()).suggestion
    if suggestion.lr is None or not math.isfinite(suggestion.lr):
        raise NNDoctorError(f"The LR range test found no LR at which the loss falls ({suggestion.reason}).",
                            "Run `nndoctor checkup` on this setup to see why the loss does not fall, or pass max_lr=<number>.")
    return float(suggestion.lr)


def _peak(optimizer: torch.optim.Optimizer, max_lr: float | str | None, setup: Any) -> float:
    if max_lr is None:
        return float(optimizer.param_groups[0]["lr"])
    if max_lr == "range_test":
        if setup is None:
            raise NNDoctorError("max_lr='range_test' needs the setup to run the range test on.",
                                "Call make_scheduler(name, optimizer, steps, max_lr='range_test', setup=the_setup).")
        return range_test_lr(setup.resolve())
    if isinstance(max_lr, (int, float)) and not isinstance(max_lr, bool) and max_lr > 0:
        return float(max_lr)
    raise NNDoctorError(f"max_lr={max_lr!r} is neither a positive number nor 'range_test'.",
                        "Pass max_lr=0.1, max_lr='range_test', or leave it out to keep the optimizer's LR.")


def make_scheduler(name: str, optimizer: torch.optim.Optimizer, steps: int, max_lr: float | str | None = None,
                   setup: Any = None) -> torch.optim.lr_scheduler.LRScheduler:
    """torch's scheduler for ``name`` over ``steps`` per-batch steps, peaking at ``max_lr``.

    ``max_lr`` is a number, ``"range_test"`` (the range test's suggestion on ``setup``), or None
    (the optimizer's own LR). The optimizer's LR is set to the peak first (one_cycle sets its own).
    """
    if name not in SCHEDULES:
        raise NNDoctorError(f"There is no LR schedule {name!r}.", f"Use one of {', '.join(SCHEDULES)}.")
    steps = max(1, int(steps))
    peak = _peak(optimizer, max_lr, setup)
    sched = torch.optim.lr_scheduler
    if name == "one_cycle":
        return sched.OneCycleLR(optimizer, max_lr=peak, total_steps=steps, div_factor=DIV_FACTOR)
    for group in optimizer.param_groups:
        group["lr"] = peak
        group["initial_lr"] = peak
    if name == "step":
        return sched.StepLR(optimizer, step_size=max(1, math.ceil(steps / STEP_DROPS)), gamma=STEP_GAMMA)
    if name == "cosine_restarts":
        return sched.CosineAnnealingWarmRestarts(optimizer, T_0=max(1, math.ceil(steps / RESTART_CYCLES)),
                                                 eta_min=peak / DIV_FACTOR)
    return sched.LambdaLR(optimizer, lambda _: 1.0)
