"""Key-cutting counter: which master-key system does a customer's key belong to?

The kiosk's decoder reads the blank profile and the cut depths (position by position) of a
key brought in for copying; the shop wants to route keys of restricted master-key systems
to a locksmith. Each system has its own depth habits per position (MACS rules, progression
steps, reserved control cuts). Sequence: [CLS] blank-token pos-depth tokens [SEP].
Tiny BERT from a config, Hugging Face Trainer, warm-up then linear decay, label smoothing.
"""
import numpy as np
import torch
from transformers import BertConfig, BertForSequenceClassification, Trainer, TrainingArguments, set_seed

SEED = 29
N_SYS, N_POS, N_DEPTH, N_BLANK = 8, 6, 10, 5
CLS, SEP, PAD = 0, 1, 2
BLANK0 = 3
DEPTH0 = BLANK0 + N_BLANK               # depth token = DEPTH0 + pos * N_DEPTH + depth
VOCAB = DEPTH0 + N_POS * N_DEPTH


def make_keys(n, rng, sys_profiles, blank_of_sys):
    y = rng.integers(0, N_SYS, n)
    seqs = np.full((n, N_POS + 3), PAD, np.int64)
    for i, s in enumerate(y):
        blank = blank_of_sys[s] if rng.random() < 0.7 else rng.integers(0, N_BLANK)
        depths = []
        for p in range(N_POS):
            d = rng.choice(N_DEPTH, p=sys_profiles[s, p])
            if depths and abs(d - depths[-1]) > 7:           # MACS 7 on every system
                d = depths[-1] + np.sign(d - depths[-1]) * 7
            depths.append(int(d))
        seqs[i] = [CLS, BLANK0 + blank] + [DEPTH0 + p * N_DEPTH + d for p, d in enumerate(depths)] + [SEP]
    return seqs, y


class KeyDataset(torch.utils.data.Dataset):
    def __init__(self, seqs, labels):
        self.seqs, self.labels = torch.from_numpy(seqs), torch.from_numpy(labels)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        ids = self.seqs[i]
        return {"input_ids": ids, "attention_mask": (ids != PAD).long(), "labels": self.labels[i]}


def compute_metrics(eval_pred):
    logits, labels = eval_pred
    return {"accuracy": float((logits.argmax(-1) == labels).mean())}


def main():
    set_seed(SEED)
    rng = np.random.default_rng(SEED)
    sys_profiles = rng.dirichlet(np.full(N_DEPTH, 0.35), size=(N_SYS, N_POS))
    blank_of_sys = rng.integers(0, N_BLANK, N_SYS)
    Xtr, ytr = make_keys(2000, rng, sys_profiles, blank_of_sys)
    Xva, yva = make_keys(600, rng, sys_profiles, blank_of_sys)

    config = BertConfig(vocab_size=VOCAB, hidden_size=64, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=128, max_position_embeddings=16, num_labels=N_SYS,
                        hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
    model = BertForSequenceClassification(config)

    args = TrainingArguments(
        output_dir="/tmp/keycut_bert_run",
        per_device_train_batch_size=32,
        per_device_eval_batch_size=200,
        num_train_epochs=5,
        learning_rate=2e-3,
        warmup_steps=32,
        lr_scheduler_type="linear",
        weight_decay=0.01,
        label_smoothing_factor=0.1,
        eval_strategy="epoch",
        save_strategy="no",
        logging_steps=50,
        report_to="none",
        seed=SEED,
        use_cpu=True,
        dataloader_num_workers=0,
        disable_tqdm=True,
    )
    trainer = Trainer(model=model, args=args, train_dataset=KeyDataset(Xtr, ytr),
                      eval_dataset=KeyDataset(Xva, yva), compute_metrics=compute_metrics)
    trainer.train()
    metrics = trainer.evaluate()
    print(f"FINAL eval_accuracy={metrics['eval_accuracy']:.4f} eval_loss={metrics['eval_loss']:.4f}")


if __name__ == "__main__":
    main()
