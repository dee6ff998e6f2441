#!/usr/bin/env python3
"""How much of a validation error is the closure's? An independent re-solve of the upscaled model.

Reads a `tissue validate` output (kind = "comparison") and re-solves the steady 1-D upscaled equation

    v c' = D* c'' - (eps_sigma/eps_beta) km eta(x) c/(Ka + c),   c(0) = cL,   c'(L) = 0

with NumPy only (cell-centred finite volumes, central convection, the same face fluxes as the Swift
solver: Dirichlet inlet at half a cell, pure outflow at x = L; Newton with a tridiagonal solve), for
three choices of eta(x):

  stored   the upscaled run's own eta (a check: it must reproduce the stored profile);
  dns      the averaged DNS's own window eta(x) -- a closure that is exact on the DNS, so its error
           is what the upscaled model (D*, inlet condition, averaging) leaves without any closure error;
  closure  the closure's eta evaluated on the averaged DNS profile.

Each is compared with every seed's window-averaged DNS profile over x >= x_min (the file's metric:
mean relative error), and the mean over seeds is printed, as `tissue validate` reports it.

With `--scale-dstar F1,F2,...` it also re-solves with D* multiplied by each factor (the DNS's eta and
the stored eta), to show how the error depends on the dispersion coefficient.

Usage: closure_floor.py VALIDATE.h5 [--json] [--scale-dstar F1,F2,...]
Parameters (porosity, Pe, km, Ka, cL, r_eff, D_beta, L, the D*(Pe) table, the convection scheme)
come from the resolved config stored in the file. Only steady runs with a D* table or constant.
"""
import json
import sys
import tomllib

import h5py
import numpy as np


def dispersion(config):
    """D* (m^2/s) at the tissue's Pe: monotone cubic in (Pe, D*) with the solver's slopes (Fritsch-Butland
    inside, three-point shape-preserving at the ends), the end values held outside the table."""
    t, d = config["tissue"], config.get("dispersion", {})
    if d.get("kind", "table") == "constant":
        return float(d["value"])
    d = t["dispersion"]
    pe, ds = np.array(d["peclet"], float), np.array(d["D_star"], float)
    x = float(t["peclet"])
    if x <= pe[0]:
        return float(ds[0])
    if x >= pe[-1]:
        return float(ds[-1])
    h = np.diff(pe)
    s = np.diff(ds) / h
    m = np.empty_like(pe)

    def end_slope(h0, h1, d0, d1):   # three-point, shape-preserving (Numerics.MonotoneCubicInterpolator)
        d = ((2 * h0 + h1) * d0 - h0 * d1) / (h0 + h1)
        if np.sign(d) != np.sign(d0) or d0 == 0:
            return 0.0
        if np.sign(d0) != np.sign(d1) and abs(d) > abs(3 * d0):
            return 3 * d0
        return d

    if len(pe) == 2:
        m[:] = s[0]
    else:
        m[0] = end_slope(h[0], h[1], s[0], s[1])
        m[-1] = end_slope(h[-1], h[-2], s[-1], s[-2])
    for i in range(1, len(pe) - 1):
        m[i] = 0.0 if s[i - 1] * s[i] <= 0 else 3 * (h[i - 1] + h[i]) / ((2 * h[i] + h[i - 1]) / s[i - 1] + (h[i] + 2 * h[i - 1]) / s[i])
    k = int(np.searchsorted(pe, x) - 1)
    u = (x - pe[k]) / h[k]
    h00, h10, h01, h11 = 2 * u**3 - 3 * u**2 + 1, u**3 - 2 * u**2 + u, -2 * u**3 + 3 * u**2, u**3 - u**2
    return float(h00 * ds[k] + h10 * h[k] * m[k] + h01 * ds[k + 1] + h11 * h[k] * m[k + 1])


def thomas(lo, di, up, rhs):
    n = len(di)
    c, d = np.empty(n), np.empty(n)
    c[0], d[0] = up[0] / di[0], rhs[0] / di[0]
    for i in range(1, n):
        w = di[i] - lo[i - 1] * c[i - 1]
        c[i] = up[i] / w if i < n - 1 else 0.0
        d[i] = (rhs[i] - lo[i - 1] * d[i - 1]) / w
    for i in range(n - 2, -1, -1):
        d[i] -= c[i] * d[i + 1]
    return d


def solve(eta, p):
    """Steady profile at the cell centres for a per-cell eta."""
    n, h, v, D, R, Ka, cL = p["n"], p["h"], p["v"], p["D"], p["R"], p["Ka"], p["cL"]
    upwind = p["upwind"]
    c = np.full(n, cL)
    for _ in range(60):
        # Face fluxes F_e = v c_e - D (c_{i+1} - c_i)/h; inlet F_0 = v cL - D (c_0 - cL)/(h/2); outlet v c_{n-1}.
        wl, wr = (1.0, 0.0) if upwind else (0.5, 0.5)
        fe = np.empty(n)
        fe[:-1] = v * (wl * c[:-1] + wr * c[1:]) - D * (c[1:] - c[:-1]) / h
        fe[-1] = v * c[-1]
        fw = np.empty(n)
        fw[1:] = fe[:-1]
        fw[0] = v * cL - D * (c[0] - cL) / (h / 2)
        res = (fe - fw) / h + R * eta * c / (Ka + c)
        a, b = v * wl + D / h, v * wr - D / h          # dF_e/dc_i, dF_e/dc_{i+1}
        di = np.zeros(n)
        di[:-1] += a / h
        di[-1] += v / h
        di[1:] -= b / h
        di[0] += D / (h / 2) / h
        di += R * eta * Ka / (Ka + c) ** 2
        lo = np.full(n - 1, -a / h)
        up = np.full(n - 1, b / h)
        dc = thomas(lo, di, up, -res)
        c += dc
        if np.max(np.abs(dc)) < 1e-13 * cL:
            return c
    sys.exit("closure_floor.py: Newton did not converge in 60 iterations")


