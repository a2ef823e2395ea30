import numpy as np
import torch
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn


class LogisticModel(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return self.linear(x).squeeze(-1)


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=11, stratify=y)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    X_train = torch.tensor((X_train - mean) / std, dtype=torch.float32)
    X_val = torch.tensor((X_val - mean) / std, dtype=torch.float32)
    y_train = torch.tensor(y_train, dtype=torch.float32)

    model = LogisticModel(X_train.shape[1])
    optimizer = torch.optim.LBFGS(model.parameters(), lr=0.5, max_iter=50)
    loss_fn = nn.BCEWithLogitsLoss()

    def closure():
        optimizer.zero_grad()
        loss = loss_fn(model(X_train), y_train) + 1e-2 * model.linear.weight.pow(2).sum()
        loss.backward()
        return loss

    for it in range(8):
        loss = optimizer.step(closure)
        print(f"iteration {it} loss {loss.item():.4f}")

    with torch.no_grad():
        pred = (model(X_val) > 0).long().numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
