"""One verdict per code: every catalog code is decided in exactly one place.

An AST scan of the package finds every ``Finding("CODE", ...)`` construction and the
function it sits in. Every catalog code must be constructed in exactly one module of the
verdict layer (``nndoctor/verdicts/``) and registered there, so no mode (checkup, watch,
run's exam, the distributed integration) decides a code itself and none can drift apart.
"""
from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import nndoctor
from nndoctor.catalog import CHECKUP, RULES, WATCH

PACKAGE = Path(nndoctor.__file__).parent


def _constructions() -> dict[str, set[str]]:
    """code -> {"module/path.py:function"} for every literal ``Finding("CODE", ...)``."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(node):
                if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Finding" and call.args \
                        and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str):
                    found[call.args[0].value].add(f"{path.relative_to(PACKAGE)}:{node.name}")
    return found


def test_every_catalog_code_is_constructed_somewhere():
    made = _constructions()
    missing = [rule.code for rule in RULES if rule.code not in made]
    assert not missing, f"codes no function can report: {missing}"


def test_no_code_is_decided_in_two_modules():
    """One module holds a code's decision (its thresholds and wording); helpers inside it may share the work."""
    made = _constructions()
    modules = {code: sorted({place.split(":")[0] for place in places}) for code, places in made.items()}
    twice = {code: found for code, found in modules.items() if len(found) > 1}
    assert not twice, f"codes decided in more than one module: {twice}"


def test_codes_both_modes_report_are_decided_in_the_verdict_layer():
    from nndoctor.verdicts import VERDICTS

    import nndoctor.checks  # noqa: F401  (registers the checks, which import their verdicts)
    import nndoctor.watch.live_rules  # noqa: F401

    made = _constructions()
    shared = [rule.code for rule in RULES if {CHECKUP, WATCH} <= rule.where]
    outside = {code: sorted(made.get(code, ())) for code in shared
               if not all(place.startswith("verdicts/") for place in made.get(code, ()))}
    assert not outside, f"codes both modes report, decided outside nndoctor/verdicts/: {outside}"
    unregistered = [code for code in shared if code not in VERDICTS]
    assert not unregistered, f"shared codes without a registered verdict: {unregistered}"


def test_every_catalog_code_has_one_registered_verdict_in_the_verdict_layer():
    """All 59 codes, whichever mode reports them: the modes only measure."""
    import importlib
    import pkgutil

    import nndoctor.verdicts
    from nndoctor.verdicts import VERDICTS

    for module in pkgutil.iter_modules(nndoctor.verdicts.__path__):
        importlib.import_module(f"nndoctor.verdicts.{module.name}")
    made = _constructions()
    outside = {rule.code: sorted(made.get(rule.code, ())) for rule in RULES
               if not all(place.startswith("verdicts/") for place in made.get(rule.code, ()))}
    assert not outside, f"codes decided outside nndoctor/verdicts/: {outside}"
    unregistered = [rule.code for rule in RULES if rule.code not in VERDICTS]
    assert not unregistered, f"codes without a registered verdict: {unregistered}"
    for rule in RULES:
        assert VERDICTS[rule.code].__module__.startswith("nndoctor.verdicts."), rule.code
