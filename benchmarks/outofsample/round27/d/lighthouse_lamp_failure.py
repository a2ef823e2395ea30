"""Lighthouse lamp telemetry: from 7 days of hourly readings (lamp current,
supply voltage, lantern-room temperature, rotation-motor current) predict
whether the lamp changer will have to swap the main lamp within 30 days.
GRU over the full 168-step sequence, gradient clipping as routine insurance,
early stopping on validation loss.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset

SEQ = 168


def telemetry(n, rng):
    t = np.arange(SEQ) / 24.0                       # days
    X = np.zeros((n, SEQ, 4), dtype=np.float32)
    y = (rng.random(n) < 0.4).astype(np.float32)
    for i in range(n):
        night = (np.sin(2 * np.pi * (t + rng.uniform())) > 0).astype(float)   # lamp on at night
        ageing = rng.uniform(0.6, 1.0) if y[i] else rng.uniform(0.0, 0.45)
        onset = rng.uniform(1.5, 4.5)
        drift = np.clip(t - onset, 0, None) * ageing
        supply = 230 + rng.normal(0, 1.5, SEQ)
        current = night * (4.2 - 0.05 * drift + rng.normal(0, 0.04 + 0.05 * drift * ageing, SEQ))
        temp = 12 + 6 * night + 1.5 * np.sin(2 * np.pi * t / 7) + rng.normal(0, 0.5, SEQ) + 0.6 * drift
        motor = 0.8 + rng.normal(0, 0.05, SEQ)
        X[i] = np.stack([current, supply, temp, motor], axis=1)
    return X, y


class LampGRU(nn.Module):
    def __init__(self, n_in=4, hidden=32):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, h = self.gru(x)
        feats = torch.cat([h[-1], out.mean(1)], dim=1)
        return self.head(feats).squeeze(-1)


def run_epoch(model, loader, criterion, optimizer=None):
    train = optimizer is not None
    model.train(train)
    total, logits_all, y_all = 0.0, [], []
    with torch.set_grad_enabled(train):
        for xb, yb in loader:
            logits = model(xb)
            loss = criterion(logits, yb)
            if train:
                optimizer.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
            total += loss.item() * len(xb)
            logits_all.append(logits.detach())
            y_all.append(yb)
    return total / len(loader.dataset), torch.cat(logits_all), torch.cat(y_all)


def main():
    torch.manual_seed(4)
    rng = np.random.default_rng(4)
    X, y = telemetry(1000, rng)
    Xtr, ytr, Xva, yva = X[:800], y[:800], X[800:], y[800:]
    mu, sd = Xtr.reshape(-1, 4).mean(0), Xtr.reshape(-1, 4).std(0)
    train_loader = DataLoader(TensorDataset(torch.from_numpy((Xtr - mu) / sd), torch.from_numpy(ytr)),
                              batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy((Xva - mu) / sd), torch.from_numpy(yva)), batch_size=200)

    model = LampGRU()
    optimizer = torch.optim.Adam(model.parameters(), lr=4e-3)
    criterion = nn.BCEWithLogitsLoss()

    best_loss, best_state, patience, bad = float("inf"), None, 3, 0
    for epoch in range(1, 15):
        tr_loss, _, _ = run_epoch(model, train_loader, criterion, optimizer)
        va_loss, logits, yv = run_epoch(model, val_loader, criterion)
        print(f"epoch {epoch:2d}  train {tr_loss:.4f}  val {va_loss:.4f}")
        if va_loss < best_loss - 1e-4:
            best_loss, best_state, bad = va_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    va_loss, logits, yv = run_epoch(model, val_loader, criterion)
    acc = ((logits > 0).float() == yv).float().mean().item()
    auc = roc_auc_score(yv.numpy(), logits.numpy())
    print(f"val loss {va_loss:.4f}  val accuracy {acc:.4f}  val ROC-AUC {auc:.4f}")


if __name__ == "__main__":
    main()
