#!/usr/bin/env python3
"""Named peer of `tissue-bench unitcell`: the "SciPy/SuperLU prototype" of the unit-cell DNS.

An independent NumPy/SciPy implementation of the calibrated unit-cell set-up (the Python
prototype of the project's DNS calibration study, docs/unitcell-dns.md); it shares no code
with the Swift solver (Sources/Microscale) and follows that study, not the Swift code, where
the two differ (see "Differences from the Swift solver" below).

Geometry
    Row [0, 15] x [0, 3] um of five 3 um tiles; per tile a circle of radius r at the centre
    (1.5, 1.5) um and quarter circles at the four corners. Porosity eps = 1 - pi r^2 / 4.5 um^2
    (exact, used for the averages).

Flow (one periodic 3 x 3 um tile, then tiled x5)
    mu lap(u) - grad(p) + (G, 0) = 0,  div(u) = 0  in the fluid,  u = 0 in and on the circles,
    mu = 1e-3 Pa s, G = PL / 15 um (equivalent to p = PL at the inlet, p = 0 at the outlet).
    MAC grid, N x N cells, h = 3 um / N: u(i, j) at (i h, (j + 1/2) h), v(i, j) at
    ((i + 1/2) h, j h), p(i, j) at cell centres; periodic in x and y. Velocity nodes inside a
    circle are 0 (not unknowns). Momentum at a fluid node P, written for the scaled unknowns
    u^ = u mu / (G h^2), p^ = p / (G h):
        sum over the 4 neighbours nb of  T_nb  +  (p^_P - p^_W)  =  1      (u; v: p^_P - p^_S, rhs 0)
        T_nb = u^_P - u^_nb              if nb is fluid,
        T_nb = u^_P / theta              if nb is in a circle (wall-distance no-slip),
    theta = (distance from P to the circle along the grid line) / h, floored at 1e-3: the
    neighbour term -(u_nb - u_P)/h^2 becomes +u_P/(theta h^2) ("Shortley-Weller" in the
    document; `--wall consistent` multiplies each grid line's two terms by 2/(theta_a + theta_b),
    the three-point second difference on unequal arms, for comparison).
    Continuity per cell: (u^_E - u^_P) + (v^_N - v^_P) = 0. Pressure cells whose four faces are
    all solid are pinned (p = 0) and one more pressure value is pinned overall (its continuity
    equation is implied by the others). One sparse LU (SuperLU, COLAMD) solves the system.
    <v>^beta = (flux through x = 0) / (3 um * eps), Pe = r <v>^beta / D_beta.

Transport (cell-centred finite volumes on the 5N x N row, MAC face velocities of the tile
repeated five times)
    div(u c) = div(D grad c) - f km c / (Ka + c)
    f: solid (cell) fraction of each grid cell from 6 x 6 sub-samples; mixture diffusivity
    D = 1 / ((1 - f)/D_beta + f/D_sigma), harmonic mean 2 D_P D_E / (D_P + D_E) at faces.
    Convection: QUICK face values (3/4 c_upwind + 3/8 c_downwind - 1/8 c_far-upwind; central
    where the far-upwind cell does not exist) or central (`--convection central`).
    Inlet x = 0: c = cL only on rows where the point (0, y_j) is fluid (diffusive flux
    2 D_P (cL - c_P) per unit depth), no diffusive flux on the circle parts; convective inflow
    u cL. Outlet x = 15 um: convective outflow u c_P only. Top and bottom: zero flux.
    Residual per cell (mol m^-1 s^-1):
        R_P = sum_faces (outward convective + diffusive flux) + h^2 f_P km c_P / (Ka + c_P) = 0,
    solved by Newton from c = cL: J = A + diag(h^2 f km Ka / (Ka + c)^2), one SuperLU
    factorisation (COLAMD) per iteration, iterates clipped at c >= 0, stop when the applied
    update max|dc| / cL < 1e-10.
    km = phi2 Ka D_beta / r^2, D_sigma = Dr D_beta, D_beta = 1e-10 m^2/s, Ka = 1 mol/m^3.

Averages per 3 um tile (domain d = 1..5)
    <c>^beta = sum (1 - f) c / sum (1 - f),
    eta = [sum f km c/(Ka + c) / sum f] / [km <c>^beta / (Ka + <c>^beta)].

Differences from the Swift solver (Sources/Microscale; none of them is a shortcut here):
    the Swift solver solves half the tile (the lattice's (1.5, 1.5) um translation) and the
    lower half of the row (mirror symmetry), reuses the factorisation once Newton has nearly
    converged (chord steps), uses UMFPACK, the consistent Shortley-Weller wall (see `--wall`),
    upwind instead of central at the faces where QUICK lacks its far-upwind cell, an inlet open
    where the first cell is mostly fluid (f < 0.5), and clips only the large early Newton steps.
    This peer does what the document describes: full tile, full row, a fresh LU per Newton step.

Timing (time.perf_counter), per realisation, everything after the table is read: flow =
geometry, wall distances, assembly, LU and velocities of the tile; transport = solid fractions,
tiling, assembly, Newton and the domain averages. No flow is cached between realisations.

Usage:
  dns_peer.py --inputs Comsol_output_...csv --rows 4039,4017,... [--cells-per-tile 60]
              [--convection quick|central] [--wall document|consistent]

Prints one JSON line: per row total/flow/transport seconds, Newton iterations, Pe and eta and
<c>^beta of domains 1-5 (or ok: false and the error), and the peak RSS of the process (KiB).
Set OPENBLAS_NUM_THREADS=1 etc. for single-threaded runs (bench/dns.sh does).
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import time

import numpy as np
import scipy
import scipy.sparse as sp
import scipy.sparse.linalg as spla

TILE = 3e-6          # tile side (m)
TILES = 5            # flow domains along the row
MU = 1e-3            # viscosity (Pa s)
D_BETA = 1e-10       # fluid diffusivity (m^2/s)
KA = 1.0             # half-saturation (mol/m^3)
MIN_THETA = 1e-3     # wall-distance floor (fraction of h)
NEWTON_TOLERANCE = 1e-10
MAX_NEWTON = 50
SUBSAMPLES = 6


class SolveError(RuntimeError):
    """A realisation whose flow or transport solve failed."""


# --------------------------------------------------------------------------------------------
# Inputs: the COMSOL table (data/reference/README.md)
# --------------------------------------------------------------------------------------------

def read_table(path: str, rows: list[int]) -> list[dict]:
    """Rows (0-based data rows) of the COMSOL table: inputs r, phi2, PL, Dr, cL (columns 1-5) and
    the reference Pe (column 8) and eta of domains 1-5 (columns 20-24). Lines starting with % are
    comments."""
    data = []
    with open(path) as fh:
        for line in fh:
            t = line.strip()
            if t and not t.startswith("%"):
                data.append(t)
    out = []
    for k in rows:
        if not 0 <= k < len(data):
            raise SystemExit(f"dns_peer: row {k} does not exist ({len(data)} data rows in {path})")
        v = [float(x) for x in data[k].split(",")]
        if len(v) < 24:
            raise SystemExit(f"dns_peer: row {k} has {len(v)} columns, expected 24")
        out.append({"row": k, "r": v[0], "phi2": v[1], "PL": v[2], "Dr": v[3], "cL": v[4],
                    "ref_peclet": v[7], "ref_eta": v[19:24]})
    return out


# --------------------------------------------------------------------------------------------
# Geometry
# --------------------------------------------------------------------------------------------

def tile_circles(r: float) -> np.ndarray:
    """Centres (m) of the circles of one tile and their periodic images in the 8 neighbouring
    tiles, shape (45, 2): every circle that can lie within one grid step of the tile."""
    base = np.array([[0.5, 0.5], [0, 0], [1, 0], [0, 1], [1, 1]]) * TILE
    # The unshifted tile first: `is_solid` uses only those five.
    shifts = np.array([[0, 0]] + [[a, b] for a in (-1, 0, 1) for b in (-1, 0, 1) if (a, b) != (0, 0)]) * TILE
    return (base[None, :, :] + shifts[:, None, :]).reshape(-1, 2)


def is_solid(x: np.ndarray, y: np.ndarray, centres: np.ndarray, r: float) -> np.ndarray:
    """True where (x, y) lies strictly inside a circle (points are taken modulo the tile)."""
    x = np.mod(x, TILE)
    y = np.mod(y, TILE)
    inside = np.zeros(np.shape(x), dtype=bool)
    for cx, cy in centres[:5]:          # the tile's own circles cover [0, TILE)^2
        inside |= (x - cx) ** 2 + (y - cy) ** 2 < r * r
    return inside


def wall_fraction(x: np.ndarray, y: np.ndarray, dx: float, dy: float, h: float,
                  centres: np.ndarray, r: float) -> np.ndarray:
    """theta = distance / h from fluid points (x, y) to the nearest circle along the unit grid
    direction (dx, dy), for points whose neighbour h away is solid: smallest root t in [0, h] of
    |P + t d - C|^2 = r^2 over all circles, floored at MIN_THETA (1 if none is found)."""
    px = np.mod(x, TILE)[:, None] - centres[None, :, 0]
    py = np.mod(y, TILE)[:, None] - centres[None, :, 1]
    b = dx * px + dy * py
    cc = px * px + py * py - r * r
    disc = b * b - cc
    with np.errstate(invalid="ignore"):
        t = -b - np.sqrt(disc)
    t = np.where((disc >= 0) & (t >= -1e-12 * h) & (t <= h * (1 + 1e-9)), t, np.inf)
    d = t.min(axis=1)
    theta = np.where(np.isfinite(d), d / h, 1.0)
    return np.maximum(theta, MIN_THETA)


def solid_fractions_tile(r: float, n: int) -> np.ndarray:
    """Solid fraction of each cell of one tile (shape (n, n), [j, i]) from 6 x 6 sub-samples.
    The row is five identical tiles, so this is tiled x5 for the transport grid."""
    h = TILE / n
    s = (np.arange(SUBSAMPLES) + 0.5) / SUBSAMPLES
    xs = (np.arange(n)[:, None] + s[None, :]).ravel() * h          # (n*S,)
    X, Y = np.meshgrid(xs, xs)                                     # [y-sample, x-sample]
    inside = is_solid(X, Y, tile_circles(r), r)
    return inside.reshape(n, SUBSAMPLES, n, SUBSAMPLES).mean(axis=(1, 3))


# --------------------------------------------------------------------------------------------
# Flow: MAC Stokes on the periodic tile
# --------------------------------------------------------------------------------------------

def solve_flow(r: float, pressure_drop: float, n: int, wall: str = "document"):
    """Periodic Stokes flow on one tile driven by G = PL / 15 um.

    Returns (u, v, superficial) with u[j, i] the x velocity at (i h, (j + 1/2) h) and v[j, i]
    the y velocity at ((i + 1/2) h, j h) (m/s), i, j = 0..n-1 (faces i = n and j = n repeat 0),
    and the superficial velocity flux(x = 0) / TILE (m/s)."""
    h = TILE / n
    centres = tile_circles(r)
    J, I = np.mgrid[0:n, 0:n]
    cells = n * n

    def flat(i, j):
        """Flat index j n + i of periodic grid positions (arrays)."""
        return (np.mod(j, n) * n + np.mod(i, n)).ravel()

    solid_u = is_solid(I * h, (J + 0.5) * h, centres, r).ravel()
    solid_v = is_solid((I + 0.5) * h, J * h, centres, r).ravel()
    if solid_u.all() or not solid_u.any():
        raise SolveError("the tile has no fluid u nodes or no walls")

    uid = np.full(cells, -1)
    uid[~solid_u] = np.arange((~solid_u).sum())
    nu = int((~solid_u).sum())
    vid = np.full(cells, -1)
    vid[~solid_v] = nu + np.arange((~solid_v).sum())
    nv = int((~solid_v).sum())
    pid = nu + nv + np.arange(cells)
    size = nu + nv + cells

    rows, cols, vals = [], [], []
    rhs = np.zeros(size)

    def add(rr, cc, vv):
        rows.append(np.asarray(rr).ravel())
        cols.append(np.asarray(cc).ravel())
        vals.append(np.broadcast_to(np.asarray(vv, dtype=float), np.shape(rr)).ravel())

    for comp, solid, ids in (("u", solid_u, uid), ("v", solid_v, vid)):
        fluid = ~solid
        k = np.arange(cells)[fluid]
        ii, jj = I.ravel()[fluid], J.ravel()[fluid]
        x = ii * h if comp == "u" else (ii + 0.5) * h
        y = (jj + 0.5) * h if comp == "u" else jj * h
        diag = np.zeros(k.size)
        # Two grid lines (x then y), each with its two arms.
        for (d1, d2) in (((1, 0), (-1, 0)), ((0, 1), (0, -1))):
            terms = []
            for (dx, dy) in (d1, d2):
                nb = flat(ii + dx, jj + dy)
                nb_solid = solid[nb]
                theta = np.ones(k.size)
                if nb_solid.any():
                    theta[nb_solid] = wall_fraction(x[nb_solid], y[nb_solid], dx, dy, h, centres, r)
                terms.append((nb, nb_solid, theta))
            scale = (2.0 / (terms[0][2] + terms[1][2])) if wall == "consistent" else np.ones(k.size)
            for nb, nb_solid, theta in terms:
                diag += scale / theta                       # u_P/theta (theta = 1 for a fluid nb)
                f = ~nb_solid
                add(ids[k[f]], ids[nb[f]], -scale[f])        # -u_nb for a fluid neighbour
        add(ids[k], ids[k], diag)
        back = flat(ii - 1, jj) if comp == "u" else flat(ii, jj - 1)
        add(ids[k], pid[k], 1.0)
        add(ids[k], pid[back], -1.0)
        if comp == "u":
            rhs[ids[k]] = 1.0

    # Continuity per cell: (u_E - u_P) + (v_N - v_P) = 0 over fluid faces.
    kk = np.arange(cells)
    east, north = flat(I.ravel() + 1, J.ravel()), flat(I.ravel(), J.ravel() + 1)
    faces = ((kk, -1.0, solid_u, uid), (east, 1.0, solid_u, uid), (kk, -1.0, solid_v, vid), (north, 1.0, solid_v, vid))
    all_solid = solid_u[kk] & solid_u[east] & solid_v[kk] & solid_v[north]
    pinned = all_solid.copy()
    pinned[np.flatnonzero(~all_solid)[0]] = True          # one pressure value pinned overall
    live = ~pinned
    for face, sign, solid, ids in faces:
        m = live & ~solid[face]
        add(pid[kk[m]], ids[face[m]], sign)
    add(pid[pinned], pid[pinned], 1.0)

    A = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size))
    try:
        x = spla.splu(A, permc_spec="COLAMD").solve(rhs)
    except RuntimeError as e:                               # SuperLU: "Factor is exactly singular"
        raise SolveError(f"flow LU failed: {e}") from e
    if not np.all(np.isfinite(x)):
        raise SolveError("flow solve gave non-finite values")
    scale = (pressure_drop / (TILES * TILE)) * h * h / MU   # u = u^ G h^2 / mu
    u = np.zeros(cells)
    v = np.zeros(cells)
    u[~solid_u] = x[:nu] * scale
    v[~solid_v] = x[nu:nu + nv] * scale
    u, v = u.reshape(n, n), v.reshape(n, n)
    return u, v, u[:, 0].sum() * h / TILE


# --------------------------------------------------------------------------------------------
# Transport on the row
# --------------------------------------------------------------------------------------------

def assemble_transport(f: np.ndarray, u: np.ndarray, v: np.ndarray, inlet_open: np.ndarray, h: float,
                       d_sigma: float, c_inlet: float, convection: str):
    """Linear part of the residual, R(c) = A c - b + h^2 f km c/(Ka + c), on an (ny, nx) grid.

    f: solid fractions (ny, nx); u: x-face velocities (ny, nx + 1); v: y-face velocities
    (ny + 1, nx) (the boundary rows of v are ignored: zero flux at y = 0 and y = H);
    inlet_open: (ny,) rows of x = 0 with c = cL."""
    ny, nx = f.shape
    D = 1.0 / ((1 - f) / D_BETA + f / d_sigma)
    idx = np.arange(nx * ny).reshape(ny, nx)
    rows, cols, vals = [], [], []
    b = np.zeros(nx * ny)

    def add(rr, cc, vv):
        rows.append(rr.ravel())
        cols.append(cc.ravel())
        vals.append(np.broadcast_to(vv, rr.shape).ravel())

    def faces(P, E, DP, DE, vel, far_up, far_down):
        """Interior faces between cells P (lower index) and E with velocity vel (P -> E > 0);
        far_up / far_down: the cell behind P (for vel > 0) / beyond E (vel < 0), -1 if none."""
        Df = 2 * DP * DE / (DP + DE)
        add(P, P, Df); add(P, E, -Df); add(E, E, Df); add(E, P, -Df)
        q = vel * h                                  # volume flux through the face (m^2/s)
        if convection == "central":
            weights = ((P, 0.5 * q), (E, 0.5 * q))
        else:
            pos = vel >= 0
            ok = np.where(pos, far_up >= 0, far_down >= 0)   # QUICK stencil available
            far = np.where(pos, far_up, far_down)
            weights = ((P, np.where(ok, np.where(pos, 0.75, 0.375), 0.5) * q),
                       (E, np.where(ok, np.where(pos, 0.375, 0.75), 0.5) * q),
                       (np.where(ok, far, P), np.where(ok, -0.125, 0.0) * q))
        for cell, w in weights:                      # flux q c_face leaves P and enters E
            add(P, cell, w)
            add(E, cell, -w)

    # x faces i = 1..nx-1 between (i-1, j) and (i, j)
    P, E = idx[:, :-1], idx[:, 1:]
    far_up = np.full(P.shape, -1); far_up[:, 1:] = idx[:, :-2]
    far_down = np.full(P.shape, -1); far_down[:, :-1] = idx[:, 2:]
    faces(P, E, D[:, :-1], D[:, 1:], u[:, 1:-1], far_up, far_down)
    # y faces j = 1..ny-1 between (i, j-1) and (i, j)
    P, E = idx[:-1, :], idx[1:, :]
    far_up = np.full(P.shape, -1); far_up[1:, :] = idx[:-2, :]
    far_down = np.full(P.shape, -1); far_down[:-1, :] = idx[2:, :]
    faces(P, E, D[:-1, :], D[1:, :], v[1:-1, :], far_up, far_down)

    # Inlet x = 0: convective inflow u cL (outflow u c_P if u < 0); c = cL on the open rows.
    first = idx[:, 0]
    q0 = u[:, 0] * h
    b[first] += np.where(q0 > 0, q0 * c_inlet, 0.0)
    add(first, first, np.where(q0 > 0, 0.0, -q0))
    d_in = np.where(inlet_open, 2 * D[:, 0], 0.0)
    add(first, first, d_in)
    b[first] += d_in * c_inlet
    # Outlet x = L: convective outflow u c_P, no diffusive flux.
    last = idx[:, -1]
    add(last, last, u[:, -1] * h)
    A = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(nx * ny, nx * ny))
    return A, b


def newton(A: sp.csr_matrix, b: np.ndarray, area: np.ndarray, km: float, c_inlet: float):
    """Newton on R(c) = A c - b + area km c/(Ka + c) = 0 from c = cL, iterates clipped at c >= 0,
    one SuperLU factorisation of J = A + diag(area km Ka/(Ka + c)^2) per iteration; stops when
    the applied update max|dc| / cL < NEWTON_TOLERANCE. Returns (c, iterations)."""
    c = np.full(b.size, c_inlet)
    for it in range(1, MAX_NEWTON + 1):
        s = KA + c
        r = A @ c - b + area * km * c / s
        J = (A + sp.diags(area * km * KA / (s * s))).tocsc()
        try:
            dc = spla.splu(J, permc_spec="COLAMD").solve(-r)
        except RuntimeError as e:
            raise SolveError(f"transport LU failed at Newton iteration {it}: {e}") from e
        nxt = np.maximum(c + dc, 0.0)
        if not np.all(np.isfinite(nxt)):
            raise SolveError(f"non-finite concentration at Newton iteration {it}")
        change = np.abs(nxt - c).max() / c_inlet
        c = nxt
        if change < NEWTON_TOLERANCE:
            return c, it
    raise SolveError(f"Newton did not converge in {MAX_NEWTON} iterations (last update {change:.2e} cL)")


def domain_averages(c: np.ndarray, f: np.ndarray, km: float, n: int):
    """<c>^beta and eta of each of the five tiles (columns t n .. (t+1) n - 1)."""
    conc, eta = [], []
    for t in range(TILES):
        ct, ft = c[:, t * n:(t + 1) * n], f[:, t * n:(t + 1) * n]
        cb = ((1 - ft) * ct).sum() / (1 - ft).sum()
        mean_uptake = (ft * km * ct / (KA + ct)).sum() / ft.sum()
        ref = km * cb / (KA + cb)
        conc.append(float(cb))
        eta.append(float(mean_uptake / ref) if ref > 0 else float("nan"))
    return conc, eta


# --------------------------------------------------------------------------------------------
# One realisation
# --------------------------------------------------------------------------------------------

def realisation(row: dict, n: int, convection: str, wall: str) -> dict:
    """Flow, transport and averages of one table row; times the flow and transport parts."""
    r, phi2, PL, Dr, cL = row["r"], row["phi2"], row["PL"], row["Dr"], row["cL"]
    h = TILE / n
    t0 = time.perf_counter()
    u_tile, v_tile, superficial = solve_flow(r, PL, n, wall)
    t1 = time.perf_counter()
    porosity = 1 - math.pi * r * r / (TILE * TILE / 2)
    peclet = r * superficial / porosity / D_BETA
    km = phi2 * KA * D_BETA / (r * r)
    f = np.tile(solid_fractions_tile(r, n), (1, TILES))                  # (n, 5n)
    u = np.concatenate([np.tile(u_tile, (1, TILES)), u_tile[:, :1]], axis=1)   # (n, 5n + 1)
    v = np.tile(np.concatenate([v_tile, v_tile[:1]], axis=0), (1, TILES))     # (n + 1, 5n)
    inlet_open = ~is_solid(np.zeros(n), (np.arange(n) + 0.5) * h, tile_circles(r), r)
    A, b = assemble_transport(f, u, v, inlet_open, h, Dr * D_BETA, cL, convection)
    c, iterations = newton(A, b, (f * h * h).ravel(), km, cL)
    conc, eta = domain_averages(c.reshape(f.shape), f, km, n)
    t2 = time.perf_counter()
    return {"row": row["row"], "ok": True, "total_seconds": t2 - t0, "flow_seconds": t1 - t0,
            "transport_seconds": t2 - t1, "newton_iterations": iterations, "peclet": peclet,
            "eta": eta, "concentration": conc}


def cells_per_tile(row: dict, resolution: str) -> int:
    """A fixed N, or "auto": the rule of `tissue dns unitcell`'s default grid (UnitCellResolution,
    base 60): 240 if the reaction layer r*sqrt(Dr/phi2) < 0.6 h(60); else 120 if it is < 2.1 h(60)
    or the narrowest gap 3 um/sqrt(2) - 2r < 5 h(60); else 60."""
    if resolution != "auto":
        return int(resolution)
    h = TILE / 60
    delta = row["r"] * math.sqrt(row["Dr"] / row["phi2"]) if row["phi2"] > 0 else math.inf
    gap = TILE / math.sqrt(2) - 2 * row["r"]
    if delta < 0.6 * h:
        return 240
    if delta < 2.1 * h or gap < 5 * h:
        return 120
    return 60


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--inputs", required=True, help="COMSOL table (Comsol_output_...csv)")
    ap.add_argument("--rows", required=True, help="comma-separated 0-based data rows")
    ap.add_argument("--cells-per-tile", default="60", help="N, or auto (per row, as tissue dns unitcell)")
    ap.add_argument("--convection", choices=["quick", "central"], default="quick")
    ap.add_argument("--wall", choices=["document", "consistent"], default="document")
    a = ap.parse_args()
    rows = read_table(a.inputs, [int(k) for k in a.rows.split(",")])
    out, failed = [], 0
    for row in rows:
        try:
            n = cells_per_tile(row, a.cells_per_tile)
            out.append({**realisation(row, n, a.convection, a.wall), "cells_per_tile": n})
        except (SolveError, MemoryError, ValueError) as e:
            failed += 1
            out.append({"row": row["row"], "ok": False, "error": str(e)})
    print(json.dumps({"solver": "peer", "peer": "SciPy/SuperLU prototype", "cells_per_tile": a.cells_per_tile,
                      "convection": a.convection, "wall": a.wall, "failed": failed,
                      "numpy": np.__version__, "scipy": scipy.__version__,
                      "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "rows": out}))


if __name__ == "__main__":
    main()
