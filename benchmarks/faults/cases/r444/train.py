import numpy as np
import torch
from sklearn.metrics import r2_score
from torch import nn

from benchmarks.faults.casedata import sensor_sequences


class Regressor(nn.Module):
    def __init__(self, features, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=1200, length=20, features=3, seed=3)
    X, y = torch.tensor(X), torch.tensor(y)
    X_train, y_train, X_val, y_val = X[:960], y[:960], X[960:], y[960:]

    model = Regressor(3)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    loss_fn = nn.HuberLoss(delta=1.0)
    batch_size = 32
    n = len(X_train)

    for epoch in range(10):
        perm = torch.randperm(n)
        total = 0.0
        for i in range(0, n, batch_size):
            idx = perm[i:i + batch_size]
            xb, yb = X_train[idx], y_train[idx]
            loss = loss_fn(model(xb), yb)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            total += loss.item() * len(idx)
        print(f"epoch {epoch} huber {total / n:.4f}")

    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
