import math

import lightning as L
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

L.seed_everything(5, workers=True)

N_MODES = 8


def ring_of_gaussians(n, g=None):
    k = torch.randint(0, N_MODES, (n,), generator=g)
    ang = 2 * math.pi * k.float() / N_MODES
    centers = torch.stack([torch.cos(ang), torch.sin(ang)], 1) * 2.0
    return centers + 0.08 * torch.randn(n, 2, generator=g)


class GAN(L.LightningModule):
    def __init__(self, z_dim=8, lr=1e-3):
        super().__init__()
        self.save_hyperparameters()
        self.automatic_optimization = False
        self.G = nn.Sequential(nn.Linear(z_dim, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 2))
        self.D = nn.Sequential(nn.Linear(2, 128), nn.LeakyReLU(0.2), nn.Linear(128, 128), nn.LeakyReLU(0.2), nn.Linear(128, 1))

    def forward(self, z):
        return self.G(z)

    def training_step(self, batch, batch_idx):
        (real,) = batch
        opt_g, opt_d = self.optimizers()
        b = real.size(0)

        z = torch.randn(b, self.hparams.z_dim, device=self.device)
        fake = self.G(z).detach()
        d_real, d_fake = self.D(real), self.D(fake)
        loss_d = F.binary_cross_entropy_with_logits(d_real, torch.ones_like(d_real)) + \
            F.binary_cross_entropy_with_logits(d_fake, torch.zeros_like(d_fake))
        opt_d.zero_grad()
        self.manual_backward(loss_d)
        opt_d.step()

        z = torch.randn(b, self.hparams.z_dim, device=self.device)
        d_gen = self.D(self.G(z))
        loss_g = F.binary_cross_entropy_with_logits(d_gen, torch.ones_like(d_gen))
        opt_g.zero_grad()
        self.manual_backward(loss_g)
        opt_g.step()

        self.log_dict({"loss_d": loss_d, "loss_g": loss_g}, prog_bar=True)

    def configure_optimizers(self):
        lr = self.hparams.lr
        opt_g = torch.optim.Adam(self.G.parameters(), lr=lr, betas=(0.5, 0.999))
        opt_d = torch.optim.Adam(self.D.parameters(), lr=lr, betas=(0.5, 0.999))
        return [opt_g, opt_d]


def mode_stats(samples):
    ang = 2 * math.pi * torch.arange(N_MODES).float() / N_MODES
    centers = torch.stack([torch.cos(ang), torch.sin(ang)], 1) * 2.0
    d = torch.cdist(samples, centers)
    nearest = d.min(1)
    good = nearest.values < 0.3
    covered = torch.unique(nearest.indices[good]).numel()
    return good.float().mean().item(), covered


g = torch.Generator().manual_seed(0)
data = ring_of_gaussians(16000, g)
loader = DataLoader(TensorDataset(data), batch_size=128, shuffle=True)

model = GAN()
trainer = L.Trainer(max_epochs=15, accelerator="cpu", devices=1, logger=False,
                    enable_checkpointing=False, enable_progress_bar=False, enable_model_summary=False)
trainer.fit(model, loader)

model.eval()
with torch.no_grad():
    samples = model(torch.randn(4000, model.hparams.z_dim))
hq, covered = mode_stats(samples)
print(f"final: high-quality sample share {hq:.3f}, modes covered {covered}/{N_MODES}")
