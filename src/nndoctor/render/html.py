"""Self-contained HTML report: verdict first (or, for a run that made no training step, why it
did not train), findings ranked (root cause with its symptoms
nested), then the plots that show the evidence.

One file, no script, no external font, stylesheet or image: figures are inline SVG data
URIs, and a Content-Security-Policy forbids the page any request beyond ``data:``. Every
string that can come from the user (layer, feature and class names, paths, messages) goes
through Jinja2's autoescaping, so markup in a name renders as text.
"""
from __future__ import annotations

import datetime as _dt
import math
import re
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from .. import __version__
from ..findings import Finding, Severity, jsonable
from ..report import SCHEMA_VERSION, Report
from . import headline
from .look_html import CSS as LOOK_CSS
from .look_html import render_look
from .plots import Figure, plots_for, render_figures

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
.nnd{--ink:#1f2328;--muted:#59636e;--line:#d8dee4;--bg:#f6f8fa;--card:#fff;--err:#cf222e;--err-bg:#ffebe9;
--warn:#9a6700;--warn-bg:#fff8c5;--info:#0969da;--info-bg:#ddf4ff;--ok:#1a7f37;--ok-bg:#dafbe1;
font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);
max-width:1100px;margin:0 auto;padding:24px 28px 40px;box-sizing:border-box}
.nnd *{box-sizing:border-box}
.nnd h1{font-size:20px;margin:0;font-weight:600}
.nnd h2{font-size:17px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--line);font-weight:600}
.nnd .top{display:flex;justify-content:space-between;align-items:baseline;gap:16px;flex-wrap:wrap;margin-bottom:14px}
.nnd .sub{color:var(--muted);font-size:13px}
.nnd .verdict{border-radius:10px;padding:16px 20px;border:1px solid;display:flex;gap:16px;align-items:flex-start}
.nnd .verdict .status{font-weight:700;font-size:13px;text-transform:uppercase;letter-spacing:.04em;padding:3px 10px;
border-radius:999px;color:#fff;white-space:nowrap;margin-top:2px}
.nnd .verdict p{margin:0;font-size:17px;font-weight:500}
.nnd .v-ok{background:var(--ok-bg);border-color:#4ac26b}.nnd .v-ok .status{background:var(--ok)}
.nnd .v-error{background:var(--err-bg);border-color:#ff8182}.nnd .v-error .status{background:var(--err)}
.nnd .v-warning{background:var(--warn-bg);border-color:#d4a72c}.nnd .v-warning .status{background:var(--warn)}
.nnd .v-none{background:var(--bg);border-color:#8250df}.nnd .v-none .status{background:#8250df}
.nnd .counts{display:flex;gap:8px;flex-wrap:wrap;margin:12px 0 0}
.nnd .chip{font-size:13px;padding:2px 10px;border-radius:999px;background:var(--bg);border:1px solid var(--line)}
.nnd .toc{list-style:none;margin:14px 0 0;padding:10px 16px;border:1px solid var(--line);border-radius:8px;
columns:2 340px;column-gap:28px;font-size:14px}
.nnd .toc li{break-inside:avoid;padding:1px 0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.nnd .toc .code{font-size:13px}
.nnd .toc a{color:var(--ink)}
.nnd .dot{display:inline-block;width:8px;height:8px;border-radius:50%;margin-right:8px;vertical-align:middle}
.nnd .dot.error{background:var(--err)}.nnd .dot.warning{background:#d4a72c}.nnd .dot.info{background:var(--info)}
.nnd .setup{display:grid;grid-template-columns:repeat(auto-fill,minmax(230px,1fr));gap:4px 20px;margin:0;font-size:14px}
.nnd .setup div{display:flex;gap:8px;min-width:0}
.nnd .setup dt{color:var(--muted);white-space:nowrap}
.nnd .setup dd{margin:0;overflow-wrap:anywhere}
.nnd .finding{background:var(--card);border:1px solid var(--line);border-left:5px solid var(--line);border-radius:8px;
padding:12px 16px;margin:0 0 12px}
.nnd .finding.error{border-left-color:var(--err)}.nnd .finding.warning{border-left-color:#d4a72c}
.nnd .finding.info{border-left-color:var(--info)}
.nnd .finding .finding{margin:10px 0 0;background:var(--bg)}
.nnd .head{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.nnd .sev{font-size:11px;font-weight:700;text-transform:uppercase;padding:1px 8px;border-radius:4px}
.nnd .sev.error{background:var(--err-bg);color:var(--err)}.nnd .sev.warning{background:var(--warn-bg);color:var(--warn)}
.nnd .sev.info{background:var(--info-bg);color:var(--info)}
.nnd .code{font:600 15px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.nnd .name{font-weight:600}
.nnd .loc{font-size:13px;color:var(--muted);overflow-wrap:anywhere}
.nnd .role{font-size:12px;color:var(--muted);margin-left:auto}
.nnd .msg{margin:6px 0}
.nnd .why,.nnd .fix{margin:4px 0;font-size:14px}
.nnd .why b{color:var(--muted)}.nnd .fix b{color:var(--ok)}
.nnd code{font:13px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:rgba(175,184,193,.2);
padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
.nnd details{margin:6px 0 0;font-size:13px}
.nnd summary{cursor:pointer;color:var(--muted)}
.nnd table.ev{border-collapse:collapse;margin:6px 0 2px;font-size:13px}
.nnd table.ev td{border-top:1px solid var(--line);padding:3px 12px 3px 0;vertical-align:top;overflow-wrap:anywhere}
.nnd table.ev td:first-child{color:var(--muted);white-space:nowrap}
.nnd .links{font-size:13px;margin-top:6px;color:var(--muted)}
.nnd a{color:var(--info);text-decoration:none}.nnd a:hover{text-decoration:underline}
.nnd .symptoms{font-size:13px;color:var(--muted);margin:10px 0 0;font-weight:600}
.nnd figure{margin:0 0 18px;background:var(--card);border:1px solid var(--line);border-radius:8px;padding:12px 16px}
.nnd figure h3{margin:0 0 2px;font-size:15px}
.nnd figcaption{font-size:13px;color:var(--muted);margin-bottom:8px}
.nnd figure img{max-width:100%;height:auto;display:block;margin:0 auto}
.nnd .note{color:var(--muted);font-size:14px}
.nnd .failure{color:#8250df;font-size:14px;margin:4px 0}
.nnd footer{margin-top:36px;color:var(--muted);font-size:12px;border-top:1px solid var(--line);padding-top:10px}
"""

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{{ csp }}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>nndoctor {{ report.mode }} — {{ title }}</title>
<style>body{margin:0;background:#fff}</style>
</head>
<body>
{{ fragment }}
</body>
</html>
"""

FRAGMENT = """<style>{{ css }}</style>
<div class="nnd">
<div class="top">
  <h1>nndoctor {{ report.mode }}{% if setup.name %} · {{ setup.name }}{% endif %}</h1>
  <span class="sub">{{ generated }}{% if report.duration_s %} · {{ "%.1f"|format(report.duration_s) }} s{% endif %}</span>
</div>
<section class="verdict v-{{ tone }}" id="verdict">
  <span class="status">{{ status }}</span>
  <p>{{ verdict }}</p>
</section>
<div class="counts">
  <span class="chip">{{ counts.error }} error{{ "s" if counts.error != 1 }}</span>
  <span class="chip">{{ counts.warning }} warning{{ "s" if counts.warning != 1 }}</span>
  <span class="chip">{{ counts.info }} info</span>
  {% if roots %}<span class="chip">{{ roots }} root cause{{ "s" if roots != 1 }}</span>{% endif %}
</div>
{% if toc %}
<ul class="toc">
{% for node, depth in toc %}<li style="margin-left:{{ depth * 22 }}px"><span class="dot {{ node.finding.severity.value }}"></span><a href="#finding-{{ node.index }}"><span class="code">{{ node.finding.code }}</span> {{ node.finding.name }}</a>{% if depth %} <span class="sub">symptom</span>{% endif %}</li>
{% endfor %}</ul>
{% endif %}
{% if setup_rows %}
<h2>Setup</h2>
<dl class="setup">
{% for key, value in setup_rows %}<div><dt>{{ key }}</dt><dd>{{ value }}</dd></div>
{% endfor %}</dl>
{% endif %}
<h2>Findings</h2>
{% macro card(node) -%}
{%- set f = node.finding -%}
<article class="finding {{ f.severity.value }}" id="finding-{{ node.index }}" data-code="{{ f.code }}">
  <div class="head">
    <span class="sev {{ f.severity.value }}">{{ f.severity.value }}</span>
    <span class="code">{{ f.code }}</span><span class="name">{{ f.name }}</span>
    {% if f.location %}<span class="loc">at {{ f.location }}</span>{% endif %}
    {% if f.explained_by %}<span class="role">symptom of {{ f.explained_by }}</span>
    {% elif node.children %}<span class="role">root cause</span>{% endif %}
  </div>
  <p class="msg">{{ f.message }}</p>
  {% if not f.explained_by or not node.nested %}
  <p class="why"><b>Why it matters:</b> {{ f.rule.why | code }}</p>
  <p class="fix"><b>Fix:</b> {{ (f.fix or f.rule.fix) | code }}</p>
  {% endif %}
  {% if node.evidence %}
  <details{% if not f.explained_by %} open{% endif %}><summary>evidence</summary>
  <table class="ev">{% for key, value in node.evidence %}<tr><td>{{ key }}</td><td>{{ value }}</td></tr>{% endfor %}</table>
  </details>
  {% endif %}
  {% if node.plots %}<div class="links">See: {% for key, title in node.plots %}<a href="#plot-{{ key }}">{{ title }}</a>{{ " · " if not loop.last }}{% endfor %}</div>{% endif %}
  {% if node.children %}
  <div class="symptoms">Explains {{ node.children|length }} symptom{{ "s" if node.children|length != 1 }}:</div>
  {% for child in node.children %}{{ card(child) }}{% endfor %}
  {% endif %}
</article>
{%- endmacro %}
{% for node in tree %}{{ card(node) }}
{% else %}<p class="note">{% if tone == "none" %}No findings: the script made no training step, so there was no training to judge.{% else %}No findings: every check that ran found this setup within the playbook's bounds.{% endif %}</p>
{% endfor %}
{% if report.failures %}
<h2>Checks that could not run</h2>
{% for failure in report.failures %}<p class="failure"><b>{{ failure.check }}</b> ({{ failure.codes|join(", ") }}): {{ failure.error }}</p>
{% endfor %}
{% endif %}
{% for note in not_judged[0] %}<p class="note">Note: {{ note }}</p>
{% endfor %}
{% if not_judged[1] %}<p class="note">Inconclusive (the --budget safety net ran out):</p>
<ul class="note">{% for line in not_judged[1] %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% if not_judged[2] %}<p class="note">Skipped (nothing to judge them on):</p>
<ul class="note">{% for line in not_judged[2] %}<li>{{ line }}</li>{% endfor %}</ul>{% endif %}
{% if not_judged[3] %}<p class="note">Not judged: {{ not_judged[3]|join(", ") }}.</p>{% endif %}
{{ look_section }}
<h2>Plots</h2>
{% for fig in figures %}
<figure id="plot-{{ fig.key }}">
  <h3>{{ fig.title }}</h3>
  <figcaption>{{ fig.caption }}</figcaption>
  {% if fig.src %}<img src="{{ fig.src }}" alt="{{ fig.title }}">{% else %}<p class="failure">{{ fig.error }}</p>{% endif %}
</figure>
{% else %}<p class="note">No telemetry was recorded for plots in this run.</p>
{% endfor %}
<footer>nndoctor {{ version }} · report schema {{ schema }} · this file is self-contained and works offline.</footer>
</div>
"""

_CODE_SPAN = re.compile(r"`([^`]+)`")


def _code_filter(text: Any) -> Markup:
    """Escape ``text`` and turn `backtick` spans into <code> elements."""
    return Markup(_CODE_SPAN.sub(r"<code>\1</code>", str(escape(str(text)))))


_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_ENV.filters["code"] = _code_filter
_FRAGMENT = _ENV.from_string(FRAGMENT)
_PAGE = _ENV.from_string(PAGE)


def format_value(value: Any, limit: int = 8) -> str:
    """A compact human-readable form of an evidence value (4 significant digits, long lists cut)."""
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return f"{value:.4g}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        items = list(value.items())
        shown = ", ".join(f"{k}: {format_value(v, limit)}" for k, v in items[:limit])
        return "{" + shown + (f", … (+{len(items) - limit} more)" if len(items) > limit else "") + "}"
    if isinstance(value, (list, tuple)):
        shown = ", ".join(format_value(v, limit) for v in value[:limit])
        return "[" + shown + (f", … (+{len(value) - limit} more)" if len(value) > limit else "") + "]"
    return str(value)


def _tree(findings: list[Finding], plot_titles: dict[str, str]) -> list[dict[str, Any]]:
    """Root causes in report order, each with the findings it explains nested under it."""
    nodes = [
        {
            "finding": f,
            "index": i,
            "children": [],
            "nested": False,
            "evidence": [(str(k), format_value(v)) for k, v in jsonable(f.evidence or {}).items()],
            "plots": [(key, plot_titles[key]) for key in plots_for(f.code, set(plot_titles))],
        }
        for i, f in enumerate(findings)
    ]
    first_by_code: dict[str, dict[str, Any]] = {}
    for node in nodes:
        first_by_code.setdefault(node["finding"].code, node)
    roots = []
    for node in nodes:
        parent = first_by_code.get(node["finding"].explained_by or "")
        if parent is not None and parent is not node and not _is_ancestor(node, parent, first_by_code):
            node["nested"] = True
            parent["children"].append(node)
        else:
            roots.append(node)
    return roots


def _flatten(nodes: list[dict[str, Any]], depth: int = 0) -> list[tuple[dict[str, Any], int]]:
    """The finding tree in reading order, each node with its nesting depth."""
    flat: list[tuple[dict[str, Any], int]] = []
    for node in nodes:
        flat.append((node, depth))
        flat.extend(_flatten(node["children"], depth + 1))
    return flat


def _is_ancestor(node: dict[str, Any], candidate: dict[str, Any], first_by_code: dict[str, dict[str, Any]]) -> bool:
    """True when ``node`` already sits above ``candidate`` (guards against explained_by cycles)."""
    seen: set[int] = set()
    current = candidate
    while current is not None and id(current) not in seen:
        if current is node:
            return True
        seen.add(id(current))
        current = first_by_code.get(current["finding"].explained_by or "")
    return False




def _setup_rows(setup: dict[str, Any]) -> list[tuple[str, str]]:
    hidden = {"name", "notes"}  # notes are shown as sentences with what was not judged
    return [(str(k).replace("_", " "), format_value(v)) for k, v in (setup or {}).items() if k not in hidden and v is not None]


def render_fragment(report: Report, figures: list[Figure] | None = None) -> str:
    """The report as an embeddable HTML fragment (scoped stylesheet + one ``div.nnd``)."""
    # the same lines of what was not judged as the terminal shows
    from .terminal import not_judged

    figures = render_figures(report.telemetry, report.findings) if figures is None else figures
    tone, status, sentence = headline(report)
    counts = {s.value: sum(f.severity == s for f in report.findings) for s in Severity}
    titles = {fig.key: fig.title for fig in figures if fig.src}
    tree = _tree(list(report.findings), titles)
    return _FRAGMENT.render(
        css=Markup(CSS + LOOK_CSS),
        report=report,
        look_section=render_look(report),
        not_judged=not_judged(report),
        setup=report.setup or {},
        setup_rows=_setup_rows(report.setup),
        verdict=sentence,
        tone=tone,
        status=status,
        counts=counts,
        roots=len(report.root_causes()),
        tree=tree,
        toc=_flatten(tree),
        figures=figures,
        generated=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=__version__,
        schema=SCHEMA_VERSION,
    )


def render_html(report: Report) -> str:
    """The report as one self-contained HTML document."""
    title = headline(report)[2]
    return _PAGE.render(csp=CSP, report=report, title=title if len(title) < 90 else title[:89] + "…",
                        fragment=Markup(render_fragment(report)))


def save_html(report: Report, path: str | Path, section: str | None = None) -> Path:
    """Write the self-contained HTML report to ``path`` (parent folders are created).

    ``section`` (trusted, already escaped HTML: a mode's own results, e.g. fix's remedies)
    is placed before the findings.
    """
    page = render_html(report)
    if section:
        marker = "<h2>Findings</h2>"
        part = Markup(section)
        page = page.replace(marker, part + "\n" + marker, 1) if marker in page else page.replace("</body>", part + "</body>", 1)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
