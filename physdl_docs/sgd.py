"""Gradient descent and SGD: the stability limit, gradient noise, batch size.

Taught in lesson 3.2 (docs/training/sgd.md).

Everything runs on least squares, ``f(theta) = 1/(2N) ||X theta - y||^2``,
whose Hessian ``X^T X / N`` is known exactly:

- gradient descent converges if and only if ``lr < 2 / lambda_max``;
- a minibatch gradient of ``B`` examples drawn without replacement from
  ``N`` has variance ``tr(Sigma) / B * (N - B) / (N - 1)`` around the full
  gradient (the finite-population correction), ``tr(Sigma) / B`` with
  replacement;
- `sgd` runs epochs of shuffled minibatches and warns when the loss
  diverges.

For implicit regularisation the module uses the smallest network with a
rescaling symmetry, ``f(x) = a b x``: every ``(a, b)`` with the same product
computes the same function, yet SGD drifts along that valley towards
``a = b`` while gradient descent stays put.
"""

from __future__ import annotations

import warnings

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "batch_gradient_variance",
    "batch_gradient_variance_theory",
    "imbalance",
    "mse",
    "per_sample_gradients",
    "predicted_imbalance",
    "regression_data",
    "scalar_net_sgd",
    "scalar_net_sharpness",
    "sgd",
]


