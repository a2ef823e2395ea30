"""Monitors: what a session attaches to the user's modules and optimizers, undone together.

Sessions attach handlers through the hub (global hooks dispatched by object id), so
nothing is stored on the user's objects; every attachment is removed when the session
(or the sampled step) ends, and every handler runs through the session's guard so an
error in nndoctor never reaches the user's loop. Statistics are computed on the device
and stashed; the session reads them in one transfer at sample points.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable

import torch
from torch import nn

from ..probes.layer_stats import (
    NORMALISATION, WEIGHT_LAYERS, active_units, entry_layers, functional_activations, unit_axis,
)
from ..record.measure import in_flat_tails
from ..setup import primary_output

MODE_DEPENDENT = (nn.modules.dropout._DropoutNd, nn.modules.batchnorm._BatchNorm, nn.AlphaDropout, nn.FeatureAlphaDropout)
RELU_LIKE = (nn.ReLU, nn.ReLU6)
SATURATING = (nn.Sigmoid, nn.Tanh)


class Hooks:
    """Attachments, removable hooks and instance patches, undone together (also after errors)."""

    def __init__(self) -> None:
        self._undo: list[Callable[[], None]] = []

    def attach(self, event: str, obj: Any, handler: Callable) -> None:
        """``handler`` on ``event`` of ``obj`` through the hub (see :func:`hub.attach`); nothing is stored on ``obj``."""
        from . import hub

        self._undo.append(hub.attach(event, obj, handler))

    def attach_alike(self, cls: type, handler: Callable) -> None:
        """``handler`` after forwards of other modules of class ``cls`` (a watched model's copies; hub.attach_alike)."""
        from . import hub

        self._undo.append(hub.attach_alike(cls, handler))

    def handle(self, handle: Any) -> None:
        self._undo.append(handle.remove)

    def patch_method(self, obj: Any, name: str, make: Callable[[Callable], Callable]) -> None:
        """Replace ``obj.name`` by ``make(original)`` on this instance only (visible to pickling: integrations only)."""
        had_own = name in vars(obj)
        previous = vars(obj).get(name)
        original = getattr(obj, name)
        setattr(obj, name, make(original))

        def undo() -> None:
            if had_own:
                setattr(obj, name, previous)
            else:
                vars(obj).pop(name, None)

        self._undo.append(undo)

    def remove(self) -> None:
        while self._undo:
            undo = self._undo.pop()
            try:
                undo()
            except Exception:
                pass

    def __enter__(self) -> "Hooks":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()

    def __bool__(self) -> bool:
        return bool(self._undo)


def mode_dependent_modules(model: nn.Module) -> list[nn.Module]:
    """The submodules whose train/eval mode changes what the model computes (dropout, batch norm)."""
    return [m for m in model.modules() if isinstance(m, MODE_DEPENDENT)]


def same_parameters(module: nn.Module, model: nn.Module) -> bool:
    """Whether ``module`` holds parameters of ``model``'s names and shapes: a copy of it (a deepcopy EMA, a model saved
    whole and loaded again)."""
    shapes = [(name, tuple(p.shape)) for name, p in module.named_parameters()]
    return bool(shapes) and shapes == [(name, tuple(p.shape)) for name, p in model.named_parameters()]


def is_compiled(model: nn.Module) -> bool:
    return type(model).__name__ == "OptimizedModule" or hasattr(model, "_orig_mod")


def first_float_tensor(value: Any) -> torch.Tensor | None:
    """The first floating tensor in a (possibly nested) argument."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (list, tuple)):
        for item in value:
            found = first_float_tensor(item)
            if found is not None:
                return found
    if isinstance(value, dict):
        for item in value.values():
            found = first_float_tensor(item)
            if found is not None:
                return found
    return None


def input_stats(x: torch.Tensor) -> torch.Tensor:
    """On-device [mean, std, max|x|, non-finite count, fingerprint a, b, c] of a batch."""
    with torch.no_grad():
        v = x.detach()
        v = v.float() if v.is_floating_point() else v.double().float()
        finite = torch.isfinite(v)
        clean = torch.where(finite, v, torch.zeros((), device=v.device, dtype=v.dtype))
        flat = clean.reshape(-1)
        stride = max(1, flat.numel() // 997)
        return torch.stack([
            clean.mean(), clean.std() if clean.numel() > 1 else torch.zeros((), device=v.device),
            clean.abs().max() if clean.numel() else torch.zeros((), device=v.device),
            (~finite).sum().float(), flat.sum(), (flat * flat).sum(), flat[::stride].sum(),
        ])


def feature_stats(x: torch.Tensor) -> tuple[torch.Tensor, ...] | None:
    """Per-feature mean, std, min and max of a 2-D float batch (tabular inputs), on the device.

    The ranges let the D102 verdict tell a feature on its own small scale from a rarely
    non-zero feature on a shared scale, as checkup does on its data sample.
    """
    if x.dim() != 2 or not x.is_floating_point() or x.shape[0] < 2:
        return None
    with torch.no_grad():
        v = x.detach().float()
        return v.mean(0), v.std(0), v.amin(0), v.amax(0)


def unit_count(output: torch.Tensor, after_conv: bool = False) -> int:
    """How many units ``dead_share`` counts in ``output`` (see ``layer_stats.unit_axis``)."""
    return int(output.shape[unit_axis(output, after_conv)]) if output.dim() >= 2 else 1


def dead_share(output: torch.Tensor, after_conv: bool = False) -> torch.Tensor:
    """Share of units that are zero for every sample of the batch, counted as checkup's M203 verdict counts them
    (``layer_stats.active_units``: channels of a convolution's map, else features of the last axis)."""
    with torch.no_grad():
        return 1.0 - active_units(output.detach(), after_conv).float().mean()


def saturated_share(output: torch.Tensor, activation: str) -> torch.Tensor:
    """Share of a tanh or sigmoid output (``activation``: "Tanh" or "Sigmoid") in M204's flat tails."""
    return in_flat_tails(output, activation).float().mean()


def score_batch(output: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    """On-device [cross-entropy sum, samples, hits] of class scores against integer labels.

    Samples count 0 when the outputs are probabilities rather than logits (rows of
    non-negative values summing to 1), or when some labels are not class ids of this output
    (ids, counts or lengths beside the inputs): their cross-entropy would mean nothing.
    """
    with torch.no_grad():
        out = output.detach().float()
        labels = labels.to(out.device)
        valid = (labels >= 0) & (labels < out.shape[1])
        index = labels.clamp(0, out.shape[1] - 1)
        nll = torch.logsumexp(out, dim=1) - out.gather(1, index[:, None])[:, 0]
        hits = (out.argmax(dim=1) == index) & valid
        probabilities = (out.min() >= 0) & ((out.sum(dim=1) - 1).abs().max() <= 1e-3)
        count = torch.where(probabilities | ~valid.all(), torch.zeros((), device=out.device), valid.sum().float())
        return torch.stack([torch.where(valid, nll, torch.zeros_like(nll)).sum(), count, hits.sum().float()])


def guard(session: Any, name: str, fn: Callable) -> Callable:
    """``fn`` with every exception kept inside nndoctor (recorded by the session)."""

    @functools.wraps(fn)
    def safe(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except Exception as exc:  # never let nndoctor break the user's loop
            session.internal_error(name, exc)
            return None

    return safe


def activation_hooks(session: Any, models: Iterable[tuple[str, nn.Module]], hooks: Hooks) -> None:
    """Forward hooks that stash dead / saturated shares: on ReLU and sigmoid/tanh modules, and on each model for
    the activations its forward() calls as functions (``F.relu(self.fc1(x))``, as the official examples write
    them), found in the output's autograd graph as checkup finds them (``layer_stats.functional_activations``)."""
    for prefix, model in models:
        if is_compiled(model):
            continue
        module_outputs: set[int] = set()  # storage of the activation modules' outputs in the current forward
        fed_by_conv = _conv_feed_tracker(model, hooks)
        for name, module in model.named_modules():
            full = f"{prefix}{name}" if name else prefix.rstrip(".") or type(module).__name__
            if isinstance(module, RELU_LIKE):
                def relu_hook(mod: nn.Module, inputs: Any, kwargs: dict, output: Any, full: str = full,
                              seen: set[int] = module_outputs) -> None:
                    if torch.is_grad_enabled() and isinstance(output, torch.Tensor) and output.shape and output.shape[0] > 1:
                        seen.add(output.data_ptr())
                        conv = fed_by_conv()
                        session.telemetry.relu_units.setdefault(full, unit_count(output, conv))
                        session.stash("dead", full, dead_share(output, conv))
                hooks.attach("forward", module, guard(session, "relu-hook", relu_hook))
            elif isinstance(module, SATURATING):
                def saturation_hook(mod: nn.Module, inputs: Any, kwargs: dict, output: Any, full: str = full,
                                    seen: set[int] = module_outputs) -> None:
                    if torch.is_grad_enabled() and isinstance(output, torch.Tensor):
                        seen.add(output.data_ptr())
                        session.stash("saturated", full, saturated_share(output, "Sigmoid" if isinstance(mod, nn.Sigmoid) else "Tanh"))
                hooks.attach("forward", module, guard(session, "saturation-hook", saturation_hook))
        names = {id(p): f"{prefix}{n}" for n, p in model.named_parameters()}

        def functional_hook(mod: nn.Module, inputs: Any, kwargs: dict, output: Any, names: dict[int, str] = names,
                            seen: set[int] = module_outputs) -> None:
            out = primary_output(output)
            if torch.is_grad_enabled() and isinstance(out, torch.Tensor) and out.shape and out.shape[0] > 1:
                for name, kind, result, conv in functional_activations(out, names, seen):
                    if kind == "relu":
                        session.telemetry.relu_units.setdefault(name, unit_count(result, conv))
                        session.stash("dead", name, dead_share(result, conv))
                    else:
                        session.stash("saturated", name, saturated_share(result, "Tanh" if kind == "tanh" else "Sigmoid"))
            seen.clear()
        hooks.attach("forward", model, guard(session, "functional-activation-hook", functional_hook))


def _conv_feed_tracker(model: nn.Module, hooks: Hooks) -> Callable[[], bool]:
    """Whether the weight layer that ran last in ``model``'s forward is a convolution, as checkup's layer statistics
    tell it: a 3-D ReLU output after a 1-D convolution holds channels on axis 1, after a Linear features on the last.

    Only models with a 1-D convolution (the one case where it changes the units) get the hooks that follow it.
    """
    if not any(isinstance(m, nn.modules.conv._ConvNd) and len(m.kernel_size) == 1 for m in model.modules()):
        return lambda: False
    last = {"conv": False}
    for module in model.modules():
        if isinstance(module, WEIGHT_LAYERS):
            def follow(mod: nn.Module, inputs: Any, kwargs: dict, output: Any) -> None:
                last["conv"] = isinstance(mod, nn.modules.conv._ConvNd)
            hooks.attach("forward", module, follow)
    return lambda: last["conv"]


def weight_input_hooks(session: Any, models: Iterable[tuple[str, nn.Module]], hooks: Hooks) -> None:
    """Stash the float input of the first weight layer each training forward calls (D101/D102).

    That tensor, not the loader's batch, is what the weights multiply: a model that standardises
    inside ``forward`` (``(x - mean) / std`` with stored statistics, ``x / 255``) feeds its first
    weight layer a different scale; a normalisation layer met first stashes nothing. The entry
    layers finish before their model does, so the model's own forward event re-arms the capture.
    """
    for prefix, model in models:
        if is_compiled(model):
            continue
        armed = {"on": True}
        key = prefix or "model"

        def rearm(*_: Any, armed: dict = armed) -> None:
            armed["on"] = True

        def take(mod: nn.Module, inputs: Any, kwargs: dict, output: Any, armed: dict = armed, key: str = key) -> None:
            if not armed["on"] or not torch.is_grad_enabled():
                return
            armed["on"] = False
            x = first_float_tensor(inputs)
            if x is not None and x.is_floating_point() and x.numel() and not isinstance(mod, NORMALISATION):
                session.stash("weight_input", key, (input_stats(x), feature_stats(x), True, tuple(x.shape)))

        hooks.attach("forward", model, guard(session, "weight-input-hook", rearm))
        for module in entry_layers(model):
            hooks.attach("forward", module, guard(session, "weight-input-hook", take))


def nonfinite_hooks(session: Any, models: Iterable[tuple[str, nn.Module]], hooks: Hooks) -> None:
    """Forensics after a non-finite loss: the first module whose output turns non-finite."""
    for prefix, model in models:
        if is_compiled(model):
            continue
        for name, module in model.named_modules():
            if not name or list(module.children()):
                continue
            full = f"{prefix}{name}"

            def check(mod: nn.Module, inputs: Any, kwargs: dict, output: Any, full: str = full) -> None:
                out = first_float_tensor(output)
                if out is None or not out.is_floating_point():
                    return
                if not bool(torch.isfinite(out).all()):
                    first = first_float_tensor(inputs)
                    inputs_finite = first is None or not first.is_floating_point() or bool(torch.isfinite(first).all())
                    params_finite = all(bool(torch.isfinite(p).all()) for p in mod.parameters(recurse=False))
                    session.nonfinite_at(full, type(mod).__name__, inputs_finite, params_finite)

            hooks.attach("forward", module, guard(session, "nonfinite-hook", check))
