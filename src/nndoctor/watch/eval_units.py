"""The units a loop scores its evaluation in: the model's outputs mapped back to the targets' own scale.

A regressor trained on standardised targets is often evaluated in the targets' own units:
``pred = model(x) * y_std + y_mean`` against the raw targets of the validation loader (the
remedy for unscaled targets, D105, says to do exactly that). The validation loader's targets
are then in other units than the training loader's, and comparing the two splits' targets
(D109), or scoring the model's raw outputs against them (G606), measures the units, not the
data. This follower sees the evaluation loss calls of the captured model and recovers the
exact affine map the loop applied to the model's outputs, so the exam can bring the
validation targets back into the units the model is trained in.
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Mapping

import torch
from torch import nn

from . import hub

# Evaluation loss calls read before the map is settled: enough to see it is the same on every batch.
CALLS_READ = 4
# An affine map recomputed in float32 (``out * s + m``) reproduces the loss input to about 1e-7 of its size;
# a map that misses by more than 1e-4 of the input's size is not the map the loop applied.
EXACT = 1e-4
# Rows needed to fit a column's scale and shift.
MIN_ROWS = 4


def affine_map(output: torch.Tensor, scored: torch.Tensor) -> tuple[list[float], list[float]] | None:
    """Per column, the scale and shift with ``scored == output * scale + shift`` exactly; None when there is none.

    Both tensors are read as (rows, columns) with as many elements; a column whose output does
    not vary cannot show its scale, and then no map is returned.
    """
    rows = int(scored.shape[0]) if scored.dim() else 0
    if rows < MIN_ROWS or output.numel() != scored.numel() or output.dim() == 0 or int(output.shape[0]) != rows:
        return None
    out = output.detach().reshape(rows, -1).double().cpu()
    got = scored.detach().reshape(rows, -1).double().cpu()
    if not (torch.isfinite(out).all() and torch.isfinite(got).all()):
        return None
    centred = out - out.mean(0)
    spread = (centred ** 2).sum(0)
    if bool((spread <= 0).any()):
        return None
    scale = (centred * (got - got.mean(0))).sum(0) / spread
    shift = got.mean(0) - scale * out.mean(0)
    miss = (out * scale + shift - got).abs().max()
    if float(miss) > EXACT * max(float(got.abs().max()), 1e-12) or bool((scale == 0).any()):
        return None
    return scale.tolist(), shift.tolist()


class EvalOutputUnits:
    """Follows the captured model's evaluation forwards and the regression loss calls that read them.

    ``mapped`` is the map every read call agreed on, when the loop scored mapped outputs, and None
    when it scored the outputs themselves, mapped them differently from batch to batch, or was not
    seen scoring them. Reads tensors only, holds the latest evaluation output (detached, one batch) until the
    next loss call and attaches nothing to the model (one handler on the hub's forward event of the model, removed
    by ``close``).
    """

    def __init__(self, root: nn.Module, regression_kinds: tuple[str, ...],
                 on_error: Callable[[str, BaseException], None]) -> None:
        self._root = weakref.ref(root)
        self._kinds = regression_kinds
        self._on_error = on_error
        self._outputs: list[torch.Tensor] = []  # the latest evaluation outputs, detached (``model(x) * s`` frees them)
        self._maps: list[tuple[list[float], list[float]] | None] = []
        self._batch: list[weakref.ref] = []  # the tensors of the batch a DataLoader yielded last
        self._detach = hub.attach("forward", root, self._forward)

    def close(self) -> None:
        """Stop following (idempotent); what was read stays."""
        if self._detach is not None:
            self._detach()
            self._detach = None
        self._outputs = []

    @property
    def mapped(self) -> tuple[list[float], list[float]] | None:
        """(scales, shifts) per output column when every read call scored the outputs through that one map."""
        if not self._maps or any(m is None for m in self._maps):
            return None
        first = self._maps[0]
        for other in self._maps[1:]:
            for a, b in zip(first, other):
                if any(abs(x - y) > EXACT * max(abs(x), abs(y), 1e-12) for x, y in zip(a, b)):
                    return None
        return first

    def _forward(self, module: nn.Module, args: tuple, kwargs: Mapping, output: Any) -> None:
        root = self._root()
        if root is None or (root.training and torch.is_grad_enabled()):
            self._outputs = []  # a training forward: what a loss reads next is not an evaluation output
            return
        self._outputs = [t.detach() for t in tensors_of(output)]

    def loader_batch(self, batch: Any) -> None:
        """A DataLoader yielded ``batch``: a loss target equal to one of its tensors is the loader's own target."""
        if self._detach is None:
            return
        self._batch = [weakref.ref(t) for t in tensors_of(batch)]

    def loss_call(self, kind: str, input: Any, target: Any) -> None:
        """An evaluation loss call: when it reads the latest evaluation output, as it is or mapped, note the map."""
        if self._detach is None or kind not in self._kinds or not self._outputs:
            return
        if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
            return
        try:
            outputs, self._outputs = self._outputs, []
            if any(same_memory(input, out) for out in outputs):
                self._maps.append(None)  # the outputs themselves: the targets are in the model's units
            else:
                found = next((m for m in (affine_map(out, input) for out in outputs) if m is not None), None)
                if found is None:
                    return  # a loss on something else (an EMA copy's outputs, a post-processed prediction)
                batch = [t for t in (ref() for ref in self._batch) if t is not None]
                if not any(_copied(t, target) for t in batch):
                    return  # the targets are mapped too (``yb * y_std + y_mean``): both sides in other units
                self._maps.append(None if any(_copied(out, input) for out in outputs) else found)
            if len(self._maps) >= CALLS_READ:
                self.close()
        except Exception as exc:
            self.close()
            self._maps = []
            self._on_error("evaluation units", exc)


def same_memory(a: torch.Tensor, b: Any) -> bool:
    """Whether ``a`` is ``b`` or a view of it with the same elements (``out.squeeze(-1)``, ``out.view(-1)``)."""
    if not isinstance(b, torch.Tensor):
        return False
    if a is b:
        return True
    try:
        return a.device == b.device and a.numel() == b.numel() and a.data_ptr() == b.data_ptr()
    except Exception:
        return False


def _copied(output: torch.Tensor, scored: torch.Tensor) -> bool:
    """``scored`` holds the output's values in other memory (``out.float()``, ``out.clone()``): no map at all."""
    if output.numel() != scored.numel() or scored.numel() == 0:
        return False
    got, out = scored.detach().reshape(-1).double(), output.detach().reshape(-1).double().to(scored.device)
    return bool(torch.allclose(got, out, rtol=EXACT, atol=EXACT * float(got.abs().max())))


def tensors_of(value: Any) -> list[torch.Tensor]:
    """The tensors a forward returned or a DataLoader yielded: the tensor itself, or those of a tuple, list or dict."""
    items = value.values() if isinstance(value, Mapping) else value if isinstance(value, (list, tuple)) else (value,)
    return [t for t in items if isinstance(t, torch.Tensor)]
