#!/usr/bin/env python3
"""Named peer of `tissue-bench strip`: SciPy's SuperLU (scipy.sparse.linalg.splu) on the same matrix.

The tissue-strip DNS spends most of its time factorising the Newton matrix J of the
Michaelis-Menten transport on the whole strip (the Python/SciPy prototype of the issue did this
with SuperLU at every Newton step). `tissue-bench strip --matrix PREFIX` writes J(c = cL) as raw
CSC arrays; this script reads them, factors J with SuperLU (COLAMD column ordering, SciPy's
default) and solves J x = J 1, timing both, and reports the error against the exact x = 1.
Prints one JSON line.

    strip_peer.py PREFIX [--repeats R]
"""
import argparse
import json
import resource
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("prefix")
    ap.add_argument("--repeats", type=int, default=1)
    a = ap.parse_args()
    indptr = np.fromfile(a.prefix + ".indptr.i64", dtype="<i8")
    indices = np.fromfile(a.prefix + ".indices.i64", dtype="<i8")
    data = np.fromfile(a.prefix + ".data.f64", dtype="<f8")
    n = len(indptr) - 1
    if indptr[-1] != len(indices) or len(indices) != len(data):
        raise SystemExit(f"strip_peer.py: inconsistent CSC arrays under {a.prefix}")
    j = sp.csc_matrix((data, indices.astype(np.int32), indptr.astype(np.int32)), shape=(n, n))
    b = j @ np.ones(n)
    factor, solve = [], []
    for _ in range(a.repeats):
        t0 = time.perf_counter()
        lu = spla.splu(j, permc_spec="COLAMD")
        t1 = time.perf_counter()
        x = lu.solve(b)
        t2 = time.perf_counter()
        factor.append(t1 - t0)
        solve.append(t2 - t1)
    print(json.dumps({
        "solver": "scipy-superlu", "scipy": scipy.__version__, "numpy": np.__version__,
        "unknowns": n, "nonzeros": int(j.nnz), "lu_factor_seconds": min(factor), "lu_solve_seconds": min(solve),
        "lu_nonzeros": int(lu.L.nnz + lu.U.nnz), "lu_max_error": float(np.max(np.abs(x - 1))),
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }))


if __name__ == "__main__":
    main()
