"""Figures of lesson 2.6, recurrent networks and LSTM (physdl_docs.rnn)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.rnn import gradient_vs_lag, train_memory


@cache
def _lag():
    # |d(u.h_T)/dx_{T-k}| / (value at lag 0), as on the page (T = 60, H = 32)
    curves = {"rnn": gradient_vs_lag("rnn"),
              "lstm": gradient_vs_lag("lstm"),
              "lstm5": gradient_vs_lag("lstm", forget_bias=5.0)}
    return {name: g / g[0] for name, g in curves.items()}


def gradient_lag(st: Style):
    """Gradient against time lag for the RNN and two LSTM initialisations."""
    labels = {
        "rnn": st.t(en="RNN", ko="RNN"),
        "lstm": st.t(en="LSTM (PyTorch init)", ko="LSTM (PyTorch 초기화)"),
        "lstm5": st.t(en="LSTM, forget bias 5", ko="LSTM, 망각 편향 5"),
    }
    fig, ax = st.subplots()
    for k, (name, g) in enumerate(_lag().items()):
        ax.semilogy(np.arange(len(g)), g, color=f"C{k}", label=labels[name])
    ax.set_xlabel(st.t(en="time lag $T - t$ (steps)",
                       ko="시간 간격 $T - t$ (단계)"))
    ax.set_ylabel(st.t(en=r"$|\partial (u\cdot h_T)/\partial x_t|$, relative",
                       ko=r"$|\partial (u\cdot h_T)/\partial x_t|$ (상대값)"))
    ax.legend(loc="lower left")
    return fig


@cache
def _memory():
    # training losses of three runs per architecture, as on the page
    return {kind: np.array([train_memory(kind, seed=s)[1] for s in range(3)])
            for kind in ("rnn", "lstm")}


def memory(st: Style):
    """Training loss on the 40-step memory task, RNN against LSTM."""
    losses = _memory()
    fig, ax = st.subplots()
    for k, (kind, runs) in enumerate(losses.items()):
        for r, loss in enumerate(runs):
            ax.plot(np.arange(1, len(loss) + 1), loss, color=f"C{k}",
                    label=kind.upper() if r == 0 else None)
    ax.axhline(np.log(2), color=st.muted, ls=":", lw=1.2)
    ax.set_ylim(0, 1.0)
    ax.set_xlabel(st.t(en="Adam step", ko="Adam 단계"))
    ax.set_ylabel(st.t(en="training loss", ko="훈련 손실"))
    ax.legend(loc="lower left")
    return fig


FIGURES = {
    "rnn-gradient-lag": gradient_lag,
    "rnn-memory": memory,
}
