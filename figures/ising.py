"""Figures of lesson 1.1, the Ising model (physdl_docs.ising)."""

from functools import cache

import numpy as np

from figures._style import Style, montage
from physdl_docs.ising import (
    critical_temperature,
    magnetization,
    metropolis,
    spontaneous_magnetization,
    temperature_scan,
)

_KB = 0.61069  # U* of periodic square lattices, Kamieniarz & Bloete (1993)


@cache
def _magnetization():
    # <|m|>(T) across the transition for L = 16 (4 replicas) and 32 (2)
    T = np.linspace(1.6, 3.2, 17)
    scans = {L: [st.abs_m for st in temperature_scan(
        L, T, n_sweeps=500, n_equil=150, n_replicas=R, rng=L)]
        for L, R in [(16, 4), (32, 2)]}
    return T, scans


def magnetization_curve(st: Style):
    """|m|(T) from Metropolis (L = 16, 32) against Yang's exact curve."""
    T, scans = _magnetization()
    fig, ax = st.subplots()
    T_fine = np.linspace(1.0, 3.4, 400)
    ax.plot(T_fine, spontaneous_magnetization(T_fine), color=st.fg,
            label=st.t(en="Yang (1952), infinite lattice",
                       ko="양전닝 (1952), 무한 격자"))
    for (L, abs_m), marker, c in zip(scans.items(), "so", ("C0", "C1"),
                                     strict=True):
        ax.plot(T, abs_m, marker, color=c, mfc="none",
                label=st.t(en=f"Metropolis, L = {L}",
                           ko=f"메트로폴리스, L = {L}"))
    ax.axvline(critical_temperature(), color=st.muted, ls=":", label="$T_c$")
    ax.set_xlabel(st.t(en="temperature T (units of J)",
                       ko="온도 T (J 단위)"))
    ax.set_ylabel("|m|")
    ax.legend(frameon=False, loc="lower left")
    return fig


@cache
def _binder():
    # U(T) at eight temperatures around T_c for L = 8 (32 replicas), 16 (16)
    T = np.linspace(2.1, 2.45, 8)
    return T, {L: [st.binder for st in temperature_scan(
        L, T, n_sweeps=1000, n_equil=200, n_replicas=R, rng=L)]
        for L, R in [(8, 32), (16, 16)]}


def binder(st: Style):
    """Binder cumulant U(T) for two sizes: the curves cross near T_c."""
    T, curves = _binder()
    fig, ax = st.subplots()
    for (L, U), marker in zip(curves.items(), ("s-", "o-"), strict=True):
        ax.plot(T, U, marker, mfc="none", label=f"L = {L}")
    ax.axvline(critical_temperature(), color=st.muted, ls=":", label="$T_c$")
    ax.axhline(_KB, color=st.fg, lw=0.8, ls="--",
               label=st.t(en="U* = 0.61069 (Kamieniarz & Blöte 1993)",
                          ko="U* = 0.61069 (Kamieniarz & Blöte 1993)"))
    ax.set_xlabel(st.t(en="temperature T (units of J)",
                       ko="온도 T (J 단위)"))
    ax.set_ylabel(st.t(en="Binder cumulant U", ko="빈더 누적량 U"))
    ax.legend(frameon=False)
    return fig


@cache
def _snapshots():
    # 128 x 128 lattices after 300 sweeps from all up, below/at/above T_c
    Tc = critical_temperature()
    return [(T, metropolis(128, T, 300, rng=1, spins=np.ones((128, 128))))
            for T in (2.0, Tc, 3.0)]


def snapshots(st: Style):
    """128 x 128 lattices below, at and above T_c (white = +1)."""
    shots = _snapshots()
    image, centres = montage([s for _, s in shots], gap=8)
    fig, ax = st.subplots(height=2.05)
    ax.imshow(image, cmap="gray", vmin=-1, vmax=1)
    names = ["$T = 2.0$", "$T = T_c$", "$T = 3.0$"]
    labels = [f"{name}\nm = {magnetization(s):.2f}".replace("-", "−")
              for name, (_, s) in zip(names, shots, strict=True)]
    ax.set_xticks(centres, labels)
    ax.tick_params(length=0)
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    return fig


FIGURES = {
    "ising-magnetization": magnetization_curve,
    "ising-binder": binder,
    "ising-snapshots": snapshots,
}
