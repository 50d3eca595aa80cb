"""Unit tests for physdl_docs.functions (lesson 0.2).

Independent references: explicit matrices and hand-written affine and
nonlinear maps, the normal equations (X^T X)^{-1} X^T y and scikit-learn's
LinearRegression, Novikoff's bound and the four XOR inequalities.
"""

from __future__ import annotations

import doctest

import numpy as np
import pytest
from sklearn.linear_model import LinearRegression

from physdl_docs import functions
from physdl_docs.functions import (
    Perceptron,
    is_linear,
    least_squares,
    linearity_defect,
    max_second_difference,
    novikoff_bound,
    separable_data,
    transform_grid,
)

A = np.array([[1.0, 0.5], [0.25, 1.0]])
XOR_X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
XOR_Y = np.array([-1, 1, 1, -1])


# ------------------------------------------------------------ linear maps
@pytest.mark.parametrize("seed", range(3))
def test_matrices_are_linear(seed):
    M = np.random.default_rng(seed).normal(size=(3, 4))
    # any matrix passes the superposition test
    assert is_linear(lambda x: M @ x, dim=4, rng=seed)
    # and so does a scalar linear functional
    assert is_linear(lambda x: float(M[0] @ x), dim=4, rng=seed)


def test_affine_and_tanh_maps_are_rejected():
    # an affine map moves the origin: f(0) = t != 0
    assert not is_linear(lambda x: A @ x + np.array([0.5, -0.3]), 2, rng=0)
    # tanh keeps f(0) = 0 but breaks f(ax + by) = a f(x) + b f(y)
    assert not is_linear(lambda x: np.tanh(A @ x), 2, rng=0)
    # a tiny offset is still caught: the test is not loose
    assert not is_linear(lambda x: A @ x + 1e-6, 2, rng=0)


def test_affine_defect_is_exactly_the_shifted_origin():
    t = np.array([0.5, -0.3])
    # f(ax+by) - a f(x) - b f(y) = (1 - a - b) t, so the defect is >= |t|
    assert linearity_defect(lambda x: A @ x + t, 2, rng=1) >= 0.5


def test_a_map_moving_only_the_origin_is_caught_by_the_f0_check():
    c = np.array([0.3, 0.0])

    def f(x):
        return A @ x if np.any(x) else c  # linear except at x = 0 exactly

    # random superposition tests never hit x = 0; only f(0) = 0 catches it
    assert linearity_defect(f, 2, rng=0) == pytest.approx(0.3)
    assert not is_linear(f, 2, rng=0)


def test_transform_grid_layout():
    grid = transform_grid(lambda p: p, lim=2.0, n=3)
    # row i is the horizontal line y = y_i, column j the vertical x = x_j
    np.testing.assert_array_equal(grid[0, :, 1], [-2.0, -2.0, -2.0])
    np.testing.assert_array_equal(grid[:, 2, 0], [2.0, 2.0, 2.0])
    np.testing.assert_array_equal(grid[1, 1], [0.0, 0.0])


def test_linear_grid_stays_parallel_and_evenly_spaced():
    grid = transform_grid(lambda p: A @ p, lim=1.0, n=7)
    step_i = np.diff(grid, axis=0)  # neighbouring horizontal lines
    step_j = np.diff(grid, axis=1)  # steps along a horizontal line
    # every offset between neighbouring lines is the same vector A e_y h
    np.testing.assert_allclose(
        step_i, np.broadcast_to(A @ [0.0, 1 / 3], step_i.shape), atol=1e-14)
    # every step along a line is A e_x h: straight, evenly spaced
    np.testing.assert_allclose(
        step_j, np.broadcast_to(A @ [1 / 3, 0.0], step_j.shape), atol=1e-14)
    # hence all second differences vanish
    assert max_second_difference(grid) < 1e-14


def test_second_differences_see_bending_and_fanning():
    # tanh bends lines
    assert max_second_difference(transform_grid(np.tanh, n=5)) > 0.05
    # (x, y) -> (x, x y): straight lines that fan out (mixed difference only)
    fan = transform_grid(lambda p: np.array([p[0], p[0] * p[1]]), n=5)
    assert np.abs(np.diff(fan, 2, axis=1)).max() < 1e-14
    assert max_second_difference(fan) == pytest.approx(0.25)


