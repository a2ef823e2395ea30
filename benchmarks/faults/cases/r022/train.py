import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def load_data():
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train, dtype=torch.float32))
    return train, torch.tensor(X_val, dtype=torch.float32), y_val


def make_model():
    return nn.Sequential(
        nn.BatchNorm1d(30),
        nn.Linear(30, 64), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(64, 1), nn.Flatten(0),
    )


def evaluate(model, X_val, y_val):
    model.eval()
    with torch.no_grad():
        pred = (model(X_val) > 0).long().numpy()
    return balanced_accuracy_score(y_val, pred)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, X_val, y_val = load_data()
    loader = DataLoader(train, batch_size=32, shuffle=True)
    model = make_model()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()

    model.eval()
    with torch.no_grad():
        print("output shape check:", tuple(model(X_val[:4]).shape))
    for epoch in range(20):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f} val {evaluate(model, X_val, y_val):.3f}")

    print(f"final_val_metric={evaluate(model, X_val, y_val):.4f}")


if __name__ == "__main__":
    main()
