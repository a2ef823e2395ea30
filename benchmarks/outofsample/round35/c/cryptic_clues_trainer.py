"""Cryptic-crossword clue typing: which device does a clue use?

Clues are tokenised into a small word-piece vocabulary; a fastText-style bag of embeddings
with a small MLP head is trained with the Hugging Face Trainer.
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from torch import nn
from transformers import Trainer, TrainingArguments, set_seed

set_seed(11)
rng = np.random.default_rng(11)

CLUE_TYPES = ["anagram", "hidden", "charade", "container", "homophone", "double_def"]
VOCAB = 400
SEQ = 18
PAD, CLS, SEP = 0, 1, 2
FIRST_WORD = 5

# every device has a pool of indicator words ("broken", "hearing", "in", "about", ...);
# some indicators are shared between devices, as in real clues
indicator_pool = {}
shared = rng.choice(np.arange(FIRST_WORD, 60), size=8, replace=False)
for k in range(len(CLUE_TYPES)):
    own = np.arange(60 + 20 * k, 60 + 20 * k + 14)
    indicator_pool[k] = np.concatenate([own, rng.choice(shared, size=2, replace=False)])
definition_words = np.arange(200, VOCAB)


def make_clue(label):
    n_words = rng.integers(7, SEQ - 3)
    words = list(rng.choice(definition_words, size=n_words))
    n_ind = 1 if rng.random() < 0.4 else 2
    for _ in range(n_ind):
        pos = rng.integers(1, n_words)
        words.insert(pos, rng.choice(indicator_pool[label]))
    if label == 5:  # double definitions are short: two definitions side by side
        words = words[: rng.integers(5, 8)]
        if not any(w in indicator_pool[5] for w in words):
            words[-1] = rng.choice(indicator_pool[5])
    if label == 1 and rng.random() < 0.5:  # hidden-word clues often end with the letter count marker
        words.append(3)
    words = words[: SEQ - 2]
    ids = [CLS] + [int(w) for w in words] + [SEP]
    mask = [1] * len(ids)
    ids += [PAD] * (SEQ - len(ids))
    mask += [0] * (SEQ - len(mask))
    return ids, mask


def make_split(n):
    labels = rng.integers(0, len(CLUE_TYPES), size=n)
    rows = [make_clue(int(l)) for l in labels]
    ids = torch.tensor([r[0] for r in rows])
    mask = torch.tensor([r[1] for r in rows])
    return ids, mask, torch.tensor(labels)


class ClueDataset(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = ids, mask, labels

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


train_ds = ClueDataset(*make_split(800))
val_ds = ClueDataset(*make_split(320))

class ClueBagClassifier(nn.Module):
    def __init__(self, vocab, dim, n_classes):
        super().__init__()
        self.emb = nn.Embedding(vocab, dim, padding_idx=PAD)
        self.head = nn.Sequential(nn.Linear(dim, 96), nn.GELU(), nn.Dropout(0.1), nn.Linear(96, n_classes))
        self.loss_fn = nn.CrossEntropyLoss()

    def forward(self, input_ids, attention_mask, labels=None):
        m = attention_mask.unsqueeze(-1).float()
        pooled = (self.emb(input_ids) * m).sum(1) / m.sum(1).clamp(min=1.0)
        logits = self.head(pooled)
        if labels is None:
            return {"logits": logits}
        return {"loss": self.loss_fn(logits, labels), "logits": logits}


model = ClueBagClassifier(VOCAB, 48, len(CLUE_TYPES))


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


args = TrainingArguments(
    output_dir="/tmp/cryptic_clues_out",
    per_device_train_batch_size=256,
    per_device_eval_batch_size=128,
    num_train_epochs=8,
    learning_rate=1e-2,
    weight_decay=0.05,
    warmup_steps=0.1,
    lr_scheduler_type="linear",
    eval_strategy="epoch",
    save_strategy="no",
    logging_steps=20,
    report_to=[],
    disable_tqdm=True,
    use_cpu=True,
    seed=11,
    dataloader_num_workers=0,
)

trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                  compute_metrics=compute_metrics)
trainer.train()
metrics = trainer.evaluate()
print(f"final val_loss={metrics['eval_loss']:.4f} val_accuracy={metrics['eval_accuracy']:.4f}")
