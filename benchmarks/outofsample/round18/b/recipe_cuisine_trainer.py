"""Cuisine classification from a recipe's ingredient list, tiny BERT trained from scratch
with the Hugging Face Trainer.

Ingredients are already mapped to ids by the recipe site's ingredient normaliser
(0 pad, 1 [CLS], 2.. ingredients). Order carries no meaning, so position embeddings are
kept but ingredient order is shuffled per recipe. Warm-up then linear decay, label
smoothing 0.1, weight decay on weights only (the Trainer's default grouping).
"""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.manual_seed(0)
rng = np.random.default_rng(0)

CUISINES = ["italian", "mexican", "indian", "japanese", "french", "thai"]
N_ING, MAX_ING = 400, 20
SHARED = np.arange(2, 62)                                   # salt, oil, onion, garlic, water ...


def recipes(n):
    signature = [rng.choice(np.arange(62, N_ING), 45, replace=False) for _ in CUISINES]
    sig_p = [rng.dirichlet(np.full(45, 0.5)) for _ in CUISINES]
    ids = np.zeros((n, MAX_ING + 1), np.int64)
    mask = np.zeros_like(ids)
    y = rng.integers(0, len(CUISINES), n)
    for i in range(n):
        k = rng.integers(5, MAX_ING + 1)
        n_sig = rng.binomial(k, 0.45)
        other = rng.integers(0, len(CUISINES))            # fusion dishes borrow from another cuisine
        pool = [signature[y[i]][rng.choice(45, p=sig_p[y[i]])] for _ in range(n_sig)]
        pool += [signature[other][rng.choice(45, p=sig_p[other])] for _ in range(rng.binomial(k - n_sig, 0.2))]
        pool += list(rng.choice(SHARED, k - len(pool)))
        pool = rng.permutation(pool)
        ids[i, 0] = 1
        ids[i, 1:k + 1] = pool
        mask[i, :k + 1] = 1
    return ids, mask, y


class RecipeSet(torch.utils.data.Dataset):
    def __init__(self, ids, mask, y):
        self.ids, self.mask, self.y = torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(y)

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


ids, mask, y = recipes(3000)
train_ds = RecipeSet(ids[:2400], mask[:2400], y[:2400])
val_ds = RecipeSet(ids[2400:], mask[2400:], y[2400:])

config = BertConfig(vocab_size=N_ING, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_ING + 1, num_labels=len(CUISINES),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="recipe_cuisine_"), num_train_epochs=4, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=30,
    lr_scheduler_type="linear", label_smoothing_factor=0.1, eval_strategy="epoch", save_strategy="no",
    logging_strategy="epoch", report_to="none", use_cpu=True, seed=0, dataloader_num_workers=0,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds, compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"val loss {metrics['eval_loss']:.4f}  val accuracy {metrics['eval_accuracy']:.3f}")
