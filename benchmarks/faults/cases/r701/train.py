import numpy as np
import torch
from sklearn.metrics import r2_score
from torch import nn

from benchmarks.faults.casedata import sensor_sequences


class IRNN(nn.Module):
    """Elman network of ReLU units with an identity recurrence (Le, Jaitly & Hinton, 2015)."""

    def __init__(self, features, hidden=64):
        super().__init__()
        self.rnn = nn.RNN(features, hidden, nonlinearity="relu", batch_first=True)
        nn.init.eye_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        nn.init.normal_(self.rnn.weight_ih_l0, std=0.001)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.head(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=1200, length=40, features=3, seed=7)
    X, y = torch.tensor(X), torch.tensor(y)
    X_train, y_train, X_val, y_val = X[:1000], y[:1000], X[1000:], y[1000:]

    model = IRNN(3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.MSELoss()
    batch = 50

    for epoch in range(12):
        order = torch.randperm(len(X_train))
        for start in range(0, len(order), batch):
            idx = order[start:start + batch]
            optimizer.zero_grad()
            loss = criterion(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} train_mse {loss.item():.4f}")

    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
