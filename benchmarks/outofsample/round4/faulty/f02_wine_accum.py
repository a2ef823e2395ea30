"""Wine classifier (MLP) with gradient accumulation: micro-batches of 16, effective batch 64."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(1)
np.random.seed(1)

X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=1, stratify=y)
scaler = StandardScaler().fit(Xtr)
Xtr, Xva = scaler.transform(Xtr), scaler.transform(Xva)
to_t = lambda a, dt: torch.tensor(a, dtype=dt)
train_loader = DataLoader(TensorDataset(to_t(Xtr, torch.float32), to_t(ytr, torch.long)), batch_size=16, shuffle=True)
val_loader = DataLoader(TensorDataset(to_t(Xva, torch.float32), to_t(yva, torch.long)), batch_size=64)

model = nn.Sequential(
    nn.Linear(13, 64), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(64, 64), nn.ReLU(),
    nn.Linear(64, 3),
)
criterion = nn.CrossEntropyLoss(label_smoothing=0.05)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, nesterov=True)
ACCUM = 4

for epoch in range(40):
    model.train()
    for i, (xb, yb) in enumerate(train_loader):
        loss = criterion(model(xb), yb) / ACCUM
        loss.backward()
        if (i + 1) % ACCUM == 0 or (i + 1) == len(train_loader):
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            optimizer.step()

    model.eval()
    correct, vloss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            vloss += nn.functional.cross_entropy(out, yb, reduction="sum").item()
            correct += (out.argmax(1) == yb).sum().item()
    if epoch % 10 == 9:
        print(f"epoch {epoch+1} val_loss {vloss/len(Xva):.4f} val_acc {correct/len(Xva):.4f}")

print(f"final val_acc {correct/len(Xva):.4f}")
