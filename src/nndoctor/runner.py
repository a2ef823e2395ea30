"""The checkup runner: select checks, run them on copies within a budget, rank the findings."""
from __future__ import annotations

import time
import traceback
from typing import Callable, Iterable

from .catalog import select_rules
from .checks.base import Check, Context, registered_checks
from .diagnosis import rank
from .findings import Finding
from .patient import untouched
from .probes.telemetry import probe_telemetry
from .report import CheckFailure, Report
from .rng import seed_everything
from .setup import Setup

DEFAULT_BUDGET_S = 120.0
ProgressCallback = Callable[[str, int, int], None]


def checkup(
    setup: Setup,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    budget: float | None = None,
    progress: ProgressCallback | None = None,
) -> Report:
    """Examine ``setup`` and return a ranked Report.

    Runs every registered check whose codes survive ``select``/``ignore`` (code prefixes).
    ``budget`` (seconds) bounds the exam: checks that would start after it are skipped and
    listed. The user's model, optimizer and global RNG states are exactly as before.
    """
    started = time.perf_counter()
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    wanted = {rule.code for rule in select_rules(list(select or []), list(ignore or []))}
    checks = [c for c in registered_checks() if wanted.intersection(c.codes)]
    findings: list[Finding] = []
    failures: list[CheckFailure] = []
    skipped: list[str] = []
    with untouched(setup.model, setup.user_optimizer):
        seed_everything(setup.seed)
        setup.resolve()
        ctx = Context(setup=setup, deadline=started + budget)
        for index, chk in enumerate(checks):
            if progress is not None:
                progress(chk.phase, index, len(checks))
            if ctx.time_left() <= 0:
                skipped.append(chk.name)
                continue
            findings.extend(_run_check(chk, ctx, wanted, failures))
        _add_probe_telemetry(ctx, failures)
        if progress is not None:
            progress("done", len(checks), len(checks))
    return Report(
        mode="checkup",
        findings=rank(findings),
        setup=setup.summary(),
        telemetry=ctx.telemetry,
        failures=failures,
        skipped=skipped,
        duration_s=time.perf_counter() - started,
    )


def _add_probe_telemetry(ctx: Context, failures: list[CheckFailure]) -> None:
    """Plot data from the probes the checks ran; a failure here is reported, never raised."""
    try:
        for key, block in probe_telemetry(ctx.cached_probes()).items():
            ctx.telemetry.setdefault(key, block)
    except Exception as exc:
        failures.append(CheckFailure("probe telemetry", (), f"{type(exc).__name__}: {exc}"))


def _run_check(chk: Check, ctx: Context, wanted: set[str], failures: list[CheckFailure]) -> list[Finding]:
    """Run one check; a crash becomes a CheckFailure, and codes outside ``wanted`` are dropped."""
    seed_everything(ctx.setup.seed)
    try:
        produced = list(chk.run(ctx) or [])
    except Exception as exc:  # a broken check must never break the exam
        last = traceback.extract_tb(exc.__traceback__)[-1]
        failures.append(CheckFailure(chk.name, chk.codes, f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"))
        return []
    return [f for f in produced if f.code in wanted]
