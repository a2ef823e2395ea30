"""Walking an autograd graph: every node behind some tensors, each once (no tensor data, no device work)."""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any


def autograd_nodes(roots: Iterable[Any], limit: int | None = None, first_input_first: bool = False) -> Iterator[Any]:
    """The autograd nodes behind ``roots`` (grad_fns), depth first, each once, at most ``limit`` of them.

    Every visited node is held until the walk ends: PyTorch 2.11 frees a node's Python wrapper
    when nothing holds it, and a later node's wrapper may then reuse its id and be skipped as
    already seen. ``first_input_first``: a node's first input is visited before its others.
    """
    seen: dict[int, Any] = {}
    stack = [root for root in roots if root is not None]
    while stack and (limit is None or len(seen) < limit):
        node = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        yield node
        inputs = [n for n, _ in getattr(node, "next_functions", ()) if n is not None]
        stack.extend(reversed(inputs) if first_input_first else inputs)
