"""Full-batch L-BFGS for a small tanh network on the Wisconsin breast-cancer data.

For a few hundred rows, full-batch quasi-Newton with a strong-Wolfe line search is the
classical choice (it is what scikit-learn's MLPClassifier(solver="lbfgs") does).  The L2
penalty is added inside the closure; early stopping keeps the state with the best validation
loss, copied out with state_dict.
"""
import copy
import random

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_breast_cancer
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

SEED = 21
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)
torch.set_default_dtype(torch.float64)  # L-BFGS line searches are happier in double precision


def main():
    data = load_breast_cancer()
    X, y = data.data, data.target.astype(np.float64)
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, stratify=y, random_state=SEED)
    Xtr, Xva, ytr, yva = train_test_split(Xtr, ytr, test_size=0.2, stratify=ytr, random_state=SEED)
    mu, sd = Xtr.mean(0), Xtr.std(0)
    t = lambda a: torch.from_numpy((a - mu) / sd)
    Xtr, Xva, Xte = t(Xtr), t(Xva), t(Xte)
    ytr, yva, yte = map(torch.from_numpy, (ytr, yva, yte))

    model = nn.Sequential(nn.Linear(30, 32), nn.Tanh(), nn.Linear(32, 1))
    criterion = nn.BCEWithLogitsLoss()
    l2 = 1e-2
    optimizer = torch.optim.LBFGS(model.parameters(), lr=1.0, max_iter=20, history_size=10,
                                  line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = criterion(model(Xtr).squeeze(1), ytr)
        loss = loss + l2 * sum((p ** 2).sum() for n, p in model.named_parameters() if n.endswith("weight"))
        loss.backward()
        return loss

    best_val, best_state = float("inf"), None
    for it in range(1, 9):
        model.train()
        loss = optimizer.step(closure)
        model.eval()
        with torch.no_grad():
            val_loss = criterion(model(Xva).squeeze(1), yva).item()
        print(f"outer step {it:2d} train objective {loss.item():.4f} val loss {val_loss:.4f}")
        if val_loss < best_val:
            best_val, best_state = val_loss, copy.deepcopy(model.state_dict())

    model.load_state_dict(best_state)
    model.eval()
    with torch.no_grad():
        logits = model(Xte).squeeze(1)
    acc = ((logits > 0).double() == yte).double().mean().item()
    auc = roc_auc_score(yte.numpy(), logits.numpy())
    majority = max(yte.mean().item(), 1 - yte.mean().item())
    print(f"majority-class baseline test accuracy {majority:.4f}")
    print(f"FINAL test accuracy {acc:.4f} ROC-AUC {auc:.4f} (best val loss {best_val:.4f})")


if __name__ == "__main__":
    main()
