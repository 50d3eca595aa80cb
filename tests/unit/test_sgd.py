"""Unit tests for physdl_docs.sgd (lesson 3.2).

Independent references: ``torch.autograd`` in float64 for gradients and
Hessians, exact enumeration of every minibatch (with and without
replacement) for the gradient variance, hand-written reference loops with
the same random numbers for SGD, and the closed form of gradient descent on
a quadratic.
"""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest
import torch

from physdl_docs.sgd import (
    batch_gradient_variance,
    batch_gradient_variance_theory,
    imbalance,
    mse,
    per_sample_gradients,
    predicted_imbalance,
    regression_data,
    scalar_net_sgd,
    scalar_net_sharpness,
    sgd,
)

F64 = torch.float64  # every tensor below is float64 explicitly


def test_regression_data_spreads_the_hessian_spectrum():
    X, y = regression_data(n_samples=4000, dim=6, kappa=50.0, rng=0)
    lam = np.linalg.eigvalsh(X.T @ X / len(y))
    # eigenvalues close to the column scales^2 from 1 to kappa (law of large numbers)
    assert lam[0] == pytest.approx(1.0, rel=0.1) and lam[-1] == pytest.approx(50.0, rel=0.1)
    # a seed reproduces the data exactly
    np.testing.assert_array_equal(regression_data(rng=3)[1], regression_data(rng=3)[1])


def test_mse_and_per_sample_gradients_against_autograd():
    X, y = regression_data(n_samples=30, dim=4, rng=1)
    theta = np.random.default_rng(2).normal(size=4)
    t = torch.tensor(theta, dtype=F64, requires_grad=True)
    f = 0.5 * torch.mean((torch.tensor(X) @ t - torch.tensor(y)) ** 2)
    (g,) = torch.autograd.grad(f, t)
    G = per_sample_gradients(theta, X, y)
    # value and shape; the mean of the per-example gradients is the gradient
    assert mse(theta, X, y) == pytest.approx(f.item(), rel=1e-13)
    assert G.shape == (30, 4)
    np.testing.assert_allclose(G.mean(axis=0), g.numpy(), rtol=1e-12)
    # each row is the gradient of that example's own loss
    ti = torch.tensor(theta, dtype=F64, requires_grad=True)
    (gi,) = torch.autograd.grad(0.5 * (torch.tensor(X[7], dtype=F64) @ ti - y[7]) ** 2, ti)
    np.testing.assert_allclose(G[7], gi.numpy(), rtol=1e-12)


def _enumerated_variance(G, B, replace):
    g = G.mean(axis=0)
    N = len(G)
    batches = (itertools.product(range(N), repeat=B) if replace
               else itertools.combinations(range(N), B))
    return np.mean([np.sum((G[list(S)].mean(axis=0) - g) ** 2) for S in batches])


@pytest.mark.parametrize("B,replace", [(1, False), (2, False), (3, False), (5, False),
                                       (6, False), (1, True), (2, True), (4, True)])
def test_variance_formula_equals_exact_enumeration(B, replace):
    G = np.random.default_rng(4).normal(size=(6, 3)) + [1.0, -2.0, 0.5]
    # tr(Sigma)/B, times (N - B)/(N - 1) without replacement, over all batches
    assert batch_gradient_variance_theory(G, B, replace) == pytest.approx(
        _enumerated_variance(G, B, replace), rel=1e-12)


def test_variance_formula_edge_cases():
    G = np.random.default_rng(5).normal(size=(9, 2))
    # the whole data set has no noise without replacement
    assert batch_gradient_variance_theory(G, 9) == pytest.approx(0.0, abs=1e-15)
    assert batch_gradient_variance(G, 9, n_draws=5, rng=0) == pytest.approx(0.0, abs=1e-28)
    # with replacement B may exceed N, and the variance is tr(Sigma)/B
    tr = np.mean(np.sum((G - G.mean(0)) ** 2, axis=1))
    assert batch_gradient_variance_theory(G, 20, replace=True) == pytest.approx(tr / 20)


@pytest.mark.parametrize("replace", [False, True])
def test_monte_carlo_variance_matches_theory(replace):
    G = np.random.default_rng(6).normal(size=(50, 4))
    for B in (1, 10, 40):
        est = [batch_gradient_variance(G, B, 4000, replace, rng=s) for s in range(4)]
        th = batch_gradient_variance_theory(G, B, replace)
        # the estimate is unbiased: within 4 standard errors of the exact value
        se = np.std(est, ddof=1) / 2 + 1e-12
        assert abs(np.mean(est) - th) < 4 * se + 0.02 * th


def test_gradient_descent_is_sgd_with_the_whole_batch():
    X, y = regression_data(n_samples=40, dim=3, rng=7)
    H, b = X.T @ X / 40, X.T @ y / 40
    theta = sgd(X, y, lr=0.01, batch_size=40, n_epochs=5)
    ref = [np.zeros(3)]
    for _ in range(5):  # theta <- theta - lr (H theta - X^T y / N)
        ref.append(ref[-1] - 0.01 * (H @ ref[-1] - b))
    np.testing.assert_allclose(theta, ref, rtol=1e-12, atol=1e-15)


