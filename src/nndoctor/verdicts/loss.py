"""Verdicts for the output layer and the loss: L301, L302, L303, L304, L305, L306, L307 and L308.

Measurements come from checkup's ``init_outputs`` probe (the model's outputs on real batches
at init, the autograd graph of its output) or from watch's inspection of the tensors that
reach the user's loss function. The verdict is about the wiring, so it is decided from what
the wiring is (the last operation, the loss's reduction, the sign of its gradient) and from
value ranges only where the range itself is the fact (probabilities fed to a logits loss).
"""
from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..findings import Finding, Severity
from . import verdict
from .curves import SCALE_FREE

# Outputs count as probabilities when no value is below -1e-3 and every row sums to 1 within
# 1e-3: float32 softmax rows are off by ~1e-6, raw logits almost never land this close.
PROBABILITY_TOLERANCE = 1e-3
# L304: more than 1% of the targets beyond the last activation's range is a systematic error, not an outlier.
UNREACHABLE_SHARE = 0.01
# L307: a classifier that knows nothing scores ln(C); 1.5x that means confidently wrong logits at init.
INIT_LOSS_ABOVE = 1.5
# A squared-error loss at init is the target variance plus the untrained head's own output
# variance, which a standard init keeps up to about the target variance: 3x leaves that room.
INIT_REGRESSION_LOSS_ABOVE = 3.0
# Below half of both chance and the constant predictor: an untrained model cannot beat a constant guess.
INIT_LOSS_BELOW = 0.5
# A loss measured on one batch is its expectation give or take a standard error (per-sample spread / sqrt(n));
# the expected range widens by three of them, so sampling noise alone is not a finding.
INIT_LOSS_STANDARD_ERRORS = 3.0
# L308: a mean-reduced loss on a batch equals the mean over its halves (ratio 1); a sum doubles (ratio 2).
SUM_REDUCTION_RATIO = 1.5
# L308: the loss's gradient at the outputs points against the task's standard loss (cosine below -0.5).
ANTI_ALIGNED = -0.5
# L308 watch: the tensor passed to backward() was the negated loss on at least half of the sampled steps (and at least two).
SIGN_FLIPPED_SHARE = 0.5
MIN_SIGN_CHECKS = 2
# L308 watch: a hand-written loss summed over the batch's rows on most of the sampled steps (and at least two).
HAND_SUMMED_SHARE = 0.5
MIN_HAND_CHECKS = 2
# L306: losses that score each class on its own (a sigmoid per column) and losses whose classes
# compete in one softmax: each is wrong for the other's label structure.
PER_CLASS_LOSSES = ("BCELoss", "BCEWithLogitsLoss")
SOFTMAX_LOSSES = ("CrossEntropyLoss", "NLLLoss")
# L306: one-hot rows over two columns are one binary label written twice: independent sigmoids still learn it.
MIN_ONE_HOT_CLASSES = 3


# -- L301 / L302 / L303: what reaches the loss ----------------------------------------------------
@dataclass
class OutputsAtLoss:
    """Range facts about the model outputs that reach the loss (pooled over the inspected batches).

    ``row_sum_min``/``row_sum_max`` are sums along the class axis (class losses only);
    ``max_abs_logsumexp`` is how far log-sum-exp over the classes is from 0 (NLLLoss: log-probabilities
    give 0); ``log_probabilities`` is the recorded judgement where only that was measured.
    """

    loss: str  # CrossEntropyLoss / cross_entropy, BCEWithLogitsLoss, NLLLoss, BCELoss ... (module or function name)
    minimum: float | None
    maximum: float | None
    count: int
    classes: int | None = None
    row_sum_min: float | None = None
    row_sum_max: float | None = None
    nonfinite: int = 0
    nonfinite_inputs: int | None = None
    max_abs_logsumexp: float | None = None
    median_abs_logsumexp: float | None = None
    log_probabilities: bool | None = None
    final: str | None = None  # the final module / operation, for the message
    location: str | None = None
    where: str = "at init"
    final_op: str | None = None  # the last value-changing autograd op (e.g. "Sigmoid", "Addmm"), when known
    final_op_range: tuple[float, float] | None = None  # the range that op can produce, when bounded


