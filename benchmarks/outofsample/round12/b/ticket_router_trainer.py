"""Route customer-support tickets (already tokenised to ids) to one of five queues with a
small BERT trained from scratch through the Hugging Face Trainer."""
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
SEED = 21
torch.manual_seed(SEED)
rng = np.random.default_rng(SEED)

VOCAB, MAXLEN, N_QUEUES = 400, 40, 5
PAD, CLS, SEP = 0, 1, 2
# each queue has a pool of words that are much more frequent in its tickets
queue_words = [rng.choice(np.arange(10, VOCAB), 25, replace=False) for _ in range(N_QUEUES)]
zipf = 1.0 / np.arange(1, VOCAB - 10 + 1) ** 1.05
zipf /= zipf.sum()


def ticket(q):
    n = rng.integers(12, MAXLEN - 2)
    toks = rng.choice(np.arange(10, VOCAB), n, p=zipf)
    k = rng.integers(2, 5)
    pos = rng.choice(n, k, replace=False)
    toks[pos] = rng.choice(queue_words[q], k)
    if rng.random() < 0.3:                        # mention of another queue's topic
        toks[rng.integers(n)] = rng.choice(queue_words[rng.integers(N_QUEUES)])
    ids = np.full(MAXLEN, PAD)
    ids[0], ids[1:n + 1], ids[n + 1] = CLS, toks, SEP
    return ids, n + 2


class Tickets(torch.utils.data.Dataset):
    def __init__(self, n):
        self.labels = rng.integers(0, N_QUEUES, n)
        rows = [ticket(q) for q in self.labels]
        self.ids = np.stack([r[0] for r in rows])
        self.mask = (self.ids != PAD).astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, eval_ds = Tickets(2000), Tickets(600)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1,
                    num_labels=N_QUEUES, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(),
    num_train_epochs=5,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    learning_rate=1e-8,
    weight_decay=0.01,
    warmup_steps=20,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    logging_steps=40,
    save_strategy="no",
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=SEED,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval loss {metrics['eval_loss']:.4f} accuracy {metrics['eval_accuracy']:.4f}")
