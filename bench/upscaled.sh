#!/usr/bin/env bash
# Steady upscaled solve with the reference-size MLP closure: Swift (tissue-bench) against two
# NumPy peers in bench/upscaled_peer.py (see bench/README.md):
#   * the same-algorithm peer, a careful NumPy/SciPy rewrite (Picard then Newton, banded solves);
#   * the reference study's scheme (--scheme reference): Jacobi relaxation, network every
#     10 sweeps, up to 20 000 sweeps.
#
#   bench/upscaled.sh                  # brain and liver, reference-size and compact networks,
#                                      # 3 rounds x 7 repeats, 1000 cells, then 1 reference-scheme
#                                      # solve per tissue (reference-size network)
#   REPEATS=15 ROUNDS=5 TISSUES=liver REFERENCE=0 bench/upscaled.sh
#
# Environment: NETWORKS ("reference compact": seeded random networks of the reference size
# 6-1024-512-256-64-16-1 and of the compact default 6-128-64-32-1, both sides running the same one),
# REPEATS (7 solves per process), ROUNDS (3: Swift and peer processes alternate,
# the order flipping every round, so drifting machine load hits both alike), TISSUES
# ("brain liver"), CELLS (1000), PICARD_CONTRACTION (0.1; a tiny value such as 1e-4 forces the
# Newton phase with eta sensitivities), PYTHON (python3, only to create bench/.venv),
# TOLERANCE (1e-4: max |c_swift - c_peer| / cL before failing), REFERENCE (1; 0 skips the
# reference-scheme peer), REFERENCE_REPEATS (1 solve; each takes seconds to tens of seconds),
# JACOBI_TOLERANCE (1e-8: its stop on max |change over a sweep| / cL), MAX_SWEEPS (20000).
# Exits non-zero if a solver fails or the Swift and same-algorithm profiles differ by more than
# TOLERANCE. The reference scheme's max |dc| is reported only (it stops on its own criterion).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPEATS=${REPEATS:-7}
ROUNDS=${ROUNDS:-3}
TISSUES=${TISSUES:-"brain liver"}
NETWORKS=${NETWORKS:-"reference compact"}
CELLS=${CELLS:-1000}
TOLERANCE=${TOLERANCE:-1e-4}
PICARD_CONTRACTION=${PICARD_CONTRACTION:-0.1}
REFERENCE=${REFERENCE:-1}
REFERENCE_REPEATS=${REFERENCE_REPEATS:-1}
JACOBI_TOLERANCE=${JACOBI_TOLERANCE:-1e-8}
MAX_SWEEPS=${MAX_SWEEPS:-20000}
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

# 3. Seeded random models: the reference size and the compact default.
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
hidden_of() { case "$1" in reference) echo 1024,512,256,64,16 ;; compact) echo 128,64,32 ;; *) echo "unknown network $1" >&2; exit 2 ;; esac; }
for net in $NETWORKS; do "$BIN" write-model "$WORK/model_$net.h5" --hidden "$(hidden_of "$net")" >&2; done

# 4. Both solvers, same model, same machine, same run, alternating processes.
# A case is TISSUE@NETWORK.
run_swift() {  # case round
    "$BIN" steady --model "$WORK/model_${1#*@}.h5" --tissue "${1%@*}" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/swift_$1.csv" > "$WORK/swift_$1_$2.json"
}
run_peer() {   # case round
    "$PY" bench/upscaled_peer.py --model "$WORK/model_${1#*@}.h5" --tissue "${1%@*}" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/peer_$1.csv" > "$WORK/peer_$1_$2.json"
}
run_reference() {  # case
    "$PY" bench/upscaled_peer.py --scheme reference --model "$WORK/model_${1#*@}.h5" --tissue "${1%@*}" --cells "$CELLS" \
        --repeats "$REFERENCE_REPEATS" --jacobi-tolerance "$JACOBI_TOLERANCE" --max-sweeps "$MAX_SWEEPS" \
        --profile "$WORK/ref_$1.csv" > "$WORK/ref_$1.json"
}
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CASES=""
for tissue in $TISSUES; do for net in $NETWORKS; do CASES="$CASES $tissue@$net"; done; done
for t in $CASES; do
    for ((round = 1; round <= ROUNDS; round++)); do
        echo "== $t: round $round/$ROUNDS, swift and peer, $REPEATS repeats each" >&2
        if ((round % 2)); then run_swift "$t" "$round"; run_peer "$t" "$round"
        else run_peer "$t" "$round"; run_swift "$t" "$round"; fi
    done
    if [ "$REFERENCE" != 0 ] && [ "${t#*@}" = reference ]; then
        echo "== $t: reference scheme (Jacobi, network every 10 sweeps), $REFERENCE_REPEATS solve(s)" >&2
        run_reference "$t"
    fi
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# 5. Table and profile check.
"$PY" - "$WORK" "$TOLERANCE" "$REPEATS" "$ROUNDS" "$CELLS" "$LOAD_BEFORE" "$LOAD_AFTER" "$PICARD_CONTRACTION" \
    "$REFERENCE" "$REFERENCE_REPEATS" $CASES <<'EOF'
import json, os, statistics, sys
import numpy as np
work, tol, repeats, rounds, cells, load_before, load_after, contraction, reference, ref_repeats = sys.argv[1:11]
tissues = sys.argv[11:]
tol, rounds, reference = float(tol), int(rounds), reference != "0"
cL = 2.0

