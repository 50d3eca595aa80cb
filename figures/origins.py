"""Figures of lesson 4.2, where the ideas came from (physdl_docs.origins)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.origins import play_bandit


@cache
def _regret():
    # the page's bandits: 200 agents each, T = 10^4
    means = np.array([0.9, 0.6, 0.3])
    curves = {"eps": play_bandit(means, T=10_000, policy="epsilon-greedy",
                                 epsilon=0.1, n_runs=200, rng=0),
              "ucb": play_bandit(means, T=10_000, policy="ucb1", n_runs=200,
                                 rng=1)}
    t = np.unique(np.round(np.logspace(0.5, 4, 60)).astype(int))
    return t, {k: (R[:, t - 1].mean(0), 2 * R[:, t - 1].std(0, ddof=1) / np.sqrt(len(R)))
               for k, R in curves.items()}


def regret(st: Style):
    """Mean regret against T (log axis) for epsilon-greedy and UCB1."""
    t, stats = _regret()
    labels = {"eps": st.t(en="ε-greedy, ε = 0.1", ko="엡실론 탐욕, ε = 0.1"),
              "ucb": "UCB1"}
    fig, ax = st.subplots()
    for colour, key in zip(("C1", "C0"), ("eps", "ucb"), strict=True):
        mean, band = stats[key]
        ax.plot(t, mean, color=colour, label=labels[key])
        ax.fill_between(t, mean - band, mean + band, color=colour, alpha=0.3, lw=0)
    ax.set_xscale("log")
    ax.set_xlabel(st.t(en="rounds T", ko="라운드 수 T"))
    ax.set_ylabel(st.t(en="regret R(T)", ko="후회 R(T)"))
    ax.legend(loc="upper left")
    return fig


FIGURES = {"origins-regret": regret}
