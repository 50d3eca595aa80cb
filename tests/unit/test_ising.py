"""Unit tests of physdl_docs.ising: closed forms and exact enumeration."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

import physdl_docs.ising
from physdl_docs.ising import (
    _checkerboard,
    binder_cumulant,
    critical_temperature,
    energy_per_spin,
    magnetization,
    measure,
    metropolis,
    spontaneous_magnetization,
    temperature_scan,
)


def all_states(L: int) -> np.ndarray:
    """Every ±1 configuration of an L×L lattice: [2**(L*L), L, L]."""
    n = L * L
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    return (2.0 * bits - 1.0).reshape(-1, L, L)


def exact_averages(L: int, T: float) -> tuple[float, float, float]:
    """Boltzmann averages <E/N>, <|m|>, <m^2> by enumerating all states."""
    S = all_states(L)
    e = energy_per_spin(S)
    m = S.mean(axis=(1, 2))
    w = np.exp(-(L * L) * (e - e.min()) / T)
    p = w / w.sum()
    return float(p @ e), float(p @ np.abs(m)), float(p @ m**2)


def naive_energy(s: np.ndarray, J: float = 1.0, h: float = 0.0) -> float:
    """E/N with an explicit double loop over sites (right and down bonds)."""
    L1, L2 = s.shape
    E = 0.0
    for i in range(L1):
        for j in range(L2):
            E -= J * s[i, j] * (s[i, (j + 1) % L2] + s[(i + 1) % L1, j])
            E -= h * s[i, j]
    return E / (L1 * L2)


def naive_metropolis(L, T, n_sweeps, seed, J=1.0, h=0.0):
    """Site-by-site Metropolis visiting one colour at a time.

    Uses the random numbers in the same order as the vectorised code
    (a start array, then one [L, L] block of uniforms per colour), so the
    two must agree exactly.
    """
    rng = np.random.default_rng(seed)
    s = rng.choice([-1.0, 1.0], size=(L, L))
    masks = _checkerboard(L)
    for _ in range(n_sweeps):
        for mask in masks:
            u = rng.random((L, L))
            for i, j in zip(*np.nonzero(mask)):
                f = J * (s[(i + 1) % L, j] + s[i - 1, j]
                         + s[i, (j + 1) % L] + s[i, j - 1]) + h
                dE = 2.0 * s[i, j] * f
                if u[i, j] < min(1.0, np.exp(-dE / T)):
                    s[i, j] = -s[i, j]
    return s


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
    # the T_c - T power law m ~ (T_c - T)^(1/8) near T_c: slope 1/8 on logs
    t = np.array([1e-6, 1e-5])
    m = spontaneous_magnetization(Tc - t)
    assert np.log(m[1] / m[0]) / np.log(10) == pytest.approx(1 / 8, 1e-3)


def test_energy_matches_double_loop():
    rng = np.random.default_rng(0)
    for shape in [(4, 4), (3, 5), (6, 2)]:
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


# -------------------------------------------------------------- the sampler
def test_checkerboard_equals_site_by_site_update():
    for L, T, h in [(4, 2.0, 0.0), (6, 3.1, 0.2)]:
        vec = metropolis(L, T, n_sweeps=5, rng=11, h=h)
        # same random numbers -> the same lattice, bit for bit
        np.testing.assert_array_equal(vec, naive_metropolis(L, T, 5, 11, h=h))


def test_sampler_matches_exact_boltzmann_averages():
    # 4x4 periodic lattice: all 65,536 states enumerated
    T = 2.5
    e_ex, am_ex, _ = exact_averages(4, T)
    st = measure(4, T, n_sweeps=300, n_equil=50, n_replicas=400, rng=3)
    # Monte-Carlo means within ~5 standard errors (0.0018 and 0.0008,
    # measured over 10 seeds)
    assert st.energy == pytest.approx(e_ex, abs=0.01)
    assert st.abs_m == pytest.approx(am_ex, abs=0.005)


def test_sampler_matches_exact_with_field():
    # (at low T a 4x4 lattice stays in the state against the field for
    # thousands of sweeps -- metastability -- so test well above T_c)
    T, h = 3.0, 0.2
    S = all_states(4)
    e = energy_per_spin(S, h=h)
    w = np.exp(-16 * (e - e.min()) / T)
    m_ex = float(w @ S.mean(axis=(1, 2)) / w.sum())
    st = measure(4, T, n_sweeps=300, n_equil=50, n_replicas=400, rng=4,
                 h=h, start="random")
    # the field tilts the Boltzmann weights; <m> within ~6 standard errors
    # (standard error 0.0026, measured over 10 seeds)
    assert st.m == pytest.approx(m_ex, abs=0.015)


def test_ordered_at_low_T_disordered_at_high_T():
    low, high = temperature_scan(16, [1.5, 5.0], n_sweeps=100, n_equil=100,
                                 n_replicas=2, rng=0)
    # below T_c the lattice stays magnetised, as Yang predicts (0.986)
    assert low.abs_m == pytest.approx(spontaneous_magnetization(1.5),
                                      abs=0.01)
    # far above T_c, |m| ~ 1/sqrt(N * (1 - tanh K) ...) is small
    assert high.abs_m < 0.1
    # from a random start at low T the energy falls towards -2
    s = metropolis(16, 1.0, 200, rng=5)
    assert energy_per_spin(s) < -1.8


def test_replicas_are_independent_lattices():
    a, b = temperature_scan(8, [2.0, 2.0], n_sweeps=50, n_equil=0,
                            n_replicas=50, rng=0)
    # two temperature slots run the same T with different random numbers:
    # not identical, but close (the difference has sd 0.005 over 20 seeds)
    assert a.abs_m != b.abs_m
    assert a.abs_m == pytest.approx(b.abs_m, abs=0.025)
    assert a.n_samples == 50 * 50


def test_seeded_runs_are_reproducible():
    a = metropolis(8, 2.3, 10, rng=42)
    b = metropolis(8, 2.3, 10, rng=np.random.default_rng(42))
    # same seed, same result (seed or Generator)
    np.testing.assert_array_equal(a, b)


def test_inputs_not_modified():
    s0 = np.ones((6, 6))
    s0[0, 0] = -1
    before = s0.copy()
    metropolis(6, 3.0, 5, rng=0, spins=s0)
    energy_per_spin(s0)
    # the caller's array is untouched
    np.testing.assert_array_equal(s0, before)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: metropolis(7, 2.0, 1), "L must be even"),
        (lambda: metropolis(0, 2.0, 1), "L must be >= 2"),
        (lambda: metropolis(4, 0.0, 1), "T must be > 0"),
        (lambda: metropolis(4, 2.0, -1), "n_sweeps must be >= 0"),
        (lambda: metropolis(4, 2.0, 1, spins=np.ones((4, 5))),
         r"spins must have shape \(4, 4\)"),
        (lambda: metropolis(4, 2.0, 1, spins=np.zeros((4, 4))),
         "spins must contain only -1 and \\+1"),
        (lambda: spontaneous_magnetization(-1.0), "T must be > 0"),
        (lambda: critical_temperature(0.0), "J must be > 0"),
        (lambda: binder_cumulant([0.0, 0.0]), "m must contain"),
        (lambda: measure(4, 2.0, 0), "n_sweeps must be >= 1"),
        (lambda: measure(4, 2.0, 5, start="hot"), "start must be"),
        (lambda: temperature_scan(4, [2.0, -1.0], 5), "temperatures"),
    ],
)
def test_bad_inputs_name_the_argument(call, match):
    # the message names the argument and what was expected
    with pytest.raises(ValueError, match=match):
        call()


def test_bad_types_raise_type_error():
    # a float lattice size is a TypeError naming L
    with pytest.raises(TypeError, match="L must be an int"):
        metropolis(4.0, 2.0, 1)


def test_docstring_examples_run():
    # every Examples section in the module's docstrings is a passing doctest
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testmod(physdl_docs.ising, optionflags=flags)
    assert result.attempted > 0 and result.failed == 0
