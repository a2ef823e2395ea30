"""Differential diagnosis: link symptoms to root causes and rank the findings.

Several faults share symptoms: a flat loss can be a dead network, a tiny LR or shuffled
labels. Checks that discriminate (range test, single-batch overfit, label probe) raise
the root causes; this module knows which codes can explain which, marks each symptom
with ``explained_by`` and orders the report root cause first, its symptoms under it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from .findings import Finding, Severity
from .verdicts.curves import ADAPTIVE, EXPLODING_GROWTH, PLATEAU_CHANGE, SLOW_UPDATE
from .verdicts.model import SCALE_FACTOR_LIMIT

# symptom code -> root-cause codes that can explain it, most specific first.
EXPLAINS: dict[str, tuple[str, ...]] = {
    "D101": ("D112", "D102"),
    "D102": ("D101",),
    "D103": ("D112",),
    "D104": ("D103",),
    "D105": ("M210",),
    # Imbalance is the risk; a trial where the minority is never predicted is the realised
    # accuracy paradox, which ranks first and carries the data evidence beneath it.
    "D106": ("G603",),
    # Copies of some training rows weight them as many times: the training shares move away from validation's.
    "D109": ("D110", "D107"),
    "D110": ("D111",),
    "M202": ("M201", "M203", "M205", "M208", "D101", "O404"),
    "M203": ("M201", "D101", "M205", "M202"),
    "M204": ("D101", "M202", "M201"),
    "M208": ("M209",),
    "M209": ("M201", "M203", "L304"),
    "M210": ("D105", "D106", "D101", "M202", "M204"),
    # a constant feature divided by its zero std inside forward is NaN before any exp or log runs
    "L303": ("L301", "D104", "D103"),
    "L307": ("L301", "L302", "L303", "L305", "L306", "L304", "D113", "D101", "D105", "M210", "M201", "M202", "M204", "L308"),
    # A wrong backward pass (M208) steps in a wrong direction or by a wrong amount: whatever the curve does follows.
    "O401": ("D101", "D105", "L308", "D104", "L303", "D113", "D111", "D115", "L307", "O410", "O409", "M208", "G602", "M207"),
    # Squashed outputs fed to a loss that expects logits (L301, L302) leave it a vanishing gradient: slow at any sound LR.
    "O402": ("M201", "L301", "L302", "D111", "M209", "O410"),
    # A deep plain stack starts with its early layers' gradients vanished (M205): their norm growing from that
    # depressed start as training escapes it reads as an explosion; depth is the cause either way. A loss with no
    # floor (raw logits under NLLLoss, L303; a flipped sign, L308) drives the outputs without limit, and the
    # gradient grows with the weights that carry them.
    "O403": ("D101", "D105", "O401", "M202", "M205", "L308", "L303", "D104", "O410"),
    "O404": ("M201", "M205", "M202", "M204", "L301", "D101", "M208"),
    # Batches of one class at a time push every unit's bias after that class: units die on the others.
    "O405": ("O401", "M203", "D101", "D115"),
    # A misconfigured optimizer (eps swamping Adam's scale, momentum >= 1, ...) sets the step size as an LR does.
    # Inputs whose features differ in scale by orders of magnitude (D102) starve the small ones as unscaled inputs (D101)
    # do; a model that mixes samples across the batch (M207) cannot fit its training data.
    "O406": ("G602", "M201", "M209", "M208", "L301", "L302", "L304", "D111", "D115", "O402", "O401", "M203", "M204", "O409", "O404", "D101", "G603", "O410",
             "D102", "M207"),
    "O407": ("O401", "D101", "D114", "D115", "O410", "L308"),
    "O408": ("O401", "D101", "D104"),
    "O412": ("O401", "O402", "D101", "M208", "O410", "L308"),
    # A model that mixes samples across the batch cannot fit its training data; any regulariser's A/B then
    # measures the broken model (its copy without dropout fits a little better), not excess regularisation.
    "O409": ("M207",),
    # Rows copied many times are fewer distinct rows than the loader holds: the model memorises them sooner.
    # A validation curve that keeps climbing back up (O407 read from it) rose after its lowest point as one more swing.
    # An input column that alone predicts the labels (G604's column reading): the net fits the leak, so its
    # validation curve measures the leak, not how the model generalises. A validation curve measured in train mode
    # (T503: dropout on, each validation batch normalised by its own statistics) measures the mode, not the fit.
    "G601": ("D108", "D110", "D109", "D107", "O407", "G604", "T503"),
    # validation judged against the training prior: labels that moved between the splits put it off;
    # validation run in train mode (batch statistics of its own batches, dropout on) says nothing of the labels
    "D111": ("D109", "T503"),
    # multi-hot rows handed to a softmax cross-entropy read as probability rows that do not sum to one
    "D113": ("L306",),
    # Outputs squashed into (0, 1) and read as logits are all positive: one class predicted everywhere.
    "G603": ("L302",),
    # Labels that contradict their inputs cannot be fitted without memorising them: the train loss stays high (D110).
    "G602": (
        "M201", "L301", "L302", "L303", "L304", "L305", "L306", "L308", "M209", "M208", "D101", "D105",
        "D113", "D104", "O401", "O402", "O409", "M203", "M204", "M205", "M206", "M207", "O404", "D111", "D112", "D115", "O410",
        "D110", "D102",
    ),
    "G604": ("D108", "D109", "D110"),
    "G605": ("O402",),
}
# Losing to a simple baseline is what any fault that stops a network learning or generalising
# looks like from outside: those faults explain it; alone, it is the finding.
EXPLAINS["G606"] = (
    "G602", "G601", "G605", "G603", *EXPLAINS["G602"], "O403", "O405", "O406", "O407", "O411", "O412",
    "D102", "D103", "D106", "D107", "D108", "D109", "D110", "D114", "D115", "L307",
)

# A matching init keeps the signal's scale per layer within this factor (checks/model.py, M202).
PER_LAYER_BAND = 3.0
# An output offset that costs this many times the chance loss is worse than knowing nothing (checks/model.py, M210).
WORSE_THAN_CHANCE = 2.0


def _per_layer_in_band(factor: object) -> bool:
    return isinstance(factor, (int, float)) and 1 / PER_LAYER_BAND <= factor <= PER_LAYER_BAND


def _columns_of(finding: Finding) -> set[int]:
    evidence = finding.evidence
    columns = set(evidence.get("columns") or []) | set(evidence.get("features") or [])
    if evidence.get("unit") == "feature":  # D101's off-scale input features (not image channels)
        columns.update(evidence.get("off_scale_indices") or [])
    for block in evidence.get("blocks") or []:
        columns.update(block)
    return {int(c) for c in columns}


def _mostly_off_scale(finding: Finding) -> bool:
    """D101 evidence: more than half of the input units are off scale (the inputs as a whole are not normalised)."""
    off, units = finding.evidence.get("off_scale"), finding.evidence.get("units")
    return isinstance(off, int) and isinstance(units, int) and units > 0 and 2 * off > units


def _whole_void_columns(symptom: Finding, root: Finding) -> bool:
    """D104 <- D103: every non-finite value lies in columns that hold no finite value (a standardised constant)."""
    void = set(root.evidence.get("void_features") or [])
    return bool(symptom.evidence.get("whole_columns")) and bool(void) and \
        set(symptom.evidence.get("nonfinite_columns") or []) <= void


def _weights_too_small(drift: Finding) -> bool:
    """M202's weights scale the signal by less than a matching init's band allows, per layer (weights alone)."""
    gain = drift.evidence.get("weight_gain_per_layer")
    return isinstance(gain, (int, float)) and gain < 1 / PER_LAYER_BAND


def _cut_not_wrong(symptom: Finding, root: Finding) -> bool:
    """M208 <- M209: autograd says exactly zero where finite differences see a slope, only for tensors with no gradient path.

    A wrong custom backward gives a wrong gradient; a detach or an unused path gives none.
    """
    mismatched = symptom.evidence.get("mismatched") or {}
    cut = set(root.evidence.get("no_grad") or []) | set(root.evidence.get("zero_grad") or []) | {"<input>"}
    return bool(mismatched) and set(mismatched) <= cut and all(
        isinstance(v, dict) and v.get("analytical") == 0 for v in mismatched.values())


def _offset_no_worse_than_chance(symptom: Finding, root: Finding) -> bool:
    """M210 <- D106: a neutral output (about the chance loss) misses the prior because of the imbalance.

    An offset that costs far more than knowing nothing is a wrong bias in its own right.
    """
    offset, chance = symptom.evidence.get("offset_loss"), symptom.evidence.get("chance_loss")
    if not isinstance(offset, (int, float)) or not isinstance(chance, (int, float)) or chance <= 0:
        return True
    return offset < WORSE_THAN_CHANCE * chance


def _curve_level_only(symptom: Finding) -> bool:
    """O401 read from where the loss stayed alone: large steps on a flat loss, or a loss that ended above its start.

    That is also what labels the inputs do not predict (D111), batches of one class at a time
    (D115) or a model that mixes its samples across the batch (M207) give at a sound LR: the
    steps chase each batch's labels and the loss stays at (or above) the constant predictor's level. A non-finite or diverged loss, or a range test or
    single batch that speaks to the LR itself, keeps the LR the cause.
    """
    evidence = symptom.evidence
    if evidence.get("nonfinite") or evidence.get("single_batch") or evidence.get("step_size_only") is False:
        return False
    return evidence.get("step_size_only") is True or "final_loss" in evidence


# (symptom, root) -> when the link holds. Links not listed hold whenever both codes are present.
# The measurement decides which of two candidate causes is the root, not the codes alone.
CONDITIONS: dict[tuple[str, str], Callable[[Finding, Finding], bool]] = {
    # Steps large against weights that decay is shrinking are the decay's doing; a loss that rose,
    # turned non-finite or exploded in the range test is the LR's own evidence.
    ("O401", "O409"): lambda symptom, root: symptom.evidence.get("step_size_only") is True,
    ("O401", "D111"): lambda symptom, root: _curve_level_only(symptom),
    ("O401", "D115"): lambda symptom, root: _curve_level_only(symptom),
    ("O401", "M207"): lambda symptom, root: _curve_level_only(symptom),
    # Large steps on a flat loss are the LR's only when a smaller one would fit: not when one batch
    # could not be memorised at any LR tried (the model lacks the capacity; its steps chase noise).
    ("O401", "G602"): lambda symptom, root: bool(root.evidence.get("at_any_lr")) and _curve_level_only(symptom),
    ("D103", "D112"): lambda symptom, root: bool(_columns_of(symptom) & _columns_of(root)),
    # Raw category codes (0..39) are off scale too; standardising them would hide the fault, not fix it.
    ("D101", "D112"): lambda symptom, root: bool(_columns_of(symptom)) and _columns_of(symptom) <= _columns_of(root),
    # Mixed feature scales make a minority of features look unnormalised; when most are off
    # scale, nobody normalised the inputs at all and their differing units are part of that.
    ("D101", "D102"): lambda symptom, root: not _mostly_off_scale(symptom),
    ("D102", "D101"): lambda symptom, root: _mostly_off_scale(root),
    ("D104", "D103"): _whole_void_columns,
    # Class shares that differ between the splits make validation lose to the training prior (D111's
    # reference) and rise as the model commits to the training classes (G601): a label shift, not features.
    # Only D111's curve reading compares the splits; the label probe's folds are all training rows.
    ("D111", "D109"): lambda symptom, root: "train_shares" in root.evidence and "val_best" in symptom.evidence,
    # the loss, not the labels, is wrong when the rows are multi-hot: several labels per row are the task
    ("D113", "L306"): lambda symptom, root: (root.evidence.get("targets") == "multi-hot"
                                            and (symptom.evidence.get("target_row_sum_max") or 0) > 1),
    ("G601", "D109"): lambda symptom, root: "train_shares" in root.evidence,
    ("G601", "O407"): lambda symptom, root: root.evidence.get("curve") == "validation",
    # only the validation curve's reading of D111 (not the label probe's) is measured in the evaluation mode
    ("D111", "T503"): lambda symptom, root: "val_best" in symptom.evidence,
    # Only G604's column reading (one column predicts the validation labels) makes the validation curve the leak's.
    ("G601", "G604"): lambda symptom, root: bool(root.evidence.get("leaking_columns")),
    # Class shares that moved while the inputs stayed are flipped labels, not a shifted split.
    ("D109", "D110"): lambda symptom, root: "train_shares" in symptom.evidence and root.evidence.get("labels_moved_inputs_not") is True,
    # Targets off only by an offset are the output bias's job (M210); a spread far from unit
    # scale needs the targets standardised (D105), whatever the bias.
    ("D105", "M210"): lambda symptom, root: symptom.evidence.get("spread_off_scale") is False,
    ("M210", "D105"): lambda symptom, root: root.evidence.get("spread_off_scale") is not False,
    ("M210", "D106"): _offset_no_worse_than_chance,
    # Depth explains the drift only when each layer is within a matching init's band.
    ("M202", "M205"): lambda symptom, root: _per_layer_in_band(symptom.evidence.get("activation_factor_per_layer"))
    and _per_layer_in_band(symptom.evidence.get("grad_factor_per_layer")),
    # Wrong backward passes explain a drift seen in the gradients only.
    ("M202", "M208"): lambda symptom, root: _per_layer_in_band(symptom.evidence.get("activation_factor_per_layer")),
    ("M208", "M209"): _cut_not_wrong,
    # A stack of sigmoids shrinks by their slope (<= 1/4) whatever the init: the vanishing gradient
    # is the root and a new init no cure; with ReLU/tanh stacks the init scale is the root.
    ("M202", "O404"): lambda symptom, root: symptom.evidence.get("slope_limited") is True,
    # Weights far too small to move a unit off its bias leave every unit's sign to the bias, the
    # same on every sample: the negative-bias half is dead because of the init scale. With weights
    # of a matching scale, units dead on every sample (a negative bias) are what shrinks the signal.
    ("M203", "M202"): lambda symptom, root: _weights_too_small(root),
    ("M202", "M203"): lambda symptom, root: not _weights_too_small(symptom),
    ("O404", "M202"): lambda symptom, root: root.evidence.get("slope_limited") is not True,
    ("M209", "L304"): lambda symptom, root: bool(root.evidence.get("stuck")),
    # One batch that cannot be memorised at any LR tried (no LR to blame) is why the loss cannot move.
    ("O406", "G602"): lambda symptom, root: bool(root.evidence.get("at_any_lr")),
    # A loss that fell to the constant predictor's level and stayed there has learned the prior
    # and nothing else: with the minority never predicted, that is the accuracy paradox. A loss
    # that never moved at all (frozen weights, no gradient) is the plateau's own.
    ("O406", "G603"): lambda symptom, root: (symptom.evidence.get("max_change") or 0) >= PLATEAU_CHANGE,
    # Outputs far too large at init make every step too large; a loss far below chance does not.
    ("O401", "L307"): lambda symptom, root: (root.evidence.get("ratio_to_chance") or 0) > 1,
}


def _link_holds(symptom: Finding, root_code: str, roots: list[Finding]) -> bool:
    condition = CONDITIONS.get((symptom.code, root_code))
    return condition is None or any(condition(symptom, root) for root in roots)


# Root causes rank before symptoms; within each, errors before warnings, then by family:
# broken data and wiring outrank optimisation settings, which outrank outcomes.
FAMILY_ORDER = {"D": 0, "L": 1, "M": 2, "T": 3, "O": 4, "G": 5}


def may_explain(roots: list[Finding], symptom: Finding) -> bool:
    """Whether findings of a root code may stand as the cause of ``symptom``, by severity alone.

    A finding below warning is advice: its own verdict says it is no problem in this run
    (``reduction='sum'`` under an adaptive optimizer, say), so it cannot be why something
    at warning or above went wrong. Such a symptom stands on its own. A root at warning or
    above may explain a worse symptom; it then takes that symptom's severity (``raise_roots``).
    The exception: a setting that multiplies every step (``_scales_the_step``) explains the step-size symptoms.
    """
    return not symptom.severity.at_least(Severity.WARNING) or any(
        r.severity.at_least(Severity.WARNING) or _scales_the_step(r, symptom) for r in roots)


# What steps too large for the loss show; a setting that multiplies every step is their cause when present.
STEP_SIZE_SYMPTOMS = ("O401", "O403", "O407", "O412")


def _scales_the_step(root: Finding, symptom: Finding) -> bool:
    """A finding below warning that multiplies the step (a summed loss under plain SGD) explains a step-size symptom.

    Alone it is a convention (an LR chosen for the sum); with steps shown too large it is their cause.
    """
    return bool(root.evidence.get("scales_the_step")) and symptom.code in STEP_SIZE_SYMPTOMS


def refuse_lesser_roots(findings: list[Finding]) -> list[Finding]:
    """Undo links (however they were made) from a symptom at warning or above to a root below warning."""
    present: dict[str, list[Finding]] = {}
    for finding in findings:
        present.setdefault(finding.code, []).append(finding)
    for finding in findings:
        root = finding.explained_by
        if root is not None and root in present and not may_explain(present[root], finding):
            finding.explained_by = None
    return findings


def raise_roots(findings: list[Finding]) -> list[Finding]:
    """Give every root cause (at warning or above) at least the severity of what it explains.

    The severity of a cause is that of the harm it is shown to do: out-of-scale targets
    (a warning) that explain a diverged run (an error) are an error in that run. Chains are
    followed until nothing changes; ``evidence["severity_raised_by"]`` names the symptom.
    """
    by_code: dict[str, list[Finding]] = {}
    for finding in findings:
        by_code.setdefault(finding.code, []).append(finding)
    changed = True
    while changed:
        changed = False
        for symptom in findings:
            for root in by_code.get(symptom.explained_by or "", []):
                may_cause = root.severity.at_least(Severity.WARNING) or _scales_the_step(root, symptom)
                if root is not symptom and may_cause and symptom.severity.rank > root.severity.rank:
                    root.severity = symptom.severity
                    root.evidence["severity_raised_by"] = symptom.code
                    changed = True
    return findings


def link_symptoms(findings: list[Finding]) -> list[Finding]:
    """Set ``explained_by`` on every finding whose root cause is also present (and may explain it)."""
    present: dict[str, list[Finding]] = {}
    for finding in findings:
        present.setdefault(finding.code, []).append(finding)
    for finding in findings:
        if finding.explained_by is not None:
            continue
        for root in EXPLAINS.get(finding.code, ()):
            if root in present and root != finding.code and may_explain(present[root], finding) \
                    and _link_holds(finding, root, present[root]) and not _explained_chain(findings, root, finding.code):
                finding.explained_by = root
                break
    return findings


def _explained_chain(findings: list[Finding], start: str, forbidden: str) -> bool:
    """True when ``start`` is (transitively) explained by ``forbidden``: linking would make a cycle."""
    by_code = {f.code: f for f in findings}
    seen: set[str] = set()
    code: str | None = start
    while code is not None and code not in seen:
        if code == forbidden:
            return True
        seen.add(code)
        code = by_code[code].explained_by if code in by_code else None
    return False


def _priority(finding: Finding) -> tuple:
    """Severity first; within it, a finding its verdict calls inert (``evidence["inert"]``: present but costing
    this run nothing, e.g. a finite constant column) after those that cost something; then the family order."""
    inert = bool(isinstance(finding.evidence, dict) and finding.evidence.get("inert"))
    return (-finding.severity.rank, inert, FAMILY_ORDER.get(finding.code[0], 9), finding.code)


def root_of(finding: Finding, findings: list[Finding]) -> str:
    by_code = {f.code: f for f in findings}
    code, seen = finding.code, set()
    while by_code.get(code) is not None and by_code[code].explained_by and code not in seen:
        seen.add(code)
        code = by_code[code].explained_by  # type: ignore[assignment]
    return code


# -- links that take precedence over EXPLAINS -------------------------------------------
# What a loop bug or a realised mechanism makes the curves show. These are decided before
# the catalog's EXPLAINS table, in this order, because the measurement says which mechanism
# acted (a clip that bites every step sets the step size; units that died before the loss
# spiked were not killed by the spikes), not the codes alone.
CURVE_SYMPTOMS = ("O401", "O402", "O403", "O404", "O405", "O406", "O407", "O412", "G601", "G602", "G604", "G605", "M203", "M209", "D111")
# Once the loss is non-finite, these are consequences of the non-finite loss, not causes.
AFTER_NONFINITE = ("O403", "O406", "O407", "O412", "G602", "G605", "O405", "M203", "D111", "G601")

Present = dict[str, list[Finding]]
When = Callable[[Finding, Finding, Present], bool]


@dataclass(frozen=True)
class Link:
    """``root`` explains each of ``symptoms`` present when ``when(root, symptom, present)`` holds."""

    root: str
    symptoms: tuple[str, ...]
    when: When = lambda root, symptom, present: True


def _same_run(root: Finding, symptom: Finding) -> bool:
    """Both were measured on one training run: the watched script's or the exam's copy (``seen_by``, set when a run's
    report merges its exam's; absent, the one mode's own)."""
    return root.evidence.get("seen_by") == symptom.evidence.get("seen_by")


def _nonfinite_loss(root: Finding, symptom: Finding, present: Present) -> bool:
    """What a curve did after its loss turned non-finite follows from that, on the same run: a copy's trial that
    diverged says nothing of when the watched script's own units died or its loss stalled."""
    return bool(root.evidence.get("nonfinite")) and _same_run(root, symptom)


