"""Where a parameter that no optimizer holds sits: in a plain Python list, tuple or dict attribute of a watched model.

``self.convs = [nn.Conv1d(...) for k in widths]`` runs in ``forward`` and trains under the loss, yet
``model.parameters()`` never yields it, so neither the optimizer nor ``state_dict`` sees it (T504).
``nn.ModuleList`` / ``nn.ModuleDict`` / ``nn.ParameterList`` register what a plain container hides.
"""
from __future__ import annotations

from collections.abc import Iterable

import torch
from torch import nn

# attributes nn.Module keeps its registered children, parameters and buffers in
_REGISTRIES = frozenset({"_modules", "_parameters", "_buffers"})


def plain_container_holding(models: Iterable[nn.Module], parameter: torch.Tensor) -> str | None:
    """``"list MotifCNN.convs"`` when a watched model holds ``parameter`` (or a module owning it) in a plain list,
    tuple or dict attribute; else None."""
    for model in models:
        for prefix, module in model.named_modules():
            for attribute, value in vars(module).items():
                if attribute in _REGISTRIES or not isinstance(value, (list, tuple, dict)):
                    continue
                items = value.values() if isinstance(value, dict) else value
                if any(_holds(item, parameter) for item in items):
                    kind = "dict" if isinstance(value, dict) else type(value).__name__
                    return f"{kind} {type(model).__name__}.{prefix + '.' if prefix else ''}{attribute}"
    return None


def _holds(item: object, parameter: torch.Tensor) -> bool:
    if item is parameter:
        return True
    return isinstance(item, nn.Module) and any(p is parameter for p in item.parameters())
