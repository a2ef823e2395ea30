import numpy as np, torch, torch.nn as nn
from sklearn.datasets import make_circles
from sklearn.model_selection import train_test_split
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = make_circles(n_samples=2000, noise=0.08, factor=0.5, random_state=0)
X = X.astype(np.float32)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)
model = nn.Sequential(
    nn.Linear(2, 64),
    nn.Linear(64, 64),
    nn.Linear(64, 64),
    nn.Linear(64, 2),
)
opt = torch.optim.Adam(model.parameters(), lr=3e-3)
lossf = nn.CrossEntropyLoss()
for ep in range(30):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
    if ep % 10 == 9: print(f"epoch {ep+1} loss {loss.item():.3f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
