"""Unit tests for physdl_docs.perceptron (lesson 2.1).

Independent references: scipy's linear-programming feasibility test for
linear separability, a re-implementation of the perceptron rule with the
same visiting orders, 2.2's MLP.fit run network by network, torch.nn layers
with copied weights, np.interp for the piecewise-linear interpolant, and
np.polyfit for the best quadratic.
"""

from __future__ import annotations

import itertools
from math import comb

import numpy as np
import pytest
import torch
from scipy.optimize import linprog

from physdl_docs.backprop import MLP, XOR_X, XOR_Y
from physdl_docs.functions import Perceptron, separable_data
from physdl_docs.perceptron import (
    ShallowNet,
    association_layer,
    fit_many,
    hypercube,
    monomial_features,
    random_feature_fit,
    relu_interpolant,
    sigmoid_staircase,
    signed_sum,
    solved,
    sup_error,
    weight_path,
)

Y_PM = 2 * XOR_Y.ravel() - 1  # XOR labels -1, 1, 1, -1


def separable_lp(F: np.ndarray, y: np.ndarray) -> bool:
    """Is there (w, b) with y_i (w . F_i + b) >= 1 for all i? (an LP)"""
    n, d = F.shape
    A = -(y[:, None] * np.column_stack([F, np.ones(n)]))
    res = linprog(np.zeros(d + 1), A_ub=A, b_ub=-np.ones(n),
                  bounds=[(None, None)] * (d + 1), method="highs")
    return res.status == 0


# ------------------------------------------------------------ signed_sum
def test_signed_sum_of_xor_is_zero_and_xor_is_inseparable():
    # XOR's signed sum vanishes, the certificate of inseparability
    assert np.array_equal(signed_sum(XOR_X, Y_PM), np.zeros(3))
    # and the LP agrees that no line separates XOR
    assert not separable_lp(XOR_X, Y_PM)


