"""The ``watch`` context manager and the Doctor that records a live training loop.

``with nndoctor.watch(model, optimizer) as doctor:`` watches the model and optimizer(s)
for as long as the block runs, through the hub's global hooks: nothing is stored on the
user's objects, so pickling, deepcopy, ``state_dict`` and compilation see them unchanged.
Every unsampled step costs only O(1) Python bookkeeping and a reference to the loss
tensor; every ``every`` steps one sampled iteration measures gradients, update ratios,
activations and batch statistics on the device and reads them in one transfer. A loop
that updates the weights by hand (no optimizer) is stepped by those updates, seen from
the parameters' version counters. ``doctor.findings()`` / ``doctor.report()`` turn the
telemetry into Findings.
"""
from __future__ import annotations

import functools
import math
import time
import traceback
import weakref
from typing import Any, Sequence

import torch
from torch import nn

from ..findings import Finding
from ..probes.layer_stats import WEIGHT_LAYERS, has_activation_module, input_batchnorm, input_spread, is_unit_weight
from ..record.measure import (
    embedding_tables, grad_norms, snapshot, total_grad_norm, total_norm, update_norms, update_ratio,
)
from ..report import Report
from . import hub
from .monitors import (
    Hooks, activation_hooks, feature_stats, first_float_tensor, guard, input_stats, is_compiled,
    mode_dependent_modules, nonfinite_hooks, same_parameters, score_batch, weight_input_hooks,
)
from .graph import derived_from, graph_leaves, log_likelihood_sign, summed_rows
from .loss_inspect import REGRESSION, mean_loss, target_moments, terms_weighted
from .eval_record import EvalRecord, final_accuracy
from .hand_update import HandUpdate
from .registration import plain_container_holders
from .telemetry import CLASS_LOSSES, LossCall, Telemetry

DEFAULT_EVERY = 50
EARLY_SAMPLES = (1, 2, 4, 8, 16)
FEATURE_SAMPLES = 8
INSPECTED_LOSS_CALLS = 3
EVAL_TARGET_CALLS = 8  # evaluation calls of a regression loss whose targets' moments are kept
# Regression target rows kept for the best constant's loss (G602): a bounded sample, however long the run.
TARGET_ROWS_KEPT = 4096
# Regression targets kept for the batch-content measurement (O407, G602): 2**20 elements, 4 MiB of float32.
CONTENT_ELEMENTS = 1 << 20
MAX_INTERNAL_ERRORS = 20
# The autograd graph is walked on the first sampled backward passes to see which parameters the loss trains,
# and again after each new optimizer (a second stage: a head swapped in after its optimizer was built).
GRAPH_WALKS = 2


