"""Tests of physdl_docs.cnn against torch.nn.functional and torch modules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from physdl_docs.cnn import (
    VGG16,
    conv2d,
    conv_params,
    make_cnn,
    make_mlp,
    max_pool2d,
    output_size,
    receptive_field,
    shift,
    vgg_layers,
)

T = torch.from_numpy


def _random_conv_case(seed):
    """Random shapes, stride, padding; batched or not; bias or not."""
    rng = np.random.default_rng(seed)
    c_in, c_out = rng.integers(1, 5, size=2)
    kh, kw = rng.integers(1, 5, size=2)
    stride, padding = int(rng.integers(1, 4)), int(rng.integers(0, 3))
    H = int(rng.integers(max(kh - 2 * padding, 1), 12))
    W = int(rng.integers(max(kw - 2 * padding, 1), 12))
    batch = () if seed % 2 else (int(rng.integers(1, 4)),)
    x = rng.standard_normal((*batch, c_in, H, W))
    w = rng.standard_normal((c_out, c_in, kh, kw))
    b = rng.standard_normal(c_out) if seed % 3 else None
    return x, w, b, stride, padding


# ------------------------------------------------------------- convolution
@pytest.mark.parametrize("seed", range(24))
def test_conv2d_equals_torch_with_zero_padding(seed):
    x, w, b, s, p = _random_conv_case(seed)
    ref = F.conv2d(T(x), T(w), None if b is None else T(b), stride=s,
                   padding=p).numpy()
    y = conv2d(x, w, b, stride=s, padding=p)
    # same shape and values as torch, in float64
    assert y.shape == ref.shape
    np.testing.assert_allclose(y, ref, rtol=0, atol=1e-12)


@pytest.mark.parametrize("seed", range(12))
def test_conv2d_circular_equals_torch_on_circularly_padded_input(seed):
    x, w, b, s, p = _random_conv_case(seed)
    p = min(p, *x.shape[-2:])  # torch allows circular padding <= size
    if w.shape[2] > x.shape[-2] + 2 * p or w.shape[3] > x.shape[-1] + 2 * p:
        pytest.skip("kernel larger than the padded input")
    xt = T(x) if x.ndim == 4 else T(x)[None]
    xp = F.pad(xt, (p, p, p, p), mode="circular")
    ref = F.conv2d(xp, T(w), None if b is None else T(b), stride=s).numpy()
    y = conv2d(x, w, b, stride=s, padding=p, mode="circular")
    # wrap-around padding is torch's circular pad, then a plain convolution
    np.testing.assert_allclose(y, ref.reshape(y.shape), rtol=0, atol=1e-12)


def test_conv2d_circular_equals_torch_conv2d_module():
    rng = np.random.default_rng(100)
    x = rng.standard_normal((2, 3, 9, 7))
    layer = torch.nn.Conv2d(3, 4, 3, stride=2, padding=1,
                            padding_mode="circular", dtype=torch.float64)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    with torch.no_grad():
        ref = layer(T(x)).numpy()
    # torch's padding_mode="circular" with stride 2
    np.testing.assert_allclose(
        conv2d(x, w, b, stride=2, padding=1, mode="circular"), ref,
        rtol=0, atol=1e-12)


def test_conv2d_unbatched_is_the_batched_result_of_one_image():
    x, w, b, s, p = _random_conv_case(0)
    # (N, C, H, W) input: each image is convolved on its own
    for n in range(len(x)):
        np.testing.assert_array_equal(conv2d(x[n], w, b, s, p),
                                      conv2d(x, w, b, s, p)[n])


def test_conv2d_by_hand():
    x = np.arange(16.0).reshape(1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] - x[i+1, j+1]
    y = conv2d(x, w, [0.5], stride=2)
    # windows start at rows/columns 0 and 2; every difference is -5
    assert y.tolist() == [[[-4.5, -4.5], [-4.5, -4.5]]]


@pytest.mark.parametrize("n, k, s, p", [(224, 3, 1, 1), (224, 11, 4, 2),
                                        (227, 11, 4, 0), (7, 3, 2, 0),
                                        (8, 3, 3, 1), (5, 5, 1, 0),
                                        (10, 4, 3, 2)])
def test_output_size_formula_matches_torch(n, k, s, p):
    out = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k),
                   stride=s, padding=p)
    # floor((n + 2p - k) / s) + 1, as torch computes it
    assert output_size(n, k, s, p) == out.shape[-1] == (n + 2 * p - k) // s + 1


def test_output_size_of_alexnet_and_vgg_layers():
    # AlexNet conv1: 11x11 stride 4 gives 55 only from 227 (or 224 + pad 2)
    assert output_size(227, 11, 4) == 55 == output_size(224, 11, 4, 2)
    assert output_size(224, 11, 4) == 54
    # VGG: 3x3 pad 1 keeps 224; five 2x2 pools leave 7
    side = 224
    for _ in range(5):
        side = output_size(side, 2, stride=2)
    assert output_size(224, 3, 1, 1) == 224 and side == 7


# ------------------------------------------------------------------ pooling
@pytest.mark.parametrize(
    "shape, size, stride",
    [((2, 3, 9, 8), 2, None), ((3, 7, 7), 3, 2), ((1, 2, 6, 9), 2, 1),
     ((4, 10, 5), 3, 4), ((2, 5, 5), 5, None), ((1, 1, 8, 8), 1, 3)],
)
def test_max_pool2d_equals_torch(shape, size, stride):
    rng = np.random.default_rng(sum(shape) + size)
    x = rng.standard_normal(shape)
    ref = F.max_pool2d(T(x), size, stride).numpy()
    # same windows and maxima as torch (exact: no arithmetic)
    np.testing.assert_array_equal(max_pool2d(x, size, stride), ref)


def test_max_pool2d_on_2d_and_5d_input_and_default_stride():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 3, 2, 7, 9))
    ref = F.max_pool2d(T(x.reshape(-1, 7, 9)), 3).numpy().reshape(2, 3, 2, 2,
                                                                  3)
    # any leading axes; stride defaults to the window size
    np.testing.assert_array_equal(max_pool2d(x, 3), ref)
    np.testing.assert_array_equal(max_pool2d(x[0, 0, 0], 3), ref[0, 0, 0])
    # the old call form max_pool2d(x) is a 2x2 pool with stride 2
    np.testing.assert_array_equal(max_pool2d(x), max_pool2d(x, 2, 2))


# --------------------------------------------------------- counting weights
@pytest.mark.parametrize("c_in, c_out, k, bias", [(3, 96, 3, True),
                                                  (1, 6, 5, True),
                                                  (64, 128, 1, False),
                                                  (7, 2, 4, True)])
def test_conv_params_equals_torch(c_in, c_out, k, bias):
    layer = torch.nn.Conv2d(c_in, c_out, k, bias=bias, device="meta")
    # C_out (C_in k^2 + 1), whatever the image size
    assert conv_params(c_in, c_out, k, bias) == sum(
        p.numel() for p in layer.parameters())


def test_the_published_conv2d_count():
    # Conv2d(3, 96, 3): 27 weights per filter plus a bias
    assert conv_params(3, 96, 3) == 96 * 28 == 2688


def _torch_vgg(config, image=224, hidden=4096, n_classes=1000):
    """VGG built from the same layer list on the meta device (no weights)."""
    nn = torch.nn
    layers, c, side = [], 3, image
    for v in config:
        if v == "M":
            layers.append(nn.MaxPool2d(2))
            side //= 2
        else:
            layers += [nn.Conv2d(c, v, 3, padding=1, device="meta"), nn.ReLU()]
            c = v
    widths = [c * side * side, hidden, hidden, n_classes]
    layers.append(nn.Flatten())
    for n_in, n_out in zip(widths, widths[1:]):
        layers.append(nn.Linear(n_in, n_out, device="meta"))
    return nn.Sequential(*layers)


VGG19 = (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
         512, 512, 512, 512, "M", 512, 512, 512, 512, "M")


@pytest.mark.parametrize("config, total", [(VGG16, 138_357_544),
                                           (VGG19, 143_667_240)])
def test_vgg_counts_equal_torch_and_the_published_total(config, total):
    model = _torch_vgg(config)
    weighted = [m for m in model if isinstance(m, (torch.nn.Conv2d,
                                                   torch.nn.Linear))]
    ours = vgg_layers(config)
    # one entry per weight layer, each with torch's own count
    assert [n for _, n in ours] == [
        sum(p.numel() for p in m.parameters()) for m in weighted]
    # the totals: 138,357,544 (VGG16) and 143,667,240 (VGG19)
    assert sum(n for _, n in ours) == total == sum(
        p.numel() for p in model.parameters())


def test_vgg16_layer_names_and_the_fc_share():
    layers = dict(vgg_layers())
    # 13 convolutions and 3 fully connected layers, in the paper's naming
    assert list(layers)[:3] == ["conv1_1", "conv1_2", "conv2_1"]
    assert list(layers)[-4:] == ["conv5_3", "fc6", "fc7", "fc8"]
    # fc6 maps 512*7*7 = 25088 features to 4096 units
    assert layers["fc6"] == (25088 + 1) * 4096 == 102_764_544


def test_vgg_on_a_smaller_image():
    # a 32x32 input leaves a 1x1 map: fc6 has 512 inputs
    assert dict(vgg_layers(image_size=32))["fc6"] == 513 * 4096


# ------------------------------------------------------- receptive fields
def _footprint(layers, n=240):
    """Width of the input region that reaches output unit (0, 0)."""
    x = torch.zeros(1, 1, n, n, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s in layers:  # all-ones filters: no cancellation in the gradient
        y = F.conv2d(y, torch.ones(1, 1, k, k, dtype=torch.float64),
                     stride=s)
    y[0, 0, 0, 0].backward()  # one-hot gradient at the output
    cols = np.flatnonzero(x.grad[0, 0].abs().sum(0).numpy())
    return cols.max() - cols.min() + 1


@pytest.mark.parametrize(
    "layers",
    [[(3, 1)], [(3, 1)] * 4, [(3, 1), (3, 1), (2, 2), (3, 1), (3, 1)],
     [(11, 4), (3, 2), (5, 1), (3, 2), (3, 1)], [(7, 2), (3, 2), (3, 1)],
     [(2, 2)] * 3, [(1, 1), (5, 3), (4, 1)]],
)
def test_receptive_field_equals_the_backpropagated_footprint(layers):
    r = receptive_field(layers)
    # r_l after every prefix of the stack equals the gradient's support
    assert r == [_footprint(layers[:i + 1]) for i in range(len(layers))]


def test_receptive_field_of_stacked_3x3_convolutions_and_vgg16():
    # n stacked 3x3 convolutions see 2n + 1 pixels
    assert receptive_field([(3, 1)] * 5) == [3, 5, 7, 9, 11]
    vgg = [(2, 2) if v == "M" else (3, 1) for v in VGG16]
    # the last VGG16 convolution (conv5_3) sees 196 pixels, the pool 212
    assert receptive_field(vgg)[-2:] == [196, 212]


# ---------------------------------------------------------------- shifting
def test_shift_fills_with_zeros_and_matches_roll_inside():
    rng = np.random.default_rng(9)
    x = rng.standard_normal((2, 5, 6))
    for dy, dx in [(1, 0), (0, -2), (2, 3), (-1, -1)]:
        s = shift(x, dy, dx)
        rolled = np.roll(x, (dy, dx), axis=(-2, -1))
        keep = shift(np.ones((5, 6)), dy, dx).astype(bool)
        # inside: the circular shift; where content wrapped: zero
        np.testing.assert_array_equal(s[:, keep], rolled[:, keep])
        assert np.all(s[:, ~keep] == 0) and keep.sum() == (5 - abs(dy)) * (
            6 - abs(dx))
    # shifting by the whole width or more leaves nothing
    assert not shift(x, 0, 6).any() and not shift(x, -9, 0).any()


# ----------------------------------------------------------- torch models
def test_models_have_the_lesson_parameter_counts_and_shapes():
    cnn, mlp = make_cnn(), make_mlp()
    # 8*(9+1) + 32*(72+1) + 10*(32+1) and 36*(64+1) + 10*(36+1)
    assert sum(p.numel() for p in cnn.parameters()) == 80 + 2336 + 330
    assert sum(p.numel() for p in mlp.parameters()) == 2340 + 370
    x = torch.zeros(5, 1, 8, 8)
    assert cnn(x).shape == mlp(x).shape == (5, 10)
    # global max pooling: the CNN accepts any image size
    assert cnn(torch.zeros(2, 1, 13, 11)).shape == (2, 10)


def test_models_are_seeded_locally_with_torch_default_bounds():
    state = torch.random.get_rng_state()
    a, b, c = make_cnn(seed=3), make_cnn(seed=3), make_cnn(seed=4)
    # the global torch generator is not touched
    assert torch.equal(torch.random.get_rng_state(), state)
    pa, pb, pc = (list(m.parameters()) for m in (a, b, c))
    # same seed, same weights; another seed, other weights
    assert all(torch.equal(u, v) for u, v in zip(pa, pb))
    assert not torch.equal(pa[0], pc[0])
    # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) as torch's default init
    w2 = pa[2]  # second convolution: fan_in = 8 * 3 * 3
    bound = 1 / np.sqrt(72)
    assert w2.abs().max() <= bound and w2.abs().max() > 0.9 * bound


# --------------------------------------------------------------- bad input
def test_inputs_are_not_modified():
    x, w, b, s, p = _random_conv_case(5)
    copies = [v.copy() for v in (x, w, b)]
    conv2d(x, w, b, s, p, "circular")
    max_pool2d(x, 2, 1)
    shift(x, 1, 1)
    # nothing is changed in place
    for v, v0 in zip((x, w, b), copies):
        np.testing.assert_array_equal(v, v0)


@pytest.mark.parametrize(
    "call, error, pattern",
    [
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), stride=0),
         ValueError, "stride must be >= 1"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), stride=1.0),
         TypeError, "stride must be an int"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)),
                        padding=True), TypeError, "padding must be an int"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding=5,
                        mode="circular"), ValueError, "padding must be <="),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)),
                        mode="reflect"), ValueError, "mode must be one of"),
        (lambda: conv2d(np.ones((1, 2, 2)), np.ones((1, 1, 3, 3))),
         ValueError, "w has kernel \\(3, 3\\), larger than the padded"),
        (lambda: conv2d(np.ones((1, 4, 4)) * 1j, np.ones((1, 1, 3, 3))),
         TypeError, "x must be real"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((0, 1, 3, 3))),
         ValueError, "w must not have empty axes"),
        (lambda: max_pool2d(np.ones((4, 4)), 2, stride=0), ValueError,
         "stride must be >= 1"),
        (lambda: max_pool2d(np.ones((4, 4)), 5), ValueError,
         "size=5 is larger"),
        (lambda: output_size(5, 7), ValueError, "kernel=7 is larger"),
        (lambda: output_size(5, 3, stride=0), ValueError,
         "stride must be >= 1"),
        (lambda: conv_params(3, 0, 3), ValueError, "c_out must be >= 1"),
        (lambda: conv_params(3, 8, 3, bias=1), TypeError, "bias must be a bool"),
        (lambda: vgg_layers((64, "X")), TypeError, "config entries"),
        (lambda: receptive_field([(3, 1), (3,)]), ValueError,
         "layers\\[1\\] must be \\(kernel, stride\\)"),
        (lambda: receptive_field([(3, 0)]), ValueError,
         "layers\\[0\\] stride must be >= 1"),
        (lambda: shift(np.ones(3), 1), ValueError, "x must be a"),
        (lambda: make_mlp(hidden=0), ValueError, "hidden must be >= 1"),
    ],
)
def test_bad_inputs_name_the_argument(call, error, pattern):
    # the message names the offending argument
    with pytest.raises(error, match=pattern):
        call()
