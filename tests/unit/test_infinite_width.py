"""Wide random ReLU networks: kernel, sampler, kurtosis, lazy training."""

import numpy as np
import pytest

import warnings

import torch
from scipy.linalg import sqrtm

from physdl_docs.infinite_width import (
    HE_SIGMA_W,
    _loss_and_grads,
    _psd_sqrt,
    empirical_ntk,
    excess_kurtosis,
    kurtosis_error,
    nngp_kernel,
    ntk_regression,
    random_relu_mlp,
    relu_kernel_step,
    relu_ntk,
    relu_output_kurtosis,
    sample_preactivations,
    toy_regression,
    train_lazy,
)


def _random_psd(n, rng):
    A = rng.standard_normal((n, n + 2))
    return A @ A.T / (n + 2)


@pytest.mark.parametrize("sigma_w, sigma_b", [(HE_SIGMA_W, 0.0), (1.0, 0.3),
                                              (2.0, 1.0)])
def test_kernel_diagonal_is_the_variance_recursion(sigma_w, sigma_b):
    K = _random_psd(4, np.random.default_rng(0))
    out = relu_kernel_step(K, sigma_w, sigma_b)
    # at theta = 0: K'(x, x) = sigma_b^2 + sigma_w^2 K(x, x) / 2
    assert np.allclose(np.diag(out), sigma_b**2 + sigma_w**2 * np.diag(K) / 2)


def test_one_layer_kernel_matches_monte_carlo():
    rng = np.random.default_rng(1)
    K = _random_psd(3, rng)
    sigma_w, sigma_b = 1.3, 0.4
    # u ~ N(0, K): 400k samples of the pre-activations at three inputs
    u = rng.multivariate_normal(np.zeros(3), K, size=400_000)
    h = np.maximum(u, 0.0)
    mc = sigma_b**2 + sigma_w**2 * h.T @ h / len(h)
    # standard error ~ 2e-3 here; 1e-2 is about 5 standard errors
    assert np.abs(relu_kernel_step(K, sigma_w, sigma_b) - mc).max() < 1e-2


def test_kernel_at_right_angle_is_one_over_pi():
    # orthogonal unit-variance inputs: theta = pi/2 gives sigma_w^2 / (2 pi)
    out = relu_kernel_step(np.eye(2), HE_SIGMA_W, 0.0)
    assert out[0, 1] == pytest.approx(1 / np.pi)


def test_nngp_kernel_is_symmetric_psd():
    X = np.random.default_rng(2).standard_normal((6, 3))
    K = nngp_kernel(X, depth=4, sigma_w=1.5, sigma_b=0.2)
    # symmetric, with no negative eigenvalue beyond rounding
    assert np.allclose(K, K.T)
    assert np.linalg.eigvalsh(K).min() > -1e-10


def test_nngp_kernel_matches_wide_random_nets():
    theta = np.linspace(0, np.pi, 5)
    X = np.stack([np.cos(theta), np.sin(theta)], 1)
    K = nngp_kernel(X, depth=2)
    z = sample_preactivations(X, 2, 512, n_out=512, n_nets=200, rng=3)[-1]
    cov = np.einsum("kim,kjm->ij", z, z) / (200 * 512)
    # correlations: within 1e-2 (net-to-net scale noise cancels in the ratio)
    d, dk = np.sqrt(np.diag(cov)), np.sqrt(np.diag(K))
    assert np.abs(cov / np.outer(d, d) - K / np.outer(dk, dk)).max() < 1e-2
    # covariances: within 5 % of the variance
    assert np.abs(cov - K).max() < 0.05 * K[0, 0]


def test_he_init_preserves_variance_in_explicit_networks():
    X = np.random.default_rng(4).standard_normal((4, 10))
    zs = random_relu_mlp(X, depth=5, width=128, n_out=128, n_nets=50, rng=5)
    q1 = np.mean(X**2) * 2  # K^1(x, x) averaged: sigma_w^2 |x|^2 / d_in
    for z in zs:
        # each layer's mean z^2 stays at q1 (net-to-net noise ~ 6 %)
        assert np.mean(z**2) == pytest.approx(q1, rel=0.15)


def test_xavier_halves_the_variance_per_relu_layer():
    X = np.random.default_rng(6).standard_normal((4, 10))
    he = random_relu_mlp(X, 4, 64, sigma_w=HE_SIGMA_W, n_nets=3, rng=7)
    xavier = random_relu_mlp(X, 4, 64, sigma_w=1.0, n_nets=3, rng=7)
    for layer, (a, b) in enumerate(zip(he, xavier)):
        # same draws scaled by 1/sqrt(2) per layer: relu is positively
        # homogeneous, so variances differ by exactly 2^-(layer + 1)
        assert np.allclose(b**2, a**2 / 2 ** (layer + 1))


