"""Forecast next-year crest migration (m) of barchan dunes from 36 months of station records.

Monthly wind speed, direction (sin/cos relative to the dune axis), rainfall and vegetation
cover per dune. A small Transformer encoder reads the sequence; training runs under CPU bfloat16
autocast (no scaler needed for bf16), with linear warm-up then cosine decay.
"""
import math

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

MONTHS = 36


def simulate(n, rng):
    speed = rng.weibull(2.2, (n, MONTHS)) * rng.uniform(4, 9, (n, 1))
    season = np.sin(2 * np.pi * np.arange(MONTHS) / 12)[None]
    dirn = rng.normal(0.3 * season, 0.7, (n, MONTHS))
    rain = rng.gamma(0.8, 15, (n, MONTHS)) * (1 + season)
    veg = np.clip(0.1 + 0.004 * np.cumsum(rain, 1) / np.arange(1, MONTHS + 1) * 3
                  + rng.normal(0, 0.03, (n, MONTHS)), 0, 1)
    height = rng.uniform(3, 15, n)
    # Bagnold-type drift potential above a threshold, projected on the dune axis
    excess = np.clip(speed - 4.5, 0, None)
    q = excess ** 2 * speed * np.cos(dirn) * np.exp(-rain / 40) * (1 - veg)
    recent = np.exp(-(MONTHS - 1 - np.arange(MONTHS)) / 12)[None]     # recent years weigh more
    drift = (q * recent).sum(1) / recent.sum()
    migration = 1.5 * drift / height ** 0.8 + rng.normal(0, 2.0, n)
    X = np.stack([speed, np.sin(dirn), np.cos(dirn), np.log1p(rain), veg,
                  np.repeat(height[:, None], MONTHS, 1)], -1)
    return X.astype(np.float32), migration.astype(np.float32)


class DuneEncoder(nn.Module):
    def __init__(self, d_in, d_model=32, heads=4, layers=2):
        super().__init__()
        self.proj = nn.Linear(d_in, d_model)
        self.pos = nn.Parameter(torch.randn(1, MONTHS, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, heads, dim_feedforward=64, dropout=0.1,
                                           batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d_model), nn.Linear(d_model, 1))

    def forward(self, x):
        h = self.encoder(self.proj(x) + self.pos)
        return self.head(h.mean(1)).squeeze(-1)


def main():
    torch.manual_seed(8)
    rng = np.random.default_rng(8)
    X, y = simulate(1900, rng)
    tr, va = slice(0, 1500), slice(1500, None)
    mu, sd = X[tr].reshape(-1, X.shape[-1]).mean(0), X[tr].reshape(-1, X.shape[-1]).std(0)
    X = (X - mu) / sd
    y_mu, y_sd = y[tr].mean(), y[tr].std()
    Xt, yt = torch.from_numpy(X), torch.from_numpy((y - y_mu) / y_sd)
    train_loader = DataLoader(TensorDataset(Xt[tr], yt[tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xt[va], yt[va]), batch_size=500)

    model = DuneEncoder(X.shape[-1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
    epochs = 14
    total_steps = epochs * len(train_loader)
    warmup = int(0.06 * total_steps)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)
    loss_fn = nn.MSELoss()

    for epoch in range(epochs):
        model.train()
        for xb, yb in train_loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                out = model(xb)
            loss = loss_fn(out.float(), yb)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
        model.eval()
        preds = []
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            for xb, _ in val_loader:
                preds.append(model(xb).float())
        pred = torch.cat(preds).numpy() * y_sd + y_mu
        true = y[va]
        r2 = 1 - ((pred - true) ** 2).sum() / ((true - true.mean()) ** 2).sum()
        if epoch % 3 == 2 or epoch == 0:
            print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} "
                  f"train mse {loss.item():.4f} val R2 {r2:.3f}")
    rmse = np.sqrt(((pred - true) ** 2).mean())
    print(f"final: val R2 {r2:.3f}, RMSE {rmse:.2f} m/yr (target sd {true.std():.2f} m/yr)")


if __name__ == "__main__":
    main()
