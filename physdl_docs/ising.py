"""The 2D Ising model: energy, Metropolis sampling and the phase transition.

Taught in lesson 1.1 (docs/physics/ising.md).

Spins ``s[i, j] = ±1`` sit on an ``L × L`` square lattice with periodic
boundaries. The energy counts every nearest-neighbour bond once,

    E(s) = -J Σ_<ij> s_i s_j - h Σ_i s_i,

and at temperature ``T`` (``beta = 1/T``, units with k_B = 1) a configuration
has Boltzmann probability ``exp(-beta E(s)) / Z``. Metropolis sampling flips
one spin with probability ``min(1, exp(-beta ΔE))``. Sites of one colour of a
checkerboard never touch each other, so a whole colour is updated at once
with array operations: two half-sweeps make one sweep over all ``N = L²``
spins.
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
    check_spins,
)

__all__ = [
    "IsingStats",
    "binder_cumulant",
    "critical_temperature",
    "energy_per_spin",
    "magnetization",
    "measure",
    "metropolis",
    "spontaneous_magnetization",
    "temperature_scan",
]


def critical_temperature(J: float = 1.0) -> float:
    """Onsager's critical temperature of the square-lattice Ising model.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    J : float, default 1.0
        Ferromagnetic coupling, ``J > 0``.

    Returns
    -------
    float
        ``T_c`` in units of ``J / k_B``.

    Notes
    -----
    .. math:: T_c = \\frac{2J}{\\ln(1 + \\sqrt{2})} \\approx 2.269185\\,J

    References
    ----------
    L. Onsager (1944). Crystal statistics. I. *Phys. Rev.* 65, 117–149.

    Examples
    --------
    >>> print(f"{critical_temperature():.6f}")
    2.269185
    """
    J = check_float(J, "J", minimum=0.0, strict=True)
    # T_c = 2J / ln(1 + √2)
    return 2.0 * J / float(np.log1p(np.sqrt(2.0)))


def spontaneous_magnetization(
    T: float | np.ndarray, J: float = 1.0
) -> float | np.ndarray:
    """Yang's exact spontaneous magnetisation per spin (infinite lattice).

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    T : float or array_like
        Temperature(s), all ``> 0``.
    J : float, default 1.0
        Ferromagnetic coupling, ``J > 0``.

    Returns
    -------
    float or ndarray of the shape of ``T``
        ``m_0(T)``; exactly 0 at and above ``T_c``.

    Notes
    -----
    .. math:: m_0 = \\left(1 - \\sinh^{-4}(2J/T)\\right)^{1/8},\\quad T < T_c

    References
    ----------
    C. N. Yang (1952). The spontaneous magnetization of a two-dimensional
    Ising model. *Phys. Rev.* 85, 808–816.

    Examples
    --------
    >>> print(f"{spontaneous_magnetization(2.0):.4f}")
    0.9113
    """
    J = check_float(J, "J", minimum=0.0, strict=True)
    T = check_array(T, "T")
    if np.any(T <= 0):
        raise ValueError(f"T must be > 0, got {T[T <= 0].flat[0]:g}")
    below = T < critical_temperature(J)
    # m_0 = (1 - sinh(2J/T)^-4)^(1/8) below T_c, 0 above
    with np.errstate(over="ignore", divide="ignore"):
        x = 1.0 - np.sinh(2.0 * J / np.where(below, T, 1.0)) ** -4.0
    m = np.where(below, np.clip(x, 0.0, None) ** 0.125, 0.0)
    return float(m) if m.ndim == 0 else m


def energy_per_spin(
    spins: np.ndarray, J: float = 1.0, h: float = 0.0
) -> float | np.ndarray:
    """Energy per spin of one lattice or a batch of lattices.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    spins : array_like of shape (L1, L2) or (n, L1, L2)
        Spins ±1, periodic boundaries.
    J : float, default 1.0
        Nearest-neighbour coupling.
    h : float, default 0.0
        External field.

    Returns
    -------
    float or ndarray of shape (n,)
        ``E / N``.

    Notes
    -----
    Each bond is counted once, through the right and the lower neighbour:

    .. math:: \\frac{E}{N} = -\\frac{J}{N}\\sum_{i,j} s_{ij}
              (s_{i,j+1} + s_{i+1,j}) - \\frac{h}{N}\\sum_{i,j} s_{ij}

    References
    ----------
    E. Ising (1925). Beitrag zur Theorie des Ferromagnetismus.
    *Z. Phys.* 31, 253–258.

    Examples
    --------
    >>> print(energy_per_spin(np.ones((4, 4))))
    -2.0
    """
    s = check_spins(spins, "spins", ndim=(2, 3))
    J = check_float(J, "J")
    h = check_float(h, "h")
    e = _energy(s, J, h)
    return float(e) if e.ndim == 0 else e


def _energy(s: np.ndarray, J: float, h: float) -> np.ndarray:
    """E/N of ``s: [..., L1, L2]``, no checks."""
    # bonds to the right and to the lower neighbour: each bond once
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return -J * bonds.mean(axis=(-2, -1)) - h * s.mean(axis=(-2, -1))


def magnetization(spins: np.ndarray) -> float | np.ndarray:
    """Magnetisation per spin ``m = (1/N) Σ s_i`` of one lattice or a batch.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    spins : array_like of shape (L1, L2) or (n, L1, L2)
        Spins ±1.

    Returns
    -------
    float or ndarray of shape (n,)
        ``m`` in ``[-1, 1]``.

    Notes
    -----
    .. math:: m = \\frac{1}{N}\\sum_i s_i

    References
    ----------
    E. Ising (1925). *Z. Phys.* 31, 253–258.

    Examples
    --------
    >>> print(magnetization([[1, 1], [1, -1]]))
    0.5
    """
    s = check_spins(spins, "spins", ndim=(2, 3))
    m = s.mean(axis=(-2, -1))
    return float(m) if m.ndim == 0 else m


def binder_cumulant(m: np.ndarray) -> float:
    """Binder's fourth-order cumulant of magnetisation samples.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    m : array_like of shape (n_samples,)
        Magnetisation per spin of sampled configurations.

    Returns
    -------
    float
        ``U``: 2/3 deep in the ordered phase, 0 for Gaussian ``m``.

    Notes
    -----
    .. math:: U = 1 - \\frac{\\langle m^4\\rangle}{3\\langle m^2\\rangle^2}

    References
    ----------
    K. Binder (1981). Finite size scaling analysis of Ising model block
    distribution functions. *Z. Phys. B* 43, 119–140.

    Examples
    --------
    >>> print(f"{binder_cumulant([1.0, -1.0]):.4f}")
    0.6667
    """
    m = check_array(m, "m", ndim=1)
    if m.size == 0 or not np.any(m):
        raise ValueError("m must contain at least one non-zero sample")
    # U = 1 - <m^4> / (3 <m^2>^2)
    m2, m4 = np.mean(m**2), np.mean(m**4)
    return float(1.0 - m4 / (3.0 * m2**2))


def _checkerboard(L: int) -> np.ndarray:
    """Masks of the two sublattices, ``[2, L, L]`` booleans."""
    i, j = np.indices((L, L))
    return np.stack([(i + j) % 2 == c for c in (0, 1)])


def _sweep(s, beta, J, h, masks, rng) -> None:
    """One Metropolis sweep of ``s: [..., L, L]`` in place (two colours)."""
    for mask in masks:
        # local field f_i = J Σ_<j> s_j + h (four neighbours, periodic)
        f = J * (np.roll(s, 1, -1) + np.roll(s, -1, -1)
                 + np.roll(s, 1, -2) + np.roll(s, -1, -2)) + h
        # flipping s_i costs ΔE = 2 s_i f_i; accept with min(1, e^(-βΔE))
        p_accept = np.exp(np.minimum(-beta * 2.0 * s * f, 0.0))
        flip = mask & (rng.random(s.shape) < p_accept)
        s *= np.where(flip, -1.0, 1.0)


def _check_lattice(L, T, n_sweeps, J, h):
    L = check_int(L, "L", minimum=2)
    if L % 2:
        raise ValueError(f"L must be even for checkerboard updates, got {L}")
    T = check_float(T, "T", minimum=0.0, strict=True)
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=0)
    return L, T, n_sweeps, check_float(J, "J"), check_float(h, "h")


def _start(shape, start, rng) -> np.ndarray:
    if start == "up":
        return np.ones(shape)
    if start == "random":
        return rng.choice([-1.0, 1.0], size=shape)
    raise ValueError(f"start must be 'up' or 'random', got {start!r}")


def metropolis(
    L: int,
    T: float,
    n_sweeps: int,
    rng: RngLike = None,
    spins: np.ndarray | None = None,
    J: float = 1.0,
    h: float = 0.0,
) -> np.ndarray:
    """Run checkerboard Metropolis sweeps on an ``L × L`` periodic lattice.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    L : int
        Linear size, even and ``>= 2``.
    T : float
        Temperature, ``> 0``.
    n_sweeps : int
        Number of sweeps (each spin offered one flip per sweep), ``>= 0``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.
    spins : array_like of shape (L, L), optional
        Starting spins ±1 (not modified). Default: random ±1.
    J : float, default 1.0
        Coupling.
    h : float, default 0.0
        External field.

    Returns
    -------
    ndarray of shape (L, L)
        The spins after ``n_sweeps`` sweeps.

    Notes
    -----
    Each half-sweep updates one sublattice; a flip is accepted with

    .. math:: P_{\\rm acc} = \\min\\left(1, e^{-\\beta\\,\\Delta E}\\right),
              \\quad \\Delta E = 2 s_i \\Big(J \\sum_{j \\sim i} s_j + h\\Big)

    References
    ----------
    N. Metropolis, A. W. Rosenbluth, M. N. Rosenbluth, A. H. Teller and
    E. Teller (1953). Equation of state calculations by fast computing
    machines. *J. Chem. Phys.* 21, 1087–1092.

    Examples
    --------
    >>> s = metropolis(8, T=1.0, n_sweeps=50, rng=0, spins=np.ones((8, 8)))
    >>> s.shape, abs(magnetization(s)) > 0.9
    ((8, 8), True)
    """
    L, T, n_sweeps, J, h = _check_lattice(L, T, n_sweeps, J, h)
    rng = as_rng(rng)
    if spins is None:
        s = _start((L, L), "random", rng)
    else:
        s = check_spins(spins, "spins", shape=(L, L))  # a copy
    masks = _checkerboard(L)
    for _ in range(n_sweeps):
        _sweep(s, 1.0 / T, J, h, masks, rng)
    return s


@dataclass(frozen=True)
class IsingStats:
    """Averages measured by `measure` at one temperature.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Attributes
    ----------
    L : int
        Lattice size.
    T : float
        Temperature.
    m, abs_m : float
        ``⟨m⟩`` and ``⟨|m|⟩`` over all measured sweeps and replicas.
    binder : float
        Binder cumulant ``U`` of those samples.
    energy : float
        ``⟨E/N⟩``.
    n_samples : int
        Number of samples (sweeps × replicas); they are correlated.
    """

    L: int
    T: float
    m: float
    abs_m: float
    binder: float
    energy: float
    n_samples: int

    def __repr__(self) -> str:
        return (
            f"IsingStats(L={self.L}, T={self.T:.4f}, m={self.m:.4f}, "
            f"|m|={self.abs_m:.4f}, U={self.binder:.4f}, e={self.energy:.4f})"
        )


def _run(s, beta, J, h, n_equil, n_sweeps, rng, observe):
    """Sweep ``s: [..., L, L]`` in place; ``observe(s)`` after each sweep.

    ``beta`` may be an array broadcasting against ``s`` (one temperature
    per leading index). Returns ``observe``'s outputs stacked on a new
    first axis ``[n_sweeps, ...]``.
    """
    masks = _checkerboard(s.shape[-1])
    for _ in range(n_equil):
        _sweep(s, beta, J, h, masks, rng)
    samples = []
    for _ in range(n_sweeps):
        _sweep(s, beta, J, h, masks, rng)
        samples.append(observe(s))
    return np.array(samples)


def measure(
    L: int,
    T: float,
    n_sweeps: int,
    n_equil: int = 200,
    n_replicas: int = 1,
    rng: RngLike = None,
    start: str = "up",
    J: float = 1.0,
    h: float = 0.0,
) -> IsingStats:
    """Equilibrate, then average ``|m|``, ``U`` and ``E/N`` over sweeps.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    L, T, J, h
        As in `metropolis`.
    n_sweeps : int
        Measured sweeps, ``>= 1``; one sample per sweep and replica.
    n_equil : int, default 200
        Sweeps discarded first (equilibration), ``>= 0``.
    n_replicas : int, default 1
        Independent lattices simulated side by side.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.
    start : {"up", "random"}, default "up"
        Initial spins. An ordered start equilibrates fast below ``T_c``.

    Returns
    -------
    IsingStats
        ``m`` = ⟨m⟩, ``abs_m`` = ⟨|m|⟩, ``binder`` = U,
        ``energy`` = ⟨E/N⟩.

    Notes
    -----
    Sample means over ``n_sweeps × n_replicas`` correlated samples:

    .. math:: \\langle |m| \\rangle \\approx \\frac{1}{n}\\sum_t |m_t|

    References
    ----------
    K. Binder (1981). *Z. Phys. B* 43, 119–140.

    Examples
    --------
    >>> measure(8, T=1.5, n_sweeps=100, n_equil=50, rng=0)
    IsingStats(L=8, T=1.5000, m=0.98..., |m|=0.98..., U=0.66..., e=-1.95...)
    """
    return temperature_scan(L, [T], n_sweeps, n_equil, n_replicas, rng,
                            start, J, h)[0]


def temperature_scan(
    L: int,
    temperatures: np.ndarray,
    n_sweeps: int,
    n_equil: int = 200,
    n_replicas: int = 1,
    rng: RngLike = None,
    start: str = "up",
    J: float = 1.0,
    h: float = 0.0,
) -> list[IsingStats]:
    """`measure` at several temperatures in one batched simulation.

    Taught in lesson 1.1 (docs/physics/ising.md).

    Parameters
    ----------
    L, n_sweeps, n_equil, n_replicas, rng, start, J, h
        As in `measure`.
    temperatures : array_like of shape (n_T,)
        Temperatures, all ``> 0``.

    Returns
    -------
    list of IsingStats
        One entry per temperature, in order.

    Notes
    -----
    All ``n_T × n_replicas`` lattices are one array ``[n_T, n_replicas, L,
    L]`` swept together, with ``beta`` broadcast along the first axis:

    .. math:: \\beta_k = 1 / T_k

    References
    ----------
    K. Binder (1981). *Z. Phys. B* 43, 119–140.

    Examples
    --------
    >>> [round(st.abs_m, 2) for st in temperature_scan(8, [1.0, 1.5], 50,
    ...                                                 n_equil=20, rng=0)]
    [1.0, 0.98]
    """
    temperatures = check_array(temperatures, "temperatures", ndim=1)
    if temperatures.size == 0 or np.any(temperatures <= 0):
        raise ValueError("temperatures must be a non-empty list of T > 0")
    L, _, n_sweeps, J, h = _check_lattice(L, 1.0, n_sweeps, J, h)
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=1)
    n_equil = check_int(n_equil, "n_equil", minimum=0)
    n_replicas = check_int(n_replicas, "n_replicas", minimum=1)
    rng = as_rng(rng)
    # s: [n_T, n_replicas, L, L]; beta: [n_T, 1, 1, 1]
    s = _start((temperatures.size, n_replicas, L, L), start, rng)
    beta = 1.0 / temperatures[:, None, None, None]
    # m, e: [n_sweeps, n_T, n_replicas]
    def observe(s):
        return s.mean(axis=(-2, -1)), _energy(s, J, h)

    m, e = _run(s, beta, J, h, n_equil, n_sweeps, rng, observe).swapaxes(0, 1)
    return [
        IsingStats(L, float(T), float(m[:, k].mean()),
                   float(np.abs(m[:, k]).mean()),
                   binder_cumulant(m[:, k].ravel()), float(e[:, k].mean()),
                   m[:, k].size)
        for k, T in enumerate(temperatures)
    ]
