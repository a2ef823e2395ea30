"""Score ``nndoctor fix`` on the fault benchmark's checkup cases.

Every checkup case goes through the real CLI in a subprocess (``nndoctor fix FILE --json``).
A faulty case whose expected code has a remedy in nndoctor's list is *repaired* when the
report holds a verified remedy (for any root cause; the table also says whether it was
the expected code's). The repaired metric (mean over seeds after the remedy, validation
balanced accuracy or R²) is compared with the healthy twin run through fix's own trial loop
with the same seeds and steps (``benchmarks.fix_twin``: an equal-budget comparison): *within
10%* when it reaches at least 90% of the twin's. The twin's metric under the benchmark's plain
trainer is reported beside it. A healthy case must get no verified remedy. For comparison: AUTOTRAINER (Zhang et al., ICSE 2021) reports
repairing 255 of 262 problematic models (97.3%).

    python -m benchmarks.fix_score [--filter TEXT] [--budget S] [--timeout S] [--jobs N]

Writes benchmarks/results/fix.md (and fix.json) unless --filter is given without --out.
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from benchmarks.faults.manifest import Case, load_cases
from benchmarks.faults.score import RESULTS, ROOT, _cli, _env, measure

AUTOTRAINER = (255, 262)
WITHIN = 0.10


def has_remedy(code: str | None) -> bool:
    from nndoctor.fix.remedies import FOR_CODE

    return code is not None and code in FOR_CODE


def run_fix(case: Case, budget: float, timeout: float) -> dict[str, Any]:
    """``nndoctor fix`` on one case; returns status, seconds and the report's fix section."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "fix.json"
        command = _cli("fix", str(case.path), "--json", str(out), "--budget", str(budget))
        started = time.perf_counter()
        try:
            done = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=case.path.parent, timeout=timeout,
                                  check=False)
        except subprocess.TimeoutExpired:
            return {"status": "timeout", "seconds": round(time.perf_counter() - started, 1), "fix": {}, "codes": []}
        seconds = round(time.perf_counter() - started, 1)
        if not out.is_file():
            tail = " ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            return {"status": "error", "seconds": seconds, "fix": {}, "codes": [], "error": tail[:300]}
        report = json.loads(out.read_text())
    roots = [f["code"] for f in report["findings"] if f["explained_by"] is None and f["severity"] in ("error", "warning")]
    return {"status": "ok", "seconds": seconds, "fix": report.get("fix", {}), "codes": roots}


def run_twin_trial(twin: Case, seeds: list[int], steps: int, timeout: float) -> float | None:
    """The twin's mean metric in fix's trial loop (same seeds and steps as the case's trials)."""
    command = [sys.executable, "-m", "benchmarks.fix_twin", str(twin.path), "--seeds", ",".join(map(str, seeds)), "--steps", str(steps)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=_env(), cwd=twin.path.parent, timeout=timeout,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]).get("metric") if done.returncode == 0 and lines else None


def judge(case: Case, outcome: dict[str, Any], twin_metric: float | None, trainer_twin: float | None = None) -> dict[str, Any]:
    results = outcome["fix"].get("results", []) if outcome["status"] == "ok" else []
    verified = [r for r in results if r["status"] == "verified"]
    at_code = next((r for r in verified if r["code"] == case.code), None)
    best = at_code or (max(verified, key=lambda r: r["remedy"]["gain"] or 0.0) if verified else None)
    row: dict[str, Any] = {"repaired": bool(verified), "repaired_at_code": at_code is not None,
                           "remedy": best["remedy"]["title"] if best else None, "remedy_code": best["code"] if best else None,
                           "before": None, "after": None, "gain": None, "twin": twin_metric, "twin_trainer": trainer_twin,
                           "within": None, "within_trainer": None,
                           "tried": [f"{r['code']}:{t['remedy']}{'✔' if t['verified'] else '✘'}" for r in results for t in r["tried"]]}
    if best:
        remedy = best["remedy"]
        row["before"] = remedy["before"]["metric"]["mean"]
        row["after"] = remedy["after"]["metric"]["mean"]
        row["gain"] = remedy["gain"]
        for key, twin in (("within", twin_metric), ("within_trainer", trainer_twin)):
            if twin is not None and row["after"] is not None:
                row[key] = row["after"] >= twin - WITHIN * abs(twin)
    return row


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "n/a"


def _num(value: Any) -> str:
    return f"{value:.3f}" if isinstance(value, (int, float)) else "–"


def _is_loop_bug(code: str | None) -> bool:
    """A training-loop bug (T5xx): it lives in the user's loop, which a setup file does not hold, so fix shows the pattern."""
    return bool(code) and code.startswith("T")


