"""Remedies for batch mixing (M207): a sample's output depends on the other samples of its batch.

Three common causes, each fixed on a deep copy of the model:

* a recurrent or attention layer left at ``batch_first=False`` while it is fed
  ``(batch, time, features)`` inputs: it then runs along the batch and treats time steps as
  samples (:func:`batch_first_rnn`);
* a softmax, normalisation or reduction over dim 0 of a tensor whose dim 0 is the batch
  (:func:`per_sample_normalisation`, found in the ``torch.fx`` graph with the shapes of the
  sample batch and moved to the last dim);
* a ``view``/``reshape`` asked to swap the batch axis with another (``h.view(h.size(1), h.size(0), -1)``),
  which keeps the memory order and interleaves the samples (:func:`transpose_not_view`).

A candidate is kept only when the M207 check's own measurement, run on the candidate's setup,
finds no cross-sample dependence any more and the output keeps its shape; otherwise the
remedy is not applicable. Whether it trains better is then for the trials to show.
"""
from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F
from torch import fx, nn
from torch.fx.passes.shape_prop import ShapeProp

from ..findings import Finding
from ..rng import preserved_rng
from ..errors import SetupError
from ..setup import Setup, batch_size_of, primary_output
from .candidate import Candidate
from .transforms import NotApplicable, derive, eval_output, sample_input

SEQUENCE_LAYERS = (nn.RNNBase, nn.MultiheadAttention)
# containers whose constructor takes batch_first for the attention layers inside them
TRANSFORMER_LAYERS = (nn.TransformerEncoderLayer, nn.TransformerDecoderLayer, nn.Transformer)
SHAPE_KEEPING = {"softmax", "log_softmax", "softmin", "normalize", "cumsum", "cumprod"}
REDUCTIONS = {"mean", "sum", "std", "var", "amax", "amin", "logsumexp", "prod", "nanmean", "nansum"}
FUNCTIONS: dict[Callable, str] = {
    torch.softmax: "softmax", torch.log_softmax: "log_softmax", F.softmax: "softmax", F.log_softmax: "log_softmax",
    F.softmin: "softmin", F.normalize: "normalize", torch.cumsum: "cumsum", torch.cumprod: "cumprod",
    **{getattr(torch, name): name for name in REDUCTIONS},
}
DIM_POSITION = {"normalize": 2}  # args index of ``dim`` (1 for the others: after the input)
TORCH_DIR = os.path.dirname(torch.__file__)
IMPLICIT_SOFTMAX = {"softmax", "log_softmax", "softmin"}  # dim=None: the legacy implicit dim (0 for 1-D and 3-D inputs)


# -- the M207 measurement on a candidate ------------------------------------------------------
def mixing_cleared(setup: Setup) -> bool:
    """Whether the M207 check, run on ``setup``, measures its batch and finds no cross-sample dependence."""
    from ..checks.base import Context
    from ..checks.model import batch_mixing, batch_mixing_probe

    with preserved_rng():
        ctx = Context(setup)
        return batch_mixing_probe(ctx) is not None and not list(batch_mixing(ctx))


def _output_shape(model: nn.Module, x: Any) -> tuple[int, ...] | None:
    out = primary_output(eval_output(model, x))
    return tuple(out.shape) if isinstance(out, torch.Tensor) else None


def _checked(setup: Setup, model: nn.Module, what: str) -> Setup:
    """The setup with ``model``, provided it keeps the output shape and clears the M207 measurement."""
    x = sample_input(setup)
    try:
        before, after = _output_shape(setup.fresh_model(), x), _output_shape(model, x)
    except Exception as exc:  # the changed model no longer runs on the sample batch
        raise NotApplicable(f"with {what} the model fails on the sample batch: {type(exc).__name__}: {exc}") from exc
    if before != after:
        raise NotApplicable(f"with {what} the output shape changes from {before} to {after}")
    candidate = derive(setup, model=model)
    if not mixing_cleared(candidate):
        raise NotApplicable(f"with {what} a sample's output still depends on the other samples of its batch")
    return candidate


# -- batch_first ---------------------------------------------------------------------------------
def _fed_batch_first(model: nn.Module, x: Any) -> list[str]:
    """Recurrent/attention layers with ``batch_first=False`` whose input's dim 0 is the batch size (one eval pass on ``x``)."""
    batch = batch_size_of(x)
    seen: dict[str, bool] = {}
    handles = []

    def watch(name: str) -> Callable:
        def hook(module: nn.Module, args: tuple, kwargs: dict) -> None:
            first = args[0] if args else kwargs.get("query", kwargs.get("input"))
            if isinstance(first, torch.Tensor) and first.dim() == 3:
                seen[name] = seen.get(name, True) and first.shape[0] == batch
        return hook

    for name, module in model.named_modules():
        if isinstance(module, SEQUENCE_LAYERS) and not module.batch_first:
            handles.append(module.register_forward_pre_hook(watch(name), with_kwargs=True))
    if not handles:
        return []
    try:
        _output_shape(model, x)
    finally:
        for handle in handles:
            handle.remove()
    return [name for name, first in seen.items() if first]


