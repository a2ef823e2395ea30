"""Remedies: small, named transformations of a Setup, each tied to the codes it treats.

A remedy's ``build(setup, finding)`` returns candidate Setups (new objects built from copies;
the user's model, data, loss and optimizer are never changed) together with the snippet of
the change to make in the user's own code. It raises :class:`NotApplicable` when the change
cannot be expressed for this setup (e.g. no ``nn.ReLU`` module to swap). Whether a candidate
actually helps is decided by trials, not here. Data, loss and optimisation remedies live here
with the registry; the ones that change the model are in :mod:`nndoctor.fix.model_remedies`,
wiring fixes in :mod:`nndoctor.fix.wiring_remedies`.
"""
from __future__ import annotations

import copy
import math
from typing import Any, Callable

import torch
from torch import nn

from ..findings import Finding
from ..setup import Setup, ShapeMismatch
from ..verdicts.curves import ADAPTIVE, HEALTHY_UPDATE
from .batch_remedies import batch_first_rnn, per_sample_normalisation, transpose_not_view
from .candidate import Candidate, Remedy
from .code_remedies import autograd_forward, gradient_path, lift_no_grad
from .data_remedies import drop_duplicates, drop_leaked_validation, drop_suspect_labels, one_hot_codes, stratified_resplit
from .leak_remedies import neutralise_leaking_input
from .model_remedies import (
    add_normalisation, gated_recurrent, leaky_relu, linear_path, output_scale, reinitialise, relu_family,
    residual_connections, widen_bottleneck,
)
from .transforms import (
    NotApplicable, class_indices, derive, device_of, drop_probability_head, invertible_final_op, is_shuffled, leaf_order,
    map_dataset, moments, n_classes, output_head, rebuild_loader, sample_input, set_module, sole_tensor,
    train_targets,
)
from .training_remedies import add_capacity, higher_lr_if_falling, layer_learning_rates, regularise, smaller_batches
from .wiring_remedies import guard_zero_scale, impute_non_finite, matching_loss, sane_optimizer, unbounded_output
from .wrappers import (
    BinaryLogitsLoss, Destandardised, IndexCrossEntropy, InvertedActivation, NegatedLoss, OutputShapedTargets,
    TargetScaledLoss,
)


def _loss_name(loss: Any) -> str:
    return type(loss).__name__


def optimizer_with(setup: Setup, **changes: float) -> tuple[Callable, str]:
    """A factory that builds the user's optimizer and then overrides settings in every group.

    ``lr`` scales all groups in proportion to the first; other keys are multiplied (``*_scale``)
    or set. Returns the factory and a ``torch.optim.X(...)`` line for the snippet.
    """
    factory = setup.optimizer_factory
    probe = factory(setup.fresh_model().parameters())
    first_lr = float(probe.param_groups[0].get("lr", 0.0) or 0.0)

    def build(params: Any) -> torch.optim.Optimizer:
        optimizer = factory(params)
        for group in optimizer.param_groups:
            if "lr" in changes and first_lr > 0:
                group["lr"] = float(changes["lr"]) * float(group["lr"]) / first_lr
            if "weight_decay_scale" in changes and "weight_decay" in group:
                group["weight_decay"] = float(group["weight_decay"]) * changes["weight_decay_scale"]
        return optimizer

    settings = {k: v for k, v in probe.param_groups[0].items() if k in ("lr", "momentum", "weight_decay", "betas", "eps")}
    if "lr" in changes:
        settings["lr"] = changes["lr"]
    if "weight_decay_scale" in changes and "weight_decay" in settings:
        settings["weight_decay"] = float(settings["weight_decay"]) * changes["weight_decay_scale"]
    keep = {k: v for k, v in settings.items() if k in ("lr", "weight_decay") or (k == "momentum" and v)}
    args = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in keep.items())
    return build, f"optimizer = torch.optim.{type(probe).__name__}(model.parameters(), {args})"


# -- D101 / D102: standardise inputs --------------------------------------------------------
def standardise_inputs(setup: Setup, finding: Finding) -> list[Candidate]:
    x = sole_tensor(setup.first_batch("train")[0])
    if x is None or not x.is_floating_point():
        raise NotApplicable("the inputs are not one floating-point tensor (token ids or several inputs)")
    stats = moments(setup, "x", "train")
    mean, std = stats.mean, stats.safe_std()

    def scale(values: torch.Tensor) -> torch.Tensor:
        return (values - mean.to(values.device)) / std.to(values.device)

    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_x=scale))
    val = rebuild_loader(setup.val_loader, map_dataset(setup.val_loader.dataset, fn_x=scale)) if setup.val_loader is not None else None
    snippet = (
        "mean, std = X_train.mean(axis=0), X_train.std(axis=0)   # training split only\n"
        "std[std == 0] = 1                                       # constant features stay as they are\n"
        "X_train, X_val = (X_train - mean) / std, (X_val - mean) / std   # same statistics for val/test"
    )
    return [Candidate("standardise-inputs", f"standardise inputs with training statistics ({stats.count} samples)",
                      derive(setup, train=train, val=val), snippet)]


