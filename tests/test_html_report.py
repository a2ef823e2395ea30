"""The HTML report: self-contained, escaped, verdict first, root causes with nested symptoms,
one plot per telemetry block present (and none, without error, when it is absent)."""
from __future__ import annotations

import base64
import math
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from nndoctor import Finding, Report
from nndoctor.render.html import format_value, render_fragment, render_html, save_html
from nndoctor.render.plots import render_figures

EVIL = "<script>alert(1)</script>"


def full_telemetry(layers: list[str] | None = None, seed: int = 0) -> dict:
    """Telemetry with every documented key, shaped as the docstring of render/plots.py says."""
    rng = np.random.default_rng(seed)
    layers = layers or ["0", "2", "4"]
    steps = list(range(0, 60, 5))
    train = list(2.3 * np.exp(-np.arange(60) / 25) + 0.05 * rng.random(60))
    train[50:] = [float("nan")] * 10
    return {
        "loss_curve": {"step": list(range(60)), "train": train, "val_step": steps, "val": [2.3 - 0.02 * s for s in steps],
                       "events": [{"step": 50, "code": "O401"}]},
        "lr_range": {"lrs": list(np.logspace(-6, 1, 40)), "losses": list(2.3 - np.tanh(np.linspace(0, 3, 40)) + np.r_[np.zeros(34), np.logspace(-1, 2, 6)]),
                     "suggested_lr": 3e-3, "user_lr": 0.1},
        "grad_norms": {"steps": steps, "layers": layers, "values": (10.0 ** rng.normal(-2, 1, (len(steps), len(layers)))).tolist()},
        "activations": {"steps": steps, "layers": layers, "mean": rng.normal(0, 1, (len(steps), len(layers))).tolist(),
                        "std": np.abs(rng.normal(1, 0.3, (len(steps), len(layers)))).tolist()},
        "dead_share": {"steps": steps, "layers": layers, "values": np.linspace(0, 0.8, len(steps))[:, None].repeat(len(layers), 1).tolist()},
        "saturated_share": {"steps": steps, "layers": layers, "values": np.zeros((len(steps), len(layers))).tolist()},
        "data_audit": {"feature_std": list(rng.uniform(0, 90, 64)), "feature_mean": list(rng.uniform(0, 200, 64)),
                       "class_shares": {str(c): 0.1 for c in range(10)}, "overlap_share": 0.02},
    }


def broken_report(layer_name: str = "0", telemetry: dict | None = None) -> Report:
    """A report with a root cause, two symptoms under it, an independent warning and an info."""
    findings = [
        Finding("D101", "error", f"inputs range 0..255 (mean 84.2, std 92.1) at {layer_name}",
                evidence={"max_abs": 255.0, "mean": 84.2, "features": list(range(20))}, location="input"),
        Finding("L301", "error", "model outputs sum to 1 before CrossEntropyLoss", evidence={"row_sum": 1.0}, location="10"),
        Finding("M204", "warning", f"72% saturated units in layer {layer_name}", evidence={"share": 0.72, "layer": layer_name},
                location=layer_name, explained_by="D101"),
        Finding("O401", "warning", "loss became NaN at step 50", evidence={"step": 50, "lr": 0.1}, explained_by="D101"),
        Finding("T507", "info", "no seed fixed"),
    ]
    return Report(mode="checkup", findings=findings, telemetry=full_telemetry([layer_name, "2", "4"]) if telemetry is None else telemetry,
                  setup={"name": f"digits {layer_name}", "task": "multiclass", "loss": "CrossEntropyLoss", "optimizer": "SGD(lr=0.1)"},
                  duration_s=12.3)


