#!/usr/bin/env bash
# Tissue-strip DNS speed (issue 6 bars: brain h = 0.02 um <= 5 s, liver h = 0.35 um <= 20 s,
# each <= 4 GB): the whole strip DNS, geometry + Stokes flow + Michaelis-Menten transport
# (`tissue-bench strip`, i.e. TissueDNSRun.run as `tissue dns tissue` runs it), and, side by side
# on the step that dominates it, one sparse LU of the strip's Newton matrix by our solver
# (UMFPACK via Numerics.SparseLU) against the named peer SciPy SuperLU (scipy.sparse.linalg.splu,
# COLAMD; bench/strip_peer.py), on the same matrix, same machine, same run, single-threaded.
#
#   bench/strip.sh                      # brain and liver, 3 rounds
#   ROUNDS=1 TISSUES=brain bench/strip.sh
#
# Environment: ROUNDS (3), TISSUES ("brain liver"), PYTHON (python3, only to create bench/.venv),
# SCRATCH (.build), BUILD_JOBS. Exits non-zero if a run fails or a solve's answer is off (the
# check: balance <= 1e-10, both LUs' max |x - 1| <= 1e-6); the timing is reported, not checked.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROUNDS=${ROUNDS:-3}
TISSUES=${TISSUES:-brain liver}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

source bench/common.sh
peer_venv numpy scipy
build_bench

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for tissue in $TISSUES; do
    case $tissue in
        brain) set -- examples/validate-brain.toml --set 'dns.grid_spacing=0.02 um' ;;
        liver) set -- examples/validate-liver.toml --set 'dns.grid_spacing=0.35 um' ;;
        *) echo "bench/strip.sh: unknown tissue '$tissue' (brain or liver)" >&2; exit 2 ;;
    esac
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "== $tissue: round $round/$ROUNDS" >&2
        matrix=""
        [ "$round" = 1 ] && matrix="--matrix $WORK/$tissue"
        "$BIN" strip "$@" $matrix > "$WORK/swift_${tissue}_$round.json"
    done
    echo "== $tissue: SciPy SuperLU on the same matrix ($ROUNDS repeats)" >&2
    "$PY" bench/strip_peer.py "$WORK/$tissue" --repeats "$ROUNDS" > "$WORK/peer_$tissue.json"
    rm -f "$WORK/$tissue".*.i64 "$WORK/$tissue".*.f64
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

"$PY" - "$WORK" "$ROUNDS" "$LOAD_BEFORE" "$LOAD_AFTER" $TISSUES <<'PYEOF'
import json, os, statistics, sys
work, rounds, before, after = sys.argv[1:5]
tissues = sys.argv[5:]
rounds = int(rounds)
BARS = {"brain": 5.0, "liver": 20.0}   # issue 6: seconds, flow + transport; and <= 4 GB
bad = []
print(f"tissue-strip DNS, {rounds} rounds, single-threaded, {os.cpu_count()} cores, "
      f"load average {before} (before) / {after} (after)")
print(f"{'tissue':<6} {'grid':>11} {'DNS median':>10} {'best':>7} {'flow':>6} {'transport':>9} {'Newton':>6} "
      f"{'RSS GB':>6} {'bar':>5} | {'LU: ours':>8} {'SuperLU':>8} {'ratio':>6} {'peer GB':>7}")
for t in tissues:
    runs = [json.load(open(f"{work}/swift_{t}_{k}.json")) for k in range(1, rounds + 1)]
    peer = json.load(open(f"{work}/peer_{t}.json"))
    total = sorted(r["run_seconds"] for r in runs)
    med = statistics.median(total)
    r0 = min(runs, key=lambda r: r["run_seconds"])
    rss = max(r["peak_rss_kib"] for r in runs) / 2**20
    ours = min(r["lu_factor_seconds"] + r["lu_solve_seconds"] for r in runs)
    theirs = peer["lu_factor_seconds"] + peer["lu_solve_seconds"]
    met = "met" if med <= BARS[t] and rss <= 4 else "MISS"
    print(f"{t:<6} {r0['nx']:>5} x {r0['ny']:<4}{med:>9.2f}s {total[0]:>6.2f}s {statistics.median(r['flow_seconds'] for r in runs):>5.2f}s "
          f"{statistics.median(r['transport_seconds'] for r in runs):>8.2f}s {r0['newton_iterations']:>6} {rss:>6.2f} {met:>5} | "
          f"{ours:>7.2f}s {theirs:>7.2f}s {theirs / ours:>5.1f}x {peer['peak_rss_kib'] / 2**20:>7.2f}")
    for r in runs:
        if not r["relative_imbalance"] <= 1e-10: bad.append(f"{t}: global balance {r['relative_imbalance']:.2e}")
        if not r["lu_max_error"] <= 1e-6: bad.append(f"{t}: our LU's max |x - 1| = {r['lu_max_error']:.2e}")
    if not peer["lu_max_error"] <= 1e-6: bad.append(f"{t}: SuperLU's max |x - 1| = {peer['lu_max_error']:.2e}")
print(f"(DNS: geometry + flow + transport, the computation of `tissue dns tissue` without the HDF5 write; "
      f"LU: symbolic + numeric factorisation + one solve of the first Newton matrix on the whole grid, "
      f"SciPy {peer['scipy']}; ratio = SuperLU / ours)")
if bad:
    print("FAIL: " + "; ".join(bad)); sys.exit(1)
PYEOF
