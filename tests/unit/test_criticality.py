"""Mean-field signal propagation: maps, fixed points, chi_1, depth scales."""

import warnings

import numpy as np
import pytest
import torch
from scipy.integrate import quad
from scipy.optimize import brentq
from scipy.stats import norm

from physdl_docs.criticality import (
    chi_1,
    chi_c,
    correlation_fixed_point,
    correlation_map,
    critical_sigma_w,
    depth_scale,
    fit_depth_scale,
    fixed_point_q,
    gaussian_expectation,
    gradient_norms,
    length_map,
    phase,
    simulate_correlations,
)

SIGMA_B = np.sqrt(0.05)


# ------------------------------------------------ an independent reference
def adaptive(f, q):
    """E[f(sqrt(q) z)] by scipy's adaptive quadrature (f even)."""
    s = np.sqrt(q)
    cuts = sorted({0.0, min(1.0, 1 / s) if s > 0 else 1.0, 1.0, 40.0})
    return sum(quad(lambda z: 2 * f(s * z) * norm.pdf(z), a, b, limit=400,
                    epsabs=1e-15, epsrel=1e-13)[0]
               for a, b in zip(cuts[:-1], cuts[1:]))


def tanh_length_map(q, sw2, sb2):
    return sw2 * adaptive(lambda u: np.tanh(u) ** 2, q) + sb2


def tanh_chi_1(q, sw2):
    return sw2 * adaptive(lambda u: (1 - np.tanh(u) ** 2) ** 2, q)


# --------------------------------------------------------------- quadrature
def test_quadrature_moments():
    # E[z^2] = 1, E[z^4] = 3, E[(sqrt(q) z)^2] = q
    assert gaussian_expectation(lambda u: u**2) == pytest.approx(1, abs=1e-13)
    assert gaussian_expectation(lambda u: u**4) == pytest.approx(3, abs=1e-12)
    assert gaussian_expectation(lambda u: u**2, q=2.5) == pytest.approx(2.5)


@pytest.mark.parametrize("q", [1e-6, 0.3, 1.0, 7.0, 90.0, 400.0])
def test_quadrature_matches_adaptive_quadrature_at_any_variance(q):
    # sech^4(sqrt(q) z) is a spike of width 1/sqrt(q): the grid follows it
    sech4 = lambda u: (1 - np.tanh(u) ** 2) ** 2  # noqa: E731
    assert gaussian_expectation(sech4, q) == pytest.approx(adaptive(sech4, q),
                                                           rel=1e-10)
    assert gaussian_expectation(lambda u: np.tanh(u) ** 2, q) == \
        pytest.approx(adaptive(lambda u: np.tanh(u) ** 2, q), rel=1e-10)


# ------------------------------------------------------- chi_1 over the range
@pytest.mark.parametrize("sw2", np.geomspace(0.1, 100, 7).round(4).tolist())
@pytest.mark.parametrize("sb2", [0.0, 0.5, 2.0])
def test_chi_1_and_q_star_match_adaptive_quadrature(sw2, sb2):
    s_w, s_b = np.sqrt(sw2), np.sqrt(sb2)
    q = fixed_point_q(s_w, s_b)
    # q* is a fixed point of the length map computed by scipy.integrate.quad
    assert tanh_length_map(q, sw2, sb2) == pytest.approx(q, rel=1e-10,
                                                         abs=1e-14)
    # and it is the nonzero one whenever sigma_w^2 > 1 or sigma_b > 0
    assert (q > 0) == (sw2 > 1 or sb2 > 0)
    # chi_1 = sigma_w^2 E[tanh'(sqrt(q*) z)^2], to 1e-10 relative
    assert chi_1(s_w, s_b) == pytest.approx(tanh_chi_1(q, sw2), rel=1e-10)


def test_published_large_variance_values():
    # sigma_b = 0: chi_1 = 2.900 at sigma_w^2 = 25 and 5.545 at 100
    assert chi_1(5.0, 0.0) == pytest.approx(2.900421, abs=1e-6)
    assert chi_1(10.0, 0.0) == pytest.approx(5.544854, abs=1e-6)
    # deep in the chaotic phase, not ordered
    assert phase(10.0, 0.0) == "chaotic"


# ------------------------------------------------------------ tanh maps
@pytest.mark.parametrize("sigma_w, sigma_b", [(0.8, 0.3), (1.5, 0.0),
                                              (1.3, SIGMA_B), (10.0, 1.0)])
