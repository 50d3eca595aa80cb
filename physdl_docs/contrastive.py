"""Contrastive self-supervised learning: SimCLR's NT-Xent (InfoNCE) loss.

Taught in lesson 2.8.

Two augmented views of each of ``N`` images are encoded to ``z1[i]`` and
``z2[i]``. Among the ``2N`` views, each one must pick out its partner from
the other ``2N - 1`` by cosine similarity divided by a temperature ``tau``:

    loss = mean over the 2N views of -log softmax_j(s_ij / tau)[partner],

a ``(2N - 1)``-way classification whose classes are the other views in the
batch (`chen2020`). No labels are used.

- `info_nce` is the loss in numpy and `info_nce_grad` its gradient in closed
  form; `info_nce_torch` is the same loss for autograd.
- `negative_weights` shows the temperature at work: the gradient pushes
  each view away from the others with weights ``softmax(s / tau)``, so a
  small ``tau`` concentrates on the hardest negatives.
- `Encoder` (a one-hidden-layer ReLU network with a linear projection head,
  backpropagated by hand) and `fit_simclr` train a representation without
  labels, with the views made by `augment`; `jitter` makes the data.
- `infonce_bound` is the lower bound ``log N - L`` on the mutual
  information (`oord2018`); `gaussian_pairs` and `gaussian_log_ratio` give
  a toy where the mutual information is known.

Training uses lesson 3.8's numpy Adam (`physdl_docs.inductive_bias.adam_step`).
"""

from __future__ import annotations

import math

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "Encoder",
    "augment",
    "effective_negatives",
    "fit_simclr",
    "gaussian_log_ratio",
    "gaussian_mutual_information",
    "gaussian_pairs",
    "info_nce",
    "info_nce_grad",
    "info_nce_torch",
    "infonce_bound",
    "jitter",
    "negative_weights",
]


#: Floor of a norm before dividing by it (as ``torch.nn.functional.normalize``).
EPS = 1e-12


# ------------------------------------------------------------------- the loss
def _check_views(z1: object, z2: object, temperature: object) -> tuple:
    z1 = check_array(z1, "z1", ndim=2)
    z2 = check_array(z2, "z2", shape=z1.shape)
    if len(z1) < 1 or z1.shape[1] < 1:
        raise ValueError(f"z1 must be a non-empty (N, d) array, got shape {z1.shape}")
    tau = check_float(temperature, "temperature", minimum=0.0, strict=True)
    return z1, z2, tau


def _scores(z1: np.ndarray, z2: np.ndarray, tau: float):
    """Unit vectors ``u`` [2N, d], scores ``s/tau`` with -inf on the diagonal,
    and each view's partner index."""
    N = len(z1)
    Z = np.concatenate([z1, z2])  # views: [2N, d]
    # |z|, floored like torch.nn.functional.normalize: a zero row gives u = 0
    norms = np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), EPS)
    U = Z / norms
    S = U @ U.T / tau  # s_ij / tau: [2N, 2N]
    np.fill_diagonal(S, -np.inf)  # a view is not its own candidate
    partner = np.concatenate([np.arange(N, 2 * N), np.arange(N)])
    return U, norms, S, partner


def _log_softmax(S: np.ndarray) -> np.ndarray:
    m = S.max(axis=1, keepdims=True)
    return S - m - np.log(np.exp(S - m).sum(axis=1, keepdims=True))


def info_nce(z1: np.ndarray, z2: np.ndarray, temperature: float = 0.5) -> float:
    """SimCLR's NT-Xent loss of two batches of views.

    Parameters
    ----------
    z1, z2 : array_like of shape (N, d)
        Embeddings of the two views; row ``i`` of each comes from image ``i``.
    temperature : float, default 0.5
        ``tau > 0``.

    Returns
    -------
    float
        The mean over the ``2N`` views of ``-log`` of the softmax probability
        of the partner among the other ``2N - 1`` views.

    Notes
    -----
    With cosine similarities ``s_ij`` and ``p(i)`` the partner of view ``i``,

    .. math:: L = \\frac{1}{2N}\\sum_{i=1}^{2N} -\\log
              \\frac{e^{s_{i,p(i)}/\\tau}}{\\sum_{j \\ne i} e^{s_{ij}/\\tau}}

    Stable for small ``tau`` (log-sum-exp with the row maximum taken out).

    References
    ----------
    `chen2020`, `oord2018`

    Examples
    --------
    >>> z = np.eye(2)
    >>> print(f"{info_nce(z, z, temperature=1.0):.4f}")  # = log(1 + 2/e)
    0.5514
    """
    z1, z2, tau = _check_views(z1, z2, temperature)
    _, _, S, partner = _scores(z1, z2, tau)
    return float(-_log_softmax(S)[np.arange(len(S)), partner].mean())


