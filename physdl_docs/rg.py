"""Block-spin renormalization group for the 2D Ising model.

Kadanoff's block-spin step replaces every ``b × b`` block of spins by the
sign of its sum (majority rule; ``b`` odd, so there are no ties). A lattice
of size ``bL`` at coupling ``K = J/T`` becomes one of size ``L``. Which
coupling ``K'`` does it look like? We match one observable, the
nearest-neighbour correlation ``c = <s_i s_j>``: ``K'`` is the coupling at
which an ordinary ``L × L`` lattice has the same ``c`` (both sides of size
``L``, so that finite-size effects largely cancel). The map ``K -> K'`` has
a fixed point near ``K_c = ln(1 + √2)/2`` with slope ``b^{y_t} = 3``.

Taught in lesson 1.7.
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
from physdl_docs.ising import (
    _lattice,
    _run,
    _start,
    critical_temperature,
    mean_error,
)

__all__ = [
    "block_spin", "blocked_correlation", "critical_coupling", "flow",
    "match_coupling", "nn_correlation",
]


def block_spin(spins: np.ndarray, b: int = 3) -> np.ndarray:
    """Majority-rule block spins ``s'_I = sign(Σ_{i∈I} s_i)`` of ``b × b`` blocks.

    ``spins`` has shape ``(L1, L2)`` or ``(n, L1, L2)`` with sides divisible
    by the odd block side ``b``. References: `kadanoff1966`

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
            f"spins must have sides divisible by b={b}, got shape {s.shape}")
    # s: [..., L1/b, b, L2/b, b] -> block sums [..., L1/b, L2/b]
    blocks = s.reshape(*s.shape[:-2], L1 // b, b, L2 // b, b)
    return np.sign(blocks.sum(axis=(-3, -1)))


def _nn(s: np.ndarray) -> np.ndarray:
    # c = (1/2N) Σ_ij s_ij (s_i,j+1 + s_i+1,j): the mean over the 2N bonds
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return 0.5 * bonds.mean(axis=(-2, -1))


def nn_correlation(spins: np.ndarray) -> float | np.ndarray:
    """Nearest-neighbour correlation ``c = <s_i s_j>`` over the ``2N`` bonds.

    Equals ``-E/(2NJ)`` at ``h = 0``; both sides of the lattice must be
    ``>= 2`` (a side of 1 would bond each spin to itself).

    >>> print(nn_correlation([[1, -1], [-1, 1]]))
    -1.0
    """
    c = _nn(_lattice(spins))
    return float(c) if c.ndim == 0 else c


def blocked_correlation(
    L: int, couplings: np.ndarray, b: int = 1, n_sweeps: int = 400,
    n_equil: int = 200, n_replicas: int = 8, rng: RngLike = None,
    error: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Mean ``c`` of ``L × L`` block lattices made from ``bL × bL`` ones.

    Metropolis at ``β = K`` (``J = 1``); ``b = 1`` gives the plain lookup
    curve ``c_L(K)``. With ``error=True`` also returns the error of each
    mean from its autocorrelation time. References: `swendsen1979`

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
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=4 if error else 1)
    n_equil = check_int(n_equil, "n_equil", minimum=0)
    n_replicas = check_int(n_replicas, "n_replicas", minimum=1)
    if not isinstance(error, bool):
        raise TypeError(f"error must be a bool, got {type(error).__name__}")
    rng = as_rng(rng)
    # s: [n_K, n_replicas, bL, bL]; beta = K: [n_K, 1, 1, 1]
    s = _start((K.size, n_replicas, b * L, b * L), "up", rng)

    def observe(s):  # c of the blocked lattices: [n_K, n_replicas]
        return _nn(block_spin(s.reshape(-1, b * L, b * L), b)).reshape(
            s.shape[:2])

    c, _ = _run(s, K[:, None, None, None], 1.0, 0.0, n_equil, n_sweeps, rng,
                observe)                      # c: [n_sweeps, n_K, n_replicas]
    if not error:
        return c.mean(axis=(0, 2))
    mean, err = zip(*(mean_error(c[:, k]) for k in range(K.size)))
    return np.array(mean), np.array(err)


def _increasing(x: object, name: str) -> np.ndarray:
    x = check_array(x, name, ndim=1)
    if x.size < 2 or np.any(np.diff(x) <= 0):
        raise ValueError(f"{name} must be increasing, with >= 2 points")
    return x


def match_coupling(c: np.ndarray, couplings: np.ndarray,
                   curve: np.ndarray) -> np.ndarray:
    """Invert a lookup curve: ``K' = curve^{-1}(c)`` by linear interpolation.

    ``nan`` where ``c`` lies outside the range of ``curve``.
    References: `swendsen1979`

    >>> match_coupling([0.5, 3.0], [0.0, 1.0], [0.0, 2.0]).tolist()
    [0.25, nan]
    """
    c = check_array(c, "c", ndim=1)
    K = _increasing(couplings, "couplings")
    curve = check_array(curve, "curve", shape=K.shape)
    if np.any(np.diff(curve) <= 0):
        raise ValueError(
            "curve must be increasing; a noisy lookup curve needs more "
            "sweeps or a narrower grid of couplings")
    return np.interp(c, curve, K, left=np.nan, right=np.nan)


def flow(
    couplings: np.ndarray, L: int = 8, b: int = 3, n_sweeps: int = 400,
    n_equil: int = 200, n_replicas: int = 8, rng: RngLike = None,
    grid: np.ndarray | None = None, error: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """One block-spin RG step ``K -> K'`` by matching ``c`` (see module doc).

    ``grid``: couplings of the lookup curve (default 21 points in
    ``[0.2, 0.7]``). With ``error=True`` also returns ``δK'``, the errors of
    both ``c``'s divided by the slope of the lookup curve. Near ``K*`` the
    map is ``K' - K* ≈ b^{y_t} (K - K*)`` with ``y_t = 1`` in 2D.
    References: `wilson1971`, `swendsen1979`

    >>> K_new = flow([0.38, 0.50], n_sweeps=100, n_equil=50, rng=0)
    >>> bool(K_new[0] < 0.38 and K_new[1] > 0.50)
    True
    """
    grid = _increasing(np.linspace(0.2, 0.7, 21) if grid is None else grid,
                       "grid")
    rng = as_rng(rng)
    kw = dict(n_sweeps=n_sweeps, n_equil=n_equil, n_replicas=n_replicas,
              rng=rng, error=error)
    curve = blocked_correlation(L, grid, 1, **kw)
    c = blocked_correlation(L, couplings, b, **kw)
    if not error:
        return match_coupling(c, grid, curve)
    (curve, d_curve), (c, d_c) = curve, c
    K_new = match_coupling(c, grid, curve)
    # δK' = sqrt(δc² + δcurve(K')²) / (dcurve/dK at K')
    slope = np.interp(K_new, grid[:-1] + np.diff(grid) / 2,
                      np.diff(curve) / np.diff(grid))
    d_here = np.interp(K_new, grid, d_curve)
    return K_new, np.hypot(d_c, d_here) / slope


def critical_coupling() -> float:
    """Onsager's critical coupling ``K_c = ln(1 + √2)/2 ≈ 0.4407`` (``J = 1``).

    References: `onsager1944`

    >>> print(f"{critical_coupling():.4f}")
    0.4407
    """
    return 1.0 / critical_temperature()
