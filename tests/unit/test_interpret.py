"""Tests for physdl_docs.interpret: occlusion, saliency, IG, LIME, sanity check."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from scipy.stats import spearmanr

from physdl_docs.interpret import (
    integrated_gradients,
    lime,
    occlusion,
    randomized_copy,
    rank_correlation,
    saliency,
)


def _linear(w: np.ndarray, bias: float = 0.5) -> torch.nn.Module:
    """score_0(x) = w . x + bias on inputs of w's shape (float64)."""
    flat = torch.nn.Linear(w.size, 2, dtype=torch.float64)
    with torch.no_grad():
        flat.weight.zero_()
        flat.weight[0] = torch.as_tensor(w.ravel())
        flat.bias.fill_(bias)
    return torch.nn.Sequential(torch.nn.Flatten(), flat)


def _smooth_net(seed: int = 0, d: int = 6) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(d, 16), torch.nn.Tanh(),
                               torch.nn.Linear(16, 3)).double()


class _Quadratic(torch.nn.Module):
    """score_k(x) = x^T A_k x: its gradient is linear along any line."""

    def __init__(self, d: int) -> None:
        super().__init__()
        g = torch.Generator().manual_seed(0)
        self.A = torch.nn.Parameter(torch.randn(2, d, d, generator=g, dtype=torch.float64))

    def forward(self, X):
        return torch.einsum("ni,kij,nj->nk", X, self.A, X)


# ------------------------------------------------------------------ occlusion
def test_occlusion_of_a_linear_model_is_w_dot_x_over_the_window():
    rng = np.random.default_rng(0)
    w, x = rng.normal(size=(1, 6, 6)), rng.normal(size=(1, 6, 6))
    got = occlusion(_linear(w), x, 0, patch=(1, 3, 2))
    # tiling windows: each element gets sum_{window} w_i x_i of its window
    want = np.zeros_like(x)
    for i, j in itertools.product(range(0, 6, 3), range(0, 6, 2)):
        want[0, i:i + 3, j:j + 2] = (w * x)[0, i:i + 3, j:j + 2].sum()
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_overlapping_windows_are_averaged_and_cover_the_edges():
    rng = np.random.default_rng(1)
    w, x = rng.normal(size=7), rng.normal(size=7)
    b = rng.normal(size=7)
    got = occlusion(_linear(w), x, 0, patch=3, stride=2, baseline=b)
    # windows start at 0, 2, 4 (and 4 is flush with the end of 7)
    drops = {s: (w * (x - b))[s:s + 3].sum() for s in (0, 2, 4)}
    want = [np.mean([d for s, d in drops.items() if s <= i < s + 3]) for i in range(7)]
    np.testing.assert_allclose(got, want, atol=1e-12)
    # stride 2 on length 6 with patch 3: starts 0, 2 and the flush window 3
    got6 = occlusion(_linear(w[:6]), x[:6], 0, patch=3, stride=2)
    d = {s: (w[:6] * x[:6])[s:s + 3].sum() for s in (0, 2, 3)}
    want6 = [np.mean([v for s, v in d.items() if s <= i < s + 3]) for i in range(6)]
    np.testing.assert_allclose(got6, want6, atol=1e-12)


def test_occlusion_patch_one_is_the_single_feature_drop_and_takes_tensors():
    net = _smooth_net()
    x = torch.randn(6, dtype=torch.float64, generator=torch.Generator().manual_seed(2))
    got = occlusion(net, x, 2, patch=1)
    with torch.no_grad():
        f = net(x[None])[0, 2]
        want = [(f - net(torch.where(torch.arange(6) == i, 0.0, x)[None])[0, 2]).item()
                for i in range(6)]
    # a numpy array of x's shape, one drop per feature
    assert isinstance(got, np.ndarray) and got.shape == (6,)
    np.testing.assert_allclose(got, want, atol=1e-12)


# ------------------------------------------------------------------ saliency
def test_saliency_is_the_absolute_autograd_gradient():
    net = _smooth_net(3)
    x = np.random.default_rng(3).normal(size=6)
    J = torch.autograd.functional.jacobian(lambda v: net(v[None])[0], torch.tensor(x))
    # |d score_1 / d x| from the full Jacobian
    np.testing.assert_allclose(saliency(net, x, 1), J[1].abs().numpy(), atol=1e-12)
    # and from central finite differences
    h, fd = 1e-6, []
    for i in range(6):
        e = np.eye(6)[i] * h
        with torch.no_grad():
            up, down = net(torch.tensor(x + e)[None]), net(torch.tensor(x - e)[None])
        fd.append(abs((up - down)[0, 1].item()) / (2 * h))
    np.testing.assert_allclose(saliency(net, x, 1), fd, rtol=1e-6)


