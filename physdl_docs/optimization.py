"""Loss, objective and metric; black-box, first- and second-order optimisers.

Taught in lesson 3.1 (docs/training/optimization.md).

Training minimises an *objective*: the mean of a per-example *loss* plus a
regulariser. The number we report, such as accuracy, is a *metric*; it is
piecewise constant in the parameters, so its gradient is zero almost
everywhere and it cannot be trained on directly.

What an optimiser may ask about the objective ``f`` sorts it into a class:

- black box: only values ``f(x)``. `random_search` (a fixed step) and
  `one_plus_one_es` (an evolution strategy whose step follows the 1/5
  success rule);
- first order: values and gradients. `gradient_descent`;
- second order: also the Hessian. `newton`, which solves ``H s = -g`` at
  every step.

Every optimiser counts the evaluations it makes and stops when
``f(x) - f_min <= tol`` (that test uses the known minimum and is not
counted). The three test functions of the page are a convex quadratic (from
lesson 3.3), Rosenbrock's valley and a double well with a saddle, on which
Newton's method converges to the saddle.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

from physdl_docs._validation import (
    RngLike,
    as_rng,
    check_array,
    check_float,
    check_int,
)
from physdl_docs.momentum import ill_conditioned_quadratic, quadratic

__all__ = [
    "Problem",
    "Result",
    "double_well",
    "double_well_grad",
    "double_well_hessian",
    "gradient_descent",
    "linear_accuracy",
    "logistic_loss",
    "logistic_objective",
    "logistic_objective_grad",
    "newton",
    "one_plus_one_es",
    "quadratic_problem",
    "random_search",
    "rosenbrock",
    "rosenbrock_grad",
    "rosenbrock_hessian",
    "problems",
]

Vector = Callable[[np.ndarray], np.ndarray]


# ------------------------------------------------------- loss and metric
def _check_classification(theta: object, X: object, y: object):
    X = check_array(X, "X", ndim=2)
    theta = check_array(theta, "theta", shape=(X.shape[1] + 1,))
    y = check_array(y, "y", shape=(X.shape[0],))
    if X.shape[0] == 0:
        raise ValueError("X must have at least one sample")
    if np.any(np.abs(y) != 1):
        raise ValueError("y must contain only -1 and +1")
    return theta, X, y


def _margins(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    # m_i = y_i (w . x_i + b), theta = (w, b); m: [n_samples]
    return y * (X @ theta[:-1] + theta[-1])


def logistic_loss(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Mean logistic (cross-entropy) loss of a linear classifier.

    Parameters
    ----------
    theta : array_like of shape (n_features + 1,)
        Weights ``w`` followed by the bias ``b``.
    X : array_like of shape (n_samples, n_features)
        Inputs.
    y : array_like of shape (n_samples,)
        Labels in ``{-1, +1}``.

    Returns
    -------
    float
        ``L = mean_i log(1 + exp(-y_i (w . x_i + b)))``.

    Notes
    -----
    .. math:: L(\\theta) = \\frac1N \\sum_i \\log\\left(1 + e^{-y_i
              (\\mathbf w\\cdot\\mathbf x_i + b)}\\right)

    References: `hastie2009`

    Examples
    --------
    >>> print(f"{logistic_loss([0.0, 0.0], [[1.0], [2.0]], [1, -1]):.4f}")
    0.6931
    """
    theta, X, y = _check_classification(theta, X, y)
    # log(1 + e^{-m}) computed as logaddexp(0, -m), stable for any m
    return float(np.mean(np.logaddexp(0.0, -_margins(theta, X, y))))


