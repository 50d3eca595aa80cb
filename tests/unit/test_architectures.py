"""Tests of physdl_docs.architectures against torch.nn.functional and counts."""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from physdl_docs.architectures import (
    EncoderDecoder,
    MLPEnsemble,
    ResidualBlock,
    TinyUNet,
    conv1d_matrix,
    local_matrix,
    n_params,
    train_ensemble,
)
from physdl_docs.cnn import conv_params, output_size
from physdl_docs.symmetry import param_counts

T = torch.from_numpy


def _random_case(seed):
    """Random channels, length, kernel, stride and padding."""
    rng = np.random.default_rng(seed)
    c_in, c_out = rng.integers(1, 4, size=2)
    k = int(rng.integers(1, 6))
    p = int(rng.integers(0, k))
    n = int(rng.integers(max(1, k - 2 * p), 13))
    s = int(rng.integers(1, 4))
    x = rng.standard_normal((c_in, n))
    w = rng.standard_normal((c_out, c_in, k))
    return x, w, s, p


@pytest.mark.parametrize("seed", range(25))
def test_conv1d_matrix_equals_torch_conv1d(seed):
    x, w, s, p = _random_case(seed)
    M = conv1d_matrix(w, x.shape[1], stride=s, padding=p)
    y = M @ x.reshape(-1)
    ref = F.conv1d(T(x)[None], T(w), stride=s, padding=p)[0]
    # T x equals the convolution, channel by channel
    np.testing.assert_allclose(y, ref.numpy().reshape(-1), rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(25))
def test_transpose_is_conv_transpose1d(seed):
    x, w, s, p = _random_case(seed)
    n = x.shape[1]
    M = conv1d_matrix(w, n, stride=s, padding=p)
    n_out = output_size(n, w.shape[-1], s, p)
    y = np.random.default_rng(seed).standard_normal((w.shape[0], n_out))
    # the length conv_transpose1d gives; output_padding restores n
    base = (n_out - 1) * s - 2 * p + w.shape[-1]
    up = F.conv_transpose1d(T(y)[None], T(w), stride=s, padding=p,
                            output_padding=n - base)[0]
    # T^T y is the transposed convolution
    np.testing.assert_allclose(M.T @ y.reshape(-1), up.numpy().reshape(-1),
                               rtol=0, atol=1e-12)


def test_single_filter_is_toeplitz():
    w = np.array([0.5, -1.0, 2.0, 3.0])
    M = conv1d_matrix(w, 9, padding=2)
    assert M.shape == (output_size(9, 4, 1, 2), 9)
    i, j = np.indices(M.shape)
    for d in range(-8, 9):
        # constant along each diagonal j - i = d: w[d + p] inside the band
        diag = M[j - i == d]
        expected = w[d + 2] if 0 <= d + 2 < 4 else 0.0
        np.testing.assert_array_equal(diag, expected)


@pytest.mark.parametrize("seed", range(10))
def test_local_matrix_matches_a_loop(seed):
    rng = np.random.default_rng(seed)
    n, k = int(rng.integers(3, 10)), int(rng.integers(1, 4))
    s, p = int(rng.integers(1, 3)), int(rng.integers(0, k))
    n_out = output_size(n, k, s, p)
    w = rng.standard_normal((n_out, 2, 3, k))  # [n_out, C_out, C_in, k]
    x = rng.standard_normal((3, n))
    # y[o, i] = sum_{c,u} w[i, o, c, u] x[c, s i + u - p] (zero outside)
    xp = np.pad(x, ((0, 0), (p, p)))
    y = np.zeros((2, n_out))
    for i in range(n_out):
        for u in range(k):
            y[:, i] += w[i, :, :, u] @ xp[:, s * i + u]
    M = local_matrix(w, n, stride=s, padding=p)
    np.testing.assert_allclose(M @ x.reshape(-1), y.reshape(-1), atol=1e-12)
    # tying every position's filter to one gives the convolution
    tied = np.broadcast_to(w[:1], w.shape)
    np.testing.assert_array_equal(local_matrix(tied, n, s, p),
                                  conv1d_matrix(w[0], n, s, p))


