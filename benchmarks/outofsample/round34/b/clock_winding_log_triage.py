"""Triage church-clock keepers' winding-log entries into the job the clockmaker must do.

0 routine (wound, nothing to do), 1 regulate (running fast/slow), 2 strike/chime train,
3 motion work and hands. Tiny BERT trained from scratch with the Hugging Face Trainer:
warm-up then linear decay, label smoothing, decoupled weight decay.
"""
import random
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(8)
rng = random.Random(8)

FILLER = ("wound weights tower stair keeper visit today morning evening north face dial "
          "ladder oiled checked noted usual cold damp windy church bell frame").split()
CUES = {
    0: "all fine wound fully running well no issues routine sound good order".split(),
    1: "fast slow minutes gained lost regulation pendulum bob nut beat rating drift".split(),
    2: "strike hour count wrong chime quarters hammer bell silent train fly warning".split(),
    3: "hands slipped minute hand hour hand motion work dial stuck bevel rod frozen".split(),
}
SHARED = "clock stopped again needs attention".split()


def entry(label):
    words = [rng.choice(FILLER) for _ in range(rng.randint(6, 14))]
    words += [rng.choice(CUES[label]) for _ in range(rng.randint(2, 3))]
    if rng.random() < 0.5:
        other = rng.choice([k for k in CUES if k != label])
        words += [rng.choice(CUES[other]) for _ in range(rng.randint(1, 3))]
    if rng.random() < 0.4:
        words += [rng.choice(SHARED)]
    rng.shuffle(words)
    return words


labels = [rng.randrange(4) for _ in range(1600)]
texts = [entry(l) for l in labels]
vocab = {"[PAD]": 0, "[CLS]": 1, "[UNK]": 2}
for w in sorted({w for t in texts for w in t}):
    vocab[w] = len(vocab)
MAX_LEN = 24


class LogEntries(Dataset):
    def __init__(self, texts, labels):
        self.texts, self.labels = texts, labels

    def __len__(self):
        return len(self.texts)

    def __getitem__(self, i):
        ids = [1] + [vocab.get(w, 2) for w in self.texts[i]][: MAX_LEN - 1]
        mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
        ids = ids + [0] * (MAX_LEN - len(ids))
        return {"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                "labels": torch.tensor(self.labels[i])}


train_ds = LogEntries(texts[:1300], labels[:1300])
val_ds = LogEntries(texts[1300:], labels[1300:])

config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=4)
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((np.argmax(pred.predictions, -1) == pred.label_ids).mean())}


with tempfile.TemporaryDirectory() as out:
    args = TrainingArguments(
        output_dir=out, num_train_epochs=6, per_device_train_batch_size=32, per_device_eval_batch_size=128,
        learning_rate=2e-3, warmup_steps=0.1, lr_scheduler_type="linear", weight_decay=0.01,
        label_smoothing_factor=0.1, eval_strategy="epoch", logging_strategy="epoch", save_strategy="no",
        report_to=[], seed=8, use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
print(f"final eval_loss={metrics['eval_loss']:.4f} eval_accuracy={metrics['eval_accuracy']:.4f}")
