"""Remedies that change the model itself: initialisation, activations, normalisation layers,
width, and the scale of its outputs.

Each builds candidate Setups from a fresh copy of the model (see :mod:`nndoctor.fix.remedies`
for the contract and the registry); whether one helps is decided by the trials.
"""
from __future__ import annotations

import math
from typing import Any, Callable

import torch
from torch import nn

from ..findings import Finding
from ..patient import eval_mode
from ..probes.init_outputs import output_gain, output_weight, rms
from ..probes.layer_stats import hand_written_layer
from ..rng import preserved_rng
from ..setup import Setup, primary_output
from ..verdicts.model import GAIN_LIMIT
from .candidate import Candidate
from .transforms import (
    WEIGHT_MODULES, NotApplicable, derive, device_of, eval_output, eval_pass, final_module, following_activation, leaf_order,
    n_classes,
    output_head, output_linear, sample_input, set_module, weight_layers,
)
from .wrappers import Residual, ScaledOutput, WithLinearPath


# -- M201 / M202 / O404: re-initialise ----------------------------------------------------------
def _init_for(activation: nn.Module | None) -> tuple[str, Callable[[torch.Tensor], Any]]:
    if isinstance(activation, nn.LeakyReLU):
        slope = activation.negative_slope
        return "kaiming (leaky_relu)", lambda w: nn.init.kaiming_normal_(w, a=slope, nonlinearity="leaky_relu")
    if isinstance(activation, (nn.ReLU, nn.ELU, nn.GELU, nn.SiLU, nn.ReLU6, nn.PReLU, nn.Mish)):
        return "kaiming (relu)", lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu")
    if isinstance(activation, nn.Tanh):
        return "xavier (tanh gain)", lambda w: nn.init.xavier_normal_(w, gain=nn.init.calculate_gain("tanh"))
    if isinstance(activation, nn.SELU):
        return "lecun", lambda w: nn.init.kaiming_normal_(w, nonlinearity="linear")
    return "xavier", lambda w: nn.init.xavier_normal_(w)


