"""Round 9's table: expected code (each folder's MANIFEST.md) against the roots run_all.py recorded, per run.

python summarise9.py RUN_DIR [RUN_DIR ...]  (each RUN_DIR holds one run's <folder>/summary.json and <folder>t/summary.json
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
        m = re.match(r"\|\s*`?(\w+\.py)`?\s*\|\s*(run|checkup)\s*\|\s*\**(\w+)\**\s*\|", line)
        if m:
            expected[(manifest.parent.name, m.group(1))] = (m.group(2), m.group(3))
        twin = re.match(r"\|\s*twins/", line)


def outcome(want: str, roots: list, loud: list) -> str:
    if want == "healthy":
        return "quiet" if not loud else "FA"
    if roots[:1] == [want]:
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
        result = outcome(want, row[2], row[3])
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
