"""Mean-field signal propagation: maps, fixed points, chi_1, depth scales."""

import numpy as np
import pytest

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
    simulate_correlations,
)
from physdl_docs.infinite_width import relu_kernel_step

SIGMA_B = np.sqrt(0.05)


def test_quadrature_moments_are_exact():
    # E[z^2] = 1 and E[z^4] = 3 (Gauss-Hermite is exact for polynomials)
    assert gaussian_expectation(lambda u: u**2) == pytest.approx(1.0, abs=1e-13)
    assert gaussian_expectation(lambda u: u**4) == pytest.approx(3.0, abs=1e-12)
    # E[(sqrt(q) z)^2] = q
    assert gaussian_expectation(lambda u: u**2, q=2.5) == pytest.approx(2.5)


def test_quadrature_tanh_matches_monte_carlo():
    z = np.random.default_rng(0).standard_normal(1_000_000)
    mc = np.mean(np.tanh(z) ** 2)
    # E[tanh(z)^2] = 0.3943; Monte-Carlo standard error ~ 3e-4
    assert gaussian_expectation(lambda u: np.tanh(u) ** 2) == pytest.approx(
        mc, abs=1.5e-3)


@pytest.mark.parametrize("sigma_w, sigma_b", [(0.8, 0.3), (1.5, 0.0),
                                              (1.3, SIGMA_B), (2.0, 0.5)])
def test_q_star_is_a_fixed_point_of_the_length_map(sigma_w, sigma_b):
    q = fixed_point_q(sigma_w, sigma_b)
    # q* = sigma_w^2 E[tanh(sqrt(q*) z)^2] + sigma_b^2, and q* > 0 here
    assert q > 0
    assert length_map(q, sigma_w, sigma_b) == pytest.approx(q, rel=1e-10)


def test_q_star_is_reached_by_iterating_the_map():
    q = 3.0
    for _ in range(200):
        q = length_map(q, 1.5, 0.2)
    # iteration from q = 3 converges to the root found by bisection
    assert q == pytest.approx(fixed_point_q(1.5, 0.2), rel=1e-9)


def test_q_star_vanishes_in_the_ordered_phase_without_bias():
    # sigma_b = 0, sigma_w <= 1: tanh(u)^2 < u^2 shrinks every length to 0
    assert fixed_point_q(0.9, 0.0) == 0.0
    assert fixed_point_q(1.0, 0.0) == 0.0


def test_chi_1_is_one_at_the_tanh_critical_point():
    # sigma_w = 1, sigma_b = 0: q* = 0 and chi_1 = tanh'(0)^2 = 1
    assert chi_1(1.0, 0.0) == pytest.approx(1.0, abs=1e-12)
    assert critical_sigma_w(0.0) == pytest.approx(1.0, abs=1e-6)
    # on the critical line with sigma_b^2 = 0.05 chi_1 = 1 as well
    assert chi_1(critical_sigma_w(SIGMA_B), SIGMA_B) == pytest.approx(1.0,
                                                                       abs=1e-8)


def test_relu_he_initialisation_is_critical():
    # chi_1 = sigma_w^2 E[1(z > 0)] = sigma_w^2 / 2
    assert chi_1(np.sqrt(2), 0.0, phi="relu") == pytest.approx(1.0, abs=1e-12)
    assert chi_1(1.0, 0.0, phi="relu") == pytest.approx(0.5, abs=1e-12)
    # relu length map is linear: q* = sigma_b^2 / (1 - sigma_w^2 / 2)
    assert fixed_point_q(1.0, 0.5, phi="relu") == pytest.approx(0.5)
    assert fixed_point_q(1.6, 0.5, phi="relu") == np.inf


def test_relu_correlation_map_matches_the_arc_cosine_kernel():
    sigma_w, sigma_b = 1.0, 0.5
    q = fixed_point_q(sigma_w, sigma_b, phi="relu")
    for c in (-0.5, 0.0, 0.7):
        K = q * np.array([[1.0, c], [c, 1.0]])
        # closed form (Cho & Saul) vs quadrature; relu's kink limits
        # Gauss-Hermite to ~1e-3 here (smooth tanh gets ~1e-10)
        expected = relu_kernel_step(K, sigma_w, sigma_b)[0, 1] / q
        assert correlation_map(c, sigma_w, sigma_b, phi="relu") == \
            pytest.approx(expected, abs=3e-3)


def test_correlation_map_fixes_one_and_is_tangent_chi_1():
    sigma_w, sigma_b = 1.2, 0.3
    # c = 1 maps to 1 (the same input stays the same)
    assert correlation_map(1.0, sigma_w, sigma_b) == pytest.approx(1.0,
                                                                   abs=1e-10)
    # slope at c = 1 is chi_1 (one-sided finite difference)
    eps = 1e-4
    slope = (1 - correlation_map(1 - eps, sigma_w, sigma_b)) / eps
    assert slope == pytest.approx(chi_1(sigma_w, sigma_b), rel=1e-3)


def test_chaotic_fixed_point_and_its_slope():
    sigma_w = 2.0
    c = correlation_fixed_point(sigma_w, SIGMA_B)
    # chaotic phase: a stable fixed point c* < 1 of the map
    assert 0 < c < 1
    assert correlation_map(c, sigma_w, SIGMA_B) == pytest.approx(c, abs=1e-10)
    h = 1e-5
    slope = (correlation_map(c + h, sigma_w, SIGMA_B)
             - correlation_map(c - h, sigma_w, SIGMA_B)) / (2 * h)
    # chi_c is the map's slope at c*, and it is < 1 (stable)
    assert chi_c(sigma_w, SIGMA_B) == pytest.approx(slope, rel=1e-5)
    assert chi_c(sigma_w, SIGMA_B) < 1