def _constructor_line(model: nn.Module, name: str) -> str:
    """The layer's constructor with ``batch_first=True``, as the user would write it in ``__init__``."""
    for outer, module in model.named_modules():
        if isinstance(module, TRANSFORMER_LAYERS) and name.startswith(outer + "."):
            return f"nn.{type(module).__name__}(..., batch_first=True)   # the layer that builds {outer}"
    layer = model.get_submodule(name)
    if isinstance(layer, nn.MultiheadAttention):
        return f"self.{name} = nn.MultiheadAttention({layer.embed_dim}, {layer.num_heads}, batch_first=True)"
    return f"self.{name} = nn.{type(layer).__name__}({layer.extra_repr()}, batch_first=True)"


def batch_first_rnn(setup: Setup, finding: Finding) -> list[Candidate]:
    """Set ``batch_first=True`` on the RNN/GRU/LSTM/attention layers fed ``(batch, time, ...)`` inputs."""
    with preserved_rng():  # reading the sample batch (a shuffling loader) and its forwards (dropout) draw
        return _batch_first_rnn(setup)


def _batch_first_rnn(setup: Setup) -> list[Candidate]:
    model = setup.fresh_model()
    x = sample_input(setup)
    try:
        batch_size_of(x)
    except SetupError as exc:
        raise NotApplicable("the inputs have no batch size the layers' inputs can be compared with") from exc
    names = _fed_batch_first(model, x)
    if not names:
        raise NotApplicable("no RNN/GRU/LSTM or attention layer with batch_first=False receives the batch on dim 0")
    for name in names:
        model.get_submodule(name).batch_first = True
    for outer, module in model.named_modules():  # nn.Transformer checks shapes with its own flag
        if isinstance(module, nn.Transformer) and any(n.startswith(outer + ".") for n in names):
            module.batch_first = True
    shown = ", ".join(names)
    candidate = _checked(setup, model, f"batch_first=True on {shown}")
    lines = sorted({_constructor_line(setup.fresh_model(), n) for n in names})
    snippet = "\n".join(["# the inputs are (batch, time, features): tell the sequence layers so", *lines,
                         "# (otherwise they run along the batch and mix the samples)"])
    return [Candidate("batch-first-rnn", f"batch_first=True on {shown}, which receive (batch, time, ...) inputs",
                      candidate, snippet, judged_by="cleared")]


# -- reductions over the batch axis ----------------------------------------------------------------
def _operation(gm: fx.GraphModule, node: fx.Node) -> str | None:
    if node.op == "call_function":
        return FUNCTIONS.get(node.target)
    if node.op == "call_method" and (node.target in SHAPE_KEEPING | REDUCTIONS):
        return str(node.target)
    if node.op == "call_module":
        module = gm.get_submodule(str(node.target))
        if isinstance(module, (nn.Softmax, nn.LogSoftmax, nn.Softmin)):
            return type(module).__name__
    return None


def _input_shape(node: fx.Node) -> tuple[int, ...] | None:
    first = node.args[0] if node.args else None
    meta = first.meta.get("tensor_meta") if isinstance(first, fx.Node) else None
    return tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None


def _dims(gm: fx.GraphModule, node: fx.Node, op: str, ndim: int) -> tuple[Any, str | int | None]:
    """The ``dim`` the node reduces over and where it is given (kwarg name, args index, None when implicit)."""
    if node.op == "call_module":
        return gm.get_submodule(str(node.target)).dim, "module"
    position = DIM_POSITION.get(op, 1)
    if "dim" in node.kwargs:
        dim, where = node.kwargs["dim"], "dim"
    elif len(node.args) > position:
        dim, where = node.args[position], position
    else:
        dim, where = (1 if op == "normalize" else None), None
    if dim is None and op.lower() in IMPLICIT_SOFTMAX:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            dim = F._get_softmax_dim(op.lower(), ndim, 5)
    return dim, where


def _over_batch(dim: Any, ndim: int) -> bool:
    dims = dim if isinstance(dim, (tuple, list)) else (dim,)
    return any(isinstance(d, int) and d % ndim == 0 for d in dims)


