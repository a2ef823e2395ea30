"""Route free-text hardware-store SKU descriptions to one of seven departments (fasteners, plumbing,
electrical, paint, garden, hand tools, timber). Word-piece ids from the store's own vocabulary;
a small BERT trained from scratch with the Hugging Face Trainer."""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(21)
rng = np.random.default_rng(21)

VOCAB, MAXLEN, DEPTS = 400, 24, 7
CLS, SEP, PAD = 1, 2, 0
generic = np.arange(10, 150)                         # sizes, brands, pack counts, colours
topical = [np.arange(150 + 35 * d, 150 + 35 * d + 35) for d in range(DEPTS)]


def describe(dept):
    n = rng.integers(8, MAXLEN - 2)
    toks = []
    for _ in range(n):
        r = rng.random()
        if r < 0.25:
            toks.append(rng.choice(topical[dept]))
        elif r < 0.30:
            toks.append(rng.choice(topical[rng.integers(DEPTS)]))
        else:
            toks.append(rng.choice(generic))
    ids = [CLS] + [int(t) for t in toks] + [SEP]
    return ids + [PAD] * (MAXLEN - len(ids))


class SkuDataset(Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, DEPTS, n)
        self.ids = torch.tensor([describe(d) for d in self.y])
        self.mask = (self.ids != PAD).long()

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": int(self.y[i])}


train_ds, eval_ds = SkuDataset(2400), SkuDataset(600)
config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=2,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=DEPTS,
                    pad_token_id=PAD)
model = BertForSequenceClassification(config)


def compute_metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/sku_bert_round37d",
    num_train_epochs=6,
    per_device_train_batch_size=32,
    per_device_eval_batch_size=200,
    learning_rate=1e-3,
    warmup_steps=30,
    weight_decay=0.01,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=75,
    report_to="none",
    disable_tqdm=True,
    use_cpu=True,
    seed=21,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"FINAL eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")
