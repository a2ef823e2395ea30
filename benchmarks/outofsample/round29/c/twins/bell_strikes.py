"""Which bell was struck? Tower recordings of a ring of eight.

Each strike is summarised as a 48-band log spectrum (hum, prime, tierce, quint, nominal partials
smeared by the tower acoustics, clapper speed and microphone position). Ringers log the bell
number by hand, so some logs are off. A small MLP learns the bell from the spectrum; strikes are
simulated from seeded partial tables.
"""
import copy

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

N_BELLS, N_BANDS = 8, 48


def partial_table(rng):
    # nominal frequency of each bell on a descending major scale, in band units
    nominal = np.array([40.0, 37.8, 35.9, 34.9, 33.0, 31.1, 29.5, 28.7])
    ratios = np.array([0.25, 0.5, 0.6, 0.75, 1.0])            # hum, prime, tierce, quint, nominal
    amps = rng.uniform(0.4, 1.0, (N_BELLS, len(ratios)))
    return nominal, ratios, amps


def strikes(n, table, rng, mislog=0.2):
    nominal, ratios, amps = table
    bells = rng.integers(0, N_BELLS, n)
    bands = np.arange(N_BANDS)[None, :]
    X = np.zeros((n, N_BANDS))
    for j, r in enumerate(ratios):
        centre = (nominal[bells] * r)[:, None] + rng.normal(0, 0.6, (n, 1))
        width = rng.uniform(0.8, 1.6, (n, 1))
        gain = amps[bells, j][:, None] * rng.lognormal(0, 0.35, (n, 1))
        X += gain * np.exp(-0.5 * ((bands - centre) / width) ** 2)
    X = np.log1p(8 * X) + rng.normal(0, 0.12, X.shape)        # tower noise floor
    logged = bells.copy()
    wrong = rng.random(n) < mislog
    logged[wrong] = np.clip(bells[wrong] + rng.choice([-1, 1], wrong.sum()), 0, N_BELLS - 1)
    return X.astype(np.float32), logged


def run_epoch(model, loader, opt=None):
    model.train(opt is not None)
    tot_loss, correct, n = 0.0, 0, 0
    with torch.set_grad_enabled(opt is not None):
        for xb, yb in loader:
            out = model(xb)
            loss = F.cross_entropy(out, yb)
            if opt is not None:
                opt.zero_grad()
                loss.backward()
                opt.step()
            tot_loss += loss.item() * len(yb)
            correct += (out.argmax(1) == yb).sum().item()
            n += len(yb)
    return tot_loss / n, correct / n


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    table = partial_table(rng)
    Xtr, ytr = strikes(320, table, rng)
    Xva, yva = strikes(600, table, rng)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd

    train_dl = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32,
                          shuffle=True)
    val_dl = DataLoader(TensorDataset(torch.tensor(Xva), torch.tensor(yva)), batch_size=200)

    model = nn.Sequential(
        nn.Linear(N_BANDS, 512), nn.ReLU(),
        nn.Linear(512, 512), nn.ReLU(),
        nn.Linear(512, N_BELLS),
    )
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)

    best, best_state, bad = float("inf"), None, 0
    for epoch in range(1, 121):
        tr_loss, tr_acc = run_epoch(model, train_dl, opt)
        va_loss, va_acc = run_epoch(model, val_dl)
        if epoch % 10 == 0:
            print(f"epoch {epoch:3d}  train loss {tr_loss:.3f} acc {tr_acc:.3f}  "
                  f"val loss {va_loss:.3f} acc {va_acc:.3f}")
        if va_loss < best:
            best, best_state, bad = va_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= 5:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    va_loss, va_acc = run_epoch(model, val_dl)
    print(f"final val loss {va_loss:.3f}  val accuracy {va_acc:.3f}")


if __name__ == "__main__":
    main()
