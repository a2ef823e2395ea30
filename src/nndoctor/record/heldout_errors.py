"""How a regression model's last held-out evaluation scored against the best constant (D111).

A quick probe (ridge, nearest neighbours) misses targets that are a nonlinear statistic of the
inputs (a track-quality index is a roughness of a trace); the script's own model does not. Its
held-out rows, scored below what predicting their mean scores, prove the targets are paired with
the inputs. Per row: ``e`` = squared error of the prediction, ``c`` = squared deviation from the
pass's mean target. The pass keeps device-side sums from which ``mean(e - c)`` and its variance
follow exactly (the mean is known only at the end, so its terms are expanded).
"""
from __future__ import annotations

import math
from typing import Any

import torch

from ..patient import eval_mode


def squared_error_sums(prediction: torch.Tensor, target: torch.Tensor) -> list[torch.Tensor] | None:
    """One evaluation batch's sums ``[rows, Σa, Σa², Σy, Σy², Σay]`` with ``a = y² - e``, in float64 on the device.

    Only for one real-valued target per row with one prediction per row (``(N,)`` or ``(N, 1)``; a multi-output
    target has one mean per column, which one pass mean would misstate). None otherwise, and on devices without
    float64 (the expansion cancels large terms).
    """
    if not isinstance(prediction, torch.Tensor) or not target.is_floating_point() or target.dim() == 0 \
            or prediction.dim() == 0 or target.numel() != target.shape[0] or prediction.shape[0] != target.shape[0] \
            or prediction.numel() != target.numel() or target.device.type == "mps":
        return None
    with torch.no_grad():
        y = target.detach().reshape(-1).double()
        e = (prediction.detach().reshape(-1).double() - y) ** 2
        a = y * y - e
        return [torch.tensor(float(y.numel()), dtype=torch.float64, device=y.device),
                a.sum(), (a * a).sum(), y.sum(), (y * y).sum(), (a * y).sum()]


def model_terms(model: torch.nn.Module, batches: list) -> dict[str, Any] | None:
    """:func:`paired_terms` of ``model``'s predictions on held-out ``(inputs, targets)`` batches, in eval mode without
    gradients (the checkup trial's trained copy); None when a batch's output is not one prediction per row."""
    sums: list[torch.Tensor] | None = None
    with eval_mode(model), torch.no_grad():
        for x, y in batches:
            batch = squared_error_sums(model(x), y) if isinstance(y, torch.Tensor) else None
            if batch is None:
                return None
            sums = batch if sums is None else [kept + value for kept, value in zip(sums, batch)]
    return paired_terms(sums)


def paired_terms(totals: list[torch.Tensor] | None) -> dict[str, Any] | None:
    """The pass's mean squared error, the best constant's (the pass mean's) and the variance of their per-row
    difference ``e - c``; None for fewer than two rows or non-finite sums."""
    if totals is None:
        return None
    n, sum_a, sum_a2, sum_y, sum_y2, sum_ay = (float(v) for v in totals)
    if n < 2 or not all(math.isfinite(v) for v in (sum_a, sum_a2, sum_y, sum_y2, sum_ay)):
        return None
    mean_y = sum_y / n
    constant = sum_y2 / n - mean_y * mean_y  # mean of c
    # g = c - e = a - 2·ȳ·y + ȳ²: its sum and sum of squares from the kept sums
    sum_g = sum_a - n * mean_y * mean_y
    sum_g2 = (sum_a2 + 4 * mean_y ** 2 * sum_y2 + n * mean_y ** 4 - 4 * mean_y * sum_ay
              + 2 * mean_y ** 2 * sum_a - 4 * mean_y ** 3 * sum_y)
    mean_g = sum_g / n
    variance = max(sum_g2 / n - mean_g * mean_g, 0.0) * n / (n - 1)
    return {"rows": int(n), "mean": constant - mean_g, "constant": constant, "variance": variance,
            "measure": "squared error"}
