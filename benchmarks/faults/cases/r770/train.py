import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class DigitNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Linear(32 * 16, 64), nn.ReLU(), nn.Linear(64, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


def load_data():
    digits = load_digits()
    images = digits.images[:, None] / 16.0
    X_train, X_val, y_train, y_val = train_test_split(images, digits.target, test_size=0.2, random_state=0, stratify=digits.target)
    train = TensorDataset(torch.tensor(X_train, dtype=torch.float32), torch.tensor(y_train))
    val = TensorDataset(torch.tensor(X_val, dtype=torch.float32), torch.tensor(y_val))
    return train, val


def evaluate(model, val_loader):
    model.eval()
    preds, targets = [], []
    with torch.no_grad():
        for xb, yb in val_loader:
            preds.append(model(xb).argmax(dim=1))
            targets.append(yb)
    return balanced_accuracy_score(torch.cat(targets).numpy(), torch.cat(preds).numpy())


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    train, val = load_data()
    train_loader = DataLoader(train, batch_size=32, shuffle=True)
    val_loader = DataLoader(val, batch_size=16)
    model = DigitNet()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    for epoch in range(5):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            log_probs = model(xb).log_softmax(dim=1)
            loss = log_probs[torch.arange(len(yb)), yb].mean()
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f} val {evaluate(model, val_loader):.3f}")

    print(f"final_val_metric={evaluate(model, val_loader):.4f}")


if __name__ == "__main__":
    main()
