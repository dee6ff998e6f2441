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
the file has it). Units come from the files' `units` attributes: x is converted to metres and drawn
in m, mm, um or nm as its range suits; the concentration axis names the files' units.
"""
import argparse

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


LENGTHS = {"m": 1.0, "mm": 1e-3, "um": 1e-6, "µm": 1e-6, "micrometre": 1e-6, "nm": 1e-9}
SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


class Units:
    """Display units of the figure, set from the first file's `units` attributes."""
    x_symbol, x_scale, c_units = None, 1.0, None

    @classmethod
    def length(cls, ds):
        """A length dataset in the display unit (chosen from the first one's range)."""
        units = text(ds.attrs.get("units", "m"))
        if units not in LENGTHS:
            raise SystemExit(f"{ds.file.filename}:{ds.name}: length units '{units}' are not one of {sorted(LENGTHS)}")
        metres = ds[...] * LENGTHS[units]
        if cls.x_symbol is None:
            largest = float(np.nanmax(np.abs(metres))) if metres.size else 1.0
            cls.x_symbol, size = next(((s, f) for s, f in (("m", 1.0), ("mm", 1e-3), ("µm", 1e-6), ("nm", 1e-9))
                                       if largest >= f * 0.999), ("nm", 1e-9))
            cls.x_scale = 1.0 / size
        return metres * cls.x_scale

    @classmethod
    def from_metres(cls, value):
        return value * cls.x_scale

    @classmethod
    def concentration(cls, ds):
        if cls.c_units is None:
            cls.c_units = " ".join(t[:1] + t[1:].translate(SUPERSCRIPTS) for t in text(ds.attrs.get("units", "")).split())
        return ds[...]


def plot_upscaled(f, path, ax_c, ax_eta):
    x = Units.length(f["/macro/x"])
    label = f"{path} (upscaled, {text(f['/macro'].attrs.get('closure', ''))})"
    if "c_t" in f["/macro"]:
        t, ct = f["/macro/t"][...], f["/macro/c_t"][...]
        for k in range(len(t)):
            ax_c.plot(x, ct[k], color="C0", alpha=0.15 + 0.85 * k / max(len(t) - 1, 1), lw=1)
    ax_c.plot(x, Units.concentration(f["/macro/c"]), lw=2, ls="--", label=label)
    ax_eta.plot(x, f["/macro/eta"][...], lw=1.5, ls="--", label="eta, closure")


def plot_average(f, path, ax_c, ax_eta, name="DNS"):
    g = f["/average"]
    x = Units.length(g["x"])
    w = Units.from_metres(float(g.attrs["window_width"]))  # stored in m, like every length attribute
    ax_c.plot(x, Units.concentration(g["c_window"]), lw=2.5, label=f"{name} window average (w = {w:.3g} {Units.x_symbol})")
    ax_c.plot(x, g["c_section"][...], lw=0.8, color="0.6", label=f"{name} section average")
    if "eta_window" in g:
        ax_eta.plot(x, g["eta_window"][...], lw=1.5, label=f"eta, {name} window")


def plot_comparison(f, path, ax_c, ax_eta):
    g = f["/comparison"]
    x = Units.length(g["x"])
    mre = float(g.attrs["mean_relative_error"]) * 100
    ax_c.plot(x, Units.concentration(g["c_b"]), lw=2.5, label=text(g.attrs["label_b"]))
    ax_c.plot(x, g["c_a"][...], lw=2, ls="--", label=f"{text(g.attrs['label_a'])} (MRE {mre:.2f} %)")
    for tag in ("a", "b"):
        if f"eta_{tag}" in g:
            ax_eta.plot(Units.length(g[f"eta_{tag}_x"]), g[f"eta_{tag}"][...], lw=1.5, label=f"eta, {text(g.attrs['label_' + tag])}")
    if "seeds" in f:  # a `tissue validate` file
        for k, name in enumerate(f["/seeds"]):
            ax_c.plot(x, np.interp(x, Units.length(f["/average/x"]), f[f"/seeds/{name}/c_window"][...]), lw=0.7,
                      color="C3", alpha=0.4, label="DNS window average, each seed" if k == 0 else None)
    if "reference_dns" in f:
        r = f["/reference_dns"]
        ax_c.plot(Units.length(r["x"]), r["c_b"][...], lw=1.5, ls=":", color="C2", label=text(r.attrs["label_b"]))


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
        ax_c.plot(Units.from_metres(ref[:, 0] * 1e-6), ref[:, 1], lw=1.5, ls=":", color="C2", label=f"reference ({args.reference.split('/')[-1]})")
    ax_c.set_ylabel(f"<c>^β ({Units.c_units or '?'})")
    ax_c.legend(fontsize=7)
    ax_eta.set_ylabel("η (1)")
    ax_eta.set_xlabel(f"x ({Units.x_symbol or 'm'})")
    if ax_eta.lines:
        ax_eta.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(args.output, dpi=150)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
