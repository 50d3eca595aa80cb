"""Gradient descent and heavy-ball momentum on an ill-conditioned quadratic.

Taught in lesson 3.3. On ``f(x) = 1/2 x^T A x`` with the eigenvalues of
``A`` in ``[mu, L]`` (condition number ``kappa = L / mu``), gradient descent
with the best constant step shrinks the error by ``(kappa - 1)/(kappa + 1)``
per step. Polyak's heavy ball adds a fraction ``beta`` of the last step,

    x_{k+1} = x_k - lr grad f(x_k) + beta (x_k - x_{k-1}),

and with the best ``lr`` and ``beta`` shrinks it by
``(sqrt(kappa) - 1)/(sqrt(kappa) + 1)``. `fraction_positive_definite`
counts how often a random symmetric matrix (a random Hessian) has no
negative eigenvalue: almost never in high dimension, so most stationary
points of a high-dimensional random function are saddles."""

from __future__ import annotations

import math
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
    "fraction_positive_definite",
    "gd_rate",
    "heavy_ball",
    "heavy_ball_rate",
    "ill_conditioned_quadratic",
    "iterations_to",
    "measured_rate",
    "nesterov_rate",
    "optimal_gd_step",
    "optimal_heavy_ball",
    "quadratic",
]


def _check_spectrum(mu: float, L: float) -> tuple[float, float]:
    mu = check_float(mu, "mu", minimum=0.0, strict=True)
    L = check_float(L, "L", minimum=mu)
    return mu, L


def ill_conditioned_quadratic(
    kappa: float = 100.0, dim: int = 2
) -> np.ndarray:
    """The Hessian ``A`` of a quadratic with condition number ``kappa``.

    Parameters
    ----------
    kappa : float, default 100.0
        Condition number ``L / mu >= 1``.
    dim : int, default 2
        Dimension ``>= 2``.

    Returns
    -------
    ndarray of shape (dim, dim)
        ``diag(1, ..., kappa)`` with eigenvalues spaced geometrically.

    Notes
    -----
    .. math:: A = \\operatorname{diag}(\\lambda_i), \\quad
              \\lambda_i = \\kappa^{i / (d - 1)}, \\; i = 0, \\dots, d - 1

    References: `polyak1964`

    Examples
    --------
    >>> ill_conditioned_quadratic(100.0)
    array([[  1.,   0.],
           [  0., 100.]])
    """
    kappa = check_float(kappa, "kappa", minimum=1.0)
    dim = check_int(dim, "dim", minimum=2)
    return np.diag(np.geomspace(1.0, kappa, dim))


def quadratic(A: np.ndarray, x: np.ndarray) -> np.ndarray:
    """The loss ``f(x) = 1/2 x^T A x`` at one point or a stack of points.

    Parameters
    ----------
    A : array_like of shape (d, d)
        Symmetric Hessian.
    x : array_like of shape (..., d)
        One point, or any stack of points along the leading axes.

    Returns
    -------
    ndarray of shape (...)
        ``f`` at each point.

    Notes
    -----
    .. math:: f(\\mathbf{x}) = \\tfrac12\\, \\mathbf{x}^\\top A \\mathbf{x}

    References: `nocedal2006`

    Examples
    --------
    >>> float(quadratic([[1.0, 0.0], [0.0, 100.0]], [1.0, 0.1]))
    1.0
    """
    A = check_array(A, "A", ndim=2)
    if A.shape[0] != A.shape[1]:
        raise ValueError(f"A must be a square matrix, got shape {A.shape}")
    x = check_array(x, "x")
    if x.ndim == 0 or x.shape[-1] != A.shape[0]:
        raise ValueError(
            f"x must have last axis {A.shape[0]} to match A of shape "
            f"{A.shape}, got shape {x.shape}"
        )
    # f = 1/2 x^T A x   (x: [..., d])
    return 0.5 * np.einsum("...i,ij,...j->...", x, A, x)


