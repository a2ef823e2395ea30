"""Orchard grafting ledger: predict whether a graft takes, from the nursery's record line.

Each record is a short line of tokens written by the grafter: rootstock, scion variety,
technique, week of grafting, wood condition, weather and free notes. Outcome checked in
autumn: 0 = failed, 1 = weak take (regraft next year), 2 = good take.
A tiny BERT trained from scratch with the HF Trainer (warm-up, linear decay, label smoothing).
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

ROOTS = ["M9", "M26", "MM106", "MM111", "Quince_A", "Quince_C", "Pyrodwarf", "seedling"]
SCIONS = ["Bramley", "Cox", "Egremont", "Discovery", "Conference", "Comice", "Concorde", "Worcester"]
PEARS = {"Conference", "Comice", "Concorde"}
TECH = ["whip_tongue", "cleft", "chip_bud", "t_bud", "rind"]
WEEKS = [f"wk{w}" for w in range(8, 36, 2)]
WOOD = ["dormant_wood", "swelling_buds", "leafing", "dry_scion", "fresh_scion"]
WEATHER = ["frost", "mild", "wet", "dry_spell", "windy", "warm"]
NOTES = ["tape", "wax", "rubber_strip", "tied", "labelled", "row3", "row7", "bench", "field",
         "good_cambium", "poor_fit", "sealed", "rechecked", "pot", "bare_root"]
SPECIAL = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"]
VOCAB = SPECIAL + ROOTS + SCIONS + TECH + WEEKS + WOOD + WEATHER + NOTES
TOK = {w: i for i, w in enumerate(VOCAB)}
MAX_LEN = 16


def write_ledger(n, rng):
    rows, labels = [], []
    for _ in range(n):
        root, scion, tech = rng.choice(ROOTS), rng.choice(SCIONS), rng.choice(TECH)
        week = int(rng.integers(8, 36) // 2 * 2)
        wood, weather = rng.choice(WOOD), rng.choice(WEATHER)
        s = 0.6
        if scion in PEARS and root.startswith("M"):
            s -= 1.6                                  # pear on apple stock: incompatible
        if scion not in PEARS and root.startswith("Quince"):
            s -= 1.6
        if tech in ("chip_bud", "t_bud") and week < 26:
            s -= 0.9                                  # budding belongs in summer
        if tech in ("whip_tongue", "cleft") and week > 20:
            s -= 0.9
        s += {"dormant_wood": 0.5, "fresh_scion": 0.4, "dry_scion": -0.9}.get(wood, 0.0)
        s += {"frost": -0.6, "dry_spell": -0.4, "mild": 0.3}.get(weather, 0.0)
        notes = list(rng.choice(NOTES, size=rng.integers(2, 6), replace=False))
        s += 0.5 * ("good_cambium" in notes) - 0.7 * ("poor_fit" in notes)
        s += rng.normal(0, 0.2)
        labels.append(0 if s < -0.4 else (1 if s < 0.5 else 2))
        words = [root, scion, tech, f"wk{week}", wood, weather] + notes
        rng.shuffle(words)
        ids = [TOK["[CLS]"]] + [TOK[w] for w in words][: MAX_LEN - 2] + [TOK["[SEP]"]]
        rows.append(ids + [0] * (MAX_LEN - len(ids)))
    return np.array(rows), np.array(labels)


class Ledger(torch.utils.data.Dataset):
    def __init__(self, ids, labels):
        self.ids, self.labels = torch.tensor(ids), torch.tensor(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": (self.ids[i] != 0).long(),
                "labels": self.labels[i]}


def accuracy(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    torch.manual_seed(29)
    rng = np.random.default_rng(29)
    ids, labels = write_ledger(2200, rng)
    train_ds, val_ds = Ledger(ids[:1800], labels[:1800]), Ledger(ids[1800:], labels[1800:])
    print("class shares:", np.bincount(labels, minlength=3) / len(labels))

    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128, max_position_embeddings=MAX_LEN,
                        num_labels=3, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/graft_ledger_run", num_train_epochs=10, per_device_train_batch_size=32,
        per_device_eval_batch_size=200, learning_rate=2e-3, warmup_steps=45,
        lr_scheduler_type="linear", weight_decay=0.01, label_smoothing_factor=0.1,
        eval_strategy="epoch", logging_strategy="epoch", save_strategy="no",
        report_to=[], seed=29, disable_tqdm=True, use_cpu=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=accuracy)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"final val_accuracy {metrics['eval_accuracy']:.4f}  val_loss {metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
