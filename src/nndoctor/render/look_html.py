"""The report's "Look at the data and the predictions" section as an HTML fragment.

Rendered with autoescaping (labels, decoded token text and notes are user strings), pictures
as inline PNG data URIs: the section, like the report, makes no request. It reads
``report.extra["look"]``, or for ``nndoctor run`` the exam's ``extra["exam"]["look"]``.
"""
from __future__ import annotations

from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from ..report import Report
from .look_figures import look_pictures

CSS = """
.nnd .look table.ev td{text-align:right}.nnd .look table.ev td:first-child{text-align:left}
.nnd .look .scroll{overflow-x:auto}
.nnd .look .tokens{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;white-space:pre-wrap;overflow-wrap:anywhere}
"""

SECTION = """<section class="look" id="look">
<h2>Look at the data and the predictions</h2>
{% if batch.kind == "tokens" %}
<figure><h3>The batch as the model sees it</h3>
<figcaption>First training samples as {{ "decoded text" if batch.decoded else "token ids" }}, label first.</figcaption>
<table class="ev tokens">{% for row in batch.rows %}<tr><td>y={{ batch.labels[loop.index0] }}</td><td>{{ row }}</td></tr>{% endfor %}</table>
</figure>
{% elif batch.kind == "tabular" %}
<figure><h3>The batch as the model sees it</h3>
<figcaption>First training rows after preprocessing ({{ batch.table[0]|length }} of {{ batch.features }} features), label last.</figcaption>
<div class="scroll"><table class="ev">{% for row in batch.table %}<tr>{% for v in row %}<td>{{ "%.4g"|format(v) }}</td>{% endfor %}<td><b>{{ batch.labels[loop.index0] }}</b></td></tr>{% endfor %}</table></div>
</figure>
{% elif batch.kind == "other" %}<p class="note">Inputs {{ batch.shape }}: shown by shape only.</p>
{% endif %}
{% for title, caption, src in pictures %}
<figure class="look-fig">
  <h3>{{ title }}</h3>
  <figcaption>{{ caption }}</figcaption>
  <img src="{{ src }}" alt="{{ title }}">
</figure>
{% endfor %}
{% if baselines %}
<h3 id="look-baselines">Baselines</h3>
<table class="ev"><tr><td>trained network</td><td>{{ "%.4g"|format(baselines.network) }}</td><td>{{ baselines.metric }} ± {{ "%.2g"|format(baselines.standard_error) }}</td></tr>
{% for row in baselines.rows %}<tr><td>{{ row.name }}</td><td>{{ "%.4g"|format(row.value) if row.value is not none else "—" }}</td><td>{{ row.note or row.metric }}</td></tr>{% endfor %}</table>
{% endif %}
{% if bv %}
<h3 id="look-bias-variance">Bias / variance</h3>
<table class="ev">
<tr><td>target error{{ " (not given: 0 assumed)" if bv.target_assumed }}</td><td>{{ "%.4g"|format(bv.target or 0) }}</td></tr>
<tr><td>train error</td><td>{{ "%.4g"|format(bv.train) }}</td></tr>
{% if bv.val is not none %}<tr><td>validation error</td><td>{{ "%.4g"|format(bv.val) }}</td></tr>{% endif %}
{% if bv.test is not none %}<tr><td>test error</td><td>{{ "%.4g"|format(bv.test) }}</td></tr>{% endif %}
<tr><td>avoidable bias (train − target)</td><td>{{ "%.4g"|format(bv.avoidable_bias) }}</td></tr>
{% if bv.variance is not none %}<tr><td>variance (validation − train)</td><td>{{ "%.4g"|format(bv.variance) }}</td></tr>{% endif %}
</table>
<p class="note">Errors in {{ bv.unit }}. {% for line in bv.reading %}{{ line|capitalize }}. {% endfor %}</p>
{% endif %}
{% if pred and pred.kind == "classes" and pred.labels|length <= 40 %}
<h3 id="look-per-class">Per class (scikit-learn)</h3>
<table class="ev"><tr><td>class</td><td>precision</td><td>recall</td><td>F1</td><td>support</td></tr>
{% for c in pred.labels %}<tr><td>{{ c }}</td><td>{{ "%.3f"|format(pred.precision[loop.index0]) }}</td><td>{{ "%.3f"|format(pred.recall[loop.index0]) }}</td><td>{{ "%.3f"|format(pred.f1[loop.index0]) }}</td><td>{{ pred.support[loop.index0] }}</td></tr>{% endfor %}</table>
{% endif %}
{% for key, title in (("highest_loss", "Highest-loss samples"), ("confident_mistakes", "Most confident mistakes")) %}
{% if pred and pred[key] and "image" not in pred[key][0] %}
<h3>{{ title }}</h3>
<table class="ev"><tr><td>sample</td><td>predicted</td><td>true</td><td>score</td>{% if "text" in pred[key][0] %}<td>input</td>{% endif %}</tr>
{% for r in pred[key] %}<tr><td>{{ r.index }}</td><td>{{ r.predicted }}</td><td>{{ r.true }}</td><td>{{ r.score }}</td>{% if "text" in r %}<td class="tokens">{{ r.text }}</td>{% endif %}</tr>{% endfor %}</table>
{% endif %}
{% endfor %}
{% for note in notes %}<p class="note">Note: {{ note }}</p>
{% endfor %}
</section>
"""

_ENV = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
_SECTION = _ENV.from_string(SECTION)


def report_look(report: Report) -> dict[str, Any] | None:
    """The look a report carries: checkup's own, or the run exam's."""
    found = report.extra.get("look")
    if found is None:
        found = (report.extra.get("exam") or {}).get("look") if isinstance(report.extra.get("exam"), dict) else None
    return found if isinstance(found, dict) else None


def render_look(report: Report) -> Markup:
    """The look section (empty when the report has no look); pictures that fail are left out with a note."""
    look = report_look(report)
    if not look:
        return Markup("")
    notes = list(look.get("notes") or [])
    try:
        pictures = look_pictures(look)
    except Exception as exc:  # noqa: BLE001 - a picture must never break the report
        pictures, notes = [], notes + [f"the look's pictures could not be drawn: {type(exc).__name__}: {exc}"]
    return Markup(_SECTION.render(pictures=pictures, batch=look.get("batch") or {}, baselines=look.get("baselines"),
                                  bv=look.get("bias_variance"), pred=look.get("predictions"), notes=notes))
