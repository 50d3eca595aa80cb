"""Wide random ReLU networks: Gaussian processes, finite width, lazy training.

Taught in lesson 1.5 (docs/physics/infinite-width.md).

A fully connected ReLU network with ``depth`` hidden layers of ``width``
units maps an input ``x`` (``d_in`` numbers) through pre-activations

    z^1 = W^1 x + b^1,    z^{l+1} = W^{l+1} phi(z^l) + b^{l+1},    phi = relu,

with weights ``W_ij ~ N(0, sigma_w^2 / fan_in)`` and biases
``b_i ~ N(0, sigma_b^2)``. Given layer ``l``, every unit of layer ``l + 1`` is
a sum of ``fan_in`` independent Gaussian terms, so it is *exactly* Gaussian
with covariance over inputs

    G^{l+1}(x, x') = sigma_b^2 + sigma_w^2 / n * sum_j phi(z_j^l(x)) phi(z_j^l(x')).

As ``n -> inf`` the sum self-averages and ``G`` becomes the deterministic
arc-cosine kernel ``K`` (Cho & Saul 2009): the network is a Gaussian process
(Neal 1996; Lee et al. 2018). At finite width ``G`` fluctuates from network
to network, which makes the output non-Gaussian; for ReLU with
``sigma_b = 0`` its excess kurtosis is exactly ``3 ((1 + 5/n)^L - 1)``, about
``15 L / n`` (the depth-to-width ratio of Roberts, Yaida & Hanin 2022).
Trained by gradient descent in the NTK parametrisation, the weights of a
wide network move by a relative amount ``~ n^(-1/2)`` (lazy training).
"""

from __future__ import annotations

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


def _check_inputs(X: object) -> np.ndarray:
    """A non-empty float array of shape (n_inputs, d_in)."""
    X = check_array(X, "X", ndim=2)
    if X.size == 0:
        raise ValueError(f"X must not be empty, got shape {X.shape}")
    return X


def _check_net(depth: object, width: object, sigma_w: object,
               sigma_b: object, n_out: object,
               n_nets: object) -> tuple[int, int, float, float, int, int]:
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
        Fixed inputs, one per row, fed to every network.
    depth : int
        Number of hidden ReLU layers L (0 gives a linear map).
    width : int
        Units per hidden layer n.
    sigma_w : float, default=sqrt(2)
        Weights are N(0, sigma_w^2 / fan_in); sqrt(2) is He initialisation.
    sigma_b : float, default=0.0
        Biases are N(0, sigma_b^2).
    n_out : int, default=1
        Output units.
    n_nets : int, default=1
        Independent networks, drawn at once.
    rng : None, int or numpy.random.Generator, default=None
        Seed or generator.

    Returns
    -------
    zs : list of L + 1 ndarrays
        ``zs[l]`` has shape (n_nets, n_inputs, width) for the hidden layers
        and (n_nets, n_inputs, n_out) for the output ``zs[-1]``.

    Notes
    -----
    z^{l+1} = W^{l+1} relu(z^l) + b^{l+1}, W_ij ~ N(0, sigma_w^2 / fan_in).

    References
    ----------
    R. M. Neal (1996), Bayesian Learning for Neural Networks, Springer.

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
    """A with A A^T = G for a stack of symmetric PSD matrices (may be singular)."""
    lam, V = np.linalg.eigh(G)
    return V * np.sqrt(np.clip(lam, 0.0, None))[..., None, :]