def optimal_gd_step(mu: float, L: float) -> float:
    """The constant step that makes gradient descent converge fastest.

    Parameters
    ----------
    mu, L : float
        Smallest and largest eigenvalue of ``A``, ``0 < mu <= L``.

    Returns
    -------
    float
        ``lr = 2 / (mu + L)``.

    Notes
    -----
    Each eigen-direction shrinks by ``|1 - lr lambda|``; the largest of
    these, over ``lambda`` in ``[mu, L]``, is smallest when the two ends
    balance:

    .. math:: 1 - \\mathrm{lr}\\,\\mu = \\mathrm{lr}\\,L - 1

    References: `polyak1964`

    Examples
    --------
    >>> print(f"{optimal_gd_step(1.0, 100.0):.5f}")
    0.01980
    """
    mu, L = _check_spectrum(mu, L)
    return 2.0 / (mu + L)


def optimal_heavy_ball(mu: float, L: float) -> tuple[float, float]:
    """Polyak's best step size and momentum for eigenvalues in ``[mu, L]``.

    Parameters
    ----------
    mu, L : float
        Smallest and largest eigenvalue of ``A``, ``0 < mu <= L``.

    Returns
    -------
    lr : float
        ``4 / (sqrt(L) + sqrt(mu))^2``.
    beta : float
        ``((sqrt(L) - sqrt(mu)) / (sqrt(L) + sqrt(mu)))^2``.

    Notes
    -----
    With these values every eigen-direction oscillates with the same
    modulus ``sqrt(beta)``:

    .. math:: \\mathrm{lr} = \\frac{4}{(\\sqrt L + \\sqrt\\mu)^2}, \\quad
              \\beta = \\left(\\frac{\\sqrt\\kappa - 1}
              {\\sqrt\\kappa + 1}\\right)^2

    References: `polyak1964`

    Examples
    --------
    >>> lr, beta = optimal_heavy_ball(1.0, 100.0)
    >>> print(f"{lr:.5f} {beta:.5f}")
    0.03306 0.66942
    """
    mu, L = _check_spectrum(mu, L)
    s_mu, s_L = math.sqrt(mu), math.sqrt(L)
    # lr = 4 / (sqrt L + sqrt mu)^2,  beta = ((sqrt L - sqrt mu) / (...))^2
    return 4.0 / (s_L + s_mu) ** 2, ((s_L - s_mu) / (s_L + s_mu)) ** 2


def gd_rate(kappa: float) -> float:
    """Per-step error factor of gradient descent with the best step.

    Returns ``(kappa - 1) / (kappa + 1)``; see `optimal_gd_step`.

    Parameters
    ----------
    kappa : float
        Condition number ``>= 1``.

    Returns
    -------
    float
        The rate ``r``: ``||x_k|| = r^k ||x_0||`` at worst.

    Notes
    -----
    .. math:: r_\\text{GD} = \\frac{\\kappa - 1}{\\kappa + 1}

    References: `polyak1964`

    Examples
    --------
    >>> print(f"{gd_rate(100):.3f}")
    0.980
    """
    kappa = check_float(kappa, "kappa", minimum=1.0)
    return (kappa - 1.0) / (kappa + 1.0)


def heavy_ball_rate(kappa: float) -> float:
    """Per-step error factor of the heavy ball with Polyak's parameters.

    Parameters
    ----------
    kappa : float
        Condition number ``>= 1``.

    Returns
    -------
    float
        ``(sqrt(kappa) - 1) / (sqrt(kappa) + 1)``.

    Notes
    -----
    .. math:: r_\\text{HB} = \\frac{\\sqrt\\kappa - 1}{\\sqrt\\kappa + 1}

    References: `polyak1964`

    Examples
    --------
    >>> print(f"{heavy_ball_rate(100):.3f}")
    0.818
    """
    kappa = check_float(kappa, "kappa", minimum=1.0)
    return (math.sqrt(kappa) - 1.0) / (math.sqrt(kappa) + 1.0)