class _Collector(HTMLParser):
    """Tags, attributes and visible text of a document, parsed by the standard library."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in ("style", "script"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


@pytest.fixture(scope="module")
def broken_html() -> str:
    """The full broken report with every plot, rendered once for the module."""
    return render_html(broken_report())


@pytest.fixture(scope="module")
def figures() -> dict:
    return {f.key: f for f in render_figures(full_telemetry())}


def test_page_is_self_contained_and_scriptless(broken_html):
    page = parse(broken_html)
    assert not [t for t, _ in page.tags if t in ("script", "iframe", "object", "embed")]
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            if name in attrs:
                assert attrs[name].startswith(("data:", "#")), (tag, attrs[name])
    csp = [a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert csp and "default-src 'none'" in csp[0]


def test_malicious_names_render_as_text():
    html = render_html(broken_report(layer_name=EVIL, telemetry={"dead_share": full_telemetry([EVIL])["dead_share"]}))
    assert EVIL not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    page = parse(html)
    assert not [t for t, _ in page.tags if t == "script"]
    assert EVIL in "".join(page.text)


def test_verdict_comes_first_then_root_causes_with_nested_symptoms(broken_html):
    report, html = broken_report(), broken_html
    text = " ".join(" ".join(parse(html).text).split())
    verdict = " ".join(report.verdict().split())
    assert verdict.startswith("D101")
    assert text.index(verdict) < text.index("Findings")
    for code in report.codes:
        assert f'data-code="{code}"' in html
    root = html.index('data-code="D101"')
    l301 = html.index('data-code="L301"')
    assert root < html.index('data-code="M204"') < html.index('data-code="O401"') < l301
    assert "symptom of D101" in html and "Explains 2 symptoms" in html


def test_each_plot_drawn_when_its_telemetry_is_present(figures):
    assert set(figures) == {"loss_curve", "lr_range", "grad_norms", "activations", "unit_shares", "data_audit"}
    for figure in figures.values():
        assert figure.error is None, figure.error
        svg = base64.b64decode(figure.src.split(",", 1)[1])
        assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg
    telemetry = full_telemetry()
    for keys, expected in (({"saturated_share"}, {"unit_shares"}), ({"lr_range", "data_audit"}, {"lr_range", "data_audit"})):
        assert {f.key for f in render_figures({k: telemetry[k] for k in keys})} == expected


def test_missing_telemetry_is_skipped_and_bad_telemetry_noted():
    assert render_figures({}) == []
    html = render_html(broken_report(telemetry={}))
    assert "No telemetry was recorded" in html and "<img" not in html
    bad = {"grad_norms": {"steps": [1, 2, 3], "layers": ["a", "b"], "values": [[1.0, 2.0]]}, "lr_range": {"lrs": [1e-4, 1e-3], "losses": [2.0, 1.0]}}
    figures = {f.key: f for f in render_figures(bad)}
    assert figures["grad_norms"].error and "shape" in figures["grad_norms"].error and figures["grad_norms"].src is None
    assert figures["lr_range"].error is None
    assert "could not draw this plot" in render_html(broken_report(telemetry=bad))


def test_layer_major_matrices_and_json_strings_are_accepted():
    """Producers may send layer-major matrices and the 'nan' strings that jsonable writes."""
    block = {"steps": [0, 1, 2], "layers": ["a", "b"], "values": [[1.0, "nan", 3.0], [0.0, 2.0, "inf"]]}
    (figure,) = render_figures({"grad_norms": block})
    assert figure.error is None


def test_findings_link_to_the_plots_that_show_them(broken_html):
    html = broken_html
    ids = set(re.findall(r'id="(plot-[a-z_]+)"', html))
    links = set(re.findall(r'href="#(plot-[a-z_]+)"', html))
    assert links and links <= ids
    assert "#plot-data_audit" in html and "#plot-lr_range" in html


def test_save_html_writes_the_file_and_report_methods(tmp_path):
    report = broken_report(telemetry={})
    path = save_html(report, tmp_path / "sub" / "r.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    second = report.save_html(tmp_path / "r2.html")
    assert second.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    fragment = report._repr_html_()
    assert '<div class="nnd">' in fragment and "<html" not in fragment
    assert isinstance(report.findings, list)
    assert [f.code for f in report.findings if f.severity.value == "warning"] == ["M204", "O401"]


def test_healthy_report_says_so():
    report = Report(mode="checkup", setup={"name": "fine"})
    html = render_fragment(report, figures=[])
    assert "v-ok" in html and "Healthy" in html and "No findings" in html


def test_format_value_is_compact_and_exact():
    assert format_value(1 / 3) == "0.3333"
    assert format_value(list(range(10))) == "[0, 1, 2, 3, 4, 5, 6, 7, … (+2 more)]"
    assert format_value({"a": 2.0, "b": None}) == "{a: 2, b: None}"
    assert format_value(math.inf) == "inf"


@pytest.mark.parametrize("layers", [1, 40])
def test_heatmaps_handle_one_or_many_layers(layers):
    names = [f"block{i}.conv" for i in range(layers)]
    telemetry = full_telemetry(names)
    drawn = render_figures({k: telemetry[k] for k in ("grad_norms", "activations", "dead_share")})
    assert len(drawn) == 3 and all(f.error is None for f in drawn), [f.error for f in drawn]


def test_probe_telemetry_shapes_are_mapped_onto_the_documented_keys():
    """The trial probe's block and a dict-valued LR suggestion feed the loss curve, heatmap and LR line."""
    from nndoctor.render.plots import normalise

    trial = {"step_losses": [2.3, 2.1, float("nan")], "eval_steps": [0, 2], "val_loss": [2.4, 2.2], "diverged_step": 3,
             "grad_norms": {"0.weight": [1.0, 0.5, 0.25], "2.weight": [0.1, 0.2]}}
    lr_block = {"lrs": [1e-4, 1e-3], "losses": [2.3, 2.0], "suggestion": {"lr": 5e-4, "reason": "steepest"}}
    out = normalise({"trial": trial, "lr_range": lr_block})
    assert out["loss_curve"]["step"] == [1, 2, 3] and out["loss_curve"]["val"] == [2.4, 2.2]
    assert out["loss_curve"]["events"] == [{"step": 3, "code": "diverged"}]
    values = np.array(out["grad_norms"]["values"], dtype=float)
    assert out["grad_norms"]["layers"] == ["0.weight", "2.weight"] and values.shape == (3, 2)
    assert values[:, 0].tolist() == [1.0, 0.5, 0.25] and math.isnan(values[2, 1])
    assert out["lr_range"]["suggested_lr"] == 5e-4
    own = {"step": [0], "train": [1.0]}
    assert normalise({"trial": trial, "loss_curve": own})["loss_curve"] is own
    assert "suggestion" in lr_block


def test_findings_with_a_step_mark_the_loss_curve():
    from nndoctor.render.plots import normalise

    report = broken_report()
    curve = normalise(report.telemetry, report.findings)["loss_curve"]
    assert curve["events"] == [{"step": 50, "code": "O401"}]
    report.findings.append(Finding("G601", "warning", "val loss rises from step 30", evidence={"first_step": 30}))
    events = normalise(report.telemetry, report.findings)["loss_curve"]["events"]
    assert {"step": 30, "code": "G601"} in events and len(events) == 2
    assert report.telemetry["loss_curve"]["events"] == [{"step": 50, "code": "O401"}]