def test_signed_sum_matches_explicit_sum():
    rng = np.random.default_rng(0)
    F = rng.normal(size=(9, 4))
    y = rng.choice([-1.0, 1.0], size=9)
    expected = sum(y[i] * np.append(F[i], 1.0) for i in range(9))
    # sum_i y_i (F_i, 1), bias entry last
    np.testing.assert_allclose(signed_sum(F, y), expected, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_separator_has_positive_product_with_signed_sum(seed):
    X, y, w, b = separable_data(30, margin=0.05, rng=seed)
    # (w, b) . signed_sum = sum of margins > 0 for a separating line
    assert np.append(w, b) @ signed_sum(X, y) > 0


def test_signed_sum_rejects_bad_labels_and_shapes():
    with pytest.raises(ValueError, match="y"):
        signed_sum(XOR_X, [0, 1, 1, 0])  # labels must be ±1
    with pytest.raises(ValueError, match="y"):
        signed_sum(XOR_X, [1, -1])  # one label per row
    with pytest.raises(ValueError, match="F"):
        signed_sum(np.ones(4), Y_PM)  # F must be 2-D


# ------------------------------------------------ hypercube and monomials
def test_hypercube_lists_every_point_once_in_order():
    H = hypercube(3)
    # 2^n rows, lexicographic, entries ±1
    assert H.tolist() == [list(p) for p in itertools.product([-1.0, 1.0], repeat=3)]
    with pytest.raises(ValueError, match="n"):
        hypercube(0)
    with pytest.raises(ValueError, match="n"):
        hypercube(17)
    with pytest.raises(TypeError, match="n"):
        hypercube(2.0)


@pytest.mark.parametrize("n,order", [(3, 1), (3, 2), (4, 3), (4, 4)])
def test_monomials_are_products_of_subsets(n, order):
    X = hypercube(n)
    M = monomial_features(X, order)
    subsets = [S for k in range(1, order + 1) for S in itertools.combinations(range(n), k)]
    # one column per subset of size 1..order
    assert M.shape == (2**n, sum(comb(n, k) for k in range(1, order + 1)))
    for col, S in zip(M.T, subsets):
        # each column is prod_{j in S} x_j
        assert np.array_equal(col, np.prod(X[:, S], axis=1))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_parity_needs_order_n(n):
    X = hypercube(n)
    y = np.prod(X, axis=1)
    for order in range(1, n):
        F = monomial_features(X, order)
        # below order n the signed sum vanishes ...
        assert np.array_equal(signed_sum(F, y), np.zeros(F.shape[1] + 1))
        # ... and the LP finds no separator
        assert not separable_lp(F, y)
    # at order n parity is one of the features: separable
    assert separable_lp(monomial_features(X, n), y)


def test_monomials_reject_bad_order():
    with pytest.raises(ValueError, match="order"):
        monomial_features(hypercube(2), 3)
    with pytest.raises(ValueError, match="order"):
        monomial_features(hypercube(2), 0)


# ------------------------------------------------------------ weight_path
def rule_path(X, y, n_epochs, seed):
    """The perceptron rule with the visiting orders of Perceptron(rng=seed)."""
    rng = np.random.default_rng(seed)
    u = np.zeros(X.shape[1] + 1)
    X1 = np.column_stack([X, np.ones(len(X))])
    rows = []
    for _ in range(n_epochs):
        mistakes = 0
        for i in rng.permutation(len(X)):
            if y[i] * (X1[i] @ u) <= 0:
                u = u + y[i] * X1[i]
                mistakes += 1
        rows.append(u.copy())
        if mistakes == 0:
            rows += [u.copy()] * (n_epochs - len(rows))
            break
    return np.array(rows)


@pytest.mark.parametrize("seed", [0, 3])
def test_weight_path_is_one_run_of_the_rule(seed):
    drawn = int(np.random.default_rng(seed).integers(2**63))
    for y in (Y_PM, np.array([-1.0, -1.0, -1.0, 1.0])):  # XOR and AND
        path = weight_path(XOR_X, y, 12, rng=seed)
        # row k = (w, b) after epoch k + 1 of the rule, same orders
        np.testing.assert_array_equal(path, rule_path(XOR_X, y, 12, drawn))


def test_weight_path_on_xor_stays_bounded_and_never_settles():
    path = weight_path(XOR_X, Y_PM, 40, rng=1)
    # integer data and lr = 1: integer weights in a small box
    assert np.array_equal(path, np.round(path)) and np.abs(path).max() <= 3
    # yet the last epoch still made a mistake: the run never converges
    p = Perceptron(2, max_epochs=40, rng=int(np.random.default_rng(1).integers(2**63)))
    assert not p.fit(XOR_X, Y_PM).converged_


def test_weight_path_rejects_bad_epochs():
    with pytest.raises(ValueError, match="n_epochs"):
        weight_path(XOR_X, Y_PM, 0)


# ------------------------------------------------------ association_layer
def test_association_units_with_fan_in_one_see_one_input():
    X = hypercube(3) > 0  # 0/1 inputs
    A = association_layer(X.astype(float), 20, fan_in=1, rng=0)
    # outputs are 0/1
    assert set(np.unique(A)) <= {0.0, 1.0}
    for col in A.T:
        # each unit is a function of a single input coordinate
        assert any(all(len(set(col[X[:, j] == v])) <= 1 for v in (0, 1)) for j in range(3))


def test_fan_in_one_cannot_separate_xor_but_two_can():
    A1 = association_layer(XOR_X, 16, fan_in=1, rng=2)
    # order-1 units: signed sum zero, LP infeasible
    assert np.array_equal(signed_sum(A1, Y_PM), np.zeros(17))
    assert not separable_lp(A1, Y_PM)
    # order-2 units make XOR separable for most seeds
    ok = [separable_lp(association_layer(XOR_X, 16, fan_in=2, rng=s), Y_PM)
          for s in range(20)]
    assert sum(ok) >= 15


def test_association_thresholds_are_standard_normal():
    A = association_layer(np.zeros((1, 3)), 2000, rng=4)
    # at x = 0 unit k fires iff theta_k < 0: half of them, within 4 sigma
    assert abs(A.mean() - 0.5) < 4 * 0.5 / np.sqrt(2000)


def test_association_layer_is_reproducible_and_validates():
    a = association_layer(XOR_X, 5, rng=7)
    # same seed, same layer
    assert np.array_equal(a, association_layer(XOR_X, 5, rng=7))
    with pytest.raises(ValueError, match="fan_in"):
        association_layer(XOR_X, 5, fan_in=3)
    with pytest.raises(ValueError, match="n_units"):
        association_layer(XOR_X, 0)


# --------------------------------------------------------------- fit_many
@pytest.mark.parametrize("sizes,hidden,output", [([2, 3, 1], "tanh", "sigmoid"),
                                                 ([2, 4, 3, 2], "sigmoid", "identity")])
def test_fit_many_equals_mlp_fit_for_each_seed(sizes, hidden, output):
    rng = np.random.default_rng(5)
    X = rng.normal(size=(6, sizes[0]))
    y = rng.uniform(size=(6, sizes[-1]))
    out, losses = fit_many(sizes, X, y, seeds=[0, 4, 9], hidden=hidden,
                           output=output, lr=0.1, n_epochs=50)
    for k, seed in enumerate([0, 4, 9]):
        net = MLP(sizes, hidden=hidden, output=output, rng=seed)
        ref = net.fit(X, y, lr=0.1, n_epochs=50)
        # the same error before every step
        np.testing.assert_allclose(losses[:, k], ref, rtol=0, atol=1e-12)
        # and the same trained outputs
        np.testing.assert_allclose(out[k], net.predict(X), rtol=0, atol=1e-12)


def test_fit_many_validates():
    with pytest.raises(TypeError, match="seeds"):
        fit_many([2, 2, 1], XOR_X, XOR_Y, seeds=[])
    with pytest.raises(TypeError, match="seeds"):
        fit_many([2, 2, 1], XOR_X, XOR_Y, seeds=[True])
    with pytest.raises(ValueError, match="lr"):
        fit_many([2, 2, 1], XOR_X, XOR_Y, seeds=[0], lr=0.0)
    with pytest.raises(ValueError, match="y"):
        fit_many([2, 2, 1], XOR_X, XOR_Y.ravel(), seeds=[0])


def test_solved_counts_only_all_correct_networks():
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    out = np.array([[[0.2], [0.7], [0.6], [0.4]],   # all correct
                    [[0.2], [0.7], [0.4], [0.4]],   # one wrong
                    [[0.8], [0.3], [0.4], [0.6]]])  # all wrong
    # only the first network solves the task
    assert solved(out, y).tolist() == [True, False, False]
    with pytest.raises(ValueError, match="outputs"):
        solved(out[:, :3], y)


# ------------------------------------------------------------- ShallowNet
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "square"])
def test_shallow_net_equals_torch_layers(activation):
    rng = np.random.default_rng(3)
    W, b, c = rng.normal(size=(7, 3)), rng.normal(size=7), rng.normal(size=7)
    net = ShallowNet(W, b, c, 0.4, activation)
    act = {"relu": torch.nn.ReLU(), "sigmoid": torch.nn.Sigmoid(),
           "tanh": torch.nn.Tanh(), "square": None}[activation]
    hidden = torch.nn.Linear(3, 7).double()
    out = torch.nn.Linear(7, 1).double()
    with torch.no_grad():
        hidden.weight.copy_(torch.tensor(W))
        hidden.bias.copy_(torch.tensor(b))
        out.weight.copy_(torch.tensor(c[None, :]))
        out.bias.fill_(0.4)
    x = rng.normal(size=(11, 3))
    z = hidden(torch.tensor(x))
    ref = out(z**2 if act is None else act(z)).detach().numpy().ravel()
    # sum_k c_k sigma(w_k . x + b_k) + d, as torch computes it
    np.testing.assert_allclose(net(x), ref, rtol=0, atol=1e-12)
    assert net.width == 7