def test_sgd_follows_the_reference_loop():
    X, y = regression_data(n_samples=23, dim=3, rng=8)
    theta = sgd(X, y, lr=0.003, batch_size=5, n_epochs=3, theta0=[1.0, 0, 0], rng=9)
    rng, t = np.random.default_rng(9), np.array([1.0, 0, 0])
    for _ in range(3):
        order = rng.permutation(23)
        for k in range(0, 23, 5):  # last batch has 3 examples
            S = order[k:k + 5]
            t = t - 0.003 * per_sample_gradients(t, X[S], y[S]).mean(axis=0)
    # same shuffles, same batches (the last one smaller), same iterates
    np.testing.assert_allclose(theta[-1], t, rtol=1e-12)


def test_stability_limit_and_divergence_warning():
    X, y = regression_data(rng=0)
    lam_max = np.linalg.eigvalsh(X.T @ X / len(y))[-1]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # just below 2/lambda_max: converges, no warning
        sgd(X, y, lr=0.99 * 2 / lam_max, batch_size=len(y), n_epochs=300)
    # just above: diverges, with a RuntimeWarning naming the learning rate
    with pytest.warns(RuntimeWarning, match="SGD diverged"):
        sgd(X, y, lr=1.01 * 2 / lam_max, batch_size=len(y), n_epochs=300)
    # overflow fills the remaining epochs with nan and still warns
    with pytest.warns(RuntimeWarning, match="diverged"):
        th = sgd(X, y, lr=1.0, batch_size=len(y), n_epochs=400)
    assert np.isnan(th[-1]).all()


def _ref_scalar(x, y, a, b, lr, B, epochs, rng):
    N = len(x)
    for _ in range(epochs):
        order = rng.permuted(np.arange(N)[None, :], axis=1)[0] if B < N else np.arange(N)
        for k in range(0, N, B):
            S = order[k:k + B]
            rx = np.mean((a * b * x[S] - y[S]) * x[S])
            a, b = a - lr * b * rx, b - lr * a * rx
    return a, b


def test_scalar_net_sgd_matches_reference_and_gradient():
    rng = np.random.default_rng(10)
    x, y = rng.normal(size=12), rng.normal(size=12)
    a, b = scalar_net_sgd(x, y, 1.5, 0.4, 0.05, 3, 4, rng=11)
    ra, rb = _ref_scalar(x, y, 1.5, 0.4, 0.05, 3, 4, np.random.default_rng(11))
    # one run equals the reference loop with the same shuffles
    assert (a[-1, 0], b[-1, 0]) == pytest.approx((ra, rb), rel=1e-12)
    # the update direction is the autograd gradient of the batch loss
    t = torch.tensor([1.5, 0.4], dtype=F64, requires_grad=True)
    C = 0.5 * torch.mean((t[0] * t[1] * torch.tensor(x) - torch.tensor(y)) ** 2)
    (g,) = torch.autograd.grad(C, t)
    a1, b1 = scalar_net_sgd(x, y, 1.5, 0.4, 1e-3, 12, 1)
    np.testing.assert_allclose([a1[1, 0], b1[1, 0]], [1.5, 0.4] - 1e-3 * g.numpy(), rtol=1e-13)


def test_gd_does_not_move_along_the_valley_and_sgd_does():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(32)
    y = x + 0.5 * rng.standard_normal(32)
    c = x @ y / (x @ x)
    a, b = scalar_net_sgd(x, y, 2.0, c / 2, 0.01, 32, 50)
    # on the valley the full gradient is zero: GD stays exactly (to rounding)
    assert imbalance(a[-1], b[-1])[0] == pytest.approx(float(imbalance(2.0, c / 2)), abs=1e-12)
    a, b = scalar_net_sgd(x, y, 2.0, c / 2, 0.01, 1, 100, n_runs=16, rng=1)
    s = imbalance(a[-1], b[-1])
    pred = predicted_imbalance(x, y, float(imbalance(2.0, c / 2)), 0.01, 1, 100)[-1]
    drift, se = float(imbalance(2.0, c / 2)) - s.mean(), s.std(ddof=1) / 4
    # SGD drifts towards a = b by the predicted amount (within 4 standard errors)
    assert abs(drift - (float(imbalance(2.0, c / 2)) - pred)) < 4 * se and drift > 5 * se


