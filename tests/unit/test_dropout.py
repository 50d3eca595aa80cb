"""Unit tests for physdl_docs.dropout (lesson 2.4).

References: the closed forms E = x and Var = x^2 p / (1 - p) checked by
Monte Carlo at a stated number of standard errors, the binomial law of the
mask, and torch.nn.functional.dropout / torch.nn.Dropout (whose masks come
from torch's generator, so they are compared statistically and by their
exact kept values).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physdl_docs.dropout import DropoutRun, dropout, dropout_mlp, dropout_variance, train_digits

N_MASKS = 20_000
Z = 5.0  # Monte-Carlo tolerance in standard errors


def masks(x: np.ndarray, p: float, n: int = N_MASKS, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([dropout(x, p, rng) for _ in range(n)])


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_expectation_is_preserved_within_monte_carlo_error(p):
    x = np.random.default_rng(1).normal(size=(3, 4))
    D = masks(x, p)
    se = np.sqrt(dropout_variance(x, p) / N_MASKS)
    # the mean over masks equals x within Z standard errors, entrywise
    assert np.all(np.abs(D.mean(axis=0) - x) <= Z * se)


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_variance_is_x_squared_p_over_one_minus_p(p):
    x = np.array([-2.0, 0.5, 1.0, 3.0])
    D = masks(x, p)
    var = dropout_variance(x, p)
    # relative error of a sample variance: sqrt((kurtosis - 1) / n), plus
    # (x_bar - mu)^2 / sigma^2 ~ chi2_1 / n from estimating the mean
    kurt = (1 - 3 * p * (1 - p)) / (p * (1 - p))  # kurtosis of Bernoulli(1 - p)
    tol = Z * np.sqrt((kurt - 1) / N_MASKS) + Z**2 / N_MASKS
    # the sample variance over masks is x^2 p / (1 - p)
    assert np.all(np.abs(D.var(axis=0) / var - 1) <= tol)
    # and the exact values: 0 at p = 0, x^2 at p = 1/2
    assert np.array_equal(dropout_variance(x, 0.0), np.zeros(4))
    assert np.array_equal(dropout_variance(x, 0.5), x**2)


@pytest.mark.parametrize("p", [0.05, 0.3, 0.5, 0.9])
def test_mask_fraction_and_scaling(p):
    x = np.full(200_000, 1.5)
    y = dropout(x, p, rng=2)
    zero = y == 0.0
    # the dropped fraction is Binomial(n, p) / n: within Z standard errors
    assert abs(zero.mean() - p) <= Z * np.sqrt(p * (1 - p) / x.size)
    # every kept entry is x / (1 - p), exactly as computed in float64
    assert np.all(y[~zero] == 1.5 / (1 - p))


def test_p_zero_and_eval_mode_are_the_identity_and_p_one_gives_zeros():
    x = np.random.default_rng(3).normal(size=(5, 2))
    # p = 0: nothing dropped, nothing scaled
    assert np.array_equal(dropout(x, 0.0, rng=0), x)
    # test time: identity for any p, including p = 1
    for p in (0.5, 1.0):
        assert np.array_equal(dropout(x, p, rng=0, training=False), x)
    # p = 1 drops everything (no division by zero), as torch does
    assert np.array_equal(dropout(x, 1.0, rng=0), np.zeros_like(x))
    t = torch.nn.functional.dropout(torch.tensor(x), p=1.0, training=True)
    assert np.array_equal(t.numpy(), np.zeros_like(x))


def test_input_is_not_modified_and_seed_is_reproducible():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    a = dropout(x, 0.5, rng=4)
    # the caller's array is untouched
    assert np.array_equal(x, before)
    # the same seed gives the same mask, another seed (here) a different one
    assert np.array_equal(a, dropout(x, 0.5, rng=4))
    assert not np.array_equal(dropout(np.ones(50), 0.5, rng=4), dropout(np.ones(50), 0.5, rng=5))


@pytest.mark.parametrize("p", [0.25, 0.5])
def test_statistics_equal_torch_functional_dropout(p):
    x = np.random.default_rng(6).normal(size=100_000)
    ours = dropout(x, p, rng=7)
    g = torch.Generator().manual_seed(0)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(torch.randint(2**31, (1,), generator=g)))
        theirs = torch.nn.functional.dropout(torch.tensor(x), p=p, training=True).numpy()
    kept_ours, kept_theirs = ours != 0, theirs != 0
    # same kept values: x / (1 - p), to float64 rounding
    np.testing.assert_allclose(ours[kept_ours], x[kept_ours] / (1 - p), rtol=1e-15, atol=0)
    np.testing.assert_allclose(theirs[kept_theirs], x[kept_theirs] / (1 - p), rtol=1e-15, atol=0)
    # dropped fractions agree within Z standard errors of their difference
    se = np.sqrt(2 * p * (1 - p) / x.size)
    assert abs(kept_ours.mean() - kept_theirs.mean()) <= Z * se
    # and the means of the two outputs agree within Monte-Carlo error
    se_mean = np.sqrt(2 * np.sum(x**2) * p / (1 - p)) / x.size
    assert abs(ours.mean() - theirs.mean()) <= Z * se_mean


def test_validation():
    with pytest.raises(ValueError, match="p"):
        dropout(np.ones(3), 1.5)
    with pytest.raises(ValueError, match="p"):
        dropout(np.ones(3), -0.1)
    with pytest.raises(TypeError, match="training"):
        dropout(np.ones(3), 0.5, training="yes")
    with pytest.raises(TypeError, match="x"):
        dropout(np.array([1 + 2j]), 0.5)
    with pytest.raises(ValueError, match="x"):
        dropout([1.0, np.nan], 0.5)
    with pytest.raises(ValueError, match="p must be < 1"):
        dropout_variance(np.ones(2), 1.0)
    with pytest.raises(ValueError, match="n_hidden"):
        dropout_mlp(4, 0, 2, p=0.5)
    with pytest.raises(ValueError, match="record"):
        train_digits(0.5, record="val")


# ------------------------------------------------------------------- torch
def test_dropout_mlp_is_seeded_locally_and_drops_only_in_train_mode():
    state = torch.get_rng_state()
    a, b = dropout_mlp(8, 32, 3, p=0.5, seed=1), dropout_mlp(8, 32, 3, p=0.5, seed=1)
    # the caller's global RNG is untouched
    assert torch.equal(state, torch.get_rng_state())
    # the same seed gives the same weights
    assert all(torch.equal(u, v) for u, v in zip(a.parameters(), b.parameters()))
    x = torch.randn(4, 8, generator=torch.Generator().manual_seed(0))
    a.eval()
    with torch.no_grad():
        # eval mode: Dropout is the identity, f(x) = W2 relu(W1 x + b1) + b2
        plain = a[3](torch.relu(a[0](x)))
        assert torch.equal(a(x), plain)
        a.train()
        h = a[2](torch.relu(a[0](torch.randn(500, 8, generator=torch.Generator().manual_seed(1)))))
    nonzero = h[h != 0]
    # train mode: kept hidden units are doubled (p = 1/2) ...
    assert torch.all(nonzero > 0)
    # ... and about half of the positive ones are dropped
    positive = torch.relu(a[0](torch.randn(500, 8, generator=torch.Generator().manual_seed(1))))
    frac = 1 - (h != 0).sum().item() / (positive != 0).sum().item()
    assert abs(frac - 0.5) < Z * np.sqrt(0.25 / (positive != 0).sum().item())


def test_train_digits_is_reproducible_and_restores_the_global_rng():
    state = torch.get_rng_state()
    r1 = train_digits(0.5, seed=3, epochs=20, record="test")
    r2 = train_digits(0.5, seed=3, epochs=20)
    # global RNG untouched, and the same seed gives the same run
    assert torch.equal(state, torch.get_rng_state())
    assert (r1.train_accuracy, r1.test_accuracy) == (r2.train_accuracy, r2.test_accuracy)
    # the curve has one entry per epoch; its last entry is the final test accuracy
    assert len(r1.curve) == 20 and r1.curve[-1] == r1.test_accuracy
    # gap is train minus test
    assert r1.gap == r1.train_accuracy - r1.test_accuracy
    assert isinstance(r1, DropoutRun) and r2.curve == []


def test_train_digits_uses_the_seed_for_the_initial_weights():
    # with p = 0 and one epoch, the run only depends on the initial weights;
    # they are dropout_mlp's for the same seed: the model trained from them
    # by one Adam step on the same batch must agree
    from physdl_docs.training import accuracy, digits, fit

    X_tr, X_te, y_tr, y_te = digits(n_train=100)
    model = dropout_mlp(64, 128, 10, p=0.0, seed=5)
    fit(model, X_tr, y_tr, epochs=1, lr=1e-2, batch_size=100, seed=5)
    run = train_digits(0.0, seed=5, epochs=1)
    # same initial weights and same step: same accuracies
    assert run.test_accuracy == accuracy(model, X_te, y_te)