# ----------------------------------------------------- integrated gradients
def _gap(net, x, b, k):
    with torch.no_grad():
        return (net(torch.tensor(x)[None]) - net(torch.tensor(b)[None]))[0, k].item()


def test_ig_completeness_error_shrinks_like_one_over_m_squared():
    net = _smooth_net(4)
    x = np.random.default_rng(4).normal(size=6) * 2
    b = np.random.default_rng(5).normal(size=6)
    errors = [abs(integrated_gradients(net, x, 0, baseline=b, steps=m).sum()
                  - _gap(net, x, b, 0)) for m in (8, 16, 32, 64)]
    # the attributions add up to F(x) - F(x') up to the quadrature error
    assert errors[-1] < 1e-4
    # midpoint rule: halving the step divides the error by about 4
    ratios = np.array(errors[:-1]) / np.array(errors[1:])
    assert np.all((ratios > 3.5) & (ratios < 4.5))


def test_ig_is_exact_for_linear_and_quadratic_models():
    rng = np.random.default_rng(6)
    w, x, b = rng.normal(size=5), rng.normal(size=5), rng.normal(size=5)
    # linear: IG_i = w_i (x_i - x'_i) for any number of steps
    np.testing.assert_allclose(integrated_gradients(_linear(w), x, 0, baseline=b, steps=1),
                               w * (x - b), atol=1e-12)
    # quadratic: the gradient is linear in alpha, which the midpoint rule
    # integrates exactly: completeness holds to rounding with 3 steps
    q = _Quadratic(5)
    assert integrated_gradients(q, x, 1, baseline=b, steps=3).sum() == pytest.approx(
        _gap(q, x, b, 1), abs=1e-12)


def test_ig_default_baseline_is_zero_and_shape_is_kept():
    net = torch.nn.Sequential(torch.nn.Flatten(), _smooth_net(7, d=8))
    x = np.random.default_rng(7).normal(size=(2, 4))
    a = integrated_gradients(net, x, 2)
    # same as an explicit zero baseline; the map has x's shape
    np.testing.assert_array_equal(a, integrated_gradients(net, x, 2, baseline=np.zeros((2, 4))))
    assert a.shape == (2, 4)


# ----------------------------------------------------------------------- LIME
@pytest.mark.parametrize("baseline", [None, 0.5, "array"])
def test_lime_recovers_a_linear_model(baseline):
    rng = np.random.default_rng(8)
    w, x = rng.normal(size=10), rng.normal(size=10)
    b = rng.normal(size=10) if baseline == "array" else baseline
    coef = lime(lambda X: X @ w + 3.0, x, baseline=b, n_samples=200, rng=1)
    b_arr = np.zeros(10) if b is None else np.broadcast_to(b, (10,))
    # the surrogate's slope on feature j is w_j (x_j - baseline_j)
    np.testing.assert_allclose(coef, w * (x - b_arr), atol=1e-9)


def _and(X):
    """f = x_0 x_1 on 0/1 inputs: the surrogate depends on the weighting."""
    return X[:, 0] * X[:, 1]


def test_lime_kernel_narrow_gives_single_feature_drops_wide_gives_averages():
    x = np.ones(2)
    # a tiny width keeps x and its one-off neighbours only: the fit
    # interpolates them, so coef_j = f(x) - f(x without j) = 1
    narrow = lime(_and, x, n_samples=400, kernel_width=0.2, rng=0)
    np.testing.assert_allclose(narrow, [1.0, 1.0], atol=1e-4)
    # an enormous width weighs all samples equally: the unweighted fit of
    # z0 z1 on uniform bits has slopes 1/2
    wide = lime(_and, x, n_samples=4000, kernel_width=1e6, rng=0)
    np.testing.assert_allclose(wide, [0.5, 0.5], atol=0.03)


def test_lime_weights_follow_the_binary_distance():
    # f depends on three features with an interaction; two explicit fits
    rng = np.random.default_rng(9)
    x = np.ones(3)
    f = lambda X: X[:, 0] * X[:, 1] + X[:, 2] ** 2 * X[:, 0]
    got = lime(f, x, n_samples=300, kernel_width=1.3, rng=3)
    # reference: same samples, weights sqrt(exp(-d^2/sigma^2)) with
    # d^2 = number of switched-off features, weighted normal equations
    Z = np.random.default_rng(3).integers(0, 2, size=(300, 3)).astype(float)
    Z[0] = 1.0
    wts = np.sqrt(np.exp(-(3 - Z.sum(1)) / 1.3 ** 2))
    A = np.hstack([np.ones((300, 1)), Z])
    sol = np.linalg.solve(A.T @ (wts[:, None] * A), A.T @ (wts * f(Z)))
    np.testing.assert_allclose(got, sol[1:], atol=1e-10)
    # the default width is 0.75 sqrt(D)
    np.testing.assert_array_equal(lime(f, x, n_samples=300, rng=rng.integers(99)),
                                  lime(f, x, n_samples=300, kernel_width=0.75 * math.sqrt(3),
                                       rng=np.random.default_rng(9).integers(99)))


