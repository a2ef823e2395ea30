"""Help-desk ticket intent classification with a small BERT trained from scratch
(HF Trainer, warm-up then linear decay, label smoothing, weight decay).

Tickets are already tokenised to word ids by the ticketing system's tokenizer.
Intents: billing, login, shipping, bug-report, cancel.
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(42)
rng = np.random.default_rng(42)

PAD, CLS, SEP = 0, 1, 2
VOCAB, MAXLEN, N_INT = 400, 32, 5
filler = np.arange(100, VOCAB)
# each intent has its own keywords (ids 3..62); 99 is "not"
_kw = rng.permutation(np.arange(3, 63))
kw = {c: _kw[12 * c:12 * (c + 1)] for c in range(N_INT)}
negation = 99


def ticket(c):
    n = int(rng.integers(10, MAXLEN - 2))
    toks = rng.choice(filler, n)
    k = int(rng.integers(2, 4))
    pos = rng.choice(n, k, replace=False)
    toks[pos] = rng.choice(kw[c], k)
    if rng.random() < 0.15:                      # distractor keyword from another intent, negated
        other = (c + rng.integers(1, N_INT)) % N_INT
        j = int(rng.integers(0, n - 1))
        toks[j], toks[j + 1] = negation, rng.choice(kw[other])
    ids = np.concatenate([[CLS], toks, [SEP]])
    return ids


class Tickets(torch.utils.data.Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, N_INT, n)
        self.rows = [ticket(c) for c in self.y]

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        ids = np.full(MAXLEN, PAD)
        ids[:len(self.rows[i])] = self.rows[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor((ids != PAD).astype(np.int64)),
                "labels": torch.tensor(int(self.y[i]))}


train_ds, val_ds = Tickets(2400), Tickets(600)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=N_INT,
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    logits, labels = p
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/ticket_intent_out", num_train_epochs=5, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=2e-3, warmup_steps=0.1, weight_decay=0.01,
    lr_scheduler_type="linear", label_smoothing_factor=0.1, eval_strategy="epoch",
    logging_steps=50, save_strategy="no", report_to=[], seed=42, use_cpu=True,
    disable_tqdm=True, dataloader_num_workers=0,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
m = trainer.evaluate()
print(f"final eval_loss {m['eval_loss']:.4f} eval_accuracy {m['eval_accuracy']:.4f}")
