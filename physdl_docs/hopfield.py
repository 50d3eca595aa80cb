"""Hopfield networks: Hebbian storage, energy descent and associative recall.

Taught in lesson 1.2 (docs/physics/hopfield.md).

``N`` binary neurons ``s_i = ±1`` play the role of Ising spins, and the
weights ``W_ij`` play the role of the couplings ``J_ij``. The Hebb rule stores
``P`` patterns ``xi^mu`` (rows of ``patterns``) in the couplings,

    W = (1/N) sum_mu xi^mu xi^mu^T,    W_ii = 0,

and the network's energy is that of an Ising model with those couplings,

    E(s) = -1/2 s^T W s.

Asynchronous dynamics visits the neurons one at a time in random order and
sets ``s_i <- sign(h_i)`` with the local field ``h = W s`` (a neuron with
``h_i = 0`` keeps its state). Since ``W`` is symmetric with a zero diagonal,
each update changes the energy by ``dE = -ds_i h_i <= 0``, so the state rolls
downhill to a fixed point: a stored pattern if the cue was close enough and
the load ``alpha = P/N`` is below ``alpha_c ~ 0.138``, otherwise a reversed
pattern or a spurious (mixture or spin-glass) state.

Implementation note: the network keeps the integer-valued matrix ``C = N W``
(in float32 whenever every field ``|C s| <= (N - 1) P`` is below 2**24), so
the fields are exact integers and ties ``h_i = 0`` are detected exactly,
whatever the order of floating-point summation.
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
    "HopfieldNetwork",
    "ags_overlap",
    "corrupt",
    "critical_load",
    "mixture_state",
    "one_step_error_probability",
    "one_step_error_rate",
    "overlap",
    "perfect_recall_capacity",
    "random_patterns",
    "retrieval_overlap",
    "unstable_bits",
]


def overlap(a: np.ndarray, b: np.ndarray) -> float | np.ndarray:
    """Overlap (normalised dot product) between spin configurations.

    Parameters
    ----------
    a : array_like of shape (N,) or (k, N)
        One configuration of ±1, or ``k`` of them (e.g. all stored patterns).
    b : array_like of shape (N,)
        A configuration of ±1.

    Returns
    -------
    float or ndarray of shape (k,)
        ``m`` in [-1, 1]: 1 for identical states, -1 for reversed ones,
        about 0 for unrelated random ones.

    Notes
    -----
    .. math:: m = \\frac{1}{N} \\sum_i a_i b_i

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky (1985). Spin-glass models of
    neural networks. *Phys. Rev. A* 32, 1007–1018.

    Examples
    --------
    >>> overlap([1, 1, -1, -1], [1, 1, 1, -1])
    0.5
    """
    a = check_spins(a, "a", ndim=(1, 2))
    b = check_spins(b, "b", shape=(a.shape[-1],))
    # m = a . b / N
    m = a @ b / a.shape[-1]
    return float(m) if m.ndim == 0 else m


def random_patterns(
    n_patterns: int, n_neurons: int, rng: RngLike = None
) -> np.ndarray:
    """Draw unbiased random ±1 patterns.

    Parameters
    ----------
    n_patterns : int
        Number of patterns ``P >= 1``.
    n_neurons : int
        Number of neurons ``N >= 1``.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    ndarray of shape (n_patterns, n_neurons)
        Entries -1.0 and +1.0, each with probability 1/2.

    Notes
    -----
    .. math:: P(\\xi_i^\\mu = +1) = P(\\xi_i^\\mu = -1) = \\tfrac12

    References
    ----------
    J. J. Hopfield (1982). Neural networks and physical systems with emergent
    collective computational abilities. *PNAS* 79(8), 2554–2558.

    Examples
    --------
    >>> random_patterns(2, 5, rng=0).shape
    (2, 5)
    """
    n_patterns = check_int(n_patterns, "n_patterns", minimum=1)
    n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
    rng = as_rng(rng)
    # xi: [n_patterns, n_neurons], each entry ±1
    return rng.integers(0, 2, size=(n_patterns, n_neurons)) * 2.0 - 1.0


def corrupt(pattern: np.ndarray, fraction: float, rng: RngLike = None) -> np.ndarray:
    """Return a copy of ``pattern`` with a given fraction of its bits flipped.

    Parameters
    ----------
    pattern : array_like of shape (N,)
        A configuration of ±1 (not modified).
    fraction : float
        Fraction of neurons to flip, in [0, 1]; exactly
        ``round(fraction * N)`` distinct neurons are flipped.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    ndarray of shape (N,)
        The corrupted copy.

    Notes
    -----
    Flipping ``k`` bits leaves the overlap with the original at

    .. math:: m = 1 - 2k/N

    References
    ----------
    J. J. Hopfield (1982). *PNAS* 79(8), 2554–2558.

    Examples
    --------
    >>> cue = corrupt([1, 1, 1, 1], 0.25, rng=0)
    >>> overlap(cue, [1, 1, 1, 1])
    0.5
    """
    s = check_spins(pattern, "pattern", ndim=1)
    fraction = check_float(fraction, "fraction", minimum=0.0, maximum=1.0)
    rng = as_rng(rng)
    n_flips = round(fraction * s.size)
    # flip k distinct neurons: s_i <- -s_i
    flip = rng.choice(s.size, size=n_flips, replace=False)
    s[flip] *= -1.0
    return s


def mixture_state(patterns: np.ndarray) -> np.ndarray:
    """The symmetric mixture ``sign(xi^1 + ... + xi^k)`` of an odd number of patterns.

    Parameters
    ----------
    patterns : array_like of shape (k, N)
        ``k`` patterns of ±1, ``k`` odd (so the sum is never 0).

    Returns
    -------
    ndarray of shape (N,)
        The mixture state. For three random patterns it has overlap about
        1/2 with each of them.

    Notes
    -----
    .. math:: s_i = \\operatorname{sign}\\big(\\xi_i^1 + \\xi_i^2 + \\xi_i^3\\big)

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky (1985). Spin-glass models of
    neural networks. *Phys. Rev. A* 32, 1007–1018.

    Examples
    --------
    >>> mixture_state([[1, 1, -1], [1, -1, -1], [-1, 1, -1]])
    array([ 1.,  1., -1.])
    """
    xi = check_spins(patterns, "patterns", ndim=2)
    if xi.shape[0] % 2 == 0:
        raise ValueError(
            f"patterns must hold an odd number of patterns, got {xi.shape[0]}"
        )
    # s_i = sign(sum_mu xi_i^mu), never 0 for an odd count
    return np.sign(xi.sum(axis=0))


class HopfieldNetwork:
    """A Hopfield network of ``n_neurons`` binary (±1) neurons.

    Parameters
    ----------
    n_neurons : int
        Number of neurons ``N >= 1``.

    Attributes
    ----------
    weights : ndarray of shape (n_neurons, n_neurons)
        Read-only couplings ``W`` (all zero until `store` is called).
    n_patterns : int
        Number of stored patterns ``P``.
    load : float
        ``alpha = P / N``.

    Notes
    -----
    .. math:: E(\\mathbf{s}) = -\\tfrac12 \\mathbf{s}^\\top W \\mathbf{s}
              = -\\tfrac12 \\sum_{i \\ne j} W_{ij} s_i s_j

    References
    ----------
    J. J. Hopfield (1982). Neural networks and physical systems with emergent
    collective computational abilities. *PNAS* 79(8), 2554–2558.

    Examples
    --------
    >>> xi = random_patterns(3, 100, rng=0)
    >>> net = HopfieldNetwork(n_neurons=100).store(xi)
    >>> net
    HopfieldNetwork(n_neurons=100, n_patterns=3)
    >>> s = net.recall(corrupt(xi[0], 0.2, rng=1), rng=2)
    >>> overlap(s, xi[0])
    1.0
    """

    def __init__(self, n_neurons: int) -> None:
        self.n_neurons = check_int(n_neurons, "n_neurons", minimum=1)
        self.n_patterns = 0
        # C = N W, integer-valued: [n_neurons, n_neurons]
        self._C = np.zeros((self.n_neurons, self.n_neurons), dtype=np.float32)
        self._W: np.ndarray | None = None

    def __repr__(self) -> str:
        return (
            f"HopfieldNetwork(n_neurons={self.n_neurons}, "
            f"n_patterns={self.n_patterns})"
        )

    @property
    def weights(self) -> np.ndarray:
        """The couplings ``W`` (read-only), ndarray of shape (N, N)."""
        if self._W is None:  # computed on first use; recall only needs C
            self._W = self._C.astype(np.float64) / self.n_neurons
            self._W.flags.writeable = False
        return self._W

    @property
    def load(self) -> float:
        """The load ``alpha = P / N``."""
        return self.n_patterns / self.n_neurons

    def store(self, patterns: np.ndarray) -> HopfieldNetwork:
        """Set the weights by the Hebb rule from ``patterns`` (replacing old ones).

        Parameters
        ----------
        patterns : array_like of shape (P, N)
            ``P >= 1`` patterns of ±1, one per row (not modified).

        Returns
        -------
        HopfieldNetwork
            ``self``, so that ``HopfieldNetwork(N).store(xi)`` works.

        Notes
        -----
        .. math:: W = \\frac1N \\sum_{\\mu=1}^{P} \\xi^\\mu \\xi^{\\mu\\top},
                  \\quad W_{ii} = 0

        References
        ----------
        D. O. Hebb (1949). *The Organization of Behavior*. Wiley.
        """
        xi = check_spins(patterns, "patterns", ndim=2)
        if xi.shape[1] != self.n_neurons:
            raise ValueError(
                f"patterns must have n_neurons={self.n_neurons} columns, "
                f"got shape {xi.shape}"
            )
        # float32 holds every field |C s| <= (N - 1) P exactly below 2**24
        exact32 = (self.n_neurons - 1) * xi.shape[0] < 2**24
        xi = xi.astype(np.float32 if exact32 else np.float64)
        # C = N W = sum_mu xi^mu xi^mu^T (exact integers), C_ii = 0
        C = xi.T @ xi
        np.fill_diagonal(C, 0.0)
        self._C, self._W = C, None
        self.n_patterns = xi.shape[0]
        return self

    def _state(self, state: object) -> np.ndarray:
        return check_spins(state, "state", shape=(self.n_neurons,))

    def _field(self, s: np.ndarray) -> np.ndarray:
        # N h = C s, exact integers, in C's dtype: [n_neurons]. einsum rather
        # than `@`: one matrix-vector product gains nothing from BLAS threads,
        # and on a busy machine they can make it many times slower.
        return np.einsum("ij,j->i", self._C, s.astype(self._C.dtype))

    def local_field(self, state: np.ndarray) -> np.ndarray:
        """Local fields ``h = W s``: the input each neuron receives.

        Parameters
        ----------
        state : array_like of shape (N,)
            A configuration of ±1 (not modified).

        Returns
        -------
        ndarray of shape (N,)
            ``h``; neuron ``i`` is stable when ``s_i h_i >= 0``.

        Notes
        -----
        .. math:: h_i = \\sum_{j \\ne i} W_{ij} s_j
        """
        return self._field(self._state(state)) / np.float64(self.n_neurons)

    def energy(self, state: np.ndarray) -> float:
        """Energy of one state.

        Parameters
        ----------
        state : array_like of shape (N,)
            A configuration of ±1 (not modified).

        Returns
        -------
        float
            ``E = -1/2 s^T W s`` (total, not per neuron).

        Notes
        -----
        .. math:: E(\\mathbf{s}) = -\\tfrac12 \\sum_{i \\ne j} W_{ij} s_i s_j
        """
        s = self._state(state)
        # E = -1/2 s^T (C s) / N   (+ 0.0 turns -0.0 into 0.0)
        return -0.5 * float(s @ self._field(s)) / self.n_neurons + 0.0

    def is_fixed_point(self, state: np.ndarray) -> bool | np.ndarray:
        """Whether no neuron would change, for one state or a batch of states.

        Parameters
        ----------
        state : array_like of shape (N,) or (k, N)
            One configuration of ±1, or ``k`` of them (e.g. all patterns).

        Returns
        -------
        bool or ndarray of shape (k,)
            True where ``s_i h_i >= 0`` for every neuron ``i``.

        Notes
        -----
        .. math:: s_i \\, h_i \\ge 0 \\quad \\text{for all } i
        """
        s = check_spins(state, "state", ndim=(1, 2))
        if s.shape[-1] != self.n_neurons:
            raise ValueError(
                f"state must have n_neurons={self.n_neurons} entries per row, "
                f"got shape {s.shape}"
            )
        # N h = C s for every row at once (C is symmetric): [k, N]
        stable = np.all(s * (s.astype(self._C.dtype) @ self._C) >= 0, axis=-1)
        return bool(stable) if s.ndim == 1 else stable

    def recall(
        self,
        state: np.ndarray,
        max_sweeps: int = 100,
        rng: RngLike = None,
        return_energies: bool = False,
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Run asynchronous updates from ``state`` until a fixed point.

        Each sweep visits every neuron once, in a fresh random order
        (``rng.permutation(N)``), and sets ``s_i <- sign(h_i)``; a neuron with
        ``h_i = 0`` keeps its state. The run stops after the first sweep
        without a flip (a fixed point) or after ``max_sweeps`` sweeps.

        Parameters
        ----------
        state : array_like of shape (N,)
            Starting configuration of ±1, e.g. a corrupted pattern (not
            modified).
        max_sweeps : int, default 100
            Upper bound on the number of sweeps, ``>= 1``.
        rng : int, numpy.random.Generator or None, default None
            Seed or generator for the update order.
        return_energies : bool, default False
            Also return the energy after every single-neuron update.

        Returns
        -------
        s : ndarray of shape (N,)
            The final state.
        energies : ndarray of shape (n_updates + 1,)
            Only if ``return_energies``: ``E`` before the first update and
            after each visit of a neuron (``N`` entries per sweep).

        Notes
        -----
        The fields are kept up to date incrementally: flipping ``s_i`` adds
        ``2 s_i W[:, i]`` to ``h``, and changes the energy by

        .. math:: \\Delta E = -\\Delta s_i\\, h_i \\le 0

        References
        ----------
        J. J. Hopfield (1982). *PNAS* 79(8), 2554–2558.
        """
        s = self._state(state)
        max_sweeps = check_int(max_sweeps, "max_sweeps", minimum=1)
        rng = as_rng(rng)
        C, N = self._C, self.n_neurons
        # h = C s = N h  (exact integers): [n_neurons]
        h = self._field(s)
        E = -0.5 * float(s @ h)  # N E
        energies = [E]
        for _ in range(max_sweeps):
            n_flips = 0
            for i in rng.permutation(N).tolist():
                if s[i] * h[i] < 0:
                    # s_i <- sign(h_i);  dE = -ds_i h_i = -2 s_i h_i
                    s[i] = -s[i]
                    two_s = 2.0 if s[i] > 0 else -2.0
                    E -= two_s * float(h[i])
                    # h <- h + 2 s_i W[:, i]  (C is symmetric: row i = column i)
                    h += two_s * C[i]
                    n_flips += 1
                if return_energies:
                    energies.append(E)
            if n_flips == 0:
                break
        if return_energies:
            return s, np.array(energies) / N
        return s