def test_sampler_and_explicit_networks_have_the_same_statistics():
    X = [[1.0, 0.5]]
    exact = relu_output_kurtosis(3, 16)
    fast = sample_preactivations(X, 3, 16, n_out=8, n_nets=6000, rng=8)[-1]
    slow = random_relu_mlp(X, 3, 16, n_out=8, n_nets=3000, rng=9)[-1]
    for z in (fast, slow):
        # variance K = 1.25 exactly in expectation (He, sigma_b = 0)
        assert np.mean(z**2) == pytest.approx(1.25, rel=0.05)
        # kurtosis 3.78 in theory; Monte-Carlo spread ~ 10 %
        assert excess_kurtosis(z) == pytest.approx(exact, rel=0.25)


def test_relu_kurtosis_formula_matches_simulation_and_first_order():
    z = sample_preactivations([[1.0]], 4, 32, n_out=8, n_nets=8000,
                              rng=10)[-1]
    # 3((1 + 5/32)^4 - 1) = 2.36 within Monte-Carlo error
    assert excess_kurtosis(z) == pytest.approx(relu_output_kurtosis(4, 32),
                                               rel=0.2)
    # small L/n: 3((1 + 5/n)^L - 1) ~ 15 L / n
    assert relu_output_kurtosis(2, 2000) == pytest.approx(15 * 2 / 2000,
                                                          rel=0.01)


def test_wide_network_output_is_gaussian():
    z = sample_preactivations([[1.0, 0.0]], 2, 2048, n_out=64, n_nets=500,
                              rng=11)[-1]
    # excess kurtosis 15 L / n = 0.015 in theory; sampling spread ~ 0.03
    assert abs(excess_kurtosis(z)) < 0.1


def test_excess_kurtosis_of_gaussian_and_uniform():
    rng = np.random.default_rng(12)
    # Gaussian: 0 (standard error sqrt(24 / N) ~ 0.011)
    assert abs(excess_kurtosis(rng.standard_normal(200_000))) < 0.05
    # uniform on [-1, 1]: 9/5 - 3 = -1.2
    assert excess_kurtosis(rng.uniform(-1, 1, 200_000)) == pytest.approx(
        -1.2, abs=0.02)


def test_backprop_matches_finite_differences():
    rng = np.random.default_rng(13)
    # d = 3 inputs, so that the sqrt(2 / d) factor matters
    X, y = rng.standard_normal((5, 3)), rng.standard_normal(5)
    W, a = rng.standard_normal((3, 7)), rng.standard_normal(7)
    _, grad_W, grad_a, _ = _loss_and_grads(W, a, X, y)
    eps = 1e-6
    for idx in [(0, 0), (1, 3), (2, 6)]:
        Wp, Wm = W.copy(), W.copy()
        Wp[idx] += eps
        Wm[idx] -= eps
        fd = (_loss_and_grads(Wp, a, X, y)[0]
              - _loss_and_grads(Wm, a, X, y)[0]) / (2 * eps)
        # dL/dW by central differences
        assert grad_W[idx] == pytest.approx(fd, rel=1e-6, abs=1e-9)
    ap = a.copy()
    ap[2] += eps
    am = a.copy()
    am[2] -= eps
    fd = (_loss_and_grads(W, ap, X, y)[0]
          - _loss_and_grads(W, am, X, y)[0]) / (2 * eps)
    # dL/da by central differences
    assert grad_a[2] == pytest.approx(fd, rel=1e-6, abs=1e-9)


def test_lazy_training_weight_change_scales_as_inverse_sqrt_width():
    widths = [100, 400, 1600, 6400]
    runs = [train_lazy(n, rng=0) for n in widths]
    slope = np.polyfit(np.log(widths), np.log([r.weight_change for r in runs]),
                       1)[0]
    # ||theta_T - theta_0|| / ||theta_0|| ~ n^(-1/2)
    assert -0.6 < slope < -0.4
    # every width fits the data (initial loss is ~0.5)
    assert max(r.loss for r in runs) < 0.05
    # zero steps: nothing moves
    assert train_lazy(50, n_steps=0, rng=0).weight_change == 0.0


def test_psd_square_root_is_the_unique_symmetric_one():
    rng = np.random.default_rng(20)
    # a rank-2 matrix with a repeated eigenvalue: eigh's basis is arbitrary
    V = np.linalg.qr(rng.standard_normal((4, 4)))[0]
    G = V @ np.diag([0.0, 2.0, 2.0, 5.0]) @ V.T
    A = _psd_sqrt(G[None])[0]
    # A A^T = G, A = A^T, and A is scipy's principal square root
    assert np.allclose(A @ A.T, G, atol=1e-12) and np.allclose(A, A.T)
    assert np.allclose(A, sqrtm(G).real, atol=1e-6)