def test_param_counts_match_torch_modules():
    c_in, c_out, k, side = 3, 5, 3, 6
    counts = param_counts(c_in, c_out, k, side, side, padding=1)
    # convolution and dense layer: the modules' own parameter counts
    assert counts["convolution"] == n_params(nn.Conv2d(c_in, c_out, k))
    dense = nn.Linear(c_in * side * side, c_out * side * side, device="meta")
    assert counts["dense"] == n_params(dense)
    # locally connected: one conv filter bank + biases per output position
    assert counts["locally connected"] == side * side * counts["convolution"]
    # the matrix of a 1-D locally connected layer has n_out * k free entries
    M = local_matrix(np.arange(1.0, 1 + 8 * 3).reshape(8, 3), 8, padding=1)
    assert np.count_nonzero(M) == 8 * 3 - 2  # two taps fall on the padding


def _unet_formula(c_in, c_out, w, skip):
    """Parameters of EncoderDecoder counted layer by layer."""
    e = 1 if skip else 0
    blocks = [(c_in, w), (w, 2 * w), (2 * w, 4 * w),
              ((2 + 2 * e) * w, 2 * w), ((1 + e) * w, w)]
    convs = sum(conv_params(a, b, 3) + conv_params(b, b, 3) for a, b in blocks)
    ups = (4 * w * 2 * w * 4 + 2 * w) + (2 * w * w * 4 + w)  # 2x2 transposed
    return convs + ups + conv_params(w, c_out, 1)


@pytest.mark.parametrize("c_in, c_out, width", [(1, 1, 8), (3, 2, 3), (2, 5, 1)])
@pytest.mark.parametrize("skip", [False, True])
def test_encoder_decoder_shapes_and_counts(c_in, c_out, width, skip):
    net = EncoderDecoder(c_in, c_out, width, skip=skip)
    # parameters: the layer-by-layer formula
    assert n_params(net) == _unet_formula(c_in, c_out, width, skip)
    x = torch.zeros(2, c_in, 12, 8)
    shapes = dict((name, tuple(t.shape)) for name, t in net.stages(x))
    w = width
    # encoder halves H, W and doubles channels; decoder reverses it
    assert shapes["enc1"] == (2, w, 12, 8)
    assert shapes["pool1"] == (2, w, 6, 4)
    assert shapes["enc2"] == (2, 2 * w, 6, 4)
    assert shapes["bottleneck"] == (2, 4 * w, 3, 2)
    assert shapes["up2"] == (2, 2 * w, 6, 4)
    assert shapes["output"] == (2, c_out, 12, 8)
    if skip:
        # U-Net: concatenation adds the encoder's channels
        assert shapes["concat2"] == (2, 4 * w, 6, 4)
        assert shapes["concat1"] == (2, 2 * w, 12, 8)
    else:
        assert "concat1" not in shapes and "concat2" not in shapes
    assert torch.equal(net(x), net.stages(x)[-1][1])


def test_unet_skip_carries_the_encoder_maps():
    net = TinyUNet(width=2, seed=3)
    x = torch.randn(1, 1, 8, 8, generator=torch.Generator().manual_seed(0))
    st = dict(net.stages(x))
    # the encoder pools by 2x2 maxima
    assert torch.equal(st["pool1"], F.max_pool2d(st["enc1"], 2))
    # concat1 = [enc1, up1] along channels
    assert torch.equal(st["concat1"], torch.cat([st["enc1"], st["up1"]], 1))
    assert torch.equal(st["concat2"], torch.cat([st["enc2"], st["up2"]], 1))


