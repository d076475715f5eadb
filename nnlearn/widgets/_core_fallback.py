"""Temporary: the core API (nl.Dropout, AdamW, train_step, train/eval) until the `core` branch lands.

Each fallback does exactly what core's version does (same mask draw, same update), so runs give
the same numbers before and after the merge. Delete this module once core is merged.
"""

import numpy as np

from .. import nn, optim, train

if hasattr(nn, "Dropout") and hasattr(optim, "AdamW") and hasattr(train, "train_step"):
    from ..nn import Dropout
    from ..optim import AdamW
    from ..train import train_step
else:
    def _train(self, mode=True):
        for module in [self] + list(getattr(self, "layers", [])):
            module.training = mode
        return self

    nn.Module.training = True
    nn.Module.train = _train
    nn.Module.eval = lambda self: self.train(False)

    class Dropout(nn.Module):
        def __init__(self, p=0.5, rng=None):
            self.p, self.rng, self._mask = p, np.random.default_rng(rng), None

        def forward(self, x):
            if not self.training or self.p == 0:
                self._mask = None
                return x
            keep = self.rng.random(x.shape, dtype=x.dtype) >= self.p
            self._mask = keep * x.dtype.type(1 / (1 - self.p))
            return x * self._mask

        def backward(self, grad_output):
            return grad_output if self._mask is None else grad_output * self._mask

        def parameters(self):
            return []

    class AdamW(optim.Adam):
        def __init__(self, params, lr=0.001, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01):
            super().__init__(params, lr=lr, betas=betas, eps=eps)
            self.decay = weight_decay

        def step(self):
            for param in self.param_groups[0]["params"]:
                param.data *= 1 - self.param_groups[0]["lr"] * self.decay
            super().step()

    def train_step(model, loss_fn, optimizer, X, y):
        prediction = model(X)
        loss = loss_fn(prediction, y)
        optimizer.zero_grad()
        model.backward(loss_fn.backward())
        optimizer.step()
        return loss