# -- D105: standardise regression targets -----------------------------------------------------
def standardise_targets(setup: Setup, finding: Finding) -> list[Candidate]:
    if setup.task != "regression":
        raise NotApplicable(f"the task is {setup.task}, not regression")
    stats = moments(setup, "y", "train")
    mean, std = stats.mean.to(setup.device), stats.safe_std().to(setup.device)
    model = Destandardised(setup.fresh_model(), mean, std)
    loss = TargetScaledLoss(copy.deepcopy(setup.loss), mean, std)
    shown = f"{float(mean.reshape(-1)[0]):.4g}, {float(std.reshape(-1)[0]):.4g}" if mean.numel() else ""
    snippet = (
        f"y_mean, y_std = y_train.mean(axis=0), y_train.std(axis=0)   # training split only (here ≈ {shown})\n"
        "loss = loss_fn(model(x), (y - y_mean) / y_std)               # train on standardised targets\n"
        "prediction = model(x) * y_std + y_mean                      # back to original units"
    )
    return [Candidate("standardise-targets", "train on standardised targets, predict in original units",
                      derive(setup, model=model, loss=loss), snippet)]


# -- O401 / O402: LR from the range test ------------------------------------------------------
def _suggested_lr(setup: Setup, finding: Finding) -> float | None:
    lr = finding.evidence.get("suggested_lr") if finding.evidence else None
    if isinstance(lr, (int, float)) and lr > 0 and math.isfinite(lr):
        return float(lr)
    try:
        from ..probes.lr_range import lr_range_test
    except ImportError:
        return None
    return lr_range_test(setup, setup.fresh_model()).suggestion.lr


# Codes whose evidence says the LR is too high: their fallback step lowers the LR, the others raise it.
LR_TOO_HIGH = ("O401", "O403", "O407")
# Regularisation kept by the remedy for too much of it: dropout and label smoothing at 0.1, the common recipes' value.
KEPT_REGULARISATION = 0.1


def _lr_for_healthy_steps(finding: Finding, current: float) -> float | None:
    """Without a range test's suggestion, O402 under an adaptive optimizer: the LR whose steps meet the ~1e-3 rule of
    thumb. Adam moves each weight by about the LR, so the measured update ratio scales with it."""
    ratio, kind = finding.evidence.get("median_update_ratio"), finding.evidence.get("optimizer")
    if finding.code in LR_TOO_HIGH or kind not in ADAPTIVE or not isinstance(ratio, (int, float)) or not 0 < ratio < HEALTHY_UPDATE:
        return None
    return current * HEALTHY_UPDATE / ratio


def set_learning_rate(setup: Setup, finding: Finding) -> list[Candidate]:
    from ..probes.trial import user_lr

    current = user_lr(setup)
    if current is None or current <= 0:
        raise NotApplicable("the optimizer has no positive learning rate to change")
    suggested = _suggested_lr(setup, finding)
    targets: list[tuple[float, str]] = []
    if suggested is not None and not math.isclose(suggested, current, rel_tol=0.2):
        targets.append((suggested, f"set the LR to the range test's suggestion {suggested:.2g} (was {current:.2g})"))
    sized = _lr_for_healthy_steps(finding, current) if not targets else None
    if sized is not None:
        targets.append((sized, f"raise the LR to {sized:.2g}, where each step moves the weights by about 1e-3 of their "
                               f"size (was {current:.2g})"))
    step = current / 10 if finding.code in LR_TOO_HIGH else current * 10
    if not targets or abs(math.log10(step / targets[0][0])) > 0.5:
        targets.append((step, f"{'lower' if step < current else 'raise'} the LR tenfold to {step:.2g} (was {current:.2g})"))
    candidates = []
    for lr, title in targets:
        factory, line = optimizer_with(setup, lr=lr)
        candidates.append(Candidate("set-learning-rate", title, derive(setup, optimizer=factory), line))
    return candidates


# -- O403: gradient clipping ----------------------------------------------------------------
def clip_gradients(setup: Setup, finding: Finding, max_norm: float = 1.0) -> list[Candidate]:
    snippet = (
        "loss.backward()\n"
        f"torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm={max_norm:g})\n"
        "optimizer.step()"
    )
    return [Candidate("clip-gradient-norm", f"clip the gradient norm at {max_norm:g}", derive(setup), snippet, clip_norm=max_norm)]


# -- O408: clipping that bites every step ---------------------------------------------------------
# A bound a decade above the typical (median) pre-clip norm: ordinary steps pass untouched, a spike of the
# orders of magnitude O403 reads as an explosion is still cut.
OUTLIER_BOUND = 10.0


