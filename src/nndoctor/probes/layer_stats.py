"""Per-layer statistics of a fresh model copy at init, measured on real sample batches.

Forward hooks record each leaf module's output scale, the share of ReLU units that never
fire on the sample, and the share of sigmoid/tanh pre-activations in the flat tails (the same
for activations written as functions, found in the output's autograd graph); tensor
hooks record the gradient reaching each weight layer's output; one backward of the loss
gives every parameter's gradient. Hooks live in a context manager and are always removed.
"""
from __future__ import annotations

import contextlib
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np
import torch
from torch import nn

from ..setup import LossUnavailable, batch_size_of, primary_output
from ..record.graph_walk import autograd_nodes
from ..record.measure import in_flat_tails
from ..verdicts.layers import SATURATION_PRE_ACTIVATION
from .init_outputs import usable_batches

RELUS = (nn.ReLU, nn.ReLU6)
# |pre-activation| beyond which the derivative is under ~1/25 of its peak (the M204 verdict's tails).
SATURATION_AT = {nn.Sigmoid: SATURATION_PRE_ACTIVATION["Sigmoid"], nn.Tanh: SATURATION_PRE_ACTIVATION["Tanh"]}
# The step taken on the copy to tell a path's zero gradient from a zero multiplier's (M209): any
# nonzero move of the weights will do, since only whether a gradient stays exactly zero is read.
PROBE_STEP = 0.1
WEIGHT_LAYERS = (nn.Linear, nn.modules.conv._ConvNd)
# The weight layers whose weight is laid out (out, in, ...), so its first axis is the units a following norm or a
# re-initialisation addresses: transposed convolutions store (in, out, ...) and are measured, not rewritten.
FORWARD_WEIGHT_LAYERS = (nn.Linear, nn.Conv1d, nn.Conv2d, nn.Conv3d)
NORMALISATION = (
    nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm, nn.LocalResponseNorm,
) + ((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ())
RECURRENT = (nn.RNNBase,)
# Module classes named as nonlinearities, torch's own and libraries' (Hugging Face's GELUActivation, timm's Swish).
ACTIVATION_NAME = re.compile(r"relu|gelu|silu|swish|elu|tanh|sigmoid|mish|softplus|glu|activation", re.IGNORECASE)


def has_activation_module(model: nn.Module) -> bool:
    """Whether some module of ``model`` is a nonlinearity by its class name (an activation called as a function in
    forward is not seen here)."""
    return any(ACTIVATION_NAME.search(type(m).__name__) for m in model.modules())


@dataclass
class LayerRecord:
    """What one leaf module produced over the sample batches (first call order)."""

    name: str
    kind: str
    order: int
    is_weight: bool = False
    units: int = 0
    out_sum: float = 0.0
    out_sq: float = 0.0
    out_count: int = 0
    grad_norms: list[float] = field(default_factory=list)
    ever_active: torch.Tensor | None = None
    saturated: int = 0
    pre_count: int = 0

    @property
    def out_mean(self) -> float:
        return self.out_sum / max(self.out_count, 1)

    @property
    def out_std(self) -> float:
        variance = self.out_sq / max(self.out_count, 1) - self.out_mean**2
        return math.sqrt(max(variance, 0.0))

    @property
    def dead_share(self) -> float | None:
        if self.ever_active is None:
            return None
        return float(1.0 - self.ever_active.float().mean().item())

    @property
    def saturated_share(self) -> float | None:
        return self.saturated / self.pre_count if self.pre_count else None

    @property
    def output_grad_norm(self) -> float | None:
        """Mean per-sample norm of the loss gradient w.r.t. this layer's output, summed over positions per channel
        (:func:`_per_sample_norm`)."""
        return sum(self.grad_norms) / len(self.grad_norms) if self.grad_norms else None


@dataclass
class LayerStats:
    """Result of :func:`layer_stats`. ``layers`` are leaf modules in the order they first ran."""

    layers: list[LayerRecord]
    grad_norms: dict[str, float | None]
    trainable: list[str]
    loss: float | None
    samples: int
    has_normalisation: bool
    has_recurrent: bool
    error: str | None = None
    loss_unavailable: bool = False  # the loss could not run (labels it cannot read): gradients say nothing
    # parameters whose gradient was exactly zero and stayed zero after one plain step on the copy (M209)
    zero_after_step: list[str] = field(default_factory=list)


    @property
    def weight_layers(self) -> list[LayerRecord]:
        return [r for r in self.layers if r.is_weight]

    def layer(self, name: str) -> LayerRecord | None:
        return next((r for r in self.layers if r.name == name), None)


def _per_sample_norm(grad: torch.Tensor, channels_first: bool) -> float:
    """Per-sample norm of the gradient at a weight layer's output, each channel's gradient summed over its positions.

    The sum over positions is the gradient a per-channel shift of the output receives (what the layer's bias gets),
    so it does not depend on how many positions the output has: pooling that averages 64 positions into one hands
    each 1/64 of that one's gradient, which a plain norm over positions would read as an eightfold shrink. A 2-D
    output (a Linear on feature rows) has no positions: its plain per-sample norm. ``channels_first``: a conv's
    (batch, channels, *positions) layout; otherwise (batch, *positions, features), as a Linear over a sequence.
    """
    grad = grad.detach().float()
    if not grad.dim():
        return float(grad.abs())
    if grad.dim() > 2:
        positions = range(2, grad.dim()) if channels_first else range(1, grad.dim() - 1)
        grad = grad.sum(dim=tuple(positions))
    return float(grad.pow(2).sum().div(max(grad.shape[0], 1)).sqrt())


def unit_axis(output: torch.Tensor, after_conv: bool) -> int:
    """Which axis of an activation's output holds its units (M203, O405).

    A unit is a channel of a convolution's feature map (axis 1: every position shares the
    channel's weights; 1-D maps too when a convolution feeds it) and a feature of a dense or
    sequence output (the last axis).
    """
    if output.dim() >= 4 or (output.dim() == 3 and after_conv):
        return 1
    return output.dim() - 1


def active_units(output: torch.Tensor, after_conv: bool) -> torch.Tensor:
    """Per unit (see ``unit_axis``), whether it is positive for some sample and position of ``output``.

    Checkup's layer statistics and watch's dead-unit shares both count units here.
    """
    if output.dim() < 2:
        return (output > 0).any().reshape(1)
    axis = unit_axis(output, after_conv)
    return (output > 0).amax(dim=[d for d in range(output.dim()) if d != axis])


# Activations written as functions (``F.relu(self.fc1(x))``, ``torch.tanh(...)``) have no module to hook: they are
# found in the autograd graph of the output, by the node each leaves, whose saved result is the activation's output.
FUNCTIONAL = {"ReluBackward0": "relu", "TanhBackward0": "tanh", "SigmoidBackward0": "sigmoid"}
# Graph nodes walked per forward at most (a bound on the walk, not on the model).
MAX_GRAPH_NODES = 20_000


class _Recorder:
    def __init__(self, track_grads: bool) -> None:
        self.track_grads = track_grads
        self.records: dict[str, LayerRecord] = {}
        self.last_weight_is_conv = False
        self.module_outputs: set[int] = set()  # storage of the activation modules' outputs in the current forward

    def hook_for(self, name: str, module: nn.Module):
        kind = type(module).__name__
        is_weight = isinstance(module, WEIGHT_LAYERS)

        def hook(mod: nn.Module, inputs: tuple, output) -> None:
            if isinstance(mod, GATED) and inputs and isinstance(inputs[0], torch.Tensor) and inputs[0].is_floating_point():
                record = self.records.setdefault(name, LayerRecord(name, kind, len(self.records)))
                hidden = inputs[1] if len(inputs) > 1 else None
                for pre, threshold in gate_preactivations(mod, inputs[0].detach(), hidden):
                    record.saturated += int((pre.abs() > threshold).sum())
                    record.pre_count += pre.numel()
                return
            if not isinstance(output, torch.Tensor) or not output.is_floating_point():
                return
            record = self.records.get(name)
            if record is None:
                record = self.records[name] = LayerRecord(name, kind, len(self.records), is_weight)
            with torch.no_grad():
                values = output.detach().float()
                record.out_sum += float(values.sum())
                record.out_sq += float((values * values).sum())
                record.out_count += values.numel()
                if isinstance(mod, RELUS) and values.dim() >= 2:
                    self._count_active(record, values)
                if isinstance(mod, RELUS + tuple(SATURATION_AT)):
                    self.module_outputs.add(output.data_ptr())
                threshold = next((t for cls, t in SATURATION_AT.items() if isinstance(mod, cls)), None)
                if threshold is not None and inputs and isinstance(inputs[0], torch.Tensor):
                    pre = inputs[0].detach()
                    record.saturated += int((pre.abs() > threshold).sum())
                    record.pre_count += pre.numel()
            if is_weight:
                self.last_weight_is_conv = conv = isinstance(mod, nn.modules.conv._ConvNd)
                if self.track_grads and output.requires_grad:
                    output.register_hook(lambda g: record.grad_norms.append(_per_sample_norm(g, conv)))

        return hook

    def functional(self, output: torch.Tensor, names: dict[int, str]) -> None:
        """Record the functional ReLU/tanh/sigmoid calls of one forward, found in ``output``'s autograd graph.

        Each is named after the weight layer that feeds it (``fc1 → relu``), else by its place
        among its kind; calls of an activation module were recorded by its hook and are skipped.
        """
        for name, kind, result, conv in functional_activations(output, names, self.module_outputs):
            record = self.records.setdefault(name, LayerRecord(name, f"{kind} (function)", len(self.records)))
            with torch.no_grad():
                values = result.detach().float()
                if kind == "relu":
                    self._count_active(record, values, conv)
                else:
                    record.saturated += int(in_flat_tails(values, "Tanh" if kind == "tanh" else "Sigmoid").sum())
                    record.pre_count += values.numel()
        self.module_outputs.clear()

    def _count_active(self, record: LayerRecord, values: torch.Tensor, after_conv: bool | None = None) -> None:
        active = active_units(values, self.last_weight_is_conv if after_conv is None else after_conv)
        if record.ever_active is None or record.ever_active.shape != active.shape:
            record.ever_active = active
        else:
            record.ever_active |= active
        record.units = active.numel()


def functional_activations(output: torch.Tensor, names: dict[int, str],
                           skip: Collection[int] = ()) -> list[tuple[str, str, torch.Tensor, bool]]:
    """The ReLU/tanh/sigmoid calls written as functions in the forward that made ``output``, input side first.

    Each as (name, kind, its output, whether a convolution feeds it), read from the autograd
    graph: the node each call leaves saves its result. Named after the weight layer that feeds it
    (``fc1 → relu``; ``names`` maps parameter ids to names), else by its place among its kind.
    Results whose storage is in ``skip`` (the outputs of activation modules, hooked as modules) are
    left out, and so are the steps of torch's own recurrent layers (a ReLU ``nn.RNN`` unrolls into a
    relu per time step, fed by its ``weight_hh``): those are the layer's state, not functions the
    user's forward applies. Checkup's layer statistics and watch's sampled forwards both read them here.
    """
    if output.grad_fn is None:
        return []
    found = [(node, kind) for node in autograd_nodes([output.grad_fn], MAX_GRAPH_NODES)
             if (kind := FUNCTIONAL.get(type(node).__name__)) is not None]
    counts: dict[str, int] = {}
    calls = []
    for node, kind in reversed(found):  # input side first
        result = getattr(node, "_saved_result", None)
        if not isinstance(result, torch.Tensor) or result.dim() < 2 or result.data_ptr() in skip:
            continue
        feeding, conv, weight = _feeding_layer(node, names)
        if weight.startswith(RECURRENT_WEIGHTS):
            continue
        counts[kind] = counts.get(kind, 0) + 1
        calls.append((f"{feeding} → {kind}" if feeding else f"{kind} #{counts[kind]}", kind, result, conv))
    return calls


# The weights of torch's recurrent layers (``weight_ih_l0``, ``weight_hh_l0``, ...): what feeds their per-step cells.
RECURRENT_WEIGHTS = ("weight_ih", "weight_hh")


def _feeding_layer(node: object, names: dict[int, str]) -> tuple[str | None, bool, str]:
    """The module whose weight feeds an activation's graph node (a few ops up), whether it is a convolution,
    and the weight's own name in that module ("" when none feeds it).

    The nearest weight in the graph wins; it is a convolution's when the op that reads it is a
    convolution (a Linear's weight is read through a transpose, by a matmul).
    """
    frontier = [(n, node) for n, _ in node.next_functions if n is not None]  # type: ignore[attr-defined]
    for _ in range(FEEDING_DEPTH):
        for n, reader in frontier:
            variable = getattr(n, "variable", None)
            if isinstance(variable, torch.Tensor) and variable.dim() >= 2 and id(variable) in names:
                name = names[id(variable)]
                return name.rsplit(".", 1)[0], "Convolution" in type(reader).__name__, name.rsplit(".", 1)[-1]
        frontier = [(m, n) for n, _ in frontier for m, _ in n.next_functions if m is not None]
        if not frontier:
            break
    return None, False, ""


# Graph steps from an activation up to the weight that feeds it: a Linear on a sequence reaches its
# weight through add, view, matmul and transpose nodes (five steps); a convolution in two.
FEEDING_DEPTH = 6


# Recurrent layers whose gates are sigmoid/tanh inside one fused op (no module to hook).
GATED = (nn.LSTM, nn.GRU, nn.RNN)
# Time steps of a sequence followed through the gates: enough to reach the recurrence's own scale.
MAX_GATE_STEPS = 256


def gate_preactivations(rnn: nn.RNNBase, x: torch.Tensor, hidden: object = None) -> list[tuple[torch.Tensor, float]]:
    """The first layer's (forward direction) gate pre-activations over a sequence, each with M204's tail for its nonlinearity.

    Follows the recurrence with the layer's own weights: LSTM input/forget/output gates are
    sigmoids and its cell candidate a tanh, GRU reset/update gates sigmoids and its candidate a
    tanh, a tanh RNN's state a tanh. The initial state is the one passed in, else zeros. ReLU
    RNNs and projected LSTMs have no such gates here: nothing is returned.
    """
    if getattr(rnn, "proj_size", 0) or (isinstance(rnn, nn.RNN) and rnn.nonlinearity != "tanh") or x.dim() not in (2, 3):
        return []
    with torch.no_grad():
        seq = x.unsqueeze(1) if x.dim() == 2 else (x.transpose(0, 1) if rnn.batch_first else x)
        w_ih, w_hh = rnn.weight_ih_l0.detach().float(), rnn.weight_hh_l0.detach().float()
        b_ih = rnn.bias_ih_l0.detach().float() if rnn.bias else torch.zeros(w_ih.shape[0], device=w_ih.device)
        b_hh = rnn.bias_hh_l0.detach().float() if rnn.bias else torch.zeros(w_hh.shape[0], device=w_hh.device)
        size = rnn.hidden_size
        state = hidden[0] if isinstance(hidden, tuple) else hidden
        h = (state[0].reshape(-1, size).float() if isinstance(state, torch.Tensor)
             else torch.zeros(seq.shape[1], size, device=seq.device))
        c = (hidden[1][0].reshape(-1, size).float() if isinstance(hidden, tuple)
             else torch.zeros_like(h))
        sigmoid, tanh = SATURATION_PRE_ACTIVATION["Sigmoid"], SATURATION_PRE_ACTIVATION["Tanh"]
        found: list[tuple[torch.Tensor, float]] = []
        for x_t in seq[:MAX_GATE_STEPS].float():
            gi, gh = x_t @ w_ih.T + b_ih, h @ w_hh.T + b_hh
            if isinstance(rnn, nn.LSTM):
                pre = gi + gh
                i, f, g, o = pre.chunk(4, dim=1)
                found += [(torch.cat([i, f, o], dim=1), sigmoid), (g, tanh)]
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
                h = torch.sigmoid(o) * torch.tanh(c)
            elif isinstance(rnn, nn.GRU):
                (ir, iz, in_), (hr, hz, hn) = gi.chunk(3, dim=1), gh.chunk(3, dim=1)
                r, z = torch.sigmoid(ir + hr), torch.sigmoid(iz + hz)
                n_pre = in_ + r * hn
                found += [(torch.cat([ir + hr, iz + hz], dim=1), sigmoid), (n_pre, tanh)]
                h = (1 - z) * torch.tanh(n_pre) + z * h
            else:
                found.append((gi + gh, tanh))
                h = torch.tanh(gi + gh)
        return found


@contextlib.contextmanager
def recording(model: nn.Module, track_grads: bool = True) -> Iterator[_Recorder]:
    """Hook every leaf module of ``model``; the hooks are removed when the block ends."""
    recorder = _Recorder(track_grads)
    handles = []
    try:
        for name, module in model.named_modules():
            if name and (not any(True for _ in module.children()) or isinstance(module, RECURRENT)):
                handles.append(module.register_forward_hook(recorder.hook_for(name, module)))
        yield recorder
    finally:
        for handle in handles:
            handle.remove()


def layer_stats(ctx, max_batches: int = 8) -> LayerStats:
    """Forward the sample batches through a fresh copy in train mode and backprop the loss.

    Gradients accumulate over the batches (each loss divided by the batch count), so a
    parameter has a zero gradient only when no sample gave it one.
    """
    setup = ctx.setup
    model = ctx.model_copy(seed=setup.seed)
    model.train()
    model.zero_grad(set_to_none=True)
    trainable = [n for n, p in model.named_parameters() if p.requires_grad]
    batches = usable_batches(ctx, max_batches)
    losses: list[float] = []
    samples = 0
    error = None
    unavailable = False
    names = {id(p): n for n, p in model.named_parameters()}
    with recording(model) as recorder:
        try:
            for x, y in batches:
                output = setup.forward(model, x)
                if isinstance(output, torch.Tensor):
                    recorder.functional(output, names)
                try:
                    loss = setup.compute_loss(output, y)
                except LossUnavailable as exc:
                    error, unavailable = exc.problem, True
                    break
                samples += batch_size_of(x)
                if not isinstance(loss, torch.Tensor) or loss.numel() != 1:
                    error = "the loss is not a scalar tensor"
                    break
                losses.append(float(loss.detach()))
                if not loss.requires_grad:
                    error = "the loss does not depend on any trainable parameter (no graph to backpropagate)"
                    break
                (loss / len(batches)).backward()
        except RuntimeError as exc:  # e.g. an in-place op breaking backward: report, keep the forward stats
            error = f"backward failed: {str(exc).splitlines()[0]}"
    grad_norms: dict[str, float | None] = {}
    for name, param in model.named_parameters():
        if param.requires_grad:
            grad_norms[name] = None if param.grad is None else float(param.grad.detach().float().norm())
    zero = [n for n, g in grad_norms.items() if g == 0.0]
    still_zero = _zero_after_step(setup, model, batches[:1], zero) if zero and error is None and batches else zero
    modules = list(model.modules())
    return LayerStats(
        layers=sorted(recorder.records.values(), key=lambda r: r.order),
        grad_norms=grad_norms,
        trainable=trainable,
        loss=sum(losses) / len(losses) if losses else None,
        samples=samples,
        has_normalisation=any(isinstance(m, NORMALISATION) for m in modules),
        has_recurrent=any(isinstance(m, RECURRENT) for m in modules),
        error=error,
        loss_unavailable=unavailable,
        zero_after_step=still_zero,
    )


def _zero_after_step(setup, model: nn.Module, batches: list, zero: list[str]) -> list[str]:
    """Of the ``zero``-gradient parameters, those whose gradient is still exactly zero after one plain step.

    A zero multiplier at init (a residual branch's last BatchNorm weight at zero, as in
    torchvision's ``zero_init_residual``) zeroes every gradient behind it until its first
    update moves it; a path through round/argmax/sign, or a layer that never receives
    signal, stays zero. One SGD-like step on the copy (every parameter moved against its
    gradient) and one more backward tell the two apart. A failure keeps every zero.
    """
    try:
        with torch.no_grad():
            for param in model.parameters():
                if param.grad is not None:
                    param.sub_(PROBE_STEP * param.grad)
        model.zero_grad(set_to_none=True)
        for x, y in batches:
            setup.compute_loss(setup.forward(model, x), y).backward()
    except Exception:  # the second pass is a refinement: without it every zero counts
        return zero
    params = dict(model.named_parameters())
    return [n for n in zero if params[n].grad is None or not bool(params[n].grad.detach().ne(0).any())]


def bypassed_layers(model: nn.Module, run: Callable[[nn.Module], object], names: Collection[str]) -> set[str]:
    """Of the layers ``names``, those the model's output does not depend on only through them.

    One forward (``run(model)``, gradients on) records each layer's output node in the autograd
    graph and the leaf module with trainable parameters that runs first (the entry, where the
    input's information comes in). A layer is bypassed when the output's graph reaches the
    entry's parameters without passing through that layer's node: an attention scorer whose
    one score per position weighs states that reach the output on their own, a gate. A layer
    every path passes through (a narrow hidden layer of a stack) is not. Layers the forward
    does not call, or whose output has no graph, are not reported.
    """
    wanted = set(names)
    nodes: dict[str, set[object]] = {}
    order: list[nn.Module] = []

    def hook_for(name: str):
        def record(module: nn.Module, inputs: tuple, output: object) -> None:
            order.append(module)
            tensors = [t for t in (output if isinstance(output, tuple) else (output,)) if isinstance(t, torch.Tensor)]
            found = {t.grad_fn for t in tensors if t.grad_fn is not None}  # every output: a GRU's states and its last one
            if name in wanted and name not in nodes and found:
                nodes[name] = found
        return record

    handles = [module.register_forward_hook(hook_for(name)) for name, module in model.named_modules()
               if name and (not list(module.children()) or isinstance(module, RECURRENT))]
    try:
        with torch.enable_grad():
            output = primary_output(run(model))
    finally:
        for handle in handles:
            handle.remove()
    entry = next((m for m in order if any(p.requires_grad for p in m.parameters(recurse=False))), None)
    if entry is None or not isinstance(output, torch.Tensor) or output.grad_fn is None:
        return set()
    sources = {id(p) for p in entry.parameters(recurse=False) if p.requires_grad}
    bypassed = set()
    for name, avoided in nodes.items():
        if any(id(getattr(n, "variable", None)) in sources for n in _nodes_avoiding(output.grad_fn, avoided)):
            bypassed.add(name)
    return bypassed


def _nodes_avoiding(root: object, avoided: set[object]) -> Iterator[object]:
    """The autograd nodes behind ``root`` reachable without passing through ``avoided`` (at most MAX_GRAPH_NODES)."""
    held: dict[int, object] = {}  # held until the walk ends, so no freed node's id is reused
    stack = [root]
    while stack and len(held) < MAX_GRAPH_NODES:
        node = stack.pop()
        if node is None or node in avoided or id(node) in held:
            continue
        held[id(node)] = node
        yield node
        stack.extend(n for n, _ in node.next_functions)  # type: ignore[attr-defined]


def weight_modules(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """Linear and convolution layers of ``model`` in definition order."""
    return [(n, m) for n, m in model.named_modules() if isinstance(m, WEIGHT_LAYERS)]


def unit_weights(model: nn.Module) -> list[tuple[str, torch.Tensor]]:
    """The weights whose rows are units fed one input, in definition order (M201's reading in every mode).

    A Linear or convolution layer's ``weight`` (named by its layer), a hand-written one's
    (:func:`hand_written_layer`), and each input-to-hidden and hidden-to-hidden matrix of a
    recurrent layer (``rnn.weight_hh_l0``). A free ``nn.Parameter``
    (a positional table, a class token) is added, not multiplied: equal rows there break no symmetry.
    """
    found: list[tuple[str, torch.Tensor]] = []
    for name, module in model.named_modules():
        if (isinstance(module, WEIGHT_LAYERS) and isinstance(getattr(module, "weight", None), torch.Tensor)) \
                or hand_written_layer(module):
            found.append((name, module.weight))
        elif isinstance(module, RECURRENT):
            found.extend((f"{name}.{leaf}" if name else leaf, p) for leaf, p in module.named_parameters(recurse=False)
                         if leaf.startswith("weight_"))
    return found


def hand_written_layer(module: nn.Module) -> bool:
    """A layer of the user's own class that holds a weight matrix and a bias over its units
    (``x @ self.weight.t() + self.bias``): read as a Linear.

    torch's layers are known by type; a hand-written one by its parameters: a leaf module defined
    outside torch whose ``weight`` has two or more axes and whose ``bias`` is one value per output
    (either axis of the matrix). The bias tells an affine layer from a lookup table, whose rows are
    tokens or positions, not units (a learned positional table is often zero-initialised on purpose).
    """
    weight, bias = getattr(module, "weight", None), getattr(module, "bias", None)
    return (isinstance(weight, nn.Parameter) and weight.dim() >= 2 and isinstance(bias, nn.Parameter) and bias.dim() == 1
            and int(bias.shape[0]) in tuple(weight.shape[:2]) and not type(module).__module__.startswith("torch.")
            and not any(True for _ in module.children()))


def input_spread(weight: torch.Tensor) -> tuple[int, float]:
    """A unit weight's columns (one per unit of the layer before it) and their largest absolute difference from the
    first: how differently the layer weighs the units that feed it (M201 reads it in every mode)."""
    columns = weight.detach().transpose(0, 1).reshape(weight.shape[1], -1).double()
    return int(weight.shape[1]), float((columns - columns[:1]).abs().max())


def is_unit_weight(model: nn.Module, param_name: str) -> bool:
    """Whether ``model``'s parameter ``param_name`` is one of :func:`unit_weights` (without listing them all)."""
    module_name, _, leaf = param_name.rpartition(".")
    try:
        module = model.get_submodule(module_name)
    except Exception:
        return False
    return (leaf == "weight" and (isinstance(module, WEIGHT_LAYERS) or hand_written_layer(module))) \
        or (isinstance(module, RECURRENT) and leaf.startswith("weight_"))


def entry_layers(model: nn.Module) -> list[nn.Module]:
    """The modules that can be first to touch a model's input, none nested in another.

    Weight layers (Linear, convolutions, recurrent layers, attention: the in-projection lives in
    ``MultiheadAttention`` itself, so its ``out_proj`` is left out) and normalisation layers. As
    none contains another, the first of them to finish a forward is the first one called.
    """
    inner = {id(m) for a in model.modules() if isinstance(a, nn.MultiheadAttention) for m in a.modules() if m is not a}
    kinds = WEIGHT_LAYERS + RECURRENT + NORMALISATION + (nn.MultiheadAttention,)
    return [m for m in model.modules() if isinstance(m, kinds) and id(m) not in inner]


def first_weight_input(ctx, max_batches: int = 8) -> np.ndarray | None:
    """The sample batches as the model's first weight layer receives them, where ``forward`` transforms them first.

    That tensor is what the weights multiply (D101/D102): a model that standardises inside
    ``forward`` (``(x - mean) / std`` with stored statistics, ``x / 255``) sees another scale than
    the loader's. A fresh copy runs the batches in train mode without gradients; each forward's
    first weight-layer input counts when it holds as many values per sample as its batch and is
    laid out as the batch. None when every capture equals its batch, a first layer is fed some
    other tensor, a normalisation layer comes first (an input BatchNorm is judged as such), or a
    batch is not one float tensor: the loader's sample is then the measurement.
    """
    model = ctx.model_copy(seed=ctx.setup.seed)
    model.train()
    captured: list[torch.Tensor] = []
    armed = [True]

    def take(module: nn.Module, inputs: tuple, output: object) -> None:
        if armed[0] and inputs and isinstance(inputs[0], torch.Tensor) and not isinstance(module, NORMALISATION):
            captured.append(inputs[0].detach())
        armed[0] = False

    handles = [m.register_forward_hook(take) for m in entry_layers(model)]
    seen: list[np.ndarray] = []
    changed = False
    try:
        with torch.no_grad():
            for x, _ in usable_batches(ctx, max_batches):
                if not isinstance(x, torch.Tensor) or not x.is_floating_point():
                    return None
                armed[0], captured[:] = True, []
                ctx.setup.forward(model, x)
                if not captured or not captured[0].is_floating_point() or captured[0].numel() != x.numel():
                    return None
                view = captured[0].reshape(x.shape).float().cpu()
                changed = changed or not torch.equal(view, x.detach().float().cpu())
                seen.append(view.numpy())
    except Exception:  # a forward the copy cannot run leaves the loader's sample as the measurement
        return None
    finally:
        for handle in handles:
            handle.remove()
    return np.concatenate(seen) if changed and seen else None


# A column reaches the first Linear as a number when one of that layer's inputs is an affine copy of it.
AFFINE_COPY = 0.999


def numeric_columns(ctx, max_batches: int = 8) -> np.ndarray | None:
    """Per column of a table the model receives: whether its first ``nn.Linear`` gets that column as a number.

    Tabular models often carry category codes in the float matrix and embed them inside
    ``forward``: those columns never reach a weight as magnitudes, so their scale (D101/D102) and
    their levels (D112) are not the model's inputs. A column counts as fed when some input of the
    first Linear called is an affine copy of it (|correlation| >= ``AFFINE_COPY``: passed on,
    or scaled inside ``forward``; the copy runs in eval mode). None when every column is fed, or
    none is (the whole row is transformed first), or the batches are not float tables that first
    Linear sees row by row: the loader's columns are then the measurement.
    """
    model = ctx.model_copy(seed=ctx.setup.seed)
    model.eval()  # dropout off and normalisation at its (affine) running statistics: a copy stays a copy
    captured: list[torch.Tensor] = []

    def take(module: nn.Module, inputs: tuple) -> None:
        if not captured and inputs and isinstance(inputs[0], torch.Tensor):
            captured.append(inputs[0].detach())

    handles = [m.register_forward_pre_hook(take) for m in model.modules() if isinstance(m, nn.Linear)]
    xs: list[np.ndarray] = []
    hs: list[np.ndarray] = []
    try:
        with torch.no_grad():
            for x, _ in usable_batches(ctx, max_batches):
                if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() != 2:
                    return None
                captured.clear()
                ctx.setup.forward(model, x)
                if not captured or captured[0].dim() != 2 or captured[0].shape[0] != x.shape[0]:
                    return None
                xs.append(x.detach().double().cpu().numpy())
                hs.append(captured[0].double().cpu().numpy())
    except Exception:  # a forward the copy cannot run leaves the loader's columns as the measurement
        return None
    finally:
        for handle in handles:
            handle.remove()
    if not xs:
        return None
    x, h = np.concatenate(xs), np.concatenate(hs)
    with np.errstate(invalid="ignore", divide="ignore"):
        zx = (x - np.nanmean(x, axis=0)) / np.nanstd(x, axis=0)
        zh = (h - np.nanmean(h, axis=0)) / np.nanstd(h, axis=0)
        corr = np.abs(np.nan_to_num(zx).T @ np.nan_to_num(zh)) / len(x)
    constant = ~(np.nanstd(x, axis=0) > 0)  # a constant column carries nothing to compare: judged as the loader's
    fed = constant | (corr.max(axis=1, initial=0.0) >= AFFINE_COPY)
    return None if fed.all() or not fed.any() else fed


def input_batchnorm(model: nn.Module) -> str | None:
    """The name of a BatchNorm that is the model's first leaf module, which standardises each raw input feature.

    Registration order stands in for call order (``nn.Sequential`` and models that define
    their input layer first); in train mode such a layer makes input scaling unnecessary.
    """
    for name, module in model.named_modules():
        if next(module.children(), None) is None:
            is_batchnorm = isinstance(module, nn.modules.batchnorm._BatchNorm)
            return name if is_batchnorm and module.track_running_stats else None
    return None


@contextlib.contextmanager
def forward_order(model: nn.Module) -> Iterator[list[tuple[str, nn.Module]]]:
    """(name, module) of the leaf modules in the order the forward passes inside the block first call them.

    The trial reads it from its own training steps, fix's model surgery from one eval pass;
    the hooks are always removed when the block ends.
    """
    order: list[tuple[str, nn.Module]] = []
    seen: set[str] = set()

    def hook_for(name: str):
        def record(module: nn.Module, inputs: tuple, output: object) -> None:
            if name not in seen:
                seen.add(name)
                order.append((name, module))

        return record

    handles = [module.register_forward_hook(hook_for(name)) for name, module in model.named_modules()
               if name and not list(module.children())]
    try:
        yield order
    finally:
        for handle in handles:
            handle.remove()