# ------------------------------------------------------------- regression
def test_least_squares_matches_normal_equations_and_sklearn():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 3))
    y = X @ [1.0, -2.0, 0.5] + 0.3 + 0.1 * rng.normal(size=30)
    X0, y0 = X.copy(), y.copy()
    w, b = least_squares(X, y)
    A1 = np.column_stack([X, np.ones(30)])
    closed = np.linalg.inv(A1.T @ A1) @ A1.T @ y
    # lstsq equals the closed form (X^T X)^{-1} X^T y
    np.testing.assert_allclose(np.append(w, b), closed, atol=1e-12)
    ref = LinearRegression().fit(X, y)
    # and scikit-learn's ordinary least squares
    np.testing.assert_allclose(w, ref.coef_, atol=1e-12)
    assert b == pytest.approx(ref.intercept_, abs=1e-12)
    # the residual is orthogonal to every column of the design matrix
    np.testing.assert_allclose(A1.T @ (y - A1 @ closed), 0.0, atol=1e-10)
    # inputs untouched
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)


def test_least_squares_recovers_an_exact_line():
    X = np.linspace(-1, 1, 5)[:, None]
    w, b = least_squares(X, 3.0 * X[:, 0] - 1.0)
    # noise-free data are fitted exactly
    assert w[0] == pytest.approx(3.0) and b == pytest.approx(-1.0)


# --------------------------------------------------------- classification
@pytest.mark.parametrize("seed", range(5))
def test_perceptron_converges_within_novikoff_bound(seed):
    X, y, w, b = separable_data(80, margin=0.1, rng=seed)
    X0 = X.copy()
    p = Perceptron(2, rng=seed).fit(X, y)
    # separable data: a clean epoch is reached
    assert p.converged_ and p.mistakes_[-1] == 0
    # the total number of updates obeys (R / gamma)^2
    assert p.mistakes_.sum() <= novikoff_bound(X, y, w, b)
    # every training point ends on the right side, strictly
    assert np.all(y * p.decision_function(X) > 0)
    np.testing.assert_array_equal(p.predict(X), y)
    # the input was not modified
    np.testing.assert_array_equal(X, X0)


def test_separable_data_has_the_requested_margin():
    X, y, w, b = separable_data(200, margin=0.2, rng=3)
    # labels come from the line and no point lies inside the gap
    assert np.all(y * (X @ w + b) >= 0.2)
    assert np.linalg.norm(w) == pytest.approx(1.0)


def test_perceptron_never_converges_on_xor():
    p = Perceptron(2, max_epochs=200, rng=0).fit(XOR_X, XOR_Y)
    # no line separates XOR, so every one of the 200 epochs has a mistake
    assert not p.converged_ and len(p.mistakes_) == 200
    assert p.mistakes_.min() >= 1
    # whatever w, b it ends with, at least one XOR point is misclassified
    assert np.any(p.predict(XOR_X) != XOR_Y)


def test_no_line_on_a_grid_of_weights_solves_xor():
    # brute force: no (w1, w2, b) on a grid classifies all four points
    g = np.linspace(-3, 3, 25)
    w1, w2, b = np.meshgrid(g, g, g, indexing="ij")
    ok = np.ones_like(w1, dtype=bool)
    for (x1, x2), t in zip(XOR_X, XOR_Y):
        ok &= t * (w1 * x1 + w2 * x2 + b) > 0
    assert not ok.any()


def test_product_feature_makes_xor_separable():
    X3 = np.column_stack([XOR_X, XOR_X[:, 0] * XOR_X[:, 1]])
    p = Perceptron(3, rng=0).fit(X3, XOR_Y)
    # with the extra feature x1 x2 a plane separates the four points
    assert p.converged_
    np.testing.assert_array_equal(p.predict(X3), XOR_Y)


