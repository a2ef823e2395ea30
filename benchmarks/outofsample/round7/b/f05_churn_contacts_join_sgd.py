"""Churn model for a telecom customer base, trained with a hand-written SGD loop.

Customer attributes come from the CRM table; the churn flag is joined in from the
contact-centre history (one row per contact), and the training table is the result
of that join. Validation customers are a separate, held-out set of accounts.
"""
import argparse
import time

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def crm_table(seed):
    X, churn = make_classification(n_samples=4000, n_features=14, n_informative=7, n_redundant=3,
                                   n_clusters_per_class=2, weights=[0.72, 0.28], class_sep=0.8,
                                   flip_y=0.0, random_state=seed)
    return np.arange(len(X)), X.astype(np.float32), churn


def contact_history(customer_ids, rng):
    """One row per contact-centre interaction; heavy users call a lot."""
    n_contacts = np.where(rng.random(len(customer_ids)) < 0.08,
                          rng.integers(15, 40, size=len(customer_ids)), 1)
    return np.repeat(customer_ids, n_contacts)


def build_tables(seed=0):
    rng = np.random.default_rng(seed)
    ids, X, churn = crm_table(seed)
    perm = rng.permutation(len(ids))
    val_ids, train_ids = perm[:800], perm[800:]
    # training table: CRM attributes joined onto the contact history
    contact_ids = contact_history(train_ids, rng)
    X_train, y_train = X[contact_ids], churn[contact_ids]
    X_val, y_val = X[val_ids], churn[val_ids]
    mu, sd = X_train.mean(0), X_train.std(0)
    return (X_train - mu) / sd, y_train, (X_val - mu) / sd, y_val


class ChurnNet(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.fc1 = nn.Linear(n_in, 128)
        self.fc2 = nn.Linear(128, 64)
        self.out = nn.Linear(64, 2)

    def forward(self, x):
        return self.out(F.relu(self.fc2(F.relu(self.fc1(x)))))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=1500)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    X_tr, y_tr, X_va, y_va = build_tables(args.seed)
    print(f"training rows {len(X_tr)}, validation accounts {len(X_va)}")
    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_tr), torch.from_numpy(y_tr)),
                              batch_size=args.batch_size, shuffle=True)
    val_loader = DataLoader(TensorDataset(torch.from_numpy(X_va), torch.from_numpy(y_va)),
                            batch_size=256)

    model = ChurnNet(X_tr.shape[1])
    t0 = time.time()
    step, running = 0, 0.0
    model.train()
    while step < args.steps:
        for xb, yb in train_loader:
            loss = F.cross_entropy(model(xb), yb)
            model.zero_grad()
            loss.backward()
            with torch.no_grad():
                for p in model.parameters():
                    p -= args.lr * p.grad
            running += loss.item()
            step += 1
            if step % 200 == 0:
                print(f"step {step:5d}  train loss {running / 200:.4f}")
                running = 0.0
            if step == args.steps:
                break

    model.eval()
    probs, labels = [], []
    with torch.no_grad():
        for xb, yb in val_loader:
            probs.append(F.softmax(model(xb), dim=1)[:, 1])
            labels.append(yb)
    p, y = torch.cat(probs).numpy(), torch.cat(labels).numpy()
    print(f"val AUC {roc_auc_score(y, p):.4f}  balanced acc {balanced_accuracy_score(y, p > 0.5):.4f}"
          f"  ({time.time() - t0:.1f}s)")


if __name__ == "__main__":
    main()
