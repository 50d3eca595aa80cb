"""Mean-field signal propagation in deep random networks: order, chaos, criticality.

Taught in lesson 1.6.

In a wide random network with weights N(0, sigma_w^2 / n) and biases
N(0, sigma_b^2), two numbers describe a pair of inputs at layer l: the
squared length per unit q^l of a pre-activation vector and the correlation
c^l of the two pre-activation vectors. They follow deterministic maps

    q^{l+1} = sigma_w^2 E[phi(sqrt(q^l) z)^2] + sigma_b^2,
    c^{l+1} = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q*,

with z ~ N(0, 1) and (u_1, u_2) Gaussian of variance q* and correlation c^l.
chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2] is the factor by which a small
perturbation, and a squared gradient, change per layer. Where q* is finite
and positive it is also the slope of the correlation map at c = 1: order
(chi_1 < 1) or chaos (chi_1 > 1), with correlations relaxing like
exp(-l / xi_c), xi_c = -1 / ln chi_c, which diverges on the line chi_1 = 1.

For ReLU the maps are closed forms (the arc-cosine kernel of lesson 1.5).
ReLU has no chaotic phase, and without biases its correlation map does not
depend on sigma_w at all: sigma_w only sets the scale of signals and
gradients.

Gaussian expectations of tanh use the trapezoid rule on a grid whose step
shrinks like 1 / sqrt(q), so that they stay accurate at large variance.

References: `poole2016`, `schoenholz2017`, `hayou2019`, `trefethen2014`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from functools import lru_cache

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)
from physdl_docs.activations import relu, relu_grad
from physdl_docs.infinite_width import relu_kernel_step

#: phi and phi' of the activations the maps support.
ACTIVATIONS: dict[str, tuple[Callable, Callable]] = {
    "tanh": (np.tanh, lambda u: 1.0 - np.tanh(u) ** 2),
    "relu": (relu, relu_grad),
}
#: Largest sigma_w and sigma_b accepted (q* <= sigma_w^2 + sigma_b^2 for tanh).
SIGMA_W_MAX, SIGMA_B_MAX = 20.0, 10.0
#: Trapezoid grid: |z| <= Z_MAX, step STEP / max(1, sqrt(q)) in z.
Z_MAX, STEP = 9.0, 0.2
#: |chi_1 - 1| below this counts as critical.
CRITICAL_TOL = 1e-8


def _activation(phi: object) -> tuple[Callable, Callable]:
    if not isinstance(phi, str) or phi not in ACTIVATIONS:
        raise ValueError(f"phi must be one of {sorted(ACTIVATIONS)}, got {phi!r}")
    return ACTIVATIONS[phi]


def _scales(sigma_w: object, sigma_b: object) -> tuple[float, float]:
    return (check_float(sigma_w, "sigma_w", minimum=0.0, maximum=SIGMA_W_MAX),
            check_float(sigma_b, "sigma_b", minimum=0.0, maximum=SIGMA_B_MAX))


@lru_cache(maxsize=32)
def _grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """2n + 1 equally spaced z in [-Z_MAX, Z_MAX], Gaussian weights summing to 1."""
    z = np.linspace(-Z_MAX, Z_MAX, 2 * n + 1)
    w = np.exp(-0.5 * z**2)
    return z, w / w.sum()


def _nodes(q: float) -> tuple[np.ndarray, np.ndarray]:
    # phi(sqrt(q) z) changes on a scale 1 / sqrt(q) in z: the step follows it
    return _grid(int(np.ceil(Z_MAX * max(1.0, np.sqrt(q)) / STEP)))


def gaussian_expectation(f: Callable, q: float = 1.0) -> float:
    """E[f(sqrt(q) z)] for z ~ N(0, 1), by the trapezoid rule.

    Parameters
    ----------
    f : callable
        Vectorised function of one array.
    q : float, default=1.0
        Variance of the argument (>= 0).

    Returns
    -------
    float

    Notes
    -----
    E[f(sqrt(q) z)] ~ sum_k w_k f(sqrt(q) z_k), z_k equally spaced with step
    h = 0.2 / max(1, sqrt(q)), w_k proportional to exp(-z_k^2 / 2). For f
    analytic in a strip (tanh: poles at sqrt(q) z = i pi / 2) the error falls
    like exp(-pi^2 / (2 sqrt(q) h)), about 1e-11 here.

    References: `trefethen2014`.

    Examples
    --------
    >>> round(gaussian_expectation(lambda u: u**4, q=2.0), 10)
    12.0
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__}")
    q = check_float(q, "q", minimum=0.0)
    z, w = _nodes(q)
    return float(w @ f(np.sqrt(q) * z))