LOGITS_OVER_CLASSES = ("CrossEntropyLoss", "TokenCrossEntropyLoss", "cross_entropy")
LOGITS_PER_ELEMENT = ("BCEWithLogitsLoss", "binary_cross_entropy_with_logits")
LOG_PROBABILITIES = ("NLLLoss", "nll_loss")
PROBABILITIES = ("BCELoss", "binary_cross_entropy")


def _probability_rows(m: OutputsAtLoss) -> bool:
    return (m.classes is not None and m.classes >= 2 and m.minimum is not None and m.row_sum_min is not None
            and m.minimum >= -PROBABILITY_TOLERANCE and abs(m.row_sum_min - 1) <= PROBABILITY_TOLERANCE
            and abs(m.row_sum_max - 1) <= PROBABILITY_TOLERANCE)


def _squashed(m: OutputsAtLoss) -> bool:
    """Varying outputs that all lie in [0, 1], as after a sigmoid (all-equal outputs say nothing).

    When the graph names the last operation, the wiring decides: a linear head whose small
    init outputs happen to land in [0, 1] has applied no squashing, and only an op bounded to
    [0, 1] (sigmoid, softmax, hardsigmoid, a clamp to it) has.
    """
    if m.final_op is not None:
        bounds = m.final_op_range
        if bounds is None or not (0.0 <= bounds[0] and bounds[1] <= 1.0):
            return False
    return (m.count > 1 and m.minimum is not None and m.maximum is not None
            and 0.0 <= m.minimum < m.maximum <= 1.0)


@verdict("L301")
def double_softmax(m: OutputsAtLoss) -> Iterator[Finding]:
    """CrossEntropyLoss applies log-softmax itself; feeding it probabilities squashes the logits into [0, 1]."""
    if m.loss not in LOGITS_OVER_CLASSES or m.nonfinite or not _probability_rows(m):
        return
    yield Finding(
        "L301", Severity.ERROR,
        f"The model's outputs {m.where} are already probabilities (all ≥ {m.minimum:.3g}, every row sums to "
        f"{m.row_sum_min:.4f}..{m.row_sum_max:.4f}) but {m.loss} applies softmax again: "
        "the logits it sees lie in [0, 1], so the loss can barely move and gradients are tiny.",
        evidence={"min_output": m.minimum, "row_sum_min": m.row_sum_min, "row_sum_max": m.row_sum_max,
                  "loss": m.loss, "final_module": m.final},
        location=m.location or "model output",
    )


@verdict("L302")
def sigmoid_before_logits_loss(m: OutputsAtLoss) -> Iterator[Finding]:
    """A logits loss fed values that all lie in [0, 1] (a sigmoid already applied)."""
    logits_loss = m.loss in LOGITS_PER_ELEMENT or (m.loss in LOGITS_OVER_CLASSES and not _probability_rows(m))
    if not logits_loss or m.nonfinite or not _squashed(m):
        return
    yield Finding(
        "L302", Severity.ERROR,
        f"All {m.count} model outputs {m.where} lie in [{m.minimum:.3g}, {m.maximum:.3g}], as after a sigmoid, "
        f"but {m.loss} expects raw logits and applies the squashing itself.",
        evidence={"min_output": m.minimum, "max_output": m.maximum, "loss": m.loss, "final_module": m.final},
        location=m.location or "model output",
    )


