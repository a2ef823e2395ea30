"""Masked-LM pretraining of a tiny BERT on a synthetic "catalogue" language with the HF Trainer.

The corpus is generated: every sentence describes one product family, so words of a sentence
share a topic and a part of speech per slot. BertForMaskedLM ties its output projection to the
word embeddings (the default), and only the 15% masked positions carry a label; the rest are
-100 and ignored by the loss.
"""
import numpy as np
import torch
from transformers import BertConfig, BertForMaskedLM, Trainer, TrainingArguments, set_seed

PAD, CLS, SEP, MASK = 0, 1, 2, 3
N_TOPICS, PER_SLOT = 8, 6
SLOTS = ["det", "adj", "noun", "verb", "adv", "prep", "adj", "noun"]
KINDS = ["det", "adj", "noun", "verb", "adv", "prep"]


def build_vocab():
    vocab, nxt = {}, 4
    for t in range(N_TOPICS):
        for k in KINDS:
            vocab[(t, k)] = list(range(nxt, nxt + PER_SLOT))
            nxt += PER_SLOT
    return vocab, nxt


def sentences(n, vocab, rng):
    out = np.zeros((n, len(SLOTS) + 2), dtype=np.int64)
    for i in range(n):
        t = rng.integers(N_TOPICS)
        # a noun picks its adjective: word choices within a sentence are correlated
        seed = rng.integers(PER_SLOT)
        words = []
        for j, k in enumerate(SLOTS):
            if k in ("adj", "noun"):
                idx = (seed + (j // 4)) % PER_SLOT
            else:
                idx = rng.integers(PER_SLOT)
            words.append(vocab[(t, k)][idx])
        out[i] = [CLS, *words, SEP]
    return out


class MLMDataset(torch.utils.data.Dataset):
    def __init__(self, ids):
        self.ids = torch.as_tensor(ids)

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, i):
        return {"input_ids": self.ids[i]}


class MaskCollator:
    def __init__(self, vocab_size, p=0.15, seed=None):
        self.vocab_size, self.p = vocab_size, p
        self.g = torch.Generator().manual_seed(seed) if seed is not None else None

    def __call__(self, examples):
        ids = torch.stack([e["input_ids"] for e in examples]).clone()
        labels = ids.clone()
        special = ids < 4
        prob = torch.full(ids.shape, self.p)
        prob[special] = 0.0
        masked = torch.bernoulli(prob, generator=self.g).bool()
        # at least one prediction per sentence
        none = ~masked.any(1)
        if none.any():
            masked[none, 1 + torch.randint(0, len(SLOTS), (int(none.sum()),), generator=self.g)] = True
        labels[~masked] = -100
        r = torch.rand(ids.shape, generator=self.g)
        ids[masked & (r < 0.8)] = MASK
        rand_tok = masked & (r >= 0.8) & (r < 0.9)
        ids[rand_tok] = torch.randint(4, self.vocab_size, (int(rand_tok.sum()),), generator=self.g)
        return {"input_ids": ids, "attention_mask": torch.ones_like(ids), "labels": labels}


def masked_accuracy(pred):
    logits, labels = pred.predictions, pred.label_ids
    keep = labels != -100
    return {"masked_acc": float((logits.argmax(-1)[keep] == labels[keep]).mean())}


def main():
    set_seed(0)
    rng = np.random.default_rng(0)
    vocab, vsize = build_vocab()
    train_ids = sentences(3000, vocab, rng)
    val_ids = sentences(600, vocab, rng)

    config = BertConfig(vocab_size=vsize, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=16, type_vocab_size=1,
                        pad_token_id=PAD, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1)
    model = BertForMaskedLM(config)
    assert model.cls.predictions.decoder.weight.data_ptr() == model.bert.embeddings.word_embeddings.weight.data_ptr()

    args = TrainingArguments(
        output_dir="/tmp/mlm_trainer_out", per_device_train_batch_size=64, per_device_eval_batch_size=128,
        num_train_epochs=10, learning_rate=4e-3, weight_decay=0.01, warmup_steps=0.1,
        lr_scheduler_type="linear", eval_strategy="epoch", save_strategy="no", logging_steps=100,
        report_to="none", use_cpu=True, seed=0, dataloader_num_workers=0, disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=MLMDataset(train_ids),
                      eval_dataset=MLMDataset(val_ids), data_collator=MaskCollator(vsize),
                      compute_metrics=masked_accuracy)
    trainer.train()

    # a fixed mask for the final number, so it does not move with the collator's RNG
    trainer.data_collator = MaskCollator(vsize, seed=123)
    res = trainer.evaluate()
    words = train_ids[:, 1:-1].ravel()
    unigram = np.bincount(words).max() / len(words)
    print(f"final masked_acc {res['eval_masked_acc']:.4f} eval_loss {res['eval_loss']:.4f} "
          f"(unigram baseline {unigram:.4f})")


if __name__ == "__main__":
    main()