def test_q_star_is_a_fixed_point_of_the_length_map(sigma_w, sigma_b):
    q = fixed_point_q(sigma_w, sigma_b)
    # q* = sigma_w^2 E[tanh(sqrt(q*) z)^2] + sigma_b^2, q* > 0
    assert q > 0
    assert length_map(q, sigma_w, sigma_b) == pytest.approx(q, rel=1e-11)


def test_q_star_is_reached_by_iterating_the_map():
    q = 3.0
    for _ in range(200):
        q = length_map(q, 1.5, 0.2)
    # iteration from q = 3 converges to the root found by bisection
    assert q == pytest.approx(fixed_point_q(1.5, 0.2), rel=1e-9)


def test_tanh_without_bias_below_criticality_loses_its_signal():
    # sigma_b = 0, sigma_w <= 1: tanh(u)^2 < u^2 shrinks every length to 0
    assert fixed_point_q(0.9, 0.0) == 0.0 and fixed_point_q(1.0, 0.0) == 0.0
    # chi_1 = sigma_w^2 tanh'(0)^2, but the correlations freeze instead of
    # relaxing: no fixed point, no finite depth scale
    assert chi_1(0.9, 0.0) == pytest.approx(0.81, abs=1e-12)
    assert phase(0.9, 0.0) == "vanishing" and depth_scale(0.9, 0.0) == np.inf
    with pytest.raises(ValueError, match="use sigma_b > 0"):
        correlation_map(0.5, 0.9, 0.0)


def test_tanh_critical_point_without_bias():
    # sigma_w = 1, sigma_b = 0: q* = 0 and chi_1 = tanh'(0)^2 = 1
    assert chi_1(1.0, 0.0) == pytest.approx(1.0, abs=1e-12)
    assert critical_sigma_w(0.0) == pytest.approx(1.0, abs=1e-6)
    # on the critical line with sigma_b^2 = 0.05: chi_1 = 1 at 1.761
    s_c = critical_sigma_w(SIGMA_B)
    assert chi_1(s_c, SIGMA_B) == pytest.approx(1.0, abs=1e-8)
    assert s_c**2 == pytest.approx(1.76095, abs=1e-5)
    assert phase(s_c, SIGMA_B) == "critical"


def test_correlation_map_fixes_one_and_is_tangent_chi_1():
    sigma_w, sigma_b = 1.2, 0.3
    # c = 1 maps to 1 (the same input stays the same)
    assert correlation_map(1.0, sigma_w, sigma_b) == pytest.approx(1, abs=1e-12)
    # slope at c = 1 is chi_1 (one-sided finite difference)
    eps = 1e-5
    slope = (1 - correlation_map(1 - eps, sigma_w, sigma_b)) / eps
    assert slope == pytest.approx(chi_1(sigma_w, sigma_b), rel=1e-4)


def test_correlation_map_matches_monte_carlo():
    sigma_w, sigma_b, c = 1.7, 0.4, 0.3
    q = fixed_point_q(sigma_w, sigma_b)
    z = np.random.default_rng(0).standard_normal((2, 500_000))
    u1 = np.sqrt(q) * z[0]
    u2 = np.sqrt(q) * (c * z[0] + np.sqrt(1 - c * c) * z[1])
    mc = (sigma_w**2 * np.mean(np.tanh(u1) * np.tanh(u2)) + sigma_b**2) / q
    # standard error ~ 8e-4
    assert correlation_map(c, sigma_w, sigma_b) == pytest.approx(mc, abs=4e-3)


@pytest.mark.parametrize("sigma_w", [2.0, 10.0])
def test_chaotic_fixed_point_and_its_slope(sigma_w):
    c = correlation_fixed_point(sigma_w, SIGMA_B)
    # chaotic phase: a stable fixed point 0 < c* < 1 of the map
    assert 0 < c < 1
    assert correlation_map(c, sigma_w, SIGMA_B) == pytest.approx(c, abs=1e-10)
    h = 1e-5
    slope = (correlation_map(c + h, sigma_w, SIGMA_B)
             - correlation_map(c - h, sigma_w, SIGMA_B)) / (2 * h)
    # chi_c is the map's slope at c*, and it is < 1 (stable)
    assert chi_c(sigma_w, SIGMA_B) == pytest.approx(slope, rel=1e-5)
    assert chi_c(sigma_w, SIGMA_B) < 1
    assert depth_scale(sigma_w, SIGMA_B) == pytest.approx(
        -1 / np.log(slope), rel=1e-5)


