"""Loss-landscape pathologies: saddles, plateaus, cliffs, cusps, clipping.

Taught in lesson 3.4 (docs/training/landscape.md).

- Saddles vs minima: `net_loss_grad_hess` gives the loss, gradient and exact
  Hessian of a one-hidden-layer tanh network (lesson 2.2's MLP) for many
  parameter vectors at once; `stationary_points` finds its stationary points
  by Levenberg-Marquardt on ``||grad f||^2`` and `morse_index` counts the
  downhill directions (negative Hessian eigenvalues) at each.
- One-dimensional pathologies: a cusp ``sqrt|theta|`` (a minimum whose
  gradient explodes), a pole ``1/|theta|`` (no minimum at all), a cliff (a
  steep wall in front of the minimum).
- Clipping: `clip_grad_norm` and `clip_grad_value` on a list of arrays,
  equal to ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_``;
  `descend` is gradient descent with optional clipping.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)

__all__ = [
    "clip_grad_norm",
    "clip_grad_value",
    "cliff",
    "cliff_grad",
    "cusp",
    "cusp_grad",
    "descend",
    "morse_index",
    "net_loss_grad_hess",
    "pole",
    "pole_grad",
    "stationary_points",
]


# ---------------------------------------------------------------- clipping
def _check_grads(grads: object) -> list[np.ndarray]:
    if isinstance(grads, np.ndarray) or not isinstance(grads, Sequence):
        raise TypeError(
            f"grads must be a list of arrays, got {type(grads).__name__}")
    return [check_array(g, f"grads[{i}]") for i, g in enumerate(grads)]


def _p_norm(v: np.ndarray, p: float) -> float:
    # ||v||_p = (sum |v_i|^p)^(1/p); ||v||_inf = max |v_i|
    v = np.abs(v.ravel())
    if v.size == 0:
        return 0.0
    if p == math.inf:
        return float(v.max())
    if p == 2.0:
        return float(np.sqrt(v @ v))
    return float(np.sum(v**p) ** (1.0 / p))


def clip_grad_norm(
    grads: Sequence[np.ndarray],
    max_norm: float,
    norm_type: float = 2.0,
    eps: float = 1e-6,
) -> tuple[list[np.ndarray], float]:
    """Rescale a list of gradients so that their total norm is at most ``max_norm``.

    The numpy twin of ``torch.nn.utils.clip_grad_norm_``: the same total
    norm (the norm of the per-array norms), the same ``eps`` and the same
    coefficient, but new arrays are returned and the inputs are untouched.

    Parameters
    ----------
    grads : list of array_like
        The gradients, one array per parameter (any shapes).
    max_norm : float
        Threshold ``c > 0``.
    norm_type : float, default 2.0
        ``p >= 1`` of the p-norm, or ``math.inf`` for the largest entry.
    eps : float, default 1e-6
        Added to the total norm before dividing, as torch does; ``0`` gives
        the exact ``c / ||g||``.

    Returns
    -------
    clipped : list of ndarray
        ``g_i min(1, c / (||g|| + eps))`` for every ``g_i`` (float64 copies).
    total_norm : float
        ``||g||_p`` over all entries of all arrays, before clipping.

    Notes
    -----
    .. math:: \\lVert g \\rVert_p = \\Big\\lVert \\big(\\lVert g_1 \\rVert_p,
              \\dots, \\lVert g_k \\rVert_p\\big) \\Big\\rVert_p, \\qquad
              g_i \\leftarrow g_i \\min\\!\\Big(1,
              \\frac{c}{\\lVert g \\rVert_p + \\epsilon}\\Big)

    References: `pascanu2013`

    Examples
    --------
    >>> clipped, total = clip_grad_norm([np.array([3.0]), np.array([4.0])], 1.0)
    >>> print(total, np.round(np.concatenate(clipped), 6))
    5.0 [0.6 0.8]
    """
    grads = _check_grads(grads)
    c = check_float(max_norm, "max_norm", minimum=0.0, strict=True)
    p = check_float(norm_type, "norm_type", minimum=1.0) \
        if norm_type != math.inf else math.inf
    eps = check_float(eps, "eps", minimum=0.0)
    # total norm = norm of the per-array norms (torch's _get_total_norm)
    total = _p_norm(np.array([_p_norm(g, p) for g in grads]), p)
    # coefficient c / (total + eps), clamped at 1
    coef = 1.0 if total + eps == 0.0 else min(1.0, c / (total + eps))
    return [g * coef for g in grads], total


def clip_grad_value(grads: Sequence[np.ndarray], clip: float) -> list[np.ndarray]:
    """Clamp every entry of every gradient to ``[-clip, clip]``.

    The numpy twin of ``torch.nn.utils.clip_grad_value_``, returning new
    arrays. Unlike norm clipping it changes the direction of the gradient.

    Parameters
    ----------
    grads : list of array_like
        The gradients.
    clip : float
        Bound ``> 0``.

    Returns
    -------
    list of ndarray
        ``min(max(g, -clip), clip)`` entry by entry.

    Notes
    -----
    .. math:: g_j \\leftarrow \\max(-c, \\min(c, g_j))

    References: `pascanu2013`

    Examples
    --------
    >>> clip_grad_value([np.array([3.0, -0.5, -4.0])], 1.0)
    [array([ 1. , -0.5, -1. ])]
    """
    grads = _check_grads(grads)
    c = check_float(clip, "clip", minimum=0.0, strict=True)
    return [np.clip(g, -c, c) for g in grads]


# ----------------------------------------------- one-dimensional pathologies
def cusp(theta: np.ndarray) -> np.ndarray:
    """``sqrt|theta|``: a minimum at 0 where the gradient explodes.

    Notes
    -----
    .. math:: f(\\theta) = \\sqrt{|\\theta|}, \\qquad
              f'(\\theta) = \\frac{\\operatorname{sign}\\theta}
              {2\\sqrt{|\\theta|}} \\to \\pm\\infty \\text{ as } \\theta \\to 0

    References: `goodfellow2016`

    Examples
    --------
    >>> cusp(np.array([-4.0, 0.0, 9.0]))
    array([2., 0., 3.])
    """
    return np.sqrt(np.abs(check_array(theta, "theta")))


def cusp_grad(theta: np.ndarray) -> np.ndarray:
    """Derivative of `cusp`; 0 at ``theta = 0``, where it does not exist.

    Notes
    -----
    .. math:: f'(\\theta) = \\operatorname{sign}(\\theta) / (2\\sqrt{|\\theta|})

    References: `goodfellow2016`

    Examples
    --------
    >>> cusp_grad(np.array([-0.25, 0.0, 0.01]))
    array([-1.,  0.,  5.])
    """
    theta = check_array(theta, "theta")
    out = np.zeros_like(theta)
    nz = theta != 0
    out[nz] = np.sign(theta[nz]) / (2.0 * np.sqrt(np.abs(theta[nz])))
    return out


def pole(theta: np.ndarray) -> np.ndarray:
    """``1/|theta|``: a pole at 0. It has no minimum; its infimum 0 is at infinity.

    Notes
    -----
    .. math:: f(\\theta) = 1/|\\theta| \\to +\\infty \\text{ as }
              \\theta \\to 0, \\qquad \\inf f = 0 \\text{ not attained}

    References: `goodfellow2016`

    Examples
    --------
    >>> pole(np.array([-0.5, 4.0]))
    array([2.  , 0.25])
    """
    theta = check_array(theta, "theta")
    if np.any(theta == 0):
        raise ValueError("theta must be nonzero: 1/|theta| has a pole at 0")
    return 1.0 / np.abs(theta)


def pole_grad(theta: np.ndarray) -> np.ndarray:
    """Derivative of `pole`: ``-sign(theta) / theta^2``, pointing away from 0 downhill.

    Notes
    -----
    .. math:: f'(\\theta) = -\\operatorname{sign}(\\theta)/\\theta^2

    References: `goodfellow2016`

    Examples
    --------
    >>> pole_grad(np.array([-0.5, 2.0]))
    array([ 4.  , -0.25])
    """
    theta = check_array(theta, "theta")
    if np.any(theta == 0):
        raise ValueError("theta must be nonzero: 1/|theta| has a pole at 0")
    return -np.sign(theta) / theta**2


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def cliff(theta: np.ndarray, height: float = 10.0, steepness: float = 10.0) -> np.ndarray:
    """A gentle bowl with a steep wall in front of its bottom.

    The bowl ``(theta - 3)^2 / 2`` pulls towards 3, a smooth step of the
    given height at ``theta = 1`` blocks the way, and the minimum sits at
    the foot of the wall (near ``theta = 0.63`` for the defaults).

    Parameters
    ----------
    theta : array_like
        Points.
    height : float, default 10.0
        Height ``H > 0`` of the wall.
    steepness : float, default 10.0
        ``s > 0``; the wall is about ``4 / s`` wide and its slope peaks at
        ``H s / 4``.

    Returns
    -------
    ndarray
        ``f(theta)``.

    Notes
    -----
    .. math:: f(\\theta) = \\tfrac12(\\theta - 3)^2 + H\\,\\sigma(s(\\theta - 1))

    References: `pascanu2013`, `goodfellow2016`

    Examples
    --------
    >>> print(np.round(cliff(np.array([0.0, 1.0, 3.0])), 3))
    [ 4.5   7.   10.   ]
    """
    theta = check_array(theta, "theta")
    H = check_float(height, "height", minimum=0.0, strict=True)
    s = check_float(steepness, "steepness", minimum=0.0, strict=True)
    return 0.5 * (theta - 3.0) ** 2 + H * _sigmoid(s * (theta - 1.0))


def cliff_grad(theta: np.ndarray, height: float = 10.0, steepness: float = 10.0) -> np.ndarray:
    """Derivative of `cliff`; up to ``H s / 4 = 25`` on the wall for the defaults.

    Notes
    -----
    .. math:: f'(\\theta) = \\theta - 3 + H s\\, \\sigma(1 - \\sigma),
              \\quad \\sigma = \\sigma(s(\\theta - 1))

    References: `pascanu2013`

    Examples
    --------
    >>> print(np.round(cliff_grad(np.array([1.0])), 3))
    [23.]
    """
    theta = check_array(theta, "theta")
    H = check_float(height, "height", minimum=0.0, strict=True)
    s = check_float(steepness, "steepness", minimum=0.0, strict=True)
    sig = _sigmoid(s * (theta - 1.0))
    return theta - 3.0 + H * s * sig * (1.0 - sig)


def descend(
    grad: Callable[[np.ndarray], np.ndarray],
    theta0: np.ndarray,
    lr: float | Callable[[int], float],
    n_steps: int,
    max_norm: float | None = None,
) -> np.ndarray:
    """Gradient descent ``theta <- theta - lr g``, optionally with norm clipping.

    Parameters
    ----------
    grad : callable
        ``theta -> gradient`` (same shape as ``theta``).
    theta0 : array_like
        Start (not modified).
    lr : float or callable
        Learning rate ``> 0``, or a schedule ``k -> lr_k``.
    n_steps : int
        Number of steps.
    max_norm : float or None, default None
        Clip each gradient with `clip_grad_norm` (``eps = 0``) first.

    Returns
    -------
    ndarray of shape (n_steps + 1, *theta0.shape)
        The iterates.

    Notes
    -----
    .. math:: \\theta_{k+1} = \\theta_k - \\eta_k\\, g_k \\min\\!\\Big(1,
              \\frac{c}{\\lVert g_k \\rVert}\\Big)

    References: `pascanu2013`

    Examples
    --------
    >>> descend(lambda t: 2 * t, np.array([1.0]), 0.25, 2).ravel()
    array([1.  , 0.5 , 0.25])
    """
    theta = check_array(theta0, "theta0").copy()
    if not callable(lr):
        lr_value = check_float(lr, "lr", minimum=0.0, strict=True)
        lr = lambda k: lr_value  # noqa: E731
    n_steps = check_int(n_steps, "n_steps", minimum=0)
    if max_norm is not None:
        max_norm = check_float(max_norm, "max_norm", minimum=0.0, strict=True)
    path = [theta]
    for k in range(n_steps):
        g = np.asarray(grad(theta), dtype=float)
        if max_norm is not None:
            g = clip_grad_norm([g], max_norm, eps=0.0)[0][0]
        theta = theta - lr(k) * g  # theta_{k+1} = theta_k - lr_k g_k
        path.append(theta)
    return np.array(path)


# --------------------------------------------------- a small tanh network
def _unpack(theta: np.ndarray, hidden: int):
    # theta = (w, b, v, c): [..., 3h + 1]
    h = hidden
    return theta[..., :h], theta[..., h:2 * h], theta[..., 2 * h:3 * h], theta[..., 3 * h]


def _hidden_from(theta: np.ndarray) -> int:
    n = theta.shape[-1]
    if n < 4 or (n - 1) % 3:
        raise ValueError(f"theta must have 3 h + 1 entries (w, b, v, c), got {n}")
    return (n - 1) // 3


def net_loss_grad_hess(
    theta: np.ndarray, x: np.ndarray, y: np.ndarray, weight_decay: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Loss, gradient and exact Hessian of a 1-h-1 tanh network, batched over ``theta``.

    The network is lesson 2.2's ``MLP([1, h, 1], hidden="tanh",
    output="identity")``, ``out(x) = sum_j v_j tanh(w_j x + b_j) + c``, with
    the mean squared error and an L2 penalty.

    Parameters
    ----------
    theta : array_like of shape (..., 3 h + 1)
        Parameters ``(w_1..w_h, b_1..b_h, v_1..v_h, c)``, any leading axes.
    x, y : array_like of shape (N,)
        Inputs and targets.
    weight_decay : float, default 0.0
        ``lambda >= 0``.

    Returns
    -------
    loss : ndarray of shape (...)
    grad : ndarray of shape (..., n)
    hess : ndarray of shape (..., n, n)
        With ``n = 3 h + 1``.

    Notes
    -----
    With residuals ``r_i = out(x_i) - y_i`` and ``J_i = d out(x_i) / d theta``
    the Hessian is a positive semi-definite Gauss-Newton part plus a
    residual part, the only source of negative curvature:

    .. math:: f = \\frac{1}{2N}\\sum_i r_i^2 + \\frac\\lambda2
              \\lVert\\theta\\rVert^2, \\quad
              H = \\frac1N\\sum_i \\big(J_i J_i^\\top + r_i
              \\nabla^2 \\mathrm{out}(x_i)\\big) + \\lambda I

    References: `dauphin2014`, `rumelhart1986`

    Examples
    --------
    >>> f, g, H = net_loss_grad_hess(np.zeros(7), [0.0, 1.0], [1.0, 1.0])
    >>> float(f), g.shape, H.shape
    (0.5, (7,), (7, 7))
    """
    theta = check_array(theta, "theta")
    if theta.ndim == 0:
        raise ValueError("theta must have at least one axis")
    h = _hidden_from(theta)
    x = check_array(x, "x", ndim=1)
    y = check_array(y, "y", shape=(x.size,))
    lam = check_float(weight_decay, "weight_decay", minimum=0.0)
    N, n = x.size, 3 * h + 1
    w, b, v, c = _unpack(theta, h)  # w, b, v: [..., h]; c: [...]
    # forward: z_ij = w_j x_i + b_j, t = tanh z: [..., N, h]
    t = np.tanh(x[:, None] * w[..., None, :] + b[..., None, :])
    s = 1.0 - t * t  # tanh'
    ds = -2.0 * t * s  # tanh''
    r = np.einsum("...ij,...j->...i", t, v) + c[..., None] - y  # r: [..., N]
    # J_i = d out_i / d theta = (v s x, v s, t, 1): [..., N, n]
    J = np.concatenate([v[..., None, :] * s * x[:, None], v[..., None, :] * s, t,
                        np.ones(t.shape[:-1] + (1,))], axis=-1)
    loss = 0.5 * np.mean(r * r, axis=-1) + 0.5 * lam * np.sum(theta * theta, axis=-1)
    grad = np.einsum("...i,...ik->...k", r, J) / N + lam * theta
    H = np.einsum("...ik,...il->...kl", J, J) / N  # Gauss-Newton part
    # residual part: second derivatives of out within each unit j
    rx = r[..., :, None] * x[:, None]  # [..., N, 1] * [N, 1]
    d_ww = np.mean(r[..., :, None] * v[..., None, :] * ds * x[:, None] ** 2, axis=-2)
    d_wb = np.mean(rx * v[..., None, :] * ds, axis=-2)
    d_bb = np.mean(r[..., :, None] * v[..., None, :] * ds, axis=-2)
    d_wv = np.mean(rx * s, axis=-2)
    d_bv = np.mean(r[..., :, None] * s, axis=-2)
    j = np.arange(h)
    H[..., j, j] += d_ww
    H[..., j, h + j] += d_wb
    H[..., h + j, j] += d_wb
    H[..., h + j, h + j] += d_bb
    H[..., j, 2 * h + j] += d_wv
    H[..., 2 * h + j, j] += d_wv
    H[..., h + j, 2 * h + j] += d_bv
    H[..., 2 * h + j, h + j] += d_bv
    H += lam * np.eye(n)
    return loss, grad, H


