"""Unit tests for physdl_docs.vanishing (lesson 2.3).

References: finite differences of the activations, torch.autograd through
the same random networks (rebuilt here from the same random draws, with
torch.nn modules for the batch-norm net), closed-form Xavier/He variances
and the mean-field rate pi/(pi - 1) of Yang et al. (2019).
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
import torch

from physdl_docs import vanishing
from physdl_docs.vanishing import (
    ACTIVATIONS,
    YANG_RATE,
    activation_derivative,
    batchnorm_weight_gradients,
    clip_by_norm,
    gradient_norms,
    growth_rate,
    init_std,
)

TORCH_ACT = {
    "sigmoid": torch.sigmoid,
    "tanh": torch.tanh,
    "relu": torch.relu,
    "leaky_relu": lambda z: torch.nn.functional.leaky_relu(z, 0.01),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_derivatives_match_finite_differences(name):
    z = np.linspace(-4, 4, 81) + 0.013  # avoid the ReLU kink at 0
    phi = ACTIVATIONS[name][0]
    fd = (phi(z + 1e-6) - phi(z - 1e-6)) / 2e-6
    # phi' is the derivative of phi
    np.testing.assert_allclose(activation_derivative(name, z), fd, atol=1e-8)


def test_sigmoid_derivative_is_at_most_a_quarter():
    z = np.linspace(-10, 10, 20001)
    d = activation_derivative("sigmoid", z)
    # sigma' <= 1/4, with the maximum at z = 0
    assert d.max() == 0.25 and z[d.argmax()] == 0.0


def test_init_std_closed_forms():
    # Xavier: Var = 2 / (fan_in + fan_out)
    assert init_std("xavier", 300, 100) ** 2 == pytest.approx(2 / 400)
    # He: Var = 2 / fan_in for ReLU, 2 / ((1 + a^2) fan_in) for leaky ReLU
    assert init_std("he", 300, 100) ** 2 == pytest.approx(2 / 300)
    assert init_std("he", 300, 100, "leaky_relu") ** 2 == pytest.approx(2 / (1.0001 * 300))


def torch_norms(activation, depth, width, init, n_samples, residual, a, seed):
    """Same draws as gradient_norms, gradient from torch.autograd."""
    rng = np.random.default_rng(seed)
    std = init_std(init, width, width, activation)
    x = torch.tensor(rng.normal(size=(n_samples, width)), requires_grad=True)
    hs, h = [x], x
    for _ in range(depth):
        W = torch.tensor(rng.normal(0.0, std, size=(width, width)))
        z = h @ W.T
        h = h + a * TORCH_ACT[activation](z) if residual else TORCH_ACT[activation](z)
        h.retain_grad()
        hs.append(h)
    g_top = torch.tensor(rng.normal(size=(n_samples, width)))
    (h * g_top).sum().backward()
    norms = np.array([float(t.grad.norm()) for t in hs])
    return norms / norms[-1]


@pytest.mark.parametrize("activation,init,residual", [
    ("sigmoid", "xavier", False), ("tanh", "he", False),
    ("relu", "he", False), ("leaky_relu", "xavier", True), ("sigmoid", "he", True),
])
def test_gradient_norms_match_torch_autograd(activation, init, residual):
    ours = gradient_norms(activation, 6, 32, init=init, n_samples=8,
                          residual=residual, branch_scale=0.5, rng=3)
    ref = torch_norms(activation, 6, 32, init, 8, residual, 0.5, 3)
    # the hand-written backward pass is autograd's, layer by layer
    np.testing.assert_allclose(ours, ref, rtol=1e-10)


def test_ten_sigmoid_layers_shrink_the_gradient_to_5e_minus_7():
    r = gradient_norms("sigmoid", 10, 256, init="xavier", rng=0)
    # |g^0| / |g^10| = 5.0e-7 for this seed, the number lesson 2.3 prints
    assert r[0] == pytest.approx(5.0e-7, rel=0.02)
    factors = r[:-1] / r[1:]
    # every layer factor lies between 0.2 and the bound 1/4 (|W| ~ 1)
    assert np.all((factors > 0.2) & (factors < 0.25))
    # the total is the product of the layer factors
    assert np.prod(factors) == pytest.approx(r[0], rel=1e-10)


def test_relu_needs_he_scaling():
    xavier = gradient_norms("relu", 10, 256, init="xavier", rng=0)[0]
    he = gradient_norms("relu", 10, 256, init="he", rng=0)[0]
    # Xavier halves the squared norm per ReLU layer: 2^-5 after 10 layers
    assert xavier == pytest.approx(2 ** -5, rel=0.2)
    # He keeps it of order one
    assert 0.7 < he < 1.4


def test_residual_connections_keep_the_gradient_order_one():
    plain = gradient_norms("sigmoid", 50, 128, rng=1)[0]
    res = gradient_norms("sigmoid", 50, 128, residual=True,
                         branch_scale=50 ** -0.5, rng=1)[0]
    # the plain net loses ~30 orders of magnitude, the residual net none
    assert plain < 1e-20
    assert 0.5 < res < 2.0


def test_unscaled_relu_residual_blocks_explode():
    r = gradient_norms("relu", 10, 256, init="he", residual=True, rng=0)
    f2 = (r[:-1] / r[1:]) ** 2
    # identity + He branch: every block about doubles the squared norm
    assert np.all(f2 > 1.7)
    # so over 10 blocks the norm grows roughly like 2^(L/2) = 32
    assert 2 ** 5 * 0.7 < r[0] < 2 ** 5 * 1.6


def bn_reference(depth, width, batch_size, seed):
    """The same BN-ReLU net built from torch.nn modules, float64."""
    rng = np.random.default_rng(seed)
    std = math.sqrt(2.0 / width)
    x = torch.tensor(rng.normal(size=(batch_size, width)))
    layers = []
    for _ in range(depth):
        lin = torch.nn.Linear(width, width, bias=False).double()
        with torch.no_grad():
            lin.weight.copy_(torch.tensor(rng.normal(0.0, std, (width, width))))
        layers += [lin, torch.nn.BatchNorm1d(width, affine=False).double(),
                   torch.nn.ReLU()]
    v = torch.tensor(rng.normal(size=(batch_size, width)))
    net = torch.nn.Sequential(*layers).train()
    (net(x) * v).sum().backward()
    return np.array([float(m.weight.grad.pow(2).sum()) for m in layers[::3]])


def test_batchnorm_gradients_match_nn_modules():
    ours = batchnorm_weight_gradients(5, 16, 32, rng=4)
    ref = bn_reference(5, 16, 32, 4)
    # same net as Linear + BatchNorm1d + ReLU (float32 vs float64)
    np.testing.assert_allclose(ours, ref, rtol=1e-3)


def test_batchnorm_gradient_explodes_at_pi_over_pi_minus_one():
    rates = [growth_rate(batchnorm_weight_gradients(30, 256, 128, rng=s))
             for s in range(4)]
    # squared norm grows by pi/(pi - 1) = 1.467 per layer (Yang et al. 2019)
    assert np.mean(rates) == pytest.approx(YANG_RATE, abs=0.02)
    # without batch norm (He ReLU) there is no such growth
    r = gradient_norms("relu", 30, 256, init="he", n_samples=128, rng=0)
    assert abs(math.log(r[0]) / 30) < 0.05


def test_growth_rate_recovers_a_geometric_sequence():
    s = 3.0 * 1.5 ** -np.arange(20.0)
    # an exact geometric decay 1.5^-l is fitted exactly
    assert growth_rate(s) == pytest.approx(1.5, rel=1e-12)


def test_growth_rate_leaves_out_skip_layers_at_each_end():
    s = 3.0 * 1.5 ** -np.arange(20.0)
    s[:3] *= [50.0, 9.0, 4.0]  # boundary layers off the line
    s[-3:] /= [4.0, 9.0, 50.0]
    # skip=3 ignores exactly the distorted ends
    assert growth_rate(s, skip=3) == pytest.approx(1.5, rel=1e-12)
    # they are not ignored with a smaller skip
    assert growth_rate(s, skip=2) > 1.55 and growth_rate(s, skip=0) > 1.7


def test_clip_by_norm():
    g = np.array([3.0, -4.0])
    c = clip_by_norm(g, 1.0)
    # the norm is capped at max_norm, the direction kept
    assert np.linalg.norm(c) == pytest.approx(1.0)
    np.testing.assert_allclose(c * 5.0, g)
    # a small gradient passes unchanged
    np.testing.assert_array_equal(clip_by_norm(g, 10.0), g)
    # the input is not modified
    np.testing.assert_array_equal(g, [3.0, -4.0])


def test_seed_makes_results_reproducible():
    a = gradient_norms("tanh", 5, 16, rng=9)
    # the same seed gives the same numbers
    np.testing.assert_array_equal(a, gradient_norms("tanh", 5, 16, rng=9))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: activation_derivative("gelu", 0.0), ValueError, "activation must be one of"),
    (lambda: init_std("lecun", 3, 3), ValueError, "init must be one of"),
    (lambda: init_std("he", 0, 3), ValueError, "fan_in must be >= 1"),
    (lambda: gradient_norms("relu", 0, 8), ValueError, "depth must be >= 1"),
    (lambda: gradient_norms("relu", 2, 8.5), TypeError, "width must be an int"),
    (lambda: gradient_norms("relu", 2, 8, residual=1), TypeError, "residual must be a bool"),
    (lambda: gradient_norms("relu", 2, 8, branch_scale=0), ValueError, "branch_scale must be > 0"),
    (lambda: batchnorm_weight_gradients(4, 8, 1), ValueError, "batch_size must be >= 2"),
    (lambda: growth_rate([1.0, 2.0, 3.0]), ValueError, "sq_norms must have more than"),
    (lambda: growth_rate([1.0, -2.0, 3.0], skip=0), ValueError, "sq_norms must be positive"),
    (lambda: clip_by_norm([1.0], -1.0), ValueError, "max_norm must be > 0"),
    (lambda: vanishing.sigmoid("a"), TypeError, "z must be a numeric array"),
    (lambda: activation_derivative("tanh", [1j]), TypeError, "z must be real"),
    (lambda: growth_rate([1.0, 2.0, 3.0, 4.0], skip=1.0), TypeError, "skip must be an int"),
])
def test_bad_inputs_name_the_argument(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_docstring_examples():
    result = doctest.testmod(vanishing, optionflags=doctest.ELLIPSIS)
    # every Examples section runs and passes
    assert result.failed == 0 and result.attempted > 0
