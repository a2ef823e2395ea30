import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=10, n_classes=5,
                               n_clusters_per_class=1, class_sep=1.2, random_state=7)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
    order = np.argsort(y_tr, kind="stable")
    X_tr, y_tr = X_tr[order], y_tr[order]
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr))
    val = TensorDataset(torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va))
    train_loader = DataLoader(train, batch_size=64, shuffle=False)
    val_loader = DataLoader(val, batch_size=512)
    model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 5))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(5):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        correct = 0
        with torch.no_grad():
            for xb, yb in val_loader:
                correct += (model(xb).argmax(1) == yb).sum().item()
        acc = correct / len(val)
        print(f"epoch {epoch} loss {loss.item():.4f} val_acc {acc:.3f}")
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
