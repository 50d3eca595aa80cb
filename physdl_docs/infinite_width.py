"""Wide random ReLU networks: Gaussian processes, finite width, lazy training, NTK.

Taught in lesson 1.5.

A fully connected ReLU network with ``depth`` hidden layers of ``width``
units computes pre-activations

    z^1 = W^1 x + b^1,    z^{l+1} = W^{l+1} phi(z^l) + b^{l+1},    phi = relu,

with ``W_ij ~ N(0, sigma_w^2 / fan_in)`` and ``b_i ~ N(0, sigma_b^2)``. Given
layer l, every unit of layer l + 1 is exactly Gaussian with covariance

    G^{l+1}(x, x') = sigma_b^2 + sigma_w^2 / n sum_j phi(z_j^l(x)) phi(z_j^l(x')).

As n -> inf, G becomes the deterministic arc-cosine kernel K: the network is
a Gaussian process. At finite width G fluctuates, and for ReLU with
sigma_b = 0 the output's excess kurtosis is 3 ((1 + 5/n)^L - 1) ~ 15 L / n.
Trained by gradient descent in the NTK parametrisation, a wide network
moves its weights by a relative amount ~ n^(-1/2) and its predictions
approach kernel regression with the neural tangent kernel.

References: `neal1996`, `lee2018`, `cho2009`, `roberts2022`, `jacot2018`,
`chizat2019`, `lee2019`.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

#: He initialisation for ReLU: sigma_w^2 = 2 keeps the variance per layer.
HE_SIGMA_W = float(np.sqrt(2.0))


def _check_inputs(X: object, name: str = "X") -> np.ndarray:
    """A non-empty float array of shape (n_inputs, d_in)."""
    X = check_array(X, name, ndim=2)
    if X.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {X.shape}")
    return X


def _check_net(depth, width, sigma_w, sigma_b, n_out, n_nets):
    """Validate the shared network arguments, naming each one."""
    return (check_int(depth, "depth", 0), check_int(width, "width", 1),
            check_float(sigma_w, "sigma_w", minimum=0.0),
            check_float(sigma_b, "sigma_b", minimum=0.0),
            check_int(n_out, "n_out", 1), check_int(n_nets, "n_nets", 1))


def random_relu_mlp(X: object, depth: int, width: int, *,
                    sigma_w: float = HE_SIGMA_W, sigma_b: float = 0.0,
                    n_out: int = 1, n_nets: int = 1,
                    rng: RngLike = None) -> list[np.ndarray]:
    """Pre-activations of random ReLU networks with explicitly drawn weights.

    Parameters
    ----------
    X : array_like of shape (n_inputs, d_in)
        Inputs, one per row, fed to every network.
    depth, width : int
        Hidden layers L (0: a linear map) and units per hidden layer n.
    sigma_w, sigma_b : float, default sqrt(2), 0
        W ~ N(0, sigma_w^2 / fan_in), b ~ N(0, sigma_b^2).
    n_out, n_nets : int, default 1
        Output units, and independent networks drawn at once.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    list of L + 1 ndarrays
        ``zs[l]`` of shape (n_nets, n_inputs, width), the output ``zs[-1]``
        of shape (n_nets, n_inputs, n_out).

    References: `neal1996`.

    Examples
    --------
    >>> zs = random_relu_mlp([[1.0, 0.0]], depth=2, width=8, rng=0)
    >>> [z.shape for z in zs]
    [(1, 1, 8), (1, 1, 8), (1, 1, 1)]
    """
    X = _check_inputs(X)
    depth, width, sigma_w, sigma_b, n_out, n_nets = _check_net(
        depth, width, sigma_w, sigma_b, n_out, n_nets)
    rng = as_rng(rng)
    # h: [n_nets, n_inputs, fan_in]
    h, zs = np.broadcast_to(X, (n_nets, *X.shape)), []
    for layer in range(depth + 1):
        fan_in, n_units = h.shape[-1], width if layer < depth else n_out
        # W_ij ~ N(0, sigma_w^2 / fan_in), b_i ~ N(0, sigma_b^2)
        W = rng.standard_normal((n_nets, fan_in, n_units))
        W *= sigma_w / np.sqrt(fan_in)
        b = sigma_b * rng.standard_normal((n_nets, 1, n_units))
        # z^{l+1} = phi(z^l) W + b;  z: [n_nets, n_inputs, n_units]
        zs.append(h @ W + b)
        h = np.maximum(zs[-1], 0.0)
    return zs


def _psd_sqrt(G: np.ndarray) -> np.ndarray:
    """The symmetric square root of a stack of PSD matrices.

    Unique, unlike V sqrt(Lambda) alone: when eigenvalues are (nearly)
    equal, eigh may return any rotation of their eigenvectors, and samples
    drawn through it would then depend on the LAPACK build.
    """
    lam, V = np.linalg.eigh(G)
    # A = V sqrt(Lambda) V^T, so that A A^T = G
    return (V * np.sqrt(np.clip(lam, 0.0, None))[..., None, :]) @ np.swapaxes(
        V, -1, -2)


def sample_preactivations(X: object, depth: int, width: int, *,
                          sigma_w: float = HE_SIGMA_W, sigma_b: float = 0.0,
                          n_out: int = 1, n_nets: int = 1,
                          rng: RngLike = None) -> list[np.ndarray]:
    """The same pre-activations, sampled layer by layer from conditional Gaussians.

    Same distribution as `random_relu_mlp` at n_inputs * width random
    numbers per layer instead of fan_in * width; parameters and returns as
    there.

    Notes
    -----
    Given layer l, the units of layer l + 1 are independent N(0, G^{l+1}),
    G^{l+1} = sigma_b^2 + sigma_w^2 / n relu(z^l) relu(z^l)^T.

    References: `roberts2022`.

    Examples
    --------
    >>> zs = sample_preactivations([[1.0, 0.0]], depth=2, width=8, rng=0)
    >>> [z.shape for z in zs]
    [(1, 1, 8), (1, 1, 8), (1, 1, 1)]
    """
    X = _check_inputs(X)
    depth, width, sigma_w, sigma_b, n_out, n_nets = _check_net(
        depth, width, sigma_w, sigma_b, n_out, n_nets)
    rng = as_rng(rng)
    n_inputs, d_in = X.shape
    # G^1 = sigma_b^2 + sigma_w^2 x.x' / d_in;  G: [n_nets, n_inputs, n_inputs]
    G = np.broadcast_to(sigma_b**2 + sigma_w**2 * (X @ X.T) / d_in,
                        (n_nets, n_inputs, n_inputs))
    zs = []
    for layer in range(depth + 1):
        n_units = width if layer < depth else n_out
        # z^{l+1} = A xi with A A^T = G;  z: [n_nets, n_inputs, n_units]
        xi = rng.standard_normal((n_nets, n_inputs, n_units))
        zs.append(_psd_sqrt(G) @ xi)
        h = np.maximum(zs[-1], 0.0)
        # G^{l+1} = sigma_b^2 + sigma_w^2 / n * h h^T
        G = sigma_b**2 + sigma_w**2 * (h @ h.transpose(0, 2, 1)) / n_units
    return zs


def relu_kernel_step(K: object, sigma_w: float = HE_SIGMA_W,
                     sigma_b: float = 0.0) -> np.ndarray:
    """One layer of the arc-cosine (NNGP) kernel recursion for ReLU.

    Parameters
    ----------
    K : array_like of shape (n_inputs, n_inputs)
        Covariance of layer l's pre-activations: symmetric positive
        semi-definite (a non-covariance raises ValueError).
    sigma_w, sigma_b : float
        Weight and bias scales.

    Returns
    -------
    ndarray of shape (n_inputs, n_inputs)
        The covariance of layer l + 1 at infinite width.

    Notes
    -----
    K'(x, x') = sigma_b^2 + sigma_w^2 / (2 pi) sqrt(K(x,x) K(x',x'))
    (sin theta + (pi - theta) cos theta), cos theta = K(x,x') / sqrt(K(x,x) K(x',x')).

    References: `cho2009`.

    Examples
    --------
    >>> relu_kernel_step([[1.0, 0.0], [0.0, 1.0]]).round(4).tolist()
    [[1.0, 0.3183], [0.3183, 1.0]]
    """
    K = check_array(K, "K", ndim=2)
    if K.shape[0] != K.shape[1] or not np.allclose(K, K.T, rtol=1e-12,
                                                   atol=0.0):
        raise ValueError(f"K must be a symmetric square matrix, got shape {K.shape}")
    if np.any(np.diag(K) < 0):
        raise ValueError("K must have a non-negative diagonal (variances)")
    if K.size and np.linalg.eigvalsh(K).min() < -1e-10 * max(np.abs(K).max(),
                                                             1e-300):
        raise ValueError("K must be positive semi-definite (a covariance), "
                         f"got eigenvalue {np.linalg.eigvalsh(K).min():.3g}")
    sigma_w = check_float(sigma_w, "sigma_w", minimum=0.0)
    sigma_b = check_float(sigma_b, "sigma_b", minimum=0.0)
    # norm = sqrt(K(x,x) K(x',x')),  cos theta = K(x,x') / norm
    d = np.sqrt(np.diag(K))
    norm = np.outer(d, d)
    cos = np.divide(K, norm, out=np.ones_like(K), where=norm > 0)
    theta = np.arccos(np.clip(cos, -1.0, 1.0))  # rounding only, K is PSD
    # K' = sb^2 + sw^2 / (2 pi) norm (sin theta + (pi - theta) cos theta)
    arc = np.sin(theta) + (np.pi - theta) * np.cos(theta)
    return sigma_b**2 + sigma_w**2 / (2 * np.pi) * norm * arc


def nngp_kernel(X: object, depth: int, sigma_w: float = HE_SIGMA_W,
                sigma_b: float = 0.0) -> np.ndarray:
    """Output covariance K^{L+1} of an infinitely wide random ReLU network.

    K^1(x, x') = sigma_b^2 + sigma_w^2 x.x' / d_in, then L steps of
    `relu_kernel_step`.

    References: `lee2018`.

    Examples
    --------
    >>> round(float(nngp_kernel([[1.0, 1.0]], depth=5)[0, 0]), 6)
    2.0
    """
    X = _check_inputs(X)
    depth = check_int(depth, "depth", 0)
    sigma_w = check_float(sigma_w, "sigma_w", minimum=0.0)
    sigma_b = check_float(sigma_b, "sigma_b", minimum=0.0)
    # K^1 = sigma_b^2 + sigma_w^2 x.x' / d_in
    K = sigma_b**2 + sigma_w**2 * (X @ X.T) / X.shape[1]
    for _ in range(depth):
        K = relu_kernel_step(K, sigma_w, sigma_b)
    return K


def excess_kurtosis(z: object) -> float:
    """Excess kurtosis E[z^4] / E[z^2]^2 - 3 of zero-mean samples (flattened).

    0 for a Gaussian, > 0 for heavier tails.

    References: `roberts2022`.

    Examples
    --------
    >>> round(excess_kurtosis([-1.0, 1.0]), 3)
    -2.0
    """
    z = check_array(z, "z").ravel()
    if z.size < 2 or not np.any(z):
        raise ValueError("z must hold at least 2 samples, not all zero")
    # kappa = <z^4> / <z^2>^2 - 3, moments about zero
    return float(np.mean(z**4) / np.mean(z**2) ** 2 - 3.0)


def kurtosis_error(z: object, n_groups: int = 20) -> float:
    """Jackknife standard error of `excess_kurtosis` over groups of axis 0.

    Parameters
    ----------
    z : array_like of shape (n_nets, ...)
        Samples; rows (networks) are independent, entries within a row need
        not be.
    n_groups : int, default=20
        Groups of rows left out in turn (2 <= n_groups <= n_nets).

    Notes
    -----
    se^2 = (G - 1) / G sum_g (kappa_(-g) - mean_g kappa_(-g))^2.

    Examples
    --------
    >>> z = np.random.default_rng(0).standard_normal((400, 50))
    >>> round(kurtosis_error(z), 2)
    0.02
    """
    z = check_array(z, "z", ndim=tuple(range(1, 9)))
    G = check_int(n_groups, "n_groups", 2)
    if G > z.shape[0]:
        raise ValueError(f"n_groups must be <= {z.shape[0]} (rows of z), got {G}")
    # moments per group: m2, m4: [G]
    groups = np.array_split(z.reshape(z.shape[0], -1), G)
    m2 = np.array([np.sum(g**2) for g in groups])
    m4 = np.array([np.sum(g**4) for g in groups])
    n = np.array([g.size for g in groups])
    # kappa without group g
    rest = n.sum() - n
    kappa = ((m4.sum() - m4) / rest) / ((m2.sum() - m2) / rest) ** 2 - 3.0
    return float(np.sqrt((G - 1) * kappa.var()))


def relu_output_kurtosis(depth: int, width: int) -> float:
    """Exact excess kurtosis of one output of a random ReLU net (sigma_b = 0).

    3 ((1 + 5/n)^L - 1), which is 15 L / n to first order in L / n.

    Notes
    -----
    z = sqrt(G) xi, and each layer multiplies G by (2/n) sum_j relu(xi_j)^2,
    whose mean is 1 and second moment 1 + 5/n (lesson 1.5's derivation, for
    one input).

    References: `roberts2022` (the leading order in L / n).

    Examples
    --------
    >>> round(relu_output_kurtosis(4, 100), 3)
    0.647
    """
    depth = check_int(depth, "depth", 0)
    width = check_int(width, "width", 1)
    return 3.0 * ((1.0 + 5.0 / width) ** depth - 1.0)


def toy_regression(n_points: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Inputs [x, 1] on a grid of [-1, 1] and targets sin(pi x).

    Examples
    --------
    >>> X, y = toy_regression(3)
    >>> X.tolist(), y.round(6).tolist()
    ([[-1.0, 1.0], [0.0, 1.0], [1.0, 1.0]], [-0.0, 0.0, 0.0])
    """
    n_points = check_int(n_points, "n_points", 2)
    x = np.linspace(-1.0, 1.0, n_points)
    return np.stack([x, np.ones_like(x)], axis=1), np.sin(np.pi * x)


def relu_ntk(X: object, X2: object = None) -> np.ndarray:
    """Infinite-width NTK of the one-hidden-layer net of `train_lazy`.

    Parameters
    ----------
    X : array_like of shape (n, d)
    X2 : array_like of shape (m, d), optional (default X)

    Returns
    -------
    ndarray of shape (n, m)
        Theta(x, x') = sum over parameters of df/dtheta(x) df/dtheta(x').

    Notes
    -----
    With K(x, x') = 2 x.x' / d and theta the angle between x and x', the
    output weights contribute E[relu(u) relu(u')] =
    sqrt(K(x,x) K(x',x')) (sin theta + (pi - theta) cos theta) / (2 pi),
    the hidden weights K(x, x') E[relu'(u) relu'(u')] =
    K(x, x') (pi - theta) / (2 pi).

    References: `jacot2018`, `cho2009`.

    Examples
    --------
    >>> round(float(relu_ntk([[1.0, 1.0]])[0, 0]), 6)
    2.0
    """
    X = _check_inputs(X)
    X2 = X if X2 is None else _check_inputs(X2, "X2")
    if X2.shape[1] != X.shape[1]:
        raise ValueError(f"X2 must have {X.shape[1]} columns, got {X2.shape[1]}")
    d = X.shape[1]
    # K(x, x') = 2 x.x' / d, the covariance of z = sqrt(2/d) w.x
    K = 2.0 * X @ X2.T / d
    norm = np.sqrt(np.outer(np.sum(X**2, 1), np.sum(X2**2, 1))) * 2.0 / d
    cos = np.divide(K, norm, out=np.ones_like(K), where=norm > 0)
    theta = np.arccos(np.clip(cos, -1.0, 1.0))
    # Theta = E[relu(u) relu(u')] + K E[relu'(u) relu'(u')]
    hidden = norm * (np.sin(theta) + (np.pi - theta) * cos) / (2 * np.pi)
    return hidden + K * (np.pi - theta) / (2 * np.pi)


def ntk_regression(X_train: object, y: object, X_test: object,
                   n_steps: int | None = None, lr: float = 1.0) -> np.ndarray:
    """Predictions of gradient descent in the infinite-width (NTK) limit.

    Parameters
    ----------
    X_train : array_like of shape (N, d)
    y : array_like of shape (N,)
    X_test : array_like of shape (M, d)
    n_steps : int, optional
        Gradient-descent steps on the loss mean(r^2) / 2; None: converged,
        i.e. kernel regression.
    lr : float, default=1.0

    Returns
    -------
    ndarray of shape (M,)
        f(x) = Theta(x, X) Theta^{-1} (I - (I - lr Theta / N)^T) y, which is
        Theta(x, X) Theta^{-1} y for T -> inf; the network starts at f = 0.

    References: `jacot2018`, `lee2019`.

    Examples
    --------
    >>> X, y = toy_regression(5)
    >>> np.allclose(ntk_regression(X, y, X), y)
    True
    """
    X_train = _check_inputs(X_train, "X_train")
    y = check_array(y, "y", shape=(X_train.shape[0],))
    X_test = _check_inputs(X_test, "X_test")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    Theta = relu_ntk(X_train)
    target = y
    if n_steps is not None:
        n_steps = check_int(n_steps, "n_steps", 0)
        # residual after T steps: r_T = (I - lr Theta / N)^T r_0, r_0 = -y
        step = np.eye(len(y)) - lr * Theta / len(y)
        target = y - np.linalg.matrix_power(step, n_steps) @ y
    return relu_ntk(X_test, X_train) @ np.linalg.solve(Theta, target)


def empirical_ntk(X: object, width: int, rng: RngLike = None) -> np.ndarray:
    """NTK J J^T of one random network of `train_lazy` at initialisation.

    J[i, p] = d f(x_i) / d theta_p for theta = (W, a); converges to
    `relu_ntk` like width^(-1/2).

    References: `jacot2018`.

    Examples
    --------
    >>> empirical_ntk([[1.0, 1.0]], 4, rng=0).shape
    (1, 1)
    """
    X = _check_inputs(X)
    width = check_int(width, "width", 1)
    rng = as_rng(rng)
    W, a = rng.standard_normal((X.shape[1], width)), rng.standard_normal(width)
    J_W, J_a = _jacobian(W, a, X)
    return (np.einsum("idn,jdn->ij", J_W, J_W) + J_a @ J_a.T)


def _jacobian(W: np.ndarray, a: np.ndarray, X: np.ndarray):
    """df/dW: [N, d, n] and df/da: [N, n] of f = a.relu(sqrt(2/d) W^T x)/sqrt(n)."""
    (_, d), n = X.shape, a.size
    z = np.sqrt(2.0 / d) * (X @ W)
    # df/da_i = relu(z_i) / sqrt(n);  df/dW_ji = a_i relu'(z_i) sqrt(2/d) x_j / sqrt(n)
    J_a = np.maximum(z, 0.0) / np.sqrt(n)
    J_W = np.sqrt(2.0 / d) * X[:, :, None] * ((z > 0) * a / np.sqrt(n))[:, None]
    return J_W, J_a


@dataclass(frozen=True)
class LazyRun:
    """Result of `train_lazy`: final loss, relative changes, test predictions."""

    width: int
    loss: float
    weight_change: float
    feature_change: float
    prediction: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"LazyRun(width={self.width}, loss={self.loss:.2g}, "
                f"weight_change={self.weight_change:.3f}, "
                f"feature_change={self.feature_change:.3f})")


def train_lazy(width: int, *, n_steps: int = 300, lr: float = 1.0,
               rng: RngLike = None, center: bool = False,
               X_test: object = None) -> LazyRun:
    """Train a one-hidden-layer ReLU net in NTK parametrisation by plain GD.

    Parameters
    ----------
    width : int
        Hidden units n.
    n_steps : int, default=300
        Full-batch gradient-descent steps on `toy_regression`.
    lr : float, default=1.0
        Learning rate (width-independent here). Above about 2 N / lambda_max
        of the NTK training diverges, with a RuntimeWarning.
    rng : None, int or numpy.random.Generator
        Seed for the initial weights W ~ N(0, 1), a ~ N(0, 1).
    center : bool, default=False
        Train f - f_0 (the output minus the initial one), which starts at 0
        like `ntk_regression`.
    X_test : array_like of shape (M, 2), optional
        Inputs [x, 1] at which to return the trained prediction.

    Returns
    -------
    LazyRun
        Final loss, ||theta_T - theta_0|| / ||theta_0||, the relative change
        ||Phi_T - Phi_0||_F / ||Phi_0||_F of the feature kernel
        Phi = relu(z) relu(z)^T / n, and the prediction at X_test.

    Notes
    -----
    f(x) = a . relu(z) / sqrt(n), z = sqrt(2 / d) W^T x; loss
    mean((f - y)^2) / 2.

    References: `jacot2018`, `chizat2019`.

    Examples
    --------
    >>> train_lazy(100, rng=0)
    LazyRun(width=100, loss=0.015, weight_change=0.274, feature_change=0.200)
    """
    width = check_int(width, "width", 1)
    n_steps = check_int(n_steps, "n_steps", 0)
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    if not isinstance(center, bool):
        raise TypeError(f"center must be a bool, got {type(center).__name__}")
    if X_test is not None:
        X_test = check_array(X_test, "X_test", shape=(None, 2))
    rng = as_rng(rng)
    X, y = toy_regression()
    W0, a0 = rng.standard_normal((X.shape[1], width)), rng.standard_normal(width)
    f0 = _forward(W0, a0, X)[0] if center else 0.0
    W, a = W0.copy(), a0.copy()
    loss, grad_W, grad_a, h0 = _loss_and_grads(W, a, X, y + f0)
    loss0, peak, h = loss, loss, h0
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(n_steps):
            # theta <- theta - lr dL/dtheta
            W -= lr * grad_W
            a -= lr * grad_a
            loss, grad_W, grad_a, h = _loss_and_grads(W, a, X, y + f0)
            peak = max(peak, loss) if np.isfinite(loss) else np.inf
            if not np.isfinite(loss):
                break
    if peak > 2 * loss0:
        # the linearised dynamics are stable only for lr < 2 N / lambda_max
        warnings.warn(f"lr={lr} is too large for lazy training: the loss rose "
                      f"from {loss0:.3g} to {peak:.3g} (ended at {loss:.3g})",
                      RuntimeWarning, stacklevel=2)
    # relative changes of theta = (W, a) and of Phi = h h^T / n
    dtheta = np.sqrt(np.sum((W - W0) ** 2) + np.sum((a - a0) ** 2))
    theta0 = np.sqrt(np.sum(W0**2) + np.sum(a0**2))
    Phi0, Phi = h0 @ h0.T / width, h @ h.T / width
    prediction = None
    if X_test is not None:
        prediction = _forward(W, a, X_test)[0] - (
            _forward(W0, a0, X_test)[0] if center else 0.0)
    return LazyRun(width, loss, float(dtheta / theta0),
                   float(np.linalg.norm(Phi - Phi0) / np.linalg.norm(Phi0)),
                   prediction)


def _forward(W: np.ndarray, a: np.ndarray, X: np.ndarray):
    """f(x) = a . relu(z) / sqrt(n), and z, h = relu(z): [N, n]."""
    z = np.sqrt(2.0 / X.shape[1]) * (X @ W)
    h = np.maximum(z, 0.0)
    return h @ a / np.sqrt(a.size), z, h


def _loss_and_grads(W: np.ndarray, a: np.ndarray, X: np.ndarray,
                    y: np.ndarray
                    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Loss, dL/dW, dL/da and features h of the NTK-parametrised net."""
    (n_data, d), n = X.shape, a.size
    f, z, h = _forward(W, a, X)
    r = f - y
    # L = mean(r^2) / 2;  dL/da = h^T r / (sqrt(n) N)
    grad_a = h.T @ r / (np.sqrt(n) * n_data)
    # dL/dz = r a^T / sqrt(n) * 1(z > 0) / N;  dL/dW = sqrt(2/d) X^T dL/dz
    delta = np.outer(r, a) / np.sqrt(n) * (z > 0) / n_data
    grad_W = np.sqrt(2.0 / d) * (X.T @ delta)
    return float(0.5 * np.mean(r**2)), grad_W, grad_a, h
