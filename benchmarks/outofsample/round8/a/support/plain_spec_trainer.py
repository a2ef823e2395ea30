import sys, importlib.util, torch, time
from torch.utils.data import TensorDataset, DataLoader
import nndoctor, types
nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
spec = importlib.util.spec_from_file_location("s", sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
s = mod.setup(); epochs = int(sys.argv[2])
m = s.model; opt = s.optimizer(m.parameters()) if callable(s.optimizer) else s.optimizer
Xtr, ytr = s.train if isinstance(s.train, tuple) else (None, None)
Xv, yv = s.val
Xtr, ytr, Xv, yv = [torch.as_tensor(a) for a in (Xtr, ytr, Xv, yv)]
bs = getattr(s, "batch_size", 32) or 32
g = torch.Generator().manual_seed(0)
t0 = time.time()
for ep in range(epochs):
    m.train(); tl = 0; n = 0
    for xb, yb in DataLoader(TensorDataset(Xtr, ytr), batch_size=bs, shuffle=True, generator=g):
        opt.zero_grad(); l = s.loss(m(xb), yb); l.backward(); opt.step(); tl += l.item()*len(xb); n += len(xb)
    m.eval()
    with torch.no_grad():
        o = m(Xv); vl = s.loss(o, yv).item()
        acc = (o.argmax(1) == yv).float().mean().item() if o.ndim == 2 and o.shape[1] > 1 else float('nan')
    if ep % max(1, epochs // 6) == 0 or ep == epochs - 1:
        print(f"ep {ep} train {tl/n:.4f} val_loss {vl:.4f} val_acc {acc:.4f}")
print("time", round(time.time() - t0, 1))
