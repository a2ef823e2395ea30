"""The record of what was tried: best configuration as code, metric vs each hyperparameter,
Optuna's parameter importances, and the trials the doctor stopped and why (terminal, JSON, HTML)."""
from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from scipy.stats import spearmanr


def _trial_row(trial: Any) -> dict[str, Any]:
    attrs = trial.user_attrs
    return {
        "number": trial.number, "state": trial.state.name.lower(), "value": trial.value,
        "params": trial.params or attrs.get("params", {}), "seed": attrs.get("seed"), "steps": attrs.get("steps", 0),
        "curve": attrs.get("curve", []), "findings": attrs.get("findings", []),
        "pruned_by": attrs.get("pruned_by"), "pruned_because": attrs.get("pruned_because"),
        "stopped_by": attrs.get("stopped_by"),
    }


def best_as_code(params: dict[str, Any], value: float, metric: str, number: int) -> str:
    args = ", ".join(f"{k}={v!r}" for k, v in params.items())
    return f"# best of the study: trial {number}, val {metric} {value:.4g}\nBEST = dict({args})\nbest_setup = setup(**BEST)"


def _importances(study: Any) -> dict[str, float]:
    """Optuna's fANOVA importances; empty when too few trials finished to estimate them."""
    import optuna

    try:
        return {k: float(v) for k, v in optuna.importance.get_param_importances(study).items()}
    except (RuntimeError, ValueError, ZeroDivisionError):
        return {}


