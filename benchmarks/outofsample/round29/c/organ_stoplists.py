"""Building era of a pipe organ from its stop list.

An organ survey lists each instrument's stops (name + pitch, per division). A small BERT, trained
from scratch with the Hugging Face Trainer, reads the stop list and predicts the style period the
builder worked in: baroque, romantic, neo-baroque (organ reform) or eclectic modern. Warm-up then
linear decay, label smoothing (surveys disagree at the period boundaries), routine clipping.
Stop lists are simulated from seeded per-period stop preferences.
"""
import numpy as np
import torch
from transformers import (BertConfig, BertForSequenceClassification, Trainer,
                          TrainingArguments, set_seed)
from transformers.utils import logging as hf_logging

PERIODS = ["baroque", "romantic", "neo_baroque", "eclectic"]
STOPS = ["principal_8", "principal_4", "octave_2", "quint_2_2_3", "mixture_IV", "scharf_III",
         "cymbel_II", "sesquialtera_II", "cornet_V", "gedackt_8", "rohrflote_4", "nachthorn_2",
         "sifflote_1", "krummhorn_8", "regal_8", "trompete_8", "posaune_16", "subbass_16",
         "bourdon_16", "open_diapason_8", "harmonic_flute_8", "viola_da_gamba_8", "voix_celeste_8",
         "dulciana_8", "vox_humana_8", "oboe_8", "tuba_8", "clarinet_8", "salicional_8",
         "unda_maris_8", "tremulant", "swell_box", "chimes", "zimbelstern", "terz_1_3_5",
         "larigot_1_1_3"]
PREF = {
    0: ["principal_8", "octave_2", "quint_2_2_3", "mixture_IV", "scharf_III", "sesquialtera_II",
        "cornet_V", "gedackt_8", "rohrflote_4", "krummhorn_8", "regal_8", "trompete_8",
        "posaune_16", "terz_1_3_5", "zimbelstern"],
    1: ["open_diapason_8", "harmonic_flute_8", "viola_da_gamba_8", "voix_celeste_8", "dulciana_8",
        "vox_humana_8", "oboe_8", "tuba_8", "clarinet_8", "salicional_8", "unda_maris_8",
        "bourdon_16", "swell_box", "tremulant"],
    2: ["principal_8", "principal_4", "octave_2", "mixture_IV", "scharf_III", "cymbel_II",
        "nachthorn_2", "sifflote_1", "krummhorn_8", "regal_8", "larigot_1_1_3", "gedackt_8",
        "swell_box", "trompete_8"],
    3: ["principal_8", "open_diapason_8", "harmonic_flute_8", "mixture_IV", "voix_celeste_8",
        "trompete_8", "oboe_8", "tuba_8", "chimes", "swell_box", "tremulant", "cornet_V",
        "subbass_16", "clarinet_8"],
}
DIVISIONS = ["[GREAT]", "[SWELL]", "[PEDAL]"]


def vocab():
    toks = ["[PAD]", "[CLS]", "[SEP]", "[UNK]"] + DIVISIONS + STOPS
    return {t: i for i, t in enumerate(toks)}


def surveys(n, rng, max_len=40):
    V = vocab()
    ids, labels = [], []
    for _ in range(n):
        era = int(rng.integers(0, 4))
        toks = ["[CLS]"]
        for div in DIVISIONS:
            toks.append(div)
            for _ in range(rng.integers(3, 11)):
                src = PREF[era] if rng.random() < 0.62 else STOPS
                toks.append(str(rng.choice(src)))
        toks = toks[: max_len - 1] + ["[SEP]"]
        ids.append([V[t] for t in toks])
        labels.append(era)
    return ids, labels


class StopListDataset(torch.utils.data.Dataset):
    def __init__(self, ids, labels, max_len=40):
        self.ids, self.labels, self.max_len = ids, labels, max_len

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        seq = self.ids[i]
        pad = self.max_len - len(seq)
        return {"input_ids": torch.tensor(seq + [0] * pad),
                "attention_mask": torch.tensor([1] * len(seq) + [0] * pad),
                "labels": torch.tensor(self.labels[i])}


def compute_metrics(p):
    logits, labels = p
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    hf_logging.set_verbosity_error()
    set_seed(17)
    rng = np.random.default_rng(17)
    ids, labels = surveys(1500, rng)
    train_ds = StopListDataset(ids[:1200], labels[:1200])
    val_ds = StopListDataset(ids[1200:], labels[1200:])

    config = BertConfig(vocab_size=len(vocab()), hidden_size=64, num_hidden_layers=2,
                        num_attention_heads=4, intermediate_size=128,
                        max_position_embeddings=48, num_labels=len(PERIODS))
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/organ_stoplists_out",
        num_train_epochs=10,
        per_device_train_batch_size=48,
        per_device_eval_batch_size=300,
        learning_rate=2e-3,
        lr_scheduler_type="linear",
        warmup_steps=20,
        weight_decay=0.01,
        max_grad_norm=1.0,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        logging_strategy="epoch",
        save_strategy="no",
        report_to=[],
        disable_tqdm=True,
        seed=17,
        use_cpu=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds,
                      compute_metrics=compute_metrics)
    trainer.train()
    final = trainer.evaluate()
    print(f"final eval_loss {final['eval_loss']:.3f}  eval_accuracy {final['eval_accuracy']:.3f}")


if __name__ == "__main__":
    main()
