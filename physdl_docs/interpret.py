"""Post-hoc attributions for a torch classifier: occlusion, gradient
saliency, integrated gradients and LIME, and the model-randomisation check.

Taught in lesson 4.3.

Every method explains one score: ``model`` maps a batch ``(N, ...)`` to
class scores ``(N, K)`` and ``target`` picks the column. ``x`` is one input
without the batch axis (a numpy array or a tensor); the attribution comes
back as a numpy array of ``x``'s shape.

- `occlusion` (`zeiler2014`): how much the score drops when a window
  is replaced by a baseline.
- `saliency` (`simonyan2014`): |d score / d input|.
- `integrated_gradients` (`sundararajan2017`): the gradient averaged on
  the straight path from a baseline, times (x - baseline); the attributions
  add up to score(x) - score(baseline).
- `lime` (`ribeiro2016`): a weighted linear surrogate fitted to the
  model's scores on random on/off switchings of the input features.
- `randomized_copy` and `rank_correlation` for the sanity check of
  `adebayo2018`: does a map change when the model's weights are randomised?
"""

from __future__ import annotations

import copy
import itertools
import math
from collections.abc import Callable

import numpy as np

from physdl_docs._optional import require_torch
from physdl_docs._validation import RngLike, as_rng, check_array, check_float, check_int

__all__ = [
    "digits_cnn",
    "integrated_gradients",
    "lime",
    "occlusion",
    "randomized_copy",
    "rank_correlation",
    "saliency",
]


# ------------------------------------------------------------------ helpers
def _prepare(model, x, target: int):
    """x as a float tensor of the model's dtype with a batch axis; checks."""
    torch = require_torch()

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    param = next(model.parameters(), None)
    dtype = param.dtype if param is not None else torch.float32
    if isinstance(x, torch.Tensor):
        if x.is_complex():
            raise TypeError("x must be real, got a complex tensor")
        x = x.detach().cpu().numpy()
    x = check_array(x, "x", dtype=np.float64)
    if x.ndim == 0 or x.size == 0:
        raise ValueError(f"x must be one non-empty input without the batch axis, got shape {x.shape}")
    target = check_int(target, "target")
    xt = torch.as_tensor(x, dtype=dtype)
    model.eval()
    with torch.no_grad():
        out = model(xt[None])
    if out.ndim != 2 or out.shape[0] != 1:
        raise ValueError(f"model must map (N, ...) to scores (N, K), got output shape {tuple(out.shape)}")
    if target >= out.shape[1]:
        raise ValueError(f"target must be < {out.shape[1]} (the number of classes), got {target}")
    return xt, target


def _scores(model, X, target: int):
    """score_target of each row of the batch X."""
    return model(X)[:, target]


def _baseline(baseline, x, name: str = "baseline"):
    """A baseline tensor of x's shape from None/scalar/array."""
    torch = require_torch()

    if baseline is None:
        return torch.zeros_like(x)
    if isinstance(baseline, torch.Tensor):
        baseline = baseline.detach().cpu().numpy()
    b = check_array(baseline, name)
    if b.ndim and b.shape != tuple(x.shape):
        raise ValueError(f"{name} must be a scalar or have x's shape {tuple(x.shape)}, got {b.shape}")
    return torch.broadcast_to(torch.as_tensor(b, dtype=x.dtype), x.shape).clone()


def _window(size, shape: tuple[int, ...], name: str) -> tuple[int, ...]:
    """An int or a tuple per axis; an int is clipped to each axis' length."""
    if isinstance(size, (tuple, list)):
        if len(size) != len(shape):
            raise ValueError(f"{name} must have one entry per axis of x {shape}, got {size}")
        out = tuple(check_int(s, name, 1) for s in size)
        if any(s > n for s, n in zip(out, shape)):
            raise ValueError(f"{name}={out} is larger than x's shape {shape}")
        return out
    s = check_int(size, name, 1)
    return tuple(min(s, n) for n in shape)


def _starts(n: int, p: int, s: int) -> list[int]:
    """Window starts 0, s, 2s, ... and one flush with the end."""
    starts = list(range(0, n - p + 1, s))
    if starts[-1] != n - p:
        starts.append(n - p)
    return starts


