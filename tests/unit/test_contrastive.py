"""Tests of physdl_docs.contrastive against torch, finite differences and
closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from physdl_docs.contrastive import (
    Encoder,
    augment,
    effective_negatives,
    fit_simclr,
    gaussian_log_ratio,
    gaussian_mutual_information,
    gaussian_pairs,
    info_nce,
    info_nce_grad,
    info_nce_torch,
    infonce_bound,
    jitter,
    negative_weights,
)


def nt_xent_reference(z1, z2, tau):
    """SimCLR's loss as usually written: normalise, mask, cross-entropy."""
    N = z1.shape[0]
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = u @ u.T / tau
    logits = logits.masked_fill(torch.eye(2 * N, dtype=torch.bool), float("-inf"))
    labels = torch.cat([torch.arange(N, 2 * N), torch.arange(N)])
    return F.cross_entropy(logits, labels)


CASES = [(1, 3, 0.5), (2, 2, 1.0), (5, 4, 0.5), (8, 16, 0.1), (16, 3, 2.0), (7, 8, 0.05)]


@pytest.mark.parametrize("N, d, tau", CASES)
def test_info_nce_equals_the_usual_torch_formulation(N, d, tau):
    rng = np.random.default_rng(N * d)
    z1, z2 = rng.standard_normal((N, d)), rng.standard_normal((N, d))
    ref = nt_xent_reference(torch.from_numpy(z1), torch.from_numpy(z2), tau).item()
    # mean over 2N views of -log softmax of the partner
    assert info_nce(z1, z2, tau) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("N, d, tau", CASES)
def test_torch_version_value_and_autograd_gradient(N, d, tau):
    rng = np.random.default_rng(N + d)
    z1, z2 = rng.standard_normal((N, d)), rng.standard_normal((N, d))
    a = [torch.tensor(z, requires_grad=True) for z in (z1, z2)]
    b = [torch.tensor(z, requires_grad=True) for z in (z1, z2)]
    ours, ref = info_nce_torch(*a, tau), nt_xent_reference(*b, tau)
    ours.backward()
    ref.backward()
    # same value as the numpy loss and as the cross-entropy formulation
    assert ours.item() == pytest.approx(info_nce(z1, z2, tau), abs=1e-12)
    # autograd through our formula = autograd through the independent one
    for x, y in zip(a, b):
        np.testing.assert_allclose(x.grad.numpy(), y.grad.numpy(), atol=1e-10)


@pytest.mark.parametrize("N, d, tau", CASES)
def test_numpy_gradient_equals_autograd(N, d, tau):
    rng = np.random.default_rng(3 * N + d)
    z1, z2 = rng.standard_normal((N, d)), rng.standard_normal((N, d))
    t = [torch.tensor(z, requires_grad=True) for z in (z1, z2)]
    nt_xent_reference(*t, tau).backward()
    loss, g1, g2 = info_nce_grad(z1, z2, tau)
    # closed-form gradient = torch.autograd, float64
    np.testing.assert_allclose(g1, t[0].grad.numpy(), atol=1e-10)
    np.testing.assert_allclose(g2, t[1].grad.numpy(), atol=1e-10)
    assert loss == pytest.approx(info_nce(z1, z2, tau), abs=1e-14)


def test_numpy_gradient_equals_finite_differences():
    rng = np.random.default_rng(4)
    z1, z2, tau, h = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), 0.3, 1e-6
    _, g1, g2 = info_nce_grad(z1, z2, tau)
    for z, g, first in ((z1, g1, True), (z2, g2, False)):
        fd = np.zeros_like(z)
        for idx in np.ndindex(z.shape):
            zp, zm = z.copy(), z.copy()
            zp[idx] += h
            zm[idx] -= h
            args_p = (zp, z2) if first else (z1, zp)
            args_m = (zm, z2) if first else (z1, zm)
            fd[idx] = (info_nce(*args_p, tau) - info_nce(*args_m, tau)) / (2 * h)
        # central differences agree to O(h^2) + rounding
        np.testing.assert_allclose(g, fd, atol=1e-8)


def test_stable_for_a_tiny_temperature():
    rng = np.random.default_rng(5)
    z1, z2 = rng.standard_normal((6, 4)), rng.standard_normal((6, 4))
    tau = 1e-3  # scores up to 1000: exp would overflow without the max shift
    loss, g1, _ = info_nce_grad(z1, z2, tau)
    ref = nt_xent_reference(torch.from_numpy(z1), torch.from_numpy(z2), tau).item()
    # finite, and equal to torch's log-sum-exp in float64
    assert np.isfinite(loss) and np.isfinite(g1).all()
    assert loss == pytest.approx(ref, rel=1e-12)


