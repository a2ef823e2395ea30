import numpy as np, torch, torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import TensorDataset, DataLoader

torch.manual_seed(0); np.random.seed(0)
X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr).astype(np.float32), sc.transform(Xva).astype(np.float32)
train = DataLoader(TensorDataset(torch.tensor(Xtr), torch.tensor(ytr)), batch_size=16, shuffle=True)
model = nn.Sequential(nn.Linear(13, 32), nn.Tanh(), nn.Linear(32, 32), nn.Tanh(), nn.Linear(32, 3))
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
lossf = nn.CrossEntropyLoss()
EPOCHS = 2
for ep in range(EPOCHS):
    model.train()
    for xb, yb in train:
        opt.zero_grad(); loss = lossf(model(xb), yb); loss.backward(); opt.step()
    model.eval()
    with torch.no_grad():
        out = model(torch.tensor(Xva))
        vloss = lossf(out, torch.tensor(yva)).item()
        acc = (out.argmax(1).numpy() == yva).mean()
    print(f"epoch {ep+1} loss {loss.item():.3f} val_loss {vloss:.3f} val_acc {acc:.3f}")
print(f"final val_loss {vloss:.4f} val_acc {acc:.4f}")
