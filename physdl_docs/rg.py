"""Block-spin renormalization group for the 2D Ising model.

Taught in lesson 1.7 (docs/physics/rg.md).

Kadanoff's block-spin step replaces every ``b × b`` block of spins by the
sign of its sum (majority rule; ``b`` odd, so there are no ties). A lattice
of size ``bL`` at coupling ``K = J/T`` becomes a lattice of size ``L``. Which
coupling ``K'`` does the blocked lattice look like? We answer with one
observable, the nearest-neighbour correlation ``c = ⟨s_i s_j⟩``: ``K'`` is the
coupling at which an ordinary ``L × L`` lattice has the same ``c`` as the
blocked one (a lookup curve, both sides of size ``L`` so that finite-size
effects cancel to leading order). The map ``K -> K' = R(K)`` has a fixed
point near ``K_c = ln(1 + √2)/2 ≈ 0.4407`` and slope ``b^{y_t} = 3`` there
(``y_t = 1/ν = 1``): the temperature is a relevant direction.
"""

from __future__ import annotations

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_int,
    check_spins,
)
from physdl_docs.ising import _run, _start, critical_temperature

__all__ = [
    "block_spin",
    "blocked_correlation",
    "critical_coupling",
    "flow",
    "match_coupling",
    "nn_correlation",
]


