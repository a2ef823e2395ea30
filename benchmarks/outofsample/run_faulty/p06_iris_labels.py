import numpy as np
import torch
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

SPECIES = {"setosa": 1, "versicolor": 2, "virginica": 3}


def load():
    data = load_iris()
    names = data.target_names[data.target]
    y = np.array([SPECIES[n] for n in names])
    X = (data.data - data.data.mean(0)) / data.data.std(0)
    return X, y


def main():
    torch.manual_seed(0)
    X, y = load()
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    train = TensorDataset(torch.tensor(X_tr, dtype=torch.float32), torch.tensor(y_tr))
    loader = DataLoader(train, batch_size=16, shuffle=True)
    X_va, y_va = torch.tensor(X_va, dtype=torch.float32), torch.tensor(y_va)
    model = nn.Sequential(nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, len(SPECIES)))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    criterion = nn.CrossEntropyLoss()
    for epoch in range(30):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(X_va).argmax(1) == y_va).float().mean().item()
    print(f"final_val_metric={acc:.4f}")


if __name__ == "__main__":
    main()
