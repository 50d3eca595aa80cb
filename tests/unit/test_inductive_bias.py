"""Tests of physdl_docs.inductive_bias against torch and closed forms."""

import math

import numpy as np
import pytest
import torch

from physdl_docs.inductive_bias import (
    CoordinateMLP,
    adam_step,
    derivatives,
    fit_adam,
    frequency_residuals,
    learning_steps,
    mse_gradients,
    psnr,
    sum_of_sines,
    weight_bounds,
)


def _torch_net(net: CoordinateMLP) -> torch.nn.Sequential:
    """The same network in torch (float64), with copied weights."""
    layers = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases), start=1):
        lin = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(W.astype(np.float64)))
            lin.bias.copy_(torch.from_numpy(b.astype(np.float64)))
        layers.append(lin)
        if l < len(net.weights):
            layers.append({"relu": torch.nn.ReLU(), "tanh": torch.nn.Tanh(),
                           "sine": _Sine(net.omega0)}[net.hidden])
    return torch.nn.Sequential(*layers)


class _Sine(torch.nn.Module):
    """The SIREN layer's nonlinearity sin(omega0 z) (Sitzmann et al.)."""

    def __init__(self, omega0: float) -> None:
        super().__init__()
        self.omega0 = omega0

    def forward(self, z):
        return torch.sin(self.omega0 * z)


def test_weight_bounds_formulas():
    sizes = [3, 64, 16, 1]
    # SIREN: 1/n in the first layer, sqrt(6/n)/omega0 after
    assert weight_bounds(sizes, "siren", 30.0) == pytest.approx(
        [1 / 3, math.sqrt(6 / 64) / 30, math.sqrt(6 / 16) / 30], rel=1e-15)
    # He uniform: variance c^2/3 = 2/n
    assert weight_bounds(sizes, "he") == pytest.approx(
        [math.sqrt(6 / n) for n in (3, 64, 16)], rel=1e-15)
    # torch.nn.Linear's default: 1/sqrt(n)
    assert weight_bounds(sizes, "default") == pytest.approx(
        [1 / math.sqrt(n) for n in (3, 64, 16)], rel=1e-15)


def test_default_bound_is_torch_linear_default():
    torch.manual_seed(0)
    lin = torch.nn.Linear(50, 400)
    # torch draws U(-1/sqrt(n), 1/sqrt(n)): its largest weight is just below
    c = weight_bounds([50, 400], "default")[0]
    assert lin.weight.abs().max().item() == pytest.approx(c, rel=1e-3)
    assert lin.weight.abs().max().item() <= c


@pytest.mark.parametrize("init", ["siren", "he", "default"])
def test_init_draws_inside_the_bounds(init):
    sizes = [2, 256, 256, 1]
    net = CoordinateMLP(sizes, "sine", init=init, rng=1)
    for W, b, c, n in zip(net.weights, net.biases,
                          weight_bounds(sizes, init), sizes[:-1]):
        assert W.dtype == np.float32 and b.dtype == np.float32  # float32 net
        a = np.abs(W.astype(np.float64))
        # uniform on [-c, c]: inside, the largest near c, variance c^2/3
        assert a.max() <= c * (1 + 1e-6)
        if W.size > 100:
            assert a.max() > 0.95 * c
            assert np.mean(W.astype(np.float64) ** 2) == pytest.approx(
                c**2 / 3, rel=0.1)
        # biases: torch.nn.Linear's U(-1/sqrt(n), 1/sqrt(n))
        assert np.abs(b).max() <= 1 / math.sqrt(n) * (1 + 1e-6)
        if b.size > 100:
            assert np.abs(b).max() > 0.95 / math.sqrt(n)


