"""Building blocks the remedies use: copying a Setup with changed parts, data and model surgery.

Nothing here touches the user's objects: data transforms wrap or rebuild datasets, model
surgery works on deep copies, and :func:`derive` returns a new Setup.
"""
from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset, RandomSampler, TensorDataset

from ..patient import eval_mode
from ..probes.init_outputs import final_operation
from ..probes.layer_stats import FORWARD_WEIGHT_LAYERS, forward_order, hand_written_layer
from ..rng import preserved_rng
from ..setup import INPUT_KEYS, LABEL_KEYS, Setup, _batch_pair, call_model, first_key, move_to, primary_output

ACTIVATIONS = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.GELU, nn.SiLU, nn.Tanh, nn.Sigmoid, nn.Softmax, nn.LogSoftmax,
               nn.Softplus, nn.SELU, nn.PReLU, nn.ReLU6, nn.Hardtanh, nn.Mish)
PASS_THROUGH = (nn.Dropout, nn.Identity, nn.Flatten, nn.AlphaDropout)


class NotApplicable(Exception):
    """A remedy cannot be expressed for this setup (the reason says why)."""


def derive(setup: Setup, *, model: nn.Module | None = None, train: Any = None, val: Any = None,
           loss: Any = None, optimizer: Any = None) -> Setup:
    """A new, resolved Setup sharing nothing mutable with ``setup`` except unchanged data loaders.

    The setup's batch accessors (``Setup(inputs=..., targets=...)``: a model of several positional inputs) read the
    new setup's batches too, unless a replaced loader maps its samples into ``(x, y)`` pairs (:class:`MappedDataset`),
    which the default reading takes as they are.
    """
    mapped = any(isinstance(getattr(loader, "dataset", None), MappedDataset) for loader in (train, val))
    new = Setup(
        model=model if model is not None else setup.fresh_model(),
        train=train if train is not None else setup.train_loader,
        val=val if val is not None else setup.val_loader,
        loss=loss if loss is not None else copy.deepcopy(setup.loss),
        optimizer=optimizer if optimizer is not None else setup.optimizer_factory,
        batch_size=setup.batch_size, task=setup.task, name=setup.name, seed=setup.seed,
        scheduler=setup.scheduler, inputs=None if mapped else setup.inputs_accessor,
        targets=None if mapped else setup.targets_accessor,
    )
    if not setup.val_labelled:  # validation known by its inputs alone stays so: a loader of them holds no targets
        new.val_labelled = False
    return new.resolve()


# -- data ----------------------------------------------------------------------------------
class MappedDataset(Dataset):
    """``base`` with ``fn_x``/``fn_y`` applied to every ``(x, y)`` sample on access."""

    def __init__(self, base: Dataset, fn_x: Callable | None = None, fn_y: Callable | None = None) -> None:
        self.base, self.fn_x, self.fn_y = base, fn_x, fn_y

    def __len__(self) -> int:
        return len(self.base)  # type: ignore[arg-type]

    def __getitem__(self, index: int) -> Any:
        item = self.base[index]
        if isinstance(item, Mapping):  # a dict per sample (Hugging Face): the same keys back, for the loader's collator
            return _mapped_entries(item, self.fn_x, self.fn_y)
        x, y = _batch_pair(item)
        return (self.fn_x(x) if self.fn_x else x), (self.fn_y(y) if self.fn_y else y)


def _mapped_entries(item: Mapping, fn_x: Callable | None, fn_y: Callable | None) -> dict[str, Any]:
    """A dict sample with ``fn_y`` applied to its label entry and ``fn_x`` to its one input entry (``x``/``input``),
    the keys the batch contract reads them by (``setup.LABEL_KEYS``, ``setup.INPUT_KEYS``)."""
    out = dict(item)
    label = first_key(out, LABEL_KEYS)
    if fn_y is not None and label is not None:
        out[label] = fn_y(torch.as_tensor(out[label]))
    if fn_x is not None:
        key = first_key(out, INPUT_KEYS)
        if key is None and getattr(fn_x, "takes_model_inputs", False):  # a transform of the model's named inputs
            inputs = fn_x({k: torch.as_tensor(v) for k, v in out.items() if k != label})
            return {**inputs, **({label: out[label]} if label else {})}
        if key is None:
            raise NotApplicable("the samples are dicts without one input entry ('x', 'input') to transform")
        out[key] = fn_x(torch.as_tensor(out[key]))
    return out


