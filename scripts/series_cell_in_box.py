#!/usr/bin/env python3
"""Reference η for TransportTests.thinLayerBehindInterfaceConvergesToSeriesSolution.

A disc of radius 1 (diffusivity Dr, linear uptake, Λ = k/Dr) centred in the square [-L, L]²
of β (diffusivity 1, no reaction) held at c = 1 on the box. Method of particular solutions:
inside a_n I_n(κρ) cos nθ, outside (b_n ρⁿ + d_n ρ⁻ⁿ) cos nθ (n = 0: b_0 + d_0 ln ρ), n = 0, 4, 8, …
(square symmetry); continuity of c and of the flux at ρ = 1 hold exactly mode by mode; c = 1 is
collocated on the box edge (least squares). η = ⟨c⟩^σ/⟨c⟩^β (linear kinetics).
Needs numpy and scipy:  python3 scripts/series_cell_in_box.py
"""
import numpy as np
from scipy.special import ive


def effectiveness(dr, lam, half_box=1.2, modes=20, points=400):
    kap = np.sqrt(lam)
    theta = np.linspace(0, np.pi / 4, points)
    rho_edge = half_box / np.cos(theta)
    i0, i1 = ive(0, kap), ive(1, kap)          # common factor e^-κ cancels in every ratio
    outer = [(0, i0, dr * kap * i1)]           # n = 0: a (I0 + Dr κ I1 ln ρ)
    for j in range(1, modes + 1):
        n = 4 * j
        i_n, di_n = ive(n, kap), 0.5 * (ive(n - 1, kap) + ive(n + 1, kap))
        scale = half_box ** n
        outer.append((n, 0.5 * (i_n + dr * kap * di_n / n) / scale, 0.5 * (i_n - dr * kap * di_n / n) / scale))

    def c_beta(rho, th, coef):
        v = coef[0] * (outer[0][1] + outer[0][2] * np.log(rho))
        for a, (n, b, d) in zip(coef[1:], outer[1:]):
            v = v + a * (b * rho ** n + d * rho ** (-n)) * np.cos(n * th)
        return v

    columns = np.eye(len(outer))
    matrix = np.array([c_beta(rho_edge, theta, e) for e in columns]).T
    coef, *_ = np.linalg.lstsq(matrix, np.ones(points), rcond=None)
    c_sigma = coef[0] * 2 * i1 / kap            # mean of a I0(κρ) over the disc
    g, w = np.polynomial.legendre.leggauss(200)
    total = 0.0
    for t, wt in zip((g + 1) / 2 * np.pi / 4, w * np.pi / 8):
        edge = half_box / np.cos(t)
        rr, wr = 1 + (g + 1) / 2 * (edge - 1), w * (edge - 1) / 2
        total += wt * np.sum(wr * c_beta(rr, t, coef) * rr)
    c_mean = total / (half_box ** 2 / 2 - np.pi / 8)   # area of the 1/8 wedge outside the disc
    return c_sigma / c_mean, np.max(np.abs(matrix @ coef - 1))


if __name__ == "__main__":
    for dr, lam in [(0.02, 1111.0), (0.05, 400.0)]:
        eta, residual = effectiveness(dr, lam)
        print(f"Dr = {dr}, Λ = {lam}: η = {eta:.12f}  (boundary residual {residual:.1e})")