def test_predicted_drift_is_the_modified_loss_flow():
    rng = np.random.default_rng(12)
    x = rng.standard_normal(10)
    y = 2 * x + rng.standard_normal(10)
    c = x @ y / (x @ x)
    lr, s0 = 0.02, 0.4

    def penalty(s, B):  # (lr / 4) E_S ||grad C_S||^2, enumerated over all batches
        a, b = np.sqrt(c) * np.exp(s), np.sqrt(c) * np.exp(-s)
        sq = []
        for S in itertools.combinations(range(10), B):
            S = list(S)
            r = a * b * x[S] - y[S]
            sq.append(np.mean(r * x[S] * b) ** 2 + np.mean(r * x[S] * a) ** 2)
        return lr / 4 * np.mean(sq)

    for B in (1, 3):
        s = s0
        for _ in range(-(-10 // B)):  # one epoch of steps
            h = 1e-6
            dP = (penalty(s + h, B) - penalty(s - h, B)) / (2 * h)
            tangent2 = 2 * c * np.cosh(2 * s)  # |d theta / ds|^2 on the valley
            s -= lr * dP / tangent2  # gradient flow on the penalty for time lr
        # the closed form -(lr^2 S_B / 2) tanh 2s per step is this flow
        assert predicted_imbalance(x, y, s0, lr, B, 1)[-1] == pytest.approx(s, rel=1e-8)
    # the whole batch has no penalty: nothing moves
    assert np.all(predicted_imbalance(x, y, s0, lr, 10, 3) == s0)


def test_sharpness_against_autograd_hessian():
    rng = np.random.default_rng(13)
    x, y = rng.normal(size=9), rng.normal(size=9)
    tx, ty = torch.tensor(x), torch.tensor(y)
    for a, b in [(1.0, 0.3), (-0.7, 2.0), (0.0, 0.0)]:
        H = torch.autograd.functional.hessian(
            lambda t: 0.5 * torch.mean((t[0] * t[1] * tx - ty) ** 2),
            torch.tensor([a, b], dtype=F64))
        # the largest eigenvalue of the exact Hessian
        assert scalar_net_sharpness(a, b, x, y) == pytest.approx(
            torch.linalg.eigvalsh(H)[-1].item(), rel=1e-12, abs=1e-14)


def test_imbalance():
    # s = 1/2 ln(a/b): 0 when balanced, antisymmetric under a <-> b
    assert float(imbalance(3.0, 3.0)) == 0.0
    assert float(imbalance(-4.0, -1.0)) == pytest.approx(np.log(2.0))
    assert float(imbalance(1.0, 4.0)) == pytest.approx(-np.log(2.0))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: regression_data(n_samples=1), ValueError, "n_samples must be >= 2"),
    (lambda: regression_data(kappa=0.5), ValueError, "kappa must be >= 1"),
    (lambda: mse([1.0, 2.0], [[1.0]], [1.0]), ValueError, "theta must have shape"),
    (lambda: per_sample_gradients([1.0], [[1.0]], [1.0, 2.0]), ValueError, "y must have shape"),
    (lambda: batch_gradient_variance_theory(np.ones((5, 2)), 6), ValueError, "batch_size must be <= 5"),
    (lambda: batch_gradient_variance_theory(np.ones((5, 2)), 0), ValueError, "batch_size must be >= 1"),
    (lambda: batch_gradient_variance_theory(np.ones((5, 2)), 2, replace=1), TypeError, "replace must be a bool"),
    (lambda: batch_gradient_variance(np.ones((1, 2)), 1), ValueError, "G must have at least 2 rows"),
    (lambda: batch_gradient_variance(np.ones((5, 2)), 2, n_draws=0), ValueError, "n_draws must be >= 1"),
    (lambda: sgd(np.ones((4, 2)), np.ones(4), lr=0.0, batch_size=2, n_epochs=1), ValueError, "lr must be >"),
    (lambda: sgd(np.ones((4, 2)), np.ones(4), lr=0.1, batch_size=5, n_epochs=1), ValueError, "batch_size must be <= 4"),
    (lambda: sgd(np.ones((4, 2)), np.ones(4), lr=0.1, batch_size=2, n_epochs=1.0), TypeError, "n_epochs must be an int"),
    (lambda: sgd(np.ones((4, 2)), np.ones(4), 0.1, 2, 1, theta0=[1.0]), ValueError, "theta0 must have shape"),
    (lambda: scalar_net_sgd([1.0], [1.0], 1, 1, 0.1, 1, 1), ValueError, "x must hold at least 2"),
    (lambda: scalar_net_sgd([1.0, 2.0], [1.0, 2.0], 1, 1, 0.1, 3, 1), ValueError, "batch_size must be <= 2"),
    (lambda: scalar_net_sgd([1.0, 2.0], [1.0, 2.0], 1, 1, 0.1, 1, 1, n_runs=0), ValueError, "n_runs must be >= 1"),
    (lambda: imbalance(1.0, -1.0), ValueError, "same sign"),
    (lambda: scalar_net_sharpness(1.0, np.nan, [1.0, 2.0], [1.0, 2.0]), ValueError, "b must be finite"),
    (lambda: predicted_imbalance([1.0, 2.0], [1.0, 2.0], 0.1, -0.1, 1, 1), ValueError, "lr must be >"),
])
def test_bad_inputs_name_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