def one_step_error_probability(alpha: float | np.ndarray) -> float | np.ndarray:
    """Predicted probability that a bit of a stored pattern is unstable.

    Parameters
    ----------
    alpha : float or array_like
        Load ``P / N``, all ``> 0``.

    Returns
    -------
    float or ndarray of the shape of ``alpha``
        ``P_err``, from a Gaussian crosstalk of variance ``alpha``.

    Notes
    -----
    .. math:: P_\\text{err} = \\Phi\\!\\left(-1/\\sqrt{\\alpha}\\right)
              = \\tfrac12 \\operatorname{erfc}\\!\\left(1/\\sqrt{2\\alpha}\\right)

    References
    ----------
    J. Hertz, A. Krogh, R. G. Palmer (1991). *Introduction to the Theory of
    Neural Computation*, Addison-Wesley, Table 2.1.

    Examples
    --------
    >>> print(f"{one_step_error_probability(0.138):.4f}")
    0.0036
    """
    a = check_array(alpha, "alpha")
    if np.any(a <= 0):
        raise ValueError(f"alpha must be > 0, got {a[a <= 0].flat[0]:g}")
    # Phi(-1/sqrt(alpha)) = erfc(1/sqrt(2 alpha)) / 2
    p = np.vectorize(lambda x: 0.5 * math.erfc(1.0 / math.sqrt(2.0 * x)))(a)
    return float(p) if p.ndim == 0 else p