def _metric_vs(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Per parameter, the (value, metric) points of finished trials and their Spearman rank correlation."""
    out: dict[str, dict[str, Any]] = {}
    done = [r for r in rows if r["state"] == "complete" and r["value"] is not None]
    for name in sorted({k for r in done for k in r["params"]}):
        points = [[r["params"][name], r["value"]] for r in done if name in r["params"]]
        numeric = [p for p in points if isinstance(p[0], (int, float)) and not isinstance(p[0], bool)]
        rho = None
        if len(numeric) >= 3 and len({p[0] for p in numeric}) > 1 and len({p[1] for p in numeric}) > 1:
            rho = float(spearmanr([p[0] for p in numeric], [p[1] for p in numeric]).statistic)
        out[name] = {"points": points, "spearman": rho}
    return out


def summarise(result: Any) -> dict[str, Any]:
    """The JSON-able record of the study (all workers' trials, not only this run's)."""
    study = result.study
    rows = [_trial_row(t) for t in study.trials]
    metric = next((r for r in (t.user_attrs.get("metric") for t in study.trials) if r), "metric")
    complete = [r for r in rows if r["state"] == "complete" and r["value"] is not None]
    best = max(complete, key=lambda r: r["value"]) if complete else None
    stopped = result.stopped
    return {
        "study": study.study_name, "storage": result.storage, "metric": metric, "steps_per_trial": result.steps,
        "trials": rows, "new_trials": result.new_trials,
        "counts": {s: sum(r["state"] == s for r in rows) for s in ("complete", "pruned", "fail", "running")},
        "steps_spent": sum(int(r["steps"] or 0) for r in rows),
        "best": None if best is None else {**best, "code": best_as_code(best["params"], best["value"], metric, best["number"])},
        "importances": _importances(study) if len(complete) >= 2 else {},
        "metric_vs_param": _metric_vs(rows),
        "pruned": [{"number": r["number"], "by": r["pruned_by"] or "median", "because": r["pruned_because"], "step": r["steps"]}
                   for r in rows if r["state"] == "pruned"],
        "stopped_by": None if stopped is None else {"code": stopped.code, "message": stopped.message, "fix": stopped.fix or stopped.rule.fix},
        "stopped_by_other_worker": result.extra.get("stopped_by_other_worker"),
        "narrowed": {k: list(v) for k, v in result.extra.get("narrowed", {}).items() if isinstance(v, tuple)} or None,
        "fine": summarise(result.extra["fine"]) if "fine" in result.extra else None,
        "fine_skipped": result.extra.get("fine_skipped"),
    }


def print_summary(summary: dict[str, Any], console: Any = None) -> None:
    """The study in a few tables on the terminal."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    c = summary["counts"]
    console.print(f"[bold]nndoctor tune[/] study [bold]{summary['study']}[/]: {len(summary['trials'])} trials "
                  f"({c['complete']} complete, {c['pruned']} pruned, {c['fail']} failed), "
                  f"{summary['steps_spent']} training steps spent, {summary['steps_per_trial']} per full trial")
    if summary["stopped_by"]:
        s = summary["stopped_by"]
        console.print(f"[bold red]Study stopped by {s['code']}[/]: {s['message']}\n[bold]Fix:[/] {s['fix']} Tuning cannot fix this.")
    if summary["best"]:
        console.print(f"\n[bold]Best configuration[/] (val {summary['metric']} {summary['best']['value']:.4g}):")
        console.print(summary["best"]["code"], highlight=False, markup=False)
    table = Table(title="metric vs hyperparameter")
    for column in ("parameter", "importance", "Spearman ρ", "best value"):
        table.add_column(column)
    for name, data in summary["metric_vs_param"].items():
        imp = summary["importances"].get(name)
        rho = data["spearman"]
        best = summary["best"]["params"].get(name) if summary["best"] else None
        table.add_row(name, "—" if imp is None else f"{imp:.2f}", "—" if rho is None else f"{rho:+.2f}", repr(best))
    if summary["metric_vs_param"]:
        console.print(table)
    if summary["pruned"]:
        pruned = Table(title="pruned trials")
        for column in ("trial", "by", "at step", "why"):
            pruned.add_column(column, overflow="fold")
        for p in summary["pruned"]:
            pruned.add_row(str(p["number"]), p["by"], str(p["step"]), p["because"] or "")
        console.print(pruned)
    if summary.get("fine_skipped"):
        console.print(f"\n[bold]No fine round[/]: {summary['fine_skipped']}")
    if summary.get("fine"):
        ranges = ", ".join(f"{k}={tuple(v)!r}" for k, v in (summary["narrowed"] or {}).items())
        console.print(f"\n[bold]Fine round[/] (coarse-to-fine), ranges narrowed around the best quartile: {ranges}")
        print_summary(summary["fine"], console)


def save_json(summary: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(json.dumps(summary, indent=2, default=str))


def _scatter(points: list[list[Any]], log: bool) -> str:
    """A small inline SVG scatter of metric vs one numeric parameter."""
    w, h, pad = 260, 140, 24
    xs = [math.log10(p[0]) if log else float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    x0, x1 = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    y0, y1 = min(ys), max(ys) if max(ys) > min(ys) else min(ys) + 1
    dots = "".join(
        f'<circle cx="{pad + (x - x0) / (x1 - x0) * (w - 2 * pad):.1f}" cy="{h - pad - (y - y0) / (y1 - y0) * (h - 2 * pad):.1f}" r="3"/>'
        for x, y in zip(xs, ys)
    )
    return (f'<svg width="{w}" height="{h}" style="border:1px solid #ccc">{dots}'
            f'<text x="{pad}" y="{h - 4}" font-size="10">{"log10 " if log else ""}{x0:.3g} … {x1:.3g}</text>'
            f'<text x="2" y="12" font-size="10">{y1:.3g}</text><text x="2" y="{h - pad}" font-size="10">{y0:.3g}</text></svg>')


def html_section(summary: dict[str, Any]) -> str:
    """The tune section: best config as code, one scatter per numeric parameter, pruned trials."""
    e = html.escape
    parts = [f"<section><h2>Tuning: study {e(summary['study'])}</h2>",
             f"<p>{len(summary['trials'])} trials, {summary['steps_spent']} training steps spent.</p>"]
    if summary["stopped_by"]:
        s = summary["stopped_by"]
        parts.append(f"<p><b>Stopped by {e(s['code'])}</b>: {e(s['message'])} <b>Fix:</b> {e(s['fix'])}</p>")
    if summary["best"]:
        parts.append(f"<pre>{e(summary['best']['code'])}</pre>")
    for name, data in summary["metric_vs_param"].items():
        numeric = [p for p in data["points"] if isinstance(p[0], (int, float)) and not isinstance(p[0], bool)]
        if len(numeric) >= 2:
            log = min(p[0] for p in numeric) > 0 and max(p[0] for p in numeric) / min(p[0] for p in numeric) > 100
            imp = summary["importances"].get(name)
            parts.append(f"<figure><figcaption>val {e(summary['metric'])} vs {e(name)}"
                         f"{'' if imp is None else f' (importance {imp:.2f})'}</figcaption>{_scatter(numeric, log)}</figure>")
    if summary["pruned"]:
        rows = "".join(f"<tr><td>{p['number']}</td><td>{e(str(p['by']))}</td><td>{p['step']}</td><td>{e(p['because'] or '')}</td></tr>"
                       for p in summary["pruned"])
        parts.append(f"<table><tr><th>trial</th><th>pruned by</th><th>at step</th><th>why</th></tr>{rows}</table>")
    if summary.get("fine"):
        parts.append(f"<p>Fine round: ranges narrowed to {e(json.dumps(summary['narrowed']))}.</p>{html_section(summary['fine'])}")
    return "".join(parts) + "</section>"


def save_html(summary: dict[str, Any], path: str | Path) -> None:
    Path(path).write_text(f"<!doctype html><meta charset='utf-8'><title>nndoctor tune</title><body>{html_section(summary)}</body>")
