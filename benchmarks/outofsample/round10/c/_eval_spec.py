"""Plain trainer for checkup specs (metrics for MANIFEST; not part of the material)."""
import importlib.util, sys
import numpy as np, torch, types
import nndoctor
nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
from sklearn.metrics import roc_auc_score, average_precision_score

def load(path):
    spec = importlib.util.spec_from_file_location("s", path); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m); return m.setup()

def main(path, epochs, metric):
    s = load(path)
    torch.manual_seed(0)
    Xtr, ytr = s.train; Xva, yva = s.val
    model, lossf = s.model, s.loss
    opt = s.optimizer(model.parameters())
    bs = s.batch_size
    g = torch.Generator().manual_seed(0)
    for ep in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr), generator=g)
        for i in range(0, len(Xtr), bs):
            idx = perm[i:i+bs]
            opt.zero_grad(); l = lossf(model(Xtr[idx]), ytr[idx]); l.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(Xva)
    if metric == "poisson":
        mu = out.exp(); y = yva
        dev = 2 * (torch.xlogy(y, y / mu) - (y - mu)).mean()
        null = 2 * (torch.xlogy(y, y / ytr.mean()) - (y - ytr.mean())).mean()
        r2 = 1 - ((mu - y) ** 2).mean() / y.var(unbiased=False)
        print(f"{path}: val_mean_deviance {dev:.4f} (null {null:.4f}) D2 {1 - dev / null:.4f} R2(counts) {r2:.4f} mean y {y.mean():.2f}")
    elif metric == "acc":
        yi = yva.argmax(1) if yva.ndim == 2 else yva
        print(f"{path}: val_acc {(out.argmax(1) == yi).float().mean():.4f}")
    else:
        y = yva.numpy(); o = out.numpy(); keep = y.sum(0) > 0
        print(f"{path}: val_macro_auc {roc_auc_score(y[:, keep], o[:, keep], average='macro'):.4f} val_macro_ap {average_precision_score(y[:, keep], o[:, keep], average='macro'):.4f}")

if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3])