@verdict("L303")
def missing_output_normalization(m: OutputsAtLoss) -> Iterator[Finding]:
    """NLLLoss on non-log-probabilities, BCELoss outside [0, 1], or outputs that are not finite."""
    if m.nonfinite:
        yield Finding(
            "L303", Severity.ERROR,
            f"{m.nonfinite} of {m.count} model outputs {m.where} are NaN or infinite"
            + (f" (the inputs hold {m.nonfinite_inputs} non-finite values)" if m.nonfinite_inputs else
               " on finite inputs: a hand-written exp/softmax/log overflows; use log_softmax or a logits loss")
            + ".",
            evidence={"nonfinite_outputs": m.nonfinite, "outputs": m.count, "nonfinite_inputs": m.nonfinite_inputs},
            location=m.location,
        )
        return
    if m.loss in LOG_PROBABILITIES and m.classes is not None:
        offset = m.max_abs_logsumexp
        normalised = offset <= PROBABILITY_TOLERANCE if offset is not None else m.log_probabilities
        if normalised is False:
            what = "probabilities" if _probability_rows(m) else "raw scores"
            measured = (f"logsumexp over the classes is up to {offset:.3g} away from 0"
                        + (f" (median {m.median_abs_logsumexp:.3g})" if m.median_abs_logsumexp is not None else "")
                        if offset is not None else f"the outputs are {what} (max {m.maximum:.3g})")
            yield Finding(
                "L303", Severity.ERROR,
                f"{m.loss} expects log-probabilities, but the outputs {m.where} are not normalised: {measured}. Apply "
                "log_softmax, or return logits and use CrossEntropyLoss.",
                evidence={"max_abs_logsumexp": offset, "median_abs_logsumexp": m.median_abs_logsumexp,
                          "input_min": m.minimum, "input_max": m.maximum},
                location=m.location or "model output",
            )
    if m.loss in PROBABILITIES and m.minimum is not None and (m.minimum < 0 or m.maximum > 1):
        yield Finding(
            "L303", Severity.ERROR,
            f"{m.loss} expects probabilities, but the outputs {m.where} range over [{m.minimum:.3g}, {m.maximum:.3g}]. "
            "Return logits and use BCEWithLogitsLoss.",
            evidence={"min_output": m.minimum, "max_output": m.maximum, "input_min": m.minimum, "input_max": m.maximum},
            location=m.location or "model output",
        )


# -- L304: the last activation's range against the targets --------------------------------------------
@dataclass
class OutputBound:
    """The range the model's last operation can produce, and the targets measured against it.

    ``low``/``high`` come from the last module or autograd op (sigmoid, tanh, softplus, ReLU,
    clamp): a property of the wiring. Observed output values never set them: an unbounded
    linear head that happens to stay positive can still move anywhere.
    """

    low: float
    high: float
    what: str  # e.g. "module head.2 (Sigmoid)" or "sigmoid (the last operation before the output)"
    unreachable_share: float  # share of targets outside [low, high]
    target_min: float
    target_max: float
    stuck: bool = False  # every output exactly at a finite bound (no gradient passes)
    final_module: str | None = None
    final_op: str | None = None
    location: str | None = None


@verdict("L304")
def output_range_mismatch(m: OutputBound) -> Iterator[Finding]:
    """Targets that the final activation can never produce."""
    if m.unreachable_share <= UNREACHABLE_SHARE:
        return
    consequence = (" Every output already sits at the bound, where the activation passes no gradient: nothing upstream "
                   "can learn." if m.stuck else "")
    yield Finding(
        "L304", Severity.ERROR if m.stuck else Severity.WARNING,
        f"The output passes through {m.what}, which can only produce values in [{m.low:g}, {m.high:g}], "
        f"but {m.unreachable_share:.0%} of the targets lie outside it (targets range over [{m.target_min:.3g}, {m.target_max:.3g}])."
        + consequence,
        evidence={"activation_range": [m.low, m.high], "target_min": m.target_min, "target_max": m.target_max,
                  "share_unreachable": m.unreachable_share, "final_module": m.final_module, "final_op": m.final_op,
                  "stuck": m.stuck},
        location=m.location or "model output",
    )


# -- L307: the loss at init ----------------------------------------------------------------------
@dataclass
class InitialLoss:
    """The loss on the first batch(es) before any update, with where "knows nothing" sits.

    ``space``: "class_logits", "class_log_probs", "element_logits", "element_probs" or a
    regression space; ``chance`` is ln C (classes), ln 2 (elements) or the target variance;
    ``constant`` the best constant predictor's loss.
    """

    init: float
    chance: float
    constant: float
    space: str
    n_classes: int | None = None
    loss: str = ""
    explained_by: str | None = None
    where: str = "at init"
    standard_error: float = 0.0  # of ``init`` as an estimate of the expected loss (one small batch: spread / sqrt(n))
    # Regression: the loss with the last weight layer zeroed, what the architecture predicts before any learned weight
    # speaks (a constant for a plain network; an input-derived baseline through a skip or instance de-normalisation).
    architecture: float | None = None
    # Regression: the loss with the last weight layer's weights negated, an init as likely as the drawn one (its weights
    # come from a distribution symmetric about zero); a finding needs it past the same side of the range.
    mirrored: float | None = None
    # A class-weighted loss: the loss of the plain data prior, where an output bias started at the log of the class
    # shares (the playbook's "init well") puts it; the weights make another constant the best one.
    prior: float | None = None
    # The loss of the same wiring re-initialised by its layers' own ``reset_parameters``: a model handed over already
    # trained (fine-tuning) starts below the range and its fresh draw does not.
    reinitialised: float | None = None