def test_shallow_net_validates():
    with pytest.raises(ValueError, match="activation"):
        ShallowNet(np.ones((2, 1)), np.zeros(2), np.ones(2), 0.0, "step")
    with pytest.raises(ValueError, match="c"):
        ShallowNet(np.ones((2, 1)), np.zeros(2), np.ones(3), 0.0)
    net = ShallowNet(np.ones((2, 2)), np.zeros(2), np.ones(2), 0.0)
    with pytest.raises(ValueError, match="x"):
        net(np.ones(3))  # two inputs per sample expected


# ------------------------------------------------- universal approximation
def f5(x):
    return np.sin(5 * x)


@pytest.mark.parametrize("n", [1, 3, 8, 20])
def test_relu_interpolant_is_the_linear_interpolant(n):
    net = relu_interpolant(f5, n, -1.0, 2.0)
    x = np.linspace(-1.0, 2.0, 1001)
    t = np.linspace(-1.0, 2.0, n + 1)
    # the network equals np.interp through the n + 1 nodes
    np.testing.assert_allclose(net(x), np.interp(x, t, f5(t)), rtol=0, atol=1e-12)
    assert net.width == n


def test_relu_interpolant_error_meets_and_nearly_attains_its_bound():
    for n in (16, 64):
        h = 2.0 / n
        bound = h**2 / 8 * 25.0  # max |f''| = 25 on [-1, 1]
        err = sup_error(relu_interpolant(f5, n), f5)
        # h^2/8 max|f''| holds, and is nearly attained for this f
        assert 0.9 * bound < err <= bound


