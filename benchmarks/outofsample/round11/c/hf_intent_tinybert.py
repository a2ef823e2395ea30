"""Voice-assistant intent classification with a tiny BERT trained from scratch (HF Trainer).

Utterances are synthetic token-id sequences: each intent has its own carrier phrases and
slot words, mixed with shared filler and ASR-noise tokens. A 2-layer BERT from a config
(no pretrained weights) is trained with the Trainer's AdamW, linear warm-up then decay,
weight decay and label smoothing; macro-F1 on a held-out split.
"""
import os
import tempfile
import warnings

import numpy as np
import torch
from sklearn.metrics import f1_score
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

warnings.filterwarnings("ignore")
hf_logging.set_verbosity_error()
os.environ.setdefault("WANDB_DISABLED", "true")
torch.set_num_threads(1)
torch.manual_seed(17)

VOCAB, MAXLEN, N_INTENTS = 400, 24, 7
PAD, CLS, SEP = 0, 1, 2
rng = np.random.default_rng(17)
carriers = [rng.choice(np.arange(10, 150), size=12, replace=False) for _ in range(N_INTENTS)]
slots = [rng.choice(np.arange(150, 400), size=25, replace=False) for _ in range(N_INTENTS)]
filler = np.arange(3, 60)


def utterance(intent):
    n = rng.integers(6, MAXLEN - 2)
    toks = []
    for _ in range(n):
        r = rng.random()
        if r < 0.35:
            toks.append(rng.choice(carriers[intent]))
        elif r < 0.55:
            toks.append(rng.choice(slots[intent]))
        elif r < 0.62:
            toks.append(rng.choice(slots[rng.integers(N_INTENTS)]))   # slot words shared across intents
        else:
            toks.append(rng.choice(filler))
    ids = [CLS] + toks + [SEP]
    return ids + [PAD] * (MAXLEN - len(ids))


class IntentSet(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, N_INTENTS, n)
        self.ids = torch.tensor([utterance(int(c)) for c in self.labels])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.ids[i]
        return {"input_ids": ids, "attention_mask": (ids != PAD).long(),
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, eval_ds = IntentSet(1800), IntentSet(500)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=N_INTENTS,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean()),
            "macro_f1": float(f1_score(p.label_ids, preds, average="macro"))}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01,
        warmup_steps=25, lr_scheduler_type="linear", label_smoothing_factor=0.1,
        eval_strategy="epoch", save_strategy="no", logging_steps=30, report_to=[],
        seed=17, use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

print(f"eval loss {metrics['eval_loss']:.4f} accuracy {metrics['eval_accuracy']:.4f} "
      f"macro-F1 {metrics['eval_macro_f1']:.4f}")