def _pair_expectation(f: Callable, g: Callable, c: float, q: float) -> float:
    """E[f(u_1) g(u_2)], (u_1, u_2) of variance q and correlation c."""
    z, w = _nodes(q)
    # u_1 = sqrt(q) z_1,  u_2 = sqrt(q) (c z_1 + sqrt(1 - c^2) z_2)
    u1 = np.sqrt(q) * z[:, None]
    u2 = np.sqrt(q) * (c * z[:, None] + np.sqrt(max(1.0 - c * c, 0.0)) * z)
    return float(w @ (f(u1) * g(u2)) @ w)


def _arc_cos(c: float) -> tuple[float, float]:
    """ReLU: J(c) = 2 E[phi(u_1) phi(u_2)] / q and J'(c) = (pi - theta) / pi."""
    J = relu_kernel_step([[1.0, c], [c, 1.0]], np.sqrt(2.0), 0.0)[0, 1]
    return float(J), float((np.pi - np.arccos(np.clip(c, -1.0, 1.0))) / np.pi)


def length_map(q: float, sigma_w: float, sigma_b: float,
               phi: str = "tanh") -> float:
    """One layer of the length map.

    Parameters
    ----------
    q : float
        Squared length per unit of layer l (>= 0).
    sigma_w, sigma_b : float
        Weight and bias scales (0 <= sigma_w <= 20, 0 <= sigma_b <= 10).
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        q^{l+1} = sigma_w^2 E[phi(sqrt(q) z)^2] + sigma_b^2.

    References: `poole2016`.

    Examples
    --------
    >>> round(length_map(3.0, sigma_w=2**0.5, sigma_b=0.0, phi="relu"), 10)
    3.0
    """
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = check_float(q, "q", minimum=0.0)
    # relu: E[phi(sqrt(q) z)^2] = q / 2
    m2 = q / 2 if phi == "relu" else gaussian_expectation(lambda u: f(u) ** 2, q)
    return sigma_w**2 * m2 + sigma_b**2


