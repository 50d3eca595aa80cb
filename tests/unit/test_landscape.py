"""Unit tests for physdl_docs.landscape (lesson 3.4).

Independent references: ``torch.nn.utils.clip_grad_norm_`` and
``clip_grad_value_`` (torch 2.13, float64) on random lists of tensors,
``torch.autograd`` in float64 for every derivative and for the network's
Hessian, lesson 2.2's hand-written backpropagation (``backprop.MLP``), and
hand-written reference loops.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from physdl_docs.backprop import MLP
from physdl_docs.landscape import (
    clip_grad_norm,
    clip_grad_value,
    cliff,
    cliff_grad,
    cusp,
    cusp_grad,
    descend,
    morse_index,
    net_loss_grad_hess,
    pole,
    pole_grad,
    stationary_points,
)
from physdl_docs.vanishing import clip_by_norm

F64 = torch.float64  # every tensor below is float64 explicitly

SHAPES = [(3, 4), (5,), (2, 1, 3), (1,)]


def _grads(seed, scale=1.0):
    rng = np.random.default_rng(seed)
    return [scale * rng.normal(size=s) for s in SHAPES]


def _torch_params(grads):
    params = [torch.zeros(g.shape, dtype=F64, requires_grad=True) for g in grads]
    for p, g in zip(params, grads):
        p.grad = torch.tensor(g)
    return params


@pytest.mark.parametrize("norm_type", [1.0, 2.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.1, 1.0, 100.0])
def test_clip_grad_norm_equals_torch(norm_type, max_norm):
    for seed in range(5):
        grads = _grads(seed, scale=0.5 + seed)
        before = [g.copy() for g in grads]
        clipped, total = clip_grad_norm(grads, max_norm, norm_type=norm_type)
        params = _torch_params(grads)
        total_t = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type=norm_type)
        # the same total norm (before clipping) and the same clipped values, eps included
        assert total == pytest.approx(total_t.item(), rel=1e-13)
        for c, p in zip(clipped, params):
            np.testing.assert_allclose(c, p.grad.numpy(), rtol=1e-13, atol=0)
        # inputs untouched and new arrays returned
        for g, b, c in zip(grads, before, clipped):
            np.testing.assert_array_equal(g, b)
            assert c is not g


def test_clip_grad_norm_coefficient_and_eps():
    grads = _grads(7)
    total = math.sqrt(sum(float(np.sum(g * g)) for g in grads))
    clipped, t = clip_grad_norm(grads, 1.0)
    # total is the 2-norm over all entries, before clipping
    assert t == pytest.approx(total, rel=1e-14)
    # coefficient c / (total + 1e-6): the clipped norm is just below c
    flat = np.concatenate([c.ravel() for c in clipped])
    assert np.linalg.norm(flat) == pytest.approx(total / (total + 1e-6), rel=1e-14)
    # eps = 0 gives exactly c / ||g||
    flat0 = np.concatenate([c.ravel() for c in clip_grad_norm(grads, 1.0, eps=0.0)[0]])
    assert np.linalg.norm(flat0) == pytest.approx(1.0, rel=1e-14)
    # below the threshold nothing changes
    same, _ = clip_grad_norm(grads, 10 * total)
    for a, b in zip(same, grads):
        np.testing.assert_array_equal(a, b)
    # all-zero gradients stay zero (no division by zero with eps = 0)
    z, tz = clip_grad_norm([np.zeros(3)], 1.0, eps=0.0)
    assert tz == 0.0 and not z[0].any()


@pytest.mark.parametrize("clip", [0.05, 0.5, 3.0])
def test_clip_grad_value_equals_torch(clip):
    grads = _grads(11, scale=2.0)
    before = [g.copy() for g in grads]
    out = clip_grad_value(grads, clip)
    params = _torch_params(grads)
    torch.nn.utils.clip_grad_value_(params, clip)
    for o, p, g, b in zip(out, params, grads, before):
        # entrywise clamp to [-clip, clip], exactly as torch
        np.testing.assert_array_equal(o, p.grad.numpy())
        np.testing.assert_array_equal(g, b)  # input untouched


def test_clip_by_norm_is_the_single_array_case():
    rng = np.random.default_rng(12)
    for shape in [(5,), (3, 4), (2, 2, 2)]:
        g = rng.normal(size=shape) * 3
        for c in (0.5, 100.0):
            old = g * min(1.0, c / np.linalg.norm(g))
            # vanishing.clip_by_norm = clip_grad_norm([g], c, eps=0), bit for bit
            np.testing.assert_array_equal(clip_by_norm(g, c), clip_grad_norm([g], c, eps=0.0)[0][0])
            # and the behaviour of lesson 2.3 is kept
            np.testing.assert_allclose(clip_by_norm(g, c), old, rtol=1e-15)


def _torch_derivative(fn, t):
    tt = torch.tensor(t, dtype=F64, requires_grad=True)
    (g,) = torch.autograd.grad(fn(tt), tt)
    return g.item()


@pytest.mark.parametrize("t", [-2.5, -0.3, 0.01, 0.7, 1.0, 1.2, 4.0])
def test_one_dimensional_derivatives_against_autograd(t):
    sig = lambda z: 1 / (1 + torch.exp(-z))  # noqa: E731
    # cusp sqrt|t|, pole 1/|t| and the cliff, value and derivative
    assert cusp(np.array([t]))[0] == pytest.approx(math.sqrt(abs(t)))
    assert cusp_grad(np.array([t]))[0] == pytest.approx(
        _torch_derivative(lambda z: torch.sqrt(torch.abs(z)), t), rel=1e-12)
    assert pole_grad(np.array([t]))[0] == pytest.approx(
        _torch_derivative(lambda z: 1 / torch.abs(z), t), rel=1e-12)
    f = lambda z: 0.5 * (z - 3) ** 2 + 10 * sig(10 * (z - 1))  # noqa: E731
    assert cliff(np.array([t]))[0] == pytest.approx(f(torch.tensor(t, dtype=F64)).item(), rel=1e-12)
    assert cliff_grad(np.array([t]))[0] == pytest.approx(_torch_derivative(f, t), rel=1e-10, abs=1e-12)


def test_cliff_shape():
    t = np.linspace(-1, 1.5, 100001)
    f = cliff(t)
    # the minimum sits at the foot of the wall, the slope on the wall is H s / 4 - 2
    assert 0.62 < t[f.argmin()] < 0.64 and cliff_grad(np.array([1.0]))[0] == pytest.approx(23.0)
    # other heights and steepnesses enter as H sigma(s (t - 1))
    assert cliff(np.array([1.0]), height=4.0, steepness=2.0)[0] == pytest.approx(2.0 + 2.0)
    # and its derivative is autograd's for H != s (H s sigma' + (t - 3))
    g = lambda z: 0.5 * (z - 3) ** 2 + 4.0 / (1 + torch.exp(-2.0 * (z - 1)))  # noqa: E731
    for t0 in (0.2, 1.0, 1.7):
        assert cliff_grad(np.array([t0]), height=4.0, steepness=2.0)[0] == pytest.approx(
            _torch_derivative(g, t0), rel=1e-12)


def test_cusp_and_pole_special_points():
    # the cusp's derivative is set to 0 at its minimum
    assert cusp_grad(np.array([0.0]))[0] == 0.0
    # the pole has no value at 0
    with pytest.raises(ValueError, match="theta must be nonzero"):
        pole(np.array([1.0, 0.0]))


def test_descend_matches_a_reference_loop():
    g = lambda t: np.array([2 * t[0], 40 * t[1] ** 3])  # noqa: E731
    path = descend(g, np.array([1.0, 1.0]), 0.01, 5)
    t = np.array([1.0, 1.0])
    for _ in range(5):  # theta <- theta - lr grad
        t = t - 0.01 * g(t)
    np.testing.assert_allclose(path[-1], t, rtol=1e-15)
    assert path.shape == (6, 2)
    # clipped steps never exceed lr * max_norm, and a schedule is called with k
    clipped = descend(g, np.array([1.0, 1.0]), lambda k: 0.1 / (k + 1), 5, max_norm=2.0)
    steps = np.linalg.norm(np.diff(clipped, axis=0), axis=1)
    assert np.all(steps <= 0.1 / np.arange(1, 6) * 2.0 + 1e-15)
    assert steps[0] == pytest.approx(0.2)


def _torch_net_loss(x, y, lam, h):
    tx, ty = torch.tensor(x), torch.tensor(y)

    def f(t):
        out = torch.tanh(tx[:, None] * t[:h] + t[h:2 * h]) @ t[2 * h:3 * h] + t[3 * h]
        return 0.5 * torch.mean((out - ty) ** 2) + 0.5 * lam * t @ t
    return f


@pytest.mark.parametrize("h", [1, 3, 4])
def test_net_hessian_and_gradient_against_autograd(h):
    rng = np.random.default_rng(h)
    x, y = rng.normal(size=15), rng.normal(size=15)
    thetas = rng.normal(size=(2, 3, 3 * h + 1))
    loss, grad, H = net_loss_grad_hess(thetas, x, y, 0.01)
    f = _torch_net_loss(x, y, 0.01, h)
    # batched over leading axes
    assert loss.shape == (2, 3) and H.shape == (2, 3, 3 * h + 1, 3 * h + 1)
    for i in range(2):
        for j in range(3):
            t = torch.tensor(thetas[i, j], dtype=F64, requires_grad=True)
            (g,) = torch.autograd.grad(f(t), t)
            Ht = torch.autograd.functional.hessian(f, torch.tensor(thetas[i, j], dtype=F64))
            # value, gradient and exact Hessian to rounding (float64)
            assert loss[i, j] == pytest.approx(f(t).item(), rel=1e-13)
            np.testing.assert_allclose(grad[i, j], g.numpy(), rtol=1e-11, atol=1e-14)
            np.testing.assert_allclose(H[i, j], Ht.numpy(), rtol=1e-11, atol=1e-14)


def test_net_gradient_is_lesson_2_2_backprop():
    rng = np.random.default_rng(20)
    x, y, theta = rng.normal(size=9), rng.normal(size=9), rng.normal(size=10)
    net = MLP([1, 3, 1], hidden="tanh", output="identity")
    net.weights = [theta[0:3, None], theta[None, 6:9]]
    net.biases = [theta[3:6], theta[9:10]]
    gW, gb = net.gradients(x[:, None], y[:, None])
    g = np.concatenate([gW[0][:, 0], gb[0], gW[1][0], gb[1]]) / 9 + 0.1 * theta
    loss, grad, _ = net_loss_grad_hess(theta, x, y, 0.1)
    # the same network and loss as MLP([1, 3, 1], tanh, identity), per sample mean
    np.testing.assert_allclose(grad, g, rtol=1e-12)
    assert loss == pytest.approx(net.loss(x[:, None], y[:, None]) / 9 + 0.05 * theta @ theta)


def test_morse_index_counts_negative_eigenvalues():
    rng = np.random.default_rng(21)
    Q = np.linalg.qr(rng.normal(size=(5, 5)))[0]
    lam = np.array([-3.0, -1e-3, 1e-12, 2.0, 5.0])
    H = Q @ np.diag(lam) @ Q.T
    # two clearly negative eigenvalues, the tiny positive one is not counted
    assert int(morse_index(H)) == 2
    # a negative eigenvalue below the relative tolerance is treated as zero
    assert int(morse_index(np.diag([1.0, -1e-12]))) == 0
    # stacks of matrices
    np.testing.assert_array_equal(morse_index(np.stack([np.eye(2), -np.eye(2)])), [0, 2])


def test_stationary_points_are_stationary_and_indexed_correctly():
    x = np.linspace(-2, 2, 20)
    y = np.sin(2 * x)
    sp = stationary_points(x, y, hidden=2, n_starts=40, lm_steps=40, rng=3)
    f = _torch_net_loss(x, y, 1e-3, 2)
    assert len(sp["loss"]) > 0 and np.all(np.diff(sp["loss"]) >= 0)  # sorted by loss
    for theta, k in zip(sp["theta"], sp["index"]):
        t = torch.tensor(theta, dtype=F64, requires_grad=True)
        (g,) = torch.autograd.grad(f(t), t)
        eig = torch.linalg.eigvalsh(torch.autograd.functional.hessian(
            f, torch.tensor(theta, dtype=F64)))
        # a true stationary point, and its index is autograd's count of negative eigenvalues
        assert g.norm().item() < 1e-9
        assert k == int((eig < 0).sum()) and eig.abs().min().item() > 1e-6
    # the lowest point found is a minimum
    assert sp["index"][0] == 0


@pytest.mark.parametrize("call,exc,match", [
    (lambda: clip_grad_norm(np.ones(3), 1.0), TypeError, "grads must be a list"),
    (lambda: clip_grad_norm([np.ones(2), [np.nan]], 1.0), ValueError, r"grads\[1\] must contain only finite"),
    (lambda: clip_grad_norm([np.ones(2)], 0.0), ValueError, "max_norm must be > 0"),
    (lambda: clip_grad_norm([np.ones(2)], 1.0, norm_type=0.5), ValueError, "norm_type must be >= 1"),
    (lambda: clip_grad_norm([np.ones(2)], 1.0, eps=-1.0), ValueError, "eps must be >= 0"),
    (lambda: clip_grad_value([np.ones(2)], -1.0), ValueError, "clip must be > 0"),
    (lambda: clip_grad_value([np.ones(2) + 1j], 1.0), TypeError, r"grads\[0\] must be real"),
    (lambda: cliff(np.ones(2), height=0.0), ValueError, "height must be > 0"),
    (lambda: descend(lambda t: t, np.ones(1), 0.0, 3), ValueError, "lr must be > 0"),
    (lambda: descend(lambda t: t, np.ones(1), 0.1, 3, max_norm=-1), ValueError, "max_norm must be > 0"),
    (lambda: net_loss_grad_hess(np.ones(8), [0.0], [0.0]), ValueError, "theta must have 3 h"),
    (lambda: net_loss_grad_hess(np.ones(7), [0.0, 1.0], [0.0]), ValueError, "y must have shape"),
    (lambda: net_loss_grad_hess(np.ones(7), [0.0], [0.0], weight_decay=-1), ValueError, "weight_decay must be >= 0"),
    (lambda: morse_index(np.ones((2, 3))), ValueError, "H must be"),
    (lambda: stationary_points([0.0, 1.0], [0.0, 1.0], hidden=0), ValueError, "hidden must be >= 1"),
    (lambda: stationary_points([0.0, 1.0], [0.0, 1.0], gd_steps=()), ValueError, "gd_steps must not be empty"),
    (lambda: stationary_points([0.0, 1.0], [0.0, 1.0], n_starts=2.0), TypeError, "n_starts must be an int"),
])
def test_bad_inputs_name_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
