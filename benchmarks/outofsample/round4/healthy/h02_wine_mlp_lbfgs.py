"""Wine cultivar classification with a small MLP trained full-batch by L-BFGS
(strong-Wolfe line search), standardised features, a small L2 penalty in the closure."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)

X, y = load_wine(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, stratify=y, random_state=1)
scaler = StandardScaler().fit(X_tr)
X_tr = torch.tensor(scaler.transform(X_tr), dtype=torch.float32)
X_va = torch.tensor(scaler.transform(X_va), dtype=torch.float32)
y_tr = torch.tensor(y_tr)
y_va = torch.tensor(y_va)

model = nn.Sequential(
    nn.Linear(13, 32),
    nn.Tanh(),
    nn.Linear(32, 32),
    nn.Tanh(),
    nn.Linear(32, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=5,
                              history_size=10, line_search_fn="strong_wolfe")
l2 = 1e-3


def closure():
    optimizer.zero_grad()
    loss = criterion(model(X_tr), y_tr)
    loss = loss + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if "weight" in n)
    loss.backward()
    return loss


for it in range(10):
    model.train()
    loss = optimizer.step(closure)
    model.eval()
    with torch.no_grad():
        out = model(X_va)
        val_loss = criterion(out, y_va).item()
        val_acc = (out.argmax(1) == y_va).float().mean().item()
    print(f"outer step {it:2d} train_obj {loss.item():.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")

print(f"final val_acc {val_acc:.4f}")