def test_closed_forms():
    # N = 1: the partner is the only candidate, so the loss is 0
    assert info_nce(np.array([[1.0, 2.0]]), np.array([[-3.0, 1.0]]), 0.5) == 0.0
    # collapse (all views equal): every candidate ties, loss = log(2N - 1)
    z = np.ones((5, 3))
    assert info_nce(z, z, 0.7) == pytest.approx(math.log(9), abs=1e-14)
    # two orthogonal images, identical views: log(1 + 2 e^{-1/tau})
    assert info_nce(np.eye(2), np.eye(2), 1.0) == pytest.approx(math.log(1 + 2 / math.e))


def test_loss_is_invariant_to_the_length_of_each_embedding():
    rng = np.random.default_rng(6)
    z1, z2 = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    scale = rng.uniform(0.1, 10, (5, 1))
    # cosine similarity: rescaling a row changes nothing
    assert info_nce(z1 * scale, z2, 0.5) == pytest.approx(info_nce(z1, z2, 0.5), abs=1e-13)
    # ... so the gradient is orthogonal to each row
    _, g1, _ = info_nce_grad(z1, z2, 0.5)
    np.testing.assert_allclose(np.sum(g1 * z1, axis=1), 0, atol=1e-14)


def test_zero_rows_are_handled_like_torch_normalize():
    z1 = np.array([[0.0, 0.0], [1.0, 2.0]])
    z2 = np.array([[1.0, 0.0], [0.0, 1.0]])
    ref = nt_xent_reference(torch.from_numpy(z1), torch.from_numpy(z2), 0.5).item()
    # a zero embedding has cosine similarity 0 with everything
    assert info_nce(z1, z2, 0.5) == pytest.approx(ref, abs=1e-12)


def test_negative_weights_are_the_softmax_without_the_partner():
    rng = np.random.default_rng(7)
    z1, z2, tau = rng.standard_normal((4, 3)), rng.standard_normal((4, 3)), 0.4
    w = negative_weights(z1, z2, tau)
    u = np.concatenate([z1, z2])
    u /= np.linalg.norm(u, axis=1, keepdims=True)
    s = u @ u.T / tau
    i, negatives = 1, [0, 2, 3, 4, 6, 7]  # view 1: not itself, not view 5
    ref = np.exp(s[i, negatives]) / np.exp(s[i, negatives]).sum()
    # weights of view 1's six negatives, in order
    np.testing.assert_allclose(w[i], ref, atol=1e-14)


def test_temperature_sets_how_many_negatives_count():
    rng = np.random.default_rng(8)
    z1, z2 = rng.standard_normal((10, 5)), rng.standard_normal((10, 5))
    counts = [effective_negatives(z1, z2, tau) for tau in (1e-4, 0.1, 1.0, 1e3)]
    # from one hardest negative (tau -> 0) to all 18 (tau -> infinity)
    assert counts[0] == pytest.approx(1.0, abs=1e-4)
    assert counts[-1] == pytest.approx(18.0, rel=1e-4)
    assert counts == sorted(counts)


def test_infonce_bound_closed_forms_and_cap():
    # a perfect critic: the bound reaches its cap log N and no more
    assert infonce_bound(np.diag(np.full(8, 1e6))) == pytest.approx(math.log(8))
    rng = np.random.default_rng(9)
    assert infonce_bound(rng.standard_normal((50, 50)) * 30) <= math.log(50)
    # uninformative critic: bound 0
    assert infonce_bound(np.ones((6, 6))) == pytest.approx(0.0, abs=1e-14)


def test_infonce_bound_is_below_and_near_the_true_mutual_information():
    d, rho, N = 2, 0.6, 512
    I = gaussian_mutual_information(d, rho)
    bounds = [infonce_bound(gaussian_log_ratio(*gaussian_pairs(N, d, rho, rng=s), rho))
              for s in range(20)]
    # with the optimal critic and I << log N, log N - L is just under I
    assert np.mean(bounds) < I
    assert np.mean(bounds) == pytest.approx(I, abs=0.05)


def test_gaussian_log_ratio_equals_the_densities():
    from scipy.stats import multivariate_normal

    rho, d = 0.7, 3
    x, y = gaussian_pairs(4, d, rho, rng=10)
    cond = [multivariate_normal(rho * xi, (1 - rho**2) * np.eye(d)) for xi in x]
    ref = np.array([[c.logpdf(yj) for yj in y] for c in cond])
    ref -= multivariate_normal(np.zeros(d), np.eye(d)).logpdf(y)[None, :]
    # log p(y_j | x_i) - log p(y_j)
    np.testing.assert_allclose(gaussian_log_ratio(x, y, rho), ref, atol=1e-12)
    # and the empirical correlation of the pairs is rho
    x, y = gaussian_pairs(20000, 1, rho, rng=11)
    assert np.corrcoef(x[:, 0], y[:, 0])[0, 1] == pytest.approx(rho, abs=0.01)


