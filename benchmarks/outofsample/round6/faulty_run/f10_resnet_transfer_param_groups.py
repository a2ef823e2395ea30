"""Transfer learning on the scikit-learn digits with a small residual CNN.

Stage 1 pre-trains a 10-way digit classifier on half of the images. Stage 2
fine-tunes it on a different task over the other half -- "is the digit a prime,
an odd non-prime, an even non-prime or zero" (4 classes) -- with only 8 labelled
images per class: a new head, and two parameter groups (a small learning rate for the
pre-trained backbone, a larger one for the freshly initialised head), as usual for
fine-tuning.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits

torch.manual_seed(0)
rng = np.random.default_rng(0)

BACKBONE_LR = 1e-4
HEAD_LR = 3e-3


class BasicBlock(nn.Module):
    def __init__(self, c_in, c_out, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c_in, c_out, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(c_out)
        self.conv2 = nn.Conv2d(c_out, c_out, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c_out)
        self.short = nn.Sequential()
        if stride != 1 or c_in != c_out:
            self.short = nn.Sequential(nn.Conv2d(c_in, c_out, 1, stride, bias=False),
                                       nn.BatchNorm2d(c_out))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(out)) + self.short(x))


class Backbone(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 32, 3, 1, 1, bias=False), nn.BatchNorm2d(32),
                                  nn.ReLU())
        self.layer1 = BasicBlock(32, 32, 1)
        self.layer2 = BasicBlock(32, 64, 2)

    def forward(self, x):
        return F.adaptive_avg_pool2d(self.layer2(self.layer1(self.stem(x))), 1).flatten(1)


def batches(X, y, bs, shuffle=True):
    idx = rng.permutation(len(X)) if shuffle else np.arange(len(X))
    for i in range(0, len(X), bs):
        j = idx[i:i + bs]
        yield X[j], y[j]


def accuracy(backbone, head, X, y):
    backbone.eval()
    with torch.no_grad():
        return (head(backbone(X)).argmax(1) == y).float().mean().item()


def main():
    d = load_digits()
    X = torch.tensor(d.images / 16.0, dtype=torch.float32).unsqueeze(1)
    X = (X - X.mean()) / X.std()
    y = torch.tensor(d.target)

    # ---- stage 1: pre-train a digit classifier on the first half
    perm = torch.from_numpy(rng.permutation(len(X)))
    src, tgt = perm[: len(X) // 2], perm[len(X) // 2:]
    Xs, ys = X[src], y[src]
    backbone = Backbone()
    head = nn.Linear(64, 10)
    opt = torch.optim.Adam(list(backbone.parameters()) + list(head.parameters()), lr=2e-3)
    for epoch in range(6):
        backbone.train()
        for xb, yb in batches(Xs, ys, 64):
            loss = F.cross_entropy(head(backbone(xb)), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    print(f"pretrain acc (train) {accuracy(backbone, head, Xs, ys):.4f}")

    # ---- stage 2: fine-tune on a new 4-way task, few labels
    kind = torch.tensor([3, 2, 0, 0, 1, 0, 1, 0, 1, 2])   # prime / even / odd / zero
    yt = kind[y[tgt]]
    few = torch.cat([tgt[yt == c][:8] for c in range(4)])
    rest = torch.tensor(sorted(set(tgt.tolist()) - set(few.tolist())))
    X_ft, y_ft = X[few], kind[y[few]]
    X_te, y_te = X[rest], kind[y[rest]]

    new_head = nn.Linear(64, 4)
    optimizer = torch.optim.AdamW([
        {"params": new_head.parameters(), "lr": BACKBONE_LR},
        {"params": backbone.parameters(), "lr": HEAD_LR},
    ], weight_decay=1e-4)
    for epoch in range(40):
        backbone.train()
        for xb, yb in batches(X_ft, y_ft, 20):
            loss = F.cross_entropy(new_head(backbone(xb)), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epoch % 10 == 9:
            print(f"finetune epoch {epoch + 1} loss {loss.item():.4f} "
                  f"test acc {accuracy(backbone, new_head, X_te, y_te):.4f}")

    print(f"final test_acc={accuracy(backbone, new_head, X_te, y_te):.4f} "
          f"({len(X_ft)} labelled, {len(X_te)} test)")


if __name__ == "__main__":
    main()
