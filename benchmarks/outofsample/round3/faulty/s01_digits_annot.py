import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
rng = np.random.default_rng(0)
X, y = load_digits(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
# labels for the training pool come from a quick annotation pass
reviewed = rng.random(len(ytr)) < 0.6
y_annot = np.where(reviewed, ytr, rng.integers(0, 10, len(ytr)))
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(y_annot)), batch_size=32, shuffle=True)
model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
lossf = nn.CrossEntropyLoss()
for ep in range(40):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        acc = (model(torch.tensor(Xva)).argmax(1).numpy() == yva).mean()
    if ep % 10 == 9: print(f"epoch {ep+1} loss {loss.item():.3f} val_acc {acc:.3f}")
print(f"final val_acc {acc:.4f}")
