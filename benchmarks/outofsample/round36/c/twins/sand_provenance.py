"""Beach-sand provenance: which river system fed a sand sample?

Coastal geologists tracing sediment budgets sieve each sample and point-count heavy
minerals under the microscope. From grain-size moments and mineral fractions the model
assigns the sample to one of six feeder rivers. Counts are turned into centred
log-ratios, everything is standardised on the training split.
"""
import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

RIVERS = ["Aln", "Coquet", "Wansbeck", "Blyth", "Tyne", "Wear"]
MINERALS = ["garnet", "zircon", "tourmaline", "rutile", "epidote", "amphibole", "pyroxene", "apatite",
            "staurolite", "kyanite", "magnetite", "ilmenite"]
ACT = nn.ReLU


def sieve_and_count(n, rng):
    river = rng.integers(0, len(RIVERS), n)
    signature = rng.dirichlet(np.ones(len(MINERALS)) * 2.0, len(RIVERS))
    counts = np.stack([rng.multinomial(300, rng.dirichlet(signature[r] * 40)) for r in river])
    clr = np.log(counts + 0.5)
    clr -= clr.mean(1, keepdims=True)
    d50 = np.array([1.6, 2.0, 2.3, 2.1, 1.4, 1.8])[river] + rng.normal(0, 0.35, n)   # phi units
    sorting = np.array([0.5, 0.6, 0.45, 0.7, 0.8, 0.55])[river] + rng.normal(0, 0.12, n)
    skew = rng.normal(0, 0.2, n) + 0.1 * (river % 2)
    kurt = rng.gamma(4, 0.25, n)
    X = np.column_stack([d50, sorting, skew, kurt, clr])
    return X.astype(np.float32), river


def mlp(d_in, n_out, width=64, hidden=5):
    layers, d = [], d_in
    for _ in range(hidden):
        layers += [nn.Linear(d, width), ACT()]
        d = width
    layers.append(nn.Linear(d, n_out))
    return nn.Sequential(*layers)


def main():
    torch.manual_seed(5)
    rng = np.random.default_rng(5)
    X, y = sieve_and_count(2400, rng)
    idx = rng.permutation(len(X))
    tr, te = idx[:1900], idx[1900:]
    mu, sd = X[tr].mean(0), X[tr].std(0)
    X = (X - mu) / sd
    Xtr, ytr = torch.from_numpy(X[tr]), torch.from_numpy(y[tr]).long()
    Xte, yte = torch.from_numpy(X[te]), torch.from_numpy(y[te]).long()

    model = mlp(X.shape[1], len(RIVERS))
    params = list(model.parameters())
    velocity = [torch.zeros_like(p) for p in params]
    lr, momentum, batch = 0.05, 0.9, 32

    for epoch in range(1, 31):
        if epoch in (16, 26):
            lr *= 0.3
        model.train()
        perm = torch.randperm(len(Xtr))
        for i in range(0, len(perm), batch):
            b = perm[i:i + batch]
            loss = F.cross_entropy(model(Xtr[b]), ytr[b])
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p, v in zip(params, velocity):
                    v.mul_(momentum).add_(p.grad)
                    p -= lr * v

        model.eval()
        with torch.no_grad():
            logits = model(Xte)
            test_loss = F.cross_entropy(logits, yte, reduction="sum").item() / len(yte)
            correct = (logits.argmax(1) == yte).sum().item()
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d}  lr {lr:.4f}  test_loss {test_loss:.4f}  test_acc {correct / len(yte):.4f}")

    print(f"final test accuracy {correct / len(yte):.4f}")


if __name__ == "__main__":
    main()