@pytest.mark.parametrize("sigma_b", [SIGMA_B, np.sqrt(0.5)])
def test_depth_scale_grows_towards_criticality_from_both_sides(sigma_b):
    s_c = critical_sigma_w(sigma_b)
    below = [depth_scale(s_c * f, sigma_b) for f in (0.6, 0.8, 0.9, 0.97)]
    above = [depth_scale(s_c * f, sigma_b) for f in (1.6, 1.3, 1.1, 1.03)]
    # xi_c increases as sigma_w -> sigma_w,crit from below and from above
    assert np.all(np.diff(below) > 0) and np.all(np.diff(above) > 0)
    # and in the ordered phase it is -1 / ln chi_1
    assert below[0] == pytest.approx(-1 / np.log(chi_1(0.6 * s_c, sigma_b)))
    assert depth_scale(s_c, sigma_b) == np.inf


# ------------------------------------------------------------------- ReLU
def relu_pair(c, q):
    """E[relu(u_1) relu(u_2)]: inner Gaussian in closed form, outer quad."""
    s = np.sqrt(1 - c * c)

    def inner(z1):  # E[relu(m + sd Z)], m = sqrt(q) c z1, sd = sqrt(q) s
        m, sd = np.sqrt(q) * c * z1, np.sqrt(q) * s
        return m * norm.cdf(m / sd) + sd * norm.pdf(m / sd)

    return quad(lambda z1: norm.pdf(z1) * np.sqrt(q) * z1 * inner(z1), 0,
                np.inf, epsabs=1e-13)[0]


@pytest.mark.parametrize("c", [-0.6, 0.0, 0.7, 0.95])
def test_relu_correlation_map_against_direct_integration(c):
    sigma_w, sigma_b = 1.0, 0.5
    q = fixed_point_q(sigma_w, sigma_b, "relu")
    # q* = sigma_b^2 / (1 - sigma_w^2 / 2)
    assert q == pytest.approx(0.5)
    expected = (sigma_w**2 * relu_pair(c, q) + sigma_b**2) / q
    assert correlation_map(c, sigma_w, sigma_b, "relu") == pytest.approx(
        expected, abs=1e-9)


def test_relu_without_bias_has_no_transition():
    cs = [0.0, 0.5, 0.9]
    maps = [[correlation_map(c, s, 0.0, "relu") for c in cs]
            for s in (0.5, 1.0, np.sqrt(2), 3.0)]
    # the correlation map does not depend on sigma_w at all
    assert np.allclose(maps, maps[0], atol=1e-14)
    eps = 1e-7
    slope = (1 - correlation_map(1 - eps, 1.0, 0.0, "relu")) / eps
    # its slope at c = 1 is 1, not chi_1 = sigma_w^2 / 2 = 0.5
    assert slope == pytest.approx(1.0, abs=1e-3)
    assert chi_c(1.0, 0.0, "relu") == 1.0 and chi_1(1.0, 0.0, "relu") == 0.5
    # no exponential depth scale anywhere, and never chaos
    assert depth_scale(1.0, 0.0, "relu") == np.inf
    assert [phase(s, 0.0, "relu") for s in (1.0, np.sqrt(2), 1.6)] == \
        ["vanishing", "critical", "growing"]


def test_relu_correlations_reach_one_as_a_power_law():
    c, gap = 0.0, [1.0]
    for _ in range(400):
        c = correlation_map(c, 1.0, 0.0, "relu")
        gap.append(1 - c)
    # 1 - c^l ~ 9 pi^2 / (2 l^2): 1 / sqrt(1 - c^l) grows by sqrt(2) / (3 pi)
    # per layer, where an exponential approach would grow exponentially
    slope = (gap[400] ** -0.5 - gap[200] ** -0.5) / 200
    assert slope == pytest.approx(np.sqrt(2) / (3 * np.pi), rel=0.01)
    # l^2 (1 - c^l) creeps up towards 9 pi^2 / 2 = 44.4
    assert 0.9 < gap[400] * 400**2 / (9 * np.pi**2 / 2) < 1


def test_relu_networks_differ_only_in_scale():
    a = simulate_correlations([0.2, 0.8], 12, 64, 1.0, 0.0, "relu", rng=4)
    b = simulate_correlations([0.2, 0.8], 12, 64, np.sqrt(2), 0.0, "relu",
                              rng=4)
    # relu is positively homogeneous: same draws, same correlations
    assert np.allclose(a, b, atol=1e-12)


