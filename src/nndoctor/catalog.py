"""The rule catalog: every problem nndoctor can name, as data.

Codes are stable and never reused. Each rule carries its own words for what it
means, how it is measured, why it matters and how to fix it; ``nndoctor rules`` and
``nndoctor explain`` render straight from this table.
"""
from __future__ import annotations

from dataclasses import dataclass

FAMILIES = {
    "D": "data",
    "M": "model and initialisation",
    "L": "output layer and loss",
    "O": "optimisation and hyperparameters",
    "T": "training-loop code",
    "G": "generalisation and evaluation",
}

CHECKUP = "checkup"
WATCH = "watch"


@dataclass(frozen=True)
class Rule:
    """One catalog entry. ``where`` holds ``"checkup"`` and/or ``"watch"``."""

    code: str
    name: str
    where: frozenset[str]
    summary: str
    measured: str
    why: str
    fix: str

    @property
    def family(self) -> str:
        return self.code[0]

    @property
    def family_name(self) -> str:
        return FAMILIES[self.family]


def _rule(code: str, name: str, where: str, summary: str, measured: str, why: str, fix: str) -> Rule:
    places = {"C": CHECKUP, "W": WATCH}
    return Rule(code, name, frozenset(places[p] for p in where.split()), summary, measured, why, fix)