def test_kurtosis_error_of_gaussian_samples():
    z = np.random.default_rng(21).standard_normal((400, 50))
    # iid Gaussian: se of the excess kurtosis is sqrt(24 / N), N = 20,000
    assert kurtosis_error(z) == pytest.approx(np.sqrt(24 / z.size), rel=0.3)


def test_kurtosis_error_sees_correlated_rows():
    rng = np.random.default_rng(22)
    # 8 outputs share one random variance per network: groups must be rows
    z = rng.standard_normal((2000, 8)) * rng.gamma(4, 0.25, (2000, 1))
    per_row = kurtosis_error(z)
    shuffled = kurtosis_error(rng.permutation(z.ravel()).reshape(2000, 8))
    # the correlated estimate is larger than if entries were independent
    assert per_row > 1.2 * shuffled


def torch_ntk(W, a, X):
    """J J^T with each row of J from torch.autograd.grad (float64)."""
    Wt = torch.tensor(W, requires_grad=True)
    at = torch.tensor(a, requires_grad=True)
    z = np.sqrt(2.0 / X.shape[1]) * torch.tensor(X) @ Wt
    f = torch.relu(z) @ at / np.sqrt(a.size)
    J = torch.stack([torch.cat([g.reshape(-1) for g in torch.autograd.grad(
        f[i], (Wt, at), retain_graph=True)]) for i in range(len(X))])
    return (J @ J.T).detach().numpy()


