"""Shared training helpers: the digits data and one small, seeded torch loop.

Several lessons train a small model on scikit-learn's 8x8 digits (1,797
images, shipped with scikit-learn, no download) and compare accuracies. They
all use the same split and the same loop from here, so a number on one page
can be compared with a number on another. Lessons whose subject *is* the
optimiser (3.1-3.4) write their update rules out instead.

Used in lessons 2.4, 2.5, 2.8, 3.7, 4.1 and 4.3.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import check_array, check_float, check_int

__all__ = ["digits", "fit", "accuracy", "FitHistory"]


def digits(
    n_train: int = 1200, images: bool = False, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return a fixed train/test split of scikit-learn's digits.

    Parameters
    ----------
    n_train : int, default=1200
        Number of training images (1 to 1796); the rest are the test set.
    images : bool, default=False
        If True, return images of shape ``(n, 1, 8, 8)`` (for convolutions),
        else flat vectors of shape ``(n, 64)``.
    seed : int, default=0
        Seed of the random permutation that splits the data.

    Returns
    -------
    X_train, X_test : ndarray of float32, pixels scaled to [0, 1]
    y_train, y_test : ndarray of int64, labels 0-9

    Examples
    --------
    >>> X_tr, X_te, y_tr, y_te = digits(n_train=1000)
    >>> X_tr.shape, X_te.shape, y_tr.dtype.name
    ((1000, 64), (797, 64), 'int64')
    >>> digits(images=True)[0].shape
    (1200, 1, 8, 8)
    """
    from sklearn.datasets import load_digits

    n_train = check_int(n_train, "n_train", 1)
    if n_train >= 1797:
        raise ValueError(f"n_train must be < 1797 (the data set size), got {n_train}")
    if not isinstance(images, bool):
        raise TypeError(f"images must be a bool, got {type(images).__name__}")
    X, y = load_digits(return_X_y=True)
    X = (X / 16.0).astype(np.float32)  # pixels 0..16 -> [0, 1]
    if images:
        X = X.reshape(-1, 1, 8, 8)  # X: [n, channels, height, width]
    order = np.random.default_rng(check_int(seed, "seed")).permutation(len(y))
    train, test = order[:n_train], order[n_train:]
    return X[train], X[test], y[train].astype(np.int64), y[test].astype(np.int64)


@dataclass
class FitHistory:
    """Loss per epoch (mean over minibatches) and optional test accuracy."""

    loss: list[float] = field(default_factory=list)
    test_accuracy: list[float] = field(default_factory=list)

    def __repr__(self) -> str:
        return f"FitHistory(epochs={len(self.loss)}, final_loss={self.loss[-1]:.4f})"


def fit(
    model,
    X: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int = 20,
    lr: float = 1e-2,
    batch_size: int = 64,
    weight_decay: float = 0.0,
    seed: int = 0,
    X_test: np.ndarray | None = None,
    y_test: np.ndarray | None = None,
) -> FitHistory:
    """Train a torch classifier with Adam and cross-entropy, reproducibly.

    Minibatches are drawn from a seeded ``torch.Generator``; the model's own
    initialisation is the caller's (seed it before building the model).

    Parameters
    ----------
    model : torch.nn.Module
        Maps a float32 batch ``(n, ...)`` to class scores ``(n, K)``.
    X, y : ndarray
        Inputs ``(n, ...)`` and integer labels ``(n,)``.
    epochs, lr, batch_size, weight_decay : training settings.
    seed : int, default=0
        Seed of the minibatch order.
    X_test, y_test : ndarray, optional
        If given, the test accuracy is recorded after every epoch.

    Returns
    -------
    FitHistory

    Examples
    --------
    >>> import torch
    >>> X_tr, X_te, y_tr, y_te = digits()
    >>> _ = torch.manual_seed(0)
    >>> net = torch.nn.Sequential(torch.nn.Linear(64, 10))
    >>> h = fit(net, X_tr, y_tr, epochs=5, lr=0.05)
    >>> print(f"{accuracy(net, X_te, y_te):.2f}")
    0.9...
    """
    torch = require_torch()

    X, y = _check_xy(X, y)
    epochs = check_int(epochs, "epochs", 1)
    batch_size = check_int(batch_size, "batch_size", 1)
    lr = check_float(lr, "lr", 0.0, strict=True)
    weight_decay = check_float(weight_decay, "weight_decay", 0.0)
    Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
    opt = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=weight_decay)
    gen = torch.Generator().manual_seed(check_int(seed, "seed"))
    history = FitHistory()
    for _ in range(epochs):
        model.train()
        total, n_batches = 0.0, 0
        for idx in torch.randperm(len(yt), generator=gen).split(batch_size):
            loss = torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total, n_batches = total + loss.item(), n_batches + 1
        history.loss.append(total / n_batches)
        if X_test is not None:
            history.test_accuracy.append(accuracy(model, X_test, y_test))
    if not np.isfinite(history.loss[-1]):
        import warnings

        warnings.warn("training diverged: the loss is not finite", RuntimeWarning, stacklevel=2)
    return history


def accuracy(model, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of ``X`` whose highest score is the label ``y`` (eval mode)."""
    torch = require_torch()

    X, y = _check_xy(X, y)
    model.eval()
    with torch.no_grad():
        pred = model(torch.from_numpy(X)).argmax(dim=1).numpy()
    return float(np.mean(pred == y))


def _check_xy(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X", dtype=np.float32)
    if X.ndim < 2 or len(X) == 0:
        raise ValueError(f"X must be a non-empty batch (n, ...), got shape {X.shape}")
    y_arr = np.asarray(y)
    if y_arr.dtype.kind not in "iu":
        raise TypeError(f"y must hold integer labels, got dtype {y_arr.dtype}")
    if y_arr.shape != (len(X),):
        raise ValueError(f"y must have shape ({len(X)},), got {y_arr.shape}")
    return X, y_arr.astype(np.int64)
