"""Unit tests for physdl_docs.optimization (lesson 3.1).

Independent references: ``torch.autograd`` in float64 for every gradient and
Hessian, ``torch.nn.functional.binary_cross_entropy_with_logits`` for the
logistic loss, ``physdl_docs.momentum.quadratic`` for the quadratic, exact
one-step Newton and closed-form GD iterates, and hand-written reference
loops for the optimisers' evaluation counts.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physdl_docs.momentum import ill_conditioned_quadratic, quadratic
from physdl_docs.optimization import (
    Problem,
    double_well,
    double_well_grad,
    double_well_hessian,
    gradient_descent,
    linear_accuracy,
    logistic_loss,
    logistic_objective,
    logistic_objective_grad,
    newton,
    one_plus_one_es,
    problems,
    quadratic_problem,
    random_search,
    rosenbrock,
    rosenbrock_grad,
    rosenbrock_hessian,
)

F64 = torch.float64  # every tensor below is float64 explicitly


def _torch_rosenbrock(x):
    return (1 - x[0]) ** 2 + 100 * (x[1] - x[0] ** 2) ** 2


def _torch_double_well(x):
    return x[0] ** 4 / 4 - x[0] ** 2 / 2 + x[1] ** 2 / 2


@pytest.mark.parametrize("f,g,h,tf", [
    (rosenbrock, rosenbrock_grad, rosenbrock_hessian, _torch_rosenbrock),
    (double_well, double_well_grad, double_well_hessian, _torch_double_well),
])
def test_test_functions_against_autograd(f, g, h, tf):
    rng = np.random.default_rng(0)
    for x in rng.uniform(-2, 2, size=(10, 2)):
        t = torch.tensor(x, dtype=F64, requires_grad=True)
        (gt,) = torch.autograd.grad(tf(t), t)
        H = torch.autograd.functional.hessian(tf, torch.tensor(x, dtype=F64))
        # value, gradient and Hessian equal torch's to rounding
        assert f(x) == pytest.approx(tf(torch.tensor(x, dtype=F64)).item(), rel=1e-13)
        np.testing.assert_allclose(g(x), gt.numpy(), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(h(x), H.numpy(), rtol=1e-12, atol=1e-12)


def test_known_minima_and_saddle():
    # Rosenbrock: minimum 0 at (1, 1) with zero gradient
    assert rosenbrock([1.0, 1.0]) == 0.0 and not rosenbrock_grad([1.0, 1.0]).any()
    # double well: minima -1/4 at (+-1, 0), saddle 0 at the origin (H = diag(-1, 1))
    assert double_well([-1.0, 0.0]) == -0.25 and not double_well_grad([1.0, 0.0]).any()
    np.testing.assert_array_equal(double_well_hessian([0.0, 0.0]), np.diag([-1.0, 1.0]))


def _data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    return X, y


def test_logistic_loss_equals_torch_cross_entropy():
    X, y = _data()
    theta = np.random.default_rng(1).normal(size=4)
    logits = torch.tensor(X) @ torch.tensor(theta[:3]) + theta[3]
    targets = torch.tensor((y + 1) / 2)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(logits, targets)
    # mean log(1 + e^{-y (w.x + b)}) is the binary cross-entropy of sigma(w.x + b)
    assert logistic_loss(theta, X, y) == pytest.approx(ref.item(), rel=1e-13)
    # stable for huge margins: no overflow, loss ~ |margin| for wrong points
    assert logistic_loss([1e3, 0.0, 0.0, 0.0], [[1.0, 0, 0]], [-1]) == pytest.approx(1e3)


@pytest.mark.parametrize("lam", [0.0, 0.3])
def test_objective_gradient_against_autograd(lam):
    X, y = _data()
    theta = np.random.default_rng(2).normal(size=4)
    t = torch.tensor(theta, dtype=F64, requires_grad=True)
    m = torch.tensor(y) * (torch.tensor(X) @ t[:3] + t[3])
    J = torch.nn.functional.softplus(-m).mean() + 0.5 * lam * (t[:3] ** 2).sum()
    (g,) = torch.autograd.grad(J, t)
    # the objective is loss + lam/2 ||w||^2 (bias not penalised)
    assert logistic_objective(theta, X, y, lam) == pytest.approx(J.item(), rel=1e-13)
    # its gradient matches autograd, including the bias entry
    np.testing.assert_allclose(logistic_objective_grad(theta, X, y, lam), g.numpy(),
                               rtol=1e-12, atol=1e-14)


def test_accuracy_counts_correct_sides_and_is_locally_constant():
    X, y = _data()
    theta = np.random.default_rng(3).normal(size=4)
    m = y * (X @ theta[:3] + theta[3])
    # the fraction of strictly positive margins
    assert linear_accuracy(theta, X, y) == np.mean(m > 0)
    # a margin of exactly 0 counts as wrong
    assert linear_accuracy([1.0, 0.0, 0.0, 0.0], [[0.0, 1, 1]], [1]) == 0.0
    # unchanged by a tiny perturbation: gradient zero where it exists
    assert linear_accuracy(theta + 1e-9, X, y) == linear_accuracy(theta, X, y)


def test_quadratic_problem_reuses_lesson_3_3():
    A = ill_conditioned_quadratic(10.0, 4)
    p = quadratic_problem(A, np.ones(4))
    x = np.random.default_rng(4).normal(size=4)
    # f is momentum.quadratic, grad A x, Hessian A, lr = 2 / (mu + L)
    assert p.f(x) == pytest.approx(float(quadratic(A, x)), rel=1e-14)
    np.testing.assert_allclose(p.grad(x), A @ x)
    assert p.lr == pytest.approx(2.0 / 11.0)
    assert set(problems()) == {"quadratic", "rosenbrock", "double well"}


def test_gradient_descent_matches_closed_form_on_a_quadratic():
    lam = np.array([1.0, 4.0])
    p = quadratic_problem(np.diag(lam), [1.0, 1.0])
    r = gradient_descent(p, lr=0.1, max_iter=7, tol=0.0)
    k = np.arange(8)[:, None]
    # x_k = (1 - lr lambda)^k x_0 along each eigen-direction
    np.testing.assert_allclose(r.path, (1 - 0.1 * lam) ** k, rtol=1e-13)
    # one gradient per step, no values, no Hessians; tol 0 is never reached
    assert (r.n_grad, r.n_f, r.n_hess, r.iterations) == (7, 0, 0, -1)


def test_gradient_descent_counts_iterations_to_tolerance():
    p = problems()["quadratic"]
    r = gradient_descent(p)
    f = [p.f(x) for x in r.path]
    # stops at the first iterate with f <= 1e-8, after as many gradients
    assert f[-1] <= 1e-8 < f[-2] and r.iterations == r.n_grad == len(f) - 1


def test_newton_is_exact_on_a_quadratic_and_fast_on_rosenbrock():
    r = newton(problems()["quadratic"])
    # one step solves a quadratic exactly
    assert r.iterations == 1 and np.allclose(r.x, 0.0, atol=1e-15)
    rb = problems()["rosenbrock"]
    r = newton(rb)
    x = rb.x0
    for _ in range(r.iterations):  # the reference loop: x <- x - H^-1 g
        x = x - np.linalg.solve(rosenbrock_hessian(x), rosenbrock_grad(x))
    # the same iterates, one gradient and one Hessian per step
    np.testing.assert_allclose(r.x, x, rtol=1e-14)
    assert r.iterations == r.n_grad == r.n_hess == 5


def test_newton_converges_to_the_saddle_of_the_double_well():
    p = problems()["double well"]
    r = newton(p)
    # x_{k+1} = 2 x_k^3 / (3 x_k^2 - 1) along x, y -> 0 in one step
    x1 = 2 * 0.3**3 / (3 * 0.3**2 - 1)
    assert r.path[1] == pytest.approx([x1, 0.0], abs=1e-15)
    # ends at the origin, a stationary point that is not the minimum
    assert r.iterations == -1 and np.abs(r.x).max() < 1e-12 and r.f == 0.0
    # four steps (4 gradients, 4 Hessians) plus the gradient that found g = 0
    assert (r.n_grad, r.n_hess, len(r.path)) == (5, 4, 5)
    # and gradient descent from the same start reaches the minimum (1, 0)
    assert gradient_descent(p).x == pytest.approx([1.0, 0.0], abs=1e-3)


def _reference_search(p, sigma, max_evals, tol, adapt, seed):
    rng = np.random.default_rng(seed)
    x, fx, n = p.x0.copy(), p.f(p.x0), 1
    while fx - p.f_min > tol and n < max_evals:
        y = x + sigma * rng.standard_normal(2)
        fy = p.f(y)
        n += 1
        ok = fy <= fx
        if ok:
            x, fx = y, fy
        if adapt:
            sigma *= 1.5 if ok else 1.5 ** -0.25
    return x, n


@pytest.mark.parametrize("adapt", [False, True])
def test_random_search_and_es_follow_the_reference_loop(adapt):
    p = problems()["double well"]
    x, n = _reference_search(p, 0.1, 3000, 1e-8, adapt, seed=5)
    r = random_search(p, 0.1, 3000, 1e-8, adapt=adapt, rng=5)
    # same accepted point and evaluation count as the reference loop
    np.testing.assert_array_equal(r.x, x)
    assert r.n_f == n and r.n_grad == r.n_hess == 0
    # the path only ever goes downhill (accepted points)
    fs = [p.f(z) for z in r.path]
    assert all(b <= a for a, b in zip(fs, fs[1:]))


def test_one_fifth_rule_adapts_and_fixed_step_stalls():
    p = problems()["quadratic"]
    es = one_plus_one_es(p, rng=0)
    rs = random_search(p, max_evals=es.n_f, rng=0)
    # with the 1/5 rule the ES reaches 1e-8; the fixed step does not in the same budget
    assert es.iterations == es.n_f - 1 > 0 and es.f <= 1e-8
    assert rs.iterations == -1 and rs.f > 1e-7


def test_es_cost_grows_with_dimension():
    cost = []
    for n in (2, 16):
        p = quadratic_problem(ill_conditioned_quadratic(10.0, n), np.ones(n))
        cost.append(np.mean([one_plus_one_es(p, max_evals=10**5, rng=s).n_f
                             for s in range(3)]))
    # eight times the dimension costs several times the evaluations
    assert cost[1] > 4 * cost[0]


@pytest.mark.parametrize("call,exc,match", [
    (lambda: rosenbrock([1.0, 2.0, 3.0]), ValueError, "x must have shape"),
    (lambda: double_well([np.nan, 0.0]), ValueError, "x must contain only finite"),
    (lambda: logistic_loss([0.0], [[1.0]], [1]), ValueError, "theta must have shape"),
    (lambda: logistic_loss([0.0, 0.0], [[1.0]], [0]), ValueError, "y must contain only"),
    (lambda: logistic_loss([0.0, 0.0], np.zeros((0, 1)), []), ValueError, "X must have at least"),
    (lambda: logistic_objective([0.0, 0.0], [[1.0]], [1], lam=-1), ValueError, "lam must be >="),
    (lambda: quadratic_problem(np.diag([1.0, -1.0]), [1.0, 1.0]), ValueError, "A must be"),
    (lambda: quadratic_problem(np.eye(2), [1.0]), ValueError, "x0 must have shape"),
    (lambda: gradient_descent("rosenbrock"), TypeError, "problem must be a Problem"),
    (lambda: gradient_descent(problems()["quadratic"], lr=0.0), ValueError, "lr must be >"),
    (lambda: newton(problems()["quadratic"], max_iter=1.5), TypeError, "max_iter must be an int"),
    (lambda: random_search(problems()["quadratic"], sigma=-1), ValueError, "sigma must be >"),
    (lambda: random_search(problems()["quadratic"], adapt=1), TypeError, "adapt must be a bool"),
    (lambda: one_plus_one_es(problems()["quadratic"], max_evals=0), ValueError, "max_evals must be >="),
])
def test_bad_inputs_name_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_problem_repr_is_short():
    # the repr names the function and the start only
    assert repr(problems()["rosenbrock"]) == "Problem('rosenbrock', x0=[-1.2, 1.0])"
    assert isinstance(problems()["rosenbrock"], Problem)