def nesterov_rate(kappa: float) -> float:
    """Per-step factor of Nesterov's method on a quadratic.

    With ``lr = 1 / L`` and ``beta = (sqrt(kappa) - 1) / (sqrt(kappa) + 1)``
    the slowest direction (``lambda = mu``) oscillates with modulus
    ``1 - 1 / sqrt(kappa)``.

    Parameters
    ----------
    kappa : float
        Condition number ``>= 1``.

    Returns
    -------
    float
        ``1 - 1 / sqrt(kappa)``.

    Notes
    -----
    .. math:: r_\\text{NAG} = 1 - \\frac{1}{\\sqrt\\kappa}

    References: `nesterov1983`

    Examples
    --------
    >>> print(f"{nesterov_rate(100):.3f}")
    0.900
    """
    kappa = check_float(kappa, "kappa", minimum=1.0)
    return 1.0 - 1.0 / math.sqrt(kappa)


def heavy_ball(
    A: np.ndarray,
    x0: np.ndarray,
    lr: float,
    beta: float = 0.0,
    n_steps: int = 100,
    nesterov: bool = False,
) -> np.ndarray:
    """Run gradient descent with (heavy-ball or Nesterov) momentum.

    ``beta = 0`` is plain gradient descent. The walk starts at rest
    (``x_{-1} = x_0``).

    Parameters
    ----------
    A : array_like of shape (d, d)
        Symmetric Hessian of ``f(x) = 1/2 x^T A x``.
    x0 : array_like of shape (d,)
        Start (not modified).
    lr : float
        Step size ``> 0``.
    beta : float, default 0.0
        Momentum, ``0 <= beta < 1``.
    n_steps : int, default 100
        Number of steps.
    nesterov : bool, default False
        Evaluate the gradient at the look-ahead point
        ``x_k + beta (x_k - x_{k-1})`` (Nesterov) instead of at ``x_k``.

    Returns
    -------
    ndarray of shape (n_steps + 1, d)
        The iterates ``x_0, ..., x_{n_steps}``. If they overflow (a learning
        rate too large for ``A``), a ``RuntimeWarning`` says so.

    Notes
    -----
    .. math:: \\mathbf{x}_{k+1} = \\mathbf{x}_k - \\mathrm{lr}\\,
              \\nabla f(\\mathbf{x}_k) + \\beta (\\mathbf{x}_k
              - \\mathbf{x}_{k-1}), \\quad \\nabla f = A \\mathbf{x}

    References: `polyak1964`, `nesterov1983`, `sutskever2013`

    Examples
    --------
    >>> A = ill_conditioned_quadratic(100.0)
    >>> xs = heavy_ball(A, [1.0, 0.1], lr=0.01, beta=0.5, n_steps=3)
    >>> xs.shape
    (4, 2)
    """
    A = check_array(A, "A", ndim=2)
    d = A.shape[0]
    if A.shape != (d, d) or not np.allclose(A, A.T):
        raise ValueError(
            f"A must be a symmetric square matrix, got shape {A.shape}"
        )
    x = check_array(x0, "x0", shape=(d,)).copy()
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    beta = check_float(beta, "beta", minimum=0.0, maximum=1.0)
    if beta == 1.0:
        raise ValueError("beta must be < 1, got 1.0")
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    if not isinstance(nesterov, (bool, np.bool_)):
        raise TypeError(
            f"nesterov must be a bool, got {type(nesterov).__name__}"
        )
    xs = np.empty((n_steps + 1, d))  # xs: [n_steps + 1, d]
    xs[0] = x
    x_prev = x.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(n_steps):
            # look-ahead y = x_k + beta (x_k - x_{k-1}) for Nesterov, else x_k
            y = x + beta * (x - x_prev) if nesterov else x
            # x_{k+1} = x_k - lr A y + beta (x_k - x_{k-1})
            x, x_prev = x - lr * (A @ y) + beta * (x - x_prev), x
            xs[k + 1] = x
    bad = ~np.isfinite(xs).all(axis=1)
    if bad.any():
        warnings.warn(f"heavy_ball diverged: the iterates overflow at step "
                      f"{int(np.argmax(bad))} (lr={lr} is too large for A; "
                      f"gradient descent needs lr < 2 / L)", RuntimeWarning,
                      stacklevel=2)
    return xs


