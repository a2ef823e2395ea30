"""What a watched script built, captured at its first training step for the static exam.

``nndoctor run`` watches the user's loop, but half the catalog (label noise, leakage,
batch mixing, gradient checks, …) is decided by checkup's static exam on a Setup. A
:class:`SetupCapture` listens to the hub's events while the script runs and records, at
the first backward, what the script trains *before its first update*:

- the model: a deep copy of the outermost module holding the parameters the loss reaches
  (parameters are still at their initial values then);
- the loss: the functional loss kind and keyword arguments of the loss call that was
  backpropagated, when the tensor passed to ``backward`` is that one loss call (scaled,
  divided or reduced at most); anything else (a VAE's reconstruction + KL, a custom loss)
  is "custom" and the loss checks abstain;
- the optimizer: class and per-group hyperparameters at its first ``step`` (torch's global
  step pre-hook), or unknown for a hand-written update;
- the training DataLoader (the loader that yielded the batch of the first backward) and a
  validation loader (another loader iterated later in eval mode or without grad, under which no
  backward runs: a loader whose batches are trained on is training data whatever mode the captured
  model was left in, as when a second stage trains a head on a frozen, eval-mode encoder). A model
  called as ``model(**batch)`` on the loader's dict batch (the Hugging Face ``Trainer``) is
  examined on those dicts, the label entry as targets and the rest as keyword arguments.
  Without a validation loader, the validation split is a tensor the model is evaluated on
  after training began (eval mode or no grad, the model's own positional input, not a loader's
  batch) that is not the training data, the one sharing the fewest rows with it
  (:class:`EvalTensors`); its labels are the target of the loss call its output reached, else it
  is examined as inputs only.

It keeps references to the loaders, never copies of their data; only the model is copied.
A loop fed by no DataLoader (``xb, yb = X[idx], y[idx]``) is examined on detached CPU copies
of the first batches it fed its model (:class:`LoopSample`: one epoch at most, bounded). It
attaches nothing to the user's objects: the hooks it uses are torch's global module and
optimizer hooks (removed when the model is captured and at ``stop``) and, for a validation
tensor, a handler on the hub's forward event of the captured model (keyed by a weak
reference, removed at ``stop``; it keeps a bounded CPU copy of the tensor taken), so the model
pickles, deep-copies and trains exactly as without it. Every failure inside it is
recorded in :attr:`SetupCapture.failures`, never raised into the script.

:meth:`SetupCapture.setup` turns the capture into an :class:`nndoctor.Setup` over copies
(a twin of each loader, single-process, with its own sampler state). Examining it is the
``run`` adapter's job (:func:`nndoctor.combine.examine`): watch records, it imports no check.
"""
from __future__ import annotations

import copy
import inspect
import math
import statistics
import traceback
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import torch
from torch import nn
from torch.utils.data import (
    DataLoader,
    Dataset,
    IterableDataset,
    RandomSampler,
    TensorDataset,
)

from ..errors import SetupError
from ..report import CheckFailure
from ..setup import LABEL_KEYS, Inputs, TokenCrossEntropyLoss, batch_size_of
from . import hub
from .bags import PAD, bag_layout, pack_bags, unpack_bags
from .eval_tensors import EvalInput, EvalTensors, dataset_inputs, taken_note
from .eval_units import EvalOutputUnits
from .graph import graph_leaves
from .loop_sample import SAMPLE_ROWS, LoopSample
from .loss_inspect import REGRESSION as REGRESSION_KINDS
from .manual_sgd import AGREE
from .rows import flattened_tokens, same_values, sequence_target, swap_leading

# Operations allowed between one loss call's output and the tensor passed to backward (scale, accumulate, sign, reduce).
_CHAIN_OPS = ("MulBackward", "DivBackward", "NegBackward", "MeanBackward", "SumBackward")
_REDUCE_OPS = {"MeanBackward": "mean", "SumBackward": "sum"}
_MAX_CHAIN = 4
_MAX_LOSS_CALLS = 16
_MAX_CALLS = 10_000
_MAX_POSITIONAL = 8  # positional inputs of one forward the exam can feed back (model(x, mask), model(src, tgt), …)
# Keyword arguments a Hugging Face ``Trainer`` adds to ``model(**batch)`` besides the batch's own keys:
# scalars that only normalise the loss the model computes (the exam scores the logits itself).
_LOSS_KEYWORDS = frozenset({"num_items_in_batch"})


# -- what the exam runs on ------------------------------------------------------------------
class UnknownLoss(nn.Module):
    """Stand-in for a loss nndoctor could not capture: half the mean squared output.

    It only gives the model checks a gradient to measure (scale, dead paths, batch mixing);
    every check that judges the loss itself is deselected when it is used, so it never
    appears in a finding.
    """

    def forward(self, output: torch.Tensor, target: Any = None) -> torch.Tensor:
        return 0.5 * output.float().pow(2).mean()


def _structure(value: Any) -> Any:
    """A call argument's tensor layout: ``(shape, dtype)`` for a tensor, a tuple of those for a tuple/list
    of tensors (an LSTM's ``(h, c)``), None for anything else."""
    if isinstance(value, torch.Tensor):
        return tuple(value.shape), value.dtype
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, torch.Tensor) for v in value):
        return tuple((tuple(v.shape), v.dtype) for v in value)
    return None


@dataclass(frozen=True)
class RecurrentState:
    """The trailing positional inputs a recurrent model carries from step to step (``model(x, hidden)``).

    Recognised by the model returning a new state of the same layout as the one it took (the
    official word-language-model loop's ``output, hidden = model(data, hidden)``). The exam feeds
    its batches with a zero state, as ``init_hidden`` does, sized to each batch: an axis of the
    state as long as an input axis whose length changed follows it (layers × batch × hidden for
    torch's RNNs, so the middle axis is tried first).
    """

    layouts: tuple[Any, ...]  # per state argument: _structure's layout
    input_shape: tuple[int, ...]  # the first data input's shape when the state was captured
    time_first: bool = False  # the exam's batches are (B, T, ...); the model takes (T, B, ...)

    def batch_second(self, x: torch.Tensor) -> bool:
        """Whether ``x`` is time-major: its second axis, not its first, is the state's batch axis (torch RNNs' default)."""
        if x.dim() < 2 or x.shape[0] == x.shape[1]:
            return False
        shapes = [layout[0] for layout in self._tensors()]
        return bool(shapes) and all(len(s) == 3 and s[1] == x.shape[1] for s in shapes)

    def _tensors(self) -> list[tuple[tuple[int, ...], torch.dtype]]:
        out: list[tuple[tuple[int, ...], torch.dtype]] = []
        for layout in self.layouts:
            out.extend(layout if layout[0] and isinstance(layout[0][0], tuple) else [layout])
        return out

    def zeros_for(self, x: torch.Tensor) -> list[Any]:
        changed = [(self.input_shape[a], int(x.shape[a])) for a in range(min(x.dim(), len(self.input_shape)))
                   if x.shape[a] != self.input_shape[a]]

        def zeros(shape: tuple[int, ...], dtype: torch.dtype) -> torch.Tensor:
            sized = list(shape)
            for old, new in changed:
                axis = next((a for a in (1, 0, *range(2, len(sized))) if a < len(sized) and sized[a] == old), None)
                if axis is not None:
                    sized[axis] = new
            return torch.zeros(sized, dtype=dtype, device=x.device)

        state: list[Any] = []
        for layout in self.layouts:
            if layout[0] and isinstance(layout[0][0], tuple):  # a tuple of tensors: ((shape, dtype), ...)
                state.append(tuple(zeros(shape, dtype) for shape, dtype in layout))
            else:
                state.append(zeros(*layout))
        return state


def recurrent_state(args: tuple, output: Any) -> tuple[int, RecurrentState] | None:
    """``(number of data inputs, state)`` when the call's trailing positional inputs are an initial state the
    model returned anew: each has the layout of one of the tuple output's elements and is all zeros (what
    ``init_hidden`` gives at the first step, where the capture reads the call). A second input that merely
    shares an output's shape (attention's keys and values, a decoder's targets) holds data, not zeros."""
    if len(args) < 2 or not isinstance(args[0], torch.Tensor) or not isinstance(output, (list, tuple)):
        return None
    returned = [_structure(v) for v in output]
    k = len(args)
    while k > 1 and (layout := _structure(args[k - 1])) is not None and layout in returned and _all_zero(args[k - 1]):
        k -= 1
    if k == len(args):
        return None
    return k, RecurrentState(tuple(_structure(a) for a in args[k:]), tuple(args[0].shape))


def _all_zero(value: Any) -> bool:
    """Whether a tensor, or every tensor of a tuple, holds only zeros."""
    tensors = [value] if isinstance(value, torch.Tensor) else list(value)
    with torch.no_grad():
        return all(not bool(t.any()) for t in tensors)


class ExamModel(nn.Module):
    """The captured model as the loss saw it: picks one element of a tuple/dict output and/or reshapes it.

    Used only when the script's forward returns several tensors (a VAE's ``recon, mu,
    logvar``), its loss received a reshaped output, it carries a recurrent state
    (``model(x, hidden)``: fed zeros, time-major inputs swapped to the exam's batch-major rows),
    it flattens its own output (``.view(-1, vocab)``: unflattened), NLLLoss reads its token
    scores (class axis moved to 1) or it takes bags of tokens as a flat stream and offsets
    (``bags``: the positions of the two; fed rows of :func:`pack_bags`); plain models are
    examined unwrapped.
    """

    def __init__(self, model: nn.Module, pick: Any = None, tail: tuple[int, ...] | None = None,
                 state: RecurrentState | None = None, unflatten: bool = False, classes_first: bool = False,
                 bags: tuple[int, int] | None = None, autocast: tuple[str, torch.dtype] | None = None) -> None:
        super().__init__()
        self.model = model
        self.autocast = autocast
        self.pick = pick
        self.tail = tail
        self.state = state
        self.unflatten = unflatten
        self.classes_first = classes_first
        self.bags = bags
        if bags is not None:
            self.input_padding = PAD  # more padding adds no token to any bag (concat_inputs may pad batches on)

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        if self.bags is not None and len(args) == 1:  # one padded row per bag: the stream and offsets it came from
            fed: list[Any] = [None, None]
            fed[self.bags[0]], fed[self.bags[1]] = unpack_bags(args[0])
            args = tuple(fed)
        time_first = self.state is not None and self.state.time_first
        if time_first:
            args = tuple(swap_leading(a) for a in args)
        if self.state is not None and args and isinstance(args[0], torch.Tensor):
            args = (*args, *self.state.zeros_for(args[0]))
        if self.autocast is None:
            out = self.model(*args, **kwargs)
        else:  # the loop's mixed precision: a bf16 model on float inputs, its losses in float32 as under autocast
            with torch.autocast(self.autocast[0], dtype=self.autocast[1]):
                out = self.model(*args, **kwargs)
            out = _in_float32(out)
        if self.pick is not None:
            out = out[self.pick]
        if self.tail is not None and isinstance(out, torch.Tensor):
            out = out.reshape(out.shape[0], *self.tail)
        x = args[0] if args and isinstance(args[0], torch.Tensor) else None
        if self.unflatten and isinstance(out, torch.Tensor) and x is not None and x.dim() >= 2 \
                and out.shape[0] == x.shape[0] * x.shape[1]:
            out = out.reshape(x.shape[0], x.shape[1], *out.shape[1:])
        if time_first and isinstance(out, torch.Tensor) and x is not None and out.shape[:2] == x.shape[:2]:
            out = swap_leading(out)
        if self.classes_first and isinstance(out, torch.Tensor) and out.dim() >= 3:
            out = out.movedim(-1, 1)  # (N, T, V) -> (N, V, T), where NLLLoss reads the classes
        return out


