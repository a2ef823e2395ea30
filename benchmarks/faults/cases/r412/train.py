import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_otg import rare_events


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = rare_events(n=1600, length=32, rate=0.04, seed=2)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    train = TensorDataset(torch.tensor(X_train).transpose(1, 2), torch.tensor(y_train, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val).transpose(1, 2)

    model = nn.Sequential(
        nn.Conv1d(1, 16, 5, padding=2), nn.ReLU(),
        nn.Conv1d(16, 16, 5, padding=2), nn.ReLU(),
        nn.AdaptiveMaxPool1d(1), nn.Flatten(), nn.Linear(16, 1), nn.Flatten(0),
    )
    positives = y_train.mean()
    criterion = nn.BCEWithLogitsLoss(pos_weight=torch.tensor((1 - positives) / positives, dtype=torch.float32))
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

    for epoch in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        with torch.no_grad():
            pred = (model(X_val) > 0).int().numpy()
        print(f"epoch {epoch} loss {loss.item():.4f} val {balanced_accuracy_score(y_val, pred):.3f}")

    with torch.no_grad():
        pred = (model(X_val) > 0).int().numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
