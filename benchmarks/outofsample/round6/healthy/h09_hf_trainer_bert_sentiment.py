"""Sentiment of short synthetic 'reviews' with a small BERT built from a BertConfig (no
pre-trained weights) and the Hugging Face Trainer: variable-length token sequences padded per
batch by a collator with an attention mask, AdamW with weight decay, a cosine schedule with
10% warm-up. The label is the sign of (positive - negative) cue words, where 'not' flips the
next cue word, so order matters."""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(42)
rng = np.random.default_rng(42)
PAD, CLS, NOT = 0, 1, 2
POS = np.arange(3, 23)          # 20 positive cue words
NEG = np.arange(23, 43)         # 20 negative cue words
FILLER = np.arange(43, 300)     # everything else
VOCAB = 300


def make_review():
    while True:
        n = rng.integers(6, 32)
        toks = rng.choice(FILLER, n)
        score = 0
        for pos in sorted(rng.choice(np.arange(1, n), rng.integers(1, 3), replace=False)):
            cue_pos = rng.random() < 0.5
            toks[pos] = rng.choice(POS if cue_pos else NEG)
            s = 1 if cue_pos else -1
            if rng.random() < 0.25 and toks[pos - 1] not in np.r_[POS, NEG, NOT]:
                toks[pos - 1] = NOT
                s = -s
            score += s
        if score != 0:
            return np.r_[CLS, toks].tolist(), int(score > 0)


class Reviews(Dataset):
    def __init__(self, n):
        self.items = [make_review() for _ in range(n)]

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        ids, label = self.items[i]
        return {"input_ids": ids, "labels": label}


def collate(batch):
    width = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), width), PAD, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for i, b in enumerate(batch):
        ids[i, :len(b["input_ids"])] = torch.tensor(b["input_ids"])
        mask[i, :len(b["input_ids"])] = 1
    return {"input_ids": ids, "attention_mask": mask,
            "labels": torch.tensor([b["labels"] for b in batch])}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


train_ds, eval_ds = Reviews(6000), Reviews(1000)
config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=64, num_labels=2, pad_token_id=PAD,
                    hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
model = BertForSequenceClassification(config)

with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=3, per_device_train_batch_size=32, per_device_eval_batch_size=128,
        learning_rate=1e-3, weight_decay=0.01, warmup_steps=0.1, lr_scheduler_type="cosine",
        eval_strategy="epoch", save_strategy="no", logging_steps=50, report_to="none",
        use_cpu=True, seed=42, dataloader_num_workers=0, disable_tqdm=True)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      data_collator=collate, compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
print(f"final eval_loss {metrics['eval_loss']:.4f} eval_accuracy {metrics['eval_accuracy']:.4f}")
