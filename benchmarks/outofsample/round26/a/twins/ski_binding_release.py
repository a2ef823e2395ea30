"""Ski-binding workshop: predict whether a binding passes the release-torque check on the test rig
(ISO 11088 tolerance band) from the shop ticket, before it goes on the rig.
HF Trainer with early stopping on the validation loss; tabular MLP."""
import tempfile
import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset, random_split
from transformers import Trainer, TrainingArguments, EarlyStoppingCallback, set_seed


def shop_tickets(n, rng):
    weight = rng.normal(74, 13, n).clip(35, 130)
    height = rng.normal(175, 9, n)
    bsl = (height * 1.72 + rng.normal(0, 9, n)).round()       # boot sole length, mm
    din = (weight / 11 + rng.normal(0, 0.7, n)).clip(2.5, 12).round(1)
    age_y = rng.gamma(2.0, 2.5, n)
    temp = rng.normal(-2, 6, n)
    days_service = rng.exponential(180, n)
    heel_wear = rng.beta(2, 6, n) * 4
    preload = din * 1.1 + rng.normal(0, 0.6, n) - 0.08 * age_y
    X = np.column_stack([weight, height, bsl, din, age_y, temp, days_service, heel_wear, preload])
    drift = (preload - 1.1 * din) * 1.4 - 0.22 * age_y - 0.004 * days_service + 0.06 * temp
    drift += -0.5 * heel_wear * (bsl > 310) + 0.3 * np.sin(bsl / 9)
    p = 1 / (1 + np.exp(-(3.6 + 1.6 * drift)))
    y = (rng.random(n) < p).astype(np.int64)
    return X.astype(np.float32), y


class Tickets(Dataset):
    def __init__(self, X, y):
        self.X, self.y = torch.tensor(X), torch.tensor(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"features": self.X[i], "labels": self.y[i]}


class PassHead(nn.Module):
    def __init__(self, n_in):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(n_in, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 2))

    def forward(self, features, labels=None):
        logits = self.net(features)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = nn.functional.cross_entropy(logits, labels)
        return out


def main():
    set_seed(3)
    rng = np.random.default_rng(3)
    X, y = shop_tickets(2000, rng)
    perm = rng.permutation(len(y))
    test_idx, dev_idx = perm[:500], perm[500:]
    mu, sd = X[dev_idx].mean(0), X[dev_idx].std(0)
    X = (X - mu) / sd
    dev_ds = Tickets(X[dev_idx], y[dev_idx])
    train_ds, val_ds = random_split(dev_ds, [0.8, 0.2], generator=torch.Generator().manual_seed(3))
    test_ds = Tickets(X[test_idx], y[test_idx])

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out, num_train_epochs=40, per_device_train_batch_size=64, per_device_eval_batch_size=256,
            learning_rate=2e-3, weight_decay=0.0, lr_scheduler_type="constant", eval_strategy="epoch",
            save_strategy="epoch", save_total_limit=2, load_best_model_at_end=True,
            metric_for_best_model="eval_loss", greater_is_better=False, logging_strategy="no",
            report_to=[], use_cpu=True, disable_tqdm=True, seed=3,
        )
        trainer = Trainer(model=PassHead(X.shape[1]), args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          callbacks=[EarlyStoppingCallback(early_stopping_patience=4)])
        trainer.train()
        val = trainer.evaluate()
        pred = trainer.predict(test_ds)
    logits = torch.tensor(pred.predictions)
    labels = torch.tensor(pred.label_ids)
    test_loss = nn.functional.cross_entropy(logits, labels).item()
    test_acc = (logits.argmax(1) == labels).float().mean().item()
    print(f"epochs run {trainer.state.epoch:.0f}  val loss {val['eval_loss']:.4f}  "
          f"test loss {test_loss:.4f}  test acc {test_acc:.4f}")


if __name__ == "__main__":
    main()