def _all_layers_off(too_small: bool) -> When:
    """O412 with every layer off together: the global learning rate, which the curve rules name."""
    return lambda root, symptom, present: not symptom.evidence.get("some_layers") and ("too_small" in symptom.evidence) == too_small


def _some_layers_off(root: Finding, symptom: Finding, present: Present) -> bool:
    """Layers that barely (or wildly) move, next to healthy ones, are why the loss stalls or blows up."""
    return bool(root.evidence.get("some_layers"))


def _died_before_spikes(present: Present) -> bool:
    """The units were already dead at a sampled step before the loss first spiked: the spikes did not kill them."""
    death, swings = present.get("O405"), present.get("O407")
    if not death or not swings:
        return False
    onset, spike = death[0].evidence.get("onset_step"), swings[0].evidence.get("first_spike_step")
    return onset is not None and spike is not None and onset < spike


def _units_died_first(root: Finding, symptom: Finding, present: Present) -> bool:
    """A layer of dead units passes no gradient: the model stops fitting (unless the spikes came first and killed them)."""
    return "O407" not in present or _died_before_spikes(present)


def _collapsed_to_a_constant(root: Finding, symptom: Finding, present: Present) -> bool:
    """O401's rise was the network collapsing into a constant: a layer's units all died, and the loss never rose past
    twice what the best constant scores (G602's reference).

    With every unit of a layer dead, nothing after it depends on the input: the model is a
    constant, and its loss climbs to what a constant scores. An LR above the stable one throws
    the loss past that level (``WORSE_THAN_CHANCE`` times it, or to non-finite values), killing
    units on the way: O401 stays the root. A rise that never went that far is the units dying,
    O405's mechanism, whose fix (a lower LR among them) the catalog gives. An O401 read from the
    size of the steps alone saw no rise at all: the loss it names as unmoved is O405's final loss.
    An O401 from the exam's copy of a watched run (asked for because units died) is read against the
    run's own curve, the highest of its window means (O405's ``peak_loss``): the copy's trial is not the run.
    """
    layers = root.evidence.get("layers") or {}
    whole_layer_dead = any(isinstance(v, dict) and v.get("end") == 1.0 for v in layers.values())
    same_run = _same_run(root, symptom)
    if (same_run and symptom.evidence.get("nonfinite")) or not whole_layer_dead:
        return False
    reference = next((f.evidence.get("reference") for f in present.get("G602", [])), None)
    if same_run:
        windows = [w for w in symptom.evidence.get("windows") or [] if isinstance(w, (int, float))]
        if not windows and symptom.evidence.get("step_size_only"):
            windows = [w for w in [root.evidence.get("final_loss")] if isinstance(w, (int, float))]
    else:  # the exam's copy found the LR too high; how high the watched run's own loss went says which picture it shows
        windows = [w for w in [root.evidence.get("peak_loss")] if isinstance(w, (int, float))]
    if not isinstance(reference, (int, float)) or reference <= 0 or not windows or not all(map(math.isfinite, windows)):
        return False
    return max(windows) < WORSE_THAN_CHANCE * reference


