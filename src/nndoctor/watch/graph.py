"""Reading the autograd graph behind a loss: which parameters it trains, and what the loss function returned.

Walks only ``grad_fn`` links (no tensor data), so no device work and no host sync.
"""
from __future__ import annotations

import torch
from torch import nn

from ..record.graph_walk import autograd_nodes

MAX_GRAPH_NODES = 50_000
# How far below the tensor passed to backward() the loss function's own output may sit (loss * scale, loss / k, -loss).
LOSS_ROOT_DEPTH = 3


def graph_leaves(root: torch.Tensor) -> list[torch.Tensor]:
    """The parameters a backward from ``root`` accumulates gradients into (walks the autograd graph once).

    Those are ``nn.Parameter`` leaves; a model written without modules (``W1 = torch.randn(7, 64).requires_grad_()``,
    updated by hand) has none, and then its plain leaf tensors that require a gradient are its parameters. Where
    module parameters are reached, plain leaves are inputs made differentiable (an adversarial example, a gradient
    penalty's interpolates), not weights.
    """
    parameters: dict[int, torch.Tensor] = {}
    plain: dict[int, torch.Tensor] = {}
    for fn in autograd_nodes([root.grad_fn], MAX_GRAPH_NODES):
        variable = getattr(fn, "variable", None)
        if isinstance(variable, nn.Parameter):
            parameters[id(variable)] = variable
        elif isinstance(variable, torch.Tensor) and variable.is_floating_point():
            plain[id(variable)] = variable
    return list((parameters or plain).values())


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


# Autograd nodes that pass values through unchanged in sign: they select, reshape or average them.
SIGN_KEEPING = frozenset({
    "MeanBackward", "SumBackward", "GatherBackward", "IndexBackward", "SelectBackward", "SqueezeBackward",
    "UnsqueezeBackward", "ViewBackward", "UnsafeViewBackward", "ReshapeAliasBackward", "TakeAlongDimBackward",
    "DiagonalBackward", "SliceBackward", "CloneBackward", "ToCopyBackward",
})
# Nodes that scale by a saved number: they keep the sign when it is positive and flip it when negative.
SCALING = frozenset({"MulBackward", "DivBackward"})
# Log-probabilities: every value is <= 0, and a target's is the log-likelihood training should raise
# (log_softmax over classes; logsigmoid, the log-probability of a binary event such as BPR's "u prefers i to j").
LOG_PROBABILITIES = frozenset({"LogSoftmaxBackward", "LogSigmoidBackward"})


def _reaches_log_probabilities(fn: object, limit: int = 256) -> bool:
    """Whether the graph below ``fn`` holds a log-probability node (True when ``limit`` nodes leave it untold)."""
    walked = 0
    for walked, node in enumerate(autograd_nodes([fn], limit), start=1):
        if _node_kind(node) in LOG_PROBABILITIES:
            return True
    return walked >= limit


def _node_kind(fn: object) -> str:
    return type(fn).__name__.rstrip("0123456789")


def _saved_scalar_sign(fn: object) -> int | None:
    """The sign of the number a Mul/Div node scales by, when it saved one plain CPU scalar (no device sync)."""
    other = getattr(fn, "_saved_other", None)
    plain = isinstance(other, (int, float)) or (
        isinstance(other, torch.Tensor) and other.numel() == 1 and other.device.type == "cpu" and not other.requires_grad)
    if not plain:
        return None
    value = float(other)
    return (value > 0) - (value < 0) or None


def summed_rows(root: torch.Tensor) -> int | None:
    """Rows of the tensor that ``root`` sums whole (a hand-written ``((pred - y) ** 2).sum()``), else None.

    Only a sum at the root counts: a sum scaled or divided afterwards (``.sum() / len(x)``, a
    gradient-accumulation share) or added to other terms is some other reduction.
    """
    fn = root.grad_fn
    if fn is None or _node_kind(fn) != "SumBackward":
        return None
    sizes = getattr(fn, "_saved_self_sym_sizes", None)
    if not sizes:
        return None
    rows = int(sizes[0])
    return rows if rows > 1 else None


def log_likelihood_sign(root: torch.Tensor) -> int | None:
    """+1 when ``root`` is log_softmax outputs selected and averaged (a log-likelihood), -1 when it is that negated (an NLL).

    Follows the chain of sign-keeping nodes (selection, reshaping, mean/sum), negations and
    scalings by a plain number from the tensor passed to backward() down to a log_softmax. A sum
    or difference of such terms (a label-smoothed cross-entropy weighs the target's and the mean
    log-probability) has their common sign; anything else on the way (a product of tensors, terms
    of opposite or unknown sign) makes the sign unknown: None.
    """
    return _sign_below(root.grad_fn, 32)


def _sign_below(fn: object, budget: int) -> int | None:
    sign = 1
    for _ in range(budget):
        if fn is None:
            return None
        kind = _node_kind(fn)
        if kind in LOG_PROBABILITIES:
            return sign
        inputs = [next_fn for next_fn, _ in fn.next_functions if next_fn is not None]
        if kind in ("AddBackward", "SubBackward") and len(inputs) == 2:
            first, second = _sign_below(inputs[0], budget // 2), _sign_below(inputs[1], budget // 2)
            if second is not None and kind == "SubBackward":
                second = -second
            # a term with no log-probability in it (a weight penalty) leaves the log-likelihood's direction as it is
            if first is None and not _reaches_log_probabilities(inputs[0]):
                first = second
            elif second is None and not _reaches_log_probabilities(inputs[1]):
                second = first
            return sign * first if first is not None and first == second else None
        if kind == "NegBackward":
            sign = -sign
        elif kind in SCALING:
            scale = _saved_scalar_sign(fn)
            if scale is None:
                return None
            sign *= scale
        elif kind not in SIGN_KEEPING:
            return None
        if len(inputs) != 1:
            return None
        fn = inputs[0]
    return None
