"""Route customs declaration line items to an HS tariff chapter from their free-text description.

Descriptions are already word-piece tokenised by the broker's pipeline (ids only). A 2-layer BERT
trained from scratch with the Hugging Face Trainer: warm-up then linear decay, weight decay, and the
routine max_grad_norm=1.0.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
torch.set_num_threads(1)
set_seed(13)

CHAPTERS = ["04 dairy", "09 coffee/tea/spice", "39 plastics", "61 knitted apparel", "73 iron/steel articles",
            "84 machinery", "85 electrical", "94 furniture/lighting"]
N_CLS, VOCAB, SEQ = len(CHAPTERS), 600, 28
PAD, CLS, SEP = 0, 1, 2


def make_lines(n, rng):
    # each chapter owns a block of 40 head-noun/material tokens; 200 tokens are shared filler
    # (quantities, "set of", packaging, brand-like ids), and neighbouring chapters share some terms
    ids = np.zeros((n, SEQ), np.int64)
    mask = np.zeros((n, SEQ), np.int64)
    y = rng.integers(0, N_CLS, n)
    for i in range(n):
        c = y[i]
        length = rng.integers(8, SEQ - 2)
        n_key = rng.integers(1, 4)
        own = 10 + 40 * c + rng.integers(0, 40, n_key)
        neighbour = 10 + 40 * ((c + rng.choice([-1, 1])) % N_CLS) + rng.integers(0, 40, rng.integers(0, 2))
        filler = 400 + rng.integers(0, 200, length - n_key - len(neighbour))
        body = np.concatenate([own, neighbour, filler])
        rng.shuffle(body)
        seq = np.concatenate([[CLS], body[: SEQ - 2], [SEP]])
        ids[i, : len(seq)] = seq
        mask[i, : len(seq)] = 1
    return ids, mask, y


class Lines(Dataset):
    def __init__(self, ids, mask, y):
        self.ids, self.mask, self.y = map(torch.from_numpy, (ids, mask, y))

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.y[i]}


rng = np.random.default_rng(13)
train_ds = Lines(*make_lines(2000, rng))
eval_ds = Lines(*make_lines(600, rng))

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=N_CLS)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    preds = p.predictions.argmax(-1)
    return {"accuracy": float((preds == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/customs_hs_bert",
    num_train_epochs=5,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    learning_rate=3e-3,
    warmup_steps=30,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    max_grad_norm=1.0,
    eval_strategy="epoch",
    logging_steps=50,
    save_strategy="no",
    report_to=[],
    seed=13,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval accuracy {metrics['eval_accuracy']:.3f}  eval loss {metrics['eval_loss']:.4f}")
