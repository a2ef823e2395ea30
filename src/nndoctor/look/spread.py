"""Spread: the metric over re-drawn training subsets and seeds, each run the same number of steps.

A difference between two setups smaller than this spread is not a difference. Every run
trains a fresh copy of the user's model with the user's optimizer on its own subset of a
fixed pool of training samples (drawn with its own seed), for exactly ``steps`` steps, and is
scored on the same validation samples; the spread is the sample standard deviation.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from ..rng import seed_everything
from ..setup import Setup, batch_size_of, concat_inputs, same_sequence

Batch = tuple[Any, torch.Tensor]
# Runs in the spread: three is the fewest with a usable standard deviation, and keeps the cost
# at three short trainings.
RUNS = 3
# Share of the pool each run trains on: re-drawn, so each run sees a different subset.
SUBSET = 0.8


def take(x: Any, index: torch.Tensor) -> Any:
    """Rows ``index`` of batch inputs (a tensor, or a dict/tuple of tensors)."""
    if isinstance(x, torch.Tensor):
        return x[index.to(x.device)]
    if isinstance(x, dict):
        return {k: take(v, index) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return same_sequence(x, (take(v, index) for v in x))
    return x


def pool_of(batches: list[Batch], padding: int | None = None) -> Batch:
    """The batches as one pool of samples.

    Batches padded each to its own length (a collate function padding per batch) have no
    common sample shape: the look then abstains (Inconclusive) rather than guess a padding,
    unless the model declares the ``padding`` value it drops (``setup.input_padding``).
    """
    n = sum(batch_size_of(x) for x, _ in batches)
    try:
        return concat_inputs([x for x, _ in batches], n, padding), torch.cat([y for _, y in batches])
    except RuntimeError as exc:
        from ..checks.base import Inconclusive

        raise Inconclusive("the batches' samples differ in shape (padded per batch?), so they cannot be pooled "
                           f"into one set of samples: {str(exc).splitlines()[0]}") from exc


def train_copy(setup: Setup, pool: Batch, steps: int, seed: int, subset: float = 1.0,
               transform: Callable[[Any], Any] | None = None,
               on_step: Callable[[int, nn.Module], None] | None = None) -> nn.Module:
    """A fresh copy of the model trained ``steps`` minibatch steps on a seeded subset of ``pool``.

    ``transform`` maps the inputs before the model sees them (zeroed inputs for the
    input-independent baseline); ``on_step(step, model)`` is called before each step and after
    the last. The user's model and the global RNG are the caller's to guard.
    """
    seed_everything(seed)
    model = setup.fresh_model()
    optimizer = setup.make_optimizer(model)
    x, y = pool
    n = int(y.shape[0])
    generator = torch.Generator().manual_seed(seed)
    chosen = torch.randperm(n, generator=generator)[: max(1, round(subset * n))]
    size = min(setup.batch_size, len(chosen))
    order: list[torch.Tensor] = []
    while len(order) < steps:  # epochs over the subset, each in a fresh seeded order
        perm = chosen[torch.randperm(len(chosen), generator=generator)]
        order += [perm[i:i + size] for i in range(0, len(perm) - size + 1, size)]
    model.train()
    for step, index in enumerate(order[:steps]):
        if on_step is not None:
            on_step(step, model)
        xb, yb = take(x, index), y[index.to(y.device)]
        xb = transform(xb) if transform is not None else xb
        optimizer.zero_grad(set_to_none=True)
        loss = setup.compute_loss(model(xb), yb)
        if not math.isfinite(float(loss.detach())):
            break
        loss.backward()
        optimizer.step()
    if on_step is not None:
        on_step(steps, model)
    return model


def spread(values: list[float]) -> dict[str, Any]:
    """Mean and sample standard deviation of the runs' metric (JSON-able)."""
    arr = np.asarray([v for v in values if v is not None and math.isfinite(v)], dtype=float)
    return {"values": [float(v) for v in values], "mean": float(arr.mean()) if len(arr) else None,
            "std": float(arr.std(ddof=1)) if len(arr) > 1 else None}
