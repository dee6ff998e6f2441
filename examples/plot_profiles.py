#!/usr/bin/env python3
"""Plot concentration profiles written by `tissue run`, `tissue average`, `tissue compare` and
`tissue validate` (needs h5py, numpy, matplotlib).

Usage:
    python3 examples/plot_profiles.py results/brain.h5 [more.h5 ...] [-o profiles.png]
    python3 examples/plot_profiles.py results/validate-brain.h5 -o validate.png
    python3 examples/plot_profiles.py up.h5 avg.h5 --reference data/reference/brain_average_c_moving_bar_2D_Brinkman_realdata_Pe_8.csv

Top panel: <c>^beta(x) of every file: `upscaled` (transient files: every stored time, faded),
`average` (window average solid, section average thin), `comparison` (both profiles; a
`tissue validate` file also shows each seed's DNS window average and the published reference if it
was compared). Bottom panel: the effectiveness factor eta(x) (closure, and the DNS window eta where
the file has it). Units come from the files' `units` attributes; x is drawn in um.
"""
import argparse

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def plot_upscaled(f, path, ax_c, ax_eta):
    x = f["/macro/x"][...] * 1e6  # m -> um
    label = f"{path} (upscaled, {text(f['/macro'].attrs.get('closure', ''))})"
    if "c_t" in f["/macro"]:
        t, ct = f["/macro/t"][...], f["/macro/c_t"][...]
        for k in range(len(t)):
            ax_c.plot(x, ct[k], color="C0", alpha=0.15 + 0.85 * k / max(len(t) - 1, 1), lw=1)
    ax_c.plot(x, f["/macro/c"][...], lw=2, ls="--", label=label)
    ax_eta.plot(x, f["/macro/eta"][...], lw=1.5, ls="--", label="eta, closure")


def plot_average(f, path, ax_c, ax_eta, name="DNS"):
    g = f["/average"]
    x = g["x"][...] * 1e6
    w = float(g.attrs["window_width"]) * 1e6
    ax_c.plot(x, g["c_window"][...], lw=2.5, label=f"{name} window average (w = {w:.3g} um)")
    ax_c.plot(x, g["c_section"][...], lw=0.8, color="0.6", label=f"{name} section average")
    if "eta_window" in g:
        ax_eta.plot(x, g["eta_window"][...], lw=1.5, label=f"eta, {name} window")


def plot_comparison(f, path, ax_c, ax_eta):
    g = f["/comparison"]
    x = g["x"][...] * 1e6
    mre = float(g.attrs["mean_relative_error"]) * 100
    ax_c.plot(x, g["c_b"][...], lw=2.5, label=text(g.attrs["label_b"]))
    ax_c.plot(x, g["c_a"][...], lw=2, ls="--", label=f"{text(g.attrs['label_a'])} (MRE {mre:.2f} %)")
    for tag in ("a", "b"):
        if f"eta_{tag}" in g:
            ax_eta.plot(g[f"eta_{tag}_x"][...] * 1e6, g[f"eta_{tag}"][...], lw=1.5, label=f"eta, {text(g.attrs['label_' + tag])}")
    if "seeds" in f:  # a `tissue validate` file
        for k, name in enumerate(f["/seeds"]):
            ax_c.plot(x, np.interp(x, f["/average/x"][...] * 1e6, f[f"/seeds/{name}/c_window"][...]), lw=0.7,
                      color="C3", alpha=0.4, label="DNS window average, each seed" if k == 0 else None)
    if "reference_dns" in f:
        r = f["/reference_dns"]
        ax_c.plot(r["x"][...] * 1e6, r["c_b"][...], lw=1.5, ls=":", color="C2", label=text(r.attrs["label_b"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("--reference", help="reference CSV (x in um, c in mol/m^3) to draw as well")
    ap.add_argument("-o", "--output", default="profiles.png", help="image file (png, pdf, svg)")
    args = ap.parse_args()

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_c, ax_eta) = plt.subplots(2, 1, sharex=True, figsize=(8, 6.5), height_ratios=[3, 1.4])
    for path in args.files:
        with h5py.File(path, "r") as f:
            kind = text(f.attrs["kind"])
            if kind == "upscaled":
                plot_upscaled(f, path, ax_c, ax_eta)
            elif kind == "average":
                plot_average(f, path, ax_c, ax_eta)
            elif kind == "comparison":
                plot_comparison(f, path, ax_c, ax_eta)
            else:
                raise SystemExit(f"{path}: a '{kind}' file; this script plots 'upscaled', 'average' and 'comparison' files"
                                 + (" (run `tissue average` on a dns-tissue file first)" if kind == "dns-tissue" else ""))
    if args.reference:
        ref = np.loadtxt(args.reference, delimiter=",", comments=("%", "#"))
        ax_c.plot(ref[:, 0], ref[:, 1], lw=1.5, ls=":", color="C2", label=f"reference ({args.reference.split('/')[-1]})")
    ax_c.set_ylabel("<c>^β (mol m⁻³)")
    ax_c.legend(fontsize=7)
    ax_eta.set_ylabel("η (1)")
    ax_eta.set_xlabel("x (µm)")
    if ax_eta.lines:
        ax_eta.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.output, dpi=150)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