def test_relu_with_bias_is_ordered_below_he():
    # sigma_b > 0, sigma_w^2 < 2: c* = 1, chi_c = chi_1 = sigma_w^2 / 2
    assert phase(1.0, 0.5, "relu") == "ordered"
    assert depth_scale(1.0, 0.5, "relu") == pytest.approx(1 / np.log(2))
    # at and beyond He the length grows without bound: no chaos
    assert phase(np.sqrt(2), 0.5, "relu") == "growing"
    assert fixed_point_q(1.6, 0.5, "relu") == np.inf
    assert critical_sigma_w(0.7, "relu") == pytest.approx(np.sqrt(2))


# ------------------------------------------------------ simulated networks
def test_simulated_correlations_follow_the_mean_field_map():
    sigma_w = np.sqrt(1.5)
    c0 = np.array([0.0, 0.5, 0.9])
    sim = simulate_correlations(c0, depth=3, width=1000, sigma_w=sigma_w,
                                sigma_b=SIGMA_B, n_pairs=8, rng=1)
    theory = [c0]
    for _ in range(3):
        theory.append([correlation_map(c, sigma_w, SIGMA_B)
                       for c in theory[-1]])
    # finite-width fluctuations ~ 1/sqrt(n) = 0.03, averaged over 8 pairs
    assert np.abs(sim - np.array(theory)).max() < 0.02


def test_simulated_depth_scale_in_the_ordered_phase():
    dev = 1 - simulate_correlations([0.8], 30, 256, 1.0, SIGMA_B, rng=2)[:, 0]
    # xi_c = 3.63 at sigma_w^2 = 1, sigma_b^2 = 0.05; one net, 10 % spread
    assert fit_depth_scale(dev) == pytest.approx(depth_scale(1.0, SIGMA_B),
                                                 rel=0.15)


def test_fit_depth_scale_recovers_a_noisy_exponential():
    layers = np.arange(30)
    noise = 0.01 * np.random.default_rng(3).standard_normal(30)
    # 0.6 exp(-l / 7) plus noise: xi back within 5 %
    assert fit_depth_scale(0.6 * np.exp(-layers / 7) + noise) == \
        pytest.approx(7, rel=0.05)
    # noiseless: exact
    assert fit_depth_scale(2 * np.exp(-layers / 3.3)) == pytest.approx(3.3)


def test_fit_depth_scale_refuses_what_does_not_decay():
    # a growing deviation: no depth scale, a warning and inf
    with pytest.warns(RuntimeWarning, match="does not decay"):
        assert fit_depth_scale(np.exp(np.arange(20) / 5)) == np.inf
    # all zero: nothing to fit
    with pytest.raises(ValueError, match="deviation must be positive"):
        fit_depth_scale(np.zeros(10))


# -------------------------------------------------------------- gradients
def torch_squared_norms(depth, width, sigma_w, sigma_b, seed, branch=None):
    """Same draws as gradient_norms (tanh), gradients from torch.autograd."""
    rng = np.random.default_rng(seed)
    q = fixed_point_q(sigma_w, sigma_b)
    h = torch.tensor(np.tanh(np.sqrt(q) * rng.standard_normal((3, width))),
                     requires_grad=True)
    hs = [h]
    for _ in range(depth):
        W = torch.tensor(rng.normal(0, sigma_w / np.sqrt(width), (width,) * 2))
        z = h @ W.T + torch.tensor(sigma_b * rng.standard_normal(width))
        h = torch.tanh(z) if branch is None else h + branch * torch.tanh(z)
        h.retain_grad()
        hs.append(h)
    (h * torch.tensor(rng.standard_normal((3, width)))).sum().backward()
    sq = np.array([float((t.grad**2).sum()) for t in hs])
    return sq / sq[-1]


@pytest.mark.parametrize("branch", [None, 0.3])
def test_gradient_norms_equal_torch_autograd(branch):
    ours = gradient_norms(5, 16, 1.3, 0.2, n_inputs=3, rng=7,
                          branch_scale=branch)
    # the hand-written backward pass is autograd's, layer by layer
    np.testing.assert_allclose(ours, torch_squared_norms(5, 16, 1.3, 0.2, 7,
                                                         branch), rtol=1e-12)


@pytest.mark.parametrize("sigma_w, depth", [(1.0, 20), (2.0, 20)])
def test_gradient_norms_grow_by_chi_1_per_layer(sigma_w, depth):
    g = gradient_norms(depth, 400, sigma_w, SIGMA_B, n_inputs=16, rng=4)
    # |g^0|^2 / |g^L|^2 ~ chi_1^L (0.76 ordered, 1.33 chaotic)
    assert g[0] ** (1 / depth) == pytest.approx(chi_1(sigma_w, SIGMA_B),
                                                rel=0.02)


