"""Pipe-tobacco blending room: classify a blender's tasting-note line into the
blend family (Virginia, English/Latakia, Aromatic, Burley, Oriental) with a small
BERT trained from scratch through the Hugging Face Trainer (warm-up, linear decay,
label smoothing)."""
import os
import warnings

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

warnings.filterwarnings("ignore")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
torch.manual_seed(0)
rng = np.random.default_rng(0)

FAMILIES = ["virginia", "english", "aromatic", "burley", "oriental"]
common = "tin leaf cut ribbon flake plug draw room note burn relight moisture bowl cake char smoke finish light medium full".split()
signature = {
    "virginia": "hay citrus bread grassy bright tangy sugar mature stoved red lemon".split(),
    "english": "campfire leather incense peat smoky latakia dark savoury tar woodsmoke".split(),
    "aromatic": "vanilla cherry casing topping rum caramel sweet custard goopy syrup".split(),
    "burley": "nutty cocoa chocolate dry earthy toasted peanut mild white air".split(),
    "oriental": "spicy herbal floral sour izmir basma resinous tangy zesty balkan".split(),
}
vocab = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"] + sorted(set(common) | {w for v in signature.values() for w in v})
tok = {w: i for i, w in enumerate(vocab)}
MAXLEN = 28


def note(fam):
    n = rng.integers(10, 24)
    words = []
    for _ in range(n):
        r = rng.random()
        if r < 0.30:
            words.append(rng.choice(signature[fam]))
        elif r < 0.42:  # blenders borrow descriptors from neighbouring families
            words.append(rng.choice(signature[FAMILIES[rng.integers(0, 5)]]))
        else:
            words.append(rng.choice(common))
    return words


class Notes(torch.utils.data.Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            y = int(rng.integers(0, 5))
            ids = [tok["[CLS]"]] + [tok[w] for w in note(FAMILIES[y])][: MAXLEN - 2] + [tok["[SEP]"]]
            mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
            ids = ids + [0] * (MAXLEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask), "labels": torch.tensor(y)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


train_ds, eval_ds = Notes(1600), Notes(400)
config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                    intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=5)
model = BertForSequenceClassification(config)


def metrics(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


args = TrainingArguments(
    output_dir="/tmp/tobacco_blend_notes", num_train_epochs=6, per_device_train_batch_size=32,
    per_device_eval_batch_size=128, learning_rate=1e-3, warmup_steps=30, lr_scheduler_type="linear",
    weight_decay=0.01, label_smoothing_factor=0.1, eval_strategy="epoch", logging_steps=25,
    save_strategy="no", report_to=[], seed=0, use_cpu=True, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds, compute_metrics=metrics)
trainer.train()
res = trainer.evaluate()
print(f"final eval_loss {res['eval_loss']:.4f}  eval_accuracy {res['eval_accuracy']:.3f}")
