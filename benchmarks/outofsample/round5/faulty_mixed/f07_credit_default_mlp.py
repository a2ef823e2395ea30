"""Credit default prediction from an application table with a plain
PyTorch MLP (DataLoader loop, early-stopping on validation AUC)."""
import copy

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import roc_auc_score

COLUMNS = ["annual_income", "loan_amount", "age", "months_employed", "debt_to_income",
           "credit_utilization", "n_late_payments", "n_open_accounts", "interest_rate", "loan_term_months"]


def applications(n, rng):
    income = rng.lognormal(10.8, 0.5, n)
    loan = rng.lognormal(9.5, 0.6, n)
    age = rng.integers(21, 70, n).astype(float)
    months_emp = rng.gamma(2.0, 30.0, n)
    dti = np.clip(rng.beta(2, 5, n) + 0.1 * loan / income, 0, 1.5)
    util = rng.beta(2, 3, n)
    late = rng.poisson(0.6, n).astype(float)
    open_acc = rng.poisson(5, n).astype(float)
    rate = 0.04 + 0.12 * util + rng.normal(0, 0.02, n)
    term = rng.choice([36.0, 60.0], n)
    z = (4.0 * (dti - 0.35) + 3.0 * (util - 0.4) + 0.6 * late + 12.0 * (rate - 0.09)
         - 0.5 * np.log(income / 50000) - 0.006 * (months_emp - 60) + 0.3 * (term == 60) - 1.2
         + 2.5 * (dti - 0.35) * (util - 0.4) * 4)
    default = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(np.float32)
    X = np.column_stack([income, loan, age, months_emp, dti, util, late, open_acc, rate, term])
    return X.astype(np.float32), default


def main():
    torch.manual_seed(42)
    rng = np.random.default_rng(42)
    X, y = applications(6000, rng)
    X_train, X_val, y_train, y_val = X[:4800], X[4800:], y[:4800], y[4800:]
    print(f"default rate train {y_train.mean():.3f} val {y_val.mean():.3f}")

    # min-max scale with the training statistics
    x_min, x_max = X_train.min(axis=0), X_train.max()
    X_train = (X_train - x_min) / (x_max - x_min)
    X_val = (X_val - x_min) / (x_max - x_min)

    train_loader = DataLoader(TensorDataset(torch.from_numpy(X_train), torch.from_numpy(y_train)),
                              batch_size=128, shuffle=True)
    model = nn.Sequential(
        nn.Linear(len(COLUMNS), 64), nn.ReLU(),
        nn.Linear(64, 64), nn.ReLU(),
        nn.Linear(64, 1),
    )
    criterion = nn.BCEWithLogitsLoss()
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

    best_auc, best_state, patience = 0.0, None, 0
    Xv = torch.from_numpy(X_val)
    for epoch in range(40):
        model.train()
        for xb, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(xb).squeeze(1), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            logits = model(Xv).squeeze(1)
            val_loss = criterion(logits, torch.from_numpy(y_val)).item()
        auc = roc_auc_score(y_val, logits.numpy())
        if epoch % 5 == 0:
            print(f"epoch {epoch:2d} train_loss {loss.item():.4f} val_loss {val_loss:.4f} val_auc {auc:.4f}")
        if auc > best_auc + 1e-4:
            best_auc, best_state, patience = auc, copy.deepcopy(model.state_dict()), 0
        else:
            patience += 1
            if patience >= 8:
                break
    model.load_state_dict(best_state)
    with torch.no_grad():
        logits = model(Xv).squeeze(1)
    print(f"final val_loss {criterion(logits, torch.from_numpy(y_val)).item():.4f} "
          f"val_auc {roc_auc_score(y_val, logits.numpy()):.4f} (stopped after epoch {epoch})")


if __name__ == "__main__":
    main()
