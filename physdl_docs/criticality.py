"""Mean-field signal propagation in deep random networks: order, chaos, criticality.

Taught in lesson 1.6 (docs/physics/criticality.md).

In a wide random network with weights N(0, sigma_w^2 / n) and biases
N(0, sigma_b^2), the squared length q of a pre-activation vector and the
correlation c between the pre-activations of two inputs follow deterministic
maps from layer to layer (Poole et al. 2016; Schoenholz et al. 2017):

    q^{l+1} = sigma_w^2 E_z[phi(sqrt(q^l) z)^2] + sigma_b^2,
    c^{l+1} = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q*,

with z, u standard Gaussian (u_1, u_2 of variance q* and correlation c^l).
The slope of the correlation map at c = 1,

    chi_1 = sigma_w^2 E_z[phi'(sqrt(q*) z)^2],

separates an ordered phase (chi_1 < 1: all inputs end up correlated,
gradients vanish) from a chaotic one (chi_1 > 1: nearby inputs decorrelate,
gradients explode). Correlations approach their fixed point c* like
exp(-l / xi_c) with xi_c = -1 / ln chi_c, which diverges at chi_1 = 1: the
critical line, or edge of chaos. Gaussian integrals use Gauss-Hermite
quadrature (``numpy.polynomial.hermite_e.hermegauss``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

import numpy as np
from numpy.polynomial.hermite_e import hermegauss
from scipy.optimize import brentq, minimize_scalar

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

#: phi and phi' for the activations the maps support.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (np.tanh, lambda u: 1.0 / np.cosh(u) ** 2),
    "relu": (lambda u: np.maximum(u, 0.0), lambda u: (u > 0) * 1.0),
}

#: Quadrature nodes per dimension (even: no node sits on relu's kink at 0).
#: For tanh the integrals are accurate to ~1e-5 up to q ~ 2 (sigma_w^2 ~ 4);
#: larger q needs more nodes, since phi(sqrt(q) z) varies on a scale 1/sqrt(q).
N_POINTS = 100


def _activation(phi: object) -> tuple[Callable, Callable]:
    if phi not in ACTIVATIONS:
        raise ValueError(f"phi must be one of {sorted(ACTIVATIONS)}, got {phi!r}")
    return ACTIVATIONS[phi]


def _scales(sigma_w: object, sigma_b: object) -> tuple[float, float]:
    return (check_float(sigma_w, "sigma_w", minimum=0.0),
            check_float(sigma_b, "sigma_b", minimum=0.0))


@lru_cache(maxsize=8)
def _nodes(n_points: int) -> tuple[np.ndarray, np.ndarray]:
    """Nodes z_k and weights w_k with sum_k w_k f(z_k) ~ E[f(z)], z ~ N(0, 1)."""
    z, w = hermegauss(n_points)
    # normalised so that E[1] = 1 exactly, as the weights sum to sqrt(2 pi)
    return z, w / np.sum(w)


def gaussian_expectation(f: Callable, q: float = 1.0,
                         n_points: int = N_POINTS) -> float:
    """E_z[f(sqrt(q) z)] for z ~ N(0, 1), by Gauss-Hermite quadrature.

    Parameters
    ----------
    f : callable
        Vectorised function of one array.
    q : float, default=1.0
        Variance of the Gaussian argument (>= 0).
    n_points : int, default=100
        Quadrature nodes; exact for polynomials of degree < 2 n_points.

    Returns
    -------
    float

    Notes
    -----
    E[f(sqrt(q) z)] = (2 pi)^(-1/2) sum_k w_k f(sqrt(q) z_k), with nodes and
    weights of the probabilists' Hermite polynomials He_n.

    References
    ----------
    M. Abramowitz and I. A. Stegun (1964), Handbook of Mathematical
    Functions, 25.4.46.

    Examples
    --------
    >>> round(gaussian_expectation(lambda u: u**4, q=2.0), 10)
    12.0
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    q = check_float(q, "q", minimum=0.0)
    z, w = _nodes(check_int(n_points, "n_points", 2))
    return float(np.sum(w * f(np.sqrt(q) * z)))


