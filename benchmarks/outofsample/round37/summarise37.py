"""Round 37's table (see ``round_table.py``): python summarise37.py RUN_DIR [RUN_DIR ...], or --keep RUN_DIR DEST."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from round_table import main  # noqa: E402

main(Path(__file__).resolve().parent, sys.argv[1:])