def test_default_init_is_torchs_law_from_a_local_generator():
    torch.manual_seed(123)
    state = torch.get_rng_state()
    a, b = TinyUNet(width=4, seed=7), TinyUNet(width=4, seed=7)
    # the global generator is untouched; the seed fixes the weights
    assert torch.equal(state, torch.get_rng_state())
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    big = EncoderDecoder(width=32)
    for layer in (big.bottleneck[2], big.up2):
        fan_in, _ = nn.init._calculate_fan_in_and_fan_out(layer.weight)
        bound = 1 / math.sqrt(fan_in)
        # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch's kaiming_uniform(a=sqrt 5)
        assert layer.weight.abs().max().item() <= bound
        assert layer.weight.abs().max().item() > 0.99 * bound
        assert layer.bias.abs().max().item() <= bound


def test_residual_block_is_x_plus_branch_and_identity_at_zero():
    block = ResidualBlock(3, seed=1)
    x = torch.randn(2, 3, 5, 7, generator=torch.Generator().manual_seed(2))
    branch = F.conv2d(torch.relu(F.conv2d(x, block.conv1.weight,
                                          block.conv1.bias, padding=1)),
                      block.conv2.weight, block.conv2.bias, padding=1)
    # y = x + conv2(relu(conv1(x))), same shape as x
    torch.testing.assert_close(block(x), x + branch, rtol=0, atol=1e-6)
    with torch.no_grad():
        for p in block.parameters():
            p.zero_()
    # zero weights: exactly the identity, negative inputs included
    assert torch.equal(block(x), x)


def _reference_mlp(net, m, X):
    """Model m of an MLPEnsemble, written as a plain loop."""
    h = torch.relu(X @ net.W_in[m] + net.b_in[m, 0])
    for j in range(net.W1.shape[1]):
        f = torch.relu(h @ net.W1[m, j] + net.b1[m, j, 0]) @ net.W2[m, j]
        f = f + net.b2[m, j, 0]
        h = torch.relu(h + f) if net.r[m, 0, 0] == 1 else torch.relu(f)
    return h @ net.W_out[m] + net.b_out[m, 0]


def test_ensemble_models_are_independent_mlps():
    net = MLPEnsemble(4, n_in=5, n_out=3, width=6, n_blocks=3,
                      residual=[False, True, True, False], seed=0)
    with torch.no_grad():  # nonzero residual branches, to test the sum
        net.W2.normal_(generator=torch.Generator().manual_seed(1))
    X = torch.randn(7, 5, dtype=torch.float64,
                    generator=torch.Generator().manual_seed(2))
    out = net(X)
    assert out.shape == (4, 7, 3)
    for m in range(4):
        # each slice is its own plain or residual MLP
        torch.testing.assert_close(out[m], _reference_mlp(net, m, X),
                                   rtol=1e-12, atol=1e-12)


def test_ensemble_init():
    net = MLPEnsemble(6, n_in=200, n_out=3, width=100, n_blocks=2,
                      residual=[True] * 3 + [False] * 3, seed=0)
    # residual blocks start as the identity: W2 = 0; plain W2 is He
    assert torch.count_nonzero(net.W2[:3]) == 0
    assert net.W2[3:].var().item() == pytest.approx(2 / 100, rel=0.05)
    # He: variance 2 / fan_in; output layer 1 / width; biases zero
    assert net.W_in.var().item() == pytest.approx(2 / 200, rel=0.05)
    assert net.W1.var().item() == pytest.approx(2 / 100, rel=0.05)
    assert net.W_out.var().item() == pytest.approx(1 / 100, rel=0.2)
    assert all(torch.count_nonzero(b) == 0
               for b in (net.b_in, net.b1, net.b2, net.b_out))
    # identity blocks: the residual models' hidden layer is the first one
    X = torch.rand(4, 200, dtype=torch.float64)
    first = torch.relu(X @ net.W_in[:3] + net.b_in[:3])
    torch.testing.assert_close(net.hidden(X)[:3], first, rtol=0, atol=0)


