"""Page-pull test outcome for perfect-bound books (bindery QA).

Predict whether a glued spine fails the page-pull test (< 4.5 N/cm) from the job card:
paper stock and grain direction, glue system, glue film thickness, spine milling depth,
cure time, bindery humidity, page count and paper weight. Failures are ~1 in 9 jobs.
Categoricals one-hot (left unscaled), continuous columns standardised. Hand-written SGD
with momentum (no torch.optim), a step decay of the LR, class-weighted BCE.
"""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.metrics import balanced_accuracy_score, roc_auc_score

torch.manual_seed(42)
rng = np.random.default_rng(42)

PAPERS = ["uncoated_80", "uncoated_100", "silk_115", "gloss_130", "recycled_90", "bible_40"]
GLUES = ["EVA_hotmelt", "PUR", "PVA_cold"]
N = 4000
paper = rng.integers(0, 6, N)
glue = rng.choice(3, N, p=[0.5, 0.3, 0.2])
long_grain = (rng.random(N) < 0.8).astype(float)   # grain parallel to spine
film = rng.normal(0.8, 0.2, N)                       # mm
milling = rng.normal(2.5, 0.6, N)                    # mm
cure_h = rng.gamma(2.0, 6.0, N)
humidity = rng.normal(50, 9, N)                      # % RH
pages = rng.integers(48, 640, N).astype(float)
gsm = np.array([80, 100, 115, 130, 90, 40])[paper] + rng.normal(0, 3, N)

strength = (6.0 + np.array([0.4, 0.2, -0.8, -1.5, 0.3, -0.5])[paper] + np.array([0.0, 2.0, 0.8])[glue]
            + 1.2 * long_grain - 1.2 + 2.0 * (film - 0.8) + 0.9 * (milling - 2.5) - 0.6 * (milling - 2.5) ** 2
            + 1.2 * (1 - np.exp(-cure_h / (4 + 20 * (glue == 1))))
            - 0.05 * np.abs(humidity - 50) - 0.002 * (pages - 300) + rng.normal(0, 0.6, N))
y = (strength < 4.5).astype(np.float32)

num = np.stack([film, milling, cure_h, humidity, pages, gsm], 1)
cat = np.concatenate([np.eye(6)[paper], np.eye(3)[glue], long_grain[:, None]], 1)
idx = rng.permutation(N)
tr, va = idx[:3200], idx[3200:]
mu, sd = num[tr].mean(0), num[tr].std(0)
X = np.concatenate([(num - mu) / sd, cat], 1).astype(np.float32)
Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr])
Xva, yva = torch.from_numpy(X[va]), torch.from_numpy(y[va])
print(f"failure rate train {ytr.mean():.3f} val {yva.mean():.3f}")

model = torch.nn.Sequential(torch.nn.Linear(X.shape[1], 64), torch.nn.ReLU(),
                            torch.nn.Linear(64, 32), torch.nn.ReLU(),
                            torch.nn.Linear(32, 1))
pos_weight = ((1 - ytr.mean()) / ytr.mean()).reshape(1)
momentum, base_lr, wd = 0.9, 0.02, 5e-4
bufs = [torch.zeros_like(p) for p in model.parameters()]

step = 0
for epoch in range(18):
    lr = base_lr * (0.3 ** (epoch // 8))
    perm = torch.randperm(len(Xtr))
    running = 0.0
    for i in range(0, len(perm), 64):
        b = perm[i:i + 64]
        logits = model(Xtr[b]).squeeze(1)
        loss = F.binary_cross_entropy_with_logits(logits, ytr[b], pos_weight=pos_weight)
        model.zero_grad()
        loss.backward()
        with torch.no_grad():
            for p, buf in zip(model.parameters(), bufs):
                g = p.grad + wd * p if p.dim() > 1 else p.grad
                buf.mul_(momentum).add_(g)
                p -= lr * buf
        step += 1
        running += loss.item() * len(b)
    if epoch % 3 == 2:
        with torch.no_grad():
            val_loss = F.binary_cross_entropy_with_logits(model(Xva).squeeze(1), yva, pos_weight=pos_weight)
        print(f"epoch {epoch + 1:2d} lr {lr:.3f} train_loss {running / len(Xtr):.4f} val_loss {val_loss.item():.4f}")

with torch.no_grad():
    p_fail = torch.sigmoid(model(Xva).squeeze(1)).numpy()
bacc = balanced_accuracy_score(yva.numpy(), p_fail > 0.5)
auc = roc_auc_score(yva.numpy(), p_fail)
print(f"final val balanced accuracy {bacc:.4f}  ROC AUC {auc:.4f}")
