"""Setup: what nndoctor examines — model, data, loss, optimizer and task.

The Setup normalises what users hand over (DataLoader, Dataset, IterableDataset or ``(X, y)``
arrays; an optimizer factory or an optimizer already bound to the model) into one shape the
checks can rely on, and infers the task when it is not given.

Contracts every probe relies on:

* **Batches** become ``(inputs, targets)``: a ``(x, y)`` tuple as is; a dict such as a Hugging
  Face batch ``{"input_ids", "attention_mask", "labels"}`` splits into its label entry and the
  dict of the rest; a bare tensor (or 1-tuple) is its own target (autoencoders); anything else
  through the user's ``inputs=`` / ``targets=`` accessors.
* **Calling the model** (:meth:`Setup.forward`, :func:`call_model`): dict inputs go in as
  keyword arguments when ``forward`` takes them (like Hugging Face models), :class:`Inputs` as
  positional arguments (``model(x_num, x_cat)``), anything else as one argument.
* **Outputs**: the loss receives whatever the model returns (a VAE's ``(recon, mu, logvar)``, a
  ``ModelOutput``); probes that need a prediction tensor read the *primary* tensor
  (:func:`primary_output`: the tensor itself, the first element of a tuple, ``logits`` of a
  dict/ModelOutput) and abstain where there is none. Model copies from
  :meth:`Setup.fresh_model` return that primary tensor, carrying the whole output along so
  :meth:`Setup.compute_loss` still hands the loss what the model returned.
* **Labels** that a class-index loss cannot read (ids at or beyond the output's class axis)
  are found before the loss ever runs (an ``IndexError`` on CPU, a device assert on CUDA);
  :meth:`Setup.compute_loss` then raises :class:`LossUnavailable`, so checks that need a loss
  value abstain while D113 reports the labels.
"""
from __future__ import annotations

import copy
import inspect
import types
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, IterableDataset, TensorDataset

from .errors import SetupError

TASKS = ("binary", "multiclass", "multilabel", "regression", "sequence")
# Tasks whose targets are class ids read by a softmax over a class axis of the output.
CLASS_INDEX_TASKS = ("multiclass", "sequence")
OptimizerFactory = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]
Batch = tuple[Any, torch.Tensor]
Accessor = Callable[[Any], Any]
INPUT_KEYS = ("x", "input", "inputs")
LABEL_KEYS = ("labels", "label", "label_ids", "y", "target", "targets")
_CARRY = "_nndoctor_rebuild"  # attribute on a primary tensor: rebuilds the model's whole output around it


class Inputs(tuple):
    """Batch inputs a model takes as several positional arguments: ``model(*inputs)``.

    Return it from ``Setup(inputs=lambda batch: Inputs(batch[0], batch[1]))`` for a forward such
    as ``forward(self, x_num, x_cat)``; ``nndoctor run`` builds it itself for such a loop. Each
    element is a tensor with the batch on its first axis. A plain tuple stays one argument.
    """

    __slots__ = ()

    def __new__(cls, *items: Any) -> Inputs:  # noqa: PYI034 - typing.Self needs Python 3.11
        return super().__new__(cls, items)

    def __getnewargs__(self) -> tuple[Any, ...]:  # pickling and deepcopy call __new__ with the items
        return tuple(self)

    def __repr__(self) -> str:
        return f"Inputs{tuple.__repr__(self)}"


def same_sequence(like: Sequence[Any], items: Iterable[Any]) -> Any:
    """``items`` as the sequence type of ``like`` (a list, a tuple, :class:`Inputs`)."""
    return Inputs(*items) if isinstance(like, Inputs) else type(like)(items)


