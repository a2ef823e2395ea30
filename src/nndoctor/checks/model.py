"""M family: the model and its initialisation, measured on a fresh copy at init.

Scale, dead and saturated units and gradients come from the shared ``layer_stats`` probe;
batch mixing and the gradient check run their own small probes on an eval-mode copy. Each
check builds its measurement and calls its verdict (``verdicts.layers``, ``verdicts.model``).
"""
from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Iterable

import torch
from torch import nn
from torch.func import functional_call

from ..findings import Finding
from ..probes.custom_functions import custom_functions, function_name
from ..probes.init_outputs import init_outputs, usable_batches
from ..probes.layer_stats import LayerStats, bypassed_layers, input_spread, layer_stats, unit_weights, weight_modules
from ..setup import Inputs, batch_size_of, slice_inputs
from ..verdicts.layers import (
    DirectionalDerivative,
    GradientCheck,
    GradientReach,
    UnitShare,
    UnitShares,
    WeightInit,
    dead_units_at_init,
    saturated_units_at_init,
)
from ..verdicts.layers import constant_init as verdict_constant_init
from ..verdicts.layers import gradient_mismatch as verdict_gradient_mismatch
from ..verdicts.layers import no_gradient_path as verdict_no_gradient_path
from ..verdicts.model import (
    BatchMixing,
    Bottleneck,
    DeepStack,
    InitScale,
    OutputOffset,
    bottleneck_classes,
    bottleneck_task,
    scale_trend_judged,
    starts_balanced,
)
from ..verdicts.model import bad_init_scale as verdict_bad_init_scale
from ..verdicts.model import batch_mixing as verdict_batch_mixing
from ..verdicts.model import narrow_bottleneck as verdict_narrow_bottleneck
from ..verdicts.model import output_bias_not_prior as verdict_output_bias_not_prior
from ..verdicts.model import too_deep_plain_network as verdict_too_deep_plain_network
from .base import Context, Inconclusive, check
from .loss import optimizer_kind
from .optimisation import trial_vanishing
from .data import batches_ordered


def _stats(ctx: Context) -> LayerStats:
    return ctx.probe("layer_stats", layer_stats)


def _output_layer(ctx: Context, stats: LayerStats | None) -> str | None:
    """The last weight layer to run in forward (the output layer), else the last one defined."""
    if stats is not None and stats.weight_layers:
        return stats.weight_layers[-1].name
    layers = weight_modules(ctx.setup.model)
    return layers[-1][0] if layers else None


def _init_of(name: str, weight: torch.Tensor, is_output: bool) -> WeightInit:
    """M201's measurement of one weight at init: how far its rows (units) are from the first row."""
    rows = weight.detach().reshape(weight.shape[0], -1).double()
    spread = float((rows - rows[0]).abs().max())
    inputs, columns_spread = input_spread(weight) if weight.dim() >= 2 else (None, None)
    return WeightInit(name, int(weight.shape[0]), spread, float(rows.std()) if rows.numel() > 1 else 0.0, is_output,
                      inputs, columns_spread)


@check("M201", phase="model")
def constant_init(ctx: Context) -> Iterable[Finding]:
    """Hidden layers whose units all start with the same weights never become different units (verdict: M201)."""
    output_layer = _output_layer(ctx, _stats(ctx))
    layers = [_init_of(name, weight, name == output_layer) for name, weight in unit_weights(ctx.setup.model)]
    yield from verdict_constant_init(layers)


