import numpy as np
import torch
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, Y = make_multilabel_classification(n_samples=1500, n_features=30, n_classes=6, n_labels=2, random_state=3)
    X_train, X_val, Y_train, Y_val = train_test_split(X, Y, test_size=0.25, random_state=0)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-6
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(Y_train, dtype=torch.float32))
    loader = DataLoader(train, batch_size=32, shuffle=True)

    model = nn.Sequential(nn.Linear(30, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 6))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.BCEWithLogitsLoss()

    for epoch in range(10):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = (model(torch.tensor(X_val, dtype=torch.float32)) > 0).int().numpy()
    score = np.mean([balanced_accuracy_score(Y_val[:, j], pred[:, j]) for j in range(Y_val.shape[1])])
    print(f"final_val_metric={score:.4f}")


if __name__ == "__main__":
    main()
