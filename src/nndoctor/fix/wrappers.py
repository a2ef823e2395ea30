"""Loss and model wrappers the remedies build candidates from (each wraps a copy, never the user's object)."""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
from torch import nn


class TargetScaledLoss(nn.Module):
    """The user's loss on standardised outputs and targets: training on (y - mean) / std."""

    def __init__(self, loss: Any, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.loss = loss
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.loss((output - self.mean) / self.std, (target - self.mean) / self.std)


class Destandardised(nn.Module):
    """``model(x) * std + mean``: a net trained on standardised targets, predicting original units."""

    def __init__(self, model: nn.Module, mean: torch.Tensor, std: torch.Tensor) -> None:
        super().__init__()
        self.model = model
        self.register_buffer("mean", mean)
        self.register_buffer("std", std)

    def forward(self, *args: Any) -> torch.Tensor:
        return self.model(*args) * self.std + self.mean


class InvertedActivation(nn.Module):
    """Undo a softmax/sigmoid/tanh that ``model.forward`` applies to its output, giving back what it squashed.

    log(softmax(z)) is z up to a per-row constant (the same cross-entropy as z itself); logit and
    atanh undo sigmoid and tanh exactly wherever float precision has not rounded the output to
    its bound (there the clamp passes no gradient, as the saturated activation did). It lets a
    trial measure "return the pre-activation" for an activation written inside forward().
    """

    def __init__(self, model: nn.Module, op: str) -> None:
        super().__init__()
        if op not in ("Softmax", "Sigmoid", "Tanh"):
            raise ValueError(f"cannot invert {op}")
        self.model, self.op = model, op

    def forward(self, *args: Any) -> torch.Tensor:
        out = self.model(*args)
        eps = torch.finfo(out.dtype).eps
        if self.op == "Softmax":
            return torch.log(out.clamp_min(torch.finfo(out.dtype).tiny))
        if self.op == "Sigmoid":
            return torch.logit(out, eps=eps)
        return torch.atanh(out.clamp(-1 + eps, 1 - eps))


class ScaledOutput(nn.Module):
    """``factor * model(x)``: outputs that start too large for the loss, brought back to its scale."""

    def __init__(self, model: nn.Module, factor: float) -> None:
        super().__init__()
        self.model, self.factor = model, factor

    def forward(self, *args: Any) -> torch.Tensor:
        return self.model(*args) * self.factor


class IndexCrossEntropy(nn.Module):
    """CrossEntropyLoss that accepts class indices stored as floats, (N, 1) columns or one-hot rows."""

    def __init__(self, weight: torch.Tensor | None = None) -> None:
        super().__init__()
        self.ce = nn.CrossEntropyLoss(weight=weight)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if target.dim() == 2 and target.shape == output.shape:
            return self.ce(output, target.float())
        return self.ce(output, target.reshape(-1).long())


class BinaryLogitsLoss(nn.Module):
    """BCEWithLogitsLoss with targets reshaped to the output and cast to float."""

    def __init__(self, pos_weight: torch.Tensor | None = None) -> None:
        super().__init__()
        self.bce = nn.BCEWithLogitsLoss(pos_weight=pos_weight)

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.bce(output, target.float().reshape(output.shape))


class OutputShapedTargets(nn.Module):
    """The user's element-wise loss with the targets viewed in the output's shape: pairs, not a broadcast (D113)."""

    def __init__(self, loss: Any) -> None:
        super().__init__()
        self.loss = loss

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if isinstance(output, torch.Tensor) and isinstance(target, torch.Tensor) and output.shape != target.shape \
                and output.numel() == target.numel():
            target = target.reshape(output.shape)
        return self.loss(output, target)


class NegatedLoss(nn.Module):
    def __init__(self, loss: Any) -> None:
        super().__init__()
        self.loss = loss

    def forward(self, output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return -self.loss(output, target)


class WithLinearPath(nn.Module):
    """``model(x) + linear(flatten(x))``: a linear path from the raw inputs to the outputs beside the network
    (the "wide" half of wide-and-deep), zero at the start so the model begins as the user's."""

    def __init__(self, model: nn.Module, in_features: int, out_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.model, self.out_shape = model, tuple(out_shape)
        self.linear = nn.Linear(in_features, int(torch.Size(out_shape).numel()))
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.model(x)
        return out + self.linear(x.flatten(1).to(self.linear.weight.dtype)).view(-1, *self.out_shape).to(out.dtype)


class Residual(nn.Module):
    """``x + block(x)``: a skip connection around a block whose output has its input's shape."""

    def __init__(self, block: nn.Module) -> None:
        super().__init__()
        self.block = block

    def forward(self, x: torch.Tensor, *args: Any, **kwargs: Any) -> torch.Tensor:
        return x + self.block(x, *args, **kwargs)


GRAD_BLOCKS = (torch.autograd.grad_mode.no_grad, torch.autograd.grad_mode.inference_mode)


def _no_op(*args: Any) -> None:
    return None


@contextlib.contextmanager
def grad_blocks_lifted() -> Iterator[None]:
    """``torch.no_grad()`` and ``torch.inference_mode()`` blocks entered inside do nothing: the grad mode stays the
    caller's (a block the trial's own evaluation opens outside is untouched). Restored on exit."""
    saved = [(cls, cls.__enter__, cls.__exit__) for cls in GRAD_BLOCKS]
    for cls in GRAD_BLOCKS:
        cls.__enter__, cls.__exit__ = _no_op, _no_op  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        for cls, enter, exit_ in saved:
            cls.__enter__, cls.__exit__ = enter, exit_  # type: ignore[method-assign]


class GradBlocksLifted(nn.Module):
    """The model with the ``torch.no_grad()`` / ``inference_mode()`` blocks inside its forward lifted: the layers they
    enclose get gradients again, as if the block's lines were written without it."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with grad_blocks_lifted():
            return self.model(*args, **kwargs)