def sample_preactivations(X: object, depth: int, width: int, *,
                          sigma_w: float = HE_SIGMA_W, sigma_b: float = 0.0,
                          n_out: int = 1, n_nets: int = 1,
                          rng: RngLike = None) -> list[np.ndarray]:
    """Sample the same pre-activations layer by layer from conditional Gaussians.

    Same distribution as `random_relu_mlp`, but each layer costs
    ``n_inputs * width`` random numbers instead of ``fan_in * width``.
    Parameters and returns as in `random_relu_mlp`.

    Notes
    -----
    Given layer l, the units of layer l + 1 are independent N(0, G^{l+1}) with
    G^{l+1} = sigma_b^2 + sigma_w^2 / n * relu(z^l) relu(z^l)^T.

    References
    ----------
    D. A. Roberts, S. Yaida and B. Hanin (2022), The Principles of Deep
    Learning Theory, Cambridge University Press, ch. 4.

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
        Covariance of the pre-activations of layer l (symmetric, PSD).
    sigma_w, sigma_b : float
        Weight and bias scales, as in `random_relu_mlp`.

    Returns
    -------
    ndarray of shape (n_inputs, n_inputs)
        Covariance of layer l + 1 in the infinite-width limit.

    Notes
    -----
    K'(x, x') = sigma_b^2 + sigma_w^2 / (2 pi) sqrt(K(x,x) K(x',x'))
    (sin theta + (pi - theta) cos theta), cos theta = K(x,x') / sqrt(K(x,x)K(x',x')).

    References
    ----------
    Y. Cho and L. K. Saul (2009), Kernel methods for deep learning, NeurIPS.

    Examples
    --------
    >>> relu_kernel_step([[1.0, 0.0], [0.0, 1.0]]).round(4).tolist()
    [[1.0, 0.3183], [0.3183, 1.0]]
    """
    K = check_array(K, "K", ndim=2)
    if K.shape[0] != K.shape[1] or not np.allclose(K, K.T):
        raise ValueError(f"K must be a symmetric square matrix, got shape {K.shape}")
    if np.any(np.diag(K) < 0):
        raise ValueError("K must have a non-negative diagonal (variances)")
    sigma_w = check_float(sigma_w, "sigma_w", minimum=0.0)
    sigma_b = check_float(sigma_b, "sigma_b", minimum=0.0)
    # norm = sqrt(K(x,x) K(x',x')),  cos theta = K(x,x') / norm
    d = np.sqrt(np.diag(K))
    norm = np.outer(d, d)
    cos = np.divide(K, norm, out=np.ones_like(K), where=norm > 0)
    theta = np.arccos(np.clip(cos, -1.0, 1.0))
    # K' = sb^2 + sw^2 / (2 pi) norm (sin theta + (pi - theta) cos theta)
    arc = np.sin(theta) + (np.pi - theta) * np.cos(theta)
    return sigma_b**2 + sigma_w**2 / (2 * np.pi) * norm * arc


