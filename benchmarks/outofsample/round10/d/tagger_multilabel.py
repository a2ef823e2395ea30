"""Support-ticket auto-tagger: bag-of-words counts -> 20 independent tags (multi-label).

Laid out like the official PyTorch MNIST example (train()/test(), StepLR per epoch).
"""
import argparse
import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_multilabel_classification
from sklearn.metrics import average_precision_score, f1_score
from sklearn.model_selection import train_test_split
from torch.optim.lr_scheduler import StepLR
from torch.utils.data import DataLoader, TensorDataset


class Tagger(nn.Module):
    def __init__(self, vocab, n_tags, prior):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Linear(vocab, 256), nn.ReLU(), nn.Dropout(0.2),
            nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2),
        )
        self.classifier = nn.Linear(128, n_tags)
        self.reset_bias(prior)

    def reset_bias(self, prior):
        # start the tag logits at the base rate (RetinaNet-style prior init)
        b = -math.log((1 - prior) / prior)
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.constant_(m.bias, b)

    def forward(self, x):
        return self.classifier(self.encoder(x))


def train(args, model, loader, optimizer, epoch):
    model.train()
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % args.log_interval == 0 and args.verbose:
            print(f"Train Epoch: {epoch} [{batch_idx * len(data)}/{len(loader.dataset)}]\tLoss: {loss.item():.4f}")


def test(model, loader):
    model.eval()
    total, scores, targets = 0.0, [], []
    with torch.no_grad():
        for data, target in loader:
            logits = model(data)
            total += F.binary_cross_entropy_with_logits(logits, target, reduction="sum").item()
            scores.append(torch.sigmoid(logits))
            targets.append(target)
    s, t = torch.cat(scores).numpy(), torch.cat(targets).numpy()
    loss = total / t.size
    mAP = average_precision_score(t, s, average="macro")
    f1 = f1_score(t, s > 0.5, average="micro", zero_division=0)
    return loss, mAP, f1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--epochs", type=int, default=8)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--gamma", type=float, default=0.85)
    p.add_argument("--log-interval", type=int, default=20)
    p.add_argument("--verbose", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    torch.manual_seed(args.seed)

    X, Y = make_multilabel_classification(n_samples=5000, n_features=300, n_classes=20, n_labels=2,
                                          length=150, allow_unlabeled=False, random_state=3)
    X = np.log1p(X)
    Xtr, Xte, Ytr, Yte = train_test_split(X, Y, test_size=0.2, random_state=0)
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    to_t = lambda a: torch.tensor(a, dtype=torch.float32)
    train_loader = DataLoader(TensorDataset(to_t(Xtr), to_t(Ytr)), batch_size=args.batch_size, shuffle=True)
    test_loader = DataLoader(TensorDataset(to_t(Xte), to_t(Yte)), batch_size=500)

    model = Tagger(X.shape[1], Y.shape[1], prior=float(Ytr.mean()))
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    scheduler = StepLR(optimizer, step_size=1, gamma=args.gamma)
    for epoch in range(1, args.epochs + 1):
        train(args, model, train_loader, optimizer, epoch)
        loss, mAP, f1 = test(model, test_loader)
        print(f"epoch {epoch}: test loss {loss:.4f}  mAP {mAP:.4f}  micro-F1 {f1:.4f}")
        scheduler.step()
    print(f"final test mAP={mAP:.4f} micro_f1={f1:.4f} loss={loss:.4f}")


if __name__ == "__main__":
    main()
