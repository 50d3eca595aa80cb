"""Unit tests for physdl_docs.backprop (lesson 2.2).

The references are independent of the module: torch.autograd on the same
network written with torch operations in float64, and central finite
differences of the loss.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
import torch

from physdl_docs import backprop
from physdl_docs.backprop import (
    MLP,
    XOR_X,
    XOR_Y,
    finite_difference_gradients,
    sigmoid,
    squared_error,
)

TORCH_ACT = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "identity": lambda z: z}


def torch_gradients(net: MLP, X: np.ndarray, y: np.ndarray):
    """E = 1/2 sum (a^L - y)^2 with torch ops; returns (E, dE/dW, dE/db)."""
    Ws = [torch.tensor(W, dtype=torch.float64, requires_grad=True) for W in net.weights]
    bs = [torch.tensor(b, dtype=torch.float64, requires_grad=True) for b in net.biases]
    a = torch.tensor(X, dtype=torch.float64)
    for l, (W, b) in enumerate(zip(Ws, bs), start=1):
        act = net.output if l == len(Ws) else net.hidden
        a = TORCH_ACT[act](a @ W.T + b)
    E = 0.5 * ((a - torch.tensor(y, dtype=torch.float64)) ** 2).sum()
    E.backward()
    return E.item(), [W.grad.numpy() for W in Ws], [b.grad.numpy() for b in bs]


def random_problem(sizes, seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(7, sizes[0]))
    y = rng.uniform(size=(7, sizes[-1]))
    return X, y


@pytest.mark.parametrize("hidden,output", [("tanh", "sigmoid"), ("sigmoid", "identity"),
                                           ("sigmoid", "tanh")])
def test_gradients_match_torch_autograd(hidden, output):
    sizes = [3, 5, 4, 2]
    net = MLP(sizes, hidden=hidden, output=output, rng=1)
    for b in net.biases:  # non-zero biases, so that dE/db is a real test
        b += np.random.default_rng(2).normal(size=b.shape)
    X, y = random_problem(sizes, 3)
    E, tW, tb = torch_gradients(net, X, y)
    gW, gb = net.gradients(X, y)
    # the loss is the same number
    assert net.loss(X, y) == pytest.approx(E, abs=1e-12)
    for ours, ref in zip(gW + gb, tW + tb):
        # the delta rule gives torch.autograd's gradient to 1e-10
        np.testing.assert_allclose(ours, ref, atol=1e-10, rtol=0)


def test_gradients_match_finite_differences():
    net = MLP([2, 4, 3, 1], hidden="sigmoid", rng=4)
    X, y = random_problem([2, 4, 3, 1], 5)
    gW, _ = net.gradients(X, y)
    before = [W.copy() for W in net.weights]
    fd = finite_difference_gradients(net, X, y, eps=1e-5)
    for ours, ref in zip(gW, fd):
        # central differences agree to O(h^2) + rounding
        np.testing.assert_allclose(ours, ref, atol=1e-8, rtol=0)
    for W, W0 in zip(net.weights, before):
        # the finite-difference probe restored every weight exactly
        np.testing.assert_array_equal(W, W0)


def test_backward_is_the_chain_rule_for_one_unit():
    # one sigmoid unit: dE/dw = (a - y) a (1 - a) x, written out by hand
    net = MLP([1, 1], output="sigmoid", rng=0)
    x, y = np.array([[0.7]]), np.array([[0.2]])
    a = sigmoid(net.weights[0][0, 0] * 0.7)
    gW, gb = net.gradients(x, y)
    assert gW[0][0, 0] == pytest.approx((a - 0.2) * a * (1 - a) * 0.7, rel=1e-14)
    assert gb[0][0] == pytest.approx((a - 0.2) * a * (1 - a), rel=1e-14)


def test_fit_learns_xor():
    net = MLP([2, 3, 1], hidden="tanh", rng=0)
    losses = net.fit(XOR_X, XOR_Y, lr=0.5, n_epochs=2000)
    # the error falls by more than two orders of magnitude
    assert losses[-1] < 1e-2 * losses[0]
    # every XOR case is on the right side of 1/2
    np.testing.assert_array_equal(net.predict(XOR_X) > 0.5, XOR_Y > 0.5)


def test_one_fit_step_is_exactly_w_minus_lr_gradient():
    net = MLP([2, 4, 1], hidden="sigmoid", rng=7)
    gW, gb = net.gradients(XOR_X, XOR_Y)
    expected = [W - 0.3 * g for W, g in zip(net.weights + net.biases, gW + gb)]
    net.fit(XOR_X, XOR_Y, lr=0.3, n_epochs=1)
    for ours, ref in zip(net.weights + net.biases, expected):
        # the update is W - lr dE/dW with the summed (not averaged) gradient
        np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-15)


def test_one_step_of_gradient_descent_lowers_the_error():
    net = MLP([2, 4, 1], hidden="sigmoid", rng=7)
    E0 = net.loss(XOR_X, XOR_Y)
    gW, gb = net.gradients(XOR_X, XOR_Y)
    g2 = sum(float(np.sum(g * g)) for g in gW + gb)
    net.fit(XOR_X, XOR_Y, lr=1e-3, n_epochs=1)
    # first-order decrease E - lr |grad|^2, up to O(lr^2) (relative to lr g2)
    assert E0 - net.loss(XOR_X, XOR_Y) == pytest.approx(1e-3 * g2, rel=1e-2)


def test_initial_weights_have_std_one_over_sqrt_fan_in():
    net = MLP([400, 300, 2], rng=0)
    # W^1 ~ N(0, 1/400): std 0.05 (120,000 draws, standard error 0.2 %)
    assert net.weights[0].std() == pytest.approx(1 / np.sqrt(400), rel=0.01)
    assert abs(net.weights[0].mean()) < 1e-3
    # W^2 ~ N(0, 1/300), biases start at zero
    assert net.weights[1].std() == pytest.approx(1 / np.sqrt(300), rel=0.1)
    assert all(not b.any() for b in net.biases)


def test_divergence_warns_and_stops():
    net = MLP([2, 3, 1], output="identity", rng=0)
    with pytest.warns(RuntimeWarning, match="lr"):
        losses = net.fit(XOR_X, XOR_Y, lr=50.0, n_epochs=3000)
    # the error blew up; the epochs after the warning are left as NaN
    assert np.isnan(losses[-1]) and np.isfinite(losses[0])


def test_sigmoid_is_stable_and_exact():
    z = np.array([-1000.0, -5.0, 0.0, 3.0, 1000.0])
    s = sigmoid(z)
    # no overflow, values in [0, 1]
    assert np.all(np.isfinite(s)) and s[0] == 0.0 and s[-1] == 1.0
    # equals 1 / (1 + e^-z) where that form is safe
    np.testing.assert_allclose(s[1:4], 1 / (1 + np.exp(-z[1:4])), rtol=1e-14)


def test_one_sigmoid_in_the_package():
    from physdl_docs import vanishing
    # vanishing.sigmoid is an import path for backprop.sigmoid, not a copy
    assert vanishing.sigmoid is sigmoid
    assert vanishing.ACTIVATIONS["sigmoid"] is backprop.ACTIVATIONS["sigmoid"]


def test_squared_error():
    # 1/2 (1^2 + 2^2 + 0^2) = 2.5
    assert squared_error([[1.0, 2.0], [0.0, 0.0]], [[0.0, 0.0], [0.0, 0.0]]) == 2.5


def test_inputs_are_not_modified():
    net = MLP([2, 3, 1], rng=0)
    X, y = XOR_X.copy(), XOR_Y.copy()
    net.gradients(X, y)
    net.fit(X, y, n_epochs=3)
    # X and y are read, never written
    np.testing.assert_array_equal(X, XOR_X)
    np.testing.assert_array_equal(y, XOR_Y)


def test_seed_makes_weights_reproducible():
    a, b = MLP([2, 3, 1], rng=5), MLP([2, 3, 1], rng=5)
    # the same seed gives the same initial weights
    assert all(np.array_equal(u, v) for u, v in zip(a.weights, b.weights))
    # a different seed gives different ones
    assert not np.array_equal(a.weights[0], MLP([2, 3, 1], rng=6).weights[0])


def test_repr():
    assert repr(MLP([2, 3, 1], hidden="sigmoid")) == (
        "MLP(sizes=[2, 3, 1], hidden='sigmoid', output='sigmoid')")


@pytest.mark.parametrize("call,exc,match", [
    (lambda: MLP([2]), ValueError, "sizes must have at least 2"),
    (lambda: MLP("23"), TypeError, "sizes must be a sequence"),
    (lambda: MLP([2, 0, 1]), ValueError, "sizes must be >= 1"),
    (lambda: MLP([2, 1], hidden="relu"), ValueError, "hidden must be one of"),
    (lambda: MLP([2, 1], output="softmax"), ValueError, "output must be one of"),
    (lambda: MLP([2, 1], rng="a"), TypeError, "rng must be"),
    (lambda: MLP([2, 1]).gradients([[1.0, 2.0, 3.0]], [[1.0]]), ValueError,
     r"X must have shape \(any, 2\)"),
    (lambda: MLP([2, 1]).gradients(XOR_X, XOR_Y[:3]), ValueError,
     r"y must have shape \(4, 1\)"),
    (lambda: MLP([2, 1]).fit(XOR_X, XOR_Y, lr=0.0), ValueError, "lr must be > 0"),
    (lambda: MLP([2, 1]).fit(XOR_X, XOR_Y, n_epochs=0), ValueError, "n_epochs must be >= 1"),
    (lambda: finite_difference_gradients("net", XOR_X, XOR_Y), TypeError, "net must be an MLP"),
    (lambda: squared_error([[1.0]], [[1.0, 2.0]]), ValueError, "y must have shape"),
    (lambda: sigmoid("a"), TypeError, "z must be a numeric array"),
    (lambda: sigmoid(None), TypeError, "z must be a numeric array"),
    (lambda: sigmoid([1j]), TypeError, "z must be real"),
    (lambda: sigmoid([np.nan]), ValueError, "z must contain only finite"),
    (lambda: MLP([2, 1]).fit(np.zeros((0, 2)), np.zeros((0, 1))), ValueError,
     "X must have at least one sample"),
    (lambda: MLP([2, 1]).predict(np.zeros((0, 2))), ValueError,
     "X must have at least one sample"),
])
def test_bad_inputs_name_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_docstring_examples():
    result = doctest.testmod(backprop, optionflags=doctest.ELLIPSIS)
    # every Examples section runs and passes
    assert result.failed == 0 and result.attempted > 0
