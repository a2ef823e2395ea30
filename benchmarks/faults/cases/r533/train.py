import numpy as np
import torch
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import wave_sequences


class WaveClassifier(nn.Module):
    def __init__(self, hidden=32, classes=4):
        super().__init__()
        self.rnn = nn.GRU(1, hidden, batch_first=True)
        self.out = nn.Linear(hidden, classes)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.out(h[-1])


def main():
    torch.manual_seed(0)
    np.random.seed(0)
    X, y = wave_sequences(n=800, length=24, classes=4, seed=0)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
    loader = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=32, shuffle=True)
    X_val = torch.tensor(X_val)

    model = WaveClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss_fn = nn.NLLLoss()

    for epoch in range(10):
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
        print(f"epoch {epoch} loss {loss.item():.4f}")

    model.eval()
    with torch.no_grad():
        pred = model(X_val).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
