"""Subtitle-line language identification with a tiny BERT over word tokens (HF Trainer).

Short subtitle lines in six languages (en, de, fr, es, it, nl) are generated from small
per-language word lists with typical line lengths, some punctuation and casing noise. A
2-layer BERT over lower-cased word tokens (unknown words map to [UNK]), trained from scratch with warm-up then linear decay, label
smoothing and decoupled weight decay.
"""
import random
import warnings

import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

warnings.filterwarnings("ignore")
set_seed(5)
random.seed(5)

LEX = {
    "en": "the you what is this not and have are we that was for yes know right here come on going to it me just".split(),
    "de": "der die das ich nicht ist und du was wir ein mit sie ja auf mal hier komm schon jetzt gut noch wie".split(),
    "fr": "le la je ne pas est et tu que nous un avec vous oui sur ici allez bien maintenant encore comment".split(),
    "es": "el la yo no es y tu que nosotros un con usted si aqui vamos bien ahora todavia como esta pero".split(),
    "it": "il la io non e tu che noi un con lei si qui andiamo bene adesso ancora come questo ma sono".split(),
    "nl": "de het ik niet is en jij wat wij een met u ja hier kom goed nu nog hoe dit maar zijn".split(),
}
SHARED = "john maria paris 42 ok hey taxi hotel pizza radio no mama".split()
LANGS = sorted(LEX)
MAXLEN = 12


def line(lang):
    words = [random.choice(LEX[lang]) for _ in range(random.randint(1, 4))]
    for _ in range(random.randint(0, 2)):             # names, numbers, loanwords carry no language
        words.insert(random.randrange(len(words) + 1), random.choice(SHARED))
    s = " ".join(words)
    if random.random() < 0.5:
        s = s[0].upper() + s[1:]
    return s + random.choice(["", ".", "?", "!", "...", " -"])


VOCAB = ["[PAD]", "[CLS]", "[UNK]"] + sorted({w for ws in LEX.values() for w in ws} | set(SHARED))
TOKEN_ID = {w: i for i, w in enumerate(VOCAB)}
PAD, CLS, UNK = 0, 1, 2


def tokenize(s):
    return [TOKEN_ID.get(w.strip(".?!-"), UNK) for w in s.lower().split() if w.strip(".?!-")]


class LineDataset(torch.utils.data.Dataset):
    def __init__(self, n):
        self.items = []
        for _ in range(n):
            y = random.randrange(len(LANGS))
            ids = [CLS] + tokenize(line(LANGS[y]))[:MAXLEN - 1]
            mask = [1] * len(ids) + [0] * (MAXLEN - len(ids))
            ids = ids + [PAD] * (MAXLEN - len(ids))
            self.items.append({"input_ids": torch.tensor(ids), "attention_mask": torch.tensor(mask),
                               "labels": torch.tensor(y)})

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def compute_metrics(pred):
    logits, labels = pred
    return {"accuracy": float((np.argmax(logits, -1) == labels).mean())}


def main():
    train_ds, eval_ds = LineDataset(2400), LineDataset(600)
    config = BertConfig(vocab_size=len(VOCAB), hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=MAXLEN, num_labels=len(LANGS),
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForSequenceClassification(config)
    args = TrainingArguments(
        output_dir="/tmp/subtitle_langid_out", num_train_epochs=4, per_device_train_batch_size=32,
        per_device_eval_batch_size=128, learning_rate=1e-3, weight_decay=0.01, warmup_steps=30,
        lr_scheduler_type="linear", label_smoothing_factor=0.1, eval_strategy="epoch", save_strategy="no",
        logging_steps=50, report_to=[], seed=5, use_cpu=True, disable_tqdm=True, dataloader_num_workers=0,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=eval_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"eval loss {metrics['eval_loss']:.4f}  eval accuracy {metrics['eval_accuracy']:.4f}")


if __name__ == "__main__":
    main()
