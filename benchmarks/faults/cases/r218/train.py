import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=19, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
    return train, torch.tensor(X_val, dtype=torch.float32), y_val


class Net(nn.Module):
    def __init__(self, n_in=64, hidden=64, n_out=10):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(n_in, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
        )
        self.head = nn.Linear(hidden, n_out)

    def forward(self, x):
        return self.head(self.body(x))


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
    lr = 0.1
    params = [p for p in model.parameters() if p.requires_grad]

    for epoch in range(15):
        model.train()
        for xb, yb in loader:
            model.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            with torch.no_grad():
                for p in params:
                    p -= lr * p.grad
        metric = evaluate(model, X_val, y_val)
        print(f"epoch {epoch} loss {loss.item():.4f} val {metric:.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
