"""Figures of lesson 1.6, criticality and signal propagation (physdl_docs.criticality)."""

from functools import cache

import numpy as np

from figures._style import Style
from physdl_docs.criticality import (
    correlation_fixed_point,
    critical_sigma_w,
    depth_scale,
    fit_depth_scale,
    simulate_correlations,
)

_SIGMA_B2 = 0.05


@cache
def _phase():
    # xi_c on a grid of (sigma_w^2, sigma_b^2 > 0) and the critical line;
    # at sigma_b = 0 below the line the signal dies out (no finite xi_c)
    sw2 = np.linspace(0.5, 4.0, 50)
    sb2 = np.linspace(0.01, 0.3, 16)
    xi = np.array([[depth_scale(np.sqrt(a), np.sqrt(b)) for a in sw2]
                   for b in sb2])
    line_b2 = np.linspace(0.0, 0.3, 31)
    crit = np.array([critical_sigma_w(np.sqrt(b)) ** 2 for b in line_b2])
    return sw2, sb2, xi, line_b2, crit


def phase(st: Style):
    """Order-chaos phase diagram of tanh networks: depth scale xi_c."""
    sw2, sb2, xi, line_b2, crit = _phase()
    fig, ax = st.subplots(height=3.4)
    dx, dy = sw2[1] - sw2[0], sb2[1] - sb2[0]
    image = ax.imshow(np.log10(np.minimum(xi, 1e3)), origin="lower",
                      aspect="auto", cmap="viridis",
                      extent=(sw2[0] - dx / 2, sw2[-1] + dx / 2,
                              sb2[0] - dy / 2, sb2[-1] + dy / 2))
    fig.colorbar(image, ax=ax, label=st.t(en=r"$\log_{10} \xi_c$",
                                          ko=r"$\log_{10} \xi_c$"))
    ax.plot(crit, line_b2, "w-", lw=2,
            label=st.t(en=r"critical line $\chi_1 = 1$",
                       ko=r"임계선 $\chi_1 = 1$"))
    ax.text(0.65, 0.2, st.t(en="ordered\n$\\chi_1 < 1$",
                            ko="질서\n$\\chi_1 < 1$"), color="w")
    ax.text(2.9, 0.04, st.t(en="chaotic\n$\\chi_1 > 1$",
                            ko="혼돈\n$\\chi_1 > 1$"), color="w")
    ax.set_xlabel(r"$\sigma_w^2$")
    ax.set_ylabel(r"$\sigma_b^2$")
    ax.set_title(st.t(en="tanh networks: correlation depth scale",
                      ko="tanh 네트워크의 상관 깊이 척도"))
    ax.legend(loc="upper right", labelcolor="w", facecolor="none")
    return fig


@cache
def _depth_scale():
    # mean-field xi_c and the fit to 30-layer nets of width 256 (4 each)
    sigma_b = np.sqrt(_SIGMA_B2)
    rng = np.random.default_rng(0)
    sw2 = np.linspace(0.8, 4.0, 120)
    theory = np.array([depth_scale(np.sqrt(a), sigma_b) for a in sw2])
    points = []
    for a in (0.8, 1.0, 1.3, 1.5, 2.5, 3.0, 4.0):
        s = np.sqrt(a)
        c_star = correlation_fixed_point(s, sigma_b)
        fits = []
        for _ in range(4):
            if c_star == 1.0:
                # ordered: 1 - c^l from c^0 = 0.8
                dev = 1 - simulate_correlations([0.8], 30, 256, s, sigma_b,
                                                rng=rng)[:, 0]
            else:
                # chaotic: two starts on either side of c*, same network
                c = simulate_correlations([c_star - 0.3, c_star + 0.3], 30,
                                          256, s, sigma_b, rng=rng)
                dev = c[:, 1] - c[:, 0]
            fits.append(fit_depth_scale(dev))
        points.append((a, np.mean(fits), np.std(fits)))
    return sw2, theory, np.array(points), critical_sigma_w(sigma_b) ** 2


def depth_scale_fit(st: Style):
    """xi_c against sigma_w^2 (sigma_b^2 = 0.05): theory and random nets."""
    sw2, theory, points, critical = _depth_scale()
    fig, ax = st.subplots(height=3.5)
    ax.plot(sw2, theory, color=st.fg,
            label=st.t(en=r"mean field $\xi_c$", ko=r"평균장 $\xi_c$"))
    ax.errorbar(points[:, 0], points[:, 1], yerr=points[:, 2], fmt="o",
                color="C1", ms=5,
                label=st.t(en="30-layer tanh nets, n = 256\n(bars: spread over 4)",
                           ko="30층 tanh 네트워크, n = 256\n(막대: 4개의 퍼짐)"))
    ax.axvline(critical, color=st.muted, ls=":", lw=1)
    ax.set_ylim(0, 40)
    ax.set_xlabel(st.t(en=r"$\sigma_w^2$  ($\sigma_b^2 = 0.05$)",
                       ko=r"$\sigma_w^2$  ($\sigma_b^2 = 0.05$)"))
    ax.set_ylabel(st.t(en=r"depth scale $\xi_c$ (layers)",
                       ko=r"깊이 척도 $\xi_c$ (층)"))
    ax.legend(loc="upper right")
    return fig


FIGURES = {
    "criticality-phase": phase,
    "criticality-depth-scale": depth_scale_fit,
}
