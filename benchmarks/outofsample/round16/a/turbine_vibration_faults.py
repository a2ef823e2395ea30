"""Wind-turbine gearbox condition monitoring: classify the machine state from
vibration band energies, kurtosis, crest factor and bearing temperature."""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

STATES = ["normal", "bearing_wear", "rotor_imbalance", "shaft_misalignment", "mechanical_looseness"]
SHARES = [0.93, 0.025, 0.02, 0.015, 0.01]
N_BANDS = 16


def simulate(n, rng):
    state = rng.choice(len(STATES), size=n, p=SHARES)
    rpm = rng.uniform(900, 1600, n)
    bands = rng.gamma(4.0, 0.25, (n, N_BANDS))
    bands *= (rpm[:, None] / 1200.0) ** 0.5
    signature = {
        1: ([11, 12, 13], 1.4),
        2: ([1, 2], 1.4),
        3: ([3, 4, 5], 1.2),
        4: ([7, 8, 9], 1.0),
    }
    for k, (idx, gain) in signature.items():
        m = state == k
        bands[np.ix_(m, idx)] += gain * rng.gamma(2.0, 0.5, (m.sum(), len(idx)))
    kurt = 3.0 + rng.gamma(1.5, 0.4, n) + 0.9 * (state == 1) + 0.5 * (state == 4)
    crest = 1.4 + rng.gamma(2.0, 0.15, n) + 0.35 * (state == 4)
    temp = 48 + 0.01 * (rpm - 1200) + rng.normal(0, 4, n) + 3.5 * (state == 1) + 2.0 * (state == 3)
    X = np.column_stack([np.log1p(bands), kurt, crest, temp, rpm])
    return X.astype(np.float32), state


def macro_recall(pred, y, k):
    rec = [(pred[y == c] == c).float().mean().item() for c in range(k) if (y == c).any()]
    return sum(rec) / len(rec)


def main():
    torch.manual_seed(3)
    rng = np.random.default_rng(3)
    X, y = simulate(9000, rng)
    X_tr, y_tr, X_va, y_va = X[:7000], y[:7000], X[7000:], y[7000:]
    mu, sd = X_tr.mean(0), X_tr.std(0)
    X_tr, X_va = (X_tr - mu) / sd, (X_va - mu) / sd

    train = TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr))
    loader = DataLoader(train, batch_size=128, shuffle=True)
    Xv, yv = torch.from_numpy(X_va), torch.from_numpy(y_va)

    model = nn.Sequential(
        nn.Linear(X.shape[1], 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 64), nn.BatchNorm1d(64), nn.ReLU(),
        nn.Linear(64, len(STATES)),
    )
    criterion = nn.CrossEntropyLoss()
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)

    for epoch in range(12):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            logits = model(Xv)
            val_loss = F.cross_entropy(logits, yv).item()
            pred = logits.argmax(1)
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1} loss {loss.item():.4f} val_loss {val_loss:.4f} "
                  f"val_acc {(pred == yv).float().mean():.4f} val_macro_recall {macro_recall(pred, yv, len(STATES)):.4f}")

    print("per-state recall:", {s: round((pred[yv == c] == c).float().mean().item(), 3)
                                for c, s in enumerate(STATES)})
    print(f"final val_acc {(pred == yv).float().mean():.4f} val_macro_recall {macro_recall(pred, yv, len(STATES)):.4f}")


if __name__ == "__main__":
    main()
