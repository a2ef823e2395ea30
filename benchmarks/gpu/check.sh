#!/usr/bin/env bash
# The GPU check: run this folder's scripts and specs through the real CLI on a CUDA machine, then the test
# suite there. Usage (repository root): bash benchmarks/gpu/check.sh OUT_DIR [pytest seconds]
set -u
out=${1:?OUT_DIR}; budget=${2:-200}
mkdir -p "$out"
export PYTHONPATH=$PWD/src PYTHONUNBUFFERED=1
py=$(command -v python3)
{ nvidia-smi -L; $py -c "import torch; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() else '')"; } > "$out/machine.txt" 2>&1
(cd benchmarks/gpu && $py debug_capture.py g04_tiny_lm_bf16_healthy.py) > "$out/debug_g04.log" 2>&1
(cd benchmarks/gpu && $py ../outofsample/run_all.py "$PWD/../../src" "$out/runs" g0*.py) > "$out/runs.log" 2>&1
timeout "$budget" $py -m pytest -v --tb=no -p no:cacheprovider -n 14 tests > "$out/pytest.log" 2>&1
echo "pytest rc $?" >> "$out/pytest.log"