def digits_cnn(seed: int = 0):
    """The small CNN explained in lesson 4.3, initialised from ``seed``.

    conv 3x3 (16 filters, padding 1) -> tanh -> 2x2 average pooling ->
    linear (256 -> 10). Every piece is smooth, so gradients vary smoothly
    along a path (integrated gradients converge at the midpoint rule's rate).
    The global torch random state is left as it was.

    Examples
    --------
    >>> import torch
    >>> digits_cnn()(torch.zeros(2, 1, 8, 8)).shape
    torch.Size([2, 10])
    """
    torch = require_torch()

    nn = torch.nn
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(check_int(seed, "seed"))
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.Tanh(),
                             nn.AvgPool2d(2), nn.Flatten(), nn.Linear(256, 10))


# ---------------------------------------------------------------- occlusion
def occlusion(model, x, target: int, patch, stride=None,
              baseline=0.0) -> np.ndarray:
    """Drop of the target score when a window of the input is occluded.

    Parameters
    ----------
    model : torch.nn.Module
        Maps ``(N, ...)`` to scores ``(N, K)``.
    x : ndarray or tensor
        One input, without the batch axis.
    target : int
        The class whose score is explained.
    patch : int or tuple of int
        Window size per axis of ``x``; an int is used on every axis (clipped
        to the axis' length, so ``patch=2`` on a (1, 8, 8) image is 1x2x2).
    stride : int or tuple of int, optional
        Step between windows (default: ``patch``, windows that tile ``x``).
        A last window flush with the end is added so every element is covered.
    baseline : float or array of x's shape, default=0.0
        What occluded elements are replaced by.

    Returns
    -------
    ndarray of x's shape
        For each element, the mean over the windows covering it of
        score(x) - score(x with the window set to the baseline).

    References
    ----------
    `zeiler2014`

    Examples
    --------
    >>> import torch
    >>> lin = torch.nn.Linear(4, 1, bias=False)
    >>> _ = lin.weight.data.copy_(torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
    >>> occlusion(lin, np.ones(4), 0, patch=2).tolist()   # w.x per window
    [3.0, 3.0, 7.0, 7.0]
    """
    torch = require_torch()

    xt, target = _prepare(model, x, target)
    shape = tuple(xt.shape)
    p = _window(patch, shape, "patch")
    s = p if stride is None else _window(stride, shape, "stride")
    base = _baseline(baseline, xt)
    windows = [tuple(slice(a, a + k) for a, k in zip(corner, p))
               for corner in itertools.product(
                   *(_starts(n, k, st) for n, k, st in zip(shape, p, s)))]
    # batch: [1 + n_windows, *shape], the original first
    batch = xt.repeat(len(windows) + 1, *([1] * len(shape)))
    for i, w in enumerate(windows, start=1):
        batch[(i, *w)] = base[w]
    with torch.no_grad():
        f = _scores(model, batch, target).double()
    total = torch.zeros(shape, dtype=torch.float64)
    count = torch.zeros(shape, dtype=torch.float64)
    for i, w in enumerate(windows, start=1):
        total[w] += f[0] - f[i]  # drop of the score, spread over the window
        count[w] += 1
    return (total / count).numpy()


# --------------------------------------------------------------- gradients
def _gradients(model, X, target: int):
    """d score_target / d input for each row of X: [N, *shape]."""
    torch = require_torch()

    X = X.detach().clone().requires_grad_(True)
    (grad,) = torch.autograd.grad(_scores(model, X, target).sum(), X)
    return grad


def saliency(model, x, target: int) -> np.ndarray:
    """Gradient saliency |d score_target / d x|.

    References
    ----------
    `simonyan2014`

    Examples
    --------
    >>> import torch
    >>> lin = torch.nn.Linear(3, 2)
    >>> _ = lin.weight.data.copy_(torch.tensor([[1.0, -2.0, 0.5], [0, 0, 0]]))
    >>> saliency(lin, np.zeros(3), target=0).tolist()
    [1.0, 2.0, 0.5]
    """
    xt, target = _prepare(model, x, target)
    return _gradients(model, xt[None], target)[0].abs().double().numpy()