def main():
    path = sys.argv[1]
    f = h5py.File(path, "r")
    if f.attrs.get("kind") != "comparison" or "seeds" not in f:
        sys.exit(f"{path}: not a `tissue validate` output (kind = comparison with /seeds)")
    config = tomllib.loads(f.attrs["config"])
    if "heterogeneity" in config or config.get("run", {}).get("mode", "steady") != "steady":
        sys.exit(f"{path}: only steady runs of a homogeneous strip can be re-solved here")
    t = config["tissue"]
    eps, Pe, r, Db = float(t["porosity"]), float(t["peclet"]), float(t["effective_radius"]), float(t["D_beta"])
    n = int(config["grid"]["cells"])
    L = float(t["length"])
    p = dict(n=n, h=L / n, v=Pe * Db / r, D=dispersion(config), R=(1 - eps) / eps * float(t["km"]),
             Ka=float(t["Ka"]), cL=float(t["cL"]), upwind=config["solver"].get("convection") == "upwind")
    xc = (np.arange(n) + 0.5) * p["h"]
    x = f["average/x"][:]
    seeds = sorted(f["seeds"].keys(), key=int)
    profiles = [f[f"seeds/{s}/c_window"][:] for s in seeds]
    ensemble = f["average/c_window"][:]
    xmin = float(f["comparison"].attrs["x_min"])
    # As Averaging.ProfileComparison: DNS points at x >= x_min inside the upscaled profile's range
    # (its first to last cell centre, with a round-off slack).
    slack = 1e-9 * (xc[-1] - xc[0])
    keep = (x >= xmin) & (x >= xc[0] - slack) & (x <= xc[-1] + slack)

    def mre(c):
        ci = np.interp(x, xc, c)
        per = [float(np.mean(np.abs(ci[keep] - b[keep]) / np.abs(b[keep]))) for b in profiles]
        return dict(mean_over_seeds=float(np.mean(per)), per_seed=per,
                    vs_seed_mean_profile=float(np.mean(np.abs(ci[keep] - ensemble[keep]) / ensemble[keep])))

    stored_c, stored_eta = f["macro/c"][:], f["macro/eta"][:]
    cases = {
        "stored": stored_eta,
        "dns": np.interp(xc, x, f["average/eta_window"][:]),
        "closure": np.interp(xc, x, f["average/eta_closure_on_dns"][:]),
    }
    # The metric alone, on the stored profile (no re-solve): must equal the file's own MRE.
    out = {"file": path, "seeds": [int(s) for s in seeds], "D_star": p["D"],
           "stored_profile_mre": mre(stored_c)["mean_over_seeds"]}
    for name, eta in cases.items():
        c = solve(eta, p)
        out[name] = mre(c)
        if name == "stored":
            out["stored"]["max_relative_difference_to_stored_profile"] = float(np.max(np.abs(c - stored_c) / np.abs(stored_c)))
    if "--scale-dstar" in sys.argv:
        factors = [float(v) for v in sys.argv[sys.argv.index("--scale-dstar") + 1].split(",")]
        out["dstar_scan"] = []
        for k in factors:
            q = dict(p, D=p["D"] * k)
            out["dstar_scan"].append(dict(factor=k, D_star=q["D"], dns=mre(solve(cases["dns"], q))["mean_over_seeds"],
                                          stored=mre(solve(cases["stored"], q))["mean_over_seeds"]))
    if "--json" in sys.argv:
        print(json.dumps(out))
        return
    print(f"{path}: seeds {out['seeds']}, D* = {p['D']:.4g} m^2/s")
    print(f"  re-solve with the stored eta reproduces the stored profile to {out['stored']['max_relative_difference_to_stored_profile']:.1e}")
    for name, label in [("stored", "the upscaled run's eta"), ("dns", "the DNS's own eta(x) (no closure error)"),
                        ("closure", "the closure's eta on the DNS profile")]:
        print(f"  MRE, mean over seeds, with {label}: {100 * out[name]['mean_over_seeds']:.2f} %")
    for row in out.get("dstar_scan", []):
        print(f"  D* x {row['factor']:g} ({row['D_star']:.3g} m^2/s): MRE with the DNS's eta {100 * row['dns']:.2f} %,"
              f" with the upscaled run's eta {100 * row['stored']:.2f} %")


if __name__ == "__main__":
    main()