def nngp_kernel(X: object, depth: int, sigma_w: float = HE_SIGMA_W,
                sigma_b: float = 0.0) -> np.ndarray:
    """Output covariance of an infinitely wide random ReLU network.

    Parameters
    ----------
    X : array_like of shape (n_inputs, d_in)
        Inputs, one per row.
    depth : int
        Number of hidden layers L.
    sigma_w, sigma_b : float
        Weight and bias scales, as in `random_relu_mlp`.

    Returns
    -------
    ndarray of shape (n_inputs, n_inputs)
        K^{L+1}, the covariance of the output over random networks.

    Notes
    -----
    K^1(x, x') = sigma_b^2 + sigma_w^2 x.x' / d_in, then L steps of
    `relu_kernel_step`.

    References
    ----------
    J. Lee et al. (2018), Deep neural networks as Gaussian processes, ICLR.

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
    """Excess kurtosis E[z^4] / E[z^2]^2 - 3 of zero-mean samples.

    Parameters
    ----------
    z : array_like
        Samples of a symmetric, zero-mean variable (any shape; flattened).

    Returns
    -------
    float
        0 for a Gaussian; > 0 for heavier tails.

    Notes
    -----
    kappa = <z^4> / <z^2>^2 - 3, moments about zero.

    References
    ----------
    D. A. Roberts, S. Yaida and B. Hanin (2022), The Principles of Deep
    Learning Theory, Cambridge University Press, ch. 1.

    Examples
    --------
    >>> round(excess_kurtosis([-1.0, 1.0]), 3)
    -2.0
    """
    z = check_array(z, "z").ravel()
    m2 = np.mean(z**2)
    if z.size < 2 or m2 == 0:
        raise ValueError("z must hold at least 2 samples, not all zero")
    return float(np.mean(z**4) / m2**2 - 3.0)


def relu_output_kurtosis(depth: int, width: int) -> float:
    """Exact excess kurtosis of one output of a random ReLU net (sigma_b = 0).

    Parameters
    ----------
    depth : int
        Number of hidden layers L.
    width : int
        Units per hidden layer n.

    Returns
    -------
    float
        3 ((1 + 5/n)^L - 1), which is 15 L / n to first order in L / n.

    Notes
    -----
    z = sqrt(G) xi with xi ~ N(0, 1), and each layer multiplies G by
    (2/n) sum_j relu(xi_j)^2, whose second moment over its squared mean is
    1 + 5/n; so E[z^4] / E[z^2]^2 = 3 (1 + 5/n)^L. (This short derivation
    is lesson 1.5's own; it holds for ReLU, sigma_b = 0 and a single input.)

    References
    ----------
    D. A. Roberts, S. Yaida and B. Hanin (2022), The Principles of Deep
    Learning Theory, Cambridge University Press, ch. 5 (the leading
    order in L / n).

    Examples
    --------
    >>> round(relu_output_kurtosis(4, 100), 3)
    0.647
    """
    depth = check_int(depth, "depth", 0)
    width = check_int(width, "width", 1)
    return 3.0 * ((1.0 + 5.0 / width) ** depth - 1.0)


@dataclass(frozen=True)
class LazyRun:
    """Result of `train_lazy`: final loss and relative changes."""

    width: int
    loss: float
    weight_change: float
    feature_change: float

    def __repr__(self) -> str:
        return (f"LazyRun(width={self.width}, loss={self.loss:.2g}, "
                f"weight_change={self.weight_change:.3f}, "
                f"feature_change={self.feature_change:.3f})")


def toy_regression(n_points: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """A tiny regression task: inputs [x, 1] on a grid of [-1, 1], targets sin(pi x).

    Parameters
    ----------
    n_points : int, default=12
        Grid points (>= 2).

    Returns
    -------
    X : ndarray of shape (n_points, 2)
        Rows [x, 1]; the constant column plays the role of a bias.
    y : ndarray of shape (n_points,)
        sin(pi x).

    Notes
    -----
    y = sin(pi x), x = -1 + 2 k / (n_points - 1).

    Examples
    --------
    >>> X, y = toy_regression(3)
    >>> X.tolist(), y.round(6).tolist()
    ([[-1.0, 1.0], [0.0, 1.0], [1.0, 1.0]], [-0.0, 0.0, 0.0])
    """
    n_points = check_int(n_points, "n_points", 2)
    x = np.linspace(-1.0, 1.0, n_points)
    return np.stack([x, np.ones_like(x)], axis=1), np.sin(np.pi * x)


def train_lazy(width: int, *, n_steps: int = 300, lr: float = 1.0,
               rng: RngLike = None) -> LazyRun:
    """Train a one-hidden-layer ReLU net in NTK parametrisation by plain GD.

    Parameters
    ----------
    width : int
        Hidden units n.
    n_steps : int, default=300
        Full-batch gradient-descent steps on `toy_regression`.
    lr : float, default=1.0
        Learning rate (width-independent in this parametrisation).
    rng : None, int or numpy.random.Generator, default=None
        Seed for the initial weights W ~ N(0, 1), a ~ N(0, 1).

    Returns
    -------
    LazyRun
        Final loss, ||theta_T - theta_0|| / ||theta_0|| for theta = (W, a),
        and ||Phi_T - Phi_0||_F / ||Phi_0||_F for the feature kernel
        Phi = relu(z) relu(z)^T / n.

    Notes
    -----
    f(x) = a . relu(z) / sqrt(n), z = sqrt(2 / d) W^T x; loss
    (1/2) mean (f - y)^2. The relative weight change scales as n^(-1/2).

    References
    ----------
    A. Jacot, F. Gabriel and C. Hongler (2018), Neural tangent kernel,
    NeurIPS; L. Chizat, E. Oyallon and F. Bach (2019), On lazy training in
    differentiable programming, NeurIPS.

    Examples
    --------
    >>> train_lazy(100, rng=0)
    LazyRun(width=100, loss=0.015, weight_change=0.274, feature_change=0.200)
    """
    width = check_int(width, "width", 1)
    n_steps = check_int(n_steps, "n_steps", 0)
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    rng = as_rng(rng)
    X, y = toy_regression()
    W0 = rng.standard_normal((X.shape[1], width))
    a0 = rng.standard_normal(width)
    W, a = W0.copy(), a0.copy()
    loss, grad_W, grad_a, h0 = _loss_and_grads(W, a, X, y)
    for _ in range(n_steps):
        # theta <- theta - lr dL/dtheta
        W -= lr * grad_W
        a -= lr * grad_a
        loss, grad_W, grad_a, h = _loss_and_grads(W, a, X, y)
    h = h if n_steps else h0
    # relative changes of theta = (W, a) and of Phi = h h^T / n
    dtheta = np.sqrt(np.sum((W - W0) ** 2) + np.sum((a - a0) ** 2))
    theta0 = np.sqrt(np.sum(W0**2) + np.sum(a0**2))
    Phi0, Phi = h0 @ h0.T / width, h @ h.T / width
    return LazyRun(width, loss, float(dtheta / theta0),
                   float(np.linalg.norm(Phi - Phi0) / np.linalg.norm(Phi0)))


def _loss_and_grads(W: np.ndarray, a: np.ndarray, X: np.ndarray,
                    y: np.ndarray
                    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray]:
    """Loss, dL/dW, dL/da and features h of the NTK-parametrised net."""
    (n_data, d), n = X.shape, a.size
    # z = sqrt(2/d) X W;  h = relu(z);  f = h a / sqrt(n);  z, h: [n_data, n]
    z = np.sqrt(2.0 / d) * (X @ W)
    h = np.maximum(z, 0.0)
    r = h @ a / np.sqrt(n) - y
    # L = mean(r^2) / 2;  dL/da = h^T r / (sqrt(n) N)
    grad_a = h.T @ r / (np.sqrt(n) * n_data)
    # dL/dz = r a^T / sqrt(n) * 1(z > 0) / N;  dL/dW = sqrt(2/d) X^T dL/dz
    delta = np.outer(r, a) / np.sqrt(n) * (z > 0) / n_data
    grad_W = np.sqrt(2.0 / d) * (X.T @ delta)
    return float(0.5 * np.mean(r**2)), grad_W, grad_a, h