def autocast_in_force(device_type: str) -> tuple[str, torch.dtype] | None:
    """The autocast region a call on ``device_type`` runs in, as ``(device type, dtype)``; None outside one."""
    try:
        if torch.is_autocast_enabled(device_type):
            return device_type, torch.get_autocast_dtype(device_type)
    except (TypeError, RuntimeError, AttributeError):  # torch before 2.4 names the CPU's region apart
        if device_type == "cpu" and torch.is_autocast_cpu_enabled():
            return "cpu", torch.get_autocast_cpu_dtype()
        if device_type == "cuda" and torch.is_autocast_enabled():
            return "cuda", torch.get_autocast_gpu_dtype()
    return None


def _in_float32(out: Any) -> Any:
    """Reduced-precision float tensors in ``out`` (a tensor, or a tuple/list/dict of them) as float32."""
    if isinstance(out, torch.Tensor):
        return out.float() if out.is_floating_point() and out.dtype in (torch.float16, torch.bfloat16) else out
    if isinstance(out, dict):
        return type(out)({k: _in_float32(v) for k, v in out.items()})
    if isinstance(out, (list, tuple)) and not hasattr(out, "_fields"):
        return type(out)(_in_float32(v) for v in out)
    return out


@dataclass(frozen=True)
class BatchAdapter:
    """Turns a batch as the loader yields it into ``(model input, loss target)`` as the loop fed them.

    ``x_tail``/``x_dtype``: the per-sample shape and dtype the model received (``x.view(-1, 784)``,
    ``x.float()`` in the loop). ``target``: which batch element the loss compared with
    (``"y"``, ``"x"`` for an autoencoder, or ``"none"``: a zero stand-in); ``y_tail``/``y_dtype``
    as for the inputs. ``restructure``: batches are dicts or longer sequences, turned into
    ``(x, y)`` pairs. ``label_key``: the batch is a dict the loop passed whole as keyword
    arguments (``model(**batch)``, the Hugging Face ``Trainer``): the inputs are the dict of its
    other entries (checkup passes them as keyword arguments) and the targets its ``label_key``
    entry. ``x_cut``/``y_cut``: the ``(start, stop)`` positions along the sequence axis the loop
    fed (a language model's ``tokens[:, :-1]`` as input, ``tokens[:, 1:]`` as target). ``bags``:
    the model took its two positional inputs as a flat token stream and bag offsets (their
    positions in the call): the exam's inputs are one padded row per bag (:func:`pack_bags`).
    ``y_one_hot``: the loss compared the model with ``one_hot(y, C)`` of the batch's class ids ``y`` (C classes).
    Picklable plain data, applied per batch by :class:`AdaptedCollate`.
    """

    x_tail: tuple[int, ...] | None = None
    x_dtype: torch.dtype | None = None
    target: str = "y"
    y_tail: tuple[int, ...] | None = None
    y_dtype: torch.dtype | None = None
    restructure: bool = False
    label_key: str | None = None
    positions: tuple[int, ...] | None = None
    position_dtypes: tuple[torch.dtype | None, ...] | None = None
    target_at: int | None = None
    x_cut: tuple[int, int] | None = None
    y_cut: tuple[int, int] | None = None
    y_units: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    bags: tuple[int, int] | None = None
    y_one_hot: int | None = None

    @property
    def identity(self) -> bool:
        """Whether batches already are ``(x, y)`` as the loop fed them (the loader is then used unchanged)."""
        return (self.x_tail is None and self.x_dtype is None and self.target == "y" and self.y_tail is None
                and self.y_dtype is None and not self.restructure and self.label_key is None and self.positions is None
                and self.x_cut is None and self.y_cut is None and self.y_units is None and self.y_one_hot is None)

    def __call__(self, batch: Any) -> tuple[Any, Any]:
        if self.positions is not None:
            return self._positional(batch)
        x, y = _keyword_pair(batch, self.label_key) if self.label_key is not None else _pair(batch)
        if self.target == "x":
            y = x
        x = _adapt(_cut(x, self.x_cut), self.x_tail, self.x_dtype)
        if self.target == "none":
            return x, torch.zeros(_rows(x))
        if y is None:
            raise SetupError("A batch has no targets although the loss compared the model with them.",
                             "Make the Dataset return (x, y) pairs.")
        y = _one_hot(_cut(y, self.y_cut), self.y_one_hot)
        return x, _to_model_units(_adapt(y, self.y_tail, self.y_dtype), self.y_units)

    def _positional(self, batch: Any) -> tuple[Any, Any]:
        """``(Inputs(batch[i] for i in positions), batch[target_at])`` for a model fed several positional inputs."""
        if not isinstance(batch, (list, tuple)) or len(batch) <= max(self.positions or (0,)):
            raise SetupError(f"A training batch is a {type(batch).__name__}, but the first one was a sequence whose "
                             f"items the model took as {len(self.positions or ())} positional inputs.",
                             "Make the Dataset and collate function return the same tuple for every batch.")
        dtypes = self.position_dtypes or (None,) * len(self.positions or ())
        x = Inputs(*(_adapt(batch[i], None, dtype) for i, dtype in zip(self.positions or (), dtypes)))
        if self.bags is not None:
            x = pack_bags(x[self.bags[0]], x[self.bags[1]])
        if self.target == "none" or self.target_at is None:
            return x, torch.zeros(batch_size_of(x))
        return x, _to_model_units(_adapt(batch[self.target_at], self.y_tail, self.y_dtype), self.y_units)


class AdaptedCollate:
    """A loader's own collate function followed by a :class:`BatchAdapter`."""

    def __init__(self, collate: Callable[[Any], Any], adapter: BatchAdapter) -> None:
        self.collate = collate
        self.adapter = adapter

    def __call__(self, samples: Any) -> tuple[Any, Any]:
        return self.adapter(self.collate(samples))


class MapView(Dataset):
    """The same samples as ``dataset``, without its TensorDataset type (so audits read batches through the adapter)."""

    def __init__(self, dataset: Any) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index: int) -> Any:
        return self.dataset[index]


def _pair(batch: Any) -> tuple[Any, Any]:
    """``(inputs, targets)`` of a loader batch; targets are None for input-only batches (``(x,)`` or ``x``)."""
    if isinstance(batch, torch.Tensor):
        return batch, None
    if isinstance(batch, Mapping):
        keys = [k for k in ("x", "input", "inputs", "image", "images") if k in batch]
        targets = [k for k in ("y", "label", "labels", "target", "targets") if k in batch]
        if keys:
            return batch[keys[0]], batch[targets[0]] if targets else None
    if isinstance(batch, (list, tuple)) and len(batch) in (1, 2):
        return batch[0], batch[1] if len(batch) == 2 else None
    raise SetupError(
        f"A training batch has the form {type(batch).__name__}"
        + (f" of {len(batch)} items" if isinstance(batch, (list, tuple)) else "")
        + "; the exam needs (inputs, targets).",
        "Make the Dataset return (x, y) pairs to get the data and model exam in `nndoctor run`.",
    )


def _keyword_pair(batch: Any, label_key: str) -> tuple[dict[str, Any], Any]:
    """``(inputs, targets)`` of a dict batch fed as keyword arguments: every other entry, and the ``label_key`` one."""
    if not isinstance(batch, Mapping):
        raise SetupError(f"A training batch is a {type(batch).__name__}, but the first one was a dict passed to the model "
                         "as keyword arguments.", "Make the Dataset and collate function return dicts throughout.")
    return {k: v for k, v in batch.items() if k != label_key}, batch.get(label_key)


def _ragged_inputs(spec: CallSpec) -> list[int]:
    """The first dimensions of several positional tensor inputs when they differ (not one row per sample each), else []."""
    lengths = sorted({p[0][0] for p in spec.positional if p is not None and p[0]})
    return lengths if spec.n_inputs > 1 and len(lengths) > 1 else []


def _rows(x: Any) -> int:
    """Number of samples in batch inputs: a tensor's or a keyword dict's (``setup.batch_size_of``), else their length."""
    return batch_size_of(x) if isinstance(x, (torch.Tensor, Mapping, Inputs)) else len(x)


def _cut(t: Any, cut: tuple[int, int] | None) -> Any:
    """``t[:, start:stop]`` for a tensor and a cut, else ``t`` unchanged."""
    if cut is None or not isinstance(t, torch.Tensor):
        return t
    return t[:, cut[0]:cut[1]]


def _one_hot(y: Any, classes: int | None) -> Any:
    """``one_hot(y, classes)`` of a batch's class ids when the loop compared the model with that (else ``y``)."""
    if classes is None or not isinstance(y, torch.Tensor):
        return y
    return torch.nn.functional.one_hot(y.long(), classes)


def _one_hot_classes(labels: Any, target: torch.Tensor) -> int | None:
    """C when ``target`` holds ``one_hot(labels, C)`` of the batch's 1-D class ids (in any dtype), else None."""
    if not isinstance(labels, torch.Tensor) or labels.dim() != 1 or labels.is_floating_point() or target.dim() != 2 \
            or target.shape[0] != labels.shape[0] or not labels.numel() or target.shape[1] < 2:
        return None
    with torch.no_grad():
        ids = labels.detach().to(target.device).long()
        if bool(ids.min() < 0) or bool(ids.max() >= target.shape[1]):
            return None
        expected = torch.nn.functional.one_hot(ids, target.shape[1]).to(target.dtype)
        return int(target.shape[1]) if bool(torch.equal(expected, target.detach())) else None


def _adapt(t: Any, tail: tuple[int, ...] | None, dtype: torch.dtype | None) -> Any:
    if not isinstance(t, torch.Tensor):
        return t
    if tail is not None:
        t = t.reshape(t.shape[0], *tail)
    if dtype is not None:
        t = t.to(dtype)
    return t


def _to_model_units(y: Any, units: tuple[tuple[float, ...], tuple[float, ...]] | None) -> Any:
    """Targets in the units the loop maps the model's outputs to (``out * scale + shift``), in the model's units."""
    if units is None or not isinstance(y, torch.Tensor) or not y.is_floating_point() or y.dim() == 0:
        return y
    scale, shift = (torch.tensor(v, dtype=y.dtype, device=y.device) for v in units)
    rows = y.shape[0]
    return ((y.reshape(rows, -1) - shift) / scale).reshape(y.shape)


def _shown(values: list[float]) -> str:
    shown = ", ".join(f"{v:.4g}" for v in values[:4]) + (", …" if len(values) > 4 else "")
    return shown if len(values) == 1 else f"[{shown}]"


