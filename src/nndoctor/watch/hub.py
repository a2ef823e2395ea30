"""Process-wide patches and hooks: how watch sessions see a loop without touching its objects.

Nothing is stored on the user's modules or optimizers (so pickling, ``copy.deepcopy``,
``state_dict``, ``torch.jit`` and ``torch.compile`` see them as they are): module forwards
and optimizer steps are seen through PyTorch's *global* hooks, and ``zero_grad`` /
``load_state_dict`` through class-level patches; each event is dispatched by object id to
the handlers a session attached for that object (:func:`attach`), so an unwatched object
(a deepcopy, an EMA model) costs one dict miss. Other events are not per object:
backward calls (the train loss is the tensor passed to backward), loss-function calls
(``F.cross_entropy`` and friends, which loss modules also call), ``clip_grad_norm_`` /
``clip_grad_value_``, scheduler steps, ``GradScaler.scale``, DataLoader iteration (each
batch it yields) and seeding; they go to every active session (:func:`notify`).
Everything is installed once while at least one session is active and put back when the
last one ends. An error inside a session's handler is recorded by that session and
never reaches the user's code.
"""
from __future__ import annotations

import collections
import functools
import random
import threading
import warnings
import weakref
from typing import Any, Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.modules import module as _module_hooks
from torch.optim import lr_scheduler
from torch.optim import optimizer as _optimizer_hooks

LOSS_FUNCTIONS = (
    "cross_entropy", "binary_cross_entropy_with_logits", "binary_cross_entropy", "nll_loss",
    "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss",
)

_sessions: list[Any] = []
_originals: list[tuple[Any, str, Any]] = []
_lock = threading.RLock()
_state = threading.local()
_scaled: dict[int, tuple[weakref.ref, Any]] = {}
# The last tensor outputs of watched models (weakly), so a tensor a model made is not taken for data.
_model_outputs: collections.deque = collections.deque(maxlen=8)
_handles: list[Any] = []
# Per-object handlers by event and id(obj): [(weak reference to obj, handler), ...].
_TARGETS: dict[str, dict[int, list[tuple[weakref.ref, Callable]]]] = {
    "forward": {}, "step_pre": {}, "step_post": {}, "zero_grad": {}, "load_state_dict": {},
}
_forward_targets = _TARGETS["forward"]
# forward handlers by module class, for the modules no handler was attached to (copies of a watched model)
_alike_targets: dict[type, list[Callable]] = {}
_step_pre_targets = _TARGETS["step_pre"]
_step_post_targets = _TARGETS["step_post"]
# torch.compile warns that global module hooks fire once more for its wrapper; nndoctor handles that itself.
_COMPILE_WARNING = r"Using `torch\.compile\(module\)` when there are global hooks"
_is_compiling = getattr(torch.compiler, "is_compiling", None) or getattr(torch._utils, "is_compiling", None) or (lambda: False)
_tracing_state = torch._C._get_tracing_state


def _compiling() -> bool:
    try:
        return bool(torch.compiler.is_compiling())
    except Exception:
        return False


def tracing() -> bool:
    """Inside a torch.compile or torch.jit.trace trace: nothing of nndoctor's may enter the graph."""
    return _compiling() or _tracing_state() is not None


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


def attach(event: str, obj: Any, handler: Callable) -> Callable[[], None]:
    """Call ``handler`` on ``event`` of ``obj`` while the hub is active; returns the function that detaches it.

    Events and handler arguments: ``"forward"`` (module, args, kwargs, output) after a
    module's forward, also for the ``torch.compile`` wrapper of ``obj``; ``"step_pre"`` /
    ``"step_post"`` (optimizer, args, kwargs) around ``optimizer.step``; ``"zero_grad"`` ()
    and ``"load_state_dict"`` (module, result, whether the module already held the loaded tensors). ``obj`` is
    held weakly and never modified.
    """
    targets, key = _TARGETS[event], id(obj)
    entry = (weakref.ref(obj), handler)
    with _lock:
        targets.setdefault(key, []).append(entry)
        if event == "zero_grad":
            _cover_override(type(obj), "zero_grad", _wrap_zero_grad)
    return _remover(targets, key, entry)


def _remover(table: dict, key: Any, entry: Any) -> Callable[[], None]:
    """The function that takes ``entry`` out of ``table[key]`` (and the key once it holds nothing)."""
    def detach() -> None:
        with _lock:
            entries = table.get(key)
            if entries is not None and entry in entries:
                entries.remove(entry)
                if not entries:
                    del table[key]

    return detach


