"""Differential diagnosis: link symptoms to root causes and rank the findings.

Several faults share symptoms: a flat loss can be a dead network, a tiny LR or shuffled
labels. Checks that discriminate (range test, single-batch overfit, label probe) raise
the root causes; this module knows which codes can explain which, marks each symptom
with ``explained_by`` and orders the report root cause first, its symptoms under it.
"""
from __future__ import annotations

from typing import Callable

from .findings import Finding

# symptom code -> root-cause codes that can explain it, most specific first.
EXPLAINS: dict[str, tuple[str, ...]] = {
    "D101": ("D102",),
    "D103": ("D112",),
    "D104": ("D103",),
    "D105": ("M210",),
    # Imbalance is the risk; a trial where the minority is never predicted is the realised
    # accuracy paradox, which ranks first and carries the data evidence beneath it.
    "D106": ("G603",),
    "D110": ("D111",),
    "M202": ("M201", "M203", "M205", "M208", "D101", "O404"),
    "M203": ("M201", "D101", "M205"),
    "M204": ("D101", "M202", "M201"),
    "M208": ("M209",),
    "M209": ("M201", "M203", "L304"),
    "M210": ("D105", "D106", "D101", "M202", "M204"),
    "L303": ("L301", "D104"),
    "L307": ("L301", "L302", "L303", "L305", "L306", "L304", "D113", "D101", "D105", "M210", "M201", "M202", "M204", "L308"),
    "O401": ("D101", "D105", "L308", "D104", "L303", "D113", "L307"),
    "O402": ("M201", "L301", "D111", "M209"),
    "O403": ("D101", "D105", "O401", "M202", "L308", "D104", "O410"),
    "O404": ("M201", "M205", "M202", "M204", "L301", "D101"),
    "O405": ("O401", "M203", "D101"),
    "O406": ("M201", "M209", "M208", "L301", "L302", "L304", "D111", "O402", "M203", "M204", "O409", "O404", "D101"),
    "O407": ("O401", "D101", "D114", "D115", "O410"),
    "O408": ("O401", "D101", "D104"),
    "O412": ("O401", "O402", "D101"),
    "G601": ("D108", "D110"),
    "G602": (
        "M201", "L301", "L302", "L303", "L304", "L305", "L306", "L308", "M209", "M208", "D101", "D105",
        "D113", "D104", "O401", "O402", "O409", "M203", "M204", "M205", "M206", "M207", "O404", "D111", "D112",
    ),
    "G604": ("D108", "D109", "D110"),
    "G605": ("O402",),
}

# A matching init keeps the signal's scale per layer within this factor (checks/model.py, M202).
PER_LAYER_BAND = 3.0
# An output offset that costs this many times the chance loss is worse than knowing nothing (checks/model.py, M210).
WORSE_THAN_CHANCE = 2.0


def _per_layer_in_band(factor: object) -> bool:
    return isinstance(factor, (int, float)) and 1 / PER_LAYER_BAND <= factor <= PER_LAYER_BAND


def _columns_of(finding: Finding) -> set[int]:
    evidence = finding.evidence
    columns = set(evidence.get("columns") or []) | set(evidence.get("features") or [])
    for block in evidence.get("blocks") or []:
        columns.update(block)
    return {int(c) for c in columns}


def _whole_void_columns(symptom: Finding, root: Finding) -> bool:
    """D104 <- D103: every non-finite value lies in columns that hold no finite value (a standardised constant)."""
    void = set(root.evidence.get("void_features") or [])
    return bool(symptom.evidence.get("whole_columns")) and bool(void) and \
        set(symptom.evidence.get("nonfinite_columns") or []) <= void


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


# (symptom, root) -> when the link holds. Links not listed hold whenever both codes are present.
# The measurement decides which of two candidate causes is the root, not the codes alone.
CONDITIONS: dict[tuple[str, str], Callable[[Finding, Finding], bool]] = {
    ("D103", "D112"): lambda symptom, root: bool(_columns_of(symptom) & _columns_of(root)),
    ("D104", "D103"): _whole_void_columns,
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
    ("O404", "M202"): lambda symptom, root: root.evidence.get("slope_limited") is not True,
    ("M209", "L304"): lambda symptom, root: bool(root.evidence.get("stuck")),
    # Outputs far too large at init make every step too large; a loss far below chance does not.
    ("O401", "L307"): lambda symptom, root: (root.evidence.get("ratio_to_chance") or 0) > 1,
}


def _link_holds(symptom: Finding, root_code: str, roots: list[Finding]) -> bool:
    condition = CONDITIONS.get((symptom.code, root_code))
    return condition is None or any(condition(symptom, root) for root in roots)


# Root causes rank before symptoms; within each, errors before warnings, then by family:
# broken data and wiring outrank optimisation settings, which outrank outcomes.
FAMILY_ORDER = {"D": 0, "L": 1, "M": 2, "T": 3, "O": 4, "G": 5}


def link_symptoms(findings: list[Finding]) -> list[Finding]:
    """Set ``explained_by`` on every finding whose root cause is also present."""
    present: dict[str, list[Finding]] = {}
    for finding in findings:
        present.setdefault(finding.code, []).append(finding)
    for finding in findings:
        if finding.explained_by is not None:
            continue
        for root in EXPLAINS.get(finding.code, ()):
            if root in present and root != finding.code and _link_holds(finding, root, present[root]) \
                    and not _explained_chain(findings, root, finding.code):
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
    return (-finding.severity.rank, FAMILY_ORDER.get(finding.code[0], 9), finding.code)


def root_of(finding: Finding, findings: list[Finding]) -> str:
    by_code = {f.code: f for f in findings}
    code, seen = finding.code, set()
    while by_code.get(code) is not None and by_code[code].explained_by and code not in seen:
        seen.add(code)
        code = by_code[code].explained_by  # type: ignore[assignment]
    return code


def rank(findings: list[Finding]) -> list[Finding]:
    """Order findings most important first: each root cause followed by the symptoms it explains.

    A root's rank is that of its most severe symptom or itself, so a warning-level root
    cause that explains an error comes before unrelated warnings.
    """
    findings = link_symptoms(list(findings))
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