def map_dataset(dataset: Dataset, fn_x: Callable | None = None, fn_y: Callable | None = None) -> Dataset:
    """Apply per-sample transforms; a two-tensor TensorDataset is transformed at once (same result)."""
    if isinstance(dataset, TensorDataset) and len(dataset.tensors) == 2:
        x, y = dataset.tensors
        return TensorDataset(fn_x(x) if fn_x else x, fn_y(y) if fn_y else y)
    mapped = MappedDataset(dataset, fn_x, fn_y)
    if len(mapped):
        mapped[0]  # a form the transforms cannot take says so now, not in the middle of a trial
    return mapped


def is_shuffled(loader: DataLoader) -> bool:
    """Whether the loader draws its samples in random order, by its own sampler or its batch sampler's
    (accelerate's loaders, which Hugging Face's ``Trainer`` iterates, shuffle inside a ``BatchSampler``)."""
    return isinstance(loader.sampler, RandomSampler) or isinstance(getattr(loader.batch_sampler, "sampler", None), RandomSampler)


def loader_batch_size(loader: DataLoader) -> int | None:
    """The loader's batch size, or its batch sampler's when the loader was built from one (accelerate's)."""
    return loader.batch_size if loader.batch_size is not None else getattr(loader.batch_sampler, "batch_size", None)


def rebuild_loader(loader: DataLoader, dataset: Dataset | None = None, shuffle: bool | None = None,
                   batch_size: int | None = None) -> DataLoader:
    """A loader like ``loader`` (batch size, collate, drop_last) over ``dataset``, optionally (un)shuffled or re-batched."""
    return DataLoader(
        dataset if dataset is not None else loader.dataset,
        batch_size=batch_size if batch_size is not None else loader_batch_size(loader),
        shuffle=is_shuffled(loader) if shuffle is None else shuffle,
        drop_last=bool(getattr(loader.batch_sampler, "drop_last", loader.drop_last)),
        collate_fn=loader.collate_fn,
    )


@dataclass
class Moments:
    """Per-element mean and (population) standard deviation over the samples of a split."""

    mean: torch.Tensor
    std: torch.Tensor
    count: int

    def safe_std(self) -> torch.Tensor:
        """The std with (near-)constant elements set to 1, so standardising them cannot divide by ~0."""
        floor = 1e-8 * max(float(self.std.abs().max()), 1.0)
        return torch.where(self.std > floor, self.std, torch.ones_like(self.std))


def sole_tensor(values: Any) -> torch.Tensor | None:
    """The one tensor a batch's inputs are: the tensor itself, or the only entry of a dict of keyword inputs (a
    ``Trainer`` model's ``forward(x, labels=None)``); None for several inputs."""
    if isinstance(values, Mapping) and len(values) == 1:
        values = next(iter(values.values()))
    return values if isinstance(values, torch.Tensor) else None


def moments(setup: Setup, which: str, split: str = "train") -> Moments:
    """Mean/std over axis 0 of a split's inputs (``which="x"``) or targets (``"y"``), in float64."""
    total = squares = None
    count = 0
    for x, y in setup.batches(split):
        values = sole_tensor(x) if which == "x" else y
        if not isinstance(values, torch.Tensor):
            raise NotApplicable(f"the {'inputs' if which == 'x' else 'targets'} are not a single tensor")
        values = values.detach().cpu().double()
        total = values.sum(0) if total is None else total + values.sum(0)
        squares = (values**2).sum(0) if squares is None else squares + (values**2).sum(0)
        count += values.shape[0]
    if total is None or count == 0:
        raise NotApplicable(f"the {split} split yielded no samples")
    mean = total / count
    var = (squares / count - mean**2).clamp_min(0)
    return Moments(mean.float(), var.sqrt().float(), count)