def attach_alike(cls: type, handler: Callable) -> Callable[[], None]:
    """Call ``handler`` (module, args, kwargs, output) after the forward of any module of class ``cls`` that has no
    ``"forward"`` handler of its own (a deepcopy or a reloaded copy of a watched model: an EMA, a checkpoint scored
    later); returns the function that detaches it. An unwatched module of another class costs one dict miss more."""
    with _lock:
        _alike_targets.setdefault(cls, []).append(handler)
    return _remover(_alike_targets, cls, handler)


def _dispatch(targets: dict[int, list[tuple[weakref.ref, Callable]]], obj: Any, *args: Any) -> None:
    entries = targets.get(id(obj))
    if entries is None:
        return
    for ref, handler in list(entries):
        if ref() is obj:
            handler(*args)


def _forward_alike(module: nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
    handlers = _alike_targets.get(type(module))
    if handlers is None or _tracing_state() is not None:
        return
    for handler in list(handlers):
        handler(module, args, kwargs, output)


def _forward_hook(module: nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
    """Global module forward hook: one compile check and one dict lookup for every module call (one more, by class,
    for a module without handlers while a session follows copies of its model)."""
    if _is_compiling():
        return  # inside a torch.compile trace: nothing of nndoctor's may enter the graph
    entries = _forward_targets.get(id(module))
    if entries is None:
        inner = getattr(module, "_orig_mod", None) if type(module).__name__ == "OptimizedModule" else None
        if inner is None or id(inner) not in _forward_targets:
            if _alike_targets:
                _forward_alike(module, args, kwargs, output)
            return
        entries, module_seen = _forward_targets[id(inner)], inner
    else:
        module_seen = module
    if _tracing_state() is not None:
        return  # torch.jit.trace records every tensor op: stay out of the trace
    for ref, handler in list(entries):
        if ref() is module_seen:
            handler(module, args, kwargs, output)
    if isinstance(output, torch.Tensor):
        _model_outputs.append(weakref.ref(output))


def model_output(tensor: Any) -> bool:
    """Whether ``tensor`` is one of the last outputs of a watched model (a generator's samples, an encoder's codes),
    or that output detached (``fake.detach()``: the same memory): what a model made, not data the script loaded."""
    if not isinstance(tensor, torch.Tensor):
        return False
    for ref in _model_outputs:
        out = ref()
        if out is None:
            continue
        if out is tensor:
            return True
        try:
            if (out.device == tensor.device and out.shape == tensor.shape and out.data_ptr() == tensor.data_ptr()
                    and tensor.data_ptr() != 0):
                return True
        except Exception:  # a tensor without storage (meta, sparse): identity only
            continue
    return False


def _step_pre_hook(optimizer: Any, args: tuple, kwargs: dict) -> None:
    if _step_pre_targets:
        _dispatch(_step_pre_targets, optimizer, optimizer, args, kwargs)


def _step_post_hook(optimizer: Any, args: tuple, kwargs: dict) -> None:
    if _step_post_targets:
        _dispatch(_step_post_targets, optimizer, optimizer, args, kwargs)


def _wrapped(obj: Any, targets: dict[int, Any]) -> Any:
    """The watched optimizer behind a wrapper that runs its methods on itself (Lightning's ``LightningOptimizer``
    copies the optimizer's attributes and keeps it as ``_optimizer``; accelerate's keeps it as ``optimizer``)."""
    if id(obj) in targets:
        return obj
    for name in ("_optimizer", "optimizer"):
        inner = getattr(obj, name, None)
        if inner is not None and id(inner) in targets:
            return inner
    return obj


def _wrap_zero_grad(original: Callable) -> Callable:
    @functools.wraps(original)
    def zero_grad(self: Any, *args: Any, **kwargs: Any) -> Any:
        targets = _TARGETS["zero_grad"]
        if targets and not getattr(_state, "zeroing", False):
            _state.zeroing = True  # an override calling super().zero_grad() is one call
            try:
                _dispatch(targets, _wrapped(self, targets))
                return original(self, *args, **kwargs)
            finally:
                _state.zeroing = False
        return original(self, *args, **kwargs)

    zero_grad.__nndoctor__ = True  # type: ignore[attr-defined]
    return zero_grad


def _wrap_load_state_dict(original: Callable) -> Callable:
    @functools.wraps(original)
    def load_state_dict(self: Any, *args: Any, **kwargs: Any) -> Any:
        targets = _TARGETS["load_state_dict"]
        held = _holds_state(self, args[0] if args else kwargs.get("state_dict")) if id(self) in targets else None
        result = original(self, *args, **kwargs)
        if targets:
            _dispatch(targets, self, self, result, held)
        return result

    return load_state_dict


def _holds_state(module: Any, state: Any) -> bool | None:
    """Whether ``module`` already holds every tensor of ``state`` that it has (the load changes nothing); None when
    that cannot be told. Read before the load, on a watched module only; never raises into the user's call."""
    try:
        own = module.state_dict()
        keys = [k for k in state if k in own and isinstance(state[k], torch.Tensor)]
        if not keys:
            return None
        with torch.no_grad():
            return all(state[k].shape == own[k].shape and torch.equal(state[k].detach().to(own[k].device), own[k])
                       for k in keys)
    except Exception:  # noqa: BLE001 - a state nndoctor cannot read is the user's business, not an error
        return None


def _wrap_torch_load(original: Callable) -> Callable:
    @functools.wraps(original)
    def load(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        if _sessions and not getattr(_state, "busy", False):
            notify("on_torch_load", result)
        return result

    return load


def _cover_override(cls: type, name: str, make: Callable[[Any], Any]) -> None:
    """Patch ``name`` on the class of ``cls``'s MRO that defines it, unless already patched (a subclass override)."""
    if not _sessions:
        return
    owner = next((k for k in cls.__mro__ if name in vars(k)), None)
    if owner is None or getattr(vars(owner)[name], "__nndoctor__", False):
        return
    _patch(owner, name, make)


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
        if _sessions and not getattr(_state, "busy", False):
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
        outer = not getattr(_state, "scheduler_step", False)  # an override calling super().step() is one step
        if _sessions and outer:
            notify("on_scheduler_step", self)
        _state.scheduler_step = True
        try:
            return original(self, *args, **kwargs)
        finally:
            _state.scheduler_step = not outer

    return step


def _scheduler_classes() -> list[type]:
    """torch's LR schedulers that define their own ``step`` (CosineAnnealingWarmRestarts, ReduceLROnPlateau, ...).

    The composites (SequentialLR, ChainedScheduler) are left out: they step the schedulers they
    hold, which report themselves.
    """
    composites = tuple(getattr(lr_scheduler, name) for name in ("SequentialLR", "ChainedScheduler") if hasattr(lr_scheduler, name))
    found, todo = [], [lr_scheduler.LRScheduler, lr_scheduler.ReduceLROnPlateau]
    while todo:
        cls = todo.pop()
        if cls not in found:
            found.append(cls)
            todo.extend(cls.__subclasses__())
    return [cls for cls in found if "step" in vars(cls) and not issubclass(cls, composites)]


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
    for scheduler in _scheduler_classes():
        _patch(scheduler, "step", _wrap_scheduler_step)
    for scaler in {torch.amp.GradScaler, *torch.amp.GradScaler.__subclasses__()}:
        if "scale" in vars(scaler):
            _patch(scaler, "scale", _wrap_scale)
    _patch(torch.utils.data.DataLoader, "__iter__", _wrap_loader_iter)
    _patch(torch.utils.data.dataloader._BaseDataLoaderIter, "__next__", _wrap_loader_next)
    _patch(torch, "manual_seed", _wrap_seed)
    _patch(torch.random, "manual_seed", _wrap_seed)
    _patch(np.random, "seed", _wrap_seed)
    _patch(random, "seed", _wrap_seed)
    _patch(nn.Module, "zero_grad", _wrap_zero_grad)
    _patch(torch.optim.Optimizer, "zero_grad", _wrap_zero_grad)
    _patch(nn.Module, "load_state_dict", _wrap_load_state_dict)
    _patch(torch, "load", _wrap_torch_load)
    try:
        _handles.append(_module_hooks.register_module_forward_hook(_forward_hook, with_kwargs=True))
    except TypeError:  # a torch whose global hooks take no kwargs: models called with keyword inputs only go unsampled
        _handles.append(_module_hooks.register_module_forward_hook(lambda module, args, output: _forward_hook(module, args, {}, output)))
    _handles.append(_optimizer_hooks.register_optimizer_step_pre_hook(_step_pre_hook))
    _handles.append(_optimizer_hooks.register_optimizer_step_post_hook(_step_post_hook))
    warnings.filterwarnings("ignore", message=_COMPILE_WARNING)


def _uninstall() -> None:
    while _handles:
        handle = _handles.pop()
        handle.remove()
        getattr(_module_hooks, "_global_forward_hooks_with_kwargs", {}).pop(handle.id, None)  # handle.remove() leaves it behind
    while _originals:
        owner, name, original = _originals.pop()
        setattr(owner, name, original)
    for targets in _TARGETS.values():
        targets.clear()
    _alike_targets.clear()
    _scaled.clear()
    _model_outputs.clear()
    ours = [f for f in warnings.filters if f[0] == "ignore" and getattr(f[1], "pattern", None) == _COMPILE_WARNING]
    if ours:
        warnings.filters.remove(ours[0])
        warnings._filters_mutated()  # type: ignore[attr-defined]


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
