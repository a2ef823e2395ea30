"""Knowledge distillation (Hinton et al. 2015) for a tabular churn-style classifier.

A wide teacher MLP is trained first, then frozen in eval mode; a 32-unit student is trained on
alpha * T^2 * KL(teacher_T || student_T) + (1 - alpha) * CE(labels). The teacher's forward
inside the student's loop runs under no_grad.
"""
import copy

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset


def mlp(d_in, width, depth, n_out, p=0.0):
    layers, d = [], d_in
    for _ in range(depth):
        layers += [nn.Linear(d, width), nn.ReLU(), nn.Dropout(p)]
        d = width
    return nn.Sequential(*layers, nn.Linear(d, n_out))


@torch.no_grad()
def accuracy(model, X, y):
    model.eval()
    return (model(X).argmax(1) == y).float().mean().item()


def fit_teacher(model, loader, Xva, yva, epochs):
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    best, best_state = -1.0, None
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            opt.zero_grad()
            F.cross_entropy(model(xb), yb).backward()
            opt.step()
        acc = accuracy(model, Xva, yva)
        if acc > best:
            best, best_state = acc, copy.deepcopy(model.state_dict())
    model.load_state_dict(best_state)
    return model


def distill_loss(s_logits, t_logits, y, T=4.0, alpha=0.7):
    kd = F.kl_div(F.log_softmax(s_logits / T, 1), F.log_softmax(t_logits / T, 1),
                  reduction="batchmean", log_target=True) * T * T
    return alpha * kd + (1 - alpha) * F.cross_entropy(s_logits, y)


def main():
    torch.manual_seed(0)
    X, y = make_classification(n_samples=6000, n_features=24, n_informative=12, n_redundant=6,
                               n_classes=5, n_clusters_per_class=2, class_sep=1.2, flip_y=0.03,
                               random_state=7)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.2, stratify=y, random_state=0)
    Xtr, Xva, ytr, yva = train_test_split(Xtr, ytr, test_size=0.15, stratify=ytr, random_state=0)
    sc = StandardScaler().fit(Xtr)
    t = lambda a: torch.tensor(sc.transform(a), dtype=torch.float32)
    Xtr, Xva, Xte = t(Xtr), t(Xva), t(Xte)
    ytr, yva, yte = map(torch.as_tensor, (ytr, yva, yte))
    loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=64, shuffle=True)

    teacher = fit_teacher(mlp(24, 256, 3, 5, p=0.2), loader, Xva, yva, epochs=12)
    teacher.eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    print(f"teacher test_acc {accuracy(teacher, Xte, yte):.4f} "
          f"({sum(p.numel() for p in teacher.parameters())} params)")

    student = mlp(24, 32, 2, 5)
    opt = torch.optim.Adam(student.parameters(), lr=3e-3)
    epochs = 25
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.3)
    for epoch in range(epochs):
        student.train()
        for xb, yb in loader:
            with torch.no_grad():
                t_logits = teacher(xb)
            loss = distill_loss(student(xb), t_logits, yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
        sched.step()
        if (epoch + 1) % 5 == 0:
            print(f"epoch {epoch + 1:2d} kd_loss {loss.item():.4f} student val_acc {accuracy(student, Xva, yva):.4f}")
    print(f"final student test_acc {accuracy(student, Xte, yte):.4f} "
          f"({sum(p.numel() for p in student.parameters())} params)")


if __name__ == "__main__":
    main()