def block_spin(spins: np.ndarray, b: int = 3) -> np.ndarray:
    """Majority-rule block spins of one lattice or a batch of lattices.

    Taught in lesson 1.7 (docs/physics/rg.md).

    Parameters
    ----------
    spins : array_like of shape (L, L) or (n, L, L)
        Spins ±1; ``L`` divisible by ``b``.
    b : int, default 3
        Block side, odd and ``>= 1`` (odd: a block sum is never 0).

    Returns
    -------
    ndarray of shape (L/b, L/b) or (n, L/b, L/b)
        The sign of each block's sum.

    Notes
    -----
    .. math:: s'_{I} = \\operatorname{sign}\\Big(\\sum_{i \\in I} s_i\\Big)

    References
    ----------
    L. P. Kadanoff (1966). Scaling laws for Ising models near T_c.
    *Physics* 2, 263–272.

    Examples
    --------
    >>> block_spin(np.ones((6, 6))).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    s = check_spins(spins, "spins", ndim=(2, 3))
    b = check_int(b, "b", minimum=1)
    if b % 2 == 0:
        raise ValueError(f"b must be odd so that blocks have no ties, got {b}")
    L1, L2 = s.shape[-2:]
    if L1 % b or L2 % b:
        raise ValueError(
            f"spins must have sides divisible by b={b}, got shape {s.shape}"
        )
    # s: [..., L1/b, b, L2/b, b] -> block sums [..., L1/b, L2/b]
    blocks = s.reshape(*s.shape[:-2], L1 // b, b, L2 // b, b)
    return np.sign(blocks.sum(axis=(-3, -1)))


def nn_correlation(spins: np.ndarray) -> float | np.ndarray:
    """Nearest-neighbour correlation ``⟨s_i s_j⟩`` of one lattice or a batch.

    Taught in lesson 1.7 (docs/physics/rg.md).

    Parameters
    ----------
    spins : array_like of shape (L1, L2) or (n, L1, L2)
        Spins ±1, periodic boundaries.

    Returns
    -------
    float or ndarray of shape (n,)
        The mean of ``s_i s_j`` over the ``2N`` bonds; ``-E/(2NJ)`` at
        ``h = 0``.

    Notes
    -----
    .. math:: c = \\frac{1}{2N}\\sum_{i,j} s_{ij}(s_{i,j+1} + s_{i+1,j})

    References
    ----------
    L. P. Kadanoff (1966). *Physics* 2, 263–272.

    Examples
    --------
    >>> print(nn_correlation([[1, -1], [-1, 1]]))
    -1.0
    """
    s = check_spins(spins, "spins", ndim=(2, 3))
    c = _nn(s)
    return float(c) if c.ndim == 0 else c


def _nn(s: np.ndarray) -> np.ndarray:
    """``c`` of ``s: [..., L1, L2]``, no checks."""
    # bonds to the right and to the lower neighbour: 2N bonds
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return 0.5 * bonds.mean(axis=(-2, -1))


def blocked_correlation(
    L: int,
    couplings: np.ndarray,
    b: int = 1,
    n_sweeps: int = 400,
    n_equil: int = 200,
    n_replicas: int = 8,
    rng: RngLike = None,
) -> np.ndarray:
    """Mean ``c`` of ``L × L`` block lattices made from ``bL × bL`` ones.

    Taught in lesson 1.7 (docs/physics/rg.md).

    With ``b = 1`` this is the plain lookup curve ``c_L(K)``; with ``b = 3``
    it is ``c`` measured after one block-spin step.

    Parameters
    ----------
    L : int
        Size after blocking (even, ``>= 2``); the simulated lattice is ``bL``
        and must be even too.
    couplings : array_like of shape (n_K,)
        Couplings ``K = J/T > 0``.
    b : int, default 1
        Block side (odd).
    n_sweeps, n_equil, n_replicas : int
        Measured sweeps, discarded sweeps, independent lattices per ``K``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    ndarray of shape (n_K,)
        ``⟨c⟩`` of the blocked lattices at each coupling.

    Notes
    -----
    Metropolis samples at ``beta = K`` (``J = 1``), averaged over sweeps
    and replicas:

    .. math:: \\bar c(K) = \\big\\langle c(\\text{block}_b(s)) \\big\\rangle_K

    References
    ----------
    R. H. Swendsen (1979). Monte Carlo renormalization group.
    *Phys. Rev. Lett.* 42, 859–861.

    Examples
    --------
    >>> c = blocked_correlation(4, [0.1, 1.0], b=3, n_sweeps=50, rng=0)
    >>> bool(c[0] < c[1])
    True
    """
    L = check_int(L, "L", minimum=2)
    b = check_int(b, "b", minimum=1)
    if b % 2 == 0 or (b * L) % 2:
        raise ValueError(f"b must be odd and b*L even, got b={b}, L={L}")
    K = check_array(couplings, "couplings", ndim=1)
    if K.size == 0 or np.any(K <= 0):
        raise ValueError("couplings must be a non-empty list of K > 0")
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=1)
    n_equil = check_int(n_equil, "n_equil", minimum=0)
    n_replicas = check_int(n_replicas, "n_replicas", minimum=1)
    rng = as_rng(rng)
    # s: [n_K, n_replicas, bL, bL]; beta = K: [n_K, 1, 1, 1]
    s = _start((K.size, n_replicas, b * L, b * L), "up", rng)

    def observe(s):  # c of the blocked lattices: [n_K, n_replicas]
        return _nn(block_spin(s.reshape(-1, b * L, b * L), b)).reshape(
            s.shape[:2]
        )

    c = _run(s, K[:, None, None, None], 1.0, 0.0, n_equil, n_sweeps, rng,
             observe)
    return c.mean(axis=(0, 2))


def match_coupling(
    c: np.ndarray, couplings: np.ndarray, curve: np.ndarray
) -> np.ndarray:
    """Invert a lookup curve: the ``K'`` at which ``curve(K') = c``.

    Taught in lesson 1.7 (docs/physics/rg.md).

    Parameters
    ----------
    c : array_like of shape (n,)
        Observed values (e.g. of blocked lattices).
    couplings : array_like of shape (n_K,)
        Increasing grid of couplings.
    curve : array_like of shape (n_K,)
        The observable on that grid, increasing.

    Returns
    -------
    ndarray of shape (n,)
        ``K'`` by linear interpolation; ``nan`` where ``c`` lies outside the
        range of ``curve`` (the grid does not reach that far).

    Notes
    -----
    .. math:: K' = c_L^{-1}\\big(\\bar c_{\\rm blocked}(K)\\big)

    References
    ----------
    R. H. Swendsen (1979). *Phys. Rev. Lett.* 42, 859–861.

    Examples
    --------
    >>> match_coupling([0.5, 3.0], [0.0, 1.0], [0.0, 2.0]).tolist()
    [0.25, nan]
    """
    c = check_array(c, "c", ndim=1)
    K = check_array(couplings, "couplings", ndim=1)
    curve = check_array(curve, "curve", shape=K.shape)
    if K.size < 2 or np.any(np.diff(K) <= 0):
        raise ValueError("couplings must be increasing, with >= 2 points")
    if np.any(np.diff(curve) <= 0):
        raise ValueError(
            "curve must be increasing; a noisy lookup curve needs more "
            "sweeps or a narrower grid of couplings"
        )
    # K' = curve^{-1}(c), linear between grid points
    return np.interp(c, curve, K, left=np.nan, right=np.nan)


def flow(
    couplings: np.ndarray,
    L: int = 8,
    b: int = 3,
    n_sweeps: int = 400,
    n_equil: int = 200,
    n_replicas: int = 8,
    rng: RngLike = None,
    grid: np.ndarray | None = None,
) -> np.ndarray:
    """One block-spin RG step ``K -> K' = R(K)`` by matching ``c``.

    Taught in lesson 1.7 (docs/physics/rg.md).

    Parameters
    ----------
    couplings : array_like of shape (n,)
        Couplings ``K`` of the ``bL × bL`` lattices.
    L : int, default 8
        Size after blocking; the lookup lattice is ``L × L`` too.
    b : int, default 3
        Block side (odd).
    n_sweeps, n_equil, n_replicas : int
        As in `blocked_correlation`, for both simulations.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.
    grid : array_like of shape (n_K,), optional
        Couplings of the lookup curve. Default: 21 points in [0.2, 0.7].

    Returns
    -------
    ndarray of shape (n,)
        ``K'`` for each ``K``.

    Notes
    -----
    Near the fixed point ``K*`` the map is linear with slope ``b^{y_t}``;
    for the 2D Ising model ``y_t = 1/ν = 1``, so

    .. math:: K' - K^* \\approx 3\\,(K - K^*)\\quad (b = 3)

    References
    ----------
    K. G. Wilson (1971). Renormalization group and critical phenomena.
    I. *Phys. Rev. B* 4, 3174–3183.

    Examples
    --------
    >>> K_new = flow([0.38, 0.50], n_sweeps=100, n_equil=50, rng=0)
    >>> bool(K_new[0] < 0.38 and K_new[1] > 0.50)
    True
    """
    rng = as_rng(rng)
    grid = np.linspace(0.2, 0.7, 21) if grid is None else grid
    curve = blocked_correlation(L, grid, 1, n_sweeps, n_equil, n_replicas, rng)
    c = blocked_correlation(L, couplings, b, n_sweeps, n_equil, n_replicas,
                            rng)
    return match_coupling(c, grid, curve)


def critical_coupling() -> float:
    """Onsager's critical coupling ``K_c = J / T_c`` (with ``J = 1``).

    Taught in lesson 1.7 (docs/physics/rg.md).

    Returns
    -------
    float
        ``K_c ≈ 0.440687``.

    Notes
    -----
    .. math:: K_c = \\tfrac12 \\ln\\left(1 + \\sqrt2\\right)

    References
    ----------
    L. Onsager (1944). Crystal statistics. I. *Phys. Rev.* 65, 117–149.

    Examples
    --------
    >>> print(f"{critical_coupling():.4f}")
    0.4407
    """
    return 1.0 / critical_temperature()
