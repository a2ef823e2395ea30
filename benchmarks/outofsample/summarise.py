"""Table of a round's runs: expected code (from the round's MANIFESTs) against the roots `run_all.py` recorded.

python summarise.py ROUND_DIR FIRST/summary.json [LATER/summary.json]  ->  markdown on stdout
"""
import json
import re
import sys
from pathlib import Path

here = Path(sys.argv[1])
expected = {}
for manifest in here.glob("*/MANIFEST.md"):
    for line in manifest.read_text().splitlines():
        m = re.match(r"\|\s*([fghk]\d\d_\w+\.py)\s*\|\s*([^|]+?)\s*\|\s*(\w+)\s*\|", line)
        if m:
            expected[(manifest.parent.name, m.group(1))] = m.group(3)


def outcome(want: str, roots: list[str], loud: list[str]) -> str:
    if want == "healthy":
        return "quiet" if not loud else "FA"
    if roots[:1] == [want]:
        return "hit"
    return "top3" if want in (roots + loud)[:3] else "miss"


runs = [{row[0]: row for row in json.loads(Path(p).read_text())} for p in sys.argv[2:]]
print("| folder | file | expected | " + " | ".join(f"run {i + 1}: roots (result)" for i in range(len(runs))) + " |")
print("|---|---|---|" + "---|" * len(runs))
totals = [{"hit": 0, "faulty": 0, "FA": 0, "healthy": 0} for _ in runs]
for (folder, name), want in sorted(expected.items()):
    cells = []
    for i, run in enumerate(runs):
        row = run.get(name)
        if row is None:
            cells.append("–")
            continue
        roots, loud = row[2], row[3]
        result = outcome(want, roots, loud)
        key = "healthy" if want == "healthy" else "faulty"
        totals[i][key] += 1
        totals[i]["hit" if key == "faulty" else "FA"] += result in ("hit", "FA")
        cells.append(f"{', '.join(dict.fromkeys(roots)) or '–'} ({result})")
    print(f"| {folder} | {name} | {want} | " + " | ".join(cells) + " |")
print()
for i, t in enumerate(totals):
    print(f"run {i + 1}: top-1 {t['hit']}/{t['faulty']} faulty, {t['FA']}/{t['healthy']} healthy flagged")