def primary_input(x: Any) -> Any:
    """The input that stands for a batch in data audits: of :class:`Inputs`, the one with most values per sample."""
    if isinstance(x, Inputs):
        tensors = [t for t in x if isinstance(t, torch.Tensor) and t.dim() >= 1]
        if tensors:
            return max(tensors, key=lambda t: (t.numel() // max(1, t.shape[0]), t.is_floating_point()))
    return x


class LossUnavailable(SetupError):
    """The loss cannot be evaluated on these targets (e.g. class ids outside the output's class axis).

    Raised by :meth:`Setup.compute_loss` instead of letting the loss fail (an IndexError, or a
    CUDA device-side assert that poisons the process); checks that need a loss value abstain
    and D113 reports the labels.
    """


def _as_tensor(values: Any, what: str) -> torch.Tensor:
    if isinstance(values, torch.Tensor):
        return values
    array = np.asarray(values)
    if array.dtype == object:
        raise SetupError(
            f"The {what} could not be turned into a numeric array (it holds objects such as strings).",
            "Encode them as numbers first (e.g. sklearn's LabelEncoder for labels).",
        )
    tensor = torch.from_numpy(np.ascontiguousarray(array))
    if tensor.is_floating_point():
        tensor = tensor.float()
    return tensor


def _pair_dataset(pair: Sequence[Any], split: str) -> TensorDataset:
    """A TensorDataset of an ``(X, y)`` pair; ``(X, None)`` (validation only) holds the inputs alone."""
    if len(pair) != 2:
        raise SetupError(
            f"The {split} data is a sequence of {len(pair)} items; nndoctor expects an (X, y) pair.",
            "Pass (X, y), a Dataset yielding (x, y) or a DataLoader.",
        )
    x = _as_tensor(pair[0], f"{split} inputs")
    if pair[1] is None and split == "val":
        return TensorDataset(x)
    y = _as_tensor(pair[1], f"{split} targets")
    if len(x) != len(y):
        raise SetupError(
            f"The {split} inputs have {len(x)} rows but the targets have {len(y)}.",
            "Pass inputs and targets with one target per sample.",
        )
    return TensorDataset(x, y)


def _batch_pair(batch: Any, inputs: Accessor | None = None, targets: Accessor | None = None) -> Batch:
    """Split one batch (or one sample) into ``(inputs, targets)`` following the batch contract.

    ``inputs``/``targets`` are the user's accessors; given both, they decide alone. Otherwise a
    tuple ``(x, y)`` is taken as is, a dict splits into its label entry (``labels``, ``label``,
    ``y``, ``target``…) and the rest (one ``x``/``input`` entry, or the dict of every other
    entry, which the model receives as keyword arguments), and a bare tensor or 1-tuple is its
    own target (reconstruction).
    """
    if inputs is not None and targets is not None:
        return _accessed(inputs, batch, "inputs"), _accessed(targets, batch, "targets")
    try:
        x, y = _auto_pair(batch)
    except SetupError:
        if inputs is None and targets is None:
            raise
        raise SetupError(
            f"A batch of type {type(batch).__name__} cannot be split automatically and only one accessor was given.",
            "Pass both inputs=lambda batch: ... and targets=lambda batch: ... to Setup.",
        ) from None
    return (_accessed(inputs, batch, "inputs") if inputs is not None else x), \
        (_accessed(targets, batch, "targets") if targets is not None else y)


def _accessed(accessor: Accessor, batch: Any, name: str) -> Any:
    """``accessor(batch)``; an exception in the user's accessor becomes a SetupError naming it."""
    try:
        return accessor(batch)
    except Exception as exc:
        raise SetupError(
            f"The {name}= accessor given to Setup raised {type(exc).__name__}: {exc} on a batch of type "
            f"{type(batch).__name__}" + (f" with {len(batch)} items" if isinstance(batch, (list, tuple)) else "") + ".",
            f"Make {name}=lambda batch: ... return the {name} of one batch as the loader yields it "
            "(several positional model inputs as nndoctor.Inputs(a, b)).",
        ) from exc


def first_key(batch: Mapping, keys: Sequence[str]) -> str | None:
    """The first of ``keys`` (``LABEL_KEYS``, ``INPUT_KEYS``) a dict batch or sample holds, by the batch contract's order."""
    return next((k for k in keys if k in batch), None)


def _auto_pair(batch: Any) -> Batch:
    if isinstance(batch, Mapping):
        label = first_key(batch, LABEL_KEYS)
        if label is None:
            raise SetupError(
                f"A batch is a dict with keys {', '.join(map(repr, list(batch)[:12]))} but none of them is a label "
                f"key ({', '.join(LABEL_KEYS)}), so nndoctor cannot tell inputs from targets.",
                "Rename the label entry to 'labels' (as Hugging Face does), or pass "
                "targets=lambda batch: batch['your_key'] and inputs=lambda batch: {...} to Setup.",
            )
        key = first_key(batch, INPUT_KEYS)
        if key is not None:
            return batch[key], batch[label]
        rest = {k: v for k, v in batch.items() if k != label}
        if not rest:
            raise SetupError(
                f"A batch is a dict holding only the label entry {label!r}; there are no inputs.",
                "Return the inputs in the same dict (e.g. 'input_ids') or as an (x, y) pair.",
            )
        return rest, batch[label]
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    if isinstance(batch, torch.Tensor):
        return batch, batch
    if isinstance(batch, (list, tuple)) and len(batch) == 1 and isinstance(batch[0], torch.Tensor):
        return batch[0], batch[0]
    raise SetupError(
        f"A training batch has the form {type(batch).__name__}"
        + (f" of {len(batch)} items" if isinstance(batch, (list, tuple)) else "")
        + "; nndoctor expects (inputs, targets), a dict with a 'labels' entry, or a tensor that is its own target.",
        "Make the Dataset return (x, y) pairs, pass (X, y) arrays, or tell nndoctor how to read your batches with "
        "Setup(..., inputs=lambda batch: ..., targets=lambda batch: ...); for a model that takes several inputs, "
        "inputs=lambda batch: nndoctor.Inputs(batch[0], batch[1]).",
    )


def batch_size_of(x: Any) -> int:
    """Number of samples in the inputs of a batch (a tensor, a tuple or a dict of tensors)."""
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    if isinstance(x, Mapping) and x:
        return batch_size_of(next(iter(x.values())))
    if isinstance(x, (list, tuple)) and x:
        return batch_size_of(x[0])
    raise SetupError(f"Batch inputs of type {type(x).__name__} are not supported.", "Use tensors, tuples or dicts of tensors.")


def slice_inputs(x: Any, k: int) -> Any:
    """The first ``k`` samples of batch inputs (a tensor, a tuple or a dict of tensors)."""
    if isinstance(x, torch.Tensor):
        return x[:k]
    if isinstance(x, Mapping):
        return {key: slice_inputs(v, k) for key, v in x.items()}
    if isinstance(x, (list, tuple)):
        return same_sequence(x, (slice_inputs(v, k) for v in x))
    return x


def concat_inputs(parts: Sequence[Any], n: int | None = None, padding: int | None = None) -> Any:
    """Batch inputs of several batches (tensors, tuples or dicts of tensors) joined along the batch axis, first ``n``
    kept.

    ``padding``: a value the model ignores in integer token rows (:func:`input_padding`); rows
    padded with it per batch are padded on to the widest batch. Without it such batches do not join.
    """
    first = parts[0]
    if isinstance(first, torch.Tensor):
        joined = torch.cat(padded_to_one_width(parts, padding))
        return joined[:n] if n is not None else joined
    if isinstance(first, Mapping):
        return {key: concat_inputs([p[key] for p in parts], n, padding) for key in first}
    if isinstance(first, (list, tuple)):
        return same_sequence(first, (concat_inputs(list(items), n, padding) for items in zip(*parts)))
    raise SetupError(f"Batch inputs of type {type(first).__name__} cannot be joined.", "Use tensors, tuples or dicts of tensors.")


def padded_to_one_width(parts: Sequence[Any], padding: int | None) -> list[Any]:
    """Integer token rows (tensors or arrays) of differing widths padded on to the widest with ``padding``.

    ``padding`` is the value the model declares it drops (``input_padding``), so more of it changes
    nothing the model computes: batches padded each to its own longest row (or not at all) join as
    if collated together. Anything else (one width, other shapes, floats, no declared padding) is
    returned unchanged.
    """
    if padding is None or len({p.shape[1] for p in parts if p.ndim == 2}) < 2 or any(
            p.ndim != 2 or p.dtype in (torch.bool, np.bool_)
            or (p.is_floating_point() if isinstance(p, torch.Tensor) else p.dtype.kind not in "iu") for p in parts):
        return list(parts)
    width = max(p.shape[1] for p in parts)
    return [torch.nn.functional.pad(p, (0, width - p.shape[1]), value=padding) if isinstance(p, torch.Tensor)
            else np.pad(p, ((0, 0), (0, width - p.shape[1])), constant_values=padding) for p in parts]


def input_padding(model: Any) -> int | None:
    """The value ``model`` declares it drops from its integer inputs (``input_padding``): more of it changes nothing."""
    value = getattr(model, "input_padding", None)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def move_to(x: Any, device: torch.device) -> Any:
    """``x`` (a tensor, or a tuple/list/dict of them) on ``device``."""
    if isinstance(x, torch.Tensor):
        return x.to(device)
    if isinstance(x, Mapping):
        return {k: move_to(v, device) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return same_sequence(x, (move_to(v, device) for v in x))
    return x


# -- calling the model and reading its output ---------------------------------------------
def _takes_keywords(model: nn.Module, keys: Iterable[str]) -> bool:
    """Whether the model's own ``forward`` accepts ``keys`` as keyword arguments (or ``**kwargs``)."""
    try:
        parameters = inspect.signature(type(model).forward).parameters
    except (TypeError, ValueError):
        return False
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return True
    return set(keys) <= set(parameters)


def call_model(model: nn.Module, x: Any) -> Any:
    """Run ``model`` on batch inputs: dicts as keyword arguments when forward takes them, :class:`Inputs`
    as positional arguments, else one argument."""
    if isinstance(x, Inputs):
        return model(*x)
    if isinstance(x, Mapping):
        if _takes_keywords(model, x.keys()):
            return model(**x)
        if len(x) == 1:
            return model(next(iter(x.values())))
    return model(x)


def primary_output(output: Any) -> torch.Tensor | None:
    """The prediction tensor of a model output: the tensor itself, a tuple's first element, a dict's ``logits``.

    None when there is none (a dict/ModelOutput without logits, a tuple that does not start
    with a tensor): probes that read predictions then abstain.
    """
    if isinstance(output, torch.Tensor):
        return output
    if isinstance(output, Mapping):
        logits = output.get("logits")
        return logits if isinstance(logits, torch.Tensor) else None
    logits = getattr(output, "logits", None)
    if isinstance(logits, torch.Tensor):
        return logits
    if isinstance(output, (tuple, list)) and output and isinstance(output[0], torch.Tensor):
        return output[0]
    return None


def describe_output(output: Any) -> str:
    """A short description of what the model returns, for the report and error messages."""
    if isinstance(output, torch.Tensor):
        return "a tensor"
    if isinstance(output, Mapping):
        return f"a {type(output).__name__} with keys {', '.join(map(str, list(output)[:8]))}"
    if isinstance(output, (tuple, list)):
        return f"a {type(output).__name__} of {len(output)} items"
    return f"a {type(output).__name__}"


class _Rebuild:
    """Rebuilds a structured output around its primary tensor without holding that tensor (no cycle)."""

    def __init__(self, output: Any, primary: torch.Tensor) -> None:
        self.kind = type(output)
        if isinstance(output, Mapping):
            self.items = {k: v for k, v in output.items() if v is not primary}
            self.key = next((k for k, v in output.items() if v is primary), "logits")
        else:
            self.items = [None if v is primary else v for v in output]
            self.key = next((i for i, v in enumerate(output) if v is primary), 0)

    def __call__(self, primary: torch.Tensor) -> Any:
        if isinstance(self.items, dict):
            return self.kind(**{**self.items, self.key: primary})
        values = list(self.items)
        values[self.key] = primary
        return self.kind(values) if self.kind in (list, tuple) else self.kind(*values)


def _carry(output: Any) -> Any:
    """The primary tensor of a structured output, carrying a way back to the whole output; else ``output``."""
    primary = primary_output(output)
    if primary is None or primary is output:
        return output
    try:
        setattr(primary, _CARRY, _Rebuild(output, primary))
    except Exception:  # a tensor that refuses attributes: the loss then sees the primary tensor only
        pass
    return primary


def full_output(output: Any) -> Any:
    """What the model returned, rebuilt from a primary tensor that carries it (else ``output`` itself)."""
    rebuild = getattr(output, _CARRY, None) if isinstance(output, torch.Tensor) else None
    if rebuild is None:
        return output
    try:
        return rebuild(output)
    except Exception:  # an output type that cannot be rebuilt from its fields
        return output


def _adapted_forward(self: nn.Module, *args: Any, **kwargs: Any) -> Any:
    """forward() of a model copy: takes the batch inputs as one argument (a dict, :class:`Inputs`), returns the primary output."""
    inner = type(self).forward
    if len(args) == 1 and not kwargs and isinstance(args[0], Inputs):
        return _carry(inner(self, *args[0]))
    if len(args) == 1 and not kwargs and isinstance(args[0], Mapping):
        if _takes_keywords(self, args[0].keys()):
            return _carry(inner(self, **args[0]))
        if len(args[0]) == 1:
            return _carry(inner(self, next(iter(args[0].values()))))
    return _carry(inner(self, *args, **kwargs))


def _optimizer_factory(optimizer: Any, model: nn.Module) -> tuple[OptimizerFactory, str]:
    if optimizer is None:
        return (lambda params: torch.optim.Adam(params, lr=1e-3)), "Adam(lr=0.001) (default)"
    if isinstance(optimizer, torch.optim.Optimizer):
        return _bound_optimizer_factory(optimizer, model)
    if callable(optimizer):
        probe = optimizer(copy.deepcopy(model).parameters())
        if not isinstance(probe, torch.optim.Optimizer):
            raise SetupError(
                f"optimizer(params) returned {type(probe).__name__}, not a torch.optim.Optimizer.",
                "Pass a callable such as `lambda p: torch.optim.SGD(p, lr=0.1)` or an optimizer bound to the model.",
            )
        group = {k: v for k, v in probe.param_groups[0].items() if k != "params"}
        return optimizer, f"{type(probe).__name__}({_describe_hyper(group)})"
    raise SetupError(
        f"optimizer is a {type(optimizer).__name__}; nndoctor expects a callable params -> Optimizer.",
        "Pass e.g. `optimizer=lambda p: torch.optim.Adam(p, lr=1e-3)`.",
    )


def _bound_optimizer_factory(optimizer: torch.optim.Optimizer, model: nn.Module) -> tuple[OptimizerFactory, str]:
    """A factory that rebuilds ``optimizer``'s parameter groups on a copy of ``model``.

    Groups are kept by each parameter's place in ``model.parameters()`` (a copy lists its own in
    the same order), so per-group settings (a backbone's lower LR, an embedding group, no decay on
    biases) and parameters left out of the optimizer train on the copy as in the user's setup. A
    copy whose parameters differ (a remedy changed the model) gets the first group's settings.
    """
    place = {id(p): i for i, p in enumerate(model.parameters())}
    groups = [([place[id(p)] for p in g["params"] if id(p) in place], {k: v for k, v in g.items() if k != "params"})
              for g in optimizer.param_groups]
    groups = [(indices, hyper) for indices, hyper in groups if indices]
    cls, first = type(optimizer), {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}

    def factory(params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
        params = list(params)
        if len(params) != len(place) or not groups:
            return cls(params, **first)
        return cls([{"params": [params[i] for i in indices], **hyper} for indices, hyper in groups])

    described = f"{cls.__name__}({_describe_hyper(first)})"
    if len(groups) > 1:
        described += f" in {len(groups)} parameter groups"
    return factory, described


def _describe_hyper(group: dict[str, Any]) -> str:
    keys = ("lr", "momentum", "weight_decay", "betas", "eps")
    return ", ".join(f"{k}={group[k]}" for k in keys if k in group and group[k] not in (None, False))


def token_class_axis(y: torch.Tensor, output: torch.Tensor | None) -> int | None:
    """The output's class axis when ``y`` holds one integer class id per position of a time axis.

    Sequence targets ``(N, T)`` of int ids against an output with one more axis: ``(N, T, V)``
    (class axis last, as a language model returns) or ``(N, V, T)`` (as CrossEntropyLoss takes).
    Returns 1 or ``output.dim() - 1``; None for anything else.
    """
    if output is None or not isinstance(y, torch.Tensor) or y.dim() != 2 or y.shape[1] < 2:
        return None
    if y.is_floating_point() or y.is_complex() or y.dtype == torch.bool or output.dim() != 3:
        return None
    if output.shape[0] != y.shape[0]:
        return None
    if tuple(output.shape[2:]) == tuple(y.shape[1:]) and output.shape[1] >= 2:
        return 1
    if tuple(output.shape[:-1]) == tuple(y.shape) and output.shape[-1] >= 2:
        return output.dim() - 1
    return None


def predicts_read_tokens(model: Any, x: Any, task: str, n_classes: int | None) -> bool:
    """Whether a classifier's classes are the token ids it reads: integer inputs looked up in an embedding table with
    one row per class (a next-token language model over context windows, a next-item recommender).

    Its labels are continuations of its inputs: many follow one context, and a long tail of rare ones is what a
    vocabulary is, so the checks that read labels as a function of the inputs or class shares as a choice read
    them per token, as for sequence targets.
    """
    if task != "multiclass" or not n_classes or not isinstance(x, torch.Tensor) or x.is_floating_point() \
            or not isinstance(model, nn.Module):
        return False
    tables = (m for m in model.modules() if isinstance(m, (nn.Embedding, nn.EmbeddingBag)))
    return any(m.num_embeddings == n_classes for m in tables)


def infer_task(y: torch.Tensor, loss: Any, output: torch.Tensor | None) -> tuple[str, str]:
    """Guess the task from the targets first (what is true), then the loss and output width.

    Returns ``(task, reason)``; the reason is reported so a wrong guess is visible. Integer
    targets with a time axis whose output has a class axis are "sequence" (language models,
    token tagging): every position is one classification over the output's classes.
    """
    y = y.detach()
    axis = token_class_axis(y, output)
    if axis is not None:
        return "sequence", (f"targets are integer token ids of shape {tuple(y.shape)} and the output "
                            f"{tuple(output.shape)} has a class axis of {output.shape[axis]}: one classification per position")
    if y.dim() >= 2 and y.shape[-1] > 1 and y.dim() == 2:
        values = torch.unique(y)
        binary_valued = bool(((values == 0) | (values == 1)).all())
        if binary_valued:
            rows_one_hot = bool((y.sum(dim=1) == 1).all())
            if rows_one_hot:
                return "multiclass", f"targets are one-hot rows of width {y.shape[1]}"
            return "multilabel", f"targets are multi-hot rows of width {y.shape[1]}"
        return "regression", f"targets are real-valued vectors of width {y.shape[1]}"
    flat = y.reshape(-1).float()
    integral = (not y.is_floating_point()) or bool(torch.all(flat == flat.round()))
    distinct = torch.unique(flat)
    loss_name = type(loss).__name__ if loss is not None else ""
    width = output.shape[-1] if output is not None and output.dim() > 1 else 1
    if integral and len(distinct) <= 2 and bool(((distinct == 0) | (distinct == 1)).all()):
        if loss_name in ("CrossEntropyLoss", "NLLLoss") and width > 2:
            return "multiclass", f"the loss is {loss_name} over {width} class scores (the sample only shows classes 0 and 1)"
        return "binary", "targets take only the values 0 and 1"
    if integral and bool(distinct.min() >= 0):
        k = int(distinct.max().item()) + 1
        contiguous = len(distinct) >= max(2, int(0.8 * k))
        # Float values 1..k under a distance loss with no class 0 are ratings or counts on a scale, not 0-based indices.
        zero_based = bool(distinct.min() == 0)
        if contiguous and k <= 1000 and (len(distinct) <= 100 or loss_name in ("CrossEntropyLoss", "NLLLoss")):
            if loss_name in ("CrossEntropyLoss", "NLLLoss") or not y.is_floating_point() or (k <= 30 and zero_based):
                return "multiclass", f"targets are integer class indices 0..{k - 1}"
    if integral and not y.is_floating_point() and output is not None and output.dim() == y.dim() + 1 and width >= 2 \
            and len(distinct) <= 1000:
        # Integer ids against one score per class: regression would need one output per target, not {width}.
        return "multiclass", f"targets are integer ids and the output holds {width} class scores per sample"
    if loss_name in ("CrossEntropyLoss", "NLLLoss"):
        return "multiclass", f"the loss is {loss_name}"
    if loss_name in ("BCEWithLogitsLoss", "BCELoss"):
        return ("binary" if width == 1 else "multilabel"), f"the loss is {loss_name} with output width {width}"
    return "regression", "targets are real-valued"


class TokenCrossEntropyLoss(nn.CrossEntropyLoss):
    """Cross-entropy for outputs with the class axis last, ``(N, T, V)`` against ``(N, T)`` token ids.

    The default loss nndoctor picks for a language model that returns ``(N, T, V)``: it moves
    the class axis to where ``nn.CrossEntropyLoss`` reads it and is otherwise that loss.
    """

    def forward(self, input: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        if input.dim() == target.dim() + 1 and input.dim() >= 3 and tuple(input.shape[:-1]) == tuple(target.shape):
            input = input.movedim(-1, 1)
        return super().forward(input, target)


def _default_loss(task: str, class_axis: int | None = None) -> nn.Module:
    """The standard loss for a task; ``class_axis`` is where the output holds class scores, if it does."""
    if task == "sequence" and class_axis not in (None, 1):
        return TokenCrossEntropyLoss()
    if task == "binary" and class_axis == 1:
        return nn.CrossEntropyLoss()  # two class scores per sample (Hugging Face's num_labels=2): a 2-way softmax
    return {
        "binary": nn.BCEWithLogitsLoss(),
        "multiclass": nn.CrossEntropyLoss(),
        "multilabel": nn.BCEWithLogitsLoss(),
        "regression": nn.MSELoss(),
        "sequence": nn.CrossEntropyLoss(),
    }[task]


@dataclass
class LabelRange:
    """Class ids that the loss cannot read: outside ``0..classes-1`` of the output's class axis."""

    low: int
    high: int
    classes: int
    bad: list[int]
    count: int
    total: int

    def describe(self) -> str:
        return (f"class ids run from {self.low} to {self.high} but the output's class axis has {self.classes} entries "
                f"(valid ids 0..{self.classes - 1}); ids {', '.join(map(str, self.bad[:8]))} "
                f"({self.count} of {self.total} targets) are outside it")

    def remedy(self) -> str:
        return ("Encode the labels as 0..C-1 to match the output (D113); checks that need a loss value abstain until "
                "then.")


@dataclass
class ShapeMismatch:
    """Targets an element-wise loss broadcasts against the output instead of pairing them element by element."""

    loss: str
    output_shape: tuple[int, ...]
    target_shape: tuple[int, ...]

    @property
    def broadcast_shape(self) -> tuple[int, ...]:
        return tuple(torch.broadcast_shapes(self.output_shape, self.target_shape))

    def describe(self) -> str:
        return (f"the model output of shape {self.output_shape} and the targets of shape {self.target_shape} differ, "
                f"so {self.loss} broadcasts them to {self.broadcast_shape} and compares every prediction with every "
                "target")

    def remedy(self) -> str:
        return ("Give the targets the output's shape, e.g. `output.squeeze(-1)` in forward() or `y.view(-1, 1)` "
                "(D113); checks that need a loss value abstain until then.")


@dataclass
class DataInfo:
    """Sizes of one split, measured without reading every sample."""

    n_samples: int | None
    batch_size: int | None
    steps_per_epoch: int | None


class Setup:
    """A model, its data, loss and optimizer: the patient nndoctor examines.

    ``train``/``val`` accept a DataLoader, a Dataset (map-style or ``IterableDataset``) or an
    ``(X, y)`` pair of NumPy arrays or tensors; ``val=(X, None)`` is validation inputs without
    labels (the input checks D108 leakage and D109 input shift read them, the checks that need
    validation labels or batches see no validation split). Batches follow the contract in the module
    docstring; ``inputs``/``targets`` are accessors ``batch -> inputs`` / ``batch -> targets``
    for batches of any other form. ``loss`` is any callable ``loss(output, targets)`` and
    receives whatever the model returns (built-in ``torch.nn`` losses the primary tensor).
    ``optimizer`` is a callable ``params -> Optimizer`` or an optimizer already bound to the
    model's parameters (only its settings are used). ``task`` is one of binary / multiclass /
    multilabel / regression / sequence, or "auto". ``test`` (same forms as ``val``) and
    ``target_error`` (the error a human or the state of the art reaches: 1 - accuracy for
    classes, the MSE for values) feed the bias/variance reading of the report's look.
    ``scheduler`` is an optional ``(optimizer, steps) -> LR scheduler`` factory that nndoctor's
    trial loops (fix, tune) build on each trial's fresh optimizer and step once per batch
    (e.g. :func:`nndoctor.tune.schedules.make_scheduler` for a searchable schedule).
    """

    def __init__(
        self,
        model: nn.Module,
        train: Any,
        val: Any = None,
        loss: Any = None,
        optimizer: Any = None,
        batch_size: int = 32,
        task: str = "auto",
        name: str | None = None,
        seed: int = 0,
        inputs: Accessor | None = None,
        targets: Accessor | None = None,
        test: Any = None,
        target_error: float | None = None,
        scheduler: Callable[[torch.optim.Optimizer, int], Any] | None = None,
    ) -> None:
        if not isinstance(model, nn.Module):
            raise SetupError(
                f"model is a {type(model).__name__}, not a torch.nn.Module.",
                "Pass the network itself, e.g. Setup(model=MyNet(), ...).",
            )
        params = list(model.parameters())
        if params and not any(p.requires_grad for p in params):
            raise SetupError(
                f"None of the model's {len(params)} parameter tensors requires grad, so training cannot change it "
                "(loss.backward() raises 'element 0 of tensors does not require grad').",
                "Set requires_grad=True on the parameters to train; a freezing loop whose name filter matched "
                "every parameter (e.g. a head called 'classifier' but filtered as 'head') does this.",
            )
        if task not in TASKS + ("auto",):
            raise SetupError(f"task={task!r} is not one of {', '.join(TASKS)} or 'auto'.", "Use one of those.")
        if int(batch_size) < 1:
            raise SetupError(f"batch_size={batch_size} must be at least 1.", "Pass a positive batch size.")
        for what, accessor in (("inputs", inputs), ("targets", targets)):
            if accessor is not None and not callable(accessor):
                raise SetupError(f"{what}= is a {type(accessor).__name__}, not a callable.",
                                 f"Pass a function of one batch, e.g. {what}=lambda batch: batch[...].")
        self.model = model
        self.name = name or type(model).__name__
        self.batch_size = int(batch_size)
        self.seed = seed
        self.inputs_accessor, self.targets_accessor = inputs, targets
        self.train_loader = self._loader(train, "train", shuffle=True)
        self.val_loader = self._loader(val, "val", shuffle=False) if val is not None else None
        # val=(X, None): validation inputs without labels. Leakage (D108) and input shift (D109) read them; every
        # reader of validation *batches* (the trial's validation loss, look's predictions) sees no validation split.
        self.val_labelled = not (isinstance(val, (tuple, list)) and len(val) == 2 and val[1] is None)
        self.test_loader = self._loader(test, "test", shuffle=False) if test is not None else None
        if target_error is not None and not (isinstance(target_error, (int, float)) and target_error >= 0):
            raise SetupError(f"target_error={target_error!r} is not a non-negative number.",
                             "Pass the error you aim for, e.g. target_error=0.02 for 98% accuracy.")
        self.target_error = None if target_error is None else float(target_error)
        if scheduler is not None and not callable(scheduler):
            raise SetupError(f"scheduler= is a {type(scheduler).__name__}, not a callable.",
                             "Pass a factory (optimizer, steps) -> scheduler, e.g. "
                             "scheduler=lambda opt, steps: torch.optim.lr_scheduler.OneCycleLR(opt, 0.1, total_steps=steps).")
        self.scheduler = scheduler
        self.optimizer_factory, self.optimizer_description = _optimizer_factory(optimizer, model)
        self.user_optimizer = optimizer if isinstance(optimizer, torch.optim.Optimizer) else None
        self._requested_task = task
        self._requested_loss = loss
        self.loss: Any = loss
        self.task: str = task
        self.task_reason: str = "given" if task != "auto" else ""
        self.loss_inferred = loss is None
        self.output_description = ""
        self.loss_reads = "output"  # "output": what the model returns; "primary": its prediction tensor
        self.class_axis: int | None = None  # the output's class axis for class-index targets
        self.n_classes: int | None = None
        self.next_token = False  # the classes are the token ids the model reads (see predicts_read_tokens)
        self.label_problem: LabelRange | ShapeMismatch | None = None
        self.notes: list[str] = []  # what nndoctor could not judge and why, shown with the setup
        self.structured_output = False  # the model returns a tuple/dict/ModelOutput, not a tensor
        self._integer_targets = False  # the batches' targets are integer (class ids or counts)
        self.reconstruction = False  # the targets are the inputs themselves (autoencoders, VAEs)
        self.loss_maps_labels = False  # a custom loss that reads out-of-range ids fine (it re-encodes them itself)
        self._adapt = False  # model copies need the adapted forward (dict inputs or a structured output)
        self._resolved = False
        if not self.val_labelled:
            self.notes.append("The validation split holds inputs only (no labels): leakage (D108) and input shift "
                              "(D109) are judged on it; label shift and the checks that score validation predictions "
                              "are not.")

    # -- data -----------------------------------------------------------------
    @property
    def streaming(self) -> bool:
        """The training data is an IterableDataset: read in its own order, never shuffled by nndoctor."""
        return isinstance(getattr(self.train_loader, "dataset", None), IterableDataset)

    def _loader(self, data: Any, split: str, shuffle: bool) -> DataLoader:
        if isinstance(data, DataLoader):
            dataset = data.dataset
        elif isinstance(data, Dataset):
            dataset = data
        elif isinstance(data, (tuple, list)):
            dataset = _pair_dataset(data, split)
        else:
            raise SetupError(
                f"The {split} data is a {type(data).__name__}; nndoctor accepts a DataLoader, a Dataset or an (X, y) pair.",
                "Wrap arrays as (X, y) or build a torch DataLoader.",
            )
        try:
            size = len(dataset)  # type: ignore[arg-type]
        except TypeError:
            size = None
        if size == 0:
            raise SetupError(
                f"The {split} data is empty (0 samples), so there is nothing to examine.",
                f"Check the path or filter that builds the {split} split; it must hold at least one batch.",
            )
        if isinstance(data, DataLoader):
            return data
        # A stream has no indices to permute: it is read in its own order (DataLoader refuses shuffle=True).
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=shuffle and not isinstance(dataset, IterableDataset))

    def data_info(self, split: str = "train") -> DataInfo:
        loader = self.train_loader if split == "train" else self.val_loader
        if loader is None:
            return DataInfo(None, None, None)
        try:
            n = len(loader.dataset)  # type: ignore[arg-type]
        except TypeError:
            n = None
        try:
            steps = len(loader)
        except TypeError:
            steps = None
        return DataInfo(n, loader.batch_size, steps)

    def split_batch(self, batch: Any) -> Batch:
        """``(inputs, targets)`` of one batch or sample, by the batch contract and the user's accessors."""
        return _batch_pair(batch, self.inputs_accessor, self.targets_accessor)

    def batches(self, split: str = "train", limit: int | None = None) -> Iterable[Batch]:
        """Iterate ``(x, y)`` batches of a split, at most ``limit`` of them (a stream is read in order)."""
        loader = self.test_loader if split == "test" else self.train_loader if split == "train" else self.val_loader
        if loader is None or (split == "val" and not self.val_labelled):  # inputs only: no (x, y) batches
            return
        for i, batch in enumerate(loader):
            if limit is not None and i >= limit:
                break
            yield self.split_batch(batch)

    def first_batch(self, split: str = "train") -> Batch:
        for batch in self.batches(split, limit=1):
            return batch
        raise SetupError(
            f"The {split} DataLoader yielded no batch (drop_last with fewer samples than batch_size, or an empty stream?).",
            "Use a smaller batch size or drop_last=False, and check that the dataset yields samples.",
        )

    # -- model, loss, task ----------------------------------------------------
    @property
    def device(self) -> torch.device:
        for p in self.model.parameters():
            return p.device
        return torch.device("cpu")

    def fresh_model(self) -> nn.Module:
        """A deep copy of the user's model as it is now (their object stays untouched).

        When the batches are dicts or the model returns a tuple/dict, the copy's ``forward``
        takes the batch inputs as one argument and returns the primary output tensor (carrying
        the whole output for :meth:`compute_loss`), so every probe can call ``copy(x)``.
        """
        model = copy.deepcopy(self.model)
        if self._adapt:
            model.forward = types.MethodType(_adapted_forward, model)  # type: ignore[method-assign]
        return model

    def forward(self, model: nn.Module, x: Any) -> Any:
        """Run ``model`` on batch inputs ``x``: the primary output tensor (carrying the whole output), or the raw output."""
        return _carry(call_model(model, x))

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        return self.optimizer_factory(model.parameters())

    def loss_input(self, output: Any) -> Any:
        """What the loss receives for ``output``: the whole model output, or its primary tensor."""
        whole = full_output(output)
        if self.loss_reads == "primary":
            primary = primary_output(whole)
            return primary if primary is not None else whole
        return whole

    def training_loss(self, output: Any, y: torch.Tensor) -> torch.Tensor:
        """The loss as the user's loop trains on it: :meth:`compute_loss`, except that targets the loss broadcasts
        (:class:`ShapeMismatch`) train as broadcast, where checks abstain; fix's unchanged arm trains the user's
        setup."""
        if isinstance(self.label_problem, ShapeMismatch):
            return self.loss(self.loss_input(output), y)
        return self.compute_loss(output, y)

    def compute_loss(self, output: Any, y: torch.Tensor) -> torch.Tensor:
        """The user's loss on a model output (primary tensor or whole output) and targets.

        Raises :class:`LossUnavailable` instead of running the loss on class ids it cannot
        read (D113 reports them), so callers abstain rather than crash.
        """
        if self.label_problem is not None:
            raise LossUnavailable(
                f"The loss cannot be computed: {self.label_problem.describe()}.", self.label_problem.remedy(),
            )
        if (self.structured_output and self.loss_reads == "output" and isinstance(output, torch.Tensor)
                and getattr(output, _CARRY, None) is None):
            raise LossUnavailable(
                f"The loss reads the model's whole output ({self.output_description}), so a prediction tensor alone "
                "(a constant or synthetic prediction) cannot be scored with it.",
                "Nothing to change in the setup; comparisons that need such a score abstain.",
            )
        if self.task in CLASS_INDEX_TASKS and self._integer_targets and isinstance(y, torch.Tensor) and y.is_floating_point():
            raise LossUnavailable(
                f"The {self.task} targets are integer class ids, but the loss was asked to score float targets "
                f"of shape {tuple(y.shape)} (a regression-style reference, not a class prior).",
                "Nothing to change in the setup; comparisons that need such a score abstain.",
            )
        problem = self.check_labels(output, y)
        if problem is not None:
            raise LossUnavailable(
                f"The loss cannot be computed on this batch: {problem.describe()}.",
                "Encode the labels as 0..C-1 to match the output (D113).",
            )
        return self.loss(self.loss_input(output), y)

    @property
    def ignore_index(self) -> int:
        return int(getattr(self.loss, "ignore_index", -100))

    def reads_class_indices(self, y: torch.Tensor) -> bool:
        """Whether the loss reads ``y`` as integer class ids along the output's class axis."""
        if (not isinstance(y, torch.Tensor) or y.is_floating_point() or y.dtype == torch.bool or self.class_axis is None
                or self.loss_maps_labels):
            return False
        return isinstance(self.loss, (nn.CrossEntropyLoss, nn.NLLLoss)) or self.task in CLASS_INDEX_TASKS

    def check_labels(self, output: Any, y: torch.Tensor) -> LabelRange | None:
        """Class ids in ``y`` outside the class axis of ``output`` (ignore_index excluded), before any loss runs."""
        if not self.reads_class_indices(y):
            return None
        primary = primary_output(output)
        if primary is None or primary.dim() <= self.class_axis:
            return None
        classes = int(primary.shape[self.class_axis])
        used = y[y != self.ignore_index]
        if not used.numel():
            return None
        low, high = int(used.min()), int(used.max())
        if low >= 0 and high < classes:
            return None
        bad = used[(used < 0) | (used >= classes)]
        return LabelRange(low, high, classes, torch.unique(bad)[:20].tolist(), int(bad.numel()), int(used.numel()))

    def resolve(self) -> "Setup":
        """Infer task and default loss from one real batch; checks that output and targets fit."""
        if self._resolved:
            return self
        x, y = self.first_batch("train")
        model = copy.deepcopy(self.model)
        model.eval()
        try:
            with torch.no_grad():
                output = call_model(model, move_to(x, self.device))
        except Exception as exc:  # the user's forward failing is a setup problem, not ours
            how = ("as keyword arguments" if isinstance(x, Mapping) and _takes_keywords(model, x.keys())
                   else "as one argument")
            raise SetupError(
                f"The model's forward pass failed on a training batch (inputs {describe_shape(x)}, passed {how}): "
                f"{type(exc).__name__}: {exc}.",
                "Make sure the model's first layer matches the input features and the batches are (x, y) pairs, or "
                "dicts with a 'labels' entry whose other entries forward() takes by name.",
            ) from exc
        primary = primary_output(output)
        self.output_description = describe_output(output)
        self.structured_output = primary is not output
        self._integer_targets = isinstance(y, torch.Tensor) and not y.is_floating_point() and not y.is_complex()
        self.reconstruction = (isinstance(x, torch.Tensor) and isinstance(y, torch.Tensor) and x.shape == y.shape
                               and (x is y or bool(torch.equal(x, y))))
        self._adapt = isinstance(x, (Mapping, Inputs)) or self.structured_output
        if primary is None:
            if self._requested_loss is None:
                raise SetupError(
                    f"The model returns {self.output_description} and none of it is a prediction tensor nndoctor can "
                    "pick a default loss for (a tensor, a tuple starting with one, or a dict/ModelOutput with 'logits').",
                    "Pass loss=your_loss_fn taking the model's output and the targets, or return the logits first.",
                )
            self.notes.append(f"The model returns {self.output_description} without a prediction tensor; checks that "
                              "read predictions (output layer, loss at init) abstain.")
        if self._requested_task == "auto":
            self.task, self.task_reason = infer_task(y, self._requested_loss, primary)
        elif self._requested_task == "multiclass" and token_class_axis(y, primary) is not None:
            self.task = "sequence"
            self.task_reason = (f"given as multiclass; the targets {tuple(y.shape)} hold one class id per position, "
                                "so each position is one classification")
        if self.reconstruction:
            self.task_reason += "; the targets are the inputs themselves (reconstruction)"
        self.class_axis = self._class_axis(y, primary)
        self.n_classes = int(primary.shape[self.class_axis]) if self.class_axis is not None else None
        self.next_token = predicts_read_tokens(self.model, x, self.task, self.n_classes)
        if self.loss is None:
            self.loss = _default_loss(self.task, self.class_axis)
        if not isinstance(self.loss, nn.Module) and not callable(self.loss):
            raise SetupError(f"loss is a {type(self.loss).__name__}, not a callable.",
                             "Pass a loss module such as nn.CrossEntropyLoss() or a function loss(output, targets).")
        if isinstance(self.loss, nn.modules.loss._Loss):
            self.loss_reads = "primary"  # built-in losses take tensors
        self._check_fit(output, primary, move_to(y, self.device))
        if self.streaming:
            self.notes.append("The training data is a stream (IterableDataset): nndoctor reads it in its own order "
                              "and never shuffles it, so whether it is shuffled (D115) cannot be judged.")
        self._resolved = True
        return self

    def _class_axis(self, y: torch.Tensor, primary: torch.Tensor | None) -> int | None:
        """Which output axis holds the classes for integer class-id targets (None when there is none)."""
        if primary is None or y.is_floating_point() or primary.dim() < 2:
            return None
        if self.task == "sequence":
            return token_class_axis(y, primary)
        if self.task in ("binary", "multiclass") and primary.dim() == y.dim() + 1 and primary.shape[1] >= 2:
            return 1
        return None

    def _check_fit(self, output: Any, primary: torch.Tensor | None, y: torch.Tensor) -> None:
        if primary is not None and primary.dim() and y.dim() and primary.shape[0] != y.shape[0]:
            raise SetupError(
                f"The model returned {primary.shape[0]} rows for a batch of {y.shape[0]} targets "
                f"(output shape {tuple(primary.shape)}).",
                "Keep the batch dimension first and do not reduce over it in forward().",
            )
        self.label_problem = self.check_labels(output, y)
        if self.label_problem is not None and not isinstance(self.loss, (nn.CrossEntropyLoss, nn.NLLLoss)):
            self.label_problem = self._custom_loss_label_problem(output, y)
        if self.label_problem is not None:
            self.notes.append(f"The loss was not run: {self.label_problem.describe()} (D113); checks that need a "
                              "loss value abstain.")
            return
        caught: list = []
        attempts = ["primary"] if self.loss_reads == "primary" else ["output"] + (["primary"] if primary is not None and primary is not output else [])
        errors = []
        for reads in attempts:
            self.loss_reads = reads
            try:
                with torch.no_grad(), warnings.catch_warnings(record=True) as caught:
                    warnings.simplefilter("always")
                    value = self.loss(self._float(self.loss_input(_carry(output))), y)
                if not isinstance(value, torch.Tensor):
                    raise TypeError(f"the loss returned a {type(value).__name__}, not a tensor")
                break
            except Exception as exc:
                errors.append(exc)
        else:
            exc = errors[0]
            shape = tuple(primary.shape) if primary is not None else self.output_description
            if (self.task == "sequence" and self.class_axis not in (None, 1)
                    and isinstance(self.loss, (nn.CrossEntropyLoss, nn.NLLLoss))):
                raise SetupError(
                    f"{type(self.loss).__name__} reads the classes on axis 1, but the model's output {shape} holds its "
                    f"{self.n_classes} classes on the last axis (one row of scores per token), so it cannot compare "
                    f"it with the token targets {tuple(y.shape)}: {type(exc).__name__}: {str(exc).splitlines()[0]}.",
                    "Return logits.transpose(1, 2) from forward(), or pass "
                    "loss=lambda out, y: F.cross_entropy(out.flatten(0, 1), y.flatten()) (keep your ignore_index).",
                ) from exc
            raise SetupError(
                f"The loss {type(self.loss).__name__} cannot compare the model output ({self.output_description}, "
                f"prediction shape {shape}) with targets of shape {tuple(y.shape)} and dtype {y.dtype}: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}.",
                "Make the output layer's width match the targets (classes for classification, "
                "target columns for regression) and the target dtype match the loss; a custom loss receives "
                "whatever the model returns.",
            ) from exc
        broadcast = any("broadcasting" in str(w.message) for w in caught)
        if broadcast and primary is not None:
            # the fault D113 reports (targets not shaped as the loss reads them), not a setup nndoctor cannot run
            self.label_problem = ShapeMismatch(type(self.loss).__name__, tuple(primary.shape), tuple(y.shape))
            self.notes.append(f"The loss is not used as given: {self.label_problem.describe()} (D113); checks that "
                              "need a loss value abstain.")
        elif broadcast:
            raise SetupError(
                f"The model output of shape {self.output_description} and the targets of shape {tuple(y.shape)} "
                f"differ, so {type(self.loss).__name__} silently broadcasts them against each other and "
                "compares every prediction with every target.",
                "Make them the same shape, e.g. `output.squeeze(-1)` in forward() or `y.view(-1, 1)` for the targets.",
            )

    def _custom_loss_label_problem(self, output: Any, y: torch.Tensor) -> LabelRange | None:
        """The label problem of a custom loss, unless that loss re-encodes the ids itself (e.g. ``y - 1``).

        Tried on CPU copies, where an out-of-range index raises instead of poisoning a CUDA context.
        """
        problem = self.label_problem
        try:
            with torch.no_grad():
                self.loss(move_to(self.loss_input(_carry(output)), torch.device("cpu")), y.cpu())
        except Exception:
            return problem
        self.loss_maps_labels = True
        return None

    @staticmethod
    def _float(output: Any) -> Any:
        """Half-precision prediction tensors as float32 for the fit check (the loss may not take float16)."""
        return output.float() if isinstance(output, torch.Tensor) and output.is_floating_point() else output

    def summary(self) -> dict[str, Any]:
        info = self.data_info("train")
        val = self.data_info("val")
        return {
            "name": self.name,
            "model": type(self.model).__name__,
            "parameters": sum(p.numel() for p in self.model.parameters()),
            "task": self.task,
            "task_reason": self.task_reason,
            "loss": type(self.loss).__name__ if self.loss is not None else None,
            "loss_inferred": self.loss_inferred,
            "optimizer": self.optimizer_description,
            "train_samples": info.n_samples,
            "val_samples": val.n_samples,
            "batch_size": info.batch_size,
            "device": str(self.device),
            "output": self.output_description,
            "loss_reads": self.loss_reads,
            "classes": self.n_classes,
            "streaming": self.streaming,
            "reconstruction": self.reconstruction,
            "notes": list(self.notes),
        }


def describe_shape(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"shape {tuple(x.shape)}"
    if isinstance(x, Mapping):
        return "{" + ", ".join(f"{k}: {describe_shape(v)}" for k, v in x.items()) + "}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(describe_shape(v) for v in x) + ")"
    return type(x).__name__
