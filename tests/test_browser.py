"""The demo's HTML reports in a real headless browser (Debian's chromium, driven by Playwright).

Checks what a reader sees: the verdict and every finding's code are visible, the page makes
no network request and logs no console error, and a malicious layer name stays text. A
screenshot of each page is saved under artifacts/screenshots/ (path printed in the log).
CI installs the browser with `apt-get install -y chromium chromium-driver` and
`pip install playwright`; the browser bundled by `playwright install` is never used.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from nndoctor import cli

from test_html_report import EVIL, broken_report, full_telemetry

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]
SCREENSHOTS = Path(__file__).resolve().parent.parent / "artifacts" / "screenshots"
DEMO_BUDGET_S = "45"

if CHROMIUM is None:
    pytest.skip("chromium is not installed (apt-get install -y chromium chromium-driver)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install playwright)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """Run each demo checkup once: {"broken"|"healthy": (html path, JSON report)}."""
    out = tmp_path_factory.mktemp("demo")
    reports = {}
    for kind, extra in (("broken", []), ("healthy", ["--healthy"])):
        html, js = out / f"{kind}.html", out / f"{kind}.json"
        status = cli.main(["demo", *extra, "--budget", DEMO_BUDGET_S, "--html", str(html), "--json", str(js)])
        assert status in (0, 1)
        reports[kind] = (html, json.loads(js.read_text()))
    return reports


class Visit:
    """One page load with every request, console error, page error and dialog recorded."""

    def __init__(self, browser, path: Path) -> None:
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page = browser.new_page(viewport={"width": 1366, "height": 768})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda msg: msg.type == "error" and self.errors.append(msg.text))
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri(), wait_until="load")

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def offsite(self) -> list[str]:
        return [url for url in self.requests if not url.startswith(("file://", "data:"))]

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        self.page.screenshot(path=str(path), full_page=True)
        print(f"screenshot saved: {path.relative_to(SCREENSHOTS.parent.parent)}")
        return path


@pytest.mark.parametrize("kind", ["broken", "healthy"])
def test_demo_report_shows_verdict_and_every_finding(browser, demo_reports, kind):
    html, data = demo_reports[kind]
    visit = Visit(browser, html)
    try:
        verdict = visit.page.locator("#verdict")
        assert verdict.is_visible()
        assert " ".join(verdict.inner_text().split()).endswith(" ".join(data["verdict"].split()))
        codes = [f["code"] for f in data["findings"]]
        for code in codes:
            card = visit.page.locator(f'article[data-code="{code}"] .code').first
            assert card.is_visible() and card.inner_text() == code
        assert visit.page.locator("article.finding").count() == len(codes)
        if kind == "healthy":
            assert not [f for f in data["findings"] if f["severity"] != "info"]
            assert "Healthy" in verdict.inner_text()
        for image in visit.page.locator("figure img").all():
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        shot = visit.screenshot(f"demo-{kind}.png")
        assert shot.stat().st_size > 10_000
        assert visit.offsite() == [], visit.offsite()
        assert visit.errors == [] and visit.dialogs == []
    finally:
        visit.page.close()


def test_full_report_with_malicious_layer_name_renders_as_text(browser, tmp_path):
    report = broken_report(layer_name=EVIL, telemetry=full_telemetry([EVIL, "2", "4"]))
    path = report.save_html(tmp_path / "evil.html")
    visit = Visit(browser, path)
    try:
        assert visit.dialogs == []
        assert visit.page.locator("script").count() == 0
        located = visit.page.locator('article[data-code="M204"] .loc')
        assert located.is_visible() and located.inner_text() == f"at {EVIL}"
        assert visit.page.locator("figure img").count() == 6
        for image in visit.page.locator("figure img").all():
            assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        visit.screenshot("synthetic-all-plots.png")
        assert visit.offsite() == [] and visit.errors == []
    finally:
        visit.page.close()


@pytest.mark.parametrize("kind", ["broken", "healthy"])
def test_demo_report_shows_the_look_sections(browser, demo_reports, kind):
    """The look (batch, class counts, predictions, baselines, bias/variance, spread) is visible, offline."""
    html, data = demo_reports[kind]
    assert {"batch", "class_counts", "predictions", "baselines", "bias_variance", "spread"} <= set(data["look"])
    visit = Visit(browser, html)
    try:
        for selector in ("#look", "#look-baselines", "#look-bias-variance", "#look-per-class"):
            assert visit.page.locator(selector).first.is_visible(), selector
        titles = visit.page.locator("#look figure h3").all_inner_texts()
        for title in ("Class counts", "Confusion matrix", "Spread over re-runs"):
            assert title in titles, titles
        images = visit.page.locator("#look figure img").all()
        assert images
        for image in images:
            assert image.is_visible() and image.evaluate("img => img.complete && img.naturalWidth > 0")
        visit.screenshot(f"demo-{kind}-look.png")
        assert visit.offsite() == [] and visit.errors == [] and visit.dialogs == []
    finally:
        visit.page.close()


def test_look_with_malicious_decoded_text_renders_as_text(browser, tmp_path):
    from test_look import _trained, token_setup

    from nndoctor import Report
    from nndoctor.look import LookConfig, look

    setup = token_setup()
    found, _ = look(setup, _trained(setup, 20), steps=5, config=LookConfig(spread=False, decode=lambda ids: EVIL))
    path = Report(mode="checkup", extra={"look": found}).save_html(tmp_path / "look-evil.html")
    visit = Visit(browser, path)
    try:
        assert visit.dialogs == [] and visit.page.locator("script").count() == 0
        cell = visit.page.locator("#look table.tokens td").nth(1)
        assert cell.is_visible() and cell.inner_text() == EVIL
        assert visit.page.locator("#look figure img").count() >= 2  # class counts and confusion
        assert visit.offsite() == [] and visit.errors == []
    finally:
        visit.page.close()


def test_regression_look_is_visible_offline(browser, tmp_path):
    """A tabular regression's look: feature histograms, predicted vs true, baselines and bias/variance, all drawn."""
    from test_look import _trained, regression_setup

    from nndoctor import Report
    from nndoctor.look import LookConfig, look

    setup = regression_setup()
    found, _ = look(setup, _trained(setup, 100), steps=20, config=LookConfig(spread=False))
    path = Report(mode="checkup", extra={"look": found}).save_html(tmp_path / "look-regression.html")
    visit = Visit(browser, path)
    try:
        for selector in ("#look", "#look-baselines", "#look-bias-variance"):
            assert visit.page.locator(selector).first.is_visible(), selector
        titles = visit.page.locator("#look figure h3").all_inner_texts()
        assert any("Predicted vs true" in t for t in titles) and any("histogram" in t.lower() for t in titles), titles
        for image in visit.page.locator("#look figure img").all():
            assert image.is_visible() and image.evaluate("img => img.complete && img.naturalWidth > 0")
        visit.screenshot("look-regression.png")
        assert visit.offsite() == [] and visit.errors == [] and visit.dialogs == []
    finally:
        visit.page.close()
