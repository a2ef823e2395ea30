"""Classify wind-turbine operating state from 10-minute SCADA aggregates.

States: 0 normal, 1 curtailed, 2 icing, 3 yaw misalignment.
"""
import argparse

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FEATURES = ["wind_ms", "rotor_rpm", "pitch_deg", "power_kw", "gen_temp_c",
            "gearbox_temp_c", "nacelle_dir_err", "ambient_c", "grid_hz", "vib_rms"]


def simulate_scada(n, rng):
    state = rng.choice(4, size=n, p=[0.4, 0.2, 0.2, 0.2])
    wind = rng.weibull(2.2, n) * 9.0 + 1.0
    ambient = rng.normal(8.0, 7.0, n)
    ambient[state == 2] = rng.normal(-4.0, 2.5, (state == 2).sum())
    yaw_err = rng.normal(0.0, 4.0, n)
    yaw_err[state == 3] += rng.choice([-1, 1], (state == 3).sum()) * rng.uniform(12, 30, (state == 3).sum())
    cp = 0.45 - 0.25 * (state == 2) - 0.002 * np.abs(yaw_err)
    power = np.clip(0.5 * 1.225 * 5000 * cp * wind ** 3 / 1000, 0, 2000)
    power[state == 1] = np.minimum(power[state == 1], rng.uniform(300, 900, (state == 1).sum()))
    pitch = np.where(power >= 1990, 2.0 * (wind - 12), 0.5) + rng.normal(0, 0.5, n)
    pitch[state == 1] += rng.uniform(4, 10, (state == 1).sum())
    rpm = np.clip(6.0 + 1.1 * wind, 6, 16) + rng.normal(0, 0.3, n)
    gen_temp = ambient + 20 + power / 40 + rng.normal(0, 2, n)
    gearbox = ambient + 15 + power / 55 + rng.normal(0, 2, n)
    vib = 0.2 + 0.02 * rpm + 0.3 * (state == 2) + 0.01 * np.abs(yaw_err) + rng.gamma(2.0, 0.03, n)
    cols = {
        "wind_ms": wind, "rotor_rpm": rpm, "pitch_deg": pitch, "power_kw": power,
        "gen_temp_c": gen_temp, "gearbox_temp_c": gearbox, "nacelle_dir_err": yaw_err,
        "ambient_c": ambient, "grid_hz": np.full(n, 50.0), "vib_rms": vib,
    }
    return cols, state


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    args = ap.parse_args()

    torch.manual_seed(7)
    rng = np.random.default_rng(7)
    cols, y = simulate_scada(4000, rng)
    X = np.column_stack([cols[f] for f in FEATURES]).astype(np.float64)

    idx = rng.permutation(len(y))
    tr, va = idx[:3200], idx[3200:]
    mu, sd = X[tr].mean(axis=0), X[tr].std(axis=0)
    Xtr = torch.tensor((X[tr] - mu) / sd, dtype=torch.float32)
    Xva = torch.tensor((X[va] - mu) / sd, dtype=torch.float32)
    ytr, yva = torch.tensor(y[tr]), torch.tensor(y[va])

    train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(Xva, yva), batch_size=256)

    model = nn.Sequential(
        nn.Linear(len(FEATURES), 128), nn.ReLU(),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 4),
    )
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loss_fn = nn.CrossEntropyLoss()

    best = -1.0
    for epoch in range(args.epochs):
        model.train()
        for xb, yb in train_loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()

        model.eval()
        correct, total_loss = 0, 0.0
        with torch.no_grad():
            for xb, yb in val_loader:
                out = model(xb)
                total_loss += nn.functional.cross_entropy(out, yb, reduction="sum").item()
                correct += (out.argmax(1) == yb).sum().item()
        acc = correct / len(yva)
        if acc > best:
            best = acc
            torch.save(model, "/tmp/r15a_turbine_state_best.pt")
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:2d}  train_loss {loss.item():.4f}  val_loss {total_loss / len(yva):.4f}  val_acc {acc:.4f}")

    model = torch.load("/tmp/r15a_turbine_state_best.pt", weights_only=False)
    print(f"final: best val_acc {best:.4f}")


if __name__ == "__main__":
    main()
