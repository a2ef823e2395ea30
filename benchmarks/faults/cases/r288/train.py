import lightning.pytorch as pl
import numpy as np
import torch
from sklearn.datasets import load_digits
from sklearn.metrics import r2_score
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class LitAutoEncoder(pl.LightningModule):
    def __init__(self, code=10):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, code))
        self.decoder = nn.Sequential(nn.Linear(code, 64), nn.ReLU(), nn.Linear(64, 64))

    def forward(self, x):
        return self.decoder(self.encoder(x))

    def training_step(self, batch, batch_idx):
        (x,) = batch
        loss = nn.functional.mse_loss(self(x), x)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.Adam(self.parameters(), lr=3e-3)


def main():
    pl.seed_everything(4)
    X = load_digits().data.astype(np.float32)
    X_train, X_val = train_test_split(X, test_size=0.2, random_state=17)
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1.0
    X_train, X_val = (X_train - mean) / std, (X_val - mean) / std

    model = LitAutoEncoder()
    trainer = pl.Trainer(max_epochs=20, accelerator="cpu", enable_progress_bar=False, logger=False, enable_checkpointing=False,
                         enable_model_summary=False)
    trainer.fit(model, DataLoader(TensorDataset(torch.tensor(X_train)), batch_size=32, shuffle=True))

    model.eval()
    with torch.no_grad():
        recon = model(torch.tensor(X_val)).numpy()
    print(f"final_val_metric={r2_score(X_val, recon, multioutput='variance_weighted'):.4f}")


if __name__ == "__main__":
    main()
