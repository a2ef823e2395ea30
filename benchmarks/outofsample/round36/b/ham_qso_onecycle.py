"""Will a scheduled HF amateur-radio contact (QSO) be completed?

Features per attempt: band, mode and antenna type (one-hot), great-circle distance,
transmit power, solar flux index, planetary K index, local hour at both ends, path
darkness. Trained the way the club's contest-planning notebook does it: OneCycleLR stepped
every batch, bf16 autocast, gradient clipping as routine insurance, early stopping on the
validation loss with the best weights restored.
"""
import argparse
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import roc_auc_score
from torch.utils.data import DataLoader, TensorDataset


def get_args():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int, default=25)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--max-lr", type=float, default=4e-3)
    p.add_argument("--patience", type=int, default=4)
    p.add_argument("--seed", type=int, default=17)
    return p.parse_args()


BANDS = ["160m", "80m", "40m", "30m", "20m", "17m", "15m", "12m", "10m"]
MODES = ["CW", "SSB", "FT8", "RTTY"]
ANTENNAS = ["dipole", "vertical", "yagi", "loop", "endfed"]


def attempts(n, rng):
    band = rng.integers(0, len(BANDS), n)
    mode = rng.choice(len(MODES), n, p=[0.25, 0.3, 0.35, 0.1])
    ant = rng.integers(0, len(ANTENNAS), n)
    dist_km = np.exp(rng.uniform(np.log(200), np.log(16000), n))
    power_w = np.exp(rng.uniform(np.log(5), np.log(1000), n))
    sfi = rng.uniform(65, 220, n)
    kp = rng.gamma(2.0, 1.0, n)
    hour_a = rng.uniform(0, 24, n)
    hour_b = (hour_a + dist_km / 1700 + rng.normal(0, 2, n)) % 24
    dark = ((np.cos(2 * np.pi * hour_a / 24) > 0.3).astype(float) + (np.cos(2 * np.pi * hour_b / 24) > 0.3)) / 2
    band_f = np.array([1.8, 3.5, 7, 10, 14, 18, 21, 24.9, 28])[band]
    muf = 8 + 0.09 * sfi * (1 - 0.7 * dark) - 0.8 * kp
    prop = -0.5 * np.clip(band_f - muf, 0, None) - 0.04 * np.clip(muf - band_f - 10, 0, None) \
        - 1.2 * (band_f < 8) * (1 - dark) * (dist_km > 1500)
    mode_gain = np.array([1.0, 0.0, 2.2, 0.6])[mode]
    ant_gain = np.array([0.0, -0.3, 1.0, 0.3, -0.2])[ant]
    snr = prop * 2 + mode_gain + ant_gain + 0.6 * np.log10(power_w) - 1.4 * np.log10(dist_km / 1000 + 0.2) - 0.4 * kp
    done = (rng.random(n) < 1 / (1 + np.exp(-(snr + 0.3)))).astype(np.float32)
    cont = np.stack([np.log10(dist_km), 10 * np.log10(power_w), sfi, kp,
                     np.sin(2 * np.pi * hour_a / 24), np.cos(2 * np.pi * hour_a / 24),
                     np.sin(2 * np.pi * hour_b / 24), np.cos(2 * np.pi * hour_b / 24), dark], 1)
    cats = np.concatenate([np.eye(len(BANDS))[band], np.eye(len(MODES))[mode], np.eye(len(ANTENNAS))[ant]], 1)
    return cont.astype(np.float32), cats.astype(np.float32), done


class QSONet(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.fc1 = nn.Linear(d_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.out = nn.Linear(64, 1)
        self.drop = nn.Dropout(0.1)

    def forward(self, x):
        x = self.drop(F.silu(self.fc1(x)))
        x = F.silu(self.fc2(x))
        return self.out(x).squeeze(-1)


def run_epoch(model, loader, optimizer=None, scheduler=None):
    training = optimizer is not None
    model.train(training)
    total, count, probs, labels = 0.0, 0, [], []
    with torch.set_grad_enabled(training):
        for xb, yb in loader:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(xb)
            loss = F.binary_cross_entropy_with_logits(logits.float(), yb)
            if training:
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
                scheduler.step()
            total += loss.item() * len(yb)
            count += len(yb)
            probs.append(torch.sigmoid(logits.float()).detach())
            labels.append(yb)
    return total / count, roc_auc_score(torch.cat(labels).numpy(), torch.cat(probs).numpy())


def main():
    args = get_args()
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)

    cont, cats, y = attempts(9000, rng)
    n_tr, n_va = 6000, 1500
    mu, sd = cont[:n_tr].mean(0), cont[:n_tr].std(0)
    X = np.concatenate([(cont - mu) / sd, cats], 1).astype(np.float32)
    X, y = torch.from_numpy(X), torch.from_numpy(y)
    train_loader = DataLoader(TensorDataset(X[:n_tr], y[:n_tr]), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[n_tr:n_tr + n_va], y[n_tr:n_tr + n_va]), batch_size=512)
    test_loader = DataLoader(TensorDataset(X[n_tr + n_va:], y[n_tr + n_va:]), batch_size=512)

    model = QSONet(X.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.max_lr / 25, weight_decay=1e-2)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.max_lr, epochs=args.epochs, steps_per_epoch=len(train_loader), pct_start=0.2)

    best_loss, best_state, bad_epochs = float("inf"), None, 0
    for epoch in range(1, args.epochs + 1):
        tr_loss, tr_auc = run_epoch(model, train_loader, optimizer, scheduler)
        va_loss, va_auc = run_epoch(model, val_loader)
        print(f"epoch {epoch:2d} lr {scheduler.get_last_lr()[0]:.2e} train loss {tr_loss:.4f} auc {tr_auc:.3f} | val loss {va_loss:.4f} auc {va_auc:.3f}")
        if va_loss < best_loss - 1e-4:
            best_loss, best_state, bad_epochs = va_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad_epochs += 1
            if bad_epochs >= args.patience:
                print(f"early stop at epoch {epoch}")
                break

    model.load_state_dict(best_state)
    te_loss, te_auc = run_epoch(model, test_loader)
    print(f"test loss {te_loss:.4f} test AUC {te_auc:.4f}")


if __name__ == "__main__":
    main()
