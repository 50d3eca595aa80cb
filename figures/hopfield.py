"""Figures of lesson 1.2, Hopfield networks (physdl_docs.hopfield)."""

from functools import cache

import numpy as np

from figures._style import Style, montage
from physdl_docs.hopfield import (
    HopfieldNetwork,
    ags_overlap,
    corrupt,
    critical_load,
    mixture_state,
    overlap,
    random_patterns,
    retrieval_overlap,
)


@cache
def _capacity():
    # simulation at N = 1000 (two networks, ten cues each) and AGS theory
    alphas = np.array([0.02, 0.05, 0.08, 0.1, 0.11, 0.12, 0.13, 0.14, 0.15,
                       0.16, 0.18, 0.2])
    m_sim = retrieval_overlap(alphas, 1000, n_cues=10, n_networks=2, rng=0)
    alpha_c = critical_load()
    a_below = np.linspace(0.005, alpha_c - 1e-6, 150)
    m_ags = np.array([ags_overlap(a) for a in a_below])
    return alphas, m_sim, alpha_c, a_below, m_ags, ags_overlap(alpha_c - 1e-9)


def capacity(st: Style):
    """Retrieval overlap against load: simulation and replica theory."""
    alphas, m_sim, alpha_c, a_below, m_ags, m_c = _capacity()
    fig, ax = st.subplots()
    ax.plot(a_below, m_ags, color="C0",
            label=st.t(en="replica theory (AGS 1985)",
                       ko="레플리카 이론 (AGS 1985)"))
    ax.plot([alpha_c], [m_c], "o", color="C0", mfc=st.bg)
    ax.plot(alphas, m_sim, "o", color="C1",
            label=st.t(en="simulation, N = 1000", ko="시뮬레이션, N = 1000"))
    ax.axvline(alpha_c, color=st.muted, ls="--", lw=1)
    ax.text(alpha_c + 0.004, 0.05, rf"$\alpha_c \approx {alpha_c:.3f}$")
    ax.set_xlabel(st.t(en=r"load $\alpha = P/N$", ko=r"부하 $\alpha = P/N$"))
    ax.set_ylabel(st.t(en="retrieval overlap $m$", ko="회상 겹침 $m$"))
    ax.set_xlim(0, 0.2)
    ax.set_ylim(-0.03, 1.05)
    ax.legend(loc="lower left")
    return fig


def _outcome(m: np.ndarray) -> str:
    # where a run ended, from its overlaps with all stored patterns
    k = int(np.argmax(np.abs(m)))
    if abs(m[k]) > 0.95:
        return "stored" if m[k] > 0 else "reversed"
    return "spurious"


@cache
def _energy_runs():
    # E/N along asynchronous updates from three starts (N = 500, P = 5)
    N, P = 500, 5
    xi = random_patterns(P, N, rng=1)
    net = HopfieldNetwork(N).store(xi)
    starts = [corrupt(xi[0], 0.3, rng=2),
              corrupt(mixture_state(xi[:3]), 0.1, rng=3),
              random_patterns(1, N, rng=4)[0]]
    runs = []
    for k, s0 in enumerate(starts):
        s, E = net.recall(s0, rng=5 + k, return_energies=True)
        runs.append((np.arange(E.size) / N, E / N, _outcome(overlap(xi, s))))
    return runs


def energy(st: Style):
    """Energy per neuron along asynchronous updates, from three starts."""
    starts = [st.t(en="30% corrupted pattern", ko="30% 손상된 패턴"),
              st.t(en="10% corrupted 3-mixture", ko="10% 손상된 3-혼합"),
              st.t(en="random state", ko="무작위 상태")]
    ends = {"stored": st.t(en="stored pattern", ko="저장된 패턴"),
            "reversed": st.t(en="reversed pattern", ko="뒤집힌 패턴"),
            "spurious": st.t(en="spurious state", ko="가짜 상태")}
    fig, ax = st.subplots(height=3.6)
    for k, (sweeps, e, end) in enumerate(_energy_runs()):
        ax.plot(sweeps, e, color=f"C{k}", label=f"{starts[k]} → {ends[end]}")
    ax.axhline(-0.5, color=st.muted, ls="--", lw=1)
    ax.axhline(-0.375, color=st.muted, ls=":", lw=1)
    ax.text(2.98, -0.49, st.t(en="stored pattern, $-1/2$",
                              ko="저장된 패턴, $-1/2$"), ha="right")
    ax.text(2.98, -0.365, st.t(en="3-mixture, $-3/8$", ko="3-혼합, $-3/8$"),
            ha="right")
    ax.set_xlim(0, 3)
    ax.set_ylim(-0.55, 0.12)
    ax.set_xlabel(st.t(en="sweeps (N single-neuron updates each)",
                       ko="스윕 (한 번에 뉴런 N번 갱신)"))
    ax.set_ylabel(st.t(en="energy per neuron $E/N$", ko="뉴런당 에너지 $E/N$"))
    ax.legend(loc="upper right")
    return fig


@cache
def _recall_runs():
    # two 40%-corrupted cues of one 20x20 pattern in a net holding 20
    side, P = 20, 20
    xi = random_patterns(P, side * side, rng=6)
    net = HopfieldNetwork(side * side).store(xi)
    rows = []
    for seed in (0, 1):
        s = corrupt(xi[0], 0.4, rng=seed)
        rng = np.random.default_rng(8)
        states = [xi[0], s]
        s = net.recall(s, max_sweeps=1, rng=rng)
        states += [s, net.recall(s, rng=rng)]
        rows.append([(x.reshape(side, side), float(overlap(x, xi[0])))
                     for x in states])
    return rows


def recall(st: Style):
    """Two 40%-corrupted cues of one 20x20 pattern: one recalled, one lost."""
    stages = [st.t(en="stored", ko="저장된 패턴"),
              st.t(en="cue, 40%\nflipped", ko="단서\n(40% 뒤집음)"),
              st.t(en="after one\nsweep", ko="한 스윕 뒤"),
              st.t(en="fixed\npoint", ko="고정점")]
    fig, axes = st.subplots(2, 1, height=3.5)
    for ax, row in zip(axes, _recall_runs(), strict=True):
        image, centres = montage([x for x, _ in row], gap=3)
        ax.imshow(image, cmap="gray_r", vmin=-1, vmax=1)
        ax.set_xticks(centres, [f"m = {m:.2f}" for _, m in row])
        ax.tick_params(length=0)
        ax.set_yticks([])
        for side in ax.spines.values():
            side.set_visible(False)
        recalled = row[-1][1] > 0.95
        ax.set_ylabel(st.t(en="recalled", ko="회상됨") if recalled
                      else st.t(en="lost", ko="다른 상태"))
    top = axes[0].secondary_xaxis("top")
    top.set_xticks(centres, stages)
    top.tick_params(length=0)
    top.spines["top"].set_visible(False)
    return fig


FIGURES = {
    "hopfield-capacity": capacity,
    "hopfield-energy": energy,
    "hopfield-recall": recall,
}
