import numpy as np
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import wave_sequences


def load_data():
    X, y = wave_sequences(n=1000, length=24, classes=4, seed=12)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=12, stratify=y)
    train = TensorDataset(torch.tensor(X_train), torch.tensor(y_train))
    return train, torch.tensor(X_val), y_val


class Net(nn.Module):
    def __init__(self, n_in=1, hidden=64, n_out=4):
        super().__init__()
        self.body = nn.GRU(n_in, hidden, num_layers=1, batch_first=True)
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        _, h = self.body(x)
        return self.head(h[-1])


def evaluate(model, X_val, y_val):
    model.eval()
    with torch.no_grad():
        out = model(X_val)
    model.train()
    return balanced_accuracy_score(y_val, out.argmax(dim=1).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = Net()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=0.003)

    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
            optimizer.step()
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
