"""Learning-rate range test (Smith 2015; fastai's ``lr_find``) and a pure LR suggestion.

A model copy is trained with a fresh optimizer from the user's factory while the LR grows
exponentially from ``start`` to ``end``; the sweep stops when the bias-corrected moving
average of the loss exceeds four times its best value or turns non-finite. Because it uses
the user's optimizer type, Adam's and SGD's different stable ranges come out of the
measurement itself. :func:`suggest_lr` reads the curve and is a pure function, so it is
tested on synthetic curves with known answers.

The sweep's length is a step count sized from the setup (:func:`~nndoctor.probes.trial.sized_steps`),
so the same setup sweeps the same LRs on any machine; the wall clock only abandons a sweep
as inconclusive (safety net), it never ends one early.
"""
from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
from scipy import ndimage

from ..checks.base import check_deadline
from ..record import Recorder
from ..setup import batch_size_of
from .trial import endless_batches, probe_deadline, set_lr, sized_steps, step_cost, user_lr

if TYPE_CHECKING:
    from ..checks.base import Context

DIVERGE_FACTOR = 4.0
# A dip below the start smaller than this many minibatch spreads (robust std) is noise.
NOISE_MARGIN = 2.0


def ema(values: Sequence[float], beta: float = 0.9) -> list[float]:
    """Exponential moving average with bias correction (fastai's smoothed loss)."""
    out, avg = [], 0.0
    for i, value in enumerate(values, start=1):
        avg = beta * avg + (1 - beta) * value
        out.append(avg / (1 - beta**i))
    return out


@dataclass
class Suggestion:
    """What the range-test curve says.

    ``lr`` is the suggested LR (None when no LR made the loss fall); ``min_loss_lr`` the LR
    at the lowest smoothed loss; ``divergence_lr`` the first LR where the loss exploded
    (above ``DIVERGE_FACTOR`` times its best or back above its starting level), None when
    it never did; ``reason`` says in words how the answer was reached.
    """

    lr: float | None
    min_loss_lr: float | None
    divergence_lr: float | None
    reason: str
    index: int | None = None
    drop: float = 0.0


