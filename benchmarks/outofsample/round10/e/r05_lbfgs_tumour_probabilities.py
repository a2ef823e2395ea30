"""Malignancy probability from fine-needle aspirate features (Wisconsin breast cancer).

Small tanh MLP whose forward returns calibrated probabilities (final Sigmoid, scored with
BCELoss), fitted full-batch with L-BFGS + strong-Wolfe line search and an explicit L2
penalty in the closure, as one would fit a GLM.
"""
import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

data = load_breast_cancer()
X_tr, X_te, y_tr, y_te = train_test_split(data.data, data.target, test_size=0.25,
                                          stratify=data.target, random_state=0)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_te = torch.tensor(scaler.transform(X_te), dtype=torch.float32)
y_tr = torch.tensor(y_tr, dtype=torch.float32).unsqueeze(1)
y_te = torch.tensor(y_te, dtype=torch.float32).unsqueeze(1)


class ProbMLP(torch.nn.Module):
    def __init__(self, d_in, hidden=16):
        super().__init__()
        self.hidden = torch.nn.Linear(d_in, hidden)
        self.out = torch.nn.Linear(hidden, 1)

    def forward(self, x):
        return torch.sigmoid(self.out(torch.tanh(self.hidden(x))))


model = ProbMLP(X_tr.shape[1])
criterion = torch.nn.BCELoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                              line_search_fn="strong_wolfe")
l2 = 1e-3


def closure():
    optimizer.zero_grad()
    loss = criterion(model(X_tr), y_tr)
    loss = loss + l2 * sum(p.pow(2).sum() for n, p in model.named_parameters() if "weight" in n)
    loss.backward()
    return loss


for it in range(15):
    model.train()
    loss = optimizer.step(closure)
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_te), y_te).item()
    print(f"iter {it:2d} objective {loss.item():.4f} test BCE {val_loss:.4f}")

with torch.no_grad():
    p = model(X_te).squeeze(1).numpy()
acc = ((p > 0.5) == y_te.squeeze(1).numpy()).mean()
auc = roc_auc_score(y_te.squeeze(1).numpy(), p)
majority = max(y_te.mean().item(), 1 - y_te.mean().item())
print(f"final test accuracy={acc:.4f} AUC={auc:.4f} (majority baseline accuracy {majority:.4f}, AUC 0.5)")
