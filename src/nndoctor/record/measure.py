"""The per-step measurements every recorded loop shares: gradient norms and update sizes.

Watch (sampled steps of the user's loop) and the :class:`~nndoctor.record.Recorder` (the
loops nndoctor runs itself: checkup's trial, the LR range test, the single-batch overfit,
fix's trials) compute them with these functions, so a gradient norm or an update ratio
means the same number in every mode. Results stay on the device; callers read them in
one transfer when they choose (watch at sample points, the recorder after each step).
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

import torch
from torch import nn

from ..verdicts.layers import SATURATION_OUTPUT_EDGE

Named = Sequence[tuple[str, nn.Parameter]]


def grad_norms(params: Named) -> tuple[list[str], torch.Tensor | None]:
    """Names of the parameters that have a gradient and their gradients' L2 norms (one on-device tensor)."""
    with_grad = [(n, p) for n, p in params if p.grad is not None]
    if not with_grad:
        return [], None
    device = with_grad[0][1].device
    norms = [torch.linalg.vector_norm(stored_values(p.grad).float()).to(device) for _, p in with_grad]
    return [n for n, _ in with_grad], torch.stack(norms)


def stored_values(grad: torch.Tensor) -> torch.Tensor:
    """A gradient's values as a dense tensor of the same norm: a sparse one's stored values (an embedding's rows)."""
    grad = grad.detach()
    return grad.coalesce().values() if grad.is_sparse else grad


def total_grad_norm(grads: Sequence[torch.Tensor]) -> torch.Tensor:
    """The global L2 norm of ``grads`` as one 0-d float32 tensor on the first gradient's device.

    One fused pass over the gradients (``torch._foreach_norm``, as ``clip_grad_norm_`` does),
    cheap enough to take before every optimizer step: watch's per-step measurement for O403,
    whose explosions can rise and end between two sampled steps. Sparse gradients count
    their stored values.
    """
    dense = [stored_values(g) for g in grads]
    device = dense[0].device
    norms = torch._foreach_norm(dense)
    return torch.linalg.vector_norm(torch.stack([n.to(device, torch.float32) for n in norms]))


def snapshot(params: Named) -> list[tuple[str, torch.Tensor, nn.Parameter]]:
    """A detached copy of each parameter's value, taken before an optimizer step (for :func:`update_norms`)."""
    return [(n, p.detach().clone(), p) for n, p in params]


def update_norms(before: Sequence[tuple[str, torch.Tensor, nn.Parameter]],
                 by_rows: Collection[str] = ()) -> tuple[list[str], torch.Tensor | None]:
    """Names and on-device ``[|w_after - w_before|, |w_before|]`` rows of the parameters in ``before``.

    ``by_rows``: tables (embeddings) measured over the rows the step's gradient touched, read
    after the step: a batch looks up a few of a table's rows, so over the whole table a
    healthy step of those rows reads as a tiny one, diluted by the vocabulary's size.
    """
    if not before:
        return [], None
    device = before[0][1].device
    with torch.no_grad():
        pairs = torch.stack([_update_pair(old, p, n in by_rows).to(device) for n, old, p in before])
    return [n for n, _, _ in before], pairs


def _update_pair(old: torch.Tensor, p: nn.Parameter, by_rows: bool) -> torch.Tensor:
    new = p.detach()
    rows = touched_rows(p.grad) if by_rows and p.grad is not None and old.dim() >= 2 else None
    if rows is not None:
        old, new = old[rows], new[rows]
    return torch.stack([torch.linalg.vector_norm((new - old).float()), torch.linalg.vector_norm(old.float())])


def touched_rows(grad: torch.Tensor) -> torch.Tensor | None:
    """Indices of the rows of a table's gradient that are not all zero (sparse or dense), None when none are."""
    if grad.is_sparse:
        rows = grad.coalesce().indices()[0].unique()
    else:
        rows = grad.detach().reshape(grad.shape[0], -1).ne(0).any(dim=1).nonzero().squeeze(1)
    return rows if rows.numel() else None


def embedding_tables(model: nn.Module) -> list[str]:
    """Names of the trainable weights of ``model``'s lookup tables (``nn.Embedding``, which weight layers exclude)."""
    return [f"{name}.weight" if name else "weight" for name, module in model.named_modules()
            if isinstance(module, nn.Embedding) and module.weight.requires_grad]


def in_flat_tails(output: torch.Tensor, activation: str) -> torch.Tensor:
    """Which values of a tanh or sigmoid output (``activation``: "Tanh" or "Sigmoid") lie in M204's flat tails.

    Read from the output, where no pre-activation is at hand: the tails as output edges
    (``verdicts.layers.SATURATION_OUTPUT_EDGE``), around 0 for tanh and 1/2 for sigmoid.
    """
    with torch.no_grad():
        values = output.detach().float()
        centre = 0.5 if activation == "Sigmoid" else 0.0
        return (values - centre).abs() > SATURATION_OUTPUT_EDGE[activation]


def total_norm(norms: Iterable[float]) -> float:
    """The global L2 norm from per-parameter norms; infinite when any of them is not finite."""
    values = list(norms)
    return math.sqrt(sum(v * v for v in values)) if all(map(math.isfinite, values)) else math.inf


def update_ratio(delta: float, scale: float) -> float | None:
    """``|Δw| / |w|``, or None where the weight is zero or the step not finite (no ratio to speak of)."""
    return delta / scale if scale > 0 and math.isfinite(delta) else None