CLASS_SPACES = ("class_logits", "class_log_probs")
ELEMENT_SPACES = ("element_logits", "element_probs")


@verdict("L307")
def unexpected_initial_loss(m: InitialLoss) -> Iterator[Finding]:
    """Loss at init outside [constant predictor, chance] (or the plain data prior under class weights): the output
    layer or loss wiring is off.

    Below the range is no verdict for a regression whose architecture alone (last weight layer
    zeroed) already scores there: its output starts from an input-derived baseline by design; nor
    for a model whose fresh draw (every layer's ``reset_parameters``) starts in range: the weights
    it was given were trained already (fine-tuning), which is not the wiring's fault.
    """
    if not math.isfinite(m.init) or m.chance <= 0 or m.constant <= 0:
        return
    regression = m.space not in CLASS_SPACES + ELEMENT_SPACES
    above = INIT_REGRESSION_LOSS_ABOVE if regression else INIT_LOSS_ABOVE
    noise = INIT_LOSS_STANDARD_ERRORS * m.standard_error
    knows_nothing = max(m.chance, m.constant, m.prior if m.prior is not None and math.isfinite(m.prior) else 0.0)
    high, low = above * knows_nothing + noise, INIT_LOSS_BELOW * min(m.chance, m.constant) - noise
    if low <= m.init <= high:
        return
    if m.init < low and regression and m.architecture is not None and m.architecture < low:
        return  # the untrained model beats the constant by its architecture (an input baseline reaches the output), not a bug
    if m.init < low and m.reinitialised is not None and m.reinitialised >= low:
        return  # the given weights know the task (a pre-trained model to fine-tune); the wiring freshly drawn does not
    if regression and m.mirrored is not None and not (m.mirrored < low if m.init < low else m.mirrored > high):
        # the mirrored head, as likely a draw, starts in range or past the other side: the sign a random head drew
        # lined its output up with (or against) a strong feature of the target, not the wiring
        return
    if m.space in CLASS_SPACES:
        expected = f"value ln(C) = ln({m.n_classes}) = {m.chance:.4g} for a network that knows nothing yet"
    elif m.space in ELEMENT_SPACES:
        expected = f"value ln 2 = {m.chance:.4g} per label for zero logits (the label prior alone gives {m.constant:.4g})"
    else:
        expected = f"value, the target variance {m.chance:.4g} (what predicting the mean scores)"
    direction = "far above" if m.init > high else "far below"
    yield Finding(
        "L307", Severity.WARNING,
        f"The loss {m.where} is {m.init:.4g}, {m.init / m.chance:.1f}x and {direction} the expected {expected}"
        + (": an untrained model should not beat a constant prediction" if m.init < low else ": the output layer starts "
           "confidently wrong") + ".",
        evidence={"init_loss": m.init, "initial_loss": m.init, "chance_loss": m.chance, "constant_predictor_loss": m.constant,
                  "ratio_to_chance": m.init / m.chance, "loss": m.loss, "expected_range": [low, high],
                  "standard_error": m.standard_error,
                  **({"architecture_loss": m.architecture} if m.architecture is not None else {}),
                  **({"mirrored_loss": m.mirrored} if m.mirrored is not None else {})},
        explained_by=m.explained_by,
    )


# -- L308: sign and reduction ------------------------------------------------------------------------
@dataclass
class LossDirection:
    """Whether minimising the loss moves the outputs toward the targets.

    Checkup: the cosine between the loss's gradient at the outputs and the task's standard
    loss's. Watch: on how many sampled steps the tensor passed to backward() was the negated
    loss function's output.
    """

    gradient_cosine: float | None = None
    sign_checks: int = 0
    sign_flipped: int = 0
    init_loss: float | None = None
    # Watch, hand-written losses: sampled steps whose backward() tensor was the targets' log_softmax
    # values selected and averaged, and how many of them were not negated (a log-likelihood minimised).
    loglik_checks: int = 0
    loglik_minimised: int = 0
    # Watch, hand-written updates: measured steps, and those that moved every probe parameter along +grad
    # (``p.data.add_(p.grad, alpha=lr)``): the update climbs whatever the loss is.
    update_checks: int = 0
    update_climbed: int = 0


