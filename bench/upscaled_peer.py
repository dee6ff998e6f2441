#!/usr/bin/env python3
"""Named peer of `tissue-bench steady`: a careful NumPy/SciPy rewrite of the steady upscaled solve.

"A careful SciPy rewrite: Picard start, then Newton, banded solves."

It reproduces, operation for operation where it matters, what the Swift code does:

* problem        -- `tissueProblem` in bench/Sources/tissue-bench/main.swift (brain, liver);
* discretisation -- `FiniteVolumeOperator` (cell-centred FV, uniform grid, Dirichlet inlet
                    face, zero-gradient outlet, central or upwind convection, Michaelis–Menten
                    uptake scaled by eta), residual and tridiagonal Jacobian as in `assemble`,
                    including the chain-rule terms of eta's dependence on c and its gradient;
* features       -- (eps_beta, phi^2, Pe, Dr, c/Ka, -r g/Ka) with the same cell-centre
                    gradient stencils (one-sided quadratics in the first and last cell);
* closure        -- `MLPClosure`: clamp each feature to [min, max] of the model file, min–max
                    scale (computed in float64, then cast), float32 forward pass (one stacked
                    matmul per layer for the primal and the forward-mode tangents, bias on the
                    primal only, ReLU masks the tangents), negative outputs raised to 0 with
                    zero sensitivity, clamped inputs have zero sensitivity;
* nonlinear      -- `SteadySolver`: Picard steps (eta frozen, inner Michaelis–Menten Newton
                    solve to 0.1 x tolerance), switching to damped Newton once a Picard step
                    contracts the residual by less than `--picard-contraction` (0.1); Newton
                    skips the sensitivities when the quadratic rate predicts convergence, halves
                    a step that raised the residual (down to 1/16), stops on the relative
                    residual ||r||_inf / (v cL + D* cL / L) <= 1e-8 or on the noise floor;
* linear solves  -- `scipy.linalg.solve_banded((1, 1), ...)` (LAPACK gbsv) instead of Thomas.

With `--scheme reference` it runs instead the reference study's scheme (Jacobi relaxation, up to 20 000 sweeps, network every 10 sweeps) on the same grid,
coefficients, features and network: see `reference_solve`.

Usage:
  upscaled_peer.py --model PATH --tissue brain|liver [--cells N] [--repeats R]
                   [--precision float32|float64] [--picard-contraction X] [--profile OUT.csv]
  upscaled_peer.py --scheme reference --model PATH --tissue brain|liver [--cells N] [--repeats R]
                   [--jacobi-tolerance 1e-8] [--max-sweeps 20000] [--network-every 10]
                   [--relaxation 1] [--profile OUT.csv]

Prints one JSON line with the same keys as the Swift benchmark; writes the final profile as
CSV lines "x,c". No thread limits are set: NumPy's bundled OpenBLAS uses every core.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time

import h5py
import numpy as np
import scipy
import scipy.linalg

FEATURE_NAMES = ["porosity", "thiele_modulus_squared", "peclet", "diffusivity_ratio",
                 "concentration", "concentration_gradient"]
F_CONCENTRATION = 4
F_GRADIENT = 5


class SolveError(RuntimeError):
    pass


# --------------------------------------------------------------------------------------------
# Problem (bench/Sources/tissue-bench/main.swift, tissueProblem)
# --------------------------------------------------------------------------------------------

class Problem:
    def __init__(self, name: str):
        db = 1e-10
        table = {
            "brain": (20e-6, 0.47e-6, 0.260372, 8.15732074795076, 226.34676324128571, 6.86972e-11),
            "liver": (680e-6, 11.67e-6, 0.18724390, 52.2210168759, 1.5, 3.67892e-10),
        }
        if name not in table:
            raise SystemExit(f"upscaled_peer: unknown tissue '{name}' (brain or liver)")
        length, r, eps, pe, km, d_star = table[name]
        self.length = length
        self.porosity = eps
        self.velocity = pe * db / r
        self.dispersion = d_star
        self.km = km
        self.Ka = 1.0
        self.inlet = 2.0
        self.cell_radius = r
        self.thiele2 = km * r * r / db
        self.peclet = pe
        self.diffusivity_ratio = 0.1

    @property
    def uptake_scale(self) -> float:
        """(eps_sigma/eps_beta) km."""
        return (1 - self.porosity) / self.porosity * self.km


# --------------------------------------------------------------------------------------------
# Closure (Sources/NeuralNet/ModelFile.swift, DenseNetwork.swift, Sources/Closure/MLPClosure.swift)
# --------------------------------------------------------------------------------------------

def _strings(dataset) -> list[str]:
    return [s.decode() if isinstance(s, bytes) else str(s) for s in np.atleast_1d(dataset[()])]


class MLPClosure:
    def __init__(self, path: str, precision: str = "float32"):
        dtype = {"float32": np.float32, "float64": np.float64}[precision]
        self.dtype = dtype
        with h5py.File(path, "r") as f:
            kind = f.attrs.get("kind")
            kind = kind.decode() if isinstance(kind, bytes) else kind
            if kind != "model":
                raise SystemExit(f"upscaled_peer: {path} is a '{kind}' file, expected a 'model' file")
            m = f["model"]
            names = list(m["layers"].keys())
            indices = sorted(int(k) for k in names)
            if indices != list(range(len(names))):
                raise SystemExit(f"upscaled_peer: {path}: /model/layers must hold groups 0, 1, ..., found {names}")
            self.layers = []
            for k in indices:
                g = m["layers"][str(k)]
                # Stored float32 (out x in); the Swift code reads float32 and converts for float64.
                w = np.asarray(g["W"][()], dtype=np.float32)
                b = np.asarray(g["b"][()], dtype=np.float32)
                if w.ndim != 2 or b.shape != (w.shape[0],):
                    raise SystemExit(f"upscaled_peer: {path}: layer {k} has W {w.shape}, b {b.shape}")
                # X (rows x in) @ W^T; keep W^T contiguous so the matmul is a plain NN sgemm.
                self.layers.append((np.ascontiguousarray(w.T.astype(dtype)), b.astype(dtype)))
            self.activation = _strings(m["activation"])[0]
            if self.activation not in ("relu", "tanh", "linear"):
                raise SystemExit(f"upscaled_peer: unknown activation '{self.activation}'")
            self.minimum = np.asarray(m["normalization/min"][()], dtype=np.float64)
            self.maximum = np.asarray(m["normalization/max"][()], dtype=np.float64)
            self.feature_names = _strings(m["feature_names"])
        if self.feature_names != FEATURE_NAMES:
            raise SystemExit(f"upscaled_peer: feature mismatch: {self.feature_names}")
        if self.layers[-1][0].shape[1] != 1:
            raise SystemExit("upscaled_peer: the eta network must have one output")
        rng = self.maximum - self.minimum
        self.inverse_range = np.where(rng > 0, 1.0 / np.where(rng > 0, rng, 1.0), 0.0)
        self.widths = [self.layers[0][0].shape[0]] + [w.shape[1] for w, _ in self.layers]

    def forward(self, x: np.ndarray, tangents: list[np.ndarray]):
        """Output (rows) and forward-mode tangents J(x) dX (rows each); one stacked matmul per layer."""
        rows = x.shape[0]
        stack = 1 + len(tangents)
        current = np.concatenate([x] + tangents, axis=0) if tangents else x
        last = len(self.layers) - 1
        for k, (wt, b) in enumerate(self.layers):
            z = current @ wt
            z[:rows] += b
            if k != last:
                primal = z[:rows]
                if self.activation == "relu":
                    if stack > 1:
                        # σ'(z) = 1 where z > 0, else 0 (tangents first: they need the pre-activation)
                        z[rows:].reshape(stack - 1, rows, -1)[...] *= (primal > 0)
                    np.maximum(primal, 0, out=primal)
                elif self.activation == "tanh":
                    y = np.tanh(primal)
                    if stack > 1:
                        z[rows:].reshape(stack - 1, rows, -1)[...] *= (1 - y * y)
                    primal[...] = y
            current = z
        out = current[:rows, 0]
        dout = [current[(s + 1) * rows:(s + 2) * rows, 0] for s in range(stack - 1)]
        return out, dout

    def evaluate(self, features: np.ndarray, sensitivities: list[int]):
        """eta (float64, rows) and d eta / d feature_k for k in `sensitivities` (raw feature units)."""
        if not np.all(np.isfinite(features)):
            raise SolveError("non-finite feature")
        clipped = np.minimum(np.maximum(features, self.minimum), self.maximum)
        clamped = clipped != features
        scaled = ((clipped - self.minimum) * self.inverse_range).astype(self.dtype)
        tangents = []
        for k in sensitivities:
            t = np.zeros_like(scaled)
            t[:, k] = np.where(clamped[:, k], 0, self.dtype(self.inverse_range[k]))
            tangents.append(t)
        out, dout = self.forward(scaled, tangents)
        out = out.astype(np.float64)
        if not np.all(np.isfinite(out)):
            raise SolveError("non-finite network output")
        negative = out < 0
        eta = np.maximum(out, 0)
        derivs = [np.where(negative, 0.0, d.astype(np.float64)) for d in dout]
        return eta, derivs, clamped.sum(axis=0), int(negative.sum())


# --------------------------------------------------------------------------------------------
# Discretisation (Sources/Macroscale/FiniteVolumeOperator.swift)
# --------------------------------------------------------------------------------------------

class FiniteVolumeOperator:
    def __init__(self, problem: Problem, cells: int, convection: str = "central"):
        if cells < 3:
            raise SystemExit("upscaled_peer: need at least 3 cells")
        self.p = problem
        self.n = cells
        self.h = problem.length / cells
        self.x = (np.arange(cells, dtype=np.float64) + 0.5) * self.h
        self.wl, self.wr = (0.5, 0.5) if convection == "central" else (1.0, 0.0)
        p = problem
        s = p.velocity * p.inlet + p.dispersion * p.inlet / p.length
        self.residual_scale = s if s > 0 else 1e-300
        # Constant feature columns.
        self.constant_features = np.array([p.porosity, p.thiele2, p.peclet, p.diffusivity_ratio])

    def gradient(self, c: np.ndarray) -> np.ndarray:
        h, cl = self.h, self.p.inlet
        g = np.empty_like(c)
        g[0] = (-4 * cl + 3 * c[0] + c[1]) / (3 * h)
        g[1:-1] = (c[2:] - c[:-2]) / (2 * h)
        g[-1] = (c[-1] - c[-2]) / (2 * h)
        return g

    def features(self, c: np.ndarray) -> np.ndarray:
        p = self.p
        f = np.empty((self.n, 6))
        f[:, :4] = self.constant_features
        f[:, F_CONCENTRATION] = c / p.Ka
        f[:, F_GRADIENT] = -p.cell_radius * self.gradient(c) / p.Ka
        return f

    def assemble(self, c: np.ndarray, eta: np.ndarray, sens=None):
        """Residual r(c) and the banded Jacobian ab (3 x n, solve_banded layout (1, 1)).

        Accumulation order per entry follows the Swift loops, so r agrees to the last bit for
        equal inputs (not that it matters beyond round-off)."""
        n, h, p = self.n, self.h, self.p
        v, d, cl, ka, k = p.velocity, p.dispersion, p.inlet, p.Ka, p.uptake_scale
        wl, wr = self.wl, self.wr
        r = np.empty(n)
        lo = np.zeros(n)
        di = np.empty(n)
        up = np.zeros(n)
        # Interior faces i+1/2, i = 0..n-2.
        f = v * (wl * c[:-1] + wr * c[1:]) - d * (c[1:] - c[:-1]) / h
        dfl = v * wl + d / h
        dfr = v * wr - d / h
        f0 = v * cl - d * (c[0] - cl) / (h / 2)
        r[0] = -f0
        r[1:] = -f
        r[:-1] += f
        r[-1] += v * c[-1]
        di[0] = 2 * d / h
        di[1:] = -dfr
        di[:-1] += dfl
        di[-1] += v
        up[:-1] = dfr
        lo[1:] = -dfl
        # Uptake.
        denom = ka + c
        m = c / denom
        hke = h * k * eta
        r += hke * m
        di += hke * ka / (denom * denom)
        if sens is not None:
            s_c, s_g = sens
            rg = p.cell_radius / ka
            w = h * k * c / (ka + c)            # d(uptake_i)/d eta_i
            di += w * s_c / ka
            sg = -rg * s_g * w
            di[0] += sg[0] / h
            up[0] += sg[0] / (3 * h)
            up[1:-1] += sg[1:-1] / (2 * h)
            lo[1:-1] -= sg[1:-1] / (2 * h)
            di[-1] += sg[-1] / (2 * h)
            lo[-1] -= sg[-1] / (2 * h)
        ab = np.empty((3, n))
        ab[0, 0] = 0
        ab[0, 1:] = up[:-1]
        ab[1] = di
        ab[2, :-1] = lo[1:]
        ab[2, -1] = 0
        return r, ab

    def norm(self, r: np.ndarray) -> float:
        return float(np.max(np.abs(r))) / self.residual_scale   # NaN propagates, like maxNorm

    def balance(self, c, eta):
        p = self.p
        inflow = p.velocity * p.inlet - p.dispersion * (c[0] - p.inlet) / (self.h / 2)
        outflow = p.velocity * c[-1]
        uptake = float(np.sum(p.uptake_scale * eta * c / (p.Ka + c))) * self.h
        return inflow, outflow, uptake


def banded_solve(ab, rhs):
    try:
        return scipy.linalg.solve_banded((1, 1), ab, rhs, overwrite_ab=True, overwrite_b=True,
                                         check_finite=False)
    except (np.linalg.LinAlgError, ValueError) as e:
        raise SolveError(f"linear solve failed: {e}") from e


# --------------------------------------------------------------------------------------------
# Nonlinear solve (Sources/Macroscale/SteadySolver.swift, NonlinearSupport.swift)
# --------------------------------------------------------------------------------------------

def solve_frozen_eta(op: FiniteVolumeOperator, start, eta, tolerance, max_iterations=100):
    c = start.copy()
    for step in range(max_iterations):
        r, ab = op.assemble(c, eta)
        norm = op.norm(r)
        if norm <= tolerance:
            return c, step
        if not math.isfinite(norm):
            raise SolveError(f"inner solve: non-finite residual after {step} steps")
        delta = banded_solve(ab, -r)
        nxt = np.maximum(c + delta, 0)
        change = float(np.max(np.abs(nxt - c)))
        size = float(np.max(np.abs(nxt)))
        c = nxt
        if change <= 1e-14 * max(size, 1e-300):
            return c, step + 1
    r, _ = op.assemble(c, eta)
    norm = op.norm(r)
    if norm <= tolerance:
        return c, max_iterations
    raise SolveError(f"inner solve did not converge: residual {norm}")


def steady_solve(op: FiniteVolumeOperator, closure: MLPClosure, tolerance=1e-8, max_iterations=50,
                 picard_contraction=0.1, noise_floor=1e-6):
    t0 = time.perf_counter()
    n = op.n
    c = np.full(n, op.p.inlet)
    history: list[float] = []
    kinds: list[str] = []
    criterion = None
    eta = None
    newton = False
    want_sens = False
    last_step = None          # (c, delta, norm, lambda)
    stalled = 0
    calls = 0
    closure_seconds = 0.0
    clamped_counts = None
    clamped_outputs = 0
    iteration = 0
    while iteration < max_iterations:
        iteration += 1
        tc = time.perf_counter()
        eta, derivs, clamped_counts, clamped_outputs = closure.evaluate(
            op.features(c), [F_CONCENTRATION, F_GRADIENT] if want_sens else [])
        closure_seconds += time.perf_counter() - tc
        calls += 1
        sens = (derivs[0], derivs[1]) if want_sens else None
        r, ab = op.assemble(c, eta, sens)
        norm = op.norm(r)
        if not math.isfinite(norm):
            raise SolveError("non-finite concentration")
        previous = history[-1] if history else None
        history.append(norm)
        kinds.append("newton" if newton else "picard")
        if norm <= tolerance:
            criterion = "residual"
            break
        if previous is not None and norm <= noise_floor and norm > 0.5 * previous:
            stalled += 1
            if stalled >= 2:
                criterion = "noise-floor"
                break
        else:
            stalled = 0

        if newton:
            if last_step is not None and norm > last_step[2] and last_step[3] > 1.0 / 16:
                sc, sd, snorm, lam = last_step
                lam /= 2
                c = np.maximum(sc + lam * sd, 0)
                last_step = (sc, sd, snorm, lam)
                want_sens = True
                continue
            if sens is None:
                want_sens = True
                continue
            delta = banded_solve(ab, -r)
            if last_step is not None and last_step[2] > 0:
                predicted = norm * norm * norm / (last_step[2] * last_step[2])
                want_sens = not (predicted < 0.1 * tolerance)
            else:
                want_sens = True
            last_step = (c, delta, norm, 1.0)
            c = np.maximum(c + delta, 0)
        else:
            c, _ = solve_frozen_eta(op, c, eta, tolerance * 0.1)
            if previous is not None and norm > picard_contraction * previous:
                newton = True
                want_sens = True
    if criterion is None:
        raise SolveError(f"nonlinear solve did not converge: relative residual {history[-1]} "
                         f"after {iteration} iterations")
    inflow, outflow, uptake = op.balance(c, eta)
    wall = time.perf_counter() - t0
    return dict(c=c, eta=eta, iterations=iteration, history=history, kinds=kinds, criterion=criterion,
                closure_calls=calls, closure_seconds=closure_seconds, wall_seconds=wall,
                clamped_counts=[int(v) for v in clamped_counts], clamped_outputs=clamped_outputs,
                inflow=inflow, outflow=outflow, uptake=uptake)


# --------------------------------------------------------------------------------------------
# The reference study's scheme: Jacobi relaxation, network every
# 10 sweeps. Not a port of any Swift code: a second, different algorithm on the same problem.
# --------------------------------------------------------------------------------------------

def reference_solve(op: FiniteVolumeOperator, closure: MLPClosure, tolerance=1e-8, max_sweeps=20_000,
                    network_every=10, relaxation=1.0):
    """Pointwise Jacobi relaxation of the discrete steady equation, eta from the network on all
    cells every `network_every` sweeps (frozen in between).

    Same cell-centred grid, coefficients and boundary conditions as `op.assemble` (so the fixed
    point is exactly the discrete solution the Newton/Picard solvers converge to). Row i of the
    discrete equation is  lo_i c_{i-1} + di_i c_i + up_i c_{i+1} + h k eta_i c_i/(Ka + c_i) = b_i;
    a sweep linearises the Michaelis–Menten term at the previous iterate (Picard: the uptake
    coefficient h k eta_i/(Ka + c_i^old) goes on the diagonal) and updates every cell from the
    previous iterate's neighbours (Jacobi, not Gauss–Seidel), optionally under-relaxed:
        c_i^new = (1 - w) c_i + w (b_i - lo_i c_{i-1} - up_i c_{i+1}) / (di_i + h k eta_i / (Ka + c_i)).
    Start c = cL everywhere (as the Swift solver). Stop when max_i |c^new - c| / cL <= tolerance
    over one sweep, or after `max_sweeps` sweeps (then `converged` is False; not an error).
    """
    t0 = time.perf_counter()
    p, n = op.p, op.n
    # Linear part from the operator itself: r(0; eta=0) = -b, the banded matrix holds lo, di, up.
    r0, ab = op.assemble(np.zeros(n), np.zeros(n))
    b = -r0
    di = ab[1].copy()
    up = ab[0, 1:].copy()          # coefficient of c_{i+1} in row i, i = 0..n-2
    lo = ab[2, :-1].copy()         # coefficient of c_{i-1} in row i, i = 1..n-1
    hk = op.h * p.uptake_scale
    ka, cl = p.Ka, p.inlet
    c = np.full(n, cl)
    new = np.empty(n)
    tmp = np.empty(n)
    work = np.empty(n - 1)
    eta = None
    hke = None
    calls = 0
    closure_seconds = 0.0
    clamped_counts = None
    clamped_outputs = 0
    change = math.inf
    changes = []                   # max change / cL every 1000 sweeps
    sweeps = 0
    while sweeps < max_sweeps:
        if sweeps % network_every == 0:
            tc = time.perf_counter()
            eta, _, clamped_counts, clamped_outputs = closure.evaluate(op.features(c), [])
            closure_seconds += time.perf_counter() - tc
            calls += 1
            hke = hk * eta
        # new = b - lo c_{i-1} - up c_{i+1}
        np.copyto(new, b)
        np.multiply(lo, c[:-1], out=work)
        new[1:] -= work
        np.multiply(up, c[1:], out=work)
        new[:-1] -= work
        # diagonal with the uptake linearised at the previous iterate
        np.add(c, ka, out=tmp)
        np.divide(hke, tmp, out=tmp)
        tmp += di
        new /= tmp
        if relaxation != 1.0:
            new *= relaxation
            new += (1 - relaxation) * c
        np.subtract(new, c, out=tmp)
        change = float(np.max(np.abs(tmp, out=tmp))) / cl
        c, new = new, c
        sweeps += 1
        if not math.isfinite(change):
            raise SolveError(f"Jacobi: non-finite concentration after {sweeps} sweeps")
        if sweeps % 1000 == 0:
            changes.append(change)
        if change <= tolerance:
            break
    wall = time.perf_counter() - t0
    converged = change <= tolerance
    return dict(c=c, eta=eta, sweeps=sweeps, converged=converged, final_change=change, changes=changes,
                closure_calls=calls, closure_seconds=closure_seconds, wall_seconds=wall,
                clamped_counts=[int(v) for v in clamped_counts], clamped_outputs=clamped_outputs)


def main_reference(a, closure, op):
    times = []
    s = None
    for _ in range(a.repeats):
        try:
            s = reference_solve(op, closure, tolerance=a.jacobi_tolerance, max_sweeps=a.max_sweeps,
                                network_every=a.network_every, relaxation=a.relaxation)
        except SolveError as e:
            print(f"upscaled_peer: {e}", file=sys.stderr)
            return 1
        times.append(s["wall_seconds"])
    c = s["c"]
    # After timing: the relative residual of the nonlinear discrete equation at the final profile,
    # with the last eta the scheme used and with eta re-evaluated there (one extra network call).
    r_frozen, _ = op.assemble(c, s["eta"])
    eta_fresh = closure.evaluate(op.features(c), [])[0]
    r_fresh, _ = op.assemble(c, eta_fresh)
    inflow, outflow, uptake = op.balance(c, eta_fresh)
    if a.profile:
        with open(a.profile, "w") as f:
            f.write("".join(f"{x!r},{v!r}\n" for x, v in zip(op.x.tolist(), c.tolist())))
    times.sort()
    out = {
        "tissue": a.tissue, "cells": a.cells, "precision": a.precision, "scheme": "reference",
        "best_seconds": times[0], "median_seconds": times[len(times) // 2],
        "closure_calls": s["closure_calls"], "sweeps": s["sweeps"], "converged": s["converged"],
        "stop": "change" if s["converged"] else "max-sweeps",
        "final_change": s["final_change"], "change_every_1000_sweeps": s["changes"],
        "closure_seconds": s["closure_seconds"],
        "final_residual": op.norm(r_fresh), "final_residual_frozen_eta": op.norm(r_frozen),
        "jacobi_tolerance": a.jacobi_tolerance, "max_sweeps": a.max_sweeps,
        "network_every": a.network_every, "relaxation": a.relaxation,
        "eta_min": float(s["eta"].min()), "eta_max": float(s["eta"].max()),
        "clamped_counts": s["clamped_counts"], "clamped_outputs": s["clamped_outputs"],
        "balance": {"inflow": inflow, "outflow": outflow, "uptake": uptake},
        "peer": f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}",
    }
    print(json.dumps(out))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", required=True)
    ap.add_argument("--tissue", default="brain")
    ap.add_argument("--cells", type=int, default=1000)
    ap.add_argument("--repeats", type=int, default=7)
    ap.add_argument("--precision", default="float32", choices=["float32", "float64"])
    ap.add_argument("--picard-contraction", type=float, default=0.1)
    ap.add_argument("--convection", default="central", choices=["central", "upwind"])
    ap.add_argument("--profile")
    ap.add_argument("--scheme", default="rewrite", choices=["rewrite", "reference"],
                    help="rewrite: the same Picard/Newton algorithm as the Swift solver (default); "
                         "reference: the reference study's Jacobi relaxation, network every 10 sweeps")
    ap.add_argument("--jacobi-tolerance", type=float, default=1e-8,
                    help="reference scheme: stop when max |change over a sweep| / cL <= this")
    ap.add_argument("--max-sweeps", type=int, default=20_000)
    ap.add_argument("--network-every", type=int, default=10)
    ap.add_argument("--relaxation", type=float, default=1.0,
                    help="reference scheme: Jacobi weight (1 = plain Jacobi)")
    a = ap.parse_args(argv)
    if a.repeats < 1:
        raise SystemExit("upscaled_peer: --repeats must be >= 1")
    if a.max_sweeps < 1 or a.network_every < 1 or not 0 < a.relaxation <= 1:
        raise SystemExit("upscaled_peer: need --max-sweeps >= 1, --network-every >= 1, 0 < --relaxation <= 1")

    closure = MLPClosure(a.model, a.precision)
    op = FiniteVolumeOperator(Problem(a.tissue), a.cells, a.convection)
    if a.scheme == "reference":
        return main_reference(a, closure, op)
    times = []
    s = None
    for _ in range(a.repeats):
        try:
            s = steady_solve(op, closure, tolerance=1e-8, picard_contraction=a.picard_contraction)
        except SolveError as e:
            print(f"upscaled_peer: {e}", file=sys.stderr)
            return 1
        times.append(s["wall_seconds"])
    if a.profile:
        with open(a.profile, "w") as f:
            f.write("".join(f"{x!r},{c!r}\n" for x, c in zip(op.x.tolist(), s["c"].tolist())))
    times.sort()
    out = {
        "tissue": a.tissue, "cells": a.cells, "precision": a.precision, "scheme": "rewrite",
        "best_seconds": times[0], "median_seconds": times[len(times) // 2],
        "closure_calls": s["closure_calls"], "iterations": s["iterations"],
        "closure_seconds": s["closure_seconds"], "stop": s["criterion"],
        "final_residual": s["history"][-1], "history": s["history"], "kinds": s["kinds"],
        "eta_min": float(s["eta"].min()), "eta_max": float(s["eta"].max()),
        "clamped_counts": s["clamped_counts"], "clamped_outputs": s["clamped_outputs"],
        "balance": {"inflow": s["inflow"], "outflow": s["outflow"], "uptake": s["uptake"]},
        "peer": f"python {sys.version.split()[0]}, numpy {np.__version__}, scipy {scipy.__version__}",
    }
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
