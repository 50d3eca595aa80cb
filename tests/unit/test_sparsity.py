"""Tests of physdl_docs.sparsity against closed forms and exact enumeration."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.datasets import load_digits
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from physdl_docs.sparsity import (
    boolean_functions,
    cube_energy,
    fit_with_corrupted_labels,
    ista,
    lasso_objective,
    majority_vote,
    make_sparse_problem,
    nearest_neighbour,
    off_training_set_accuracy,
    opposite,
    ridge,
    soft_threshold,
)


# ------------------------------------------------------------ soft threshold
def test_soft_threshold_matches_its_definition():
    x = np.linspace(-3, 3, 61)
    t = 0.7
    expected = [xi - t if xi > t else xi + t if xi < -t else 0.0 for xi in x]
    # piecewise definition: shrink by t outside [-t, t], zero inside
    np.testing.assert_allclose(soft_threshold(x, t), expected, atol=1e-15)


def test_soft_threshold_is_the_proximal_map_of_the_l1_norm():
    # S_t(v) = argmin_x 1/2 (x - v)^2 + t |x|: compare with a fine grid search
    grid = np.linspace(-5, 5, 200001)
    for v, t in [(2.3, 0.5), (-1.1, 0.4), (0.2, 0.9)]:
        best = grid[np.argmin(0.5 * (grid - v) ** 2 + t * np.abs(grid))]
        # the closed form agrees with brute-force minimisation to grid step
        assert abs(soft_threshold(v, t) - best) < 1e-4


# --------------------------------------------------------------------- ISTA
def test_ista_objective_never_increases():
    D, _, y = make_sparse_problem(rng=1)
    _, F = ista(D, y, lam=0.05, n_iter=300, history=True)
    # a step of 1/L on a convex L-smooth part cannot increase F (Beck-Teboulle)
    assert np.all(np.diff(F) <= 1e-12)
    # and it does decrease overall
    assert F[-1] < 0.1 * F[0]


def test_history_agrees_with_lasso_objective():
    D, _, y = make_sparse_problem(rng=2)
    a_hat, F = ista(D, y, lam=0.1, n_iter=40, history=True)
    # the recorded last value is F of the returned code
    assert F[-1] == pytest.approx(lasso_objective(D, y, a_hat, 0.1), abs=1e-12)
    # history=False returns the same code
    np.testing.assert_array_equal(ista(D, y, lam=0.1, n_iter=40), a_hat)


def test_ista_recovers_a_known_sparse_code():
    # well-conditioned: more measurements than atoms, noiseless
    rng = np.random.default_rng(3)
    D = rng.standard_normal((80, 40)) / np.sqrt(80)
    a = np.zeros(40)
    a[[3, 17, 29]] = [1.5, -2.0, 1.0]
    a_hat = ista(D, D @ a, lam=1e-4, n_iter=2000)
    # the code is recovered up to the small lasso bias
    np.testing.assert_allclose(a_hat, a, atol=1e-3)


def test_ista_finds_the_support_from_few_measurements():
    D, a, y = make_sparse_problem(rng=0)  # 40 measurements, 100 atoms
    a_hat = ista(D, y, lam=0.05)
    # exactly the true atoms are active (compressed sensing regime)
    assert set(np.flatnonzero(a_hat)) == set(np.flatnonzero(a))
    # relative code error small
    assert np.linalg.norm(a_hat - a) / np.linalg.norm(a) < 0.1


def test_ista_reaches_the_lasso_minimum():
    # an independent solver on the same convex problem (split a = u - v)
    rng = np.random.default_rng(4)
    D = rng.standard_normal((15, 10))
    y = rng.standard_normal(15)
    lam = 0.5

    def f(z):
        # smooth in (u, v) >= 0: 1/2 ||y - D(u - v)||^2 + lam sum(u + v)
        r = y - D @ (z[:10] - z[10:])
        g = D.T @ r
        return 0.5 * r @ r + lam * z.sum(), np.concatenate([-g, g]) + lam

    ref = minimize(f, np.ones(20), jac=True, bounds=[(0, None)] * 20,
                   method="L-BFGS-B", options={"ftol": 1e-14, "gtol": 1e-10})
    a_hat = ista(D, y, lam, n_iter=5000)
    F_hat = lasso_objective(D, y, a_hat, lam)
    # the two solvers agree on the minimum value, ISTA being no worse
    assert F_hat <= ref.fun + 1e-9
    assert F_hat == pytest.approx(ref.fun, abs=1e-4)


def test_ista_satisfies_the_lasso_optimality_conditions():
    # KKT: g = D^T (y - D a); g_i = lam sign(a_i) if a_i != 0, |g_i| <= lam
    D, _, y = make_sparse_problem(rng=6)
    lam = 0.05
    a_hat = ista(D, y, lam, n_iter=3000)
    g = D.T @ (y - D @ a_hat)
    on = a_hat != 0
    np.testing.assert_allclose(g[on], lam * np.sign(a_hat[on]), atol=1e-6)
    assert np.all(np.abs(g[~on]) <= lam + 1e-9)


def test_ridge_solves_its_normal_equations_and_is_dense():
    D, _, y = make_sparse_problem(rng=0)
    r = ridge(D, y, lam=0.05)
    # gradient of 1/2||y - Dr||^2 + lam/2 ||r||^2 vanishes
    np.testing.assert_allclose(D.T @ (D @ r - y) + 0.05 * r, 0, atol=1e-10)
    # L2 gives no exact zeros, L1 gives many
    assert np.count_nonzero(r) == r.size
    assert np.mean(ista(D, y, 0.05) == 0) > 0.9


def test_ridge_with_an_orthonormal_dictionary_divides_by_one_plus_lambda():
    Q = np.linalg.qr(np.random.default_rng(8).standard_normal((30, 12)))[0]
    y = np.random.default_rng(9).standard_normal(30)
    ols = Q.T @ y  # least squares for orthonormal columns
    # one common factor 1 / (1 + lam) for every coefficient
    np.testing.assert_allclose(ridge(Q, y, 0.5), ols / 1.5, atol=1e-13)
    # the lasso instead subtracts lam from every |coefficient| (soft threshold)
    np.testing.assert_allclose(ista(Q, y, 0.5, n_iter=200),
                               soft_threshold(ols, 0.5), atol=1e-12)


def test_ridge_with_a_general_dictionary_shrinks_singular_directions():
    D, _, y = make_sparse_problem(rng=3)
    lam = 0.05
    a, a0 = ridge(D, y, lam), np.linalg.pinv(D) @ y
    ratio = a / a0
    # no common factor: the ratios to the minimum-norm code spread widely
    assert ratio.max() - ratio.min() > 0.5
    # but along each right singular vector v_i the factor is s^2/(s^2 + lam)
    U, sv, Vt = np.linalg.svd(D, full_matrices=False)
    np.testing.assert_allclose(Vt @ a, sv**2 / (sv**2 + lam) * (Vt @ a0),
                               rtol=1e-9)


def test_ridge_stays_right_for_tiny_and_zero_lambda():
    D, _, y = make_sparse_problem(rng=4)
    a_min = np.linalg.pinv(D) @ y
    # lam -> 0 is the minimum-norm least-squares code, not overflow
    np.testing.assert_allclose(ridge(D, y, 1e-300), a_min, atol=1e-10)
    np.testing.assert_allclose(ridge(D, y, 0.0), a_min, atol=1e-10)
    # a rank-deficient D (two equal atoms) splits the weight evenly
    D2 = np.array([[1.0, 1.0], [0.0, 0.0]])
    np.testing.assert_allclose(ridge(D2, [2.0, 0.0], 0.0), [1.0, 1.0])


def test_inputs_are_not_modified():
    D, _, y = make_sparse_problem(rng=5)
    D0, y0 = D.copy(), y.copy()
    ista(D, y, 0.1, n_iter=5)
    ridge(D, y, 0.1)
    # both solvers leave D and y untouched
    np.testing.assert_array_equal(D, D0)
    np.testing.assert_array_equal(y, y0)


def test_make_sparse_problem_is_reproducible():
    one, two = make_sparse_problem(rng=7), make_sparse_problem(rng=7)
    # same seed, same problem
    for u, v in zip(one, two):
        np.testing.assert_array_equal(u, v)
    # atoms have unit norm
    np.testing.assert_allclose(np.linalg.norm(one[0], axis=0), 1.0)


# ------------------------------------------------------------ No Free Lunch
def test_boolean_functions_enumerates_every_truth_table_once():
    X, F = boolean_functions(3)
    # 8 distinct inputs and 256 distinct truth tables
    assert len({tuple(r) for r in X}) == 8
    assert len({tuple(r) for r in F}) == 256
    # every truth table of itertools.product is present
    assert {tuple(r) for r in F} == set(itertools.product([0, 1], repeat=8))


def test_cube_energy_counts_flipped_edges():
    X, F = boolean_functions(3)
    E = cube_energy(F, X)
    # constant functions: 0; parity flips on all 12 edges of the cube
    parity = X.sum(1) % 2
    j = int((parity << np.arange(8)).sum())
    assert E[0] == 0 and E[-1] == 0 and E[j] == 12
    # each edge is flipped by exactly half of all functions
    assert E.sum() == 12 * 256 // 2


LEARNERS = [nearest_neighbour, majority_vote, opposite(nearest_neighbour),
            lambda Xt, yt, Xs: np.zeros(len(Xs), int),
            lambda Xt, yt, Xs: Xs[:, 0] ^ Xs[:, 2]]


@pytest.mark.parametrize("learner", LEARNERS)
@pytest.mark.parametrize("train", [[0, 1, 2, 4], [0, 7], [1, 2, 3, 5, 6, 7]])
def test_no_free_lunch_is_exact(learner, train):
    # uniform average over all 256 targets: exactly 1/2, for any learner
    assert off_training_set_accuracy(learner, 3, train) == 0.5


def test_a_prior_breaks_the_tie_both_ways():
    nn, anti = nearest_neighbour, opposite(nearest_neighbour)
    smooth = [off_training_set_accuracy(L, 3, [0, 1, 2, 4], beta=1.0)
              for L in (nn, anti)]
    rough = [off_training_set_accuracy(L, 3, [0, 1, 2, 4], beta=-1.0)
             for L in (nn, anti)]
    # a smooth prior favours 1-NN, a rough one its opposite; they sum to 1
    assert smooth[0] > 0.8 and smooth[1] < 0.2
    assert rough[1] > 0.6 and rough[0] < 0.4
    assert sum(smooth) == pytest.approx(1.0) and sum(rough) == pytest.approx(1)


def test_nearest_neighbour_on_a_line():
    X = np.array([[0, 0, 0], [1, 1, 1]])
    # each test point takes the label of the closer training point
    out = nearest_neighbour(X, np.array([0, 1]), np.array([[1, 0, 0],
                                                           [1, 1, 0]]))
    assert out.tolist() == [0, 1]


# --------------------------------------------------------------- pure noise
def test_random_labels_are_memorised_but_not_learned():
    X, y = load_digits(return_X_y=True)
    tree = DecisionTreeClassifier(random_state=0)
    _, tr0, te0 = fit_with_corrupted_labels(tree, X, y, 0.0, rng=0)
    _, tr1, te1 = fit_with_corrupted_labels(tree, X, y, 1.0, rng=0)
    # the tree fits both label sets perfectly
    assert tr0 == 1.0 and tr1 == 1.0
    # real labels generalise; random ones stay at chance 1/10 (+-4 sd)
    assert te0 > 0.75
    assert abs(te1 - 0.1) < 4 * np.sqrt(0.09 / 899)


def test_fit_with_corrupted_labels_leaves_its_arguments_alone():
    X, y = load_digits(return_X_y=True)
    X0, y0 = X.copy(), y.copy()
    knn = KNeighborsClassifier(1)
    fitted, _, _ = fit_with_corrupted_labels(knn, X, y, 0.5, rng=1)
    # data unchanged, the estimator passed in is not fitted (cloned)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    assert not hasattr(knn, "classes_") and hasattr(fitted, "classes_")


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: soft_threshold([1.0], -0.1), "t must be >= 0"),
        (lambda: ista(np.eye(2), [1.0, 2.0, 3.0], 0.1), "y must have shape"),
        (lambda: ista(np.ones(3), [1.0], 0.1), "D must be a 2-D array"),
        (lambda: ista(np.eye(2), [1.0, 1.0], -1.0), "lam must be >= 0"),
        (lambda: ista(np.eye(2), [1.0, 1.0], 0.1, n_iter=-1), "n_iter"),
        (lambda: ridge(np.eye(2), [1.0, 1.0], -1e-3), "lam must be >= 0"),
        (lambda: ridge(np.eye(2), [1.0, np.nan], 0.1), "y must contain only"),
        (lambda: off_training_set_accuracy(nearest_neighbour, 3, [0, 1.5]),
         "train must hold integers"),
        (lambda: off_training_set_accuracy(
            lambda Xt, yt, Xs: np.zeros(len(Xs) - 1), 3, [0, 1]),
         "learner must return one 0/1 prediction"),
        (lambda: off_training_set_accuracy(
            lambda Xt, yt, Xs: np.full(len(Xs), 0.5), 3, [0, 1]),
         "learner must return one 0/1 prediction"),
        (lambda: cube_energy([[0, 2]], [[0], [1]]), "F must hold only 0 and 1"),
        (lambda: fit_with_corrupted_labels(KNeighborsClassifier(1),
                                           np.ones((4, 2)), [0, 1.5, 0, 1],
                                           0.5), "y must hold integers"),
        (lambda: fit_with_corrupted_labels(KNeighborsClassifier(1),
                                           np.ones((4, 2)), [0, 1, 0, 1],
                                           0.5, test_fraction=0.1),
         "leaves an empty split"),
        (lambda: make_sparse_problem(10, 5, 6), "n_nonzero must be <= "),
        (lambda: boolean_functions(5), "n_bits must be <= 4"),
        (lambda: boolean_functions(0), "n_bits must be >= 1"),
        (lambda: off_training_set_accuracy(nearest_neighbour, 2, [0, 0]),
         "train must hold distinct"),
        (lambda: off_training_set_accuracy(nearest_neighbour, 2,
                                           [0, 1, 2, 3]), "train must hold"),
        (lambda: off_training_set_accuracy(nearest_neighbour, 2, [9]),
         "train must hold"),
        (lambda: fit_with_corrupted_labels(None, np.ones((4, 2)), [0, 1, 0, 1],
                                           1.5), "fraction must be <= 1"),
    ],
)
def test_bad_inputs_name_the_argument(call, pattern):
    # the message names the offending argument
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("call, pattern", [
    (lambda: off_training_set_accuracy("knn", 3, [0]), "learner must be callable"),
    (lambda: opposite(None), "learner must be callable"),
    (lambda: fit_with_corrupted_labels(None, np.ones((4, 2)), [0, 1, 0, 1], 0.5),
     "model must be a scikit-learn classifier"),
    (lambda: ista(np.eye(2) * 1j, [1.0, 1.0], 0.1), "D must be real"),
    (lambda: ista(np.eye(2), [1.0, 1.0], 0.1, history=1), "history must be a bool"),
    (lambda: boolean_functions(2.0), "n_bits must be an int"),
])
def test_wrong_types_name_the_argument(call, pattern):
    # non-callables, non-estimators, complex input and floats for ints
    with pytest.raises(TypeError, match=pattern):
        call()


def test_a_strong_rough_prior_does_not_overflow():
    # beta = -800 would overflow exp(-beta E) without normalising by E.max()
    acc = off_training_set_accuracy(nearest_neighbour, 3, [0, 1, 2, 4],
                                    beta=-800.0)
    # only the two parity functions (energy 12) are left: score 1-NN on them
    X, _ = boolean_functions(3)
    train, test = [0, 1, 2, 4], [3, 5, 6, 7]
    parity = X.sum(1) % 2
    hits = [np.mean(nearest_neighbour(X[train], f[train], X[test]) == f[test])
            for f in (parity, 1 - parity)]
    assert np.isfinite(acc) and acc == pytest.approx(np.mean(hits), abs=1e-9)
