"""Tests of physdl_docs.symmetry against torch and exact identities."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from physdl_docs.symmetry import (
    conv2d,
    global_avg_pool,
    locally_connected2d,
    max_pool2d,
    message_passing,
    param_counts,
    self_attention,
    sinusoidal_encoding,
    translate,
)

T = torch.from_numpy


# ------------------------------------------------------------- convolution
@pytest.mark.parametrize(
    "x_shape, w_shape, padding",
    [((1, 5, 5), (1, 1, 3, 3), 0),
     ((3, 8, 7), (4, 3, 3, 3), 1),
     ((2, 3, 9, 6), (5, 3, 2, 4), 2),
     ((2, 1, 4, 4), (2, 1, 4, 4), 0)],
)
def test_conv2d_equals_torch_zero_padding(x_shape, w_shape, padding):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal(w_shape)
    b = rng.standard_normal(w_shape[0])
    ref = F.conv2d(T(x), T(w), T(b), padding=padding).numpy()
    # same cross-correlation as torch, in float64
    np.testing.assert_allclose(conv2d(x, w, b, padding=padding), ref,
                               atol=1e-10)


@pytest.mark.parametrize("padding", [1, 2])
def test_conv2d_equals_torch_circular_padding(padding):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 3, 8, 6))
    layer = torch.nn.Conv2d(3, 4, 2 * padding + 1, padding=padding,
                            padding_mode="circular", dtype=torch.float64)
    w = layer.weight.detach().numpy()
    b = layer.bias.detach().numpy()
    with torch.no_grad():
        ref = layer(T(x)).numpy()
    # torch's circular padding mode is our wrap-around padding
    y = conv2d(x, w, b, padding=padding, mode="circular")
    np.testing.assert_allclose(y, ref, atol=1e-10)


def test_conv2d_is_exactly_translation_equivariant_on_a_torus():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((3, 10, 12)), rng.standard_normal((4, 3, 3, 3))
    for dy, dx in [(1, 0), (0, 1), (3, -5), (10, 12)]:
        lhs = conv2d(translate(x, dy, dx), w, padding=1, mode="circular")
        rhs = translate(conv2d(x, w, padding=1, mode="circular"), dy, dx)
        # conv(T x) = T conv(x) to round-off
        np.testing.assert_allclose(lhs, rhs, atol=1e-12)


def test_zero_padding_breaks_equivariance_only_near_the_border():
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal((2, 12, 12)), rng.standard_normal((1, 2, 3, 3))
    diff = np.abs(conv2d(translate(x, 1, 0), w, padding=1)
                  - translate(conv2d(x, w, padding=1), 1, 0))[0]
    bad_rows = np.flatnonzero(diff.max(axis=1) > 1e-12)
    # rows 0, 1 (the seam and its neighbour) and 11 (the far border)
    assert bad_rows.tolist() == [0, 1, 11]
    # rows away from the border and the seam agree exactly
    assert np.all(diff[2:11] < 1e-12)


def test_conv_is_locally_connected_with_tied_weights():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((2, 3, 7, 6)), rng.standard_normal((4, 3, 3, 2))
    b = rng.standard_normal(4)
    # the same filter bank at all 5 x 5 output positions
    w_local = np.broadcast_to(w, (5, 5, *w.shape))
    b_local = np.broadcast_to(b[:, None, None], (4, 5, 5))
    np.testing.assert_allclose(locally_connected2d(x, w_local, b_local),
                               conv2d(x, w, b), atol=1e-12)


def test_locally_connected_equals_torch_unfold():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 6, 5))
    w = rng.standard_normal((4, 3, 2, 3, 3, 3))  # H_out=4, W_out=3, C_out=2
    # unfold: [N, C_in*k*k, H_out*W_out]; a separate matrix per position
    cols = F.unfold(T(x), 3).numpy().reshape(2, 27, 4, 3)
    ref = np.einsum("nkhw,hwok->nohw", cols, w.reshape(4, 3, 2, 27))
    np.testing.assert_allclose(locally_connected2d(x, w), ref, atol=1e-12)


# ------------------------------------------------------------------ pooling
def test_max_pool_and_global_average_equal_torch():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((2, 3, 9, 8))
    # odd sizes: the last row is dropped, as in torch
    np.testing.assert_array_equal(max_pool2d(x),
                                  F.max_pool2d(T(x), 2).numpy())
    np.testing.assert_allclose(global_avg_pool(x),
                               F.adaptive_avg_pool2d(T(x), 1).numpy()[..., 0,
                                                                        0],
                               atol=1e-14)


def test_max_pool_is_equivariant_only_to_multiples_of_its_stride():
    rng = np.random.default_rng(7)
    f = rng.standard_normal((4, 16, 16))
    # a 2-pixel shift moves the pooled map by exactly 1
    np.testing.assert_array_equal(max_pool2d(translate(f, 0, 2)),
                                  translate(max_pool2d(f), 0, 1))
    # a 1-pixel shift matches no shift of the pooled map
    p1, p = max_pool2d(translate(f, 0, 1)), max_pool2d(f)
    errors = [np.abs(p1 - translate(p, 0, t)).max() for t in range(8)]
    assert min(errors) > 0.5


def test_global_average_pool_is_exactly_invariant():
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((3, 8, 8)), rng.standard_normal((5, 3, 3, 3))
    g = global_avg_pool(np.maximum(conv2d(x, w, padding=1, mode="circular"),
                                   0))
    for dy, dx in [(1, 0), (0, 1), (5, 3)]:
        xs = translate(x, dy, dx)
        gs = global_avg_pool(np.maximum(conv2d(xs, w, padding=1,
                                               mode="circular"), 0))
        # invariant to round-off (the mean of permuted numbers)
        np.testing.assert_allclose(gs, g, atol=1e-12)


# ------------------------------------------------------------ weight sharing
@pytest.mark.parametrize("c_in, c_out, k, H, W, p",
                         [(3, 96, 3, 32, 32, 1), (1, 6, 5, 12, 10, 0),
                          (2, 4, 3, 5, 7, 2)])
def test_param_counts_match_torch_modules(c_in, c_out, k, H, W, p):
    counts = param_counts(c_in, c_out, k, H, W, padding=p)
    H_out, W_out = H + 2 * p - k + 1, W + 2 * p - k + 1
    conv = torch.nn.Conv2d(c_in, c_out, k, padding=p, device="meta")
    dense = torch.nn.Linear(c_in * H * W, c_out * H_out * W_out,
                            device="meta")
    # conv and dense agree with torch's own parameter counts
    assert counts["convolution"] == sum(q.numel() for q in conv.parameters())
    assert counts["dense"] == sum(q.numel() for q in dense.parameters())
    # locally connected: one weight array per position plus a bias per unit
    n_local = H_out * W_out * c_out * (c_in * k * k) + c_out * H_out * W_out
    assert counts["locally connected"] == n_local


def test_the_published_conv2d_count():
    # Conv2d(3, 96, kernel 3): 27 weights per filter, 2,688 with biases
    assert param_counts(3, 96, 3, 32, 32, 1)["convolution"] == 96 * 28 == 2688


# ------------------------------------------------------------ permutations
def _attention_setup(seed=9, n=6, d=8):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    Wq, Wk, Wv = (rng.standard_normal((d, d)) / np.sqrt(d) for _ in range(3))
    return X, Wq, Wk, Wv, rng.permutation(n)


def test_self_attention_equals_torch():
    X, Wq, Wk, Wv, _ = _attention_setup()
    ref = F.scaled_dot_product_attention(T(X @ Wq)[None], T(X @ Wk)[None],
                                         T(X @ Wv)[None])[0].numpy()
    # same softmax(QK^T/sqrt(d)) V as torch
    np.testing.assert_allclose(self_attention(X, Wq, Wk, Wv), ref,
                               atol=1e-12)


def test_attention_is_permutation_equivariant_without_positions():
    X, Wq, Wk, Wv, perm = _attention_setup()
    # Attn(P X) = P Attn(X)
    np.testing.assert_allclose(self_attention(X[perm], Wq, Wk, Wv),
                               self_attention(X, Wq, Wk, Wv)[perm],
                               atol=1e-12)


def test_positional_encoding_breaks_permutation_equivariance():
    X, Wq, Wk, Wv, perm = _attention_setup()
    E = sinusoidal_encoding(*X.shape)
    # positions stay attached to slots, not to tokens
    out = self_attention(X[perm] + E, Wq, Wk, Wv)
    ref = self_attention(X + E, Wq, Wk, Wv)[perm]
    assert np.abs(out - ref).max() > 0.1


def test_sinusoidal_encoding_formula():
    E = sinusoidal_encoding(5, 6)
    t, i = 3, 2  # entry (t, 2i) and (t, 2i+1)
    # sin / cos of t / 10000^(2i/d)
    assert E[t, 2 * i] == pytest.approx(np.sin(t / 10000 ** (2 * i / 6)))
    assert E[t, 2 * i + 1] == pytest.approx(np.cos(t / 10000 ** (2 * i / 6)))


def test_message_passing_is_permutation_equivariant_and_sum_invariant():
    rng = np.random.default_rng(10)
    n = 7
    A = np.triu(rng.random((n, n)) < 0.4, 1).astype(float)
    A = A + A.T
    H = rng.standard_normal((n, 3))
    Ws, Wn = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    P = np.eye(n)[rng.permutation(n)]
    out = message_passing(A, H, Ws, Wn)
    out_p = message_passing(P @ A @ P.T, P @ H, Ws, Wn)
    # f(P A P^T, P H) = P f(A, H)
    np.testing.assert_allclose(out_p, P @ out, atol=1e-12)
    # a sum readout does not see the order of nodes
    np.testing.assert_allclose(out_p.sum(0), out.sum(0), atol=1e-12)
    # permuting H alone (not A) is a different graph: output changes
    assert np.abs(message_passing(A, P @ H, Ws, Wn) - P @ out).max() > 0.1


def test_message_passing_by_hand():
    A = np.array([[0, 1, 1], [1, 0, 0], [1, 0, 0]], float)
    H = np.array([[1.0], [2.0], [-3.0]])
    # node 0: 1*1 + (2 - 3)*1 = 0; node 1: 2 + 1 = 3; node 2: ReLU(-3 + 1)
    out = message_passing(A, H, np.ones((1, 1)), np.ones((1, 1)))
    assert out[:, 0].tolist() == [0.0, 3.0, 0.0]


def test_message_passing_follows_edge_direction():
    # one directed edge 0 -> 1: A[1, 0] = 1, so node 1 hears node 0, not back
    A = np.array([[0.0, 0.0], [1.0, 0.0]])
    H = np.array([[5.0], [1.0]])
    out = message_passing(A, H, np.ones((1, 1)), np.ones((1, 1)))
    assert out[:, 0].tolist() == [5.0, 6.0]


def test_inputs_are_not_modified():
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((3, 6, 6)), rng.standard_normal((2, 3, 3, 3))
    x0, w0 = x.copy(), w.copy()
    conv2d(x, w, padding=1, mode="circular")
    translate(x, 1, 2)
    max_pool2d(x)
    # nothing is changed in place
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(w, w0)


# ----------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    "call, pattern",
    [
        (lambda: conv2d(np.ones((4, 4)), np.ones((1, 1, 3, 3))),
         "x must be a 3 or 4-D array"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 3, 3))),
         "w must be a 4-D array"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 5, 5))),
         "w has kernel \\(5, 5\\), larger than the padded input"),
        (lambda: conv2d(np.ones((2, 4, 4)), np.ones((1, 3, 3, 3))),
         "w must have C_in=2"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), padding=-1),
         "padding must be >= 0"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((1, 1, 3, 3)), mode="x"),
         "mode must be one of"),
        (lambda: conv2d(np.ones((1, 4, 4)), np.ones((2, 1, 3, 3)), [1.0]),
         "b must have shape"),
        (lambda: max_pool2d(np.ones((3, 3)), size=4), "size=4 is larger"),
        (lambda: max_pool2d(np.ones((3, 3)), size=0), "size must be >= 1"),
        (lambda: max_pool2d(np.ones(3)), "x must be a"),
        (lambda: param_counts(3, -1, 3, 8, 8), "c_out must be >= 1"),
        (lambda: param_counts(3, 8, 9, 8, 8), "kernel=9 is larger"),
        (lambda: self_attention(np.ones((3, 4)), np.ones((3, 2)),
                                np.ones((4, 2)), np.ones((4, 2))),
         "Wq must have shape"),
        (lambda: sinusoidal_encoding(4, 3), "d_model must be even"),
        (lambda: message_passing(np.ones((3, 2)), np.ones((3, 1)),
                                 np.ones((1, 1)), np.ones((1, 1))),
         "A must have shape"),
        (lambda: locally_connected2d(np.ones((1, 4, 4)),
                                     np.ones((3, 3, 1, 1, 3, 3))),
         "w must have H_out, W_out"),
        (lambda: locally_connected2d(np.ones((1, 4, 4)),
                                     np.ones((2, 2, 1, 2, 3, 3))),
         "w must have C_in=1"),
        (lambda: locally_connected2d(np.ones((1, 4, 4)),
                                     np.ones((2, 2, 1, 1, 3, 3)),
                                     np.ones((2, 2, 2))), "b must have shape"),
        (lambda: self_attention(np.ones((0, 4)), np.ones((4, 2)),
                                np.ones((4, 2)), np.ones((4, 2))),
         "X must hold at least one token"),
        (lambda: self_attention(np.ones((3, 4)), np.ones((4, 0)),
                                np.ones((4, 0)), np.ones((4, 2))),
         "Wq must have d_k >= 1"),
        (lambda: self_attention(np.ones((3, 4)), np.ones((4, 2)),
                                np.ones((4, 3)), np.ones((4, 2))),
         "Wk must have shape"),
        (lambda: global_avg_pool(np.ones((2, 0, 3))),
         "x must have at least one position"),
        (lambda: global_avg_pool(np.ones(3)), "x must be a"),
        (lambda: translate(np.ones(4), 1, 0), "x must be a"),
        (lambda: sinusoidal_encoding(0, 4), "n_tokens must be >= 1"),
        (lambda: message_passing(np.ones((2, 2)), np.ones((2, 3)),
                                 np.ones((3, 2)), np.ones((3, 4))),
         "W_neigh must have shape"),
        (lambda: message_passing([[0.0, np.nan], [1.0, 0.0]], np.ones((2, 1)),
                                 np.ones((1, 1)), np.ones((1, 1))),
         "A must contain only finite"),
        (lambda: param_counts(3, 8, 3, 8, 8, padding=-1),
         "padding must be >= 0"),
    ],
)
def test_bad_inputs_name_the_argument(call, pattern):
    # the message names the offending argument
    with pytest.raises(ValueError, match=pattern):
        call()


@pytest.mark.parametrize("call, pattern", [
    (lambda: translate(np.ones((3, 3)), 0, 0.5), "dx must be an int"),
    (lambda: translate(np.ones((3, 3)), True, 0), "dy must be an int"),
    (lambda: global_avg_pool(np.ones((2, 2)) * 1j), "x must be real"),
    (lambda: self_attention(np.ones((2, 2)) + 1j, np.eye(2), np.eye(2),
                            np.eye(2)), "X must be real"),
    (lambda: param_counts(3.0, 8, 3, 8, 8), "c_in must be an int"),
    (lambda: sinusoidal_encoding(4, "8"), "d_model must be an int"),
])
def test_wrong_types_name_the_argument(call, pattern):
    # whole pixels, real numbers, ints where counts are meant
    with pytest.raises(TypeError, match=pattern):
        call()


def test_single_token_attention_returns_its_value():
    X = np.array([[0.3, -1.0, 2.0]])
    Wv = np.random.default_rng(12).standard_normal((3, 2))
    # one token attends only to itself: softmax of one score is 1
    np.testing.assert_allclose(
        self_attention(X, np.ones((3, 2)), np.ones((3, 2)), Wv), X @ Wv)
