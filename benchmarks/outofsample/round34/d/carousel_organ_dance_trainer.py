"""Fairground carousel organ: tell the dance of a punched book-music strip from its note events.

Book-music strips are digitised into event tokens (pitch on the melody register, bass/chord
stops, drum hits, and a fold marker at every bar line where the cardboard is creased).
Dances: waltz, march, polka, galop, schottische. A 2-layer BERT encoder from a config,
trained from scratch with the Hugging Face Trainer (warm-up then linear decay, label smoothing).
"""
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

set_seed(17)
rng = np.random.default_rng(17)

PAD, CLS, FOLD, DRUM, BASS, CHORD = 0, 1, 2, 3, 4, 5
MELODY = list(range(6, 30))                      # 24 melody pipes
DANCES = {                                       # beats per bar, accent pattern, tempo feel
    "waltz": (3, [BASS, CHORD, CHORD]),
    "march": (2, [BASS, CHORD]),
    "polka": (2, [BASS, DRUM]),
    "galop": (4, [BASS, CHORD, BASS, CHORD]),
    "schottische": (4, [BASS, CHORD, BASS, DRUM]),
}
NAMES = list(DANCES)
SEQ = 48


def punch_strip(k):
    beats, accomp = DANCES[NAMES[k]]
    toks, key = [CLS], rng.integers(0, 12)
    beat = rng.integers(0, beats)
    while len(toks) < SEQ:
        if beat == 0:
            toks.append(FOLD)
        if rng.random() < 0.85:
            toks.append(accomp[beat])
        for _ in range(rng.integers(1, 3)):
            toks.append(MELODY[(key + rng.choice([0, 2, 4, 5, 7, 9, 11, 12])) % 24])
        beat = (beat + 1) % beats
    return toks[:SEQ]


class BookMusic(Dataset):
    def __init__(self, n):
        self.y = rng.integers(0, len(NAMES), n)
        self.x = torch.tensor([punch_strip(k) for k in self.y])

    def __len__(self):
        return len(self.y)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "attention_mask": torch.ones(SEQ, dtype=torch.long),
                "labels": int(self.y[i])}


train_ds, eval_ds = BookMusic(1200), BookMusic(300)

config = BertConfig(vocab_size=32, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=SEQ, num_labels=len(NAMES))
model = BertForSequenceClassification(config)


def compute_metrics(pred):
    return {"accuracy": float((pred.predictions.argmax(-1) == pred.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/carousel_organ_run", num_train_epochs=6, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=2e-3, warmup_steps=30, lr_scheduler_type="linear",
    weight_decay=0.01, label_smoothing_factor=0.1, eval_strategy="epoch", logging_steps=25,
    save_strategy="no", report_to=[], seed=17, use_cpu=True, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                  compute_metrics=compute_metrics)
trainer.train()
m = trainer.evaluate()
print(f"final eval loss {m['eval_loss']:.4f}  eval accuracy {m['eval_accuracy']:.4f}")
