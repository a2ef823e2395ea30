"""Zero-code instrumentation: watch every optimizer a script creates, with its modules.

``instrumented(doctor)`` patches ``torch.optim.Optimizer.__init__`` so each optimizer
created while it is active is handed to the running Doctor, which then finds the
modules whose parameters that optimizer holds (``modules_of``).
"""
from __future__ import annotations

import contextlib
import functools
import gc
from typing import Any, Iterator

import torch
from torch import nn


def modules_of(optimizer: torch.optim.Optimizer) -> list[nn.Module]:
    """The outermost live modules holding parameters of ``optimizer``."""
    return modules_holding({id(p) for group in optimizer.param_groups for p in group["params"]})


def modules_holding(wanted: set[int]) -> list[nn.Module]:
    """The outermost live modules holding any of the parameters whose ids are ``wanted``.

    Searches the objects the garbage collector tracks (modules held anywhere: locals,
    globals, attributes) for the modules owning those parameters directly, then climbs
    from each to its outermost container (a DataParallel wrapper keeps its inner model).
    Modules are recognised by exact type against every ``nn.Module`` subclass and read
    through their own dicts, so one pass over the heap is cheap even in a large process.
    """
    if not wanted:
        return []
    kinds = _module_types()
    modules = [obj for obj in gc.get_objects() if type(obj) in kinds]
    parents: dict[int, list[nn.Module]] = {}
    owners = []
    for module in modules:
        state = vars(module)
        params, children = state.get("_parameters"), state.get("_modules")
        if params and any(p is not None and id(p) in wanted for p in params.values()):
            owners.append(module)
        for child in (children or {}).values():
            if child is not None:
                parents.setdefault(id(child), []).append(module)
    roots: dict[int, nn.Module] = {}
    stack, seen = owners, set()
    while stack:
        module = stack.pop()
        if id(module) in seen:
            continue
        seen.add(id(module))
        above = parents.get(id(module))
        if above:
            stack.extend(above)
        else:
            roots[id(module)] = module
    ordered = list(roots.values())
    ordered.sort(key=lambda m: -sum(1 for p in m.parameters() if id(p) in wanted))
    return ordered


def _module_types() -> set[type]:
    """``nn.Module`` and every subclass defined so far (user classes included)."""
    found: set[type] = set()
    stack = [nn.Module]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.add(cls)
            try:
                stack.extend(cls.__subclasses__())
            except TypeError:  # type.__subclasses__ needs an instance
                continue
    return found


def compiled_wrappers(models: list[nn.Module]) -> list[nn.Module]:
    """Those of ``models`` that a live torch.compile wrapper (OptimizedModule) runs."""
    wanted = {id(m) for m in models}
    kinds = {k for k in _module_types() if k.__name__ == "OptimizedModule"}
    return [obj._orig_mod for obj in gc.get_objects() if type(obj) in kinds and id(getattr(obj, "_orig_mod", None)) in wanted]


@contextlib.contextmanager
def instrumented(doctor: Any) -> Iterator[None]:
    """Every optimizer created inside the block is watched by ``doctor``."""
    original = torch.optim.Optimizer.__init__

    @functools.wraps(original)
    def init(self: torch.optim.Optimizer, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        try:
            doctor.adopt_optimizer(self)
        except Exception as exc:  # a failure to watch must not stop the script
            doctor.internal_error("instrument", exc)

    torch.optim.Optimizer.__init__ = init  # type: ignore[method-assign]
    try:
        yield
    finally:
        torch.optim.Optimizer.__init__ = original  # type: ignore[method-assign]
