#!/usr/bin/env bash
# Unit-cell DNS per realisation, flow included: Swift (`tissue-bench unitcell`, i.e. UnitCellDNS)
# against the named peer "SciPy/SuperLU prototype" (bench/dns_peer.py, an independent NumPy/SciPy
# prototype of the calibrated unit-cell set-up, docs/unitcell-dns.md), on the 13 calibration rows of the
# COMSOL table, single-threaded, same machine, same run (see bench/README.md).
#
#   bench/dns.sh                        # N = 60 cells per 3 um tile, 3 rounds
#   RESOLUTIONS="60 120" bench/dns.sh   # also N = 120 (the peer takes ~1 min per round there)
#   RESOLUTIONS=auto ROUNDS=1 bench/dns.sh   # tissue dns unitcell's default grid, chosen per row (both sides)
#   ROUNDS=5 ROWS=4039,1807 bench/dns.sh
#   FAMILIES="hexagonal:4242 voronoi:7001" SAMPLES=60 bench/dns.sh
#       # unit-cell families instead: per sampled realisation, the auto grid's cost (flow included, one
#       # core) and η against the grid twice as fine (`tissue-bench families`); no peer
#
# Environment: RESOLUTIONS ("60"), ROUNDS (3: one Swift and one peer process per round, each
# solving every row once, the order flipping every round so drifting load hits both alike),
# ROWS (the 13 calibration rows), INPUTS (data/reference/Comsol_output_...csv),
# CONVECTION (quick; or central) and PEER_WALL (document; or consistent) for the peer,
# PYTHON (python3, only to create bench/.venv), SCRATCH (.build: swift build --scratch-path),
# BUILD_JOBS (swift build -j; default: all cores); FAMILIES ("family:seed …") and SAMPLES (60) for
# the families mode, which writes bench/results/families-FAMILY-SEED.json.
# Exits non-zero if a process or a solve fails (or gives a non-finite eta); the timing and the eta
# agreement are reported, not checked.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
RESOLUTIONS=${RESOLUTIONS:-60}
ROUNDS=${ROUNDS:-3}
ROWS=${ROWS:-4039,4017,6342,7810,288,980,6742,7784,1807,2669,7061,3583,2591}
INPUTS=${INPUTS:-data/reference/Comsol_output_Pe_u_Brinkman__Phi2_III__R8192_1.csv}
CONVECTION=${CONVECTION:-quick}
PEER_WALL=${PEER_WALL:-document}

