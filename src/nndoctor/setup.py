"""Setup: what nndoctor examines — model, data, loss, optimizer and task.

The Setup normalises what users hand over (DataLoader, Dataset or ``(X, y)`` arrays;
an optimizer factory or an optimizer already bound to the model) into one shape the
checks can rely on, and infers the task when it is not given.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, TensorDataset

from .errors import SetupError

TASKS = ("binary", "multiclass", "multilabel", "regression")
OptimizerFactory = Callable[[Iterable[torch.nn.Parameter]], torch.optim.Optimizer]
Batch = tuple[Any, torch.Tensor]


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
    if len(pair) != 2:
        raise SetupError(
            f"The {split} data is a sequence of {len(pair)} items; nndoctor expects an (X, y) pair.",
            "Pass (X, y), a Dataset yielding (x, y) or a DataLoader.",
        )
    x = _as_tensor(pair[0], f"{split} inputs")
    y = _as_tensor(pair[1], f"{split} targets")
    if len(x) != len(y):
        raise SetupError(
            f"The {split} inputs have {len(x)} rows but the targets have {len(y)}.",
            "Pass inputs and targets with one target per sample.",
        )
    return TensorDataset(x, y)


def _batch_pair(batch: Any) -> Batch:
    if isinstance(batch, dict):
        keys = [k for k in ("x", "input", "inputs") if k in batch]
        targets = [k for k in ("y", "label", "labels", "target", "targets") if k in batch]
        if keys and targets:
            return batch[keys[0]], batch[targets[0]]
    if isinstance(batch, (list, tuple)) and len(batch) == 2:
        return batch[0], batch[1]
    raise SetupError(
        f"A training batch has the form {type(batch).__name__}"
        + (f" of {len(batch)} items" if isinstance(batch, (list, tuple)) else "")
        + "; nndoctor expects (inputs, targets).",
        "Make the Dataset return (x, y) pairs, or pass (X, y) arrays.",
    )


def batch_size_of(x: Any) -> int:
    """Number of samples in the inputs of a batch (a tensor or a tuple of tensors)."""
    if isinstance(x, torch.Tensor):
        return x.shape[0]
    if isinstance(x, (list, tuple)) and x:
        return batch_size_of(x[0])
    raise SetupError(f"Batch inputs of type {type(x).__name__} are not supported.", "Use tensors.")


def move_to(x: Any, device: torch.device) -> Any:
    if isinstance(x, torch.Tensor):
        return x.to(device)
    if isinstance(x, (list, tuple)):
        return type(x)(move_to(v, device) for v in x)
    return x


def _optimizer_factory(optimizer: Any, model: nn.Module) -> tuple[OptimizerFactory, str]:
    if optimizer is None:
        return (lambda params: torch.optim.Adam(params, lr=1e-3)), "Adam(lr=0.001) (default)"
    if isinstance(optimizer, torch.optim.Optimizer):
        group = {k: v for k, v in optimizer.param_groups[0].items() if k != "params"}
        cls = type(optimizer)
        def factory(params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
            return cls(params, **group)
        return factory, f"{cls.__name__}({_describe_hyper(group)})"
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


def _describe_hyper(group: dict[str, Any]) -> str:
    keys = ("lr", "momentum", "weight_decay", "betas", "eps")
    return ", ".join(f"{k}={group[k]}" for k in keys if k in group and group[k] not in (None, False))


def infer_task(y: torch.Tensor, loss: Any, output: torch.Tensor | None) -> tuple[str, str]:
    """Guess the task from the targets first (what is true), then the loss and output width.

    Returns ``(task, reason)``; the reason is reported so a wrong guess is visible.
    """
    y = y.detach()
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
        if contiguous and k <= 1000 and (len(distinct) <= 100 or loss_name in ("CrossEntropyLoss", "NLLLoss")):
            if loss_name in ("CrossEntropyLoss", "NLLLoss") or not y.is_floating_point() or k <= 30:
                return "multiclass", f"targets are integer class indices 0..{k - 1}"
    if loss_name in ("CrossEntropyLoss", "NLLLoss"):
        return "multiclass", f"the loss is {loss_name}"
    if loss_name in ("BCEWithLogitsLoss", "BCELoss"):
        return ("binary" if width == 1 else "multilabel"), f"the loss is {loss_name} with output width {width}"
    return "regression", "targets are real-valued"


def _default_loss(task: str) -> nn.Module:
    return {
        "binary": nn.BCEWithLogitsLoss(),
        "multiclass": nn.CrossEntropyLoss(),
        "multilabel": nn.BCEWithLogitsLoss(),
        "regression": nn.MSELoss(),
    }[task]


@dataclass
class DataInfo:
    """Sizes of one split, measured without reading every sample."""

    n_samples: int | None
    batch_size: int | None
    steps_per_epoch: int | None


class Setup:
    """A model, its data, loss and optimizer: the patient nndoctor examines.

    ``train``/``val`` accept a DataLoader, a Dataset of ``(x, y)`` or an ``(X, y)`` pair of
    NumPy arrays or tensors. ``optimizer`` is a callable ``params -> Optimizer`` or an
    optimizer already bound to the model's parameters (only its settings are used).
    ``task`` is one of binary / multiclass / multilabel / regression, or "auto".
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
    ) -> None:
        if not isinstance(model, nn.Module):
            raise SetupError(
                f"model is a {type(model).__name__}, not a torch.nn.Module.",
                "Pass the network itself, e.g. Setup(model=MyNet(), ...).",
            )
        if task not in TASKS + ("auto",):
            raise SetupError(f"task={task!r} is not one of {', '.join(TASKS)} or 'auto'.", "Use one of those.")
        if int(batch_size) < 1:
            raise SetupError(f"batch_size={batch_size} must be at least 1.", "Pass a positive batch size.")
        self.model = model
        self.name = name or type(model).__name__
        self.batch_size = int(batch_size)
        self.seed = seed
        self.train_loader = self._loader(train, "train", shuffle=True)
        self.val_loader = self._loader(val, "val", shuffle=False) if val is not None else None
        self.optimizer_factory, self.optimizer_description = _optimizer_factory(optimizer, model)
        self.user_optimizer = optimizer if isinstance(optimizer, torch.optim.Optimizer) else None
        self._requested_task = task
        self._requested_loss = loss
        self.loss: Any = loss
        self.task: str = task
        self.task_reason: str = "given" if task != "auto" else ""
        self.loss_inferred = loss is None
        self._resolved = False

    # -- data -----------------------------------------------------------------
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
        return DataLoader(dataset, batch_size=self.batch_size, shuffle=shuffle)

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

    def batches(self, split: str = "train", limit: int | None = None) -> Iterable[Batch]:
        """Iterate ``(x, y)`` batches of a split, at most ``limit`` of them."""
        loader = self.train_loader if split == "train" else self.val_loader
        if loader is None:
            return
        for i, batch in enumerate(loader):
            if limit is not None and i >= limit:
                break
            yield _batch_pair(batch)

    def first_batch(self, split: str = "train") -> Batch:
        for batch in self.batches(split, limit=1):
            return batch
        raise SetupError(
            f"The {split} DataLoader yielded no batch (drop_last with fewer samples than batch_size?).",
            "Use a smaller batch size or drop_last=False.",
        )

    # -- model, loss, task ----------------------------------------------------
    @property
    def device(self) -> torch.device:
        for p in self.model.parameters():
            return p.device
        return torch.device("cpu")

    def fresh_model(self) -> nn.Module:
        """A deep copy of the user's model as it is now (their object stays untouched)."""
        return copy.deepcopy(self.model)

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        return self.optimizer_factory(model.parameters())

    def compute_loss(self, output: Any, y: torch.Tensor) -> torch.Tensor:
        return self.loss(output, y)

    def resolve(self) -> "Setup":
        """Infer task and default loss from one real batch; checks that output and targets fit."""
        if self._resolved:
            return self
        x, y = self.first_batch("train")
        model = self.fresh_model()
        model.eval()
        try:
            with torch.no_grad():
                output = model(move_to(x, self.device))
        except Exception as exc:  # the user's forward failing is a setup problem, not ours
            raise SetupError(
                f"The model's forward pass failed on a training batch (inputs {describe_shape(x)}): "
                f"{type(exc).__name__}: {exc}.",
                "Make sure the model's first layer matches the input features and the data is (x, y).",
            ) from exc
        if not isinstance(output, torch.Tensor):
            raise SetupError(
                f"The model returned a {type(output).__name__}; nndoctor needs a tensor output.",
                "Return the logits/predictions tensor from forward().",
            )
        if self._requested_task == "auto":
            self.task, self.task_reason = infer_task(y, self._requested_loss, output)
        if self.loss is None:
            self.loss = _default_loss(self.task)
        self._check_fit(output, y)
        self._resolved = True
        return self

    def _check_fit(self, output: torch.Tensor, y: torch.Tensor) -> None:
        if output.shape[0] != y.shape[0]:
            raise SetupError(
                f"The model returned {output.shape[0]} rows for a batch of {y.shape[0]} targets "
                f"(output shape {tuple(output.shape)}).",
                "Keep the batch dimension first and do not reduce over it in forward().",
            )
        try:
            with torch.no_grad(), warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                self.loss(output.float(), move_to(y, output.device))
        except Exception as exc:
            raise SetupError(
                f"The loss {type(self.loss).__name__} cannot compare the model output of shape "
                f"{tuple(output.shape)} with targets of shape {tuple(y.shape)} and dtype {y.dtype}: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0]}.",
                "Make the output layer's width match the targets (classes for classification, "
                "target columns for regression) and the target dtype match the loss.",
            ) from exc
        if any("broadcasting" in str(w.message) for w in caught):
            raise SetupError(
                f"The model output of shape {tuple(output.shape)} and the targets of shape {tuple(y.shape)} "
                f"differ, so {type(self.loss).__name__} silently broadcasts them against each other and "
                "compares every prediction with every target.",
                "Make them the same shape, e.g. `output.squeeze(-1)` in forward() or `y.view(-1, 1)` for the targets.",
            )

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
        }


def describe_shape(x: Any) -> str:
    if isinstance(x, torch.Tensor):
        return f"shape {tuple(x.shape)}"
    if isinstance(x, (list, tuple)):
        return "(" + ", ".join(describe_shape(v) for v in x) + ")"
    return type(x).__name__
