"""Organ-pipe voicing: predict how many cents sharp/flat a flue pipe speaks after
voicing, from its scale and voicing measurements, so the voicer knows how much to
trim the tuning slot.  Workshop logs have heavy-tailed errors (mis-keyed readings,
pipes that overblew), so the model is fitted with a Huber loss on robustly scaled
targets.  Residual MLP, AdamW, gradient clipping as routine insurance, early stopping
on validation MAE with the best model saved whole and reloaded for the test score.
"""
import os
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(11)
rng = np.random.default_rng(11)

MATERIALS = ["tin", "spotted", "lead", "oak", "pine"]


def workshop_log(n):
    length_mm = rng.uniform(80, 2400, n)
    scale_ratio = rng.normal(0, 1, n)               # halftones off the Normalmensur
    diameter_mm = length_mm / 14 * 2 ** (scale_ratio / 16) + rng.normal(0, 1, n)
    mouth_ratio = rng.uniform(0.2, 0.3, n)            # mouth width / circumference
    cutup_ratio = rng.uniform(0.2, 0.45, n)           # cut-up height / mouth width
    pressure_mm = rng.choice([65, 70, 75, 80, 90], n) + rng.normal(0, 1, n)
    toe_mm = rng.uniform(3, 14, n)
    nicks = rng.integers(0, 30, n).astype(float)
    material = rng.integers(0, len(MATERIALS), n)
    mat_shift = np.array([0.0, 1.5, -2.0, 4.0, 3.0])[material]
    wind = pressure_mm * (toe_mm / 8) ** 2 / (cutup_ratio / 0.3) ** 2
    cents = (
        6.0 * np.log(wind / 70)
        - 9.0 * (cutup_ratio - 0.3) / 0.1 * (length_mm / 1000) ** 0.5
        + 2.5 * scale_ratio
        - 0.15 * nicks
        + 12.0 * (mouth_ratio - 0.25) / 0.05
        + mat_shift
    )
    noise = rng.standard_t(df=2.2, size=n) * 1.2    # heavy tails: mis-keyed tuner readings
    X_num = np.column_stack([np.log(length_mm), np.log(diameter_mm), mouth_ratio, cutup_ratio,
                             pressure_mm, toe_mm, nicks])
    X_cat = np.eye(len(MATERIALS))[material]
    return X_num, X_cat, cents + noise


class ResBlock(nn.Module):
    def __init__(self, d, p=0.05):
        super().__init__()
        self.net = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, d), nn.GELU(), nn.Dropout(p), nn.Linear(d, d))

    def forward(self, x):
        return x + self.net(x)


class VoicingNet(nn.Module):
    def __init__(self, d_in, d=96, n_blocks=3):
        super().__init__()
        self.inp = nn.Linear(d_in, d)
        self.blocks = nn.Sequential(*[ResBlock(d) for _ in range(n_blocks)])
        self.out = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))

    def forward(self, x):
        return self.out(self.blocks(self.inp(x))).squeeze(-1)


def main():
    Xn, Xc, y = workshop_log(4000)
    tr, va, te = np.split(rng.permutation(len(y)), [2800, 3400])
    mu, sd = Xn[tr].mean(0), Xn[tr].std(0)
    X = np.hstack([(Xn - mu) / sd, Xc]).astype(np.float32)     # one-hot material left as 0/1
    med = np.median(y[tr])
    iqr = np.subtract(*np.percentile(y[tr], [75, 25]))
    t = ((y - med) / iqr).astype(np.float32)

    def loader(idx, shuffle):
        return DataLoader(TensorDataset(torch.from_numpy(X[idx]), torch.from_numpy(t[idx])),
                          batch_size=64 if shuffle else 512, shuffle=shuffle)

    train_loader, val_loader, test_loader = loader(tr, True), loader(va, False), loader(te, False)
    model = VoicingNet(X.shape[1])
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    criterion = nn.HuberLoss(delta=0.5)

    def mae_cents(m, dl):
        m.eval()
        err, n = 0.0, 0
        with torch.no_grad():
            for xb, tb in dl:
                err += ((m(xb) - tb).abs() * iqr).sum().item()
                n += len(tb)
        return err / n

    ckpt = os.path.join(tempfile.mkdtemp(), "voicing_best.pt")
    best, patience, bad = float("inf"), 6, 0
    for epoch in range(1, 61):
        model.train()
        for xb, tb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), tb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=5.0)
            optimizer.step()
        val_mae = mae_cents(model, val_loader)
        if val_mae < best - 1e-3:
            best, bad = val_mae, 0
            torch.save(model, ckpt)
        else:
            bad += 1
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} val MAE {val_mae:.3f} cents (best {best:.3f})")
        if bad >= patience:
            print(f"early stop at epoch {epoch}")
            break

    best_model = torch.load(ckpt, weights_only=False)
    test_mae = mae_cents(best_model, test_loader)
    base = np.abs(y[te] - med).mean()
    print(f"final test MAE {test_mae:.3f} cents (median-predictor baseline {base:.3f})")


if __name__ == "__main__":
    main()
