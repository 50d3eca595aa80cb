"""Unit tests of physdl_docs.ising: closed forms, exact enumeration, error bars."""

from __future__ import annotations

import doctest
from collections import deque

import numpy as np
import pytest
from scipy.special import expit

import physdl_docs.ising
from physdl_docs.ising import (
    _binder_error,
    _checkerboard,
    _wolff_step,
    autocorrelation_time,
    binder_cumulant,
    binned_error,
    critical_temperature,
    energy_per_spin,
    heat_bath,
    magnetization,
    mean_error,
    measure,
    metropolis,
    sample,
    spontaneous_magnetization,
    temperature_scan,
    with_error,
    wolff,
)


def all_states(L1: int, L2: int | None = None) -> np.ndarray:
    """Every ±1 configuration of an L1×L2 lattice: [2**(L1*L2), L1, L2]."""
    L2 = L1 if L2 is None else L2
    n = L1 * L2
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return (2.0 * bits - 1.0).reshape(-1, L1, L2)


def exact(L: int, T: float, h: float = 0.0) -> dict[str, float]:
    """Boltzmann averages by enumerating all states of an L×L lattice."""
    S = all_states(L)
    e = energy_per_spin(S, h=h)
    m = S.mean(axis=(1, 2))
    w = np.exp(-(L * L) * (e - e.min()) / T)
    p = w / w.sum()
    return {"e": float(p @ e), "abs_m": float(p @ np.abs(m)),
            "m": float(p @ m), "m2": float(p @ m**2)}


def naive_energy(s: np.ndarray, J: float = 1.0, h: float = 0.0) -> float:
    """E/N with an explicit double loop over sites (right and down bonds)."""
    L1, L2 = s.shape
    E = 0.0
    for i in range(L1):
        for j in range(L2):
            E -= J * s[i, j] * (s[i, (j + 1) % L2] + s[(i + 1) % L1, j])
            E -= h * s[i, j]
    return E / (L1 * L2)


def naive_sweeps(L, T, n_sweeps, seed, rule, J=1.0, h=0.0):
    """Site-by-site Metropolis or heat bath visiting one colour at a time.

    Uses the random numbers in the same order as the vectorised code
    (a start array, then one [L, L] block of uniforms per colour), so the
    two must agree exactly.
    """
    rng = np.random.default_rng(seed)
    s = rng.choice([-1.0, 1.0], size=(L, L))
    for _ in range(n_sweeps):
        for mask in _checkerboard(L):
            u = rng.random((L, L))
            for i, j in zip(*np.nonzero(mask)):
                f = J * (s[(i + 1) % L, j] + s[i - 1, j]
                         + s[i, (j + 1) % L] + s[i, j - 1]) + h
                if rule == "metropolis":
                    if u[i, j] < min(1.0, np.exp(-2.0 * s[i, j] * f / T)):
                        s[i, j] = -s[i, j]
                else:
                    s[i, j] = 1.0 if u[i, j] < expit(2.0 * f / T) else -1.0
    return s


def like_spin_cluster(s: np.ndarray, seed: tuple[int, int]) -> np.ndarray:
    """Breadth-first search over aligned periodic neighbours of the seed."""
    L1, L2 = s.shape
    seen = np.zeros(s.shape, dtype=bool)
    seen[seed] = True
    todo = deque([seed])
    while todo:
        i, j = todo.popleft()
        for n in [((i + 1) % L1, j), ((i - 1) % L1, j),
                  (i, (j + 1) % L2), (i, (j - 1) % L2)]:
            if not seen[n] and s[n] == s[seed]:
                seen[n] = True
                todo.append(n)
    return seen


def ar1(phi: float, n: int, n_chains: int, seed: int) -> np.ndarray:
    """AR(1) series x_t = phi x_{t-1} + noise, stationary start: [n, chains].

    Its integrated autocorrelation time is (1 + phi) / (2 (1 - phi)).
    """
    rng = np.random.default_rng(seed)
    eps = rng.normal(size=(n, n_chains))
    x = np.empty((n, n_chains))
    x[0] = eps[0] / np.sqrt(1 - phi**2)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + eps[t]
    return x


