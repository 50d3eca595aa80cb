"""Tests for physdl_docs.dbn: greedy stacking of RBMs."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit
from sklearn.linear_model import LogisticRegression
from threadpoolctl import threadpool_limits

from physdl_docs.dbn import DBN, linear_probe
from physdl_docs.rbm import RBM, binarized_digits


@pytest.fixture(scope="module")
def digits():
    X, y = binarized_digits()
    return X[:300], y[:300]


def test_each_layer_is_trained_on_the_previous_hidden_probabilities(digits):
    X, _ = digits
    dbn = DBN(layer_sizes=(24, 12, 6), n_iter=2, random_state=3).fit(X)
    # an independent greedy stack with the same generator
    rng = np.random.default_rng(3)
    x = X
    for layer, n_hidden in enumerate((24, 12, 6)):
        ref = RBM(n_hidden, n_iter=2, random_state=rng).fit(x)
        # layer has the parameters of an RBM fitted on p(h|x) of layer l-1
        np.testing.assert_array_equal(dbn.rbms_[layer].components_, ref.components_)
        np.testing.assert_array_equal(dbn.rbms_[layer].intercept_hidden_,
                                      ref.intercept_hidden_)
        x = expit(x @ ref.components_.T + ref.intercept_hidden_)
    # weight shapes chain: (24, 64), (12, 24), (6, 12)
    assert [r.components_.shape for r in dbn.rbms_] == [(24, 64), (12, 24), (6, 12)]


def test_transform_composes_the_rbm_transforms(digits):
    X, _ = digits
    dbn = DBN(layer_sizes=(16, 8), n_iter=1, random_state=0).fit(X)
    r1, r2 = dbn.rbms_
    layers = dbn.transform_layers(X[:10])
    # x_1 = p(h1|v), x_2 = p(h2|x_1), and transform returns the top one
    np.testing.assert_allclose(layers[0], r1.transform(X[:10]), rtol=1e-12)
    np.testing.assert_allclose(layers[1], r2.transform(r1.transform(X[:10])),
                               rtol=1e-12)
    np.testing.assert_array_equal(dbn.transform(X[:10]), layers[1])
    assert [x.shape for x in layers] == [(10, 16), (10, 8)]


def test_fit_is_deterministic_with_a_seed(digits):
    X, _ = digits
    a = DBN(layer_sizes=(8, 4), n_iter=2, random_state=11).fit(X)
    b = DBN(layer_sizes=(8, 4), n_iter=2, random_state=11).fit(X)
    c = DBN(layer_sizes=(8, 4), n_iter=2, random_state=12).fit(X)
    # same seed, same top features; another seed, different ones
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert not np.allclose(a.transform(X), c.transform(X))


def test_fit_does_not_modify_input(digits):
    X, _ = digits
    X_copy = X.copy()
    DBN(layer_sizes=(8,), n_iter=1, random_state=0).fit(X).transform(X)
    # the caller's array is unchanged
    np.testing.assert_array_equal(X, X_copy)


def test_pretraining_makes_the_top_features_informative(digits):
    X, y = digits

    def probe(n_iter):
        dbn = DBN(layer_sizes=(32, 16), n_iter=n_iter, random_state=0)
        F = dbn.fit(X).transform(X)
        with threadpool_limits(limits=1, user_api="blas"):  # tiny fit
            clf = LogisticRegression(max_iter=2000).fit(F[:200], y[:200])
        return clf.score(F[200:], y[200:])

    untrained, trained = probe(0), probe(20)
    # untrained (W ~ 0) features are nearly constant: about chance (10%)
    assert untrained < 0.2
    # 20 epochs of CD-1 per layer, no labels used: a large gain
    assert trained > untrained + 0.4


def test_linear_probe_matches_a_direct_fit(digits):
    X, y = digits
    got = linear_probe(X[:200], y[:200], X[200:], y[200:], n_labels=60,
                       n_repeats=2, rng=4)
    rng = np.random.default_rng(4)
    want = []
    for _ in range(2):
        idx = rng.permutation(200)[:60]
        with threadpool_limits(limits=1, user_api="blas"):  # tiny fit
            clf = LogisticRegression(max_iter=2000).fit(X[idx], y[idx])
        want.append(clf.score(X[200:], y[200:]))
    # mean test accuracy over the same random labelled subsets
    assert got == pytest.approx(np.mean(want), abs=1e-12)


@pytest.mark.parametrize(
    "layer_sizes, error, match",
    [
        ((), ValueError, "layer_sizes must contain at least one layer"),
        ((64, 0), ValueError, r"layer_sizes\[1\] must be >= 1"),
        ((64, 2.5), TypeError, r"layer_sizes\[1\] must be an int"),
        ("64", TypeError, "layer_sizes must be a sequence of ints"),
        (64, TypeError, "layer_sizes must be a sequence of ints"),
    ],
)
def test_bad_layer_sizes_raise(layer_sizes, error, match):
    # the message names layer_sizes (and the bad entry)
    with pytest.raises(error, match=match):
        DBN(layer_sizes=layer_sizes)


def test_bad_arguments_raise(digits):
    X, y = digits
    # hyperparameters are checked by name, as in RBM
    with pytest.raises(ValueError, match="k must be >= 1"):
        DBN(k=0)
    with pytest.raises(ValueError, match="not fitted"):
        DBN().transform(X)
    with pytest.raises(ValueError, match=r"X must contain values in \[0, 1\]"):
        DBN(n_iter=1).fit(X * 16)
    with pytest.raises(ValueError, match="n_labels must be <= 300"):
        linear_probe(X, y, X, y, n_labels=301)
    # features and labels that do not line up are rejected by name
    with pytest.raises(ValueError,
                       match=r"F_test must have shape \(any, 64\)"):
        linear_probe(X, y, X[:, :10], y, n_labels=10)
    with pytest.raises(ValueError,
                       match=r"y_train must have shape \(300\), got \(299,\)"):
        linear_probe(X, y[:-1], X, y, n_labels=10)
    with pytest.raises(ValueError, match="F_train must be a 2-D array"):
        linear_probe(X[0], y, X, y, n_labels=10)


def test_linear_probe_error_is_the_standard_error_over_subsets(digits):
    X, y = digits
    mean, err = linear_probe(X[:200], y[:200], X[200:], y[200:], n_labels=30,
                             n_repeats=4, rng=5, error=True)
    # same mean as without error=True (same subsets)
    assert mean == linear_probe(X[:200], y[:200], X[200:], y[200:],
                                n_labels=30, n_repeats=4, rng=5)
    rng = np.random.default_rng(5)
    scores = []
    for _ in range(4):
        idx = rng.permutation(200)[:30]
        with threadpool_limits(limits=1, user_api="blas"):
            clf = LogisticRegression(max_iter=2000).fit(X[idx], y[idx])
        scores.append(clf.score(X[200:], y[200:]))
    # the error is the standard error of the mean over the 4 subsets
    assert err == pytest.approx(np.std(scores, ddof=1) / 2, abs=1e-12)


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda X, y: linear_probe(X, y, X, y, n_labels=1), ValueError,
         "n_labels must be >= 2"),
        (lambda X, y: linear_probe(X, np.zeros(300), X, y, n_labels=10),
         ValueError, "single class"),
        (lambda X, y: linear_probe(X, y + 0.5, X, y, n_labels=10), ValueError,
         "y_train must hold integer class labels"),
        (lambda X, y: linear_probe(X, y, X, y * 1j, n_labels=10), TypeError,
         "y_test must be real"),
        (lambda X, y: linear_probe(X, y, X, y, n_labels=10.0), TypeError,
         "n_labels must be an int"),
        (lambda X, y: linear_probe(X, y, X, y, n_labels=10, error="yes"),
         TypeError, "error must be a bool"),
        (lambda X, y: DBN().transform_layers(X), ValueError,
         "not fitted yet: call fit"),
        (lambda X, y: DBN(n_iter=1).fit(X + 0j), TypeError, "X must be real"),
    ],
)
def test_bad_calls_name_the_argument(digits, call, error, match):
    X, y = digits
    # each bad call gets a clear error naming the argument
    with pytest.raises(error, match=match):
        call(X, y)