def unstable_bits(patterns: np.ndarray) -> np.ndarray:
    """Count, for each stored pattern, the neurons that one update would flip.

    The network is the Hebbian network of ``patterns``; it is never built:
    the fields at all stored patterns follow from the pattern overlaps.

    Parameters
    ----------
    patterns : array_like of shape (P, N)
        The stored patterns, ±1 (not modified).

    Returns
    -------
    ndarray of shape (P,)
        Number of neurons ``i`` with ``xi_i^mu h_i^mu < 0``; a pattern is an
        exact fixed point where the count is 0.

    Notes
    -----
    With the overlap matrix ``M = Xi Xi^T`` (``P x P``), the fields at every
    stored pattern are, at cost ``P^2 N`` instead of ``P N^2``,

    .. math:: N H = M \\Xi - P\\, \\Xi

    References
    ----------
    J. Hertz, A. Krogh, R. G. Palmer (1991). *Introduction to the Theory of
    Neural Computation*, Addison-Wesley, Sec. 2.2.

    Examples
    --------
    >>> unstable_bits(random_patterns(3, 100, rng=0))
    array([0, 0, 0])
    """
    xi = check_spins(patterns, "patterns", ndim=2)
    P, N = xi.shape
    if P * N < 2**24:  # every entry of N H is an integer below P N: exact
        xi = xi.astype(np.float32)
    # N h^mu = sum_nu xi^nu (xi^nu . xi^mu) - P xi^mu   (zero diagonal)
    NH = (xi @ xi.T) @ xi - P * xi  # [P, N]
    return np.count_nonzero(xi * NH < 0, axis=1)


