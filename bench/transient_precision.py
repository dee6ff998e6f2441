"""Tables and a work-precision diagram from bench/transient.sh runs.

    python bench/transient_precision.py RUNS.csv SCIPY.npz OUT.svg
"""
import sys

import h5py
import numpy as np


def max_error(path, ref, cL):
    c = h5py.File(path, "r")["macro/c_t"][1:, :]   # the output times 1-50 ms (row 0 is t = 0)
    return float(np.abs(c - ref[1:, :]).max() / cL)


def main(runs_csv, scipy_npz, svg):
    rows = [line.strip().split(",") for line in open(runs_csv) if line.strip()]
    scipy_ref = np.load(scipy_npz)["c_t"]
    cL = 2.0
    table = {"constant": [], "mlp": []}
    refs = {}
    for case, label, seconds, path in rows:
        if label.startswith("reference"):
            refs[case] = h5py.File(path, "r")["macro/c_t"][:]
    # The CVODES tight run against the independent SciPy solution (constant closure).
    agreement = float(np.abs(refs["constant"][1:] - scipy_ref[1:]).max() / cL)
    for case, label, seconds, path in rows:
        if label.startswith("reference"):
            continue
        ref = scipy_ref if case == "constant" else refs[case]
        f = h5py.File(path, "r")
        steps = int(f["macro/solver"].attrs["steps"])
        table[case].append((label, float(seconds), max_error(path, ref, cL), steps))
    print(f"Brain transient (1000 cells, outputs 1-50 ms), max |c - c_ref| / cL; "
          f"CVODES rtol 1e-10 vs SciPy BDF rtol 1e-10: {agreement:.1e} cL\n")
    for case, title in [("constant", "constant eta = 0.74 (c_ref: SciPy BDF, independent)"),
                        ("mlp", "MLP closure (c_ref: CVODES rtol 1e-10)")]:
        print(f"### {title}\n\n| run | steps | solver s | max error / cL |\n|---|---|---|---|")
        for label, s, e, n in table[case]:
            print(f"| {label} | {n} | {s:.3f} | {e:.2e} |")
        print()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    for ax, case, title in [(axes[0], "constant", "constant η"), (axes[1], "mlp", "MLP closure")]:
        for scheme, marker in [("bdf2", "s-"), ("cvode", "o-")]:
            pts = [(s, e) for label, s, e, _ in table[case] if label.startswith(scheme)]
            if pts:
                ax.loglog([p[0] for p in pts], [p[1] for p in pts], marker,
                          label="fixed-step BDF2 (dt)" if scheme == "bdf2" else "CVODES (rtol)")
        ax.axhline(1e-4, color="grey", ls=":", lw=1)
        ax.set_title(f"brain transient, {title}")
        ax.set_xlabel("solver wall time (s)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    axes[0].set_ylabel("max |c − c_ref| / cL over 1–50 ms")
    fig.tight_layout()
    fig.savefig(svg)


if __name__ == "__main__":
    main(*sys.argv[1:4])