def test_empirical_ntk_equals_autograd():
    X, _ = toy_regression(6)
    rng = np.random.default_rng(23)
    W, a = rng.standard_normal((2, 9)), rng.standard_normal(9)
    ours = empirical_ntk(X, 9, rng=np.random.default_rng(23))
    # the hand-written Jacobian is autograd's (same draws of W, a)
    assert np.allclose(ours, torch_ntk(W, a, X), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("d", [1, 3, 5])
def test_empirical_ntk_equals_autograd_in_any_input_dimension(d):
    # with d = 2 the scale sqrt(2/d) is 1, so only d != 2 tests it
    X = np.random.default_rng(d).standard_normal((4, d))
    rng = np.random.default_rng(30)
    W, a = rng.standard_normal((d, 7)), rng.standard_normal(7)
    ours = empirical_ntk(X, 7, rng=np.random.default_rng(30))
    # the hand-written Jacobian is autograd's (same draws of W, a)
    assert np.allclose(ours, torch_ntk(W, a, X), rtol=1e-12, atol=1e-12)
    # and the closed form is its wide limit (standard error ~ 0.4 %)
    wide = empirical_ntk(X, 200_000, rng=1)
    assert np.allclose(wide, relu_ntk(X), rtol=0.03, atol=0.03)


def test_empirical_ntk_converges_to_the_closed_form():
    X, _ = toy_regression()
    T = relu_ntk(X)
    errs = [np.abs(empirical_ntk(X, n, rng=0) - T).max() / T.max()
            for n in (1024, 65536)]
    # fluctuations ~ n^(-1/2): 64 x wider, about 8 x closer
    assert errs[1] < 0.01 and errs[0] / errs[1] > 4


def test_relu_ntk_closed_form_by_monte_carlo():
    X = np.array([[0.3, 1.0], [-0.8, 1.0]])
    w = np.random.default_rng(24).standard_normal((2, 1_000_000))
    z = np.sqrt(2 / 2) * X @ w  # u = sqrt(2/d) w.x: [2, samples]
    K = 2 * X @ X.T / 2
    mc = (np.maximum(z, 0) @ np.maximum(z, 0).T
          + K * ((z > 0) * 1.0 @ (z > 0).T)) / w.shape[1]
    # E[relu relu] + K E[relu' relu'], standard error ~ 2e-3
    assert np.allclose(relu_ntk(X), mc, atol=1e-2)


def test_ntk_regression_is_the_linear_dynamics():
    X, y = toy_regression()
    Xt = np.stack([np.linspace(-1, 1, 7), np.ones(7)], 1)
    Theta, Theta_t = relu_ntk(X), relu_ntk(Xt, X)
    f, f_t = np.zeros(12), np.zeros(7)
    for _ in range(50):
        # f <- f - lr / N Theta (f - y), at the training and test inputs
        r = f - y
        f, f_t = f - 0.7 / 12 * Theta @ r, f_t - 0.7 / 12 * Theta_t @ r
    assert np.allclose(ntk_regression(X, y, Xt, n_steps=50, lr=0.7), f_t)
    # converged: kernel regression interpolates the training data
    assert np.allclose(ntk_regression(X, y, X), y, atol=1e-10)


def test_trained_networks_approach_the_ntk_prediction():
    X, y = toy_regression()
    Xt = np.stack([np.linspace(-1, 1, 21), np.ones(21)], 1)
    kernel = ntk_regression(X, y, Xt, n_steps=300)
    gap = {n: np.mean([np.abs(train_lazy(n, rng=s, center=True, X_test=Xt)
                              .prediction - kernel).max() for s in range(3)])
           for n in (128, 4096)}
    # 32 x wider: the trained network is several times closer to the kernel
    assert gap[4096] < 0.12 and gap[128] / gap[4096] > 2


def test_centering_starts_the_network_at_zero():
    Xt = np.stack([np.linspace(-1, 1, 5), np.ones(5)], 1)
    run = train_lazy(64, n_steps=0, rng=1, center=True, X_test=Xt)
    # f - f_0 is exactly zero before training
    assert np.array_equal(run.prediction, np.zeros(5))


@pytest.mark.parametrize("lr", [2.5, 50.0])
def test_too_large_a_learning_rate_warns(lr):
    # lambda_max(Theta) = 11.65, so GD is stable only for lr < 2 N / 11.65
    with pytest.warns(RuntimeWarning, match="too large for lazy training"):
        train_lazy(4096, lr=lr, rng=0)


def test_a_stable_learning_rate_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        # below 2 N / lambda_max: no warning
        train_lazy(4096, lr=1.9, rng=0)


def test_inputs_are_not_modified():
    X = np.random.default_rng(14).standard_normal((3, 2))
    K = _random_psd(3, np.random.default_rng(15))
    X0, K0 = X.copy(), K.copy()
    random_relu_mlp(X, 2, 4, rng=0)
    sample_preactivations(X, 2, 4, rng=0)
    nngp_kernel(X, 2)
    relu_kernel_step(K)
    relu_ntk(X)
    # the caller's arrays are untouched
    assert np.array_equal(X, X0) and np.array_equal(K, K0)


def test_same_seed_same_networks():
    a = random_relu_mlp([[1.0, 2.0]], 2, 8, rng=3)[-1]
    b = random_relu_mlp([[1.0, 2.0]], 2, 8, rng=3)[-1]
    # a seed fixes every weight
    assert np.array_equal(a, b)


@pytest.mark.parametrize("call, match", [
    (lambda: random_relu_mlp([1.0, 2.0], 2, 4), "X must be a 2-D array"),
    (lambda: random_relu_mlp([[1.0]], 2, 0), "width must be >= 1"),
    (lambda: random_relu_mlp([[1.0]], -1, 4), "depth must be >= 0"),
    (lambda: random_relu_mlp(np.zeros((0, 2)), 1, 4), "X must not be empty"),
    (lambda: sample_preactivations([[1.0]], 2, 4, sigma_w=-1.0),
     "sigma_w must be >= 0"),
    (lambda: nngp_kernel([[np.nan]], 1), "X must contain only finite"),
    (lambda: relu_kernel_step(np.ones((2, 3))), "K must be a symmetric square"),
    (lambda: relu_kernel_step([[-1.0]]), "K must have a non-negative diagonal"),
    (lambda: relu_kernel_step([[1.0, 1.5], [1.5, 1.0]]),
     "K must be positive semi-definite"),
    (lambda: excess_kurtosis([0.0, 0.0]), "z must hold at least 2 samples"),
    (lambda: kurtosis_error(np.ones((3, 4)), n_groups=5), "n_groups must be <= 3"),
    (lambda: relu_output_kurtosis(2, 0), "width must be >= 1"),
    (lambda: train_lazy(10, lr=0.0), "lr must be > 0"),
    (lambda: train_lazy(10, X_test=np.ones((3, 3))), "X_test must have shape"),
    (lambda: relu_ntk(np.ones((2, 2)), np.ones((2, 3))), "X2 must have 2 columns"),
    (lambda: ntk_regression(np.ones((3, 2)), np.ones(2), np.ones((1, 2))),
     "y must have shape"),
    (lambda: ntk_regression(np.ones((3, 2)), np.ones(3), np.ones((1, 2)),
                            n_steps=-1), "n_steps must be >= 0"),
])
def test_bad_inputs_raise_naming_the_argument(call, match):
    # the message names the argument and what was expected
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("call, match", [
    (lambda: nngp_kernel([[1.0]], 2.0), "depth must be an int"),
    (lambda: random_relu_mlp([[1.0]], 1, 2, rng="seed"), "rng must be None"),
    (lambda: relu_kernel_step([[1.0 + 1j]]), "K must be real"),
    (lambda: train_lazy(10, center=1), "center must be a bool"),
    (lambda: train_lazy(10.0), "width must be an int"),
    (lambda: sample_preactivations([[1.0]], 1, 2, n_nets=True),
     "n_nets must be an int"),
])
def test_wrong_types_raise_type_error(call, match):
    # complex numbers, floats for ints, bools and strings are refused
    with pytest.raises(TypeError, match=match):
        call()