def _lr_read_from_steps_alone(root: Finding, symptom: Finding, present: Present) -> bool:
    """O402 whose only evidence is the size of the steps (no range test, no single batch): a dead unit's weights get
    no gradient and take no step, at any LR, so units that died first are why the steps are small."""
    return "suggested_lr" not in symptom.evidence and "single_batch" not in symptom.evidence \
        and _units_died_first(root, symptom, present)


def _steps_overshoot(root: Finding, symptom: Finding, present: Present) -> bool:
    """Steps big enough to throw the loss to multiples of its level also kill units and leave the data unfitted."""
    if root.evidence.get("shape") not in ("spikes", "bouncing"):
        return False
    return symptom.code != "O405" or not _died_before_spikes(present)


def _loss_spiked_first(root: Finding, symptom: Finding, present: Present) -> bool:
    """Gradients taken where an overshooting step threw the weights are large because the loss there is.

    The gradient that exploded before the loss first spiked (a cliff in the loss surface, as
    in recurrent nets) caused the spike instead: then O403 stands as the root. Without both
    steps (checkup's trial) the order is unknown and no link is made.
    """
    if root.evidence.get("shape") not in ("spikes", "bouncing"):
        return False
    onset, spike = symptom.evidence.get("onset_step"), root.evidence.get("first_spike_step")
    return onset is not None and spike is not None and spike <= onset


