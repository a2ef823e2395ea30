"""Metric learning: a 2-layer MLP maps 20-feature samples (make_classification, 12 classes)
to a normalised 16-d embedding, trained with a triplet margin loss on all active triplets of the batch.
No torch.optim: a hand-written SGD update with momentum and weight decay.
Validation: 1-nearest-neighbour accuracy of validation embeddings against the training set."""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)
np.random.seed(0)


def batch_all_triplet(emb, labels, margin=0.3):
    """Mean triplet loss over all valid (anchor, positive, negative) triplets that are
    still active (loss > 0) in the batch."""
    d = torch.cdist(emb, emb)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & (~same)[:, None, :]
    losses = F.relu(d[:, :, None] - d[:, None, :] + margin)[valid]
    active = losses > 1e-12
    return losses[active].mean() if active.any() else losses.sum()


def knn_acc(model, Xq, yq, Xref, yref):
    model.eval()
    with torch.no_grad():
        eq, er = model(Xq), model(Xref)
        nn_idx = torch.cdist(eq, er).argmin(1)
    return (yref[nn_idx] == yq).float().mean().item()


class Embedder(nn.Module):
    def __init__(self, d_in=20, d_out=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, d_out))

    def forward(self, x):
        return F.normalize(self.net(x), dim=1)


def main():
    X, y = make_classification(n_samples=3000, n_features=20, n_informative=12, n_redundant=4,
                               n_classes=12, n_clusters_per_class=1, class_sep=1.5, random_state=0)
    X_tr, X_va, y_tr, y_va = train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)
    sc = StandardScaler().fit(X_tr)
    Xtr = torch.tensor(sc.transform(X_tr), dtype=torch.float32)
    Xva = torch.tensor(sc.transform(X_va), dtype=torch.float32)
    ytr, yva = torch.tensor(y_tr), torch.tensor(y_va)

    model = Embedder()
    lr, momentum, wd = 0.02, 0.9, 1e-4
    velocity = [torch.zeros_like(p) for p in model.parameters()]
    batch = 96
    for epoch in range(25):
        model.train()
        perm = torch.randperm(len(Xtr))
        total, steps = 0.0, 0
        for i in range(0, len(perm) - batch + 1, batch):
            idx = perm[i:i + batch]
            loss = batch_all_triplet(model(Xtr[idx]), ytr[idx])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, v in zip(model.parameters(), velocity):
                    g = p.grad + wd * p
                    v.mul_(momentum).add_(g)
                    p.sub_(lr * v)
            total += loss.item()
            steps += 1
        if epoch % 4 == 0 or epoch == 24:
            acc = knn_acc(model, Xva, yva, Xtr, ytr)
            print(f"epoch {epoch:2d} train_triplet {total / steps:.4f} val_1nn_acc {acc:.4f}")
    acc = knn_acc(model, Xva, yva, Xtr, ytr)
    raw = (ytr[torch.cdist(Xva, Xtr).argmin(1)] == yva).float().mean().item()
    print(f"final val_1nn_acc {acc:.4f} (1-NN on raw standardised features {raw:.4f})")


if __name__ == "__main__":
    main()