@dataclass
class LossReduction:
    """How the trained loss is reduced over the batch.

    Checkup: ``whole_over_halves`` = loss(batch) / mean(loss(half), loss(other half)), inf
    when the loss is not a scalar. Watch: the ``reduction`` argument of the training calls.
    """

    whole_over_halves: float | None = None
    samples: int | None = None
    reduction: str | None = None
    batch: int | None = None
    # watch, hand-written losses: sampled steps that called no loss function, and those whose backpropagated
    # tensor was a .sum() over the batch's rows
    hand_checks: int = 0
    hand_summed: int = 0
    losses: Sequence[str] = ()
    optimizers: Sequence[str] = field(default_factory=tuple)


def _hand_summed(m: LossReduction) -> bool:
    return m.hand_checks >= MIN_HAND_CHECKS and m.hand_summed / m.hand_checks >= HAND_SUMMED_SHARE


def _summed(m: LossReduction) -> bool:
    if m.hand_checks:
        return _hand_summed(m)
    if m.whole_over_halves is not None:
        return m.whole_over_halves > SUM_REDUCTION_RATIO
    return m.reduction == "sum" and (m.batch or 1) > 1


def _climbing_steps(direction: LossDirection) -> Finding | None:
    """L308 from the watched steps: most of those checked backpropagated a negated loss, an un-negated
    log-likelihood, or took a hand-written update along the gradient."""
    readings = (
        (direction.sign_checks, direction.sign_flipped, "sampled steps the tensor passed to backward() was the negative of "
         "the loss function's output: the loss is being maximised.", ("sign_checks", "sign_flipped")),
        (direction.loglik_checks, direction.loglik_minimised, "sampled steps the tensor passed to backward() was the targets' "
         "log-probabilities (log_softmax values) averaged, not negated: minimising a log-likelihood drives the targets' "
         "probabilities to zero. The sign is flipped; minimise the negative log-likelihood.", ("loglik_checks", "loglik_minimised")),
        (direction.update_checks, direction.update_climbed, "measured steps the hand-written update moved the weights along "
         "their gradient, not against it: the loop adds the gradient (a lost minus sign in the update), so every step climbs "
         "the loss. Subtract it: p -= lr * p.grad.", ("update_checks", "update_climbed")),
    )
    for checks, hits, seen, keys in readings:
        if checks >= MIN_SIGN_CHECKS and hits / checks >= SIGN_FLIPPED_SHARE:
            return Finding("L308", Severity.ERROR, f"On {hits} of {checks} {seen}", evidence=dict(zip(keys, (checks, hits))))
    return None