def weight_gain(model: nn.Module, names: list[str]) -> float | None:
    """Median over the named layers of std(W)·sqrt(fan_in): the factor the weights alone scale a unit-variance signal by.

    Independent of biases and activations: LeCun/Xavier give ~1, He sqrt(2), PyTorch's default
    1/sqrt(3). Far below 1/``verdicts.model.SCALE_FACTOR_LIMIT``, the weighted sum is too small to move a unit
    away from its bias, so each unit's sign is set by the bias for every sample.
    """
    modules = dict(weight_modules(model))
    gains = []
    for name in names:
        weight = getattr(modules.get(name), "weight", None)
        if isinstance(weight, torch.Tensor) and weight.dim() >= 2 and weight.numel() > 1:
            fan_in = weight[0].numel()
            gains.append(float(weight.detach().double().std()) * math.sqrt(fan_in))
    return float(sorted(gains)[len(gains) // 2]) if gains else None


@check("M202", phase="model")
def bad_init_scale(ctx: Context) -> Iterable[Finding]:
    """Activation or gradient scale changing geometrically across a plain stack (verdict: M202).

    The weight gain (evidence only) is measured only for a stack the verdict judges.
    """
    stats = _stats(ctx)
    layers = [r for r in stats.weight_layers if r.out_count]
    between = sorted({r.kind for r in stats.layers if layers[0].order < r.order < layers[-1].order and not r.is_weight}) \
        if layers else []
    judged = scale_trend_judged(len(layers), stats.has_normalisation)
    yield from verdict_bad_init_scale(InitScale(
        layers=[r.name for r in layers], activation_std=[r.out_std for r in layers],
        output_grad_norm=[r.output_grad_norm for r in layers], has_normalisation=stats.has_normalisation,
        between=between, weight_gain=weight_gain(ctx.setup.model, [r.name for r in layers]) if judged else None,
        optimizer=next(iter(optimizer_kind(ctx)), None),
    ))


@check("M203", phase="model")
def dead_relu_at_init(ctx: Context) -> Iterable[Finding]:
    """ReLU layers where most units never fire on any sample: they pass no gradient (verdict: M203)."""
    stats = _stats(ctx)
    start = first_trained_order(stats)
    shares = [UnitShare(r.name, r.dead_share, r.units) for r in stats.layers
              if r.dead_share is not None and r.order > start]
    yield from dead_units_at_init(UnitShares(shares, f"on all {stats.samples} sample inputs at init", stats.samples))


def first_trained_order(stats: LayerStats) -> int:
    """The forward order of the first weight layer with a trainable parameter (-1 when unknown).

    Units before it sit in a frozen stack (a pretrained backbone held fixed): training neither kills
    nor revives them and the remedies (re-initialise, LeakyReLU) would undo the pretraining, so their
    silence is a property of the features the user chose, not a fault of this training."""
    trained = {name.rsplit(".", 1)[0] if "." in name else "" for name in stats.trainable}
    orders = [r.order for r in stats.weight_layers if r.name in trained]
    return min(orders) if orders else -1


@check("M204", phase="model")
def saturated_activations(ctx: Context) -> Iterable[Finding]:
    """Sigmoid/tanh layers whose inputs sit in the flat tails, where the derivative is ~0 (verdict: M204)."""
    stats = _stats(ctx)
    shares = [UnitShare(r.name, r.saturated_share, r.units or None) for r in stats.layers if r.saturated_share is not None]
    yield from saturated_units_at_init(UnitShares(shares, f"on {stats.samples} sample inputs at init", stats.samples))


@check("M205", phase="model")
def too_deep_plain_network(ctx: Context) -> Iterable[Finding]:
    """A deep stack without normalisation whose first layer receives a vanishing gradient (verdict: M205)."""
    stats = _stats(ctx)
    layers = stats.weight_layers
    stack = DeepStack(
        depth=len(layers), first=layers[0].name if layers else "", last=layers[-1].name if layers else "",
        first_grad_norm=layers[0].output_grad_norm if layers else None,
        last_grad_norm=layers[-1].output_grad_norm if layers else None,
        has_normalisation=stats.has_normalisation, has_recurrent=stats.has_recurrent,
        trained_ratio=getattr(ctx.setup, "observed_vanishing", None),  # run: O404's ratio where the watch found it
    )
    if stack.trained_ratio is None and starts_balanced(stack):  # checkup: how the trial's gradient reached it
        try:
            vanished = trial_vanishing(ctx, closing=True)
        except Inconclusive:
            vanished = None
        if vanished is not None:
            stack = replace(stack, trained_ratio=vanished.evidence.get("ratio"))
    yield from verdict_too_deep_plain_network(stack)


@check("M206", phase="model")
def narrow_bottleneck(ctx: Context) -> Iterable[Finding]:
    """A hidden layer narrower than the number of classes (verdict: M206).

    The class count and the output layer are read only where the verdict judges the task and
    the class count (``bottleneck_task``, ``bottleneck_classes``): the probes are not needed otherwise.
    """
    setup = ctx.setup
    if not bottleneck_task(setup.task, setup.reconstruction):
        return
    classes = ctx.probe("init_outputs", init_outputs).n_classes
    if not bottleneck_classes(classes):
        return
    output_layer = _output_layer(ctx, _stats(ctx))
    widths: dict[str, int] = {}
    for name, module in setup.model.named_modules():
        if isinstance(module, nn.Linear) and name != output_layer:
            widths[name] = module.out_features
        elif isinstance(module, nn.RNNBase):
            widths[name] = module.hidden_size
    narrow = [name for name, width in widths.items() if width < classes]
    batches = usable_batches(ctx, 1)
    if narrow and batches:  # a layer the output's information also flows around (an attention scorer) squeezes nothing
        model = ctx.model_copy(seed=setup.seed)
        model.eval()
        try:
            around = bypassed_layers(model, lambda m: setup.forward(m, batches[0][0]), narrow)
        except Exception:  # noqa: BLE001 - the forward failed: other checks report it; every narrow layer stays
            around = set()
        widths = {name: width for name, width in widths.items() if name not in around}
    yield from verdict_narrow_bottleneck(Bottleneck(setup.task, classes, widths, bool(setup.reconstruction)))


def _input_leaf(model: nn.Module, x: Any, k: int) -> tuple[Any, list[torch.Tensor], list]:
    """Inputs to differentiate against: the float inputs themselves, and/or the first embedding's output.

    Several positional inputs (:class:`Inputs`): each float one is a leaf, and the first
    embedding's output too when an integer one feeds an embedding.
    """
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        leaf = x[:k].detach().clone().requires_grad_()
        return leaf, [leaf], []
    captured: list[torch.Tensor] = []
    if isinstance(x, Inputs):
        parts = [t[:k].detach().clone().requires_grad_() if isinstance(t, torch.Tensor) and t.is_floating_point()
                 else slice_inputs(t, k) for t in x]
        captured.extend(t for t in parts if isinstance(t, torch.Tensor) and t.requires_grad)
        x = Inputs(*parts)
        if all(not isinstance(t, torch.Tensor) or t.is_floating_point() for t in parts):
            return x, captured, []

    embedded: list[torch.Tensor] = []

    def hook(module: nn.Module, inputs: tuple, output: torch.Tensor) -> torch.Tensor | None:
        if not embedded and isinstance(output, torch.Tensor) and output.dim() >= 1 and output.shape[0] == k:
            leaf = output.detach().requires_grad_()
            embedded.append(leaf)
            captured.append(leaf)
            return leaf
        return None

    handles = [m.register_forward_hook(hook) for m in model.modules() if isinstance(m, nn.Embedding)]
    return (x if isinstance(x, Inputs) else slice_inputs(x, k)), captured, handles


def time_major_tokens(x: Any, y: Any) -> bool:
    """Whether the batch's targets are its token inputs shifted by one along the first axis: next-token prediction
    over (time, batch) tensors (a sequence-first language model, as in PyTorch's word-LM example), whose rows are
    time steps that the model must mix, not samples."""
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor) or x.shape != y.shape or x.dim() < 2:
        return False
    if x.is_floating_point() or y.is_floating_point() or x.shape[0] < 3:
        return False
    return bool(torch.equal(x[1:], y[:-1]))


def batch_mixing_probe(ctx: Context, samples: int = 5) -> BatchMixing | None:
    """Largest gradient of sample i's output w.r.t. other samples' inputs, relative to its own."""
    x, y = ctx.batches()[0]
    if time_major_tokens(x, y):
        return None
    k = min(samples, batch_size_of(x))
    if k < 2:
        return None
    model = ctx.model_copy(seed=ctx.setup.seed)
    model.eval()
    inputs, leaves, handles = _input_leaf(model, x, k)
    try:
        output = ctx.setup.forward(model, inputs)
    finally:
        for handle in handles:
            handle.remove()
    if not leaves or not isinstance(output, torch.Tensor) or output.shape[0] != k or not output.requires_grad:
        return None
    forward = _forward_leak(model, inputs) if leaves[0] is inputs else None
    worst = 0.0
    pairs = []
    for i in sorted({0, k - 1}):
        grads = [g for g in torch.autograd.grad(output[i].sum(), leaves, retain_graph=True, allow_unused=True)
                 if g is not None]
        if not grads:
            return None
        own = max(float(g[i].abs().max()) for g in grads)
        other = max(float(torch.cat([g[:i], g[i + 1:]]).abs().max()) for g in grads)
        if own == 0.0:
            continue
        pairs.append({"sample": i, "own_grad_max": own, "other_grad_max": other})
        worst = max(worst, other / own)
    if not pairs:
        return None
    return BatchMixing(relative_leak=worst, pairs=pairs, samples=k, forward_leak=forward)


def _forward_leak(model: nn.Module, x: torch.Tensor) -> float | None:
    """Change of the first and last samples' outputs when the other samples' inputs move, relative to moving their own.

    A forward-only measurement: a custom backward that ignores its incoming gradient makes
    autograd report cross-sample gradients that the forward pass does not have (M208, not M207).
    """
    generator = torch.Generator().manual_seed(0)
    x = x.detach()
    scale = 0.1 * (float(x.float().std()) or 1.0)
    noise = (scale * torch.randn(x.shape, generator=generator)).to(device=x.device, dtype=x.dtype)
    worst = None
    with torch.no_grad():
        base = model(x)
        for i in sorted({0, len(x) - 1}):
            mine = torch.zeros(len(x), dtype=torch.bool, device=x.device)
            mine[i] = True
            shape = (-1,) + (1,) * (x.dim() - 1)
            moved_own = model(x + noise * mine.view(shape))
            moved_others = model(x + noise * (~mine).view(shape))
            if not all(isinstance(t, torch.Tensor) and t.shape == base.shape for t in (moved_own, moved_others)):
                return None
            own = float((moved_own[i] - base[i]).abs().max())
            other = float((moved_others[i] - base[i]).abs().max())
            if own > 0:
                worst = max(worst or 0.0, other / own)
    return worst


@check("M207", phase="model")
def batch_mixing(ctx: Context) -> Iterable[Finding]:
    """With normalisation in eval mode, one sample's output must not depend on another sample (verdict: M207)."""
    result = batch_mixing_probe(ctx)
    if result is not None:
        yield from verdict_batch_mixing(result)


def gradient_check_probe(ctx: Context, samples: int = 2, coordinates: int = 16, max_tensors: int = 24) -> GradientCheck | None:
    """Directional derivatives of a random output projection, by autograd and by float64 finite differences.

    For every parameter tensor (an even spread of ``max_tensors`` on big models) and the
    input, a random direction over ``coordinates`` random coordinates: autograd's derivative
    along it, the central difference, and both one-sided differences (which tell a kink,
    where no derivative exists, from a smooth point). An embedding's ``padding_idx`` row is
    left out: the forward reads it, its gradient is zero by design. Eval mode, float64, seeded. Returns
    None when the forward is not deterministic or gives no tensor: nothing to compare.
    """
    x, _ = ctx.batches()[0]
    several = isinstance(x, Inputs) and all(isinstance(t, torch.Tensor) for t in x)
    if not isinstance(x, torch.Tensor) and not several:
        return None
    model = ctx.model_copy(seed=ctx.setup.seed).eval().double()
    generator = torch.Generator().manual_seed(ctx.setup.seed)
    x = Inputs(*(_jittered(t[:samples], generator) for t in x)) if several else _jittered(x[:samples], generator)
    device = ctx.setup.device
    names = [n for n, p in model.named_parameters() if p.requires_grad]
    if len(names) > max_tensors:  # big models: an even spread of tensors, first and last included
        names = [names[round(i * (len(names) - 1) / (max_tensors - 1))] for i in range(max_tensors)]
    base = {n: p.detach() for n, p in model.named_parameters()}
    checked = (["<input>"] if isinstance(x, torch.Tensor) and x.is_floating_point() else []) + names
    masked = _padding_rows(model)
    picks, directions = {}, {}
    for name in checked:
        size = x.numel() if name == "<input>" else base[name].numel()
        order = torch.randperm(size, generator=generator)
        if name in masked:
            order = order[~torch.isin(order, masked[name])]
        picks[name] = order[:coordinates].to(device)
        directions[name] = torch.randn(len(picks[name]), generator=generator, dtype=torch.float64).to(device)

    def run(moves: dict[str, torch.Tensor]) -> Any:
        values = dict(base)
        inputs = x
        for name, delta in moves.items():
            target = x if name == "<input>" else base[name]
            moved = target.reshape(-1).index_add(0, picks[name], delta).view_as(target)
            if name == "<input>":
                inputs = moved
            else:
                values[name] = moved
        return functional_call(model, values, (inputs,))

    with torch.no_grad():
        first, second = run({}), run({})
    if not isinstance(first, torch.Tensor) or not first.is_floating_point() or not torch.equal(first, second):
        return None  # nondeterministic forward: finite differences would not mean anything
    projection = torch.randn(first.shape, generator=generator, dtype=torch.float64).to(first.device)

    def score(moves: dict[str, torch.Tensor]) -> torch.Tensor:
        return (run(moves).double() * projection).sum()

    deltas = {n: torch.zeros(len(picks[n]), dtype=torch.float64, device=device, requires_grad=True) for n in checked}
    total = score(deltas)
    functions = [function_name(f) for f in custom_functions(total)]  # the Functions whose backward autograd runs here
    grads = torch.autograd.grad(total, list(deltas.values()), allow_unused=True)
    eps = 1e-6
    tensors = []
    with torch.no_grad():
        at = float(score({}))
        for name, grad in zip(checked, grads):
            ctx.check_deadline("gradient check")
            step = eps * directions[name]
            plus, minus = float(score({name: step})), float(score({name: -step}))
            analytical = float(grad @ directions[name]) if grad is not None else 0.0
            tensors.append(DirectionalDerivative(name, analytical, (plus - minus) / (2 * eps), (plus - at) / eps, (at - minus) / eps))
    return GradientCheck(tensors, batch_size_of(x), coordinates, {"custom_functions": functions})


def _padding_rows(model: nn.Module) -> dict[str, torch.Tensor]:
    """Flat indices of each embedding's ``padding_idx`` row, by weight name: its forward counts, its gradient is 0 by design."""
    rows = {}
    for prefix, module in model.named_modules():
        pad = getattr(module, "padding_idx", None)
        if isinstance(module, (nn.Embedding, nn.EmbeddingBag)) and pad is not None:
            width = module.weight.shape[1]
            rows[f"{prefix}.weight" if prefix else "weight"] = torch.arange(pad * width, (pad + 1) * width)
    return rows


def _jittered(x: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Float inputs in float64 with a small jitter that breaks exact ties (max-pool over flat image regions: no kinks
    at the point); integer inputs (ids) as they are."""
    if not x.is_floating_point():
        return x
    x = x.double()
    return x + 1e-3 * (float(x.std()) or 1.0) * torch.randn(x.shape, generator=generator, dtype=x.dtype).to(x.device)


@check("M208", phase="model")
def gradient_mismatch(ctx: Context) -> Iterable[Finding]:
    """Autograd must agree with finite differences in float64 where the derivative exists (verdict: M208)."""
    ctx.check_deadline("gradient check")
    try:
        result = gradient_check_probe(ctx)
    except Inconclusive:
        raise
    except Exception:  # the model cannot run in float64 (hard-coded dtypes, dtype asserts): nothing to conclude
        return
    if result is not None:
        yield from verdict_gradient_mismatch(result)


@check("M209", phase="model")
def no_gradient_path(ctx: Context) -> Iterable[Finding]:
    """Trainable parameters that get no gradient from the loss can never learn (verdict: M209)."""
    stats = _stats(ctx)
    if stats.loss_unavailable or (stats.error and "scalar" in stats.error):
        return  # no loss was backpropagated: missing gradients would say nothing about the model
    missing = [n for n in stats.trainable if stats.grad_norms.get(n) is None]
    zero = [n for n in stats.trainable if stats.grad_norms.get(n) == 0.0 and n in stats.zero_after_step]
    explained_by = None
    if not missing and zero:
        if any(True for _ in constant_init(ctx)):
            explained_by = "M201"
        elif any(True for _ in dead_relu_at_init(ctx)) and any(r.dead_share == 1.0 and r.units >= 2 for r in stats.layers):
            explained_by = "M203"
    yield from verdict_no_gradient_path(GradientReach(
        len(stats.trainable), missing, zero, f"after backpropagating the loss over {stats.samples} samples",
        stats.error, explained_by, reached=[n for n in stats.trainable if stats.grad_norms.get(n)],
    ))


@check("M210", phase="model")
def output_bias_not_prior(ctx: Context) -> Iterable[Finding]:
    """The output offset alone costs far more than the best constant prediction (verdict: M210).

    Batches ordered by class or target (D115) give no prior: the losses are then not read.
    The output layer, the finding's location, is looked up only for a finding (it reads
    ``layer_stats``, which the decision does not need).
    """
    if batches_ordered(ctx):
        offset = OutputOffset(ordered_batches=True)
    else:
        offset = ctx.probe("init_outputs", init_outputs).output_offset()
    for finding in verdict_output_bias_not_prior(offset):
        finding.location = _output_layer(ctx, _stats(ctx))
        yield finding
