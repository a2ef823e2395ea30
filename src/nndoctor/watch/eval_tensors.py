"""The tensors a watched model is evaluated on after training began: which one is the validation split.

A loop with no validation DataLoader scores its model on tensors (``model(X_val)``);
:class:`EvalTensors` keeps a bounded copy of the few distinct ones, hashes the training
rows of one epoch, and picks the tensor the loop watches while it trains and that shares
the fewest rows with training, so the exam sees the split the user does.
"""
from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Subset, TensorDataset

from . import hub
from .eval_units import same_memory, tensors_of
from .loop_sample import SAMPLE_ROWS
from .monitors import same_parameters
from .rows import cpu_copy, hash_rows, row_fingerprint, same_values

# Bounds on the validation taken from a tensor the model was evaluated on (no DataLoader): distinct eval inputs
# remembered (a train-accuracy pass, the validation set, a test set), rows and bytes copied from the one taken, rows
# hashed to tell it from the training data (a larger tensor is not taken), and the fewest rows that make a split.
VAL_CANDIDATES = 4
VAL_BYTES = 64 * 2**20
VAL_HASH_ROWS = 65_536
VAL_MIN_ROWS = 8
# Share of the training rows a tensor must hold to be the training data (or the whole pool), not a validation split.
VAL_TRAIN_COVER = 0.95


@dataclass
class EvalInput:
    """One distinct tensor the captured model was evaluated on after training began (a bounded CPU copy)."""

    ref: weakref.ref
    fingerprint: tuple
    rows: int  # rows of the whole tensor
    x: torch.Tensor | None = None  # copy of its rows (all, or evenly spaced ones); None: too large to tell from training
    index: torch.Tensor | None = None  # the rows copied, when not all
    hashes: np.ndarray | None = None  # a hash of each of its rows
    labels: torch.Tensor | None = None  # the target of the loss call its output reached (same rows)
    loss_kind: str = ""
    training: bool = False  # it held the training rows (decided at stop)
    evaluations: int = 1  # eval passes over it (the same tensor, or the same rows again)
    first_seen: int = 0  # training forwards before its first evaluation


