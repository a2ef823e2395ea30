import numpy as np
import torch
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import sensor_sequences


class Forecaster(nn.Module):
    def __init__(self, features=3, hidden=32):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=800, length=20, features=3, seed=1)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val)

    model = Forecaster()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.HuberLoss(delta=1.0)

    for epoch in range(12):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
