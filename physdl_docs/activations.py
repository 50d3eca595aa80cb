"""Activation functions and their derivatives: ReLU, leaky ReLU, GELU, SiLU.

Taught in lesson 3.5.

- ReLU ``max(0, x)`` is continuous with a kink at 0, where it has no
  derivative; any value in ``[0, 1]`` is a valid subgradient. ``relu_grad``
  uses 0 there, as ``torch.relu`` does.
- GELU is ``x Phi(x)`` with ``Phi`` the standard normal CDF
  (Hendrycks & Gimpel 2016). Its tanh approximation is within 4.7e-4 of it,
  the sigmoid approximation ``x sigmoid(1.702 x)`` within 2.0e-2.
- SiLU (swish) is ``x sigmoid(x)`` (Elfwing et al. 2018; Ramachandran et
  al. 2017).

All functions are numpy, elementwise, and return float64 arrays; the unit
tests compare them with ``torch.nn.functional`` and ``torch.autograd``.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import expit, ndtr

from physdl_docs._validation import check_array, check_float, check_int

__all__ = [
    "APPROXIMATIONS",
    "gelu",
    "gelu_approximation_error",
    "gelu_grad",
    "gelu_minimum",
    "leaky_relu",
    "leaky_relu_grad",
    "relu",
    "relu_grad",
    "silu",
    "silu_grad",
]

#: The values ``approximate`` accepts in `gelu` and `gelu_grad`.
APPROXIMATIONS = ("none", "tanh", "sigmoid")

_C = math.sqrt(2.0 / math.pi)  # sqrt(2 / pi) in the tanh approximation
_A = 0.044715  # cubic coefficient in the tanh approximation
_K = 1.702  # slope in the sigmoid approximation


def _phi(x: np.ndarray) -> np.ndarray:
    # standard normal density phi(x) = exp(-x^2 / 2) / sqrt(2 pi)
    return np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _check_approximate(approximate: str) -> str:
    if approximate not in APPROXIMATIONS:
        raise ValueError(
            f"approximate must be one of {APPROXIMATIONS}, got {approximate!r}"
        )
    return approximate


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit, ``max(0, x)``.

    Parameters
    ----------
    x : array_like
        Input of any shape (not modified).

    Returns
    -------
    ndarray of the shape of ``x``
        ``max(0, x)`` elementwise.

    Notes
    -----
    .. math:: \\operatorname{ReLU}(x) = \\max(0, x)

    References: `glorot2011`

    Examples
    --------
    >>> relu([-1.0, 0.0, 2.0])
    array([0., 0., 2.])
    """
    x = check_array(x, "x")
    return np.maximum(x, 0.0)


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ReLU, with the value 0 at the kink (as in PyTorch).

    Parameters
    ----------
    x : array_like
        Input of any shape.

    Returns
    -------
    ndarray of the shape of ``x``
        1 where ``x > 0``, else 0.

    Notes
    -----
    At 0 the one-sided derivatives are 0 and 1; any value in ``[0, 1]`` is
    a subgradient. ``torch.relu`` uses 0:

    .. math:: \\operatorname{ReLU}'(x) = \\mathbb{1}[x > 0]

    References: `bertoin2021`

    Examples
    --------
    >>> relu_grad([-1.0, 0.0, 2.0])
    array([0., 0., 1.])
    """
    x = check_array(x, "x")
    return (x > 0).astype(np.float64)


def leaky_relu(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """Leaky ReLU: ``x`` for ``x >= 0``, ``negative_slope * x`` below.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    negative_slope : float, default 0.01
        Slope for negative inputs, ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: f(x) = \\max(0, x) + a \\min(0, x)

    References: `maas2013`

    Examples
    --------
    >>> leaky_relu([-2.0, 3.0], negative_slope=0.1)
    array([-0.2,  3. ])
    """
    x = check_array(x, "x")
    a = check_float(negative_slope, "negative_slope", minimum=0.0)
    # f = max(0, x) + a min(0, x)
    return np.maximum(x, 0.0) + a * np.minimum(x, 0.0)


def leaky_relu_grad(x: np.ndarray, negative_slope: float = 0.01) -> np.ndarray:
    """Derivative of leaky ReLU, with ``negative_slope`` at 0 (as in PyTorch).

    Parameters
    ----------
    x : array_like
        Input of any shape.
    negative_slope : float, default 0.01
        Slope for negative inputs, ``>= 0``.

    Returns
    -------
    ndarray of the shape of ``x``
        1 where ``x > 0``, else ``negative_slope``.

    Notes
    -----
    .. math:: f'(x) = \\mathbb{1}[x > 0] + a\\, \\mathbb{1}[x \\le 0]

    References: `maas2013`

    Examples
    --------
    >>> leaky_relu_grad([-2.0, 0.0, 3.0], negative_slope=0.1)
    array([0.1, 0.1, 1. ])
    """
    x = check_array(x, "x")
    a = check_float(negative_slope, "negative_slope", minimum=0.0)
    return np.where(x > 0, 1.0, a)


def gelu(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """Gaussian error linear unit ``x Phi(x)``, exact or approximated.

    Parameters
    ----------
    x : array_like
        Input of any shape.
    approximate : {"none", "tanh", "sigmoid"}, default "none"
        ``"none"``: ``x Phi(x)`` with ``Phi`` the standard normal CDF;
        ``"tanh"``: ``x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))``;
        ``"sigmoid"``: ``x sigmoid(1.702 x)``.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: \\operatorname{GELU}(x) = x\\, \\Phi(x), \\quad
              \\Phi(x) = \\tfrac12 \\left[1 + \\operatorname{erf}
              (x / \\sqrt 2)\\right]

    References: `hendrycks2016`

    Examples
    --------
    >>> print(np.round(gelu([-1.0, 0.0, 1.0]), 4))
    [-0.1587  0.      0.8413]
    """
    x = check_array(x, "x")
    approximate = _check_approximate(approximate)
    if approximate == "tanh":
        # x/2 (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))
        return 0.5 * x * (1.0 + np.tanh(_C * (x + _A * x**3)))
    if approximate == "sigmoid":
        # x sigmoid(1.702 x)
        return x * expit(_K * x)
    # x Phi(x), Phi = standard normal CDF
    return x * ndtr(x)


def gelu_grad(x: np.ndarray, approximate: str = "none") -> np.ndarray:
    """Derivative of `gelu` (same ``approximate`` options).

    Parameters
    ----------
    x : array_like
        Input of any shape.
    approximate : {"none", "tanh", "sigmoid"}, default "none"
        Which form to differentiate.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    For the exact form, with ``phi`` the standard normal density,

    .. math:: \\operatorname{GELU}'(x) = \\Phi(x) + x\\, \\phi(x)

    References: `hendrycks2016`

    Examples
    --------
    >>> print(f"{gelu_grad(0.0).item():.2f}")
    0.50
    """
    x = check_array(x, "x")
    approximate = _check_approximate(approximate)
    if approximate == "tanh":
        t = np.tanh(_C * (x + _A * x**3))
        # 1/2 (1 + t) + x/2 (1 - t^2) sqrt(2/pi) (1 + 3 a x^2)
        return 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * _C * (
            1.0 + 3.0 * _A * x * x
        )
    if approximate == "sigmoid":
        s = expit(_K * x)
        # s + k x s (1 - s)
        return s + _K * x * s * (1.0 - s)
    # Phi(x) + x phi(x)
    return ndtr(x) + x * _phi(x)


def silu(x: np.ndarray) -> np.ndarray:
    """Sigmoid-weighted linear unit (swish with beta = 1), ``x sigmoid(x)``.

    Parameters
    ----------
    x : array_like
        Input of any shape.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: \\operatorname{SiLU}(x) = x\\, \\sigma(x)
              = \\frac{x}{1 + e^{-x}}

    References: `elfwing2018`, `ramachandran2017`

    Examples
    --------
    >>> print(np.round(silu([-1.0, 0.0, 1.0]), 4))
    [-0.2689  0.      0.7311]
    """
    x = check_array(x, "x")
    return x * expit(x)


def silu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of `silu`.

    Parameters
    ----------
    x : array_like
        Input of any shape.

    Returns
    -------
    ndarray of the shape of ``x``

    Notes
    -----
    .. math:: \\operatorname{SiLU}'(x) = \\sigma(x)\\,
              \\bigl(1 + x\\,(1 - \\sigma(x))\\bigr)

    References: `elfwing2018`

    Examples
    --------
    >>> print(f"{silu_grad(0.0).item():.2f}")
    0.50
    """
    x = check_array(x, "x")
    s = expit(x)
    return s * (1.0 + x * (1.0 - s))