def one_step_error_rate(
    n_neurons: int, n_patterns: int, n_trials: int = 1, rng: RngLike = None
) -> float:
    """Measured fraction of stored bits that one update would flip.

    For each of ``n_trials`` networks with ``n_patterns`` random patterns,
    the network is set to each stored pattern and every neuron's field is
    computed (see `unstable_bits`); a bit is an error when
    ``xi_i h_i < 0``.

    Parameters
    ----------
    n_neurons : int
        ``N >= 2``.
    n_patterns : int
        ``P >= 1``.
    n_trials : int, default 1
        Independent networks to average over.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    float
        Fraction of the ``n_trials * P * N`` bits that are unstable.

    Notes
    -----
    The estimate of

    .. math:: P_\\text{err} = \\Pr\\left(\\xi_i^\\mu h_i^\\mu < 0\\right)

    References
    ----------
    J. Hertz, A. Krogh, R. G. Palmer (1991). *Introduction to the Theory of
    Neural Computation*, Addison-Wesley, Sec. 2.2.
    """
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    n_patterns = check_int(n_patterns, "n_patterns", minimum=1)
    n_trials = check_int(n_trials, "n_trials", minimum=1)
    rng = as_rng(rng)
    n_errors = 0
    for _ in range(n_trials):
        xi = random_patterns(n_patterns, n_neurons, rng)  # [P, N]
        n_errors += int(unstable_bits(xi).sum())
    return n_errors / (n_trials * n_patterns * n_neurons)


