"""Tagging documents with several of 12 topics from term counts: a small MLP with one sigmoid
output per tag (BCE-with-logits), fitted full-batch with L-BFGS and an explicit L2 penalty,
the way one fits a GLM."""
import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from torch import nn

torch.manual_seed(4)
torch.set_default_dtype(torch.float64)

X, Y = make_multilabel_classification(n_samples=3000, n_features=60, n_classes=12, n_labels=3,
                                      length=80, allow_unlabeled=False, random_state=4)
X = np.log1p(X)                                   # term counts -> log counts
X_tr, Y_tr, X_va, Y_va = X[:2400], Y[:2400], X[2400:], Y[2400:]
mu, sd = X_tr.mean(0), X_tr.std(0) + 1e-6
X_tr = torch.tensor((X_tr - mu) / sd); X_va = torch.tensor((X_va - mu) / sd)
T_tr = torch.tensor(Y_tr, dtype=torch.float64); T_va = torch.tensor(Y_va, dtype=torch.float64)

model = nn.Sequential(nn.Linear(60, 64), nn.Tanh(), nn.Linear(64, 12))
prior = T_tr.mean(0).clamp(1e-3, 1 - 1e-3)
with torch.no_grad():
    model[2].bias.copy_(torch.log(prior / (1 - prior)))

criterion = nn.BCEWithLogitsLoss()
L2 = 1e-3
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=20,
                              line_search_fn="strong_wolfe")


def closure():
    optimizer.zero_grad()
    loss = criterion(model(X_tr), T_tr)
    loss = loss + L2 * sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
    loss.backward()
    return loss


def evaluate():
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        bce = criterion(logits, T_va).item()
        f1 = f1_score(Y_va, (logits > 0).numpy().astype(int), average="micro")
    model.train()
    return bce, f1


for it in range(1, 16):
    loss = optimizer.step(closure)
    if it % 3 == 0:
        bce, f1 = evaluate()
        print(f"outer iter {it:2d}  penalised train loss {loss.item():.4f}  val BCE {bce:.4f}  val micro-F1 {f1:.4f}")

# baselines: constant prior probabilities, and tagging every document with its most common tags
prior_bce = criterion(torch.log(prior / (1 - prior)).expand_as(T_va), T_va).item()
top = np.zeros_like(Y_va); top[:, np.argsort(-Y_tr.mean(0))[:3]] = 1
bce, f1 = evaluate()
print(f"baseline (label priors) val BCE {prior_bce:.4f}; (top-3 frequent tags) micro-F1 {f1_score(Y_va, top, average='micro'):.4f}")
print(f"final val BCE {bce:.4f}  micro-F1 {f1:.4f}")
