"""Score nndoctor's diagnoses on the fault benchmark.

Every case goes through the real CLI in a subprocess (``nndoctor checkup FILE --json`` or
``nndoctor run --json OUT SCRIPT``) and its JSON report is read back. A faulty case is a
top-1 hit when its expected code is the first finding at warning or above (for rules that
are info-level by nature, e.g. T507, when the code is among the findings at all), a top-3
hit when it is among the first three such findings. A healthy case is a false alarm when
any finding reaches warning. Unless ``--no-verify`` is given, each faulty case and its
healthy twin are also trained plainly (trainer.py for setups, ``python SCRIPT`` for
scripts) to record whether the fault measurably hurts.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

from .manifest import HALVES, HERE, Case, load_cases

ROOT = HERE.parent.parent
RESULTS = ROOT / "benchmarks" / "results"
# Advice rather than faults: an unseeded run and a run that could train longer are reported as info.
INFO_BY_NATURE = {"T507", "G605"}
HURT_MARGIN = 0.05
# Overfitting is defined on the validation loss (it rises while the training loss falls); a
# memorising model can keep its accuracy at the trainer's short budget while its validation
# loss doubles, so for these codes a checkup case's harm is read as exp(-validation loss).
LOSS_HARM_CODES = {"G601"}
# Codes that name something training does (the loss, gradients, units or updates behave a way),
# not something in the code or the data: a case of one whose plain training shows no measurable
# harm does not show its symptom and is retired (README "Retired cases").
SYMPTOM_CODES = {"O401", "O402", "O403", "O404", "O405", "O406", "O407", "O408", "O409", "O412",
                 "G601", "G602", "G603", "G605"}
METRIC_LINE = re.compile(r"final_val_metric=(\S+)")
SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}
# Every case belongs to one half by its folder name (manifest.half_of_folder); the reporting
# half's numbers are the headline, the tuning half is the one rules may be tuned on.
HEADLINE_HALF = "reporting"
HALF_RULE = "a case is in the tuning half when the first byte of sha256(its folder name, e.g. 'c004') is even, else in the reporting half."


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH", "")) if p)
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("MKL_NUM_THREADS", "1")
    return env


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "nndoctor.cli", *args]


def run_subcommand_available() -> bool:
    """Whether this nndoctor has the ``run`` subcommand yet."""
    done = subprocess.run(_cli("run", "--help"), check=False, capture_output=True, text=True, env=_env(), cwd=ROOT, timeout=60)
    return done.returncode == 0


def diagnose(case: Case, timeout: float, budget: float | None, run_available: bool) -> dict[str, Any]:
    """Run one case through the CLI; return status, exit code, seconds and its findings."""
    if case.mode == "run" and not run_available:
        return {"status": "not-runnable-yet", "exit": None, "seconds": None, "findings": []}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        if case.mode == "checkup":
            command = _cli("checkup", str(case.path), "--json", str(out))
            if budget is not None:
                command += ["--budget", str(budget)]
        else:
            command = _cli("run", "--json", str(out), str(case.path))
        started = time.perf_counter()
        try:
            done = subprocess.run(command, check=False, capture_output=True, text=True, env=_env(), cwd=case.path.parent, timeout=timeout)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "exit": None, "seconds": round(time.perf_counter() - started, 2), "findings": []}
        seconds = round(time.perf_counter() - started, 2)
        if not out.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            return {"status": "error", "exit": done.returncode, "seconds": seconds, "findings": [], "error": " ".join(tail)}
        report = json.loads(out.read_text())
    findings = [{"code": f["code"], "severity": f["severity"], "explained_by": f.get("explained_by")} for f in report.get("findings", [])]
    failures = [f.get("check") for f in report.get("failures", [])]
    return {"status": "ok", "exit": done.returncode, "seconds": seconds, "findings": findings, "check_failures": failures}


def judge(case: Case, outcome: dict[str, Any]) -> dict[str, Any]:
    """Top-1 / top-3 hit for a faulty case, false alarm for a healthy one."""
    loud = [f["code"] for f in outcome["findings"] if SEVERITY_RANK.get(f["severity"], 0) >= 1]
    every = [f["code"] for f in outcome["findings"]]
    if case.healthy:
        return {"false_alarm": bool(loud) if outcome["status"] == "ok" else None, "loud": loud}
    if case.code in INFO_BY_NATURE:
        top1 = top3 = case.code in every
    else:
        top1 = loud[:1] == [case.code]
        top3 = case.code in loud[:3]
    return {"top1": top1, "top3": top3, "found_any": case.code in every, "loud": loud}


def measure(case: Case, timeout: float) -> dict[str, Any]:
    """Train the case plainly and return its validation metric (higher is better) or why not."""
    if case.mode == "checkup":
        command = [sys.executable, "-m", "benchmarks.faults.trainer", str(case.path)]
    else:
        command = [sys.executable, str(case.path)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, check=False, capture_output=True, text=True, env=_env(), cwd=case.path.parent, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"metric": None, "outcome": "timeout", "seconds": round(time.perf_counter() - started, 2)}
    seconds = round(time.perf_counter() - started, 2)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"metric": None, "outcome": "crash", "error": last[:300], "seconds": seconds}
    if case.mode == "checkup":
        result = json.loads(done.stdout.strip().splitlines()[-1])
        return {"metric": result["metric"], "val_loss": result.get("val_loss"), "steps": result.get("steps"),
                "outcome": "diverged" if result["diverged"] else "trained", "seconds": seconds}
    found = METRIC_LINE.findall(done.stdout)
    if not found:
        return {"metric": None, "outcome": "no-metric-line", "seconds": seconds}
    value = float(found[-1])
    return {"metric": None if math.isnan(value) else value, "outcome": "diverged" if not math.isfinite(value) else "trained", "seconds": seconds}


def harm_measure(case: Case) -> str:
    """What the harm check compares for ``case``: the trained metric, or exp(-validation loss)."""
    return "exp(-val loss)" if case.code in LOSS_HARM_CODES and case.mode == "checkup" else "metric"


def harm_metric(case: Case, result: dict[str, Any] | None) -> float | None:
    """The number the harm check compares (higher is better), per ``harm_measure``."""
    if result is None:
        return None
    if harm_measure(case) != "metric":
        loss = result.get("val_loss")
        return None if loss is None else round(math.exp(-loss), 4)
    return result.get("metric")


def harm_verdict(case: Case, faulty: dict[str, Any], twin: dict[str, Any] | None) -> str:
    """'hurts', 'no measurable harm', 'not metric-visible' or 'unverified (...)'."""
    if not case.metric_visible:
        return "not metric-visible"
    twin_value = harm_metric(case, twin)
    if twin_value is None:
        return "unverified (twin did not produce a metric)"
    value = harm_metric(case, faulty)
    if faulty["outcome"] in ("crash", "diverged") or value is None:
        return "hurts"
    return "hurts" if twin_value - value >= HURT_MARGIN else "no measurable harm"


def compared(case: Case, faulty: dict[str, Any], twin: dict[str, Any] | None) -> dict[str, Any]:
    """What the harm check compared for ``case`` (the measure, the twin's and the case's number) and its verdict."""
    return {"measure": harm_measure(case), "twin": harm_metric(case, twin), "faulty": harm_metric(case, faulty),
            "verdict": harm_verdict(case, faulty, twin)}


def scores(cases: list[Case], rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per-code and overall scores of ``cases`` (all of them, or one half)."""
    faulty = [c for c in cases if not c.healthy]
    healthy = [c for c in cases if c.healthy]
    per_code: dict[str, dict[str, Any]] = defaultdict(lambda: {"cases": 0, "hit1": 0, "hit3": 0, "misses": [], "not_run": 0})
    for c in faulty:
        row, entry = rows[c.id], per_code[c.code]
        entry["cases"] += 1
        if row["status"] != "ok":
            entry["not_run"] += 1
            entry["misses"].append(c.id)
            continue
        entry["hit1"] += int(row["top1"])
        entry["hit3"] += int(row["top3"])
        if not row["top3"]:
            entry["misses"].append(c.id)

    def rate(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None

    def split(mode: str | None) -> dict[str, Any]:
        pick = [c for c in faulty if mode is None or c.mode == mode]
        sane = [c for c in healthy if mode is None or c.mode == mode]
        ran = [c for c in pick if rows[c.id]["status"] == "ok"]
        ran_healthy = [c for c in sane if rows[c.id]["status"] == "ok"]
        return {
            "faulty_cases": len(pick),
            "faulty_ran": len(ran),
            "top1_accuracy": rate([bool(rows[c.id].get("top1")) for c in pick]),
            "top3_accuracy": rate([bool(rows[c.id].get("top3")) for c in pick]),
            "recall": rate([bool(rows[c.id].get("found_any")) for c in pick]),
            "healthy_cases": len(sane),
            "healthy_ran": len(ran_healthy),
            "false_alarm_rate": rate([bool(rows[c.id]["false_alarm"]) for c in ran_healthy]),
        }

    seconds = [rows[c.id]["seconds"] for c in cases if rows[c.id].get("seconds") is not None and rows[c.id]["status"] == "ok"]
    harms: dict[str, int] = defaultdict(int)
    for c in faulty:
        if "harm" in rows[c.id]:
            harms[rows[c.id]["harm"]] += 1
    return {
        "overall": split(None),
        "checkup": split("checkup"),
        "run": split("run"),
        "seconds_median": round(statistics.median(seconds), 2) if seconds else None,
        "seconds_max": round(max(seconds), 2) if seconds else None,
        "harm": dict(harms),
        "per_code": {code: per_code[code] for code in sorted(per_code)},
        "false_alarms": {c.id: rows[c.id]["loud"] for c in healthy if rows[c.id].get("false_alarm")},
        "not_run": {c.id: rows[c.id]["status"] for c in cases if rows[c.id]["status"] != "ok"},
    }


def summarise(cases: list[Case], rows: dict[str, dict[str, Any]], run_available: bool) -> dict[str, Any]:
    """Scores over all cases (top level, as before) plus the same scores per half under ``half``.

    The reporting half's numbers are the headline (``headline``): rules and thresholds may be
    tuned while looking at the tuning half only, so the reporting half measures generality.
    """
    summary = scores(cases, rows)
    summary["run_subcommand_available"] = run_available
    summary["headline"] = HEADLINE_HALF
    summary["half_rule"] = HALF_RULE
    summary["half"] = {half: scores([c for c in cases if c.half == half], rows) for half in HALVES}
    return summary


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def _scope_table(s: dict[str, Any]) -> list[str]:
    lines = [
        "| scope | faulty cases (ran) | top-1 | top-3 | recall | healthy cases (ran) | false alarms |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in ("overall", "checkup", "run"):
        e = s[name]
        lines.append(
            f"| {name} | {e['faulty_cases']} ({e['faulty_ran']}) | {_pct(e['top1_accuracy'])} | {_pct(e['top3_accuracy'])} | "
            f"{_pct(e['recall'])} | {e['healthy_cases']} ({e['healthy_ran']}) | {_pct(e['false_alarm_rate'])} |"
        )
    lines += [
        "",
        f"Seconds per case (CLI, cases that ran): median {s['seconds_median']}, max {s['seconds_max']}. "
        "False alarms: " + (", ".join(f"{k} ({', '.join(v[:3])})" for k, v in s["false_alarms"].items()) or "none") + ".",
    ]
    return lines


def _per_code_table(s: dict[str, Any]) -> list[str]:
    lines = ["| code | cases | hit@1 | hit@3 | not run | misses (not in top 3) |", "|---|---|---|---|---|---|"]
    for code, e in s["per_code"].items():
        lines.append(f"| {code} | {e['cases']} | {e['hit1']} | {e['hit3']} | {e['not_run']} | {', '.join(e['misses']) or '–'} |")
    return lines


def markdown(summary: dict[str, Any], cases: list[Case], rows: dict[str, dict[str, Any]]) -> str:
    """The results tables as Markdown: the reporting half (headline), the tuning half, all cases."""
    headline = summary["headline"]
    other = [h for h in HALVES if h != headline]
    lines = [
        "# Fault benchmark results",
        "",
        f"Generated by `python -m benchmarks.faults` on {time.strftime('%Y-%m-%d %H:%M')}. "
        f"`nndoctor run` available: {'yes' if summary['run_subcommand_available'] else 'no (run cases recorded as not runnable yet)'}."
        + (f" {summary['merge_note']}" if summary.get("merge_note") else ""),
        "",
        f"Halves: {summary['half_rule']} The **{headline}** half is the headline; tune only on the {', '.join(other)} half.",
        "",
        f"## {headline.capitalize()} half (headline)",
        "",
        *_scope_table(summary["half"][headline]),
    ]
    for half in other:
        lines += ["", f"## {half.capitalize()} half", "", *_scope_table(summary["half"][half])]
    lines += [
        "",
        "## All cases",
        "",
        *_scope_table(summary),
        "",
        "Targets (on the headline half): top-1 >= 95% in each mode, false alarms <= 2%, median < 20 s (issue 14).",
        "",
        "Does each fault really hurt? (plain training of the case vs its healthy twin, "
        f"'hurts' = crash, divergence or metric lower by >= {HURT_MARGIN}; for {', '.join(sorted(LOSS_HARM_CODES))} "
        "checkup cases the metric is exp(-validation loss)): "
        + (", ".join(f"{k}: {v}" for k, v in sorted(summary["harm"].items())) or "not verified (--no-verify)"),
        "",
        "Retired cases (kept in the manifest, not run, not scored; benchmarks/faults/README.md \"Retired cases\"): "
        + ("; ".join(f"{k} ({v})" for k, v in sorted(summary.get("retired", {}).items())) or "none") + ".",
        "",
        "## Per code",
    ]
    for half in (headline, *other):
        lines += ["", f"### {half.capitalize()} half", "", *_per_code_table(summary["half"][half])]
    lines += ["", "### All cases", "", *_per_code_table(summary)]
    lines += ["", "## Cases", "", "| case | half | mode | expected | status | s | first findings (warning+) | harm |", "|---|---|---|---|---|---|---|---|"]
    for c in cases:
        r = rows[c.id]
        mark = "" if c.healthy else (" ✔" if r.get("top1") else (" (top-3)" if r.get("top3") else " ✘"))
        if c.healthy:
            mark = " ✘ false alarm" if r.get("false_alarm") else (" ✔" if r["status"] == "ok" else "")
        lines.append(
            f"| {c.id} | {c.half} | {c.mode} | {c.code or 'healthy'}{mark} | {r['status']} | {r.get('seconds') or '–'} | "
            f"{', '.join(r.get('loud', [])[:4]) or '–'} | {r.get('harm', '–')} |"
        )
    return "\n".join(lines) + "\n"


def verify_only(cases: list[Case], by_id: dict[str, Case], timeout: float, jobs: int, out: Path | None) -> int:
    """Train every faulty case of ``cases`` and its healthy twin plainly; record whether the fault hurts.

    The benchmark's invariant is that every faulty case hurts (or is marked not metric-visible):
    a "fault" that leaves the metric where its twin has it is not a fault to diagnose.
    Writes harm.md and harm.json to ``out`` when given.
    """
    faulty = [c for c in cases if not c.healthy]
    twins = sorted({c.twin for c in faulty if c.twin and c.twin in by_id})
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        twin_results = dict(zip(twins, pool.map(lambda t: measure(by_id[t], timeout), twins)))
        measured = dict(zip([c.id for c in faulty], pool.map(lambda c: measure(c, timeout), faulty)))
    lines = ["# Does each fault hurt?", "",
             (f"Generated by `python -m benchmarks.faults --verify-only` on {time.strftime('%Y-%m-%d %H:%M')}: every faulty case and "
             f"its healthy twin trained plainly (trainer.py for setups, `python SCRIPT` for scripts). 'hurts' = crash, "
             f"divergence or metric lower by >= {HURT_MARGIN}; for {', '.join(sorted(LOSS_HARM_CODES))} checkup cases the "
             "metric is exp(-validation loss)."), "",
             "| case | half | mode | twin | twin metric | case metric | verdict |", "|---|---|---|---|---|---|---|"]
    payload, counts = [], defaultdict(int)
    for c in faulty:
        twin = twin_results.get(c.twin or "")
        check = compared(c, measured[c.id], twin)
        counts[check["verdict"]] += 1
        payload.append({"id": c.id, "half": c.half, "mode": c.mode, "twin": c.twin, "verdict": check["verdict"],
                        "twin_metric": check["twin"], "case_metric": check["faulty"],
                        "faulty": measured[c.id], "twin_result": twin})
        lines.append(f"| {c.id} | {c.half} | {c.mode} | {c.twin or '–'} | {check['twin']} | {check['faulty']} | {check['verdict']} |")
        print(f"{c.id:<34} {check['verdict']} (twin {check['twin']} vs {check['faulty']})", flush=True)
    lines[3:3] = ["", "Counts: " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) + "."]
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "harm.md").write_text("\n".join(lines) + "\n")
        (out / "harm.json").write_text(json.dumps(payload, indent=2))
        print(f"\nwrote {out / 'harm.md'} and {out / 'harm.json'}")
    return 0