def _gradient_outran_loss(root: Finding, symptom: Finding, present: Present) -> bool:
    """The gradient had grown by orders of magnitude while the loss had barely moved: a cliff, not an LR.

    An LR too large for the curvature throws the weights up the walls of the loss, so the loss
    grows at least as fast as the gradient (for a quadratic bowl, as its square). A gradient
    that reached ``EXPLODING_GROWTH`` times its start (its onset) while the loss grew
    ``EXPLODING_GROWTH`` times less met a cliff in the loss surface (recurrent nets): the
    explosion came first, and the loss that later turned non-finite (O401's evidence) is its
    consequence. Checkup's trial records no onset: no link.
    """
    grad, loss = root.evidence.get("growth_at_onset"), root.evidence.get("loss_growth_at_onset")
    if not isinstance(grad, (int, float)) or not isinstance(loss, (int, float)) or not loss > 0:
        return False
    return grad >= EXPLODING_GROWTH * loss


def _recurrent_cliff_unclipped(root: Finding, symptom: Finding, present: Present) -> bool:
    """A recurrent net that trained at its LR, then blew up under unclipped plain SGD: clipping, not a lower LR, is the cure.

    Backpropagation through time multiplies the gradient by the recurrent Jacobian once per
    time step, so a recurrent layer's loss surface has cliffs where the gradient jumps by
    orders of magnitude (Pascanu et al., 2013). An SGD step is the LR times that gradient,
    so one cliff throws the weights far away and the loss turns non-finite (O401's evidence)
    at an LR the smooth rest of the surface tolerates; norm clipping caps exactly that step.
    That the LR is tolerated shows in the loss falling below its first value before the
    explosion's onset: above the largest stable LR every step overshoots from the first on.
    The LR stays the root, too, under an adaptive optimizer (``ADAPTIVE``), which bounds each
    parameter's step to a few LRs whatever the gradient, and in a loop that already clips.
    """
    kind = root.evidence.get("optimizer") or symptom.evidence.get("optimizer")
    fell = root.evidence.get("lowest_loss_before_onset")
    return (bool(root.evidence.get("recurrent_layers")) and not root.evidence.get("loop_clips")
            and isinstance(kind, str) and kind not in ADAPTIVE and isinstance(fell, (int, float)) and fell < 1.0)