RULES: tuple[Rule, ...] = (
    # D: data
    _rule(
        "D101", "unnormalized-inputs", "C W",
        "Inputs are far from zero mean and unit scale (raw 0-255 pixels, |mean| much larger than std, values well beyond ±10).",
        "Per-feature mean, std and min/max over a sample of training batches; flags large offsets and large magnitudes. "
        "Silent when the model's first layer is a BatchNorm, which standardises each raw feature itself (in train mode). "
        "When the model transforms its input inside forward (standardises with stored statistics, divides by 255), "
        "the statistics are those of what its first weight layer receives.",
        "Large or offset inputs make the first layer's pre-activations huge, which saturates tanh/sigmoid units, "
        "distorts the loss surface and forces a tiny learning rate. Default initialisations assume roughly unit-scale inputs.",
        "Standardise with training-set statistics, `x = (x - mean) / std`, or scale to a fixed range, e.g. `x = x / 127.5 - 1` "
        "for images; reuse the same statistics for validation and test.",
    ),
    _rule(
        "D102", "mixed-feature-scales", "C W",
        "Feature scales differ by orders of magnitude (e.g. age in years next to income in dollars).",
        "Ratio of the largest to the smallest per-feature standard deviation over a sample of batches, confirmed by "
        "the ratio of their ranges (a rarely non-zero feature has a small std on a shared scale); silent behind a BatchNorm "
        "input layer; judged on what the first weight layer receives when forward transforms the input first.",
        "Large-scale features dominate the first layer's output and its gradients, so small-scale features are learned "
        "slowly or not at all, and no single learning rate suits every weight.",
        "Standardise each feature separately with training-set statistics: `x = (x - x_train.mean(0)) / x_train.std(0)`.",
    ),
    _rule(
        "D103", "constant-feature", "C",
        "A feature has zero or near-zero variance, so standardising it divides by ~0 and yields NaN/Inf.",
        "Per-feature standard deviation ≈ 0 across the training sample (info: the column is only wasted); a column "
        "with no finite value at all, in the data or as the first weight layer receives it (a model that standardises "
        "inside forward), is what standardising a constant gives (error, the root of its NaNs).",
        "A constant column carries no information, and the usual `(x - mean) / std` turns it into NaN or huge values "
        "that poison every gradient from the first step.",
        "Drop the column, or guard the divisor: `x = (x - mean) / (std + 1e-8)` (or set std to 1 where it is 0).",
    ),
    _rule(
        "D104", "non-finite-values", "C W",
        "NaN or Inf values in the inputs or the targets.",
        "Counts of NaN/Inf per tensor and the index of the first batch that contains one.",
        "A single NaN propagates through the forward and backward pass and turns the loss and all weights into NaN; "
        "the run is then silently wasted.",
        "Clean or impute before training (drop rows, fill with the training mean/median, or `torch.nan_to_num`), "
        "and check the preprocessing that produced them (log of 0, division by 0).",
    ),
    _rule(
        "D105", "unscaled-regression-targets", "C W",
        "Regression targets have a large scale or a large offset from zero.",
        "Mean and standard deviation of the targets over a sample of batches (in watch, at the training loss; an "
        "autoencoder's targets, its inputs, as one quantity). Info only "
        "under L1, smooth L1 or Huber losses: their gradient per element is bounded whatever the residual.",
        "With large targets the initial loss and gradients are enormous, so training either diverges or spends most "
        "of its budget just shifting the output bias toward the target mean. A bounded-gradient loss cannot blow up, "
        "the outputs only have farther to travel.",
        "Standardise targets, `y = (y - y_mean) / y_std`, and invert at prediction time; or initialise the output bias "
        "to the target mean.",
    ),
    _rule(
        "D106", "class-imbalance", "C",
        "One class dominates the training labels, so accuracy can look good while minority classes are ignored.",
        "Share of each class in the training labels (a fraction trained under a binary loss has none): a warning when "
        "the majority holds 80% or five times the others' average share; "
        "information when the setup compensates, or when checkup's trained trial scores an accuracy within 5 points of its "
        "balanced accuracy (the rare classes are recognised).",
        "The model can reach high accuracy by always predicting the majority class (the accuracy paradox), and the "
        "gradient signal from rare classes is swamped.",
        "Report balanced metrics (per-class recall, F1, balanced accuracy); use class weights, e.g. "
        "`nn.CrossEntropyLoss(weight=w)`, or resampling; set the output bias to the log class prior.",
    ),
    _rule(
        "D107", "duplicate-samples", "C",
        "Many training samples are exact or near duplicates of each other.",
        "Share of training samples whose content hash (or near-duplicate fingerprint) matches another sample.",
        "Duplicates over-weight some examples, encourage memorisation and make training metrics look better than the "
        "data really supports.",
        "Deduplicate the training set (hash the samples and keep one copy) before splitting and training.",
    ),
    _rule(
        "D108", "train-val-leakage", "C",
        "Validation samples also appear, exactly or nearly, in the training set.",
        "Share of validation samples that match a training sample by hash or near-duplicate fingerprint, beyond the "
        "share that rows match without copying (counts, flags and short codes repeat; training rows repeating one "
        "another measure it) by more than that share's binomial variation. Under `run`, validation evaluated as one "
        "tensor is the one the loop scores again and again while it trains, not a test set scored once after it.",
        "The validation score then measures memorisation rather than generalisation, so it overstates real performance "
        "and misleads model selection and early stopping.",
        "Split by source, group (patient, user, session) or time instead of randomly by row, and deduplicate across splits.",
    ),
    _rule(
        "D109", "train-val-shift", "C",
        "The label or feature distribution differs noticeably between training and validation.",
        "Class shares per split, and a per-feature shift statistic (difference of means in units of std, or a two-sample test). "
        "Information when the training rows are windows cut in order from a series (a split in time: drift, not a "
        "split mistake), and when validation's regression targets are in other units than training's (standardised for "
        "training, raw for scoring de-standardised predictions; the rule the watch's validation loss follows): units, "
        "not a shift.",
        "A shifted validation set makes the train/val gap hard to interpret: you cannot tell overfitting from a "
        "distribution change, and tuning chases the wrong target.",
        "Re-split with stratification (e.g. `train_test_split(..., stratify=y)`), or, if the shift is real and intended, "
        "accept it and measure it explicitly.",
    ),
    _rule(
        "D110", "label-noise", "C",
        "A noticeable share of the labels look wrong.",
        "Out-of-sample confidence that a quick probe model (cross-validated) gives to each sample's given label; low-confidence "
        "samples are flagged. With a validation split, the same probes' accuracy on validation labels vs on held-out "
        "training labels (not when the training inputs are augmented at random on every read), and the other way "
        "round: probes fitted on the validation labels, on held-out validation labels vs on the training labels, "
        "beyond the drop the first probes show on validation (a split by group). For three or more classes, a floor "
        "of labels drawn regardless of the inputs, read from the linear probe and confirmed by a random forest's "
        "probabilities (a linear misfit of classes made of several clusters looks like a floor; with two classes, a "
        "floor is also what outcomes never certain given the inputs leave).",
        "Wrong labels cap the achievable accuracy, push the model to memorise noise and make the loss curve look worse "
        "than the model really is.",
        "Review the flagged samples; relabel or drop the ones that are wrong, and fix the labelling process if errors are systematic.",
    ),
    _rule(
        "D111", "labels-misaligned", "C W",
        "Labels cannot be predicted from the inputs at all: inputs and labels were shuffled separately or the wrong files were paired.",
        "A probe model scores at chance on held-out data even though it can fit (memorise) the training split; "
        "held-out rows the model itself predicts better than the best constant (the run's last evaluation, or the "
        "checkup trial's copy) show the labels paired.",
        "Training loss can still fall through memorisation, so the bug hides until validation stays at chance no matter "
        "what you change in the model.",
        "Shuffle inputs and labels together (one permutation index, or a `Dataset` that returns `(x, y)` pairs) and "
        "spot-check a few pairs by eye.",
    ),
    _rule(
        "D112", "categorical-as-numeric", "C",
        "Categorical, one-hot or binary columns are standardised, or integer category codes are fed in as magnitudes.",
        "Columns with 3 or more evenly spaced levels (consecutive integers, after any scaling), or up to 64 levels "
        "on the integers with gaps (codes of up to five digits), among continuous columns, whose target does not "
        "follow their order; "
        "standardised one-hot blocks; centred binary columns.",
        "Treating category ids as numbers imposes a fake order and distance (category 7 is not 'more' than 3), and "
        "standardising one-hot columns destroys their meaning.",
        "Use one-hot encoding or an `nn.Embedding` for categorical columns, and scale only the continuous ones.",
    ),
    _rule(
        "D113", "bad-label-encoding", "C W",
        "Labels do not match what the loss expects: values outside 0..C-1, float class labels, one-hot where indices are expected (or the reverse), or more classes than outputs.",
        "Label dtype, shape and value range compared with the model's output width and the loss type (per-sample "
        "labels 1..C-1 on C outputs read 1-based; a label per position may leave a vocabulary's reserved id unused); "
        "for an "
        "element-wise regression loss, whether the targets' shape differs from the output's so that the loss "
        "broadcasts them (targets (N,) against outputs (N, 1) become an N x N comparison).",
        "Out-of-range labels crash (often as an opaque CUDA assert) or, worse, are silently misread as probabilities "
        "or wrong classes, so the model learns the wrong task; broadcast targets score every prediction against every "
        "target, so the best the model can do is predict their mean.",
        "Encode labels to match the loss: `nn.CrossEntropyLoss` wants `long` indices in 0..C-1 of shape (N,) "
        "(or float probabilities of shape (N, C)); make the output layer as wide as the number of classes; give "
        "regression targets the output's shape (`y.view(-1, 1)` or `output.squeeze(-1)`).",
    ),
    _rule(
        "D114", "batch-too-large-for-dataset", "C",
        "The batch size is large relative to the dataset, so each epoch is only a few optimizer steps.",
        "Steps per epoch = ceil(dataset size / batch size).",
        "With few updates per epoch, training needs many epochs to make progress, and very large batches give less "
        "gradient noise, which often generalises worse on small data.",
        "Use smaller batches (16-64 is a good start for small datasets) and train for more epochs.",
    ),
    _rule(
        "D115", "unshuffled-training-data", "C W",
        "Training batches arrive ordered by class or by target value.",
        "Length of runs of identical labels across consecutive batches and the label entropy within each batch.",
        "Ordered batches make each step pull the model toward one class, so the loss oscillates and the model mostly "
        "remembers whatever came last in the epoch.",
        "Shuffle the training loader: `DataLoader(train_ds, batch_size=..., shuffle=True)` (keep validation unshuffled).",
    ),
    # M: model and initialisation
    _rule(
        "M201", "constant-init", "C W",
        "Weights are initialised to zero or to one constant, so all units in a layer stay identical.",
        "Per-layer weight std ≈ 0, or identical rows in a weight matrix (Linear, convolution and recurrent weights; a "
        "free parameter such as a positional table is added, not multiplied, and is not read).",
        "Identical units receive identical gradients and never differentiate (no symmetry breaking), so a wide layer "
        "behaves like a single unit.",
        "Use random init matched to the activation: He (`nn.init.kaiming_normal_`) for ReLU, Xavier/Glorot "
        "(`nn.init.xavier_uniform_`) for tanh/sigmoid; set biases to 0.",
    ),
    _rule(
        "M202", "bad-init-scale", "C",
        "At initialisation the activation or gradient scale shrinks or grows layer by layer.",
        "Activation std and gradient size per weight layer on real batches at init (the gradient at a layer's output "
        "summed over its positions per channel, so pooling is no drift); fires when they change by more than 100x "
        "from the first layer to the last. A stack of sigmoids shrinks by their slope (at most 1/4) whatever the init; "
        "then the vanishing gradient (O404) is reported as the root.",
        "If the scale drifts by a constant factor per layer, deep layers see vanishing or exploding signals and "
        "training stalls or diverges from the first step.",
        "Use the init that matches the activation: He/Kaiming for ReLU, LeCun for SELU, Xavier/Glorot for tanh/sigmoid.",
    ),
    _rule(
        "M203", "dead-relu-at-init", "C W",
        "Many ReLU units never activate at initialisation (for example because of a large negative bias).",
        "Share of ReLU units whose output is zero for every sample in a batch.",
        "A dead ReLU has zero gradient, so it never recovers; the network loses capacity before training even starts.",
        "Fix the init and biases (biases 0 or slightly positive, He init), or use `nn.LeakyReLU` / `nn.ELU`.",
    ),
    _rule(
        "M204", "saturated-activations", "C W",
        "Sigmoid or tanh units are saturated: their pre-activations are large in magnitude.",
        "Share of pre-activations with |z| above roughly 3-5 for sigmoid/tanh layers.",
        "In saturation the derivative is almost zero, so gradients vanish through those layers and learning slows to a crawl.",
        "Normalise the inputs, use a smaller (Xavier) init, add BatchNorm/LayerNorm, or switch to a ReLU-family activation.",
    ),
    _rule(
        "M205", "too-deep-plain-network", "C",
        "A deep stack without residual connections or normalisation; early layers get vanishing gradients.",
        "Network depth and the ratio of the first layer's gradient norm to the last layer's at init; for a stack that "
        "starts balanced, the same ratio per element during training (the run's, else the checkup trial's: over the "
        "whole trial, its opening or its closing quarter).",
        "Plain deep stacks are hard to optimise: the early layers barely learn and the network often does worse than "
        "a shallower one.",
        "Start with 3-8 layers and deepen only when needed; add residual connections (`x = x + block(x)`) and "
        "normalisation layers.",
    ),
    _rule(
        "M206", "narrow-bottleneck", "C",
        "A hidden layer is narrower than the information it must carry, e.g. fewer units than output classes.",
        "Minimum hidden width compared with the number of outputs.",
        "A too-narrow layer caps the model's capacity: it cannot separate all classes however long it trains, which "
        "looks like underfitting.",
        "Widen the layer; for classification start with hidden widths of about 5-10x the number of classes.",
    ),
    _rule(
        "M207", "batch-mixing", "C",
        "A sample's output depends on other samples in the batch because of a wrong view, transpose or reduction over the batch axis.",
        "Gradient of one sample's output with respect to other samples' inputs is nonzero, with BatchNorm put in eval mode, "
        "and moving the other samples' inputs changes the sample's output (so a wrong custom backward is not mistaken for it).",
        "Samples leak information into each other, so the model trains on a scrambled problem and its predictions "
        "change with batch composition and batch size.",
        "Fix the reshape or reduction: use `x.flatten(1)` / `x.view(x.size(0), -1)` rather than `x.view(-1, n)`, "
        "`permute` instead of `view` to swap axes, and reduce over `dim=1`, not `dim=0`.",
    ),
    _rule(
        "M208", "gradient-mismatch", "C",
        "Autograd gradients disagree with finite differences, pointing to a bug in a custom autograd function or op.",
        "Relative error between analytic and numerical gradients in float64 (as `torch.autograd.gradcheck` does). "
        "Not judged where no derivative exists: at a kink, or where the forward is locally constant (rounding, sign) "
        "and autograd supplies a surrogate by design (a straight-through estimator, as a custom Function or the detach "
        "trick); an embedding's padding row, whose gradient is zero by design, is left out.",
        "A wrong backward sends the optimiser in the wrong direction; the loss may still move a little, so the bug "
        "can go unnoticed for a long time.",
        "Fix the custom `backward`; verify it with `torch.autograd.gradcheck(fn, inputs_double)`.",
    ),
    _rule(
        "M209", "no-gradient-path", "C W",
        "Trainable parameters receive no gradient: something is detached, a module is unused, or a non-differentiable op (argmax, round) is in the path.",
        "Parameters with requires_grad=True whose `.grad` is None or exactly zero after backward.",
        "Those parameters never learn, so part of the model is dead weight and the rest compensates, often without "
        "any error message.",
        "Remove the `.detach()`, `.item()`, `.numpy()` or `argmax`/`round` from the training path (use a "
        "differentiable surrogate such as softmax), and drop modules that are never used.",
    ),
    _rule(
        "M210", "output-bias-not-prior", "C",
        "The output bias ignores the target prior, so the loss at init is far above that of the best constant predictor.",
        "Loss at initialisation compared with the loss of the best constant prediction (class prior or target mean).",
        "The first phase of training is then spent just learning the bias (a 'hockey stick' loss curve), which wastes "
        "steps and can destabilise early training.",
        "Initialise the output bias to the log class prior for classification, `bias = log(p_c)`, or to the target "
        "mean for regression.",
    ),
    # L: output layer and loss
    _rule(
        "L301", "double-softmax", "C W",
        "Softmax or log-softmax is applied before a loss that expects raw logits, such as CrossEntropyLoss.",
        "Model outputs look like probabilities: non-negative rows that sum to 1.",
        "CrossEntropyLoss already applies log-softmax; a second softmax squashes the outputs, flattens the gradients "
        "and makes the model learn very slowly and plateau early.",
        "Return logits from the model and use `nn.CrossEntropyLoss()` on them; apply softmax only for reporting probabilities.",
    ),
    _rule(
        "L302", "sigmoid-before-logits-loss", "C W",
        "Sigmoid is applied to the outputs before BCEWithLogitsLoss, which applies its own sigmoid.",
        "Outputs fed to a logits loss all lie in (0, 1).",
        "The loss then sees values squeezed into (0, 1), so predictions can never become confident and gradients are "
        "small; the model underfits.",
        "Return logits and keep `nn.BCEWithLogitsLoss()`; call `torch.sigmoid` only when you need probabilities.",
    ),
    _rule(
        "L303", "missing-output-normalization", "C W",
        "NLLLoss without log_softmax, BCELoss without sigmoid, or a hand-written softmax that overflows.",
        "Outputs given to NLLLoss are not log-probabilities, outputs given to BCELoss fall outside [0, 1], or the outputs contain NaN.",
        "The loss is then meaningless (NLLLoss on raw logits can go to minus infinity) or numerically unstable, and "
        "training diverges or learns the wrong thing.",
        "Use `nn.CrossEntropyLoss()` or `nn.BCEWithLogitsLoss()` on logits; if you need log-probabilities use "
        "`F.log_softmax(logits, dim=1)`, never `torch.log(torch.softmax(...))` or a hand-written `exp`.",
    ),
    _rule(
        "L304", "output-range-mismatch", "C W",
        "The final activation cannot reach the targets: ReLU with negative targets, sigmoid/tanh with targets outside their range, or clipping that kills the gradient.",
        "Range of the targets compared with the range of the final activation (its module, or the last operation in the "
        "autograd graph); an error when every output already sits at the activation's bound.",
        "Targets outside the reachable range leave a permanent error, and at the edges the gradient is zero, so the "
        "model stops learning those samples.",
        "Use no activation on a regression output (a plain `nn.Linear`), or rescale the targets into the activation's range.",
    ),
    _rule(
        "L305", "regression-loss-for-classification", "C W",
        "MSE or L1 loss is used on class labels or one-hot targets.",
        "Loss type compared with the targets: integer class ids or one-hot rows fed to a regression loss (in a "
        "watched loop: every target row the loss call saw is one-hot).",
        "MSE on class ids treats classes as ordered numbers, and MSE on probabilities gives weak gradients when the "
        "model is confidently wrong, so classification trains slowly and poorly.",
        "Use `nn.CrossEntropyLoss()` on logits for multi-class, or `nn.BCEWithLogitsLoss()` for binary and multi-label targets.",
    ),
    _rule(
        "L306", "wrong-classification-loss", "C",
        "A binary loss is used for single-label multi-class targets, or softmax cross-entropy for multi-label targets.",
        "Target structure (exactly one positive per row vs several) compared with the loss type.",
        "Softmax forces classes to compete, which is wrong when several labels can be true; independent sigmoids "
        "ignore that exactly one class is true. Either way the model optimises the wrong objective.",
        "Single-label multi-class: `nn.CrossEntropyLoss()` with class indices; multi-label: `nn.BCEWithLogitsLoss()` "
        "with 0/1 float targets.",
    ),
    _rule(
        "L307", "unexpected-initial-loss", "C W",
        "The loss at initialisation is far from what chance predicts (−ln(1/C) for C classes, the target variance for MSE).",
        "Measured loss on the first batches compared with the expected chance-level value. A regression loss below it "
        "is no finding when the architecture alone (last weight layer zeroed) scores as low: an input baseline reaches "
        "the output by design (a skip from the input, reversible instance normalisation). A regression loss past "
        "either side counts only when the mirrored head (the last weight layer's weights negated, as likely a draw) "
        "starts past the same side: a random head lined up with (or against) a strong feature by its sign is no wiring "
        "fault. A loss below it is no finding when the same model re-initialised by its layers' own reset_parameters "
        "starts in range: the weights it was given were trained already (a model handed over to fine-tune).",
        "A wrong starting loss is an early, cheap sign of a bug in the output layer, its bias or the loss wiring, "
        "long before the curve looks odd.",
        "Inspect the output layer, its bias and init scale, and how outputs and targets reach the loss "
        "(shapes, activations, reduction).",
    ),
    _rule(
        "L308", "loss-sign-or-reduction", "C W",
        "The loss is being maximised (sign flipped), or reduced with a sum so the step size scales with the batch size.",
        "Loss rises steadily while gradients look healthy; or the loss value is proportional to the batch size. Only "
        "losses that train count (gradients on, output in the graph): an evaluation loss summed under no_grad steps nothing. "
        "A sum under an adaptive optimizer (Adam and kin) is info, the optimizer cancels the scale; under plain SGD (a loss "
        "function's reduction='sum' or a hand-written .sum() over the batch's rows) it is info too unless the run's steps "
        "prove too large (O401, O403, O407, O412), which it then explains at their severity.",
        "A flipped sign makes the optimiser push the model away from the targets; a sum reduction ties the effective "
        "learning rate to the batch size, so changing the batch size silently breaks a tuned LR.",
        "Minimise the loss (`loss.backward()`, not `(-loss).backward()`), and use `reduction='mean'` (the default).",
    ),
    # O: optimisation and hyperparameters
    _rule(
        "O401", "learning-rate-too-high", "C W",
        "The loss diverges, turns NaN or bounces: the learning rate is above the largest stable value.",
        "An LR range test (loss versus exponentially increasing LR) and the trend of the loss during training (it "
        "ends above its start, or exploded a hundredfold and settled back no better than it began).",
        "Too large a step overshoots the minimum every time, so the loss grows or jumps around and weights can "
        "blow up to NaN.",
        "Lower the learning rate to roughly 10x below the LR at which the range test's loss starts to explode.",
    ),
    _rule(
        "O402", "learning-rate-too-low", "C W",
        "The loss falls far too slowly for the training budget.",
        "An LR range test and the slope of the loss curve compared with the remaining steps; in `run`, the range test "
        "on a copy when the loss stayed flat, or was still falling at the end, under steps a tenth of the ~1e-3 rule "
        "of thumb.",
        "With a tiny LR the model barely moves; it looks like underfitting and wastes the whole budget.",
        "Raise the learning rate toward the range test's suggestion (the steepest-descent region, below the explosion point).",
    ),
    _rule(
        "O403", "exploding-gradients", "C W",
        "Gradient norms grow by orders of magnitude, often in RNNs or very deep networks.",
        "History of the global and per-layer gradient norms: growth of their running median over the first steps', "
        "and, under unclipped plain steps, a single spike a hundred times the steps before it after which the loss "
        "gives back a tenth of what it had gained (a cliff), or a hundred times the first steps' after which the loss "
        "ends back above its start (an explosion that built up).",
        "Huge gradients produce huge updates that wreck the weights in one step, causing loss spikes or NaN.",
        "Clip the gradient norm, `torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)` before `optimizer.step()`; "
        "lower the LR; check the data for outliers.",
    ),
    _rule(
        "O404", "vanishing-gradients", "C W",
        "Gradients in early layers are orders of magnitude smaller than in later layers.",
        "Per-layer gradient norms, comparing the first layers with the last; for a plain (ungated) recurrent layer "
        "in a run that did not fit its training data (the loss stayed flat, or ended not even halfway below the "
        "constant predictor's), the gradient reaching its first time step against its last (at init, on a copy).",
        "Early layers then barely learn, so the network behaves like a shallow model stacked on random features.",
        "Use He init with ReLU-family activations, add normalisation and residual connections; for recurrent models "
        "use LSTM/GRU instead of a plain RNN.",
    ),
    _rule(
        "O405", "dying-relu", "W",
        "The share of dead ReLU units grows during training until learning stops.",
        "Share of ReLU units that output zero for every sample in a batch, tracked over time. A death after which the "
        "train loss still halved did not stop learning: it is noted (info), the units left carried the learning. A "
        "layer that died whole leaves a constant model: a loss that rose only to what a constant scores is that "
        "collapse, not an LR's divergence (O401 then reads as its symptom). In `run`, a death that stopped learning "
        "asks the exam's range test on a copy whether the LR killed the units; the run's own curve (the highest of its "
        "ten window means against twice the constant's loss) still says whether it collapsed or overshot.",
        "A large update can push a unit's bias so negative that it never fires again; with zero gradient it never "
        "recovers, and capacity drains away as training goes on.",
        "Lower the learning rate, use `nn.LeakyReLU` or `nn.ELU`, and use He init.",
    ),
    _rule(
        "O406", "loss-plateau", "C W",
        "The loss does not move from its starting value: no learning at all.",
        "Relative change of the loss between the first and recent steps.",
        "A flat loss from the start usually means a bug rather than a hard problem: gradients do not reach the "
        "weights, the LR is effectively zero, or the labels do not match the inputs.",
        "Check that gradients reach the weights and the optimizer holds them, that the LR is sensible, and that inputs "
        "and labels are paired correctly.",
    ),
    _rule(
        "O407", "oscillating-loss", "C W",
        "The loss oscillates without a downward trend.",
        "Window means that wander far beyond their within-window noise; or a second half whose median made no "
        "progress on the first steps' median while consecutive steps jump by half the level; or repeated spikes to "
        "multiples of the starting loss, ending no lower than it began.",
        "Oscillation means the steps are too large or too noisy for the curvature, so the model bounces around instead "
        "of descending.",
        "Lower the learning rate, use a larger batch, or add momentum (e.g. `SGD(..., momentum=0.9)`).",
    ),
    _rule(
        "O408", "aggressive-gradient-clipping", "W",
        "Gradient clipping bites on nearly every step, hiding a too-high LR or bad data.",
        "Share of steps where the pre-clip gradient norm exceeds the clip threshold, and the size of that pre-clip norm. "
        "Silent for norm clipping under Adam, AdamW, Adamax, NAdam, RAdam, Adagrad, RMSprop and Adadelta: they divide by "
        "the gradient's own running scale, so scaling every gradient by one factor leaves the step (nearly) unchanged.",
        "Clipping every step turns the optimiser into fixed-length steps, masking the real cause and distorting the "
        "effective learning rate.",
        "Fix the learning rate or the data first; set the clip threshold so it catches only rare outliers.",
    ),
    _rule(
        "O409", "excessive-regularization", "C W",
        "Weight decay, dropout or other regularisation is so strong that the model cannot fit the training data.",
        "Training loss stays high, but the same setup fits well when regularisation is turned off.",
        "Regularisation should trade a little training fit for better generalisation; too much of it prevents learning "
        "entirely and looks like a model that is too small.",
        "Reduce regularisation until the model can overfit a small subset, then add it back gradually.",
    ),
    _rule(
        "O410", "optimizer-misconfigured", "C W",
        "Optimizer settings are invalid or pathological: momentum ≥ 1, Adam eps far too small or large, betas out of range, weight decay on the scale of the LR.",
        "The optimizer's hyperparameters compared with valid and sane ranges. Adam's betas must also keep beta1² "
        "below beta2 (Adamax: beta1 below beta2): only then is the step m/√v bounded, by "
        "(1 - beta1) / √((1 - beta2)(1 - beta1²/beta2)) LRs; swapped betas (0.999, 0.9) let one gradient's momentum "
        "outlast its scale.",
        "Such settings make updates unstable (momentum ≥ 1 diverges, tiny eps amplifies noise) or useless (huge eps "
        "turns Adam into slow SGD), often without any error.",
        "Use sane defaults: SGD momentum 0.9, Adam `betas=(0.9, 0.999)`, `eps=1e-8`, and a small weight decay "
        "(e.g. 1e-4 to 1e-2 with AdamW).",
    ),
    _rule(
        "O411", "bad-lr-schedule", "W",
        "The schedule drives the LR to about zero long before the end, or raises it mid-run by mistake (e.g. a per-epoch scheduler stepped per batch).",
        "History of the learning rate over the run.",
        "An LR that collapses early freezes training for the rest of the budget; an unintended jump can undo progress.",
        "Call `scheduler.step()` where the schedule expects it (per epoch or per batch), and use step or cosine decay "
        "sized to the real number of steps.",
    ),
    _rule(
        "O412", "update-ratio-off", "W",
        "The update-to-weight ratio is far from about 1e-3: too small means no learning, too large means chaos.",
        "Per-layer ratio |Δw| / |w| of each optimizer step; an embedding table's over the rows the step's gradient "
        "touched (a batch looks up a few rows, and over the whole table a healthy step reads as a tiny one). A layer's "
        "ratio is its median over the run's steps: updates are sampled densely at first, so each sample stands for the "
        "steps up to the next.",
        "The ratio shows how fast each layer actually changes; far below 1e-3 the layer is frozen, far above it the "
        "weights are being rewritten every step.",
        "Adjust the learning rate for those layers (globally or via parameter groups) until the ratio is near 1e-3.",
    ),
    # T: training-loop code
    _rule(
        "T501", "missing-zero-grad", "W",
        "Gradients accumulate across optimizer steps because zero_grad is never called.",
        "The gradients at step t still contain step t−1's contribution.",
        "Accumulated gradients grow each step, so updates become ever larger and point in stale directions; training "
        "becomes unstable or diverges.",
        "Call `optimizer.zero_grad()` every step (or every k steps when accumulating gradients on purpose).",
    ),
    _rule(
        "T502", "eval-mode-training", "W",
        "Training runs with the model in eval mode: dropout is off and BatchNorm statistics are frozen.",
        "`module.training` is False during backward passes.",
        "Without dropout the model loses its regularisation, and frozen BatchNorm keeps stale running statistics, so "
        "the trained model differs from what you intended.",
        "Call `model.train()` at the start of each training epoch (especially after an evaluation pass).",
    ),
    _rule(
        "T503", "train-mode-evaluation", "W",
        "Evaluation runs in train mode: dropout is active and BatchNorm statistics are updated with validation data.",
        "Forward passes without gradients while the model's dropout or batch-norm layers are in training mode (a loop "
        "that puts only the submodule holding them in eval mode evaluates correctly); a copy of the model (a deepcopy "
        "EMA, the model saved whole and loaded) evaluated without gradients counts as the model.",
        "Validation metrics become noisy and pessimistic, and BatchNorm running statistics get polluted by validation "
        "batches, changing the model itself.",
        "Wrap evaluation in `model.eval()` and `with torch.no_grad():`, then switch back with `model.train()`.",
    ),
    _rule(
        "T504", "parameters-not-updated", "W",
        "Parameters that require grad never change: not given to the optimizer, LR 0, or a second optimizer never stepped.",
        "Weight deltas between steps are exactly zero for those parameters.",
        "Part of the model stays at its random init, so capacity is lost and results are worse without any error.",
        "Pass all trainable parameters to the optimizer, e.g. `torch.optim.Adam(model.parameters(), lr=...)`, create it "
        "after building (and moving) the model, and step every optimizer you create.",
    ),
    _rule(
        "T505", "step-order-bug", "W",
        "Training calls are out of order: optimizer.step without backward, backward without step, the scheduler "
        "stepped before the optimizer, or the gradient clipped after the step it was meant to limit.",
        "Order of backward, optimizer.step, zero_grad, scheduler.step and clip_grad_norm_ calls in each iteration.",
        "A wrong order means steps use stale or zeroed gradients, gradients are computed and thrown away, or the "
        "schedule is shifted by one step.",
        "Per iteration: `loss.backward()` → (clip) → `optimizer.step()` → `optimizer.zero_grad()`; call "
        "`scheduler.step()` after `optimizer.step()`.",
    ),
    _rule(
        "T506", "same-batch-every-step", "W",
        "The same batch is fed on every step (a loader bug or a cached batch).",
        "Fingerprints of consecutive batches are identical; a warning when a loader with several batches was iterated, or the run "
        "holds at least twice the batch's rows of its shape (evaluated, or sliced from), else full-batch training (information).",
        "The model only ever sees one batch, memorises it, and the training loss looks excellent while nothing "
        "generalises.",
        "Iterate the loader inside the loop: `for x, y in loader:`, not `x, y = next(iter(loader))` once outside it.",
    ),
    _rule(
        "T507", "unseeded-run", "W",
        "No random seed is fixed, so runs are not reproducible (informational).",
        "The random number generator states are never set before training starts.",
        "Without a seed, differences between runs mix real effects with random-init and shuffling noise, which makes "
        "debugging and comparisons unreliable.",
        "Seed at the start: `torch.manual_seed(0); np.random.seed(0); random.seed(0)` (and seed DataLoader workers if used).",
    ),
    _rule(
        "T508", "ranks-out-of-sync", "W",
        "Data-parallel ranks that started from identical weights hold different gradients or weights (gradients are not averaged across ranks).",
        "Total gradient norm at the same sampled step, and a fingerprint of the weights at the start and the end, compared across ranks.",
        "Replicas must stay identical: if each rank steps on its own gradients, the ranks train different models, "
        "rank 0's checkpoint ignores the other ranks' data, and adding GPUs changes nothing but the cost.",
        "Wrap the model with `DistributedDataParallel` (and train the wrapped model), do not use `no_sync()` on the step "
        "that calls `optimizer.step()`, and keep rank-dependent branches out of the forward pass.",
    ),
    # G: generalisation and evaluation
    _rule(
        "G601", "overfitting", "C W",
        "Validation loss rises while training loss keeps falling, or stays flat far above a training loss that keeps "
        "falling: a wide train/val gap.",
        "Training and validation loss curves and the gap between them (in units of the constant predictor's loss); a "
        "rise that gives back under a tenth of what validation had gained is mild (information), and so is a rise in a "
        "validation loss scored without the class weights training minimises, unless training memorised its rows.",
        "The model is memorising the training set; further training makes real-world performance worse even as "
        "the training metrics improve.",
        "Add data or augmentation, use dropout and weight decay, stop early at the best validation loss, or use a "
        "smaller model.",
    ),
    _rule(
        "G602", "underfitting", "C W",
        "The model cannot fit even the training data: it fails to overfit a single batch, or the training loss stays high.",
        "A single-batch overfit test and the final training loss against the best constant predictor's loss. For class "
        "targets that is the label entropy: its plug-in estimate from a few batches reads low (biased by the unseen "
        "labels of a large vocabulary), so watch judges against the most it can be given the labels counted "
        "(Miller–Madow estimate plus the Good–Turing unseen mass, at most ln K). A batch that fits at a few times the "
        "user's LR (under 30x) only needed more steps and says nothing; nor does one whose loss is under the target "
        "with a sample still wrong while it keeps falling toward ln 2 per term, where none can be wrong.",
        "If a model cannot memorise one small batch, there is usually a bug or too little capacity, and no amount of "
        "regularisation tuning will help.",
        "Use a bigger model and train longer; if it still cannot overfit one batch, look for bugs in the data, "
        "the loss wiring and the training loop.",
    ),
    _rule(
        "G603", "accuracy-paradox", "C W",
        "Accuracy is close to the majority-class share and minority classes are never predicted.",
        "Per-class recall and the accuracy compared with the majority share.",
        "High accuracy here is an illusion: the model just predicts the majority class and is useless on the classes "
        "that usually matter.",
        "Track balanced metrics (per-class recall, F1), and use class weights, resampling or a log-prior output bias.",
    ),
    _rule(
        "G604", "suspicious-validation", "C W",
        "Validation is much better than training, or near perfect, pointing to leakage or a broken metric.",
        "Validation metrics compared with training metrics, and with the perfect score.",
        "Results that look too good usually are: the validation set overlaps training, the labels leak into the "
        "inputs, or the metric is computed wrongly, and the real model is worse than reported.",
        "Check the split for overlap and leaked features, and verify the metric on a few hand-checked examples.",
    ),
    _rule(
        "G605", "undertrained", "C W",
        "The loss is still falling steadily at the end of training.",
        "Straight-line fit of the per-step loss over the last 40% of the run (measured in cumulative learning rate when "
        "the LR of each step is known, so a schedule decaying to zero does not hide it): significant (p < 0.001) and "
        "steep enough that another run as long would take a tenth off the loss; or the last doubling of the run "
        "(second half against the quarter before it, by a rank test) still took a tenth off the loss.",
        "Stopping while the loss still drops leaves accuracy on the table and can make a good model look weak.",
        "Train for more epochs (or with a better LR schedule) until the loss flattens.",
    ),
    _rule(
        "G606", "below-baseline", "C",
        "The trained network scores worse on validation than a simple baseline: the majority class or target mean, "
        "logistic or ridge regression on the flat features, or the network trained on zeroed inputs.",
        "The network's validation balanced accuracy (classifiers) or MSE (regressors whose loss scores the output in the "
        "target's units: MSE, L1, Huber, Poisson) after the trial (in `run`, a regressor's own last held-out MSE "
        "where it covers the same rows in the same units) against scikit-learn's prior "
        "and linear baselines and the zeroed-input run on the same samples; the gap must exceed twice the noise (the "
        "larger of the spread over re-drawn runs and the sampling error of the difference). Info only while the "
        "training loss still falls and the validation curve (in the compared metric where the trial recorded it: 1 - "
        "accuracy; else the validation loss), projected over a run 100x longer by its last three doublings, would still "
        "reach the baseline: each doubling keeps the last one's share of the level, or, when the gains shrank, gains the "
        "last gain times their ratio (a curve levelling out at a floor), whichever leaves more.",
        "A network that loses to a dumb baseline is not using its inputs well: if it cannot beat the class shares or a "
        "linear model, the pipeline or the training is broken, and every later comparison starts from a wrong base.",
        "Look at the batch as the model sees it and at the predictions (the report's Look section); fix the data "
        "pipeline or the loss wiring, then train longer or tune the LR until the network beats the baseline; ship the "
        "baseline if it cannot.",
    ),
)

_BY_CODE = {rule.code: rule for rule in RULES}


def get_rule(code: str) -> Rule:
    """The rule for ``code``; raises KeyError naming the code when it does not exist."""
    try:
        return _BY_CODE[code.upper()]
    except KeyError:
        raise KeyError(f"unknown rule code {code!r}") from None


def select_rules(select: list[str] | None = None, ignore: list[str] | None = None) -> list[Rule]:
    """Rules whose code starts with any prefix in ``select`` (all when empty), minus ``ignore``."""
    def matches(code: str, prefixes: list[str]) -> bool:
        return any(code.startswith(p.strip().upper()) for p in prefixes if p.strip())

    chosen = [r for r in RULES if not select or matches(r.code, select)]
    return [r for r in chosen if not (ignore and matches(r.code, ignore))]