@pytest.mark.parametrize("sigma_b", [0.0, SIGMA_B])
def test_depth_scale_grows_towards_criticality_from_both_sides(sigma_b):
    s_c = critical_sigma_w(sigma_b)
    below = [depth_scale(s_c * f, sigma_b) for f in (0.6, 0.8, 0.9, 0.97)]
    above = [depth_scale(s_c * f, sigma_b) for f in (1.6, 1.3, 1.1, 1.03)]
    # xi_c increases as sigma_w -> sigma_w,crit from below and from above
    assert np.all(np.diff(below) > 0) and np.all(np.diff(above) > 0)
    # and it is infinite at the critical point itself
    assert depth_scale(1.0, 0.0) == np.inf


def test_simulated_correlations_follow_the_mean_field_map():
    sigma_w = np.sqrt(1.5)
    c0 = np.array([0.0, 0.5, 0.9])
    sim = simulate_correlations(c0, depth=3, width=1000, sigma_w=sigma_w,
                                sigma_b=SIGMA_B, n_pairs=8, rng=1)
    theory = [c0]
    for _ in range(3):
        theory.append([correlation_map(c, sigma_w, SIGMA_B) for c in theory[-1]])
    # finite-width fluctuations ~ 1/sqrt(n) = 0.03, averaged over 8 pairs
    assert np.abs(sim - np.array(theory)).max() < 0.03


def test_simulated_depth_scale_in_the_ordered_phase():
    dev = 1 - simulate_correlations([0.8], 30, 256, 1.0, SIGMA_B, rng=2)[:, 0]
    # xi_c = 3.63 at sigma_w^2 = 1, sigma_b^2 = 0.05; one net, 10 % spread
    assert fit_depth_scale(dev) == pytest.approx(depth_scale(1.0, SIGMA_B),
                                                 rel=0.15)


def test_fit_depth_scale_recovers_a_noisy_exponential():
    layers = np.arange(30)
    noise = 0.01 * np.random.default_rng(3).standard_normal(30)
    # 0.6 exp(-l / 7) plus noise: xi back within 10 %
    assert fit_depth_scale(0.6 * np.exp(-layers / 7) + noise) == \
        pytest.approx(7, rel=0.1)


@pytest.mark.parametrize("sigma_w, depth", [(1.0, 20), (2.0, 20)])
def test_gradient_norms_grow_by_chi_1_per_layer(sigma_w, depth):
    g = gradient_norms(depth, 400, sigma_w, SIGMA_B, n_inputs=16, rng=4)
    per_layer = g[0] ** (1 / depth)
    # |delta^0|^2 / |delta^L|^2 ~ chi_1^L (0.76 ordered, 1.19 chaotic)
    assert per_layer == pytest.approx(chi_1(sigma_w, SIGMA_B), rel=0.05)


@pytest.mark.parametrize("sigma_w, factor", [(1.0, 0.5), (np.sqrt(2), 1.0)])
def test_relu_gradients_halve_under_xavier_and_survive_under_he(sigma_w,
                                                                 factor):
    g = gradient_norms(20, 400, sigma_w, 0.0, phi="relu", n_inputs=16, rng=5)
    # ReLU: |delta^0|^2 / |delta^20|^2 ~ (sigma_w^2 / 2)^20, per layer
    # 1/2 with Xavier (sigma_w^2 = 1) and 1 with He (sigma_w^2 = 2)
    assert g[0] ** (1 / 20) == pytest.approx(factor, rel=0.05)


def test_inputs_are_not_modified():
    c0 = np.array([0.1, 0.4])
    kept = c0.copy()
    simulate_correlations(c0, 2, 16, 1.0, 0.1, rng=0)
    # the caller's array is untouched
    assert np.array_equal(c0, kept)


@pytest.mark.parametrize("call, match", [
    (lambda: chi_1(1.0, 0.0, phi="sigmoid"), "phi must be one of"),
    (lambda: correlation_map(1.5, 1.0, 0.1), "c must be <= 1.0"),
    (lambda: length_map(-1.0, 1.0, 0.1), "q must be >= 0"),
    (lambda: fixed_point_q(-1.0, 0.0), "sigma_w must be >= 0"),
    (lambda: correlation_map(0.5, 0.5, 0.0), "needs a finite q\\* > 0"),
    (lambda: simulate_correlations([1.5], 2, 8, 1.0, 0.1), "c0 must be"),
    (lambda: simulate_correlations([0.5], 2, 0, 1.0, 0.1), "width must be"),
    (lambda: fit_depth_scale([1.0, 0.5]), "deviation must have >= 3"),
    (lambda: critical_sigma_w(3.0), "sigma_b=3.0 is too large"),
])
def test_bad_inputs_raise_naming_the_argument(call, match):
    # the message names the argument and what was expected
    with pytest.raises(ValueError, match=match):
        call()


def test_wrong_types_raise_type_error():
    # the integrand must be callable; n_points an int
    with pytest.raises(TypeError, match="f must be callable"):
        gaussian_expectation(2.0)
    with pytest.raises(TypeError, match="n_points must be an int"):
        gaussian_expectation(np.tanh, n_points=10.0)
