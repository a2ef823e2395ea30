import lightning.pytorch as pl
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.metrics import balanced_accuracy_score
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


class Classifier(pl.LightningModule):
    def __init__(self, hidden=128, dropout=0.2, lr=2e-3, weight_decay=0.05):
        super().__init__()
        self.save_hyperparameters()
        self.model = nn.Sequential(
            nn.Linear(64, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, hidden), nn.BatchNorm1d(hidden), nn.ReLU(), nn.Dropout(dropout),
            nn.Linear(hidden, 10),
        )

    def forward(self, x):
        return self.model(x)

    def training_step(self, batch, batch_idx):
        x, y = batch
        loss = F.cross_entropy(self(x), y, label_smoothing=0.1)
        self.log("train_loss", loss)
        return loss

    def configure_optimizers(self):
        return torch.optim.AdamW(self.parameters(), lr=self.hparams.lr, weight_decay=self.hparams.weight_decay)


def main():
    pl.seed_everything(6)
    X, y = load_digits(return_X_y=True)
    X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=18, stratify=y)
    scaler = StandardScaler().fit(X_train)
    train = TensorDataset(torch.tensor(scaler.transform(X_train), dtype=torch.float32), torch.tensor(y_train))
    X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)

    model = Classifier()
    trainer = pl.Trainer(max_epochs=12, accelerator="cpu", precision="bf16-mixed", enable_progress_bar=False, logger=False,
                         enable_checkpointing=False, enable_model_summary=False)
    trainer.fit(model, DataLoader(train, batch_size=64, shuffle=True, drop_last=True))

    model.eval()
    with torch.no_grad():
        pred = model(X_val).argmax(dim=1).numpy()
    print(f"final_val_metric={balanced_accuracy_score(y_val, pred):.4f}")


if __name__ == "__main__":
    main()
