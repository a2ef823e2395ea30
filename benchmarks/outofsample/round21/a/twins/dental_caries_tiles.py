"""Interproximal caries screening on bitewing X-ray tiles (20x20 crops at the
contact points), small CNN trained with a hand-written SGD update.

A tile is positive when the enamel shows a radiolucent (dark) lesion. Crops come
from the clinic's annotated archive; most contact points are sound.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.set_num_threads(1)
torch.manual_seed(5)
rng = np.random.default_rng(5)
S = 20


def bitewing_tiles(n, caries_share=0.06):
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32)
    imgs = np.empty((n, S, S), np.float32)
    labels = (rng.random(n) < caries_share).astype(np.int64)
    for i in range(n):
        # enamel edge: a bright band whose position and tilt vary with the crop
        edge = rng.uniform(6, 14) + rng.uniform(-0.4, 0.4) * (yy - S / 2)
        enamel = 1.0 / (1.0 + np.exp(-(xx - edge) * rng.uniform(0.8, 2.0)))
        img = 0.25 + 0.6 * enamel * rng.uniform(0.7, 1.1)
        img += 0.08 * np.sin(yy / rng.uniform(2, 5) + rng.uniform(0, 6))   # trabecular texture
        if labels[i]:
            cy = rng.uniform(4, S - 4)
            cx = np.clip(edge[int(cy), 0] + rng.uniform(1.0, 4.0), 2, S - 3)
            r = rng.uniform(1.4, 2.6)
            img -= rng.uniform(0.3, 0.5) * np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r ** 2))
        img += rng.normal(0, 0.07, (S, S))
        imgs[i] = img
    return imgs, labels


class TileCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc1 = nn.Linear(32 * 5 * 5, 64)
        self.fc2 = nn.Linear(64, 2)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = F.relu(self.fc1(x.flatten(1)))
        return self.fc2(x)


def main():
    X, y = bitewing_tiles(4000)
    X = (X - X[:3000].mean()) / X[:3000].std()
    X = torch.from_numpy(X).unsqueeze(1)
    y = torch.from_numpy(y)
    X_tr, y_tr, X_va, y_va = X[:3000], y[:3000], X[3000:], y[3000:]
    print("train class counts:", torch.bincount(y_tr).tolist())
    class_w = len(y_tr) / (2.0 * torch.bincount(y_tr).float())

    model = TileCNN()
    lr, batch, epochs = 0.05, 32, 12
    for epoch in range(epochs):
        model.train()
        perm = torch.randperm(len(X_tr))
        for i in range(0, len(perm), batch):
            idx = perm[i:i + batch]
            logits = model(X_tr[idx])
            loss = F.cross_entropy(logits, y_tr[idx], weight=class_w)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= lr * p.grad

    model.eval()
    with torch.no_grad():
        pred = model(X_va).argmax(1)
    recall_pos = (pred[y_va == 1] == 1).float().mean().item()
    recall_neg = (pred[y_va == 0] == 0).float().mean().item()
    acc = (pred == y_va).float().mean().item()
    print(f"val accuracy {acc:.4f}  caries recall {recall_pos:.3f}  sound recall {recall_neg:.3f}  "
          f"balanced accuracy {(recall_pos + recall_neg) / 2:.4f}")


if __name__ == "__main__":
    main()
