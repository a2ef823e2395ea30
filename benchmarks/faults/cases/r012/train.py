import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=8, n_classes=3, weights=[0.8, 0.15, 0.05], class_sep=1.0, random_state=5)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    loader = DataLoader(TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train)), batch_size=64, shuffle=True)

    counts = np.bincount(y_train)
    class_weights = torch.tensor(len(y_train) / (len(counts) * counts), dtype=torch.float32)
    model = nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss(weight=class_weights)

    for epoch in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    with torch.no_grad():
        pred = model(torch.tensor(X_val, dtype=torch.float32)).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
