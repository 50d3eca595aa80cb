"""Unit tests for physdl_docs.momentum (lesson 3.3).

Independent references: the spectral radius of each eigen-direction's 2x2
iteration matrix computed with ``np.linalg.eigvals``, ``torch.optim.SGD``
with momentum, and the exact GOE probabilities for d = 1 and d = 2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from physdl_docs.momentum import (
    fraction_positive_definite,
    gd_rate,
    heavy_ball,
    heavy_ball_rate,
    ill_conditioned_quadratic,
    iterations_to,
    measured_rate,
    nesterov_rate,
    optimal_gd_step,
    optimal_heavy_ball,
    quadratic,
)


def spectral_radius(lam: np.ndarray, lr: float, beta: float,
                    nesterov: bool = False) -> float:
    """Largest |eigenvalue| of the per-direction map (x_k, x_{k-1}) -> next."""
    rho = 0.0
    for l in lam:
        if nesterov:  # x+ = (1 + b)(1 - lr l) x - b (1 - lr l) x_prev
            a, c = (1 + beta) * (1 - lr * l), -beta * (1 - lr * l)
        else:  # x+ = (1 + b - lr l) x - b x_prev
            a, c = 1 + beta - lr * l, -beta
        M = np.array([[a, c], [1.0, 0.0]])
        rho = max(rho, np.abs(np.linalg.eigvals(M)).max())
    return rho


def test_quadratic_and_matrix():
    A = ill_conditioned_quadratic(100.0, dim=5)
    lam = np.diag(A)
    # eigenvalues from 1 to kappa, condition number kappa
    assert lam[0] == pytest.approx(1.0) and lam[-1] == pytest.approx(100.0)
    assert np.all(np.diff(lam) > 0) and np.count_nonzero(A - np.diag(lam)) == 0
    x = np.random.default_rng(0).standard_normal((3, 4, 5))
    # f = 1/2 x^T A x on a stack of points, against an explicit loop
    ref = np.array([[0.5 * v @ A @ v for v in row] for row in x])
    np.testing.assert_allclose(quadratic(A, x), ref, rtol=1e-13)


@pytest.mark.parametrize("kappa", [4.0, 100.0, 1e4])
def test_rates_equal_spectral_radius_of_iteration_matrix(kappa):
    lam = np.linspace(1.0, kappa, 41)
    # GD at the optimal step: max |1 - lr lambda| = (kappa - 1)/(kappa + 1)
    lr = optimal_gd_step(1.0, kappa)
    assert spectral_radius(lam, lr, 0.0) == pytest.approx(gd_rate(kappa), rel=1e-9)
    # heavy ball at Polyak's parameters: radius sqrt(beta) for every lambda
    lr_hb, beta = optimal_heavy_ball(1.0, kappa)
    assert spectral_radius(lam, lr_hb, beta) == pytest.approx(
        heavy_ball_rate(kappa), rel=1e-6)
    assert math.sqrt(beta) == pytest.approx(heavy_ball_rate(kappa), rel=1e-12)
    # Nesterov with lr = 1/L, beta = r_HB: radius 1 - 1/sqrt(kappa)
    assert spectral_radius(lam, 1 / kappa, heavy_ball_rate(kappa), True) == (
        pytest.approx(nesterov_rate(kappa), rel=1e-6))


def test_published_numbers_at_kappa_100():
    # (kappa-1)/(kappa+1) = 0.980 and (sqrt kappa - 1)/(sqrt kappa + 1) = 0.818
    assert round(gd_rate(100), 3) == 0.980
    assert round(heavy_ball_rate(100), 3) == 0.818


def test_measured_rates_match_theory_and_heavy_ball_is_faster():
    A = ill_conditioned_quadratic(100.0)
    x0 = np.array([1.0, 0.1])
    lr_hb, beta = optimal_heavy_ball(1.0, 100.0)
    e_gd = np.linalg.norm(heavy_ball(A, x0, optimal_gd_step(1, 100), 0.0, 600),
                          axis=1)
    e_hb = np.linalg.norm(heavy_ball(A, x0, lr_hb, beta, 600), axis=1)
    # GD shrinks both ends by exactly r every step
    assert measured_rate(e_gd) == pytest.approx(gd_rate(100), abs=1e-9)
    # heavy ball: r (1 + O(1/k)) from the double root at critical damping
    assert heavy_ball_rate(100) < measured_rate(e_hb) < heavy_ball_rate(100) + 0.004
    # steps to 1e-5: ceil(ln 1e-5 / ln r) for GD; heavy ball ~ 8x fewer
    assert iterations_to(e_gd) == math.ceil(math.log(1e-5) / math.log(gd_rate(100)))
    assert 60 < iterations_to(e_hb) < 80


@pytest.mark.parametrize("lr", [0.001, 0.01, 0.0199])
def test_gd_decreases_f_monotonically_for_stable_steps(lr):
    A = ill_conditioned_quadratic(100.0, dim=4)
    x0 = np.random.default_rng(1).standard_normal(4)
    f = quadratic(A, heavy_ball(A, x0, lr, 0.0, 200))
    # lr < 2/L: every step lowers f
    assert np.all(np.diff(f) < 0)


def test_gd_diverges_above_two_over_L():
    A = ill_conditioned_quadratic(100.0)
    xs = heavy_ball(A, [1.0, 0.1], 0.021, 0.0, 100)
    # |1 - lr L| = 1.1 > 1: the steep component grows like 1.1^k
    assert abs(xs[-1, 1]) == pytest.approx(0.1 * 1.1**100, rel=1e-9)


def test_heavy_ball_equals_torch_sgd_with_momentum():
    A = ill_conditioned_quadratic(30.0, dim=3)
    x0 = np.array([1.0, -0.5, 0.2])
    lr, beta = 0.02, 0.8
    p = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=beta)
    At = torch.from_numpy(A)
    ref = [x0]
    for _ in range(50):
        opt.zero_grad()
        (0.5 * p @ At @ p).backward()
        opt.step()
        ref.append(p.detach().numpy().copy())
    # torch's buffer b = beta b + g, x -= lr b is Polyak's update
    np.testing.assert_allclose(heavy_ball(A, x0, lr, beta, 50), ref, atol=1e-12)


def test_nesterov_look_ahead_equals_torch_sgd_nesterov():
    A = ill_conditioned_quadratic(30.0, dim=3)
    x0 = np.array([1.0, -0.5, 0.2])
    lr, beta = 0.02, 0.8
    p = torch.tensor(x0, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr, momentum=beta, nesterov=True)
    At = torch.from_numpy(A)
    ref = [x0]
    for _ in range(50):
        opt.zero_grad()
        (0.5 * p @ At @ p).backward()
        opt.step()
        ref.append(p.detach().numpy().copy())
    xs = heavy_ball(A, x0, lr, beta, 51, nesterov=True)
    # torch stores the look-ahead point y_k = x_k + beta (x_k - x_{k-1})
    y = xs[1:] + beta * (xs[1:] - xs[:-1])
    np.testing.assert_allclose(np.vstack([x0, y[:-1]]), ref, atol=1e-12)
    # and the look-ahead matters: without it the path is the heavy ball's
    assert np.abs(xs - heavy_ball(A, x0, lr, beta, 51)).max() > 1e-3


def test_divergence_warns():
    A = ill_conditioned_quadratic(100.0)
    # lr = 1 > 2 / L: the steep direction grows by 99 per step and overflows
    with pytest.warns(RuntimeWarning, match="lr=1.0 is too large"):
        xs = heavy_ball(A, [1.0, 0.1], lr=1.0, n_steps=400)
    assert not np.isfinite(xs[-1]).all()


def test_input_not_modified():
    A = ill_conditioned_quadratic(10.0)
    x0 = np.array([1.0, 1.0])
    heavy_ball(A, x0, 0.1, 0.5, 10, nesterov=True)
    # the start is copied
    np.testing.assert_array_equal(x0, [1.0, 1.0])


def test_fraction_positive_definite_matches_exact_values():
    # d = 1: a coin flip; d = 2: 1/2 - 1/(2 sqrt 2) exactly (GOE)
    assert fraction_positive_definite(1, 40_000, rng=0) == pytest.approx(0.5, abs=0.01)
    p2 = 0.5 - 0.5 / math.sqrt(2)
    assert fraction_positive_definite(2, 40_000, rng=1) == pytest.approx(p2, abs=0.006)
    # it falls fast with dimension
    f = [fraction_positive_definite(d, 20_000, rng=2) for d in (2, 3, 4)]
    assert f[0] > 4 * f[1] > 16 * f[2] > 0
    # same seed, same answer
    assert fraction_positive_definite(3, 1000, rng=5) == fraction_positive_definite(
        3, 1000, rng=np.random.default_rng(5))


def test_helpers():
    e = 0.9 ** np.arange(50)
    # an exact geometric sequence has rate 0.9; 0.9^22 < 0.1 <= 0.9^21
    assert measured_rate(e) == pytest.approx(0.9, rel=1e-12)
    assert iterations_to(e, 0.1) == 22
    # never reached: -1
    assert iterations_to(e, 1e-9) == -1


def test_bad_inputs_raise_naming_the_argument():
    A = ill_conditioned_quadratic(10.0)
    with pytest.raises(ValueError, match="beta must be < 1"):
        heavy_ball(A, [1.0, 1.0], 0.1, beta=1.0)
    with pytest.raises(ValueError, match="lr must be > 0"):
        heavy_ball(A, [1.0, 1.0], 0.0)
    with pytest.raises(ValueError, match="x0 must have shape"):
        heavy_ball(A, [1.0, 1.0, 1.0], 0.1)
    with pytest.raises(ValueError, match="A must be a symmetric"):
        heavy_ball([[1.0, 2.0], [0.0, 1.0]], [1.0, 1.0], 0.1)
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        gd_rate(0.5)
    with pytest.raises(ValueError, match="L must be >="):
        optimal_heavy_ball(2.0, 1.0)
    with pytest.raises(ValueError, match="mu must be >"):
        optimal_gd_step(0.0, 1.0)
    with pytest.raises(ValueError, match="x must have last axis 2"):
        quadratic(A, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="errors must hold"):
        measured_rate([1.0, 0.5])
    with pytest.raises(TypeError, match="dim must be an int"):
        fraction_positive_definite(2.5)
    with pytest.raises(ValueError, match="A must be a square matrix"):
        quadratic(np.ones((2, 3)), [1.0, 2.0])
    with pytest.raises(TypeError, match="nesterov must be a bool"):
        heavy_ball(A, [1.0, 1.0], 0.1, nesterov="yes")
    with pytest.raises(TypeError, match="x0 must be real"):
        heavy_ball(A, [1.0, 1j], 0.1)
    with pytest.raises(TypeError, match="n_steps must be an int"):
        heavy_ball(A, [1.0, 1.0], 0.1, n_steps=10.0)