def _same_data(a: DataLoader, b: DataLoader) -> bool:
    """Whether two loaders read the same samples: one dataset, or TensorDatasets over the same tensors (a loop that
    builds a new DataLoader and TensorDataset each epoch)."""
    if a is b or a.dataset is b.dataset:
        return True
    x, y = a.dataset, b.dataset
    return isinstance(x, TensorDataset) and isinstance(y, TensorDataset) and len(x.tensors) == len(y.tensors) \
        and all(p.shape == q.shape and p.data_ptr() == q.data_ptr() for p, q in zip(x.tensors, y.tensors))


def twin_loader(loader: DataLoader, adapter: BatchAdapter | None = None) -> DataLoader:
    """A single-process copy of ``loader`` over the same dataset, with its own sampler and generator state.

    Iterating the twin draws nothing from the user's loader: its sampler, batch sampler and
    generator are copies (the dataset is shared, never copied), it starts no worker
    processes and keeps no persistent iterator. ``adapter`` reshapes each batch as the loop did.
    A loader whose sampler cannot be copied gets a plain twin (same dataset, batch size,
    shuffling and collate function, fresh sampler), never the user's own.
    """
    try:
        return _copied_twin(loader, adapter)
    except Exception:
        collate = loader.collate_fn
        if adapter is not None and not adapter.identity:
            collate = AdaptedCollate(collate, adapter)
        dataset = MapView(loader.dataset) if adapter is not None and not adapter.identity and isinstance(loader.dataset, TensorDataset) \
            else loader.dataset
        shuffle = isinstance(loader.sampler, RandomSampler) if not isinstance(dataset, IterableDataset) else None
        return DataLoader(dataset, batch_size=loader.batch_size or 32, shuffle=shuffle, drop_last=loader.drop_last,
                          collate_fn=collate)


def _copied_twin(loader: DataLoader, adapter: BatchAdapter | None) -> DataLoader:
    dataset = loader.dataset
    memo: dict[int, Any] = {id(dataset): dataset}
    for owner in (loader, loader.sampler, loader.batch_sampler):
        for value in list(vars(owner).values()) if owner is not None and hasattr(owner, "__dict__") else []:
            if isinstance(value, torch.Generator) and id(value) not in memo:
                clone = torch.Generator(device=value.device)
                clone.set_state(value.get_state())
                memo[id(value)] = clone
    twin = copy.copy(loader)
    state = twin.__dict__
    state["sampler"] = copy.deepcopy(loader.sampler, memo)
    state["batch_sampler"] = copy.deepcopy(loader.batch_sampler, memo) if loader.batch_sampler is not None else None
    state["generator"] = memo.get(id(loader.generator)) if loader.generator is not None else None
    state["num_workers"] = 0
    state["persistent_workers"] = False
    state["prefetch_factor"] = None
    state["pin_memory"] = False
    state["_iterator"] = None
    if adapter is not None and not adapter.identity:
        state["collate_fn"] = AdaptedCollate(loader.collate_fn, adapter)
        if isinstance(dataset, TensorDataset):
            state["dataset"] = MapView(dataset)
    return twin


def _rate_groups(rates: dict[int, float], param_ids: list[int]) -> list[tuple[list[int], dict[str, Any]]]:
    """Parameter groups for a hand-written update measured per parameter: the positions of the parameters whose rates
    agree (within the probe's tolerance) share a group at their median rate, lowest rate first. A parameter the update
    never moved has no rate and no group: the copies leave it as the script did."""
    measured = sorted((rates[pid], position) for position, pid in enumerate(param_ids) if pid in rates)
    clusters: list[list[tuple[float, int]]] = []
    for rate, position in measured:
        if clusters and rate <= (1 + AGREE) * clusters[-1][0][0]:
            clusters[-1].append((rate, position))
        else:
            clusters.append([(rate, position)])
    return [(sorted(p for _, p in c), {"lr": float(statistics.median(r for r, _ in c))}) for c in clusters]


def _optimizer_factory(cls: type, groups: list[tuple[list[int], dict[str, Any]]], count: int) -> Callable[[Iterable[nn.Parameter]], torch.optim.Optimizer]:
    """``params -> cls(groups)``: the captured per-group settings applied to the same positions of a model copy.

    ``groups`` holds, per parameter group, the positions of its parameters in the captured
    model's ``parameters()`` and its hyperparameters. Parameters of another count (a subset
    some probe trains) get one group with the first group's settings. The copy trains without
    the schedule, at the LR given (:meth:`OptimizerRecord.trained_groups`: the peak the run
    applied); an LR of zero (a warm-up's first step, all the run made) becomes the schedule's
    base LR (``initial_lr``).
    """
    accepted = _accepted_keys(cls)

    def keep(hyper: dict[str, Any]) -> dict[str, Any]:
        kept = {k: copy.deepcopy(v) for k, v in hyper.items() if accepted is None or k in accepted}
        if ("lr" in kept and isinstance(kept["lr"], (int, float)) and kept["lr"] <= 0
                and isinstance(hyper.get("initial_lr"), (int, float)) and hyper["initial_lr"] > 0):
            kept["lr"] = float(hyper["initial_lr"])
        return kept

    def factory(params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
        params = list(params)
        if len(params) == count and groups:
            built = [{"params": [params[i] for i in positions], **keep(hyper)} for positions, hyper in groups if positions]
            return cls(built)
        return cls(params, **keep(groups[0][1] if groups else {}))

    return factory


def _accepted_keys(cls: type) -> set[str] | None:
    try:
        parameters = inspect.signature(cls.__init__).parameters
    except (TypeError, ValueError):
        return None
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values()):
        return None
    return set(parameters) - {"self", "params"}


def _loss_module(kind: str, kwargs: dict[str, Any], reduction: str | None, tokens: bool = False) -> nn.Module:
    """The ``torch.nn`` loss module that computes ``F.<kind>(input, target, **kwargs)``.

    ``tokens``: the loop flattened a ``(N, T, V)`` output and its ``(N, T)`` targets before a
    cross-entropy; :class:`TokenCrossEntropyLoss` computes the same on them unflattened.
    """
    kw = dict(kwargs)
    if reduction is not None:
        kw["reduction"] = reduction
    kw.pop("size_average", None)
    kw.pop("reduce", None)
    modules: dict[str, tuple[type, tuple[str, ...]]] = {
        "cross_entropy": (nn.CrossEntropyLoss, ("weight", "ignore_index", "reduction", "label_smoothing")),
        "nll_loss": (nn.NLLLoss, ("weight", "ignore_index", "reduction")),
        "binary_cross_entropy_with_logits": (nn.BCEWithLogitsLoss, ("weight", "reduction", "pos_weight")),
        "binary_cross_entropy": (nn.BCELoss, ("weight", "reduction")),
        "mse_loss": (nn.MSELoss, ("reduction",)),
        "l1_loss": (nn.L1Loss, ("reduction",)),
        "smooth_l1_loss": (nn.SmoothL1Loss, ("reduction", "beta")),
        "huber_loss": (nn.HuberLoss, ("reduction", "delta")),
    }
    cls, keys = modules[kind]
    if tokens and kind == "cross_entropy":
        cls = TokenCrossEntropyLoss
    return cls(**{k: v for k, v in kw.items() if k in keys and v is not None})


def _target_tail(tensor: torch.Tensor, target: torch.Tensor) -> tuple[int, ...] | None:
    """The per-sample shape the loop gave batch ``tensor`` before the loss (None: unchanged, or tokens flattened,
    which the exam's token loss reads unflattened)."""
    if tuple(target.shape) == tuple(tensor.shape) or target.dim() < 1 or flattened_tokens(tensor, target):
        return None
    return tuple(target.shape[1:])


def _shifted(cut: tuple[int, int], length: int) -> tuple[int, int]:
    """The other end of a sequence of ``length`` positions: ``[:-k]`` for ``[k:]`` and ``[k:]`` for ``[:-k]``."""
    k = length - (cut[1] - cut[0])
    return (k, length) if cut[0] == 0 else (0, length - k)


# -- what the capture records -----------------------------------------------------------
@dataclass
class LossCall:
    """One training-mode loss call seen before the first backward."""

    kind: str
    kwargs: dict[str, Any]
    input: Any
    target: Any
    output: torch.Tensor


@dataclass
class CallSpec:
    """The last call of one module: its first input's shape/dtype and its output tensors (weakly)."""

    module: weakref.ref
    input_shape: tuple[int, ...] | None = None
    input_dtype: torch.dtype | None = None
    n_inputs: int = 0
    # the autocast the call ran under: (device type, dtype), None without (a bf16 model fed float inputs needs it)
    autocast: tuple[str, torch.dtype] | None = None
    outputs: list[tuple[Any, weakref.ref, tuple[int, ...]]] = field(default_factory=list)
    output_is_tensor: bool = False
    input_ref: weakref.ref | None = None
    keywords: dict[str, tuple[int, ...] | None] = field(default_factory=dict)  # keyword name -> tensor shape (None: not a tensor)
    # every positional input: (shape, dtype, weak reference), None where it is not a tensor
    positional: list[tuple[tuple[int, ...], torch.dtype, weakref.ref] | None] = field(default_factory=list)
    # trailing positional inputs the model returned anew (a recurrent state): (number of data inputs, state)
    state: tuple[int, RecurrentState] | None = None


@dataclass
class OptimizerRecord:
    """An optimizer's class and per-group settings at its first step (parameter ids, not parameters).

    ``peak_lrs``: per group, the largest LR any step of the run applied (a schedule's warm-up
    starts near zero, a one-cycle schedule peaks above its start, a broken schedule never
    reaches its base LR): the LR the run trained at, which the exam's copy trains at.
    """

    cls: type
    groups: list[tuple[list[int], dict[str, Any]]]
    peak_lrs: dict[int, float] = field(default_factory=dict)

    def observe(self, optimizer: torch.optim.Optimizer) -> None:
        """Raise ``peak_lrs`` to the LRs ``optimizer`` is about to apply."""
        for index, group in enumerate(optimizer.param_groups[:len(self.groups)]):
            lr = group.get("lr")
            if isinstance(lr, torch.Tensor) and lr.numel() == 1:
                lr = float(lr)
            if isinstance(lr, (int, float)) and math.isfinite(lr) and lr > self.peak_lrs.get(index, 0.0):
                self.peak_lrs[index] = float(lr)

    def trained_groups(self) -> list[tuple[list[int], dict[str, Any]]]:
        """``groups`` with each LR the peak the run applied (the first step's where no step raised it above zero)."""
        return [(ids, {**hyper, "lr": self.peak_lrs[i]} if self.peak_lrs.get(i, 0.0) > 0 and "lr" in hyper else hyper)
                for i, (ids, hyper) in enumerate(self.groups)]


