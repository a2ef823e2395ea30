"""Product-review sentiment with a small BERT trained from scratch using the Hugging Face
Trainer: linear warm-up then linear decay, label smoothing, weight decay, evaluation per epoch.

Reviews are token-id sequences over a 300-word vocabulary; a review's star rating follows the
balance of its opinion words, mixed in with neutral filler; about 5% of ratings disagree
with their text, which the label smoothing allows for.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

torch.manual_seed(0)
VOCAB, SEQ = 300, 24
CLS, SEP = 1, 2
POSITIVE, NEGATIVE = np.arange(10, 30), np.arange(30, 50)


def make_reviews(n, seed):
    rng = np.random.default_rng(seed)
    ids = rng.integers(50, VOCAB, (n, SEQ))
    ids[:, 0], ids[:, -1] = CLS, SEP
    labels = np.zeros(n, dtype=np.int64)
    for i in range(n):
        slots = rng.choice(np.arange(2, SEQ - 1), rng.integers(1, 4), replace=False)
        score = 0
        for p in slots:
            word = rng.choice(np.concatenate([POSITIVE, NEGATIVE]))
            polarity = 1 if word < 30 else -1
            ids[i, p] = word
            score += polarity
        if score == 0:
            ids[i, slots[0]] = rng.choice(POSITIVE)
            score = 1
        labels[i] = int(score > 0)
        if rng.random() < 0.05:   # star rating that disagrees with the text
            labels[i] = 1 - labels[i]
    return ids, labels


class Reviews(Dataset):
    def __init__(self, n, seed):
        self.ids, self.labels = make_reviews(n, seed)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.from_numpy(self.ids[i]),
                "attention_mask": torch.ones(SEQ, dtype=torch.long),
                "labels": torch.tensor(self.labels[i])}


train_ds, eval_ds = Reviews(4000, seed=1), Reviews(600, seed=2)
config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=32, num_labels=2,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/hf_review_sentiment",
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    learning_rate=1e-3,
    weight_decay=0.01,
    warmup_steps=40,
    lr_scheduler_type="linear",
    label_smoothing_factor=0.1,
    num_train_epochs=4,
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to=[],
    seed=0,
    use_cpu=True,
    disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final eval loss {metrics['eval_loss']:.4f}  eval accuracy {metrics['eval_accuracy']:.4f}")
