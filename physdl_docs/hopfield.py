"""Hopfield networks: Hebbian storage, energy descent, capacity, dense memories.

``N`` binary neurons ``s_i = ±1`` are Ising spins with couplings set by the
Hebb rule from ``P`` patterns ``xi^mu`` (rows of ``patterns``),

    W = (1/N) Σ_mu xi^mu xi^muᵀ,  W_ii = 0,     E(s) = -1/2 sᵀ W s.

Asynchronous updates ``s_i <- sign(h_i)``, ``h = W s``, never raise ``E``
(a neuron with ``h_i = 0`` keeps its state), so recall ends at a fixed point:
a stored pattern below the load ``alpha_c ≈ 0.138``, or a spurious state.
Dense associative memories replace the quadratic energy by
``-Σ_mu F(xi^mu · s)``; with ``F = exp`` the update is a softmax-weighted
vote of the patterns, the binary cousin of attention.

The network keeps the integer matrix ``C = N W`` (float32 while every field
``|C s| <= (N - 1) P`` is below 2**24), so fields are exact and ties
``h_i = 0`` are detected whatever the order of summation.

Taught in lesson 1.2.
"""

from __future__ import annotations

import math

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
    "HopfieldNetwork", "ags_overlap", "corrupt", "critical_load",
    "dense_energy", "dense_recall", "mixture_state",
    "one_step_error_probability", "one_step_error_rate", "overlap",
    "perfect_recall_capacity", "random_patterns", "retrieval_overlap",
    "unstable_bits",
]


# ------------------------------------------------------------- patterns
def overlap(a: np.ndarray, b: np.ndarray) -> float | np.ndarray:
    """Overlap ``m = (1/N) Σ_i a_i b_i`` of one or ``k`` states ``a`` with ``b``.

    References: `amit1985pra`

    >>> overlap([1, 1, -1, -1], [1, 1, 1, -1])
    0.5
    """
    a = check_spins(a, "a", ndim=(1, 2))
    b = check_spins(b, "b", shape=(a.shape[-1],))
    m = a @ b / a.shape[-1]
    return float(m) if m.ndim == 0 else m


def random_patterns(n_patterns: int, n_neurons: int,
                    rng: RngLike = None) -> np.ndarray:
    """``n_patterns × n_neurons`` unbiased random ±1 patterns.

    >>> random_patterns(2, 5, rng=0).shape
    (2, 5)
    """
    n_patterns = check_int(n_patterns, "n_patterns", minimum=1)
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    return as_rng(rng).integers(0, 2, size=(n_patterns, n_neurons)) * 2.0 - 1.0


def corrupt(pattern: np.ndarray, fraction: float,
            rng: RngLike = None) -> np.ndarray:
    """A copy of ``pattern`` with ``round(fraction N)`` distinct bits flipped.

    The overlap with the original is then ``1 - 2k/N``.

    >>> print(overlap(corrupt([1, 1, 1, 1], 0.25, rng=0), [1, 1, 1, 1]))
    0.5
    """
    s = check_spins(pattern, "pattern", ndim=1)
    fraction = check_float(fraction, "fraction", minimum=0.0, maximum=1.0)
    flip = as_rng(rng).choice(s.size, size=round(fraction * s.size),
                              replace=False)
    s[flip] *= -1.0
    return s


def mixture_state(patterns: np.ndarray) -> np.ndarray:
    """The symmetric mixture ``sign(xi^1 + ... + xi^k)`` of an odd number of patterns.

    References: `amit1985pra`

    >>> mixture_state([[1, 1, -1], [1, -1, -1], [-1, 1, -1]])
    array([ 1.,  1., -1.])
    """
    xi = check_spins(patterns, "patterns", ndim=2)
    if xi.shape[0] % 2 == 0:
        raise ValueError(
            f"patterns must hold an odd number of patterns, got {xi.shape[0]}")
    return np.sign(xi.sum(axis=0))


