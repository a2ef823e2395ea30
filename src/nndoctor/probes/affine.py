"""Whether a network is one affine map of its inputs, measured rather than read off its layers.

Stacked Linear layers with no nonlinearity acting between them (a missing ``nn.ReLU()``, an
activation defined but never called) compose to a single Linear: the model can represent no
more than a linear model whatever its depth. The midpoint test tells, however the forward is
written: an affine f has f((a + b) / 2) = (f(a) + f(b)) / 2 for every pair of inputs, while a
ReLU, tanh or GELU network misses it by far more than float rounding. Eval mode (dropout off;
BatchNorm with its running statistics is itself affine).
"""
from __future__ import annotations

from typing import Any

import torch
from torch import nn

from ..patient import eval_mode
from ..rng import preserved_rng
from ..setup import primary_output
from .layer_stats import WEIGHT_LAYERS

# Relative to the outputs' own spread: float32 rounding through a few layers stays far below it,
# and any nonlinearity that acts on part of the inputs moves some outputs by a sizeable share of it.
AFFINE_TOLERANCE = 1e-4


def affine_weight_layers(model: nn.Module, x: Any) -> int:
    """The number of weight layers (Linear, convolution) of ``model`` when it is one affine map of its float
    inputs ``x`` (two rows at least), else 0; 0 too when it cannot be measured (non-float or non-tensor inputs)."""
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.shape[0] < 2:
        return 0
    layers = sum(isinstance(m, WEIGHT_LAYERS) for m in model.modules())
    if layers < 2:
        return 0
    half = x.shape[0] // 2
    a, b = x[:half], x[half:2 * half]
    try:
        with eval_mode(model), torch.no_grad(), preserved_rng():
            outputs = [primary_output(model(v)) for v in (a, b, (a + b) / 2)]
    except Exception:  # noqa: BLE001 - a model that cannot take a half batch or a blend: not measured
        return 0
    if not all(isinstance(o, torch.Tensor) and o.is_floating_point() for o in outputs):
        return 0
    fa, fb, fm = (o.double() for o in outputs)
    scale = float(torch.cat([fa, fb]).std()) if fa.numel() > 1 else 0.0
    if not torch.isfinite(fm).all() or scale <= 0:
        return 0
    gap = float((fm - (fa + fb) / 2).abs().max())
    return layers if gap <= AFFINE_TOLERANCE * scale else 0
