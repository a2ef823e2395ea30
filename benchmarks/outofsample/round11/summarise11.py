"""Round 11's table: expected code (each folder's MANIFEST.md) against the roots run_all.py recorded, per run.

python summarise11.py RUN_DIR [RUN_DIR ...] (or --keep RUN_DIR DEST to copy a run)  (each RUN_DIR holds one run's <folder>/summary.json and <folder>t/summary.json
for the twins)  ->  markdown table and per-mode totals on stdout
"""
import json
import re
import sys
from pathlib import Path

here = Path(__file__).parent
expected = {}
for manifest in sorted(here.glob("*/MANIFEST.md")):
    for line in manifest.read_text().splitlines():
        m = re.match(r"\|\s*`?(\w+\.py)`?\s*\|\s*(run|checkup)[^|]*\|\s*\**(\w+)\**\s*\|", line)
        if m:
            expected[(manifest.parent.name, m.group(1))] = (m.group(2), m.group(3))
        twin = re.match(r"\|\s*twins/", line)


INFO_CODES = {"G605"}  # expected codes the catalog reports at info: a hit when nothing is loud and the report has it


def info_codes(run_dir: Path, folder: str, name: str) -> list:
    """Every finding's code: from the saved report (run_all.py writes OUT/<folder>/<stem>.json), else from the
    codes.json kept beside a copied summary (``python summarise11.py --keep RUN_DIR DEST`` writes it), else []."""
    path = run_dir / folder / (Path(name).stem + ".json")
    try:
        return [f["code"] for f in json.loads(path.read_text())["findings"]]
    except Exception:
        kept = run_dir / folder / "codes.json"
        return json.loads(kept.read_text()).get(name, []) if kept.exists() else []


if sys.argv[1:2] == ["--keep"]:  # copy a run's summaries and every file's codes (all severities) into DEST
    source, dest = Path(sys.argv[2]), Path(sys.argv[3])
    for folder in sorted(p for p in source.iterdir() if (p / "summary.json").exists()):
        (dest / folder.name).mkdir(parents=True, exist_ok=True)
        (dest / folder.name / "summary.json").write_text((folder / "summary.json").read_text())
        codes = {row[0]: info_codes(source, folder.name, row[0]) for row in json.loads((folder / "summary.json").read_text())}
        (dest / folder.name / "codes.json").write_text(json.dumps(codes, indent=1))
    sys.exit(0)


def outcome(want: str, roots: list, loud: list, every: list = ()) -> str:
    if want == "healthy":
        return "quiet" if not loud else "FA"
    if roots[:1] == [want] or (want in INFO_CODES and not roots and want in every):
        return "hit"
    return "top3" if want in (roots + loud)[:3] else "miss"


def load(run_dir: Path, folder: str) -> dict:
    path = run_dir / folder / "summary.json"
    return {row[0]: row for row in json.loads(path.read_text())} if path.exists() else {}


runs = [Path(p) for p in sys.argv[1:]]
rows, totals = [], [dict() for _ in runs]
for (folder, name), (mode, want) in sorted(expected.items()):
    cells = []
    for i, run in enumerate(runs):
        row = load(run, folder).get(name)
        if row is None:
            cells.append("–")
            continue
        result = outcome(want, row[2], row[3], info_codes(run, folder, name) if want in INFO_CODES else [])
        key = (mode, "healthy" if want == "healthy" else "faulty")
        hit = result in ("hit", "quiet")
        t = totals[i].setdefault(key, [0, 0])
        t[0] += hit if want != "healthy" else (result == "FA")
        t[1] += 1
        cells.append(f"{', '.join(row[2]) or '–'} ({result})")
        if want != "healthy":
            twin = load(run, folder + "t").get(name)
            if twin is not None:
                tt = totals[i].setdefault((mode, "twin"), [0, 0])
                tt[0] += bool(twin[3])
                tt[1] += 1
                cells[-1] += f"; twin {', '.join(twin[3]) or '–'}"
    rows.append(f"| {folder} | {name} | {mode} | {want} | " + " | ".join(cells) + " |")
print("| folder | file | mode | expected | " + " | ".join(f"run {i + 1}: roots (result); twin's loud codes" for i in range(len(runs))) + " |")
print("|---|---|---|---|" + "---|" * len(runs))
print("\n".join(rows))
for i, t in enumerate(totals):
    parts = [f"{mode} {kind}: {a}/{b}" + (" hit" if kind == "faulty" else " flagged") for (mode, kind), (a, b) in sorted(t.items())]
    print(f"\nrun {i + 1}: " + "; ".join(parts))
