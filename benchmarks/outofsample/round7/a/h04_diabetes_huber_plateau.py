"""Disease-progression regression on the scikit-learn diabetes data.

Features and targets are standardised with statistics from the training split
only; an MLP with SiLU and LayerNorm is trained with the Huber loss (robust to the
heavy upper tail of the target), Adam, and ReduceLROnPlateau on the validation
loss. Validation loss is accumulated with reduction='sum' and divided by the
number of samples. Reports R^2 and RMSE in the original units.
"""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(3)
np.random.seed(3)

X, y = load_diabetes(return_X_y=True)
X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=42)
x_mu, x_sd = X_tr.mean(0), X_tr.std(0)
y_mu, y_sd = y_tr.mean(), y_tr.std()


def to_tensors(Xs, ys):
    return (torch.tensor((Xs - x_mu) / x_sd, dtype=torch.float32),
            torch.tensor((ys - y_mu) / y_sd, dtype=torch.float32).unsqueeze(1))


train_ds = TensorDataset(*to_tensors(X_tr, y_tr))
val_ds = TensorDataset(*to_tensors(X_va, y_va))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=64)


class Regressor(nn.Module):
    def __init__(self, d_in, width=32, p=0.1):
        super().__init__()
        self.net = nn.Sequential(
            nn.Linear(d_in, width), nn.LayerNorm(width), nn.SiLU(), nn.Dropout(p),
            nn.Linear(width, width), nn.LayerNorm(width), nn.SiLU(), nn.Dropout(p),
            nn.Linear(width, 1),
        )

    def forward(self, x):
        return self.net(x)


model = Regressor(X.shape[1])
criterion = nn.HuberLoss(delta=1.0)
eval_criterion = nn.HuberLoss(delta=1.0, reduction="sum")
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=0.5, patience=6, min_lr=1e-4)


def evaluate():
    model.eval()
    total, preds = 0.0, []
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            total += eval_criterion(out, yb).item()
            preds.append(out)
    pred = torch.cat(preds).squeeze(1).numpy() * y_sd + y_mu
    return total / len(val_ds), pred


best_val, best_state = float("inf"), None
for epoch in range(1, 61):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    val_loss, pred = evaluate()
    scheduler.step(val_loss)
    if val_loss < best_val:
        best_val, best_state = val_loss, {k: v.clone() for k, v in model.state_dict().items()}
    if epoch % 10 == 0:
        print(f"epoch {epoch:3d} train huber {running / len(train_ds):.4f} val huber {val_loss:.4f} "
              f"lr {optimizer.param_groups[0]['lr']:.1e}")

model.load_state_dict(best_state)
val_loss, pred = evaluate()
r2 = 1 - ((y_va - pred) ** 2).sum() / ((y_va - y_va.mean()) ** 2).sum()
rmse = np.sqrt(((y_va - pred) ** 2).mean())
print(f"final val_r2={r2:.4f} val_rmse={rmse:.2f} val_huber={val_loss:.4f}")
