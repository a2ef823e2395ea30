"""The fault benchmark's manifest is complete and consistent; its harm check is deterministic.

The cases themselves are not diagnosed here; one tiny healthy case is trained twice to show
the harm yardstick does not depend on wall time.
"""
from __future__ import annotations

import ast
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

import nndoctor
from benchmarks.faults.manifest import HALVES, MODES, half_of_folder, load_cases, manifest_files
from benchmarks.faults.score import HEADLINE_HALF, harm_verdict, judge, markdown, summarise
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
# Codes that are only ever a symptom: every fault that makes the loss stand still has a cause code
# of its own (a tiny LR is O402, no gradient path M209, unpaired labels D111, ...), and O406 is what
# the report says only when none is found. A case "labelled O406" would be a fault missing from the
# catalog (the one seen so far, a loop that writes its old weights back after every step, is noted on issue 14).
SYMPTOM_ONLY = {"O406"}


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
        if case.code and not case.retired:
            shapes[case.code].add((case.task, case.architecture))
            counts[case.code] += 1
    missing = [code for code in RULES if code not in SYMPTOM_ONLY and (counts[code] < 2 or len(shapes[code]) < 2)]
    assert not missing, f"codes with fewer than two different cases: {missing}"
    unknown = sorted(set(counts) - set(RULES))
    assert not unknown, f"manifest names codes the catalog does not know: {unknown}"


def test_cases_use_the_modes_their_rule_can_be_seen_in() -> None:
    # `run` captures the script's setup and runs checkup's exam on copies, so it reaches every
    # code; a checkup case needs a code the pre-flight exam can see.
    for case in CASES:
        if case.code and case.code in RULES and case.mode == "checkup":
            where = RULES[case.code][1]
            assert "C" in where, f"{case.id}: {case.code} is seen by {where}, not checkup"
        if case.code and case.code.startswith("T"):
            assert case.mode == "run", f"{case.id}: loop bugs appear only as scripts"


def test_enough_healthy_cases_with_purposeful_patterns() -> None:
    healthy = [c for c in CASES if c.healthy]
    assert len(healthy) >= 150
    assert {"checkup", "run"} <= {c.mode for c in healthy}
    patterns = " ".join(c.pattern or "" for c in healthy).lower()
    for pattern in ("accumulation", "frozen", "clipping", "warm-up", "loss scaling", "dropout + batchnorm", "class weights",
                    "two optimizers", "early stopping", "adamw", "nesterov", "onecycle", "cosine", "bfloat16 autocast",
                    "ema", "label smoothing", "mixup", "weight decay", "hand-written sgd", "sum-reduced", "lbfgs",
                    "torch.save", "huber", "10k-token", "hugging face trainer", "lightning"):
        assert pattern in patterns, pattern
    architectures = {c.architecture for c in healthy}
    for arch in ("mlp", "cnn", "residual cnn", "residual mlp", "gru", "lstm", "transformer", "autoencoder", "vae", "gan"):
        assert arch in architectures, arch
    tasks = {c.task for c in healthy}
    assert {"binary", "multiclass", "multilabel", "regression", "language-model", "reconstruction", "generative"} <= tasks


def test_manifest_files_are_read_together_sorted_with_unique_ids(tmp_path) -> None:
    files = manifest_files()
    assert files[0].name == "manifest.toml"
    assert [f.name for f in files[1:]] == sorted(f.name for f in files[1:])
    assert all(f.name.startswith("manifest_") and f.suffix == ".toml" for f in files[1:])
    assert len(CASES) == sum(len(load_cases(f)) for f in files)

    entry = '[[case]]\nid = "{id}"\nmode = "run"\nfile = "cases/{folder}/train.py"\ncode = ""\ntask = "t"\ndata = "d"\narchitecture = "a"\n'
    (tmp_path / "manifest.toml").write_text(entry.format(id="healthy-r001", folder="r001"))
    (tmp_path / "manifest_b.toml").write_text(entry.format(id="healthy-r900", folder="r900"))
    (tmp_path / "manifest_a.toml").write_text(entry.format(id="healthy-r901", folder="r901"))
    assert [c.id for c in load_cases(folder=tmp_path)] == ["healthy-r001", "healthy-r901", "healthy-r900"]
    (tmp_path / "manifest_c.toml").write_text(entry.format(id="healthy-r001", folder="r001"))
    with pytest.raises(ValueError, match="healthy-r001"):
        load_cases(folder=tmp_path)


def test_every_case_is_in_one_half_by_its_folder_name() -> None:
    assert HEADLINE_HALF == "reporting" and set(HALVES) == {"tuning", "reporting"}
    for case in CASES:
        assert case.half == half_of_folder(Path(case.file).parent.name) in HALVES
    assert half_of_folder("c004") == half_of_folder("c004")
    for healthy in (True, False):
        for mode in MODES:
            group = [c for c in CASES if c.healthy == healthy and c.mode == mode]
            halves = {c.half for c in group}
            assert halves == set(HALVES), f"healthy={healthy} {mode}: only {halves}"
    share = sum(c.half == "reporting" for c in CASES) / len(CASES)
    assert 0.35 <= share <= 0.65, share


