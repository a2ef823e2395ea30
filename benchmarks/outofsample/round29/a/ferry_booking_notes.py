"""Ticket class from the free-text notes on island-ferry phone bookings.

Call-centre agents type a short note per booking; the fare system needs the vehicle
class: 0 foot passengers, 1 car, 2 motorbike / bicycle, 3 oversize (van, camper, trailer),
4 commercial freight.  A small BERT is trained from scratch on the notes with the
Hugging Face Trainer: warm-up then linear decay, label smoothing, default grad clipping.
"""
import random
import tempfile

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments

SEED = 17
random.seed(SEED)
np.random.seed(SEED)
torch.manual_seed(SEED)

NAMES = ["mr jones", "mrs patel", "the hendersons", "ms okafor", "dr lindqvist", "mr murray", "school group",
         "mrs ferreira", "the walshes", "mr tanaka", "ms byrne", "mr kowalski"]
DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "tomorrow", "bank holiday"]
SAIL = ["0730", "0915", "1200", "1445", "1730", "last sailing", "first sailing"]
EXTRA = ["return", "single", "open return", "wheelchair assist", "dog on board", "pensioner rate",
         "paid by card", "called back", "wants window seat", "cabin not needed", "fare quoted", "resident card"]


def note(label, r):
    ppl = f"{r.randint(1, 6)} {r.choice(['adults', 'adult', 'pax', 'people'])}"
    if label == 0:
        core = r.choice([f"{ppl} walk on", f"{ppl} foot passengers", f"{ppl} no vehicle",
                         f"{ppl} leaving car at terminal", f"{ppl} parking car in long stay",
                         f"{ppl} foot pax with luggage trolley", f"{ppl} no car this time"])
    elif label == 1:
        core = r.choice([f"{ppl} + car", f"car and {ppl}", f"{ppl} estate car", f"{ppl} hatchback",
                         f"{ppl} car with bikes on roof", f"{ppl} car with roof box", f"{ppl} electric car",
                         f"saloon car {ppl}"])
    elif label == 2:
        core = r.choice([f"{ppl} motorbike", f"{ppl} bicycles", f"{ppl} cycling no car",
                         f"{ppl} motorcycle and sidecar", f"{ppl} e bikes x2", f"{ppl} scooter",
                         f"{ppl} tandem bicycle"])
    elif label == 3:
        core = r.choice([f"{ppl} campervan", f"{ppl} car towing caravan", f"{ppl} van over 6m",
                         f"{ppl} car with trailer", f"{ppl} motorhome", f"{ppl} car and horsebox",
                         f"{ppl} minibus", f"{ppl} car towing boat trailer"])
    else:
        core = r.choice([f"lorry 12t {ppl}", f"hgv driver only", f"artic unaccompanied trailer",
                         f"delivery van account customer", f"refrigerated truck", f"tipper truck with driver",
                         f"freight account hgv 18m", f"livestock lorry"])
    if r.random() < 0.1:  # agent did not write the vehicle down
        core = r.choice([f"{ppl} as per last booking", f"{ppl} see account notes", f"{ppl} vehicle tbc",
                         f"{ppl} same as outbound"])
    parts = [r.choice(NAMES), core, r.choice(DAYS), r.choice(SAIL)] + r.sample(EXTRA, r.randint(0, 3))
    head, rest = parts[:2], parts[2:]
    r.shuffle(rest)
    return " ".join(head + rest)


def make(n, r):
    labels = [r.randint(0, 4) for _ in range(n)]
    return [note(l, r) for l in labels], labels


class Notes(torch.utils.data.Dataset):
    def __init__(self, texts, labels, vocab, max_len=24):
        self.items = []
        for t, l in zip(texts, labels):
            ids = [vocab["[CLS]"]] + [vocab.get(w, vocab["[UNK]"]) for w in t.split()][: max_len - 2] + [vocab["[SEP]"]]
            pad = max_len - len(ids)
            self.items.append({
                "input_ids": torch.tensor(ids + [0] * pad),
                "attention_mask": torch.tensor([1] * len(ids) + [0] * pad),
                "labels": torch.tensor(l),
            })

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def accuracy(p):
    return {"accuracy": float((p.predictions.argmax(-1) == p.label_ids).mean())}


def main():
    r = random.Random(SEED)
    tr_x, tr_y = make(2000, r)
    va_x, va_y = make(600, r)
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for t in tr_x:
        for w in t.split():
            vocab.setdefault(w, len(vocab))
    train_ds, val_ds = Notes(tr_x, tr_y, vocab), Notes(va_x, va_y, vocab)

    config = BertConfig(vocab_size=len(vocab), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=32, num_labels=5)
    model = BertForSequenceClassification(config)

    with tempfile.TemporaryDirectory() as out:
        args = TrainingArguments(
            output_dir=out,
            num_train_epochs=3,
            per_device_train_batch_size=32,
            per_device_eval_batch_size=128,
            learning_rate=1e-3,
            warmup_steps=20,
            lr_scheduler_type="linear",
            weight_decay=0.01,
            label_smoothing_factor=0.1,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=40,
            report_to="none",
            use_cpu=True,
            seed=SEED,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=accuracy)
        trainer.train()
        res = trainer.evaluate()
    print(f"eval_loss {res['eval_loss']:.4f} eval_accuracy {res['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
