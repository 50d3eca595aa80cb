"""Dropout: zero random units while training, keep the expectation.

Taught in lesson 2.4 (docs/history/alexnet.md).

- `dropout` is inverted dropout in numpy: each entry survives with
  probability ``1 - p`` and is then divided by ``1 - p``, so the expectation
  of every entry is unchanged; at test time it is the identity. This is what
  ``torch.nn.Dropout`` computes (AlexNet instead multiplied by ``1 - p`` at
  test time, which is the same network up to a rescaling of weights).
- `dropout_variance` is the variance the masks add, ``x^2 p / (1 - p)``:
  the mean is preserved, the variance is not.
- `dropout_mlp` builds a small torch classifier with ``torch.nn.Dropout``
  after its hidden layer; `train_digits` trains it on a small subset of the
  digits with the package's shared loop (`physdl_docs.training.fit`) and reports
  the train and test accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import RngLike, as_rng, check_array, check_float, check_int
from physdl_docs.training import accuracy, digits, fit

__all__ = ["DropoutRun", "dropout", "dropout_mlp", "dropout_variance", "train_digits"]


def _check_x(x: object) -> np.ndarray:
    if np.iscomplexobj(x):
        raise TypeError("x must be real, got a complex array")
    return check_array(x, "x")


def _check_p(p: object) -> float:
    return check_float(p, "p", minimum=0.0, maximum=1.0)


def dropout(x: np.ndarray, p: float, rng: RngLike = None,
            training: bool = True) -> np.ndarray:
    """Inverted dropout: zero each entry with probability ``p``, scale the rest.

    Parameters
    ----------
    x : array_like
        Activations, any shape (not modified).
    p : float
        Probability of zeroing an entry, ``0 <= p <= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator for the mask.
    training : bool, default True
        If False (test time), return ``x`` unchanged.

    Returns
    -------
    ndarray of the shape of ``x``
        ``m * x / (1 - p)`` with ``m_i ~ Bernoulli(1 - p)`` independent.
        ``p = 0`` returns a copy of ``x``; ``p = 1`` returns zeros (every
        entry is dropped; the ``1 / (1 - p)`` factor is never applied), as
        ``torch.nn.functional.dropout`` does.

    Notes
    -----
    Each kept entry is divided by the keep probability, so the expectation
    over masks is the input:

    .. math:: \\tilde x_i = \\frac{m_i x_i}{1 - p}, \\qquad
              \\mathbb{E}[\\tilde x_i] = \\frac{(1 - p)\\, x_i}{1 - p} = x_i .

    References
    ----------
    `hinton2012`, `srivastava2014`

    Examples
    --------
    >>> dropout(np.ones(6), 0.5, rng=0).tolist()
    [2.0, 0.0, 0.0, 0.0, 2.0, 2.0]
    >>> dropout(np.ones(3), 0.5, rng=0, training=False).tolist()
    [1.0, 1.0, 1.0]
    """
    x = _check_x(x)
    p = _check_p(p)
    if not isinstance(training, bool):
        raise TypeError(f"training must be a bool, got {type(training).__name__}")
    rng = as_rng(rng)
    if not training or p == 0.0:
        return x.copy()
    if p == 1.0:
        return np.zeros_like(x)
    # m_i ~ Bernoulli(1 - p): keep where a uniform number is >= p
    m = rng.random(x.shape) >= p
    # x~_i = m_i x_i / (1 - p)
    return np.where(m, x / (1.0 - p), 0.0)


def dropout_variance(x: np.ndarray, p: float) -> np.ndarray:
    """Variance over masks of each entry of ``dropout(x, p)``.

    Parameters
    ----------
    x : array_like
        Activations, any shape.
    p : float
        Drop probability, ``0 <= p < 1``.

    Returns
    -------
    ndarray of the shape of ``x``
        ``x^2 p / (1 - p)``: zero for ``p = 0``, ``x^2`` for ``p = 1/2``,
        growing without bound as ``p -> 1``.

    Notes
    -----
    With ``E[m_i] = E[m_i^2] = 1 - p``,

    .. math:: \\operatorname{Var}[\\tilde x_i] = \\frac{(1 - p)\\, x_i^2}{(1 - p)^2}
              - x_i^2 = x_i^2 \\frac{p}{1 - p} .

    References
    ----------
    `srivastava2014`

    Examples
    --------
    >>> dropout_variance([1.0, 2.0], 0.5).tolist()
    [1.0, 4.0]
    """
    x = _check_x(x)
    p = check_float(p, "p", minimum=0.0)
    if p >= 1.0:
        raise ValueError(f"p must be < 1 (the variance diverges at p = 1), got {p}")
    # Var = x^2 p / (1 - p)
    return x**2 * p / (1.0 - p)


def dropout_mlp(n_in: int, n_hidden: int, n_out: int, p: float, seed: int = 0):
    """A torch MLP ``Linear -> ReLU -> Dropout(p) -> Linear``.

    Parameters
    ----------
    n_in, n_hidden, n_out : int
        Layer widths, each ``>= 1``.
    p : float
        Drop probability of ``torch.nn.Dropout``, ``0 <= p <= 1``.
    seed : int, default 0
        Seed of the initial weights (PyTorch's default initialisation);
        torch's global random state is restored afterwards.

    Returns
    -------
    torch.nn.Sequential
        The model; in ``train()`` mode it drops hidden units, in ``eval()``
        mode ``Dropout`` is the identity.

    Notes
    -----
    In training mode the hidden activations are
    ``h~ = m * relu(W1 x + b1) / (1 - p)`` with ``m_i ~ Bernoulli(1 - p)``.

    References
    ----------
    `srivastava2014`

    Examples
    --------
    >>> dropout_mlp(64, 128, 10, p=0.5)
    Sequential(
      (0): Linear(in_features=64, out_features=128, bias=True)
      (1): ReLU()
      (2): Dropout(p=0.5, inplace=False)
      (3): Linear(in_features=128, out_features=10, bias=True)
    )
    """
    torch = require_torch()

    p = _check_p(p)
    seed = check_int(seed, "seed")
    with torch.random.fork_rng(devices=[]):  # local seed, global state restored
        torch.manual_seed(seed)
        return _build_mlp(n_in, n_hidden, n_out, p)


def _build_mlp(n_in: int, n_hidden: int, n_out: int, p: float):
    """The layers of `dropout_mlp`, initialised from torch's current RNG."""
    torch = require_torch()

    n_in, n_hidden, n_out = (check_int(n, name, minimum=1) for n, name in
                             ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out")))
    return torch.nn.Sequential(
        torch.nn.Linear(n_in, n_hidden),
        torch.nn.ReLU(),
        torch.nn.Dropout(p),
        torch.nn.Linear(n_hidden, n_out),
    )


@dataclass
class DropoutRun:
    """Result of `train_digits`: accuracies and the per-epoch record."""

    p: float
    seed: int
    train_accuracy: float
    test_accuracy: float
    #: accuracy after each epoch on the set passed to record (or empty)
    curve: list[float] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Train minus test accuracy."""
        return self.train_accuracy - self.test_accuracy

    def __repr__(self) -> str:
        return (f"DropoutRun(p={self.p}, seed={self.seed}, "
                f"train={self.train_accuracy:.3f}, test={self.test_accuracy:.3f})")


def train_digits(p: float, seed: int = 0, *, n_train: int = 100,
                 n_hidden: int = 128, epochs: int = 100, lr: float = 1e-2,
                 record: str | None = None) -> DropoutRun:
    """Train `dropout_mlp` on ``n_train`` digits, full batch, and score it.

    Parameters
    ----------
    p : float
        Drop probability, ``0 <= p <= 1``.
    seed : int, default 0
        Seed of torch's random stream, which draws the initial weights (as
        ``dropout_mlp(..., seed=seed)``) and then the dropout masks; torch's
        global random state is restored afterwards.
    n_train : int, default 100
        Training images (`physdl_docs.training.digits`; the other 1,797 -
        ``n_train`` are the test set).
    n_hidden : int, default 128
        Hidden width.
    epochs : int, default 100
        Full-batch Adam steps.
    lr : float, default 1e-2
        Adam's learning rate.
    record : {"train", "test"} or None, default None
        Record the accuracy on this set after every epoch (in `curve`).

    Returns
    -------
    DropoutRun
        Train and test accuracy in eval mode (no units dropped).

    Notes
    -----
    The loss is the cross-entropy of `physdl_docs.training.fit`; dropout
    only acts while training, so both accuracies are of the full network,
    ``f(x) = W2 relu(W1 x + b1) + b2``.

    References
    ----------
    `srivastava2014`

    Examples
    --------
    >>> train_digits(0.5, seed=0, epochs=5)
    DropoutRun(p=0.5, seed=0, train=..., test=...)
    """
    torch = require_torch()

    n_train = check_int(n_train, "n_train", minimum=10)
    if record not in (None, "train", "test"):
        raise ValueError(f"record must be None, 'train' or 'test', got {record!r}")
    p = _check_p(p)
    seed = check_int(seed, "seed")
    X_tr, X_te, y_tr, y_te = digits(n_train=n_train)
    X_rec, y_rec = {None: (None, None), "train": (X_tr, y_tr), "test": (X_te, y_te)}[record]
    # one seeded stream: the initial weights, then the dropout masks
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = _build_mlp(64, n_hidden, 10, p)
        history = fit(model, X_tr, y_tr, epochs=epochs, lr=lr, batch_size=n_train,
                      seed=seed, X_test=X_rec, y_test=y_rec)
    return DropoutRun(float(p), seed, accuracy(model, X_tr, y_tr),
                      accuracy(model, X_te, y_te), history.test_accuracy)
