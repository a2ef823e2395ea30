"""Customer-churn scoring on a synthetic CRM extract (make_classification:
20 behavioural features, 8 informative, correlated duplicates, 3% label noise).
A tanh MLP trained with SGD + momentum through a small Keras-like fit() helper
that keeps a history dict; reports validation log-loss, accuracy and ROC AUC.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, n_redundant=6, flip_y=0.03,
                           class_sep=0.8, weights=[0.55, 0.45], random_state=0)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
scaler = StandardScaler().fit(X_tr)
train_ds = TensorDataset(torch.tensor(scaler.transform(X_tr), dtype=torch.float32), torch.tensor(y_tr))
val_ds = TensorDataset(torch.tensor(scaler.transform(X_va), dtype=torch.float32), torch.tensor(y_va))


class ChurnNet(nn.Module):
    def __init__(self, d_in, hidden=(64, 64)):
        super().__init__()
        dims = (d_in,) + hidden
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(dims[-1], 2)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x)


def fit(model, optimizer, train_ds, val_ds, epochs, batch_size):
    loader = DataLoader(train_ds, batch_size=batch_size, shuffle=True)
    history = {"loss": [], "val_loss": [], "val_acc": [], "val_auc": []}
    for epoch in range(epochs):
        model.train()
        losses = []
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            xv, yv = val_ds.tensors
            logits = model(xv)
            history["loss"].append(float(np.mean(losses)))
            history["val_loss"].append(F.cross_entropy(logits, yv).item())
            history["val_acc"].append((logits.argmax(1) == yv).float().mean().item())
            history["val_auc"].append(roc_auc_score(yv.numpy(), logits.softmax(1)[:, 1].numpy()))
        print(f"Epoch {epoch + 1}/{epochs} - loss: {history['loss'][-1]:.4f} - val_loss: {history['val_loss'][-1]:.4f}"
              f" - val_acc: {history['val_acc'][-1]:.4f} - val_auc: {history['val_auc'][-1]:.4f}")
    return history


model = ChurnNet(X.shape[1])
optimizer = torch.optim.SGD(model.parameters(), lr=0.03, momentum=0.9)
hist = fit(model, optimizer, train_ds, val_ds, epochs=12, batch_size=32)
print(f"final val_loss={hist['val_loss'][-1]:.4f} val_acc={hist['val_acc'][-1]:.4f} val_auc={hist['val_auc'][-1]:.4f}")