# ------------------------------------------------------------ closed forms
def test_onsager_critical_temperature():
    # T_c = 2 / ln(1 + sqrt 2) = 2.269185314...
    assert critical_temperature() == pytest.approx(2.269185314213022, 1e-14)
    # T_c scales linearly with J
    assert critical_temperature(0.5) == pytest.approx(2.269185314213022 / 2)


def test_yang_magnetization_limits_and_values():
    Tc = critical_temperature()
    # zero at T_c and above
    assert spontaneous_magnetization(Tc) == 0.0
    assert np.all(spontaneous_magnetization(np.array([2.3, 3.0, 10.0])) == 0)
    # -> 1 as T -> 0 (and no overflow warning at tiny T)
    assert spontaneous_magnetization(0.5) == pytest.approx(1.0, abs=1e-6)
    assert spontaneous_magnetization(1e-3) == 1.0
    # the values quoted on the page (curriculum, Yang 1952)
    m = spontaneous_magnetization(np.array([2.0, 2.1, 2.2]))
    np.testing.assert_allclose(m, [0.9113, 0.8687, 0.7848], atol=5e-5)
    # the power law m ~ (T_c - T)^(1/8) near T_c: slope 1/8 on logs
    t = np.array([1e-6, 1e-5])
    m = spontaneous_magnetization(Tc - t)
    assert np.log(m[1] / m[0]) / np.log(10) == pytest.approx(1 / 8, 1e-3)


def test_energy_matches_double_loop():
    rng = np.random.default_rng(0)
    for shape in [(4, 4), (3, 5), (6, 2), (2, 2)]:
        s = rng.choice([-1.0, 1.0], size=shape)
        # vectorised roll version equals the explicit double loop
        assert energy_per_spin(s, J=0.7, h=0.3) == pytest.approx(
            naive_energy(s, 0.7, 0.3), abs=1e-12)
    # the ordered state has 2 bonds per spin: E/N = -2J
    assert energy_per_spin(np.ones((4, 4))) == -2.0
    # a batch gives one value per lattice
    batch = rng.choice([-1.0, 1.0], size=(3, 4, 4))
    np.testing.assert_allclose(energy_per_spin(batch),
                               [naive_energy(x) for x in batch])


def test_magnetization_and_binder():
    assert magnetization([[1, 1], [1, -1]]) == 0.5
    # two delta peaks at ±m: <m^4> = <m^2>^2, so U = 2/3
    assert binder_cumulant([0.5, -0.5, 0.5]) == pytest.approx(2 / 3)
    # Gaussian m: <m^4> = 3 <m^2>^2, so U -> 0 (sampling error ~ 0.01)
    g = np.random.default_rng(1).normal(size=200_000)
    assert abs(binder_cumulant(g)) < 0.02


# ------------------------------------------------------ single-spin updates
@pytest.mark.parametrize("rule", ["metropolis", "heat-bath"])
def test_checkerboard_equals_site_by_site_update(rule):
    run = {"metropolis": metropolis, "heat-bath": heat_bath}[rule]
    for L, T, h, J in [(4, 2.0, 0.0, 1.0), (6, 3.1, 0.2, 0.7), (2, 2.5, 0.0, 1.0)]:
        vec = run(L, T, n_sweeps=5, rng=11, h=h, J=J)
        # same random numbers -> the same lattice, bit for bit
        np.testing.assert_array_equal(
            vec, naive_sweeps(L, T, 5, 11, rule, J=J, h=h))


@pytest.mark.parametrize("method", ["metropolis", "heat-bath", "wolff"])
def test_samplers_match_exact_boltzmann_averages(method):
    # 4x4 periodic lattice: all 65,536 states enumerated, at T_c
    T = 2.27
    ex = exact(4, T)
    st = measure(4, T, n_sweeps=400, n_equil=50, n_replicas=200, rng=3,
                 method=method)
    # within 4 of the measured error bars (which are 0.002-0.004 here)
    assert abs(st.energy - ex["e"]) < 4 * st.energy_err
    assert abs(st.abs_m - ex["abs_m"]) < 4 * st.abs_m_err
    assert st.energy_err < 0.005 and st.abs_m_err < 0.003