def _cliff(root: Finding, symptom: Finding, present: Present) -> bool:
    """O403 explains O401 when the gradient outran the loss, the net is a recurrent one clipping would cure, or the
    gradient already dwarfed the weights at the first step (the first update re-drew them at any usable LR)."""
    return (root.evidence.get("at_first_step") is True or _gradient_outran_loss(root, symptom, present)
            or _recurrent_cliff_unclipped(root, symptom, present))


def _clip_sets_step(root: Finding, symptom: Finding, present: Present) -> bool:
    """A norm clip explains small steps only when, without its cut, the steps would not be far too small.

    The clip shrinks each step by (pre-clip norm / max_norm). When the measured update ratio
    times that factor is still under a tenth of the ~1e-3 rule of thumb, the LR, not the clip,
    keeps the weights still. Value clipping (no cut factor) and unmeasured ratios keep the link.
    """
    norm, max_norm = root.evidence.get("median_pre_clip_norm"), root.evidence.get("max_norm")
    if not isinstance(norm, (int, float)) or not isinstance(max_norm, (int, float)) or max_norm <= 0:
        return True
    ratios = [f.evidence.get("median_update_ratio") for f in [symptom, *present.get("O402", []), *present.get("O406", [])]]
    ratio = next((r for r in ratios if isinstance(r, (int, float)) and r > 0), None)
    return ratio is None or ratio * max(norm / max_norm, 1.0) >= SLOW_UPDATE


