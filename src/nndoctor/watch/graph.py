"""Reading the autograd graph behind a loss: which parameters it trains, and what the loss function returned.

Walks only ``grad_fn`` links (no tensor data), so no device work and no host sync.
"""
from __future__ import annotations

import torch
from torch import nn

MAX_GRAPH_NODES = 50_000
# How far below the tensor passed to backward() the loss function's own output may sit (loss * scale, loss / k, -loss).
LOSS_ROOT_DEPTH = 3


def graph_leaves(root: torch.Tensor) -> list[nn.Parameter]:
    """The parameters a backward from ``root`` accumulates gradients into (walks the autograd graph once)."""
    found: dict[int, nn.Parameter] = {}
    stack, seen = [root.grad_fn], set()
    while stack and len(seen) < MAX_GRAPH_NODES:
        fn = stack.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        variable = getattr(fn, "variable", None)
        if isinstance(variable, nn.Parameter):
            found[id(variable)] = variable
            continue
        stack.extend(next_fn for next_fn, _ in getattr(fn, "next_functions", ()) if next_fn is not None)
    return list(found.values())


def derived_from(root: torch.Tensor, loss: torch.Tensor) -> bool:
    """Whether ``root`` is ``loss`` or a few operations on it (scaled, divided for accumulation, negated, a penalty added)."""
    if root is loss:
        return True
    target = loss.grad_fn
    if target is None:
        return False
    level = [root.grad_fn]
    for _ in range(LOSS_ROOT_DEPTH + 1):
        if any(fn is target for fn in level):
            return True
        level = [next_fn for fn in level if fn is not None for next_fn, _ in fn.next_functions if next_fn is not None][:64]
    return False
