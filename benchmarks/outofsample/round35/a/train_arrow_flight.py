"""Archery: predict where an arrow lands at 70 m from the first 40 frames of its flight.

A high-speed camera 2 m in front of the bow tracks each arrow (lateral offset, vertical offset,
yaw, pitch, nock-end oscillation amplitude) for 40 frames. The target is the arrow's radial
miss distance at 70 m in cm. Bad releases and damaged fletchings make the tail long, so the
loss is Huber on standardised log-distance and the report is the median absolute error in cm.
The weights are updated by hand with momentum; the model that is scored and saved is an
exponential moving average of the weights.
"""
import copy
import os
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

T, C = 40, 5


def shots(n, rng):
    t = np.linspace(0, 1, T)
    X = np.zeros((n, T, C), dtype=np.float32)
    miss = np.zeros(n, dtype=np.float32)
    for i in range(n):
        drift_x, drift_y = rng.normal(0, 1.0, 2)
        paradox = rng.uniform(0.5, 2.0)                   # archer's paradox amplitude
        f = rng.uniform(8, 14)
        damp = rng.uniform(2, 6)
        fletch = rng.random() < 0.08                      # damaged fletching: growing yaw
        osc = paradox * np.exp(-damp * t) * np.sin(2 * np.pi * f * t)
        yaw = 0.3 * drift_x + osc + (1.5 * t ** 2 if fletch else 0.0)
        pitch = 0.3 * drift_y + 0.4 * osc * rng.normal()
        X[i, :, 0] = drift_x * t + 0.1 * osc
        X[i, :, 1] = drift_y * t
        X[i, :, 2] = yaw
        X[i, :, 3] = pitch
        X[i, :, 4] = np.abs(osc)
        lat = 9 * drift_x + 4 * paradox * np.exp(-damp) + (25 if fletch else 0)
        ver = 9 * drift_y
        miss[i] = np.hypot(lat, ver) + rng.gamma(2.0, 1.5)
    X += rng.normal(0, 0.05, X.shape).astype(np.float32)
    return X, miss


class FlightGRU(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.gru = nn.GRU(C, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        _, h = self.gru(x)
        return self.head(h[-1]).squeeze(-1)


@torch.no_grad()
def ema_update(ema, model, decay):
    for pe, pm in zip(ema.parameters(), model.parameters()):
        pe.mul_(decay).add_(pm, alpha=1 - decay)


@torch.no_grad()
def evaluate(model, X, y, batch=250):
    model.eval()
    total_huber, n = 0.0, 0
    preds = []
    for i in range(0, len(X), batch):
        out = model(X[i:i + batch])
        total_huber += F.huber_loss(out, y[i:i + batch], reduction="sum").item()
        n += len(out)
        preds.append(out)
    return total_huber / n, torch.cat(preds)


def main():
    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    X, miss = shots(2000, rng)
    Xtr, Xva = torch.from_numpy(X[:1600]), torch.from_numpy(X[1600:])
    feat_mu, feat_sd = Xtr.mean((0, 1)), Xtr.std((0, 1))
    Xtr, Xva = (Xtr - feat_mu) / feat_sd, (Xva - feat_mu) / feat_sd
    logm = np.log(miss)
    mu, sd = logm[:1600].mean(), logm[:1600].std()
    ytr = torch.from_numpy((logm[:1600] - mu) / sd)
    yva = torch.from_numpy((logm[1600:] - mu) / sd)

    model = FlightGRU()
    ema = copy.deepcopy(model)
    for p in ema.parameters():
        p.requires_grad_(False)
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    lr, momentum, batch, epochs = 0.05, 0.9, 32, 14

    step = 0
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(Xtr), batch):
            idx = perm[i:i + batch]
            loss = F.huber_loss(model(Xtr[idx]), ytr[idx])
            model.zero_grad(set_to_none=False)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    v.mul_(momentum).add_(p.grad)
                    p -= lr * v
            step += 1
            ema_update(ema, model, decay=min(0.99, (1 + step) / (10 + step)))
        val_huber, _ = evaluate(ema, Xva, yva)
        print(f"epoch {epoch + 1:2d} train_huber {loss.item():.4f} ema_val_huber {val_huber:.4f}")

    path = os.path.join(tempfile.gettempdir(), "arrow_flight_ema.pt")
    torch.save(ema, path)
    scored = torch.load(path, weights_only=False)
    _, pred = evaluate(scored, Xva, yva)
    pred_cm = np.exp(pred.numpy() * sd + mu)
    true_cm = miss[1600:]
    mae = np.median(np.abs(pred_cm - true_cm))
    base = np.median(np.abs(np.median(miss[:1600]) - true_cm))
    print(f"val median abs error {mae:.2f} cm (median predictor {base:.2f} cm)")


if __name__ == "__main__":
    main()