def _batch_fit_at_prior(root: Finding, symptom: Finding, present: Present) -> bool:
    """Every single-batch attempt settled at the batch's constant-predictor loss: the majority answer for all.

    On labels one class dominates, the prior is a deep, flat basin (a rare class's one or two
    samples in the batch barely move the mean loss), so the unweighted loss parks there at any
    LR: the imbalance the accuracy paradox (G603) names, not a model that cannot fit. Within
    ``PLATEAU_CHANGE`` of that loss counts as at it.
    """
    reference, attempts = symptom.evidence.get("reference_loss"), symptom.evidence.get("attempts") or []
    if not isinstance(reference, (int, float)) or reference <= 0 or not attempts:
        return False
    return all(isinstance(a.get("final_loss"), (int, float)) and abs(a["final_loss"] - reference) <= PLATEAU_CHANGE * reference
               for a in attempts)


def _init_mismatched(root: Finding, symptom: Finding, present: Present) -> bool:
    """M202 whose signal or gradient changes by more than a matching init allows at every layer (``SCALE_FACTOR_LIMIT``).

    Such an init leaves the output (or the first layers' gradient) orders of magnitude off within
    a few layers: the network starts unable to fit, whatever else the curves show. The milder
    drift PyTorch's default init accumulates over a deep stack stays a finding of its own.
    """
    if root.evidence.get("slope_limited") is True:
        return False  # sigmoid/tanh squeeze the gradient whatever the init: the activation's finding (O404) is the cause
    factors = [root.evidence.get(k) for k in ("activation_factor_per_layer", "grad_factor_per_layer")]
    return any(isinstance(f, (int, float)) and f > 0 and not 1 / SCALE_FACTOR_LIMIT <= f <= SCALE_FACTOR_LIMIT for f in factors)


