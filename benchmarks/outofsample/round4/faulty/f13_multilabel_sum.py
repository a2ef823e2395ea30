"""Multi-label tagging (8 tags) on synthetic bag-of-words documents; MLP + BCE-with-logits, SGD momentum."""
import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import f1_score
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(2)

X, Y = make_multilabel_classification(n_samples=4000, n_features=60, n_classes=8, n_labels=2,
                                      length=80, allow_unlabeled=False, random_state=2)
X = np.log1p(X)
X = (X - X[:3200].mean(0)) / (X[:3200].std(0) + 1e-6)
t = lambda a: torch.tensor(a, dtype=torch.float32)
train_loader = DataLoader(TensorDataset(t(X[:3200]), t(Y[:3200])), batch_size=128, shuffle=True)
val_loader = DataLoader(TensorDataset(t(X[3200:]), t(Y[3200:])), batch_size=400)

model = nn.Sequential(nn.Linear(60, 128), nn.ReLU(), nn.Dropout(0.1), nn.Linear(128, 8))
criterion = nn.BCEWithLogitsLoss(reduction="sum")  # summed, so the epoch loss is an exact per-sample average
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9, weight_decay=1e-4)


def evaluate():
    model.eval()
    total, preds, golds = 0.0, [], []
    with torch.no_grad():
        for xb, yb in val_loader:
            logits = model(xb)
            total += criterion(logits, yb).item()
            preds.append((logits > 0).int()); golds.append(yb.int())
    p, g = torch.cat(preds).numpy(), torch.cat(golds).numpy()
    return total / len(val_loader.dataset), f1_score(g, p, average="micro")


for epoch in range(20):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item()
    val_loss, val_f1 = evaluate()
    if epoch % 4 == 3:
        print(f"epoch {epoch+1} train_loss {total/len(train_loader.dataset):.4f} val_loss {val_loss:.4f} val_microF1 {val_f1:.4f}")

print(f"final val_microF1 {val_f1:.4f}")
