"""Tests of physdl_docs.rnn against torch.nn cells and explicit Jacobians."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physdl_docs.rnn import (
    _recurrent,
    gradient_vs_lag,
    lstm_cell,
    lstm_forward,
    memory_task,
    rnn_cell,
    rnn_forward,
    train_memory,
)

T = torch.from_numpy


def _weights(module):
    """A torch cell's or layer's parameters as numpy arrays, in our order."""
    p = {k.removesuffix("_l0"): v.detach().numpy()
         for k, v in module.named_parameters()}
    return p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")


def _case(seed):
    """Random sizes; batched or not; with or without biases."""
    rng = np.random.default_rng(seed)
    B, D, H = (int(v) for v in rng.integers(1, 7, size=3))
    batch = (B,) if seed % 2 == 0 else ()
    return rng, batch, D, H, seed % 3 != 0


# -------------------------------------------------------------------- cells
@pytest.mark.parametrize("seed", range(10))
def test_rnn_cell_equals_torch_rnncell(seed):
    rng, batch, D, H, bias = _case(seed)
    cell = torch.nn.RNNCell(D, H, bias=bias, dtype=torch.float64)
    x = rng.standard_normal((*batch, D))
    h = rng.standard_normal((*batch, H))
    with torch.no_grad():
        ref = cell(T(x), T(h)).numpy()
    # tanh(W_ih x + b_ih + W_hh h + b_hh) with torch's weights, float64
    np.testing.assert_allclose(rnn_cell(x, h, *_weights(cell)), ref,
                               rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(10))
def test_lstm_cell_equals_torch_lstmcell(seed):
    rng, batch, D, H, bias = _case(seed)
    cell = torch.nn.LSTMCell(D, H, bias=bias, dtype=torch.float64)
    with torch.no_grad():  # larger biases: gates away from 1/2
        for p in cell.parameters():
            p.mul_(3.0)
    x = rng.standard_normal((*batch, D))
    h, c = rng.standard_normal((2, *batch, H))
    with torch.no_grad():
        h_ref, c_ref = (v.numpy() for v in cell(T(x), (T(h), T(c))))
    h1, c1 = lstm_cell(x, h, c, *_weights(cell))
    # gates in torch's order (i, f, g, o): both states agree
    np.testing.assert_allclose(h1, h_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c1, c_ref, rtol=0, atol=1e-12)


def test_lstm_cell_by_hand():
    # one unit, D = 1; gate pre-activations z = W_ih x (no h, no bias)
    W_ih = np.array([[0.3], [-1.2], [2.0], [0.7]])  # i, f, g, o
    h, c = lstm_cell([[1.0]], [[0.0]], [[0.5]], W_ih, np.zeros((4, 1)))

    def s(z):
        return 1 / (1 + np.exp(-z))

    c_ref = s(-1.2) * 0.5 + s(0.3) * np.tanh(2.0)  # f c + i g
    # c_t = f c_{t-1} + i g and h_t = o tanh(c_t)
    assert c[0, 0] == pytest.approx(c_ref, abs=1e-15)
    assert h[0, 0] == pytest.approx(s(0.7) * np.tanh(c_ref), abs=1e-15)


def test_sigmoid_form_is_stable_for_large_inputs():
    W_ih = np.array([[800.0], [-800.0], [1.0], [800.0]])
    with np.errstate(over="raise"):
        h, c = lstm_cell([[1.0]], [[0.0]], [[3.0]], W_ih, np.zeros((4, 1)))
    # f = 0, i = o = 1 exactly, and no overflow warning
    assert c[0, 0] == np.tanh(1.0) and h[0, 0] == np.tanh(np.tanh(1.0))


# --------------------------------------------------------------- unrolling
@pytest.mark.parametrize("seed", range(4))
def test_rnn_forward_equals_torch_rnn(seed):
    rng, _, D, H, bias = _case(seed)
    net = torch.nn.RNN(D, H, bias=bias, dtype=torch.float64)
    xs = rng.standard_normal((7, 3, D))
    h0 = rng.standard_normal((3, H))
    with torch.no_grad():
        ref, h_n = net(T(xs), T(h0)[None])
    hs = rnn_forward(xs, h0, *_weights(net))
    # every step of the unrolled network, and the final state
    np.testing.assert_allclose(hs, ref.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(hs[-1], h_n[0].numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(4))
def test_lstm_forward_equals_torch_lstm(seed):
    rng, _, D, H, bias = _case(seed)
    net = torch.nn.LSTM(D, H, bias=bias, dtype=torch.float64)
    xs = rng.standard_normal((6, 2, D))
    h0, c0 = rng.standard_normal((2, 2, H))
    with torch.no_grad():
        ref, (h_n, c_n) = net(T(xs), (T(h0)[None], T(c0)[None]))
    hs, cs = lstm_forward(xs, h0, c0, *_weights(net))
    # hidden states at every step, final hidden and cell state
    np.testing.assert_allclose(hs, ref.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(cs[-1], c_n[0].numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(hs[-1], h_n[0].numpy(), rtol=0, atol=1e-12)


def test_zero_initial_state_is_the_default():
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((4, 2, 3))
    W_ih, W_hh = rng.standard_normal((8, 3)), rng.standard_normal((8, 2))
    # h0 = c0 = None means zeros
    a = lstm_forward(xs, None, None, W_ih, W_hh)
    b = lstm_forward(xs, np.zeros((2, 2)), np.zeros((2, 2)), W_ih, W_hh)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(rnn_forward(xs, None, W_ih[:2], W_hh[:2,]),
                                  rnn_forward(xs, np.zeros((2, 2)),
                                              W_ih[:2], W_hh[:2]))


# ------------------------------------------------- gradient through time
def test_gradient_vs_lag_equals_the_product_of_jacobians():
    # rebuild the same network and inputs, then multiply Jacobians in numpy
    Tn, H, D, B, seed = 12, 5, 3, 4, 7
    g = gradient_vs_lag("rnn", T=Tn, hidden=H, n_inputs=D, batch=B,
                        seed=seed)
    gen = torch.Generator().manual_seed(seed)
    net = _recurrent("rnn", D, H, 0.0, False, gen, torch.float64)
    x = torch.randn(Tn, B, D, generator=gen, dtype=torch.float64).numpy()
    u = torch.randn(H, generator=gen, dtype=torch.float64).numpy()
    W_ih, W_hh, b_ih, b_hh = _weights(net)
    hs = rnn_forward(x, None, W_ih, W_hh, b_ih, b_hh)  # [T, B, H]
    v = np.tile(u / np.linalg.norm(u), (B, 1))  # d(u.h_T)/dh_T: [B, H]
    expected = []
    for t in range(Tn - 1, -1, -1):  # lags 0, 1, ..., T-1
        a = v * (1 - hs[t] ** 2)  # through tanh' at step t
        expected.append(np.sqrt(np.mean(np.sum((a @ W_ih) ** 2, axis=1))))
        v = a @ W_hh  # one step back: d/dh_{t-1}
    # autograd's gradient is the product of step Jacobians, lag-ordered
    np.testing.assert_allclose(g, expected, rtol=1e-10)


def test_rnn_gradient_vanishes_and_lstm_with_open_forget_gate_keeps_it():
    rnn = gradient_vs_lag("rnn", T=60)
    lstm0 = gradient_vs_lag("lstm", T=60)
    lstm5 = gradient_vs_lag("lstm", T=60, forget_bias=5.0)
    # default init: both shrink by many orders of magnitude over 59 steps
    assert rnn[59] < 1e-10 * rnn[0] and lstm0[59] < 1e-10 * lstm0[0]
    # forget gate near 1 (sigma(5) = 0.993): less than 100x over 59 steps
    assert lstm5[59] > 1e-2 * lstm5[0]


def test_lstm_gradient_decay_is_set_by_the_forget_gate():
    ratios = [gradient_vs_lag("lstm", T=60, forget_bias=b)
              for b in (0.0, 2.0, 5.0)]
    kept = [g[59] / g[0] for g in ratios]
    # the more open the forget gate, the more gradient survives 59 steps
    assert kept[0] < kept[1] < kept[2]
    # f ~ 1/2: about 0.6 per step, like the plain RNN's 0.5
    rate = np.exp(np.polyfit(np.arange(1, 60), np.log(ratios[0][1:]), 1)[0])
    assert 0.5 < rate < 0.7


# ---------------------------------------------------------- memory task
def test_memory_task_layout():
    x, y = memory_task(50, 6, n_classes=3, n_noise=2, rng=1)
    assert x.shape == (6, 50, 5) and x.dtype == np.float32
    # step 1: one-hot label and no noise; later: noise only, no symbols
    np.testing.assert_array_equal(x[0, :, :3], np.eye(3)[y])
    assert not x[0, :, 3:].any() and not x[1:, :, :3].any()
    assert x[1:, :, 3:].std() > 0.8
    # reproducible from the seed
    np.testing.assert_array_equal(memory_task(50, 6, 3, 2, rng=1)[0], x)


def test_train_memory_learns_a_short_lag_and_reports_losses():
    acc, losses = train_memory("lstm", T=5, steps=40, seed=1)
    # a 4-step lag is easy: the loss falls from ln 2 and accuracy is ~1
    assert len(losses) == 40 and losses[0] == pytest.approx(np.log(2), 0.1)
    assert acc > 0.95 and losses[-1] < 0.3 * losses[0]


def test_train_memory_starts_from_zero_biases_and_the_forget_bias(monkeypatch):
    import physdl_docs.rnn as rnn

    start, build = {}, rnn._recurrent

    def spy(*args, **kwargs):  # record the network's parameters before training
        net = build(*args, **kwargs)
        start.update({k: v.detach().clone() for k, v in net.named_parameters()})
        return net

    monkeypatch.setattr(rnn, "_recurrent", spy)
    H = 6
    train_memory("lstm", T=3, hidden=H, steps=1, batch=4, forget_bias=2.5)
    forget = torch.zeros(4 * H)
    forget[H:2 * H] = 2.5  # gates stacked (i, f, g, o): rows H..2H
    # LSTM: biases zero except the forget gate's, which starts at forget_bias
    assert torch.equal(start["bias_ih_l0"], forget)
    assert torch.equal(start["bias_hh_l0"], torch.zeros(4 * H))
    # weights drawn from U(-1/sqrt(H), 1/sqrt(H)), PyTorch's default range
    w = torch.cat([start["weight_ih_l0"].ravel(), start["weight_hh_l0"].ravel()])
    assert w.abs().max() <= H**-0.5 and w.std() > 0.3 * H**-0.5
    start.clear()
    train_memory("rnn", T=3, hidden=H, steps=1, batch=4, forget_bias=2.5)
    # RNN: both biases zero; forget_bias does not apply
    assert torch.equal(start["bias_ih_l0"], torch.zeros(H))
    assert torch.equal(start["bias_hh_l0"], torch.zeros(H))


def test_train_memory_warns_when_training_diverges():
    # an absurd learning rate drives the loss to inf or NaN
    with pytest.warns(RuntimeWarning, match="diverged"):
        train_memory("rnn", T=3, steps=5, lr=1e37)


# --------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: rnn_cell(np.ones((2, 3)), np.ones((2, 4)), np.ones((4, 2)),
                          np.ones((4, 4))), ValueError, "W_ih must have shape"),
        (lambda: rnn_cell(np.ones((2, 3)), np.ones((3, 4)), np.ones((4, 3)),
                          np.ones((4, 4))), ValueError, "h must have the batch"),
        (lambda: rnn_cell(np.ones((2, 3)), np.ones(4), np.ones((4, 3)),
                          np.ones((4, 4))), ValueError, "h must be a 2-D"),
        (lambda: lstm_cell(np.ones(3), np.ones(2), np.ones(2), np.ones((2, 3)),
                           np.ones((2, 2))), ValueError, "W_ih must have shape"),
        (lambda: lstm_cell(np.ones(3), np.ones(2), np.ones(3), np.ones((8, 3)),
                           np.ones((8, 2))), ValueError, "c must have shape"),
        (lambda: lstm_cell(np.ones(3), np.ones(2), np.ones(2), np.ones((8, 3)),
                           np.ones((8, 2)), np.ones(4)), ValueError,
         "b_ih must have shape"),
        (lambda: rnn_cell(np.ones(3) * 1j, np.ones(2), np.ones((2, 3)),
                          np.ones((2, 2))), TypeError, "x must be real"),
        (lambda: rnn_forward(np.ones((3, 2)), None, np.ones((2, 2)),
                             np.ones((2, 2))), ValueError, "xs must be a 3-D"),
        (lambda: rnn_forward(np.ones((0, 2, 2)), None, np.ones((2, 2)),
                             np.ones((2, 2))), ValueError, "xs must have at"),
        (lambda: gradient_vs_lag("gru"), ValueError, "kind must be one of"),
        (lambda: gradient_vs_lag("rnn", T=0), ValueError, "T must be >= 1"),
        (lambda: gradient_vs_lag("rnn", T=5.0), TypeError, "T must be an int"),
        (lambda: memory_task(4, 5, n_classes=1), ValueError,
         "n_classes must be >= 2"),
        (lambda: train_memory("lstm", lr=0.0), ValueError, "lr must be > 0"),
        (lambda: train_memory("lstm", steps=True), TypeError,
         "steps must be an int"),
    ],
)
def test_bad_inputs_name_the_argument(call, error, pattern):
    # the message names the offending argument
    with pytest.raises(error, match=pattern):
        call()


def test_inputs_are_not_modified():
    rng = np.random.default_rng(4)
    x, h, c = rng.standard_normal((3, 2, 3))
    W_ih, W_hh = rng.standard_normal((12, 3)), rng.standard_normal((12, 3))
    copies = [v.copy() for v in (x, h, c, W_ih, W_hh)]
    lstm_cell(x, h, c, W_ih, W_hh)
    rnn_cell(x, h, W_ih[:3], W_hh[:3])
    # nothing is changed in place
    for v, v0 in zip((x, h, c, W_ih, W_hh), copies):
        np.testing.assert_array_equal(v, v0)
