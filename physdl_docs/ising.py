"""The 2D Ising model: energy, three Monte-Carlo samplers and error bars.

Spins ``s[i, j] = ±1`` sit on an ``L1 × L2`` lattice with periodic
boundaries, and a configuration has energy and Boltzmann probability

    E(s) = -J Σ_<ij> s_i s_j - h Σ_i s_i,     p(s) = exp(-E(s)/T) / Z.

Metropolis and heat-bath updates change one spin at a time; the sites of one
colour of a checkerboard never touch, so a whole colour is updated at once.
Wolff's cluster update flips a whole cluster of aligned spins. Samples of a
Markov chain are correlated: ``autocorrelation_time`` and ``binned_error``
turn a time series into an honest error bar.

Taught in lesson 1.1.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.special import expit
from scipy.sparse.csgraph import connected_components

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
    check_spins,
)

__all__ = [
    "IsingStats", "Series", "autocorrelation_time", "binder_cumulant",
    "binned_error", "critical_temperature", "energy_per_spin", "heat_bath",
    "magnetization", "mean_error", "measure", "metropolis", "sample",
    "spontaneous_magnetization", "temperature_scan", "with_error", "wolff",
]

METHODS = ("metropolis", "heat-bath", "wolff")


# ------------------------------------------------------------- exact results
def critical_temperature(J: float = 1.0) -> float:
    """Onsager's critical temperature ``T_c = 2J / ln(1 + √2)``.

    References: `onsager1944`

    >>> print(f"{critical_temperature():.6f}")
    2.269185
    """
    J = check_float(J, "J", minimum=0.0, strict=True)
    return 2.0 * J / math.log1p(math.sqrt(2.0))


def spontaneous_magnetization(T: float | np.ndarray,
                              J: float = 1.0) -> float | np.ndarray:
    """Yang's ``m_0(T) = (1 - sinh(2J/T)^-4)^(1/8)`` below ``T_c``, else 0.

    References: `yang1952`

    >>> print(f"{spontaneous_magnetization(2.0):.4f}")
    0.9113
    """
    J = check_float(J, "J", minimum=0.0, strict=True)
    T = check_array(T, "T")
    if np.any(T <= 0):
        raise ValueError(f"T must be > 0, got {T[T <= 0].flat[0]:g}")
    below = T < critical_temperature(J)
    with np.errstate(over="ignore", divide="ignore"):
        x = 1.0 - np.sinh(2.0 * J / np.where(below, T, 1.0)) ** -4.0
    m = np.where(below, np.clip(x, 0.0, None) ** 0.125, 0.0)
    return float(m) if m.ndim == 0 else m


# ---------------------------------------------------------------- observables
def _lattice(spins: object, name: str = "spins") -> np.ndarray:
    """Spins ``[..., L1, L2]`` with both sides >= 2 (a side of 1 would bond
    every spin to itself; a side of 2 joins each pair by two bonds)."""
    s = check_spins(spins, name, ndim=(2, 3))
    if min(s.shape[-2:]) < 2:
        raise ValueError(
            f"{name} must have both sides >= 2 (a side of 1 bonds each spin "
            f"to itself through the periodic boundary), got shape {s.shape}")
    return s


def _energy(s: np.ndarray, J: float, h: float) -> np.ndarray:
    # E/N = -(J/N) Σ s_ij (s_i,j+1 + s_i+1,j) - (h/N) Σ s_ij: each bond once
    bonds = s * (np.roll(s, -1, axis=-1) + np.roll(s, -1, axis=-2))
    return -J * bonds.mean(axis=(-2, -1)) - h * s.mean(axis=(-2, -1))


def energy_per_spin(spins: np.ndarray, J: float = 1.0,
                    h: float = 0.0) -> float | np.ndarray:
    """Energy per spin ``E/N`` of a lattice ``(L1, L2)`` or a batch ``(n, L1, L2)``.

    Each bond is counted once, through the right and the lower neighbour.
    References: `ising1925`

    >>> print(energy_per_spin(np.ones((4, 4))))
    -2.0
    """
    e = _energy(_lattice(spins), check_float(J, "J"), check_float(h, "h"))
    return float(e) if e.ndim == 0 else e


def magnetization(spins: np.ndarray) -> float | np.ndarray:
    """Magnetisation per spin ``m = (1/N) Σ s_i`` of a lattice or a batch.

    >>> print(magnetization([[1, 1], [1, -1]]))
    0.5
    """
    m = check_spins(spins, "spins", ndim=(2, 3)).mean(axis=(-2, -1))
    return float(m) if m.ndim == 0 else m


def binder_cumulant(m: np.ndarray) -> float:
    """Binder's ``U = 1 - <m^4> / (3 <m^2>^2)``: 2/3 ordered, 0 for Gaussian m.

    References: `binder1981`

    >>> print(f"{binder_cumulant([1.0, -1.0]):.4f}")
    0.6667
    """
    m = check_array(m, "m", ndim=(1, 2)).ravel()
    if not np.any(m):
        raise ValueError("m must contain at least one non-zero sample")
    m2, m4 = np.mean(m**2), np.mean(m**4)
    return float(1.0 - m4 / (3.0 * m2**2))


# ------------------------------------------------------------------ updates
def _checkerboard(L: int) -> np.ndarray:
    """Masks of the two sublattices, ``[2, L, L]`` booleans."""
    i, j = np.indices((L, L))
    return np.stack([(i + j) % 2 == c for c in (0, 1)])


def _field(s, J, h, out):
    """Local field ``f_i = J Σ_<j> s_j + h`` (four periodic neighbours)."""
    out[..., :, 1:] = s[..., :, :-1]
    out[..., :, 0] = s[..., :, -1]
    out[..., :, :-1] += s[..., :, 1:]
    out[..., :, -1] += s[..., :, 0]
    out[..., 1:, :] += s[..., :-1, :]
    out[..., 0, :] += s[..., -1, :]
    out[..., :-1, :] += s[..., 1:, :]
    out[..., -1, :] += s[..., 0, :]
    if J != 1.0 or h != 0.0:
        out *= J
        out += h
    return out


def _metropolis_sweep(s, beta, J, h, masks, rng, f, u) -> None:
    for mask in masks:
        # flipping s_i costs ΔE = 2 s_i f_i; accept with min(1, e^(-β ΔE))
        dE = np.multiply(_field(s, J, h, f), s, out=f)
        dE *= -2.0 * beta
        p_accept = np.exp(np.minimum(dE, 0.0, out=f), out=f)
        flip = rng.random(out=u) < p_accept
        flip &= mask
        np.negative(s, where=flip, out=s)


def _heat_bath_sweep(s, beta, J, h, masks, rng, f, u) -> None:
    for mask in masks:
        # draw s_i from p(s_i = +1 | neighbours) = σ(2 β f_i)
        x = _field(s, J, h, f)
        x *= 2.0 * beta
        p_up = expit(x, out=f)
        up = rng.random(out=u) < p_up
        np.copyto(s, np.where(up, 1.0, -1.0), where=mask)


_PLANE = np.zeros((3, 3, 3), dtype=bool)
_PLANE[1] = [[0, 1, 0], [1, 1, 1], [0, 1, 0]]      # 4-neighbours, one lattice


def _wolff_step(s, p_add, rng) -> np.ndarray:
    """One cluster flip in each lattice of ``s: [C, L1, L2]`` (in place).

    The cluster of a random seed in the graph of open bonds (aligned
    neighbours, each open with probability ``p_add``: [C, 1]) is exactly the
    cluster Wolff's growth rule builds. Returns the cluster sizes ``[C]``.
    """
    C, L1, L2 = s.shape
    # open bonds to the right and down neighbour: [C, L1, L2] each
    p = p_add[:, :, None]
    right = (s == np.roll(s, -1, axis=2)) & (rng.random(s.shape) < p)
    down = (s == np.roll(s, -1, axis=1)) & (rng.random(s.shape) < p)
    # a grid twice as fine: sites at even pixels, open bonds between them
    grid = np.zeros((C, 2 * L1, 2 * L2), dtype=bool)
    grid[:, ::2, ::2] = True
    grid[:, ::2, 1:-1:2] = right[:, :, :-1]
    grid[:, 1:-1:2, ::2] = down[:, :-1, :]
    labels, n = ndimage.label(grid, structure=_PLANE)
    site = labels[:, ::2, ::2]                       # [C, L1, L2]
    # join the pieces that bonds across the periodic boundary connect
    ends = [(site[:, :, -1][right[:, :, -1]], site[:, :, 0][right[:, :, -1]]),
            (site[:, -1, :][down[:, -1, :]], site[:, 0, :][down[:, -1, :]])]
    a, b = (np.concatenate(e) for e in zip(*ends))
    wrap = coo_matrix((np.ones(a.size), (a, b)), shape=(n + 1, n + 1))
    site = connected_components(wrap, directed=False)[1][site].reshape(C, -1)
    seed = rng.integers(0, L1 * L2, size=C)
    cluster = site == site[np.arange(C), seed][:, None]
    flat = s.reshape(C, -1)
    np.negative(flat, where=cluster, out=flat)
    return cluster.sum(axis=1)


def _stepper(method, shape, beta, J, h):
    """A function ``step(s, rng)`` doing one update of ``method`` on
    ``s: [..., L1, L2]`` in place and returning the fraction of a sweep it
    did per lattice (1 for a sweep, |cluster|/N for Wolff)."""
    if method == "wolff":
        if h != 0.0 or J <= 0.0:
            raise ValueError(f"method 'wolff' needs h = 0 and J > 0, got "
                             f"h={h:g}, J={J:g}")
        N = shape[-2] * shape[-1]
        p_add = -np.expm1(-2.0 * J * np.broadcast_to(beta, shape).reshape(
            -1, N)[:, :1])

        def step(s, rng):
            return _wolff_step(s.reshape(-1, *shape[-2:]), p_add,
                               rng).reshape(shape[:-2]) / N
        return step
    if min(shape[-2:]) % 2 or shape[-1] != shape[-2]:
        raise ValueError(f"L must be even for checkerboard updates, got "
                         f"{shape[-1]}")
    sweep = {"metropolis": _metropolis_sweep,
             "heat-bath": _heat_bath_sweep}[method]
    masks = _checkerboard(shape[-1])
    f, u = np.empty(shape), np.empty(shape)     # work arrays

    def step(s, rng):
        sweep(s, beta, J, h, masks, rng, f, u)
        return np.ones(shape[:-2])
    return step


def _check_method(method: object) -> str:
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    return method


def _check_lattice(L, T, J, h):
    L = check_int(L, "L", minimum=2)
    T = check_float(T, "T", minimum=0.0, strict=True)
    return L, T, check_float(J, "J"), check_float(h, "h")


def _start(shape, start, rng) -> np.ndarray:
    if start == "up":
        return np.ones(shape)
    if start == "random":
        return rng.choice([-1.0, 1.0], size=shape)
    raise ValueError(f"start must be 'up' or 'random', got {start!r}")


def _chain(method, L, T, n_steps, rng, spins, J, h, name="n_sweeps"):
    L, T, J, h = _check_lattice(L, T, J, h)
    n_steps = check_int(n_steps, name, minimum=0)
    rng = as_rng(rng)
    s = (_start((L, L), "random", rng) if spins is None
         else check_spins(spins, "spins", shape=(L, L)))  # a copy
    step = _stepper(method, (1, L, L), 1.0 / T, J, h)
    for _ in range(n_steps):
        step(s[None], rng)
    return s


def metropolis(L: int, T: float, n_sweeps: int, rng: RngLike = None,
               spins: np.ndarray | None = None, J: float = 1.0,
               h: float = 0.0) -> np.ndarray:
    """``n_sweeps`` checkerboard Metropolis sweeps of an ``L × L`` lattice.

    A flip is accepted with ``min(1, exp(-ΔE/T))``, ``ΔE = 2 s_i (J Σ_j s_j + h)``.
    ``L`` even; ``spins`` (default random ±1) is not modified.
    References: `metropolis1953`

    >>> s = metropolis(8, T=1.0, n_sweeps=50, rng=0, spins=np.ones((8, 8)))
    >>> s.shape, abs(magnetization(s)) > 0.9
    ((8, 8), True)
    """
    return _chain("metropolis", L, T, n_sweeps, rng, spins, J, h)


def heat_bath(L: int, T: float, n_sweeps: int, rng: RngLike = None,
              spins: np.ndarray | None = None, J: float = 1.0,
              h: float = 0.0) -> np.ndarray:
    """``n_sweeps`` checkerboard heat-bath (Gibbs) sweeps of an ``L × L`` lattice.

    Each spin is drawn from its exact conditional given its neighbours,
    ``p(s_i = +1 | rest) = 1 / (1 + exp(-2 f_i / T))``, ``f_i = J Σ_j s_j + h``.
    References: `glauber1963`

    >>> s = heat_bath(8, T=1.0, n_sweeps=50, rng=0, spins=np.ones((8, 8)))
    >>> bool(abs(magnetization(s)) > 0.9)
    True
    """
    return _chain("heat-bath", L, T, n_sweeps, rng, spins, J, h)


def wolff(L: int, T: float, n_steps: int, rng: RngLike = None,
          spins: np.ndarray | None = None, J: float = 1.0) -> np.ndarray:
    """``n_steps`` Wolff cluster flips of an ``L × L`` lattice (``h = 0``).

    Grow a cluster from a random seed, adding each aligned neighbour with
    probability ``1 - exp(-2J/T)``, and flip it; every flip is accepted.
    References: `wolff1989`, `swendsen1987`

    >>> s = wolff(16, T=1.5, n_steps=20, rng=0)
    >>> bool(abs(magnetization(s)) > 0.9)
    True
    """
    return _chain("wolff", L, T, n_steps, rng, spins, J, 0.0, "n_steps")


class Series(NamedTuple):
    """Time series of one run: ``m`` and ``e`` of shape ``(n_steps, n_chains)``;
    ``sweeps`` is the mean number of sweeps one step is worth."""

    m: np.ndarray
    e: np.ndarray
    sweeps: float


def _run(s, beta, J, h, n_equil, n_steps, rng, observe, method="metropolis"):
    """Step ``s: [..., L, L]`` in place with ``beta`` broadcasting against
    it; ``observe(s)`` after each measured step, stacked ``[n_steps, ...]``.
    Returns those and the sweeps each step was worth, ``[n_steps, ...]``."""
    step = _stepper(method, s.shape, beta, J, h)
    for _ in range(n_equil):
        step(s, rng)
    out, sweeps = [], []
    for _ in range(n_steps):
        sweeps.append(step(s, rng))
        out.append(observe(s))
    return np.array(out), np.array(sweeps)


def sample(L: int, T: float, n_steps: int, n_chains: int = 4,
           n_equil: int = 100, method: str = "metropolis", rng: RngLike = None,
           start: str = "up", J: float = 1.0, h: float = 0.0) -> Series:
    """Run ``n_chains`` independent chains; record ``m`` and ``E/N`` per step.

    A step is a sweep (Metropolis, heat bath) or one cluster flip (Wolff).
    The first ``n_equil`` steps are discarded.

    >>> run = sample(8, 1.5, n_steps=20, n_chains=2, rng=0)
    >>> run.m.shape, run.sweeps
    ((20, 2), 1.0)
    """
    L, T, J, h = _check_lattice(L, T, J, h)
    n_steps = check_int(n_steps, "n_steps", minimum=1)
    n_chains = check_int(n_chains, "n_chains", minimum=1)
    n_equil = check_int(n_equil, "n_equil", minimum=0)
    method, rng = _check_method(method), as_rng(rng)
    s = _start((n_chains, L, L), start, rng)
    obs, sweeps = _run(s, 1.0 / T, J, h, n_equil, n_steps, rng,
                       lambda s: (s.mean(axis=(-2, -1)), _energy(s, J, h)),
                       method)
    return Series(obs[:, 0], obs[:, 1], float(sweeps.mean()))


# --------------------------------------------------------------- error bars
def _series(x: object, name: str = "x") -> np.ndarray:
    x = check_array(x, name, ndim=(1, 2))
    x = x[:, None] if x.ndim == 1 else x
    if x.shape[0] < 4:
        raise ValueError(f"{name} needs at least 4 time steps, got {x.shape[0]}")
    return x


def autocorrelation_time(x: np.ndarray, c: float = 5.0,
                         error: bool = False) -> float | tuple[float, float]:
    """Integrated autocorrelation time ``τ = 1/2 + Σ_t ρ(t)`` of a time series.

    ``x`` has shape ``(n_steps,)`` or ``(n_steps, n_chains)`` (the chains'
    autocorrelations are averaged). The sum stops at the first window
    ``W >= c τ(W)`` (Sokal's automatic window); the variance of the mean of
    ``n`` samples is ``2 τ σ² / n``. With ``error=True`` also returns the
    statistical error of ``τ``, ``τ √(2(2W + 1)/n)``.
    References: `sokal1997`

    >>> x = np.repeat(np.random.default_rng(0).normal(size=4000), 4)
    >>> print(f"{autocorrelation_time(x):.1f}")  # blocks of 4: tau about 2
    2.0
    """
    x = _series(x)
    c = check_float(c, "c", minimum=0.0, strict=True)
    n = x.shape[0]
    d = x - x.mean()
    if not np.any(d):
        raise ValueError("x must not be constant")
    # autocovariance of each chain by FFT, averaged over chains: [n]
    f = np.fft.rfft(d, 2 * n, axis=0)
    acov = np.fft.irfft(f * f.conj(), 2 * n, axis=0)[:n].mean(axis=1)
    tau = 0.5 + np.cumsum(acov[1:] / acov[0])      # tau[W - 1] = τ(W)
    ok = np.nonzero(np.arange(1, n) >= c * tau)[0]
    W = ok[0] + 1 if ok.size else n // 4
    if W > n // 4:
        W = n // 4
        warnings.warn(f"x is too short to estimate tau: {n} steps for "
                      f"tau >= {tau[W - 1]:.0f}; run longer (>= 100 tau)",
                      RuntimeWarning, stacklevel=2)
    t = float(tau[W - 1])
    return (t, t * math.sqrt(2 * (2 * W + 1) / x.size)) if error else t


def mean_error(x: np.ndarray) -> tuple[float, float]:
    """Mean of a correlated series and its error ``σ √(2τ/n)``.

    >>> x = np.repeat(np.random.default_rng(0).normal(size=4000), 4)
    >>> print("{:.3f} {:.3f}".format(*mean_error(x)))
    -0.015 0.016
    """
    x = _series(x)
    tau = autocorrelation_time(x)
    return float(x.mean()), float(x.std() * math.sqrt(2 * tau / x.size))


def binned_error(x: np.ndarray, n_bins: int = 20) -> float:
    """Error of the mean from ``n_bins`` consecutive bins (all chains).

    The bins must be longer than a few ``τ`` for their means to be
    independent. References: `flyvbjerg1989`

    >>> x = np.repeat(np.random.default_rng(0).normal(size=4000), 4)
    >>> print(f"{binned_error(x):.3f}")
    0.015
    """
    x = _series(x)
    n_bins = check_int(n_bins, "n_bins", minimum=2)
    if n_bins > x.shape[0]:
        raise ValueError(f"n_bins must be <= {x.shape[0]} (the number of "
                         f"time steps), got {n_bins}")
    b = x[: x.shape[0] // n_bins * n_bins].reshape(n_bins, -1).mean(axis=1)
    return float(b.std(ddof=1) / math.sqrt(n_bins))


def _binder_error(m: np.ndarray, n_bins: int = 20) -> float:
    """Jackknife error of ``U`` for ``m: [n_steps, n_chains]``, leaving out one
    chain at a time (8 or more chains) or one of ``n_bins`` time bins."""
    units = (list(m.T) if m.shape[1] >= 8
             else np.array_split(m, min(n_bins, m.shape[0])))
    # sums of m^2 and m^4 per unit, then U without unit k: [K]
    n = np.array([u.size for u in units])
    s2 = np.array([np.sum(u**2) for u in units])
    s4 = np.array([np.sum(u**4) for u in units])
    m2, m4 = (s2.sum() - s2) / (n.sum() - n), (s4.sum() - s4) / (n.sum() - n)
    U = 1.0 - m4 / (3.0 * m2**2)
    return float(np.sqrt((len(U) - 1) * U.var()))


def with_error(mean: float, err: float) -> str:
    """``mean ± err`` with the error to two significant digits.

    >>> with_error(0.78846, 0.00226)
    '0.7885 ± 0.0023'
    """
    mean = check_float(mean, "mean")
    if not isinstance(err, (int, float, np.floating)) or isinstance(err, bool):
        raise TypeError(f"err must be a real number, got {type(err).__name__}")
    if math.isnan(err):
        return f"{mean:.4f} ± nan"
    err = check_float(err, "err", minimum=0.0)
    d = max(0, 1 - math.floor(math.log10(err))) if err > 0 else 4
    return f"{mean:.{d}f} ± {err:.{d}f}"


# ------------------------------------------------------------ measurements
@dataclass(frozen=True)
class IsingStats:
    """Averages at one temperature, with their error bars.

    ``m``, ``abs_m``: ``<m>``, ``<|m|>``; ``binder``: ``U``; ``energy``:
    ``<E/N>``; ``tau``: autocorrelation time of ``|m|`` in steps;
    ``n_samples``: steps × chains.
    """

    L: int
    T: float
    m: float
    abs_m: float
    binder: float
    energy: float
    n_samples: int
    abs_m_err: float = math.nan
    binder_err: float = math.nan
    energy_err: float = math.nan
    tau: float = math.nan

    def __repr__(self) -> str:
        return (f"IsingStats(L={self.L}, T={self.T:.4f}, "
                f"|m|={with_error(self.abs_m, self.abs_m_err)}, "
                f"U={with_error(self.binder, self.binder_err)}, "
                f"e={with_error(self.energy, self.energy_err)})")


def _stats(L, T, m, e) -> IsingStats:
    """IsingStats from ``m, e: [n_steps, n_chains]`` (errors need >= 4 steps;
    a constant series has error 0)."""
    abs_m = np.abs(m)

    def err(x, tau):
        return float(x.std() * math.sqrt(2 * tau / x.size))

    tau_m = tau_e = math.nan
    if m.shape[0] >= 4:
        tau_m = autocorrelation_time(abs_m) if np.ptp(abs_m) > 0 else 0.5
        tau_e = autocorrelation_time(e) if np.ptp(e) > 0 else 0.5
    return IsingStats(L, float(T), float(m.mean()), float(abs_m.mean()),
                      binder_cumulant(m), float(e.mean()), m.size,
                      err(abs_m, tau_m), _binder_error(m), err(e, tau_e),
                      tau_m)


def measure(L: int, T: float, n_sweeps: int, n_equil: int = 200,
            n_replicas: int = 1, rng: RngLike = None, start: str = "up",
            J: float = 1.0, h: float = 0.0,
            method: str = "metropolis") -> IsingStats:
    """Equilibrate, then average ``|m|``, ``U`` and ``E/N`` with error bars.

    Errors: ``|m|`` and ``E/N`` from the autocorrelation time, ``U`` by a
    jackknife over replicas (8 or more) or over 20 time bins. References: `binder1981`, `sokal1997`

    >>> st = measure(8, T=1.5, n_sweeps=400, n_equil=50, n_replicas=4, rng=0)
    >>> print(with_error(st.abs_m, st.abs_m_err))
    0.9845 ± 0.0011
    """
    return temperature_scan(L, [T], n_sweeps, n_equil, n_replicas, rng,
                            start, J, h, method)[0]


def temperature_scan(L: int, temperatures: np.ndarray, n_sweeps: int,
                     n_equil: int = 200, n_replicas: int = 1,
                     rng: RngLike = None, start: str = "up", J: float = 1.0,
                     h: float = 0.0,
                     method: str = "metropolis") -> list[IsingStats]:
    """`measure` at several temperatures, all lattices swept as one array.

    Examples
    --------
    >>> [round(st.abs_m, 2) for st in temperature_scan(8, [1.0, 1.5], 50,
    ...                                                 n_equil=20, rng=0)]
    [1.0, 0.98]
    """
    T = check_array(temperatures, "temperatures", ndim=1)
    if T.size == 0 or np.any(T <= 0):
        raise ValueError("temperatures must be a non-empty list of T > 0")
    L, _, J, h = _check_lattice(L, 1.0, J, h)
    n_sweeps = check_int(n_sweeps, "n_sweeps", minimum=1)
    n_equil = check_int(n_equil, "n_equil", minimum=0)
    n_replicas = check_int(n_replicas, "n_replicas", minimum=1)
    method, rng = _check_method(method), as_rng(rng)
    # s: [n_T, n_replicas, L, L]; beta: [n_T, 1, 1, 1]
    s = _start((T.size, n_replicas, L, L), start, rng)
    obs, _ = _run(s, 1.0 / T[:, None, None, None], J, h, n_equil, n_sweeps,
                  rng, lambda s: (s.mean(axis=(-2, -1)), _energy(s, J, h)),
                  method)
    # obs: [n_sweeps, 2, n_T, n_replicas]
    return [_stats(L, t, obs[:, 0, k], obs[:, 1, k]) for k, t in enumerate(T)]
