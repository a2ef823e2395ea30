"""Metric learning on the wine + digits style: an MLP embedding trained with a triplet margin loss on
all valid in-batch triplets (batch-all), evaluated by nearest-centroid accuracy in the embedding space."""
import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.preprocessing import StandardScaler
from torch import nn


class Embedder(nn.Module):
    def __init__(self, d_in, d_out=16):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(d_in, 128), nn.BatchNorm1d(128), nn.ReLU(), nn.Linear(128, d_out))

    def forward(self, x):
        return F.normalize(self.net(x), dim=1)


def batch_all_triplet(emb, labels, margin=0.2):
    """Mean over the valid (anchor, positive, negative) triplets of the batch that still violate the margin."""
    dist = torch.cdist(emb, emb)
    same = labels[:, None] == labels[None, :]
    eye = torch.eye(len(labels), dtype=torch.bool)
    valid = (same & ~eye)[:, :, None] & ~same[:, None, :]
    losses = F.relu(dist[:, :, None] - dist[:, None, :] + margin) * valid
    return losses.sum() / ((losses > 1e-12).sum() + 1e-12)


def centroid_accuracy(model, Xtr, ytr, Xva, yva):
    model.eval()
    with torch.no_grad():
        etr, eva = model(Xtr), model(Xva)
    cents = torch.stack([etr[ytr == c].mean(0) for c in range(int(ytr.max()) + 1)])
    return (torch.cdist(eva, cents).argmin(1) == yva).float().mean().item()


def sample_batch(y, classes_per_batch=6, per_class=8, rng=None):
    classes = rng.choice(np.unique(y), classes_per_batch, replace=False)
    return np.concatenate([rng.choice(np.flatnonzero(y == c), per_class, replace=False) for c in classes])


def main():
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    X, y = make_classification(n_samples=4000, n_features=40, n_informative=20, n_classes=10, n_clusters_per_class=1,
                               class_sep=1.0, random_state=0)
    scaler = StandardScaler().fit(X[:3000])
    X = scaler.transform(X).astype(np.float32)
    Xtr, ytr, Xva, yva = torch.tensor(X[:3000]), torch.tensor(y[:3000]), torch.tensor(X[3000:]), torch.tensor(y[3000:])
    model = Embedder(40)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3, weight_decay=1e-4)
    for step in range(1, 1201):
        model.train()
        idx = torch.tensor(sample_batch(y[:3000], rng=rng))
        loss = batch_all_triplet(model(Xtr[idx]), ytr[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 200 == 0:
            print(f"step {step}: triplet loss {loss.item():.4f} centroid acc {centroid_accuracy(model, Xtr, ytr, Xva, yva):.3f}")
    print(f"final_val_metric={centroid_accuracy(model, Xtr, ytr, Xva, yva):.4f}")


if __name__ == "__main__":
    main()
