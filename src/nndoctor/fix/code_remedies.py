"""Remedies for bugs in the model's own code: a wrong hand-written backward (M208) and a cut
gradient path (M209).

Both build the candidate from a deep copy of the model and never change the user's model or
classes for longer than one forward of the candidate: ``autograd-forward`` wraps the copy so that
during its forward the custom Functions whose backward disagrees with autograd through their own
forward (on the inputs a forward of the sample batch gives them) are differentiated through that
forward (their ``apply`` is swapped and always restored); ``gradient-path`` rewrites a
``torch.fx`` trace of the copy (``.detach()`` dropped, rounding made straight-through, only where
the gradient-less parameters need it). Each checks on a sample batch that the change does what it
claims, else :class:`NotApplicable`.
These are bugs, so the candidates are judged by whether the finding's own check clears.
"""
from __future__ import annotations

import copy
import inspect
import re
import textwrap
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

import torch
from torch import fx, nn

from ..findings import Finding
from ..probes.custom_functions import custom_functions, function_name
from ..setup import LossUnavailable, Setup, primary_output
from ..verdicts.layers import GRADIENT_ATOL, GRADIENT_RTOL
from .candidate import Candidate
from .transforms import NotApplicable, derive, sample_batch
from .wrappers import GradBlocksLifted

FunctionClass = type[torch.autograd.Function]
ApplyFactory = Callable[[FunctionClass, Any], classmethod]


# -- M208: differentiate custom Functions through their forward ---------------------------------
class _StubContext:
    """The ctx a custom Function's forward may use, so the forward can run outside ``Function.apply``.

    Saving tensors and marking them is only bookkeeping for a backward that will not run;
    outputs marked non-differentiable are detached, as ``apply`` would leave them.
    """

    def __init__(self, args: Sequence[Any]) -> None:
        self.needs_input_grad = tuple(isinstance(a, torch.Tensor) and a.requires_grad for a in args)
        self.saved_tensors: tuple[Any, ...] = ()
        self.non_differentiable: set[int] = set()
        self.materialize_grads = True

    def save_for_backward(self, *tensors: Any) -> None:
        self.saved_tensors = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        """Forward-mode AD bookkeeping: nothing to keep."""

    def mark_dirty(self, *tensors: Any) -> None:
        """In-place outputs: autograd records the in-place op itself."""

    def mark_non_differentiable(self, *tensors: Any) -> None:
        self.non_differentiable.update(id(t) for t in tensors)

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = bool(value)


def _has_setup_context(fn: FunctionClass) -> bool:
    """New-style Functions (``setup_context`` defined) have a forward without ctx."""
    return fn.setup_context is not torch.autograd.Function.setup_context


def _detach_marked(output: Any, marked: set[int]) -> Any:
    if isinstance(output, torch.Tensor):
        return output.detach() if id(output) in marked else output
    if isinstance(output, tuple):
        return tuple(_detach_marked(o, marked) for o in output)
    return output


