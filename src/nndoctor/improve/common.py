"""What every technique shares: a model's measured size and speed, and the "no worse than dense" verdict.

Sizes are the bytes of the state_dict saved to a file (what ``torch.save`` writes); latency is the
median wall time of one forward pass on one validation batch. Latency is reported as a
measured number and never decides a verdict: verdicts read only the metric and its seed spread.
"""
from __future__ import annotations

import math
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import torch
from torch import nn

from ..fix.verdict import MIN_GAIN, compare, spread

LATENCY_REPEATS = 15


def serialized_bytes(model: nn.Module) -> int:
    """Size on disk of ``torch.save(model.state_dict(), "model.pt")``, read from the saved file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.pt"
        torch.save(model.state_dict(), path)
        return path.stat().st_size


def parameter_count(model: nn.Module, nonzero: bool = False) -> int:
    """Number of parameters (or of non-zero parameter entries) of ``model``."""
    return int(sum(int((p != 0).sum()) if nonzero else p.numel() for p in model.parameters()))


def latency_ms(model: nn.Module, x: Any, repeats: int = LATENCY_REPEATS) -> float:
    """Median milliseconds of one no-grad forward pass on ``x`` (after one warm-up call)."""
    model.eval()
    times = []
    with torch.no_grad():
        model(x)
        for _ in range(repeats):
            started = time.perf_counter()
            model(x)
            times.append((time.perf_counter() - started) * 1e3)
    return float(statistics.median(times))


def holds(baseline: Sequence[float | None], candidate: Sequence[float | None]) -> tuple[str, str]:
    """("better" | "matches" | "worse", reason): the candidate against the baseline, paired by seed.

    Better as ``fix`` verifies a cure (every seed, or by more than the spread); otherwise a
    loss smaller than the seed spread (and than ``MIN_GAIN``) is no loss: "a difference
    smaller than the spread is not a difference".
    """
    verdict = compare(baseline, candidate)
    if verdict.verified:
        return "better", verdict.reason
    b, c = spread(baseline), spread(candidate)
    if b.mean is None or c.mean is None:
        return "worse", verdict.reason
    loss = b.mean - c.mean
    noise = max(b.std or 0.0, c.std or 0.0, MIN_GAIN)
    if c.diverged > b.diverged:
        return "worse", verdict.reason
    if loss <= noise:
        return "matches", f"mean change {-loss:+.3f} is within the seed spread {noise:.3f} (no difference)"
    return "worse", f"mean loss {loss:.3f} exceeds the seed spread {noise:.3f}"


def row(arm: str, values: Sequence[float | None], verdict: str, reason: str, **measures: Any) -> dict[str, Any]:
    """One table row: the arm, its metric across seeds, its verdict and measured sizes/speeds."""
    s = spread(values)
    return {"arm": arm, "metric": s.to_dict(), "metric_text": s.text(), "verdict": verdict, "reason": reason,
            **{k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in measures.items()}}
