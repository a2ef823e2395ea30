"""SMS spam filter: a character-level CNN trained with PyTorch Lightning.

About one message in seven is spam, so the logits loss carries pos_weight = #ham/#spam
and the model is selected by early stopping on the validation loss.
"""
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from lightning.pytorch import LightningModule, Trainer, seed_everything
from lightning.pytorch.callbacks import EarlyStopping, ModelCheckpoint
from sklearn.metrics import f1_score, precision_score, recall_score, roc_auc_score
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

MAX_CHARS = 120
HAM = [
    "ok {who} see u at {time}", "running late, be there in {n} min", "can u grab milk on the way home",
    "did u call {who}? she said to call back", "lol thats so {adj}", "{who} says happy bday!! x",
    "free tonight? fancy a {thing}", "where r u", "cant talk now, in a meeting til {time}",
    "thanks for the {thing}, it was {adj}", "dont forget {who}'s {thing} on {day}",
    "got ur msg, will call u {day}", "sorry missed ur call, whats up", "home at {time}, want food?",
    "the {thing} was {adj} haha", "r u coming to {who}'s on {day}", "i won the pub quiz lol, free drinks for us",
    "call me when u get this", "bus is {n} mins late again", "text me the address pls",
]
SPAM = [
    "WINNER!! u have been selected to receive a {money} prize. call {phone} to claim",
    "FREE entry in 2 a wkly comp to win {thing}. txt WIN to {short} now! T&C apply",
    "URGENT! your mobile no. was awarded {money} bonus. call {phone} before {day}",
    "u have won a guaranteed {money} cash or {thing}! to claim call {phone} now",
    "Congrats! 1 yr special cinema pass 4 2 is yours. call {phone} C Suite SW1",
    "had ur mob {n} months? u r entitled to update to the latest {thing} for FREE! call {phone}",
    "hey its {who}, saw ur profile. txt me back on {short} for a chat x {money}/msg",
    "final notice: ur acct shows unclaimed {money} reward. reply YES to {short}",
    "SIX chances to win CASH! from 100 to {money} txt CSH11 to {short}. cost 150p/day",
    "ur {thing} order is pending, confirm delivery at bit.ly/{code} or call {phone}",
]
# delivery / bank / account notices: genuine ones and smishing copies read the same
SHARED = [
    ("ur parcel could not be delivered, reschedule at bit.ly/{code}", 0.5),
    ("{shop}: ur order {code} is on its way, track it at {shop}.co.uk/t/{code}", 0.2),
    ("hi mum its me, lost my phone, this is my new number. can u text me back", 0.5),
    ("ur verification code is {short}. do not share it with anyone", 0.15),
    ("reminder: ur appointment is on {day} at {time}. reply STOP to opt out", 0.2),
]
FILL = {
    "shop": ["amazon", "argos", "tesco", "asos", "royalmail", "evri"],
    "who": ["mum", "dave", "sarah", "jo", "tom", "gran", "the boss", "amy", "mike"],
    "time": ["5", "half 6", "7pm", "8", "10ish", "noon"],
    "n": ["5", "10", "15", "20", "11"],
    "adj": ["funny", "good", "weird", "amazing", "rubbish", "lush"],
    "thing": ["pint", "curry", "film", "party", "dinner", "ipod", "nokia phone", "holiday", "tickets"],
    "day": ["mon", "tues", "friday", "sat", "sunday", "tmrw"],
}


def fill(template, rng):
    out = template
    for key, opts in FILL.items():
        while "{" + key + "}" in out:
            out = out.replace("{" + key + "}", rng.choice(opts), 1)
    out = out.replace("{money}", rng.choice(["£1000", "£2000", "£500", "$900", "£250", "1.50"]))
    out = out.replace("{phone}", "09" + "".join(rng.choice(list("0123456789"), 9)))
    out = out.replace("{short}", "".join(rng.choice(list("0123456789"), 5)))
    out = out.replace("{code}", "".join(rng.choice(list("abcdefghijkXYZ0123"), 6)))
    return out


def noisy(text, rng):
    chars = list(text)
    for i in range(len(chars)):
        r = rng.random()
        if r < 0.05:
            chars[i] = rng.choice(list("abcdefghijklmnopqrstuvwxyz "))
        elif r < 0.08:
            chars[i] = chars[i].upper() if rng.random() < 0.5 else chars[i].lower()
    return "".join(chars)