def merged_rows(previous: Path, rows: dict[str, dict[str, Any]], every: list[Case]) -> tuple[dict[str, dict[str, Any]], list[Case]]:
    """This run's rows laid over a previous faults.json's, for every active case either run has."""
    case_fields = {*Case.__dataclass_fields__, "half"}
    old = {entry["id"]: {k: v for k, v in entry.items() if k not in case_fields}
           for entry in json.loads(previous.read_text())["cases"]}
    merged = {**old, **rows}
    cases = [c for c in every if not c.retired and c.id in merged]
    return {c.id: merged[c.id] for c in cases}, cases


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.faults", description=__doc__.splitlines()[0])
    parser.add_argument("--filter", help="only cases whose id, code or file contains one of these comma-separated substrings")
    parser.add_argument("--merge", type=Path, default=None,
                        help="a previous faults.json: this run's rows replace its rows of the same cases, and the whole is scored and written")
    parser.add_argument("--jobs", type=int, default=1, help="cases to run at once (default 1)")
    parser.add_argument("--no-verify", action="store_true", help="skip training the cases and twins to confirm the fault hurts")
    parser.add_argument("--verify-only", action="store_true",
                        help="only train each faulty case and its twin plainly; write harm.md/harm.json (no diagnosis)")
    parser.add_argument("--timeout", type=float, default=180.0, help="seconds per CLI call (default 180)")
    parser.add_argument("--budget", type=float, default=None, help="pass --budget to nndoctor checkup")
    parser.add_argument("--out", type=Path, default=None, help="folder for faults.md/faults.json (default benchmarks/results; a filtered run writes nothing unless --out is given)")
    args = parser.parse_args(argv)

    every = load_cases()
    by_id = {c.id: c for c in every}
    picked = [c for c in every if not args.filter
              or any(part in s for part in args.filter.split(",") for s in (c.id, c.code or "healthy", c.file))]
    if not picked:
        print(f"no case matches {args.filter!r}", file=sys.stderr)
        return 2
    if args.verify_only:
        return verify_only(picked, by_id, args.timeout, args.jobs, args.out or (None if args.filter else RESULTS))
    cases, retired = [c for c in picked if not c.retired], [c for c in picked if c.retired]
    run_available = run_subcommand_available()
    twin_cache: dict[str, dict[str, Any]] = {}

    def one(case: Case) -> tuple[str, dict[str, Any]]:
        outcome = diagnose(case, args.timeout, args.budget, run_available)
        row = {**outcome, **judge(case, outcome)}
        if not args.no_verify and not case.healthy:
            faulty = measure(case, args.timeout)
            twin_case = by_id.get(case.twin or "")
            if twin_case is not None and twin_case.id not in twin_cache:
                twin_cache[twin_case.id] = measure(twin_case, args.timeout)
            twin = twin_cache.get(twin_case.id) if twin_case else None
            check = compared(case, faulty, twin)
            row["harm"] = check.pop("verdict")
            row["verify"] = {"faulty": faulty, "twin": twin, "twin_id": case.twin, "compared": check}
        status = row["status"] if case.healthy else ("hit" if row.get("top1") else ("top-3" if row.get("top3") else "miss"))
        if case.healthy and row["status"] == "ok":
            status = "FALSE ALARM " + ",".join(row["loud"]) if row["false_alarm"] else "quiet"
        check = row.get("verify", {}).get("compared")
        numbers = f" (twin {check['twin']} vs {check['faulty']})" if check else ""
        print(f"{case.id:<34} {case.half[:3]:<4} {case.mode:<8} {case.code or 'healthy':<8} {row['status']:<17} {status:<22} {row.get('harm', '')}{numbers}", flush=True)
        return case.id, row

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = dict(pool.map(one, cases))
    note = ""
    if args.merge is not None:
        rerun = set(rows)
        rows, cases = merged_rows(args.merge, rows, every)
        note = (f"{len(rerun)} of these cases were rerun on later source with `--filter {args.filter}` and merged into "
                f"the previous run's rows ({len(rows) - len(rerun)} kept).")
    summary = summarise(cases, rows, run_available)
    summary["merge_note"] = note
    summary["retired"] = {c.id: c.retired for c in retired}
    text = markdown(summary, cases, rows)
    print()
    print(text.split("## Per code")[0].strip())
    out = args.out or (None if args.filter and args.merge is None else RESULTS)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "faults.md").write_text(text)
        payload = {"summary": summary, "cases": [{**asdict(c), "half": c.half, **rows[c.id]} for c in cases]}
        (out / "faults.json").write_text(json.dumps(payload, indent=2))
        print(f"\nwrote {out / 'faults.md'} and {out / 'faults.json'}")
    return 0