def measured_rate(errors: np.ndarray) -> float:
    """Per-step factor over the second half of a run of errors.

    Parameters
    ----------
    errors : array_like of shape (n,)
        Positive errors ``e_0, ..., e_{n-1}`` (e.g. ``||x_k||``), ``n >= 3``.

    Returns
    -------
    float
        ``(e_{n-1} / e_m)^(1 / (n - 1 - m))`` with ``m = (n - 1) // 2``;
        skipping the first half skips the transient.

    Notes
    -----
    .. math:: \\hat r = \\left(e_{n-1} / e_m\\right)^{1/(n - 1 - m)}

    References: `goh2017`

    Examples
    --------
    >>> print(f"{measured_rate(0.5 ** np.arange(11)):.3f}")
    0.500
    """
    e = check_array(errors, "errors", ndim=1)
    if e.size < 3 or np.any(e <= 0):
        raise ValueError("errors must hold at least 3 positive values")
    m = (e.size - 1) // 2
    # r = (e_{n-1} / e_m)^(1 / (n - 1 - m))
    return float((e[-1] / e[m]) ** (1.0 / (e.size - 1 - m)))


def iterations_to(errors: np.ndarray, tol: float = 1e-5) -> int:
    """First step ``k`` with ``e_k <= tol * e_0``; -1 if never reached.

    Parameters
    ----------
    errors : array_like of shape (n,)
        Errors ``e_0, ..., e_{n-1}``, ``e_0 > 0``.
    tol : float, default 1e-5
        Relative tolerance in ``(0, 1)``.

    Returns
    -------
    int
        The step count, or -1.

    Notes
    -----
    .. math:: k^\\ast = \\min\\{k : e_k \\le \\mathrm{tol}\\; e_0\\}

    References: `nocedal2006`

    Examples
    --------
    >>> iterations_to(0.5 ** np.arange(30), tol=1e-3)
    10
    """
    e = check_array(errors, "errors", ndim=1)
    tol = check_float(tol, "tol", minimum=0.0, maximum=1.0, strict=True)
    if e.size == 0 or e[0] <= 0:
        raise ValueError("errors must be non-empty with errors[0] > 0")
    hits = np.flatnonzero(e <= tol * e[0])
    return int(hits[0]) if hits.size else -1


def fraction_positive_definite(
    dim: int, n_samples: int = 10_000, rng: RngLike = None
) -> float:
    """Fraction of random symmetric (GOE) matrices with all eigenvalues > 0.

    A random Hessian stands in for the curvature at a stationary point of a
    high-dimensional random function: the point is a minimum only if every
    eigenvalue is positive.

    Parameters
    ----------
    dim : int
        Matrix size ``d >= 1``.
    n_samples : int, default 10000
        Number of matrices.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    float
        The Monte-Carlo fraction; ``1/2`` for ``d = 1``,
        ``1/2 - 1/(2 sqrt 2) ~ 0.146`` for ``d = 2``; for large ``d``,
        ``-ln(fraction) / d^2 -> (ln 3) / 4 ~ 0.275`` (only asymptotically).

    Notes
    -----
    With ``G`` a ``d x d`` matrix of independent standard normals,

    .. math:: H = (G + G^\\top) / 2, \\qquad
              \\lim_{d \\to \\infty} -\\frac{1}{d^2}
              \\ln \\Pr(\\lambda_\\text{min}(H) > 0) = \\frac{\\ln 3}{4}

    References: `dean2006`, `dauphin2014`

    Examples
    --------
    >>> print(f"{fraction_positive_definite(1, 4000, rng=0):.1f}")
    0.5
    """
    dim = check_int(dim, "dim", minimum=1)
    n_samples = check_int(n_samples, "n_samples", minimum=1)
    rng = as_rng(rng)
    G = rng.standard_normal((n_samples, dim, dim))  # G: [n_samples, d, d]
    # H = (G + G^T) / 2, a GOE matrix
    H = 0.5 * (G + G.transpose(0, 2, 1))
    lam_min = np.linalg.eigvalsh(H)[:, 0]  # eigenvalues come sorted
    return float(np.mean(lam_min > 0))
