"""Unit tests for physdl_docs.quantization (lesson 3.7).

References: torch.quantize_per_tensor / quantize_per_channel (int8 codes for
the same scale and zero point), torch.fake_quantize_per_tensor_affine (any
code range), and closed forms: the error bound Delta/2, the noise power
Delta^2/12 of a uniform signal and the SQNR of n steps.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from physdl_docs.quantization import (
    dequantize,
    quantize,
    quantize_model,
    quantize_per_channel,
    sqnr_db,
)

# torch 2.13 warns that quantized dtypes are deprecated; the codes are what we test
pytestmark = pytest.mark.filterwarnings("ignore:.*quantize_per:UserWarning")


def near_tie(x: np.ndarray, scale) -> np.ndarray:
    """Where x / scale is within 1e-4 of a half-integer (float32 vs float64 rounding)."""
    frac = np.abs(np.asarray(x, np.float64) / scale) % 1.0
    return np.abs(frac - 0.5) < 1e-4


def torch_codes(x: np.ndarray, scale: float, zero_point: int, symmetric: bool) -> np.ndarray:
    dtype = torch.qint8 if symmetric else torch.quint8
    return torch.quantize_per_tensor(torch.from_numpy(x), scale, zero_point, dtype).int_repr().numpy()


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("seed", range(5))
def test_int8_codes_equal_torch_quantize_per_tensor(symmetric, seed):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(20_000) * 10.0 ** rng.uniform(-2, 2) + rng.normal()).astype(np.float32)
    q, scale, zp = quantize(x, 8, symmetric)
    tq = torch_codes(x, scale, zp, symmetric)
    differ = q.astype(int) != tq.astype(int)
    # codes agree except, rarely, within 1e-4 of a tie (torch rounds x * (1/Delta) in float32)
    assert differ.sum() <= 2
    assert np.all(near_tie(x[differ], scale))
    # and never by more than one code
    assert np.all(np.abs(q.astype(int) - tq.astype(int)) <= 1)


def test_ties_round_half_to_even_like_torch():
    scale = 0.25
    x = np.array([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.5]) * scale
    q, s, z = quantize(np.append(x, 127 * scale), 8)  # 127 * 0.25 sets the scale
    assert s == scale and z == 0
    # half to even: 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, -2.5 -> -2, 3.5 -> 4
    np.testing.assert_array_equal(q[:-1], [0, 2, 2, 0, -2, -2, 4])
    np.testing.assert_array_equal(q[:-1], torch_codes(x.astype(np.float32), s, z, True))


@pytest.mark.parametrize("n_bits", [2, 3, 4, 6, 12])
@pytest.mark.parametrize("symmetric", [True, False])
def test_other_widths_equal_torch_fake_quantize(n_bits, symmetric):
    x = np.random.default_rng(n_bits).normal(0.3, 1.0, 5000).astype(np.float32)
    q, scale, zp = quantize(x, n_bits, symmetric)
    q_min, q_max = (-(2 ** (n_bits - 1) - 1), 2 ** (n_bits - 1) - 1) if symmetric else (0, 2**n_bits - 1)
    ref = torch.fake_quantize_per_tensor_affine(torch.from_numpy(x), scale, zp, q_min, q_max)
    ok = ~near_tie(x, scale)
    # same reconstruction as torch for the code range [q_min, q_max], away from ties
    np.testing.assert_allclose(dequantize(q, scale, zp)[ok], ref.numpy()[ok], rtol=1e-6, atol=1e-6 * scale)
    # codes fill exactly the stated range
    assert q.min() >= q_min and q.max() <= q_max
    assert (q.max() == q_max) and (q.min() == q_min or not symmetric or x.min() > -x.max())


@pytest.mark.parametrize("n_bits", [2, 4, 8, 16])
def test_symmetric_scale_and_extremes(n_bits):
    x = np.random.default_rng(0).normal(size=(7, 5))
    q, scale, zp = quantize(x, n_bits)
    q_max = 2 ** (n_bits - 1) - 1
    # Delta = max|x| / (2^(b-1) - 1), z = 0, the largest |x| lands on +-q_max exactly
    assert scale == pytest.approx(np.abs(x).max() / q_max, rel=1e-15) and zp == 0
    assert np.abs(q).max() == q_max
    # error at most Delta/2 everywhere
    assert np.abs(dequantize(q, scale, zp) - x).max() <= scale / 2 * (1 + 1e-12)


@pytest.mark.parametrize("n_bits", [2, 4, 8, 16])
@pytest.mark.parametrize("shift", [-3.0, 0.0, 2.0])
def test_asymmetric_range_includes_zero_exactly(n_bits, shift):
    x = np.random.default_rng(1).uniform(0.5, 2.0, size=100) + shift
    q, scale, zp = quantize(x, n_bits, symmetric=False)
    lo, hi = min(x.min(), 0.0), max(x.max(), 0.0)
    # Delta = (max - min) / (2^b - 1) over the range widened to include 0
    assert scale == pytest.approx((hi - lo) / (2**n_bits - 1), rel=1e-15)
    # the zero point is an integer code and x = 0 is reconstructed exactly
    assert isinstance(zp, int) and 0 <= zp <= 2**n_bits - 1
    assert dequantize(quantize(np.append(x, 0.0), n_bits, False)[0][-1:], scale, zp)[0] == 0.0
    # error at most Delta/2 (the integer zero point shifts the grid by at most Delta/2)
    assert np.abs(dequantize(q, scale, zp) - x).max() <= scale / 2 * (1 + 1e-9)


def test_code_dtypes():
    x = np.linspace(-1, 1, 11)
    # int8/uint8 up to 8 bits, int16/uint16 above
    assert quantize(x, 8)[0].dtype == np.int8 and quantize(x, 8, False)[0].dtype == np.uint8
    assert quantize(x, 12)[0].dtype == np.int16 and quantize(x, 12, False)[0].dtype == np.uint16


@pytest.mark.parametrize("symmetric", [True, False])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_per_channel_equals_torch_quantize_per_channel(symmetric, axis):
    rng = np.random.default_rng(3)
    W = (rng.normal(size=(6, 9)) * rng.uniform(0.01, 5, size=(6, 1))).astype(np.float32)
    q, scales, zps = quantize_per_channel(W, 8, symmetric, axis=axis)
    dtype = torch.qint8 if symmetric else torch.quint8
    tq = torch.quantize_per_channel(torch.from_numpy(W), torch.from_numpy(scales),
                                    torch.from_numpy(zps), axis % 2, dtype).int_repr().numpy()
    # same codes as torch, one scale per channel along `axis`
    np.testing.assert_array_equal(q, tq)
    for i in range(W.shape[axis]):
        # each channel is the per-tensor quantisation of that channel
        qi, si, zi = quantize(np.take(W, i, axis=axis), 8, symmetric)
        np.testing.assert_array_equal(np.take(q, i, axis=axis), qi)
        assert (scales[i], zps[i]) == (si, zi)


def test_per_channel_never_worse_than_per_tensor():
    W = np.random.default_rng(4).normal(size=(16, 32)) * np.logspace(-2, 0, 16)[:, None]
    err_t = np.abs(dequantize(*quantize(W, 4)) - W).max(axis=1)
    q, s, z = quantize_per_channel(W, 4)
    err_c = np.abs(dequantize(q, s, z, axis=0) - W).max(axis=1)
    # per row, its own (smaller) scale gives a smaller or equal error bound
    assert np.all(err_c <= s / 2 * (1 + 1e-12)) and np.all(s <= quantize(W, 4)[1])
    assert err_c.mean() < 0.5 * err_t.mean()


@pytest.mark.parametrize("n_bits", [4, 8])
@pytest.mark.parametrize("symmetric,steps", [(True, -2), (False, -1)])
def test_uniform_signal_noise_power_and_sqnr(n_bits, symmetric, steps):
    x = np.random.default_rng(5).uniform(-1, 1, 200_000)
    q, scale, zp = quantize(x, n_bits, symmetric)
    noise = np.mean((dequantize(q, scale, zp) - x) ** 2)
    # the noise power is Delta^2 / 12 (within 1.5 %)
    assert noise == pytest.approx(scale**2 / 12, rel=0.015)
    # SQNR = 20 log10(number of steps) with 2^b - 2 (symmetric) or 2^b - 1 steps
    assert sqnr_db(x, dequantize(q, scale, zp)) == pytest.approx(
        20 * np.log10(2**n_bits + steps), abs=0.07)


def test_full_scale_sine_at_8_bits():
    t = np.arange(100_000)
    x = np.sin(2 * np.pi * 0.1234567 * t)
    # SQNR within 0.1 dB of 6.02 b + 1.76 at b = 8
    assert sqnr_db(x, dequantize(*quantize(x, 8))) == pytest.approx(6.02 * 8 + 1.76, abs=0.1)


def test_constant_input_and_all_zero():
    q, scale, zp = quantize(np.full(5, -0.7), 8, symmetric=False)
    # a constant is exact: the range [min(x, 0), max(x, 0)] = [-0.7, 0]
    np.testing.assert_allclose(dequantize(q, scale, zp), -0.7, rtol=1e-15)
    for symmetric in (True, False):
        with pytest.raises(ValueError, match="all zero"):
            quantize(np.zeros(4), 8, symmetric)
    with pytest.raises(ValueError, match="channel 1 of x is all zero"):
        quantize_per_channel([[1.0, 2.0], [0.0, 0.0]])


def test_input_not_modified():
    x = np.array([0.3, -1.2, 2.0])
    quantize(x, 4, False)
    quantize_per_channel(x[None, :], 4)
    # the caller's array is untouched
    np.testing.assert_array_equal(x, [0.3, -1.2, 2.0])


def test_sqnr_db_values_and_errors():
    # 10 log10(P_x / P_noise): a 10 % amplitude error is 20 dB
    assert sqnr_db([1.0, -1.0], [1.1, -1.1]) == pytest.approx(20.0)
    assert sqnr_db([1.0], [1.0]) == float("inf")
    with pytest.raises(ValueError, match="x must not be all zero"):
        sqnr_db([0.0], [1.0])
    with pytest.raises(ValueError, match="x_hat"):
        sqnr_db([1.0, 2.0], [1.0])


def test_quantize_model_copies_and_quantizes_weights():
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(), torch.nn.Linear(5, 3))
    before = [p.detach().clone() for p in net.parameters()]
    for per_channel in (False, True):
        qnet = quantize_model(net, 4, per_channel=per_channel)
        # the original is untouched
        assert all(torch.equal(a, p) for a, p in zip(before, net.parameters()))
        for i in (0, 2):  # every Linear layer, not only the first
            W = net[i].weight.detach().double().numpy()
            ref = (dequantize(*quantize_per_channel(W, 4)[:3], axis=0) if per_channel
                   else dequantize(*quantize(W, 4)))
            # weights replaced by their 4-bit reconstruction, biases kept
            np.testing.assert_allclose(qnet[i].weight.detach().numpy(), ref, rtol=1e-6)
            assert torch.equal(qnet[i].bias, net[i].bias)
        # at most 2^4 - 1 distinct values per row (per-channel) or per tensor
        assert len(np.unique(qnet[2].weight.detach().numpy())) <= 15 * (3 if per_channel else 1)


@pytest.mark.parametrize("bad,exc,match", [
    ({"n_bits": 1}, ValueError, "n_bits"), ({"n_bits": 17}, ValueError, "n_bits"),
    ({"n_bits": 8.0}, TypeError, "n_bits"), ({"n_bits": True}, TypeError, "n_bits"),
    ({"symmetric": "yes"}, TypeError, "symmetric"),
])
def test_bad_arguments(bad, exc, match):
    with pytest.raises(exc, match=match):
        quantize([1.0, 2.0], **bad)


def test_bad_inputs():
    with pytest.raises(ValueError, match="x must contain only finite"):
        quantize([1.0, np.nan])
    with pytest.raises(ValueError, match="x must not be empty"):
        quantize([])
    with pytest.raises(TypeError, match="x must be real"):
        quantize(np.array([1j]))
    with pytest.raises(TypeError, match="q must hold integer"):
        dequantize([0.5], 1.0, 0)
    with pytest.raises(ValueError, match="scale must be positive"):
        dequantize([1], 0.0, 0)
    with pytest.raises(ValueError, match="zero_point must hold integers"):
        dequantize([1], 1.0, 0.5)
    with pytest.raises(ValueError, match="axis must be given"):
        dequantize([[1]], [1.0], [0])
    with pytest.raises(ValueError, match="axis must be < 2"):
        quantize_per_channel(np.ones((2, 2)), axis=2)
    with pytest.raises(TypeError, match="model"):
        quantize_model("net")
