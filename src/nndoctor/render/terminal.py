"""Terminal rendering with rich: verdict, then each root cause with its symptoms under it."""
from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from ..findings import Finding, Severity
from ..report import Report
from . import headline

STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _finding_block(finding: Finding, indent: int) -> Padding:
    """One finding: a headline, then the message, why and fix wrapped under it at the same indent."""
    head = Text()
    head.append(f"{finding.severity.value.upper():7} ", style=STYLE[finding.severity])
    head.append(f"{finding.code} {finding.name}", style="bold")
    if finding.location:
        head.append(f"  [{finding.location}]", style="dim")
    lines: list[Text] = [Text(finding.message)]
    if finding.explained_by:
        lines.append(Text(f"symptom of {finding.explained_by}", style="dim italic"))
    else:
        lines.append(Text.assemble(("why: ", "dim"), (finding.rule.why, "dim")))
        lines.append(Text.assemble(("fix: ", "green"), finding.fix or finding.rule.fix))
    body = Padding(Group(*lines), (0, 0, 0, 8))
    return Padding(Group(head, body), (0, 0, 1, 4 * indent))


def _depth(finding: Finding, by_code: dict[str, Finding]) -> int:
    depth, seen, code = 0, set(), finding.explained_by
    while code and code in by_code and code not in seen:
        seen.add(code)
        depth += 1
        code = by_code[code].explained_by
    return depth


def not_judged(report: Report) -> tuple[list[str], list[str], list[str], list[str]]:
    """What the report could not judge, in four lists of lines shared by the terminal and HTML renderers.

    Setup notes (``report.setup["notes"]``: what cannot be judged for this setup and why);
    checks the ``--budget`` safety net left inconclusive (``report.extra["inconclusive"]``,
    "check: reason"); checks that abstained for a reason of the setup
    (``report.extra["skipped_checks"]``); and any other name in ``report.skipped``.
    """
    notes = [str(n) for n in (report.setup or {}).get("notes") or []]
    exam = report.extra.get("exam") if isinstance(report.extra.get("exam"), dict) else {}
    entries = {"inconclusive": [], "skipped_checks": []}
    for key in entries:  # a run's report carries its exam's entries under "exam", names prefixed "exam: "
        entries[key] += [(str(e.get("check")), e.get("reason")) for e in report.extra.get(key) or []]
        entries[key] += [(f"exam: {e.get('check')}", e.get("reason")) for e in exam.get(key) or []]
    inconclusive = [f"{check}: {reason}" for check, reason in entries["inconclusive"]]
    skipped = [f"{check}: {reason}" for check, reason in entries["skipped_checks"]]
    listed = {check for pairs in entries.values() for check, _ in pairs}
    other = [name for name in report.skipped if name not in listed]
    return notes, inconclusive, skipped, other


def render(report: Report, console: Any = None) -> None:
    """Print the report: summary line, verdict (or why the run did not train), findings ranked (root first, symptoms indented)."""
    console = console or Console()
    setup = report.setup
    if setup:
        summary = Table.grid(padding=(0, 2))
        summary.add_row(
            f"[bold]{setup.get('name', '')}[/] · task {setup.get('task')} ({setup.get('task_reason')})",
            f"loss {setup.get('loss')} · optimizer {setup.get('optimizer')}",
        )
        console.print(summary)
    tone, _, sentence = headline(report)
    colour = {"ok": "green", "none": "magenta"}.get(tone) or STYLE[Severity(tone)]
    console.print(Panel(Text(sentence), title=f"nndoctor {report.mode}", border_style=colour))
    by_code = {f.code: f for f in report.findings}
    blocks = [_finding_block(f, _depth(f, by_code)) for f in report.findings]
    if blocks:
        console.print(Group(*blocks))
    for failure in report.failures:
        console.print(f"[magenta]check {failure.check} could not run:[/] {failure.error}")
    notes, inconclusive, skipped, other = not_judged(report)
    for note in notes:
        console.print(f"[dim]note: {note}[/]")
    if inconclusive:
        console.print("[dim]inconclusive (the --budget safety net ran out):[/]")
        for line in inconclusive:
            console.print(f"[dim]  {line}[/]")
    if skipped:
        console.print("[dim]skipped (nothing to judge them on):[/]")
        for line in skipped:
            console.print(f"[dim]  {line}[/]")
    if other:
        console.print(f"[dim]not judged: {', '.join(other)}[/]")
    counts = {s: sum(f.severity == s for f in report.findings) for s in Severity}
    console.print(
        f"[dim]{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} info · {report.duration_s:.1f}s[/]"
    )
