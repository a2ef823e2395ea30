"""Helper (not test material): train a spec's Setup with a plain loop and print metrics.
usage: _evalspec.py SPEC EPOCHS [binary_offset]"""
import sys, importlib.util, numpy as np, torch
from sklearn.metrics import balanced_accuracy_score, accuracy_score, recall_score
path, epochs = sys.argv[1], int(sys.argv[2])
spec = importlib.util.spec_from_file_location("s", path); m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
S = m.setup()
torch.manual_seed(0)
model, loss_fn = S.model, S.loss
opt = S.optimizer_factory(model.parameters())
def predict(loader):
    model.eval(); P, Y = [], []
    with torch.no_grad():
        for b in loader:
            x, y = b[0], b[-1]
            P.append(model(x)); Y.append(y)
    return torch.cat(P), torch.cat(Y)
def score(P, Y):
    if P.ndim == 2 and P.shape[1] > 1:
        pred = P.argmax(1).numpy()
    else:
        pred = (P.reshape(-1) > 0).long().numpy()
    y = Y.numpy().astype(int)
    if len(sys.argv) > 3:   # label offset for the D113 case: map labels back to 0..C-1 for scoring
        y = y - int(sys.argv[3])
    return accuracy_score(y, pred), balanced_accuracy_score(y, pred)
for ep in range(epochs):
    model.train()
    for b in S.train_loader:
        x, y = b[0], b[-1]
        opt.zero_grad()
        out = model(x)
        l = loss_fn(out.squeeze(-1) if isinstance(loss_fn, torch.nn.BCEWithLogitsLoss) else out, y.float() if isinstance(loss_fn, torch.nn.BCEWithLogitsLoss) else y)
        l.backward(); opt.step()
res = {"val": score(*predict(S.val_loader))}
if S.test_loader is not None:
    res["test"] = score(*predict(S.test_loader))
for k, (a, ba) in res.items():
    print(f"{path} {k}_acc {a:.4f} {k}_balanced_acc {ba:.4f}")
