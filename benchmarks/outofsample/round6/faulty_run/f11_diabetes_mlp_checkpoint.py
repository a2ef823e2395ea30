"""Regression on the scikit-learn diabetes data (442 patients): a wide MLP with
AdamW, cosine decay and gradient clipping; the epoch with the best validation loss
is checkpointed and the held-out test split is scored at the end."""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

SEED = 2024
torch.manual_seed(SEED)
np.random.seed(SEED)


def split():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_tmp, y_tr, y_tmp = train_test_split(X, y, test_size=0.4, random_state=SEED)
    X_va, X_te, y_va, y_te = train_test_split(X_tmp, y_tmp, test_size=0.5, random_state=SEED)
    xs = StandardScaler().fit(X_tr)
    mu, sd = y_tr.mean(), y_tr.std()
    t = lambda a: torch.tensor(a, dtype=torch.float32)
    pack = lambda X_, y_: (t(xs.transform(X_)), t((y_ - mu) / sd)[:, None])
    return pack(X_tr, y_tr), pack(X_va, y_va), pack(X_te, y_te), (mu, sd)


def main():
    (X_tr, y_tr), (X_va, y_va), (X_te, y_te), (mu, sd) = split()
    loader = DataLoader(TensorDataset(X_tr, y_tr), batch_size=16, shuffle=True)

    model = nn.Sequential(nn.Linear(10, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                          nn.Linear(512, 256), nn.ReLU(), nn.Linear(256, 1))
    epochs = 60
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs, eta_min=1e-4)
    loss_fn = nn.MSELoss()

    best_val, best_epoch, best_state = float("inf"), -1, None
    for epoch in range(epochs):
        model.train()
        tot = 0.0
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=2.0)
            opt.step()
            tot += loss.item() * len(xb)
        sched.step()
        model.eval()
        with torch.no_grad():
            val = loss_fn(model(X_va), y_va).item()
        if val < best_val:
            best_val, best_epoch, best_state = val, epoch, copy.deepcopy(model.state_dict())
        if epoch % 10 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:3d} train_mse {tot / len(X_tr):.4f} val_mse {val:.4f} "
                  f"(best {best_val:.4f} @ {best_epoch})")

    torch.save(best_state, "/tmp/f11_diabetes_best.pt")
    model.eval()
    with torch.no_grad():
        pred = model(X_te).squeeze(1).numpy() * sd + mu
    y_true = y_te.squeeze(1).numpy() * sd + mu
    print(f"final test_r2={r2_score(y_true, pred):.4f} "
          f"test_rmse={np.sqrt(np.mean((pred - y_true) ** 2)):.2f}")


if __name__ == "__main__":
    main()
