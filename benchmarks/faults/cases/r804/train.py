import numpy as np
import torch
from sklearn.metrics import r2_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import sensor_sequences


class SequenceRegressor(nn.Module):
    def __init__(self, features, hidden=64):
        super().__init__()
        self.gru = nn.GRU(features, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=1000, length=60, features=3, seed=21)
    X, y = torch.tensor(X), torch.tensor(y)
    loader = DataLoader(TensorDataset(X[:800], y[:800]), batch_size=40, shuffle=True)
    X_val, y_val = X[800:], y[800:]

    model = SequenceRegressor(3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    criterion = nn.MSELoss()

    for epoch in range(8):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} mse {loss.item():.4f}")

    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