def reinitialise(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    # torch's weight layers and the user's own (a weight matrix and a bias over its units, as M201 reads them)
    layers = [(n, m) for n, m in order if isinstance(m, WEIGHT_MODULES) or hand_written_layer(m)]
    recurrent = [m for m in model.modules() if isinstance(m, nn.RNNBase)]
    if not layers and not recurrent:
        raise NotApplicable("no Linear, Conv, recurrent or hand-written weight layer to re-initialise")
    torch.manual_seed(setup.seed)
    used = []
    with torch.no_grad():
        for name, module in layers:
            kind, init = _init_for(following_activation(order, name))
            init(module.weight)
            if module.bias is not None:
                nn.init.zeros_(module.bias)
            used.append(f"{name}: {kind}")
        for module in recurrent:
            module.reset_parameters()
    relu = any("relu" in u for u in used)
    snippet = (
        "for m in model.modules():\n"
        "    if isinstance(m, (nn.Linear, nn.Conv2d)):\n"
        + ("        nn.init.kaiming_normal_(m.weight, nonlinearity=\"relu\")   # He init for ReLU layers\n" if relu else
           "        nn.init.xavier_normal_(m.weight, gain=nn.init.calculate_gain(\"tanh\"))   # Xavier for tanh/sigmoid\n")
        + "        nn.init.zeros_(m.bias)"
    )
    return [Candidate("reinitialise", "re-initialise weights to match the activations (" + "; ".join(used[:4])
                      + ("; …" if len(used) > 4 else "") + ")", derive(setup, model=model), snippet)]


# -- O404 / M204 / M205: ReLU-family activations ------------------------------------------------
SQUASHING = (nn.Sigmoid, nn.Tanh, nn.Hardsigmoid, nn.Hardtanh, nn.Softsign)


def relu_family(setup: Setup, finding: Finding) -> list[Candidate]:
    """Hidden sigmoid/tanh units become ReLU with He init: a slope of 1 where they pass at most 1/4 (sigmoid) or saturate."""
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    last = final_module(order)
    squashing = [(n, m) for n, m in order if isinstance(m, SQUASHING) and (last is None or n != last[0])]
    if not squashing:
        raise NotApplicable("no hidden sigmoid/tanh module to replace (an activation applied in forward() cannot be swapped from outside)")
    for name, _ in squashing:
        set_module(model, name, nn.ReLU())
    torch.manual_seed(setup.seed)
    rewired = leaf_order(model, sample_input(setup))
    with torch.no_grad():
        for name, module in weight_layers(rewired):
            if isinstance(following_activation(rewired, name), nn.ReLU):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                if module.bias is not None:
                    nn.init.zeros_(module.bias)
    kinds = sorted({type(m).__name__ for _, m in squashing})
    return [Candidate("relu-family", f"replace {len(squashing)} hidden {'/'.join(kinds)} module(s) with ReLU and He init",
                      derive(setup, model=model),
                      f"nn.Linear(n_in, n_hidden), nn.ReLU(),   # instead of nn.{kinds[0]}() between hidden layers\n"
                      "nn.init.kaiming_normal_(layer.weight, nonlinearity=\"relu\")   # He init to match")]


# -- M203 / O405: LeakyReLU ---------------------------------------------------------------------
def leaky_relu(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    names = [n for n, m in model.named_modules() if type(m) is nn.ReLU]
    if not names:
        raise NotApplicable("no nn.ReLU module to replace (ReLU applied functionally in forward() cannot be swapped from outside)")
    for name in names:
        set_module(model, name, nn.LeakyReLU(0.01))
    return [Candidate("leaky-relu", f"replace {len(names)} ReLU module(s) with LeakyReLU(0.01)", derive(setup, model=model),
                      "nn.LeakyReLU(0.01)   # instead of nn.ReLU()")]


# -- M202 / M205 / O404: normalisation layers -----------------------------------------------------
def add_normalisation(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    layers = weight_layers(order)
    out = output_linear(order) or (layers[-1] if layers else None)
    hidden = [(n, m) for n, m in layers if out is None or n != out[0]]
    if not hidden:
        raise NotApplicable("no hidden Linear/Conv layer to follow with a normalisation layer")
    device = device_of(model)
    for name, module in hidden:
        if isinstance(module, nn.Linear):
            norm: nn.Module = nn.LayerNorm(module.out_features)
        elif isinstance(module, nn.Conv1d):
            norm = nn.BatchNorm1d(module.out_channels)
        elif isinstance(module, nn.Conv2d):
            norm = nn.BatchNorm2d(module.out_channels)
        else:
            norm = nn.BatchNorm3d(module.out_channels)
        set_module(model, name, nn.Sequential(module, norm.to(device)))
    snippet = ("nn.Linear(n_in, n_hidden), nn.LayerNorm(n_hidden), nn.ReLU(),   # a norm after every hidden layer\n"
               "# (for convolutions: nn.Conv2d(...), nn.BatchNorm2d(channels), nn.ReLU())")
    return [Candidate("add-normalisation", f"add a normalisation layer after {len(hidden)} hidden layer(s)",
                      derive(setup, model=model), snippet)]


# -- M205: residual connections ----------------------------------------------------------------------
def _shape_preserving_calls(model: nn.Module, x: Any) -> set[str]:
    """Submodules called exactly once in an eval pass on ``x``, with a tensor in and a tensor of the same shape out."""
    calls: dict[str, int] = {}
    same: set[str] = set()

    def hook_for(name: str) -> Callable[..., None]:
        def hook(mod: nn.Module, args: tuple, out: Any) -> None:
            calls[name] = calls.get(name, 0) + 1
            if args and isinstance(args[0], torch.Tensor) and isinstance(out, torch.Tensor) and args[0].shape == out.shape:
                same.add(name)
        return hook

    eval_pass(model, x, [(module, hook_for(name)) for name, module in model.named_modules() if name])
    return {name for name in same if calls.get(name) == 1}


def _inside(name: str, outer: str) -> bool:
    return name.startswith(outer + ".")


def residual_blocks(model: nn.Module, x: Any, output_layer: str | None) -> list[str]:
    """The innermost blocks a skip connection can go around: submodules (a weight layer, or modules holding one)
    called once with an output of their input's shape, none holding the output layer or another such block."""
    preserving = _shape_preserving_calls(model, x)
    blocks = []
    for name, module in model.named_modules():
        if name not in preserving or not any(isinstance(m, WEIGHT_MODULES) for m in module.modules()):
            continue
        if output_layer is not None and (name == output_layer or _inside(output_layer, name)):
            continue
        blocks.append(name)
    return [b for b in blocks if not any(_inside(other, b) for other in blocks)]


def residual_connections(setup: Setup, finding: Finding) -> list[Candidate]:
    """M205: ``x + block(x)`` around each block of the deep stack that keeps its input's shape (the playbook's
    remedy for a deep plain network: the identity path carries the gradient to the early layers).

    Each block's last weight layer starts at zero (torchvision's ``zero_init_residual``, Fixup):
    the stack starts as the identity and each block grows from there; skips around blocks at their
    own init add every block's variance to the signal, which a stack of twenty doubles twenty times.
    """
    model = setup.fresh_model()
    x = sample_input(setup)
    head = final_module(leaf_order(model, x))
    blocks = residual_blocks(model, x, head[0] if head else None)
    if len(blocks) < 2:
        raise NotApplicable("fewer than two blocks keep their input's shape: no stack to put skip connections in")
    for name in blocks:
        block = model.get_submodule(name)
        last = [m for m in block.modules() if isinstance(m, WEIGHT_MODULES)][-1]
        with torch.no_grad():
            for param in last.parameters(recurse=False):
                param.zero_()
        set_module(model, name, Residual(block))
    shown = ", ".join(blocks[:4]) + (" …" if len(blocks) > 4 else "")
    snippet = ("def forward(self, x):\n"
               "    return x + self.block(x)   # a skip around each block whose output has its input's shape\n"
               "# and start each block at zero: its last layer's weight and bias\n"
               "nn.init.zeros_(last.weight); nn.init.zeros_(last.bias)\n"
               f"# here: {shown}")
    return [Candidate("residual-connections", f"add skip connections around {len(blocks)} block(s) ({shown})",
                      derive(setup, model=model), snippet)]


# -- L307: outputs too large at init ------------------------------------------------------------
# Outputs more than this many times the output layer's own (or its weights more than this many times
# PyTorch's default init) are what makes the loss at init explode: the verdicts' limit on a gain after the output layer.
EXCESS_SCALE = GAIN_LIMIT


def output_scale(setup: Setup, finding: Finding) -> list[Candidate]:
    """Undo what makes the outputs start too large: a factor applied in forward(), or an oversized output layer.

    The output Linear's own output is compared with the model's: their ratio is a factor that
    forward() multiplies in (a temperature, a gain), which the candidate divides back out.
    Without one, the output layer's weights are compared with PyTorch's default init scale
    (uniform ±1/sqrt(fan_in)) and shrunk to it.
    """
    if (finding.evidence.get("ratio_to_chance") or 0) <= 1:
        raise NotApplicable("the loss at init is not above what chance predicts; smaller outputs would not lower it")
    model = setup.fresh_model()
    x = sample_input(setup)
    head = output_head(model, x)
    if head is None:
        try:
            return _shrink_tied_table(setup, model, x)
        except NotApplicable as reason:
            return _divide_by_output_rms(setup, model, eval_output(model, x), str(reason))
    name, layer = head
    seen: list[torch.Tensor] = []
    handle = layer.register_forward_hook(lambda module, args, out: seen.append(out))
    model.eval()
    try:
        with torch.no_grad():
            out = model(x)
    finally:
        handle.remove()
        model.train()
    gain = (output_gain(seen[0], out) if seen else None) or 1.0
    if gain > EXCESS_SCALE:
        return [Candidate("output-scale", f"divide out the {gain:.3g}x that forward() applies after {name}",
                          derive(setup, model=ScaledOutput(model, 1 / gain)),
                          f"# forward() multiplies the output of {name} by about {gain:.3g} (a temperature or gain):\n"
                          "# return that layer's output unscaled, on the scale the init and the loss expect")]
    excess = _shrunk_to_default(layer.weight, layer.in_features)
    if excess is None:
        return _divide_by_output_rms(setup, model, out,
                                     "neither forward() nor the output layer's init makes the outputs large")
    return [Candidate("output-scale", f"shrink the initial weights of {name} {excess:.3g}x to PyTorch's default scale",
                      derive(setup, model=model),
                      f"nn.init.kaiming_uniform_(model.{name}.weight, a=math.sqrt(5))   # PyTorch's default; yours were {excess:.3g}x larger")]


def _divide_by_output_rms(setup: Setup, model: nn.Module, out: Any, why_not_found: str) -> list[Candidate]:
    """Outputs too large at init whose source is no Linear head or weight matrix to shrink (a cosine head's learned
    temperature, a custom product): the model's outputs divided by their rms at init, so they start in logit units.

    A network that knows nothing yet outputs logits of rms about 1 or less (a default-initialised Linear head gives a
    fraction of 1); ``EXCESS_SCALE`` times that is what the other readings call too large. ``why_not_found`` is why
    no layer could be named; ``out`` is the model's output at init, in eval mode; the fixed divisor stands in for
    undoing whatever forward() multiplies in.
    """
    out = primary_output(out)
    size = rms(out) if isinstance(out, torch.Tensor) and out.numel() > 0 else math.nan
    if not math.isfinite(size) or size <= EXCESS_SCALE:
        raise NotApplicable(why_not_found)
    return [Candidate("output-scale", f"divide the model's outputs by {size:.3g}, their rms at init",
                      derive(setup, model=ScaledOutput(model, 1 / size)),
                      f"# the outputs start at an rms of {size:.3g}, far beyond logit units ({why_not_found}):\n"
                      "# find the factor forward() multiplies them by (a temperature, a scale parameter's init) and "
                      "start it where the outputs have rms about 1")]


def _shrunk_to_default(weight: torch.Tensor, fan_in: int) -> float | None:
    """How many times PyTorch's default Linear scale (uniform ±1/sqrt(fan_in), std 1/sqrt(3 fan_in)) the weight
    starts at, after shrinking it in place to that scale; None (and the weight untouched) when it is not too large."""
    excess = float(weight.detach().std()) * math.sqrt(3 * fan_in)
    if excess <= EXCESS_SCALE:
        return None
    with torch.no_grad():
        weight.mul_(1 / excess)
    return excess


def _shrink_tied_table(setup: Setup, model: nn.Module, x: Any) -> list[Candidate]:
    """An output read through a weight matrix that is no Linear module: an embedding table (``h @ tok.weight.T``, a
    tied head) or a hand-made ``nn.Parameter`` (``h @ self.W + self.b``), shrunk to the scale PyTorch's Linear
    default gives a matrix of its fan-in, as the head's logits then start near chance.

    ``nn.Embedding`` draws N(0, 1), about sqrt(3 * width) times a Linear's default, which a tied head
    multiplies straight into the logits; language models draw the table small for that reason. A
    hand-made head drawn with ``torch.randn`` is too large the same way.
    """
    with eval_mode(model), preserved_rng(), torch.enable_grad():
        out = primary_output(model(x))
    found = output_weight(out) if isinstance(out, torch.Tensor) else None
    if found is None:
        raise NotApplicable("the model's output comes neither from a Linear layer nor from a weight matrix it "
                            "multiplies in forward()")
    weight, fan_in = found
    name = next((n for n, p in model.named_parameters() if p is weight), None)
    if name is None:
        raise NotApplicable("the weight matrix the output is read through is not a parameter of the model")
    table = next((m for m in model.modules() if isinstance(m, nn.Embedding) and m.weight is weight), None)
    excess = _shrunk_to_default(weight, fan_in)
    if excess is None:
        raise NotApplicable(f"the weight matrix {name} that the output is read through is not large next to a Linear's "
                            "default scale")
    std = 1 / math.sqrt(3 * fan_in)
    if table is not None:
        return [Candidate("output-scale", f"shrink the embedding table {name.removesuffix('.weight')}, which the "
                          f"output reads as its head, {excess:.3g}x", derive(setup, model=model),
                          f"nn.init.normal_(model.{name}, std={std:.3g})   # the table is also the output layer; "
                          f"nn.Embedding's N(0, 1) is {excess:.3g}x that")]
    return [Candidate("output-scale", f"shrink the output weight {name} {excess:.3g}x to PyTorch's default scale",
                      derive(setup, model=model),
                      f"nn.init.normal_(model.{name}, std={std:.3g})   # a Linear's default scale for {fan_in} inputs; "
                      f"yours was {excess:.3g}x that")]


# -- M206: widen ------------------------------------------------------------------------------
def widen_bottleneck(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    classes = int(finding.evidence.get("classes") or n_classes(setup))
    narrow = finding.evidence.get("narrow_layers") or {}
    names = [n for n, _ in order]
    width = max(64, 5 * classes)
    device = device_of(model)
    changed: list[str] = []
    snippets: list[str] = []
    for name, old_width in narrow.items():
        if name not in names or not isinstance(model.get_submodule(name), (nn.Linear, nn.RNNBase)):
            continue
        layer = model.get_submodule(name)
        if isinstance(layer, nn.RNNBase):
            if _widen_recurrent(model, order, name, width):
                changed.append(f"{name}: hidden size {old_width} -> {width}")
                snippets.append(f"nn.{type(layer).__name__}(n_in, hidden_size={width}, ...)   # at least 5x the {classes} classes; "
                                f"the Linear reading its state takes {width * (2 if layer.bidirectional else 1)} inputs")
            continue
        following = None
        between: list[tuple[str, nn.Module]] = []
        for other, module in order[names.index(name) + 1:]:
            if isinstance(module, nn.Linear):
                following = (other, module)
                break
            between.append((other, module))
        if following is None or following[1].in_features != layer.out_features:
            continue
        if any(list(m.parameters()) and not isinstance(m, (nn.LayerNorm, nn.BatchNorm1d)) for _, m in between):
            continue
        set_module(model, name, nn.Linear(layer.in_features, width, bias=layer.bias is not None).to(device))
        nxt = following[1]
        set_module(model, following[0], nn.Linear(width, nxt.out_features, bias=nxt.bias is not None).to(device))
        for other, module in between:
            if isinstance(module, nn.LayerNorm):
                set_module(model, other, nn.LayerNorm(width).to(device))
            elif isinstance(module, nn.BatchNorm1d):
                set_module(model, other, nn.BatchNorm1d(width).to(device))
        changed.append(f"{name}: {old_width} -> {width} units")
        snippets.append(f"nn.Linear(n_in, {width}), nn.ReLU(), nn.Linear({width}, n_out)   # at least 5x the {classes} classes")
    if not changed:
        raise NotApplicable("the narrow layer is not a Linear or recurrent layer followed by a Linear this remedy can widen")
    return [Candidate("widen-bottleneck", "widen " + "; ".join(changed), derive(setup, model=model), "\n".join(dict.fromkeys(snippets)))]


def _widen_recurrent(model: nn.Module, order: list[tuple[str, nn.Module]], name: str, width: int) -> bool:
    """Rebuild the recurrent layer ``name`` with ``width`` hidden units and the Linear that reads its state."""
    rnn = model.get_submodule(name)
    if getattr(rnn, "proj_size", 0):
        return False
    directions = 2 if rnn.bidirectional else 1
    names = [n for n, _ in order]
    reader = next(((n, m) for n, m in order[names.index(name) + 1:] if isinstance(m, nn.Linear)), None)
    if reader is None or reader[1].in_features != rnn.hidden_size * directions:
        return False
    device = device_of(model)
    set_module(model, name, _recurrent_like(rnn, type(rnn), width).to(device))
    set_module(model, reader[0], nn.Linear(width * directions, reader[1].out_features, bias=reader[1].bias is not None).to(device))
    return True


def _recurrent_like(rnn: nn.RNNBase, cls: type[nn.RNNBase], hidden_size: int) -> nn.RNNBase:
    """A fresh ``cls`` layer laid out as ``rnn`` (inputs, layers, bias, batch axis, dropout, directions),
    ``hidden_size`` units wide."""
    return cls(rnn.input_size, hidden_size, num_layers=rnn.num_layers, bias=rnn.bias, batch_first=rnn.batch_first,
               dropout=rnn.dropout, bidirectional=rnn.bidirectional)


# -- O404 back through time: gates for a plain recurrent layer -----------------------------------------
def gated_recurrent(setup: Setup, finding: Finding) -> list[Candidate]:
    """Each plain ``nn.RNN`` becomes an ``nn.GRU`` of the same sizes and layout (the catalog's fix for O404 through
    time): it returns the same ``(output, h_n)`` shapes, so the model around it is unchanged, and its gates keep the
    gradient flowing back through time where the plain layer's shrinks geometrically."""
    if (finding.evidence or {}).get("kind") != "through time":
        raise NotApplicable("the gradient vanishes through the depth of the stack, not back through time in a "
                            "recurrent layer")
    model = setup.fresh_model()
    plain = [(n, m) for n, m in model.named_modules() if type(m) is nn.RNN]
    if not plain:
        raise NotApplicable("no plain nn.RNN module to replace (a recurrence written by hand cannot be swapped from "
                            "outside)")
    device = device_of(model)
    with preserved_rng():
        torch.manual_seed(setup.seed)
        for name, rnn in plain:
            set_module(model, name, _recurrent_like(rnn, nn.GRU, rnn.hidden_size).to(device))
    return [Candidate("gated-recurrent", f"replace {len(plain)} plain nn.RNN module(s) with nn.GRU of the same sizes",
                      derive(setup, model=model),
                      "nn.GRU(input_size, hidden_size, num_layers=..., batch_first=...)   # not nn.RNN: the same "
                      "(output, h_n), gated")]


# -- G606: a linear path beside a network that scores below a linear baseline --------------------
MAX_PATH_WEIGHTS = 10_000_000  # a linear path wider than this (inputs x outputs) is not a quick trial


def linear_path(setup: Setup, finding: Finding) -> list[Candidate]:
    """The network plus a zero-initialised linear map from its flattened raw inputs to its outputs.

    G606 says a linear model (or a constant) beats the trained network on the same samples. If the
    network with a linear path beside it beats the network alone, the architecture discards
    information the raw inputs hold (columns never read, the layout pooled away, no positional
    encoding) or cannot fit it; the path is the proof, the user's fix is in the architecture.
    """
    x = sample_input(setup)
    if not isinstance(x, torch.Tensor) or not x.is_floating_point() or x.dim() < 2:
        raise NotApplicable("the inputs are not one floating-point tensor per batch (token ids or structured inputs)")
    model = setup.fresh_model()
    out = eval_output(model, x)
    if not isinstance(out, torch.Tensor) or not out.is_floating_point() or out.dim() < 1 or out.shape[0] != x.shape[0]:
        raise NotApplicable("the model's output is not one floating-point tensor with a row per sample")
    in_features, out_shape = int(x[0].numel()), tuple(out.shape[1:])
    if in_features * max(1, math.prod(out_shape)) > MAX_PATH_WEIGHTS:
        raise NotApplicable(f"a linear path from {in_features} inputs to {math.prod(out_shape)} outputs is too large to trial")
    with preserved_rng():
        wrapped = WithLinearPath(model, in_features, out_shape).to(device=device_of(model))
    snippet = (
        "class WithLinearPath(nn.Module):          # the network plus a linear map of the raw inputs (wide & deep)\n"
        "    def __init__(self, net, n_inputs, n_outputs):\n"
        "        super().__init__()\n"
        "        self.net, self.linear = net, nn.Linear(n_inputs, n_outputs)\n"
        "    def forward(self, x):\n"
        "        return self.net(x) + self.linear(x.flatten(1)).view_as(...)\n"
        f"model = WithLinearPath(model, {in_features}, {max(1, math.prod(out_shape))})\n"
        "# better still: find what your network throws away (columns it never reads, pooling that\n"
        "# averages the layout away, attention without positional encoding) and keep it"
    )
    return [Candidate("linear-path", f"add a linear path from the {in_features} raw inputs to the outputs beside the network (zero at init)",
                      derive(setup, model=wrapped), snippet)]
