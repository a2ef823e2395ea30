"""Which custom ``torch.autograd.Function`` classes an output's autograd graph went through.

A runtime record, read from the graph autograd built during the forward: every node a custom
Function's ``apply`` created is an instance of its ``<Name>Backward`` class and carries the
Function class as ``_forward_cls``. Only Functions that actually ran on tensors needing a
gradient are there, which are exactly the ones whose hand-written backward autograd will call.
"""
from __future__ import annotations

from typing import Any

import torch

from ..record.graph_walk import autograd_nodes


def custom_functions(*outputs: Any) -> list[type[torch.autograd.Function]]:
    """The custom Function classes in the autograd graphs of ``outputs``, in the order first met from the output."""
    found: list[type[torch.autograd.Function]] = []
    roots = [t.grad_fn for t in outputs if isinstance(t, torch.Tensor)]
    for node in autograd_nodes(roots, first_input_first=True):
        cls = getattr(node, "_forward_cls", None)
        if isinstance(cls, type) and issubclass(cls, torch.autograd.Function) and cls not in found:
            found.append(cls)
    return found


def function_name(cls: type) -> str:
    """``module.QualifiedName`` of a Function class: what the evidence records and the remedy matches."""
    return f"{cls.__module__}.{cls.__qualname__}"