def test_sigmoid_staircase_steps_at_midpoints_and_error_halves():
    net = sigmoid_staircase(f5, 10, steepness=1e4)
    t = np.linspace(-1, 1, 11)
    for side in (-0.04, 0.04):  # either side of each interior node
        # a steep staircase holds f(t_k) on (m_k, m_{k+1}), around t_k
        np.testing.assert_allclose(net(t[1:-1] + side), f5(t[1:-1]), rtol=0, atol=1e-9)
    e = [sup_error(sigmoid_staircase(f5, n), f5) for n in (32, 64, 128)]
    # the error falls like 1/n
    assert 1.8 < e[0] / e[1] < 2.2 and 1.8 < e[1] / e[2] < 2.2


def test_square_activation_gives_the_best_quadratic_whatever_the_width():
    x = np.linspace(-1, 1, 401)
    best = np.polyval(np.polyfit(x, f5(x), 2), x)
    for n in (3, 30):
        net = random_feature_fit(f5, n, "square", rng=n)
        # (w x + b)^2 spans only 1, x, x^2: the fit is the best quadratic
        np.testing.assert_allclose(net(x), best, rtol=0, atol=1e-8)


def test_random_relu_fit_is_least_squares_and_improves_with_width():
    net = random_feature_fit(f5, 40, "relu", rng=0)
    x = np.linspace(-1, 1, 401)
    H = np.column_stack([np.maximum(x[:, None] @ net.W.T + net.b, 0), np.ones_like(x)])
    # normal equations: the residual is orthogonal to every feature
    assert np.abs(H.T @ (net(x) - f5(x))).max() < 1e-8
    # wider random ReLU layers fit better
    assert sup_error(net, f5) < 0.5 * sup_error(random_feature_fit(f5, 5, rng=0), f5)


def test_sup_error_value_and_validation():
    # max |x - sin x| on [0, 1] is 1 - sin 1, at x = 1
    assert sup_error(lambda x: x, np.sin, 0.0, 1.0) == pytest.approx(1 - np.sin(1.0), abs=1e-15)
    with pytest.raises(ValueError, match="a must be < b"):
        sup_error(np.sin, np.sin, 1.0, 0.0)
    with pytest.raises(TypeError, match="g"):
        sup_error(3.0, np.sin)
    with pytest.raises(ValueError, match="n"):
        relu_interpolant(np.sin, 0)
    with pytest.raises(ValueError, match="steepness"):
        sigmoid_staircase(np.sin, 4, steepness=-1.0)
    with pytest.raises(ValueError, match="activation"):
        random_feature_fit(np.sin, 4, "cubic")