def train_targets(setup: Setup) -> torch.Tensor:
    """Every training target concatenated (targets are small; inputs are not read)."""
    parts = [y.detach().cpu() for _, y in setup.batches("train")]
    return torch.cat(parts) if parts else torch.empty(0)


def n_classes(setup: Setup, targets: torch.Tensor | None = None) -> int:
    """Number of classes: one-hot width, or largest label + 1 (at least 2)."""
    y = train_targets(setup) if targets is None else targets
    if y.dim() == 2 and y.shape[1] > 1:
        return int(y.shape[1])
    return max(2, int(y.reshape(-1).long().max()) + 1) if y.numel() else 2


def class_indices(targets: torch.Tensor) -> torch.Tensor:
    if targets.dim() == 2 and targets.shape[1] > 1:
        return targets.argmax(dim=1)
    return targets.reshape(-1).long()


# -- model surgery ------------------------------------------------------------------------
def leaf_order(model: nn.Module, x: Any) -> list[tuple[str, nn.Module]]:
    """Leaf modules in the order the forward pass first calls them (one eval-mode pass on ``x``)."""
    with forward_order(model) as order:
        eval_pass(model, x, [])
    return order


def feeding_pairs(model: nn.Module, x: Any) -> set[tuple[str, str]]:
    """(a, b) for leaf modules whose first call hands ``b`` as its first input the very tensor ``a`` returned
    (one eval-mode pass on ``x``): a layer that feeds the next, told apart from layers that only run one after
    another (attention's query, key and value all read the same states)."""
    outputs: dict[int, str] = {}
    pairs: set[tuple[str, str]] = set()
    seen: set[str] = set()

    def hook_for(name: str):
        def record(module: nn.Module, inputs: tuple, output: object) -> None:
            if name in seen:
                return
            seen.add(name)
            first = inputs[0] if inputs and isinstance(inputs[0], torch.Tensor) else None
            if first is not None and first.data_ptr() in outputs:
                pairs.add((outputs[first.data_ptr()], name))
            if isinstance(output, torch.Tensor):
                outputs[output.data_ptr()] = name
        return record

    eval_pass(model, x, [(module, hook_for(name)) for name, module in model.named_modules()
                         if name and not list(module.children())])
    return pairs


def eval_pass(model: nn.Module, x: Any, hooks: list[tuple[nn.Module, Callable[..., None]]]) -> Any:
    """One eval-mode forward of ``model`` on ``x`` without gradients, each (module, forward hook) of ``hooks``
    attached for it, and its output; the model's mode is restored and the hooks removed, also after an error."""
    handles = [module.register_forward_hook(hook) for module, hook in hooks]
    try:
        with eval_mode(model), torch.no_grad():
            return call_model(model, x)
    finally:
        for handle in handles:
            handle.remove()


def set_module(model: nn.Module, name: str, new: nn.Module) -> None:
    parent_name, _, attr = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, attr, new)


def device_of(model: nn.Module) -> torch.device:
    for p in model.parameters():
        return p.device
    return torch.device("cpu")


def final_module(order: list[tuple[str, nn.Module]]) -> tuple[str, nn.Module] | None:
    """The last module of the forward pass that is not a pass-through (dropout, identity, flatten)."""
    for name, module in reversed(order):
        if not isinstance(module, PASS_THROUGH):
            return name, module
    return None


def output_linear(order: list[tuple[str, nn.Module]]) -> tuple[str, nn.Linear] | None:
    """The last Linear module called when nothing but pass-through modules follows it (see :func:`output_head`)."""
    last = final_module(order)
    return last if last is not None and isinstance(last[1], nn.Linear) else None  # type: ignore[return-value]


