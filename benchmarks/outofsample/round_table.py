"""A round's table: expected code (each folder's MANIFEST.md) against the roots run_all.py recorded, per run.

Each round folder keeps a short ``summariseNN.py`` that calls :func:`main` with its own folder:
``python roundNN/summariseNN.py RUN_DIR [RUN_DIR ...]`` (each RUN_DIR holds one run's <folder>/summary.json and
<folder>t/summary.json for the twins) prints the markdown table and per-mode totals; ``--keep RUN_DIR DEST`` copies a
run's summaries and every file's codes (all severities) into DEST.

A faulty file is a hit when its first root is the planted code (an info-level expected code: when nothing is loud and
the report has it), top3 when the code is among its first three loud findings; a healthy file or twin is flagged when
anything is loud.
"""
import json
import re
from pathlib import Path

INFO_CODES = {"G605"}  # expected codes the catalog reports at info
MANIFEST_ROW = re.compile(r"\|\s*`?(\w+\.py)`?\s*\|\s*(run|checkup)[^|]*\|\s*\**(\w+)\**\s*\|")


def expected_codes(round_dir: Path) -> dict[tuple[str, str], tuple[str, str]]:
    """(folder, file) -> (mode, expected code or "healthy"), from every MANIFEST.md of the round."""
    expected = {}
    for manifest in sorted(round_dir.glob("*/MANIFEST.md")):
        for line in manifest.read_text().splitlines():
            m = MANIFEST_ROW.match(line)
            if m:
                expected[(manifest.parent.name, m.group(1))] = (m.group(2), m.group(3))
    return expected


def info_codes(run_dir: Path, folder: str, name: str) -> list:
    """Every finding's code: from the saved report (run_all.py writes OUT/<folder>/<stem>.json), else from the
    codes.json kept beside a copied summary (``--keep`` writes it), else []."""
    path = run_dir / folder / (Path(name).stem + ".json")
    try:
        return [f["code"] for f in json.loads(path.read_text())["findings"]]
    except Exception:
        kept = run_dir / folder / "codes.json"
        return json.loads(kept.read_text()).get(name, []) if kept.exists() else []


def keep(source: Path, dest: Path) -> None:
    for folder in sorted(p for p in source.iterdir() if (p / "summary.json").exists()):
        (dest / folder.name).mkdir(parents=True, exist_ok=True)
        (dest / folder.name / "summary.json").write_text((folder / "summary.json").read_text())
        codes = {row[0]: info_codes(source, folder.name, row[0]) for row in json.loads((folder / "summary.json").read_text())}
        (dest / folder.name / "codes.json").write_text(json.dumps(codes, indent=1))


def outcome(want: str, roots: list, loud: list, every: list = ()) -> str:
    if want == "healthy":
        return "quiet" if not loud else "FA"
    if roots[:1] == [want] or (want in INFO_CODES and not roots and want in every):
        return "hit"
    return "top3" if want in (roots + loud)[:3] else "miss"


def load(run_dir: Path, folder: str) -> dict:
    path = run_dir / folder / "summary.json"
    return {row[0]: row for row in json.loads(path.read_text())} if path.exists() else {}


def table(round_dir: Path, runs: list[Path]) -> str:
    rows, totals = [], [dict() for _ in runs]
    for (folder, name), (mode, want) in sorted(expected_codes(round_dir).items()):
        cells = []
        for i, run in enumerate(runs):
            row = load(run, folder).get(name)
            if row is None:
                cells.append("–")
                continue
            result = outcome(want, row[2], row[3], info_codes(run, folder, name) if want in INFO_CODES else [])
            t = totals[i].setdefault((mode, "healthy" if want == "healthy" else "faulty"), [0, 0])
            t[0] += (result == "FA") if want == "healthy" else (result == "hit")
            t[1] += 1
            cells.append(f"{', '.join(row[2]) or '–'} ({result})")
            twin = load(run, folder + "t").get(name) if want != "healthy" else None
            if twin is not None:
                tt = totals[i].setdefault((mode, "twin"), [0, 0])
                tt[0] += bool(twin[3])
                tt[1] += 1
                cells[-1] += f"; twin {', '.join(twin[3]) or '–'}"
        rows.append(f"| {folder} | {name} | {mode} | {want} | " + " | ".join(cells) + " |")
    lines = ["| folder | file | mode | expected | " + " | ".join(f"run {i + 1}: roots (result); twin's loud codes"
                                                                  for i in range(len(runs))) + " |",
             "|---|---|---|---|" + "---|" * len(runs), *rows]
    for i, t in enumerate(totals):
        parts = [f"{mode} {kind}: {a}/{b}" + (" hit" if kind == "faulty" else " flagged") for (mode, kind), (a, b) in sorted(t.items())]
        lines.append(f"\nrun {i + 1}: " + "; ".join(parts))
    return "\n".join(lines)


def main(round_dir: Path, argv: list[str]) -> None:
    if argv[:1] == ["--keep"]:
        keep(Path(argv[1]), Path(argv[2]))
    else:
        print(table(round_dir, [Path(p) for p in argv]))