def info_nce_grad(z1: np.ndarray, z2: np.ndarray,
                  temperature: float = 0.5) -> tuple[float, np.ndarray, np.ndarray]:
    """`info_nce` and its gradient with respect to ``z1`` and ``z2``.

    Parameters
    ----------
    z1, z2 : array_like of shape (N, d)
    temperature : float, default 0.5

    Returns
    -------
    loss : float
    grad_z1, grad_z2 : ndarray of shape (N, d)

    Notes
    -----
    With ``P`` the softmax weights of each row (zero on the diagonal) and
    ``Y`` the partner indicator, the loss's derivative by the scores is
    ``G = (P - Y) / (2N)``; through ``s = u u^T / tau`` and ``u = z/|z|``:

    .. math:: \\frac{\\partial L}{\\partial u} = \\frac{(G + G^\\top)\\,u}{\\tau},
              \\qquad \\frac{\\partial L}{\\partial z} = \\frac{1}{|z|}
              \\big(I - u u^\\top\\big) \\frac{\\partial L}{\\partial u}

    Examples
    --------
    >>> z1, z2 = np.eye(3)[:2], np.eye(3)[1:]
    >>> loss, g1, g2 = info_nce_grad(z1, z2)
    >>> g1.shape, bool(np.isclose(loss, info_nce(z1, z2)))
    ((2, 3), True)
    """
    z1, z2, tau = _check_views(z1, z2, temperature)
    U, norms, S, partner = _scores(z1, z2, tau)
    n = len(S)
    logp = _log_softmax(S)
    loss = float(-logp[np.arange(n), partner].mean())
    # dL/ds_ij (scores already divided by tau): (P - Y) / 2N
    G = np.exp(logp)
    G[np.arange(n), partner] -= 1.0
    G /= n
    dU = (G + G.T) @ U / tau  # S = U U^T / tau is symmetric in the two U's
    # remove the radial part: u = z / |z|
    dZ = (dU - U * np.sum(U * dU, axis=1, keepdims=True)) / norms
    N = len(z1)
    return loss, dZ[:N], dZ[N:]


def info_nce_torch(z1, z2, temperature: float = 0.5):
    """`info_nce` in torch, for autograd: returns a 0-d tensor.

    Parameters
    ----------
    z1, z2 : torch.Tensor of shape (N, d)
    temperature : float, default 0.5

    Examples
    --------
    >>> import torch
    >>> z = torch.eye(2, dtype=torch.float64, requires_grad=True)
    >>> loss = info_nce_torch(z, z.flip(0), temperature=1.0)
    >>> loss.backward()
    >>> z.grad.shape
    torch.Size([2, 2])
    """
    torch = require_torch()

    tau = check_float(temperature, "temperature", minimum=0.0, strict=True)
    if z1.ndim != 2 or z1.shape != z2.shape:
        raise ValueError(f"z1 and z2 must have the same shape (N, d), got "
                         f"{tuple(z1.shape)} and {tuple(z2.shape)}")
    N = z1.shape[0]
    Z = torch.cat([z1, z2])
    U = Z / Z.norm(dim=1, keepdim=True).clamp_min(EPS)
    eye = torch.eye(2 * N, dtype=torch.bool)
    S = (U @ U.T / tau).masked_fill(eye, float("-inf"))  # [2N, 2N]
    partner = torch.cat([torch.arange(N, 2 * N), torch.arange(N)])
    positive = S[torch.arange(2 * N), partner]
    return (torch.logsumexp(S, dim=1) - positive).mean()