def test_lime_keeps_the_largest_features():
    w = np.array([0.1, -3.0, 0.2, 2.0, -0.05, 1.0])
    x = np.ones(6)
    coef = lime(lambda X: X @ w, x, n_features=3, rng=0)
    # the three largest |w_j (x_j - 0)| are kept, the rest are zero
    assert np.flatnonzero(coef).tolist() == [1, 3, 5]
    np.testing.assert_allclose(coef[[1, 3, 5]], w[[1, 3, 5]], atol=0.1)
    # a seed and a Generator with that seed give the same answer
    f = lambda X: np.tanh(X @ w)
    np.testing.assert_array_equal(lime(f, x, rng=5), lime(f, x, rng=np.random.default_rng(5)))


# --------------------------------------------------------------- sanity check
def test_randomized_copy_reinitialises_and_leaves_the_original():
    net = _smooth_net(10)
    before = [p.detach().clone() for p in net.parameters()]
    state = torch.random.get_rng_state()
    r1, r2, r3 = randomized_copy(net, 1), randomized_copy(net, 1), randomized_copy(net, 2)
    # the original is untouched and so is the global generator
    assert all(torch.equal(a, b) for a, b in zip(before, net.parameters()))
    assert torch.equal(state, torch.random.get_rng_state())
    # every parameter is new; the same seed gives the same copy
    assert all(not torch.equal(a, b) for a, b in zip(net.parameters(), r1.parameters()))
    assert all(torch.equal(a, b) for a, b in zip(r1.parameters(), r2.parameters()))
    assert not torch.equal(r1[0].weight, r3[0].weight)
    # the default init range of a Linear layer: |W| <= 1/sqrt(fan_in)
    assert r1[0].weight.abs().max() <= 1 / math.sqrt(6)


def test_rank_correlation_is_spearman_with_ties():
    rng = np.random.default_rng(11)
    a = rng.integers(0, 4, size=(5, 5)).astype(float)
    b = a + rng.normal(size=(5, 5))
    assert rank_correlation(a, b) == pytest.approx(spearmanr(a.ravel(), b.ravel())[0], abs=1e-12)


# ------------------------------------------------------------------ bad input
def test_bad_inputs():
    net = _smooth_net()
    x = np.zeros(6)
    with pytest.raises(ValueError, match="target"):
        saliency(net, x, 3)
    with pytest.raises(TypeError, match="target"):
        saliency(net, x, 1.0)
    with pytest.raises(TypeError, match="model"):
        saliency(lambda v: v, x, 0)
    with pytest.raises(ValueError, match="x"):
        saliency(net, np.zeros(0), 0)
    with pytest.raises(TypeError, match="x"):
        saliency(net, torch.zeros(6, dtype=torch.complex64), 0)
    with pytest.raises(ValueError, match="model"):  # scores of shape (N,)
        saliency(torch.nn.Sequential(net, torch.nn.Flatten(0)), x, 0)
    with pytest.raises(ValueError, match="patch"):
        occlusion(net, x, 0, patch=(2, 2))
    with pytest.raises(ValueError, match="patch"):
        occlusion(net, x, 0, patch=(7,))
    with pytest.raises(ValueError, match="stride"):
        occlusion(net, x, 0, patch=2, stride=0)
    with pytest.raises(ValueError, match="baseline"):
        occlusion(net, x, 0, patch=2, baseline=np.zeros(5))
    with pytest.raises(ValueError, match="steps"):
        integrated_gradients(net, x, 0, steps=0)
    with pytest.raises(ValueError, match="predict_fn"):
        lime(lambda X: X, x, rng=0)
    with pytest.raises(TypeError, match="predict_fn"):
        lime("model", x)
    with pytest.raises(ValueError, match="n_features"):
        lime(lambda X: X.sum(1), x, n_features=7)
    with pytest.raises(ValueError, match="kernel_width"):
        lime(lambda X: X.sum(1), x, kernel_width=0.0)
    with pytest.raises(ValueError, match="baseline"):
        lime(lambda X: X.sum(1), x, baseline=np.zeros(4))
    with pytest.raises(ValueError, match="n_samples"):
        lime(lambda X: X.sum(1), x, n_samples=1)
    with pytest.raises(ValueError, match="a and b"):
        rank_correlation([1, 2, 3], [1, 2])
