"""Card-transaction fraud scoring (about 3% fraud).  Continuous amount/velocity features are
standardised, the merchant category is embedded.  Class-weighted BCE (pos_weight), output
bias started at the log-odds of the fraud rate, summed-then-divided validation loss, early
stopping on validation PR-AUC with the best weights restored and saved."""
import copy

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.datasets import make_classification
from sklearn.metrics import average_precision_score, balanced_accuracy_score
from sklearn.model_selection import train_test_split

N_MCC = 40


def load_transactions(seed=17):
    X, y = make_classification(n_samples=12000, n_features=14, n_informative=8, n_redundant=3,
                               weights=[0.97, 0.03], class_sep=1.2, flip_y=0.005, random_state=seed)
    rng = np.random.default_rng(seed)
    X[:, 0] = np.exp(1.0 + 0.8 * X[:, 0])                    # amount: log-normal, heavy right tail
    base = rng.integers(0, N_MCC, len(y))
    risky = rng.integers(30, N_MCC, len(y))
    mcc = np.where((y == 1) & (rng.random(len(y)) < 0.5), risky, base)
    return X.astype(np.float32), mcc, y.astype(np.float32)


class FraudNet(nn.Module):
    def __init__(self, n_num, prior):
        super().__init__()
        self.mcc = nn.Embedding(N_MCC, 8)
        self.mlp = nn.Sequential(nn.Linear(n_num + 8, 64), nn.ReLU(), nn.Dropout(0.1),
                                 nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 1))
        nn.init.constant_(self.mlp[-1].bias, float(np.log(prior / (1 - prior))))

    def forward(self, x, mcc):
        return self.mlp(torch.cat([x, self.mcc(mcc)], 1)).squeeze(1)


def evaluate(model, loader, criterion_sum):
    model.eval()
    loss_sum, scores, ys = 0.0, [], []
    with torch.no_grad():
        for x, m, y in loader:
            logits = model(x, m)
            loss_sum += criterion_sum(logits, y).item()
            scores.append(torch.sigmoid(logits))
            ys.append(y)
    s, y = torch.cat(scores).numpy(), torch.cat(ys).numpy()
    return loss_sum / len(y), average_precision_score(y, s), balanced_accuracy_score(y, s > 0.5)


def main():
    torch.manual_seed(17)
    X, mcc, y = load_transactions()
    idx_tr, idx_va = train_test_split(np.arange(len(y)), test_size=0.25, stratify=y, random_state=17)
    X[:, 0] = np.log1p(X[:, 0])
    mu, sd = X[idx_tr].mean(0), X[idx_tr].std(0)
    X = (X - mu) / sd

    def loader(idx, shuffle):
        ds = TensorDataset(torch.from_numpy(X[idx]), torch.from_numpy(mcc[idx]), torch.from_numpy(y[idx]))
        return DataLoader(ds, batch_size=128 if shuffle else 1024, shuffle=shuffle)

    train_loader, val_loader = loader(idx_tr, True), loader(idx_va, False)
    prior = y[idx_tr].mean()
    pos_weight = torch.tensor((1 - prior) / prior)
    criterion = nn.BCEWithLogitsLoss(pos_weight=pos_weight)
    criterion_sum = nn.BCEWithLogitsLoss(pos_weight=pos_weight, reduction="sum")

    model = FraudNet(X.shape[1], prior)
    optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
    best_loss, best_state, bad_epochs, patience = float("inf"), None, 0, 3
    for epoch in range(1, 31):
        model.train()
        for x, m, yb in train_loader:
            optimizer.zero_grad()
            loss = criterion(model(x, m), yb)
            loss.backward()
            optimizer.step()
        val_loss, ap, bacc = evaluate(model, val_loader, criterion_sum)
        print(f"epoch {epoch:2d} val_loss {val_loss:.4f} PR-AUC {ap:.4f} balanced_acc {bacc:.4f}")
        if val_loss < best_loss - 1e-4:
            best_loss, best_state, bad_epochs = val_loss, copy.deepcopy(model.state_dict()), 0
        else:
            bad_epochs += 1
            if bad_epochs >= patience:
                print(f"early stop at epoch {epoch}")
                break
    model.load_state_dict(best_state)
    torch.save(model.state_dict(), "/tmp/card_fraud_best.pt")
    val_loss, ap, bacc = evaluate(model, val_loader, criterion_sum)
    print(f"final val PR-AUC {ap:.4f} balanced_acc {bacc:.4f} (fraud rate {prior:.3f})")


if __name__ == "__main__":
    main()
