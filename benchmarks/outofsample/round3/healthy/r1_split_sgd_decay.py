import copy, random
import numpy as np, torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader, random_split
from sklearn.datasets import load_digits

random.seed(0); np.random.seed(0); torch.manual_seed(0)

X, y = load_digits(return_X_y=True)
X = torch.tensor(X / 16.0 - 0.5, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.long)
full = TensorDataset(X, y)
n_val = 360
train_ds, val_ds = random_split(full, [len(full) - n_val, n_val], generator=torch.Generator().manual_seed(1))
train_dl = DataLoader(train_ds, batch_size=32, shuffle=True)
val_dl = DataLoader(val_ds, batch_size=128)

model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 10))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
crit = nn.CrossEntropyLoss()
crit_sum = nn.CrossEntropyLoss(reduction="sum")

def evaluate(m):
    m.eval(); tot, correct = 0.0, 0
    with torch.no_grad():
        for xb, yb in val_dl:
            out = m(xb)
            tot += crit_sum(out, yb).item()
            correct += (out.argmax(1) == yb).sum().item()
    return tot / len(val_ds), correct / len(val_ds)

best_loss, best_model = float("inf"), None
for epoch in range(25):
    model.train()
    for xb, yb in train_dl:
        opt.zero_grad()
        loss = crit(model(xb), yb)
        loss.backward()
        opt.step()
    for g in opt.param_groups:
        g["lr"] *= 0.95
    vl, va = evaluate(model)
    if vl < best_loss:
        best_loss, best_model = vl, copy.deepcopy(model)
    print(f"epoch {epoch} val_loss {vl:.4f} val_acc {va:.3f}")

vl, va = evaluate(best_model)
print(f"final best model: val_loss {vl:.4f} val_acc {va:.4f}")
