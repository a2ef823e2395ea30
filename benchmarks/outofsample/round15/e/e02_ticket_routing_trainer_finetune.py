"""Support-ticket routing: a small BERT encoder is first trained on the (plentiful) product-area tags,
then fine-tuned with the HF Trainer on a small set of tickets labelled with the team that handled them.

Fine-tuning follows the usual recipe for a pretrained encoder: small LR, linear warm-up over the first
10% of steps, linear decay, weight decay 0.01 (none on biases / LayerNorm, Trainer's default grouping).
"""
import tempfile

import numpy as np
import torch
from torch.utils.data import Dataset
from transformers import (BertConfig, BertForSequenceClassification, Trainer, TrainingArguments,
                          set_seed)
from transformers.utils import logging as hf_logging

hf_logging.set_verbosity_error()

PAD, CLS, SEP = 0, 1, 2
N_SPECIAL = 3
N_AREAS = 6
KW_PER_AREA = 25
N_FILLER = 600
VOCAB = N_SPECIAL + N_AREAS * KW_PER_AREA + N_FILLER
MAX_LEN = 32
AREA_TO_TEAM = [0, 0, 1, 1, 2, 2]    # billing+accounts / sync+storage / mobile+web


def make_tickets(n, rng):
    filler_p = 1.0 / np.arange(1, N_FILLER + 1) ** 1.1
    filler_p /= filler_p.sum()
    ids = np.full((n, MAX_LEN), PAD, dtype=np.int64)
    mask = np.zeros((n, MAX_LEN), dtype=np.int64)
    areas = rng.integers(0, N_AREAS, size=n)
    for i, a in enumerate(areas):
        length = rng.integers(12, MAX_LEN - 2)
        body = N_SPECIAL + N_AREAS * KW_PER_AREA + rng.choice(N_FILLER, size=length, p=filler_p)
        n_kw = rng.integers(2, 6)
        for pos in rng.choice(length, size=n_kw, replace=False):
            src = a if rng.random() > 0.15 else rng.integers(0, N_AREAS)
            body[pos] = N_SPECIAL + src * KW_PER_AREA + rng.integers(0, KW_PER_AREA)
        seq = [CLS, *body.tolist(), SEP]
        ids[i, :len(seq)] = seq
        mask[i, :len(seq)] = 1
    return ids, mask, areas


class Tickets(Dataset):
    def __init__(self, ids, mask, labels):
        self.ids, self.mask, self.labels = map(torch.as_tensor, (ids, mask, labels))

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i], "attention_mask": self.mask[i], "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(11)
    rng = np.random.default_rng(11)
    config = BertConfig(vocab_size=VOCAB, hidden_size=128, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=256, max_position_embeddings=32, num_labels=N_AREAS)

    # --- stage 1: area tagging on the large tagged archive ---------------------------------------
    ids, mask, areas = make_tickets(1600, rng)
    encoder_model = BertForSequenceClassification(config)
    opt = torch.optim.AdamW(encoder_model.parameters(), lr=1e-3, weight_decay=0.01)
    ids_t, mask_t, areas_t = map(torch.as_tensor, (ids, mask, areas))
    encoder_model.train()
    for epoch in range(3):
        perm = torch.randperm(len(areas_t))
        for i in range(0, len(perm), 64):
            b = perm[i:i + 64]
            out = encoder_model(input_ids=ids_t[b], attention_mask=mask_t[b], labels=areas_t[b])
            opt.zero_grad()
            out.loss.backward()
            opt.step()
        print(f"area tagging epoch {epoch}: last batch loss {out.loss.item():.3f}")

    # --- stage 2: team routing, few labels, fine-tune with a small LR -----------------------------
    ids, mask, areas = make_tickets(900, rng)
    teams = np.array(AREA_TO_TEAM)[areas]
    flip = rng.random(len(teams)) < 0.05                         # routing mistakes in the ticket log
    teams[flip] = rng.integers(0, 3, size=flip.sum())
    train_ds = Tickets(ids[:600], mask[:600], teams[:600])
    val_ds = Tickets(ids[600:], mask[600:], teams[600:])

    ft_config = BertConfig(**{**config.to_dict(), "num_labels": 3})
    model = BertForSequenceClassification(ft_config)
    state = {k: v for k, v in encoder_model.state_dict().items() if not k.startswith("classifier.")}
    missing, unexpected = model.load_state_dict(state, strict=False)
    assert set(missing) == {"classifier.weight", "classifier.bias"} and not unexpected

    with tempfile.TemporaryDirectory() as out_dir:
        args = TrainingArguments(
            output_dir=out_dir,
            learning_rate=2e-4,
            warmup_steps=15,
            lr_scheduler_type="linear",
            weight_decay=0.01,
            num_train_epochs=4,
            per_device_train_batch_size=16,
            per_device_eval_batch_size=128,
            eval_strategy="epoch",
            save_strategy="no",
            logging_steps=20,
            report_to=[],
            seed=11,
            use_cpu=True,
            disable_tqdm=True,
        )
        trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                          compute_metrics=compute_metrics)
        trainer.train()
        metrics = trainer.evaluate()

    majority = np.bincount(teams[600:]).max() / len(teams[600:])
    print(f"FINAL val_accuracy={metrics['eval_accuracy']:.4f} val_loss={metrics['eval_loss']:.4f} "
          f"(majority baseline {majority:.4f}, chance loss {np.log(3):.4f})")


if __name__ == "__main__":
    main()
