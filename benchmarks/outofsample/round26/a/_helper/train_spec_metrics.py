"""Helper (not test material): trains a checkup spec's setup() as written and prints plain metrics.
usage: python train_spec_metrics.py SPEC.py [epochs]"""
import importlib.util, sys
import numpy as np
import torch
import types, nndoctor
nndoctor.Setup = lambda **kw: types.SimpleNamespace(**kw)
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import balanced_accuracy_score, accuracy_score, f1_score

spec = importlib.util.spec_from_file_location("s", sys.argv[1]); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
s = mod.setup()
torch.manual_seed(0)
Xtr, ytr = s.train; Xva, yva = s.val
opt = s.optimizer(s.model.parameters())
dl = DataLoader(TensorDataset(Xtr, ytr), batch_size=s.batch_size, shuffle=True)
for ep in range(epochs):
    s.model.train()
    for xb, yb in dl:
        opt.zero_grad(); l = s.loss(s.model(xb), yb); l.backward(); opt.step()
s.model.eval()
with torch.no_grad():
    out = s.model(Xva); vl = s.loss(out, yva).item()
if yva.dim() == 2 and yva.dtype.is_floating_point:   # cumulative ordinal targets
    p = (out > 0).sum(1).numpy(); t = yva.sum(1).long().numpy()
    print(f"{sys.argv[1]} ordinal: exact {np.mean(p == t):.4f} within-one {np.mean(np.abs(p - t) <= 1):.4f} MAE {np.abs(p - t).mean():.4f}")
    ytr = ytr.sum(1).long()
else:
    p = out.argmax(1).numpy(); t = yva.numpy()
print(f"{sys.argv[1]} epochs {epochs} val_loss {vl:.4f} acc {accuracy_score(t, p):.4f} "
      f"balanced_acc {balanced_accuracy_score(t, p):.4f} macro_f1 {f1_score(t, p, average='macro'):.4f}")
print("train class shares", np.round(np.bincount(ytr.numpy()) / len(ytr), 3), "val", np.round(np.bincount(t) / len(t), 3))
