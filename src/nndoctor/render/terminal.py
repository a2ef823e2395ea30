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


def render(report: Report, console: Any = None) -> None:
    """Print the report: summary line, verdict, findings ranked (root first, symptoms indented)."""
    console = console or Console()
    setup = report.setup
    if setup:
        summary = Table.grid(padding=(0, 2))
        summary.add_row(
            f"[bold]{setup.get('name', '')}[/] · task {setup.get('task')} ({setup.get('task_reason')})",
            f"loss {setup.get('loss')} · optimizer {setup.get('optimizer')}",
        )
        console.print(summary)
    worst = report.worst
    colour = "green" if worst is None or worst == Severity.INFO else STYLE[worst]
    console.print(Panel(Text(report.verdict()), title=f"nndoctor {report.mode}", border_style=colour))
    by_code = {f.code: f for f in report.findings}
    blocks = [_finding_block(f, _depth(f, by_code)) for f in report.findings]
    if blocks:
        console.print(Group(*blocks))
    for failure in report.failures:
        console.print(f"[magenta]check {failure.check} could not run:[/] {failure.error}")
    if report.skipped:
        console.print(f"[dim]skipped for lack of budget: {', '.join(report.skipped)}[/]")
    counts = {s: sum(f.severity == s for f in report.findings) for s in Severity}
    console.print(
        f"[dim]{counts[Severity.ERROR]} error(s), {counts[Severity.WARNING]} warning(s), "
        f"{counts[Severity.INFO]} info · {report.duration_s:.1f}s[/]"
    )
