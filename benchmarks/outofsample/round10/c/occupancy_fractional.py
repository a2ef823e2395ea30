"""Nightly hotel occupancy rate forecast (fractional logistic regression with an MLP).

Target is the share of rooms sold (0..1). The network outputs a logit and is trained
with binary cross-entropy against the fractional target (quasi-likelihood for
proportions); predictions are sigmoid(logit). Hotels enter through an embedding.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_HOTELS = 40


def bookings(n, rng):
    hotel = rng.integers(0, N_HOTELS, n)
    hotel_effect = rng.normal(0, 0.6, N_HOTELS)
    doy = rng.integers(0, 365, n)
    dow = rng.integers(0, 7, n)
    lead_pickup = rng.beta(2, 3, n)
    price_idx = rng.normal(0, 1, n)
    event = (rng.random(n) < 0.08).astype(np.float32)
    logit = (hotel_effect[hotel] + 0.7 * np.sin(2 * np.pi * (doy - 80) / 365) + 0.5 * (dow >= 4)
             + 2.5 * (lead_pickup - 0.4) - 0.4 * price_idx + 1.2 * event
             - 0.3 * price_idx * (dow >= 4))
    occ = 1 / (1 + np.exp(-logit))
    rooms = rng.integers(40, 200, n)
    occ = rng.binomial(rooms, occ) / rooms
    num = np.column_stack([np.sin(2 * np.pi * doy / 365), np.cos(2 * np.pi * doy / 365),
                           np.eye(7)[dow], lead_pickup, price_idx, event]).astype(np.float32)
    return num, hotel, occ.astype(np.float32)


class OccupancyNet(nn.Module):
    def __init__(self, n_num, n_hotels, emb_dim=8, hidden=64):
        super().__init__()
        self.hotel = nn.Embedding(n_hotels, emb_dim)
        self.mlp = nn.Sequential(nn.Linear(n_num + emb_dim, hidden), nn.SiLU(),
                                 nn.Linear(hidden, hidden), nn.SiLU(), nn.Linear(hidden, 1))

    def forward(self, x_num, hotel_id):
        return self.mlp(torch.cat([x_num, self.hotel(hotel_id)], dim=1)).squeeze(1)


@torch.no_grad()
def evaluate(model, loader):
    model.eval()
    bce, abs_err, sq_err, n = 0.0, 0.0, 0.0, 0
    targets = []
    for xb, hb, yb in loader:
        logit = model(xb, hb)
        pred = torch.sigmoid(logit)
        bce += F.binary_cross_entropy_with_logits(logit, yb, reduction="sum").item()
        abs_err += (pred - yb).abs().sum().item()
        sq_err += ((pred - yb) ** 2).sum().item()
        n += len(yb)
        targets.append(yb)
    var = torch.cat(targets).var(unbiased=False).item()
    return bce / n, abs_err / n, 1 - sq_err / n / var


def main():
    torch.manual_seed(9)
    rng = np.random.default_rng(9)
    num, hotel, occ = bookings(6000, rng)
    cont = [0, 1, 9, 10]
    mu, sd = num[:4800, cont].mean(0), num[:4800, cont].std(0)
    num[:, cont] = (num[:, cont] - mu) / sd
    t = lambda a: torch.from_numpy(a)
    train_loader = DataLoader(TensorDataset(t(num[:4800]), t(hotel[:4800]), t(occ[:4800])), batch_size=128, shuffle=True)
    val_loader = DataLoader(TensorDataset(t(num[4800:]), t(hotel[4800:]), t(occ[4800:])), batch_size=1024)

    model = OccupancyNet(num.shape[1], N_HOTELS)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.3, patience=2)
    for epoch in range(20):
        model.train()
        for xb, hb, yb in train_loader:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy_with_logits(model(xb, hb), yb)
            loss.backward()
            optimizer.step()
        val_bce, val_mae, val_r2 = evaluate(model, val_loader)
        scheduler.step(val_bce)
        if epoch % 4 == 3:
            print(f"epoch {epoch + 1}: val bce {val_bce:.4f}  MAE {100 * val_mae:.2f} pp  R2 {val_r2:.4f}")
    print(f"final val_r2={val_r2:.4f} val_mae_pp={100 * val_mae:.2f}")


if __name__ == "__main__":
    main()
