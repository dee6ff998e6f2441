#!/usr/bin/env python3
"""Plot upscaled concentration profiles written by `tissue run` (needs h5py, numpy, matplotlib).

Usage:
    python3 examples/plot_profiles.py results/brain.h5 [more.h5 ...] [-o profiles.png]

Top panel: <c>^beta(x) of every file (transient files: every stored time, faded); bottom panel:
the effectiveness factor eta(x) from the closure. Units come from the files' `units` attributes.
"""
import argparse

import h5py
import numpy as np


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("files", nargs="+")
    ap.add_argument("-o", "--output", default="profiles.png", help="image file (png, pdf, svg)")
    args = ap.parse_args()

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_c, ax_eta) = plt.subplots(2, 1, sharex=True, figsize=(7, 6), height_ratios=[3, 1.4])
    for path in args.files:
        with h5py.File(path, "r") as f:
            kind = text(f.attrs["kind"])
            if kind != "upscaled":
                raise SystemExit(f"{path}: a '{kind}' file; this script plots 'upscaled' files")
            x = f["/macro/x"][...] * 1e6  # m -> um
            label = f"{path} ({text(f['/macro'].attrs['closure'])})"
            if "c_t" in f["/macro"]:
                t, ct = f["/macro/t"][...], f["/macro/c_t"][...]
                for k in range(len(t)):
                    ax_c.plot(x, ct[k], color="C0", alpha=0.15 + 0.85 * k / max(len(t) - 1, 1), lw=1)
            ax_c.plot(x, f["/macro/c"][...], lw=2, label=label)
            ax_eta.plot(x, f["/macro/eta"][...], lw=1.5)
            c_units = text(f["/macro/c"].attrs["units"])
    ax_c.set_ylabel(f"<c>^β ({c_units})")
    ax_c.legend(fontsize=8)
    ax_eta.set_ylabel("η (1)")
    ax_eta.set_xlabel("x (µm)")
    fig.tight_layout()
    fig.savefig(args.output, dpi=150)
    print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
