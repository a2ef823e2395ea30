import numpy as np
import torch
from sklearn.metrics import r2_score
from torch import nn

from benchmarks.faults.casedata import sensor_sequences


class StackedRNN(nn.Module):
    def __init__(self, features, hidden=64, layers=3):
        super().__init__()
        self.rnn = nn.RNN(features, hidden, num_layers=layers, nonlinearity="tanh", batch_first=True)
        self.fc = nn.Linear(hidden, 1)

    def forward(self, x):
        out, _ = self.rnn(x)
        return self.fc(out[:, -1]).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = sensor_sequences(n=1000, length=40, features=3, seed=21)
    X, y = torch.tensor(X), torch.tensor(y)
    X_train, y_train, X_val, y_val = X[:800], y[:800], X[800:], y[800:]

    model = StackedRNN(3)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    batch_size = 40

    for epoch in range(8):
        perm = torch.randperm(len(X_train))
        for start in range(0, len(perm), batch_size):
            idx = perm[start:start + batch_size]
            optimizer.zero_grad()
            loss = nn.functional.mse_loss(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} mse {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(X_val).numpy()
    print(f"final_val_metric={r2_score(y_val.numpy(), pred):.4f}")


if __name__ == "__main__":
    main()