def output_head(model: nn.Module, x: Any) -> tuple[str, nn.Linear] | None:
    """The Linear layer that produces the model's output, from one eval-mode pass on ``x``: the last module called
    (pass-through ones aside) when it is a Linear whose output holds as many values as the model's.

    A temperature, a squeeze or a sigmoid that forward() applies after it keeps that count; a forward that carries
    the Linear's result on into other arithmetic (a product with prototypes, a pooled sum) leaves no Linear whose
    bias or weights are the output's, and remedies that rewrite the output layer must not touch a hidden one.
    """
    seen: dict[str, int] = {}

    def count(name: str) -> Callable[..., None]:
        def record(module: nn.Module, inputs: tuple, output: Any) -> None:
            if isinstance(output, torch.Tensor):
                seen[name] = output.numel()
        return record

    linears = [(name, m) for name, m in model.named_modules() if isinstance(m, nn.Linear)]
    with forward_order(model) as order:
        output = eval_pass(model, x, [(m, count(name)) for name, m in linears])
    head, prediction = output_linear(order), primary_output(output)
    if head is None or prediction is None:
        return head
    return head if seen.get(head[0]) == prediction.numel() else None


WEIGHT_MODULES = FORWARD_WEIGHT_LAYERS  # the layers remedies re-initialise, normalise, wrap


def weight_layers(order: list[tuple[str, nn.Module]]) -> list[tuple[str, nn.Module]]:
    return [(n, m) for n, m in order if isinstance(m, WEIGHT_MODULES)]


def following_activation(order: list[tuple[str, nn.Module]], name: str) -> nn.Module | None:
    """The activation module applied next after layer ``name`` (None when another weight layer, torch's or the
    user's own, comes first)."""
    names = [n for n, _ in order]
    for _, module in order[names.index(name) + 1:]:
        if isinstance(module, ACTIVATIONS):
            return module
        if isinstance(module, (*WEIGHT_MODULES, nn.RNNBase)) or hand_written_layer(module):
            return None
    return None


def eval_output(model: nn.Module, x: Any) -> Any:
    """``model(x)`` in eval mode without gradients, the model's mode and every RNG left as they were.

    Called as checkup calls it (a dict batch as keyword arguments when forward takes them, as a ``Trainer`` does)."""
    with eval_mode(model), preserved_rng(), torch.no_grad():
        return call_model(model, x)


def sample_batch(setup: Setup) -> tuple[Any, Any]:
    """The first training batch on the setup's device, drawn without moving the global RNG (a shuffling loader draws)."""
    with torch.random.fork_rng(devices=[]):
        x, y = setup.first_batch("train")
    return move_to(x, setup.device), move_to(y, setup.device)


def sample_input(setup: Setup) -> Any:
    """The first training batch's inputs on the setup's device (read as the remedies always have: a shuffling
    loader's draw moves the global RNG; callers that must not move it wrap it, or use :func:`sample_batch`)."""
    x, _ = setup.first_batch("train")
    return move_to(x, setup.device)


def numpy_of(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy()


PROBABILITY_HEADS = (nn.Softmax, nn.LogSoftmax, nn.Sigmoid, nn.Softmin)
INVERTIBLE_OPS = ("Softmax", "Sigmoid", "Tanh")


def invertible_final_op(model: nn.Module, x: Any) -> str | None:
    """The softmax/sigmoid/tanh that ``model.forward`` applies last (read from the autograd graph), else None.

    Runs in eval mode so that looking does not move BatchNorm statistics of the candidate's model.
    """
    with eval_mode(model), torch.enable_grad():
        out = model(x)
    op = final_operation(out)[0] if isinstance(out, torch.Tensor) else None
    return op if op in INVERTIBLE_OPS else None


def drop_probability_head(model: nn.Module, order: list[tuple[str, nn.Module]]) -> str | None:
    """Replace the model's final Softmax/Sigmoid-like module (last in ``order``) by Identity so it
    returns logits; the removed module's class name, or None when the model does not end in one."""
    last = final_module(order)
    if last is None or not isinstance(last[1], PROBABILITY_HEADS):
        return None
    set_module(model, last[0], nn.Identity())
    return type(last[1]).__name__
