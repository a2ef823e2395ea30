"""Daily electricity use (kWh) of office buildings from size, occupancy and weather."""
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def meter_data(n, seed=0):
    rng = np.random.default_rng(seed)
    area = rng.lognormal(np.log(2500), 0.5, n)                 # m2
    occupancy = rng.beta(5, 3, n)
    hdd = np.maximum(0, rng.normal(8, 6, n))                   # heating degree-days
    cdd = np.maximum(0, rng.normal(3, 4, n))
    weekend = (rng.random(n) < 2 / 7).astype(float)
    age = rng.uniform(0, 60, n)
    kwh = (area * (0.9 + 1.1 * occupancy * (1 - 0.7 * weekend))
           * (1 + 0.004 * age) + 95 * hdd * np.sqrt(area / 2500) + 160 * cdd * np.sqrt(area / 2500)
           + rng.normal(0, 250, n))
    X = np.column_stack([np.log(area), occupancy, hdd, cdd, age, weekend]).astype(np.float32)
    return X, kwh.astype(np.float32)


def train_one_epoch(model, loader, optimizer, scheduler, loss_fn):
    model.train()
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    scheduler.step()
    return running / len(loader.dataset)


@torch.no_grad()
def predict(model, X):
    model.eval()
    return model(X)


def main():
    torch.manual_seed(0)
    X, y = meter_data(4000, seed=0)
    X_tr, y_tr, X_va, y_va = X[:3200], y[:3200], X[3200:], y[3200:]
    cont = slice(0, 5)
    mu, sd = X_tr[:, cont].mean(0), X_tr[:, cont].std(0)
    X_tr[:, cont] = (X_tr[:, cont] - mu) / sd
    X_va[:, cont] = (X_va[:, cont] - mu) / sd

    Xt, yt = torch.from_numpy(X_tr), torch.from_numpy(y_tr)
    Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)
    loader = DataLoader(TensorDataset(Xt, yt), batch_size=64, shuffle=True)

    model = nn.Sequential(nn.Linear(6, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(),
                          nn.Linear(64, 1), nn.Flatten(0))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=30)
    loss_fn = nn.MSELoss()
    for epoch in range(30):
        tl = train_one_epoch(model, loader, optimizer, scheduler, loss_fn)
        if epoch % 10 == 9:
            pred = predict(model, Xv)
            r2 = 1 - ((pred - yv) ** 2).mean() / yv.var()
            print(f"epoch {epoch + 1} train_mse {tl:.4g} val_R2 {r2:.4f}")
    mae = (pred - yv).abs().mean()
    print(f"final val_R2 {r2:.4f} val_MAE {mae:.1f} kWh")


if __name__ == "__main__":
    main()