class SetupCapture:
    """Hub listener that records what a training script built, at its first training step.

    Use it around the script (``nndoctor run`` does): ``capture.start()`` … ``capture.stop()``,
    or ``with SetupCapture() as capture:``. Then :meth:`setup` builds the Setup for the
    static exam and :attr:`skipped` says what could not be captured and why.
    """

    def __init__(self) -> None:
        self.active = False
        self.captured = False
        self.skipped: list[str] = []
        self.failures: list[CheckFailure] = []
        self.model: nn.Module | None = None
        self.model_name: str | None = None
        self.train_loader: DataLoader | None = None
        self.val_loader: DataLoader | None = None
        self._val_later_stage = False  # the validation loader belongs to a later training stage: inputs only
        self.loss: nn.Module | None = None
        self.loss_kind: str | None = None
        self.loss_note: str | None = None
        self.adapter = BatchAdapter(target="none")
        self.keyword_batch = False  # the model was called as model(**batch) on the loader's dict batch
        self._unfed: str | None = None  # the batch's label entry such a loop kept from the model (a Trainer's label smoother)
        # The keyword tensors of the last call with keyword inputs only, none requiring grad (a data batch, not
        # activations; one slot, so memory stays bounded): the batch the step fed, as a prefetching loader has
        # yielded the next one by then. The outermost module's hook runs last, so after a forward it holds its call.
        self._fed: tuple[int, dict[str, torch.Tensor]] | None = None
        self.output_pick: Any = None
        self.output_tail: tuple[int, ...] | None = None
        # per class, the run's last evaluation pass: {"support": [...], "correct": [...]} (set by run before the exam)
        self.observed_counts: dict[str, list[int]] | None = None
        # the same pass's per-row log-loss against its labels' entropy (EvalRecord.final_terms)
        self.observed_terms: dict[str, float] | None = None
        self.observed_accuracy: dict[str, float] | None = None  # {"accuracy", "rows"} (eval_record.final_accuracy)
        self.manual_lr: float | None = None  # the LR of a hand-written plain SGD update, as the run measured it
        self.manual_rates: dict[int, float] | None = None  # or its own LR per parameter (by id), where they differ
        self.observed_vanishing: float | None = None  # O404's first-over-last gradient ratio, where the watch found it
        self.observed_fell_short = False  # the run did not fit its training data (flat, or not halfway): O404 reads it
        self.output_unflatten = False  # the model merges its input's first two axes in its output: the exam splits them
        self.recurrent: RecurrentState | None = None  # the state a model(x, hidden) call carries, fed as zeros
        self.autocast: tuple[str, torch.dtype] | None = None  # the autocast the training forward ran under
        self.tokens_flattened = False  # the loss read (N, T, V) outputs and (N, T) targets flattened to tokens
        self._root: weakref.ref | None = None
        self._spec: CallSpec | None = None
        self._param_ids: list[int] = []
        self._loader: DataLoader | None = None
        # after the capture: the loader that started an epoch last, loaders a backward ran under (training data,
        # never the validation split) and the tensors evaluated on before a validation loader was chosen
        self._latest_loader: DataLoader | None = None
        self._trained_loaders: list[DataLoader] = []
        # the loss functions the training steps called up to the capture, and whether a later step trained another
        # (pre-training under MSE, then fine-tuning under cross-entropy: a second stage, with no loader to show it)
        self._first_objectives: set[str] = set()
        self._later_objective = False
        self._eval_inputs_before_loader: list[EvalInput] = []
        self._batch: Any = None
        # several positional model inputs: the batch element each one is, and the dtype the loop cast it to
        self._positions: tuple[int, ...] | None = None
        self._position_dtypes: tuple[torch.dtype | None, ...] | None = None
        self._bags: tuple[int, int] | None = None  # those two are a flat token stream and bag offsets (their places)
        self._pending: dict[str, Any] | None = None
        self._yielded: list[dict[str, Any]] = []  # the latest dict batches the loader yielded, newest first
        self._losses: list[LossCall] = []
        self._calls: dict[int, CallSpec] = {}
        self._optimizers: dict[int, OptimizerRecord] = {}
        self._early_no_grad: list[DataLoader] = []
        self._handles: list[Any] = []
        self._module_handles: list[Any] = []
        self.sample = LoopSample()
        self._sampled = False
        self.eval_tensors: EvalTensors | None = None  # eval inputs seen after the first step (validation as one tensor)
        self.eval_units: EvalOutputUnits | None = None  # how the loop maps outputs before scoring them (regression)
        self.val_units: tuple[tuple[float, ...], tuple[float, ...]] | None = None  # that map, for validation targets
        self.val_tensor: EvalInput | None = None  # the one taken as the validation split (when no loader was)

    # -- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> SetupCapture:
        return self.start()

    def __exit__(self, *exc: object) -> bool:
        self.stop()
        return False

    def start(self) -> SetupCapture:
        """Listen to the hub and install torch's global module/optimizer hooks (idempotent)."""
        if self.active:
            return self
        self.active = True
        try:
            from torch.nn.modules import module as module_hooks
            from torch.optim.optimizer import register_optimizer_step_pre_hook

            self._handles.append(register_optimizer_step_pre_hook(self._step_pre_hook))
            self._module_handles.append(module_hooks.register_module_forward_pre_hook(self._forward_pre_hook))
            self._module_handles.append(module_hooks.register_module_forward_hook(self._forward_hook, with_kwargs=True,
                                                                                   always_call=True))
        except Exception as exc:
            self.internal_error("start", exc)
        hub.activate(self)
        return self

    def stop(self) -> None:
        """Remove every hook, stop listening and decide what stays unknown. Safe to call twice."""
        if not self.active:
            return
        self.active = False
        self._remove_module_hooks()
        self.sample.close()
        if self.eval_tensors is not None:
            self.eval_tensors.close()
        if self.eval_units is not None:
            self.eval_units.close()
            self._read_val_units()
        for handle in self._handles:
            handle.remove()
        self._handles.clear()
        hub.deactivate(self)
        self._losses.clear()
        self._batch = self._pending = None
        self._yielded = []
        self._loader = None
        try:
            if self.sample.batches and self.train_loader is None:
                self._use_sample()
            elif self.sample.kind is not None and self.train_loader is None:
                self.skipped.append("data: the training batches did not come from a torch DataLoader and none of the "
                                    "loop's batches could be recorded; data, model and loss checks skipped")
        except Exception as exc:
            self.internal_error("loop sample", exc)
        if self.captured and self.train_loader is not None and self.val_loader is None:
            try:
                self._use_eval_tensor()
            except Exception as exc:
                self.val_tensor = None
                self.internal_error("validation tensor", exc)
            if self.val_tensor is None:
                self.skipped.append(
                    "validation: no DataLoader was iterated in eval mode or without gradients after training began, and "
                    + (self.eval_tensors.why_none() if self.eval_tensors is not None else
                       "a validation set evaluated as one tensor could not be followed (the model is not fed one "
                       "float tensor)")
                    + "; the checks that compare the training and validation splits (D108 leakage, D109 shift) had no "
                    "validation split")
        if self.eval_tensors is not None:
            self.eval_tensors.inputs = []  # the copies not taken: freed
        if not self.captured and not any("no training step" in s for s in self.skipped):
            self.skipped.append("no training step seen (no backward from a loss reaching module parameters): "
                                "the data, model and loss exam did not run")

    def guarded(self, event: str, *args: Any) -> Any:
        """Run handler ``event`` (hub contract); an exception is recorded, never raised into the script."""
        handler = getattr(self, event, None) if self.active and event.startswith(("on_", "after_")) else None
        if handler is None:
            return None
        try:
            return handler(*args)
        except Exception as exc:
            self.internal_error(event, exc)
            return None

    def internal_error(self, where: str, exc: BaseException) -> None:
        """Record a failure inside the capture as a CheckFailure (at most 20)."""
        if len(self.failures) >= 20:
            return
        last = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
        place = f" ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})" if last else ""
        self.failures.append(CheckFailure(f"run capture: {where}", (), f"{type(exc).__name__}: {exc}{place}"))

    def _remove_module_hooks(self) -> None:
        for handle in self._module_handles:
            handle.remove()
        self._module_handles.clear()
        self._calls.clear()
        self._fed = None

    # -- torch's global hooks (never attached to the user's objects) -------------------
    def _forward_pre_hook(self, module: nn.Module, args: tuple) -> None:
        if hub.tracing():
            return
        try:
            if len(self._calls) >= _MAX_CALLS:  # modules built and dropped every call: keep the table bounded
                self._calls.clear()
            spec = CallSpec(weakref.ref(module), n_inputs=len(args))
            if args and isinstance(args[0], torch.Tensor):
                spec.input_shape, spec.input_dtype = tuple(args[0].shape), args[0].dtype
                spec.input_ref = weakref.ref(args[0])
                spec.autocast = autocast_in_force(args[0].device.type)
            if len(args) > 1:
                spec.positional = [(tuple(a.shape), a.dtype, weakref.ref(a)) if isinstance(a, torch.Tensor) else None
                                   for a in args[:_MAX_POSITIONAL]]
            self._calls[id(module)] = spec
        except Exception as exc:
            self.internal_error("forward", exc)

    def _forward_hook(self, module: nn.Module, args: tuple, *rest: Any) -> None:
        """``rest``: ``(kwargs, output)``, or ``(output,)`` when torch calls it after a forward that raised."""
        if hub.tracing():
            return
        try:
            spec = self._calls.get(id(module))
            if spec is None:
                return
            output = rest[-1]
            kwargs = rest[0] if len(rest) == 2 and isinstance(rest[0], Mapping) else {}
            spec.state = recurrent_state(args, output)
            spec.keywords = {k: tuple(v.shape) if isinstance(v, torch.Tensor) else None for k, v in kwargs.items()}
            tensors = {k: v for k, v in kwargs.items() if isinstance(v, torch.Tensor)}
            if not args and tensors and not any(v.requires_grad for v in tensors.values()):
                self._fed = (id(module), tensors)
            if isinstance(output, torch.Tensor):
                spec.output_is_tensor = True
                spec.outputs = [(None, weakref.ref(output), tuple(output.shape))]
            elif isinstance(output, Mapping):
                spec.outputs = [(k, weakref.ref(v), tuple(v.shape)) for k, v in output.items() if isinstance(v, torch.Tensor)]
            elif isinstance(output, (list, tuple)):
                spec.outputs = [(i, weakref.ref(v), tuple(v.shape)) for i, v in enumerate(output) if isinstance(v, torch.Tensor)]
        except Exception as exc:
            self.internal_error("forward", exc)

    def _step_pre_hook(self, optimizer: torch.optim.Optimizer, args: tuple, kwargs: dict) -> None:
        try:
            known = self._optimizers.get(id(optimizer))
            if known is not None:
                known.observe(optimizer)
                return
            if len(self._optimizers) >= 16:
                return
            groups = []
            for group in optimizer.param_groups:
                hyper = {}
                for key, value in group.items():
                    if key == "params":
                        continue
                    hyper[key] = value.detach().clone() if isinstance(value, torch.Tensor) else copy.deepcopy(value)
                groups.append(([id(p) for p in group["params"]], hyper))
            record = OptimizerRecord(type(optimizer), groups)
            record.observe(optimizer)
            self._optimizers[id(optimizer)] = record
        except Exception as exc:
            self.internal_error("optimizer", exc)
        return

    # -- hub events ----------------------------------------------------------------------
    def on_loader(self, loader: Any) -> None:
        """A DataLoader starts an epoch: the current one before the first step; later, maybe the validation one."""
        if not isinstance(loader, DataLoader):
            return
        if not self.captured:
            if torch.is_grad_enabled():
                self._loader = loader
            elif all(other is not loader for other in self._early_no_grad):
                self._early_no_grad.append(loader)
            return
        self._latest_loader = loader
        if self.val_loader is None and self._evaluating() and self._is_other(loader) \
                and all(loader is not t and loader.dataset is not t.dataset for t in self._trained_loaders):
            self.val_loader = loader
            # first read after another loader trained the model: a later stage's (a fine-tune on new classes)
            self._val_later_stage = bool(self._trained_loaders)
            if self.eval_tensors is not None:  # a validation loader: tensors evaluated on are not the split
                self.eval_tensors.close()
                self._eval_inputs_before_loader, self.eval_tensors.inputs = self.eval_tensors.inputs, []

    def _trained_on(self, loader: DataLoader) -> None:
        """A backward ran while ``loader`` was the latest loader: it is training data, not the validation split."""
        self._trained_loaders.append(loader)
        if loader is self.val_loader:
            self.val_loader = None
            if self.eval_tensors is not None:  # the tensors evaluated on before it are candidates again
                self.eval_tensors.inputs = self._eval_inputs_before_loader
            self._eval_inputs_before_loader = []

    def trained_in_stages(self) -> bool:
        """After the captured loader, a backward ran under a loader of other data, or a training step called a loss
        function no step had called up to the capture: a later training stage (a fine-tune on a new camera after
        pre-training on the old one; a classifier fine-tuned on a regression encoder). The captured training data is
        then the first stage's only, and a shift between it and the validation split may be the stages' purpose."""
        first = self.train_loader
        return self._later_objective or (
            first is not None and any(not _same_data(loader, first) for loader in self._trained_loaders))

    def on_batch(self, batch: Any) -> None:
        if not self.captured:  # a dict's entries as yielded, even if the loop pops its labels before model(**batch)
            self._batch = dict(batch) if isinstance(batch, dict) else batch
            if isinstance(batch, dict):  # a prefetching loader (accelerate's) yields the next batch before this step's forward
                self._yielded = [self._batch, *self._yielded[:RECENT_BATCHES - 1]]
        else:
            if self.eval_tensors is not None and self.eval_tensors.active:
                self.eval_tensors.loader_batch(batch)
            if self.eval_units is not None:
                self.eval_units.loader_batch(batch)

    def on_loss_input(self, kind: str, input: Any, target: Any, kwargs: dict) -> None:
        if not self.captured:
            self._pending = {"kind": kind, "kwargs": dict(kwargs), "input": input, "target": target}
            return
        if self.eval_units is not None:
            self.eval_units.loss_call(kind, input, target)
        if self.eval_tensors is not None and self.eval_tensors.active:
            self.eval_tensors.loss_call(kind, input, target)

    def on_loss_output(self, kind: str, input: Any, target: Any, out: Any) -> None:
        pending, self._pending = self._pending, None
        if not isinstance(out, torch.Tensor) or not (torch.is_grad_enabled() and out.requires_grad):
            return
        if self.captured:
            self._later_objective = self._later_objective or kind not in self._first_objectives
            root = self._root() if self._root is not None else None
            if self.sample.active and kind == self.sample.kind and root is not None and root.training:
                self.sample.record_step(target)
            return
        kwargs = pending["kwargs"] if pending is not None and pending["kind"] == kind else {}
        self._losses = self._losses[-(_MAX_LOSS_CALLS - 1):] + [LossCall(kind, kwargs, input, target, out)]

    def on_backward(self, tensors: Any) -> None:
        if self.captured:
            latest = self._latest_loader
            train = self.train_loader
            if latest is not None and latest is not train and (train is None or latest.dataset is not train.dataset) \
                    and all(latest is not t for t in self._trained_loaders):
                self._trained_on(latest)
            return
        roots = tensors if isinstance(tensors, (list, tuple)) else [tensors]
        for root in roots:
            if isinstance(root, torch.Tensor) and root.numel() == 1 and root.grad_fn is not None:
                loss = hub.unscaled(root)
                if isinstance(loss, torch.Tensor) and loss.grad_fn is not None and self._capture(loss):
                    return

    # -- the capture itself ------------------------------------------------------------
    def _capture(self, loss: torch.Tensor) -> bool:
        """Record model, loss and loaders for this first training backward; False when it trains no module."""
        params = [p for p in graph_leaves(loss) if isinstance(p, nn.Parameter)]  # plain tensors: no module to examine
        if not params:
            return False
        wanted = {id(p) for p in params}
        roots = self._called_roots(wanted)
        if not roots:  # the forward ran before the capture started, or inside a compiled region
            from .instrument import modules_holding

            roots = modules_holding(wanted)
        if not roots:
            return False
        self.captured = True
        try:
            called = roots[0]
            root = _unwrapped(called)
            if len(roots) > 1:
                self.skipped.append(f"the loss trains {len(roots)} separate modules; the model exam examines "
                                    f"{type(root).__name__} only")
            self._root = weakref.ref(root)
            self.model_name = type(root).__name__
            self._param_ids = [id(p) for p in root.parameters()]
            spec = None
            for module in (called, root):  # the wrapper (compiled, DDP) is what the loop called
                found = self._calls.get(id(module))
                if found is not None and found.module() is module and found.outputs:
                    spec = found
                    break
            if spec is not None and spec.state is not None:  # model(x, hidden): the exam feeds x with a zero state
                spec.n_inputs, self.recurrent = spec.state[0], spec.state[1]
                spec.positional = spec.positional[:spec.n_inputs] if spec.n_inputs > 1 else []
            self._spec = spec
            # float32 weights run the exam in float32 as before; weights kept in half precision need the loop's autocast
            # to take float inputs at all (model.to(torch.bfloat16) under autocast)
            reduced = any(p.dtype in (torch.float16, torch.bfloat16) for p in root.parameters())
            self.autocast = spec.autocast if spec is not None and reduced else None
            self._copy_model(root)
            self.keyword_batch = spec is not None and spec.n_inputs == 0 and self._fed_as_keywords(spec)
            if self.keyword_batch:
                if self._find_data(loss, spec):
                    self._find_loss(loss, spec)
            elif spec is not None and (lengths := _ragged_inputs(spec)) and not self._match_bags(spec):
                self.skipped.append(f"model: its {spec.n_inputs} positional inputs differ in length ({', '.join(map(str, lengths))}: "
                                    "a flat token stream with offsets, say), so they do not hold one row per sample and the "
                                    "exam cannot cut batches of them; data, model and loss checks skipped")
            elif spec is not None and spec.n_inputs != 1 and self._bags is None and not self._match_positional(spec):
                self.skipped.append(f"model: its forward was called with {spec.n_inputs} positional inputs that are not "
                                    "each a tensor of the training batch, so the exam cannot feed it batches; data, "
                                    "model and loss checks skipped")
            elif self._find_data(loss, spec):
                self._find_loss(loss, spec)
                if self.loss_kind in REGRESSION_KINDS:
                    self.eval_units = EvalOutputUnits(root, REGRESSION_KINDS, self.internal_error)
                try:
                    if self._positions is None:
                        self._watch_eval_tensors(root, spec)
                except Exception as exc:
                    if self.eval_tensors is not None:
                        self.eval_tensors.close()
                    self.eval_tensors = None
                    self.internal_error("validation tensor", exc)
        finally:
            self._remove_module_hooks()
            self._first_objectives = {c.kind for c in self._losses}
            self._losses.clear()
            self._batch = self._pending = None
            self._yielded = []
        return True

    def _fed_as_keywords(self, spec: CallSpec) -> bool:
        """Whether the forward got exactly the loader's dict batch as keyword arguments (``model(**batch)``).

        Every entry of the loader's batch is a tensor passed under its own key (same axes and dtype;
        lengths may differ, as the loader may already have yielded the next batch), except at most
        one label entry the loop kept for its own loss (a Trainer with a label smoother), and every other
        keyword is one the Hugging Face ``Trainer`` adds to normalise the model's loss
        (:data:`_LOSS_KEYWORDS`), so the exam can feed the loader's batches the same way. The
        tensors this step fed become the capture's batch (its targets are read from them).
        """
        fed = self._fed[1] if self._fed is not None and self._fed[0] == id(spec.module()) else None
        batch = self._batch if fed is None else _yielded_with(self._yielded, fed, self._batch)
        if not isinstance(batch, Mapping) or not batch or fed is None:
            return False
        if not all(isinstance(k, str) and isinstance(v, torch.Tensor) and v.dim() for k, v in batch.items()):
            return False
        extra = set(spec.keywords) - set(batch)
        if not extra <= _LOSS_KEYWORDS or any(spec.keywords[k] not in (None, ()) for k in extra):
            return False
        unfed = [k for k in batch if k not in fed]
        if len(unfed) > 1 or (unfed and unfed[0] not in LABEL_KEYS) or len(unfed) == len(batch):
            return False
        if not all(fed[k].dim() == v.dim() and fed[k].dtype == v.dtype for k, v in batch.items() if k in fed):
            return False  # per-batch padding may change lengths, never the entries, their axes or dtypes
        # The batch this step fed (a prefetching loader is one ahead); a label entry kept from the model is the
        # loader's, which counts as the targets only where a loss call compared the model with the same values.
        self._batch = {k: fed.get(k, v) for k, v in batch.items()}
        self._unfed = unfed[0] if unfed else None
        return True

    def _called_roots(self, wanted: set[int]) -> list[nn.Module]:
        """The outermost modules called since the capture started that hold parameters the loss reached.

        The modules the global forward hook saw: no scan of every live object. Ordered by
        how many of those parameters each holds, like :func:`instrument.modules_holding`.
        """
        called = [m for m in (spec.module() for spec in list(self._calls.values())) if m is not None]
        candidates = [m for m in called if any(id(p) in wanted for p in m.parameters())]
        inner = {id(child) for m in candidates for child in m.modules() if child is not m}
        roots = [m for m in candidates if id(m) not in inner]
        roots.sort(key=lambda m: -sum(1 for p in m.parameters() if id(p) in wanted))
        return roots

    def _copy_model(self, root: nn.Module) -> None:
        """A deep copy of the model at its initial weights, detached from any graph the forward left on it."""
        memo: dict[int, Any] = {}
        for module in root.modules():
            for value in vars(module).values():
                items = value.values() if isinstance(value, dict) else value if isinstance(value, (list, tuple)) else (value,)
                for item in items:
                    if isinstance(item, torch.Tensor) and item.grad_fn is not None:  # an activation cached by forward
                        memo[id(item)] = item.detach().clone()
        with torch.no_grad():
            model = copy.deepcopy(root, memo)
        for p in model.parameters():
            p.grad = None
        self.model = model

    def _find_loss(self, loss: torch.Tensor, spec: CallSpec | None) -> None:
        """Which loss call ``loss`` is: one known call reached through scale/reduce only, else custom."""
        calls = [c for c in self._losses if c.output.grad_fn is not None]
        found = None
        for call in reversed(calls):
            chain = _chain_to(loss, call.output)
            if chain is not None:
                found = (call, chain)
                break
        if found is None:
            reason = ("the backpropagated loss is computed by custom code" if not calls else
                      "the backpropagated loss combines " + ", ".join(sorted({c.kind for c in calls})) + " with other terms")
            self._mark_custom(reason, calls, spec)
            return
        call, chain = found
        if _batch_positions(call.target):
            self._mark_custom(f"the {call.kind} target is each row's position in its batch (in-batch candidates, as in "
                              "contrastive and retrieval losses), not a label of the sample", calls, spec)
            return
        reduction = None
        if call.output.numel() != 1:
            reducer = chain[-1] if chain else None
            reduction = _REDUCE_OPS.get(_op_name(reducer)) if reducer is not None else None
            if reduction is None:
                self._mark_custom(f"the per-sample {call.kind} is weighted before it is reduced", calls, spec)
                return
        try:
            self.loss = _loss_module(call.kind, call.kwargs, reduction)
        except Exception as exc:
            self.internal_error("loss", exc)
            self._mark_custom(f"the {call.kind} call could not be rebuilt as a loss module", calls, spec)
            return
        target = self._target_of(call)
        if target is None:
            self._mark_custom(f"the {call.kind} target is not a tensor of the loader's batch", calls, spec)
            return
        unreplayable = self._model_output(call.input, spec)
        if unreplayable is None and self.keyword_batch and isinstance(self.output_pick, int) \
                and target.label_key != self._unfed:
            # a tuple output's positions shift when the exam leaves the labels out (no loss first): read by name only
            unreplayable = f"the loss reads item {self.output_pick} of a tuple the model returns with its own loss"
        if unreplayable is not None:
            self._mark_custom(unreplayable, calls, spec)
            return
        if self.tokens_flattened:
            self.loss = _loss_module(call.kind, call.kwargs, reduction, tokens=True)
        self.loss_kind = call.kind
        self.loss_note = call.kind + (f" ({', '.join(f'{k}={v}' for k, v in call.kwargs.items() if _describable(v))})"
                                      if any(_describable(v) for v in call.kwargs.values()) else "")
        self.adapter = target

    def _mark_custom(self, reason: str, calls: list[LossCall], spec: CallSpec | None) -> None:
        """A loss the exam cannot rebuild: loss checks abstain; targets still count when a loss call compared a batch tensor."""
        self.loss = None
        self.output_pick = self.output_tail = None
        self.loss_kind = "custom"
        self.loss_note = reason
        self.skipped.append(f"loss: {reason}; loss checks skipped")
        adapter = None
        for call in reversed(calls):
            adapter = self._target_of(call)
            if adapter is not None:
                self._model_output(call.input, spec)
                break
        if self.keyword_batch:
            self._keyword_custom(adapter, calls)
            return
        if adapter is None:
            x_tail, x_dtype = self._input_adaptation()
            self.adapter = (self._positional_adapter(target="none") if self._positions is not None
                            else BatchAdapter(x_tail, x_dtype, "none", restructure=True))
            self.skipped.append("targets: no loss call compared the model with a tensor of the batch; target checks skipped")
            if calls:
                self._model_output(calls[-1].input, spec)
        else:
            self.adapter = adapter
        if self.output_pick is None and spec is not None and spec.outputs and not spec.output_is_tensor:
            self.output_pick = spec.outputs[0][0]  # the stand-in loss reads the first tensor the model returns

    def _keyword_custom(self, adapter: BatchAdapter | None, calls: list[LossCall]) -> None:
        """A ``model(**batch)`` loop whose loss the exam cannot replay: score the logits with checkup's default loss.

        The targets count when a loss call compared the model with the batch's label entry (the
        same values, flattened or not, as Hugging Face models flatten token labels); the exam then
        feeds the dict's other entries as keyword arguments and lets checkup pick the task's
        default loss on the output's prediction tensor (``logits``), as it does for a
        ``ModelOutput`` in checkup. The loss itself stays unknown, so the loss checks abstain.
        """
        self.output_pick = self.output_tail = None
        key = adapter.label_key if adapter is not None else None
        if key is None and isinstance(self._batch, Mapping):
            for name in LABEL_KEYS:
                labels = self._batch.get(name)
                if isinstance(labels, torch.Tensor) and any(
                        isinstance(c.target, torch.Tensor) and same_values(labels.reshape(-1), c.target.reshape(-1))
                        for c in calls):
                    key = name
                    break
        if key is None:  # the exam feeds the entries the loop fed, without any it kept from the model
            self.adapter = BatchAdapter(target="none", restructure=True, label_key=self._unfed or "")
            self.skipped.append("targets: no known loss call compared the model with the batch's label entry"
                                + (f" (the loop kept {self._unfed!r} from the model: a label smoother or a custom loss)"
                                   if self._unfed else "") + "; target checks skipped")
            return
        self.adapter = BatchAdapter(target="y", restructure=True, label_key=key)
        self.skipped.append(f"loss: the exam scores the model's prediction tensor against the batch's {key!r} entry with "
                            "checkup's default loss for the task, not the loss the model computes")

    def _target_of(self, call: LossCall) -> BatchAdapter | None:
        """How to get ``call``'s input to the model and its target from the loader's batch (None: not from the batch)."""
        if _batch_positions(call.target):
            return None  # in-batch candidates (contrastive, retrieval): the row's position names no label of the sample
        if self.keyword_batch:
            return self._keyword_target(call)
        if self._positions is not None:
            return self._positional_target(call)
        try:
            bx, by = _pair(self._batch)
        except Exception:
            return None
        target = call.target
        if not isinstance(target, torch.Tensor):
            return None
        if self.recurrent is not None and self.recurrent.time_first and isinstance(bx, torch.Tensor):
            target = swap_leading(sequence_target(target, swap_leading(bx)))  # as the sample recorded it: (B, T)
        source, tensor, y_cut = None, None, None
        x_cut = self._input_cut(bx)
        for name, candidate in (("y", by), ("x", bx)):
            if same_values(candidate, target):
                source, tensor = name, candidate
                break
        if source is None and x_cut is not None:  # next-token prediction: the target is the input's sequence shifted
            y_cut = _shifted(x_cut, bx.shape[1])
            if same_values(_cut(bx, y_cut), target):
                source, tensor = "x", _cut(bx, y_cut)
        classes = _one_hot_classes(by, target) if source is None else None
        if classes is not None:  # MSE/BCE against one_hot(y, C): the batch's class ids, expanded as the loop did
            source, tensor = "y", _one_hot(by, classes)
        if source is None:
            return None
        x_tail, x_dtype = self._input_adaptation()
        y_tail = _target_tail(tensor, target)
        y_dtype = target.dtype if target.dtype != tensor.dtype else None
        plain = isinstance(self._batch, (list, tuple)) and len(self._batch) == 2 and x_cut is None
        return BatchAdapter(x_tail, x_dtype, source, y_tail, y_dtype, restructure=not plain, x_cut=x_cut,
                            y_cut=y_cut if source == "x" else None, y_one_hot=classes)

    def _input_cut(self, bx: Any) -> tuple[int, int] | None:
        """The positions along the sequence axis the model was fed of the batch's input tensor, when a part.

        The loop fed ``bx[:, :-k]`` or ``bx[:, k:]`` (a language model's shifted inputs): the same
        leading and trailing axes, ``k`` fewer positions, and, while the fed tensor is alive, its
        values. None when it fed the whole tensor, or what it fed cannot be told.
        """
        spec = self._spec
        if not isinstance(bx, torch.Tensor) or bx.dim() < 2 or spec is None or spec.input_shape is None:
            return None
        shape = tuple(spec.input_shape)
        if len(shape) != bx.dim() or shape[0] != bx.shape[0] or shape[2:] != tuple(bx.shape[2:]) \
                or not 0 < shape[1] < bx.shape[1]:
            return None
        fed = spec.input_ref() if spec.input_ref is not None else None
        if not isinstance(fed, torch.Tensor) or tuple(fed.shape) != shape:
            return None
        k = bx.shape[1] - shape[1]
        for cut in ((0, shape[1]), (k, bx.shape[1])):
            if same_values(_cut(bx, cut), fed):
                return cut
        return None

    def _positional_target(self, call: LossCall) -> BatchAdapter | None:
        """The batch element ``call`` compared the model with, for a model fed several positional inputs (None: none)."""
        target, batch = call.target, self._batch
        if not isinstance(target, torch.Tensor) or not isinstance(batch, (list, tuple)):
            return None
        order = [j for j in range(len(batch)) if j not in self._positions] + list(self._positions)
        for j in order:
            tensor = batch[j]
            if same_values(tensor, target):
                y_tail = _target_tail(tensor, target)
                y_dtype = target.dtype if target.dtype != tensor.dtype else None
                return self._positional_adapter(target="y", y_tail=y_tail, y_dtype=y_dtype, target_at=j)
        return None

    def _positional_adapter(self, **fields: Any) -> BatchAdapter:
        """A BatchAdapter feeding the model its positional inputs from the batch (``fields``: the target's)."""
        return BatchAdapter(restructure=True, positions=self._positions, position_dtypes=self._position_dtypes,
                            bags=self._bags, **fields)

    def _keyword_target(self, call: LossCall) -> BatchAdapter | None:
        """The label entry of a dict batch fed as keywords that ``call`` compared the model with (None: none)."""
        target, batch = call.target, self._batch
        if not isinstance(target, torch.Tensor) or not isinstance(batch, Mapping):
            return None
        for key in LABEL_KEYS:
            tensor = batch.get(key)
            if same_values(tensor, target):
                y_tail = _target_tail(tensor, target)
                y_dtype = target.dtype if target.dtype != tensor.dtype else None
                return BatchAdapter(target="y", y_tail=y_tail, y_dtype=y_dtype, restructure=True, label_key=key)
        return None

    def _input_adaptation(self) -> tuple[tuple[int, ...] | None, torch.dtype | None]:
        """Per-sample shape and dtype the loop gave the batch's inputs before the model saw them (None: unchanged)."""
        try:
            bx, _ = _pair(self._batch)
        except Exception:
            return None, None
        model_in = self._model_input()
        if model_in is None or not isinstance(bx, torch.Tensor):
            return None, None
        shape, dtype = model_in
        x_tail = None
        if shape[:1] == tuple(bx.shape[:1]) and shape != tuple(bx.shape) and _numel(shape) == bx.numel():
            x_tail = tuple(shape[1:])
        return x_tail, (dtype if dtype != bx.dtype else None)

    def _model_input(self) -> tuple[tuple[int, ...], torch.dtype] | None:
        """Shape and dtype of the first input of the model's last forward before the first backward."""
        spec = self._spec
        if spec is None or spec.input_shape is None:
            return None
        return spec.input_shape, spec.input_dtype  # type: ignore[return-value]

    def _model_output(self, loss_input: Any, spec: CallSpec | None) -> str | None:
        """Record which output of the model the loss read, and in what shape; or say why the exam cannot replay it.

        The loss must read a model output as returned (one element of a tuple/dict output
        counts) or merely reshaped (``output.view(-1, n)``, ``squeeze``) or cast (``output.float()``
        after autocast); a loss on a
        transformed output (``log_softmax`` in the loop) is not the loss of the model's output.
        Returns None when it can, else the reason.
        """
        if spec is None or not spec.outputs:
            return "the model's forward call was not seen"
        if not isinstance(loss_input, torch.Tensor):
            return "the loss input is not a tensor"
        for key, ref, _ in spec.outputs:
            if ref() is loss_input:
                self.output_pick = None if spec.output_is_tensor else key
                shape = spec.input_shape
                if shape is not None and len(shape) >= 2 and shape[1] > 1 and loss_input.dim() >= 1 \
                        and loss_input.shape[0] == shape[0] * shape[1]:  # forward itself ends in .view(-1, vocab)
                    self.output_unflatten = self.tokens_flattened = True
                return None
        parents = _view_parents(loss_input)
        for key, ref, shape in spec.outputs:
            out = ref()
            viewed = out is not None and out.grad_fn is not None and any(p is out.grad_fn for p in parents)
            if viewed and shape[:1] == tuple(loss_input.shape[:1]) and _numel(shape) == loss_input.numel():
                self.output_pick = None if spec.output_is_tensor else key
                self.output_tail = tuple(loss_input.shape[1:])
                return None
            if viewed and flattened_tokens(out, loss_input):
                self.output_pick = None if spec.output_is_tensor else key
                self.tokens_flattened = True  # the exam reads the output unflattened with a token loss
                return None
        op = type(loss_input.grad_fn).__name__.replace("Backward0", "").replace("Backward1", "") if loss_input.grad_fn is not None else "code"
        return f"the loss input is not an output of the model (it is computed by {op}, in the loop or inside the model)"

    def _sample_loop(self, loss: torch.Tensor, spec: CallSpec | None) -> bool:
        """No DataLoader fed the loop: take the model's inputs and the loss target of this step as its batch.

        Starts recording copies of the first training batches (:class:`LoopSample`); the
        exam's training loader is built from them at ``stop``. False when this step's batch
        is not input tensors (one, or one per positional input) and one target tensor of the same length.
        """
        if spec is None:
            return False
        if spec.n_inputs > 1:
            if len(spec.positional) != spec.n_inputs or any(p is None for p in spec.positional):
                return False
            shapes = [(p[0], p[1], p[2]) for p in spec.positional if p is not None]
        elif spec.input_shape is not None and spec.input_dtype is not None:
            shapes = [(spec.input_shape, spec.input_dtype, spec.input_ref)]
        else:
            return False
        parts = []
        for shape, dtype, ref in shapes:
            x = ref() if ref is not None else None
            if not isinstance(x, torch.Tensor) or tuple(x.shape) != shape:  # the input is gone: its shape stands in
                x = torch.empty(shape, dtype=dtype, device="meta")
            parts.append(x)
        if self._bags is not None:  # a flat token stream and offsets: one padded row per bag
            if any(x.is_meta for x in parts):
                return False
            parts = [pack_bags(parts[self._bags[0]], parts[self._bags[1]])]
        call = next((c for c in reversed(self._losses) if c.output.grad_fn is not None
                     and _chain_to(loss, c.output) is not None), None)
        target = sequence_target(call.target, parts[0]) if call is not None else None
        if not isinstance(target, torch.Tensor) or target.dim() == 0 or target.shape[0] < 1 \
                or any(x.dim() == 0 or x.shape[0] != target.shape[0] for x in parts):
            return False
        n_state = 0
        if spec.state is not None and self.recurrent is not None:
            n_state = len(spec.state[1].layouts)
            if self.recurrent.batch_second(parts[0]):  # time-major (T, B) inputs: the exam's rows are the B sequences
                self.recurrent = replace(self.recurrent, time_first=True)
                parts, target = [swap_leading(x) for x in parts], swap_leading(target)
        alive = None if any(x.is_meta for x in parts) else tuple(parts)
        self.sample.start(call.kind, spec.module, alive, target, n_inputs=len(parts), n_state=n_state,
                          time_first=self.recurrent is not None and self.recurrent.time_first, bags=self._bags)
        self._batch = (*parts, target)
        if len(parts) > 1:
            self._positions = tuple(range(len(parts)))
        return True

    def _match_bags(self, spec: CallSpec) -> bool:
        """A forward fed a flat token stream and bag offsets, two elements of the loader's batch (``nn.EmbeddingBag``),
        or the two inputs of a loop without a DataLoader.

        The exam then feeds it one padded row per bag (:class:`BatchAdapter`'s ``bags``; the loop
        sample records such rows), so the batches can be sampled and cut like any other token rows.
        """
        if spec.n_inputs == 2 and self._batch is None:  # a loop without a DataLoader: its own two inputs, while alive
            inputs = [p[2]() if p is not None and p[2] is not None else None for p in spec.positional]
            self._bags = bag_layout(*inputs) if len(inputs) == 2 else None
            return self._bags is not None
        if spec.n_inputs != 2 or self._batch is None or not self._match_positional(spec):
            self._positions = self._position_dtypes = None
            return False
        layout = bag_layout(*(self._batch[j] for j in self._positions or ()))
        if layout is None or self._position_dtypes is not None:
            self._positions = self._position_dtypes = None
            return False
        self._bags = layout
        return True

    def _match_positional(self, spec: CallSpec) -> bool:
        """A forward with several positional inputs: which element of the loader's batch each one is.

        Each input must be a tensor that is an element of the batch (the same object, or the same
        shape and, while it is alive, the same values, cast at most), each a different one; the
        exam then feeds the model ``Inputs`` of those elements. A loop without a DataLoader is
        matched later, on its own inputs (:meth:`_sample_loop`). False: the exam cannot feed it.
        """
        if self._batch is None:
            return 1 < spec.n_inputs <= _MAX_POSITIONAL
        batch = self._batch
        if not isinstance(batch, (list, tuple)) or len(spec.positional) != spec.n_inputs \
                or any(p is None for p in spec.positional):
            return False
        elements = [b if isinstance(b, torch.Tensor) and b.dim() >= 1 else None for b in batch]
        positions: list[int] = []
        dtypes: list[torch.dtype | None] = []
        for shape, dtype, ref in (p for p in spec.positional if p is not None):
            arg = ref()
            free = [j for j, b in enumerate(elements) if b is not None and j not in positions]
            same = [j for j in free if elements[j] is arg]
            if not same:
                same = [j for j in free if tuple(elements[j].shape) == shape
                        and (arg is None or same_values(elements[j], arg))]
            if not same:
                return False
            positions.append(same[0])
            dtypes.append(dtype if dtype != elements[same[0]].dtype else None)
        self._positions = tuple(positions)
        self._position_dtypes = tuple(dtypes) if any(d is not None for d in dtypes) else None
        return True

    def _use_sample(self) -> None:
        """The exam's training loader: the recorded first batches of the loop, in the order it fed them."""
        self.train_loader = self.sample.loader()
        self._sampled = True
        self.skipped.append(
            f"data: the training batches did not come from a torch DataLoader; the exam's data is the first "
            f"{len(self.sample.batches)} batches ({self.sample.rows} samples) the loop fed the model, not the whole "
            "dataset, so dataset-level verdicts (duplicates, class shares, shift) are judged on that sample")

    def _watch_eval_tensors(self, root: nn.Module, spec: CallSpec | None) -> None:
        """Follow the model's later calls in eval mode or without grad on one float tensor (validation as one tensor).

        Only for a model fed one float batch tensor, and only while no validation loader is known.
        The training rows it compares them with, at ``stop``: the training dataset's input tensor
        when it is one (a TensorDataset, or the loop's own recorded batches), else the inputs of the
        training forwards that follow (a bounded set of row hashes, one epoch at most).
        """
        if self.val_loader is not None or spec is None or spec.input_shape is None or spec.input_dtype is None \
                or not spec.input_dtype.is_floating_point or len(spec.input_shape) < 1:
            return
        dataset = self.train_loader.dataset if self.train_loader is not None else None
        inputs = dataset_inputs(dataset)
        targets = {(tuple(c.target.shape[1:]), c.target.dtype) for c in self._losses
                   if isinstance(c.target, torch.Tensor) and c.target.dim() >= 1}
        first = spec.input_ref() if spec.input_ref is not None else None
        watch = EvalTensors(weakref.ref(root), tuple(spec.input_shape[1:]), targets,
                            [inputs[0]] if inputs is not None else [], self.internal_error)
        # a loop sample holds the first batches only: the rows fed over the first epoch are hashed beside it
        watch.hash_training = inputs is None or self.sample.active
        if isinstance(first, torch.Tensor) and tuple(first.shape) == spec.input_shape:
            watch.train_forward(first)
        self.eval_tensors = watch.start()

    def _use_eval_tensor(self) -> None:
        """The validation split from the tensors the model was evaluated on (:meth:`EvalTensors.validation`)."""
        if self.eval_tensors is None:
            return
        self.val_tensor = self.eval_tensors.validation(self.train_loader.dataset if self.train_loader is not None else None)
        if self.val_tensor is not None:
            self.skipped.append(taken_note(self.val_tensor))

    def _find_data(self, loss: torch.Tensor, spec: CallSpec | None) -> bool:
        """The training loader (the one iterating when the first backward came) and an early no-grad loader, if any.

        False when the batches did not come from a DataLoader nndoctor saw start: then there is
        no data to examine, and the loss is not analysed either.
        """
        loader = self._loader
        if self._batch is None and self._sample_loop(loss, spec):
            return True
        if self._batch is None:
            self.skipped.append("data: the training batches did not come from a torch DataLoader (the exam needs one); "
                                "data, model and loss checks skipped")
            return False
        if loader is None:
            self.skipped.append("data: the training DataLoader started iterating before nndoctor did (its iterator was "
                                "made earlier); data, model and loss checks skipped")
            return False
        self.train_loader = loader
        for early in self._early_no_grad:
            if self._is_other(early):
                self.val_loader = early
                break
        self._early_no_grad.clear()
        return True

    def _evaluating(self) -> bool:
        root = self._root() if self._root is not None else None
        return not torch.is_grad_enabled() or (root is not None and not root.training)

    def _is_other(self, loader: DataLoader) -> bool:
        train = self.train_loader
        return train is None or (loader is not train and loader.dataset is not train.dataset)

    # -- what the exam runs on ----------------------------------------------------------
    @property
    def optimizer(self) -> OptimizerRecord | None:
        """The captured optimizer (class and per-group settings at its first step), or None when unknown."""
        return self.chosen_optimizer()

    def chosen_optimizer(self) -> OptimizerRecord | None:
        """The first optimizer whose first step updated the captured model's parameters."""
        mine = set(self._param_ids)
        for record in self._optimizers.values():
            if any(mine.intersection(ids) for ids, _ in record.groups):
                return record
        return None

    def setup(self, stand_in: bool = False) -> Setup:  # noqa: F821 - imported lazily
        """An :class:`nndoctor.Setup` over copies of what the script built, for the static exam.

        ``stand_in=True`` examines with :class:`UnknownLoss` and a zero target (used when the
        captured loss and targets do not fit the model output). Raises SetupError when there
        is nothing to examine; :func:`examine` turns that into a reported failure.
        """
        from ..setup import Setup

        if self.model is None or self.train_loader is None:
            raise SetupError("The script's first training step was not captured, so there is no setup to examine.",
                             "Train with a torch DataLoader and call loss.backward() on a loss that reaches the model.")
        adapter = self.adapter
        if stand_in:
            adapter = (replace(self.adapter, target="none", y_tail=None, y_dtype=None, target_at=None)
                       if self.adapter.positions is not None
                       else BatchAdapter(self.adapter.x_tail, self.adapter.x_dtype, "none", restructure=True))
        model: nn.Module = self.model
        classes_first = self.tokens_flattened and self.loss_kind == "nll_loss"  # no token variant of NLLLoss: move the axis
        if self.output_pick is not None or self.output_tail is not None or self.recurrent is not None \
                or self.output_unflatten or classes_first or self._bags is not None or self.autocast is not None:
            model = ExamModel(model, self.output_pick, self.output_tail, self.recurrent, self.output_unflatten,
                              classes_first, self._bags, self.autocast)
        loss: nn.Module | None = self.loss if self.loss is not None and not stand_in else UnknownLoss()
        if self.keyword_batch and self.loss is None and not stand_in and adapter.target != "none":
            loss = None  # checkup's default loss for the task, on the output's prediction tensor
        if stand_in and self.keyword_batch:
            adapter = BatchAdapter(target="none", restructure=True, label_key=self.adapter.label_key or "")
        task = "regression" if adapter.target == "none" else "auto"
        train = twin_loader(self.train_loader, adapter)
        val: Any = twin_loader(self.val_loader, self._val_adapter(adapter)) if self.val_loader is not None else None
        if val is not None and self._val_later_stage:  # a later stage's validation: its labels may be another task's
            inputs = _loader_inputs(val)
            val = (inputs, None) if inputs is not None else None
            if inputs is None:
                self.skipped.append("validation: a later training stage's validation batches are not single input "
                                    "tensors; the checks that compare the training and validation splits had none")
        if val is None and self.val_tensor is not None and self.val_tensor.x is not None:
            # the rows as the model received them (already adapted); labels only where the training targets are known
            labels = self.val_tensor.labels if not stand_in and adapter.target != "none" else None
            val = (self.val_tensor.x, labels)
        record = self.chosen_optimizer()
        optimizer = None
        if record is not None:
            positions = {pid: i for i, pid in enumerate(self._param_ids)}
            groups = [([positions[i] for i in ids if i in positions], hyper) for ids, hyper in record.trained_groups()]
            optimizer = _optimizer_factory(record.cls, groups, len(self._param_ids))
        try:
            setup = Setup(model=model, train=train, val=val, loss=loss, optimizer=optimizer, task=task,
                          name=self.model_name)
        except SetupError:
            raise
        except Exception as exc:  # the captured optimizer settings do not rebuild: examine without them
            if optimizer is None:
                raise
            self.internal_error("optimizer", exc)
            setup = Setup(model=model, train=train, val=val, loss=loss, optimizer=None, task=task, name=self.model_name)
            record = None
        if record is None and self.manual_lr:
            lr = float(self.manual_lr)
            setup.optimizer_factory = lambda params: torch.optim.SGD(params, lr=lr)
            setup.optimizer_description = f"SGD(lr={lr:.3g}) (the script's hand-written update, measured as plain SGD)"
        elif record is None and self.manual_rates:
            groups = _rate_groups(self.manual_rates, self._param_ids)
            setup.optimizer_factory = _optimizer_factory(torch.optim.SGD, groups, len(self._param_ids))
            rates = ", ".join(f"{hyper['lr']:.3g}" for _, hyper in groups)
            setup.optimizer_description = (f"SGD with {len(groups)} parameter groups at lr {rates} (the script's "
                                           "hand-written update, measured as plain SGD at each parameter's own rate)")
        elif record is None:
            setup.optimizer_description = "unknown (no torch.optim optimizer stepped the model)"
        setup.observed_counts = self.observed_counts
        setup.observed_terms = self.observed_terms
        setup.observed_accuracy = self.observed_accuracy
        setup.observed_vanishing = self.observed_vanishing
        setup.observed_fell_short = self.observed_fell_short
        if self._sampled:  # data checks read it: the first batches the loop fed, one whole epoch or a bounded part
            setup.loop_sample = "epoch" if self.sample.whole_epoch else "partial"
        return setup

    def _read_val_units(self) -> None:
        """Whether the loop scored its evaluation outputs mapped to other units (``pred * y_std + y_mean`` against
        raw targets; :mod:`.eval_units`): the validation loader's targets are then read back in the model's units."""
        units = self.eval_units.mapped if self.eval_units is not None and self.val_loader is not None else None
        if units is None or self.adapter.target == "none":
            return
        scale, shift = units
        self.val_units = (tuple(scale), tuple(shift))
        self.skipped.append(f"validation: the loop scores its evaluation outputs mapped to other units (output × "
                            f"{_shown(scale)} + {_shown(shift)}); the validation targets are read back in the "
                            "model's units")

    def _val_adapter(self, adapter: BatchAdapter) -> BatchAdapter:
        """The adapter for the validation loader's batches: the training one, with targets in the model's units."""
        if self.val_units is None or adapter.target == "none":
            return adapter
        return replace(adapter, y_units=self.val_units)

    @property
    def loss_known(self) -> bool:
        """Whether the backpropagated loss was one known loss call the exam can replay on the model's output."""
        return self.loss is not None

    @property
    def targets_known(self) -> bool:
        """Whether a training loss call compared the model with a tensor of the loader's batch (its targets or inputs)."""
        return self.adapter.target != "none"

    def summary(self) -> dict[str, Any]:
        """What was captured, in plain JSON-able values (goes into the report's ``extra``)."""
        record = self.chosen_optimizer()
        return {
            "captured": self.captured,
            "model": self.model_name,
            "parameters": sum(p.numel() for p in self.model.parameters()) if self.model is not None else None,
            "loss": self.loss_note,
            "loss_known": self.loss is not None,
            "targets": self.adapter.target,
            "optimizer": record.cls.__name__ if record is not None else None,
            "train_batches": _length(self.train_loader),
            "val_batches": _length(self.val_loader) if self.val_loader is not None else None,
            "val_source": "loader" if self.val_loader is not None else "tensor" if self.val_tensor is not None else None,
            "val_tensor_rows": int(self.val_tensor.x.shape[0]) if self.val_tensor is not None and self.val_tensor.x is not None else None,
            "val_tensor_labels": self.val_tensor.labels is not None if self.val_tensor is not None else None,
            "output_pick": self.output_pick,
        }


