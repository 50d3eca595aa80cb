"""Shared training helpers: a fixed split and a reproducible loop."""

import numpy as np
import pytest
import torch

from physdl_docs.training import accuracy, digits, fit


def test_split_is_a_fixed_partition_of_the_data():
    X_tr, X_te, y_tr, y_te = digits(n_train=1000, seed=3)
    # train and test together are the 1,797 images, each once
    assert len(X_tr) + len(X_te) == 1797
    rows = {tuple(r) for r in np.vstack([X_tr, X_te]).round(4)}
    assert len(rows) > 1700  # (a few digits are pixel-identical duplicates)
    # the same seed gives the same split, another seed another one
    assert np.array_equal(digits(n_train=1000, seed=3)[2], y_tr)
    assert not np.array_equal(digits(n_train=1000, seed=4)[2], y_tr)
    # pixels scaled to [0, 1]
    assert X_tr.min() == 0.0 and X_tr.max() == 1.0


def _train(seed):
    torch.manual_seed(0)
    net = torch.nn.Linear(64, 10)
    X_tr, X_te, y_tr, y_te = digits()
    h = fit(net, X_tr, y_tr, epochs=3, lr=0.05, seed=seed, X_test=X_te, y_test=y_te)
    return h, accuracy(net, X_te, y_te)


def test_fit_is_reproducible_and_learns():
    (h1, a1), (h2, a2) = _train(0), _train(0)
    # same seeds, same losses to the last bit
    assert h1.loss == h2.loss and a1 == a2
    # the loss decreases and a linear model reaches > 90 % on digits
    assert h1.loss[-1] < h1.loss[0] and a1 > 0.9
    # test accuracy was recorded after each epoch; the last equals accuracy()
    assert len(h1.test_accuracy) == 3 and h1.test_accuracy[-1] == a1
    # another minibatch order gives another trajectory
    assert _train(1)[0].loss != h1.loss


def test_bad_input():
    net = torch.nn.Linear(64, 10)
    X, _, y, _ = digits()
    with pytest.raises(TypeError, match="y must hold integer labels"):
        fit(net, X, y.astype(float))
    with pytest.raises(ValueError, match="y must have shape"):
        fit(net, X, y[:-1])
    with pytest.raises(ValueError, match="lr must be > 0"):
        fit(net, X, y, lr=0.0)
    with pytest.raises(ValueError, match="n_train must be < 1797"):
        digits(n_train=1797)
    with pytest.raises(ValueError, match="X must be a non-empty batch"):
        accuracy(net, np.zeros((0, 64)), np.zeros(0, dtype=int))
