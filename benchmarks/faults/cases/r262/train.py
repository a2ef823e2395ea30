import numpy as np
import torch
from sklearn.datasets import load_wine
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn


def main():
    torch.manual_seed(0)
    X, y = load_wine(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.3, random_state=3, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
    X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
    y_train = torch.tensor(y_train)

    model = nn.Sequential(nn.Linear(13, 16), nn.Tanh(), nn.Linear(16, 3))
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10, line_search_fn="strong_wolfe")
    loss_fn = nn.CrossEntropyLoss()
    l2 = 1e-3

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(X_train), y_train) + l2 * sum((p ** 2).sum() for p in model.parameters())
        loss.backward()
        return loss

    for it in range(10):
        loss = optimizer.step(closure)
        print(f"iteration {it} loss {loss.item():.4f}")

    with torch.no_grad():
        pred = model(X_val).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