def negative_weights(z1: np.ndarray, z2: np.ndarray, temperature: float) -> np.ndarray:
    """How strongly the loss pushes each view away from each negative.

    Parameters
    ----------
    z1, z2 : array_like of shape (N, d)
    temperature : float

    Returns
    -------
    ndarray of shape (2N, 2N - 2)
        Row ``i``: the softmax weights ``e^{s_ij/tau}`` of the negatives of
        view ``i`` (all views but itself and its partner), normalised to sum
        to 1. In the gradient, ``u_i`` is pushed along
        ``-sum_j P_ij u_j / tau``: these weights decide which negatives count.

    Examples
    --------
    >>> w = negative_weights(np.eye(3), np.eye(3), temperature=1.0)
    >>> w.shape, w.sum(axis=1).round(6).tolist()
    ((6, 4), [1.0, 1.0, 1.0, 1.0, 1.0, 1.0])
    """
    z1, z2, tau = _check_views(z1, z2, temperature)
    if len(z1) < 2:
        raise ValueError("z1 must have at least 2 rows: with N = 1 there are no negatives")
    _, _, S, partner = _scores(z1, z2, tau)
    n = len(S)
    S[np.arange(n), partner] = -np.inf
    keep = np.isfinite(S)
    P = np.exp(_log_softmax(S))
    return P[keep].reshape(n, n - 2)


def effective_negatives(z1: np.ndarray, z2: np.ndarray, temperature: float) -> float:
    """Mean over views of ``exp(entropy)`` of their `negative_weights`.

    ``2N - 2`` when all negatives count equally, 1 when one dominates.

    Examples
    --------
    >>> z = np.eye(4)
    >>> print(f"{effective_negatives(z, z, temperature=0.1):.1f}")
    6.0
    """
    P = negative_weights(z1, z2, temperature)
    H = -np.sum(np.where(P > 0, P * np.log(np.where(P > 0, P, 1.0)), 0.0), axis=1)
    return float(np.exp(H).mean())


# --------------------------------------------------------------- bound on MI
def infonce_bound(scores: np.ndarray) -> float:
    """The InfoNCE lower bound ``log N - L_N`` on the mutual information.

    Parameters
    ----------
    scores : array_like of shape (N, N)
        Critic values ``f(x_i, y_j)``; ``(x_i, y_i)`` are the positive pairs,
        the ``y_j`` with ``j != i`` negatives drawn independently.

    Returns
    -------
    float
        ``log N - L_N`` in nats, where ``L_N`` is the mean over ``i`` of
        ``-log softmax_j(scores[i])[i]``. In expectation it is at most
        ``I(X; Y)``, and it can never exceed ``log N``.

    Notes
    -----
    .. math:: I(X; Y) \\ge \\log N - L_N,\\qquad L_N =
              \\mathbb E\\Big[-\\log \\frac{e^{f(x_i, y_i)}}
              {\\sum_{j=1}^N e^{f(x_i, y_j)}}\\Big]

    References
    ----------
    `oord2018`

    Examples
    --------
    >>> print(f"{infonce_bound(np.zeros((4, 4))):.3f}")  # no information: 0
    0.000
    """
    S = check_array(scores, "scores", ndim=2)
    N = S.shape[0]
    if S.shape != (N, N) or N < 1:
        raise ValueError(f"scores must be a square (N, N) array, got shape {S.shape}")
    L = -np.mean(np.diag(_log_softmax(S)))
    return float(math.log(N) - L)


def gaussian_pairs(n: int, d: int, rho: float, rng: RngLike = None):
    """``n`` pairs ``(x, y)`` of standard normal vectors, ``corr(x_k, y_k) = rho``.

    Returns
    -------
    x, y : ndarray of shape (n, d)

    Examples
    --------
    >>> x, y = gaussian_pairs(3, 2, 0.5, rng=0)
    >>> x.shape
    (3, 2)
    """
    n = check_int(n, "n", minimum=1)
    d = check_int(d, "d", minimum=1)
    rho = check_float(rho, "rho", minimum=-1.0, maximum=1.0, strict=True)
    rng = as_rng(rng)
    x = rng.standard_normal((n, d))
    y = rho * x + math.sqrt(1 - rho**2) * rng.standard_normal((n, d))
    return x, y


def gaussian_log_ratio(x: np.ndarray, y: np.ndarray, rho: float) -> np.ndarray:
    """The optimal critic ``log p(y|x) / p(y)`` for `gaussian_pairs`, all pairs.

    Returns
    -------
    ndarray of shape (len(x), len(y))
        Entry ``(i, j)`` is ``log p(y_j | x_i) - log p(y_j)``.
    """
    x = check_array(x, "x", ndim=2)
    y = check_array(y, "y", shape=(None, x.shape[1]))
    rho = check_float(rho, "rho", minimum=-1.0, maximum=1.0, strict=True)
    d, r2 = x.shape[1], rho**2
    # log N(y; rho x, 1 - rho^2) - log N(y; 0, 1), summed over the d coordinates
    sq = ((y[None, :, :] - rho * x[:, None, :]) ** 2).sum(-1)
    return -sq / (2 * (1 - r2)) + (y**2).sum(-1)[None, :] / 2 - d / 2 * math.log(1 - r2)


