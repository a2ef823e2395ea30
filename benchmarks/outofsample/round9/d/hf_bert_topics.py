"""Topic classification of synthetic support tickets with a tiny BERT and the HF Trainer."""
import os
import tempfile
import warnings

import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          set_seed)

warnings.filterwarnings("ignore")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

VOCAB, SEQ_LEN, N_TOPICS = 300, 32, 4
PAD, CLS, SEP = 0, 1, 2
set_seed(17)
rng = np.random.default_rng(17)
# each topic owns a block of 40 keyword ids; ids 163..299 are shared filler words
TOPIC_WORDS = [np.arange(3 + 40 * k, 3 + 40 * (k + 1)) for k in range(N_TOPICS)]
FILLER = np.arange(163, VOCAB)


class Tickets(torch.utils.data.Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            topic = int(rng.integers(N_TOPICS))
            length = int(rng.integers(12, SEQ_LEN - 2))
            n_kw = max(1, int(rng.binomial(length, 0.15)))
            words = np.concatenate([rng.choice(TOPIC_WORDS[topic], n_kw),
                                    rng.choice(FILLER, length - n_kw)])
            if rng.random() < 0.3:
                other = int(rng.integers(N_TOPICS))
                words[rng.integers(length)] = rng.choice(TOPIC_WORDS[other])
            rng.shuffle(words)
            ids = np.full(SEQ_LEN, PAD)
            ids[0], ids[1:length + 1], ids[length + 1] = CLS, words, SEP
            mask = (ids != PAD).astype(np.int64)
            self.items.append((ids, mask, topic))

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, mask, topic = self.items[i]
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(topic)}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=N_TOPICS,
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)
train_ds, eval_ds = Tickets(2000), Tickets(400)

args = TrainingArguments(
    output_dir=tempfile.mkdtemp(),
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=1e-3,
    warmup_steps=25,
    weight_decay=0.01,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=25,
    report_to=[],
    use_cpu=True,
    seed=17,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
