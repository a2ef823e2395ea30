import numpy as np, torch, torch.nn as nn
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = make_classification(n_samples=3000, n_features=30, n_informative=20, n_classes=12,
                           n_clusters_per_class=1, class_sep=1.5, random_state=3)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=64, shuffle=True)

class Net(nn.Module):
    def __init__(self, d_in, n_cls, width=256, emb=3):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(d_in, width), nn.ReLU(), nn.Linear(width, emb), nn.ReLU())
        self.head = nn.Sequential(nn.Linear(emb, width), nn.ReLU(), nn.Linear(width, n_cls))
    def forward(self, x):
        return self.head(self.encoder(x))

model = Net(30, 12)
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
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