def _lr_cause(code: str) -> When:
    """G602 whose single-batch test fitted at another LR: that LR's finding (named by the probe) is the cause."""
    return lambda root, symptom, present: symptom.evidence.get("lr_cause") == code


PRECEDING_LINKS: tuple[Link, ...] = (
    Link("O402", ("G602",), _lr_cause("O402")),
    Link("O401", ("G602",), _lr_cause("O401")),
    Link("G603", ("G602",), _batch_fit_at_prior),
    Link("M202", ("G602", "O406", "G606"), _init_mismatched),
    Link("O403", ("O401",), _cliff),
    Link("O401", AFTER_NONFINITE, _nonfinite_loss),
    Link("O406", ("O412",), _all_layers_off(True)),
    Link("O402", ("O412",), _all_layers_off(True)),
    Link("O401", ("O412",), _all_layers_off(False)),
    Link("O407", ("O412",), _all_layers_off(False)),
    Link("O412", ("O401", "O406", "O402", "O407", "O405", "G602", "G605"), _some_layers_off),
    Link("O405", ("O406", "G602", "G605"), _units_died_first),
    Link("O405", ("O402",), _lr_read_from_steps_alone),
    Link("O405", ("O401",), _collapsed_to_a_constant),
    # with the clip biting on every step, the clip and not the LR sets the step size
    Link("O408", ("O402", "O406", "O412", "G602", "G605"), _clip_sets_step),
    Link("O407", ("O412", "G602", "G605", "O405"), _steps_overshoot),
    Link("O407", ("O403",), _loss_spiked_first),
    # the optimizer's own tensors get no gradient because the loss trains others in their place
    Link("T504", ("M209",), lambda root, symptom, present: bool(root.evidence.get("receive_gradients"))),
    Link("T502", ("D101", "D102"), lambda root, symptom, present: bool(symptom.evidence.get("input_batchnorm"))),
    # loop bugs the catalog's EXPLAINS table cannot know about: what each one makes the curves show
    Link("T505", CURVE_SYMPTOMS + ("T504",)),
    Link("T501", CURVE_SYMPTOMS),
    # training in eval mode trains another network (BatchNorm frozen at its running statistics, dropout
    # off; the rule needs such layers): what the curves show is that network's training
    Link("T502", CURVE_SYMPTOMS),
    Link("L308", CURVE_SYMPTOMS),
    # tensors the loss depends on that no step updates: the curves show the training of another network (part of it
    # frozen at its init), as with T502; tensors outside the loss's graph limit only what the curves can reach
    Link("T504", CURVE_SYMPTOMS, lambda root, symptom, present: bool(root.evidence.get("receive_gradients"))),
    Link("T504", ("O402", "O406", "G602", "G605", "O412")),
    Link("T506", ("G601", "G604", "G605", "O406", "O407")),
    # a loop fed one batch can only memorise it: the run's memorisation curve says nothing about how labels pair with
    # inputs (the label probe's D111, read on the data, keeps its own standing)
    Link("T506", ("D111",), lambda root, symptom, present: "val_best" in symptom.evidence),
    # saturated units pass under 1/25 of the gradient back: the layers before them get too small an update
    Link("M204", ("O412",), lambda root, symptom, present: bool(symptom.evidence.get("too_small"))),
    Link("D104", ("O401", "O403", "M203", "O405")),
    Link("D113", CURVE_SYMPTOMS),
    Link("D105", ("M204", "O404", "O403", "O401", "O405", "O412", "G605")),
    # an output bias far off the targets is the same error as targets far off the outputs' scale (D105),
    # limited to the offset (M210 holds only when moving the average fixes the init loss): same curves
    Link("M210", ("M204", "O404", "O403", "O401", "O405", "O412", "G605")),
    Link("O411", ("O402", "O406", "O412", "G602", "G605")),
    Link("O404", ("O406", "O412", "G602", "G605")),
)