def logistic_objective(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float = 0.0
) -> float:
    """Objective = mean logistic loss + ``lam / 2 ||w||^2`` (bias not penalised).

    Parameters
    ----------
    theta, X, y
        As in `logistic_loss`.
    lam : float, default 0.0
        Strength of the L2 regulariser, ``>= 0``.

    Returns
    -------
    float
        ``J(theta)``.

    Notes
    -----
    .. math:: J(\\theta) = L(\\theta) + \\frac{\\lambda}{2}
              \\lVert \\mathbf w \\rVert^2

    References: `hastie2009`

    Examples
    --------
    >>> X, y = [[1.0], [2.0]], [1, -1]
    >>> print(f"{logistic_objective([2.0, 0.0], X, y, lam=0.1):.4f}")
    2.2725
    """
    lam = check_float(lam, "lam", minimum=0.0)
    theta = check_array(theta, "theta", ndim=1)
    return logistic_loss(theta, X, y) + 0.5 * lam * float(theta[:-1] @ theta[:-1])


def logistic_objective_grad(
    theta: np.ndarray, X: np.ndarray, y: np.ndarray, lam: float = 0.0
) -> np.ndarray:
    """Gradient of `logistic_objective` with respect to ``theta = (w, b)``.

    Parameters
    ----------
    theta, X, y, lam
        As in `logistic_objective`.

    Returns
    -------
    ndarray of shape (n_features + 1,)
        ``dJ/dtheta``.

    Notes
    -----
    With ``sigma`` the logistic function and ``m_i`` the margins,

    .. math:: \\nabla_{\\mathbf w} J = -\\frac1N \\sum_i \\sigma(-m_i)\\,
              y_i \\mathbf x_i + \\lambda \\mathbf w

    References: `hastie2009`

    Examples
    --------
    >>> logistic_objective_grad([0.0, 0.0], [[1.0], [2.0]], [1, -1])
    array([0.25, 0.  ])
    """
    lam = check_float(lam, "lam", minimum=0.0)
    theta, X, y = _check_classification(theta, X, y)
    m = _margins(theta, X, y)
    # dL/dm_i = -sigma(-m_i) / N = -(1 - tanh(m_i / 2)) / (2 N)
    c = -0.5 * (1.0 - np.tanh(0.5 * m)) * y / len(y)  # c: [n_samples]
    g = np.append(X.T @ c, c.sum())
    g[:-1] += lam * theta[:-1]
    return g


