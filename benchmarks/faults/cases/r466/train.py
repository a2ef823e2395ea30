import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import wave_sequences


class ConvNet(nn.Module):
    def __init__(self, classes):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 64, 3, padding=1), nn.BatchNorm1d(64), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Dropout(0.3), nn.Linear(64, classes))

    def forward(self, x):
        h = self.features(x.transpose(1, 2))
        return self.classifier(h.mean(dim=-1))


def evaluate(model, loader):
    model.eval()
    preds, targets = [], []
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        for xb, yb in loader:
            preds.append(model(xb).float().argmax(dim=1))
            targets.append(yb)
    model.train()
    return balanced_accuracy_score(torch.cat(targets).numpy(), torch.cat(preds).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = wave_sequences(n=1400, length=32, classes=6, seed=7)
    X, y = torch.tensor(X), torch.tensor(y)
    train_loader = DataLoader(TensorDataset(X[:1100], y[:1100]), batch_size=32, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[:300], y[:300]), batch_size=32)

    model = ConvNet(6)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    criterion = nn.CrossEntropyLoss()

    for epoch in range(8):
        for xb, yb in train_loader:
            optimizer.zero_grad()
            with torch.autocast("cpu", dtype=torch.bfloat16):
                loss = criterion(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f} val {evaluate(model, val_loader):.3f}")

    print(f"final_val_metric={evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
