import math

import numpy as np
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import sensor_sequences


def load_data():
    X, y = sensor_sequences(n=1000, length=20, features=3, seed=30)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=30)
    train = TensorDataset(torch.tensor(X_train), torch.tensor(y_train))
    return train, torch.tensor(X_val), y_val


class Net(nn.Module):
    def __init__(self, n_in=3, hidden=64, n_out=1):
        super().__init__()
        self.body = nn.LSTM(n_in, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        _, (h, _) = self.body(x)
        return self.head(h[-1])


def evaluate(model, X_val, y_val):
    model.eval()
    with torch.no_grad():
        out = model(X_val)
    model.train()
    return r2_score(y_val, out.squeeze(-1).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=16, shuffle=True)
    model = Net()
    loss_fn = nn.MSELoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)

    for epoch in range(12):
        model.train()
        optimizer.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            loss = loss_fn(model(xb).squeeze(-1), yb) / 2
            loss.backward()
            if (i + 1) % 2 == 0 or i + 1 == len(loader):
                torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
                optimizer.step()
                optimizer.zero_grad()
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