def linear_accuracy(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points on the correct side: the metric, not the loss.

    Parameters
    ----------
    theta, X, y
        As in `logistic_loss`.

    Returns
    -------
    float
        ``mean_i [y_i (w . x_i + b) > 0]``; a point on the line counts as
        wrong.

    Notes
    -----
    A sum of step functions of ``theta``: piecewise constant, so its
    gradient is zero wherever it exists.

    .. math:: A(\\theta) = \\frac1N \\sum_i
              \\mathbb 1\\left[y_i(\\mathbf w\\cdot\\mathbf x_i + b) > 0\\right]

    References: `hastie2009`

    Examples
    --------
    >>> linear_accuracy([1.0, -1.5], [[1.0], [2.0]], [1, -1])
    0.0
    """
    theta, X, y = _check_classification(theta, X, y)
    return float(np.mean(_margins(theta, X, y) > 0))


# ------------------------------------------------------- test functions
# Unchecked versions used inside the optimisers' loops (x: [2]); the public
# functions below validate their input first.
def _rosenbrock(x):
    return float((1.0 - x[0]) ** 2 + 100.0 * (x[1] - x[0] * x[0]) ** 2)


def _rosenbrock_grad(x):
    return np.array([-2.0 * (1.0 - x[0]) - 400.0 * x[0] * (x[1] - x[0] * x[0]),
                     200.0 * (x[1] - x[0] * x[0])])


def _rosenbrock_hessian(x):
    return np.array([[2.0 - 400.0 * (x[1] - 3.0 * x[0] * x[0]), -400.0 * x[0]],
                     [-400.0 * x[0], 200.0]])


def _double_well(x):
    return float(0.25 * x[0] ** 4 - 0.5 * x[0] ** 2 + 0.5 * x[1] ** 2)


def _double_well_grad(x):
    return np.array([x[0] ** 3 - x[0], x[1]])


def _double_well_hessian(x):
    return np.diag([3.0 * x[0] * x[0] - 1.0, 1.0])


def rosenbrock(x: np.ndarray) -> float:
    """Rosenbrock's banana valley ``(1 - x)^2 + 100 (y - x^2)^2``.

    Parameters
    ----------
    x : array_like of shape (2,)
        The point ``(x, y)``.

    Returns
    -------
    float
        The value; the minimum is 0 at ``(1, 1)``.

    Notes
    -----
    .. math:: f(x, y) = (1 - x)^2 + 100\\,(y - x^2)^2

    References: `rosenbrock1960`

    Examples
    --------
    >>> rosenbrock([1.0, 1.0]), rosenbrock([-1.2, 1.0])
    (0.0, 24.199999999999996)
    """
    # f = (1 - x)^2 + 100 (y - x^2)^2
    return _rosenbrock(check_array(x, "x", shape=(2,)))


def rosenbrock_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of `rosenbrock`, ndarray of shape (2,).

    Notes
    -----
    .. math:: \\nabla f = \\big(-2(1 - x) - 400\\,x(y - x^2),\\;
              200\\,(y - x^2)\\big)

    References: `rosenbrock1960`

    Examples
    --------
    >>> rosenbrock_grad([1.0, 1.0])
    array([0., 0.])
    """
    return _rosenbrock_grad(check_array(x, "x", shape=(2,)))


def rosenbrock_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of `rosenbrock`, ndarray of shape (2, 2).

    Notes
    -----
    .. math:: H = \\begin{pmatrix} 2 - 400(y - 3x^2) & -400x \\\\
              -400x & 200 \\end{pmatrix}

    References: `rosenbrock1960`

    Examples
    --------
    >>> rosenbrock_hessian([1.0, 1.0])
    array([[ 802., -400.],
           [-400.,  200.]])
    """
    return _rosenbrock_hessian(check_array(x, "x", shape=(2,)))


def double_well(x: np.ndarray) -> float:
    """A double well ``x^4/4 - x^2/2 + y^2/2`` with a saddle at the origin.

    Parameters
    ----------
    x : array_like of shape (2,)
        The point ``(x, y)``.

    Returns
    -------
    float
        The value: minima ``-1/4`` at ``(+-1, 0)``, a saddle ``0`` at
        ``(0, 0)``.

    Notes
    -----
    .. math:: f(x, y) = \\tfrac14 x^4 - \\tfrac12 x^2 + \\tfrac12 y^2

    References: `nocedal2006`

    Examples
    --------
    >>> double_well([1.0, 0.0]), double_well([0.0, 0.0])
    (-0.25, 0.0)
    """
    return _double_well(check_array(x, "x", shape=(2,)))


def double_well_grad(x: np.ndarray) -> np.ndarray:
    """Gradient of `double_well`: ``(x^3 - x, y)``.

    Notes
    -----
    .. math:: \\nabla f = (x^3 - x,\\; y)

    References: `nocedal2006`

    Examples
    --------
    >>> double_well_grad([2.0, 1.0])
    array([6., 1.])
    """
    return _double_well_grad(check_array(x, "x", shape=(2,)))


def double_well_hessian(x: np.ndarray) -> np.ndarray:
    """Hessian of `double_well`: ``diag(3x^2 - 1, 1)``.

    Notes
    -----
    Negative along ``x`` for ``|x| < 1/sqrt(3)``: there the function is
    not convex and Newton's step points uphill in ``x``.

    .. math:: H = \\operatorname{diag}(3x^2 - 1,\\; 1)

    References: `nocedal2006`

    Examples
    --------
    >>> double_well_hessian([0.0, 5.0])
    array([[-1.,  0.],
           [ 0.,  1.]])
    """
    return _double_well_hessian(check_array(x, "x", shape=(2,)))


class Problem(NamedTuple):
    """A test function with its derivatives, start, minimum and a GD step.

    ``lr`` is a learning rate below ``2 / lambda_max`` along the path of
    gradient descent from ``x0``.
    """

    name: str
    f: Callable[[np.ndarray], float]
    grad: Vector
    hess: Vector
    x0: np.ndarray
    f_min: float
    lr: float

    def __repr__(self) -> str:
        return f"Problem({self.name!r}, x0={self.x0.tolist()})"


def quadratic_problem(A: np.ndarray, x0: np.ndarray) -> Problem:
    """``f = 1/2 x^T A x`` of lesson 3.3 as a `Problem` (``lr = 2/(mu + L)``).

    Parameters
    ----------
    A : array_like of shape (d, d)
        Symmetric positive definite Hessian.
    x0 : array_like of shape (d,)
        Start.

    Returns
    -------
    Problem
        With ``f_min = 0`` and the fastest constant learning rate.

    Notes
    -----
    .. math:: f = \\tfrac12 \\mathbf x^\\top A \\mathbf x, \\quad
              \\nabla f = A\\mathbf x, \\quad H = A

    References: `polyak1964`

    Examples
    --------
    >>> quadratic_problem(np.diag([1.0, 4.0]), [1.0, 1.0]).lr
    0.4
    """
    A = check_array(A, "A", ndim=2)
    lam = np.linalg.eigvalsh(A) if A.shape[0] == A.shape[1] else None
    if lam is None or not np.allclose(A, A.T) or lam[0] <= 0:
        raise ValueError("A must be a symmetric positive definite matrix")
    x0 = check_array(x0, "x0", shape=(A.shape[0],))
    # f = 1/2 x^T A x, the same as momentum.quadratic without its checks
    return Problem("quadratic", lambda x: 0.5 * float(x @ (A @ x)),
                   lambda x: A @ x, lambda x: A, x0, 0.0,
                   float(2.0 / (lam[0] + lam[-1])))


def problems() -> dict[str, Problem]:
    """The page's three functions: quadratic (kappa 100), Rosenbrock, double well.

    Returns
    -------
    dict of str to Problem
        ``"quadratic"`` from ``(1, 1)``, ``"rosenbrock"`` from the classic
        ``(-1.2, 1)`` with ``lr = 1e-3``, ``"double well"`` from
        ``(0.3, 1)`` with ``lr = 0.5``.

    References: `rosenbrock1960`, `nocedal2006`

    Examples
    --------
    >>> list(problems())
    ['quadratic', 'rosenbrock', 'double well']
    """
    quad = quadratic_problem(ill_conditioned_quadratic(100.0), [1.0, 1.0])
    return {
        "quadratic": quad,
        "rosenbrock": Problem("rosenbrock", _rosenbrock, _rosenbrock_grad,
                              _rosenbrock_hessian, np.array([-1.2, 1.0]),
                              0.0, 1e-3),
        "double well": Problem("double well", _double_well,
                               _double_well_grad, _double_well_hessian,
                               np.array([0.3, 1.0]), -0.25, 0.5),
    }


# ------------------------------------------------------------ optimisers
@dataclass
class Result:
    """What an optimiser did: where it ended and what it evaluated.

    ``iterations`` is the first iteration with ``f - f_min <= tol``, or -1
    if the budget ran out (or Newton stopped at a non-minimal stationary
    point) before that.
    """

    x: np.ndarray
    f: float
    iterations: int
    n_f: int
    n_grad: int
    n_hess: int
    path: np.ndarray

    def __repr__(self) -> str:
        return (f"Result(iterations={self.iterations}, n_f={self.n_f}, "
                f"n_grad={self.n_grad}, n_hess={self.n_hess}, f={self.f:.3g})")


def _check_problem(problem: object) -> Problem:
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    return problem


def _done(problem: Problem, x: np.ndarray, tol: float) -> bool:
    # the stopping test knows f_min; it is not counted as an evaluation
    return problem.f(x) - problem.f_min <= tol


def _result(problem, path, k, n_f=0, n_grad=0, n_hess=0) -> Result:
    path = np.array(path)  # path: [n_iterates, d]
    return Result(path[-1], problem.f(path[-1]), k, n_f, n_grad, n_hess, path)


def random_search(
    problem: Problem,
    sigma: float = 0.1,
    max_evals: int = 10_000,
    tol: float = 1e-8,
    adapt: bool = False,
    rng: RngLike = None,
) -> Result:
    """Black-box search: try ``x + sigma z``, keep it if ``f`` is not worse.

    Parameters
    ----------
    problem : Problem
        Only ``problem.f`` is used.
    sigma : float, default 0.1
        Step scale ``> 0`` (the initial one if ``adapt``).
    max_evals : int, default 10000
        Budget of function evaluations, ``>= 1``.
    tol : float, default 1e-8
        Stop when ``f - f_min <= tol``.
    adapt : bool, default False
        Adapt ``sigma`` by the 1/5 success rule (see `one_plus_one_es`).
    rng : int, numpy.random.Generator or None, default None
        Seed or generator of the Gaussian steps ``z``.

    Returns
    -------
    Result
        ``n_f`` counts every evaluation, including the one at ``x0``; the
        path holds the accepted points.

    Notes
    -----
    With ``z ~ N(0, I)``,

    .. math:: \\mathbf y = \\mathbf x + \\sigma \\mathbf z, \\qquad
              \\mathbf x \\leftarrow \\mathbf y \\text{ if } f(\\mathbf y)
              \\le f(\\mathbf x)

    References: `rastrigin1963`, `beyer2002`

    Examples
    --------
    >>> p = problems()["double well"]
    >>> r = random_search(p, max_evals=200, rng=0)
    >>> r.n_f, r.n_grad, r.iterations
    (200, 0, -1)
    """
    problem = _check_problem(problem)
    sigma = check_float(sigma, "sigma", minimum=0.0, strict=True)
    max_evals = check_int(max_evals, "max_evals", minimum=1)
    tol = check_float(tol, "tol", minimum=0.0)
    if not isinstance(adapt, bool):
        raise TypeError(f"adapt must be a bool, got {type(adapt).__name__}")
    rng = as_rng(rng)
    x = problem.x0.astype(float)
    fx, n_f, path = problem.f(x), 1, [x]
    while fx - problem.f_min > tol:
        if n_f >= max_evals:
            return _result(problem, path, -1, n_f=n_f)
        # y = x + sigma z, z ~ N(0, I)
        y = x + sigma * rng.standard_normal(x.size)
        fy, n_f = problem.f(y), n_f + 1
        success = fy <= fx
        if success:
            x, fx = y, fy
            path.append(x)
        if adapt:  # 1/5 rule: x1.5 on success, x1.5^(-1/4) on failure
            sigma *= 1.5 if success else 1.5 ** -0.25
    return _result(problem, path, n_f - 1, n_f=n_f)


def one_plus_one_es(
    problem: Problem,
    sigma: float = 0.1,
    max_evals: int = 10_000,
    tol: float = 1e-8,
    rng: RngLike = None,
) -> Result:
    """The (1+1) evolution strategy: `random_search` with the 1/5 success rule.

    Parameters
    ----------
    problem, sigma, max_evals, tol, rng
        As in `random_search`; ``sigma`` is the initial step.

    Returns
    -------
    Result
        As in `random_search`.

    Notes
    -----
    The step grows by 1.5 after a success and shrinks by ``1.5^(-1/4)``
    after a failure, so it is stationary when one trial in five succeeds
    (Rechenberg's rule):

    .. math:: 1.5^{p} \\cdot 1.5^{-(1 - p)/4} = 1 \\iff p = \\tfrac15

    References: `rechenberg1973`, `beyer2002`

    Examples
    --------
    >>> r = one_plus_one_es(problems()["double well"], rng=0)
    >>> r.iterations > 0, r.n_grad
    (True, 0)
    """
    return random_search(problem, sigma, max_evals, tol, adapt=True, rng=rng)


def gradient_descent(
    problem: Problem,
    lr: float | None = None,
    max_iter: int = 100_000,
    tol: float = 1e-8,
) -> Result:
    """First order: ``x <- x - lr grad f(x)``, one gradient per iteration.

    Parameters
    ----------
    problem : Problem
        Uses ``problem.grad``.
    lr : float or None, default None
        Learning rate ``> 0``; None takes ``problem.lr``.
    max_iter : int, default 100000
        Budget of iterations.
    tol : float, default 1e-8
        Stop when ``f - f_min <= tol``.

    Returns
    -------
    Result
        With ``n_grad = iterations`` (or the budget).

    Notes
    -----
    .. math:: \\mathbf x_{k+1} = \\mathbf x_k - \\eta\\, \\nabla f(\\mathbf x_k)

    References: `nocedal2006`

    Examples
    --------
    >>> gradient_descent(problems()["double well"])
    Result(iterations=13, n_f=0, n_grad=13, n_hess=0, f=-0.25)
    """
    problem = _check_problem(problem)
    lr = problem.lr if lr is None else check_float(lr, "lr", minimum=0.0, strict=True)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_float(tol, "tol", minimum=0.0)
    x = problem.x0.astype(float)
    path = [x]
    for k in range(max_iter):
        if _done(problem, x, tol):
            return _result(problem, path, k, n_grad=k)
        x = x - lr * problem.grad(x)  # x_{k+1} = x_k - lr grad f(x_k)
        path.append(x)
    k = max_iter if _done(problem, x, tol) else -1
    return _result(problem, path, k, n_grad=max_iter)


def newton(
    problem: Problem,
    max_iter: int = 100,
    tol: float = 1e-8,
    gtol: float = 1e-12,
) -> Result:
    """Second order: ``x <- x - H^-1 grad f``, a gradient and a Hessian per step.

    Pure Newton, without line search or any safeguard: it jumps to the
    stationary point of the local quadratic model, whether that point is
    a minimum, a saddle or a maximum.

    Parameters
    ----------
    problem : Problem
        Uses ``problem.grad`` and ``problem.hess``.
    max_iter : int, default 100
        Budget of iterations.
    tol : float, default 1e-8
        Stop when ``f - f_min <= tol``.
    gtol : float, default 1e-12
        Also stop when ``||grad f|| <= gtol``: a stationary point that is not
        the minimum (``iterations`` is then -1).

    Returns
    -------
    Result
        With one gradient and one Hessian per iteration.

    Notes
    -----
    Each step solves a linear system, ``O(d^3)`` work in ``d`` dimensions:

    .. math:: H(\\mathbf x_k)\\, \\mathbf s_k = -\\nabla f(\\mathbf x_k),
              \\qquad \\mathbf x_{k+1} = \\mathbf x_k + \\mathbf s_k

    References: `nocedal2006`

    Examples
    --------
    >>> newton(problems()["quadratic"])
    Result(iterations=1, n_f=0, n_grad=1, n_hess=1, f=0)
    """
    problem = _check_problem(problem)
    max_iter = check_int(max_iter, "max_iter", minimum=0)
    tol = check_float(tol, "tol", minimum=0.0)
    gtol = check_float(gtol, "gtol", minimum=0.0)
    x = problem.x0.astype(float)
    path, n = [x], 0
    while not _done(problem, x, tol):
        if n == max_iter:
            return _result(problem, path, -1, n_grad=n, n_hess=n)
        g = problem.grad(x)
        if np.linalg.norm(g) <= gtol:  # stationary, but not the minimum
            return _result(problem, path, -1, n_grad=n + 1, n_hess=n)
        # solve H s = -g, then x <- x + s
        x = x + np.linalg.solve(problem.hess(x), -g)
        path.append(x)
        n += 1
    return _result(problem, path, n, n_grad=n, n_hess=n)