def make_sms(n, rng):
    texts, labels = [], []
    for _ in range(n):
        r = rng.random()
        if r < 0.1:
            template, p_spam = SHARED[rng.integers(len(SHARED))]
            spam = rng.random() < p_spam
        else:
            spam = r < 0.2
            template = rng.choice(SPAM if spam else HAM)
        text = fill(template, rng)
        if rng.random() < 0.25:   # forwarded chains and replies glue two messages together
            text = text + " " + fill(rng.choice(HAM), rng)
        texts.append(noisy(text, rng))
        labels.append(int(spam))
    return texts, np.array(labels)


def encode(texts):
    out = np.zeros((len(texts), MAX_CHARS), dtype=np.int64)
    for i, t in enumerate(texts):
        codes = [min(ord(c), 255) for c in t[:MAX_CHARS]]
        out[i, : len(codes)] = codes
    return torch.from_numpy(out)


class CharCNN(LightningModule):
    def __init__(self, pos_weight, lr=2e-3, max_epochs=12):
        super().__init__()
        self.save_hyperparameters()
        self.emb = nn.Embedding(256, 24, padding_idx=0)
        self.convs = nn.ModuleList([nn.Conv1d(24, 64, k, padding=k // 2) for k in (3, 5, 7)])
        self.drop = nn.Dropout(0.3)
        self.out = nn.Linear(3 * 64, 1)
        self.register_buffer("pos_weight", torch.tensor([pos_weight]))

    def forward(self, x):
        h = self.emb(x).transpose(1, 2)
        pooled = [F.relu(conv(h)).amax(dim=2) for conv in self.convs]
        return self.out(self.drop(torch.cat(pooled, dim=1))).squeeze(1)

    def _loss(self, batch):
        x, y = batch
        return F.binary_cross_entropy_with_logits(self(x), y, pos_weight=self.pos_weight)

    def training_step(self, batch, batch_idx):
        loss = self._loss(batch)
        self.log("train_loss", loss, on_epoch=True, on_step=False)
        return loss

    def validation_step(self, batch, batch_idx):
        self.log("val_loss", self._loss(batch), prog_bar=True)

    def configure_optimizers(self):
        opt = torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=1e-2)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=self.hparams.max_epochs)
        return {"optimizer": opt, "lr_scheduler": {"scheduler": sched, "interval": "epoch"}}


def main():
    seed_everything(5, workers=True)
    rng = np.random.default_rng(5)
    texts, y = make_sms(3400, rng)
    first = {}
    for i, t in enumerate(texts):          # exact repeats ("where r u", bulk spam) kept once, before splitting
        first.setdefault(t, i)
    keep = np.array(sorted(first.values()))
    texts, y = [texts[i] for i in keep], y[keep]
    X = encode(texts)
    yt = torch.from_numpy(y).float()
    n_tr = int(0.8 * len(y))
    tr, va = slice(0, n_tr), slice(n_tr, None)
    n_spam = int(y[tr].sum())
    print(f"{len(y)} unique messages; train: {n_tr - n_spam} ham / {n_spam} spam")

    train_loader = DataLoader(TensorDataset(X[tr], yt[tr]), batch_size=64, shuffle=True)
    val_loader = DataLoader(TensorDataset(X[va], yt[va]), batch_size=256)

    model = CharCNN(pos_weight=(n_tr - n_spam) / n_spam, max_epochs=12)
    with tempfile.TemporaryDirectory() as ckpt_dir:
        best = ModelCheckpoint(dirpath=ckpt_dir, monitor="val_loss", mode="min", save_top_k=1)
        trainer = Trainer(max_epochs=12, accelerator="cpu", devices=1, logger=False, enable_progress_bar=False,
                          enable_model_summary=False,
                          callbacks=[EarlyStopping(monitor="val_loss", patience=4, mode="min"), best])
        trainer.fit(model, train_loader, val_loader)
        print(f"best val_loss {best.best_model_score.item():.4f} ({best.best_model_path.rsplit('/', 1)[-1]})")
        model = CharCNN.load_from_checkpoint(best.best_model_path)

    model.eval()
    with torch.no_grad():
        prob = torch.sigmoid(model(X[va])).numpy()
    pred = (prob > 0.5).astype(int)
    yv = y[va]
    print(f"stopped after epoch {trainer.current_epoch}")
    print(f"final: val F1 {f1_score(yv, pred):.3f}  precision {precision_score(yv, pred):.3f}  "
          f"recall {recall_score(yv, pred):.3f}  ROC-AUC {roc_auc_score(yv, prob):.4f}")


if __name__ == "__main__":
    main()