def test_init_defaults_and_seed():
    # each activation gets its natural init; the seed fixes the weights
    assert CoordinateMLP([1, 4, 1], "sine").init == "siren"
    assert CoordinateMLP([1, 4, 1], "relu").init == "he"
    a, b = CoordinateMLP([1, 4, 1], rng=3), CoordinateMLP([1, 4, 1], rng=3)
    assert all(np.array_equal(u, v) for u, v in zip(a.weights, b.weights))


@pytest.mark.parametrize("activation", ["relu", "sine", "tanh"])
def test_forward_and_gradients_match_torch(activation):
    rng = np.random.default_rng(0)
    net = CoordinateMLP([2, 7, 5, 3], activation, rng=4)
    X = rng.uniform(-1, 1, size=(11, 2))
    y = rng.normal(size=(11, 3))
    tnet = _torch_net(net)
    Xt = torch.from_numpy(X.astype(np.float32).astype(np.float64))
    out = tnet(Xt)
    loss = torch.mean((out - torch.from_numpy(y)) ** 2)
    loss.backward()
    # forward pass: the float32 network against float64 torch
    np.testing.assert_allclose(net.predict(X), out.detach().numpy(),
                               rtol=1e-4, atol=1e-5)
    mse, grads = mse_gradients(net, X, y)
    # MSE and d MSE / d(W, b) equal torch.autograd's
    assert mse == pytest.approx(loss.item(), rel=1e-5)
    lins = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    expected = [m.weight.grad for m in lins] + [m.bias.grad for m in lins]
    for g, e in zip(grads, expected):
        np.testing.assert_allclose(g, e.numpy(), rtol=2e-4, atol=1e-6)


def test_adam_step_matches_torch_adam():
    rng = np.random.default_rng(1)
    params = [rng.normal(size=(3, 4)), rng.normal(size=5)]
    tparams = [torch.tensor(p, requires_grad=True) for p in params]
    opt = torch.optim.Adam(tparams, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    for t in range(1, 8):
        grads = [rng.normal(size=p.shape) * 10.0 ** -t for p in params]
        for tp, g in zip(tparams, grads):
            tp.grad = torch.from_numpy(g.copy())
        opt.step()
        adam_step(params, grads, m, v, t, lr=0.01, betas=(0.8, 0.99), eps=1e-6)
        # the same parameters after every step (tiny gradients test eps)
        for p, tp in zip(params, tparams):
            np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-12,
                                       atol=1e-14)


def test_fit_adam_matches_torch_training():
    rng = np.random.default_rng(2)
    net = CoordinateMLP([1, 6, 6, 1], "sine", rng=5)
    tnet = _torch_net(net)
    X = rng.uniform(-1, 1, size=(9, 1))
    y = np.sin(3 * X)
    opt = torch.optim.Adam(tnet.parameters(), lr=1e-3)
    Xt = torch.from_numpy(X.astype(np.float32).astype(np.float64))
    losses = []
    for _ in range(5):
        loss = torch.mean((tnet(Xt) - torch.from_numpy(y)) ** 2)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    h = fit_adam(net, X, y, steps=5, lr=1e-3)
    # the recorded loss is the MSE before each step, as in torch
    np.testing.assert_allclose(h.loss, losses, rtol=1e-5)
    # and the weights after five steps agree
    lins = [m for m in tnet if isinstance(m, torch.nn.Linear)]
    for W, lin in zip(net.weights, lins):
        np.testing.assert_allclose(W, lin.weight.detach().numpy(), rtol=1e-4,
                                   atol=1e-6)


def test_fit_adam_records_outputs():
    net = CoordinateMLP([1, 8, 1], rng=0)
    x = np.linspace(-1, 1, 12)[:, None]
    before = net.predict(x)[:, 0]
    h = fit_adam(net, x, x**2, steps=25, lr=1e-2, record_every=10)
    # records at steps 0, 10, 20; the first is the untrained output
    assert h.steps.tolist() == [0, 10, 20]
    assert h.outputs.shape == (3, 12)
    np.testing.assert_allclose(h.outputs[0], before, rtol=1e-6)
    # the recorded output gives the recorded loss
    assert h.loss[10] == pytest.approx(
        np.mean((h.outputs[1] - x[:, 0] ** 2) ** 2), rel=1e-5)
    assert fit_adam(net, x, x, steps=2).outputs.shape == (0, 12)