def profile_difference(t, other):
    """max |c_swift - c_other|, or None if the two profiles are not on the same grid."""
    a = np.loadtxt(f"{work}/swift_{t}.csv", delimiter=",", ndmin=2)
    b = np.loadtxt(f"{work}/{other}_{t}.csv", delimiter=",", ndmin=2)
    if a.shape != b.shape or np.abs(a[:, 0] - b[:, 0]).max() > 1e-12 * a[:, 0].max():
        print(f"{t}: the swift and {other} profiles are not on the same grid ({a.shape} vs {b.shape})")
        return None
    return float(np.abs(a[:, 1] - b[:, 1]).max())

def load(side, t):
    runs = [json.load(open(f"{work}/{side}_{t}_{r}.json")) for r in range(1, rounds + 1)]
    # best: over every solve; median: median of the per-process medians.
    return runs[-1], min(r["best_seconds"] for r in runs), statistics.median(r["median_seconds"] for r in runs)

print(f"steady upscaled solve, {cells} cells, MLP float32 (seeded random weights): reference 6-1024-512-256-64-16-1, "
      f"compact 6-128-64-32-1; "
      f"{rounds} rounds x {repeats} repeats, Picard contraction {contraction}")
print(f"{os.cpu_count()} cores, load average {load_before} (before) / {load_after} (after)")
if reference:
    print(f"reference scheme: Jacobi sweeps, network every 10 sweeps, {ref_repeats} solve(s) per tissue")
hdr = (f"{'case':<17} {'swift best':>11} {'swift med':>10} {'peer best':>10} {'peer med':>9} "
       f"{'peer/swift':>10} {'calls s/p':>9} {'max|dc|':>9} {'max|dc|/cL':>10}")
if reference:
    hdr += (f" | {'ref time':>9} {'ref/swift':>9} {'sweeps':>6} {'calls':>5} {'conv':>4} "
            f"{'max|dc|':>9} {'max|dc|/cL':>10}")
print(hdr)
print("-" * len(hdr))
bad, notes, medians = [], [], {}
for t in tissues:
    s, s_best, s_med = load("swift", t)
    p, p_best, p_med = load("peer", t)
    d = profile_difference(t, "peer")
    if d is None:
        bad.append(t)
        continue
    medians[t] = s_med
    row = (f"{t:<17} {s_best * 1e3:>9.1f}ms {s_med * 1e3:>8.1f}ms {p_best * 1e3:>8.1f}ms {p_med * 1e3:>7.1f}ms "
           f"{p_med / s_med:>10.2f} {s['closure_calls']:>4}/{p['closure_calls']:<4} {d:>9.2e} {d / cL:>10.2e}")
    if not d / cL <= tol:
        bad.append(t)
    notes.append(f"{t}: swift {s['kinds']} final {s['final_residual']:.2e} ({s['stop']}); "
                 f"peer {p['kinds']} final {p['final_residual']:.2e} ({p['stop']})")
    if reference and os.path.exists(f"{work}/ref_{t}.json"):
        q = json.load(open(f"{work}/ref_{t}.json"))
        dq = profile_difference(t, "ref")
        dq_text = f"{dq:>9.2e} {dq / cL:>10.2e}" if dq is not None else f"{'-':>9} {'-':>10}"
        row += (f" | {q['median_seconds']:>8.2f}s {q['median_seconds'] / s_med:>9.0f} {q['sweeps']:>6} "
                f"{q['closure_calls']:>5} {'yes' if q['converged'] else 'no':>4} {dq_text}")
        notes.append(f"{t}: reference scheme {q['sweeps']} sweeps, {q['closure_calls']} network calls "
                     f"({q['closure_seconds']:.2f} s of {q['median_seconds']:.2f} s), stop {q['stop']} "
                     f"(last max change {q['final_change']:.2e} cL), relative residual at its final profile "
                     f"{q['final_residual']:.2e}")
    print(row)
    per_round = lambda side: " ".join(f"{json.load(open(f'{work}/{side}_{t}_{r}.json'))['median_seconds'] * 1e3:.1f}"
                                      for r in range(1, rounds + 1))
    notes.append(f"{t}: per-round medians (ms): swift {per_round('swift')}; peer {per_round('peer')}")
print("\n".join(notes))
for tissue in dict.fromkeys(t.split("@")[0] for t in tissues):
    if f"{tissue}@reference" in medians and f"{tissue}@compact" in medians:
        print(f"{tissue}: compact network {medians[f'{tissue}@reference'] / medians[f'{tissue}@compact']:.1f}x faster "
              f"than the reference size (Swift medians, same run)")
print(f"peer: {json.load(open(f'{work}/peer_{tissues[0]}_1.json'))['peer']}; "
      f"peer/swift > 1 means the Swift solver is faster"
      + ("; ref/swift = reference-scheme time / Swift median (max|dc| reported, not checked)" if reference else ""))
if bad:
    print(f"FAIL: swift and same-algorithm peer profiles differ by more than {tol:g} x cL "
          f"(or not comparable) for {', '.join(bad)}")
    sys.exit(1)
print(f"OK: swift and same-algorithm peer profiles agree within {tol:g} x cL")
EOF
