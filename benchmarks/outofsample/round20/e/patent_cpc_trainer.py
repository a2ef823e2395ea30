"""CPC section (A-H) of a patent from the first tokens of its abstract.

A small BERT encoder trained from scratch with the Hugging Face Trainer: linear warm-up
over the first 10% of steps, then linear decay, AdamW with weight decay, evaluation every
epoch and the best checkpoint reloaded at the end. Abstracts come pre-tokenised from the
in-house word-piece vocabulary (ids below 5 are special tokens).
"""
import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)

SECTIONS = ["A human necessities", "B operations/transport", "C chemistry", "D textiles",
            "E fixed constructions", "F mechanical engineering", "G physics", "H electricity"]
VOCAB, SEQ_LEN = 3000, 40
PAD, CLS, SEP = 0, 1, 2

set_seed(11)
rng = np.random.default_rng(11)

# Zipfian background vocabulary (claim boilerplate: "wherein", "said", "comprising", ...)
general = np.arange(5, 1800)
gen_p = 1.0 / np.arange(1, len(general) + 1) ** 1.05
gen_p /= gen_p.sum()
# each section owns a band of technical terms; neighbouring sections share some of them
topic_words = [np.arange(1800 + 150 * k, 1800 + 150 * k + 170) % VOCAB for k in range(8)]


def abstract(section):
    length = rng.integers(20, SEQ_LEN - 2)
    share = rng.uniform(0.2, 0.4)
    n_topic = rng.binomial(length, share)
    # many patents also carry terms of a secondary CPC section
    other = rng.integers(8)
    n_other = rng.binomial(n_topic, 0.3) if rng.random() < 0.4 else 0
    words = np.concatenate([
        rng.choice(general, length - n_topic, p=gen_p),
        rng.choice(topic_words[section], n_topic - n_other),
        rng.choice(topic_words[other], n_other),
    ])
    rng.shuffle(words)
    ids = np.full(SEQ_LEN, PAD)
    ids[0], ids[1:length + 1], ids[length + 1] = CLS, words, SEP
    return ids, length + 2


class AbstractDataset(torch.utils.data.Dataset):
    def __init__(self, n):
        probs = np.array([0.16, 0.15, 0.12, 0.04, 0.06, 0.12, 0.19, 0.16])
        self.labels = rng.choice(8, n, p=probs)
        rows = [abstract(s) for s in self.labels]
        self.ids = np.stack([r[0] for r in rows])
        self.mask = (self.ids != PAD).astype(np.int64)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": torch.tensor(self.ids[i]),
                "attention_mask": torch.tensor(self.mask[i]),
                "labels": torch.tensor(int(self.labels[i]))}


train_ds, val_ds = AbstractDataset(1600), AbstractDataset(400)

config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ_LEN, num_labels=8,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    pred = logits.argmax(-1)
    recalls = [(pred[labels == c] == c).mean() for c in np.unique(labels)]
    return {"accuracy": float((pred == labels).mean()), "macro_recall": float(np.mean(recalls))}


args = TrainingArguments(
    output_dir="/tmp/patent_cpc_trainer",
    num_train_epochs=8,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=128,
    learning_rate=2e-3,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    weight_decay=0.01,
    eval_strategy="epoch",
    save_strategy="epoch",
    save_total_limit=1,
    load_best_model_at_end=True,
    metric_for_best_model="accuracy",
    logging_steps=25,
    report_to=[],
    use_cpu=True,
    seed=11,
    disable_tqdm=True,
    dataloader_num_workers=0,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"val accuracy {metrics['eval_accuracy']:.4f} macro recall {metrics['eval_macro_recall']:.4f} "
      f"loss {metrics['eval_loss']:.4f}")
