"""Cuisine tagging for a recipe site: predict the cuisine from the ingredient list.

Ingredient ids come from the site's ingredient vocabulary (0 = padding). A one-layer
transformer encoder with masked mean pooling, trained with the Hugging Face Trainer.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed

CUISINES = ["italian", "mexican", "indian", "japanese", "french", "thai", "greek", "korean",
            "chinese", "spanish", "moroccan", "vietnamese", "cajun", "british", "brazilian",
            "russian"]
VOCAB, MAX_LEN, N_COMMON = 400, 24, 30


def make_recipes(n, rng):
    # every cuisine draws from a shared pantry plus its own (overlapping) signature ingredients
    n_c = len(CUISINES)
    prefs = rng.dirichlet(np.full(VOCAB - 1 - N_COMMON, 0.15), size=n_c)
    prefs = 0.75 * prefs + 0.25 * prefs[rng.permutation(n_c)]       # neighbouring cuisines share
    common = np.full(N_COMMON, 1.0 / N_COMMON)
    labels = rng.integers(0, n_c, n)
    ids = np.zeros((n, MAX_LEN), np.int64)
    mask = np.zeros((n, MAX_LEN), np.int64)
    for i, c in enumerate(labels):
        k = rng.integers(6, MAX_LEN + 1)
        n_pantry = rng.binomial(k, 0.55)
        pantry = rng.choice(N_COMMON, n_pantry, p=common) + 1
        special = rng.choice(VOCAB - 1 - N_COMMON, k - n_pantry, p=prefs[c]) + 1 + N_COMMON
        toks = rng.permutation(np.concatenate([pantry, special]))
        ids[i, :k] = toks
        mask[i, :k] = 1
    return ids, mask, labels


class RecipeDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


class IngredientEncoder(nn.Module):
    def __init__(self, vocab, n_classes, d=64):
        super().__init__()
        self.embed = nn.Embedding(vocab, d, padding_idx=0)
        self.encoder = nn.TransformerEncoderLayer(d, nhead=4, dim_feedforward=128,
                                                  dropout=0.1, batch_first=True)
        self.classifier = nn.Sequential(
            nn.Dropout(0.1),
            nn.Linear(d, n_classes),
        )
        self.loss_fct = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        h = self.encoder(self.embed(input_ids), src_key_padding_mask=attention_mask == 0)
        m = attention_mask.unsqueeze(-1).float()
        pooled = (h * m).sum(1) / m.sum(1)
        logits = self.classifier(pooled)
        out = {"logits": logits}
        if labels is not None:
            out["loss"] = self.loss_fct(logits, labels)
        return out


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    ids, mask, labels = make_recipes(4000, rng)
    train_ds = RecipeDataset(ids[:3200], mask[:3200], labels[:3200])
    val_ds = RecipeDataset(ids[3200:], mask[3200:], labels[3200:])

    model = IngredientEncoder(VOCAB, len(CUISINES))
    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            num_train_epochs=8,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=256,
            learning_rate=2e-3,
            weight_decay=0.01,
            warmup_steps=50,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=50,
            report_to=[],
            disable_tqdm=True,
            use_cpu=True,
            seed=11,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds,
                          eval_dataset=val_ds, compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()
    print(f"final val_accuracy={metrics['eval_accuracy']:.4f} val_loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