def integrated_gradients(model, x, target: int, baseline=None,
                         steps: int = 64) -> np.ndarray:
    """Integrated gradients, with the midpoint rule on the straight path.

    Parameters
    ----------
    model, x, target : as in `occlusion`.
    baseline : float or array of x's shape, optional
        Start of the path (default: zeros).
    steps : int, default=64
        Number of gradient evaluations m.

    Returns
    -------
    ndarray of x's shape

    Notes
    -----
    IG_i = (x_i - x'_i) (1/m) sum_{k=1}^{m} dF/dx_i(x' + a_k (x - x')),
    a_k = (k - 1/2) / m. The sum of IG equals F(x) - F(x') up to the
    quadrature error, O(1/m^2) for a smooth F (Sundararajan et al. write the
    right-endpoint sum a_k = k/m, whose error is O(1/m)).

    References
    ----------
    `sundararajan2017`

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.Tanh())
    >>> x = np.array([1.0, -2.0])
    >>> ig = integrated_gradients(net, x, 0)
    >>> with torch.no_grad():
    ...     gap = (net(torch.tensor([[1.0, -2.0]])) - net(torch.zeros(1, 2))).item()
    >>> bool(abs(ig.sum() - gap) < 1e-4)     # completeness
    True
    """
    torch = require_torch()

    xt, target = _prepare(model, x, target)
    base = _baseline(baseline, xt)
    m = check_int(steps, "steps", 1)
    a = (torch.arange(m, dtype=xt.dtype) + 0.5) / m  # midpoints a_k
    # path: [m, *shape], x' + a_k (x - x')
    path = base + a.reshape(-1, *([1] * xt.ndim)) * (xt - base)
    grad = _gradients(model, path, target).mean(0)
    return ((xt - base) * grad).double().numpy()


# --------------------------------------------------------------------- LIME
def lime(predict_fn: Callable[[np.ndarray], np.ndarray], x, baseline=None,
         n_samples: int = 1000, kernel_width: float | None = None,
         n_features: int | None = None, rng: RngLike = None) -> np.ndarray:
    """LIME: a locally weighted linear surrogate on binary feature switches.

    Parameters
    ----------
    predict_fn : callable
        Maps inputs ``(n, D)`` to the ``(n,)`` scores of the explained class.
    x : array_like of shape (D,) (or any shape; it is flattened)
    baseline : float or array_like like x, optional
        Value of a switched-off feature (default: zeros).
    n_samples : int, default=1000
        Perturbed samples; the first is x itself.
    kernel_width : float, optional
        sigma of the kernel (default 0.75 sqrt(D), LIME's tabular default).
    n_features : int, optional
        Keep only the ``n_features`` largest coefficients of a first fit and
        refit on them (LIME's "highest weights" selection).
    rng : int, numpy Generator or None

    Returns
    -------
    ndarray of shape (D,)
        The surrogate's coefficients (zero for features not kept).

    Notes
    -----
    Each sample switches feature j on (z_j = 1: x_j) or off (z_j = 0:
    baseline_j) with probability 1/2, like LIME's image explainer. Its
    distance to x is the Euclidean distance in the binary space,
    d(z) = |1 - z| = sqrt(number of switched-off features), as in LIME's
    tabular explainer for discretised features, and its weight is
    pi(z) = sqrt(exp(-d^2 / sigma^2)) (LIME's kernel). The surrogate
    g(z) = c + sum_j w_j z_j minimises sum pi(z) (f(z) - g(z))^2 (weighted
    least squares, no penalty).

    References
    ----------
    `ribeiro2016`

    Examples
    --------
    >>> w = np.array([1.0, -2.0, 0.5])
    >>> coef = lime(lambda X: X @ w, np.array([2.0, 1.0, 4.0]), rng=0)
    >>> coef.round(6).tolist()          # w_j (x_j - baseline_j) exactly
    [2.0, -2.0, 2.0]
    """
    x = check_array(x, "x").ravel()
    D = x.size
    if D == 0:
        raise ValueError("x must not be empty")
    if not callable(predict_fn):
        raise TypeError("predict_fn must be callable")
    base = np.zeros(D) if baseline is None else check_array(baseline, "baseline")
    if base.ndim == 0:
        base = np.full(D, float(base))
    if base.size != D:
        raise ValueError(f"baseline must be a scalar or have x's size {D}, got {base.shape}")
    base = base.ravel()
    n = check_int(n_samples, "n_samples", 2)
    sigma = (0.75 * math.sqrt(D) if kernel_width is None
             else check_float(kernel_width, "kernel_width", 0.0, strict=True))
    if n_features is not None:
        n_features = check_int(n_features, "n_features", 1)
        if n_features > D:
            raise ValueError(f"n_features must be <= {D} (the number of features), got {n_features}")
    rng = as_rng(rng)
    # z: [n, D] binary switches; the first sample is x itself
    Z = rng.integers(0, 2, size=(n, D)).astype(float)
    Z[0] = 1.0
    f = check_array(predict_fn(base + Z * (x - base)), "predict_fn(...)", shape=(n,))
    # pi(z) = sqrt(exp(-d^2 / sigma^2)), d^2 = number of switched-off features
    d2 = np.sum(1.0 - Z, axis=1)
    weights = np.sqrt(np.exp(-d2 / sigma ** 2))
    coef = _weighted_fit(Z, f, weights)
    if n_features is not None and n_features < D:
        keep = np.sort(np.argsort(-np.abs(coef), kind="stable")[:n_features])
        coef = np.zeros(D)
        coef[keep] = _weighted_fit(Z[:, keep], f, weights)
    return coef


