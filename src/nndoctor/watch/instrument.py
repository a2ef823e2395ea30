"""Zero-code instrumentation: watch every optimizer a script creates, with its modules.

``instrumented(doctor)`` patches ``torch.optim.Optimizer.__init__`` so each optimizer
created while it is active is handed to the running Doctor, which then finds the
modules whose parameters that optimizer holds (``modules_of``).
"""
from __future__ import annotations

import contextlib
import functools
import gc
import warnings
from typing import Any, Iterator

import torch
from torch import nn


def modules_of(optimizer: torch.optim.Optimizer) -> list[nn.Module]:
    """The outermost live modules holding parameters of ``optimizer``."""
    return modules_holding({id(p) for group in optimizer.param_groups for p in group["params"]})


def modules_holding(wanted: set[int]) -> list[nn.Module]:
    """The outermost live modules holding any of the parameters whose ids are ``wanted``.

    Searches the objects the garbage collector tracks (modules held anywhere: locals,
    globals, attributes) for modules sharing those parameters, then drops those
    contained in another candidate (a DataParallel wrapper keeps its inner model).
    """
    if not wanted:
        return []
    candidates = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        objects = [obj for obj in gc.get_objects() if _is_module(obj)]
    for obj in objects:
        try:
            if isinstance(obj, nn.Module) and any(id(p) in wanted for p in obj.parameters()):
                candidates.append(obj)
        except Exception:
            continue
    inner: set[int] = set()
    for module in candidates:
        for child in module.modules():
            if child is not module:
                inner.add(id(child))
    roots = [m for m in candidates if id(m) not in inner]
    roots.sort(key=lambda m: -sum(1 for p in m.parameters() if id(p) in wanted))
    return roots


def _is_module(obj: Any) -> bool:
    try:
        return isinstance(obj, nn.Module)
    except Exception:  # dead weak proxies and exotic objects
        return False


def compiled_wrappers(models: list[nn.Module]) -> list[nn.Module]:
    """Those of ``models`` that a live torch.compile wrapper (OptimizedModule) runs."""
    wanted = {id(m) for m in models}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return [obj._orig_mod for obj in gc.get_objects()
                if _is_module(obj) and type(obj).__name__ == "OptimizedModule" and id(getattr(obj, "_orig_mod", None)) in wanted]


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
