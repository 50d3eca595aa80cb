"""Unit tests for physdl_docs.activations (lesson 3.5).

Independent references: ``torch.nn.functional`` in float64 for values,
``torch.autograd`` for derivatives, ``math.erf`` for the normal CDF,
``scipy.optimize`` for the GELU minimum and central finite differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from scipy.optimize import minimize_scalar

from physdl_docs.activations import (
    gelu,
    gelu_approximation_error,
    gelu_grad,
    gelu_minimum,
    leaky_relu,
    leaky_relu_grad,
    relu,
    relu_grad,
    silu,
    silu_grad,
)

X = np.linspace(-8.0, 8.0, 1601)  # contains 0 exactly
T = torch.from_numpy(X)


def autograd(f, x: np.ndarray) -> np.ndarray:
    t = torch.tensor(x, requires_grad=True)
    (g,) = torch.autograd.grad(f(t).sum(), t)
    return g.numpy()


@pytest.mark.parametrize(
    "ours, theirs",
    [(relu, F.relu),
     (lambda x: leaky_relu(x, 0.2), lambda t: F.leaky_relu(t, 0.2)),
     (gelu, lambda t: F.gelu(t, approximate="none")),
     (lambda x: gelu(x, "tanh"), lambda t: F.gelu(t, approximate="tanh")),
     (silu, F.silu)],
)
def test_values_equal_torch(ours, theirs):
    # same function as PyTorch in float64
    np.testing.assert_allclose(ours(X), theirs(T).numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize(
    "ours, theirs",
    [(relu_grad, F.relu),
     (lambda x: leaky_relu_grad(x, 0.2), lambda t: F.leaky_relu(t, 0.2)),
     (gelu_grad, lambda t: F.gelu(t, approximate="none")),
     (lambda x: gelu_grad(x, "tanh"), lambda t: F.gelu(t, approximate="tanh")),
     (silu_grad, F.silu)],
)
def test_derivatives_equal_autograd_including_zero(ours, theirs):
    # closed-form derivatives agree with autograd everywhere, also at x = 0
    np.testing.assert_allclose(ours(X), autograd(theirs, X), rtol=0, atol=1e-12)


def test_sigmoid_form_derivative_by_finite_differences():
    x, h = np.linspace(-6, 6, 121), 1e-6
    fd = (gelu(x + h, "sigmoid") - gelu(x - h, "sigmoid")) / (2 * h)
    # no torch counterpart: central differences, error O(h^2)
    np.testing.assert_allclose(gelu_grad(x, "sigmoid"), fd, atol=1e-8)


def test_gelu_is_x_times_normal_cdf():
    Phi = np.array([0.5 * (1 + math.erf(v / math.sqrt(2))) for v in X])
    # GELU(x) = x Phi(x) with Phi the standard normal CDF
    np.testing.assert_allclose(gelu(X), X * Phi, atol=1e-14)
    # g(x) - g(-x) = x for every form (Phi(x) + Phi(-x) = 1)
    for a in ("none", "tanh", "sigmoid"):
        np.testing.assert_allclose(gelu(X, a) - gelu(-X, a), X, atol=1e-12)


def test_relu_kink_matches_each_torch_spelling():
    z = np.zeros(1)
    # relu'(0) = 0 like torch.relu
    assert relu_grad(z)[0] == autograd(torch.relu, z)[0] == 0.0
    # clamp(min=0) takes the right derivative, maximum splits it
    assert autograd(lambda t: torch.clamp(t, min=0), z)[0] == 1.0
    assert autograd(lambda t: torch.maximum(t, torch.zeros_like(t)), z)[0] == 0.5
    # leaky ReLU uses the negative slope at 0, like torch
    assert leaky_relu_grad(z, 0.3)[0] == autograd(
        lambda t: F.leaky_relu(t, 0.3), z)[0] == pytest.approx(0.3)


def test_published_gelu_numbers():
    err, x_at = gelu_approximation_error("tanh")
    # tanh form: max error 4.7e-4 near |x| = 2.7 (Hendrycks & Gimpel)
    assert round(err, 5) == 0.00047 and abs(x_at) == pytest.approx(2.70, abs=0.01)
    e = gelu(X, "tanh") - gelu(X)  # signed error; X is symmetric about 0
    # the error is even, e(-x) = e(x) (not odd), so the maximum appears at +-x
    np.testing.assert_allclose(e, e[::-1], rtol=0, atol=1e-12)
    assert np.abs(e).max() > 1e-4  # and not trivially zero
    err, x_at = gelu_approximation_error("sigmoid")
    # x sigmoid(1.702 x): max error 2.0e-2
    assert round(err, 3) == 0.020
    x_min, g_min = gelu_minimum()
    ref = minimize_scalar(lambda v: float(gelu(v)), bracket=(-2, -0.5, 0))
    # minimum -0.170 at -0.752, as found by an independent minimiser
    assert x_min == pytest.approx(ref.x, abs=1e-6)
    assert g_min == pytest.approx(ref.fun, abs=1e-12)
    assert (round(x_min, 3), round(g_min, 3)) == (-0.752, -0.17)


def test_shapes_and_inputs_not_modified():
    x = np.array([[-1.0, 0.0], [0.5, 2.0]])
    before = x.copy()
    for f in (relu, relu_grad, leaky_relu, gelu, gelu_grad, silu, silu_grad):
        # elementwise: same shape out, input untouched
        assert f(x).shape == x.shape
        np.testing.assert_array_equal(x, before)


def test_bad_inputs_raise_naming_the_argument():
    with pytest.raises(ValueError, match="approximate must be one of"):
        gelu([1.0], approximate="erf")
    with pytest.raises(ValueError, match="approximate must be one of"):
        gelu_grad([1.0], approximate="Tanh")
    with pytest.raises(ValueError, match="negative_slope must be >= 0"):
        leaky_relu([1.0], negative_slope=-0.1)
    with pytest.raises(ValueError, match="x must contain only finite"):
        relu([np.nan])
    with pytest.raises(TypeError, match="x must be a numeric array"):
        silu("abc")
    with pytest.raises(ValueError, match="x_max must be > 0"):
        gelu_approximation_error("tanh", x_max=0.0)


@pytest.mark.parametrize("f", [relu, relu_grad, leaky_relu, leaky_relu_grad, gelu,
                               gelu_grad, silu, silu_grad])
def test_complex_and_missing_input_raise_type_errors(f):
    # complex input is refused, not silently cut to its real part
    with pytest.raises(TypeError, match="x must be real"):
        f(np.array([1.0 + 2.0j]))
    # None is not an array of numbers (numpy would turn it into NaN)
    with pytest.raises(TypeError, match="x must be a numeric array, got NoneType"):
        f(None)
    # nor is a string
    with pytest.raises(TypeError, match="x must be a numeric array, got str"):
        f("1.5")