def _batch_reductions(gm: fx.GraphModule, batch: int) -> list[tuple[fx.Node, str, Any, Any]]:
    """(node, operation, dim, where) for every softmax/normalisation/reduction over dim 0 of a batch-first tensor."""
    found = []
    for node in gm.graph.nodes:
        op = _operation(gm, node)
        shape = _input_shape(node) if op else None
        if shape is None or len(shape) < 2 or shape[0] != batch:
            continue
        dim, where = _dims(gm, node, op, len(shape))
        if _over_batch(dim, len(shape)):
            found.append((node, op, dim, where))
    return found


def _rewrite(gm: fx.GraphModule, node: fx.Node, op: str, dim: Any, where: Any, ndim: int) -> None:
    """Move ``node``'s dim 0 to the last dim; a reduction keeps its dim, so the statistic broadcasts per sample."""
    last = ndim - 1
    if isinstance(dim, (tuple, list)):
        moved = tuple(dict.fromkeys(last if d % ndim == 0 else d for d in dim))
        new: Any = moved
    else:
        new = -1
    if where == "module":
        gm.get_submodule(str(node.target)).dim = new
        return
    if isinstance(where, int):
        args = list(node.args)
        args[where] = new
        node.args = tuple(args)
    else:
        node.update_kwarg("dim", new)
    if op in REDUCTIONS and len(node.args) <= 2 and not node.kwargs.get("keepdim", False):
        node.update_kwarg("keepdim", True)


def _source_line(node: fx.Node) -> tuple[str, str]:
    """(``file line N``, code) of the user's line that made ``node``, from fx's recorded stack trace."""
    frames = re.findall(r'File "([^"]+)", line (\d+), in \S+\n\s*(.+)', node.stack_trace or "")
    found = [f for f in frames if not f[0].startswith(TORCH_DIR)]
    if not found:
        return f"{node.op} {getattr(node.target, '__name__', node.target)}", ""
    path, line, code = found[-1]
    return f"{path.rsplit('/', 1)[-1]} line {line}", code.strip()


def _snippet_line(node: fx.Node, op: str) -> str:
    where, code = _source_line(node)
    keep = ", keepdim=True" if op in REDUCTIONS else ""
    fixed = re.sub(r"dim\s*=\s*0\b", f"dim=-1{keep}", code) if code else ""
    if fixed and fixed != code:
        return f"{fixed}   # {where}: was dim=0"
    return f"# {where}: {code or op} -> over dim=-1{keep}, not dim 0 (the batch)"


def _traced(model: nn.Module) -> fx.GraphModule:
    tracer = fx.Tracer()
    tracer.record_stack_traces = True
    try:
        graph = tracer.trace(model)
    except Exception as exc:
        raise NotApplicable(f"torch.fx cannot trace the model ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})") from exc
    return fx.GraphModule(tracer.root, graph, type(model).__name__)


def per_sample_normalisation(setup: Setup, finding: Finding) -> list[Candidate]:
    """Move softmax/normalize/mean/sum/... over dim 0 of a batch-first tensor to the last dim (torch.fx rewrite)."""
    with preserved_rng():  # reading the sample batch (a shuffling loader) and its forwards (dropout) draw
        return _per_sample_normalisation(setup)


def _shaped_trace(setup: Setup) -> tuple[fx.GraphModule, int]:
    """A ``torch.fx`` trace of a fresh copy with every node's shape on the sample batch, and that batch's size."""
    x = sample_input(setup)
    if not isinstance(x, torch.Tensor):
        raise NotApplicable("the inputs are not one tensor to trace the model with")
    gm = _traced(setup.fresh_model())
    try:
        gm.eval()
        with preserved_rng(), torch.no_grad():
            ShapeProp(gm).propagate(x)
    except Exception as exc:
        raise NotApplicable(f"the traced model does not run on the sample batch ({type(exc).__name__}: {exc})") from exc
    gm.train()
    return gm, batch_size_of(x)


def _per_sample_normalisation(setup: Setup) -> list[Candidate]:
    gm, batch = _shaped_trace(setup)
    found = _batch_reductions(gm, batch)
    if not found:
        raise NotApplicable("no softmax, normalisation or reduction over dim 0 of a tensor whose dim 0 is the batch")
    tried = [found] + ([[f] for f in found] if len(found) > 1 else [])
    reasons = []
    for chosen in tried:
        try:
            candidates = [_variant(setup, chosen, drop=False)]
        except NotApplicable as exc:
            reasons.append(str(exc))
            continue
        if any(op == "normalize" for _, op, *_ in chosen):
            try:
                candidates.append(_variant(setup, chosen, drop=True))
            except NotApplicable:
                pass  # the per-sample rewrite stands alone
        return candidates
    raise NotApplicable("; ".join(reasons))


