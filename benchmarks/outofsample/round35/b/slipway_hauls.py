"""Boatyard slipway: how long will hauling this boat out take?

Yard log of 2,600 haul-outs: displacement (t), length (m), keel type (long/fin/bilge, one-hot),
slipway gradient (%), tide height at start (m), cradle wheel condition (0-1 score), winch
rope age (months), wind (kn). Target: minutes from cradle-under to chocked on the hard. Most
hauls are routine, a few snag (cradle derails, keel sits badly) and take far longer, so the
loss is Huber and the score is the median absolute error. The update is written out by hand
(SGD with momentum), and the model we keep is an exponential moving average of the weights.
"""
import copy
import os
import tempfile
import numpy as np
import torch
from torch import nn


def haul_log(n, rng):
    disp = rng.lognormal(1.6, 0.6, n)
    length = 6 + 2.2 * disp ** 0.45 + rng.normal(0, 0.6, n)
    keel = rng.choice(3, n, p=[0.25, 0.55, 0.2])
    grad = rng.uniform(4, 12, n)
    tide = rng.normal(2.5, 0.9, n)
    wheels = rng.beta(5, 2, n)
    rope = rng.uniform(0, 60, n)
    wind = rng.gamma(2.0, 5.0, n)
    base = (12 + 3.5 * disp ** 0.8 * (1 + grad / 20) - 2.0 * (tide - 2.5)
            + 6 * (keel == 0) + 4 * (1 - wheels) * disp ** 0.5 + 0.25 * np.maximum(wind - 15, 0))
    snag = rng.random(n) < 0.05 + 0.10 * (wheels < 0.45)
    delay = snag * rng.pareto(1.8, n) * 25
    minutes = base * np.exp(rng.normal(0, 0.06, n)) + delay
    X = np.column_stack([disp, length, np.eye(3)[keel], grad, tide, wheels, rope, wind])
    return X.astype(np.float32), minutes.astype(np.float32)


def main():
    torch.manual_seed(41)
    rng = np.random.default_rng(41)
    X, y = haul_log(2600, rng)
    tr, va = np.arange(2100), np.arange(2100, 2600)
    cont = [0, 1, 5, 6, 7, 8, 9]                       # one-hot keel columns stay 0/1
    mu, sd = X[tr][:, cont].mean(0), X[tr][:, cont].std(0)
    X[:, cont] = (X[:, cont] - mu) / sd
    y_med = float(np.median(y[tr]))
    y_iqr = float(np.subtract(*np.percentile(y[tr], [75, 25])))
    Xt, yt = torch.from_numpy(X), torch.from_numpy((y - y_med) / y_iqr)

    model = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 1))
    ema = copy.deepcopy(model).requires_grad_(False)
    loss_fn = nn.HuberLoss(delta=1.0)
    lr, momentum, decay, bs = 0.05, 0.9, 0.995, 32
    bufs = [torch.zeros_like(p) for p in model.parameters()]

    for epoch in range(24):
        model.train()
        perm = torch.from_numpy(rng.permutation(tr))
        for s in range(0, len(perm), bs):
            idx = perm[s:s + bs]
            loss = loss_fn(model(Xt[idx]).squeeze(-1), yt[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, buf in zip(model.parameters(), bufs):
                    buf.mul_(momentum).add_(p.grad)
                    p -= lr * buf
                for pe, p in zip(ema.parameters(), model.parameters()):
                    pe.mul_(decay).add_(p, alpha=1 - decay)
        if epoch == 17:
            lr *= 0.2
        if epoch % 4 == 3:
            ema.eval()
            with torch.no_grad():
                out = ema(Xt[va]).squeeze(-1)
                val_loss = loss_fn(out, yt[va]).item()
            pred = out.numpy() * y_iqr + y_med
            print(f"epoch {epoch + 1}  last_loss {loss.item():.4f}  ema val_loss {val_loss:.4f}  "
                  f"MedAE {np.median(np.abs(pred - y[va])):.2f} min")

    path = os.path.join(tempfile.mkdtemp(), "haul_ema.pt")
    torch.save(ema, path)
    kept = torch.load(path, weights_only=False)
    kept.eval()
    with torch.no_grad():
        pred = kept(Xt[va]).squeeze(-1).numpy() * y_iqr + y_med
    err = np.abs(pred - y[va])
    naive = np.abs(y_med - y[va])
    print(f"final val MedAE {np.median(err):.2f} min (median-only baseline {np.median(naive):.2f})  "
          f"MAE {err.mean():.2f}")


if __name__ == "__main__":
    main()
