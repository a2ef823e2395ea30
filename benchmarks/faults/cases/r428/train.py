import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def make_model(features, labels):
    return nn.Sequential(
        nn.Linear(features, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 128), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(128, 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, labels),
    )


def evaluate(model, X, Y):
    model.eval()
    with torch.no_grad():
        pred = (model(X) > 0).int().numpy()
    model.train()
    return float(np.mean([balanced_accuracy_score(Y[:, k], pred[:, k]) for k in range(Y.shape[1])]))


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, Y = make_multilabel_classification(n_samples=2000, n_features=30, n_classes=6, n_labels=2, random_state=2)
    X = np.log1p(X)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.25, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(Y_train, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val, dtype=torch.float32)

    model = make_model(30, 6)
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-2)
    criterion = nn.BCEWithLogitsLoss()

    for epoch in range(12):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f} val {evaluate(model, X_val, Y_val):.3f}")

    print(f"final_val_metric={evaluate(model, X_val, Y_val):.4f}")


if __name__ == "__main__":
    main()
