"""Neural collaborative filtering on thumbs-up / thumbs-down feedback from a music app.
Two embedding towers + MLP (NCF-style), trained with the Hugging Face Trainer."""
import logging

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset
from sklearn.metrics import roc_auc_score
from transformers import Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
logging.getLogger("transformers").setLevel(logging.ERROR)

N_USERS, N_TRACKS, DIM = 800, 500, 8


def simulate_feedback(n_events, seed=3):
    rng = np.random.default_rng(seed)
    user_taste = rng.normal(size=(N_USERS, DIM))
    track_style = rng.normal(size=(N_TRACKS, DIM))
    track_pop = rng.normal(0.3, 0.6, size=N_TRACKS)
    users = rng.integers(0, N_USERS, n_events)
    tracks = (rng.zipf(1.3, n_events) - 1) % N_TRACKS          # long-tail play counts
    affinity = (user_taste[users] * track_style[tracks]).sum(1) / np.sqrt(DIM) * 2.0 + track_pop[tracks]
    thumb = np.where(rng.random(n_events) < 1 / (1 + np.exp(-affinity)), 1, -1)   # +1 up, -1 down
    return users, tracks, thumb


class FeedbackDataset(Dataset):
    def __init__(self, users, tracks, thumbs):
        self.users = torch.as_tensor(users, dtype=torch.long)
        self.tracks = torch.as_tensor(tracks, dtype=torch.long)
        self.labels = torch.as_tensor(thumbs, dtype=torch.float32)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"user_ids": self.users[i], "track_ids": self.tracks[i], "labels": self.labels[i]}


class NCF(nn.Module):
    def __init__(self, n_users, n_items, dim=32, hidden=64):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        self.mlp = nn.Sequential(nn.Linear(2 * dim, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        self.loss_fn = nn.BCEWithLogitsLoss()

    def forward(self, user_ids, track_ids, labels=None):
        u, v = self.user_emb(user_ids), self.item_emb(track_ids)
        gmf = (u * v).sum(-1)
        logits = gmf + self.mlp(torch.cat([u, v], -1)).squeeze(-1)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fn(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    liked = labels > 0
    return {"auc": roc_auc_score(liked, logits),
            "accuracy": float(((logits > 0) == liked).mean())}


def main():
    set_seed(3)
    users, tracks, thumbs = simulate_feedback(40_000)
    order = np.random.default_rng(3).permutation(len(users))
    cut = int(0.85 * len(order))
    tr, va = order[:cut], order[cut:]
    train_ds = FeedbackDataset(users[tr], tracks[tr], thumbs[tr])
    val_ds = FeedbackDataset(users[va], tracks[va], thumbs[va])

    model = NCF(N_USERS, N_TRACKS)
    args = TrainingArguments(
        output_dir="/tmp/thumbs_ncf", num_train_epochs=4, per_device_train_batch_size=256,
        per_device_eval_batch_size=1024, learning_rate=3e-3, weight_decay=0.0,
        lr_scheduler_type="linear", warmup_steps=20, eval_strategy="epoch",
        logging_strategy="epoch", save_strategy="no", report_to=[], use_cpu=True,
        disable_tqdm=True, seed=3, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_loss {metrics['eval_loss']:.4f} auc {metrics['eval_auc']:.4f} "
          f"accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
