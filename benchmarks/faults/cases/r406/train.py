import numpy as np
import torch
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata_otg import plant_readings


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = plant_readings(n=2000, seed=4)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0)
    center, scale = np.median(y_train), np.percentile(y_train, 75) - np.percentile(y_train, 25)
    y_train, y_val = (y_train - center) / scale, (y_val - center) / scale
    train = TensorDataset(torch.tensor(X_train), torch.tensor(y_train))
    loader = DataLoader(train, batch_size=64, shuffle=True)

    model = nn.Sequential(
        nn.Linear(10, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 128), nn.BatchNorm1d(128), nn.ReLU(),
        nn.Linear(128, 1),
    )
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    epochs = 30
    scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[20, 26], gamma=0.1)
    criterion = nn.HuberLoss(delta=1.0)

    for epoch in range(epochs):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(-1), yb)
            loss.backward()
            optimizer.step()
        scheduler.step()
        print(f"epoch {epoch} huber {loss.item():.4f} lr {scheduler.get_last_lr()[0]:.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(X_val)).squeeze(-1).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
