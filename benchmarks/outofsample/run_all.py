"""Run out-of-sample files through the real CLI of a source tree and record their roots (warning/error, explained_by null).

python run_all.py SRC OUT FILES...  ->  OUT/<file>.json, OUT/<file>.out, OUT/summary.json (any round's files)
"""
import json, os, subprocess, sys, time
from pathlib import Path

src = sys.argv[1]  # the source tree to run (its src/ folder)
out = Path(sys.argv[2]); out.mkdir(parents=True, exist_ok=True)
files = sys.argv[3:]
env = dict(os.environ, PYTHONPATH=src, OMP_NUM_THREADS="1")
py = sys.executable
rows = []
for f in files:
    p = Path(f).resolve()
    j = out / (p.stem + ".json")
    text = p.read_text()
    is_spec = "def setup(" in text and "nndoctor.Setup" in text
    cmd = [py, "-m", "nndoctor.cli", "checkup", str(p), "--json", str(j)] if is_spec else \
          [py, "-m", "nndoctor.cli", "run", "--json", str(j), str(p)]
    t = time.time()
    r = subprocess.run(cmd, cwd=p.parent, env=env, capture_output=True, text=True, timeout=900)
    (out / (p.stem + ".out")).write_text(r.stdout + r.stderr)
    try:
        rep = json.loads(j.read_text())
        found = [(f["code"], f["severity"], f.get("explained_by")) for f in rep["findings"]]
        roots = [c for c, s, e in found if s in ("warning", "error") and not e]
        allw = [c for c, s, e in found if s in ("warning", "error")]
        fails = len(rep.get("failures") or [])
    except Exception as exc:
        roots, allw, fails = ["<no report>"], [], -1
    rows.append((p.name, "checkup" if is_spec else "run", roots, allw, fails, r.returncode, round(time.time() - t, 1)))
    print(rows[-1], flush=True)
(out / "summary.json").write_text(json.dumps(rows, indent=1))