def _weighted_fit(Z: np.ndarray, f: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Slopes of the weighted least-squares fit f ~ c + Z w (c dropped)."""
    A = np.hstack([np.ones((len(Z), 1)), Z])  # [n, 1 + D]: intercept first
    sw = np.sqrt(weights)[:, None]
    sol = np.linalg.lstsq(A * sw, f * sw[:, 0], rcond=None)[0]
    return sol[1:]


# ------------------------------------------------------------ sanity check
def randomized_copy(model, seed: int = 0):
    """A copy of ``model`` with every layer re-initialised from ``seed``.

    Every submodule with a ``reset_parameters`` method is reset, as when the
    model was built (the global torch random state is left as it was).

    References
    ----------
    `adebayo2018`

    Examples
    --------
    >>> import torch
    >>> net = torch.nn.Linear(3, 2)
    >>> rand = randomized_copy(net, seed=1)
    >>> bool(torch.equal(net.weight, rand.weight))
    False
    """
    torch = require_torch()

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    seed = check_int(seed, "seed")
    clone = copy.deepcopy(model)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        for module in clone.modules():
            if hasattr(module, "reset_parameters"):
                module.reset_parameters()
    return clone


def rank_correlation(a, b) -> float:
    """Spearman rank correlation of two maps (ties get their mean rank).

    Notes
    -----
    The Pearson correlation of the ranks of ``a`` and ``b``.

    Examples
    --------
    >>> round(rank_correlation([1, 2, 3, 4], [10, 20, 30, 25]), 6)
    0.8
    """
    a = check_array(a, "a").ravel()
    b = check_array(b, "b").ravel()
    if a.shape != b.shape or a.size < 2:
        raise ValueError(f"a and b must have the same size >= 2, got {a.size} and {b.size}")
    ra, rb = _average_ranks(a), _average_ranks(b)
    if ra.std() == 0 or rb.std() == 0:
        raise ValueError("a and b must not be constant")
    return float(np.corrcoef(ra, rb)[0, 1])


def _average_ranks(a: np.ndarray) -> np.ndarray:
    """Ranks 1..n of a 1-D array; tied values share their mean rank."""
    ranks = np.empty(a.size)
    ranks[np.argsort(a, kind="stable")] = np.arange(1, a.size + 1)
    _, group, counts = np.unique(a, return_inverse=True, return_counts=True)
    return (np.bincount(group, weights=ranks) / counts)[group]