def test_train_ensemble_equals_separate_training():
    rng = np.random.default_rng(0)
    X, y = rng.random((20, 5)), rng.integers(0, 3, 20)
    both = MLPEnsemble(2, n_in=5, n_out=3, width=4, n_blocks=2,
                       residual=[False, True], seed=4)
    singles = []
    for m in range(2):
        one = MLPEnsemble(1, n_in=5, n_out=3, width=4, n_blocks=2,
                          residual=[m == 1], seed=0)
        with torch.no_grad():
            for p, q in zip(one.parameters(), both.parameters()):
                p.copy_(q[m:m + 1])
        singles.append(one)
    with torch.no_grad():  # the first loss: each model's mean cross-entropy
        first = [F.cross_entropy(both(T(X))[m], T(y)).item() for m in range(2)]
    loss = train_ensemble(both, X, y, steps=15, lr=1e-2)
    np.testing.assert_allclose(loss[0], first, rtol=1e-12)
    for m, one in enumerate(singles):
        # no cross-talk: the ensemble trains each model as if alone
        alone = train_ensemble(one, X, y, steps=15, lr=1e-2)[:, 0]
        np.testing.assert_allclose(loss[:, m], alone, rtol=1e-10)
    assert loss[-1].max() < loss[0].min()


def test_train_ensemble_warns_on_divergence():
    net = MLPEnsemble(1, n_in=2, n_out=2, width=3, n_blocks=1, residual=False)
    X, y = np.full((4, 2), 1e10), np.array([0, 1, 0, 1])
    # weights of 1e300 times inputs of 1e10 overflow to inf, then nan
    with pytest.warns(RuntimeWarning, match="diverged"):
        train_ensemble(net, X, y, steps=5, lr=1e300)


@pytest.mark.parametrize("call, name", [
    (lambda: conv1d_matrix(np.ones((2, 3)), 5), "w"),
    (lambda: conv1d_matrix(np.ones(7), 4, padding=1), "w"),
    (lambda: conv1d_matrix(np.ones(3), 0), "n"),
    (lambda: conv1d_matrix(np.ones(3), 5, stride=0), "stride"),
    (lambda: conv1d_matrix(np.ones(3), 5, padding=-1), "padding"),
    (lambda: conv1d_matrix([1.0, np.nan], 5), "w"),
    (lambda: local_matrix(np.ones((4, 3)), 5), "w"),
    (lambda: EncoderDecoder(width=0), "width"),
    (lambda: EncoderDecoder()(torch.zeros(1, 1, 6, 8)), "x"),
    (lambda: ResidualBlock(0), "channels"),
    (lambda: MLPEnsemble(0, 2, 2, 2, 1, False), "n_models"),
    (lambda: train_ensemble(MLPEnsemble(1, 2, 2, 2, 1, False),
                            np.ones((3, 2)), np.array([0.0, 1.0, 0.0])), "y"),
    (lambda: train_ensemble(MLPEnsemble(1, 2, 2, 2, 1, False),
                            np.ones((3, 2)), np.array([0, 1, 0]), steps=0),
     "steps"),
    (lambda: train_ensemble(MLPEnsemble(1, 2, 2, 2, 1, False),
                            np.ones((3, 3)), np.array([0, 1, 0])), "X"),
])
def test_bad_input_raises_value_error(call, name):
    with pytest.raises(ValueError, match=name):
        call()


@pytest.mark.parametrize("call, name", [
    (lambda: EncoderDecoder(skip=1), "skip"),
    (lambda: MLPEnsemble(2, 2, 2, 2, 1, residual=[True]), "residual"),
    (lambda: MLPEnsemble(1, 2, 2, 2, 1, residual=1), "residual"),
    (lambda: train_ensemble(nn.Linear(2, 2), np.ones((3, 2)),
                            np.array([0, 1, 0])), "model"),
    (lambda: conv1d_matrix(np.ones(3) * 1j, 5), "w"),
    (lambda: conv1d_matrix(np.ones(3), 5.0), "n"),
])
def test_bad_types_raise_type_error(call, name):
    with pytest.raises(TypeError, match=name):
        call()