def retrieval_overlap(
    alphas: np.ndarray,
    n_neurons: int,
    n_cues: int = 5,
    n_networks: int = 1,
    rng: RngLike = None,
) -> np.ndarray:
    """Mean final overlap when recall starts at a stored pattern, per load.

    For each load ``alpha``, ``n_networks`` networks store
    ``P = max(1, round(alpha N))`` random patterns; recall starts at each of
    the first ``min(n_cues, P)`` stored patterns and the overlap of the
    fixed point with that pattern is averaged.

    Parameters
    ----------
    alphas : array_like of shape (n_alphas,)
        Loads ``P / N``, each ``> 0``.
    n_neurons : int
        ``N >= 2``.
    n_cues : int, default 5
        Stored patterns used as starting points, per network.
    n_networks : int, default 1
        Independent networks per load.
    rng : int, numpy.random.Generator or None, default None
        Seed or generator.

    Returns
    -------
    ndarray of shape (n_alphas,)
        Mean retrieval overlap ``m``; close to 1 below ``alpha_c``, it drops
        sharply above it.

    Notes
    -----
    .. math:: m = \\frac1N \\sum_i \\xi_i^\\mu s_i^\\ast,
              \\quad s^\\ast = \\text{recall}(\\xi^\\mu)

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky (1985). Storing infinite numbers
    of patterns in a spin-glass model of neural networks. *Phys. Rev. Lett.*
    55, 1530–1533.
    """
    alphas = check_array(alphas, "alphas", ndim=1)
    if alphas.size == 0 or np.any(alphas <= 0):
        raise ValueError("alphas must be a non-empty array of loads > 0")
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    n_cues = check_int(n_cues, "n_cues", minimum=1)
    n_networks = check_int(n_networks, "n_networks", minimum=1)
    rng = as_rng(rng)
    m = np.zeros(alphas.size)
    for k, alpha in enumerate(alphas):
        n_patterns = max(1, round(alpha * n_neurons))
        found = []
        for _ in range(n_networks):
            xi = random_patterns(n_patterns, n_neurons, rng)
            net = HopfieldNetwork(n_neurons).store(xi)
            for mu in range(min(n_cues, n_patterns)):
                found.append(overlap(net.recall(xi[mu], rng=rng), xi[mu]))
        m[k] = np.mean(found)
    return m


