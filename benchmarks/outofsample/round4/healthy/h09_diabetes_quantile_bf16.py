"""Diabetes progression: quantile regression (10%, 50%, 90%) with the pinball loss.
MLP trained with AdamW under bf16 autocast on CPU; linear warm-up then cosine decay
(LambdaLR stepped per batch).  Targets standardised with training statistics.
Reports validation pinball loss, median MAE (original units) and 10-90% interval coverage."""
import math

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

QUANTILES = torch.tensor([0.1, 0.5, 0.9])


def pinball(pred, y):
    diff = y.unsqueeze(1) - pred
    return torch.maximum(QUANTILES * diff, (QUANTILES - 1) * diff).mean()


def main():
    X, y = load_diabetes(return_X_y=True)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, random_state=0)
    xs = StandardScaler().fit(X_tr)
    y_mean, y_std = y_tr.mean(), y_tr.std()
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    Xtr, Xva = to_t(xs.transform(X_tr)), to_t(xs.transform(X_va))
    ytr, yva = to_t((y_tr - y_mean) / y_std), to_t((y_va - y_mean) / y_std)
    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)

    model = nn.Sequential(nn.Linear(10, 32), nn.GELU(), nn.Dropout(0.2),
                          nn.Linear(32, 32), nn.GELU(), nn.Linear(32, 3))
    epochs = 20
    total_steps = epochs * len(train_loader)
    warmup = 20
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=5e-2)

    def lr_lambda(step):
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total_steps - warmup)
        return 0.5 * (1 + math.cos(math.pi * progress))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

    for epoch in range(epochs):
        model.train()
        running = 0.0
        for x, yb in train_loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                pred = model(x)
            loss = pinball(pred.float(), yb)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item() * len(yb)
        model.eval()
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            pred = model(Xva).float()
        val = pinball(pred, yva).item()
        if epoch % 2 == 0 or epoch == epochs - 1:
            print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.5f} train_pinball {running / len(ytr):.4f} "
                  f"val_pinball {val:.4f}")

    pred_orig = pred * y_std + y_mean
    mae = (pred_orig[:, 1] - to_t(y_va)).abs().mean().item()
    coverage = ((to_t(y_va) >= pred_orig[:, 0]) & (to_t(y_va) <= pred_orig[:, 2])).float().mean().item()
    base_mae = np.abs(y_va - np.median(y_tr)).mean()
    print(f"final val_pinball {val:.4f} median_MAE {mae:.1f} (constant-median MAE {base_mae:.1f}) "
          f"coverage_10_90 {coverage:.3f}")


if __name__ == "__main__":
    main()
