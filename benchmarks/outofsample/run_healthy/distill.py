"""Knowledge distillation on digits: a CNN teacher is trained first, then a small MLP student learns from
the teacher's softened outputs (KL divergence at temperature T) plus the hard labels."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def data():
    d = load_digits()
    X = (d.images / 16.0 - 0.3) / 0.4
    Xtr, Xva, ytr, yva = train_test_split(X.astype(np.float32), d.target, test_size=0.25, random_state=11)
    return (torch.tensor(Xtr).unsqueeze(1), torch.tensor(ytr)), (torch.tensor(Xva).unsqueeze(1), torch.tensor(yva))


teacher = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.Conv2d(32, 32, 3, padding=1), nn.ReLU(),
                        nn.MaxPool2d(2), nn.Flatten(), nn.Linear(32 * 16, 128), nn.ReLU(), nn.Linear(128, 10))
student = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))


def accuracy(model, X, y):
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(1) == y).float().mean().item()


def fit_teacher(loader, Xva, yva, epochs=5):
    opt = torch.optim.SGD(teacher.parameters(), lr=0.05, momentum=0.9)
    for epoch in range(epochs):
        teacher.train()
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(teacher(xb), yb).backward()
            opt.step()
        print(f"teacher epoch {epoch}: val acc {accuracy(teacher, Xva, yva):.3f}")


def distill(loader, Xva, yva, epochs=15, T=4.0, alpha=0.7):
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    teacher.eval()
    for epoch in range(epochs):
        student.train()
        total = 0.0
        for xb, yb in loader:
            with torch.no_grad():
                soft = F.softmax(teacher(xb) / T, dim=1)
            logits = student(xb)
            kd = F.kl_div(F.log_softmax(logits / T, dim=1), soft, reduction="batchmean") * T * T
            loss = alpha * kd + (1 - alpha) * F.cross_entropy(logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        print(f"student epoch {epoch}: loss {total / len(loader):.4f} val acc {accuracy(student, Xva, yva):.3f}")


if __name__ == "__main__":
    torch.manual_seed(0)
    (Xtr, ytr), (Xva, yva) = data()
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)
    fit_teacher(loader, Xva, yva)
    distill(loader, Xva, yva)
    print(f"final_val_metric={accuracy(student, Xva, yva):.4f}")
