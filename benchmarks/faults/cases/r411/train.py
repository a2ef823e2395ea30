import copy

import numpy as np
import torch
from sklearn.metrics import r2_score
from torch import nn

from benchmarks.faults.casedata import sensor_sequences


class Net(nn.Module):
    def __init__(self, features, hidden=96):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.mlp = nn.Sequential(nn.Linear(hidden, 96), nn.ReLU(), nn.Linear(96, 1))

    def forward(self, x):
        h, _ = self.gru(x)
        return self.mlp(h[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=600, length=16, features=3, seed=21)
    y = y + 0.6 * np.random.default_rng(21).standard_normal(len(y)).astype(np.float32)
    X, y = torch.tensor(X), torch.tensor(y)
    X_train, y_train, X_val, y_val = X[:90], y[:90], X[90:], y[90:]

    model = Net(3)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    criterion = nn.MSELoss()
    best, best_state, bad = float("inf"), copy.deepcopy(model.state_dict()), 0

    for epoch in range(150):
        perm = torch.randperm(len(X_train))
        for i in range(0, len(X_train), 15):
            idx = perm[i:i + 15]
            optimizer.zero_grad()
            loss = criterion(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            val_loss = criterion(model(X_val), y_val).item()
        if epoch % 10 == 0:
            print(f"epoch {epoch} train_mse {loss.item():.4f} val_mse {val_loss:.4f}")
        if val_loss < best - 1e-4:
            best, best_state, bad = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad += 1
            if bad >= 10:
                break
    model.load_state_dict(best_state)

    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