def test_results_report_both_halves_with_the_reporting_half_as_headline() -> None:
    rows = {}
    for c in CASES:
        outcome = {"status": "ok", "exit": 0, "seconds": 1.0, "findings": []}
        if not c.healthy:
            outcome["findings"] = [{"code": c.code, "severity": "warning", "explained_by": None}]
        elif c.half == "tuning":
            outcome["findings"] = [{"code": "D101", "severity": "warning", "explained_by": None}]
        rows[c.id] = {**outcome, **judge(c, outcome)}
    summary = summarise(CASES, rows, run_available=True)
    assert summary["headline"] == "reporting"
    assert set(summary["half"]) == set(HALVES)
    assert summary["half"]["reporting"]["overall"]["false_alarm_rate"] == 0.0
    assert summary["half"]["tuning"]["overall"]["false_alarm_rate"] == 1.0
    counted = sum(summary["half"][h]["overall"]["healthy_cases"] + summary["half"][h]["overall"]["faulty_cases"] for h in HALVES)
    assert counted == len(CASES)
    text = markdown(summary, CASES, rows)
    assert text.index("## Reporting half (headline)") < text.index("## Tuning half") < text.index("## All cases")
    assert "### Reporting half" in text and "### Tuning half" in text


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


def test_fix_score_counts_every_faulty_setup_but_loop_bugs_per_half():
    """The issue's fix measure: all faulty setups that are not loop bugs, whether or not their code has a remedy."""
    from benchmarks.fix_score import by_half

    reporting = [c for c in CASES if c.half == "reporting" and c.mode == "checkup" and not c.retired]
    faulty = [c for c in reporting if not c.healthy and not c.code.startswith("T")][:3]
    healthy = [c for c in reporting if c.healthy][:2]
    loop_bug = next(c for c in CASES if c.half == "reporting" and not c.healthy and c.code.startswith("T"))
    rows = [{"id": c.id, "code": c.code, "healthy": False, "has_remedy": i != 2, "repaired": i == 0} for i, c in enumerate(faulty)]
    rows += [{"id": c.id, "code": None, "healthy": True, "has_remedy": False, "repaired": False} for c in healthy]
    rows.append({"id": loop_bug.id, "code": loop_bug.code, "healthy": False, "has_remedy": False, "repaired": False})
    table = by_half(rows)
    assert "| reporting (headline) | 1/3 (33.3%) | 1/2 (50.0%) | 0/2 (0.0%) |" in table, table
    assert "| tuning | n/a | n/a | n/a |" in table


def test_symptom_cases_without_harm_are_retired_and_only_they() -> None:
    """The retirement rule is applied by the harm check's numbers, to every symptom case, both ways."""
    from benchmarks.faults.score import SYMPTOM_CODES

    harm_file = Path(__file__).resolve().parents[1] / "benchmarks" / "results" / "harm.json"
    verdicts = {row["id"]: row["verdict"] for row in json.loads(harm_file.read_text())}
    for case in CASES:
        if case.retired:
            assert not case.healthy and case.code in SYMPTOM_CODES, f"{case.id}: only symptom cases are retired"
            assert verdicts.get(case.id) == "no measurable harm", f"{case.id} is retired but its harm check says {verdicts.get(case.id)!r}"
            assert case.retired.startswith("no measurable harm"), case.id
        elif case.code in SYMPTOM_CODES and case.id in verdicts:
            assert verdicts[case.id] != "no measurable harm", f"{case.id} shows no harm in harm.json but is not retired"


def test_a_partial_rerun_replaces_only_its_own_rows_when_merged(tmp_path) -> None:
    """`--merge`: rerun cases take their new rows, every other active case keeps the previous run's."""
    from benchmarks.faults.score import merged_rows

    active = [c for c in CASES if not c.retired][:3]
    previous = {"cases": [{**{k: getattr(c, k) for k in c.__dataclass_fields__}, "half": c.half,
                           "status": "ok", "findings": [], "loud": [f"old-{c.id}"]} for c in active]}
    path = tmp_path / "faults.json"
    path.write_text(json.dumps(previous))
    rows, cases = merged_rows(path, {active[1].id: {"status": "ok", "findings": [], "loud": ["new"]}}, CASES)
    assert [c.id for c in cases] == [c.id for c in active]
    assert rows[active[0].id] == {"status": "ok", "findings": [], "loud": [f"old-{active[0].id}"]}
    assert rows[active[1].id]["loud"] == ["new"]
