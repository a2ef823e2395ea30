"""Topic classification of synthetic "support tickets" with a tiny BERT trained from scratch
through the Hugging Face Trainer (linear warm-up/decay schedule, AdamW, eval every epoch).

Each ticket is 20 token ids: a [CLS] token, background words shared by all topics and 2-4
keywords from one of 4 topics (keywords of other topics appear as distractors).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
set_seed(17)
rng = np.random.default_rng(17)

VOCAB, LEN, N_TOPICS, CLS, PAD = 120, 20, 4, 1, 0
TOPIC_WORDS = [np.arange(10 + 8 * k, 18 + 8 * k) for k in range(N_TOPICS)]   # ids 10..41


def tickets(n):
    ids = rng.integers(42, VOCAB, size=(n, LEN))
    ids[:, 0] = CLS
    labels = rng.integers(0, N_TOPICS, size=n)
    for i, k in enumerate(labels):
        slots = rng.choice(np.arange(1, LEN), size=5, replace=False)
        m = rng.integers(2, 5)
        ids[i, slots[:m]] = rng.choice(TOPIC_WORDS[k], size=m)
        other = rng.choice([j for j in range(N_TOPICS) if j != k])
        ids[i, slots[m]] = rng.choice(TOPIC_WORDS[other])              # one distractor
    lengths = rng.integers(14, LEN + 1, size=n)
    mask = (np.arange(LEN)[None] < lengths[:, None]).astype(np.int64)
    ids = np.where(mask == 1, ids, PAD)
    return ids, mask, labels


class TicketSet(Dataset):
    def __init__(self, n):
        self.ids, self.mask, self.labels = tickets(n)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]), "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(self.labels[i])}


train_ds, val_ds = TicketSet(1600), TicketSet(400)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=32, num_labels=N_TOPICS,
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/h01_hf_trainer_topic_bert", per_device_train_batch_size=32,
    per_device_eval_batch_size=128, num_train_epochs=8, learning_rate=1e-3, weight_decay=0.01,
    warmup_steps=20, lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no",
    logging_steps=25, report_to=[], use_cpu=True, seed=17, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
m = trainer.evaluate()
print(f"final eval_loss {m['eval_loss']:.4f}  eval_accuracy {m['eval_accuracy']:.4f}")