def _ags_gain(y: float) -> float:
    # g(y) = erf(y)/y - (2/sqrt(pi)) exp(-y^2); the retrieval state needs
    # g(y) = sqrt(2 alpha)
    return math.erf(y) / y - 2.0 / math.sqrt(math.pi) * math.exp(-y * y)


def _ags_peak() -> float:
    # y at the maximum of g (g rises from 0, peaks once, decays to 0)
    lo, hi = 0.5, 3.0
    for _ in range(100):  # ternary search on a unimodal function
        a, b = lo + (hi - lo) / 3, hi - (hi - lo) / 3
        lo, hi = (a, hi) if _ags_gain(a) < _ags_gain(b) else (lo, b)
    return 0.5 * (lo + hi)


def critical_load() -> float:
    """The storage capacity ``alpha_c`` of the Hopfield model (T = 0).

    Returns
    -------
    float
        ``alpha_c ~ 0.1379``: above it the retrieval states disappear.

    Notes
    -----
    With ``y = m / sqrt(2 alpha r)``, the replica-symmetric equations of
    Amit, Gutfreund and Sompolinsky reduce to ``m = erf(y)`` and

    .. math:: \\sqrt{2\\alpha} = \\frac{\\operatorname{erf}(y)}{y}
              - \\frac{2}{\\sqrt\\pi} e^{-y^2},

    which has a solution only while ``sqrt(2 alpha)`` is below the maximum
    of the right-hand side.

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky (1985). *Phys. Rev. Lett.* 55,
    1530–1533.

    Examples
    --------
    >>> print(f"{critical_load():.3f}")
    0.138
    """
    # alpha_c = g(y*)^2 / 2
    return 0.5 * _ags_gain(_ags_peak()) ** 2


def ags_overlap(alpha: float) -> float:
    """Retrieval overlap ``m`` predicted by replica theory at load ``alpha``.

    Parameters
    ----------
    alpha : float
        Load ``P / N``, ``> 0``.

    Returns
    -------
    float
        ``m`` of the retrieval state, or 0.0 above ``alpha_c`` (no
        retrieval state exists).

    Notes
    -----
    Solves ``sqrt(2 alpha) = erf(y)/y - 2 exp(-y^2)/sqrt(pi)`` for the larger
    root ``y`` (see `critical_load`), then

    .. math:: m = \\operatorname{erf}(y)

    References
    ----------
    D. J. Amit, H. Gutfreund, H. Sompolinsky (1985). *Phys. Rev. Lett.* 55,
    1530–1533.

    Examples
    --------
    >>> print(f"{ags_overlap(critical_load()):.3f}")
    0.967
    """
    alpha = check_float(alpha, "alpha", minimum=0.0, strict=True)
    if alpha > critical_load():
        return 0.0
    target = math.sqrt(2.0 * alpha)
    lo, hi = _ags_peak(), 50.0
    # g decreases on [y*, inf): bisection for g(y) = sqrt(2 alpha)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if _ags_gain(mid) > target else (lo, mid)
    return math.erf(0.5 * (lo + hi))


def perfect_recall_capacity(n_neurons: int, all_patterns: bool = False) -> float:
    """Largest ``P`` for which stored patterns are recalled without error.

    Parameters
    ----------
    n_neurons : int
        ``N >= 2``.
    all_patterns : bool, default False
        If False, each given pattern is a fixed point with probability -> 1
        (``N / (2 ln N)``); if True, all patterns at once (``N / (4 ln N)``).

    Returns
    -------
    float
        The asymptotic capacity.

    Notes
    -----
    .. math:: P_\\text{max} = \\frac{N}{2 \\ln N}

    References
    ----------
    R. J. McEliece, E. C. Posner, E. R. Rodemich, S. S. Venkatesh (1987).
    The capacity of the Hopfield associative memory. *IEEE Trans. Inf.
    Theory* 33(4), 461–482.

    Examples
    --------
    >>> print(f"{perfect_recall_capacity(1000):.1f}")
    72.4
    """
    n_neurons = check_int(n_neurons, "n_neurons", minimum=2)
    # P_max = N / (2 ln N), or N / (4 ln N) for all patterns at once
    return n_neurons / ((4.0 if all_patterns else 2.0) * math.log(n_neurons))