def _as_list(value: Any) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def _has_closure(optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> bool:
    """Whether ``optimizer.step`` was given a closure (the hook's args start with the optimizer itself)."""
    rest = [a for a in args if a is not optimizer]
    return callable(kwargs.get("closure")) or any(callable(a) for a in rest)


def _to_host(tensors: list[torch.Tensor]) -> list[list[float]]:
    """Each of ``tensors`` (1-D float) as a list of floats, with one device-to-host copy per device (not one per tensor)."""
    by_device: dict[torch.device, list[int]] = {}
    for i, tensor in enumerate(tensors):
        by_device.setdefault(tensor.device, []).append(i)
    out: list[list[float]] = [[] for _ in tensors]
    for indices in by_device.values():
        flat = torch.cat([tensors[i].detach().reshape(-1).float() for i in indices]).cpu().tolist()
        position = 0
        for i in indices:
            size = tensors[i].numel()
            out[i] = flat[position:position + size]
            position += size
    return out


class Doctor:
    """Records one training loop (one or several models and optimizers) and diagnoses it.

    ``alerts=True`` prints each new warning-or-worse finding once to stderr while the loop
    runs; ``alerts=False`` keeps it silent (programmatic use). Findings are plain
    :class:`~nndoctor.Finding` objects from :meth:`findings`.
    """

    def __init__(
        self,
        model: nn.Module | Sequence[nn.Module] | None = None,
        optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer] | None = None,
        every: int = DEFAULT_EVERY,
        alerts: bool = True,
        name: str = "watch",
        stream: Any = None,
    ) -> None:
        self.every = max(1, int(every))
        self.name = name
        self.telemetry = Telemetry(every=self.every)
        self.models: list[nn.Module] = []
        self.optimizers: list[torch.optim.Optimizer] = []
        self.active = False
        self.started_at = time.perf_counter()
        self.duration_s = 0.0
        self._alerts = None
        if alerts:
            from ..render.alerts import AlertPrinter

            self._alerts = AlertPrinter(stream=stream)
        self._hooks = Hooks()
        self._sample_hooks = Hooks()
        self._forensic_hooks = Hooks()
        self._given_models = _as_list(model)
        self._given_optimizers = _as_list(optimizer)
        self._params: dict[int, tuple[str, nn.Parameter]] = {}
        self._mode_models: list[nn.Module] = []
        self._mode_modules: dict[int, list[nn.Module]] = {}  # per mode model: its dropout and batch-norm layers
        # per module of a mode model's class: its dropout and batch-norm layers when it is a copy of that model, else []
        self._copy_modes: weakref.WeakKeyDictionary[nn.Module, list[nn.Module]] = weakref.WeakKeyDictionary()
        self._iteration = 0
        self._sampling = "heavy"
        self._primary: int | None = None
        self._steps_since_primary: dict[int, int] = {}  # per other optimizer: its steps since the primary's last
        self._roots: list[torch.Tensor] = []
        self._backward_count = 0
        self._backwards_before_step = 0
        self._backward_at_step: dict[int, int] = {}
        self._untouched_at_backward: dict[int, bool] = {}
        self._zeroed_after_backward: dict[int, bool] = {}
        self._cleared: dict[int, bool] = {}
        self._probe: dict[int, tuple[nn.Parameter, Any, int]] = {}
        self._before: dict[int, list[tuple[str, torch.Tensor, nn.Parameter]]] = {}
        self._stash: list[tuple[str, str, int, Any]] = []
        self._loss_inspected: dict[str, int] = {}
        self._last_train_loss: torch.Tensor | None = None
        self._loss_reductions: dict[str, str] = {}
        self._eval_loss_kwargs: dict[str, Any] = {}
        self.evaluation = EvalRecord()  # what the loop's evaluation passes showed (held-out evidence)
        self._train_counts: list[torch.Tensor] = []
        self._forensics = 0
        self._finished = False
        self._initial_fingerprint: dict[str, tuple[float, float]] = {}
        self._n_outputs: int | None = None
        self._initial_optimizers: list[dict[str, Any]] = []
        self._compiled: list[nn.Module] = []
        self._loss_outputs: list[torch.Tensor] = []
        self._trained_forwards: set[int] = set()  # ids of the watched models run with gradients since the last backward
        self._sum_kwargs: dict[str, Any] | None = None  # the current training loss call's kwargs, when it reduces by 'sum'
        self._summed: torch.Tensor | None = None  # its output
        self._forward_rows: int | None = None  # leading size of the last training forward's input
        self._consumed_backwards = 0
        self._in_step: int | None = None
        self._closure_step = False
        self._clipped_step = False
        self._graph_walks = 0
        self.hand_update = HandUpdate()  # a loop that updates the weights by hand: its probes, LR and T501
        self._stepped_since_backward = False
        self._losses_checked = 0
        self._model_optimizers: dict[tuple[int, int], list[int]] = {}
        self.distributed: tuple[int, int] | None = None
        self._loss_inspected_eval = False

    # -- lifecycle ------------------------------------------------------------------
    def __enter__(self) -> "Doctor":
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> bool:
        if exc is not None:
            self.telemetry.exception = "".join(traceback.format_exception_only(exc_type, exc)).strip()
        self.stop()
        if exc is not None:
            from .tracebacks import clean_traceback

            clean_traceback(exc)  # the user's traceback carries on without nndoctor's frames
        return False

    def start(self) -> "Doctor":
        """Install the hooks (idempotent)."""
        if self.active:
            return self
        self.active = True
        self.started_at = time.perf_counter()
        self.telemetry.seeded = self.telemetry.seeded or torch.initial_seed() < 2**32
        from . import live_rules  # noqa: F401  (imported now so the first sample point pays no import)

        hub.activate(self)
        for model in self._given_models:
            self.adopt_model(model)
        for optimizer in self._given_optimizers:
            self.adopt_optimizer(optimizer, find_models=not self._given_models)
        return self

    def stop(self) -> None:
        """Remove every hook and patch; finish the telemetry. Safe to call twice."""
        if not self.active:
            return
        self.active = False
        try:
            self._finish()
        except Exception as exc:
            self.internal_error("finish", exc)
        finally:
            self._sample_hooks.remove()
            self._forensic_hooks.remove()
            self._hooks.remove()
            hub.deactivate(self)
            self.duration_s = time.perf_counter() - self.started_at

    def guarded(self, event: str, *args: Any) -> Any:
        """Run handler ``event``; an exception is recorded, never raised into the user's code."""
        if not self.active:
            return None
        try:
            return getattr(self, event)(*args)
        except Exception as exc:
            self.internal_error(event, exc)
            return None

    def internal_error(self, where: str, exc: BaseException) -> None:
        errors = self.telemetry.internal_errors
        if len(errors) < MAX_INTERNAL_ERRORS:
            last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
            place = f" ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})" if last else ""
            errors.append(f"{where}: {type(exc).__name__}: {exc}{place}")

    # -- what is watched ----------------------------------------------------------------
    def adopt_model(self, model: nn.Module) -> None:
        if any(m is model for m in self.models) or not isinstance(model, nn.Module):
            return
        self.models.append(model)
        prefix = self._prefix(model)
        self._register_params(model, prefix)
        modes = mode_dependent_modules(model)
        if modes:
            self._mode_models.append(model)
            self._mode_modules[id(model)] = modes
            copy_forward = guard(self, "copy-forward", functools.partial(self._on_copy_forward, model))
            self._hooks.attach_alike(type(model), copy_forward)
        if is_compiled(model):
            self._compiled.append(model)
            self.telemetry.limitation(
                f"{type(model).__name__} is torch.compile'd: activation statistics (dead ReLUs, saturation) and "
                "non-finite forensics inside it are not watched; losses, gradients and updates are."
            )
        elif getattr(model, "_compiled_call_impl", None) is not None:  # model.compile() in place
            self._mark_compiled(model)
        self._hooks.attach("forward", model, guard(self, "forward", functools.partial(self._on_model_forward, model)))
        self._hooks.attach("load_state_dict", model, guard(self, "load-state", self._on_load_state))
        self._hooks.attach("zero_grad", model, guard(self, "zero-grad", functools.partial(self._on_zero, None, model)))

    def _register_params(self, model: nn.Module, prefix: str) -> None:
        """Name, size and initial fingerprint of each parameter of ``model`` not seen before."""
        new = []
        tables = set(embedding_tables(model))  # lookup tables: their updates are measured over the rows a step touched
        for name, p in model.named_parameters():
            if id(p) not in self._params:
                full = prefix + name
                if full in self.telemetry.param_sizes:  # a tensor put in place of one already watched
                    full += " (replacement)"
                self._params[id(p)] = (full, p)
                self.telemetry.param_sizes[full] = p.numel()
                if name in tables:
                    self.telemetry.embedding_params.append(full)
                elif p.requires_grad and p.dim() >= 2:
                    self.telemetry.weight_params.append(full)
                    self.telemetry.fan_in[full] = p[0].numel()
                    if is_unit_weight(model, name):
                        self.telemetry.unit_weights.append(full)
                new.append((full, p))
        self._initial_weights(new)

    def adopt_optimizer(self, optimizer: torch.optim.Optimizer, find_models: bool = True) -> None:
        if any(o is optimizer for o in self.optimizers):
            return
        index = len(self.optimizers)
        self.optimizers.append(optimizer)
        self._graph_walks = 0  # a new stage may train modules none of the walks so far saw
        self.telemetry.optimizer_kinds[index] = type(optimizer).__name__
        self._initial_optimizers.append({
            "kind": type(optimizer).__name__,
            "groups": [{k: v for k, v in g.items() if k != "params"} for g in optimizer.param_groups],
        })
        self.telemetry.optimizer_steps[index] = 0
        self._backward_at_step[index] = 0
        self._cleared[index] = True
        self._zeroed_after_backward[index] = False
        if find_models:
            from .instrument import modules_of

            for model in modules_of(optimizer):
                self.adopt_model(model)
        for group in optimizer.param_groups:
            for p in group["params"]:
                if id(p) not in self._params:
                    name = f"optimizer{index}.param{len(self._params)}"
                    self._params[id(p)] = (name, p)
                    self.telemetry.param_sizes[name] = p.numel()
        self._hooks.attach("step_pre", optimizer, guard(self, "step-pre", lambda o, a, k, i=index: self._on_step_pre(i, _has_closure(o, a, k))))
        self._hooks.attach("step_post", optimizer, guard(self, "step-post", lambda o, a, k, i=index: self._on_step_post(i)))
        self._hooks.attach("zero_grad", optimizer, guard(self, "zero-grad", functools.partial(self._on_zero, index, None)))
        if self._sampling == "heavy" and self._iteration == 0:
            self._install_sampling()
        dist = torch.distributed
        if dist.is_available() and dist.is_initialized():
            self.distributed = (dist.get_rank(), dist.get_world_size())

    def _prefix(self, model: nn.Module) -> str:
        return "" if len(self.models) <= 1 else f"model{len(self.models) - 1}."

    def _initial_weights(self, params: list[tuple[str, nn.Parameter]]) -> None:
        """Per weight matrix: std and whether all rows are identical (M201), and a fingerprint (T504)."""
        with torch.no_grad():
            for name, p in params:
                if not p.requires_grad:
                    continue
                flat = p.detach().float().reshape(p.shape[0], -1) if p.dim() >= 2 else p.detach().float().reshape(1, -1)
                values = torch.stack([flat.std() if flat.numel() > 1 else flat.new_zeros(()), (flat - flat[:1]).abs().max(),
                                      flat.sum(), (flat * flat).sum()]).tolist()
                self.telemetry.initial_weights[name] = {
                    "std": values[0], "row_spread": values[1], "rows": flat.shape[0], "dims": p.dim(),
                }
                if p.dim() >= 2 and name in self.telemetry.unit_weights:  # M201: how the next layer weighs these units
                    inputs, spread = input_spread(p)
                    self.telemetry.initial_weights[name].update(inputs=inputs, input_spread=spread)
                self._initial_fingerprint[name] = (values[2], values[3])

    # -- zero_grad, backward, step ---------------------------------------------------------
    def _on_zero(self, optimizer_index: int | None, model: nn.Module | None) -> None:
        self.telemetry.count("zero_grad_calls")
        if not self.optimizers:  # after a hand-written update, in place or through ``p.data`` (no version counter moves)
            self._measure_manual_update()
        if optimizer_index is not None:
            targets = [optimizer_index]
        else:
            targets = self._optimizers_of(model)
        if targets and self._in_step is None and self._backward_count > self._consumed_backwards:
            # T505: gradients of backward passes that no optimizer step used are thrown away
            self.telemetry.count("discarded_backwards", self._backward_count - self._consumed_backwards)
            self._consumed_backwards = self._backward_count
        for index in targets:
            self._cleared[index] = True
            if self._backward_count > self._backward_at_step.get(index, 0):
                self._zeroed_after_backward[index] = True

    def _optimizers_of(self, model: nn.Module | None) -> list[int]:
        """Indices of the optimizers holding parameters of ``model`` (computed once per model and optimizer count)."""
        if model is None or not self.optimizers:
            return []
        key = (id(model), len(self.optimizers))
        cached = self._model_optimizers.get(key)
        if cached is None:
            owned = {id(p) for p in model.parameters()}
            cached = self._model_optimizers[key] = [i for i, opt in enumerate(self.optimizers)
                                                    if any(id(p) in owned for g in opt.param_groups for p in g["params"])]
        return cached

    def on_backward(self, tensors: Any) -> None:
        roots = tensors if isinstance(tensors, (list, tuple)) else [tensors]
        self._manual_step_check(backward=True)
        if not self.optimizers:  # a loop that clears its gradients by hand (``p.grad.zero_()``) calls no zero_grad
            self._measure_manual_update()
            self.hand_update.mark_rates()
        self._note_first_backward()
        self._backward_count += 1
        self.telemetry.backward_calls += 1
        outputs, self._loss_outputs = self._loss_outputs, []
        for index in self._zeroed_after_backward:
            self._zeroed_after_backward[index] = False
        repeat = self._in_step is not None and self._closure_step and self._backward_count > self._consumed_backwards + 1
        for root in roots:
            if isinstance(root, torch.Tensor) and root.numel() == 1:
                loss = hub.unscaled(root)
                if not isinstance(loss, torch.Tensor):
                    continue
                if self._sampling == "heavy" and self._graph_walks < GRAPH_WALKS:
                    self._graph_walks += 1
                    self._discover_trained(loss)
                if repeat:
                    self.telemetry.count("closure_repeats")
                    continue  # a closure re-evaluated inside one step (LBFGS line search): the step's loss is the first
                own = outputs[0] if len(roots) == 1 and len(outputs) == 1 else None
                if own is not None and own is self._summed and loss is not own and self._divides_sum(loss, own):
                    own = None  # a summed loss divided by its count (Hugging Face's num_items_in_batch): the mean trains
                self._roots.append((own if own is not None and own.numel() == 1 and derived_from(loss, own) else loss).detach())
                if self._sampling == "heavy":
                    self._check_log_likelihood(loss)
                    if not outputs:
                        self._check_hand_written_sum(loss)
                if self._sampling == "heavy" and self._last_train_loss is not None and loss is not self._last_train_loss:
                    self._stash.append(("sign", "loss", self._iteration,
                                        torch.stack([loss.detach().float().reshape(()), self._last_train_loss.detach().float().reshape(())])))
        forwarded, self._trained_forwards = self._trained_forwards, set()
        for model in self._mode_models:
            if id(model) not in forwarded:
                continue  # not run since the last backward: its mode says nothing about this step
            if not model.training and not any(p.requires_grad for p in model.parameters()):
                continue  # a frozen feature extractor kept in eval mode (its BatchNorm statistics are the point)
            self.telemetry.count("backward_checked")
            if not model.training:
                self.telemetry.count("backward_in_eval_mode")
        if not self.hand_update.probes:
            self.hand_update.pick_probes([p for _, p in self._params.values()])
        self.hand_update.at_backward()
        self._stepped_since_backward = False
        if not self.optimizers and self._sampling == "heavy":  # the values a hand-written update will move from
            self._before[0] = snapshot([(n, p) for n, p in self._params.values() if p.requires_grad])
        if not self.optimizers:
            self.hand_update.mark_rates()
            self.hand_update.remember_gradient()

    def _measure_manual_update(self) -> None:
        """How the last hand-written update moved the probes along their gradients (its LR, or a climbing sign)."""
        checks, climbed = self.hand_update.measure()
        self.telemetry.counters.update(manual_update_checks=checks, manual_update_climbed=climbed)

    def _divides_sum(self, loss: torch.Tensor, summed: torch.Tensor) -> bool:
        """Whether the backpropagated ``loss`` is the sum-reduced ``summed`` divided by a count (2 or more).

        Read on the first few such steps (one host transfer each), then remembered: a loop that
        normalises its summed loss trains a mean, so the sum is neither its loss curve nor L308's.
        """
        t = self.telemetry
        if t.counters.get("summed_checks", 0) >= 3:
            return t.summed_then_divided
        if not derived_from(loss, summed):
            return False
        t.count("summed_checks")
        whole, part = float(summed.detach()), float(loss.detach())
        divided = math.isfinite(whole) and math.isfinite(part) and whole > 0 and 0 < part <= whole / 2
        if divided:
            t.count("summed_divided")
        return divided

    def after_backward(self) -> None:
        """A loop that no watched optimizer steps (a hand-written update): read its gradients where they are complete.

        The optimizer hooks read gradients before ``step()``; a hand-written update has no such
        moment, so the gradients are read as the backward returns: per layer on sampled steps
        (O404's ratios), the total at the step-norm stride (O403's history). Only parameters the
        backward gave a gradient count (an EMA copy or a teacher has none).
        """
        if self.optimizers or self._in_step is not None:
            return
        self.hand_update.sgd.keep_gradients()
        t = self.telemetry
        stride = not self._clipped_step and self._iteration % t.step_norm_stride == 0
        if self._sampling != "heavy" and not stride:
            return
        params = [(n, p) for n, p in self._params.values() if p.requires_grad and p.grad is not None]
        if not params:
            return
        if self._sampling == "heavy":
            names, norms = grad_norms(params)
            if norms is not None:
                self._stash.append(("grads", "0", self._iteration, (names, norms)))
        if stride:
            t.pending_step_norm.append((self._iteration, total_grad_norm([p.grad for _, p in params])))

    def _manual_step_check(self, backward: bool = False) -> None:
        """Close the step when the weights were updated by hand since the last backward (no optimizer step took it).

        ``with torch.no_grad(): p -= lr * p.grad`` (or ``p.add_(...)``) bumps the parameter's
        version counter: one integer compare per probe, no tensor op. Such an update counts
        as a manual step (``counters["manual_steps"]``). With no optimizer watched at all,
        or none stepped after ``every`` backward passes, each backward pass closes a step
        too (``p.data.add_(...)`` leaves no version trace), so sampling keeps its cadence. ``backward``: called as
        the next backward begins, when a loop with no optimizer shows whether it cleared the gradient (T501).
        """
        if self._backward_count == 0 or self._stepped_since_backward or self._in_step is not None:
            return  # inside step(): a closure's re-evaluations (LBFGS line search) are the optimizer's own
        updated = self.hand_update.stepped()
        if updated:
            self.telemetry.count("manual_steps")
            if not self.optimizers and backward:  # at the run's end no next step shows whether it clears
                self.telemetry.count("uncleared_steps" if self.hand_update.uncleared() else "cleared_steps")
            if not self.optimizers and 0 in self._before:  # a sampled hand-written step: its update-to-weight ratios
                self._measure_updates(0)
        if not self.optimizers:
            self._before.pop(0, None)  # a snapshot no update followed
        if updated or not self.optimizers or (self._primary is None and self._backward_count > self.every):
            self._close_step()

    def _check_log_likelihood(self, root: torch.Tensor) -> None:
        """Count sampled steps whose backward() tensor is log-probabilities of the targets, and those not negated (L308)."""
        sign = log_likelihood_sign(root)
        if sign is not None:
            self.telemetry.count("loglik_checks")
            if sign > 0:
                self.telemetry.count("loglik_minimised")

    def _check_hand_written_sum(self, root: torch.Tensor) -> None:
        """Count sampled steps whose hand-written loss (no loss function called) is a sum over the batch's rows (L308).

        The rows summed must be as many as the training forward's input had: a sum over the batch
        (and its positions), which grows with the batch size, not a sum over one sample's outputs.
        """
        self.telemetry.count("hand_loss_checks")
        rows = summed_rows(root)
        if rows is not None and rows == self._forward_rows:
            self.telemetry.count("hand_loss_summed")
            self.telemetry.counters["hand_loss_rows"] = max(rows, self.telemetry.counters.get("hand_loss_rows", 0))

    def _discover_trained(self, root: torch.Tensor) -> None:
        """Which parameters this backward reaches; adopt the modules of any nndoctor did not know.

        A model built after its optimizer, or a layer swapped in after the optimizer was
        created, is trained by the loss but held by no optimizer (T504); watching it also
        gives its inputs and activations.
        """
        reached = graph_leaves(root)
        t = self.telemetry
        unknown = [p for p in reached if id(p) not in self._params]
        if unknown:
            from .instrument import modules_holding

            for module in modules_holding({id(p) for p in unknown}):
                if any(m is module for m in self.models):
                    self._register_params(module, self._prefix_of(module))
                else:
                    self.adopt_model(module)
            for p in unknown:
                if id(p) not in self._params:
                    name = f"param{len(self._params)}"
                    self._params[id(p)] = (name, p)
                    self.telemetry.param_sizes[name] = p.numel()
                    self._initial_weights([(name, p)])
        if reached:
            self.hand_update.pick_probes(reached)
        known = set(t.reached_params)
        t.reached_params.extend(name for name in dict.fromkeys(self._params[id(p)][0] for p in reached) if name not in known)

    def _on_load_state(self, module: nn.Module, incompatible: Any, held: bool | None = None) -> None:
        """Weights loaded into a watched model after training began: a checkpoint restore (early stopping).

        A state equal to the weights the model holds (``held``: a "best" state that was kept at the last epoch, by
        a criterion that always improves) restores nothing: the model ends as trained.
        """
        if self._iteration > 0 and not held:
            self.telemetry.restored_at = self._iteration

    def on_torch_load(self, loaded: Any) -> None:
        """A whole model of a watched model's class read back after training began (``torch.save(model)`` at the
        best epoch, ``model = torch.load(path)`` at the end): a checkpoint restore, as through ``load_state_dict``.

        Weights equal to the watched model's own now are the trained model saved and read back (for a test pass),
        not an earlier checkpoint: no restore.
        """
        if self._iteration == 0 or not isinstance(loaded, nn.Module):
            return
        same_kind = [m for m in self.models if type(loaded) is type(m)]
        if same_kind and not any(_same_weights(loaded, m) for m in same_kind):
            self.telemetry.restored_at = self._iteration

    def _on_step_pre(self, index: int, closure: bool = False) -> None:
        t = self.telemetry
        if self._primary is None:
            self._primary = index
        self._in_step, self._closure_step = index, closure
        self._backwards_before_step = self._backward_count
        if not closure:  # a closure runs zero_grad and backward inside step(), after this hook
            if self._backward_count == self._backward_at_step.get(index, 0):
                t.count("step_without_backward")
            if self._zeroed_after_backward.get(index):
                t.count("zero_between_backward_and_step")
            self._check_cleared(index)
        if self._sampling == "heavy":
            self._before[index] = snapshot(self._optimizer_params(index))
            if not closure:
                self._measure_grads(index)
        if not closure and self._takes_step_norm(index):
            self._measure_step_norm(index)

    def _takes_step_norm(self, index: int) -> bool:
        """Whether this step of optimizer ``index`` gets O403's per-step norm: the primary optimizer, at the
        step-norm stride, and not clipped by norm (``clip_grad_norm_`` returned the pre-clip norm already)."""
        return index == self._primary and not self._clipped_step and self._iteration % self.telemetry.step_norm_stride == 0

    def _measure_step_norm(self, index: int) -> None:
        """The total gradient norm this step takes, kept on the device until the next sample point (O403).

        Read before the step, or after it when a closure computes the gradients inside ``step()``
        (Lightning, LBFGS: the step leaves them in place). Skipped on steps the loop clipped by
        norm: ``clip_grad_norm_`` returned the pre-clip norm already.
        """
        grads = [p.grad for g in self.optimizers[index].param_groups for p in g["params"] if p.grad is not None]
        if grads:
            self.telemetry.pending_step_norm.append((self._iteration, total_grad_norm(grads)))

    def _note_first_backward(self) -> None:
        """Before the first backward after an optimizer's step: is its probe gradient untouched since that step?

        Judged here, not at the next step, because clipping, AMP's unscale and other in-place
        edits between backward and step also move the gradient's version counter.
        """
        for index, probe in self._probe.items():
            if self._backward_count != self._backward_at_step.get(index, -1):
                continue
            param, ref, version = probe
            grad = param.grad
            self._untouched_at_backward[index] = grad is not None and ref() is grad and grad._version == version

    def _check_cleared(self, index: int) -> None:
        """T501: were the grads cleared since this optimizer's previous step?"""
        probe = self._probe.get(index)
        if probe is not None and not self._cleared.get(index) and self._untouched_at_backward.get(index):
            self.telemetry.count("uncleared_steps")
        elif probe is not None:
            self.telemetry.count("cleared_steps")

    def _remember_probe(self, index: int) -> None:
        optimizer = self.optimizers[index]
        for group in optimizer.param_groups:
            for p in group["params"]:
                if p.requires_grad and p.grad is not None:
                    self._probe[index] = (p, weakref.ref(p.grad), p.grad._version)
                    return
        self._probe.pop(index, None)

    def _optimizer_params(self, index: int) -> list[tuple[str, nn.Parameter]]:
        return [self._params[id(p)] for g in self.optimizers[index].param_groups for p in g["params"] if p.requires_grad]

    def _measure_grads(self, index: int) -> None:
        params = self._optimizer_params(index)
        for n, p in params:
            if p.grad is None:
                self.telemetry.grad_missing[n] = self.telemetry.grad_missing.get(n, 0) + 1
        self.telemetry.grad_samples += 1
        names, norms = grad_norms(params)
        if norms is not None:
            self._stash.append(("grads", str(index), self._iteration, (names, norms)))

    def _on_step_post(self, index: int) -> None:
        t = self.telemetry
        if self._closure_step and index in self._before:
            self._measure_grads(index)  # the closure's gradients, computed inside step()
        if self._closure_step and self._takes_step_norm(index):
            self._measure_step_norm(index)  # as every step's norm: Lightning steps through a closure
        if self._closure_step and self._backward_count == self._backwards_before_step:
            self._check_cleared(index)  # a closure that ran no backward (Lightning's manual optimisation wraps one)
        self._in_step, self._closure_step = None, False
        self._clipped_step = False
        self._stepped_since_backward = True
        self._consumed_backwards = self._backward_count
        t.optimizer_steps[index] = t.optimizer_steps.get(index, 0) + 1
        self._backward_at_step[index] = self._backward_count
        self._cleared[index] = False
        self._untouched_at_backward[index] = False
        self._zeroed_after_backward[index] = False
        self._last_train_loss = None
        self._remember_probe(index)
        lr = self.optimizers[index].param_groups[0].get("lr")
        t.lr.setdefault(index, []).append(float(lr) if lr is not None else math.nan)
        if index in self._before:
            self._measure_updates(index)
        if index == self._primary:
            self._steps_since_primary.clear()
        elif not self._succeeds_primary(index):
            self._roots.clear()
            return
        self._close_step()

    def _succeeds_primary(self, index: int) -> bool:
        """Whether optimizer ``index`` took over the loop: it stepped twice since the primary last did.

        Optimizers that share the loop (a GAN's two, one per parameter kind) step in turn with
        the primary; one that steps on alone belongs to a later stage (pre-training, then a
        fine-tune with its own optimizer; an optimizer re-created each epoch), whose steps are then
        the run's. The primary's own step clears the count.
        """
        if self._primary is None:
            return False
        since = self._steps_since_primary
        since[index] = since.get(index, 0) + 1
        if since[index] < 2:
            return False
        self._primary = index
        since.clear()
        return True

    def _close_step(self) -> None:
        """End of one training step (the primary optimizer's, or a hand-written update): record its loss, move the sampling on."""
        t = self.telemetry
        if self._roots:
            t.pending_train.append((self._iteration, list(self._roots)))
            self._roots.clear()
        self._clipped_step = False  # a hand-written update's step ends here (an optimizer's already did)
        was = self._sampling
        self._iteration += 1
        t.steps = self._iteration
        if was == "heavy":
            self._end_sample()
        self._sampling = self._sample_kind(self._iteration)
        if self._sampling == "heavy":
            self._install_sampling()
        elif self._sample_hooks:
            self._sample_hooks.remove()

    def _measure_updates(self, index: int) -> None:
        names, pairs = update_norms(self._before.pop(index), self.telemetry.embedding_params)
        if pairs is not None:
            self._stash.append(("updates", str(index), self._iteration, (names, pairs)))

    def _sample_kind(self, iteration: int) -> str | None:
        if iteration % self.every == 0 or iteration in EARLY_SAMPLES:
            return "heavy"
        if iteration % self.every == 1 or iteration - 1 in EARLY_SAMPLES:
            return "light"
        return None

    def _mark_compiled(self, model: nn.Module) -> None:
        """A model traced by torch.compile gets no per-step hooks from now on (they would force recompiles)."""
        if any(m is model for m in self._compiled):
            return
        self._compiled.append(model)
        self._sample_hooks.remove()
        self.telemetry.limitation(
            f"{type(model).__name__} runs through torch.compile: activation statistics (dead ReLUs, saturation) and "
            "non-finite forensics inside it are not watched; losses, gradients, updates and inputs are."
        )

    def _install_sampling(self) -> None:
        self._sample_hooks.remove()
        for model in self.models:
            if getattr(model, "_compiled_call_impl", None) is not None:
                self._mark_compiled(model)
        models = [(self._prefix_of(m), m) for m in self.models if not any(m is c for c in self._compiled)]
        activation_hooks(self, models, self._sample_hooks)
        weight_input_hooks(self, models, self._sample_hooks)

    def _prefix_of(self, model: nn.Module) -> str:
        if len(self.models) <= 1:
            return ""
        return f"model{next(i for i, m in enumerate(self.models) if m is model)}."

    # -- forwards and losses ---------------------------------------------------------------
    def _on_model_forward(self, model: nn.Module, called: nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
        """After a forward of a watched model (``called`` is the model or its torch.compile wrapper).

        Without gradients it is an evaluation forward (T503, and scored against the loader's
        labels for G601); on sampled training steps the input batch's statistics are stashed.
        """
        if called is not model:
            self._mark_compiled(model)
        first = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if not torch.is_grad_enabled():
            self.telemetry.count("eval_forwards")
            if first is not None:
                self.telemetry.hold_rows(first)
            # what evaluation in train mode changes is the dropout and batch-norm layers: a loop that sets only the
            # submodule holding them to eval (``model.head.eval()``) evaluates correctly
            if any(m.training for m in self._mode_modules.get(id(model), ())):
                self.telemetry.count("eval_forwards_in_train_mode")
            if len(self.models) == 1:
                self.evaluation.predictions.add(self._iteration, args[0] if args else None, output)
            batch = self.evaluation.labelled_batch
            if batch is not None and args and args[0] is batch[0]():
                self._score_eval(output, batch[1])
            return
        self._trained_forwards.add(id(model))
        self._forward_rows = int(first.shape[0]) if first is not None and first.dim() else None
        base = first._base if first is not None else None
        if isinstance(base, torch.Tensor) and base.shape[1:] == first.shape[1:]:
            self.telemetry.hold_rows(base)  # the batch is a slice of a larger tensor of rows
        if self._sampling is None and not self._forensics:
            return
        x = first_float_tensor(args) if args else first_float_tensor(kwargs)
        if x is None or x.numel() == 0:
            return
        key = self._prefix_of(model) or "model"
        features = feature_stats(x) if self._sampling == "heavy" and len(self.telemetry.inputs) < FEATURE_SAMPLES else None
        self._stash.append(("input", key, self._iteration, (input_stats(x), features, x.is_floating_point(), tuple(x.shape))))

    def _on_copy_forward(self, model: nn.Module, module: nn.Module, args: tuple, kwargs: dict, output: Any) -> None:
        """After a forward of a module of a watched model's class that is not watched itself.

        A copy of the model (a deepcopy EMA, the model saved whole and loaded again) run without gradients is
        the model evaluated: its mode counts for T503 as the model's own would (an EMA copy never set to eval
        scores with dropout on and batch statistics).
        """
        if torch.is_grad_enabled():
            return
        modes = self._copy_modes.get(module)
        if modes is None:
            modes = mode_dependent_modules(module) if same_parameters(module, model) else []
            self._copy_modes[module] = modes
        if not modes:
            return
        self.telemetry.count("eval_forwards")
        if any(m.training for m in modes):
            self.telemetry.count("eval_forwards_in_train_mode")

    def on_batch(self, batch: Any) -> None:
        """The latest batch a DataLoader yielded: evaluation forwards on it are scored against its labels."""
        self.evaluation.on_batch(batch)

    def _score_eval(self, output: Any, labels: torch.Tensor) -> None:
        """An evaluation forward on a loader batch: its cross-entropy and hits against the batch's labels (G601).

        Used only when the loop computes no validation loss itself (it scores with argmax,
        say); kept on the device until the next sample point.
        """
        if self.telemetry.val_loss or self._loss_inspected_eval:
            return
        if not isinstance(output, torch.Tensor) or output.dim() != 2 or output.shape[0] != labels.shape[0] or output.shape[1] < 2:
            return
        self.telemetry.pending_scored.append((self._iteration, score_batch(output, labels)))

    def on_loss_input(self, kind: str, input: Any, target: Any, kwargs: dict) -> None:
        if not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
            return
        train = torch.is_grad_enabled() and input.requires_grad
        reduction = kwargs.get("reduction")
        if reduction is not None and train:  # an evaluation pass says nothing about the training loss
            self._loss_reductions[kind] = reduction
        self._sum_kwargs = kwargs if train and reduction == "sum" else None
        if not train:
            self._eval_loss_kwargs = kwargs
        if kind in CLASS_LOSSES and input.dim() >= 2:
            self._n_outputs = int(input.shape[1])
        if not train:
            self._loss_inspected_eval = True
            signature = (kind, int(input.shape[1]) if kind in CLASS_LOSSES and input.dim() >= 2 else None)
            if signature not in self.telemetry.eval_loss_signatures and len(self.telemetry.eval_loss_signatures) < 8:
                self.telemetry.eval_loss_signatures.append(signature)
            weighted = terms_weighted(kwargs)
            if weighted not in self.telemetry.eval_loss_weighted:
                self.telemetry.eval_loss_weighted.append(weighted)
            self.evaluation.on_eval_loss(self._iteration, kind, input, target)
            if kind in REGRESSION and len(self.telemetry.eval_target_moments) < EVAL_TARGET_CALLS:
                moments = target_moments(target)
                if moments is not None:
                    self.telemetry.eval_target_moments.append(moments)
            return
        self.evaluation.on_training_loss()
        if kind in REGRESSION:
            self._keep_regression_targets(target)
        seen = self._loss_inspected.get(kind, 0)
        if seen < INSPECTED_LOSS_CALLS or self._sampling == "heavy":
            self._loss_inspected[kind] = seen + 1
            from .loss_inspect import inspect_loss_call

            evidence = inspect_loss_call(kind, input, target, kwargs)
            self.telemetry.loss_calls.append(LossCall(kind, self._iteration, True, self._n_outputs if kind in CLASS_LOSSES else None, evidence))
            counts = evidence.pop("_label_counts", None)
            if counts is not None:
                self.telemetry.label_counts.append((self._iteration, counts))
            sample = evidence.pop("_target_sample", None)
            if sample and sum(len(rows) for _, rows in self.telemetry.target_samples) < TARGET_ROWS_KEPT:
                self.telemetry.target_samples.append((self._iteration, sample))
            if "target_std" in evidence:
                self.telemetry.target_stats.append((self._iteration, evidence["target_mean"], evidence["target_std"]))

    def _keep_regression_targets(self, target: torch.Tensor) -> None:
        """A training regression call's targets, cloned on their device (no host sync), until ``CONTENT_ELEMENTS``."""
        t = self.telemetry
        room = CONTENT_ELEMENTS - t.regression_target_elements
        if room <= 0 or target.dim() == 0 or not target.shape[0]:
            return
        rows = target.detach().reshape(target.shape[0], -1)
        rows = rows[: max(1, room // max(rows.shape[1], 1))]
        t.regression_targets.append(rows.to(torch.float32, copy=True))
        t.regression_target_elements += rows.numel()

    def on_loss_output(self, kind: str, input: Any, target: Any, out: Any) -> None:
        if not isinstance(out, torch.Tensor) or out.numel() == 0:
            return
        train = torch.is_grad_enabled() and out.requires_grad
        if train:
            self._last_train_loss = out
            self._loss_outputs = self._loss_outputs[-1:] + [out]
            self._summed = out if self._sum_kwargs is not None and out.numel() == 1 else None
            if self._summed is not None and self.telemetry.first_term_loss is None and isinstance(input, torch.Tensor) \
                    and isinstance(target, torch.Tensor):
                self.telemetry.first_term_loss = float(mean_loss(kind, out, input, target, self._sum_kwargs))
            return
        n = int(input.shape[0]) if isinstance(input, torch.Tensor) and input.dim() else 1
        value = out.detach()
        if isinstance(input, torch.Tensor) and isinstance(target, torch.Tensor):
            value = mean_loss(kind, out, input, target, self._eval_loss_kwargs)  # a summed test loss, read per sample
        self.telemetry.pending_val.append((self._iteration, value, n, None))

    def on_clip(self, total: Any, max_norm: float) -> None:
        """clip_grad_norm_ returned the pre-clip norm: record it, and whether the clip came too late to limit a step.

        A hand-written update steps along the clipped gradients: they replace the ones kept at the backward.

        A clip after optimizer.step() and before the next backward() cuts gradients the step had
        already used (the next zero_grad() or backward() discards them): no step is ever clipped (T505).
        """
        if not self.optimizers and self._in_step is None:
            self.hand_update.sgd.keep_gradients()  # a hand-written update steps along the clipped gradient
        if isinstance(total, torch.Tensor):
            late = self._clip_is_late()
            self._clipped_step = self._clipped_step or not late
            step = self._iteration - 1 if late else self._iteration  # a late clip's gradient is the step's just taken
            self.telemetry.pending_clip.append((step, total.detach(), float(max_norm), late))

    def _clip_is_late(self) -> bool:
        """Whether a clip now comes between optimizer.step() and the next backward(): too late to limit any step."""
        return bool(self.optimizers) and self._stepped_since_backward and self._in_step is None

    def on_clip_value(self, parameters: list, clip_value: float) -> None:
        """On sampled steps: the share of gradient entries clip_grad_value_ is about to cut (O408); a late call
        (:meth:`_clip_is_late`) is counted for T505 and cuts no step."""
        if self._clip_is_late():
            self.telemetry.count("late_value_clips")
            return
        if self._sampling is None:
            return
        grads = [p.grad.detach() for p in parameters if isinstance(p, torch.Tensor) and p.grad is not None]
        if not grads:
            return
        device = grads[0].device
        with torch.no_grad():
            cut = torch.stack([(g.abs() > clip_value).sum().to(device) for g in grads]).sum().float()
            total = torch.tensor(float(sum(g.numel() for g in grads)), device=device)
            self.stash("clipv", str(float(clip_value)), torch.stack([cut, total]))

    def on_scheduler_step(self, scheduler: Any) -> None:
        name = type(scheduler).__name__
        if name not in self.telemetry.schedulers:
            self.telemetry.schedulers.append(name)
        if getattr(scheduler, "_step_count", 1) == 0 and name != "ReduceLROnPlateau":
            return
        optimizer = getattr(scheduler, "optimizer", None)
        for index, opt in enumerate(self.optimizers):
            if opt is optimizer:
                self.telemetry.count("scheduler_steps")
                if self.telemetry.optimizer_steps.get(index, 0) == 0:
                    self.telemetry.count("scheduler_before_optimizer")

    def on_loader(self, loader: Any) -> None:
        self.evaluation.on_loader(loader)
        try:
            self.telemetry.loaders.append(len(loader))
        except Exception:
            self.telemetry.loaders.append(None)
        del self.telemetry.loaders[:-20]

    def on_seed(self) -> None:
        self.telemetry.seeded = True

    # -- sample points ---------------------------------------------------------------------
    def stash(self, kind: str, key: str, value: Any) -> None:
        self._stash.append((kind, key, self._iteration, value))

    def _end_sample(self) -> None:
        """Read everything stashed since the last sample point in one transfer and record it."""
        self._sample_hooks.remove()
        self._read_stash()
        self.telemetry.resolve()
        self._check_nonfinite()
        if self._alerts is not None:
            self._alert()

    def _read_stash(self) -> None:
        stash, self._stash = self._stash, []
        if not stash:
            return
        tensors: list[torch.Tensor] = []
        for kind, _, _, value in stash:
            if kind in ("dead", "saturated", "sign", "clipv"):
                tensors.append(value.reshape(-1).float())
            elif kind in ("grads", "updates"):
                tensors.append(value[1].reshape(-1).float())
            elif kind in ("input", "weight_input"):
                stats, features, _, _ = value
                tensors.append(stats.reshape(-1).float())
                if features is not None:
                    tensors.extend(f.float() for f in features)
        host = _to_host(tensors)
        position = 0

        def take() -> list[float]:
            nonlocal position
            position += 1
            return host[position - 1]

        t = self.telemetry
        for kind, key, step, value in stash:
            if kind == "dead":
                t.dead_share.setdefault(key, []).append((step, take()[0]))
            elif kind == "saturated":
                t.saturated_share.setdefault(key, []).append((step, take()[0]))
            elif kind == "clipv":
                cut, total = take()
                t.value_clips.append((step, cut / total if total else 0.0, float(key)))
            elif kind == "sign":
                root, module_loss = take()
                t.count("sign_checks")
                if module_loss != 0 and root / module_loss < -0.5:
                    t.count("sign_flipped")
            elif kind == "grads":
                names, norms = value[0], take()
                if key == str(self._primary if self._primary is not None else 0):
                    t.grad_steps.append(step)
                    t.total_grad_norm.append(total_norm(norms))
                for name, norm in zip(names, norms):
                    t.grad_norms.setdefault(name, []).append(norm)
                    t.grad_norm_steps.setdefault(name, []).append(step)
            elif kind == "updates":
                names, flat = value[0], take()
                if key == str(self._primary if self._primary is not None else 0):
                    t.update_steps.append(step)
                for i, name in enumerate(names):
                    delta, scale = flat[2 * i], flat[2 * i + 1]
                    t.weight_norms.setdefault(name, []).append((step, scale))
                    ratio = update_ratio(delta, scale)
                    if ratio is not None:
                        t.update_ratios.setdefault(name, []).append(ratio)
                        t.update_norms.setdefault(name, []).append(delta)
            elif kind in ("input", "weight_input"):
                stats = take()
                features = (take(), take(), take(), take()) if value[1] is not None else None
                entry = {"step": step, "model": key, "mean": stats[0], "std": stats[1], "absmax": stats[2], "nonfinite": stats[3],
                         "float": value[2], "shape": list(value[3])}
                if features is not None:
                    entry["feature_mean"], entry["feature_std"], entry["feature_min"], entry["feature_max"] = features
                if kind == "weight_input":
                    t.weight_inputs.append(entry)
                    continue
                t.inputs.append(entry)
                t.fingerprints.append((step, (round(stats[4], 6), round(stats[5], 6), round(stats[6], 6), *value[3])))
        del t.inputs[:-200]
        del t.weight_inputs[:-200]
        del t.fingerprints[:-400]

    def _check_nonfinite(self) -> None:
        """The first step whose train loss is NaN/Inf; start forensics on the next forward."""
        t = self.telemetry
        if t.nonfinite is not None:
            return
        start, self._losses_checked = self._losses_checked, len(t.train_loss)  # only the losses read since the last check
        for step, value in zip(t.train_loss_steps[start:], t.train_loss[start:]):
            if not math.isfinite(value):
                t.nonfinite = {"step": step, "value": str(value), "where": None, "tensor": None}
                self._locate_nonfinite()
                self._forensics = 2
                models = [(self._prefix_of(m), m) for m in self.models if not any(m is c for c in self._compiled)]
                nonfinite_hooks(self, models, self._forensic_hooks)
                return

    def _locate_nonfinite(self) -> None:
        """Which parameter (value or gradient) is non-finite now, first in registration order."""
        t = self.telemetry
        for name, p in self._params.values():
            if not bool(torch.isfinite(p.detach()).all()):
                t.nonfinite.setdefault("first_param", f"{name} (value)")
                break
            if p.grad is not None and not bool(torch.isfinite(p.grad.detach()).all()):
                t.nonfinite.setdefault("first_param", f"{name} (gradient)")
                break
        inputs = [i for i in t.inputs if i["nonfinite"] > 0]
        if inputs:
            t.nonfinite["nonfinite_inputs_step"] = inputs[0]["step"]

    def nonfinite_at(self, module: str, kind: str, inputs_finite: bool, params_finite: bool) -> None:
        t = self.telemetry
        if t.nonfinite is not None and t.nonfinite.get("where") is None:
            t.nonfinite["where"] = module
            t.nonfinite["module_type"] = kind
            t.nonfinite["inputs_finite"] = inputs_finite
            t.nonfinite["params_finite"] = params_finite
            self._forensic_hooks.remove()

    # -- user API --------------------------------------------------------------------------
    def log(self, step: int | None = None, **values: float) -> None:
        """Record metrics the loop computes itself, e.g. ``doctor.log(val_loss=0.41, val_acc=0.9)``."""
        at = self._iteration if step is None else int(step)
        for key, value in values.items():
            try:
                number = float(value)
            except (TypeError, ValueError):
                continue
            self.telemetry.logged.setdefault(key, []).append((at, number))

    def _alert(self) -> None:
        from .live_rules import ALERTABLE, evaluate

        findings = evaluate(self.telemetry, self._facts(), final=False, codes=ALERTABLE)
        for finding in findings:
            self._alerts.emit(finding, self._iteration)

    def _facts(self) -> dict[str, Any]:
        return {
            "mode_dependent": bool(self._mode_models),
            "has_dropout": any(isinstance(m, nn.modules.dropout._DropoutNd) for model in self.models for m in model.modules()),
            "n_outputs": self._n_outputs,
            "reductions": dict(self._loss_reductions),
            "class_counts": self.evaluation.final_counts(),
            "eval_predictions": self.evaluation.predictions,
            "initial_optimizers": self._initial_optimizers,
            "models": [type(m).__name__ for m in self.models],
            "input_batchnorm": next((name for name in map(input_batchnorm, self.models) if name), None),
            "relu_modules": any(isinstance(m, (nn.ReLU, nn.ReLU6)) for model in self.models for m in model.modules()),
            "weight_layers": sum(isinstance(m, WEIGHT_LAYERS) for model in self.models for m in model.modules()),
            "activation_modules": any(map(has_activation_module, self.models)),
            "recurrent_layers": [name for model in self.models for name, m in model.named_modules() if isinstance(m, nn.RNNBase)],
            "plain_recurrent": any(isinstance(m, nn.RNNBase) and m.mode.startswith("RNN_") for model in self.models
                                   for m in model.modules()),
        }

    def _finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        t = self.telemetry
        self._manual_step_check()  # the last hand-written update follows the last backward
        if self._roots and self._primary is not None:
            t.pending_train.append((self._iteration, list(self._roots)))
            self._roots.clear()
        self._read_stash()
        t.resolve()
        self._check_nonfinite()
        if t.nonfinite is not None and "first_param" not in t.nonfinite:
            self._locate_nonfinite()
        owner = {id(p): i for i, o in enumerate(self.optimizers) for g in o.param_groups for p in g["params"]}
        reached = set(t.reached_params)
        changed = 0
        holders: dict[int, str] | None = None  # parameters held in plain containers, read at the first one no optimizer holds
        with torch.no_grad():
            for name, p in self._params.values():
                if not p.requires_grad or name not in self._initial_fingerprint:
                    continue
                flat = p.detach().float()
                if (float(flat.sum()), float((flat * flat).sum())) != self._initial_fingerprint[name]:
                    changed += 1
                    continue
                t.unchanged_params.append(name)
                index = owner.get(id(p))
                if index is None and not self.optimizers:  # a hand-written update: stuck where it got gradients
                    # a gradient that was exactly zero on every sampled step moves nothing whatever the step (M209's case)
                    if name in reached and any(norm != 0 for norm in t.grad_norms.get(name, [1.0])):
                        t.stuck_reasons[name] = "not updated by the loop's hand-written step, though the loss sends it gradients"
                elif index is None:
                    t.unoptimized_params.append(name)
                    if holders is None:
                        holders = plain_container_holders(self.models)
                    holder = holders.get(id(p))
                    t.stuck_reasons[name] = (f"not in any optimizer: held in a plain Python {holder}, which "
                                             "model.parameters() does not see") if holder else "not in any optimizer"
                elif t.optimizer_steps.get(index, 0) == 0:
                    t.stuck_reasons[name] = f"optimizer {index} ({type(self.optimizers[index]).__name__}) never stepped"
                elif self._group_lr_zero(index, p):
                    t.stuck_reasons[name] = f"its parameter group in optimizer {index} has lr 0"
        self._count_data_updates(changed)
        if not self.models:
            t.limitation("No model was found for the optimizer(s): activation, input and mode checks were not possible.")

    def _count_data_updates(self, changed: int) -> None:
        """No optimizer stepped and no version counter moved, yet the weights changed: updates through ``p.data``.

        ``p.data.add_(...)`` bypasses the version counters, so those steps are only seen
        here, from the weights' fingerprints: each closed step counts as a manual one.
        """
        t = self.telemetry
        if changed and not t.counters.get("manual_steps") and not any(t.optimizer_steps.values()) and t.backward_calls:
            t.count("manual_steps", max(1, t.steps))

    def weight_fingerprints(self, initial: bool) -> dict[str, tuple[float, float]]:
        """Per watched trainable tensor, (sum, sum of squares) when first seen (``initial``) or now; equal on replicas."""
        if initial:
            return dict(self._initial_fingerprint)
        now = {}
        with torch.no_grad():
            for name, p in self._params.values():
                if name in self._initial_fingerprint:
                    flat = p.detach().float()
                    now[name] = (float(flat.sum()), float((flat * flat).sum()))
        return now

    def _group_lr_zero(self, index: int, param: nn.Parameter) -> bool:
        for group in self.optimizers[index].param_groups:
            if any(p is param for p in group["params"]):
                lr = group.get("lr", 0.0)
                initial = self._initial_optimizers[index]["groups"][self.optimizers[index].param_groups.index(group)].get("lr", lr)
                return float(lr) == 0.0 and float(initial) == 0.0
        return False

    def findings(self) -> list[Finding]:
        """Every finding the telemetry supports so far, ranked (root causes first)."""
        from ..diagnosis import rank

        return rank(self._evaluated()[0])

    def _evaluated(self) -> tuple[list[Finding], dict[str, Any]]:
        """Every finding the telemetry supports so far, as the rules gave them (before ranking), and the facts about
        the models and loop they read."""
        from .live_rules import evaluate

        if self.active:
            self._read_stash()
            self.telemetry.resolve()
        facts = self._facts()
        return evaluate(self.telemetry, facts, final=not self.active), facts

    def report(self) -> Report:
        """A Report(mode="watch") with ranked findings and the recorded telemetry."""
        from ..diagnosis import rank
        from .live_rules import exam_requests, fell_short

        found, facts = self._evaluated()
        # read off the rules' own findings before ranking moves severities
        requests = exam_requests(self.telemetry, facts, found) if not self.active else []
        findings = rank(found)
        kinds = sorted({type(o).__name__ for o in self.optimizers})
        losses = sorted({c.kind for c in self.telemetry.loss_calls})
        counts = self.evaluation.final_counts()
        return Report(
            mode="watch",
            findings=findings,
            setup={
                "name": self.name, "task": "watched loop", "task_reason": f"{self.telemetry.steps} steps",
                "loss": ", ".join(losses) or "from backward()", "optimizer": ", ".join(kinds) or self.hand_update.description(),
                "models": [type(m).__name__ for m in self.models],
            },
            telemetry=self.telemetry.summary(),
            duration_s=self.duration_s if not self.active else time.perf_counter() - self.started_at,
            extra={"limitations": list(self.telemetry.limitations), "exception": self.telemetry.exception,
                   "exam_requests": requests,
                   "fell_short": fell_short(self.telemetry, facts, found) if not self.active else False,
                   "eval_class_counts": counts, "eval_loss_terms": self.evaluation.final_terms(),
                   "eval_accuracy": final_accuracy(counts, self.telemetry.scored_val_acc, self.telemetry.scored_val_weight),
                   "manual_sgd_lr": self.hand_update.sgd.lr()},
        )


def _same_weights(a: nn.Module, b: nn.Module) -> bool:
    """Whether two modules hold equal parameters (same names, shapes and values)."""
    ours, theirs = dict(a.named_parameters()), dict(b.named_parameters())
    if ours.keys() != theirs.keys():
        return False
    with torch.no_grad():
        return all(p.shape == theirs[n].shape and torch.equal(p.detach().cpu(), theirs[n].detach().cpu()) for n, p in ours.items())


def watch(
    model: nn.Module | Sequence[nn.Module] | None = None,
    optimizer: torch.optim.Optimizer | Sequence[torch.optim.Optimizer] | None = None,
    every: int = DEFAULT_EVERY,
    alerts: bool = True,
    name: str = "watch",
    stream: Any = None,
) -> Doctor:
    """Watch a training loop: ``with nndoctor.watch(model, optimizer) as doctor: ...``.

    ``model`` and ``optimizer`` may be single objects or lists (GANs); with no model the
    modules holding the optimizer's parameters are found. ``every`` sets how often a step
    is sampled in depth. ``alerts`` prints each new problem once to stderr as it appears.
    Inside an initialised ``torch.distributed`` process group of several ranks it returns a
    :class:`~nndoctor.integrations.distributed.DistributedDoctor`: call it on every rank and
    rank 0's report covers them all.
    """
    dist = torch.distributed
    if dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1:
        from ..integrations.distributed import DistributedDoctor

        return DistributedDoctor(model, optimizer, every=every, alerts=alerts, name=name, stream=stream)
    return Doctor(model, optimizer, every=every, alerts=alerts, name=name, stream=stream)
