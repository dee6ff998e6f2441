"""Independent tight solution of a transient upscaled run (constant eta, homogeneous strip).

Rebuilds the same cell-centred finite-volume semi-discretisation as the Swift solver
(Sources/Macroscale/FiniteVolumeOperator.swift: Dirichlet inlet flux over h/2, central or upwind
convection, zero-gradient outlet, Michaelis-Menten uptake (1-eps)/eps km eta c/(Ka+c)) from the
parameters stored in an `upscaled` file, and integrates it with SciPy's BDF (rtol 1e-10, atol
1e-14 cL, banded Jacobian) to the same output times.

    python bench/transient_reference.py RUN.h5 OUT.npz

RUN.h5 must come from a run with closure.kind = "constant" (eta is read from /macro/eta) and a
constant inlet concentration. OUT.npz holds t and c_t (nt x nx).
"""
import sys

import h5py
import numpy as np
from scipy.integrate import solve_ivp
from scipy.sparse import diags


def main(run_path, out_path):
    f = h5py.File(run_path, "r")
    p = f["macro/parameters"]
    L = p["length"][0]; eps = p["porosity"][0]; v = p["velocity"][0]; D = p["dispersion"][0]
    km = p["km"][0]; Ka = p["Ka"][0]; cL = p["inlet_concentration"][0]
    eta = f["macro/eta"][:]
    assert np.ptp(eta) == 0, "the reference needs a constant eta (closure.kind = constant)"
    eta = eta[0]
    times = f["macro/t"][:]
    c0 = f["macro/c_t"][0, :]
    config = f.attrs["config"]
    config = config.decode() if isinstance(config, bytes) else config
    upwind = 'convection = "upwind"' in config
    n = c0.size
    h = L / n
    k = (1 - eps) / eps * km
    wl, wr = (1.0, 0.0) if upwind else (0.5, 0.5)

    def rhs(t, c):
        F = np.empty(n + 1)
        F[0] = v * cL - D * (c[0] - cL) / (h / 2)
        F[1:n] = v * (wl * c[:-1] + wr * c[1:]) - D * (c[1:] - c[:-1]) / h
        F[n] = v * c[-1]
        return -(F[1:] - F[:-1] + h * k * eta * c / (Ka + c)) / h

    def jac(t, c):
        main = np.empty(n); lower = np.empty(n - 1); upper = np.empty(n - 1)
        # d r_i / d c: r_i = F_{i+1/2} - F_{i-1/2} + h k eta c_i/(Ka + c_i)
        main[:] = h * k * eta * Ka / (Ka + c) ** 2
        main[0] += 2 * D / h
        main[:-1] += v * wl + D / h            # F_{i+1/2} on c_i
        upper[:] = v * wr - D / h              # F_{i+1/2} on c_{i+1}
        main[1:] -= v * wr - D / h             # -F_{i-1/2} on c_i
        lower[:] = -(v * wl + D / h)           # -F_{i-1/2} on c_{i-1}
        main[-1] += v
        return diags([lower / -h, main / -h, upper / -h], [-1, 0, 1], format="csc")

    sol = solve_ivp(rhs, (0, times[-1]), c0, method="BDF", t_eval=times, rtol=1e-10, atol=1e-14 * cL, jac=jac)
    assert sol.success, sol.message
    np.savez(out_path, t=sol.t, c_t=sol.y.T, steps=sol.t.size, nfev=sol.nfev)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
