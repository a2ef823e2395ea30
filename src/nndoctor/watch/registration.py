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


def plain_container_holders(models: Iterable[nn.Module]) -> dict[int, str]:
    """``id(parameter) -> "list MotifCNN.convs"`` for every parameter a watched model holds (itself, or through a
    module owning it) in a plain list, tuple or dict attribute. Read once, when the run's unchanged tensors are named."""
    holders: dict[int, str] = {}
    for model in models:
        for prefix, module in model.named_modules():
            for attribute, value in vars(module).items():
                if attribute in _REGISTRIES or not isinstance(value, (list, tuple, dict)):
                    continue
                kind = "dict" if isinstance(value, dict) else type(value).__name__
                where = f"{kind} {type(model).__name__}.{prefix + '.' if prefix else ''}{attribute}"
                for item in value.values() if isinstance(value, dict) else value:
                    held = [item] if isinstance(item, torch.Tensor) else list(item.parameters()) if isinstance(item, nn.Module) else []
                    for parameter in held:
                        holders.setdefault(id(parameter), where)
    return holders
