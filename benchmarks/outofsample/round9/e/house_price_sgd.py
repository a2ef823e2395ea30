"""Sale-price regression on a simulated housing table (prices in dollars, ~1e5-1e6).

Features are standardised once with training statistics. The loader yields prices in dollars;
the loop standardises the target on the fly with the training mean/std and un-standardises
predictions for reporting. Plain SGD written by hand, early stopping on validation RMSE with a
copy of the best weights.
"""
import copy
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def simulate(n, rng):
    sqft = rng.lognormal(7.4, 0.35, n)
    beds = np.clip(np.round(sqft / 600 + rng.normal(0, 0.7, n)), 1, 7)
    age = rng.uniform(0, 90, n)
    dist = rng.gamma(2.0, 6.0, n)                       # km to the centre
    lot = rng.lognormal(8.5, 0.5, n)
    school = rng.uniform(1, 10, n)
    price = (120 * sqft * np.exp(-dist / 25) + 9000 * beds - 900 * age + 3 * lot
             + 12000 * school + 4000 * np.sin(age / 10) * school + rng.normal(0, 20000, n) + 60000)
    X = np.stack([sqft, beds, age, dist, lot, school], 1)
    return X.astype(np.float32), price.astype(np.float32)


@torch.no_grad()
def rmse_dollars(model, loader, y_mean, y_std):
    model.eval()
    sse, n = 0.0, 0
    for xb, yb in loader:
        pred = model(xb).squeeze(1) * y_std + y_mean
        sse += ((pred - yb) ** 2).sum().item()
        n += len(yb)
    return math.sqrt(sse / n)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = simulate(5000, rng)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(Xtr, ytr, test_size=0.2, random_state=0)
    sc = StandardScaler().fit(Xtr)
    Xtr, Xva, Xte = (torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva, Xte))
    ytr, yva, yte = map(torch.as_tensor, (ytr, yva, yte))
    y_mean, y_std = ytr.mean(), ytr.std()
    print(f"price mean ${y_mean:,.0f} std ${y_std:,.0f}")

    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=500)
    test_loader = DataLoader(TensorDataset(Xte, yte), batch_size=500)

    model = nn.Sequential(nn.Linear(6, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU(), nn.Linear(64, 1))
    lr, patience = 0.03, 8
    best, best_model, bad = float("inf"), None, 0
    for epoch in range(200):
        model.train()
        for xb, yb in train_loader:
            yb = (yb - y_mean) / y_std
            loss = ((model(xb).squeeze(1) - yb) ** 2).mean()
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad
        val = rmse_dollars(model, val_loader, y_mean, y_std)
        if val < best - 1.0:
            best, best_model, bad = val, copy.deepcopy(model), 0
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:3d} val_rmse ${val:,.0f}")
        if bad >= patience:
            print(f"early stop at epoch {epoch}, best val_rmse ${best:,.0f}")
            break

    test_rmse = rmse_dollars(best_model, test_loader, y_mean, y_std)
    r2 = 1 - test_rmse ** 2 / yte.var(unbiased=False).item()
    print(f"final test_rmse ${test_rmse:,.0f} test_r2 {r2:.4f}")


if __name__ == "__main__":
    main()