def gaussian_mutual_information(d: int, rho: float) -> float:
    """``I(X; Y) = -d/2 log(1 - rho^2)`` nats for `gaussian_pairs`.

    Examples
    --------
    >>> print(f"{gaussian_mutual_information(1, 0.0):.1f}")
    0.0
    """
    d = check_int(d, "d", minimum=1)
    rho = check_float(rho, "rho", minimum=-1.0, maximum=1.0, strict=True)
    return -d / 2 * math.log(1 - rho**2)


# ------------------------------------------------------ data and augmentation
def jitter(images: np.ndarray, size: int = 10, rng: RngLike = None) -> np.ndarray:
    """Put each image at a random place on a larger blank canvas.

    Parameters
    ----------
    images : array_like of shape (n, h, w)
    size : int, default 10
        Side of the canvas, ``>= max(h, w)``.
    rng : int, numpy Generator or None

    Returns
    -------
    ndarray of shape (n, size, size)

    Examples
    --------
    >>> jitter(np.ones((2, 8, 8)), size=10, rng=0).sum(axis=(1, 2)).tolist()
    [64.0, 64.0]
    """
    x = check_array(images, "images", ndim=3)
    n, h, w = x.shape
    size = check_int(size, "size", minimum=max(h, w))
    rng = as_rng(rng)
    out = np.zeros((n, size, size))
    dy = rng.integers(0, size - h + 1, n)
    dx = rng.integers(0, size - w + 1, n)
    rows = dy[:, None, None] + np.arange(h)[:, None]  # [n, h, 1]
    cols = dx[:, None, None] + np.arange(w)[None, :]  # [n, 1, w]
    out[np.arange(n)[:, None, None], rows, cols] = x
    return out


def augment(images: np.ndarray, rng: RngLike = None, shift: int = 1,
            noise: float = 0.1) -> np.ndarray:
    """One random view of each image: a shift with zero fill, plus noise.

    Parameters
    ----------
    images : array_like of shape (n, h, w)
    rng : int, numpy Generator or None
    shift : int, default 1
        Largest shift in each direction, in pixels.
    noise : float, default 0.1
        Standard deviation of added Gaussian noise.

    Returns
    -------
    ndarray of shape (n, h, w)

    Examples
    --------
    >>> x = np.zeros((1, 3, 3))
    >>> x[0, 1, 1] = 1
    >>> float(augment(x, rng=0, noise=0.0).sum())  # the pixel moved, not lost
    1.0
    """
    x = check_array(images, "images", ndim=3)
    s = check_int(shift, "shift", minimum=0)
    noise = check_float(noise, "noise", minimum=0.0)
    return _augment(x, as_rng(rng), s, noise)


def _augment(x: np.ndarray, rng: np.random.Generator, s: int, noise: float) -> np.ndarray:
    n, h, w = x.shape
    padded = np.pad(x, ((0, 0), (s, s), (s, s)))
    # top-left corner of each view inside the padded image: [n]
    dy, dx = rng.integers(0, 2 * s + 1, n), rng.integers(0, 2 * s + 1, n)
    rows = dy[:, None, None] + np.arange(h)[:, None]
    cols = dx[:, None, None] + np.arange(w)[None, :]
    view = padded[np.arange(n)[:, None, None], rows, cols]
    return view + noise * rng.standard_normal(view.shape, dtype=view.dtype)


