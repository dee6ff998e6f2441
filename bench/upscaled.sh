#!/usr/bin/env bash
# Steady upscaled solve with the reference-size MLP closure: Swift (tissue-bench) against its
# named peer, a careful NumPy/SciPy rewrite (bench/upscaled_peer.py). See bench/README.md.
#
#   bench/upscaled.sh                  # brain and liver, 3 rounds x 7 repeats, 1000 cells
#   REPEATS=15 ROUNDS=5 TISSUES=liver bench/upscaled.sh
#
# Environment: REPEATS (7 solves per process), ROUNDS (3: Swift and peer processes alternate,
# the order flipping every round, so drifting machine load hits both alike), TISSUES
# ("brain liver"), CELLS (1000), PICARD_CONTRACTION (0.1; a tiny value such as 1e-4 forces the
# Newton phase with eta sensitivities), PYTHON (python3, only to create bench/.venv),
# TOLERANCE (1e-4: max |c_swift - c_peer| / cL before failing).
# Exits non-zero if a solver fails or the two final profiles differ by more than TOLERANCE.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPEATS=${REPEATS:-7}
ROUNDS=${ROUNDS:-3}
TISSUES=${TISSUES:-"brain liver"}
CELLS=${CELLS:-1000}
TOLERANCE=${TOLERANCE:-1e-4}
PICARD_CONTRACTION=${PICARD_CONTRACTION:-0.1}
VENV=bench/.venv
PY=$VENV/bin/python

# 1. Python peer environment (local venv only; nothing installed globally).
if ! { [ -x "$PY" ] && "$PY" -c 'import numpy, scipy, h5py' 2>/dev/null; }; then
    echo "== creating $VENV (numpy, scipy, h5py)" >&2
    [ -x "$PY" ] || "${PYTHON:-python3}" -m venv "$VENV"
    "$PY" -m pip install --quiet --disable-pip-version-check numpy scipy h5py
fi

# 2. Swift benchmark executable.
echo "== swift build -c release --product tissue-bench" >&2
swift build -c release --product tissue-bench >&2
BIN=$(swift build -c release --show-bin-path)/tissue-bench

# 3. Seeded random model of the reference size.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
"$BIN" write-model "$WORK/model.h5" >&2

# 4. Both solvers, same model, same machine, same run, alternating processes.
run_swift() {  # tissue round
    "$BIN" steady --model "$WORK/model.h5" --tissue "$1" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/swift_$1.csv" > "$WORK/swift_$1_$2.json"
}
run_peer() {   # tissue round
    "$PY" bench/upscaled_peer.py --model "$WORK/model.h5" --tissue "$1" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/peer_$1.csv" > "$WORK/peer_$1_$2.json"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for t in $TISSUES; do
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "== $t: round $round/$ROUNDS, swift and peer, $REPEATS repeats each" >&2
        if ((round % 2)); then run_swift "$t" "$round"; run_peer "$t" "$round"
        else run_peer "$t" "$round"; run_swift "$t" "$round"; fi
    done
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# 5. Table and profile check.
"$PY" - "$WORK" "$TOLERANCE" "$REPEATS" "$ROUNDS" "$CELLS" "$LOAD_BEFORE" "$LOAD_AFTER" "$PICARD_CONTRACTION" \
    $TISSUES <<'EOF'
import json, os, statistics, sys
import numpy as np
work, tol, repeats, rounds, cells, load_before, load_after, contraction = sys.argv[1:9]
tissues = sys.argv[9:]
tol, rounds = float(tol), int(rounds)
cL = 2.0

def load(side, t):
    runs = [json.load(open(f"{work}/{side}_{t}_{r}.json")) for r in range(1, rounds + 1)]
    # best: over every solve; median: median of the per-process medians.
    return runs[-1], min(r["best_seconds"] for r in runs), statistics.median(r["median_seconds"] for r in runs)

print(f"steady upscaled solve, {cells} cells, MLP 6-1024-512-256-64-16-1 float32 (seeded random weights), "
      f"{rounds} rounds x {repeats} repeats, Picard contraction {contraction}")
print(f"{os.cpu_count()} cores, load average {load_before} (before) / {load_after} (after)")
hdr = (f"{'tissue':<7} {'swift best':>11} {'swift med':>10} {'peer best':>10} {'peer med':>9} "
       f"{'peer/swift':>10} {'calls s/p':>9} {'max|dc|':>9} {'max|dc|/cL':>10}")
print(hdr)
print("-" * len(hdr))
bad, notes = [], []
for t in tissues:
    s, s_best, s_med = load("swift", t)
    p, p_best, p_med = load("peer", t)
    a = np.loadtxt(f"{work}/swift_{t}.csv", delimiter=",", ndmin=2)
    b = np.loadtxt(f"{work}/peer_{t}.csv", delimiter=",", ndmin=2)
    if a.shape != b.shape or np.abs(a[:, 0] - b[:, 0]).max() > 1e-12 * a[:, 0].max():
        print(f"{t}: the two profiles are not on the same grid ({a.shape} vs {b.shape})")
        bad.append(t)
        continue
    d = float(np.abs(a[:, 1] - b[:, 1]).max())
    print(f"{t:<7} {s_best * 1e3:>9.1f}ms {s_med * 1e3:>8.1f}ms {p_best * 1e3:>8.1f}ms {p_med * 1e3:>7.1f}ms "
          f"{p_med / s_med:>10.2f} {s['closure_calls']:>4}/{p['closure_calls']:<4} {d:>9.2e} {d / cL:>10.2e}")
    if not d / cL <= tol:
        bad.append(t)
    notes.append(f"{t}: swift {s['kinds']} final {s['final_residual']:.2e} ({s['stop']}); "
                 f"peer {p['kinds']} final {p['final_residual']:.2e} ({p['stop']})")
    per_round = lambda side: " ".join(f"{json.load(open(f'{work}/{side}_{t}_{r}.json'))['median_seconds'] * 1e3:.1f}"
                                      for r in range(1, rounds + 1))
    notes.append(f"{t}: per-round medians (ms): swift {per_round('swift')}; peer {per_round('peer')}")
print("\n".join(notes))
print(f"peer: {json.load(open(f'{work}/peer_{tissues[0]}_1.json'))['peer']}; "
      f"peer/swift > 1 means the Swift solver is faster")
if bad:
    print(f"FAIL: profiles differ by more than {tol:g} x cL (or not comparable) for {', '.join(bad)}")
    sys.exit(1)
print(f"OK: profiles agree within {tol:g} x cL")
EOF
