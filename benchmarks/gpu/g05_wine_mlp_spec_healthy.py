"""Healthy checkup spec: a wine classifier whose model sits on the GPU."""
import torch, torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
import nndoctor


def setup():
    torch.manual_seed(0)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    X, y = load_wine(return_X_y=True)
    Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    sc = StandardScaler().fit(Xtr)
    ds = lambda a, b: torch.utils.data.TensorDataset(torch.tensor(sc.transform(a), dtype=torch.float32), torch.tensor(b))
    model = nn.Sequential(nn.Linear(13, 64), nn.ReLU(), nn.Linear(64, 3)).to(device)
    return nndoctor.Setup(
        model=model,
        train=ds(Xtr, ytr),
        val=ds(Xva, yva),
        loss=nn.CrossEntropyLoss(),
        optimizer=lambda params: torch.optim.Adam(params, lr=1e-3),
        batch_size=16,
    )
