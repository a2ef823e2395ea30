"""The fault benchmark's manifest is complete and consistent; its harm check is deterministic.

The cases themselves are not diagnosed here; one tiny healthy case is trained twice to show
the harm yardstick does not depend on wall time.
"""
from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

import nndoctor
from benchmarks.faults.manifest import MODES, load_cases
from benchmarks.faults.score import harm_verdict
from benchmarks.faults.trainer import train_and_score

ROOT = Path(__file__).resolve().parent.parent
RULES_MD = ROOT.parent / "shared" / "RULES.md"
RULE_LINE = re.compile(r"^- ([DMLOTG]\d{3}) · ([a-z0-9-]+) · ([CW ]+) ·", re.M)
HINT_WORDS = re.compile(r"\b(bug|buggy|broken|wrong|fault|faulty|mistake|oops|incorrect|leak|leaked|leakage|fixme|todo)\b", re.I)
CASES = load_cases()
BY_ID = {c.id: c for c in CASES}


def catalog() -> dict[str, tuple[str, set[str]]]:
    """code -> (name, where) from RULES.md when it is next to the checkout, plus the package catalog."""
    rules: dict[str, tuple[str, set[str]]] = {}
    if RULES_MD.is_file():
        for code, name, where in RULE_LINE.findall(RULES_MD.read_text()):
            rules[code] = (name, set(where.split()))
    for rule in nndoctor.RULES:
        places = {"C" if w == "checkup" else "W" for w in rule.where}
        rules.setdefault(rule.code, (rule.name, places))
    return rules


RULES = catalog()


def test_ids_unique_modes_known_and_files_exist() -> None:
    assert len(BY_ID) == len(CASES)
    for case in CASES:
        assert case.mode in MODES, case.id
        assert case.path.is_file(), f"{case.id}: {case.file} is missing"


def test_every_rule_has_two_cases_of_different_task_or_architecture() -> None:
    if not RULES:
        pytest.skip("no rule catalog available (RULES.md absent and nndoctor.RULES empty)")
    shapes: dict[str, set[tuple[str, str]]] = defaultdict(set)
    counts: dict[str, int] = defaultdict(int)
    for case in CASES:
        if case.code:
            shapes[case.code].add((case.task, case.architecture))
            counts[case.code] += 1
    missing = [code for code in RULES if counts[code] < 2 or len(shapes[code]) < 2]
    assert not missing, f"codes with fewer than two different cases: {missing}"
    unknown = sorted(set(counts) - set(RULES))
    assert not unknown, f"manifest names codes the catalog does not know: {unknown}"


def test_cases_use_the_modes_their_rule_can_be_seen_in() -> None:
    for case in CASES:
        if case.code and case.code in RULES:
            where = RULES[case.code][1]
            wanted = "C" if case.mode == "checkup" else "W"
            assert wanted in where, f"{case.id}: {case.code} is seen by {where}, not {case.mode}"
        if case.code and case.code.startswith("T"):
            assert case.mode == "run", f"{case.id}: loop bugs appear only as scripts"


def test_enough_healthy_cases_with_purposeful_patterns() -> None:
    healthy = [c for c in CASES if c.healthy]
    assert len(healthy) >= 15
    assert {"checkup", "run"} <= {c.mode for c in healthy}
    patterns = " ".join(c.pattern or "" for c in healthy).lower()
    for pattern in ("accumulation", "frozen", "clipping", "warm-up", "loss scaling", "dropout + batchnorm", "class weights", "two optimizers", "early stopping"):
        assert pattern in patterns, pattern


def test_each_faulty_case_has_a_healthy_twin_in_the_same_mode_and_differs_from_it() -> None:
    for case in CASES:
        if case.healthy:
            continue
        twin = BY_ID.get(case.twin or "")
        assert twin is not None and twin.healthy, f"{case.id}: twin {case.twin!r} is not a healthy case"
        assert twin.mode == case.mode, case.id
        assert twin.path.read_text() != case.path.read_text(), f"{case.id} is identical to its twin"


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case_file_is_plain_user_code(case) -> None:
    source = case.path.read_text()
    tree = ast.parse(source)
    functions = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    if case.mode == "checkup":
        assert "setup" in functions, f"{case.id} defines no setup()"
    else:
        assert "__main__" in source, f"{case.id} is not a script"
        assert "nndoctor" not in source, f"{case.id}: scripts must not import nndoctor"
    text = "\n".join(line for line in source.splitlines() if "benchmarks.faults" not in line)
    assert not HINT_WORDS.search(text), f"{case.id} hints at its fault: {HINT_WORDS.search(text).group(0)!r}"
    assert "#" not in text, f"{case.id}: comments could hint at the fault"
    assert not ast.get_docstring(tree), f"{case.id}: docstrings could hint at the fault"
    for code, (name, _) in RULES.items():
        assert code not in text and name not in text, f"{case.id} names rule {code} {name}"


def test_harm_yardstick_is_step_bounded_and_repeatable() -> None:
    case = BY_ID["healthy-c100"]
    first, second = train_and_score(str(case.path)), train_and_score(str(case.path))
    assert first["steps"] > 0
    assert (first["metric"], first["val_loss"], first["steps"]) == (second["metric"], second["val_loss"], second["steps"])


def test_overfitting_harm_is_read_on_the_validation_loss() -> None:
    twin = {"metric": 0.74, "val_loss": 0.57, "outcome": "trained"}
    memorising = {"metric": 0.75, "val_loss": 0.99, "outcome": "trained"}
    overfit = next(c for c in CASES if c.code == "G601" and c.mode == "checkup")
    other = next(c for c in CASES if c.code == "L301" and c.mode == "checkup")
    assert harm_verdict(overfit, memorising, twin) == "hurts"
    assert harm_verdict(other, memorising, twin) == "no measurable harm"
    assert harm_verdict(other, {"metric": None, "outcome": "diverged"}, twin) == "hurts"


def test_fix_score_judges_the_remedy_against_both_twins():
    from benchmarks.fix_score import judge

    remedy = {"title": "t", "gain": 0.3, "before": {"metric": {"mean": 0.5}}, "after": {"metric": {"mean": 0.85}}}
    outcome = {"status": "ok", "fix": {"results": [{"code": "D101", "status": "verified", "remedy": remedy, "tried": []}]}}
    row = judge(BY_ID["D101-c020"], outcome, twin_metric=0.9, trainer_twin=0.96)
    assert row["repaired"] and row["repaired_at_code"]
    assert row["within"] is True and row["within_trainer"] is False  # 0.85 >= 0.81, but < 0.864