@pytest.mark.parametrize("method", ["metropolis", "heat-bath"])
def test_single_spin_samplers_match_exact_with_field(method):
    # (at low T a 4x4 lattice stays in the state against the field for
    # thousands of sweeps -- metastability -- so test well above T_c)
    T, h = 3.0, 0.2
    m_ex = exact(4, T, h)["m"]
    run = sample(4, T, n_steps=400, n_chains=200, n_equil=50, rng=4, h=h,
                 start="random", method=method)
    mean, err = mean_error(run.m)
    # the field tilts the Boltzmann weights; <m> within 4 error bars
    assert abs(mean - m_ex) < 4 * err < 0.04


# ------------------------------------------------------------------- Wolff
def test_wolff_matches_exact_on_small_and_odd_lattices():
    for L, T in [(2, 2.0), (3, 2.3), (4, 3.0)]:
        ex = exact(L, T)
        run = sample(L, T, n_steps=400, n_chains=40, n_equil=20,
                     method="wolff", rng=L)
        for key, x in (("abs_m", np.abs(run.m)), ("e", run.e)):
            mean, err = mean_error(x)
            # cluster updates sample the Boltzmann distribution exactly
            assert abs(mean - ex[key]) < 4 * err, (L, key)


def test_wolff_cluster_is_the_seed_component():
    rng = np.random.default_rng(0)
    s = rng.choice([-1.0, 1.0], size=(6, 5, 7))
    # p_add = 1: the flipped cluster is the whole aligned domain of the seed
    # (checked by breadth-first search with periodic wrap-around)
    for _ in range(5):
        before = s.copy()
        state = rng.bit_generator.state
        sizes = _wolff_step(s, np.ones((6, 1)), rng)
        rng.bit_generator.state = state
        rng.random(s.shape), rng.random(s.shape)       # the bond draws
        seeds = rng.integers(0, 35, size=6)
        for k in range(6):
            expect = like_spin_cluster(before[k], divmod(int(seeds[k]), 7))
            np.testing.assert_array_equal(s[k] != before[k], expect)
            assert sizes[k] == expect.sum()
    # p_add = 0: only the seed flips
    before = s.copy()
    assert np.all(_wolff_step(s, np.zeros((6, 1)), rng) == 1)
    assert np.all((s != before).sum(axis=(1, 2)) == 1)


def test_wolff_mean_cluster_size_is_n_m2():
    # improved estimator: <|C|>/N = <m^2> at h = 0 (here at T_c, L = 8)
    run = sample(8, critical_temperature(), n_steps=600, n_chains=32,
                 n_equil=20, method="wolff", rng=5)
    mean, err = mean_error(run.m**2)
    assert abs(run.sweeps - mean) < 4 * err
    # a Wolff step is worth less than one sweep on average, more than zero
    assert 0.0 < run.sweeps < 1.0


def test_wolff_decorrelates_faster_than_metropolis_at_tc():
    Tc = critical_temperature()
    met = sample(16, Tc, n_steps=1500, n_chains=16, n_equil=100, rng=1)
    wol = sample(16, Tc, n_steps=200, n_chains=16, n_equil=20,
                 method="wolff", rng=1)
    tau_met = autocorrelation_time(np.abs(met.m))
    tau_wol = autocorrelation_time(np.abs(wol.m)) * wol.sweeps
    # L = 16 at T_c: about 10 sweeps against about 1.2 (long reference runs)
    assert 7.5 < tau_met < 13.5
    assert 0.8 < tau_wol < 1.8


# ---------------------------------------------------------------- errors
def test_autocorrelation_time_of_ar1_process():
    # AR(1) with phi = 0.8: tau = (1 + phi) / (2 (1 - phi)) = 4.5
    x = ar1(0.8, 20_000, 4, seed=0)
    tau, err = autocorrelation_time(x, error=True)
    assert tau == pytest.approx(4.5, abs=3 * err)
    # the error estimate is about tau sqrt(2 (2W + 1) / n), W ~ 5 tau
    assert err == pytest.approx(4.5 * np.sqrt(2 * 47 / 80_000), rel=0.15)
    # white noise: tau = 1/2
    noise = np.random.default_rng(1).normal(size=(20_000, 2))
    assert autocorrelation_time(noise) == pytest.approx(0.5, abs=0.03)


