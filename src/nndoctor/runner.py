"""The checkup runner: select checks, run them on copies, rank the findings.

Every probe's work is fixed in steps and samples (sized from the setup, seeded), so the same
setup gives the same report on an idle and on a loaded machine. ``budget`` seconds is only a
safety net: a check that would start after it, or whose probe it stops, is listed as
inconclusive with its findings withheld; nothing is ever run shorter to fit it.
"""
from __future__ import annotations

import time
import traceback
from typing import Any, Callable, Iterable

from .catalog import select_rules
from .checks.base import Check, Context, Inconclusive, registered_checks
from .diagnosis import rank
from .findings import Finding
from .patient import untouched
from .probes.telemetry import probe_telemetry
from .probes.trial import probe_threads, setup_step_cost
from .report import CheckFailure, Report
from .rng import seed_everything
from .setup import LossUnavailable, Setup

DEFAULT_BUDGET_S = 120.0
ProgressCallback = Callable[[str, int, int], None]


def checkup(
    setup: Setup,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    budget: float | None = None,
    progress: ProgressCallback | None = None,
    look: bool = True,
    last: Iterable[str] = (),
    phases: Iterable[str] | None = None,
) -> Report:
    """Examine ``setup`` and return a ranked Report.

    Runs every registered check whose codes survive ``select``/``ignore`` (code prefixes).
    ``budget`` (seconds, default ``DEFAULT_BUDGET_S``) is a wall-clock safety net, never a
    step budget: checks that would start after it, and checks whose probe it stopped, are
    inconclusive. They are listed in ``report.skipped`` (names) and
    ``report.extra["inconclusive"]`` (check, codes, reason; JSON ``"inconclusive"``, an empty
    list when nothing was), and their findings are withheld,
    so a slow machine can lose findings but never get different ones. Checks that need a
    loss the labels cannot give (D113) are listed in ``report.skipped`` too and in
    ``report.extra["skipped_checks"]`` (check, codes, reason). The user's model,
    optimizer and global RNG states are exactly as before. With ``look`` (the default) the
    data and the trial's predictions are measured too (``report.extra["look"]``, see
    :mod:`nndoctor.look`), and G606 is judged from them. Checks of the codes in ``last`` only run
    after every other (run's exam: the training checks its watch asked for), so their work can
    leave none of the others unstarted when the safety net runs out. ``phases``, when given, keeps only the
    checks of those phases, and of other phases only those of the ``last`` codes (run's exam: the static
    checks, plus the training checks asked for; a code with a check in both, such as O403's measurement
    at init and its trial's gradient history, runs only the static one unless asked).
    """
    started = time.perf_counter()
    budget = DEFAULT_BUDGET_S if budget is None else float(budget)
    wanted = {rule.code for rule in select_rules(list(select or []), list(ignore or []))}
    deferred = set(last)
    kept = None if phases is None else set(phases)
    checks = [c for c in registered_checks() if wanted.intersection(c.codes)
              and (kept is None or c.phase in kept or deferred.intersection(c.codes))]
    checks.sort(key=lambda c: bool(deferred) and set(c.codes) <= deferred)  # stable: the registry's order otherwise
    findings: list[Finding] = []
    failures: list[CheckFailure] = []
    inconclusive: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []  # checks that abstained because the loss cannot be computed (D113)
    with untouched(setup.model, setup.user_optimizer):
        seed_everything(setup.seed)
        setup.resolve()
        ctx = Context(setup=setup, deadline=started + budget, wanted=frozenset(wanted),
                      trained_codes=frozenset(code for c in checks if c.phase == "training" for code in c.codes))
        cost, samples = setup_step_cost(setup)
        ctx.put_probe("step_cost", cost)
        with probe_threads(cost, samples, setup.device):
            for index, chk in enumerate(checks):
                if progress is not None:
                    progress(chk.phase, index, len(checks))
                if ctx.out_of_time():
                    inconclusive.append(_inconclusive(chk, f"not started: the {budget:g} s safety net (--budget) had run out"))
                    continue
                produced, reason = _run_check(chk, ctx, wanted, failures, skipped)
                if reason is not None:
                    inconclusive.append(_inconclusive(chk, reason))
                else:
                    findings.extend(produced)
        _add_probe_telemetry(ctx, failures)
        looked = None
        if look:
            from .look.checkup import add_look  # scikit-learn, loaded only when a checkup runs

            looked = add_look(ctx, wanted, findings, failures)
        if progress is not None:
            progress("done", len(checks), len(checks))
    report = Report(
        mode="checkup",
        findings=rank(findings),
        setup=setup.summary(),
        telemetry=ctx.telemetry,
        failures=failures,
        skipped=[entry["check"] for entry in inconclusive + skipped],
        duration_s=time.perf_counter() - started,
    )
    report.extra["inconclusive"] = inconclusive
    report.extra["skipped_checks"] = skipped
    if looked is not None:
        report.extra["look"] = looked
    return report


def _inconclusive(chk: Check, reason: str) -> dict[str, Any]:
    """The report's entry for a check the safety net left without a result."""
    return {"check": chk.name, "codes": list(chk.codes), "reason": reason}


def _add_probe_telemetry(ctx: Context, failures: list[CheckFailure]) -> None:
    """Plot data from the probes the checks ran; a failure here is reported, never raised."""
    try:
        for key, block in probe_telemetry(ctx.cached_probes()).items():
            ctx.telemetry.setdefault(key, block)
    except Exception as exc:
        failures.append(CheckFailure("probe telemetry", (), f"{type(exc).__name__}: {exc}"))


def _run_check(
    chk: Check, ctx: Context, wanted: set[str], failures: list[CheckFailure], skipped: list[dict[str, Any]]
) -> tuple[list[Finding], str | None]:
    """Run one check: its findings for ``wanted`` codes, and why it is inconclusive (None when it is not).

    A crash becomes a CheckFailure. A check that hit the safety net, or read a probe the
    safety net stopped (even if it caught the exception), is inconclusive and yields nothing.
    A check that needed a loss the labels cannot give (:class:`LossUnavailable`; D113
    reports the labels) is appended to ``skipped`` with that reason: an abstention, not a crash.
    """
    seed_everything(ctx.setup.seed)
    ctx.begin_check()
    try:
        produced = list(chk.run(ctx) or [])
    except Inconclusive as exc:
        return [], ctx.inconclusive_reason() or str(exc)
    except LossUnavailable as exc:
        skipped.append({"check": chk.name, "codes": list(chk.codes), "reason": f"no loss value: {exc.problem}"})
        return [], None
    except Exception as exc:  # a broken check must never break the exam
        if ctx.inconclusive_reason() is not None:
            return [], ctx.inconclusive_reason()
        last = traceback.extract_tb(exc.__traceback__)[-1]
        failures.append(CheckFailure(chk.name, chk.codes, f"{type(exc).__name__}: {exc} ({last.filename.rsplit('/', 1)[-1]}:{last.lineno})"))
        return [], None
    reason = ctx.inconclusive_reason()
    if reason is not None:
        return [], reason
    return [f for f in produced if f.code in wanted], None
