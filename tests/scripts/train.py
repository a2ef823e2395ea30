"""A training script for `nndoctor run` tests: `python train.py [--fault NAME] [--exit N] [--raise]`."""
import argparse
import json
import sys

import loops  # found because the script's folder is first on sys.path

parser = argparse.ArgumentParser()
parser.add_argument("--fault", default=None)
parser.add_argument("--task", default="classify", choices=("classify", "regression"))
parser.add_argument("--exit", type=int, default=0)
parser.add_argument("--raise", dest="raise_", action="store_true")
parser.add_argument("--show", action="store_true")
args = parser.parse_args()

if args.show:
    print(json.dumps({"name": __name__, "argv": sys.argv, "path0": sys.path[0]}))
if args.raise_:
    raise ValueError("the script's own error")
value = getattr(loops, args.task)(args.fault)
print(f"final_loss={value}")
if args.fault == "crash_on_nan" or (args.fault == "diverge" and value != value):
    raise FloatingPointError("loss is NaN")
sys.exit(args.exit)