def length_map(q: float, sigma_w: float, sigma_b: float,
               phi: str = "tanh") -> float:
    """One layer of the length map q -> sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2.

    Parameters
    ----------
    q : float
        Squared length per unit, (1/n) sum_i (z_i^l)^2, of layer l (>= 0).
    sigma_w, sigma_b : float
        Weight and bias scales (standard deviations, >= 0).
    phi : {"tanh", "relu"}, default="tanh"
        Activation function.

    Returns
    -------
    float
        q^{l+1} in the infinite-width limit.

    Notes
    -----
    q^{l+1} = sigma_w^2 E_z[phi(sqrt(q^l) z)^2] + sigma_b^2.

    References
    ----------
    B. Poole et al. (2016), Exponential expressivity in deep neural networks
    through transient chaos, NeurIPS.

    Examples
    --------
    >>> round(length_map(3.0, sigma_w=2**0.5, sigma_b=0.0, phi="relu"), 10)
    3.0
    """
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = check_float(q, "q", minimum=0.0)
    return sigma_w**2 * gaussian_expectation(lambda u: f(u) ** 2, q) + sigma_b**2


def fixed_point_q(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Fixed point q* of `length_map` reached from q > 0.

    Parameters
    ----------
    sigma_w, sigma_b : float
        Weight and bias scales (>= 0).
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        q* (0.0 if the length shrinks to zero, inf if it grows without
        bound, as for relu with sigma_w^2 >= 2 and sigma_b > 0).

    Notes
    -----
    q* = sigma_w^2 E_z[phi(sqrt(q*) z)^2] + sigma_b^2.

    References
    ----------
    B. Poole et al. (2016), NeurIPS.

    Examples
    --------
    >>> round(fixed_point_q(0.0, 0.5), 6)
    0.25
    """
    _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    if phi == "relu":
        # linear map q' = (sigma_w^2 / 2) q + sigma_b^2
        slope = sigma_w**2 / 2
        if slope < 1:
            return sigma_b**2 / (1 - slope)
        return np.inf if sigma_b > 0 or slope > 1 else np.nan
    # g(q) = length_map(q) - q: positive near 0 iff a nonzero root exists
    def g(q):
        return length_map(q, sigma_w, sigma_b, phi) - q

    lo = 0.0 if sigma_b > 0 else 1e-12
    if g(lo) <= 0:
        return 0.0
    hi = 1.0
    while g(hi) > 0:
        hi *= 2
    return float(brentq(g, lo, hi, xtol=1e-14, rtol=1e-13))


def _pair_nodes(c: float, q: float, n_points: int = N_POINTS):
    """u_1, u_2 of variance q, correlation c on a 2-D grid, and weights."""
    z, w = _nodes(n_points)
    z1, z2 = np.meshgrid(z, z, indexing="ij")
    u1 = np.sqrt(q) * z1
    u2 = np.sqrt(q) * (c * z1 + np.sqrt(max(1 - c * c, 0.0)) * z2)
    return u1, u2, np.outer(w, w)


def correlation_map(c: float, sigma_w: float, sigma_b: float,
                    phi: str = "tanh") -> float:
    """One layer of the correlation map at the length fixed point q*.

    Parameters
    ----------
    c : float
        Correlation of two inputs' pre-activations at layer l, in [-1, 1].
    sigma_w, sigma_b : float
        Weight and bias scales; q* must be finite and > 0.
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        c^{l+1}.

    Notes
    -----
    c^{l+1} = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q*, with
    u_1 = sqrt(q*) z_1, u_2 = sqrt(q*) (c z_1 + sqrt(1 - c^2) z_2).

    References
    ----------
    S. S. Schoenholz et al. (2017), Deep information propagation, ICLR.

    Examples
    --------
    >>> round(correlation_map(1.0, 1.5, 0.3), 8)
    1.0
    """
    c = check_float(c, "c", minimum=-1.0, maximum=1.0)
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    if not 0 < q < np.inf:
        raise ValueError(
            f"the correlation map needs a finite q* > 0, got q* = {q} for "
            f"sigma_w={sigma_w}, sigma_b={sigma_b}; use sigma_b > 0")
    return _cmap(c, q, sigma_w, sigma_b, f)


def _cmap(c: float, q: float, sigma_w: float, sigma_b: float,
          f: Callable) -> float:
    """c' = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q (inputs checked)."""
    u1, u2, w = _pair_nodes(c, q)
    return float((sigma_w**2 * np.sum(w * f(u1) * f(u2)) + sigma_b**2) / q)


def chi_1(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Slope chi_1 of the correlation map at c = 1 (the order-chaos parameter).

    Parameters
    ----------
    sigma_w, sigma_b : float
        Weight and bias scales (>= 0).
    phi : {"tanh", "relu"}, default="tanh"
        For relu chi_1 = sigma_w^2 / 2 does not depend on q.

    Returns
    -------
    float
        chi_1 < 1: ordered; chi_1 > 1: chaotic; chi_1 = 1: critical.

    Notes
    -----
    chi_1 = sigma_w^2 E_z[phi'(sqrt(q*) z)^2]; it is also the factor by which
    the squared gradient norm grows per layer, backwards.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR.

    Examples
    --------
    >>> round(chi_1(2**0.5, 0.0, phi="relu"), 10)
    1.0
    """
    _, df = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = 1.0 if phi == "relu" else fixed_point_q(sigma_w, sigma_b, phi)
    return sigma_w**2 * gaussian_expectation(lambda u: df(u) ** 2, q)


def correlation_fixed_point(sigma_w: float, sigma_b: float,
                            phi: str = "tanh") -> float:
    """Stable fixed point c* of the correlation map (1.0 in the ordered phase).

    Parameters and returns as in `chi_1`; chaotic phase needs phi="tanh".

    Notes
    -----
    c* = correlation_map(c*); c = 1 is stable iff chi_1 <= 1.

    References
    ----------
    B. Poole et al. (2016), NeurIPS.

    Examples
    --------
    >>> correlation_fixed_point(1.0, 0.3)
    1.0
    """
    if chi_1(sigma_w, sigma_b, phi) <= 1:
        return 1.0
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    if not 0 < q < np.inf:
        raise ValueError(f"no chaotic correlation fixed point for phi={phi!r}")

    def g(c):
        return _cmap(c, q, sigma_w, sigma_b, f) - c

    # in the chaotic phase g(1 - eps) < 0; g(0) = sigma_b^2 / q* >= 0
    if g(0.0) <= 1e-14:
        return 0.0
    hi = 1.0 - 1e-6
    if g(hi) >= 0:
        return 1.0
    return float(brentq(g, 0.0, hi, xtol=1e-13))


def chi_c(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Slope chi_c of the correlation map at its stable fixed point c*.

    Parameters and returns as in `chi_1` (chi_c = chi_1 when c* = 1).

    Notes
    -----
    chi_c = sigma_w^2 E[phi'(u_1) phi'(u_2)], (u_1, u_2) at correlation c*.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR.

    Examples
    --------
    >>> round(chi_c(1.0, 0.3), 4) == round(chi_1(1.0, 0.3), 4)
    True
    """
    c = correlation_fixed_point(sigma_w, sigma_b, phi)
    if c == 1.0:
        return chi_1(sigma_w, sigma_b, phi)
    _, df = _activation(phi)
    u1, u2, w = _pair_nodes(c, fixed_point_q(sigma_w, sigma_b, phi))
    return float(sigma_w**2 * np.sum(w * df(u1) * df(u2)))


def depth_scale(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Correlation depth scale xi_c = -1 / ln chi_c (inf at criticality).

    Parameters and returns as in `chi_1`.

    Notes
    -----
    |c^l - c*| ~ exp(-l / xi_c), xi_c = -1 / ln chi_c.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR: trainable when depth <~ 6 xi_c.

    Examples
    --------
    >>> round(depth_scale(1.0, 0.0), 3)
    inf
    """
    x = chi_c(sigma_w, sigma_b, phi)
    # chi_c within rounding of 1 counts as critical
    return np.inf if x >= 1.0 - 1e-12 else float(-1.0 / np.log(x))


def critical_sigma_w(sigma_b: float, phi: str = "tanh") -> float:
    """sigma_w on the critical line chi_1(sigma_w, sigma_b) = 1.

    Parameters
    ----------
    sigma_b : float
        Bias scale (>= 0).
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        The critical sigma_w (sqrt(2) for relu, He initialisation).

    Notes
    -----
    sigma_w^2 E_z[phi'(sqrt(q*) z)^2] = 1, solved for sigma_w by bisection.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR.

    Examples
    --------
    >>> round(critical_sigma_w(0.0), 6)
    1.0
    """
    sigma_b = check_float(sigma_b, "sigma_b", minimum=0.0)
    _activation(phi)
    if phi == "relu":
        return float(np.sqrt(2.0))

    def g(s):
        return chi_1(s, sigma_b, phi) - 1.0

    # chi_1 grows with sigma_w; search sigma_w in (0, 2] (sigma_w^2 <= 4)
    lo, hi = 1e-3, 2.0
    if g(hi) < 0:
        raise ValueError(f"sigma_b={sigma_b} is too large: chi_1 < 1 up to "
                         f"sigma_w = {hi}")
    return float(brentq(g, lo, hi, xtol=1e-10, maxiter=500))


def simulate_correlations(c0: object, depth: int, width: int,
                          sigma_w: float, sigma_b: float, phi: str = "tanh",
                          n_pairs: int = 16, rng: RngLike = None) -> np.ndarray:
    """Correlations layer by layer in one random network with explicit weights.

    Parameters
    ----------
    c0 : array_like of shape (n_c,)
        Starting correlations in [-1, 1] of pre-activation pairs at layer 0,
        each of squared length q* (or 1 if q* is 0 or inf).
    depth : int
        Layers to propagate through.
    width : int
        Units per layer n.
    sigma_w, sigma_b : float
        W ~ N(0, sigma_w^2 / n), b ~ N(0, sigma_b^2).
    phi : {"tanh", "relu"}, default="tanh"
    n_pairs : int, default=16
        Random pairs per starting correlation, averaged.
    rng : None, int or numpy.random.Generator, default=None

    Returns
    -------
    ndarray of shape (depth + 1, n_c)
        Empirical c^l = z_a.z_b / (|z_a| |z_b|), averaged over pairs.

    Notes
    -----
    z^{l+1} = phi(z^l) W + b for all pairs at once, through the same W, b.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR.

    Examples
    --------
    >>> simulate_correlations([0.5], depth=3, width=32, sigma_w=1.0,
    ...                       sigma_b=0.3, rng=0).shape
    (4, 1)
    """
    c0 = check_array(c0, "c0", ndim=1)
    if c0.size == 0 or np.any(np.abs(c0) > 1):
        raise ValueError("c0 must be a non-empty array of values in [-1, 1]")
    depth, width = check_int(depth, "depth", 0), check_int(width, "width", 1)
    n_pairs = check_int(n_pairs, "n_pairs", 1)
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    rng = as_rng(rng)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    q = q if 0 < q < np.inf else 1.0
    # z: [2, n_c * n_pairs, n] with |z|^2 / n ~ q and correlation c0
    c = np.repeat(c0, n_pairs)[:, None]
    u = rng.standard_normal((2, c.shape[0], width))
    z = np.sqrt(q) * np.stack([u[0], c * u[0] + np.sqrt(1 - c**2) * u[1]])
    cs = [np.repeat(c0, n_pairs)]
    for _ in range(depth):
        W = rng.standard_normal((width, width)) * (sigma_w / np.sqrt(width))
        z = f(z) @ W + sigma_b * rng.standard_normal(width)
        # c^l = z_a . z_b / (|z_a| |z_b|)
        dot = np.sum(z[0] * z[1], axis=-1)
        cs.append(dot / np.sqrt(np.sum(z[0]**2, -1) * np.sum(z[1]**2, -1)))
    return np.array(cs).reshape(depth + 1, c0.size, n_pairs).mean(axis=2)


def fit_depth_scale(deviation: object, first: int = 2) -> float:
    """Depth scale xi of a decay |c^l - c*| ~ A exp(-l / xi), by least squares.

    The fit is done on the deviations themselves, not their logarithm, so
    that layers lost in finite-width noise do not bias it.

    Parameters
    ----------
    deviation : array_like of shape (depth + 1,)
        |c^l - c*| (or a difference of two such curves) for l = 0..depth.
    first : int, default=2
        First layer used (skips the nonlinear start).

    Returns
    -------
    float
        The xi in [0.3, 1000] minimising sum_l (d_l - A exp(-l / xi))^2.

    Notes
    -----
    For fixed xi the best amplitude is A = e.d / e.e with e_l = exp(-l / xi).

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR (depth scales measured the same way).

    Examples
    --------
    >>> round(fit_depth_scale(np.exp(-np.arange(10) / 4.0)), 3)
    4.0
    """
    dev = check_array(deviation, "deviation", ndim=1)
    first = check_int(first, "first", 0)
    if dev.size - first < 3:
        raise ValueError(f"deviation must have >= 3 layers from first={first}, "
                         f"got {dev.size}")
    layers, d = np.arange(dev.size)[first:], dev[first:]

    def sse(log_xi):
        # e_l = exp(-l / xi),  A = e.d / e.e
        e = np.exp(-layers / np.exp(log_xi))
        return np.sum((d - (e @ d) / (e @ e) * e) ** 2)

    best = minimize_scalar(sse, bounds=(np.log(0.3), np.log(1e3)),
                           method="bounded", options={"xatol": 1e-8})
    return float(np.exp(best.x))


def gradient_norms(depth: int, width: int, sigma_w: float, sigma_b: float,
                   phi: str = "tanh", n_inputs: int = 8,
                   rng: RngLike = None) -> np.ndarray:
    """Squared gradient norms backpropagated through one random network.

    Parameters
    ----------
    depth, width : int
        Layers and units per layer.
    sigma_w, sigma_b : float
        Weight and bias scales.
    phi : {"tanh", "relu"}, default="tanh"
    n_inputs : int, default=8
        Random inputs of squared length q*, averaged.
    rng : None, int or numpy.random.Generator, default=None

    Returns
    -------
    ndarray of shape (depth + 1,)
        |dE/dz^l|^2 / |dE/dz^depth|^2 for a random error signal at the top;
        entry 0 is about chi_1^depth.

    Notes
    -----
    delta^l = phi'(z^l) * (delta^{l+1} W^T), so E|delta^l|^2 = chi_1 E|delta^{l+1}|^2.

    References
    ----------
    S. S. Schoenholz et al. (2017), ICLR.

    Examples
    --------
    >>> gradient_norms(4, 16, 1.0, 0.1, rng=0).shape
    (5,)
    """
    depth, width = check_int(depth, "depth", 1), check_int(width, "width", 1)
    n_inputs = check_int(n_inputs, "n_inputs", 1)
    f, df = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    rng = as_rng(rng)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    # z: [n_inputs, n]
    z = np.sqrt(q if 0 < q < np.inf else 1.0) * rng.standard_normal(
        (n_inputs, width))
    Ws, slopes = [], []
    for _ in range(depth):
        Ws.append(rng.standard_normal((width, width)) * (sigma_w / np.sqrt(width)))
        slopes.append(df(z))
        z = f(z) @ Ws[-1] + sigma_b * rng.standard_normal(width)
    # delta^L: a random error signal;  delta^l = phi'(z^l) * (delta^{l+1} W^T)
    delta = rng.standard_normal((n_inputs, width))
    norms = [np.sum(delta**2)]
    for W, slope in zip(reversed(Ws), reversed(slopes)):
        delta = slope * (delta @ W.T)
        norms.append(np.sum(delta**2))
    return np.array(norms[::-1]) / norms[0]
