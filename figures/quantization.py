"""Figures of lesson 3.7, quantisation (physdl_docs.quantization)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.quantization import dequantize, quantize, sqnr_db

_BITS = np.arange(2, 11)


@cache
def _sqnr():
    # a full-scale sine (incommensurate frequency) and a uniform signal on [-1, 1]
    sine = np.sin(2 * np.pi * 0.1234567 * np.arange(100_000))
    uniform = np.random.default_rng(0).uniform(-1, 1, 100_000)
    return {name: [sqnr_db(x, dequantize(*quantize(x, int(b)))) for b in _BITS]
            for name, x in (("sine", sine), ("uniform", uniform))}


def sqnr(st: Style):
    """Measured SQNR against bits, with 6.02 b + 1.76 and 6.02 b."""
    measured = _sqnr()
    fig, ax = st.subplots(height=3.2)
    b = np.linspace(1.8, 10.2, 2)
    ax.plot(b, 6.02 * b + 1.76, color="C0", lw=1, ls="--",
            label=st.t(en="6.02 b + 1.76 (sine)", ko="6.02 b + 1.76 (사인)"))
    ax.plot(b, 6.02 * b, color="C1", lw=1, ls="--",
            label=st.t(en="6.02 b (uniform)", ko="6.02 b (균등)"))
    ax.plot(_BITS, measured["sine"], "o", color="C0", ms=5,
            label=st.t(en="sine, measured", ko="사인, 측정"))
    ax.plot(_BITS, measured["uniform"], "s", color="C1", ms=4,
            label=st.t(en="uniform, measured", ko="균등, 측정"))
    ax.set_xlabel(st.t(en="bits b", ko="비트 수 b"))
    ax.set_ylabel("SQNR (dB)")
    ax.set_xticks(_BITS)
    ax.grid(alpha=0.5)
    ax.legend(loc="upper left")
    return fig


@cache
def _staircase():
    x = np.linspace(-0.6, 1.6, 2001)
    out = {}
    for symmetric in (True, False):
        q, scale, zero_point = quantize(x, 3, symmetric)
        out[symmetric] = (dequantize(q, scale, zero_point), scale)
    return x, out


def staircase(st: Style):
    """3-bit quantisers on data in [-0.6, 1.6]: x_hat against x, and the error."""
    x, out = _staircase()
    fig, (ax1, ax2) = st.subplots(2, 1, sharex=True, height=4.4)
    ax1.plot(x, x, color=st.faint, lw=1)
    names = {True: st.t(en="symmetric (7 levels)", ko="대칭 (7단계)"),
             False: st.t(en="asymmetric (8 levels)", ko="비대칭 (8단계)")}
    for k, symmetric in enumerate((True, False)):
        x_hat, scale = out[symmetric]
        ax1.plot(x, x_hat, color=f"C{k}", lw=1.4, label=names[symmetric])
        ax2.plot(x, x_hat - x, color=f"C{k}", lw=1.1)
        ax2.axhline(scale / 2, color=f"C{k}", lw=0.8, ls=":")
        ax2.axhline(-scale / 2, color=f"C{k}", lw=0.8, ls=":")
    ax1.set_ylabel(r"$\hat x$")
    ax1.legend(loc="upper left")
    ax1.grid(alpha=0.5)
    ax2.set_ylabel(r"$\hat x - x$")
    ax2.set_xlabel("$x$")
    ax2.grid(alpha=0.5)
    return fig


FIGURES = {"quantization-sqnr": sqnr, "quantization-staircase": staircase}
