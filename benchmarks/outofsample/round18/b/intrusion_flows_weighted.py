"""Connection-record intrusion classifier (normal / dos / probe / r2l) for a campus edge
firewall export.

Byte counts and durations are heavy-tailed, so they go in as log1p; rates are already in
[0, 1]; protocol, service and TCP flag are integer codes with their own embeddings.
Attacks are rare, so cross-entropy is weighted by sqrt inverse class frequency and the
model is judged by balanced accuracy and per-class recall. Forward/backward under bf16
autocast.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, recall_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(17)
rng = np.random.default_rng(17)
CLASSES = ["normal", "dos", "probe", "r2l"]
N_PROTO, N_SERVICE, N_FLAG = 3, 24, 6


def firewall_export(n):
    y = rng.choice(4, n, p=[0.90, 0.05, 0.03, 0.02])
    proto = np.where(rng.random(n) < 0.8, 0, rng.integers(1, 3, n))
    service = rng.integers(0, N_SERVICE, n)
    flag = np.where(rng.random(n) < 0.85, 0, rng.integers(1, N_FLAG, n))
    duration = rng.exponential(2.0, n) * (rng.random(n) < 0.3)
    src_bytes = rng.lognormal(6.0, 1.5, n)
    dst_bytes = rng.lognormal(7.5, 2.0, n) * (rng.random(n) < 0.8)
    count = rng.poisson(8, n).astype(float)
    srv_count = rng.poisson(6, n).astype(float)
    serror = rng.beta(0.3, 8, n)
    rerror = rng.beta(0.3, 8, n)
    same_srv = rng.beta(8, 1.5, n)
    diff_srv = rng.beta(1, 10, n)
    host_count = rng.integers(1, 256, n).astype(float)
    def some(mask, share=0.65):
        return mask & (rng.random(n) < share)                                        # signatures are partial
    dos, probe, r2l = y == 1, y == 2, y == 3
    m = some(dos); flag[m] = 2                                                       # S0 half-open
    m = some(dos); count[m] = rng.poisson(rng.uniform(20, 120, m.sum()))
    m = some(dos); serror[m] = rng.beta(4, 2, m.sum())
    m = some(dos); src_bytes[m] = rng.lognormal(4.5, 1.2, m.sum())
    m = some(probe); diff_srv[m] = rng.beta(3, 3, m.sum())
    m = some(probe); same_srv[m] = rng.beta(2, 4, m.sum())
    m = some(probe); rerror[m] = rng.beta(2, 3, m.sum())
    m = some(probe); host_count[m] = rng.integers(120, 256, m.sum())
    m = some(r2l, 0.8); service[m] = rng.choice([3, 7, 11], m.sum())                 # ftp, telnet, imap
    m = some(r2l); duration[m] = rng.exponential(15, m.sum())
    m = some(r2l); src_bytes[m] = rng.lognormal(7.5, 1.2, m.sum())
    m = some(r2l); flag[m] = 4
    num = np.stack([np.log1p(duration), np.log1p(src_bytes), np.log1p(dst_bytes), np.log1p(count),
                    np.log1p(srv_count), serror, rerror, same_srv, diff_srv, host_count / 255.0], 1)
    cat = np.stack([proto, service, flag], 1)
    return num.astype(np.float32), cat.astype(np.int64), y.astype(np.int64)


num, cat, y = firewall_export(9000)
perm = rng.permutation(len(y))
tr, va = perm[:7000], perm[7000:]
mu, sd = num[tr].mean(0), num[tr].std(0)
num = (num - mu) / sd

train_dl = DataLoader(TensorDataset(torch.from_numpy(num[tr]), torch.from_numpy(cat[tr]), torch.from_numpy(y[tr])),
                      batch_size=128, shuffle=True)
val_dl = DataLoader(TensorDataset(torch.from_numpy(num[va]), torch.from_numpy(cat[va]), torch.from_numpy(y[va])),
                    batch_size=1000)


class FlowNet(nn.Module):
    def __init__(self, n_num):
        super().__init__()
        self.proto = nn.Embedding(N_PROTO, 2)
        self.service = nn.Embedding(N_SERVICE, 6)
        self.flag = nn.Embedding(N_FLAG, 3)
        self.mlp = nn.Sequential(nn.Linear(n_num + 11, 96), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(96, 48), nn.ReLU(), nn.Linear(48, len(CLASSES)))

    def forward(self, x_num, x_cat):
        e = torch.cat([self.proto(x_cat[:, 0]), self.service(x_cat[:, 1]), self.flag(x_cat[:, 2])], 1)
        return self.mlp(torch.cat([x_num, e], 1))


counts = np.bincount(y[tr], minlength=len(CLASSES))
class_weight = torch.tensor(np.sqrt(counts.sum() / (len(CLASSES) * counts)), dtype=torch.float32)
model = FlowNet(num.shape[1])
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)


def predict(loader):
    model.eval()
    out, truth = [], []
    with torch.no_grad():
        for xn, xc, yb in loader:
            out.append(model(xn, xc).argmax(1))
            truth.append(yb)
    return torch.cat(truth).numpy(), torch.cat(out).numpy()


for epoch in range(1, 7):
    model.train()
    running = 0.0
    for xn, xc, yb in train_dl:
        optimizer.zero_grad()
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(xn, xc)
        loss = F.cross_entropy(logits.float(), yb, weight=class_weight)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(yb)
    if epoch % 2 == 0:
        t, p = predict(val_dl)
        print(f"epoch {epoch:2d}  train loss {running / len(tr):.4f}  val balanced acc {balanced_accuracy_score(t, p):.3f}")

t, p = predict(val_dl)
rec = recall_score(t, p, average=None)
print("val recall " + "  ".join(f"{c} {r:.2f}" for c, r in zip(CLASSES, rec)))
print(f"val balanced accuracy {balanced_accuracy_score(t, p):.3f}  accuracy {(t == p).mean():.3f}")
