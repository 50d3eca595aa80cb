"""Figures of lesson 1.7, the renormalization group (physdl_docs.rg)."""

from functools import cache

import numpy as np

from figures._style import Style, montage
from physdl_docs.ising import critical_temperature, metropolis
from physdl_docs.rg import block_spin, critical_coupling, flow


@cache
def _flow():
    # K' = R(K) with error bars by block-spin matching, 24 x 24 -> 8 x 8,
    # at 8 couplings
    K = np.linspace(0.37, 0.51, 8)
    return K, *flow(K, L=8, n_sweeps=500, n_equil=200, n_replicas=12, rng=3,
                    error=True)


def flow_map(st: Style):
    """K' = R(K) from block-spin matching around K_c."""
    K, K_new, d_K = _flow()
    Kc = critical_coupling()
    fig, ax = st.subplots(height=3.9)
    ax.plot([0.2, 0.7], [0.2, 0.7], color=st.muted, lw=0.8, label="K' = K")
    ax.plot(K, Kc + 3 * (K - Kc), "--", color=st.fg, lw=0.8,
            label=st.t(en="slope $b^{y_t} = 3$ through $K_c$",
                       ko="$K_c$를 지나는 기울기 $b^{y_t} = 3$"))
    ax.errorbar(K, K_new, d_K, fmt="o", color="C0", mfc="none", capsize=2,
                label=st.t(en="block spin, b = 3 (24 → 8)",
                           ko="블록 스핀, b = 3 (24 → 8)"))
    # arrows along the diagonal: each step moves K away from K_c
    for d in (0.025, 0.055):
        for sign in (-1, 1):
            x0 = Kc + sign * d
            ax.annotate("", (x0 + sign * 0.02, x0 + sign * 0.02), (x0, x0),
                        arrowprops={"arrowstyle": "->", "color": "C3"})
    ax.axvline(Kc, color=st.muted, ls=":")
    ax.axhline(Kc, color=st.muted, ls=":")
    ax.set(xlim=(0.36, 0.52), ylim=(0.25, 0.68))
    ax.set_xlabel(st.t(en="coupling K = J/T of the 24 × 24 lattice",
                       ko="24 × 24 격자의 결합 상수 K = J/T"))
    ax.set_ylabel(st.t(en="matched K' of the 8 × 8 blocks",
                       ko="8 × 8 블록 격자의 맞춘 K'"))
    ax.legend(frameon=False, loc="upper left")
    return fig


@cache
def _blocks():
    # 162 x 162 lattices after 400 sweeps from all up, and two 3x3 steps
    rows = []
    for T in (2.1, critical_temperature(), 2.45):
        s = metropolis(162, T, 400, rng=2, spins=np.ones((162, 162)))
        rows.append([s, block_spin(s), block_spin(block_spin(s))])
    return rows


def blocks(st: Style):
    """Two majority-rule steps below, at and above T_c (white = +1)."""
    fig, axes = st.subplots(3, 1, height=5.4)
    names = ["$T = 2.1$", "$T = T_c$", "$T = 2.45$"]
    for ax, row, name in zip(axes, _blocks(), names, strict=True):
        image, centres = montage(row, gap=10)
        ax.imshow(image, cmap="gray", vmin=-1, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_ylabel(name)
        for side in ax.spines.values():
            side.set_visible(False)
    top = axes[0].secondary_xaxis("top")
    top.set_xticks(centres, ["162 × 162",
                             st.t(en="one step\n54 × 54", ko="한 단계\n54 × 54"),
                             st.t(en="two steps\n18 × 18", ko="두 단계\n18 × 18")])
    top.tick_params(length=0)
    top.spines["top"].set_visible(False)
    return fig


FIGURES = {
    "rg-flow": flow_map,
    "rg-blocks": blocks,
}
