import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=1, stratify=y)
    scaler = StandardScaler().fit(X_train)
    X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
    X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
    y_train = torch.tensor(y_train, dtype=torch.float32)

    model = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    loss_fn = nn.BCEWithLogitsLoss()

    batch_size = 32
    for epoch in range(15):
        order = torch.randperm(len(X_train))
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = loss_fn(model(X_train[idx]).squeeze(-1), y_train[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), max_norm=1e-3)
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    with torch.no_grad():
        pred = (model(X_val).squeeze(-1) > 0).int().numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
