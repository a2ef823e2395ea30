import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = load_breast_cancer(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
ytr, yva = ytr.astype(np.float32), yva.astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=32, shuffle=True)

class Classifier(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d, 64), nn.Tanh(), nn.Linear(64, 32), nn.Tanh(), nn.Linear(32, 1))
    def forward(self, x):
        return torch.sigmoid(self.net(x)).squeeze(1)

model = Classifier(30)
opt = torch.optim.SGD(model.parameters(), lr=0.01)
lossf = nn.BCEWithLogitsLoss()
for ep in range(30):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        p = model(torch.tensor(Xva))
        acc = ((p > 0.5).float().numpy() == yva).mean()
        vloss = nn.functional.binary_cross_entropy(p, torch.tensor(yva)).item()
    if ep % 10 == 9: print(f"epoch {ep+1} loss {loss.item():.3f} val_bce {vloss:.3f} val_acc {acc:.3f}")
print(f"final val_bce {vloss:.4f} val_acc {acc:.4f}")