def gelu_minimum() -> tuple[float, float]:
    """Location and value of the minimum of the exact GELU.

    Returns
    -------
    x_min : float
        ``~ -0.7518``, the root of ``Phi(x) + x phi(x) = 0``.
    gelu_min : float
        ``GELU(x_min) ~ -0.1700``.

    Notes
    -----
    Newton's method on the derivative, with
    ``GELU''(x) = phi(x) (2 - x^2)``:

    .. math:: x \\leftarrow x - \\frac{\\Phi(x) + x\\phi(x)}
              {\\phi(x)\\,(2 - x^2)}

    References: `hendrycks2016`

    Examples
    --------
    >>> x_min, g_min = gelu_minimum()
    >>> print(f"{x_min:.3f} {g_min:.3f}")
    -0.752 -0.170
    """
    x = -0.75
    for _ in range(50):
        # Newton step on GELU'(x) = 0, GELU''(x) = phi(x) (2 - x^2)
        step = float(gelu_grad(x)) / (float(_phi(np.float64(x))) * (2 - x * x))
        x -= step
        if abs(step) < 1e-15:
            break
    return x, float(gelu(x))


def gelu_approximation_error(
    approximate: str = "tanh", x_max: float = 10.0, n_points: int = 200_001
) -> tuple[float, float]:
    """Largest ``|approx - exact|`` of a GELU approximation on a grid.

    Parameters
    ----------
    approximate : {"tanh", "sigmoid"}, default "tanh"
        The approximation to measure.
    x_max : float, default 10.0
        The grid is ``n_points`` equally spaced points on
        ``[-x_max, x_max]``, ``x_max > 0``.
    n_points : int, default 200001
        Grid size.

    Returns
    -------
    error : float
        ``max |gelu(x, approximate) - gelu(x)|`` on the grid.
    x_at : float
        Where it occurs (the error is even in ``x``, so the maximum appears
        at ``+x`` and ``-x``; the negative point is returned).

    Notes
    -----
    .. math:: \\varepsilon = \\max_x\\, \\bigl|\\tilde g(x) - x\\Phi(x)\\bigr|

    References: `hendrycks2016`

    Examples
    --------
    >>> err, x_at = gelu_approximation_error("tanh")
    >>> print(f"{err:.1e} at x = {x_at:.2f}")
    4.7e-04 at x = -2.70
    """
    approximate = _check_approximate(approximate)
    x_max = check_float(x_max, "x_max", minimum=0.0, strict=True)
    n_points = check_int(n_points, "n_points", minimum=3)
    x = np.linspace(-x_max, x_max, n_points)  # x: [n_points]
    err = np.abs(gelu(x, approximate) - gelu(x))
    # even error, |e(-x)| = |e(x)|: take the first (negative) maximum
    i = int(np.argmax(err))
    return float(err[i]), float(x[i])
