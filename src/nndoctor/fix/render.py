"""Show the fix section of a Report: in the terminal (rich) and as a section of the HTML report."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from markupsafe import escape
from rich.console import Console, Group
from rich.panel import Panel
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.syntax import Syntax
from rich.text import Text

from ..report import Report

STATUS_STYLE = {"verified": "green", "not-verified": "yellow", "no-remedy": "dim", "skipped": "dim"}


def _section(report: Report) -> dict[str, Any]:
    return report.extra.get("fix") or {}


def print_fix(report: Report, console: Console | None = None) -> None:
    """Print each root cause's verified remedy (before → after, the snippet) and what did not help."""
    console = console or Console()
    fix = _section(report)
    metric = fix.get("metric", "metric")
    parts: list[Any] = []
    if fix.get("baseline"):
        parts.append(Text(f"Trials: {len(fix.get('seeds', []))} seeds × {fix.get('steps')} steps per arm; "
                          f"scored on validation {metric} (higher is better).", style="dim"))
        if fix.get("schedule"):
            parts.append(Text(fix["schedule"] + ".", style="dim"))
    for result in fix.get("results", []):
        style = STATUS_STYLE.get(result["status"], "")
        parts.append(Text.assemble((f"\n{result['code']} {result['name']}", "bold"), "  ", (result["status"], style),
                                   (f"  (explained by {result['explained_by']})" if result.get("explained_by") else "", "dim")))
        remedy = result.get("remedy")
        if remedy:
            parts.append(Text(f"  ✔ {remedy['title']}: {metric} {remedy['before']['metric_text']} → "
                              f"{remedy['after']['metric_text']} ({remedy['reason']})", style="green"))
            parts.append(Syntax(remedy["snippet"], "python", theme="ansi_dark", background_color="default", padding=(0, 4)))
        for tried in result.get("not_helpful", []):
            parts.append(Text(f"  ✘ {tried['title']}: {tried['after']['metric_text']} vs {tried['before']['metric_text']} "
                              f"({tried['reason']})", style="yellow"))
        for item in result.get("not_applicable", []):
            parts.append(Text(f"  · {item['remedy']} not applicable: {item['reason']}", style="dim"))
        if result["status"] == "no-remedy":
            parts.append(Text(f"  No trialled remedy for this code; the playbook's fix: {result['fix']}", style="dim"))
    for loop in fix.get("loop_fixes", []):
        parts.append(Text.assemble((f"\n{loop['code']} {loop['name']}", "bold"), "  ", (loop["note"], "dim")))
        parts.append(Syntax(loop["snippet"], "python", theme="ansi_dark", background_color="default", padding=(0, 4)))
    for skipped in fix.get("skipped", []):
        parts.append(Text(f"skipped: {skipped}", style="dim"))
    if fix.get("note"):
        parts.append(Text(fix["note"], style="dim"))
    parts.append(Text("\n" + fix.get("message", ""), style="bold"))
    console.print(Panel(Group(*parts), title="nndoctor fix: remedies tried", border_style="cyan"))


def progress_bar(console: Console | None = None) -> tuple[Progress, Callable[[str, int, int], None]]:
    """A rich progress bar (stderr) and the ``progress(description, done, total)`` callback that drives it."""
    bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   console=console or Console(stderr=True), transient=True)
    task = bar.add_task("fix", total=1)

    def update(description: str, done: int, total: int) -> None:
        bar.update(task, description=description, completed=done, total=max(total, 1))

    return bar, update


def _html_section(report: Report) -> str:
    fix = _section(report)
    metric = escape(fix.get("metric", "metric"))
    rows = [f"<h2>Remedies tried</h2><p class=\"note\">{escape(fix.get('message', ''))} "
            f"Trials: {len(fix.get('seeds', []))} seeds × {fix.get('steps')} steps per arm, validation {metric}."
            + (f" {escape(fix['schedule'])}." if fix.get("schedule") else "") + "</p>"]
    for result in fix.get("results", []):
        rows.append(f"<article class=\"finding\"><div class=\"head\"><span class=\"code\">{escape(result['code'])}</span>"
                    f"<span class=\"name\">{escape(result['name'])}</span><span class=\"role\">{escape(result['status'])}</span></div>")
        if result.get("remedy"):
            r = result["remedy"]
            rows.append(f"<p class=\"fix\"><b>Verified:</b> {escape(r['title'])}: {metric} {escape(r['before']['metric_text'])} → "
                        f"{escape(r['after']['metric_text'])} ({escape(r['reason'])})</p><pre><code>{escape(r['snippet'])}</code></pre>")
        for t in result.get("not_helpful", []):
            rows.append(f"<p class=\"msg\"><b>Did not help:</b> {escape(t['title'])}: {escape(t['after']['metric_text'])} "
                        f"vs {escape(t['before']['metric_text'])} ({escape(t['reason'])})</p>")
        for item in result.get("not_applicable", []):
            rows.append(f"<p class=\"note\">{escape(item['remedy'])} not applicable: {escape(item['reason'])}</p>")
        rows.append("</article>")
    for loop in fix.get("loop_fixes", []):
        rows.append(f"<article class=\"finding\"><div class=\"head\"><span class=\"code\">{escape(loop['code'])}</span>"
                    f"<span class=\"name\">{escape(loop['name'])}</span></div><p class=\"note\">{escape(loop['note'])}</p>"
                    f"<pre><code>{escape(loop['snippet'])}</code></pre></article>")
    for skipped in fix.get("skipped", []):
        rows.append(f"<p class=\"note\">Skipped: {escape(skipped)}</p>")
    return "\n".join(rows)


def save_fix_html(report: Report, path: str | Path) -> Path:
    """The standard HTML report with the remedies section placed before the findings."""
    from ..render.html import save_html

    return save_html(report, path, section=_html_section(report))