# -------------------------------------------------------------- network
class HopfieldNetwork:
    """A Hopfield network of ``n_neurons`` ±1 neurons with Hebbian weights.

    ``weights`` is ``W`` (read-only), ``n_patterns`` is ``P`` and ``load``
    is ``alpha = P/N``. References: `hopfield1982`, `hebb1949`

    >>> xi = random_patterns(3, 100, rng=0)
    >>> net = HopfieldNetwork(n_neurons=100).store(xi)
    >>> net
    HopfieldNetwork(n_neurons=100, n_patterns=3)
    >>> overlap(net.recall(corrupt(xi[0], 0.2, rng=1), rng=2), xi[0])
    1.0
    """

    def __init__(self, n_neurons: int) -> None:
        self.n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
        self.n_patterns = 0
        # C = N W, integer-valued: [n_neurons, n_neurons]
        self._C = np.zeros((self.n_neurons, self.n_neurons), dtype=np.float32)
        self._W: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"HopfieldNetwork(n_neurons={self.n_neurons}, "
                f"n_patterns={self.n_patterns})")

    @property
    def weights(self) -> np.ndarray:
        """The couplings ``W = C / N``, ndarray of shape (N, N), read-only."""
        if self._W is None:
            self._W = self._C.astype(np.float64) / self.n_neurons
            self._W.flags.writeable = False
        return self._W

    @property
    def load(self) -> float:
        """The load ``alpha = P / N``."""
        return self.n_patterns / self.n_neurons

    def store(self, patterns: np.ndarray) -> HopfieldNetwork:
        """Set ``W = (1/N) Σ_mu xi^mu xi^muᵀ``, ``W_ii = 0`` (replaces old patterns)."""
        xi = check_spins(patterns, "patterns", ndim=2)
        if xi.shape[1] != self.n_neurons:
            raise ValueError(f"patterns must have n_neurons={self.n_neurons} "
                             f"columns, got shape {xi.shape}")
        exact32 = (self.n_neurons - 1) * xi.shape[0] < 2**24
        xi = xi.astype(np.float32 if exact32 else np.float64)
        # C = N W = Σ_mu xi^mu xi^muᵀ (exact integers), C_ii = 0
        C = xi.T @ xi
        np.fill_diagonal(C, 0.0)
        self._C, self._W, self.n_patterns = C, None, xi.shape[0]
        return self

    def _state(self, state: object) -> np.ndarray:
        return check_spins(state, "state", shape=(self.n_neurons,))

    def _field(self, s: np.ndarray) -> np.ndarray:
        # N h = C s, exact integers: [N] (einsum: one matrix-vector product
        # gains nothing from BLAS threads, which can slow it on a busy CPU)
        return np.einsum("ij,j->i", self._C, s.astype(self._C.dtype))

    def local_field(self, state: np.ndarray) -> np.ndarray:
        """Local fields ``h = W s``; neuron ``i`` is stable when ``s_i h_i >= 0``."""
        return self._field(self._state(state)) / np.float64(self.n_neurons)

    def energy(self, state: np.ndarray) -> float:
        """Total energy ``E = -1/2 sᵀ W s``."""
        s = self._state(state)
        return -0.5 * float(s @ self._field(s)) / self.n_neurons + 0.0

    def is_fixed_point(self, state: np.ndarray) -> bool | np.ndarray:
        """Whether ``s_i h_i >= 0`` for every neuron, for one state or ``k``."""
        s = check_spins(state, "state", ndim=(1, 2))
        if s.shape[-1] != self.n_neurons:
            raise ValueError(f"state must have n_neurons={self.n_neurons} "
                             f"entries per row, got shape {s.shape}")
        # N h = C s for every row (C symmetric): [k, N]
        stable = np.all(s * (s.astype(self._C.dtype) @ self._C) >= 0, axis=-1)
        return bool(stable) if s.ndim == 1 else stable

    def recall(self, state: np.ndarray, max_sweeps: int = 100,
               rng: RngLike = None, return_energies: bool = False
               ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Asynchronous updates ``s_i <- sign(h_i)`` until a sweep flips nothing.

        Each sweep visits the neurons in a fresh random order; a tie
        ``h_i = 0`` keeps ``s_i``. With ``return_energies`` also returns
        ``E/N`` before the first visit and after every visit. Flipping
        ``s_i`` adds ``2 s_i W[:, i]`` to ``h`` and changes ``E`` by
        ``-Δs_i h_i <= 0``. References: `hopfield1982`
        """
        s = self._state(state)
        max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
        if not isinstance(return_energies, bool):
            raise TypeError("return_energies must be a bool, got "
                            f"{type(return_energies).__name__}")
        rng = as_rng(rng)
        C, N = self._C, self.n_neurons
        h = self._field(s)                  # N h: [N]
        E = -0.5 * float(s @ h)             # N E
        energies = [E]
        for _ in range(max_sweeps):
            n_flips = 0
            for i in rng.permutation(N).tolist():
                if s[i] * h[i] < 0:
                    # s_i <- sign(h_i); N dE = -2 s_i h_i; h += 2 s_i C[:, i]
                    s[i] = -s[i]
                    two_s = 2.0 if s[i] > 0 else -2.0
                    E -= two_s * float(h[i])
                    h += two_s * C[i]
                    n_flips += 1
                if return_energies:
                    energies.append(E)
            if n_flips == 0:
                break
        return (s, np.array(energies) / N) if return_energies else s


# ------------------------------------------------------------- capacity
def one_step_error_probability(alpha: float | np.ndarray) -> float | np.ndarray:
    """Gaussian-crosstalk bit-error probability ``Φ(-1/√alpha)``.

    References: `hertz1991` (Table 2.1)

    >>> print(f"{one_step_error_probability(0.138):.4f}")
    0.0036
    """
    a = check_array(alpha, "alpha")
    if a.size == 0:
        raise ValueError("alpha must not be empty")
    if np.any(a <= 0):
        raise ValueError(f"alpha must be > 0, got {a[a <= 0].flat[0]:g}")
    # Phi(-1/sqrt(alpha)) = erfc(1/sqrt(2 alpha)) / 2
    p = np.vectorize(lambda x: 0.5 * math.erfc(1.0 / math.sqrt(2.0 * x)))(a)
    return float(p) if p.ndim == 0 else p


def unstable_bits(patterns: np.ndarray) -> np.ndarray:
    """Per stored pattern, the number of neurons one update would flip.

    Uses ``N H = (Ξ Ξᵀ) Ξ - P Ξ`` (cost ``P² N``); a count of 0 means the
    pattern is an exact fixed point. References: `hertz1991`

    >>> unstable_bits(random_patterns(3, 100, rng=0))
    array([0, 0, 0])
    """
    xi = check_spins(patterns, "patterns", ndim=2)
    P, N = xi.shape
    if P * N < 2**24:  # every entry of N H is an integer below P N: exact
        xi = xi.astype(np.float32)
    NH = (xi @ xi.T) @ xi - P * xi  # [P, N]
    return np.count_nonzero(xi * NH < 0, axis=1)


def one_step_error_rate(n_neurons: int, n_patterns: int, n_trials: int = 1,
                        rng: RngLike = None, error: bool = False
                        ) -> float | tuple[float, float]:
    """Measured fraction of stored bits with ``xi_i h_i < 0``, over ``n_trials`` networks.

    With ``error=True`` also returns the standard error of that fraction
    over the networks (bits of one network share its couplings; needs
    ``n_trials >= 2``). References: `hertz1991`
    """
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    n_patterns = check_int(n_patterns, "n_patterns", minimum=1)
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    if not isinstance(error, bool):
        raise TypeError(f"error must be a bool, got {type(error).__name__}")
    if error and n_trials < 2:
        raise ValueError("n_trials must be >= 2 for error=True (the error is "
                         f"over networks), got {n_trials}")
    rng = as_rng(rng)
    # fraction of unstable bits in each network: [n_trials]
    rates = np.array([unstable_bits(random_patterns(n_patterns, n_neurons,
                                                    rng)).sum()
                      for _ in range(n_trials)]) / (n_patterns * n_neurons)
    if not error:
        return float(rates.mean())
    return float(rates.mean()), float(rates.std(ddof=1) / np.sqrt(n_trials))


def retrieval_overlap(alphas: np.ndarray, n_neurons: int, n_cues: int = 5,
                      n_networks: int = 1, rng: RngLike = None,
                      error: bool = False
                      ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Mean overlap of the fixed point reached from a stored pattern, per load.

    For each ``alpha``, ``n_networks`` networks store ``max(1, round(alpha N))``
    patterns and recall starts at each of the first ``n_cues``. With
    ``error=True`` also returns the standard error of each mean over the
    networks (the cues of one network share its couplings, so the network
    is the independent unit; needs ``n_networks >= 2``).
    References: `amit1985`
    """
    alphas = check_array(alphas, "alphas", ndim=1)
    if alphas.size == 0 or np.any(alphas <= 0):
        raise ValueError("alphas must be a non-empty array of loads > 0")
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    n_cues = check_int(n_cues, "n_cues", minimum=1)
    n_networks = check_int(n_networks, "n_networks", minimum=1)
    if not isinstance(error, bool):
        raise TypeError(f"error must be a bool, got {type(error).__name__}")
    if error and n_networks < 2:
        raise ValueError("n_networks must be >= 2 for error=True (the error "
                         f"is over networks), got {n_networks}")
    rng = as_rng(rng)
    # per_net[k, j]: mean overlap of network j at load alphas[k]
    per_net = np.zeros((alphas.size, n_networks))
    for k, alpha in enumerate(alphas):
        P = max(1, round(alpha * n_neurons))
        for j in range(n_networks):
            xi = random_patterns(P, n_neurons, rng)
            net = HopfieldNetwork(n_neurons).store(xi)
            ends = [net.recall(xi[mu], rng=rng) for mu in range(min(n_cues, P))]
            per_net[k, j] = np.mean([overlap(s, x) for s, x in zip(ends, xi)])
    m = per_net.mean(axis=1)
    if not error:
        return m
    return m, per_net.std(axis=1, ddof=1) / np.sqrt(n_networks)


def _ags_gain(y: float) -> float:
    # g(y) = erf(y)/y - (2/√π) e^{-y²}; a retrieval state needs g(y) = √(2α)
    return math.erf(y) / y - 2.0 / math.sqrt(math.pi) * math.exp(-y * y)


def _ags_peak() -> float:
    lo, hi = 0.5, 3.0
    for _ in range(100):  # ternary search: g rises, peaks once, decays
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (a, hi) if _ags_gain(a) < _ags_gain(b) else (lo, b)
    return 0.5 * (lo + hi)


def critical_load() -> float:
    """Capacity ``alpha_c = max_y g(y)² / 2 ≈ 0.1379`` at ``T = 0``.

    ``g(y) = erf(y)/y - (2/√π) e^{-y²}`` from the replica-symmetric
    equations. References: `amit1985`

    >>> print(f"{critical_load():.3f}")
    0.138
    """
    return 0.5 * _ags_gain(_ags_peak()) ** 2


def ags_overlap(alpha: float) -> float:
    """Replica-theory retrieval overlap ``m = erf(y)`` at load ``alpha`` (0 above ``alpha_c``).

    ``y`` is the larger root of ``g(y) = √(2 alpha)``. References: `amit1985`

    >>> print(f"{ags_overlap(critical_load()):.3f}")
    0.967
    """
    alpha = check_float(alpha, "alpha", minimum=0.0, strict=True)
    if alpha > critical_load():
        return 0.0
    target, lo, hi = math.sqrt(2.0 * alpha), _ags_peak(), 50.0
    for _ in range(200):  # g decreases on [y*, ∞): bisection
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _ags_gain(mid) > target else (lo, mid)
    return math.erf(0.5 * (lo + hi))


def perfect_recall_capacity(n_neurons: int, all_patterns: bool = False) -> float:
    """``N / (2 ln N)`` (each pattern exact) or ``N / (4 ln N)`` (all at once).

    References: `mceliece1987`

    >>> print(f"{perfect_recall_capacity(1000):.1f}")
    72.4
    """
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    if not isinstance(all_patterns, bool):
        raise TypeError("all_patterns must be a bool, got "
                        f"{type(all_patterns).__name__}")
    return n_neurons / ((4.0 if all_patterns else 2.0) * math.log(n_neurons))


# ---------------------------------------------- dense associative memory
def _check_dense(patterns, state, beta, power):
    X = check_spins(patterns, "patterns", ndim=2)
    s = check_spins(state, "state", shape=(X.shape[1],))
    beta = check_float(beta, "beta", minimum=0.0, strict=True)
    if power is not None:
        power = check_int(power, "power", minimum=2)
    return X, s, beta, power


def dense_energy(patterns: np.ndarray, state: np.ndarray, beta: float = 1.0,
                 power: int | None = None) -> float:
    """Energy ``E = -Σ_mu F(xi^mu · s)`` of a dense associative memory.

    ``F(x) = x^power`` (Krotov & Hopfield) or, with ``power=None``,
    ``F(x) = exp(beta x)`` (Demircigil et al.); ``power=2`` is the
    classical network up to a constant. References: `krotov2016`,
    `demircigil2017`

    >>> print(dense_energy([[1, 1], [1, -1]], [1, 1], power=2))
    -4.0
    """
    X, s, beta, power = _check_dense(patterns, state, beta, power)
    a = X @ s                                  # xi^mu · s: [P]
    if power is not None:
        return -float(np.sum(a**power))
    with np.errstate(over="ignore"):
        return -float(np.sum(np.exp(beta * a)))


def dense_recall(patterns: np.ndarray, state: np.ndarray, beta: float = 1.0,
                 power: int | None = None, max_sweeps: int = 100,
                 rng: RngLike = None) -> np.ndarray:
    """Asynchronous recall in a dense associative memory (see `dense_energy`).

    ``s_i`` takes the sign that gives the lower energy. For ``F = exp``
    that is the sign of a softmax-weighted vote of the patterns,

        s_i <- sign(Σ_mu xi_i^mu softmax_mu(beta a_mu)),
        a_mu = xi^mu · s - xi_i^mu s_i;

    a tie keeps ``s_i``. References: `krotov2016`, `demircigil2017`

    >>> X = random_patterns(200, 32, rng=0)      # load 6.25, far above 0.138
    >>> s = dense_recall(X, corrupt(X[0], 0.1, rng=1), rng=2)
    >>> overlap(s, X[0])
    1.0
    """
    X, s, beta, power = _check_dense(patterns, state, beta, power)
    max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
    rng = as_rng(rng)
    m = X @ s                                  # xi^mu · s: [P]
    for _ in range(max_sweeps):
        n_flips = 0
        for i in rng.permutation(s.size).tolist():
            x_i = X[:, i]
            a = m - x_i * s[i]                 # a_mu without neuron i: [P]
            if power is None:   # E(+1) < E(-1)  <=>  Σ_mu x_i e^{β a} > 0
                vote = x_i @ np.exp(beta * (a - a.max()))
            else:               # E(-1) - E(+1) = Σ F(a + x_i) - F(a - x_i)
                vote = np.sum((a + x_i) ** power - (a - x_i) ** power)
            if vote * s[i] < 0:
                s[i] = -s[i]
                m += 2.0 * s[i] * x_i
                n_flips += 1
        if n_flips == 0:
            break
    return s