def run_forward(fn: FunctionClass, args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """``fn``'s forward called directly, so autograd records its operations (the hand-written backward is never used)."""
    if _has_setup_context(fn):
        return fn.forward(*args, **kwargs)
    ctx = _StubContext(args)
    return _detach_marked(fn.forward(ctx, *args, **kwargs), ctx.non_differentiable)


def _through_forward(fn: FunctionClass, original: Any) -> classmethod:
    """An ``apply`` for ``fn`` that runs its forward under autograd; subclasses not flagged keep the original."""

    def apply(cls: FunctionClass, *args: Any, **kwargs: Any) -> Any:
        if cls is not fn:
            return original.__get__(None, cls)(*args, **kwargs)
        return run_forward(cls, args, kwargs)

    return classmethod(apply)


def _recording(calls: dict[FunctionClass, tuple[tuple[Any, ...], dict[str, Any]]]) -> ApplyFactory:
    """An ``apply`` factory that keeps the first inputs each Function gets in ``calls`` and then runs the original."""

    def make(fn: FunctionClass, original: Any) -> classmethod:
        def apply(cls: FunctionClass, *args: Any, **kwargs: Any) -> Any:
            if cls is fn:
                calls.setdefault(fn, (args, kwargs))
            return original.__get__(None, cls)(*args, **kwargs)

        return classmethod(apply)

    return make


_ABSENT = object()


def forward_differentiated(functions: Iterable[FunctionClass]) -> AbstractContextManager[None]:
    """While inside, ``Fn.apply`` of each of ``functions`` differentiates ``Fn.forward`` by autograd; restored on exit."""
    return patched_apply(functions, _through_forward)


@contextmanager
def patched_apply(functions: Iterable[FunctionClass], make: ApplyFactory) -> Iterator[None]:
    """While inside, each of ``functions`` has ``make(fn, original apply)`` as its ``apply``; its own restored on exit."""
    saved: list[tuple[FunctionClass, Any]] = []
    try:
        for fn in functions:
            saved.append((fn, fn.__dict__.get("apply", _ABSENT)))
            fn.apply = make(fn, inspect.getattr_static(fn, "apply"))  # type: ignore[method-assign]
        yield
    finally:
        for fn, own in reversed(saved):
            if own is _ABSENT:
                delattr(fn, "apply")  # back to the inherited Function.apply
            else:
                fn.apply = own  # type: ignore[method-assign]


class ForwardDifferentiated(nn.Module):
    """``model`` whose flagged custom Functions are differentiated through their forward during each call."""

    def __init__(self, model: nn.Module, functions: Sequence[FunctionClass]) -> None:
        super().__init__()
        self.model = model
        self.functions = tuple(functions)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        with forward_differentiated(self.functions):
            return self.model(*args, **kwargs)


def _graph_input(setup: Setup) -> Any:
    """A sample batch's inputs, floating ones requiring grad so Functions applied to the input show in the graph."""
    x, _ = sample_batch(setup)
    if isinstance(x, torch.Tensor) and x.is_floating_point():
        return x.detach().clone().requires_grad_(True)
    return x


def functions_to_replace(setup: Setup, finding: Finding) -> list[FunctionClass]:
    """The custom Functions a forward of the sample batch runs (narrowed to those the finding names, if it names any)
    whose backward disagrees with autograd through their forward on the inputs that forward gave them."""
    model = setup.fresh_model().eval()
    x = _graph_input(setup)
    with torch.enable_grad():
        output = primary_output(setup.forward(model, x))
    found = custom_functions(output) if output is not None else []
    named = (finding.evidence or {}).get("custom_functions") if finding is not None else None
    if named:
        found = [f for f in found if function_name(f) in set(named)]
    calls: dict[FunctionClass, tuple[tuple[Any, ...], dict[str, Any]]] = {}
    with torch.enable_grad(), patched_apply(found, _recording(calls)):
        setup.forward(model, x)
    agree = [f for f in found if f in calls and backward_agrees(f, *calls[f])]
    if found and len(agree) == len(found):
        raise NotApplicable(f"the backward of {', '.join(f.__qualname__ for f in found)} agrees with autograd through its "
                            "forward on the inputs it gets: the mismatch comes from elsewhere")
    return [f for f in found if f not in agree]


def _projected_gradients(output: Any, leaves: Sequence[torch.Tensor]) -> list[torch.Tensor]:
    """Gradients of a seeded random projection of ``output``'s floating tensors w.r.t. ``leaves`` (zeros where unused)."""
    outputs = [o for o in (output if isinstance(output, tuple) else (output,))
               if isinstance(o, torch.Tensor) and o.is_floating_point() and o.requires_grad]
    if not outputs:
        return [torch.zeros_like(leaf) for leaf in leaves]
    generator = torch.Generator().manual_seed(0)
    total = sum((o * torch.randn(o.shape, generator=generator, dtype=o.dtype).to(o.device)).sum() for o in outputs)
    grads = torch.autograd.grad(total, list(leaves), allow_unused=True)
    return [torch.zeros_like(leaf) if g is None else g for g, leaf in zip(grads, leaves)]


def backward_agrees(fn: FunctionClass, args: Sequence[Any], kwargs: dict[str, Any]) -> bool:
    """Whether ``fn``'s hand-written backward gives autograd's gradient of its forward on ``args`` (float64, M208's
    tolerance). False when that cannot be told (the forward fails in float64 or under autograd): replace it then."""
    inputs = [a.detach().double().requires_grad_(True) if isinstance(a, torch.Tensor) and a.is_floating_point() else a
              for a in args]
    leaves = [a for a in inputs if isinstance(a, torch.Tensor) and a.requires_grad]
    if not leaves:
        return True
    try:
        with torch.enable_grad():
            written = _projected_gradients(fn.apply(*inputs, **kwargs), leaves)
            derived = _projected_gradients(run_forward(fn, inputs, kwargs), leaves)
    except Exception:  # noqa: BLE001 - a forward that cannot run in float64 or under autograd: cannot tell, so replace
        return False
    return all(torch.allclose(w, d, rtol=GRADIENT_RTOL, atol=GRADIENT_ATOL) for w, d in zip(written, derived))


def _forward_source(fn: FunctionClass) -> str:
    try:
        source = textwrap.dedent(inspect.getsource(fn.forward)).strip().splitlines()
    except (OSError, TypeError):
        return ""
    return "\n".join("#     " + line for line in source[:12] if not line.lstrip().startswith("@"))


def _check_same_forward(setup: Setup, wrapped: nn.Module, functions: Sequence[FunctionClass]) -> None:
    """The wrapped copy must give the same outputs and carry no flagged Function in its graph, else NotApplicable."""
    x = _graph_input(setup)
    reference, probe = setup.fresh_model().eval(), copy.deepcopy(wrapped).eval()
    try:
        with torch.enable_grad():
            before, after = primary_output(reference(x)), primary_output(probe(x))
    except Exception as exc:  # the forward needs something of apply's ctx the stub lacks, or fails under autograd
        raise NotApplicable(f"the Function's forward cannot run outside Function.apply: {type(exc).__name__}: {exc}") from exc
    if before is None or after is None or before.shape != after.shape or not torch.allclose(before, after, equal_nan=True):
        raise NotApplicable("differentiating the Function through its forward changes the model's outputs")
    if set(custom_functions(after)) & set(functions):
        raise NotApplicable("the Function still appears in the autograd graph (it is applied outside the model's forward)")
    if not after.requires_grad:
        raise NotApplicable("the Function's forward is not differentiable by autograd (no gradient flows through it)")


def autograd_forward(setup: Setup, finding: Finding) -> list[Candidate]:
    """M208: differentiate the flagged custom Function(s) by autograd through their own forward instead of their backward."""
    functions = functions_to_replace(setup, finding)
    if not functions:
        raise NotApplicable("no custom autograd Function runs in the model's forward: the mismatch is not a hand-written backward")
    model = ForwardDifferentiated(setup.fresh_model(), functions)
    _check_same_forward(setup, model, functions)
    names = [f.__qualname__ for f in functions]
    lines = []
    for fn, name in zip(functions, names):
        lines.append(f"# {name}.backward disagrees with finite differences of {name}.forward: fix {name}.backward,")
        lines.append("# or drop the Function and write its forward with torch ops, which autograd differentiates:")
        source = _forward_source(fn)
        if source:
            lines.append(source)
        lines.append(f"# y = {name}.apply(x)   ->   y = the forward's torch ops on x (no ctx, no custom backward)")
    return [Candidate("autograd-forward", f"differentiate {', '.join(names)} by autograd through its forward instead of its "
                      "hand-written backward", derive(setup, model=model), "\n".join(lines), judged_by="cleared")]


# -- M209: a gradient path through detach and rounding -------------------------------------------
ROUNDING = ("round", "floor", "ceil", "trunc", "sign")
ROUNDING_FUNCTIONS = {getattr(torch, n) for n in ROUNDING} | {getattr(torch.Tensor, n) for n in ROUNDING}
DETACH_FUNCTIONS = {torch.detach, torch.Tensor.detach}


def straight_through(x: Any, rounded: Any) -> Any:
    """``rounded`` in the forward pass (exactly: ``x - x.detach()`` is zero), the identity's gradient to ``x`` backward."""
    if not (isinstance(x, torch.Tensor) and isinstance(rounded, torch.Tensor) and x.is_floating_point()
            and rounded.is_floating_point() and rounded.shape == x.shape):
        return rounded
    return rounded + (x - x.detach())


@dataclass(frozen=True)
class Cut:
    """One cut of the gradient path: its number in graph order, what it is (``detach`` or a rounding op) and where it
    sits in the user's code."""

    index: int
    op: str
    source: str


def _cut_kind(node: fx.Node) -> str | None:
    """``"detach"``, ``"data"`` (a tensor's ``.data``, a parameter's included: its value without a gradient path), a
    rounding op's name, or None for a node this remedy leaves alone."""
    if not node.args or not isinstance(node.args[0], fx.Node):
        return None
    if node.op == "call_method" and node.target == "detach" or node.op == "call_function" and node.target in DETACH_FUNCTIONS:
        return "detach"
    if node.op == "call_function" and node.target is getattr and node.args[1:] == ("data",):
        return "data"
    if node.op == "call_method" and node.target in ROUNDING:
        return str(node.target)
    if node.op == "call_function" and node.target in ROUNDING_FUNCTIONS:
        return str(getattr(node.target, "__name__", node.target))
    return None


def _user_line(node: fx.Node) -> str:
    """The user's source line the node was traced from (first frame of its recorded stack), or the node's name."""
    match = re.search(r'File "([^"]+)", line (\d+), in (\w+)\n\s+(.+)', node.stack_trace or "")
    if not match:
        return f"{node.name} in forward()"
    path, line, function, code = match.groups()
    return f"{code.strip()}   ({path.rsplit('/', 1)[-1]}:{line}, in {function})"


def no_grad_value(value: Any) -> Any:
    """What an operation run under ``torch.no_grad()`` gives: its value without a gradient path."""
    return value.detach() if isinstance(value, torch.Tensor) else value


class _GradModeTracer(fx.Tracer):
    """A tracer that records the user's source lines and which nodes were traced with grad mode off."""

    def __init__(self) -> None:
        super().__init__()
        self.record_stack_traces = True
        self.without_grad: list[fx.Node] = []

    def create_node(self, *args: Any, **kwargs: Any) -> fx.Node:
        node = super().create_node(*args, **kwargs)
        if not torch.is_grad_enabled() and node.op not in ("placeholder", "output", "get_attr"):
            self.without_grad.append(node)
        return node


def _keep_no_grad(graph: fx.Graph, nodes: Sequence[fx.Node]) -> None:
    """fx drops ``torch.no_grad()`` blocks: cut the gradient after each node traced inside one, as the block did."""
    for node in nodes:
        with graph.inserting_after(node):
            cut = graph.call_function(no_grad_value, (node,))
        node.replace_all_uses_with(cut, delete_user_cb=lambda user, keep=cut: user is not keep)


def trace(model: nn.Module) -> fx.GraphModule:
    """``torch.fx`` trace of ``model``, the user's source lines and ``torch.no_grad()`` blocks kept; NotApplicable when
    it cannot be traced."""
    tracer = _GradModeTracer()
    try:
        with torch.enable_grad():
            graph = tracer.trace(model)
    except Exception as exc:  # data-dependent control flow, unsupported Python: torch.fx cannot express it
        raise NotApplicable(f"the model cannot be traced by torch.fx ({type(exc).__name__}: {str(exc)[:160]})") from exc
    _keep_no_grad(graph, tracer.without_grad)
    return fx.GraphModule(tracer.root, graph, type(model).__name__)


def open_gradient_path(module: fx.GraphModule, keep: Collection[int] = ()) -> list[Cut]:
    """Drop ``.detach()`` and ``.data`` nodes and make rounding straight-through in ``module``'s graph, except the cuts
    numbered in ``keep``; the cuts rewritten."""
    graph, cuts = module.graph, []
    found = [(node, kind) for node in graph.nodes if (kind := _cut_kind(node)) is not None]
    for index, (node, kind) in enumerate(found):
        if index in keep:
            continue
        cuts.append(Cut(index, kind, _user_line(node)))
        if kind in ("detach", "data"):
            node.replace_all_uses_with(node.args[0])
            graph.erase_node(node)
            continue
        with graph.inserting_after(node):
            passed = graph.call_function(straight_through, (node.args[0], node))
        node.replace_all_uses_with(passed, delete_user_cb=lambda user, keep=passed: user is not keep)
    graph.lint()
    module.recompile()
    return cuts


def _gradients(setup: Setup, model: nn.Module, batch: tuple[Any, Any]) -> tuple[torch.Tensor | None, dict[str, torch.Tensor | None]]:
    """Output and parameter gradients of ``model`` (eval mode, a copy) on ``batch`` under the setup's loss."""
    model = copy.deepcopy(model).eval()
    x, y = batch
    try:
        with torch.enable_grad():
            output = setup.forward(model, x)  # several positional inputs, or keyword batches, as the setup feeds them
            setup.compute_loss(output, y).backward()
    except LossUnavailable as exc:
        raise NotApplicable(f"the loss cannot be computed on a sample batch: {exc}") from exc
    grads = {n: None if p.grad is None else p.grad.detach() for n, p in model.named_parameters() if p.requires_grad}
    primary = primary_output(output)
    return (primary.detach() if primary is not None else None), grads


def _same(a: torch.Tensor | None, b: torch.Tensor | None) -> bool:
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(torch.allclose(a, b, rtol=1e-5, atol=1e-6, equal_nan=True))


def _check_faithful(setup: Setup, model: nn.Module, traced: fx.GraphModule, batch: tuple[Any, Any]) -> None:
    """The plain trace must compute the same outputs and gradients as the model before anything is rewritten."""
    out, grads = _gradients(setup, model, batch)
    try:
        out_traced, grads_traced = _gradients(setup, traced, batch)
    except NotApplicable:
        raise
    except Exception as exc:  # the trace has the class's forward signature, not an adapted one (dict batches)
        raise NotApplicable(f"the torch.fx trace cannot run on a sample batch ({type(exc).__name__}: {exc})") from exc
    if not _same(out, out_traced):
        raise NotApplicable("the torch.fx trace computes different outputs from the model's forward")
    if any(not _same(g, grads[n]) for n, g in grads_traced.items() if n in grads):
        raise NotApplicable("the torch.fx trace differentiates differently from the model (an in-place write through "
                            ".data in forward?); change the code by hand")


def _no_gradient(grad: torch.Tensor | None) -> bool:
    return grad is None or not bool(grad.abs().sum() > 0)


def _gradientless(finding: Finding, grads: dict[str, torch.Tensor | None]) -> list[str]:
    """Parameters the finding names (those the model has) as getting no (or a stuck-zero) gradient; else those whose
    gradient on the sample batch is None or exactly zero."""
    evidence = (finding.evidence or {}) if finding is not None else {}
    named = [n for n in list(evidence.get("no_grad") or []) + list(evidence.get("zero_grad") or []) if n in grads]
    return named or [n for n, g in grads.items() if _no_gradient(g)]


def _unused_message(unused: Sequence[str]) -> str:
    shown = ", ".join(unused[:6]) + (" …" if len(unused) > 6 else "")
    return (f"the parameters {shown} are never reached by the forward (an unused module): nothing to rewrite; remove "
            "the module, or set requires_grad=False on its parameters")


def gradient_path(setup: Setup, finding: Finding) -> list[Candidate]:
    """M209: reopen the gradient path: drop ``.detach()`` and ``.data``, straight-through gradients for
    round/floor/ceil/trunc/sign."""
    model, batch = setup.fresh_model(), sample_batch(setup)
    _, grads = _gradients(setup, model, batch)
    targets = _gradientless(finding, grads)
    if not targets:
        raise NotApplicable("every trainable parameter gets a gradient: there is no cut path to reopen")
    traced = trace(copy.deepcopy(model))
    present = dict(traced.named_parameters())
    unused = [n for n in targets if n not in present]
    reachable = [n for n in targets if n in present]
    if not reachable:
        raise NotApplicable(_unused_message(unused))
    _check_faithful(setup, model, traced, batch)
    cuts = open_gradient_path(traced)
    if not cuts:
        raise NotApplicable("no .detach(), .data or round/floor/ceil/trunc/sign in the traced forward to rewrite"
                            + (f"; {_unused_message(unused)}" if unused else ""))
    still = _without_gradient(setup, traced, batch, reachable)
    if still:
        raise NotApplicable(f"after the rewrite {', '.join(still[:6])} still get no gradient (another cut: argmax, "
                            "integer casts, comparisons): change the code by hand")
    traced, cuts = _fewest_cuts(setup, model, batch, reachable, cuts)
    return [Candidate("gradient-path", _title(cuts, unused), derive(setup, model=traced), _snippet(cuts), judged_by="cleared")]


def _without_gradient(setup: Setup, module: nn.Module, batch: tuple[Any, Any], names: Sequence[str]) -> list[str]:
    """Those of ``names`` whose gradient on ``batch`` is None or exactly zero."""
    _, grads = _gradients(setup, module, batch)
    return [n for n in names if _no_gradient(grads.get(n))]


def _fewest_cuts(setup: Setup, model: nn.Module, batch: tuple[Any, Any], names: Sequence[str],
                 cuts: Sequence[Cut]) -> tuple[fx.GraphModule, list[Cut]]:
    """Rewrite only the cuts ``names`` need: a ``.detach()`` or rounding off their path (a logged value, a target) stays."""
    keep: set[int] = set()
    for cut in cuts:
        module = trace(copy.deepcopy(model))
        open_gradient_path(module, keep | {cut.index})
        if not _without_gradient(setup, module, batch, names):
            keep.add(cut.index)
    module = trace(copy.deepcopy(model))
    return module, open_gradient_path(module, keep)


def _title(cuts: Sequence[Cut], unused: Sequence[str]) -> str:
    detached = sum(c.op == "detach" for c in cuts)
    data = sum(c.op == "data" for c in cuts)
    rounding = sorted({c.op for c in cuts if c.op not in ("detach", "data")})
    parts = ([f"drop {detached} .detach()"] if detached else []) + ([f"drop {data} .data"] if data else []) + (
        [f"straight-through gradients for {'/'.join(rounding)}"] if rounding else [])
    tail = f" (unused parameters left out: {', '.join(unused[:3])})" if unused else ""
    return "reopen the gradient path: " + " and ".join(parts) + tail


def _snippet(cuts: Sequence[Cut]) -> str:
    lines = []
    for cut in cuts:
        lines.append(f"# {cut.source}")
        if cut.op == "detach":
            lines.append("#   -> drop the .detach() (or torch.detach): the gradient must pass to the layers before it")
        elif cut.op == "data":
            lines.append("#   -> use the tensor itself, not its .data: .data carries no gradient back to it")
        else:
            lines.append(f"#   -> straight-through {cut.op}: same forward value, the identity's gradient backward")
            lines.append(f"y = x + (torch.{cut.op}(x) - x).detach()   # instead of torch.{cut.op}(x)")
    return "\n".join(lines)



# -- M209: a torch.no_grad() block inside forward -----------------------------------------------------
GRAD_BLOCK_LINE = re.compile(r"no_grad\(|inference_mode\(|set_grad_enabled\(\s*False")


def grad_block_lines(model: nn.Module) -> list[str]:
    """The lines of the model's own forward() methods (not torch's) that open a no-grad block, as ``file:line: code``."""
    lines, seen = [], set()
    for module in model.modules():
        cls = type(module)
        forward = cls.__dict__.get("forward")
        if forward is None or cls in seen or cls.__module__.startswith("torch."):
            continue
        seen.add(cls)
        try:
            source, first = inspect.getsourcelines(forward)
            path = inspect.getsourcefile(forward) or "?"
        except (OSError, TypeError):
            continue
        for offset, line in enumerate(source):
            if GRAD_BLOCK_LINE.search(line):
                lines.append(f"{path.rsplit('/', 1)[-1]}:{first + offset}: {line.strip()}")
    return lines


def lift_no_grad(setup: Setup, finding: Finding) -> list[Candidate]:
    """M209: the layers a ``torch.no_grad()`` / ``inference_mode()`` block in forward() encloses, trained again.

    Applicable when parameters without a gradient on a sample batch get one once such blocks are lifted, which
    torch.fx cannot show (it drops the blocks, and models returning dicts or branching on inputs do not trace).
    """
    model, batch = setup.fresh_model(), sample_batch(setup)
    _, grads = _gradients(setup, model, batch)
    targets = _gradientless(finding, grads)
    if not targets:
        raise NotApplicable("every trainable parameter gets a gradient: there is no cut path to reopen")
    lifted = GradBlocksLifted(model)
    _, after = _gradients(setup, lifted, batch)
    # by the setup model's own names (a captured script's model may sit inside an adapter the finding's names omit)
    reopened = [n for n, g in grads.items() if _no_gradient(g) and not _no_gradient(after.get(f"model.{n}"))]
    if not reopened:
        raise NotApplicable("no torch.no_grad()/inference_mode() block inside forward() cuts their gradient")
    lines = grad_block_lines(model)
    shown = ", ".join(reopened[:3]) + (" …" if len(reopened) > 3 else "")
    snippet = "\n".join([f"# {line}" for line in lines[:4]] + [
        "#   -> drop the `with torch.no_grad():` (or inference_mode) around layers that train; keep it only for",
        "#      evaluation, outside forward()"])
    return [Candidate("lift-no-grad", f"run forward() without its no-grad block ({len(reopened)} parameter(s) train again: {shown})",
                      derive(setup, model=lifted), snippet, judged_by="cleared")]
