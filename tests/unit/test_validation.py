"""The shared input checks: messages name the argument and the expectation."""

import numpy as np
import pytest

from physdl_docs._validation import (
    as_rng,
    check_array,
    check_binary,
    check_float,
    check_int,
    check_spins,
)


def test_as_rng_same_seed_same_stream():
    # a seed and a Generator seeded alike give the same numbers
    a = as_rng(3).random(4)
    b = as_rng(np.random.default_rng(3)).random(4)
    assert np.array_equal(a, b)


def test_as_rng_passes_a_generator_through():
    # the caller's generator is used, not copied: its state advances
    g = np.random.default_rng(0)
    assert as_rng(g) is g


@pytest.mark.parametrize("bad", [1.5, "0", True])
def test_as_rng_rejects_other_types(bad):
    with pytest.raises(TypeError, match="rng must be None, an int seed"):
        as_rng(bad)


def test_as_rng_rejects_negative_seed():
    with pytest.raises(ValueError, match="rng must be a non-negative seed"):
        as_rng(-1)


def test_check_int():
    assert check_int(np.int64(5), "n") == 5
    with pytest.raises(TypeError, match="n must be an int, got float"):
        check_int(5.0, "n")
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        check_int(True, "n")
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        check_int(0, "n", minimum=1)


def test_check_float_bounds():
    assert check_float(2, "T", minimum=0, strict=True) == 2.0
    with pytest.raises(ValueError, match="T must be > 0"):
        check_float(0.0, "T", minimum=0, strict=True)
    with pytest.raises(ValueError, match="p must be <= 1"):
        check_float(1.5, "p", maximum=1)
    with pytest.raises(ValueError, match="T must be finite"):
        check_float(float("nan"), "T")
    with pytest.raises(TypeError, match="T must be a real number"):
        check_float("1", "T")


def test_check_array_shape_messages():
    with pytest.raises(ValueError, match=r"X must be a 2-D array, got shape \(3,\)"):
        check_array([1, 2, 3], "X", ndim=2)
    with pytest.raises(ValueError, match=r"W must have shape \(2, any\), got \(3, 3\)"):
        check_array(np.zeros((3, 3)), "W", shape=(2, None))
    with pytest.raises(ValueError, match="X must contain only finite values"):
        check_array([1.0, np.inf], "X")
    with pytest.raises(TypeError, match="X must be a numeric array"):
        check_array(["a", "b"], "X")


def test_check_spins_accepts_only_plus_minus_one():
    s = check_spins([1, -1, 1], "s")
    assert s.dtype == np.float64 and s.tolist() == [1.0, -1.0, 1.0]
    with pytest.raises(ValueError, match="s must contain only -1 and \\+1, found 0"):
        check_spins([1, 0, 1], "s")
    with pytest.raises(ValueError, match="s must not be empty"):
        check_spins([], "s")


def test_check_spins_returns_a_copy():
    # the caller's array is never modified through the returned one
    x = np.array([1.0, -1.0])
    y = check_spins(x, "x")
    y[0] = -1
    assert x[0] == 1.0


def test_check_binary_range():
    assert check_binary([[0, 0.5, 1]], "X", ndim=2).shape == (1, 3)
    with pytest.raises(ValueError, match=r"X must contain values in \[0, 1\]"):
        check_binary([0.2, 1.2], "X")
