"""Vending fleet: predict which fault (none / coin-mech jam / bill-validator jam / spiral jam) a machine
will report in the next 24 h from its daily telemetry, so the route driver carries the right parts.
Faults are rare, so the loss is class-weighted; one-cycle LR schedule stepped every batch.
"""
import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset
from sklearn.metrics import balanced_accuracy_score, f1_score

torch.manual_seed(42)
rng = np.random.default_rng(42)
SITES = ["station", "office", "school", "gym", "hospital"]


def fleet_days(n):
    site = rng.integers(len(SITES), size=n)
    coins = rng.gamma(3, 12, n) * np.array([2.0, 1.0, 1.4, 0.8, 1.2])[site]
    coin_rej = rng.beta(2, 40, n)
    bills = rng.gamma(2, 6, n)
    bill_rej = rng.beta(2, 30, n)
    humidity = rng.uniform(20, 90, n)
    days_service = rng.integers(0, 60, n)
    tube_fill = rng.uniform(0, 1, n)
    motor_peak = rng.normal(1.2, 0.15, n)
    vend_retries = rng.poisson(1 + 0.05 * days_service, n)
    z_coin = -14.2 + 0.0022 * coins * humidity + 70 * coin_rej + 0.06 * days_service + 2.4 * (tube_fill > 0.9)
    z_bill = -6.2 + 0.1 * bills + 4.0 * (bill_rej > 0.09) + 0.05 * humidity * (site == 0)
    z_spiral = -9.0 + 2.5 * np.abs(motor_peak - 1.2) / 0.15 + 0.7 * vend_retries + 0.04 * days_service
    logits = np.stack([np.zeros(n), z_coin, z_bill, z_spiral], 1)
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    label = np.array([rng.choice(4, p=pi) for pi in p])
    num = np.stack([np.log1p(coins), coin_rej, np.log1p(bills), bill_rej, humidity, days_service,
                    tube_fill, motor_peak, vend_retries], 1)
    return num, site, label


num, site, label = fleet_days(8000)
n_tr = 6400
mu, sd = num[:n_tr].mean(0), num[:n_tr].std(0)
X = np.concatenate([(num - mu) / sd, np.eye(len(SITES))[site]], 1).astype(np.float32)
y = label.astype(np.int64)
counts = np.bincount(y[:n_tr], minlength=4)
print("train class shares", np.round(counts / n_tr, 3))

train_loader = DataLoader(TensorDataset(torch.from_numpy(X[:n_tr]), torch.from_numpy(y[:n_tr])),
                          batch_size=128, shuffle=True)
X_va, y_va = torch.from_numpy(X[n_tr:]), torch.from_numpy(y[n_tr:])

model = nn.Sequential(
    nn.Linear(X.shape[1], 64), nn.BatchNorm1d(64), nn.ReLU(),
    nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(),
    nn.Linear(32, 4),
)
weights = torch.tensor(counts.sum() / (4 * counts), dtype=torch.float32).sqrt()
criterion = nn.CrossEntropyLoss(weight=weights, label_smoothing=0.05)
EPOCHS = 12
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-2)
scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=1e-2, epochs=EPOCHS,
                                                steps_per_epoch=len(train_loader), pct_start=0.25)

for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad(set_to_none=True)
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item() * len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(X_va)
        val_loss = criterion(logits, y_va).item()
    pred = logits.argmax(1).numpy()
    if epoch % 3 == 2 or epoch == EPOCHS - 1:
        print(f"epoch {epoch + 1:2d} lr {scheduler.get_last_lr()[0]:.2e} train {running / n_tr:.4f} "
              f"val {val_loss:.4f} bal-acc {balanced_accuracy_score(y_va, pred):.3f}")

print(f"final val balanced accuracy {balanced_accuracy_score(y_va, pred):.4f} "
      f"macro-F1 {f1_score(y_va, pred, average='macro'):.4f} accuracy {(pred == y_va.numpy()).mean():.4f}")
