"""Figures of lesson 2.8, contrastive learning (physdl_docs.contrastive)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.contrastive import (
    Encoder,
    augment,
    effective_negatives,
    fit_simclr,
    jitter,
)
from physdl_docs.dbn import linear_probe
from physdl_docs.training import digits

TAUS = (0.05, 0.2, 0.5, 1.0, 5.0)


@cache
def _temperature():
    # the page's data and encoder; one training run per temperature
    X_tr, X_te, y_tr, y_te = digits(n_train=1200)
    J_tr = jitter(X_tr.reshape(-1, 8, 8), size=10, rng=1)
    J_te = jitter(X_te.reshape(-1, 8, 8), size=10, rng=2)
    F_tr, F_te = J_tr.reshape(-1, 100), J_te.reshape(-1, 100)
    raw = linear_probe(F_tr, y_tr, F_te, y_te, n_labels=200, n_repeats=3, rng=0)
    acc, n_eff = [], []
    v1 = augment(J_te[:64], rng=3).reshape(64, -1)
    v2 = augment(J_te[:64], rng=4).reshape(64, -1)
    for tau in TAUS:
        enc = Encoder(100, n_hidden=128, n_out=32, rng=0)
        fit_simclr(enc, J_tr, temperature=tau, steps=120, batch_size=64, lr=1e-2, rng=0)
        H_tr, H_te = enc.represent(F_tr), enc.represent(F_te)
        acc.append(linear_probe(H_tr, y_tr, H_te, y_te, n_labels=200, n_repeats=3, rng=0))
        # negatives that count, measured at the temperature it was trained with
        n_eff.append(effective_negatives(enc.forward(v1)[1], enc.forward(v2)[1], tau))
    return raw, np.array(acc), np.array(n_eff)


def temperature(st: Style):
    """Probe accuracy and effective negatives against the temperature."""
    raw, acc, n_eff = _temperature()
    fig, (ax1, ax2) = st.subplots(1, 2, height=2.9)
    ax1.plot(TAUS, acc, "o-", label=st.t(en="contrastive", ko="대조 학습"))
    ax1.axhline(raw, color=st.muted, linestyle="--", linewidth=1.2,
                label=st.t(en="raw pixels", ko="원시 픽셀"))
    ax1.set_xscale("log")
    ax1.set_ylim(0.4, 0.9)
    ax1.set_xlabel(st.t(en=r"temperature $\tau$", ko=r"온도 $\tau$"))
    ax1.set_title(st.t(en="probe accuracy", ko="탐침 정확도"))
    ax1.legend(loc="upper right")
    ax2.plot(TAUS, n_eff, "s-", color=st.colors[1])
    ax2.axhline(126, color=st.muted, linestyle=":", linewidth=1.2)
    ax2.set_xscale("log")
    ax2.set_ylim(0, 135)
    ax2.set_xlabel(st.t(en=r"temperature $\tau$", ko=r"온도 $\tau$"))
    ax2.set_title(st.t(en="negatives that count", ko="작용하는 네거티브 샘플 수"))
    ax2.text(TAUS[0], 118, st.t(en="all 126", ko="전체 126개"), color=st.muted,
             va="top")
    return fig


FIGURES = {"contrastive-temperature": temperature}
