import random
import numpy as np, torch
from torch import nn
from torch.utils.data import TensorDataset, DataLoader
from sklearn.datasets import make_classification

random.seed(0); np.random.seed(0); torch.manual_seed(0)
X, y = make_classification(n_samples=6000, n_features=40, n_informative=20, n_redundant=10, n_classes=5,
                           n_clusters_per_class=2, class_sep=1.5, random_state=0)
X = (X - X[:5000].mean(0)) / X[:5000].std(0)
f = lambda a, d: torch.tensor(a, dtype=d)
train_dl = DataLoader(TensorDataset(f(X[:5000], torch.float32), f(y[:5000], torch.long)), batch_size=32, shuffle=True)
Xva, yva = f(X[5000:], torch.float32), f(y[5000:], torch.long)

model = nn.Sequential(nn.Linear(40, 512), nn.GELU(), nn.Linear(512, 512), nn.GELU(), nn.Linear(512, 5))
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.01)
crit = nn.CrossEntropyLoss()
accum = 4
for epoch in range(6):
    model.train()
    opt.zero_grad()
    for i, (xb, yb) in enumerate(train_dl):
        with torch.autocast("cpu", dtype=torch.bfloat16):
            loss = crit(model(xb), yb) / accum
        loss.backward()
        if (i + 1) % accum == 0:
            opt.step()
            opt.zero_grad()
    model.eval()
    with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
        out = model(Xva)
        vl = crit(out.float(), yva).item()
        acc = (out.argmax(1) == yva).float().mean().item()
    print(f"epoch {epoch} val_loss {vl:.4f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
