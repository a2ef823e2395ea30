"""Compress a small CNN reader of 8x8 handwriting scans into a 2-layer MLP for an MCU.

Stage 1 trains the teacher. Stage 2 trains the student on the teacher's softened
outputs (Hinton et al., T=4, loss scaled by T^2) mixed with the hard labels.
Both stages use random +-1 pixel shifts as augmentation.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
X = (digits.images / 16.0).astype(np.float32) * 2 - 1          # [-1, 1]
y = digits.target.astype(np.int64)
Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
train_ds = TensorDataset(torch.from_numpy(Xtr).unsqueeze(1), torch.from_numpy(ytr))
test_ds = TensorDataset(torch.from_numpy(Xte).unsqueeze(1), torch.from_numpy(yte))
train_loader = DataLoader(train_ds, batch_size=64, shuffle=True)
test_loader = DataLoader(test_ds, batch_size=512)


def random_shift(x, p=0.5):
    if np.random.rand() > p:
        return x
    dx, dy = np.random.randint(-1, 2, size=2)
    return torch.roll(x, shifts=(int(dy), int(dx)), dims=(2, 3))


class Teacher(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(),
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(nn.Flatten(), nn.Dropout(0.3), nn.Linear(64 * 4, 10))

    def forward(self, x):
        return self.classifier(self.features(x))


class Student(nn.Module):
    def __init__(self, hidden=48):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))

    def forward(self, x):
        return self.net(x)


def accuracy(model, loader):
    model.eval()
    correct = 0
    with torch.no_grad():
        for xb, yb in loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    return correct / len(loader.dataset)


def kd_loss(student_logits, teacher_logits, target, T=4.0, alpha=0.7):
    soft = F.kl_div(F.log_softmax(student_logits / T, dim=1),
                    F.softmax(teacher_logits / T, dim=1), reduction="batchmean") * (T * T)
    hard = F.cross_entropy(student_logits, target)
    return alpha * soft + (1 - alpha) * hard


# ---- stage 1: teacher
teacher = Teacher()
opt_t = torch.optim.Adam(teacher.parameters(), lr=2e-3)
for epoch in range(12):
    teacher.train()
    for xb, yb in train_loader:
        opt_t.zero_grad()
        loss = F.cross_entropy(teacher(random_shift(xb)), yb)
        loss.backward()
        opt_t.step()
print(f"teacher test_acc {accuracy(teacher, test_loader):.4f}")

frozen_teacher = copy.deepcopy(teacher).eval()
for p in frozen_teacher.parameters():
    p.requires_grad_(False)

# ---- stage 2: student
student = Student()
opt_s = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9, nesterov=True, weight_decay=5e-4)
sched = torch.optim.lr_scheduler.MultiStepLR(opt_s, milestones=[12, 18], gamma=0.2)
for epoch in range(22):
    student.train()
    total = 0.0
    for xb, yb in train_loader:
        xb = random_shift(xb)
        with torch.no_grad():
            t_logits = frozen_teacher(xb)
        opt_s.zero_grad()
        loss = kd_loss(student(xb), t_logits, yb)
        loss.backward()
        opt_s.step()
        total += loss.item() * len(yb)
    sched.step()
    if epoch % 5 == 4 or epoch == 21:
        print(f"student epoch {epoch + 1} kd_loss {total / len(train_ds):.4f} test_acc {accuracy(student, test_loader):.4f}")

print(f"final student test_acc {accuracy(student, test_loader):.4f} "
      f"(chance 0.10, teacher {accuracy(frozen_teacher, test_loader):.4f}, "
      f"student params {sum(p.numel() for p in student.parameters())})")