def link_preceding(findings: list[Finding]) -> list[Finding]:
    """Apply ``PRECEDING_LINKS`` in order: each sets ``explained_by`` on a present, unexplained symptom.

    A link never closes a loop (a root already explained, through a chain, by the symptom) and
    a root below warning explains nothing at warning or above (``may_explain``).
    """
    present: Present = {}
    for finding in findings:
        present.setdefault(finding.code, []).append(finding)
    for link in PRECEDING_LINKS:
        roots = present.get(link.root)
        if not roots:
            continue
        for symptom in findings:
            if symptom.code not in link.symptoms or symptom.code == link.root or symptom.explained_by is not None:
                continue
            if may_explain(roots, symptom) and any(link.when(root, symptom, present) for root in roots) \
                    and not _explained_chain(findings, link.root, symptom.code):
                symptom.explained_by = link.root
    return findings


# -- the evidence chain in words ----------------------------------------------------------
def _ratio_text(evidence: dict) -> str | None:
    lr, suggested = evidence.get("user_lr"), evidence.get("suggested_lr")
    if isinstance(lr, (int, float)) and isinstance(suggested, (int, float)) and lr > 0 and suggested > 0:
        factor = suggested / lr
        return f"the range test's best LR is {factor:.0f}x yours" if factor >= 1 else f"the range test's best LR is {1 / factor:.0f}x below yours"
    return None


# root code -> a short statement of its evidence (None: fall back to the root's own message).
BECAUSE: dict[str, Callable[[Finding], str | None]] = {
    "O401": lambda root: _ratio_text(root.evidence),
    "O402": lambda root: _ratio_text(root.evidence),
}


def _first_clause(message: str, limit: int = 160) -> str:
    """The root's message up to its first sentence end, shortened to ``limit`` characters."""
    text = message.split(". ")[0].rstrip(".")
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def state_because(findings: list[Finding]) -> list[Finding]:
    """Write the evidence chain into each linked finding: ``evidence["because"]`` = "SYMPTOM because ROOT: what ROOT measured"."""
    by_code = {f.code: f for f in findings}
    for finding in findings:
        root = by_code.get(finding.explained_by or "")
        if root is None or root is finding:
            continue
        summary = BECAUSE.get(root.code, lambda r: None)(root) or _first_clause(root.message)
        finding.evidence["because"] = f"{finding.code} because {root.code}: {summary}"
    return findings


def rank(findings: list[Finding]) -> list[Finding]:
    """Order findings most important first: each root cause followed by the symptoms it explains.

    A root cause carries at least the severity of what it explains: a root below warning
    explains nothing at warning or above (the link is refused, the symptom stands on its
    own), and a warning-level root that explains an error becomes an error. So the worst
    severity in the report is always that of some root cause, and the verdict follows it.

    This is the one place links are made, for every mode: ``PRECEDING_LINKS`` (what a loop
    bug or a measured mechanism makes the curves show) first, then the catalog's
    ``EXPLAINS`` with its ``CONDITIONS``; each linked finding then states the chain in
    ``evidence["because"]``.
    """
    findings = refuse_lesser_roots(list(findings))
    findings = state_because(raise_roots(link_symptoms(link_preceding(findings))))
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(root_of(finding, findings), []).append(finding)

    def group_key(item: tuple[str, list[Finding]]) -> tuple:
        root_code, members = item
        root = next((f for f in members if f.code == root_code), members[0])
        worst = max(f.severity.rank for f in members)
        return (-worst, -root.severity.rank, -len(members), _priority(root))

    ordered: list[Finding] = []
    for root_code, members in sorted(groups.items(), key=group_key):
        members.sort(key=lambda f: (f.code != root_code, _priority(f)))
        ordered.extend(members)
    return ordered