# ------------------------------------------------------------------ encoder
class Encoder:
    """Representation ``h = ReLU(x W1 + b1)`` and projection ``z = h W2``.

    SimCLR trains the loss on ``z`` and keeps ``h`` (before the projection
    head) as the representation.

    Parameters
    ----------
    n_in : int
        Input length (pixels).
    n_hidden : int, default 128
        Width of the representation ``h``.
    n_out : int, default 32
        Width of the projection ``z``.
    rng : int, numpy Generator or None
        Seed of the initial weights (He initialisation; ``b1 = 0``).

    Attributes
    ----------
    params : list of ndarray
        ``[W1 (n_in, n_hidden), b1 (n_hidden,), W2 (n_hidden, n_out)]``.

    Examples
    --------
    >>> Encoder(100, rng=0)
    Encoder(n_in=100, n_hidden=128, n_out=32)
    """

    def __init__(self, n_in: int, n_hidden: int = 128, n_out: int = 32,
                 rng: RngLike = None) -> None:
        self.sizes = [check_int(n, name, minimum=1) for n, name in
                      ((n_in, "n_in"), (n_hidden, "n_hidden"), (n_out, "n_out"))]
        rng = as_rng(rng)
        n_in, n_hidden, n_out = self.sizes
        self.params = [rng.normal(0, math.sqrt(2 / n_in), (n_in, n_hidden)),
                       np.zeros(n_hidden),
                       rng.normal(0, math.sqrt(1 / n_hidden), (n_hidden, n_out))]

    def __repr__(self) -> str:
        n_in, n_hidden, n_out = self.sizes
        return f"Encoder(n_in={n_in}, n_hidden={n_hidden}, n_out={n_out})"

    def _check(self, X: object) -> np.ndarray:
        return check_array(X, "X", shape=(None, self.sizes[0]))

    def represent(self, X: np.ndarray) -> np.ndarray:
        """The representation ``h``, ndarray of shape (n, n_hidden)."""
        W1, b1, _ = self.params
        return np.maximum(self._check(X) @ W1 + b1, 0.0)

    def forward(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(h, z)`` for inputs ``X`` of shape (n, n_in)."""
        h = self.represent(X)
        return h, h @ self.params[2]

    def backward(self, X: np.ndarray, h: np.ndarray, dz: np.ndarray) -> list[np.ndarray]:
        """Gradients ``[dW1, db1, dW2]`` of a loss with ``dL/dz = dz``."""
        W2 = self.params[2]
        # z = h W2; h = ReLU(a), a = x W1 + b1
        da = (dz @ W2.T) * (h > 0)
        return [X.T @ da, da.sum(axis=0), h.T @ dz]


def fit_simclr(encoder: Encoder, images: np.ndarray, temperature: float = 0.5,
               steps: int = 300, batch_size: int = 64, lr: float = 1e-2,
               shift: int = 1, noise: float = 0.1, rng: RngLike = None) -> np.ndarray:
    """Train ``encoder`` with NT-Xent on two `augment` views; no labels.

    Parameters
    ----------
    encoder : Encoder
        Trained in place; ``n_in`` must be ``h * w`` of the images.
    images : array_like of shape (n, h, w)
    temperature, steps, batch_size, lr : training settings (Adam).
    shift, noise : passed to `augment`.
    rng : int, numpy Generator or None
        Seed of the batches and the augmentations.

    Returns
    -------
    ndarray of shape (steps,)
        The loss at each step.

    References
    ----------
    `chen2020`
    """
    from physdl_docs.inductive_bias import adam_step

    x = check_array(images, "images", ndim=3).astype(np.float32)
    if x.shape[1] * x.shape[2] != encoder.sizes[0]:
        raise ValueError(f"images of {x.shape[1]}x{x.shape[2]} pixels do not fit "
                         f"an encoder with n_in={encoder.sizes[0]}")
    tau = check_float(temperature, "temperature", minimum=0.0, strict=True)
    steps = check_int(steps, "steps", minimum=1)
    B = check_int(batch_size, "batch_size", minimum=2)
    if B > len(x):
        raise ValueError(f"batch_size must be <= the number of images {len(x)}, got {B}")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    rng = as_rng(rng)
    shift = check_int(shift, "shift", minimum=0)
    noise = check_float(noise, "noise", minimum=0.0)
    # float32 halves the cost of the products; Adam's state matches the weights
    encoder.params = [p.astype(np.float32) for p in encoder.params]
    m = [np.zeros_like(p) for p in encoder.params]
    v = [np.zeros_like(p) for p in encoder.params]
    losses = np.empty(steps)
    for t in range(1, steps + 1):
        batch = x[rng.choice(len(x), B, replace=False)]
        # two views of every image: [2B, h*w]
        views = _augment(np.concatenate([batch, batch]), rng, shift, noise)
        views = views.reshape(2 * B, -1)
        h, z = encoder.forward(views)
        losses[t - 1], g1, g2 = info_nce_grad(z[:B], z[B:], tau)
        dz = np.concatenate([g1, g2]).astype(np.float32)
        grads = encoder.backward(views, h, dz)
        adam_step(encoder.params, grads, m, v, t, lr)
    if not np.isfinite(losses[-1]):
        import warnings

        warnings.warn("training diverged: the loss is not finite", RuntimeWarning,
                      stacklevel=2)
    return losses