def test_fit_adam_warns_on_divergence():
    net = CoordinateMLP([1, 8, 8, 1], "relu", rng=0)
    x = np.linspace(-1, 1, 8)[:, None]
    # Adam's step is about lr per weight: 1e30 overflows float32
    with pytest.warns(RuntimeWarning, match="diverged"), \
            np.errstate(all="ignore"):
        fit_adam(net, x, x, steps=5, lr=1e30)


def _abs_net() -> CoordinateMLP:
    """A ReLU net computing |x| = relu(x) + relu(-x) exactly."""
    net = CoordinateMLP([1, 2, 1], "relu", rng=0)
    net.weights = [np.array([[1.0], [-1.0]], np.float32),
                   np.array([[1.0, 1.0]], np.float32)]
    net.biases = [np.zeros(2, np.float32), np.zeros(1, np.float32)]
    return net


def test_relu_derivative_at_the_kink_is_zero_as_in_torch():
    net = _abs_net()
    _, grads = mse_gradients(net, [[0.0]], [[1.0]])
    tnet = _torch_net(net)
    loss = torch.mean((tnet(torch.zeros(1, 1, dtype=torch.float64)) - 1) ** 2)
    loss.backward()
    # at z = 0 both hidden units get relu'(0) = 0: no bias gradient
    np.testing.assert_array_equal(grads[2], tnet[0].bias.grad.numpy())
    np.testing.assert_array_equal(grads[2], [0.0, 0.0])


def test_derivatives_of_a_known_polyline():
    slope, curv = derivatives(_abs_net(), [-3.0, 0.0, 5.0], h=1.0)
    # |x|: slope -1 and 1 away from the kink, 0 (by symmetry) at it
    np.testing.assert_allclose(slope, [-1.0, 0.0, 1.0], atol=1e-12)
    # (|h| - 0 + |-h|) / h^2 = 2/h at the kink, 0 elsewhere
    np.testing.assert_allclose(curv, [0.0, 2.0, 0.0], atol=1e-12)
    _, curv = derivatives(_abs_net(), [0.0], h=0.5)
    assert curv[0] == pytest.approx(4.0)  # 2 / h


def test_derivatives_of_a_smooth_net_match_autograd():
    net = CoordinateMLP([1, 16, 1], "tanh", rng=2)
    tnet = _torch_net(net)
    x = torch.tensor([0.3, -0.7], dtype=torch.float64, requires_grad=True)
    f = tnet(x[:, None])[:, 0]
    (d1,) = torch.autograd.grad(f.sum(), x, create_graph=True)
    (d2,) = torch.autograd.grad(d1.sum(), x)
    slope, curv = derivatives(net, [0.3, -0.7], h=0.01)
    # central differences are second-order accurate
    np.testing.assert_allclose(slope, d1.detach().numpy(), rtol=1e-3)
    np.testing.assert_allclose(curv, d2.numpy(), rtol=0.05, atol=0.02)


def test_psnr_closed_form():
    y = np.array([0.0, 2.0, 1.0, 1.0])
    # range 2, MSE 0.01: 10 log10(4 / 0.01)
    assert psnr(y + 0.1, y) == pytest.approx(10 * math.log10(400))
    with pytest.warns(RuntimeWarning, match="infinite"):
        assert psnr(y, y) == math.inf