@verdict("L308")
def loss_sign_or_reduction(direction: LossDirection | None = None, reduction: LossReduction | None = None) -> Iterator[Finding]:
    """A loss that is maximised (sign flipped), or summed over the batch so the step grows with the batch size."""
    if direction is not None:
        cosine = direction.gradient_cosine
        if cosine is not None and cosine < ANTI_ALIGNED:
            yield Finding(
                "L308", Severity.ERROR,
                f"Minimising this loss moves the outputs AWAY from the targets: its gradient w.r.t. the outputs points against "
                f"the standard loss's (cosine {cosine:.2f}). The sign is flipped, so training maximises the error.",
                evidence={"gradient_cosine": cosine, "init_loss": direction.init_loss},
            )
            return
        found = _climbing_steps(direction)
        if found is not None:
            yield found
            return
    if reduction is None or not _summed(reduction):
        return
    adaptive = bool(reduction.optimizers) and all(k in SCALE_FREE for k in reduction.optimizers)
    ratio = reduction.whole_over_halves
    if ratio is not None:
        half = (reduction.samples or 0) // 2
        described = ("returns one value per sample instead of a scalar" if math.isinf(ratio)
                     else f"on {2 * half} samples is {ratio:.2f}× its average on two halves of {half}")
        subject = f"The loss {described}: it is summed over the batch"
    elif reduction.hand_checks:
        subject = (f"The hand-written loss passed to backward() is a .sum() over all {reduction.batch} rows of the "
                   "batch, not their mean")
    else:
        subject = f"{', '.join(reduction.losses) or 'The loss'} uses reduction='sum' over batches of {reduction.batch}"
    # Under plain SGD the sum multiplies the step by the batch size: a fault when the steps it takes are too large
    # (the diagnosis links it to the run's step-size symptoms and raises it), a convention when the LR suits the sum.
    not_scalar = ratio is not None and math.isinf(ratio)  # a per-sample loss vector is a wiring slip, not a convention
    if adaptive:
        consequence = f" (adaptive {', '.join(reduction.optimizers)} largely cancels the scale)."
    else:
        scale = f"{reduction.batch}x" if reduction.batch else "batch-size times"
        consequence = (f": an LR tuned for a mean loss is {scale} too large here (no harm when the LR was chosen for "
                       "the sum; the run's step-size readings say which).")
    yield Finding(
        "L308", Severity.WARNING if not_scalar and not adaptive else Severity.INFO,
        f"{subject}, so the gradient and the effective step size grow with the batch size{consequence}",
        evidence={"whole_over_halves": ratio if ratio is None or math.isfinite(ratio) else "not scalar",
                  "samples": reduction.samples, "reduction": reduction.reduction, "batch": reduction.batch,
                  "losses": list(reduction.losses), "optimizers": list(reduction.optimizers),
                  "hand_checks": reduction.hand_checks, "hand_summed": reduction.hand_summed,
                  "scales_the_step": not adaptive and not not_scalar},
    )



# -- L305 / L306: the loss against the task and the label structure ----------------------------------
@dataclass(frozen=True)
class LossForTargets:
    """The loss function, the task, and the structure of the targets it is given.

    ``targets``: ``"one-hot"`` / ``"multi-hot"`` for 0/1 matrices, ``"indices"`` for integer
    labels, None otherwise; ``width``: the columns of a one-hot or multi-hot target;
    ``multi_label_share``: the share of multi-hot rows that mark more than one label.
    ``regression_loss`` (a distance loss: MSE, L1, Huber, smooth L1) and ``classification``
    (binary, multiclass or multilabel task) are the adapter's reading of the loss and task names.
    """

    loss: str
    task: str
    targets: str | None = None
    task_reason: str | None = None
    regression_loss: bool = False
    classification: bool = False
    width: int | None = None
    multi_label_share: float | None = None


@verdict("L305")
def regression_loss_for_classification(m: LossForTargets) -> Iterator[Finding]:
    """A distance loss on class labels treats classes as numbers on a line (or one-hot rows as points)."""
    if not (m.regression_loss and m.classification):
        return
    structure = m.targets or "class labels"
    yield Finding(
        "L305", Severity.ERROR,
        f"{m.loss} is a regression loss, but the task is {m.task} ({m.task_reason or 'given'}; targets are {structure}). "
        "It treats class codes as distances and gives weak, badly scaled gradients for classification. If the targets are "
        "real quantities, pass task='regression'.",
        evidence={"loss": m.loss, "task": m.task, "targets": structure},
    )


@verdict("L306")
def wrong_classification_loss(m: LossForTargets) -> Iterator[Finding]:
    """Binary cross-entropy on one-hot single-label targets, or softmax cross-entropy on multi-hot ones."""
    if m.loss in PER_CLASS_LOSSES and m.targets == "one-hot" and m.width >= MIN_ONE_HOT_CLASSES:
        yield Finding(
            "L306", Severity.ERROR,
            f"Every target row is one-hot over {m.width} classes (exactly one class per sample), but {m.loss} scores each "
            "class independently, so the outputs are not a distribution over classes. Use CrossEntropyLoss on logits with "
            "class indices.",
            evidence={"loss": m.loss, "targets": m.targets, "classes": m.width},
        )
    if m.loss in SOFTMAX_LOSSES and m.targets == "multi-hot":
        multi = m.multi_label_share
        yield Finding(
            "L306", Severity.ERROR,
            f"{multi:.0%} of the target rows mark several of the {m.width} labels at once (multi-label), but {m.loss} "
            "makes the classes compete in one softmax. Use BCEWithLogitsLoss for multi-label targets.",
            evidence={"loss": m.loss, "targets": m.targets, "multi_label_share": multi, "labels": m.width},
        )
