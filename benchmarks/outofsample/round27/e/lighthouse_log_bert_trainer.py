"""Lighthouse keepers' maintenance log: route each free-text log line to the team that
fixes it (lamp/optic, rotation gear, power/battery, glazing/lantern room, fog signal).
A small BERT built from a config (no download) with a word-level vocabulary, trained
with the Hugging Face Trainer: linear warm-up then decay, label smoothing, evaluation
every epoch, best checkpoint reloaded at the end.
"""
import random
import tempfile
import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()
hf_logging.disable_progress_bar()
random.seed(17)
np.random.seed(17)
torch.manual_seed(17)

TEAMS = ["optic", "rotation", "power", "lantern", "fog_signal"]
TOPIC = {
    "optic": ["lamp", "bulb", "filament", "lens", "prism", "beam", "flash", "dim", "burnt", "focus", "halo"],
    "rotation": ["pedestal", "mercury", "bath", "bearing", "clockwork", "gear", "turntable", "slow", "period", "jammed", "grinding"],
    "power": ["battery", "charger", "generator", "diesel", "solar", "panel", "fuse", "voltage", "inverter", "cable", "flat"],
    "lantern": ["glazing", "pane", "astragal", "condensation", "salt", "crack", "vent", "gallery", "putty", "leak", "rust"],
    "fog_signal": ["horn", "diaphone", "compressor", "emitter", "fog", "detector", "blast", "silent", "air", "reed", "siren"],
}
SHARED = ["tower", "night", "watch", "keeper", "checked", "again", "noticed", "since", "storm",
          "morning", "reported", "logged", "please", "urgent", "minor", "after", "inspection", "relief"]
FILLER = ["the", "a", "at", "on", "in", "was", "is", "and", "of", "to", "during", "still", "not"]
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]"] + sorted({w for ws in TOPIC.values() for w in ws} | set(SHARED) | set(FILLER))
W2I = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 24


def log_line(team):
    words = []
    n_topic = random.randint(2, 3)
    for _ in range(random.randint(7, 15)):
        r = random.random()
        if r < 0.45:
            words.append(random.choice(FILLER))
        elif r < 0.9:
            words.append(random.choice(SHARED))
        else:  # keepers mention other systems in passing
            words.append(random.choice(TOPIC[random.choice(TEAMS)]))
    for _ in range(n_topic):
        words.insert(random.randrange(len(words) + 1), random.choice(TOPIC[team]))
    return words


class KeeperLog(Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            label = random.randrange(len(TEAMS))
            ids = [W2I["[CLS]"]] + [W2I.get(w, 1) for w in log_line(TEAMS[label])][: MAX_LEN - 2] + [W2I["[SEP]"]]
            mask = [1] * len(ids) + [0] * (MAX_LEN - len(ids))
            ids = ids + [0] * (MAX_LEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(label)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    train_ds, val_ds = KeeperLog(1600), KeeperLog(400)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAX_LEN, num_labels=len(TEAMS),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir=tempfile.mkdtemp(), num_train_epochs=6, per_device_train_batch_size=32,
        per_device_eval_batch_size=200, learning_rate=2e-3, weight_decay=0.01, warmup_steps=0.1,
        lr_scheduler_type="linear", label_smoothing_factor=0.1, eval_strategy="epoch",
        save_strategy="epoch", save_total_limit=1, load_best_model_at_end=True,
        metric_for_best_model="accuracy", logging_strategy="epoch", report_to="none",
        use_cpu=True, seed=17, disable_tqdm=True, dataloader_num_workers=0)
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final eval_accuracy {metrics['eval_accuracy']:.4f} eval_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
