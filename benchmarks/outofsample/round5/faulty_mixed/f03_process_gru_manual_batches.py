"""Heat-exchanger condition monitoring: classify 2-minute windows of plant
sensor readings (2 s sampling) into normal / fouling / leak / pump wear with
a GRU. Batches are drawn by index from the in-memory arrays."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

STATES = ["normal", "fouling", "leak", "pump_wear"]
T = 60
# channels: T_hot_in [K], T_hot_out [K], T_cold_in [K], T_cold_out [K], p_line [kPa]
BASE = np.array([368.0, 341.0, 291.0, 318.0, 412.0])


def windows(n, rng):
    t = np.linspace(0, 1, T)
    y = rng.integers(0, len(STATES), n)
    X = np.empty((n, T, 5), dtype=np.float32)
    for i in range(n):
        w = BASE + rng.normal(0, [3.0, 3.0, 2.0, 2.0, 6.0])
        x = np.tile(w, (T, 1)) + rng.normal(0, [0.4, 0.4, 0.3, 0.3, 1.5], (T, 5))
        x += np.sin(2 * np.pi * rng.uniform(0.5, 2) * t + rng.uniform(0, 6.3))[:, None] * [0.6, 0.6, 0.3, 0.3, 2.0]
        s = y[i]
        if s == 1:                                   # fouling: heat transfer drops
            x[:, 1] += 4.0 * t; x[:, 3] -= 3.0 * t
        elif s == 2:                                 # leak: line pressure decays
            x[:, 4] -= 18.0 * t ** 1.5
        elif s == 3:                                 # pump wear: pressure ripple
            x[:, 4] += 6.0 * np.sin(2 * np.pi * 9 * t)
        X[i] = x
    return X, y


class GRUClassifier(nn.Module):
    def __init__(self, n_in=5, hidden=64, n_out=len(STATES)):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, num_layers=2, batch_first=True, dropout=0.1)
        self.fc = nn.Linear(hidden, n_out)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out[:, -1])


def evaluate(model, X, y, bs=256):
    model.eval()
    correct, loss = 0, 0.0
    with torch.no_grad():
        for i in range(0, len(X), bs):
            logits = model(X[i:i + bs])
            loss += F.cross_entropy(logits, y[i:i + bs], reduction="sum").item()
            correct += (logits.argmax(1) == y[i:i + bs]).sum().item()
    return loss / len(X), correct / len(X)


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X_tr, y_tr = windows(1600, rng)
    X_va, y_va = windows(400, rng)
    X_tr, X_va = torch.from_numpy(X_tr), torch.from_numpy(X_va)
    y_tr, y_va = torch.from_numpy(y_tr), torch.from_numpy(y_va)

    model = GRUClassifier()
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    bs, epochs = 64, 12
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        running = 0.0
        for i in range(0, len(X_tr), bs):
            idx = perm[i:i + bs]
            xb, yb = X_tr[idx], y_tr[idx]
            opt.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            running += loss.item() * len(idx)
        val_loss, val_acc = evaluate(model, X_va, y_va)
        print(f"epoch {epoch + 1:2d} train_loss {running / len(X_tr):.4f} val_loss {val_loss:.4f} val_acc {val_acc:.4f}")
    print(f"final val_loss {val_loss:.4f} val_acc {val_acc:.4f}")


if __name__ == "__main__":
    main()
