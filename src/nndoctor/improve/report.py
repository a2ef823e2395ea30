"""Show the improve section of a Report: a table and the code per technique (terminal and HTML)."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import escape
from rich.console import Console, Group
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from ..report import Report

STYLE = {"better": "green", "matches": "cyan", "worse": "yellow", "not-applicable": "dim", "inconclusive": "dim"}
TITLES = {"ensemble": "Ensemble", "distill": "Distillation", "prune": "Pruning (accuracy vs sparsity)", "quantize": "Dynamic int8 quantisation"}
COLUMNS = (("arm", "arm"), ("metric", "metric_text"), ("verdict", "verdict"), ("params", "params"),
           ("size MB", "size_mb"), ("latency ms/batch", "latency_ms"), ("sparsity", "achieved_sparsity"))


def _section(report: Report) -> dict[str, Any]:
    return report.extra.get("improve") or {}


def _cell(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def print_improve(report: Report, console: Console | None = None) -> None:
    """Print each technique's table (metric ± seed spread, size, latency) and its code."""
    console = console or Console()
    sec = _section(report)
    metric = sec.get("metric", "metric")
    parts: list[Any] = [Text(f"{len(sec.get('seeds', []))} seeds × {sec.get('steps')} steps per arm; validation {metric} "
                             "(higher is better), mean ± seed spread.", style="dim")]
    base = sec.get("baseline")
    for name, tech in sec.get("techniques", {}).items():
        status = tech.get("status", "")
        parts.append(Text.assemble((f"\n{TITLES.get(name, name)}", "bold"), "  ", (status, STYLE.get(status, "")),
                                   "  ", (tech.get("summary") or tech.get("reason", ""), "dim")))
        if not tech.get("rows"):
            continue
        table = Table(show_edge=False, pad_edge=False)
        for title, _ in COLUMNS:
            table.add_column(title)
        rows = tech["rows"] if name == "distill" or base is None else [base] + tech["rows"]
        for r in rows:
            table.add_row(*[_cell(r.get(key)) for _, key in COLUMNS], style=STYLE.get(r.get("verdict"), ""))
        parts.append(table)
        parts.append(Syntax(tech.get("snippet", ""), "python", theme="ansi_dark", background_color="default", padding=(0, 2)))
    for item in sec.get("skipped", []):
        parts.append(Text(f"skipped: {item}", style="dim"))
    for note in sec.get("notes", []):
        parts.append(Text(f"note: {note}", style="dim"))
    if sec.get("message"):
        parts.append(Text(sec["message"], style="bold"))
    console.print(Panel(Group(*parts), title="nndoctor improve: what each technique buys", border_style="cyan"))


def sparsity_plot(tech: dict[str, Any], base: dict[str, Any] | None) -> str:
    """Accuracy vs sparsity (mean ± seed spread per retraining arm, dense as a band) as an <img> data URI."""
    from ..render.plots import _new, _to_uri

    arms: dict[str, list[tuple[float, float, float]]] = {}
    for r in tech.get("rows", []):
        if " @ " in r["arm"] and r["metric"]["mean"] is not None:
            arms.setdefault(r["arm"].split(" @ ")[0], []).append((100 * r["sparsity"], r["metric"]["mean"], r["metric"]["std"] or 0.0))
    if not arms:
        return ""
    fig, axes = _new(6.0, 3.0)
    ax = axes[0]
    if base and base["metric"]["mean"] is not None:
        mean, std = base["metric"]["mean"], base["metric"]["std"] or 0.0
        ax.axhspan(mean - std, mean + std, color="0.85", label="dense ± spread")
    for arm, points in arms.items():
        xs, ys, es = zip(*sorted(points))
        ax.errorbar(xs, ys, yerr=es, marker="o", capsize=3, label=arm)
    ax.set_xlabel("sparsity (%)")
    ax.set_ylabel("validation metric")
    ax.legend(fontsize=7)
    return f'<img alt="accuracy vs sparsity" src="{_to_uri(fig)}">'


def size_points(sec: dict[str, Any]) -> list[tuple[str, float, float, float]]:
    """(label, size MB, metric mean, seed spread) for every row whose saved size was measured."""
    rows = [sec.get("baseline")] + [r for tech in sec.get("techniques", {}).values() for r in tech.get("rows", [])
                                    if r.get("verdict") != "baseline"]
    return [(r["arm"], r["size_mb"], r["metric"]["mean"], r["metric"]["std"] or 0.0) for r in rows
            if r and r.get("size_mb") is not None and r["metric"]["mean"] is not None]


def size_plot(sec: dict[str, Any]) -> str:
    """Accuracy vs size on disk (log scale) for the single model, ensemble, student and int8 model, as an <img>."""
    from ..render.plots import _new, _short, _to_uri

    points = size_points(sec)
    if len(points) < 2:
        return ""
    fig, axes = _new(6.0, 3.0)
    ax = axes[0]
    for label, size, mean, std in points:
        ax.errorbar([size], [mean], yerr=[std], marker="o", capsize=3, linestyle="none", label=_short(label, 40))
    ax.set_xscale("log")
    ax.set_xlabel("size of the saved state_dict (MB)")
    ax.set_ylabel("validation metric")
    ax.legend(fontsize=7)
    return f'<img alt="accuracy vs size" src="{_to_uri(fig)}">'


def html_section(report: Report) -> str:
    """The improve section as HTML (tables and code), escaped."""
    sec = _section(report)
    out = [(f"<h2>Improve</h2><p class=\"note\">{len(sec.get('seeds', []))} seeds × {sec.get('steps')} steps per arm; "
            f"validation {escape(sec.get('metric', 'metric'))}, mean ± seed spread. {escape(sec.get('message', ''))}</p>")]
    base = sec.get("baseline")
    for name, tech in sec.get("techniques", {}).items():
        out.append(f"<article class=\"finding\"><div class=\"head\"><span class=\"name\">{escape(TITLES.get(name, name))}</span>"
                   f"<span class=\"role\">{escape(tech.get('status', ''))}</span></div>"
                   f"<p class=\"note\">{escape(tech.get('summary') or tech.get('reason', ''))}</p>")
        if tech.get("rows"):
            rows = tech["rows"] if name == "distill" or base is None else [base] + tech["rows"]
            head = "".join(f"<th>{escape(t)}</th>" for t, _ in COLUMNS)
            body = "".join("<tr>" + "".join(f"<td>{escape(_cell(r.get(k)))}</td>" for _, k in COLUMNS) + "</tr>" for r in rows)
            plot = sparsity_plot(tech, base) if name == "prune" else ""
            out.append(f"<table><tr>{head}</tr>{body}</table>{plot}<pre><code>{escape(tech.get('snippet', ''))}</code></pre>")
        out.append("</article>")
    plot = size_plot(sec)
    if plot:
        out.append(f"<article class=\"finding\"><div class=\"head\"><span class=\"name\">Accuracy vs size</span></div>{plot}</article>")
    for note in sec.get("notes", []):
        out.append(f"<p class=\"note\">Note: {escape(note)}</p>")
    return "\n".join(out)


def save_improve_html(report: Report, path: str | Path) -> Path:
    """The standard HTML report with the improve section placed before the findings."""
    from ..render.html import save_html

    return save_html(report, path, section=html_section(report))
