"""Podcast episode topic classifier (Hugging Face Trainer, tiny BERT from scratch).

Episode descriptions are already tokenised by the catalogue pipeline (ids into a
3,000-word vocabulary). Training labels come from two annotation vendors: vendor A
delivers our taxonomy ids, vendor B delivers topic names. The evaluation set was
labelled in-house.
"""
import os
import tempfile

os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import torch
from sklearn.preprocessing import LabelEncoder
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

torch.set_num_threads(1)
set_seed(5)

TOPICS = ["news", "comedy", "true_crime", "sports", "tech", "health"]
VOCAB, SEQ_LEN, PAD, CLS = 3000, 32, 0, 1
rng = np.random.default_rng(5)
topic_words = rng.permutation(np.arange(10, VOCAB))[: 6 * 70].reshape(6, 70)
generic = np.setdiff1d(np.arange(10, VOCAB), topic_words.ravel())
generic_p = 1.0 / np.arange(1, len(generic) + 1) ** 0.9
generic_p /= generic_p.sum()


def episodes(n, rng):
    topic = rng.integers(0, 6, n)
    ids = np.full((n, SEQ_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, SEQ_LEN), dtype=np.int64)
    for i in range(n):
        length = rng.integers(14, SEQ_LEN)
        toks = rng.choice(generic, size=length - 1, p=generic_p)
        k = rng.binomial(length - 1, 0.2)
        pos = rng.choice(length - 1, size=k, replace=False)
        other = rng.integers(0, 6, k)
        src = np.where(rng.random(k) < 0.8, topic[i], other)
        toks[pos] = topic_words[src, rng.integers(0, 70, k)]
        ids[i, 0], ids[i, 1:length] = CLS, toks
        mask[i, :length] = 1
    return ids, mask, topic


ids_a, mask_a, topic_a = episodes(900, rng)                  # vendor A: taxonomy ids
ids_b, mask_b, topic_b = episodes(700, rng)
names_b = np.array(TOPICS)[topic_b]                          # vendor B: topic names
ids_v, mask_v, y_v = episodes(600, rng)                      # in-house evaluation set

y_b = LabelEncoder().fit_transform(names_b)
train_ids = np.concatenate([ids_a, ids_b])
train_mask = np.concatenate([mask_a, mask_b])
train_y = np.concatenate([topic_a, y_b])


class EpisodeDataset(torch.utils.data.Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = torch.tensor(ids), torch.tensor(mask), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=len(TOPICS),
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir=tempfile.mkdtemp(prefix="podcast_topics_"),
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    warmup_steps=30,
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="no",
    logging_strategy="epoch",
    report_to=[],
    use_cpu=True,
    seed=5,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args,
                  train_dataset=EpisodeDataset(train_ids, train_mask, train_y),
                  eval_dataset=EpisodeDataset(ids_v, mask_v, y_v),
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"eval_loss {metrics['eval_loss']:.4f}  eval_accuracy {metrics['eval_accuracy']:.3f}")
