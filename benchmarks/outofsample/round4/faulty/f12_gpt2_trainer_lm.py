"""HF Trainer: small GPT-2 (from config, vocab 6000) language model on a synthetic Markov token stream."""
import numpy as np
import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments, set_seed

set_seed(0)
rng = np.random.default_rng(0)
VOCAB, BLOCK = 6000, 64

# sparse first-order Markov chain: every token has 8 likely successors
succ = rng.integers(0, VOCAB, (VOCAB, 8))
probs = rng.dirichlet(np.ones(8) * 0.5, VOCAB)


def stream(n_tokens):
    out = np.empty(n_tokens, dtype=np.int64)
    out[0] = rng.integers(VOCAB)
    for i in range(1, n_tokens):
        out[i] = succ[out[i - 1], rng.choice(8, p=probs[out[i - 1]])]
    return out


class Blocks(torch.utils.data.Dataset):
    def __init__(self, toks):
        n = len(toks) // BLOCK
        self.x = torch.tensor(toks[: n * BLOCK]).view(n, BLOCK)

    def __len__(self):
        return len(self.x)

    def __getitem__(self, i):
        return {"input_ids": self.x[i], "labels": self.x[i]}


train_ds, val_ds = Blocks(stream(12_000)), Blocks(stream(3_200))

config = GPT2Config(vocab_size=VOCAB, n_positions=BLOCK, n_embd=128, n_layer=2, n_head=4,
                    resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
model = GPT2LMHeadModel(config)

args = TrainingArguments(
    output_dir="/tmp/f12_out", num_train_epochs=25, per_device_train_batch_size=16, per_device_eval_batch_size=50,
    learning_rate=3e-3, lr_scheduler_type="constant", weight_decay=0.0,
    eval_strategy="epoch", logging_strategy="epoch", save_strategy="no", report_to=[], seed=0,
    use_cpu=True, dataloader_num_workers=0, disable_tqdm=True,
)
trainer = Trainer(model=model, args=args, train_dataset=train_ds, eval_dataset=val_ds)
trainer.train()
res = trainer.evaluate()
print(f"final val_loss {res['eval_loss']:.4f} val_ppl {np.exp(res['eval_loss']):.1f}")
