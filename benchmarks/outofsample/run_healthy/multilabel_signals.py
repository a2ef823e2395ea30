"""Multi-label 1-D CNN: which of 6 tones are present in a noisy generated signal.
BCEWithLogitsLoss with pos_weight, gradient accumulation over 2 micro-batches, ExponentialLR,
micro-F1 at a 0.5 threshold."""
import numpy as np
import torch
from sklearn.metrics import f1_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

FREQS = np.array([3, 5, 8, 11, 15, 21])


def make_signals(n, seed, length=128):
    rng = np.random.default_rng(seed)
    t = np.arange(length) / length
    present = rng.random((n, len(FREQS))) < 0.3
    phase = rng.uniform(0, 2 * np.pi, (n, len(FREQS)))
    amp = rng.uniform(0.5, 1.5, (n, len(FREQS)))
    waves = np.sin(2 * np.pi * FREQS[None, :, None] * t[None, None, :] + phase[..., None]) * amp[..., None]
    x = (waves * present[..., None]).sum(1) + rng.normal(0, 0.5, (n, length))
    return torch.tensor(x[:, None, :], dtype=torch.float32), torch.tensor(present, dtype=torch.float32)


class ToneNet(nn.Module):
    def __init__(self, n_labels=6):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv1d(1, 16, 9, padding=4), nn.BatchNorm1d(16), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(16, 32, 9, padding=4), nn.BatchNorm1d(32), nn.ReLU(), nn.MaxPool1d(2),
            nn.Conv1d(32, 32, 5, padding=2), nn.BatchNorm1d(32), nn.ReLU(),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(32 * 32, n_labels))

    def forward(self, x):
        return self.classifier(self.features(x))


def main():
    torch.manual_seed(5)
    X_tr, Y_tr = make_signals(3000, 0)
    X_va, Y_va = make_signals(600, 1)
    loader = DataLoader(TensorDataset(X_tr, Y_tr), batch_size=32, shuffle=True)
    model = ToneNet()
    pos = Y_tr.mean(0)
    criterion = nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    scheduler = torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma=0.85)
    accum = 2
    for epoch in range(8):
        model.train()
        running = 0.0
        optimizer.zero_grad()
        for i, (xb, yb) in enumerate(loader):
            loss = criterion(model(xb), yb) / accum
            loss.backward()
            running += loss.item() * accum
            if (i + 1) % accum == 0:
                optimizer.step()
                optimizer.zero_grad()
        scheduler.step()
        model.eval()
        with torch.no_grad():
            logits = model(X_va)
            val_loss = criterion(logits, Y_va).item()
            f1 = f1_score(Y_va.numpy(), (logits > 0).numpy(), average="micro")
        print(f"epoch {epoch}: train {running / len(loader):.4f} val {val_loss:.4f} micro-F1 {f1:.3f}")
    print(f"final_val_metric={f1:.4f}")


if __name__ == "__main__":
    main()