if [ -n "${FAMILIES:-}" ]; then   # the unit-cell families bench: no table, no peer
    source bench/common.sh
    build_bench
    mkdir -p bench/results
    for spec in $FAMILIES; do
        family=${spec%%:*}; seed=${spec#*:}
        echo "== $family, seed $seed: ${SAMPLES:-60} realisations, auto grid and 2x" >&2
        "$BIN" families --geometry "$family" --samples "${SAMPLES:-60}" --seed "$seed" > "bench/results/families-$family-$seed.json"
        "${PYTHON:-python3}" - "bench/results/families-$family-$seed.json" <<'PYEOF'
import json, statistics, sys
d = json.load(open(sys.argv[1]))
rows = [r for r in d["rows"] if "error" not in r]
s = sorted(r["seconds"] for r in rows)
e = [100 * r["eta_max_rel_diff"] for r in rows]
print(f"{d['geometry']} seed {d['seed']}: {len(rows)} realisations ({len(d['rows']) - len(rows)} failed), "
      f"eta within 1 % of 2x: {sum(x <= 1 for x in e)}, largest {max(e):.2f} %; seconds median {statistics.median(s):.2f} "
      f"mean {statistics.mean(s):.2f} p90 {s[int(0.9 * (len(s) - 1))]:.2f} (auto grid, flow included)")
PYEOF
    done
    exit 0
fi

if [ ! -f "$INPUTS" ]; then
    echo "bench/dns.sh: the COMSOL table $INPUTS is missing (set INPUTS)" >&2
    exit 2
fi
# Single-threaded on both sides (the Swift binary also sets OpenBLAS to 1 thread itself).
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 VECLIB_MAXIMUM_THREADS=1 NUMEXPR_NUM_THREADS=1

source bench/common.sh
peer_venv numpy scipy
build_bench


# 3. Both solvers, same rows, alternating processes.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
FAILED=""
run_swift() {  # N round
    "$BIN" unitcell --inputs "$INPUTS" --rows "$ROWS" --cells-per-tile "$1" > "$WORK/swift_$1_$2.json" \
        || FAILED="$FAILED swift(N=$1, round $2, exit $?)"
}
run_peer() {   # N round
    "$PY" bench/dns_peer.py --inputs "$INPUTS" --rows "$ROWS" --cells-per-tile "$1" \
        --convection "$CONVECTION" --wall "$PEER_WALL" > "$WORK/peer_$1_$2.json" \
        || FAILED="$FAILED peer(N=$1, round $2, exit $?)"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for n in $RESOLUTIONS; do
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "== N = $n: round $round/$ROUNDS, swift and peer, $(echo "$ROWS" | tr ',' '\n' | wc -l) realisations each" >&2
        if ((round % 2)); then run_swift "$n" "$round"; run_peer "$n" "$round"
        else run_peer "$n" "$round"; run_swift "$n" "$round"; fi
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -n "$FAILED" ]; then
    echo "FAIL: process(es) exited non-zero:$FAILED" >&2
    exit 1
fi

# 4. Table, eta agreement and failure check.
"$PY" - "$WORK" "$INPUTS" "$ROUNDS" "$LOAD_BEFORE" "$LOAD_AFTER" $RESOLUTIONS <<'EOF'
import json, math, os, statistics, sys
import numpy as np

work, inputs, rounds, load_before, load_after = sys.argv[1:6]
resolutions = sys.argv[6:]   # N or auto
rounds = int(rounds)
BAR = 0.5   # issue 5: seconds per realisation per core, flow included

lines = [l for l in open(inputs) if l.strip() and not l.startswith("%")]
def reference_eta(row):
    return [float(x) for x in lines[row].split(",")[20:24]]   # eta of domains 2-5

bad = []
print(f"unit-cell DNS per realisation (flow + transport + averages), {rounds} rounds, single-threaded, "
      f"{os.cpu_count()} cores, load average {load_before} (before) / {load_after} (after)")
first = json.load(open(f"{work}/peer_{resolutions[0]}_1.json"))
print(f"peer: {first['peer']} (bench/dns_peer.py, {first['convection']} convection, {first['wall']} wall, "
      f"NumPy {first['numpy']}, SciPy {first['scipy']}); swift: tissue-bench unitcell (UnitCellDNS)")
hdr = (f"{'N':>4} {'side':<6} {'median':>8} {'best':>8} {'max':>8} {'mean':>8} {'flow med':>9} "
       f"{'peer/swift':>10} {'peak RSS':>9} {'|deta|/eta vs COMSOL med / p95 / max':>38}")
for n in resolutions:
    runs = {side: [json.load(open(f"{work}/{side}_{n}_{r}.json")) for r in range(1, rounds + 1)]
            for side in ("swift", "peer")}
    stats, etas, notes = {}, {}, []
    for side, rs in runs.items():
        for r in rs:
            for e in r["rows"]:
                if not e["ok"]:
                    bad.append(f"{side} N={n} row {e['row']}: {e['error']}")
                elif not all(math.isfinite(x) for x in e["eta"]):
                    bad.append(f"{side} N={n} row {e['row']}: non-finite eta {e['eta']}")
        if any(not e["ok"] for r in rs for e in r["rows"]):
            continue
        order = [e["row"] for e in rs[0]["rows"]]
        total = {row: [e["total_seconds"] for r in rs for e in r["rows"] if e["row"] == row] for row in order}
        flow = {row: [e["flow_seconds"] for r in rs for e in r["rows"] if e["row"] == row] for row in order}
        samples = [t for ts in total.values() for t in ts]
        per_row = {row: statistics.median(ts) for row, ts in total.items()}
        stats[side] = dict(median=statistics.median(per_row.values()), best=min(samples), max=max(samples),
                           mean=statistics.mean(samples),
                           flow=statistics.median(statistics.median(f) for f in flow.values()),
                           rss=max(r["peak_rss_kib"] for r in rs) / 1024, per_row=per_row,
                           rounds=[statistics.median(e["total_seconds"] for e in r["rows"]) for r in rs])
        etas[side] = {e["row"]: e["eta"][1:5] for e in rs[0]["rows"]}
        for r in rs[1:]:   # both solvers are deterministic: every round must give the same eta
            for e in r["rows"]:
                if max(abs(a - b) for a, b in zip(e["eta"][1:5], etas[side][e["row"]])) > 1e-9:
                    notes.append(f"note: {side} eta of row {e['row']} differs between rounds")
    if len(stats) < 2:
        continue
    print()
    print(hdr)
    print("-" * len(hdr))
    vs_ref = {}
    for side in ("swift", "peer"):
        s = stats[side]
        err = np.array([abs(a - b) / b for row, eta in etas[side].items() for a, b in zip(eta, reference_eta(row))])
        vs_ref[side] = err
        ratio = f"{stats['peer']['median'] / stats['swift']['median']:>10.2f}" if side == "peer" else f"{'':>10}"
        print(f"{n:>4} {side:<6} {s['median']:>7.3f}s {s['best']:>7.3f}s {s['max']:>7.3f}s {s['mean']:>7.3f}s "
              f"{s['flow']:>8.3f}s {ratio} {s['rss']:>6.0f}MiB "
              f"{np.median(err) * 100:>10.2f}% / {np.quantile(err, 0.95) * 100:>5.2f}% / {err.max() * 100:>5.2f}%")
    rows = list(etas["swift"])
    pair = np.array([abs(a - b) / b for row in rows for a, b in zip(etas["swift"][row], etas["peer"][row])])
    print(f"N = {n}: eta agreement swift vs peer (domains 2-5, {pair.size} values): median |eta_s - eta_p|/eta_p "
          f"{np.median(pair) * 100:.3f} %, max {pair.max() * 100:.3f} % "
          f"(row {rows[int(pair.argmax()) // 4]}, domain {int(pair.argmax()) % 4 + 2})")
    grids = {e["row"]: e["cells_per_tile"] for e in runs["swift"][0]["rows"]}
    if any(grids[row] != e["cells_per_tile"] for e in runs["peer"][0]["rows"] for row in [e["row"]]):
        bad.append(f"N={n}: swift and peer chose different grids")
    print(f"N = {n}: grids per row " + ", ".join(f"{row}: {g}" for row, g in grids.items()))
    print(f"N = {n}: peer/swift on means {stats['peer']['mean'] / stats['swift']['mean']:.2f}; "
          f"swift per-realisation bar {BAR} s: median {'met' if stats['swift']['median'] <= BAR else 'NOT met'}, "
          f"max {'met' if stats['swift']['max'] <= BAR else 'NOT met'}")
    for side in ("swift", "peer"):
        print(f"N = {n}: {side} per-round medians (s): " + " ".join(f"{t:.3f}" for t in stats[side]["rounds"]))
    print(f"N = {n}: per row, median seconds swift / peer, max |deta|/eta vs COMSOL swift / peer:")
    for row in rows:
        es = max(abs(a - b) / b for a, b in zip(etas["swift"][row], reference_eta(row)))
        ep = max(abs(a - b) / b for a, b in zip(etas["peer"][row], reference_eta(row)))
        print(f"    row {row:>5}: {stats['swift']['per_row'][row]:.3f} / {stats['peer']['per_row'][row]:.3f} s, "
              f"{es * 100:.2f} % / {ep * 100:.2f} %")
    for note in notes:
        print(note)
print()
print("median: median over rows of each row's median over rounds; best / max: fastest / slowest single "
      "realisation over all rows and rounds; mean: all realisations; peer/swift > 1: Swift faster")
if bad:
    print("FAIL: " + "; ".join(bad))
    sys.exit(1)
print("OK: every realisation solved on both sides")
EOF
