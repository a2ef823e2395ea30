import copy

import numpy as np
import torch
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = make_classification(n_samples=400, n_features=60, n_informative=10, n_redundant=0, flip_y=0.05, random_state=4)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.4, random_state=0, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train = torch.tensor((X_train - mean) / std, dtype=torch.float32)
    X_val = torch.tensor((X_val - mean) / std, dtype=torch.float32)
    y_train, y_val_t = torch.tensor(y_train), torch.tensor(y_val)

    model = nn.Sequential(nn.Linear(60, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    best_loss, best_state, patience, waited = float("inf"), None, 5, 0

    for epoch in range(150):
        model.train()
        order = torch.randperm(len(X_train))
        for start in range(0, len(order), 16):
            idx = order[start:start + 16]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[idx]), y_train[idx])
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(X_val), y_val_t).item()
        print(f"epoch {epoch} train {loss.item():.4f} val {val_loss:.4f}")
        if val_loss < best_loss - 1e-4:
            best_loss, best_state, waited = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            waited += 1
            if waited >= patience:
                break

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        probs = torch.softmax(model(X_val), dim=1)
        pred = probs.argmax(dim=1).numpy()
        nll = loss_fn(model(X_val), y_val_t).item()
    print(f"val_balanced_accuracy={balanced_accuracy_score(y_val, pred):.4f}")
    print(f"final_val_metric={np.exp(-nll):.4f}")


if __name__ == "__main__":
    main()
