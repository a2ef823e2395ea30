import lightning.pytorch as pl
import torch
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata import sensor_sequences


class Forecaster(pl.LightningModule):
    def __init__(self, features=3, hidden=48):
        super().__init__()
        self.lstm = nn.LSTM(features, hidden, batch_first=True)
        self.out = nn.Linear(hidden, 1)
        self.criterion = nn.HuberLoss(delta=1.0)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.out(h[-1]).squeeze(-1)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = self.criterion(self(x), y)
        self.log("train_loss", loss)
        return loss

    def validation_step(self, batch, batch_idx):
        x, y = batch
        self.log("val_loss", self.criterion(self(x), y))

    def configure_optimizers(self):
        optimizer = torch.optim.Adam(self.parameters(), lr=5e-3)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=1)
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "monitor": "val_loss"}}


def main():
    pl.seed_everything(3)
    X, y = sensor_sequences(n=1000, length=20, features=3, seed=16)
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=16)
    y_train, y_val = train_test_split(y, test_size=0.2, random_state=61)
    train = DataLoader(TensorDataset(torch.tensor(X_train), torch.tensor(y_train)), batch_size=16, shuffle=True)
    val = DataLoader(TensorDataset(torch.tensor(X_val), torch.tensor(y_val)), batch_size=200)

    model = Forecaster()
    trainer = pl.Trainer(max_epochs=12, accelerator="cpu", accumulate_grad_batches=2, enable_progress_bar=False, logger=False,
                         enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, train, val)

    model.eval()
    with torch.no_grad():
        pred = model(torch.tensor(X_val)).numpy()
    print(f"final_val_metric={r2_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