def test_learning_rate_only_rescales_from_zero():
    X, y, _, _ = separable_data(50, rng=7)
    p1 = Perceptron(2, lr=1.0, rng=1).fit(X, y)
    p2 = Perceptron(2, lr=0.01, rng=1).fit(X, y)
    # same mistakes, weights scaled by the learning rate
    np.testing.assert_array_equal(p1.mistakes_, p2.mistakes_)
    np.testing.assert_allclose(p2.weights_, 0.01 * p1.weights_, rtol=1e-9)


def test_same_seed_same_result_and_repr():
    X, y, _, _ = separable_data(40, rng=2)
    a = Perceptron(2, rng=5).fit(X, y)
    b = Perceptron(2, rng=5).fit(X, y)
    # the visiting order depends only on the seed
    np.testing.assert_array_equal(a.weights_, b.weights_)
    # short repr
    assert repr(a) == "Perceptron(n_features=2, lr=1.0, max_epochs=100)"


def test_novikoff_bound_closed_form():
    X = np.array([[2.0, 0.0], [-2.0, 0.0]])
    # R = |(2, 0, 1)| = sqrt 5, gamma = 2 for u = (1, 0, 0): bound 5/4
    assert novikoff_bound(X, [1, -1], [1.0, 0.0]) == pytest.approx(1.25)


# -------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: Perceptron(0), "n_features"),
        (lambda: Perceptron(2, lr=0.0), "lr"),
        (lambda: Perceptron(2, max_epochs=0), "max_epochs"),
        (lambda: Perceptron(2).fit(XOR_X, [0, 1, 1, 0]), "y must contain"),
        (lambda: Perceptron(3).fit(XOR_X, XOR_Y), "X must have shape"),
        (lambda: is_linear(np.tanh, dim=0), "dim"),
        (lambda: transform_grid(np.tanh, lim=-1.0), "lim"),
        (lambda: transform_grid(lambda p: p[0], n=3), "f must map"),
        (lambda: max_second_difference(np.zeros((3, 3))), "grid"),
        (lambda: least_squares(np.zeros((3, 2)), np.zeros(4)), "y must"),
        (lambda: novikoff_bound(XOR_X, XOR_Y, [1.0, 1.0]), "separate"),
        (lambda: separable_data(10, margin=0.9), "margin"),
        (lambda: novikoff_bound(XOR_X, XOR_Y, [0.0, 0.0], 0.0), "w and b must not both be zero"),
        (lambda: novikoff_bound(XOR_X, XOR_Y, [1.0, 1.0], -1.0), "separate"),
        (lambda: Perceptron(2).fit(np.zeros((0, 2)), []), "X must have at least one sample"),
        (lambda: least_squares(np.zeros((0, 2)), np.zeros(0)), "X must have at least one sample"),
    ],
)
def test_bad_inputs_raise_naming_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_predict_before_fit_says_to_call_fit():
    p = Perceptron(2)
    # an unfitted perceptron would answer -1 everywhere: refuse instead
    with pytest.raises(ValueError, match=r"not fitted yet: call fit\(X, y\)"):
        p.predict(XOR_X)
    with pytest.raises(ValueError, match="call fit"):
        p.decision_function(XOR_X)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: least_squares(np.array([[1 + 1j], [2.0]]), [1.0, 2.0]), "X must be real"),
        (lambda: least_squares([[1.0], [2.0]], np.array([1.0, 2j])), "y must be real"),
        (lambda: least_squares(None, [1.0]), "X must be a numeric array"),
        (lambda: Perceptron(2).fit(XOR_X.astype(complex), XOR_Y), "X must be real"),
        (lambda: Perceptron(2.0), "n_features must be an int"),
    ],
)
def test_complex_and_non_numeric_input_raise_type_errors(call, match):
    with pytest.raises(TypeError, match=match):
        call()


def test_non_callable_and_bad_rng_raise_type_errors():
    with pytest.raises(TypeError, match="f must be callable"):
        is_linear(np.eye(2), dim=2)
    with pytest.raises(TypeError, match="rng"):
        Perceptron(2, rng="seed").fit(XOR_X, XOR_Y)


def test_docstring_examples_run():
    # the Examples sections of the module's docstrings are correct
    result = doctest.testmod(functions, extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0
