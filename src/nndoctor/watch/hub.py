"""Process-wide patches that let watch sessions see what hooks cannot.

Module and optimizer hooks are per object; a few events are not: backward calls (the
train loss is the tensor passed to backward), loss-function calls (``F.cross_entropy``
and friends, which loss modules also call), ``clip_grad_norm_`` / ``clip_grad_value_``, scheduler steps,
``GradScaler.scale``, DataLoader iteration (each batch it yields) and seeding. The hub patches these once while
at least one session is active, forwards each event to every active session, and puts
the originals back when the last session ends. An error inside a session's handler is
recorded by that session and never reaches the user's code.
"""
from __future__ import annotations

import functools
import random
import threading
import weakref
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch.optim import lr_scheduler

LOSS_FUNCTIONS = (
    "cross_entropy", "binary_cross_entropy_with_logits", "binary_cross_entropy", "nll_loss",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
)

_sessions: list[Any] = []
_originals: list[tuple[Any, str, Any]] = []
_lock = threading.RLock()
_state = threading.local()
_scaled: dict[int, tuple[weakref.ref, Any]] = {}


def _compiling() -> bool:
    try:
        return bool(torch.compiler.is_compiling())
    except Exception:
        return False


def notify(event: str, *args: Any) -> None:
    """Call ``session.<event>(*args)`` on every active session; errors stay inside nndoctor."""
    if getattr(_state, "busy", False):
        return
    _state.busy = True
    try:
        for session in list(_sessions):
            session.guarded(event, *args)
    finally:
        _state.busy = False


def unscaled(tensor: Any) -> Any:
    """The loss a GradScaler scaled into ``tensor``, or ``tensor`` itself."""
    entry = _scaled.get(id(tensor))
    if entry is not None and entry[0]() is tensor:
        return entry[1]
    return tensor


def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = getattr(owner, name, None)
    if original is None:
        return
    _originals.append((owner, name, original))
    setattr(owner, name, make(original))


def _wrap_backward(original: Callable) -> Callable:
    @functools.wraps(original)
    def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
        if _sessions and not getattr(_state, "busy", False):
            notify("on_backward", tensors)
        result = original(tensors, *args, **kwargs)
        if _sessions:
            notify("after_backward")
        return result

    return backward


def _wrap_loss(kind: str, original: Callable) -> Callable:
    @functools.wraps(original)
    def loss(input: Any, target: Any, *args: Any, **kwargs: Any) -> Any:
        if not _sessions or getattr(_state, "busy", False) or _compiling():
            return original(input, target, *args, **kwargs)
        notify("on_loss_input", kind, input, target, kwargs)
        out = original(input, target, *args, **kwargs)
        notify("on_loss_output", kind, input, target, out)
        return out

    return loss


def _wrap_clip(original: Callable) -> Callable:
    @functools.wraps(original)
    def clip(parameters: Any, max_norm: float, *args: Any, **kwargs: Any) -> Any:
        total = original(parameters, max_norm, *args, **kwargs)
        if _sessions:
            notify("on_clip", total, max_norm)
        return total

    return clip


def _wrap_clip_value(original: Callable) -> Callable:
    @functools.wraps(original)
    def clip(parameters: Any, clip_value: float, *args: Any, **kwargs: Any) -> Any:
        if _sessions and not getattr(_state, "busy", False):
            parameters = [parameters] if isinstance(parameters, torch.Tensor) else list(parameters)
            notify("on_clip_value", parameters, clip_value)
        return original(parameters, clip_value, *args, **kwargs)

    return clip


def _wrap_scheduler_step(original: Callable) -> Callable:
    @functools.wraps(original)
    def step(self: Any, *args: Any, **kwargs: Any) -> Any:
        if _sessions:
            notify("on_scheduler_step", self)
        return original(self, *args, **kwargs)

    return step


def _wrap_scale(original: Callable) -> Callable:
    @functools.wraps(original)
    def scale(self: Any, outputs: Any) -> Any:
        result = original(self, outputs)
        if isinstance(result, torch.Tensor):
            _scaled.clear()
            _scaled[id(result)] = (weakref.ref(result), outputs)
        return result

    return scale


def _wrap_loader_iter(original: Callable) -> Callable:
    @functools.wraps(original)
    def iterate(self: Any) -> Any:
        if _sessions:
            notify("on_loader", self)
        return original(self)

    return iterate


def _wrap_loader_next(original: Callable) -> Callable:
    @functools.wraps(original)
    def next_batch(self: Any) -> Any:
        batch = original(self)
        if _sessions:
            notify("on_batch", batch)
        return batch

    return next_batch


def _wrap_seed(original: Callable) -> Callable:
    @functools.wraps(original)
    def seed(*args: Any, **kwargs: Any) -> Any:
        if _sessions and (args or kwargs):
            notify("on_seed")
        return original(*args, **kwargs)

    return seed


def _install() -> None:
    _patch(torch.autograd, "backward", _wrap_backward)
    for kind in LOSS_FUNCTIONS:
        _patch(F, kind, functools.partial(_wrap_loss, kind))
    _patch(torch.nn.utils, "clip_grad_norm_", _wrap_clip)
    _patch(torch.nn.utils.clip_grad, "clip_grad_norm_", _wrap_clip)
    _patch(torch.nn.utils, "clip_grad_value_", _wrap_clip_value)
    _patch(torch.nn.utils.clip_grad, "clip_grad_value_", _wrap_clip_value)
    _patch(lr_scheduler.LRScheduler, "step", _wrap_scheduler_step)
    _patch(lr_scheduler.ReduceLROnPlateau, "step", _wrap_scheduler_step)
    for scaler in {torch.amp.GradScaler, *torch.amp.GradScaler.__subclasses__()}:
        if "scale" in vars(scaler):
            _patch(scaler, "scale", _wrap_scale)
    _patch(torch.utils.data.DataLoader, "__iter__", _wrap_loader_iter)
    _patch(torch.utils.data.dataloader._BaseDataLoaderIter, "__next__", _wrap_loader_next)
    _patch(torch, "manual_seed", _wrap_seed)
    _patch(torch.random, "manual_seed", _wrap_seed)
    _patch(np.random, "seed", _wrap_seed)
    _patch(random, "seed", _wrap_seed)


def _uninstall() -> None:
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
    _scaled.clear()


def activate(session: Any) -> None:
    """Start forwarding events to ``session`` (installing the patches for the first one)."""
    with _lock:
        if not _sessions:
            _install()
        if session not in _sessions:
            _sessions.append(session)


def deactivate(session: Any) -> None:
    """Stop forwarding to ``session``; the last one out restores every original."""
    with _lock:
        if session in _sessions:
            _sessions.remove(session)
        if not _sessions:
            _uninstall()


def active_sessions() -> list[Any]:
    return list(_sessions)
