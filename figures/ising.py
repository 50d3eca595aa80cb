"""Figures of lesson 1.1, the Ising model (physdl_docs.ising)."""

from functools import cache

import numpy as np

from figures._style import Style, montage
from physdl_docs.ising import (
    autocorrelation_time,
    critical_temperature,
    magnetization,
    metropolis,
    sample,
    spontaneous_magnetization,
    temperature_scan,
)

_KB = 0.61069  # U* of periodic square lattices, Kamieniarz & Bloete (1993)


@cache
def _magnetization():
    # <|m|>(T) with error bars across the transition, L = 16 (4 replicas)
    # and L = 32 (2); 1000 sweeps so that tau can be estimated near T_c
    T = np.linspace(1.6, 3.2, 13)
    scans = {L: [(st.abs_m, st.abs_m_err) for st in temperature_scan(
        L, T, n_sweeps=1000, n_equil=200, n_replicas=R, rng=L)]
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
    for (L, points), marker, c in zip(scans.items(), "so", ("C0", "C1"),
                                      strict=True):
        abs_m, err = np.array(points).T
        ax.errorbar(T, abs_m, err, fmt=marker, color=c, mfc="none",
                    capsize=2, label=st.t(en=f"Metropolis, L = {L}",
                                          ko=f"메트로폴리스, L = {L}"))
    ax.axvline(critical_temperature(), color=st.muted, ls=":", label="$T_c$")
    ax.set_xlabel(st.t(en="temperature T (units of J)",
                       ko="온도 T (J 단위)"))
    ax.set_ylabel("|m|")
    ax.legend(frameon=False, loc="lower left")
    return fig


@cache
def _binder():
    # U(T) with jackknife errors at eight temperatures around T_c for
    # L = 8 (32 replicas) and L = 16 (16 replicas)
    T = np.linspace(2.1, 2.45, 8)
    return T, {L: [(st.binder, st.binder_err) for st in temperature_scan(
        L, T, n_sweeps=600, n_equil=100, n_replicas=R, rng=L)]
        for L, R in [(8, 32), (16, 16)]}


def binder(st: Style):
    """Binder cumulant U(T) for two sizes: the curves cross near T_c."""
    T, curves = _binder()
    fig, ax = st.subplots()
    for (L, points), marker in zip(curves.items(), ("s-", "o-"), strict=True):
        U, err = np.array(points).T
        ax.errorbar(T, U, err, fmt=marker, mfc="none", capsize=2,
                    label=f"L = {L}")
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


@cache
def _tau():
    # tau of |m| at T_c in sweeps, with its error, for both samplers:
    # {name: (L, tau, err)}; 12-16 chains per size (4 for Wolff at L = 64)
    Tc, out = critical_temperature(), {}
    plans = {"metropolis": [(L, 12, 1200) for L in (8, 12, 16, 24)],
             "wolff": [(8, 16, 100), (16, 16, 100), (32, 16, 100),
                       (64, 4, 100)]}
    for method, plan in plans.items():
        rows = []
        for L, chains, steps in plan:
            r = sample(L, Tc, n_steps=steps, n_chains=chains, n_equil=100,
                       method=method, rng=L)
            tau, err = autocorrelation_time(np.abs(r.m), error=True)
            rows.append((L, tau * r.sweeps, err * r.sweeps))
        out[method] = np.array(rows)
    return out


def tau(st: Style):
    """tau(L) at T_c: Metropolis grows like L^2.17, Wolff only slowly."""
    data = _tau()
    fig, ax = st.subplots()
    names = {"metropolis": st.t(en="Metropolis", ko="메트로폴리스"),
             "wolff": st.t(en="Wolff", ko="볼프")}
    for (method, rows), marker in zip(data.items(), "so", strict=True):
        ax.errorbar(rows[:, 0], rows[:, 1], rows[:, 2], fmt=marker + "-",
                    mfc="none", capsize=2, label=names[method])
    L = np.array([8, 64])
    L16, tau16 = data["metropolis"][2, :2]
    ax.plot(L, tau16 * (L / L16) ** 2.17, "--", color=st.muted,
            label=st.t(en="slope z = 2.17 (Nightingale & Blöte 1996)",
                       ko="기울기 z = 2.17 (Nightingale & Blöte 1996)"))
    ax.set(xscale="log", yscale="log")
    ax.minorticks_off()
    ax.set_xticks([8, 12, 16, 24, 32, 64], ["8", "12", "16", "24", "32", "64"])
    ax.set_xlabel(st.t(en="lattice size L", ko="격자 크기 L"))
    ax.set_ylabel(st.t(en="τ of |m| at $T_c$ (sweeps)",
                       ko="$T_c$에서 |m|의 τ (스윕)"))
    ax.legend(frameon=False, loc="upper left")
    return fig


FIGURES = {
    "ising-magnetization": magnetization_curve,
    "ising-binder": binder,
    "ising-snapshots": snapshots,
    "ising-tau": tau,
}