def _unwrapped(module: nn.Module) -> nn.Module:
    """The user's model inside a torch.compile, DataParallel or DistributedDataParallel wrapper."""
    for _ in range(4):
        if type(module).__name__ == "OptimizedModule" and isinstance(getattr(module, "_orig_mod", None), nn.Module):
            module = module._orig_mod
        elif isinstance(module, (nn.DataParallel, nn.parallel.DistributedDataParallel)):
            module = module.module
        else:
            break
    return module


def _length(loader: Any) -> int | None:
    try:
        return len(loader)
    except Exception:
        return None


def _numel(shape: tuple[int, ...]) -> int:
    n = 1
    for s in shape:
        n *= int(s)
    return n


def _describable(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool))


def _batch_positions(target: Any) -> bool:
    """Whether a loss target is ``arange(batch)``: each row's own position among the batch's candidates."""
    if not isinstance(target, torch.Tensor) or target.dim() != 1 or target.numel() < 2 or target.is_floating_point():
        return False
    with torch.no_grad():
        return bool(torch.equal(target.detach().cpu(), torch.arange(target.numel(), dtype=target.dtype)))


RECENT_BATCHES = 3  # dict batches kept until the first step: a prefetching loader is at most a batch or two ahead


def _yielded_with(yielded: list[dict[str, Any]], fed: Mapping[str, torch.Tensor], latest: Any) -> Any:
    """The batch among those the loader yielded last whose entries are the ones this step fed (``latest`` if none is).

    A prefetching loader (accelerate's, under the Hugging Face ``Trainer``) has yielded the next batch
    by the time the step runs; the label entry a loop keeps from the model belongs to the batch it fed.
    """
    for batch in yielded:
        shared = [k for k in batch if k in fed]
        if shared and all(same_values(batch[k], fed[k]) for k in shared):
            return batch
    return latest


