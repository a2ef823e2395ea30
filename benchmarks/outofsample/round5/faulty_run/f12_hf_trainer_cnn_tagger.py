"""Multi-label tagging of short recipe texts (token ids) with a Kim-style 1D CNN, trained
with the Hugging Face Trainer on a plain nn.Module.

Each recipe carries 1-3 of 10 tags (vegan, spicy, baked, ...); tags make some words more
likely. Metric: micro-F1 over tags at threshold 0.5.
"""
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.metrics import f1_score
from transformers import Trainer, TrainingArguments, set_seed

SEED, VOCAB, SEQ, N_TAGS = 4, 3000, 48, 10
set_seed(SEED)


def make_recipes(n, rng):
    tag_words = rng.choice(np.arange(10, VOCAB), size=(N_TAGS, 25), replace=False)
    background = np.arange(10, VOCAB)
    ids = np.zeros((n, SEQ), dtype=np.int64)
    labels = np.zeros((n, N_TAGS), dtype=np.float32)
    for i in range(n):
        tags = rng.choice(N_TAGS, size=rng.integers(1, 4), replace=False)
        labels[i, tags] = 1.0
        L = rng.integers(24, SEQ + 1)
        toks = rng.choice(background, size=L)
        n_sig = rng.binomial(L, 0.4)
        toks[rng.choice(L, size=n_sig, replace=False)] = rng.choice(tag_words[tags].ravel(), size=n_sig)
        ids[i, :L] = toks
    return ids, labels


class Recipes(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = ids, labels

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]), "labels": torch.from_numpy(self.labels[i])}


class CNNTagger(nn.Module):
    def __init__(self, vocab, n_tags, emb=64, channels=64, widths=(3, 4, 5)):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(emb, channels, k, padding=k // 2) for k in widths])
        self.classifier = nn.Sequential(nn.Dropout(0.3),
                                        nn.Linear(channels * len(widths), n_tags),
                                        nn.Sigmoid())
        self.loss_fct = nn.BCEWithLogitsLoss()

    def forward(self, input_ids, labels=None):
        x = self.emb(input_ids).transpose(1, 2)
        feats = [F.relu(c(x)).max(dim=2).values for c in self.convs]
        logits = self.classifier(torch.cat(feats, dim=1))
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fct(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    probs = 1.0 / (1.0 + np.exp(-logits))
    preds = (probs > 0.5).astype(int)
    return {"micro_f1": f1_score(labels, preds, average="micro", zero_division=0),
            "macro_f1": f1_score(labels, preds, average="macro", zero_division=0)}


def main():
    rng = np.random.default_rng(SEED)
    ids, labels = make_recipes(5000, rng)
    train_ds, eval_ds = Recipes(ids[:4200], labels[:4200]), Recipes(ids[4200:], labels[4200:])

    model = CNNTagger(VOCAB, N_TAGS)
    args = TrainingArguments(output_dir="/tmp/cnn_tagger_out", per_device_train_batch_size=32,
                             per_device_eval_batch_size=256, learning_rate=2e-3,
                             num_train_epochs=4, weight_decay=0.0, logging_steps=40,
                             eval_strategy="epoch", save_strategy="no", report_to=[],
                             seed=SEED, use_cpu=True, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    ev = trainer.evaluate()
    print(f"final eval_loss={ev['eval_loss']:.4f} micro_f1={ev['eval_micro_f1']:.4f} "
          f"macro_f1={ev['eval_macro_f1']:.4f}")


if __name__ == "__main__":
    main()
