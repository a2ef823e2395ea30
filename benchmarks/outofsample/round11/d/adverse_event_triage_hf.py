"""Triage of pharmacovigilance free-text reports into severity tiers, HF Trainer.

Reports are token ids from an in-house tokenizer (synthetic stand-in here). Tiers:
0 non-serious, 1 serious, 2 hospitalisation, 3 life-threatening. Most reports are
tier 0, so the loss is class-weighted.
"""
import os
import warnings

os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
warnings.filterwarnings("ignore")

import numpy as np
import torch
import torch.nn.functional as F
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(3)

VOCAB, SEQ_LEN, N_TIERS = 900, 32, 4
TIER_SHARE = [0.82, 0.10, 0.05, 0.03]
CLS, SEP, PAD = 1, 2, 0
rng = np.random.default_rng(3)
# each tier has a pool of indicative terms (ids 10..41); general vocabulary is 100..899
TERMS = {t: np.arange(10 + 8 * t, 18 + 8 * t) for t in range(N_TIERS)}


def reports(n):
    y = rng.choice(N_TIERS, size=n, p=TIER_SHARE)
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    for i in range(n):
        L = rng.integers(10, SEQ_LEN - 2)
        body = rng.integers(100, VOCAB, size=L)
        # reporters rarely use the exact term: a few mentions, often of a neighbouring tier
        for _ in range(rng.integers(2, 4)):
            t = y[i] if rng.random() < 0.8 else int(np.clip(y[i] + rng.choice([-1, 1]), 0, N_TIERS - 1))
            body[rng.integers(0, L)] = rng.choice(TERMS[t])
        ids[i, 0], ids[i, 1:L + 1], ids[i, L + 1] = CLS, body, SEP
        mask[i, :L + 2] = 1
    return ids, mask, y


class ReportSet(torch.utils.data.Dataset):
    def __init__(self, ids, mask, y):
        self.ids, self.mask, self.y = map(torch.as_tensor, (ids, mask, y))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


class WeightedTrainer(Trainer):
    def __init__(self, *args, class_weights=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.class_weights = class_weights

    def compute_loss(self, model, inputs, return_outputs=False, **kwargs):
        labels = inputs.pop("labels")
        outputs = model(**inputs)
        loss = F.cross_entropy(outputs.logits, labels,
                               weight=self.class_weights.to(outputs.logits.device))
        return (loss, outputs) if return_outputs else loss


def metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [float((pred[labels == c] == c).mean()) for c in range(N_TIERS)]
    return {"accuracy": float((pred == labels).mean()), "balanced_accuracy": float(np.mean(recalls)),
            **{f"recall_{c}": r for c, r in enumerate(recalls)}}


train_ds = ReportSet(*reports(2400))
val_ds = ReportSet(*reports(800))

counts = torch.bincount(train_ds.y, minlength=N_TIERS).float()
class_weights = counts / counts.sum()

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=64, num_labels=N_TIERS,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)

args = TrainingArguments(
    output_dir="/tmp/ae_triage_out", num_train_epochs=5, per_device_train_batch_size=32,
    per_device_eval_batch_size=256, learning_rate=1e-3, warmup_steps=0.1, weight_decay=0.01,
    lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=25,
    report_to=[], disable_tqdm=True, seed=3, use_cpu=True, dataloader_num_workers=0,
)
trainer = WeightedTrainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=metrics, class_weights=class_weights)
trainer.train()
res = trainer.evaluate()
print("per-tier recall:", [round(res[f"eval_recall_{c}"], 3) for c in range(N_TIERS)])
print(f"final val accuracy {res['eval_accuracy']:.4f}  balanced_accuracy {res['eval_balanced_accuracy']:.4f}")
