import lightning.pytorch as pl
import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

from benchmarks.faults.casedata2 import ring_points


class GAN(pl.LightningModule):
    def __init__(self, latent=8, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.generator = nn.Sequential(nn.Linear(latent, 64), nn.ReLU(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 2))
        self.discriminator = nn.Sequential(nn.Linear(2, 64), nn.LeakyReLU(0.2), nn.Linear(64, 64), nn.LeakyReLU(0.2), nn.Linear(64, 1))
        self.bce = nn.BCEWithLogitsLoss()

    def forward(self, z):
        return self.generator(z)

    def training_step(self, batch, batch_idx):
        (real,) = batch
        opt_g, opt_d = self.optimizers()
        z = torch.randn(real.size(0), self.hparams.latent)
        ones, zeros = torch.ones(real.size(0), 1), torch.zeros(real.size(0), 1)

        fake = self(z)
        loss_d = self.bce(self.discriminator(real), ones) + self.bce(self.discriminator(fake.detach()), zeros)
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()

        loss_g = self.bce(self.discriminator(fake), ones)
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()
        self.log_dict({"loss_d": loss_d, "loss_g": loss_g})

    def configure_optimizers(self):
        lr = self.hparams.lr
        opt_g = torch.optim.Adam(self.generator.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.discriminator.parameters(), lr=lr, betas=(0.5, 0.999))
        return [opt_g, opt_d]


def main():
    pl.seed_everything(5)
    data = ring_points(n=6400, modes=4, radius=2.0, spread=0.1, seed=6)
    model = GAN()
    trainer = pl.Trainer(max_epochs=25, accelerator="cpu", enable_progress_bar=False, logger=False, enable_checkpointing=False,
                         enable_model_summary=False)
    trainer.fit(model, DataLoader(TensorDataset(torch.tensor(data)), batch_size=128, shuffle=True))

    with torch.no_grad():
        samples = model(torch.randn(2000, 8)).numpy()
    reference = ring_points(n=2000, modes=4, radius=2.0, spread=0.1, seed=7)
    distance = np.mean([np.abs(np.sort(samples[:, k]) - np.sort(reference[:, k])).mean() for k in range(2)])
    print(f"final_val_metric={1.0 / (1.0 + distance):.4f}")


if __name__ == "__main__":
    main()