def test_sum_of_sines_is_exact_fourier_bins():
    x = np.linspace(-1, 1, 64, endpoint=False)
    y = sum_of_sines(x, [1, 5, 9], rng=3)
    amp = np.abs(np.fft.rfft(y))
    # amplitude N/2 = 32 in bins 1, 5, 9 and nothing elsewhere
    np.testing.assert_allclose(amp[[1, 5, 9]], 32.0, rtol=1e-12)
    assert np.delete(amp, [1, 5, 9]).max() < 1e-10
    # the phases come from the seed
    np.testing.assert_array_equal(y, sum_of_sines(x, [1, 5, 9], rng=3))


def test_frequency_residuals_of_partial_fits():
    x = np.linspace(-1, 1, 32, endpoint=False)
    y = sum_of_sines(x, [2, 6], rng=0)
    half = y - 0.5 * sum_of_sines(x, [2, 6], rng=0)
    res = frequency_residuals([np.zeros(32), y, half], y, [2, 6])
    # nothing learned: 1; exact: 0; half of every component: 0.5
    np.testing.assert_allclose(res, [[1, 1], [0, 0], [0.5, 0.5]], atol=1e-12)
    # |FFT(y - f)|, not a difference of magnitudes: the right amplitudes with
    # the wrong sign leave twice each component
    np.testing.assert_allclose(frequency_residuals([-y], y, [2, 6]), [[2, 2]], atol=1e-12)


def test_learning_steps():
    res = np.array([[1.0, 1.0], [0.4, 0.9], [0.2, 0.6], [0.05, 0.45]])
    # first record strictly below the threshold; nan if never
    np.testing.assert_array_equal(
        learning_steps(res, [0, 10, 20, 30], threshold=0.5), [10.0, 30.0])
    out = learning_steps(res, [0, 10, 20, 30], threshold=0.1)
    assert out[0] == 30.0 and np.isnan(out[1])


@pytest.mark.parametrize("call, name", [
    (lambda: CoordinateMLP([1, 4, 1], "gelu"), "activation"),
    (lambda: CoordinateMLP([1, 4, 1], init="xavier"), "init"),
    (lambda: CoordinateMLP([1, 4, 1], omega0=0.0), "omega0"),
    (lambda: CoordinateMLP([1], rng=0), "sizes"),
    (lambda: weight_bounds([1, 0, 1]), "sizes"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 2)),
                      np.ones((3, 1))), "X"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 1)),
                      np.ones((2, 1))), "y"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 1)),
                      np.ones((3, 1)), steps=0), "steps"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 1)),
                      np.ones((3, 1)), lr=-1.0), "lr"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 1)),
                      np.ones((3, 1)), record_every=-1), "record_every"),
    (lambda: derivatives(CoordinateMLP([2, 4, 1]), [0.0]), "net"),
    (lambda: derivatives(CoordinateMLP([1, 4, 1]), [0.0], h=0.0), "h"),
    (lambda: psnr([1.0, 2.0], [1.0, 1.0]), "target"),
    (lambda: psnr([1.0], [1.0, 2.0]), "prediction"),
    (lambda: frequency_residuals(np.ones((2, 8)), np.arange(8.0), [5]),
     "freqs"),
    (lambda: frequency_residuals(np.ones((2, 7)), np.arange(8.0), [1]),
     "outputs"),
    (lambda: learning_steps([[1.0]], [0], threshold=0.0), "threshold"),
])
def test_bad_input_raises_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: CoordinateMLP([1, 4, 1], rng=1.5), "rng"),
    (lambda: CoordinateMLP([1, 4.0, 1]), "sizes"),
    (lambda: fit_adam("net", np.ones((3, 1)), np.ones((3, 1))), "net"),
    (lambda: fit_adam(CoordinateMLP([1, 4, 1]), np.ones((3, 1)),
                      np.ones((3, 1)), steps=True), "steps"),
    (lambda: sum_of_sines(np.ones(4), [1.5]), "freqs"),
    (lambda: psnr(np.ones(2), np.array([1 + 1j, 2])), "target"),
])
def test_bad_types_raise_type_error(call, name):
    with pytest.raises(TypeError, match=name):
        call()