# Ops that keep an output's values: reshapes, and the dtype cast AMP loops apply before the loss
# (``loss_fn(out.float(), y)``), which the exam's float32 replay makes a no-op.
_VIEW_OPS = ("ViewBackward", "ReshapeAliasBackward", "UnsafeViewBackward", "SqueezeBackward", "UnsqueezeBackward",
             "ToCopyBackward")


def _view_parents(t: torch.Tensor) -> list[Any]:
    """The grad_fns ``t`` was reshaped or cast from, nearest first (``out.reshape(-1, n).float()``: two); [] if none."""
    parents: list[Any] = []
    fn = t.grad_fn
    while fn is not None and _op_name(fn) in _VIEW_OPS and len(parents) < 8:
        branches = [n for n, _ in fn.next_functions if n is not None]
        if len(branches) != 1:
            break
        fn = branches[0]
        parents.append(fn)
    return parents


def _op_name(fn: Any) -> str:
    name = type(fn).__name__
    return name.rstrip("0123456789")


def _loader_inputs(loader: DataLoader, rows: int = SAMPLE_ROWS) -> torch.Tensor | None:
    """The model inputs of a loader's first batches, up to ``rows`` rows, as one tensor (their labels left out).

    None when its batches are not single input tensors: the split is then left out, not the exam.
    """
    parts, held = [], 0
    for batch in loader:
        x = batch[0] if isinstance(batch, (tuple, list)) and len(batch) == 2 else None
        if not isinstance(x, torch.Tensor):
            return None
        parts.append(x[: rows - held])
        held += len(parts[-1])
        if held >= rows:
            break
    return torch.cat(parts)


def _chain_to(root: torch.Tensor, out: torch.Tensor) -> list[Any] | None:
    """The ops from ``root`` down to ``out`` when they are a single chain of scale/sign/reduce ops, else None.

    The chain is returned nearest-to-``root`` first, so its last element is the op applied
    to ``out`` itself (a reduction when ``out`` is per sample).
    """
    if root is out:
        return []
    target = out.grad_fn
    fn = root.grad_fn
    chain: list[Any] = []
    for _ in range(_MAX_CHAIN + 1):
        if fn is target:
            return chain
        if fn is None or _op_name(fn) not in _CHAIN_OPS:
            return None
        branches = [n for n, _ in fn.next_functions if n is not None]
        if len(branches) != 1:
            return None
        chain.append(fn)
        fn = branches[0]
    return None
