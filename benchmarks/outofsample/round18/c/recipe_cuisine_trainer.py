"""Cuisine tagging of recipes from their ingredient lists: a tiny BERT trained from
scratch with the Hugging Face Trainer (warm-up + linear decay, label smoothing 0.1).

Recipes are synthesised from a ~420-token ingredient/technique vocabulary: each cuisine
has its own signature ingredients, neighbouring cuisines share many of them, and every
recipe also draws pantry staples common to all.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

set_seed(11)
rng = np.random.default_rng(11)

CUISINES = ["italian", "mexican", "indian", "thai", "japanese", "french", "greek", "moroccan"]
NEIGHBOURS = {0: [5, 6], 1: [2], 2: [7, 3], 3: [4, 2], 4: [3], 5: [0], 6: [0, 7], 7: [6, 2]}
PAD, CLS, N_SPECIAL = 0, 1, 2
N_STAPLE, N_PER_CUISINE = 60, 45
VOCAB = N_SPECIAL + N_STAPLE + N_PER_CUISINE * len(CUISINES)
MAX_LEN = 24

staple_p = rng.dirichlet(np.full(N_STAPLE, 0.6))
sig_p = [rng.dirichlet(np.full(N_PER_CUISINE, 0.4)) for _ in CUISINES]


def recipe(c):
    n = rng.integers(7, MAX_LEN - 1)
    toks = []
    for _ in range(n):
        u = rng.random()
        if u < 0.45:
            toks.append(N_SPECIAL + rng.choice(N_STAPLE, p=staple_p))
        else:
            src = c if u < 0.78 else rng.choice(NEIGHBOURS[c])
            toks.append(N_SPECIAL + N_STAPLE + src * N_PER_CUISINE + rng.choice(N_PER_CUISINE, p=sig_p[src]))
    toks = [CLS] + list(dict.fromkeys(toks))
    return toks + [PAD] * (MAX_LEN - len(toks))


def make_split(n):
    y = rng.integers(0, len(CUISINES), n)
    return np.array([recipe(c) for c in y]), y


class Recipes(Dataset):
    def __init__(self, ids, labels):
        self.ids = torch.tensor(ids, dtype=torch.long)
        self.labels = torch.tensor(labels, dtype=torch.long)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": (self.ids[i] != PAD).long(),
                "labels": self.labels[i]}


def compute_metrics(p):
    logits, labels = p
    logits, labels = torch.tensor(logits), torch.tensor(labels)
    return {"accuracy": (logits.argmax(-1) == labels).float().mean().item(),
            "nll": torch.nn.functional.cross_entropy(logits, labels).item()}


train_ds = Recipes(*make_split(2000))
val_ds = Recipes(*make_split(600))

config = BertConfig(vocab_size=VOCAB, hidden_size=96, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=192, max_position_embeddings=MAX_LEN, type_vocab_size=1,
                    num_labels=len(CUISINES))
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/recipe_cuisine_trainer", per_device_train_batch_size=32,
    per_device_eval_batch_size=200, num_train_epochs=6, learning_rate=1e-3,
    weight_decay=0.01, warmup_steps=30, lr_scheduler_type="linear", label_smoothing_factor=0.1,
    eval_strategy="epoch", save_strategy="no", logging_steps=25, report_to=[],
    use_cpu=True, seed=11, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val accuracy {metrics['eval_accuracy']:.4f} val NLL {metrics['eval_nll']:.4f}")