# ------------------------------------------------------------ least squares
def regression_data(
    n_samples: int = 256,
    dim: int = 10,
    kappa: float = 100.0,
    noise: float = 0.5,
    rng: RngLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """A linear regression problem whose Hessian has condition number ~ kappa.

    Parameters
    ----------
    n_samples : int, default 256
        Number of examples ``N >= 2``.
    dim : int, default 10
        Number of features ``d >= 1``.
    kappa : float, default 100.0
        Feature ``j`` is scaled by ``kappa^(j / (2 (d - 1)))``, so the
        Hessian's eigenvalues spread over about ``[1, kappa]``.
    noise : float, default 0.5
        Standard deviation of the label noise, ``>= 0``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    X : ndarray of shape (n_samples, dim)
    y : ndarray of shape (n_samples,)
        ``y = X theta* + noise``, with a standard normal ``theta*``.

    Notes
    -----
    .. math:: y_i = \\mathbf x_i\\cdot\\theta^\\ast + \\varepsilon_i,
              \\qquad x_{ij} = s_j z_{ij}, \\; s_j = \\kappa^{j/(2(d-1))}

    References: `hastie2009`

    Examples
    --------
    >>> X, y = regression_data(rng=0)
    >>> X.shape, y.shape
    ((256, 10), (256,))
    """
    n_samples = check_int(n_samples, "n_samples", minimum=2)
    dim = check_int(dim, "dim", minimum=1)
    kappa = check_float(kappa, "kappa", minimum=1.0)
    noise = check_float(noise, "noise", minimum=0.0)
    rng = as_rng(rng)
    # s_j = kappa^(j / (2 (d - 1))): column scales, s_0 = 1
    s = np.sqrt(np.geomspace(1.0, kappa, dim)) if dim > 1 else np.ones(1)
    X = rng.standard_normal((n_samples, dim)) * s  # X: [N, d]
    theta_star = rng.standard_normal(dim)
    return X, X @ theta_star + noise * rng.standard_normal(n_samples)


def _check_xy(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = check_array(X, "X", ndim=2)
    y = check_array(y, "y", shape=(X.shape[0],))
    if X.shape[0] < 1:
        raise ValueError("X must have at least one sample")
    return X, y


def mse(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Least-squares loss ``1/(2N) ||X theta - y||^2``.

    Parameters
    ----------
    theta : array_like of shape (d,)
    X : array_like of shape (N, d)
    y : array_like of shape (N,)

    Returns
    -------
    float
        The loss; its Hessian is ``X^T X / N`` everywhere.

    Notes
    -----
    .. math:: f(\\theta) = \\frac{1}{2N} \\sum_i (\\mathbf x_i\\cdot\\theta
              - y_i)^2

    References: `hastie2009`

    Examples
    --------
    >>> mse([1.0], [[1.0], [2.0]], [0.0, 0.0])
    1.25
    """
    X, y = _check_xy(X, y)
    theta = check_array(theta, "theta", shape=(X.shape[1],))
    r = X @ theta - y  # residuals r: [N]
    return 0.5 * float(r @ r) / len(y)


def per_sample_gradients(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray
) -> np.ndarray:
    """The gradient of each example's loss ``1/2 (x_i . theta - y_i)^2``.

    Parameters
    ----------
    theta, X, y
        As in `mse`.

    Returns
    -------
    ndarray of shape (N, d)
        Row ``i`` is ``g_i = x_i (x_i . theta - y_i)``; their mean is the
        gradient of `mse`.

    Notes
    -----
    .. math:: \\mathbf g_i = \\mathbf x_i\\,(\\mathbf x_i\\cdot\\theta - y_i),
              \\qquad \\nabla f = \\frac1N\\sum_i \\mathbf g_i

    References: `bottou2018`

    Examples
    --------
    >>> per_sample_gradients([1.0], [[1.0], [2.0]], [0.0, 0.0])
    array([[1.],
           [4.]])
    """
    X, y = _check_xy(X, y)
    theta = check_array(theta, "theta", shape=(X.shape[1],))
    # g_i = x_i r_i: [N, d]
    return X * (X @ theta - y)[:, None]


def _check_batch(G: object, batch_size: object, replace: object):
    G = check_array(G, "G", ndim=2)
    N = G.shape[0]
    if N < 2:
        raise ValueError(f"G must have at least 2 rows, got {N}")
    B = check_int(batch_size, "batch_size", minimum=1)
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be a bool, got {type(replace).__name__}")
    if not replace and B > N:
        raise ValueError(f"batch_size must be <= {N} without replacement, got {B}")
    return G, N, B


def batch_gradient_variance_theory(
    G: np.ndarray, batch_size: int, replace: bool = False
) -> float:
    """Exact ``E ||g_B - g||^2`` of a minibatch mean of per-example gradients.

    Parameters
    ----------
    G : array_like of shape (N, d)
        Per-example gradients ``g_i`` (e.g. from `per_sample_gradients`).
    batch_size : int
        ``B >= 1`` (``<= N`` without replacement).
    replace : bool, default False
        Draw the batch with replacement (independent draws) instead of
        without (a shuffled epoch).

    Returns
    -------
    float
        ``tr(Sigma) / B``, times ``(N - B) / (N - 1)`` without replacement;
        ``Sigma`` is the population covariance of the ``g_i`` (divided by
        ``N``).

    Notes
    -----
    .. math:: \\mathbb E\\lVert \\bar{\\mathbf g}_B - \\bar{\\mathbf g}
              \\rVert^2 = \\frac{\\operatorname{tr}\\Sigma}{B}\\,
              \\frac{N - B}{N - 1}

    References: `cochran1977`

    Examples
    --------
    >>> G = np.array([[1.0], [-1.0]])
    >>> batch_gradient_variance_theory(G, 1), batch_gradient_variance_theory(G, 2)
    (1.0, 0.0)
    """
    G, N, B = _check_batch(G, batch_size, replace)
    # tr Sigma = mean_i ||g_i - g||^2
    tr_sigma = float(np.mean(np.sum((G - G.mean(axis=0)) ** 2, axis=1)))
    fpc = 1.0 if replace else (N - B) / (N - 1)
    return tr_sigma / B * fpc


def batch_gradient_variance(
    G: np.ndarray,
    batch_size: int,
    n_draws: int = 2000,
    replace: bool = False,
    rng: RngLike = None,
) -> float:
    """Monte-Carlo estimate of ``E ||g_B - g||^2`` over random minibatches.

    Parameters
    ----------
    G, batch_size, replace
        As in `batch_gradient_variance_theory`.
    n_draws : int, default 2000
        Number of minibatches drawn.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    float
        The mean squared distance of ``n_draws`` minibatch gradients from
        the full gradient.

    Notes
    -----
    .. math:: \\widehat V_B = \\frac1M \\sum_{m=1}^M \\lVert
              \\bar{\\mathbf g}_{B,m} - \\bar{\\mathbf g} \\rVert^2

    References: `cochran1977`

    Examples
    --------
    >>> G = np.array([[1.0], [-1.0]])
    >>> batch_gradient_variance(G, 1, n_draws=10, rng=0)
    1.0
    """
    G, N, B = _check_batch(G, batch_size, replace)
    n_draws = check_int(n_draws, "n_draws", minimum=1)
    rng = as_rng(rng)
    if replace:
        idx = rng.integers(0, N, size=(n_draws, B))  # idx: [M, B]
    else:
        # the first B entries of independent permutations: [M, B]
        idx = rng.permuted(np.tile(np.arange(N), (n_draws, 1)), axis=1)[:, :B]
    dev = G[idx].mean(axis=1) - G.mean(axis=0)  # g_B - g: [M, d]
    return float(np.mean(np.sum(dev * dev, axis=1)))


def sgd(
    X: np.ndarray,
    y: np.ndarray,
    lr: float,
    batch_size: int,
    n_epochs: int,
    theta0: np.ndarray | None = None,
    rng: RngLike = None,
) -> np.ndarray:
    """Minibatch SGD on `mse`: shuffle each epoch, step once per batch.

    ``batch_size = N`` is gradient descent (one step per epoch, no
    randomness). The last batch of an epoch is smaller when ``B`` does not
    divide ``N``.

    Parameters
    ----------
    X, y
        As in `mse`.
    lr : float
        Learning rate ``eta > 0``.
    batch_size : int
        ``1 <= B <= N``.
    n_epochs : int
        Number of passes over the data.
    theta0 : array_like of shape (d,) or None, default None
        Start; zeros if None.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator of the shuffles.

    Returns
    -------
    ndarray of shape (n_epochs + 1, d)
        ``theta`` at the start and after each epoch. If the parameters
        overflow, the remaining rows are ``nan``.

    Warns
    -----
    RuntimeWarning
        When the loss after the last epoch is not finite or larger than at
        the start: the learning rate is above the stability limit.

    Notes
    -----
    With ``S_k`` the ``k``-th batch of a shuffled epoch,

    .. math:: \\theta \\leftarrow \\theta - \\frac{\\eta}{|S_k|}
              \\sum_{i \\in S_k} \\mathbf x_i (\\mathbf x_i\\cdot\\theta - y_i)

    References: `robbins1951`, `bottou2018`

    Examples
    --------
    >>> X, y = regression_data(rng=0)
    >>> sgd(X, y, lr=0.01, batch_size=32, n_epochs=3, rng=0).shape
    (4, 10)
    """
    X, y = _check_xy(X, y)
    N, d = X.shape
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    if B > N:
        raise ValueError(f"batch_size must be <= {N}, got {B}")
    n_epochs = check_int(n_epochs, "n_epochs", minimum=0)
    theta = np.zeros(d) if theta0 is None else check_array(theta0, "theta0", shape=(d,)).copy()
    rng = as_rng(rng)
    thetas = np.full((n_epochs + 1, d), np.nan)  # thetas: [n_epochs + 1, d]
    thetas[0] = theta
    with np.errstate(over="ignore", invalid="ignore"):
        for epoch in range(1, n_epochs + 1):
            order = rng.permutation(N) if B < N else np.arange(N)
            for start in range(0, N, B):
                S = order[start:start + B]
                # theta <- theta - lr/|S| sum_{i in S} x_i (x_i . theta - y_i)
                theta = theta - lr * (X[S].T @ (X[S] @ theta - y[S])) / len(S)
            if not np.all(np.isfinite(theta)):
                break
            thetas[epoch] = theta
    f0, f1 = mse(thetas[0], X, y), _final_loss(thetas, X, y)
    if not f1 <= f0:
        warnings.warn(f"SGD diverged: loss {f0:.3g} -> {f1:.3g} at lr = {lr:.4g}",
                      RuntimeWarning, stacklevel=2)
    return thetas


def _final_loss(thetas: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    last = thetas[-1]
    if not np.all(np.isfinite(last)):
        return float("inf")
    with np.errstate(over="ignore"):
        r = X @ last - y
        return 0.5 * float(r @ r) / len(y)


# --------------------------------------------- implicit regularisation toy
def _check_xy1(x: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    x = check_array(x, "x", ndim=1)
    y = check_array(y, "y", shape=(x.shape[0],))
    if x.size < 2:
        raise ValueError("x must hold at least 2 samples")
    return x, y


def scalar_net_sgd(
    x: np.ndarray,
    y: np.ndarray,
    a0: float,
    b0: float,
    lr: float,
    batch_size: int,
    n_epochs: int,
    n_runs: int = 1,
    rng: RngLike = None,
) -> tuple[np.ndarray, np.ndarray]:
    """SGD on ``C(a, b) = 1/(2N) sum_i (a b x_i - y_i)^2``, many runs at once.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        Inputs and targets.
    a0, b0 : float
        Start (the same for every run).
    lr : float
        Learning rate ``> 0``.
    batch_size : int
        ``1 <= B <= N``; ``B = N`` is gradient descent.
    n_epochs : int
        Number of shuffled epochs.
    n_runs : int, default 1
        Independent runs (independent shuffles), computed together.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    a, b : ndarray of shape (n_epochs + 1, n_runs)
        The parameters at the start and after each epoch.

    Notes
    -----
    With the batch residuals ``r_i = a b x_i - y_i``,

    .. math:: a \\leftarrow a - \\eta\\, b\\, \\overline{r x}_S, \\qquad
              b \\leftarrow b - \\eta\\, a\\, \\overline{r x}_S

    References: `smith2021`, `dinh2017`

    Examples
    --------
    >>> a, b = scalar_net_sgd([1.0, 2.0], [1.0, 2.0], 2.0, 0.5, 0.01, 1, 5)
    >>> a.shape
    (6, 1)
    """
    x, y = _check_xy1(x, y)
    N = x.size
    a0 = check_float(a0, "a0")
    b0 = check_float(b0, "b0")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    B = check_int(batch_size, "batch_size", minimum=1)
    if B > N:
        raise ValueError(f"batch_size must be <= {N}, got {B}")
    n_epochs = check_int(n_epochs, "n_epochs", minimum=0)
    n_runs = check_int(n_runs, "n_runs", minimum=1)
    rng = as_rng(rng)
    a, b = np.full(n_runs, a0), np.full(n_runs, b0)  # a, b: [n_runs]
    out_a, out_b = [a], [b]
    for _ in range(n_epochs):
        if B < N:  # one shuffle per run: [n_runs, N]
            order = rng.permuted(np.tile(np.arange(N), (n_runs, 1)), axis=1)
        else:
            order = np.tile(np.arange(N), (n_runs, 1))
        xs, ys = x[order], y[order]
        for start in range(0, N, B):
            xb, yb = xs[:, start:start + B], ys[:, start:start + B]
            # mean over the batch of r_i x_i, r_i = a b x_i - y_i: [n_runs]
            rx = np.mean(((a * b)[:, None] * xb - yb) * xb, axis=1)
            a, b = a - lr * b * rx, b - lr * a * rx
        out_a.append(a)
        out_b.append(b)
    return np.array(out_a), np.array(out_b)


def imbalance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``s = 1/2 ln(a / b)``: the position along the valley ``a b = c``.

    Parameters
    ----------
    a, b : array_like
        Parameters of the same sign (same shape).

    Returns
    -------
    ndarray
        ``s``; ``a = sqrt(c) e^s``, ``b = sqrt(c) e^-s`` on the valley,
        ``s = 0`` for the balanced point ``a = b``.

    Notes
    -----
    .. math:: s = \\tfrac12 \\ln(a / b)

    References: `dinh2017`

    Examples
    --------
    >>> float(imbalance(2.0, 0.5))
    0.6931471805599453
    """
    a = check_array(a, "a")
    b = check_array(b, "b")
    if np.any(a * b <= 0):
        raise ValueError("a and b must be nonzero and of the same sign")
    return 0.5 * np.log(a / b)


def scalar_net_sharpness(a: float, b: float, x: np.ndarray, y: np.ndarray) -> float:
    """Largest Hessian eigenvalue of ``C(a, b)``: the sharpness at ``(a, b)``.

    Parameters
    ----------
    a, b : float
        The point.
    x, y : array_like of shape (N,)
        The data.

    Returns
    -------
    float
        ``lambda_max`` of the 2x2 Hessian.

    Notes
    -----
    With ``m = mean(x^2)`` and ``p = mean(x y)``,

    .. math:: H = \\begin{pmatrix} b^2 m & 2abm - p \\\\
              2abm - p & a^2 m \\end{pmatrix}

    References: `keskar2017`, `dinh2017`

    Examples
    --------
    >>> print(f"{scalar_net_sharpness(1.0, 1.0, [1.0, -1.0], [1.0, -1.0]):.3f}")
    2.000
    """
    x, y = _check_xy1(x, y)
    a = check_float(a, "a")
    b = check_float(b, "b")
    m, xy = float(np.mean(x * x)), float(np.mean(x * y))
    # d2C/da2 = b^2 m, d2C/db2 = a^2 m, d2C/dadb = 2 a b m - mean(x y)
    H = np.array([[b * b * m, 2 * a * b * m - xy], [2 * a * b * m - xy, a * a * m]])
    return float(np.linalg.eigvalsh(H)[-1])


def predicted_imbalance(
    x: np.ndarray, y: np.ndarray, s0: float, lr: float, batch_size: int,
    n_epochs: int,
) -> np.ndarray:
    """Drift along the valley predicted by SGD's modified loss (Smith et al.).

    On the valley ``a b = c`` (``c`` the least-squares product) the implicit
    regulariser ``(lr / 4m) sum_k ||grad C_k||^2`` of Smith et al. (2021)
    equals ``(lr / 4) S_B (a^2 + b^2)``, minimal at ``a = b``. Its gradient
    flow moves ``s`` by ``-(lr^2 S_B / 2) tanh(2 s)`` per step.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        The data.
    s0 : float
        Start on the valley, ``s = 1/2 ln(a0 / b0)``.
    lr : float
        Learning rate ``> 0``.
    batch_size : int
        ``1 <= B <= N``.
    n_epochs : int
        Number of epochs of ``ceil(N / B)`` steps.

    Returns
    -------
    ndarray of shape (n_epochs + 1,)
        Predicted ``s`` at the start and after each epoch.

    Notes
    -----
    With the residuals ``r_i = c x_i - y_i`` at the minimum,
    ``S_B = mean(r^2 x^2) (N - B) / (B (N - 1))`` is the variance of a
    batch mean of ``r_i x_i``:

    .. math:: s_{k+1} = s_k - \\frac{\\eta^2 S_B}{2} \\tanh 2 s_k

    References: `smith2021`

    Examples
    --------
    >>> predicted_imbalance([1.0, 2.0], [1.0, 2.0], 0.5, 0.1, 2, 3)
    array([0.5, 0.5, 0.5, 0.5])
    """
    x, y = _check_xy1(x, y)
    s = check_float(s0, "s0")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    N = x.size
    B = check_int(batch_size, "batch_size", minimum=1)
    if B > N:
        raise ValueError(f"batch_size must be <= {N}, got {B}")
    n_epochs = check_int(n_epochs, "n_epochs", minimum=0)
    c = float(x @ y / (x @ x))  # least-squares product a b
    r = c * x - y  # residuals at the minimum: [N]
    S_B = float(np.mean(r * r * x * x)) * (N - B) / (B * (N - 1))
    steps = -(-N // B)  # steps per epoch
    out = [s]
    for _ in range(n_epochs):
        for _ in range(steps):
            s -= 0.5 * lr * lr * S_B * np.tanh(2.0 * s)  # ds = -(lr^2 S_B / 2) tanh 2s
        out.append(s)
    return np.array(out)
