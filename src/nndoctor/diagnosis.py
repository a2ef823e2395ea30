"""Differential diagnosis: link symptoms to root causes and rank the findings.

Several faults share symptoms: a flat loss can be a dead network, a tiny LR or shuffled
labels. Checks that discriminate (range test, single-batch overfit, label probe) raise
the root causes; this module knows which codes can explain which, marks each symptom
with ``explained_by`` and orders the report root cause first, its symptoms under it.
"""
from __future__ import annotations

from .findings import Finding

# symptom code -> root-cause codes that can explain it, most specific first.
EXPLAINS: dict[str, tuple[str, ...]] = {
    "D102": ("D101",),
    "D103": ("D112",),
    "D110": ("D111",),
    "M202": ("M201", "D101"),
    "M203": ("M201", "D101", "M202", "M205"),
    "M204": ("D101", "M202", "M201"),
    "M209": ("M201", "M203"),
    "M210": ("D105", "D106", "D101", "M202"),
    "L303": ("L301", "D104"),
    "L307": ("L301", "L302", "L303", "L305", "L306", "L304", "D113", "D101", "D105", "M210", "M201", "M202", "L308"),
    "O401": ("D101", "D105", "L308", "D104", "L303"),
    "O402": ("M201", "L301", "D111", "M209"),
    "O403": ("D101", "D105", "O401", "M202", "L308", "D104"),
    "O404": ("M201", "M205", "M202", "M204", "L301"),
    "O405": ("O401", "M203", "D101"),
    "O406": ("M201", "M209", "L301", "L302", "L304", "D111", "O402", "M203", "M204", "O409", "O404", "D101"),
    "O407": ("O401", "D101", "D114", "D115"),
    "O408": ("O401", "D101", "D104"),
    "O412": ("O401", "O402", "D101"),
    "G601": ("D108",),
    "G602": (
        "M201", "L301", "L302", "L303", "L304", "L305", "L306", "L308", "M209", "D101", "D105",
        "D113", "D104", "O401", "O402", "O409", "M203", "M204", "M205", "M206", "M207", "O404", "D111",
    ),
    "G603": ("D106",),
    "G604": ("D108", "D109"),
    "G605": ("O402",),
}

# Root causes rank before symptoms; within each, errors before warnings, then by family:
# broken data and wiring outrank optimisation settings, which outrank outcomes.
FAMILY_ORDER = {"D": 0, "L": 1, "M": 2, "T": 3, "O": 4, "G": 5}


def link_symptoms(findings: list[Finding]) -> list[Finding]:
    """Set ``explained_by`` on every finding whose root cause is also present."""
    present = {f.code for f in findings}
    for finding in findings:
        if finding.explained_by is not None:
            continue
        for root in EXPLAINS.get(finding.code, ()):
            if root in present and root != finding.code and not _explained_chain(findings, root, finding.code):
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