def test_mean_error_and_binning_match_the_spread_of_means():
    # 200 independent AR(1) series: their means scatter by the true error
    x = ar1(0.9, 2000, 200, seed=2)
    true = x.mean(axis=0).std()
    errs = [mean_error(x[:, k])[1] for k in range(200)]
    bins = [binned_error(x[:, k]) for k in range(200)]
    # tau-based and binned errors estimate it within ~10% on average
    assert np.mean(errs) == pytest.approx(true, rel=0.15)
    assert np.mean(bins) == pytest.approx(true, rel=0.15)
    # the naive sigma / sqrt(n) is sqrt(2 tau) = sqrt(19) times too small
    naive = np.mean([x[:, k].std() / np.sqrt(2000) for k in range(200)])
    assert true / naive == pytest.approx(np.sqrt(19), rel=0.2)


def test_binned_error_is_the_standard_error_of_bin_means():
    # 0..39 in 4 bins of 10: bin means 4.5, 14.5, 24.5, 34.5
    means = np.array([4.5, 14.5, 24.5, 34.5])
    # sample standard deviation (ddof=1) of the 4 means, over sqrt(4)
    assert binned_error(np.arange(40.0), n_bins=4) == pytest.approx(
        means.std(ddof=1) / 2, rel=1e-12)
    # the last steps that do not fill a bin are dropped: 42 steps, same bins
    assert binned_error(np.arange(42.0), n_bins=4) == pytest.approx(
        means.std(ddof=1) / 2, rel=1e-12)


def test_binder_jackknife_equals_leave_one_out():
    m = np.random.default_rng(3).normal(0.5, 0.2, size=(40, 10))
    # leave one chain out at a time, by brute force
    U = np.array([binder_cumulant(np.delete(m, k, axis=1))
                  for k in range(10)])
    assert _binder_error(m) == pytest.approx(np.sqrt(9 * U.var()), 1e-12)
    # fewer than 8 chains: leave one of 20 time bins out
    m4 = m[:, :4]
    bins = np.array_split(np.arange(40), 20)
    U = np.array([binder_cumulant(np.delete(m4, b, axis=0)) for b in bins])
    assert _binder_error(m4) == pytest.approx(np.sqrt(19 * U.var()), 1e-12)


def test_with_error_digits():
    # the error keeps two significant digits, the mean the same decimals
    assert with_error(0.78846, 0.00226) == "0.7885 ± 0.0023"
    assert with_error(10.123, 0.94) == "10.12 ± 0.94"
    assert with_error(123.4, 17.0) == "123 ± 17"
    assert with_error(0.5, 0.0) == "0.5000 ± 0.0000"
    assert with_error(0.5, float("nan")) == "0.5000 ± nan"


def test_measure_errors_match_the_spread_over_seeds():
    # |m| error bars of measure() agree with the scatter of 12 seeds
    runs = [measure(8, 2.5, n_sweeps=200, n_equil=50, n_replicas=4, rng=k)
            for k in range(12)]
    spread = np.std([r.abs_m for r in runs], ddof=1)
    assert np.mean([r.abs_m_err for r in runs]) == pytest.approx(spread,
                                                                 rel=0.4)


def test_too_short_run_warns():
    x = ar1(0.99, 200, 1, seed=4)
    # tau ~ 100 cannot be estimated from 200 steps
    with pytest.warns(RuntimeWarning, match="too short"):
        autocorrelation_time(x)


# ------------------------------------------------------------ bookkeeping
def test_replicas_are_independent_lattices():
    a, b = temperature_scan(8, [2.0, 2.0], n_sweeps=50, n_equil=0,
                            n_replicas=50, rng=0)
    # two temperature slots run the same T with different random numbers:
    # not identical, but close (the difference has sd 0.005 over 20 seeds)
    assert a.abs_m != b.abs_m
    assert a.abs_m == pytest.approx(b.abs_m, abs=0.025)
    assert a.n_samples == 50 * 50


def test_ordered_at_low_T_disordered_at_high_T():
    low, high = temperature_scan(16, [1.5, 5.0], n_sweeps=100, n_equil=100,
                                 n_replicas=2, rng=0)
    # below T_c the lattice stays magnetised, as Yang predicts (0.986)
    assert low.abs_m == pytest.approx(spontaneous_magnetization(1.5),
                                      abs=0.01)
    assert high.abs_m < 0.1
    # from a random start at low T the energy falls towards -2
    assert energy_per_spin(metropolis(16, 1.0, 200, rng=5)) < -1.8


