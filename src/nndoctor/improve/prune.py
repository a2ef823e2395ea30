"""Global magnitude pruning with ``torch.nn.utils.prune``, retrained three ways.

The mask keeps the largest-magnitude weights across all Linear and Conv layers together
(``global_unstructured`` with L1), computed once from the trained dense model (one-shot).
Then the masked network trains for the same steps from:

* its trained weights (fine-tune);
* its weights early in the same run (rewind: the lottery-ticket procedure of Frankle et al.);
* a fresh random initialisation (the control: a ticket that is no ticket).

During training the mask is a reparametrisation (``weight = weight_orig * weight_mask``), so
pruned weights stay zero; :func:`finalize` removes it, leaving plain weight tensors.
"""
from __future__ import annotations

import copy

import torch
from torch import nn
from torch.nn.utils import prune

PRUNABLE = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
DEFAULT_SPARSITIES = (0.5, 0.8, 0.9)

SNIPPET = """\
import torch
from torch.nn.utils import prune

params = [(m, "weight") for m in model.modules() if isinstance(m, (torch.nn.Linear, torch.nn.Conv2d))]
early = copy.deepcopy(model.state_dict())            # saved a few steps into training (rewind point)
train(model)
prune.global_unstructured(params, pruning_method=prune.L1Unstructured, amount={sparsity:g})
masks = {{id(m): m.weight_mask.clone() for m, _ in params}}
for m, _ in params:                                  # rewind the surviving weights, keep the mask
    prune.remove(m, "weight"); m.weight.data.copy_(early_weight_of(m))
    prune.custom_from_mask(m, "weight", masks[id(m)])
train(model)                                         # pruned weights stay zero
for m, _ in params:
    prune.remove(m, "weight")                        # plain, sparse weights
"""


def prunable(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """(name, module) of every Linear/Conv layer with a weight."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, PRUNABLE) and getattr(m, "weight", None) is not None]


def global_masks(model: nn.Module, sparsity: float) -> dict[str, torch.Tensor]:
    """Masks (1 = kept) per prunable layer name, removing the ``sparsity`` fraction of smallest |w| globally."""
    work = copy.deepcopy(model)
    layers = prunable(work)
    if not layers:
        return {}
    prune.global_unstructured([(m, "weight") for _, m in layers], pruning_method=prune.L1Unstructured, amount=float(sparsity))
    return {name: m.weight_mask.detach().clone() for name, m in layers}


def apply_masks(model: nn.Module, masks: dict[str, torch.Tensor]) -> nn.Module:
    """Attach ``masks`` to ``model`` (in place) as pruning reparametrisations; returns ``model``.

    Done without autograd, so the masked ``weight`` is a leaf until the next training forward
    pass and the model can still be deep-copied (every trial trains a copy).
    """
    with torch.no_grad():
        for name, m in prunable(model):
            if name in masks:
                prune.custom_from_mask(m, "weight", masks[name].to(m.weight.device))
    return model


def finalize(model: nn.Module) -> nn.Module:
    """Remove every pruning reparametrisation (in place): plain ``weight`` tensors with the zeros baked in."""
    for _, m in prunable(model):
        if prune.is_pruned(m) and hasattr(m, "weight_orig"):
            prune.remove(m, "weight")
    return model


def sparsity_of(model: nn.Module) -> float:
    """Fraction of zero entries over all prunable weights (read from the effective weights)."""
    layers = prunable(model)
    total = sum(m.weight.numel() for _, m in layers)
    zeros = sum(int((m.weight == 0).sum()) for _, m in layers)
    return zeros / total if total else 0.0