def morse_index(H: np.ndarray, tol: float = 1e-8) -> np.ndarray:
    """Number of negative Hessian eigenvalues: the downhill directions.

    Parameters
    ----------
    H : array_like of shape (..., n, n)
        Symmetric matrices.
    tol : float, default 1e-8
        Eigenvalues below ``-tol * max|eigenvalue|`` count as negative.

    Returns
    -------
    ndarray of int, shape (...)
        0 at a minimum, ``n`` at a maximum, in between at a saddle.

    Notes
    -----
    .. math:: \\operatorname{ind}(H) = \\#\\{k : \\lambda_k(H) < 0\\}

    References: `dauphin2014`, `bray2007`

    Examples
    --------
    >>> int(morse_index(np.diag([2.0, -1.0, 3.0])))
    1
    """
    H = check_array(H, "H")
    if H.ndim < 2 or H.shape[-1] != H.shape[-2]:
        raise ValueError(f"H must be (a stack of) square matrices, got shape {H.shape}")
    tol = check_float(tol, "tol", minimum=0.0)
    lam = np.linalg.eigvalsh(H)
    scale = np.abs(lam).max(axis=-1, keepdims=True)
    return np.sum(lam < -tol * scale, axis=-1)


def stationary_points(
    x: np.ndarray,
    y: np.ndarray,
    hidden: int = 3,
    n_starts: int = 100,
    weight_decay: float = 1e-3,
    gd_steps: Sequence[int] = (0, 10, 30, 100, 300),
    lr: float = 0.1,
    lm_steps: int = 60,
    gtol: float = 1e-10,
    rng: RngLike = None,
) -> dict[str, np.ndarray]:
    """Stationary points of the tanh network's loss, with their index.

    Each start is a Gaussian ``theta``, moved by gradient descent for a
    random number of steps drawn from ``gd_steps`` (so the starts lie at all
    heights of the landscape), then driven to ``grad f = 0`` by
    Levenberg-Marquardt on ``1/2 ||grad f||^2``: the step
    ``-(H^2 + mu I)^-1 H grad f`` is Newton's step on ``grad f = 0`` for
    small ``mu`` and a short gradient step on ``||grad f||^2`` for large
    ``mu``. Unlike descent on ``f`` it is drawn to saddles as much as to
    minima.

    Parameters
    ----------
    x, y : array_like of shape (N,)
        The data.
    hidden : int, default 3
        Hidden units ``h``; ``n = 3 h + 1`` parameters.
    n_starts : int, default 100
        Number of starts.
    weight_decay : float, default 1e-3
        L2 penalty; it keeps stationary points at finite weights.
    gd_steps : sequence of int, default (0, 10, 30, 100, 300)
        Lengths of the descent before the search.
    lr : float, default 0.1
        Learning rate of that descent.
    lm_steps : int, default 60
        Levenberg-Marquardt iterations.
    gtol : float, default 1e-10
        A point counts as stationary when ``||grad f|| < gtol``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    dict
        ``"theta"`` (k, n), ``"loss"`` (k,), ``"index"`` (k,),
        ``"grad_norm"`` (k,) and ``"min_abs_eig"`` (k,) of the ``k`` starts
        that converged to a non-degenerate stationary point (every
        ``|eigenvalue| > 1e-6``), sorted by loss.

    Notes
    -----
    .. math:: \\theta \\leftarrow \\theta - (H^2 + \\mu I)^{-1} H\\,
              \\nabla f, \\qquad \\mu \\leftarrow \\mu / 3 \\text{ if }
              \\lVert\\nabla f\\rVert \\text{ fell, else } 4\\mu

    References: `dauphin2014`, `nocedal2006`

    Examples
    --------
    >>> x = np.linspace(-2, 2, 20)
    >>> sp = stationary_points(x, np.sin(2 * x), n_starts=8, rng=0)
    >>> sorted(sp)
    ['grad_norm', 'index', 'loss', 'min_abs_eig', 'theta']
    """
    x = check_array(x, "x", ndim=1)
    y = check_array(y, "y", shape=(x.size,))
    h = check_int(hidden, "hidden", minimum=1)
    S = check_int(n_starts, "n_starts", minimum=1)
    lam = check_float(weight_decay, "weight_decay", minimum=0.0)
    steps = [check_int(k, "gd_steps", minimum=0) for k in gd_steps]
    if not steps:
        raise ValueError("gd_steps must not be empty")
    lr = check_float(lr, "lr", minimum=0.0, strict=True)
    lm_steps = check_int(lm_steps, "lm_steps", minimum=0)
    gtol = check_float(gtol, "gtol", minimum=0.0, strict=True)
    rng = as_rng(rng)
    n = 3 * h + 1
    theta = rng.standard_normal((S, n))  # theta: [S, n]
    K = rng.choice(steps, size=S)  # descent length of each start
    for k in range(max(steps)):
        g = net_loss_grad_hess(theta, x, y, lam)[1]
        theta = np.where((K > k)[:, None], theta - lr * g, theta)
    mu = np.full(S, 1e-2)
    I = np.eye(n)
    _, g, H = net_loss_grad_hess(theta, x, y, lam)
    for _ in range(lm_steps):
        # LM step on r = grad f with Jacobian H: -(H^2 + mu I)^-1 H g
        Hg = np.einsum("skl,sl->sk", H, g)
        step = np.linalg.solve(H @ H + mu[:, None, None] * I, Hg[..., None])[..., 0]
        _, g_new, H_new = net_loss_grad_hess(theta - step, x, y, lam)
        better = np.sum(g_new**2, axis=1) < np.sum(g**2, axis=1)
        theta = np.where(better[:, None], theta - step, theta)
        g = np.where(better[:, None], g_new, g)
        H = np.where(better[:, None, None], H_new, H)
        mu = np.where(better, mu / 3.0, mu * 4.0)
    loss, g, H = net_loss_grad_hess(theta, x, y, lam)
    eig = np.linalg.eigvalsh(H)
    gnorm = np.linalg.norm(g, axis=1)
    min_abs = np.abs(eig).min(axis=1)
    keep = (gnorm < gtol) & (min_abs > 1e-6)
    order = np.argsort(loss[keep])
    return {
        "theta": theta[keep][order],
        "loss": loss[keep][order],
        "index": np.sum(eig[keep] < 0, axis=1)[order],
        "grad_norm": gnorm[keep][order],
        "min_abs_eig": min_abs[keep][order],
    }