def test_seeded_runs_are_reproducible_and_inputs_untouched():
    for run in (metropolis, heat_bath, wolff):
        a = run(8, 2.3, 10, rng=42)
        b = run(8, 2.3, 10, rng=np.random.default_rng(42))
        # same seed, same result (seed or Generator)
        np.testing.assert_array_equal(a, b)
        s0 = np.ones((6, 6))
        s0[0, 0] = -1
        before = s0.copy()
        run(6, 3.0, 5, rng=0, spins=s0)
        # the caller's array is untouched
        np.testing.assert_array_equal(s0, before)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metropolis(7, 2.0, 1), "L must be even"),
        (lambda: heat_bath(5, 2.0, 1), "L must be even"),
        (lambda: metropolis(0, 2.0, 1), "L must be >= 2"),
        (lambda: metropolis(4, 0.0, 1), "T must be > 0"),
        (lambda: metropolis(4, float("nan"), 1), "T must be finite"),
        (lambda: metropolis(4, 2.0, -1), "n_sweeps must be >= 0"),
        (lambda: wolff(4, 2.0, -1), "n_steps must be >= 0"),
        (lambda: metropolis(4, 2.0, 1, spins=np.ones((4, 5))),
         r"spins must have shape \(4, 4\)"),
        (lambda: metropolis(4, 2.0, 1, spins=np.zeros((4, 4))),
         "spins must contain only -1 and \\+1"),
        (lambda: energy_per_spin(np.ones((1, 4))), "spins must have both"),
        (lambda: energy_per_spin(np.ones((3, 4, 1))), "spins must have both"),
        (lambda: spontaneous_magnetization(-1.0), "T must be > 0"),
        (lambda: critical_temperature(0.0), "J must be > 0"),
        (lambda: binder_cumulant([0.0, 0.0]), "m must contain"),
        (lambda: measure(4, 2.0, 0), "n_sweeps must be >= 1"),
        (lambda: measure(4, 2.0, 5, start="hot"), "start must be"),
        (lambda: measure(4, 2.0, 5, method="glauber"), "method must be"),
        (lambda: temperature_scan(4, [2.0, -1.0], 5), "temperatures"),
        (lambda: temperature_scan(4, [], 5), "temperatures"),
        (lambda: sample(4, 2.0, 5, method="wolff", h=0.1), "needs h = 0"),
        (lambda: sample(4, 2.0, 5, method="wolff", J=-1.0), "J > 0"),
        (lambda: sample(4, 2.0, 0), "n_steps must be >= 1"),
        (lambda: sample(4, 2.0, 5, n_chains=0), "n_chains must be >= 1"),
        (lambda: autocorrelation_time(np.ones(10)), "x must not be constant"),
        (lambda: autocorrelation_time([1.0, 2.0, 3.0]), "at least 4"),
        (lambda: autocorrelation_time(np.arange(9.0), c=0), "c must be > 0"),
        (lambda: binned_error(np.arange(9.0), n_bins=10), "n_bins must be"),
        (lambda: binned_error(np.arange(9.0), n_bins=1), "n_bins must be"),
        (lambda: with_error(1.0, -0.1), "err must be >= 0"),
        (lambda: metropolis(4, 2.0, 1, rng=-1), "rng must be"),
    ],
)
def test_bad_inputs_name_the_argument(call, match):
    # the message names the argument and what was expected
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metropolis(4.0, 2.0, 1), "L must be an int"),
        (lambda: metropolis(4, 2.0, 2.5), "n_sweeps must be an int"),
        (lambda: sample(4, 2.0, True), "n_steps must be an int"),
        (lambda: metropolis(4, "hot", 1), "T must be a real number"),
        (lambda: energy_per_spin(np.ones((4, 4)) * 1j), "spins must be real"),
        (lambda: magnetization([["a", "b"], ["c", "d"]]), "spins must be"),
        (lambda: binder_cumulant([1 + 1j, 1.0]), "m must be real"),
        (lambda: with_error(1.0, "0.1"), "err must be a real number"),
        (lambda: metropolis(4, 2.0, 1, rng="seed"), "rng must be"),
    ],
)
def test_bad_types_raise_type_error(call, match):
    # wrong types are TypeErrors naming the argument
    with pytest.raises(TypeError, match=match):
        call()


def test_docstring_examples_run():
    # every Examples section in the module's docstrings is a passing doctest
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(physdl_docs.ising, optionflags=flags)
    assert result.attempted > 0 and result.failed == 0
