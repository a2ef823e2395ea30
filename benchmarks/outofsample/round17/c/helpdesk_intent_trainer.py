"""Banking help-desk intent classifier (bag-of-embeddings + MLP) trained with HF Trainer.

Utterances are synthesised from per-intent key phrases mixed with generic chatter, tokenised
with a whitespace vocabulary. After training, the pooled sentence vectors are exported for the
FAQ retrieval index.
"""
import tempfile

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import Dataset
from transformers import Trainer, TrainingArguments, set_seed
from transformers.modeling_outputs import SequenceClassifierOutput

SEED = 11
set_seed(SEED)
rng = np.random.default_rng(SEED)

INTENTS = ["check_balance", "transfer_funds", "lost_card", "open_account", "loan_rates",
           "update_address", "dispute_charge", "close_account", "atm_issue", "fx_rates"]
N_FILLER = 1200
KEYS_PER_INTENT = 8
filler = [f"tok{i}" for i in range(N_FILLER)]
keys = {it: [f"{it.split('_')[0]}_{j}" for j in range(KEYS_PER_INTENT)] for it in INTENTS}
# a few key phrases are shared between neighbouring intents
shared = [f"shared_{j}" for j in range(20)]

vocab = {"[PAD]": 0, "[UNK]": 1}
for w in filler + shared + [k for ks in keys.values() for k in ks]:
    vocab.setdefault(w, len(vocab))
MAX_LEN = 24


def make_utterance(label):
    words = list(rng.choice(keys[INTENTS[label]], size=rng.integers(1, 3)))
    words += list(rng.choice(shared, size=rng.integers(0, 3)))
    zipf = rng.zipf(1.3, size=rng.integers(8, 18)) % N_FILLER
    words += [filler[i] for i in zipf]
    rng.shuffle(words)
    return " ".join(words)


def encode(text):
    ids = [vocab.get(w, 1) for w in text.split()][:MAX_LEN]
    mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
    return ids + [0] * (MAX_LEN - len(ids)), mask


class IntentDataset(Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, len(INTENTS), n)
        enc = [encode(make_utterance(int(y))) for y in self.labels]
        self.ids = torch.tensor([e[0] for e in enc])
        self.mask = torch.tensor([e[1] for e in enc])

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i],
                "labels": torch.tensor(int(self.labels[i]))}


@torch.no_grad()
def masked_mean(hidden, attention_mask):
    m = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(1) / m.sum(1).clamp(min=1.0)


class BagOfEmbeddingsClassifier(nn.Module):
    def __init__(self, vocab_size, dim, n_labels):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.classifier = nn.Sequential(nn.Linear(dim, dim), nn.GELU(), nn.Dropout(0.1),
                                        nn.Linear(dim, n_labels))
        self.loss_fct = nn.CrossEntropyLoss()

    def sentence_vectors(self, input_ids, attention_mask):
        return masked_mean(self.embed(input_ids), attention_mask)

    def forward(self, input_ids, attention_mask, labels=None):
        logits = self.classifier(self.sentence_vectors(input_ids, attention_mask))
        loss = self.loss_fct(logits, labels) if labels is not None else None
        return SequenceClassifierOutput(loss=loss, logits=logits)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


train_ds, eval_ds = IntentDataset(4000), IntentDataset(1000)
model = BagOfEmbeddingsClassifier(len(vocab), 32, len(INTENTS))

with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=6, per_device_train_batch_size=32,
        per_device_eval_batch_size=256, learning_rate=3e-3, weight_decay=0.01,
        lr_scheduler_type="linear", warmup_steps=75, eval_strategy="epoch",
        save_strategy="no", logging_steps=50, report_to=[], use_cpu=True,
        seed=SEED, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()

model.eval()
with torch.no_grad():
    index = model.sentence_vectors(eval_ds.ids, eval_ds.mask)
print(f"exported {index.shape[0]} sentence vectors of dim {index.shape[1]}")
print(f"final: eval accuracy {metrics['eval_accuracy']:.4f}  eval loss {metrics['eval_loss']:.4f}")