def test_jitter_and_augment_move_pixels_without_losing_them():
    rng = np.random.default_rng(12)
    x = rng.random((20, 4, 5))
    J = jitter(x, size=7, rng=1)
    # every image lands inside the canvas, intact
    np.testing.assert_allclose(J.sum(axis=(1, 2)), x.sum(axis=(1, 2)))
    assert {tuple(np.argwhere(j > 0).min(0)) for j in J} <= {(a, b) for a in range(4)
                                                           for b in range(3)}
    # no shift, no noise: the identity
    np.testing.assert_array_equal(augment(x, rng=0, shift=0, noise=0.0), x)
    # a shift of at most 1 keeps a pixel within 1 of where it was
    one = np.zeros((50, 5, 5))
    one[:, 2, 2] = 1
    pos = np.argwhere(augment(one, rng=2, noise=0.0) == 1)[:, 1:]
    assert np.abs(pos - 2).max() == 1 and len(pos) == 50
    # ... and all nine shifts in -1..1 x -1..1 occur
    assert {tuple(p) for p in pos - 2} == {(a, b) for a in (-1, 0, 1) for b in (-1, 0, 1)}
    # jitter uses every offset of the image in the canvas
    offsets = {tuple(np.argwhere(j > 0).min(0)) for j in jitter(np.ones((200, 4, 5)), 7, rng=3)}
    assert offsets == {(a, b) for a in range(4) for b in range(3)}


def test_encoder_backward_equals_autograd():
    enc = Encoder(6, 5, 3, rng=13)
    rng = np.random.default_rng(13)
    X, dz = rng.standard_normal((7, 6)), rng.standard_normal((7, 3))
    h, z = enc.forward(X)
    grads = enc.backward(X, h, dz)
    W1, b1, W2 = (torch.tensor(p, requires_grad=True) for p in enc.params)
    zt = torch.relu(torch.from_numpy(X) @ W1 + b1) @ W2
    (zt * torch.from_numpy(dz)).sum().backward()
    # hand-written backprop of z = ReLU(x W1 + b1) W2
    for g, p in zip(grads, (W1, b1, W2)):
        np.testing.assert_allclose(g, p.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(z, zt.detach().numpy(), atol=1e-12)


def test_fit_simclr_lowers_the_loss_reproducibly():
    patterns = np.random.default_rng(14).random((80, 4, 4)) > 0.5
    images = jitter(patterns.astype(float), 6, rng=14)
    runs = []
    for _ in range(2):
        enc = Encoder(36, 32, 8, rng=0)
        runs.append(fit_simclr(enc, images, temperature=0.5, steps=300, batch_size=16,
                               rng=1))
    # same seeds, same run; the loss falls from about log(2B - 1)
    np.testing.assert_array_equal(runs[0], runs[1])
    assert runs[0][-10:].mean() < runs[0][:10].mean() - 0.3
    assert runs[0][0] == pytest.approx(math.log(31), abs=0.5)


@pytest.mark.parametrize(
    "call, match",
    [(lambda: info_nce(np.ones((2, 3)), np.ones((3, 3))), "z2"),
     (lambda: info_nce(np.ones(3), np.ones(3)), "z1"),
     (lambda: info_nce(np.ones((2, 3)), np.ones((2, 3)), 0.0), "temperature"),
     (lambda: info_nce(np.ones((2, 3)), np.ones((2, 3)), -1), "temperature"),
     (lambda: info_nce(np.ones((2, 3)) * 1j, np.ones((2, 3))), "z1"),
     (lambda: info_nce_grad(np.full((2, 3), np.nan), np.ones((2, 3))), "z1"),
     (lambda: info_nce_torch(torch.ones(2, 3), torch.ones(3, 3)), "z1"),
     (lambda: negative_weights(np.ones((1, 3)), np.ones((1, 3)), 1.0), "z1"),
     (lambda: infonce_bound(np.ones((2, 3))), "scores"),
     (lambda: gaussian_pairs(5, 2, 1.0), "rho"),
     (lambda: jitter(np.ones((2, 8, 8)), size=7), "size"),
     (lambda: augment(np.ones((2, 8, 8)), shift=-1), "shift"),
     (lambda: augment(np.ones((2, 8, 8)), noise=-0.1), "noise"),
     (lambda: Encoder(0), "n_in"),
     (lambda: fit_simclr(Encoder(10), np.ones((5, 4, 4))), "n_in"),
     (lambda: fit_simclr(Encoder(16), np.ones((5, 4, 4)), batch_size=8), "batch_size"),
     (lambda: fit_simclr(Encoder(16), np.ones((5, 4, 4)), batch_size=2, steps=0), "steps")],
)
def test_bad_input(call, match):
    with pytest.raises((ValueError, TypeError), match=match):
        call()
