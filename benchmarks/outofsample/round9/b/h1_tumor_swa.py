"""Breast-cancer diagnosis (sklearn WDBC) with a residual MLP, quantile-normal inputs and SWA.

Inputs go through a QuantileTransformer fitted on the training split only (rank-gauss, robust
to the heavy right tails of area/concavity features). Label smoothing, gradient clipping and
stochastic weight averaging over the last epochs.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import QuantileTransformer
from torch.optim.swa_utils import SWALR, AveragedModel
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(4)
X, y = load_breast_cancer(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=4)
qt = QuantileTransformer(n_quantiles=200, output_distribution="normal", random_state=4).fit(X_tr)
X_tr, X_va = qt.transform(X_tr).astype(np.float32), qt.transform(X_va).astype(np.float32)

loader = DataLoader(TensorDataset(torch.tensor(X_tr), torch.tensor(y_tr)), batch_size=32, shuffle=True)
Xv, yv = torch.tensor(X_va), torch.tensor(y_va)


class ResBlock(nn.Module):
    def __init__(self, d, p=0.1):
        super().__init__()
        self.norm = nn.LayerNorm(d)
        self.ff = nn.Sequential(nn.Linear(d, 2 * d), nn.GELU(), nn.Dropout(p), nn.Linear(2 * d, d))

    def forward(self, x):
        return x + self.ff(self.norm(x))


model = nn.Sequential(nn.Linear(30, 64), ResBlock(64), ResBlock(64), nn.LayerNorm(64), nn.Linear(64, 2))
criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-3)
swa_model = AveragedModel(model)
swa_start, epochs = 25, 40
swa_scheduler = SWALR(optimizer, swa_lr=3e-4, anneal_epochs=5)

for epoch in range(epochs):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        optimizer.step()
    if epoch >= swa_start:
        swa_model.update_parameters(model)
        swa_scheduler.step()
    if epoch % 10 == 9:
        model.eval()
        with torch.no_grad():
            acc = (model(Xv).argmax(1) == yv).float().mean().item()
        print(f"epoch {epoch + 1} train_loss {loss.item():.4f} val_acc {acc:.4f}")

swa_model.eval()
with torch.no_grad():
    logits = swa_model(Xv)
prob = logits.softmax(1)[:, 1].numpy()
acc = (logits.argmax(1) == yv).float().mean().item()
print(f"final SWA val_acc {acc:.4f} val_auc {roc_auc_score(y_va, prob):.4f}")