def _median_smooth(losses: np.ndarray) -> np.ndarray:
    """Running median over ~5% of the sweep: removes isolated spikes without lag."""
    return ndimage.median_filter(losses, size=max(3, (len(losses) // 20) | 1), mode="nearest")


def suggest_lr(lrs: Sequence[float], losses: Sequence[float], min_drop: float = 0.05,
               reference: float | None = None) -> Suggestion:
    """Suggest an LR from a range-test curve: a tenth of the LR at the lowest smoothed loss.

    The curve is cut at the first non-finite loss, smoothed without lag (running median,
    which removes isolated spikes such as an early one, then a Gaussian) and cut again where
    it explodes. The loss must fall from its starting level to the minimum by at least
    ``min_drop`` of that level and by more than the noise, otherwise no LR is suggested
    (flat curve, or rising from the start). ``reference``, the best constant predictor's loss where known: a loss
    that starts above it is measured from it, since falling to it learns the label shares or the target mean, not
    the task (a model that cannot represent the task still does that, fastest at a large LR). The minimum sits at
    the edge of instability, so the suggestion steps one decade below it (Smith's and fastai's classic rule; it beat the
    steepest-descent point in benchmarks/results/lr_finder.md). The steepest-descent point
    is reported in ``reason`` for reference.
    """
    lr = np.asarray(lrs, dtype=float)
    loss = np.asarray(losses, dtype=float)
    finite = np.isfinite(loss)
    end = int(np.argmin(finite)) if not finite.all() else len(loss)
    blew_up_lr = float(lr[end]) if end < len(lr) else None
    lr, loss = lr[:end], loss[:end]
    if len(loss) < 5:
        return Suggestion(None, None, blew_up_lr, f"only {len(loss)} finite points in the sweep; the loss blew up almost at once")
    head = max(1, len(loss) // 20)
    median = _median_smooth(loss)
    start_level = float(np.median(median[: head + 1]))
    if reference is not None and math.isfinite(reference) and 0 < reference < start_level:
        start_level = reference
    spread = float(1.4826 * np.median(np.abs(loss - median)))
    divergence = _divergence_index(median, int(np.argmin(median)), start_level, spread)
    divergence_lr = float(lr[divergence]) if divergence is not None else blew_up_lr
    keep = divergence if divergence is not None and divergence >= 5 else len(loss)
    lr, loss, median = lr[:keep], loss[:keep], median[:keep]
    smooth = ndimage.gaussian_filter1d(median, sigma=max(1.0, len(lrs) / 100), mode="nearest")
    best = int(np.argmin(smooth))
    noise = float(1.4826 * np.median(np.abs(loss - smooth)))
    drop = start_level - float(smooth[best])
    scale = max(abs(start_level), 1e-12)
    if best <= head or drop < min_drop * scale or drop < noise:
        if best <= head:
            reason = f"the loss rose from the start of the sweep (lowest at lr={lr[best]:.2g})"
        else:
            reason = f"the loss stayed flat: it fell by {max(drop, 0) / scale:.1%} at most (noise {noise / scale:.1%})"
        return Suggestion(None, float(lr[best]), divergence_lr, reason + ", so no LR in the range made it fall",
                          None, max(drop, 0) / scale)
    log_lr = np.log10(lr[: best + 1])
    slope = np.gradient(smooth[: best + 1], log_lr)
    steep = int(np.argmin(slope[head:])) + head
    chosen = float(lr[best]) / 10
    index = int(np.argmin(np.abs(np.log(lr[: best + 1]) - math.log(chosen))))
    return Suggestion(chosen, float(lr[best]), divergence_lr,
                      f"lowest loss at lr={lr[best]:.2g}, steepest descent at lr={lr[steep]:.2g}", index, drop / scale)


def divergence_limit(best: float, start: float) -> float:
    """The loss above which a sweep has exploded: DIVERGE_FACTOR times its best, or, for a loss that can be
    negative (a Poisson or Gaussian negative log-likelihood), the best plus the start's magnitude, since a
    ratio to a negative best says nothing."""
    return DIVERGE_FACTOR * best if best > 0 else best + abs(start)


def _divergence_index(smooth: np.ndarray, best: int, start_level: float, spread: float = 0.0) -> int | None:
    """First point after the minimum where the loss exploded (4x best, or back above the start).

    Back above the start counts only after a real dip: when the minimum lies within
    ``NOISE_MARGIN`` minibatch spreads of the start, the curve is noise around the start
    (the LR is still too small to move it) and rising above the start proves nothing.
    """
    best_value = float(smooth[best])
    limit = divergence_limit(best_value, start_level)
    if start_level > 1.25 * best_value > 0 and start_level - best_value > NOISE_MARGIN * spread:
        limit = min(limit, start_level)
    above = np.nonzero(smooth[best:] > limit)[0]
    return best + int(above[0]) if len(above) else None


@dataclass
class RangeConfig:
    """Sweep from ``start`` to ``end`` over ``steps`` steps (sized down for costly setups to no
    fewer than ``min_steps``). ``seconds`` is an optional per-probe wall-clock safety net:
    tripping it makes the sweep inconclusive, it never shortens it."""

    start: float = 1e-7
    end: float = 10.0
    steps: int = 100
    seconds: float | None = None
    beta: float = 0.9
    min_steps: int = 40


CONFIG = RangeConfig()


@dataclass
class RangeResult:
    """The sweep's curve, why it stopped, the user's LR and the suggestion."""

    lrs: list[float]
    losses: list[float]
    smoothed: list[float]
    stopped: str
    user_lr: float | None
    suggestion: Suggestion
    optimizer: str
    seconds: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def telemetry(self) -> dict[str, Any]:
        return {
            "lrs": self.lrs, "losses": self.losses, "smoothed": self.smoothed, "stopped": self.stopped,
            "user_lr": self.user_lr, "optimizer": self.optimizer, "suggestion": asdict(self.suggestion),
        }


def lr_range_test(setup, model, config: RangeConfig = CONFIG, deadline: float | None = None,
                  reference: float | None = None) -> RangeResult:
    """Sweep the LR exponentially on ``model`` (a copy) with a fresh optimizer of the user's type.

    Runs ``config.steps`` steps unless the loss diverges or the data runs out. ``deadline``
    (a ``time.perf_counter()`` instant; ``config.seconds`` from now when not given) is the
    safety net: past it the sweep raises :class:`~nndoctor.checks.base.Inconclusive`.
    """
    if deadline is None and config.seconds is not None:
        deadline = time.perf_counter() + config.seconds
    optimizer = setup.make_optimizer(model)
    recorder = Recorder(model, optimizer, setup.compute_loss)
    base = [float(g["lr"]) for g in optimizer.param_groups]
    factor = (config.end / config.start) ** (1 / max(config.steps - 1, 1))
    smoothed: list[float] = []
    avg, best, stopped = 0.0, math.inf, "end"
    started = time.perf_counter()
    model.train()
    batches = endless_batches(setup)
    for i in range(config.steps):
        check_deadline(deadline, f"lr_range (step {i} of {config.steps})")
        batch = next(batches, None)
        if batch is None:
            stopped = "no data"
            break
        set_lr(optimizer, config.start * factor**i, base)
        value = recorder.step(*batch)
        if not math.isfinite(value):
            stopped = "non-finite loss"
            break
        avg = config.beta * avg + (1 - config.beta) * value
        smooth = avg / (1 - config.beta ** (i + 1))
        smoothed.append(smooth)
        best = min(best, smooth)
        if i >= 5 and smooth > divergence_limit(best, smoothed[0]):
            stopped = "diverged"
            break
    lrs, losses = recorder.record.lrs, recorder.record.step_losses
    suggestion = suggest_lr(lrs, losses, reference=reference)
    if suggestion.divergence_lr is None and stopped in ("diverged", "non-finite loss"):
        suggestion.divergence_lr = lrs[-1]
    return RangeResult(
        lrs=lrs, losses=losses, smoothed=smoothed, stopped=stopped, user_lr=user_lr(setup),
        suggestion=suggestion, optimizer=type(optimizer).__name__, seconds=time.perf_counter() - started,
    )


def lr_range_probe(ctx: "Context", config: RangeConfig | None = None) -> RangeResult:
    """The range test on a seeded model copy, its step count sized from the setup, under the checkup's safety net."""
    config = config or CONFIG
    batches = ctx.batches("train")
    samples = batch_size_of(batches[0][0]) if batches else 1
    steps = sized_steps(config.steps, config.min_steps, step_cost(ctx), samples, ctx.device)
    deadline = probe_deadline(ctx, config.seconds)
    from .trial import reference_loss, stacked_targets

    reference = reference_loss(ctx.setup, stacked_targets(batches)) if batches else None
    result = lr_range_test(ctx.setup, ctx.model_copy(seed=ctx.setup.seed), replace(config, steps=steps, seconds=None),
                           deadline=deadline, reference=reference)
    ctx.telemetry["lr_range"] = result.telemetry()
    return result
