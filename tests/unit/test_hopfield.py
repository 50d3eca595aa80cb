"""Unit tests for physdl_docs.hopfield (lesson 1.2).

References used here are independent of the module: the Hebbian sum built
pattern by pattern with ``np.outer``, the quadratic form ``-1/2 s W s`` in
float64, a plain one-neuron-at-a-time update loop, ``scipy.stats.norm`` for
the Gaussian tail and the original (unreduced) replica-symmetric equations of
Amit, Gutfreund and Sompolinsky.
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from scipy.special import erf
from scipy.stats import norm

from physdl_docs import hopfield
from physdl_docs.hopfield import (
    HopfieldNetwork,
    ags_overlap,
    corrupt,
    critical_load,
    dense_energy,
    dense_recall,
    mixture_state,
    one_step_error_probability,
    one_step_error_rate,
    overlap,
    perfect_recall_capacity,
    random_patterns,
    retrieval_overlap,
    unstable_bits,
)


def hebb_reference(xi: np.ndarray) -> np.ndarray:
    """W = (1/N) sum_mu outer(xi^mu, xi^mu) with a zero diagonal, in float64."""
    n = xi.shape[1]
    W = np.zeros((n, n))
    for pattern in xi:
        W += np.outer(pattern, pattern)
    W /= n
    W[np.diag_indices(n)] = 0.0
    return W


def recall_reference(W, s, rng, max_sweeps=100):
    """Naive asynchronous dynamics: recompute h_i from scratch at every visit.

    Returns the final state and the energy -1/2 s W s after every visit.
    """
    s = np.array(s, dtype=float)
    energies = [-0.5 * s @ W @ s]
    for _ in range(max_sweeps):
        flipped = False
        for i in rng.permutation(len(s)):
            h_i = W[i] @ s
            if h_i != 0 and np.sign(h_i) != s[i]:
                s[i] = np.sign(h_i)
                flipped = True
            energies.append(-0.5 * s @ W @ s)
        if not flipped:
            break
    return s, np.array(energies)


# ---------------------------------------------------------------- storage
def test_weights_are_the_hebbian_sum():
    xi = random_patterns(7, 60, rng=0)
    W = HopfieldNetwork(60).store(xi).weights
    # W equals the sum of outer products / N with a zero diagonal
    np.testing.assert_allclose(W, hebb_reference(xi), atol=1e-15)
    # symmetric couplings, J_ij = J_ji
    np.testing.assert_array_equal(W, W.T)
    # no self-coupling
    assert np.all(np.diag(W) == 0.0)


def test_weights_are_read_only_and_store_replaces():
    net = HopfieldNetwork(20).store(random_patterns(3, 20, rng=1))
    # the reader cannot change the couplings behind the network's back
    with pytest.raises(ValueError):
        net.weights[0, 1] = 5.0
    xi = random_patterns(2, 20, rng=2)
    net.store(xi)
    # a second store() replaces the memories instead of adding to them
    np.testing.assert_allclose(net.weights, hebb_reference(xi), atol=1e-15)
    # the count and the load follow the last store()
    assert (net.n_patterns, net.load) == (2, 0.1)


def test_untrained_network_has_zero_weights_and_keeps_any_state():
    net = HopfieldNetwork(10)
    s = random_patterns(1, 10, rng=3)[0]
    # no memories: W = 0, E = 0, and with every h_i = 0 nothing flips
    assert np.all(net.weights == 0.0) and net.energy(s) == 0.0
    np.testing.assert_array_equal(net.recall(s, rng=0), s)


def test_repr():
    net = HopfieldNetwork(n_neurons=100).store(random_patterns(3, 100, rng=0))
    # short repr with the size and the number of memories
    assert repr(net) == "HopfieldNetwork(n_neurons=100, n_patterns=3)"


# ----------------------------------------------------------------- energy
def test_energy_matches_the_quadratic_form_and_the_overlap_formula():
    N, P = 80, 5
    xi = random_patterns(P, N, rng=4)
    net = HopfieldNetwork(N).store(xi)
    W = hebb_reference(xi)
    for s in random_patterns(5, N, rng=5):
        # E = -1/2 s^T W s, computed independently in float64
        assert net.energy(s) == pytest.approx(-0.5 * s @ W @ s, abs=1e-12)
        # E/N = -1/2 (sum_mu m_mu^2 - P/N) for Hebbian weights
        m = xi @ s / N
        assert net.energy(s) / N == pytest.approx(
            -0.5 * (m @ m - P / N), abs=1e-12
        )


def test_local_field_and_fixed_point():
    xi = random_patterns(4, 50, rng=6)
    net = HopfieldNetwork(50).store(xi)
    s = random_patterns(1, 50, rng=7)[0]
    h = hebb_reference(xi) @ s
    # h = W s
    np.testing.assert_allclose(net.local_field(s), h, atol=1e-12)
    # fixed point <=> no neuron disagrees with its field
    assert net.is_fixed_point(s) == bool(np.all(s * h >= 0))


# ----------------------------------------------------------------- recall
@pytest.mark.parametrize("alpha, fraction", [(0.05, 0.3), (0.2, 0.0)])
def test_recall_equals_the_naive_loop_and_energy_never_increases(alpha, fraction):
    # N even and P odd: N h_i is odd, so no ties h_i = 0 and no rounding
    # question in the float64 reference
    N = 200
    P = round(alpha * N) | 1
    xi = random_patterns(P, N, rng=8)
    net = HopfieldNetwork(N).store(xi)
    cue = corrupt(xi[0], fraction, rng=9)
    s, E = net.recall(cue, rng=10, return_energies=True)
    s_ref, E_ref = recall_reference(hebb_reference(xi), cue, np.random.default_rng(10))
    # same update order and rule as the textbook loop: same final state
    np.testing.assert_array_equal(s, s_ref)
    # the incremental energy equals -1/2 s W s after every single update
    np.testing.assert_allclose(E, E_ref, atol=1e-9)
    # dE = -ds_i h_i <= 0 at every step of the trace
    assert np.all(np.diff(E_ref) <= 1e-12)
    # the run ends at a fixed point, whose energy is the last entry
    assert net.is_fixed_point(s) and E[-1] == pytest.approx(net.energy(s))


def test_recall_keeps_a_neuron_with_zero_field():
    # xi1 = (1, 1, 1), xi2 = (1, -1, -1): W_01 = W_02 = 0, so h_0 = 0 always
    net = HopfieldNetwork(3).store([[1, 1, 1], [1, -1, -1]])
    # a tie keeps the current state, after one sweep and after three (an odd
    # number: a rule that flipped ties would leave neuron 0 flipped)
    for sweeps in (1, 3):
        s = net.recall([-1, 1, 1], max_sweeps=sweeps, rng=0)
        np.testing.assert_array_equal(s, [-1, 1, 1])


def exact_recall_reference(xi, s, rng, max_sweeps):
    """Naive asynchronous dynamics in integers: N h_i = sum_j C_ij s_j."""
    C = (xi.T @ xi).astype(np.int64)
    np.fill_diagonal(C, 0)
    s = np.array(s, dtype=np.int64)
    for _ in range(max_sweeps):
        flipped = False
        for i in rng.permutation(len(s)):
            h = int(C[i] @ s)
            if h != 0 and np.sign(h) != s[i]:  # a tie (h = 0) keeps s_i
                s[i] = np.sign(h)
                flipped = True
        if not flipped:
            break
    return s.astype(float)


@pytest.mark.parametrize("sweeps", [1, 3, 100])
def test_recall_with_even_p_has_ties_and_keeps_them(sweeps):
    # N and P even: N h_i can be exactly 0. Here (N = 20, P = 4) N h_i mod 4
    # is the same for every state and neuron, set by the parity of the
    # number of -1 entries in the patterns: ties need that number even
    xi = random_patterns(4, 20, rng=34)
    assert int(np.sum(xi < 0)) % 2 == 0
    net = HopfieldNetwork(20).store(xi)
    n_ties = 0
    for k in range(20):
        start = random_patterns(1, 20, rng=100 + k)[0]
        n_ties += int(np.sum(net.local_field(start) == 0))
        got = net.recall(start, max_sweeps=sweeps, rng=k)
        want = exact_recall_reference(xi, start, np.random.default_rng(k),
                                      sweeps)
        # the same flips as the integer reference, ties kept
        np.testing.assert_array_equal(got, want)
    # the test really exercises ties
    assert n_ties > 20


def test_stored_patterns_are_fixed_points_at_low_load():
    N, P = 500, 25  # alpha = 0.05
    xi = random_patterns(P, N, rng=11)
    net = HopfieldNetwork(N).store(xi)
    # every stored pattern is stable (P_err ~ 4e-6 per bit at this load)
    assert all(net.is_fixed_point(x) for x in xi)
    # the batch form gives one answer per row, the same as row by row
    states = np.vstack([xi[:3], random_patterns(2, N, rng=0)])
    np.testing.assert_array_equal(
        net.is_fixed_point(states), [net.is_fixed_point(s) for s in states]
    )
    assert net.is_fixed_point(states).tolist() == [True, True, True, False, False]
    # and recall started on it does not move
    np.testing.assert_array_equal(net.recall(xi[3], rng=0), xi[3])


def test_recall_from_10_percent_corruption_returns_the_pattern():
    N, P = 500, 25
    xi = random_patterns(P, N, rng=12)
    net = HopfieldNetwork(N).store(xi)
    for mu in range(5):
        cue = corrupt(xi[mu], 0.1, rng=mu)
        # the cue starts at overlap 0.8 ...
        assert overlap(cue, xi[mu]) == pytest.approx(0.8)
        # ... and recall restores the pattern exactly
        assert overlap(net.recall(cue, rng=mu), xi[mu]) == 1.0


def test_max_sweeps_bounds_the_run():
    N = 200
    xi = random_patterns(41, N, rng=13)  # alpha ~ 0.2: many sweeps needed
    net = HopfieldNetwork(N).store(xi)
    _, E = net.recall(xi[0], max_sweeps=2, rng=0, return_energies=True)
    # one initial energy plus N entries per sweep, at most 2 sweeps
    assert E.size == 1 + 2 * N


# ------------------------------------------------------- capacity, theory
def test_one_step_error_probability_is_the_gaussian_tail():
    alphas = np.array([0.105, 0.138, 0.185, 0.37])
    # Phi(-1/sqrt(alpha)) against scipy's normal CDF
    np.testing.assert_allclose(
        one_step_error_probability(alphas), norm.cdf(-1 / np.sqrt(alphas)), rtol=1e-12
    )
    # Hertz, Krogh & Palmer, Table 2.1: 0.001, 0.0036, 0.01, 0.05
    np.testing.assert_allclose(
        one_step_error_probability(alphas), [0.001, 0.0036, 0.01, 0.05], rtol=0.03
    )


@pytest.mark.parametrize("alpha", [0.138, 0.37])
def test_one_step_error_rate_matches_theory(alpha):
    N = 2000
    rate = one_step_error_rate(N, round(alpha * N), n_trials=1, rng=14)
    # Monte-Carlo estimate (>= 5e5 bits) within 8% of Phi(-1/sqrt(alpha))
    assert rate == pytest.approx(norm.cdf(-1 / np.sqrt(alpha)), rel=0.08)


def test_unstable_bits_match_the_network_fields():
    N, P = 100, 30
    xi = random_patterns(P, N, rng=15)  # one_step_error_rate draws the same
    net = HopfieldNetwork(N).store(xi)
    per_pattern = [int(np.sum(x * net.local_field(x) < 0)) for x in xi]
    # the shortcut N H = (Xi Xi^T) Xi - P Xi counts the same unstable bits
    np.testing.assert_array_equal(unstable_bits(xi), per_pattern)
    # a pattern without unstable bits is exactly a fixed point of the network
    np.testing.assert_array_equal(unstable_bits(xi) == 0, net.is_fixed_point(xi))
    # and the error rate is their total over all P N bits
    assert one_step_error_rate(N, P, rng=15) == sum(per_pattern) / (P * N)
    # the test is not vacuous at this load (alpha = 0.3)
    assert sum(per_pattern) > 0


def test_critical_load_and_overlap_solve_the_ags_equations():
    # alpha_c ~ 0.138 and m ~ 0.967 at alpha_c (Amit et al. 1985)
    alpha_c = critical_load()
    assert alpha_c == pytest.approx(0.138, abs=5e-4)
    assert ags_overlap(alpha_c - 1e-9) == pytest.approx(0.967, abs=1e-3)
    # no retrieval state above alpha_c
    assert ags_overlap(alpha_c + 1e-4) == 0.0
    for alpha in (0.02, 0.1, 0.13):
        # the unreduced RS equations, iterated from the pattern (m=1, C=0)
        assert ags_overlap(alpha) == pytest.approx(_ags_iterate(alpha), abs=1e-6)
    # m decreases with the load
    assert ags_overlap(0.05) > ags_overlap(0.1) > ags_overlap(0.13)


def _ags_iterate(alpha: float, n_iter: int = 20000) -> float:
    # m = erf(m / sqrt(2 alpha r)), C = sqrt(2 / (pi alpha r)) exp(-m^2 / (2 alpha r)),
    # r = 1 / (1 - C)^2   (Amit, Gutfreund & Sompolinsky 1985, T = 0)
    m, C = 1.0, 0.0
    for _ in range(n_iter):
        r = 1.0 / (1.0 - C) ** 2
        m, C = (
            float(erf(m / math.sqrt(2 * alpha * r))),
            math.sqrt(2 / (math.pi * alpha * r)) * math.exp(-(m**2) / (2 * alpha * r)),
        )
    return m


def test_perfect_recall_capacity():
    # N / (2 ln N) ~ 72 and N / (4 ln N) ~ 36 at N = 1000 (McEliece et al. 1987)
    assert perfect_recall_capacity(1000) == pytest.approx(72.38, abs=0.01)
    assert perfect_recall_capacity(1000, all_patterns=True) == pytest.approx(
        36.19, abs=0.01
    )


def test_retrieval_overlap_below_and_above_capacity():
    m = retrieval_overlap([0.05, 0.3], 400, n_cues=4, rng=16)
    # well below alpha_c the retrieval state is (almost) the pattern
    assert m[0] > 0.99
    # far above alpha_c recall drifts away from the pattern it started on
    assert m[1] < 0.6


def test_one_step_error_rate_error_is_over_networks():
    rate, err = one_step_error_rate(300, 60, n_trials=6, rng=5, error=True)
    # the same draws give the same rate with and without the error
    assert rate == pytest.approx(one_step_error_rate(300, 60, n_trials=6,
                                                     rng=5), rel=1e-12)
    # the error predicts the spread of independent 6-network rates
    runs = [one_step_error_rate(300, 60, n_trials=6, rng=seed, error=True)
            for seed in range(30)]
    rms_err = np.sqrt(np.mean([e ** 2 for _, e in runs]))
    assert np.std([r for r, _ in runs], ddof=1) == pytest.approx(
        rms_err, rel=0.35)


def test_retrieval_overlap_error_is_over_networks():
    kw = dict(n_cues=6, n_networks=5, rng=np.random.default_rng(40))
    m, err = retrieval_overlap([0.02, 0.15], 300, error=True, **kw)
    # the same draws give the same means with and without the error
    kw["rng"] = np.random.default_rng(40)
    assert np.array_equal(m, retrieval_overlap([0.02, 0.15], 300, **kw))
    # far below capacity every network recalls perfectly: no spread
    assert m[0] == 1.0 and err[0] == 0.0
    # near capacity: the error predicts the spread of independent means
    runs = [retrieval_overlap([0.15], 300, n_cues=6, n_networks=5, rng=seed,
                              error=True) for seed in range(30)]
    means = np.array([m[0] for m, _ in runs])
    rms_err = np.sqrt(np.mean([e[0] ** 2 for _, e in runs]))
    assert err[1] > 0
    assert np.std(means, ddof=1) == pytest.approx(rms_err, rel=0.35)


# ---------------------------------------------------------- spurious states
def test_mixture_state_overlap_and_energy():
    N, P, n_sets = 1000, 5, 20
    rng = np.random.default_rng(17)
    m, e_mix = [], []
    for _ in range(n_sets):
        xi = random_patterns(P, N, rng)
        net = HopfieldNetwork(N).store(xi)
        mix = mixture_state(xi[:3])
        m.append(overlap(xi[:3], mix))
        e_mix.append(net.energy(mix) / N)
    # overlap 1/2 with each of the three patterns (sd per value ~0.027)
    assert np.mean(m) == pytest.approx(0.5, abs=0.02)
    # E/N -> -3/8 (sd of the mean of 20 sets ~0.005)
    assert np.mean(e_mix) == pytest.approx(-3 / 8, abs=0.015)


def test_mixture_is_a_fixed_point_at_low_load_but_not_a_memory():
    N, P = 1000, 5
    xi = random_patterns(P, N, rng=18)
    net = HopfieldNetwork(N).store(xi)
    mix = mixture_state(xi[:3])
    # the symmetric 3-mixture is stable at alpha = 0.005 ...
    assert net.is_fixed_point(mix)
    # ... with a higher energy than a stored pattern ...
    assert net.energy(mix) > net.energy(xi[0]) + 0.1 * N
    # ... and it is not any stored pattern (or its reverse)
    assert np.max(np.abs(overlap(xi, mix))) < 0.6


def test_mixture_state_of_three_patterns_by_hand():
    xi = np.array([[1, 1, -1, 1], [1, -1, -1, -1], [-1, 1, -1, -1]])
    # sign of the column sums: (1, 1, -3, -1)
    np.testing.assert_array_equal(mixture_state(xi), [1, 1, -1, -1])


# -------------------------------------------------------------- utilities
def test_overlap_and_corrupt():
    a = np.array([1, -1, 1, -1, 1, 1, 1, 1])
    # m = a . b / N
    assert overlap(a, a) == 1.0 and overlap(a, -a) == -1.0
    cue = corrupt(a, 0.25, rng=0)
    # exactly round(0.25 * 8) = 2 bits flipped, so m = 1 - 2*2/8
    assert np.sum(cue != a) == 2 and overlap(cue, a) == 0.5
    # a batch of states gives one overlap per row
    np.testing.assert_allclose(overlap(np.stack([a, -a, cue]), a), [1, -1, 0.5])


def test_random_patterns_are_unbiased():
    xi = random_patterns(50, 2000, rng=19)
    # only -1 and +1 ...
    assert set(np.unique(xi)) == {-1.0, 1.0}
    # ... with mean 0 (sd of the mean over 1e5 entries ~0.003)
    assert abs(xi.mean()) < 0.015


# ---------------------------------------------- dense associative memory
def naive_dense_recall(X, s, beta, power, rng, max_sweeps=100):
    """Set each s_i to the sign of lower energy, computing both energies."""
    def energy(state):
        a = X @ state
        return -np.sum(a**power) if power else -np.sum(np.exp(beta * a))
    s = np.array(s, dtype=float)
    for _ in range(max_sweeps):
        flipped = False
        for i in rng.permutation(len(s)):
            up, down = s.copy(), s.copy()
            up[i], down[i] = 1.0, -1.0
            e_up, e_down = energy(up), energy(down)
            if e_up != e_down:
                best = 1.0 if e_up < e_down else -1.0
                if best != s[i]:
                    s[i], flipped = best, True
        if not flipped:
            break
    return s


@pytest.mark.parametrize("power, beta", [(None, 1.0), (None, 0.3), (3, 1.0),
                                         (4, 1.0)])
def test_dense_recall_matches_naive_energy_comparison(power, beta):
    X = random_patterns(40, 16, rng=1)
    for k in range(5):
        cue = corrupt(X[k], 0.25, rng=k)
        got = dense_recall(X, cue, beta=beta, power=power, rng=k)
        want = naive_dense_recall(X, cue, beta, power, np.random.default_rng(k))
        # each neuron takes the sign of lower energy, in the same order
        np.testing.assert_array_equal(got, want)


def test_dense_power_two_is_the_classical_network():
    xi = random_patterns(7, 30, rng=2)
    net = HopfieldNetwork(30).store(xi)
    rng = np.random.default_rng(3)
    for k in range(5):
        s = random_patterns(1, 30, rng=rng)[0]
        # -sum (xi.s)^2 = 2 N E - P N
        assert dense_energy(xi, s, power=2) == pytest.approx(
            2 * 30 * net.energy(s) - 7 * 30, abs=1e-9)
        # and the dynamics is the same, flip for flip
        np.testing.assert_array_equal(dense_recall(xi, s, power=2, rng=k),
                                      net.recall(s, rng=k))


def test_dense_energy_exponential_and_fixed_point():
    X = random_patterns(50, 12, rng=4)
    s = X[0]
    # E = -sum exp(beta xi.s)
    assert dense_energy(X, s, beta=0.5) == pytest.approx(
        -np.sum(np.exp(0.5 * X @ s)))
    end = dense_recall(X, corrupt(X[1], 0.25, rng=5), rng=6)
    e_end = dense_energy(X, end)
    for i in range(12):
        flipped = end.copy()
        flipped[i] *= -1
        # the end state is a local minimum against every single flip
        assert dense_energy(X, flipped) >= e_end


def test_exponential_memory_far_above_classical_capacity():
    # N = 32, P = 320: load 10, seventy times alpha_c
    X = random_patterns(320, 32, rng=320)
    net = HopfieldNetwork(32).store(X)
    exp_hits = classic_hits = 0
    for mu in range(10):
        cue = corrupt(X[mu], 0.1, rng=mu)
        exp_hits += overlap(dense_recall(X, cue, rng=mu), X[mu]) == 1.0
        classic_hits += overlap(net.recall(cue, rng=mu), X[mu]) == 1.0
    # the exponential memory recalls every cue, the classical one none
    assert exp_hits == 10 and classic_hits == 0


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, exc, name",
    [
        (lambda: HopfieldNetwork(0), ValueError, "n_neurons"),
        (lambda: HopfieldNetwork(2.5), TypeError, "n_neurons"),
        (lambda: HopfieldNetwork(4).store(np.ones((2, 5))), ValueError, "patterns"),
        (lambda: HopfieldNetwork(4).store(np.ones(4)), ValueError, "patterns"),
        (lambda: HopfieldNetwork(4).store(np.empty((0, 4))), ValueError, "patterns"),
        (lambda: HopfieldNetwork(2).store([[1, 0]]), ValueError, "patterns"),
        (lambda: HopfieldNetwork(2).store([[1, np.nan]]), ValueError, "patterns"),
        (lambda: HopfieldNetwork(3).energy([1, 1]), ValueError, "state"),
        (lambda: HopfieldNetwork(3).is_fixed_point([[1, 1]]), ValueError, "state"),
        (lambda: HopfieldNetwork(2).recall([1, 3]), ValueError, "state"),
        (lambda: HopfieldNetwork(2).recall([1, 1], max_sweeps=0), ValueError, "max_sweeps"),
        (lambda: HopfieldNetwork(2).recall([1, 1], rng=-1), ValueError, "rng"),
        (lambda: overlap([1, 1], [1, 2]), ValueError, "b"),
        (lambda: overlap([1, 1], [1, 1, 1]), ValueError, "b"),
        (lambda: overlap([[[1]]], [1]), ValueError, "a"),
        (lambda: corrupt([1, 1], 1.5), ValueError, "fraction"),
        (lambda: corrupt([1, 0], 0.5), ValueError, "pattern"),
        (lambda: mixture_state([[1, 1], [1, -1]]), ValueError, "patterns"),
        (lambda: random_patterns(0, 5), ValueError, "n_patterns"),
        (lambda: one_step_error_probability(0.0), ValueError, "alpha"),
        (lambda: one_step_error_rate(1, 1), ValueError, "n_neurons"),
        (lambda: ags_overlap(-0.1), ValueError, "alpha"),
        (lambda: retrieval_overlap([], 10), ValueError, "alphas"),
        (lambda: retrieval_overlap([0.1], 10, error=True), ValueError,
         "n_networks"),
        (lambda: retrieval_overlap([0.1], 10, error=1), TypeError, "error"),
        (lambda: one_step_error_rate(10, 2, error=True), ValueError,
         "n_trials"),
        (lambda: one_step_error_rate(10, 2, n_trials=2, error="yes"),
         TypeError, "error"),
        (lambda: perfect_recall_capacity(1), ValueError, "n_neurons"),
        (lambda: unstable_bits([1, -1]), ValueError, "patterns"),
        (lambda: one_step_error_probability([]), ValueError, "alpha"),
        (lambda: one_step_error_probability(1j), TypeError, "alpha"),
        (lambda: HopfieldNetwork(2).recall([1, 1], max_sweeps=1.5), TypeError, "max_sweeps"),
        (lambda: HopfieldNetwork(2).recall([1, 1], return_energies="yes"), TypeError,
         "return_energies"),
        (lambda: HopfieldNetwork(2).recall([1j, 1]), TypeError, "state"),
        (lambda: perfect_recall_capacity(10, all_patterns=1), TypeError, "all_patterns"),
        (lambda: corrupt([1, 1], float("nan")), ValueError, "fraction"),
        (lambda: random_patterns(2.0, 5), TypeError, "n_patterns"),
        (lambda: dense_recall([[1, 1]], [1, 1], beta=0.0), ValueError, "beta"),
        (lambda: dense_recall([[1, 1]], [1, 1], power=1), ValueError, "power"),
        (lambda: dense_recall([[1, 1]], [1, 1], power=3.0), TypeError, "power"),
        (lambda: dense_recall([[1, 1]], [1, 1, 1]), ValueError, "state"),
        (lambda: dense_recall([[1, 1]], [1, 1], max_sweeps=0), ValueError, "max_sweeps"),
        (lambda: dense_energy([1, 1], [1, 1]), ValueError, "patterns"),
        (lambda: dense_energy([[1, 0]], [1, 1]), ValueError, "patterns"),
    ],
)
def test_bad_input_names_the_argument(call, exc, name):
    # the message starts with the offending argument's name
    with pytest.raises(exc, match=rf"^{name} "):
        call()


def test_wrong_pattern_length_message():
    # a pattern length that differs from n_neurons says both numbers
    with pytest.raises(ValueError, match=r"patterns must have n_neurons=4 columns"):
        HopfieldNetwork(4).store(np.ones((2, 5)))


# ------------------------------------------------ no mutation, determinism
def test_inputs_are_not_modified():
    xi = random_patterns(5, 100, rng=20)
    xi_copy = xi.copy()
    net = HopfieldNetwork(100).store(xi)
    cue = corrupt(xi[0], 0.2, rng=21)
    cue_copy = cue.copy()
    net.recall(cue, rng=0)
    net.energy(cue)
    net.local_field(cue)
    overlap(xi, cue)
    corrupt(cue, 0.3, rng=0)
    mixture_state(xi[:3])
    # store, recall, energy, overlap, corrupt and mixture_state work on copies
    np.testing.assert_array_equal(xi, xi_copy)
    np.testing.assert_array_equal(cue, cue_copy)


def test_same_seed_same_result():
    xi = random_patterns(20, 200, rng=22)
    # same seed: same patterns
    np.testing.assert_array_equal(xi, random_patterns(20, 200, rng=22))
    net = HopfieldNetwork(200).store(xi)
    start = random_patterns(1, 200, rng=23)[0]
    a, b, c = (net.recall(start, rng=seed) for seed in (5, 5, 6))
    # same seed: same update order, same fixed point
    np.testing.assert_array_equal(a, b)
    # a different seed is really used (different order, here another end state)
    assert not np.array_equal(a, c)
    # same seed: same corruption and same measured rates
    np.testing.assert_array_equal(corrupt(xi[0], 0.3, rng=1), corrupt(xi[0], 0.3, rng=1))
    assert one_step_error_rate(300, 60, rng=2) == one_step_error_rate(300, 60, rng=2)
    np.testing.assert_array_equal(
        retrieval_overlap([0.1, 0.2], 200, rng=3), retrieval_overlap([0.1, 0.2], 200, rng=3)
    )


def test_docstring_examples_run():
    # the Examples sections of the module's docstrings are correct
    result = doctest.testmod(hopfield, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
