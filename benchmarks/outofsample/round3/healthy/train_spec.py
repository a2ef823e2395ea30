import sys, importlib.util, torch
import types, nndoctor
nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
spec = importlib.util.spec_from_file_location("s", sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
S = mod.setup(); torch.manual_seed(0)
m = S.model; opt = S.optimizer(m.parameters()); Xtr, ytr = S.train; Xva, yva = S.val
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
for ep in range(epochs):
    m.train(); perm = torch.randperm(len(Xtr))
    for i in range(0, len(Xtr), S.batch_size):
        idx = perm[i:i + S.batch_size]
        if len(idx) < 2: continue
        opt.zero_grad(); l = S.loss(m(Xtr[idx]), ytr[idx]); l.backward(); opt.step()
m.eval()
with torch.no_grad():
    out = m(Xva); vl = S.loss(out, yva).item()
    if yva.dtype == torch.long:
        print(f"{sys.argv[1]} val_loss {vl:.4f} val_acc {(out.argmax(1)==yva).float().mean().item():.4f}")
    else:
        print(f"{sys.argv[1]} val_loss {vl:.4f} R2-ish(mse) {1 - ((out-yva)**2).mean().item()/yva.var().item():.4f}")
    if isinstance(S.loss, torch.nn.PoissonNLLLoss):
        rate = out.exp(); base = yva.mean()
        dev = lambda mu: (2 * (torch.xlogy(yva, yva / mu) - (yva - mu))).mean().item()
        print(f"poisson deviance model {dev(rate):.4f} vs constant-mean {dev(base.expand_as(yva)):.4f}")