@pytest.mark.parametrize("sigma_w, factor", [(1.0, 0.5), (np.sqrt(2), 1.0)])
def test_relu_squared_gradients_scale_by_sigma_w_squared_over_two(sigma_w,
                                                                  factor):
    g = gradient_norms(20, 400, sigma_w, 0.0, phi="relu", n_inputs=16, rng=5)
    # (sigma_w^2 / 2)^20: 1/2 per layer with Xavier, 1 with He
    assert g[0] ** (1 / 20) == pytest.approx(factor, rel=0.02)


def test_deep_gradients_do_not_underflow():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        g = gradient_norms(400, 64, 0.5, 0.0, rng=0)
    # chi_1 = 1/4 per layer: 4^-400 ~ 1e-241 is still a positive float
    assert 0 < g[0] < 1e-230
    assert np.log(g[0]) / 400 == pytest.approx(np.log(0.25), rel=0.01)
    # 4^-600 is beyond float64: a warning, not a silent 0
    with pytest.warns(RuntimeWarning, match="beyond float64"):
        gradient_norms(600, 64, 0.5, 0.0, rng=0)


def test_forward_overflow_warns():
    with pytest.warns(RuntimeWarning, match="overflowed"):
        g = gradient_norms(300, 64, 20.0, 0.0, phi="relu", rng=0)
    # the signal grows by sqrt(200) per layer: beyond 1e308 by layer 140
    assert np.all(np.isnan(g))


def test_inputs_are_not_modified():
    c0 = np.array([0.1, 0.4])
    x = np.random.default_rng(0).standard_normal((2, 8))
    kept_c, kept_x = c0.copy(), x.copy()
    simulate_correlations(c0, 2, 16, 1.0, 0.1, rng=0)
    gradient_norms(3, 8, 1.0, inputs=x, rng=0)
    # the caller's arrays are untouched
    assert np.array_equal(c0, kept_c) and np.array_equal(x, kept_x)


@pytest.mark.parametrize("call, match", [
    (lambda: chi_1(1.0, 0.0, phi="sigmoid"), "phi must be one of"),
    (lambda: chi_1(25.0, 0.0), "sigma_w must be <= 20"),
    (lambda: depth_scale(1.0, 11.0), "sigma_b must be <= 10"),
    (lambda: chi_1(np.nan, 0.0), "sigma_w must be finite"),
    (lambda: correlation_map(1.5, 1.0, 0.1), "c must be <= 1.0"),
    (lambda: length_map(-1.0, 1.0, 0.1), "q must be >= 0"),
    (lambda: fixed_point_q(-1.0, 0.0), "sigma_w must be >= 0"),
    (lambda: correlation_fixed_point(0.5, 0.0), "use sigma_b > 0"),
    (lambda: simulate_correlations([1.5], 2, 8, 1.0, 0.1), "c0 must be"),
    (lambda: simulate_correlations([0.5], 2, 0, 1.0, 0.1), "width must be"),
    (lambda: fit_depth_scale([1.0, 0.5]), "deviation must have >= 3"),
    (lambda: gradient_norms(0, 8, 1.0), "depth must be >= 1"),
    (lambda: gradient_norms(2, 8, 1.0, inputs=np.ones((2, 7))),
     "inputs must have shape"),
    (lambda: gradient_norms(2, 8, 1.0, branch_scale=0.0),
     "branch_scale must be > 0"),
    (lambda: gradient_norms(2, 8, 1.0, phi=(np.tanh, np.cos)),
     "inputs must be given"),
])
def test_bad_inputs_raise_naming_the_argument(call, match):
    # the message names the argument and what was expected
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: gaussian_expectation(2.0), "f must be callable"),
    (lambda: gaussian_expectation(np.tanh, q="1"), "q must be a real"),
    (lambda: chi_1(1.0 + 0.5j, 0.0), "sigma_w must be a real"),
    (lambda: gradient_norms(3, 8.0, 1.0), "width must be an int"),
    (lambda: simulate_correlations([0.5j], 2, 8, 1.0, 0.1), "c0 must be real"),
    (lambda: phase(True, 0.0), "sigma_w must be a real"),
])
def test_wrong_types_raise_type_error(call, match):
    # strings, complex numbers, floats for ints and bools are refused
    with pytest.raises(TypeError, match=match):
        call()