class EvalTensors:
    """The tensors the captured model is evaluated on, in eval mode or without grad, after its first training step.

    One handler on the hub's forward event of the captured model (a dict lookup per module
    call the hub already makes; nothing attached to the model): a training forward records a
    weak reference to its input and, for the first ``VAL_HASH_ROWS`` rows of one epoch, a hash
    of each row; an eval forward on one float tensor of the training input's per-sample shape
    (not a loader's batch, not the training batch again, not the training dataset's tensor)
    records a bounded copy of up to ``VAL_CANDIDATES`` distinct such tensors (by identity, then
    by a fingerprint of a few rows) and waits for a loss call on its output to copy its target.
    :meth:`SetupCapture.stop` takes the one the loop watched while training, then the one sharing
    the fewest rows with the training data, among those that do not hold the training rows, as the
    validation split. Copies only: the user's tensors and outputs are read, never changed or kept.
    """

    def __init__(self, root: weakref.ref, tail: tuple[int, ...], targets: set[tuple[tuple[int, ...], torch.dtype]],
                 train_tensors: list[torch.Tensor], on_error: Callable[[str, BaseException], None]) -> None:
        self.tail = tail
        self.inputs: list[EvalInput] = []
        self.train_rows: set[int] = set()
        self.active = False
        self._root = root
        self._targets = targets  # per-sample shape and dtype of the training loss targets
        self._train_tensors = [weakref.ref(t) for t in train_tensors]
        self.hash_training = True  # record hashes of the training rows fed (when no in-memory dataset is the reference)
        self._train_open = True
        self.training_evals = 0  # eval forwards on the training tensor, the last training batch or a loader's batch
        self.train_forwards = 0
        self._last_train: weakref.ref | None = None
        self._batch: list[weakref.ref] = []
        self._pending: tuple[EvalInput, list[weakref.ref]] | None = None
        self._on_error = on_error
        self._detach: Callable[[], None] | None = None
        self._detach_copies: Callable[[], None] | None = None
        self._copies: weakref.WeakKeyDictionary[nn.Module, bool] = weakref.WeakKeyDictionary()

    def start(self) -> EvalTensors:
        root = self._root()
        if root is not None:
            self._detach = hub.attach("forward", root, self._forward)
            self._detach_copies = hub.attach_alike(type(root), self._copy_forward)
            self.active = True
        return self

    def close(self) -> None:
        """Stop following the model (idempotent); what was recorded stays until the capture drops it."""
        self.active = False
        self._pending = None
        self._batch = []
        self._last_train = None
        if self._detach is not None:
            self._detach()
            self._detach = None
        if self._detach_copies is not None:
            self._detach_copies()
            self._detach_copies = None

    def _copy_forward(self, module: nn.Module, args: tuple, kwargs: Mapping, output: Any) -> None:
        """An eval forward of a copy of the model (an EMA kept by deepcopy, the model saved whole and loaded to
        score): the model evaluated, as far as which tensor it was evaluated on goes. Its training forwards are not
        the loop's."""
        try:
            if not self.active or (module.training and torch.is_grad_enabled()):
                return
            root = self._root()
            if root is None:
                self.close()
                return
            if not self._is_copy(module, root):
                return
            self._pending = None
            x = args[0] if len(args) == 1 and not kwargs else None
            if isinstance(x, torch.Tensor):
                self._eval_forward(x, output)
        except Exception as exc:
            self.close()
            self._on_error("validation tensor", exc)

    def _is_copy(self, module: nn.Module, root: nn.Module) -> bool:
        """Whether ``module`` (of the model's class) holds parameters of the model's names and shapes (asked once
        per module)."""
        known = self._copies.get(module)
        if known is None:
            known = same_parameters(module, root)
            self._copies[module] = known
        return known

    def _forward(self, module: nn.Module, args: tuple, kwargs: Mapping, output: Any) -> None:
        try:
            if not self.active:
                return
            self._pending = None
            x = args[0] if len(args) == 1 and not kwargs else None
            if not isinstance(x, torch.Tensor):
                return
            root = self._root()
            if root is None:
                self.close()
                return
            if root.training and torch.is_grad_enabled():
                self.train_forward(x)
            else:
                self._eval_forward(x, output)
        except Exception as exc:
            self.close()
            self._on_error("validation tensor", exc)

    def train_forward(self, x: torch.Tensor) -> None:
        """A training forward: its input is the last training batch; hash its rows while the first epoch lasts."""
        self._last_train = weakref.ref(x)
        self.train_forwards += 1
        if not self.hash_training or not self._train_open or x.dim() < 1 or tuple(x.shape[1:]) != self.tail:
            return
        keys = hash_rows(x[: max(1, VAL_HASH_ROWS - len(self.train_rows))]).tolist()
        if self.train_rows and sum(k in self.train_rows for k in keys) * 2 >= len(keys):
            self._train_open = False  # the loop feeds rows it fed before: a new epoch
            return
        self.train_rows.update(keys)
        if len(self.train_rows) >= VAL_HASH_ROWS:
            self._train_open = False

    def _eval_forward(self, x: torch.Tensor, output: Any) -> None:
        if not x.is_floating_point() or x.dim() < 1 or x.shape[0] < VAL_MIN_ROWS or tuple(x.shape[1:]) != self.tail:
            return
        if hub.model_output(x):
            return  # samples a generator made, scored by the model: not a split of the data
        if self._is_training(x):
            self.training_evals += 1
            return
        for candidate in self.inputs:
            if candidate.ref() is x:
                candidate.evaluations += 1
                self._expect(candidate, output)
                return
        fingerprint = row_fingerprint(x)
        for candidate in self.inputs:
            if candidate.fingerprint == fingerprint:  # the same rows again (moved to the device anew, say)
                candidate.ref = weakref.ref(x)
                candidate.evaluations += 1
                self._expect(candidate, output)
                return
        if len(self.inputs) >= VAL_CANDIDATES:
            self._replace_training_draw(x, fingerprint, output)
            return
        candidate = self._candidate(x, fingerprint)
        self.inputs.append(candidate)
        self._expect(candidate, output)

    def _candidate(self, x: torch.Tensor, fingerprint: tuple) -> EvalInput:
        """A bounded CPU copy of an eval input and a hash of each of its rows (none past ``VAL_HASH_ROWS`` rows)."""
        rows = int(x.shape[0])
        candidate = EvalInput(weakref.ref(x), fingerprint, rows, first_seen=self.train_forwards)
        if rows <= VAL_HASH_ROWS:
            candidate.hashes = hash_rows(x)
            keep = min(rows, SAMPLE_ROWS, max(1, VAL_BYTES // max(1, x[0].numel() * x.element_size())))
            if keep < rows:  # evenly spaced rows, so a split sorted by class keeps its shares (no RNG drawn)
                candidate.index = torch.from_numpy(np.linspace(0, rows - 1, keep).round().astype(np.int64))
            candidate.x = cpu_copy(x if candidate.index is None else x[candidate.index.to(x.device)])
        return candidate

    def monitored(self, candidate: EvalInput) -> bool:
        """Whether the loop evaluated ``candidate`` again and again while it trained: the split it watches (early
        stopping, model selection), not a test set scored once at the end nor a fresh draw of training rows."""
        return candidate.evaluations >= 2 and candidate.first_seen < self.train_forwards

    def validation(self, train_dataset: Any) -> EvalInput | None:
        """The validation split from the tensors the model was evaluated on: of those that are not the training data,
        the one the loop watched while it trained (:meth:`monitored`), then the one sharing the fewest rows with it
        (the first on ties); None when every one held training rows or was too large to tell.

        A loop that estimates its loss on both splits (nanoGPT's ``estimate_loss``: a batch drawn from the training
        pool, then one from validation) evaluates training rows it has not fed yet; that batch shares rows with the
        fed ones at the rate the loop has covered its pool, a held-out split shares none. Each such draw is a new
        tensor evaluated once, so it is not watched; a validation set scored every epoch is, and a leaked one is
        judged by itself rather than by a clean test set the script scores once after training. ``train_dataset``:
        the training loader's dataset, whose rows (a TensorDataset's, or a Subset's of one) are hashed beside the fed ones.
        """
        if not self.inputs:
            return None
        fed = np.fromiter(self.train_rows, dtype=np.uint64, count=len(self.train_rows))
        references = [fed]
        inputs = dataset_inputs(train_dataset)
        training = training_hashes(inputs, self.tail)
        if inputs is not None:
            tensor, index = inputs
            if tensor.is_floating_point() and tuple(tensor.shape[1:]) == self.tail and len(index):
                spread = np.linspace(0, len(index) - 1, min(len(index), SAMPLE_ROWS)).round().astype(np.int64)
                references.append(training[spread] if training is not None else
                                  hash_rows(tensor[torch.from_numpy(index[spread]).to(tensor.device)]))
        references = [r for r in references if len(r) >= VAL_MIN_ROWS]
        held: list[tuple[bool, float, int, EvalInput]] = []
        for order, candidate in enumerate(self.inputs):
            if candidate.x is None:
                continue  # too large to tell from the training data
            if any(float(np.isin(ref, candidate.hashes).mean()) >= VAL_TRAIN_COVER for ref in references):
                candidate.training = True  # it holds the training rows: a train-accuracy pass, not validation
                continue
            shared = [float(np.isin(candidate.hashes, r).mean()) for r in (training, fed)
                      if r is not None and len(r) >= VAL_MIN_ROWS]
            if any(share >= VAL_TRAIN_COVER for share in shared):
                candidate.training = True  # its rows are rows the loop trains on: a pass over part of the training data
                continue
            held.append((not self.monitored(candidate), max(shared, default=0.0), order, candidate))
        return min(held, key=lambda entry: entry[:3])[3] if held else None

    def why_none(self) -> str:
        """Why no tensor the model was evaluated on became the validation split."""
        if not self.inputs:
            if self.training_evals:
                return ("the model was evaluated in eval mode or without gradients after training began only on its "
                        "training data (the training tensor or batches)")
            return "the model was not evaluated on a tensor of its input shape in eval mode or without gradients after training began"
        large = sum(c.x is None for c in self.inputs)
        trained = sum(c.training for c in self.inputs)
        parts = ([f"{trained} held the training rows (a pass over the training data)"] if trained else []) \
            + ([f"{large} had more than {VAL_HASH_ROWS} rows (too large to tell from the training data)"] if large else [])
        n = len(self.inputs)
        return f"of the {n} tensor{'s' if n != 1 else ''} the model was evaluated on after training began, " + " and ".join(parts)

    def _shared(self, hashes: np.ndarray) -> float:
        """Share of rows (by hash) among the training rows fed so far."""
        return sum(h in self.train_rows for h in hashes.tolist()) / max(len(hashes), 1)

    def _replace_training_draw(self, x: torch.Tensor, fingerprint: tuple, output: Any) -> None:
        """With every slot taken, an eval input sharing no rows with the training rows fed takes the slot of the one
        sharing the most: a loop that estimates its loss on batches drawn from the training pool before the
        validation ones (nanoGPT's ``estimate_loss`` over ``eval_iters`` batches of each split) fills every slot with
        training draws first. Only while some kept input shares rows, so a loop whose slots hold held-out tensors
        hashes nothing more."""
        shares = [(self._shared(c.hashes), i) for i, c in enumerate(self.inputs) if c.hashes is not None]
        most, slot = max(shares, default=(0.0, -1))
        if most <= 0 or int(x.shape[0]) > VAL_HASH_ROWS or self._shared(hash_rows(x)) > 0:
            return
        candidate = self._candidate(x, fingerprint)
        self.inputs[slot] = candidate
        self._expect(candidate, output)

    def _is_training(self, x: torch.Tensor) -> bool:
        """The training dataset's tensor, the last training batch again, or a batch a DataLoader just yielded."""
        if any(ref() is x for ref in self._train_tensors):
            return True
        last = self._last_train() if self._last_train is not None else None
        if last is not None and same_values(last, x):
            return True
        return any(same_values(t, x) for t in (ref() for ref in self._batch) if t is not None)

    def _expect(self, candidate: EvalInput, output: Any) -> None:
        if candidate.labels is None and candidate.x is not None:
            self._pending = (candidate, [weakref.ref(t) for t in tensors_of(output)])

    def loader_batch(self, batch: Any) -> None:
        """A DataLoader yielded ``batch``: the model evaluated on its tensors is evaluated on a loader, not one tensor."""
        self._batch = [weakref.ref(t) for t in tensors_of(batch)]

    def loss_call(self, kind: str, input: Any, target: Any) -> None:
        """A loss call: when its input is the output of the pending eval forward, copy its target as the labels."""
        if self._pending is None or not isinstance(input, torch.Tensor) or not isinstance(target, torch.Tensor):
            return
        candidate, outputs = self._pending
        if not any(same_memory(input, ref()) for ref in outputs):
            return
        self._pending = None
        if target.dim() == 0 or target.shape[0] != candidate.rows \
                or (self._targets and (tuple(target.shape[1:]), target.dtype) not in self._targets):
            return  # not one target per row in the training targets' form (a flattened sequence, another task)
        index = candidate.index
        candidate.labels = cpu_copy(target if index is None else target[index.to(target.device)])
        candidate.loss_kind = kind


def dataset_inputs(dataset: Any) -> tuple[torch.Tensor, np.ndarray] | None:
    """The input tensor of a TensorDataset (or a Subset of one) and the rows the split uses."""
    index: np.ndarray | None = None
    if isinstance(dataset, Subset):
        try:
            index = np.asarray(list(dataset.indices), dtype=np.int64)
        except Exception:
            return None
        dataset = dataset.dataset
    if not isinstance(dataset, TensorDataset) or not dataset.tensors or not isinstance(dataset.tensors[0], torch.Tensor):
        return None
    tensor = dataset.tensors[0]
    return tensor, index if index is not None else np.arange(len(tensor), dtype=np.int64)


def training_hashes(inputs: tuple[torch.Tensor, np.ndarray] | None, tail: tuple[int, ...]) -> np.ndarray | None:
    """Hashes of every training row of a TensorDataset split (at most ``VAL_HASH_ROWS`` rows), else None.

    A tensor evaluated without gradients whose rows are nearly all training rows is a pass over
    (a chunk of) the training data, not a validation split: a validation set drawn wholly from
    training looks the same and is given up, since taking a train-accuracy pass for validation
    would report every row as leaked.
    """
    if inputs is None:
        return None
    tensor, index = inputs
    if not tensor.is_floating_point() or tuple(tensor.shape[1:]) != tail or not 0 < len(index) <= VAL_HASH_ROWS:
        return None
    return hash_rows(tensor[torch.from_numpy(index).to(tensor.device)])


def taken_note(taken: EvalInput) -> str:
    """The report's line on the tensor taken as the validation split: which rows, and whether its labels were seen."""
    kept = int(taken.x.shape[0])
    rows = f"all {taken.rows} rows" if kept == taken.rows else f"{kept} evenly spaced rows of its {taken.rows}"
    where = ("with the targets of the " + taken.loss_kind + " call its output reached" if taken.labels is not None
             else "inputs only: its output reached no loss call with one target per row, so its labels were not "
                  "seen; leakage (D108) and input shift (D109) are judged on it, label shift and the checks that "
                  "score validation predictions are not")
    return (f"validation: no DataLoader was iterated for validation; the exam's validation split is the "
            f"tensor the model (or a copy of it: an EMA, the model saved and loaded) was evaluated on "
            f"in eval mode or without gradients after training began ({rows}), {where}")
