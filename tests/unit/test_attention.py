"""Tests of physdl_docs.attention against torch and exact identities."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from physdl_docs.attention import (
    accuracies,
    attention_weights,
    causal_mask,
    conv_model,
    conv_patches,
    fit_models,
    hopfield_update,
    minibatches,
    motif_images,
    multi_head_attention,
    patch_model,
    patchify,
    scaled_dot_product_attention,
    sequence_model,
    softmax,
    transformer_params,
    vit_params,
)

T = torch.from_numpy


def sdpa_torch(q, k, v, mask=None, is_causal=False):
    m = None if mask is None else T(np.asarray(mask))
    return F.scaled_dot_product_attention(T(q), T(k), T(v), attn_mask=m,
                                          is_causal=is_causal).numpy()


# ------------------------------------------------ scaled dot-product attention
@pytest.mark.parametrize(
    "q_shape, k_shape, v_shape",
    [((4, 3), (6, 3), (6, 2)),                    # unbatched, L != S
     ((2, 5, 4), (2, 7, 4), (2, 7, 3)),
     ((2, 3, 4, 5), (3, 6, 5), (1, 3, 6, 2)),     # batch axes broadcast
     ((3, 1, 4, 8), (1, 2, 5, 8), (3, 2, 5, 1)),
     ((1, 4, 0), (1, 3, 0), (1, 3, 2))],          # E = 0: uniform weights
)
def test_sdpa_equals_torch_on_random_shapes(q_shape, k_shape, v_shape):
    rng = np.random.default_rng(sum(q_shape) + len(k_shape))
    q, k, v = (rng.standard_normal(s) for s in (q_shape, k_shape, v_shape))
    # same softmax(q k^T / sqrt(E)) v, with torch's broadcasting of batch axes
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v),
                               sdpa_torch(q, k, v), atol=1e-12)


@pytest.mark.parametrize("mask_shape", [(4, 6), (2, 1, 4, 6), (1, 6), (2, 3, 1, 1)])
def test_sdpa_boolean_mask_equals_torch(mask_shape):
    rng = np.random.default_rng(len(mask_shape))
    q, k, v = (rng.standard_normal(s) for s in ((2, 3, 4, 5), (2, 3, 6, 5), (2, 3, 6, 2)))
    mask = rng.random(mask_shape) < 0.6
    # True takes part; broadcast like torch
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, mask=mask),
                               sdpa_torch(q, k, v, mask), atol=1e-12)


def test_sdpa_float_mask_with_minus_inf_equals_torch():
    rng = np.random.default_rng(3)
    q, k, v = (rng.standard_normal(s) for s in ((2, 4, 5), (2, 6, 5), (2, 6, 3)))
    mask = rng.standard_normal((2, 4, 6))
    mask[rng.random(mask.shape) < 0.4] = -np.inf
    # a float mask is added to the scores; -inf removes a key
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, mask=mask),
                               sdpa_torch(q, k, v, mask), atol=1e-12)


def test_float_mask_shifts_scores_not_selects():
    rng = np.random.default_rng(4)
    q, k = rng.standard_normal((3, 4)), rng.standard_normal((5, 4))
    bias = rng.standard_normal((3, 5))
    S = q @ k.T / 2 + bias
    ref = np.exp(S) / np.exp(S).sum(1, keepdims=True)
    # A = softmax(q k^T / sqrt(4) + M) written out
    np.testing.assert_allclose(attention_weights(q, k, bias), ref, atol=1e-14)


@pytest.mark.parametrize("L, S", [(3, 3), (2, 5), (5, 2), (1, 4)])
def test_causal_is_top_left_aligned_like_torch(L, S):
    rng = np.random.default_rng(L * 10 + S)
    q, k, v = (rng.standard_normal(s) for s in ((2, L, 4), (2, S, 4), (2, S, 3)))
    # is_causal aligns the triangle at the top left when L != S
    np.testing.assert_allclose(scaled_dot_product_attention(q, k, v, is_causal=True),
                               sdpa_torch(q, k, v, is_causal=True), atol=1e-12)
    # causal_mask is that triangle
    np.testing.assert_array_equal(causal_mask(L, S), np.tril(np.ones((L, S))) > 0)


@pytest.mark.parametrize("kind", ["bool", "float"])
def test_fully_masked_rows_give_zeros_like_torch(kind):
    rng = np.random.default_rng(5)
    q, k, v = (rng.standard_normal(s) for s in ((2, 4, 3), (2, 5, 3), (2, 5, 2)))
    allowed = rng.random((2, 4, 5)) < 0.7
    allowed[0, 1] = False
    allowed[1, 3] = False
    mask = allowed if kind == "bool" else np.where(allowed, 0.0, -np.inf)
    out = scaled_dot_product_attention(q, k, v, mask=mask)
    ref = sdpa_torch(q, k, v, mask)
    # rows with no key left are exactly zero, as in torch 2.13
    assert np.all(out[0, 1] == 0) and np.all(out[1, 3] == 0)
    np.testing.assert_allclose(out, ref, atol=1e-12)
    # the weights of such a row are zero too (not NaN)
    A = attention_weights(q, k, mask)
    assert np.all(A[0, 1] == 0) and np.isfinite(A).all()


def test_sdpa_is_stable_for_scores_of_1e4():
    rng = np.random.default_rng(6)
    q, k, v = (rng.standard_normal(s) for s in ((3, 4), (5, 4), (5, 2)))
    big = 1e4 / np.abs(q @ k.T).max() * 2   # scores up to 1e4 after / sqrt(4)
    out = scaled_dot_product_attention(q * big, k, v)
    # no overflow: finite, and equal to torch in float64
    assert np.isfinite(out).all()
    np.testing.assert_allclose(out, sdpa_torch(q * big, k, v), atol=1e-12)
    # at such scores the softmax is a hard argmax
    np.testing.assert_allclose(out, v[np.argmax(q @ k.T, axis=1)], atol=1e-12)


def test_softmax_of_huge_equal_scores_and_minus_inf():
    s = np.array([[1e4, 1e4, -np.inf], [-np.inf, -np.inf, -np.inf]])
    # stable: (0.5, 0.5, 0) and a row of zeros instead of NaN
    np.testing.assert_array_equal(softmax(s), [[0.5, 0.5, 0.0], [0.0, 0.0, 0.0]])


def test_sdpa_does_not_modify_its_inputs():
    rng = np.random.default_rng(7)
    q, k, v = (rng.standard_normal((3, 2)) for _ in range(3))
    mask = np.array([[0.0, -np.inf, 1.0]] * 3)
    copies = [a.copy() for a in (q, k, v, mask)]
    scaled_dot_product_attention(q, k, v, mask=mask)
    # inputs unchanged
    for a, c in zip((q, k, v, mask), copies):
        np.testing.assert_array_equal(a, c)


@pytest.mark.parametrize(
    "kwargs, exc, match",
    [({"mask": np.ones((2, 3), bool), "is_causal": True}, ValueError, "mask"),
     ({"mask": np.ones((2, 3), int)}, TypeError, "mask"),
     ({"mask": np.full((2, 3), np.nan)}, ValueError, "mask"),
     ({"mask": np.full((2, 3), np.inf)}, ValueError, "mask"),
     ({"mask": np.ones((4, 3), bool)}, ValueError, "mask"),
     ({"mask": np.ones((2, 3), complex)}, TypeError, "mask"),
     ({"is_causal": 1}, TypeError, "is_causal")],
)
def test_sdpa_bad_masks(kwargs, exc, match):
    q, k, v = np.ones((2, 4)), np.ones((3, 4)), np.ones((3, 1))
    with pytest.raises(exc, match=match):
        scaled_dot_product_attention(q, k, v, **kwargs)


@pytest.mark.parametrize(
    "q, k, v, match",
    [(np.ones(4), np.ones((3, 4)), np.ones((3, 1)), "q"),
     (np.ones((2, 4)), np.ones((3, 5)), np.ones((3, 1)), "k"),
     (np.ones((2, 4)), np.ones((3, 4)), np.ones((2, 1)), "v"),
     (np.full((2, 4), np.nan), np.ones((3, 4)), np.ones((3, 1)), "q"),
     (np.ones((2, 4)), np.ones((3, 4)), np.ones((3, 1)) * 1j, "v")],
)
def test_sdpa_bad_shapes(q, k, v, match):
    with pytest.raises((ValueError, TypeError), match=match):
        scaled_dot_product_attention(q, k, v)


# ------------------------------------------------------ multi-head attention
def _mha(E, h, bias=True, batch_first=False, seed=0):
    torch.manual_seed(seed)
    mha = torch.nn.MultiheadAttention(E, h, bias=bias, batch_first=batch_first,
                                      dtype=torch.float64)
    with torch.no_grad():  # non-zero biases, so that a wrong bias fails
        for p in mha.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return mha, {n: p.detach().numpy() for n, p in mha.state_dict().items()}


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("E, h, L, S, N", [(8, 2, 4, 6, 3), (12, 3, 5, 5, 1), (6, 1, 2, 7, 2)])
def test_mha_equals_torch(batch_first, E, h, L, S, N):
    mha, params = _mha(E, h, batch_first=batch_first, seed=E + h)
    rng = np.random.default_rng(E * h)
    shape = (lambda n: (N, n, E)) if batch_first else (lambda n: (n, N, E))
    q, k, v = rng.standard_normal(shape(L)), rng.standard_normal(shape(S)), \
        rng.standard_normal(shape(S))
    ref = mha(T(q), T(k), T(v), need_weights=False)[0].detach().numpy()
    # same projections, head split and output projection as torch
    out = multi_head_attention(q, k, v, params, h, batch_first=batch_first)
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_mha_without_bias_and_unbatched_equals_torch():
    mha, params = _mha(6, 2, bias=False)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((4, 6)), rng.standard_normal((5, 6))
    ref = mha(T(x), T(y), T(y), need_weights=False)[0].detach().numpy()
    # (L, E) input, no in_proj_bias / out_proj.bias in the state dict
    assert "in_proj_bias" not in params
    np.testing.assert_allclose(multi_head_attention(x, y, y, params, 2), ref, atol=1e-12)


def test_mha_accepts_tensors_as_params():
    mha, _ = _mha(4, 2)
    x = np.random.default_rng(2).standard_normal((3, 1, 4))
    ref = mha(T(x), T(x), T(x), need_weights=False)[0].detach().numpy()
    # the state dict itself (tensors) works
    np.testing.assert_allclose(multi_head_attention(x, x, x, mha.state_dict(), 2), ref,
                               atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
def test_mha_key_padding_mask_equals_torch(batch_first):
    mha, params = _mha(8, 4, batch_first=batch_first, seed=3)
    rng = np.random.default_rng(3)
    N, L, S = 3, 4, 6
    q = rng.standard_normal((N, L, 8) if batch_first else (L, N, 8))
    kv = rng.standard_normal((N, S, 8) if batch_first else (S, N, 8))
    pad = np.zeros((N, S), bool)
    pad[0, 4:] = True
    pad[2, 1:3] = True
    ref = mha(T(q), T(kv), T(kv), key_padding_mask=T(pad),
              need_weights=False)[0].detach().numpy()
    # True = ignore this key (MultiheadAttention's convention)
    out = multi_head_attention(q, kv, kv, params, 4, key_padding_mask=pad,
                               batch_first=batch_first)
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_mha_fully_padded_sequence_gives_the_output_bias():
    mha, params = _mha(4, 2, batch_first=True, seed=4)
    x = np.random.default_rng(4).standard_normal((2, 3, 4))
    pad = np.array([[False] * 3, [True] * 3])
    ref = mha(T(x), T(x), T(x), key_padding_mask=T(pad),
              need_weights=False)[0].detach().numpy()
    out = multi_head_attention(x, x, x, params, 2, key_padding_mask=pad, batch_first=True)
    # attention output 0 for every query, so only out_proj.bias remains
    np.testing.assert_allclose(out[1], np.broadcast_to(params["out_proj.bias"], (3, 4)))
    np.testing.assert_allclose(out, ref, atol=1e-12)


def test_mha_heads_split_the_features_in_order():
    E, h = 4, 2
    W = np.zeros((3 * E, E))
    W[2 * E:] = np.eye(E)  # W_q = W_k = 0 (uniform weights), W_v = I
    params = {"in_proj_weight": W, "out_proj.weight": np.eye(E)}
    x = np.random.default_rng(5).standard_normal((5, E))
    # zero scores: each head averages its own slice of the values
    np.testing.assert_allclose(multi_head_attention(x, x, x, params, h),
                               np.broadcast_to(x.mean(0), x.shape), atol=1e-14)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"num_heads": 3}, "in_proj_weight"),
     ({"num_heads": 0}, "num_heads"),
     ({"num_heads": 2.0}, "num_heads"),
     ({"key_padding_mask": np.zeros((1, 5))}, "key_padding_mask"),
     ({"key_padding_mask": np.zeros((2, 5), bool)}, "key_padding_mask"),
     ({"batch_first": 1}, "batch_first")],
)
def test_mha_bad_input(kwargs, match):
    _, params = _mha(4, 2)
    x = np.ones((5, 1, 4))
    args = {"num_heads": 2} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        multi_head_attention(x, x, x, params, **args)


def test_mha_bad_shapes():
    _, params = _mha(4, 2)
    # wrong embedding size of the key
    with pytest.raises(ValueError, match="key"):
        multi_head_attention(np.ones((5, 1, 4)), np.ones((5, 1, 3)), np.ones((5, 1, 4)),
                             params, 2)
    # out_proj.weight of the wrong shape
    bad = params | {"out_proj.weight": np.ones((4, 3))}
    with pytest.raises(ValueError, match="out_proj.weight"):
        multi_head_attention(np.ones((5, 4)), np.ones((5, 4)), np.ones((5, 4)), bad, 2)


# ----------------------------------------------------------------- Hopfield
def test_hopfield_update_is_attention_with_beta_one_over_sqrt_d():
    rng = np.random.default_rng(8)
    d = 16
    X, xi = rng.standard_normal((10, d)), rng.standard_normal((3, d))
    # Ramsauer et al.: xi_new = X^T softmax(beta X xi) = Attn(xi, X, X)
    np.testing.assert_allclose(hopfield_update(X, xi, 1 / np.sqrt(d)),
                               scaled_dot_product_attention(xi, X, X), atol=1e-14)


def test_hopfield_update_formula_and_energy_descent():
    rng = np.random.default_rng(9)
    X, xi, beta = rng.standard_normal((6, 5)), rng.standard_normal(5), 0.7
    p = np.exp(beta * X @ xi)
    # xi_new = X^T softmax(beta X xi), written out
    np.testing.assert_allclose(hopfield_update(X, xi, beta), X.T @ (p / p.sum()), atol=1e-14)

    def energy(s):
        return -np.log(np.exp(beta * X @ s).sum()) / beta + s @ s / 2

    # the update never increases the energy (concave-convex procedure)
    states = [xi]
    for _ in range(5):
        states.append(hopfield_update(X, states[-1], beta))
    assert all(energy(b) <= energy(a) + 1e-12 for a, b in itertools.pairwise(states))


def test_hopfield_retrieves_a_pattern_in_one_step_at_large_beta():
    rng = np.random.default_rng(10)
    X = np.sign(rng.standard_normal((20, 64)))
    probe = X[3] * np.where(rng.random(64) < 0.2, -1, 1)  # 20 % of bits flipped
    # one update lands on the stored pattern
    np.testing.assert_allclose(hopfield_update(X, probe, beta=1.0), X[3], atol=1e-6)


@pytest.mark.parametrize(
    "args, match",
    [((np.ones((3, 2)), np.ones(3), 1.0), "state"),
     ((np.ones(3), np.ones(3), 1.0), "patterns"),
     ((np.ones((3, 2)), np.ones(2), 0.0), "beta"),
     ((np.ones((3, 2)), np.ones(2), True), "beta")],
)
def test_hopfield_bad_input(args, match):
    with pytest.raises((ValueError, TypeError), match=match):
        hopfield_update(*args)


# --------------------------------------------------------- Vision Transformer
@pytest.mark.parametrize("N, C, H, W, p, D", [(2, 3, 8, 12, 4, 5), (1, 1, 6, 6, 2, 3),
                                              (3, 2, 5, 10, 5, 4), (1, 2, 4, 4, 1, 2)])
def test_linear_map_on_patches_is_a_stride_p_convolution(N, C, H, W, p, D):
    rng = np.random.default_rng(N + C + H + W + p)
    x, w, b = rng.standard_normal((N, C, H, W)), rng.standard_normal((D, C, p, p)), \
        rng.standard_normal(D)
    tokens = patchify(x, p) @ w.reshape(D, -1).T + b  # [N, n_patches, D]
    ref = F.conv2d(T(x), T(w), T(b), stride=p).numpy()  # [N, D, H/p, W/p]
    # row-major patches, (C, p, p) flattening: the same numbers as the conv
    np.testing.assert_allclose(tokens, ref.reshape(N, D, -1).transpose(0, 2, 1), atol=1e-12)


def test_patchify_order_by_hand():
    x = np.arange(2 * 4 * 6, dtype=float).reshape(1, 2, 4, 6)
    P = patchify(x, 2)
    # 2 x 3 patches, the second one in the first row starts at column 2
    assert P.shape == (1, 6, 8)
    np.testing.assert_array_equal(P[0, 1], [2, 3, 8, 9, 26, 27, 32, 33])
    # patch 3 is the first of the second row
    np.testing.assert_array_equal(P[0, 3, :4], [12, 13, 18, 19])


@pytest.mark.parametrize(
    "shape, p, match",
    [((1, 1, 8, 6), 4, "patch"), ((1, 1, 6, 8), 4, "patch"), ((1, 8, 8), 4, "images"),
     ((1, 1, 8, 8), 0, "patch")],
)
def test_patchify_bad_input(shape, p, match):
    with pytest.raises(ValueError, match=match):
        patchify(np.ones(shape), p)


def test_conv_patches_make_a_circular_convolution():
    rng = np.random.default_rng(11)
    x, w = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((4, 3, 3, 3))
    out = conv_patches(x) @ w.reshape(4, -1).T  # [N, H W, C_out]
    ref = F.conv2d(F.pad(T(x), (1, 1, 1, 1), mode="circular"), T(w)).numpy()
    # a linear map on the windows is the circularly padded convolution
    np.testing.assert_allclose(out, ref.reshape(2, 4, -1).transpose(0, 2, 1), atol=1e-12)
    with pytest.raises(ValueError, match="kernel"):
        conv_patches(x, 2)


# ---------------------------------------------------------- parameter counts
def test_transformer_base_count_and_torch():
    p = transformer_params()
    # base: 6 + 6 layers of width 512, one shared 37000 x 512 embedding
    assert p["embeddings"] == 37000 * 512
    assert p["total"] == 63_082_496
    # the layer counts agree with torch.nn.Transformer (which adds two final norms)
    model = torch.nn.Transformer(d_model=64, nhead=4, num_encoder_layers=2,
                                 num_decoder_layers=3, dim_feedforward=96,
                                 batch_first=True)
    ours = transformer_params(64, 96, 2, vocab=0, final_norm=True)
    enc = sum(q.numel() for q in model.encoder.parameters())
    dec_layers = transformer_params(64, 96, 3, vocab=0, final_norm=True)["decoder"]
    assert ours["encoder"] == enc
    assert dec_layers == sum(q.numel() for q in model.decoder.parameters())
    # three separate embedding matrices instead of one
    assert transformer_params(shared_embeddings=False)["embeddings"] == 3 * 37000 * 512


def test_vit_b16_count_and_a_torch_vit():
    p = vit_params()
    # ViT-B/16 at 224: 14 x 14 patches, 86.6 M parameters
    assert (p["patches"], p["total"]) == (196, 86_567_656)
    # a small ViT built from torch modules has the counted number of parameters
    size, patch, C, d, depth, mlp, K = 16, 4, 3, 24, 2, 40, 7
    layers = [torch.nn.TransformerEncoderLayer(d, 4, mlp, norm_first=True, batch_first=True)
              for _ in range(depth)]
    modules = [torch.nn.Conv2d(C, d, patch, stride=patch), *layers, torch.nn.LayerNorm(d),
               torch.nn.Linear(d, K)]
    n = sum(q.numel() for m in modules for q in m.parameters())
    n += d + ((size // patch) ** 2 + 1) * d  # class token and positions
    assert vit_params(size, patch, C, d, depth, mlp, K)["total"] == n


@pytest.mark.parametrize(
    "call, match",
    [(lambda: transformer_params(d_model=0), "d_model"),
     (lambda: transformer_params(vocab=-1), "vocab"),
     (lambda: transformer_params(shared_embeddings=1), "shared_embeddings"),
     (lambda: vit_params(image=224, patch=15), "patch"),
     (lambda: vit_params(depth=1.5), "depth")],
)
def test_counts_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


# ------------------------------------------------------------ toy data, models
def test_motif_images_put_the_labelled_motif_somewhere():
    from physdl_docs.attention import MOTIFS

    X, y = motif_images(50, noise=0.0, rng=0)
    windows = conv_patches(X).reshape(50, 64, 3, 3)
    # without noise, some window equals the motif of the label exactly
    assert all((windows[i] == MOTIFS[y[i]]).all(axis=(1, 2)).any() for i in range(50))
    assert X.dtype == np.float32 and y.dtype == np.int64
    with pytest.raises(ValueError, match="noise"):
        motif_images(5, noise=-1.0)


def test_side_by_side_copies_train_exactly_like_single_models():
    M, V, L = 3, 5, 4
    both = sequence_model(M, V, L, d_model=8, positions=[True, False, True], seed=1)
    singles = []
    for m in range(M):  # copy m's initial weights into a one-copy model
        single = sequence_model(1, V, L, d_model=8, positions=m != 1, seed=1)
        with torch.no_grad():
            for (name, p), q in zip(single.named_parameters(), both.parameters()):
                size = q.shape[0] // M if name == "embed" else 1
                p.copy_(q[m * size:(m + 1) * size] if name == "embed" else q[m:m + 1])
        singles.append(single)
    data = torch.randint(V, (15, M, 6, L), generator=torch.Generator().manual_seed(0))

    def batches(copies):  # the same 15 batches, for all copies or for one
        it = iter(data[:, copies])

        def batch(gen):
            x = next(it)
            return x, x.flip(-1)

        return batch

    fit_models(both, batches(slice(None)), steps=15)
    for m, single in enumerate(singles):
        fit_models(single, batches(slice(m, m + 1)), steps=15)
        # the summed loss trains every copy exactly as if it were alone
        for (name, p), q in zip(single.named_parameters(), both.parameters()):
            size = q.shape[0] // M if name == "embed" else 1
            ref = q[m * size:(m + 1) * size] if name == "embed" else q[m:m + 1]
            torch.testing.assert_close(p, ref, atol=1e-5, rtol=1e-5)


def test_models_without_positions_are_permutation_equivariant():
    model = sequence_model(2, 6, 5, positions=[False, True], seed=2)
    x = torch.randint(6, (2, 4, 5), generator=torch.Generator().manual_seed(2))
    perm = torch.tensor([3, 0, 4, 1, 2])
    with torch.no_grad():
        out, out_p = model(x), model(x[:, :, perm])
    # without positions: permuting the tokens permutes the outputs
    torch.testing.assert_close(out_p[0], out[0][:, perm], atol=1e-5, rtol=1e-5)
    # with positions: it does not
    assert (out_p[1] - out[1][:, perm]).abs().max() > 0.1


def test_conv_model_is_invariant_to_circular_shifts():
    X, _ = motif_images(4, rng=3)
    model = conv_model(2, 9, 4, seed=3)
    shifted = np.roll(X, (4, 3), axis=(2, 3))
    with torch.no_grad():
        a = model(torch.from_numpy(conv_patches(X)).expand(2, -1, -1, -1))
        b = model(torch.from_numpy(conv_patches(shifted)).expand(2, -1, -1, -1))
    # circular padding + global max: the output ignores where the motif is
    torch.testing.assert_close(a, b, atol=1e-6, rtol=1e-6)


def test_patch_and_conv_models_learn_the_motifs_with_enough_data():
    sets = [motif_images(512, rng=s) for s in range(2)]
    X_test, y_test = motif_images(300, rng=9)
    cnn = conv_model(2, 9, 4, seed=0)
    fit_models(cnn, minibatches([(conv_patches(X), y) for X, y in sets], 32), 60, lr=2e-2)
    # a matched prior: the CNN is (nearly) perfect
    assert accuracies(cnn, conv_patches(X_test), y_test, shared=True).min() > 0.95
    vit = patch_model(2, 4, 16, 4, seed=0)
    history = fit_models(vit, minibatches([(patchify(X, 4), y) for X, y in sets], 32), 60)
    # the ViT-style model learns something in 60 steps (chance: 0.25)
    assert accuracies(vit, patchify(X_test, 4), y_test, shared=True).min() > 0.35
    assert history.shape == (60, 2) and history[-1].max() < history[0].min()


@pytest.mark.parametrize(
    "call, match",
    [(lambda: sequence_model(0, 5, 4), "n_models"),
     (lambda: sequence_model(2, 5, 4, positions=[1, 0]), "positions"),
     (lambda: sequence_model(2, 5, 4, d_model=6, n_heads=4), "n_heads"),
     (lambda: patch_model(2, 4, 16, 0), "n_classes"),
     (lambda: conv_model(2, 9, 4, channels=0), "channels"),
     (lambda: fit_models(conv_model(1, 9, 4), None, steps=0), "steps"),
     (lambda: fit_models(conv_model(1, 9, 4), None, steps=1, lr=0), "lr"),
     (lambda: minibatches([], 0), "batch_size")],
)
def test_model_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()


def test_transformer_block_equals_torch_modules():
    from physdl_docs.attention import _classes

    torch.manual_seed(0)
    M, d, h, d_ff = 2, 8, 2, 12
    block = _classes()["TransformerBlock"](M, d, h, d_ff, torch.Generator().manual_seed(1))
    with torch.no_grad():
        block.b_1.normal_()
    x = torch.randn(M, 3, 5, d)
    for m in range(M):
        mha = torch.nn.MultiheadAttention(d, h, bias=False, batch_first=True)
        with torch.no_grad():
            mha.in_proj_weight.copy_(block.W_qkv[m].T)
            mha.out_proj.weight.copy_(block.W_o[m].T)
        ln = torch.nn.functional.layer_norm
        xm = x[m]
        y = xm + mha(ln(xm, (d,)), ln(xm, (d,)), ln(xm, (d,)), need_weights=False)[0]
        y = y + torch.relu(ln(y, (d,)) @ block.W_1[m] + block.b_1[m]) @ block.W_2[m]
        # pre-norm block: x + MHA(LN x), then + W2 ReLU(W1 LN x + b1), per copy
        torch.testing.assert_close(block(x)[m], y, atol=1e-5, rtol=1e-5)


def test_conv_model_equals_conv_relu_maxpool_linear():
    X, _ = motif_images(5, rng=4)
    model = conv_model(2, 9, 4, channels=3, seed=4)
    with torch.no_grad():
        model.b.normal_()
        model.b_head.normal_()
        out = model(torch.from_numpy(conv_patches(X)).expand(2, -1, -1, -1))
        for m in range(2):
            w = model.W[m].T.reshape(3, 1, 3, 3)  # [C_out, C_in, k, k]
            f = F.conv2d(F.pad(torch.from_numpy(X), (1, 1, 1, 1), mode="circular"), w,
                         model.b[m, 0])
            ref = torch.relu(f).amax(dim=(2, 3)) @ model.head[m] + model.b_head[m]
            # circular conv, ReLU, global max, linear head
            torch.testing.assert_close(out[m], ref, atol=1e-5, rtol=1e-5)
