import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.preprocessing import StandardScaler
from sklearn.model_selection import train_test_split
torch.manual_seed(0); np.random.seed(0)
X, y = load_breast_cancer(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = [torch.tensor(sc.transform(a), dtype=torch.float32) for a in (Xtr, Xva)]
ytr, yva = [torch.tensor(a, dtype=torch.float32) for a in (ytr, yva)]
class Classifier(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(30, 32), nn.ReLU(), nn.Linear(32, 1))
    def forward(self, x):
        return torch.sigmoid(self.body(x)).squeeze(-1)
model = Classifier()
opt = torch.optim.SGD(model.parameters(), lr=0.01)
lossf = nn.BCEWithLogitsLoss()
dl = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)
for ep in range(30):
    for xb, yb in dl:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    with torch.no_grad():
        p = model(Xva); acc = ((p > 0.5).float() == yva).float().mean().item()
    if ep % 5 == 0: print(ep, loss.item(), acc)
print("final val acc", acc, "final train loss", loss.item())
