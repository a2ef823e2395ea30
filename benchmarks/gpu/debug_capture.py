"""Debug aid for the GPU check: run one script in-process and print what the run capture saw at each backward."""
import sys

from nndoctor.watch import capture, graph
from nndoctor.watch.run import run_script

seen = {"backwards": 0}
original_on_backward, original_capture = capture.SetupCapture.on_backward, capture.SetupCapture._capture


def on_backward(self, tensors):
    if not self.captured and seen["backwards"] < 3:
        seen["backwards"] += 1
        roots = tensors if isinstance(tensors, (list, tuple)) else [tensors]
        for r in roots:
            fn = getattr(r, "grad_fn", None)
            print("backward root:", type(r).__name__, getattr(r, "shape", None), getattr(r, "dtype", None),
                  type(fn).__name__ if fn is not None else None, flush=True)
    return original_on_backward(self, tensors)


def _capture(self, loss):
    params = graph.graph_leaves(loss)
    print("capture: loss", loss.dtype, loss.device, type(loss.grad_fn).__name__, "params found", len(params), flush=True)
    ok = original_capture(self, loss)
    print("capture returned", ok, "called roots", [type(m).__name__ for m in self._called_roots({id(p) for p in params})], flush=True)
    return ok


capture.SetupCapture.on_backward, capture.SetupCapture._capture = on_backward, _capture
report = run_script(sys.argv[1], alerts=False).report
print("findings", [(f.code, f.severity.value) for f in report.findings])
print("skipped", report.skipped)
print("failures", report.failures)