def by_half(rows: list[dict[str, Any]]) -> list[str]:
    """Per half of the benchmark (reporting = the headline), the issue's measure: faulty setups that are not
    loop bugs given a verified remedy, whatever their code, and healthy setups given one (should be none)."""
    half = {c.id: c.half for c in load_cases()}
    lines = [("| half | faulty setups (not loop bugs) given a verified remedy | … of those whose code has a remedy in the list | "
              "healthy setups given a verified remedy |"), "|---|---|---|---|"]
    for name in ("reporting", "tuning", "all"):
        mine = [r for r in rows if name == "all" or half.get(r["id"]) == name]
        faulty = [r for r in mine if not r["healthy"] and not _is_loop_bug(r["code"])]
        listed = [r for r in faulty if r["has_remedy"]]
        healthy = [r for r in mine if r["healthy"]]
        label = {"reporting": "reporting (headline)", "tuning": "tuning", "all": "both"}[name]
        lines.append(f"| {label} | {_pct(sum(r['repaired'] for r in faulty), len(faulty))} | "
                     f"{_pct(sum(r['repaired'] for r in listed), len(listed))} | {_pct(sum(r['repaired'] for r in healthy), len(healthy))} |")
    return lines


def markdown(rows: list[dict[str, Any]], budget: float, note: str = "") -> str:
    faulty = [r for r in rows if not r["healthy"] and r["has_remedy"]]
    healthy = [r for r in rows if r["healthy"]]
    repaired = [r for r in faulty if r["repaired"]]
    within = [r for r in repaired if r["within"]]
    within_trainer = [r for r in repaired if r["within_trainer"]]
    gains = [r["gain"] for r in repaired if isinstance(r["gain"], (int, float))]
    proposals = [r for r in healthy if r["repaired"]]
    no_remedy = [r for r in rows if not r["healthy"] and not r["has_remedy"]]
    lines = [
        "# nndoctor fix on the fault benchmark",
        "",
        f"Generated on {time.strftime('%Y-%m-%d %H:%M')}. "
        f"`python -m benchmarks.fix_score --budget {budget:g}`: every checkup case through `nndoctor fix` "
        "(3 seeds per arm, equal step budgets; validation balanced accuracy, average precision for multi-label targets, "
        "or R²). A remedy is verified when it beats "
        "the unchanged setup on every seed or by more than the seed spread; a bug's remedy (duplicates, leaked "
        "validation rows, a wrong backward, a cut gradient path, batch mixing, labels the loss cannot read) when the "
        "bug's own check is clear on the remedied setup and the metric is not verifiably worse."
        + (f" {note}" if note else ""),
        "",
        *by_half(rows),
        "",
        "| measure | nndoctor fix | AUTOTRAINER (published) |",
        "|---|---|---|",
        (f"| faulty cases with a remedy in the list repaired (verified remedy) | {_pct(len(repaired), len(faulty))} | "
         f"{_pct(*AUTOTRAINER)} problematic models repaired |"),
        f"| … repaired at the expected code | {_pct(sum(r['repaired_at_code'] for r in faulty), len(faulty))} | – |",
        f"| repaired metric within 10% of the healthy twin's (twin in the same trial: seeds, steps) | {_pct(len(within), len(repaired))} of repaired | – |",
        f"| … and within 10% of the healthy twin, of all faulty cases with a remedy | {_pct(len(within), len(faulty))} | – |",
        (f"| repaired metric within 10% of the twin trained by the benchmark's plain trainer (another budget) | "
         f"{_pct(len(within_trainer), len(repaired))} of repaired | – |"),
        (f"| median improvement of the verified remedy (metric, after − before; median because a diverged "
         f"baseline's R² can be −1e16) | {statistics.median(gains):+.3f} (mean of gains clipped to ±1: "
         f"{statistics.mean(max(-1.0, min(1.0, g)) for g in gains):+.3f}) | – |") if gains else "| median improvement | – | – |",
        f"| healthy cases given a verified remedy (should be 0) | {_pct(len(proposals), len(healthy))} | – |",
        "",
        f"Faulty cases whose code has no remedy in the list ({len(no_remedy)}; {sum(r['repaired'] for r in no_remedy)} of them "
        "still got a verified remedy for another root cause that fix found): "
        + (", ".join(f"{r['id']} ({r['code']})" for r in no_remedy) or "none") + ".",
        ("AUTOTRAINER's figure is on its own benchmark of 262 problematic models and counts any training-metric "
         "improvement; the numbers are side by side for scale, not a head-to-head result."),
        "",
        "| case | code | run | repaired | remedy (root cause) | before | after | twin (trial) | within 10% | twin (trainer) | tried | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['id']} | {r['code'] or 'healthy'} | {r['status']} | {'yes' if r['repaired'] else 'no'} | "
            f"{(r['remedy'] or '–') + (' (' + r['remedy_code'] + ')' if r['remedy_code'] else '')} | {_num(r['before'])} | "
            f"{_num(r['after'])} | {_num(r['twin'])} | {'' if r['within'] is None else ('yes' if r['within'] else 'no')} | "
            f"{_num(r.get('twin_trainer'))} | "
            f"{' '.join(r['tried']) or '–'} | {r['seconds']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fix_score", description=__doc__.splitlines()[0])
    parser.add_argument("--filter", help="only cases whose id, code or file contains one of these comma-separated substrings")
    parser.add_argument("--merge", type=Path, default=None,
                        help="a previous fix.json: this run's rows replace its rows of the same cases, and the whole is written")
    # the CLI's own safety net: a tighter one cut trials under four concurrent jobs, a verdict that depended on the load
    parser.add_argument("--budget", type=float, default=300.0, help="--budget passed to nndoctor fix (default 300, the CLI's)")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case (default 600)")
    parser.add_argument("--jobs", type=int, default=1, help="cases to run at once (default 1)")
    parser.add_argument("--out", type=Path, default=None, help="folder for fix.md/fix.json (default benchmarks/results)")
    parser.add_argument("--manifest", type=Path, default=None, help="another manifest.toml (default the fault benchmark's)")
    args = parser.parse_args(argv)

    every = load_cases(args.manifest) if args.manifest else load_cases()
    by_id = {c.id: c for c in every}
    cases = [c for c in every if c.mode == "checkup" and not c.retired
             and (not args.filter or any(part in s for part in args.filter.split(",") for s in (c.id, c.code or "healthy", c.file)))]
    if not cases:
        print(f"no checkup case matches {args.filter!r}", file=sys.stderr)
        return 2
    trainer_twins: dict[str, float | None] = {}
    trial_twins: dict[tuple[str, tuple[int, ...], int], float | None] = {}

    def one(case: Case) -> dict[str, Any]:
        outcome = run_fix(case, args.budget, args.timeout)
        twin_metric = trainer_metric = None
        twin = by_id.get(case.twin or "")
        if not case.healthy and twin is not None and has_remedy(case.code):
            if twin.id not in trainer_twins:
                trainer_twins[twin.id] = measure(twin, args.timeout).get("metric")
            trainer_metric = trainer_twins[twin.id]
            seeds, steps = outcome["fix"].get("seeds"), outcome["fix"].get("steps")
            if seeds and steps:
                key = (twin.id, tuple(seeds), int(steps))
                if key not in trial_twins:
                    trial_twins[key] = run_twin_trial(twin, list(seeds), int(steps), args.timeout)
                twin_metric = trial_twins[key]
        row = {"id": case.id, "code": case.code, "healthy": case.healthy, "has_remedy": has_remedy(case.code),
               "status": outcome["status"], "seconds": outcome["seconds"], "roots": outcome["codes"],
               **judge(case, outcome, twin_metric, trainer_metric)}
        print(f"{case.id:<30} {case.code or 'healthy':<8} {outcome['status']:<8} repaired={row['repaired']!s:<5} "
              f"{row['remedy'] or ''} {_num(row['before'])}->{_num(row['after'])} twin={_num(twin_metric)} "
              f"roots={','.join(outcome['codes'])} {outcome['seconds']}s", flush=True)
        return row

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        rows = list(pool.map(one, cases))
    note = ""
    if args.merge is not None:
        rerun = {r["id"] for r in rows}
        previous = json.loads(args.merge.read_text())
        renamed = [r["id"] for r in previous if r["id"] not in by_id]  # a relabelled case's old id: its new one is rerun
        rows = [r for r in previous if r["id"] not in rerun and r["id"] in by_id] + rows
        rows.sort(key=lambda r: [c.id for c in every].index(r["id"]) if r["id"] in by_id else len(every))
        note = (f"{len(rerun)} of these rows were rerun on later source with `--filter {args.filter}` and merged into "
                f"the previous run's rows ({len(rows) - len(rerun)} kept"
                + (f"; dropped the rows of ids no longer in the manifest: {', '.join(renamed)}" if renamed else "") + ").")
    text = markdown(rows, args.budget, note)
    print()
    print(text.split("| case |")[0].strip())
    out = args.out or (None if args.filter and args.merge is None else RESULTS)
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        (out / "fix.md").write_text(text)
        (out / "fix.json").write_text(json.dumps(rows, indent=2))
        print(f"\nwrote {out / 'fix.md'}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
