import numpy as np, torch, torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = make_classification(n_samples=2000, n_features=20, n_informative=12, n_classes=4,
                           class_sep=1.2, random_state=7)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
train_loader = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32)
model = nn.Sequential(nn.Linear(20, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 4))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
n_steps = 1500
for step in range(1, n_steps + 1):
    model.train()
    xb, yb = next(iter(train_loader))
    opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    if step % 500 == 0:
        model.eval()
        with torch.no_grad():
            acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
        print(f"step {step} loss {loss.item():.3f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