def _variant(setup: Setup, chosen: list[tuple[fx.Node, str, Any, Any]], drop: bool) -> Candidate:
    """The model with the ``chosen`` batch reductions moved to the last dim; with ``drop``, an
    ``F.normalize`` over the batch is removed instead (a rescaling of inputs the trials may show
    the model does better without, rather than normalising each row)."""
    rewritten = _traced(setup.fresh_model())
    by_name = {n.name: n for n in rewritten.graph.nodes}
    for node, op, dim, where in chosen:
        target = by_name[node.name]
        if drop and op == "normalize":
            target.replace_all_uses_with(target.args[0])
            rewritten.graph.erase_node(target)
        else:
            _rewrite(rewritten, target, op, dim, where, len(_input_shape(node) or ()))
    rewritten.graph.lint()
    rewritten.recompile()
    shown = "; ".join(" ".join(_source_line(node)).strip() for node, *_ in chosen)
    what = "without the normalize over the batch" if drop else "over the last dim instead of dim 0"
    candidate = _checked(setup, rewritten, f"{shown} {what}")
    lines = ["# a reduction over dim 0 (the batch) makes each output depend on the other samples: keep samples apart"]
    for node, op, _, _ in chosen:
        if drop and op == "normalize":
            where, code = _source_line(node)
            lines.append(f"# {where}: remove `{code or 'F.normalize(..., dim=0)'}` (scale the inputs with "
                         "training-split statistics before the model instead)")
        else:
            lines.append(_snippet_line(node, op))
    title = f"{shown}: " + ("remove the normalize over the batch" if drop else "over the last dim instead of the batch")
    return Candidate("per-sample-normalisation", title, candidate, "\n".join(lines), judged_by="cleared")


# -- a view that swapped two axes -------------------------------------------------------------------
def swapped_leading_axes(x: torch.Tensor) -> torch.Tensor:
    """``x`` with its first two axes swapped, laid out anew (what ``view(b, a, ...)`` of an ``(a, b, ...)`` was meant
    to give)."""
    return x.transpose(0, 1).contiguous()


def _axis_swapping_views(gm: fx.GraphModule, batch: int) -> list[fx.Node]:
    """``view``/``reshape`` nodes whose output has the input's first two sizes swapped, one of them the batch, and its
    other sizes kept: a reshape where a transpose was meant, which interleaves the samples' values."""
    found = []
    for node in gm.graph.nodes:
        viewing = (node.op == "call_method" and node.target in ("view", "reshape")) or \
            (node.op == "call_function" and node.target is torch.reshape)
        meta = node.meta.get("tensor_meta") if viewing else None
        before = _input_shape(node) if viewing else None
        after = tuple(meta.shape) if meta is not None and hasattr(meta, "shape") else None
        if before is None or after is None or len(before) < 2 or len(after) != len(before) or before[0] == before[1]:
            continue
        if batch in before[:2] and after[:2] == (before[1], before[0]) and after[2:] == before[2:]:
            found.append(node)
    return found


def transpose_not_view(setup: Setup, finding: Finding) -> list[Candidate]:
    """M207: a ``view``/``reshape`` that swapped the batch and another axis becomes a transpose (torch.fx rewrite)."""
    with preserved_rng():  # reading the sample batch and its forwards draw
        gm, batch = _shaped_trace(setup)
        found = _axis_swapping_views(gm, batch)
        if not found:
            raise NotApplicable("no view or reshape that swaps the batch axis with another one")
        for node in found:
            with gm.graph.inserting_after(node):
                swapped = gm.graph.call_function(swapped_leading_axes, (node.args[0],))
            node.replace_all_uses_with(swapped)
            gm.graph.erase_node(node)
        gm.graph.lint()
        gm.recompile()
        shown = "; ".join(" ".join(_source_line(node)).strip() for node in found)
        candidate = _checked(setup, gm, f"{shown} as a transpose")
    lines = ["# view/reshape keeps the memory order: asked for (b, a, ...) of (a, b, ...) it interleaves the samples"]
    for node in found:
        where, code = _source_line(node)
        lines.append(f"# {where}: {code or 'x.view(...)'}")
        lines.append("x = x.transpose(0, 1)   # swap the axes instead (.contiguous() before a later .view)")
    return [Candidate("transpose-not-view", f"{shown}: transpose(0, 1) instead of a view that swaps the batch axis",
                      candidate, "\n".join(lines), judged_by="cleared")]
