import numpy as np, torch
from torch import nn
import lightning.pytorch as pl
from torch.utils.data import TensorDataset, DataLoader
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

pl.seed_everything(0, verbose=False)
X, y = load_wine(return_X_y=True)
Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)
sc = StandardScaler().fit(Xtr)
Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
t = lambda a, d: torch.tensor(a, dtype=d)
train_dl = DataLoader(TensorDataset(t(Xtr, torch.float32), t(ytr, torch.long)), batch_size=16, shuffle=True)
val_dl = DataLoader(TensorDataset(t(Xva, torch.float32), t(yva, torch.long)), batch_size=64)

class WineNet(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(13, 32), nn.ReLU(), nn.Dropout(0.1), nn.Linear(32, 3))
        self.crit = nn.CrossEntropyLoss()
    def forward(self, x):
        return self.net(x)
    def training_step(self, batch, _):
        x, y = batch
        loss = self.crit(self(x), y)
        self.log("train_loss", loss)
        return loss
    def validation_step(self, batch, _):
        x, y = batch
        out = self(x)
        self.log("val_loss", self.crit(out, y), prog_bar=True)
        self.log("val_acc", (out.argmax(1) == y).float().mean(), prog_bar=True)
    def configure_optimizers(self):
        opt = torch.optim.Adam(self.parameters(), lr=1e-2)
        return {"optimizer": opt, "lr_scheduler": torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.5)}

model = WineNet()
trainer = pl.Trainer(max_epochs=30, accelerator="cpu", logger=False, enable_checkpointing=False,
                     enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, train_dl, val_dl)
res = trainer.validate(model, val_dl, verbose=False)[0]
print(f"final val_acc {res['val_acc']:.4f} val_loss {res['val_loss']:.4f}")