def loosen_clipping(setup: Setup, finding: Finding) -> list[Candidate]:
    """The loop's clip_grad_norm_ bound raised to ``OUTLIER_BOUND`` times the median pre-clip norm it cut."""
    median, bound = finding.evidence.get("median_pre_clip_norm"), finding.evidence.get("max_norm")
    if not isinstance(median, (int, float)) or not math.isfinite(median) or median <= 0:
        raise NotApplicable("only clip_grad_norm_'s bound is replayed in trials (clip_grad_value_ is not)")
    loose = float(f"{OUTLIER_BOUND * median:.2g}")
    snippet = ("loss.backward()\n"
               f"torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm={loose:g})   # was {bound:g}; typical norm {median:.2g}\n"
               "optimizer.step()")
    return [Candidate("loosen-clipping", f"clip the gradient norm at {loose:g} instead of {bound:g} ({OUTLIER_BOUND:g}x the median norm)",
                      derive(setup), snippet, clip_norm=loose)]


# -- L301 / L302 / L303: logits and the logits loss ------------------------------------------------
def logits_loss(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    x = sample_input(setup)
    removed = drop_probability_head(model, leaf_order(model, x))
    in_forward = None if removed else invertible_final_op(model, x)
    if in_forward not in ("Softmax", "Sigmoid"):
        in_forward = None
    if in_forward:
        model = InvertedActivation(model, in_forward)
    name = _loss_name(setup.loss)
    loss: Any = None
    if name == "NLLLoss":
        loss = nn.CrossEntropyLoss(weight=setup.loss.weight, ignore_index=setup.loss.ignore_index, reduction=setup.loss.reduction)
    elif name == "BCELoss":
        loss = nn.BCEWithLogitsLoss(weight=setup.loss.weight, reduction=setup.loss.reduction)
    elif name not in ("CrossEntropyLoss", "BCEWithLogitsLoss"):
        raise NotApplicable(f"the loss {name} is not one of the classification losses this remedy rewires")
    if removed is None and in_forward is None and loss is None:
        raise NotApplicable("no final Softmax/Sigmoid to remove, in the model's modules or at the end of forward()")
    new_loss = type(loss).__name__ if loss is not None else name
    steps = []
    if removed:
        steps.append(f"# remove the final nn.{removed}() from the model: return raw logits")
    elif in_forward:
        steps.append(f"# in forward(), return the raw logits: drop the torch.{in_forward.lower()}(...) applied at the end")
        removed = f"{in_forward.lower()} in forward()"
    steps.append(f"loss_fn = nn.{new_loss}()   # applies the {'log-softmax' if 'Cross' in new_loss else 'sigmoid'} itself, stably")
    if removed in ("Softmax", "LogSoftmax") or new_loss == "CrossEntropyLoss":
        steps.append("probabilities = model(x).softmax(dim=-1)   # only where you need probabilities")
    else:
        steps.append("probabilities = torch.sigmoid(model(x))   # only where you need probabilities")
    title = (f"remove the final {removed} and " if removed else "") + f"use {new_loss} on logits"
    # Probabilities fed to a logits loss are a wiring bug: the remedy is judged on the bug's own check
    # (clear on the rewired setup) with the metric not verifiably worse, as every bug's remedy is.
    return [Candidate("logits-loss", title, derive(setup, model=model, loss=loss), "\n".join(steps), loss_comparable=False,
                      judged_by="cleared")]


# -- L305: cross-entropy instead of a regression loss ---------------------------------------------
def _batch_flattens_after(order: list[tuple[str, nn.Module]], name: str) -> list[str]:
    """Flatten modules after layer ``name`` that fold the batch axis in (``start_dim=0``): right for one
    output per sample, wrong once the head has one logit per class."""
    names = [n for n, _ in order]
    return [n for n, m in order[names.index(name) + 1:] if isinstance(m, nn.Flatten) and m.start_dim == 0]


def classification_loss(setup: Setup, finding: Finding) -> list[Candidate]:
    if setup.task not in ("multiclass", "binary"):
        raise NotApplicable(f"the task is {setup.task}; this remedy rewires single-label classification")
    model = setup.fresh_model()
    order = leaf_order(model, sample_input(setup))
    removed = drop_probability_head(model, order)
    if removed:
        order = leaf_order(model, sample_input(setup))
    head = output_head(model, sample_input(setup))
    classes = n_classes(setup)
    changes = []
    if removed:
        changes.append(f"# remove the final nn.{removed}(): the loss takes logits")
    if setup.task == "binary":
        if head is not None and head[1].out_features == 2:
            loss: nn.Module = IndexCrossEntropy()
            changes.append("loss_fn = nn.CrossEntropyLoss()   # targets: y.long() class indices")
        else:
            loss = BinaryLogitsLoss()
            changes.append("loss_fn = nn.BCEWithLogitsLoss()   # targets: y.float(), one logit per sample")
    else:
        if head is None:
            raise NotApplicable("the output layer is not a Linear this remedy can widen to one logit per class")
        if head[1].out_features != classes:
            name, old = head
            set_module(model, name, nn.Linear(old.in_features, classes, bias=old.bias is not None).to(device_of(model)))
            changes.append(f"nn.Linear({old.in_features}, {classes})   # one logit per class as the output layer")
            for flat in _batch_flattens_after(order, name):
                set_module(model, flat, nn.Identity())
                changes.append(f"# remove {flat}: nn.Flatten(0) after the head would merge the batch and class axes")
            if _drop_output_reshape(model, old.out_features):
                changes.append("# no .squeeze(-1) on the output: the loss takes (N, C) logits")
        loss = IndexCrossEntropy()
        changes.append("loss_fn = nn.CrossEntropyLoss()   # targets: y.long() class indices 0..C-1")
    changes.append("prediction = model(x).argmax(dim=-1)" if setup.task == "multiclass" else "prediction = model(x) > 0")
    return [Candidate("classification-loss", f"switch {_loss_name(setup.loss)} to "
                      + ("cross-entropy" if setup.task == "multiclass" else "a logits classification loss"),
                      derive(setup, model=model, loss=loss), "\n".join(changes), loss_comparable=False)]


def _drop_output_reshape(model: nn.Module, width: int) -> bool:
    """Stop a run's captured model (:class:`nndoctor.watch.capture.ExamModel`) reshaping its output to the shape the
    loop fed the loss (``.squeeze(-1)`` of one output per sample): a head widened to one logit per class no longer
    fits it, and cross-entropy reads the (N, C) logits as they are. Whether one was dropped."""
    from ..watch.capture import ExamModel

    if not isinstance(model, ExamModel) or model.tail is None or math.prod(model.tail) != width:
        return False
    model.tail = None
    return True


# -- D106 / G603 / M210: class weights and output bias -------------------------------------------------
def _softmax_over_classes(setup: Setup, loss_name: str) -> bool:
    """Class indices scored by cross-entropy over one logit per class: multiclass, or binary with two logits."""
    return setup.task in ("multiclass", "binary") and loss_name == "CrossEntropyLoss"


def class_weights(setup: Setup, finding: Finding) -> list[Candidate]:
    y = train_targets(setup)
    name = _loss_name(setup.loss)
    if _softmax_over_classes(setup, name):
        counts = torch.bincount(class_indices(y), minlength=n_classes(setup, y)).double()
        weight = (counts.sum() / (len(counts) * counts.clamp_min(1))).float()
        loss: nn.Module = copy.deepcopy(setup.loss)
        loss.weight = weight.to(setup.device)
        shown = ", ".join(f"{w:.2f}" for w in weight.tolist()[:10])
        snippet = ("counts = torch.bincount(y_train)\n"
                   "weight = counts.sum() / (len(counts) * counts.float())   # inverse class frequency"
                   f" (here [{shown}])\nloss_fn = nn.CrossEntropyLoss(weight=weight)")
    elif setup.task == "binary" and name == "BCEWithLogitsLoss":
        positives = float(y.float().sum())
        ratio = (y.numel() - positives) / max(positives, 1.0)
        loss = copy.deepcopy(setup.loss)
        loss.pos_weight = torch.tensor(ratio, device=setup.device)
        snippet = f"loss_fn = nn.BCEWithLogitsLoss(pos_weight=torch.tensor({ratio:.3g}))   # negatives / positives"
    else:
        raise NotApplicable(f"class weights need CrossEntropyLoss or BCEWithLogitsLoss (the loss is {name})")
    return [Candidate("class-weights", "weight the loss by inverse class frequency", derive(setup, loss=loss), snippet)]


def output_bias(setup: Setup, finding: Finding) -> list[Candidate]:
    model = setup.fresh_model()
    head = output_head(model, sample_input(setup))
    if head is None or head[1].bias is None:
        raise NotApplicable("the output is not a Linear layer with a bias "
                            "(forward() carries the last one on, or bias=False)")
    name, layer = head
    y = train_targets(setup)
    loss = _loss_name(setup.loss)
    with torch.no_grad():
        if _softmax_over_classes(setup, loss) and layer.out_features > 1:
            counts = torch.bincount(class_indices(y), minlength=layer.out_features)[: layer.out_features].double()
            value = (counts.clamp_min(1) / counts.sum()).log().float()
            what, snippet = "log class prior", "model[-1].bias.data = torch.log(class_counts / class_counts.sum())   # log prior"
        elif setup.task in ("binary", "multilabel") and loss == "BCEWithLogitsLoss":
            p = y.float().reshape(y.shape[0], -1).mean(0).clamp(1e-4, 1 - 1e-4)
            value = (p / (1 - p)).log()
            what, snippet = "logit of the positive rate", "model[-1].bias.data = torch.log(p / (1 - p))   # p = positive rate in y_train"
        elif setup.task == "regression":
            value = y.float().reshape(y.shape[0], -1).mean(0)
            what, snippet = "target mean", "model[-1].bias.data = y_train.mean(axis=0)   # start at the best constant prediction"
        else:
            raise NotApplicable(f"no prior-based bias for task {setup.task} with {loss}")
        if value.numel() not in (1, layer.out_features):
            raise NotApplicable(f"the output layer has {layer.out_features} outputs but the prior has {value.numel()} values")
        layer.bias.copy_(value.to(layer.bias.device).expand_as(layer.bias))
    shown = ", ".join(f"{v:.3g}" for v in value.reshape(-1).tolist()[:6])
    return [Candidate("output-bias", f"set the output bias of {name} to the {what} ({shown})", derive(setup, model=model),
                      snippet.replace("model[-1]", f"model.{name}" if not name.isdigit() else f"model[{name}]"))]


# -- D113: label encoding ------------------------------------------------------------------------
def encode_labels(setup: Setup, finding: Finding) -> list[Candidate]:
    mismatch = setup.label_problem
    if isinstance(mismatch, ShapeMismatch):
        if math.prod(mismatch.output_shape) != math.prod(mismatch.target_shape):
            raise NotApplicable(f"outputs {mismatch.output_shape} and targets {mismatch.target_shape} hold different "
                                "numbers of values: no reshaping pairs them")
        shaped = derive(setup, loss=OutputShapedTargets(setup.loss))
        return [Candidate("encode-labels", "give the targets the output's shape", shaped,
                          f"loss = loss_fn(model(x), y.view(-1, {', '.join(map(str, mismatch.output_shape[1:]))}))   "
                          "# targets shaped as the output: pairs, not every prediction against every target")]
    y = train_targets(setup)
    values = sorted(set(torch.unique(y.float()).tolist()))
    if setup.task == "binary" or (len(values) == 2 and _loss_name(setup.loss) in ("BCEWithLogitsLoss", "BCELoss")):
        if values == [0.0, 1.0] or len(values) != 2:
            raise NotApplicable(f"binary targets take the values {values[:5]}; no two-value recoding applies")
        low, high = values

        def recode(t: torch.Tensor) -> torch.Tensor:
            return (t > (low + high) / 2).to(t.dtype)

        snippet = f"y = (y == {high:g}).astype('float32')   # labels {low:g}/{high:g} -> 0/1 for {_loss_name(setup.loss)}"
    elif setup.task == "multiclass" and values and min(values) > 0 and all(float(v).is_integer() for v in values):
        shift = min(values)

        def recode(t: torch.Tensor) -> torch.Tensor:
            return t - torch.as_tensor(shift, dtype=t.dtype)

        snippet = f"y = y - {shift:g}   # class indices must run 0..C-1"
    else:
        raise NotApplicable("no label recoding applies to these targets")
    train = rebuild_loader(setup.train_loader, map_dataset(setup.train_loader.dataset, fn_y=recode))
    val = rebuild_loader(setup.val_loader, map_dataset(setup.val_loader.dataset, fn_y=recode)) if setup.val_loader is not None else None
    # the validation labels are recoded too, so the unchanged arm's metric scores its outputs against the broken labels
    # (targets 1/2 under BCE all read as positives: a perfect score): only the check, clear or not, can compare them
    recoded = derive(setup, train=train, val=val)
    return [Candidate("encode-labels", "encode the labels to match the loss", recoded, snippet,
                      metric_comparable=False)]


# -- O409: less regularisation -------------------------------------------------------------------
def reduce_regularisation(setup: Setup, finding: Finding) -> list[Candidate]:
    """Dropout above 0.1 down to 0.1, weight decay to a tenth, label smoothing above 0.1 down to 0.1.

    Label smoothing is a regulariser too: at ``e`` the target puts ``1 - e + e/K`` on the true class,
    so near 1 the loss hardly reads the labels (at 1 the target is uniform, whatever the label).
    """
    model = setup.fresh_model()
    dropouts = [m for m in model.modules() if isinstance(m, nn.modules.dropout._DropoutNd) and m.p > KEPT_REGULARISATION]
    probe = setup.optimizer_factory(setup.fresh_model().parameters())
    decay = float(probe.param_groups[0].get("weight_decay", 0.0) or 0.0)
    smoothed = _less_smoothing(setup)
    if not dropouts and decay <= 0 and smoothed is None:
        raise NotApplicable("no dropout or label smoothing above 0.1 and no weight decay to reduce")
    lines, parts = [], []
    loss = None
    if smoothed is not None:
        loss, line, part = smoothed
        lines.append(line)
        parts.append(part)
    for module in dropouts:
        lines.append(f"nn.Dropout({KEPT_REGULARISATION:g})   # was {module.p:g}")
        module.p = KEPT_REGULARISATION
    if dropouts:
        parts.append(f"dropout to {KEPT_REGULARISATION:g} in {len(dropouts)} layer(s)")
    optimizer = None
    if decay > 0:
        optimizer, line = optimizer_with(setup, weight_decay_scale=0.1)
        lines.append(line + f"   # weight decay {decay:g} -> {decay / 10:g}")
        parts.append(f"weight decay {decay:g} -> {decay / 10:g}")
    return [Candidate("reduce-regularisation", "reduce regularisation: " + ", ".join(parts),
                      derive(setup, model=model, optimizer=optimizer, loss=loss), "\n".join(lines), loss_comparable=loss is None)]


def _less_smoothing(setup: Setup) -> tuple[Any, str, str] | None:
    """A copy of the loss with label smoothing above ``KEPT_REGULARISATION`` lowered to it, its code line and its
    description; None when the loss smooths no more than that."""
    smoothing = float(getattr(setup.loss, "label_smoothing", 0.0) or 0.0)
    if smoothing <= KEPT_REGULARISATION:
        return None
    loss = copy.deepcopy(setup.loss)
    loss.label_smoothing = KEPT_REGULARISATION
    return (loss, f"nn.CrossEntropyLoss(label_smoothing={KEPT_REGULARISATION:g})   # was {smoothing:g}",
            f"label smoothing {smoothing:g} -> {KEPT_REGULARISATION:g}")


def lower_label_smoothing(setup: Setup, finding: Finding) -> list[Candidate]:
    """A plateau under label smoothing near 1: the target puts ``1 - e + e/K`` on the true class, so the loss hardly
    reads the labels (at 1 every target is uniform). Only the smoothing changes, so other plateaus trial nothing more."""
    smoothed = _less_smoothing(setup)
    if smoothed is None:
        raise NotApplicable(f"the loss smooths its labels by at most {KEPT_REGULARISATION:g}")
    loss, line, part = smoothed
    return [Candidate("less-label-smoothing", part, derive(setup, loss=loss), line, loss_comparable=False)]


# -- D115: shuffle ------------------------------------------------------------------------------
def shuffle_loader(setup: Setup, finding: Finding) -> list[Candidate]:
    if is_shuffled(setup.train_loader):
        raise NotApplicable("the training loader already shuffles")
    if setup.train_loader.batch_sampler is not None and type(setup.train_loader.batch_sampler).__name__ != "BatchSampler":
        raise NotApplicable("the loader uses a custom batch sampler")
    return [Candidate("shuffle-loader", "shuffle the training loader every epoch",
                      derive(setup, train=rebuild_loader(setup.train_loader, shuffle=True)),
                      "train_loader = DataLoader(train_set, batch_size=..., shuffle=True)")]


# -- L308: mean reduction / sign ------------------------------------------------------------------
def fix_loss_reduction(setup: Setup, finding: Finding) -> list[Candidate]:
    if "gradient_cosine" in (finding.evidence or {}):
        return [Candidate("minimise-loss", "minimise the loss (flip its sign back)", derive(setup, loss=NegatedLoss(setup.loss)),
                          "loss = loss_fn(model(x), y)   # minimise it: no leading minus sign, no 1 - loss", loss_comparable=False)]
    if getattr(setup.loss, "reduction", None) != "sum":
        raise NotApplicable("the loss has no reduction='sum' setting to change (a hand-written sum must be edited by hand)")
    loss = copy.deepcopy(setup.loss)
    loss.reduction = "mean"
    return [Candidate("mean-reduction", "reduce the loss with the mean over the batch", derive(setup, loss=loss),
                      f"loss_fn = nn.{_loss_name(setup.loss)}(reduction=\"mean\")   # not \"sum\"", loss_comparable=False)]


STANDARDISE = Remedy("standardise-inputs", ("D101", "D102", "O401", "M204"), "standardise inputs with training-split statistics", standardise_inputs)
TARGETS = Remedy("standardise-targets", ("D105", "M210"), "train on standardised regression targets", standardise_targets)
LEARNING_RATE = Remedy("set-learning-rate", ("O401", "O402"), "set the LR from the range test", set_learning_rate)
CLIP = Remedy("clip-gradient-norm", ("O403", "O401"), "clip the gradient norm", clip_gradients)
LOOSEN_CLIP = Remedy("loosen-clipping", ("O408",), "a clip bound only outliers reach", loosen_clipping)
REINIT = Remedy("reinitialise", ("M201", "M202", "M203", "M204", "O404", "O403"), "He/Xavier init matching the activation",
                reinitialise)
LEAKY = Remedy("leaky-relu", ("M203", "O405"), "LeakyReLU instead of ReLU", leaky_relu)
RELU_FAMILY = Remedy("relu-family", ("O404", "M204", "M205"), "ReLU instead of hidden sigmoid/tanh, with He init", relu_family)
GATED = Remedy("gated-recurrent", ("O404",), "nn.GRU instead of a plain nn.RNN (O404 back through time)",
               gated_recurrent)
NORMALISE = Remedy("add-normalisation", ("M202", "M205", "O404", "M204"), "normalisation after hidden layers", add_normalisation)
LOGITS = Remedy("logits-loss", ("L301", "L302", "L303"), "return logits, use the logits loss", logits_loss)
CLASSIFY = Remedy("classification-loss", ("L305",), "cross-entropy instead of a regression loss", classification_loss)
WEIGHTS = Remedy("class-weights", ("D106", "G603"), "inverse-frequency class weights", class_weights)
OUTPUT_SCALE = Remedy("output-scale", ("L307",), "outputs scaled down to the loss's range at init", output_scale)
# M210 is the init loss far above the best constant predictor's: the bias at the prior is judged on that check being
# clear (the metric not verifiably worse); its benefit, the steps not wasted, fades with the budget.
BIAS = Remedy("output-bias", ("D106", "G603", "M210", "D105"), "output bias = log prior / target mean", output_bias,
              bug_for=("M210",))
REGULARISATION = Remedy("reduce-regularisation", ("O409",), "less weight decay / dropout / label smoothing",
                        reduce_regularisation)
LESS_SMOOTHING = Remedy("less-label-smoothing", ("O406",), "label smoothing down to 0.1", lower_label_smoothing)
SHUFFLE = Remedy("shuffle-loader", ("D115",), "shuffle the training loader", shuffle_loader)
WIDEN = Remedy("widen-bottleneck", ("M206",), "widen the bottleneck", widen_bottleneck)
# targets outside what the loss reads (0/255 masks for a BCE, class ids past the outputs) are a bug, as a loss wired to
# the wrong label structure is (L301-L303): the recoding is judged by D113's check clearing, the metric not worse
LABELS = Remedy("encode-labels", ("D113",), "recode labels to what the loss expects", encode_labels, bug_for=("D113",))
REDUCTION = Remedy("mean-reduction", ("L308",), "mean reduction / minimise the loss", fix_loss_reduction)
IMPUTE = Remedy("impute-non-finite", ("D103", "D104"), "replace non-finite inputs by training means", impute_non_finite)
GUARD_SCALE = Remedy("guard-zero-scale", ("D103",), "a zero scale stored in the model set to 1", guard_zero_scale)
UNBOUNDED = Remedy("unbounded-output", ("L304",), "drop a final activation the targets lie outside of, or move the "
                   "targets into its range", unbounded_output)
MATCHING_LOSS = Remedy("matching-loss", ("L306",), "the loss that matches the label structure", matching_loss)
SANE_OPTIMIZER = Remedy("sane-optimizer", ("O410",), "torch's defaults for pathological optimizer settings", sane_optimizer)
ONE_HOT = Remedy("one-hot-codes", ("D112",), "one-hot encode category codes, widen the first layer", one_hot_codes)
RESPLIT = Remedy("stratified-resplit", ("D109",), "stratified, seeded re-split of training + validation", stratified_resplit)
DEDUPLICATE = Remedy("drop-duplicates", ("D107",), "drop exact and near copies from the training split", drop_duplicates)
SUSPECT_LABELS = Remedy("drop-suspect-labels", ("D110",), "drop training rows whose label the probe finds implausible", drop_suspect_labels)
REGULARISE = Remedy("regularise", ("G601",), "decoupled weight decay / early stopping, judged on the validation loss", regularise)
CAPACITY = Remedy("add-capacity", ("G602",), "a nonlinearity, a hidden layer, or wider hidden layers", add_capacity)
FASTER_LR = Remedy("higher-learning-rate", ("G602",), "a higher LR when the train loss was still falling", higher_lr_if_falling)
SMALL_BATCHES = Remedy("smaller-batches", ("D114",), "smaller batches for the same epochs", smaller_batches)
LEAKED_VALIDATION = Remedy("drop-leaked-validation", ("D108", "G604"), "score on the validation rows that are not copies of training rows",
                           drop_leaked_validation)
BATCH_FIRST = Remedy("batch-first-rnn", ("M207",), "batch_first=True on sequence layers fed (batch, time, ...) inputs", batch_first_rnn)
PER_SAMPLE = Remedy("per-sample-normalisation", ("M207",), "softmax/normalisation/reductions over the last dim, not the batch",
                    per_sample_normalisation)
SWAPPED_VIEW = Remedy("transpose-not-view", ("M207",), "a view/reshape that swapped the batch axis becomes a transpose",
                      transpose_not_view)
LINEAR_PATH = Remedy("linear-path", ("G606",), "a linear path from the raw inputs beside the network", linear_path)
LEAKING_INPUT = Remedy("neutralise-leaking-input", ("G604",), "hold an input that carries the label constant", neutralise_leaking_input)
AUTOGRAD_FORWARD = Remedy("autograd-forward", ("M208",), "custom Functions differentiated by autograd through their forward", autograd_forward)
LAYER_RATES = Remedy("layer-learning-rates", ("O412",), "the off layers' parameter groups at the other groups' LR",
                     layer_learning_rates)
RESIDUAL = Remedy("residual-connections", ("M205",), "skip connections around the blocks that keep their input's shape",
                  residual_connections)
NO_GRAD_BLOCK = Remedy("lift-no-grad", ("M209",), "forward() without its torch.no_grad() block", lift_no_grad)
GRADIENT_PATH = Remedy("gradient-path", ("M209",),
                       "no .detach() or .data, straight-through rounding in the traced forward", gradient_path)

REMEDIES: tuple[Remedy, ...] = (
    STANDARDISE, TARGETS, LOGITS, CLASSIFY, LABELS, REDUCTION, REINIT, NORMALISE, LEAKY, LEARNING_RATE, CLIP,
    WEIGHTS, BIAS, REGULARISATION, SHUFFLE, WIDEN, IMPUTE, GUARD_SCALE, UNBOUNDED, MATCHING_LOSS, SANE_OPTIMIZER,
    ONE_HOT, RESPLIT, DEDUPLICATE, SUSPECT_LABELS,
    REGULARISE,
    CAPACITY,
    FASTER_LR,
    SMALL_BATCHES,
    LEAKED_VALIDATION, BATCH_FIRST, PER_SAMPLE, SWAPPED_VIEW,
    LEAKING_INPUT, LINEAR_PATH,
    AUTOGRAD_FORWARD,
    GRADIENT_PATH,
    LAYER_RATES,
    RESIDUAL,
    NO_GRAD_BLOCK,
    GATED,
)

# code -> remedies to try, most specific first
FOR_CODE: dict[str, tuple[Remedy, ...]] = {
    "D101": (STANDARDISE,),
    "D102": (STANDARDISE,),
    "D103": (IMPUTE, GUARD_SCALE),
    "D104": (IMPUTE,),
    "D105": (TARGETS, BIAS),
    "D106": (WEIGHTS, BIAS),
    "D107": (DEDUPLICATE,),
    "D108": (LEAKED_VALIDATION,),
    "D109": (RESPLIT,),
    "D110": (SUSPECT_LABELS,),
    "D112": (ONE_HOT,),
    "D113": (LABELS,),
    "D114": (SMALL_BATCHES,),
    "D115": (SHUFFLE,),
    "M201": (REINIT,),
    "M202": (REINIT, NORMALISE),
    "M203": (REINIT, LEAKY),
    # saturation from large inputs, or from weights drawn too large for the units' fan-in
    "M204": (STANDARDISE, REINIT, NORMALISE, RELU_FAMILY),
    "M205": (RESIDUAL, NORMALISE, RELU_FAMILY),
    "M206": (WIDEN,),
    "M207": (BATCH_FIRST, PER_SAMPLE, SWAPPED_VIEW),
    "M208": (AUTOGRAD_FORWARD,),
    "M209": (GRADIENT_PATH, NO_GRAD_BLOCK),
    "M210": (BIAS, TARGETS),
    "L301": (LOGITS,),
    "L302": (LOGITS,),
    "L303": (LOGITS,),
    "L304": (UNBOUNDED,),
    "L305": (CLASSIFY,),
    "L306": (MATCHING_LOSS,),
    "L307": (OUTPUT_SCALE, BIAS),
    "L308": (REDUCTION,),
    "O401": (LEARNING_RATE, CLIP, STANDARDISE),
    "O402": (LEARNING_RATE,),
    "O403": (CLIP, LEARNING_RATE, REINIT),
    "O408": (LOOSEN_CLIP,),
    "O404": (GATED, REINIT, NORMALISE, RELU_FAMILY),
    "O405": (LEAKY, LEARNING_RATE),
    # a plateau: the LR's pace, or label smoothing that leaves the loss nothing of the labels to read
    "O406": (LEARNING_RATE, LESS_SMOOTHING),
    "O407": (LEARNING_RATE, CLIP),
    "O409": (REGULARISATION,),
    "O410": (SANE_OPTIMIZER,),
    "O412": (LAYER_RATES,),
    "G601": (REGULARISE,),
    "G602": (CAPACITY, FASTER_LR),
    "G603": (WEIGHTS, BIAS),
    "G604": (LEAKING_INPUT, LEAKED_VALIDATION),
    "G606": (LINEAR_PATH,),
}

# Loop bugs cannot be trialled from a Setup: the pattern to change in the user's loop.
LOOP_PATTERNS: dict[str, str] = {
    "T501": "for x, y in loader:\n    optimizer.zero_grad()          # at the top of every step\n    loss = loss_fn(model(x), y)\n    loss.backward()\n    optimizer.step()",
    "T502": "model.train()                      # before the training loop (and after every evaluation)\nfor x, y in loader:\n    ...",
    "T503": "model.eval()\nwith torch.no_grad():\n    val_loss = loss_fn(model(x_val), y_val)\nmodel.train()",
    "T504": "optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)   # every trainable parameter, lr > 0",
    "T505": "loss.backward()\noptimizer.step()\noptimizer.zero_grad()\nscheduler.step()                   # after the optimizer, once per epoch (or per step if intended)",
    "T506": "for epoch in range(epochs):\n    for x, y in loader:            # a fresh batch every step, not a cached one\n        ...",
    "T507": "import random, numpy as np, torch\nrandom.seed(0); np.random.seed(0); torch.manual_seed(0)   # at the start",
    # A loop setting a Setup does not hold (fix's trials replay the loop's clipping, not its schedule): shown, not trialled.
    "O411": "scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)\nfor epoch in range(epochs):\n    for x, y in loader:\n        ...\n    scheduler.step()                   # once per epoch, as T_max counts",
}


def is_loop_fault(code: str) -> bool:
    """Whether ``code`` is fixed in the training loop's code (a T-code bug, or the schedule's setting), not trialled."""
    return code.startswith("T") or code in LOOP_PATTERNS


def remedies_for(code: str) -> tuple[Remedy, ...]:
    return FOR_CODE.get(code, ())
