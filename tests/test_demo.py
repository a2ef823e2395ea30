"""The demo is the first thing a new user runs: it must diagnose a real root cause, and the fix must come back clean."""
from __future__ import annotations

import json

import pytest

from nndoctor.cli import main

ROOT_CAUSES = {"D101", "L301"}


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "broken.json"
    status = main(["demo", "--json", str(path)])
    return status, json.loads(path.read_text())


def test_broken_demo_exits_1_and_ranks_a_root_cause_first(broken_report):
    status, report = broken_report
    assert status == 1
    first = report["findings"][0]
    assert first["code"] in ROOT_CAUSES and first["explained_by"] is None
    assert first["severity"] in ("error", "warning")


def test_broken_demo_finds_both_planted_faults_and_links_symptoms(broken_report):
    _, report = broken_report
    found = {f["code"]: f for f in report["findings"]}
    assert ROOT_CAUSES <= set(found)
    symptoms = [f for f in report["findings"] if f["explained_by"]]
    assert symptoms and all(f["explained_by"] in found for f in symptoms)


def test_healthy_demo_exits_0_without_warnings(tmp_path):
    path = tmp_path / "healthy.json"
    assert main(["demo", "--healthy", "--json", str(path)]) == 0
    report = json.loads(path.read_text())
    assert [f for f in report["findings"] if f["severity"] != "info"] == []