def fixed_point_q(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Fixed point q* of `length_map` reached from q > 0.

    Returns
    -------
    float
        q*; 0.0 if the length dies out, inf if it grows without bound
        (relu with sigma_w^2 > 2, or = 2 with sigma_b > 0), nan if every q is
        a fixed point (relu with sigma_w^2 = 2, sigma_b = 0).

    References: `poole2016`.

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
        if abs(slope - 1) <= 1e-12:  # sigma_w = sqrt(2) up to rounding
            return np.inf if sigma_b > 0 else np.nan
        return sigma_b**2 / (1 - slope) if slope < 1 else np.inf

    def g(q):
        return length_map(q, sigma_w, sigma_b) - q

    # tanh^2 < 1 puts q* below sigma_w^2 + sigma_b^2; without bias the
    # nonzero root exists iff the slope sigma_w^2 at q = 0 exceeds 1
    lo = 0.0 if sigma_b > 0 else 1e-12
    if g(lo) <= 0:
        return 0.0
    return float(brentq(g, lo, sigma_w**2 + sigma_b**2 + 1.0,
                        xtol=1e-14, rtol=1e-13))


def _finite(q: float) -> bool:
    return bool(0 < q < np.inf)


def _no_fixed_point(sigma_w: float, sigma_b: float, q: float) -> ValueError:
    return ValueError(
        f"with sigma_w={sigma_w}, sigma_b={sigma_b} the length dies out "
        f"(q* = {q}): tanh becomes linear and correlations freeze, so the "
        "correlation map has no attracting fixed point; use sigma_b > 0")


def correlation_map(c: float, sigma_w: float, sigma_b: float,
                    phi: str = "tanh") -> float:
    """One layer of the correlation map at the length fixed point q*.

    Parameters
    ----------
    c : float
        Correlation of the two pre-activation vectors at layer l, in [-1, 1].
    sigma_w, sigma_b : float
        Weight and bias scales.
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        c^{l+1}. For relu without a finite q* (no bias, or sigma_w^2 >= 2)
        this is J(c) = (sin theta + (pi - theta) cos theta) / pi with
        cos theta = c, the same for every sigma_w.

    Raises
    ------
    ValueError
        For tanh with sigma_b = 0 and sigma_w <= 1 (q* = 0).

    Notes
    -----
    c^{l+1} = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q*.

    References: `schoenholz2017`, `cho2009`.

    Examples
    --------
    >>> round(correlation_map(1.0, 1.5, 0.3), 8)
    1.0
    """
    c = check_float(c, "c", minimum=-1.0, maximum=1.0)
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    if phi == "relu":
        J, _ = _arc_cos(c)
        # E[phi(u_1) phi(u_2)] = q* J(c) / 2; without finite q*: J(c)
        return (sigma_w**2 * J / 2 + sigma_b**2 / q) if _finite(q) else J
    if not _finite(q):
        raise _no_fixed_point(sigma_w, sigma_b, q)
    return _cmap(c, q, sigma_w, sigma_b, f)


def _cmap(c: float, q: float, sigma_w: float, sigma_b: float,
          f: Callable) -> float:
    # c' = (sigma_w^2 E[phi(u_1) phi(u_2)] + sigma_b^2) / q*
    return (sigma_w**2 * _pair_expectation(f, f, c, q) + sigma_b**2) / q


def chi_1(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Per-layer factor chi_1 of perturbations and squared gradients.

    Parameters
    ----------
    sigma_w, sigma_b : float
        Weight and bias scales.
    phi : {"tanh", "relu"}, default="tanh"

    Returns
    -------
    float
        chi_1 = sigma_w^2 E[phi'(sqrt(q*) z)^2]: sigma_w^2 / 2 for relu,
        sigma_w^2 for tanh when q* = 0.

    Notes
    -----
    The mean squared singular value of one layer's Jacobian. Where q* is
    finite and positive it is also the slope of the correlation map at
    c = 1 (order below 1, chaos above); otherwise see `phase`.

    References: `poole2016`, `schoenholz2017`.

    Examples
    --------
    >>> round(chi_1(2**0.5, 0.0, phi="relu"), 10)
    1.0
    """
    _, df = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    if phi == "relu":
        return sigma_w**2 / 2  # E[phi'(u)^2] = P(u > 0) for every q
    q = fixed_point_q(sigma_w, sigma_b, phi)
    return sigma_w**2 * gaussian_expectation(lambda u: df(u) ** 2, q)


def correlation_fixed_point(sigma_w: float, sigma_b: float,
                            phi: str = "tanh") -> float:
    """Attracting fixed point c* of `correlation_map`.

    1.0 in the ordered phase and always for relu; below 1 in the chaotic
    phase. Raises ValueError for tanh when q* = 0 (see `correlation_map`).

    References: `poole2016`.

    Examples
    --------
    >>> correlation_fixed_point(1.0, 0.3)
    1.0
    """
    f, _ = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    if phi == "relu":
        return 1.0  # J(c) > c for c < 1: relu never decorrelates
    q = fixed_point_q(sigma_w, sigma_b, phi)
    if not _finite(q):
        raise _no_fixed_point(sigma_w, sigma_b, q)
    if chi_1(sigma_w, sigma_b, phi) <= 1:
        return 1.0

    def g(c):
        return _cmap(c, q, sigma_w, sigma_b, f) - c

    # chaos: g < 0 just below c = 1, and g(0) = sigma_b^2 / q* >= 0
    if g(0.0) <= 1e-14:
        return 0.0
    hi = 1.0 - 1e-6
    return 1.0 if g(hi) >= 0 else float(brentq(g, 0.0, hi, xtol=1e-13))


def chi_c(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Slope chi_c of the correlation map at its fixed point c*.

    chi_c = sigma_w^2 E[phi'(u_1) phi'(u_2)] at correlation c* (= chi_1
    when c* = 1 and q* is finite); exactly 1 for relu without finite q*.

    References: `schoenholz2017`.

    Examples
    --------
    >>> round(chi_c(1.0, 0.3), 4) == round(chi_1(1.0, 0.3), 4)
    True
    """
    _, df = _activation(phi)
    c = correlation_fixed_point(sigma_w, sigma_b, phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    q = fixed_point_q(sigma_w, sigma_b, phi)
    if phi == "relu":
        # d/dc of sigma_w^2 q* J(c) / (2 q*), or of J(c) without finite q*
        _, dJ = _arc_cos(c)
        return sigma_w**2 / 2 * dJ if _finite(q) else dJ
    return sigma_w**2 * _pair_expectation(df, df, c, q)


def depth_scale(sigma_w: float, sigma_b: float, phi: str = "tanh") -> float:
    """Correlation depth scale xi_c = -1 / ln chi_c, in layers.

    Returns
    -------
    float
        inf where correlations do not relax exponentially: on the critical
        line, and wherever the length has no finite fixed point q* > 0
        (sigma_b = 0 below criticality, relu with sigma_w^2 >= 2). For relu
        without bias chi_c = 1 for every sigma_w: correlations reach 1 only
        as a power of depth, 1 - c^l ~ 9 pi^2 / (2 l^2).

    Notes
    -----
    |c^l - c*| ~ exp(-l / xi_c).

    References: `schoenholz2017`, `hayou2019`.

    Examples
    --------
    >>> depth_scale(1.0, 0.0), depth_scale(1.0, 0.0, phi="relu")
    (inf, inf)
    """
    _activation(phi)
    if not _finite(fixed_point_q(sigma_w, sigma_b, phi)):
        return np.inf
    x = chi_c(sigma_w, sigma_b, phi)
    if x == 0.0:
        return 0.0  # sigma_w = 0: one layer forgets everything
    # chi_c within rounding of 1 counts as critical
    return np.inf if x >= 1.0 - 1e-12 else float(-1.0 / np.log(x))


def phase(sigma_w: float, sigma_b: float, phi: str = "tanh") -> str:
    """Which regime an initialisation is in.

    Returns
    -------
    str
        "ordered" or "chaotic" (finite q* > 0, chi_1 < 1 or > 1),
        "critical" (chi_1 = 1), "vanishing" (q* = 0: the signal dies out
        and correlations freeze), or "growing" (relu, q* = inf).

    References: `poole2016`, `hayou2019`.

    Examples
    --------
    >>> phase(1.0, 0.0, "relu"), phase(2**0.5, 0.0, "relu")
    ('vanishing', 'critical')
    """
    q, x = fixed_point_q(sigma_w, sigma_b, phi), chi_1(sigma_w, sigma_b, phi)
    if q == np.inf:
        return "growing"
    if abs(x - 1.0) <= CRITICAL_TOL:
        return "critical"
    if not q > 0:
        return "vanishing"
    return "ordered" if x < 1 else "chaotic"


def critical_sigma_w(sigma_b: float, phi: str = "tanh") -> float:
    """sigma_w on the critical line chi_1(sigma_w, sigma_b) = 1.

    Returns
    -------
    float
        sqrt(2) for relu at every sigma_b (He initialisation; beyond it the
        length grows without bound, there is no chaotic phase).

    References: `schoenholz2017`.

    Examples
    --------
    >>> round(critical_sigma_w(0.0), 6)
    1.0
    """
    sigma_b = check_float(sigma_b, "sigma_b", minimum=0.0, maximum=SIGMA_B_MAX)
    _activation(phi)
    if phi == "relu":
        return float(np.sqrt(2.0))

    def g(s):
        return chi_1(s, sigma_b, phi) - 1.0

    return float(brentq(g, 1e-3, SIGMA_W_MAX, xtol=1e-10, maxiter=500))


def simulate_correlations(c0: object, depth: int, width: int,
                          sigma_w: float, sigma_b: float, phi: str = "tanh",
                          n_pairs: int = 16, rng: RngLike = None) -> np.ndarray:
    """Correlations layer by layer in one random network with explicit weights.

    Parameters
    ----------
    c0 : array_like of shape (n_c,)
        Starting correlations in [-1, 1], each pair of squared length q*
        (or 1 if q* is 0, inf or nan).
    depth, width : int
        Layers and units per layer n.
    sigma_w, sigma_b : float
        W ~ N(0, sigma_w^2 / n), b ~ N(0, sigma_b^2).
    phi : {"tanh", "relu"}, default="tanh"
    n_pairs : int, default=16
        Random pairs per starting correlation, averaged.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    ndarray of shape (depth + 1, n_c)
        c^l = z_a . z_b / (|z_a| |z_b|), averaged over pairs.

    References: `schoenholz2017`.

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
    q = q if _finite(q) else 1.0
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
    """Depth scale xi of a decay d_l ~ A exp(-l / xi), by least squares.

    Fitted on the deviations themselves, not their logarithm, so that layers
    lost in finite-width noise do not bias it.

    Parameters
    ----------
    deviation : array_like of shape (depth + 1,)
        d_l = |c^l - c*| (or a difference of two such curves), l = 0..depth.
    first : int, default=2
        First layer used (skips the nonlinear start).

    Returns
    -------
    float
        xi in [0.3, 1000] minimising sum_l (d_l - A exp(-l / xi))^2; inf,
        with a RuntimeWarning, if d_l does not decay measurably.

    Raises
    ------
    ValueError
        If fewer than 3 layers are used, or d_l is zero or negative overall.

    References: `schoenholz2017`.

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
    if not np.sum(d) > 0:
        raise ValueError("deviation must be positive overall (a decaying "
                         f"|c^l - c*|), got sum {np.sum(d):.3g}")

    def sse(log_xi):
        # e_l = exp(-l / xi),  best amplitude A = e.d / e.e
        e = np.exp(-layers / np.exp(log_xi))
        return np.sum((d - (e @ d) / (e @ e) * e) ** 2)

    bounds = (np.log(0.3), np.log(1e3))
    best = minimize_scalar(sse, bounds=bounds, method="bounded",
                           options={"xatol": 1e-8})
    if best.x > bounds[1] - 1e-3:
        warnings.warn(f"deviation does not decay over layers {first}.."
                      f"{dev.size - 1}: depth scale > 1000 layers, returning "
                      "inf", RuntimeWarning, stacklevel=2)
        return np.inf
    return float(np.exp(best.x))


def gradient_norms(depth: int, width: int, sigma_w: float,
                   sigma_b: float = 0.0, phi: str | tuple = "tanh",
                   n_inputs: int = 8, rng: RngLike = None, *,
                   inputs: object = None,
                   branch_scale: float | None = None) -> np.ndarray:
    """Squared gradient norms backpropagated through one random network.

    Forward h^l = phi(z^l), z^l = h^{l-1} W^lT + b^l (with `branch_scale`
    a: h^l = h^{l-1} + a phi(z^l)); then a N(0, 1) gradient g^L = dE/dh^L
    is carried down to the input.

    Parameters
    ----------
    depth, width : int
        Layers L >= 1 and units per layer n.
    sigma_w, sigma_b : float
        W ~ N(0, sigma_w^2 / n), b ~ N(0, sigma_b^2) (no draw if 0).
    phi : {"tanh", "relu"} or (callable, callable), default="tanh"
        Activation, or a pair (phi, phi') when `inputs` is given.
    n_inputs : int, default=8
        Batch size when `inputs` is None.
    rng : None, int or numpy.random.Generator
        Draws in order: inputs, then W^l (and b^l) per layer, then g^L.
    inputs : array_like of shape (batch, width), optional
        h^0. Default phi(sqrt(q*) xi), xi ~ N(0, 1): every z^l then has
        squared length q* (q = 1 if q* is 0, inf or nan).
    branch_scale : float, optional
        a > 0 for residual blocks; None for a plain network.

    Returns
    -------
    ndarray of shape (depth + 1,)
        |g^l|^2 / |g^L|^2 for l = 0..L; entry 0 is about chi_1^L.
        A RuntimeWarning flags ratios beyond float64's range (0 or inf) and
        a forward pass that overflows (then all nan).

    Notes
    -----
    g^{l-1} = (g^l * phi'(z^l)) W^l (+ g^l in a residual block), so
    E|g^{l-1}|^2 = chi_1 E|g^l|^2. Kept at unit size by exact powers of two
    on the way down, so no layer underflows.

    References: `schoenholz2017`, `glorot2010`.

    Examples
    --------
    >>> gradient_norms(4, 16, 1.0, 0.1, rng=0).shape
    (5,)
    """
    depth, width = check_int(depth, "depth", 1), check_int(width, "width", 1)
    n_inputs = check_int(n_inputs, "n_inputs", 1)
    if isinstance(phi, tuple) and len(phi) == 2 and all(map(callable, phi)):
        f, df = phi
        if inputs is None:
            raise ValueError("inputs must be given when phi is a (phi, phi') "
                             "pair: q* is known only for named activations")
    else:
        f, df = _activation(phi)
    sigma_w, sigma_b = _scales(sigma_w, sigma_b)
    a = None if branch_scale is None else check_float(
        branch_scale, "branch_scale", minimum=0.0, strict=True)
    rng = as_rng(rng)
    if inputs is None:
        q = fixed_point_q(sigma_w, sigma_b, phi)
        h = f(np.sqrt(q if _finite(q) else 1.0)
              * rng.standard_normal((n_inputs, width)))
    else:
        h = check_array(inputs, "inputs", shape=(None, width))
    # forward: z^l = h^{l-1} W^lT + b^l;  h, z: [batch, width]
    Ws, zs = [], []
    for _ in range(depth):
        Ws.append(rng.normal(0.0, sigma_w / np.sqrt(width), (width, width)))
        with np.errstate(over="ignore", invalid="ignore"):
            zs.append(h @ Ws[-1].T)
        if sigma_b > 0:
            zs[-1] += sigma_b * rng.standard_normal(width)
        if not np.all(np.isfinite(zs[-1])):
            warnings.warn(f"the forward signal overflowed at layer {len(zs)}",
                          RuntimeWarning, stacklevel=2)
            return np.full(depth + 1, np.nan)
        h = h + a * f(zs[-1]) if a else f(zs[-1])
    # backward: g^{l-1} = (g^l * phi'(z^l)) W^l  (+ g^l in a residual block)
    g = rng.standard_normal(h.shape)
    log_sq, log_scale = [np.log(np.sum(g**2))], 0.0  # ln |g^l|^2, l = L..0
    for W, z in zip(reversed(Ws), reversed(zs)):
        back = (g * df(z)) @ W
        g = g + a * back if a else back
        sq = np.sum(g**2)
        if sq == 0:
            warnings.warn(f"the gradient is exactly 0 below layer {len(Ws) - len(log_sq) + 1}"
                          " (no unit passes a gradient)", RuntimeWarning,
                          stacklevel=2)
            log_sq += [-np.inf] * (depth + 1 - len(log_sq))
            return np.exp(np.array(log_sq[::-1]) - log_sq[0])
        log_sq.append(np.log(sq) + log_scale)
        # |g|^2 = m 4^e: divide g by 2^e, exactly, so it never underflows
        e = np.frexp(sq)[1] // 2
        g, log_scale = np.ldexp(g, -e), log_scale + 2 * e * np.log(2.0)
    with np.errstate(over="ignore", under="ignore"):
        ratio = np.exp(np.array(log_sq[::-1]) - log_sq[0])
    if np.any((ratio == 0) | ~np.isfinite(ratio)):
        warnings.warn("a gradient norm ratio is beyond float64's range "
                      f"(ln |g^0|^2/|g^L|^2 = {log_sq[-1] - log_sq[0]:.4g})",
                      RuntimeWarning, stacklevel=2)
    return ratio
