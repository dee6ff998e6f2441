#!/usr/bin/env bash
# Steady upscaled solve with the reference-size MLP closure: Swift (tissue-bench) against its
# named peer, a careful NumPy/SciPy rewrite (bench/upscaled_peer.py). See bench/README.md.
#
#   bench/upscaled.sh                  # brain and liver, 7 repeats each, 1000 cells
#   REPEATS=15 TISSUES=liver bench/upscaled.sh
#
# Environment: REPEATS (7), TISSUES ("brain liver"), CELLS (1000), PICARD_CONTRACTION (0.1; a
# tiny value such as 1e-4 forces the Newton phase with eta sensitivities), PYTHON (python3, only
# to create bench/.venv), TOLERANCE (1e-4: max |c_swift - c_peer| / cL before failing).
# Exits non-zero if a solver fails or the two final profiles differ by more than TOLERANCE.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
REPEATS=${REPEATS:-7}
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

# 4. Both solvers, same model, same machine, same run.
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
for t in $TISSUES; do
    echo "== $t: swift ($REPEATS repeats)" >&2
    "$BIN" steady --model "$WORK/model.h5" --tissue "$t" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/swift_$t.csv" > "$WORK/swift_$t.json"
    echo "== $t: numpy/scipy peer ($REPEATS repeats)" >&2
    "$PY" bench/upscaled_peer.py --model "$WORK/model.h5" --tissue "$t" --cells "$CELLS" --repeats "$REPEATS" \
        --picard-contraction "$PICARD_CONTRACTION" --profile "$WORK/peer_$t.csv" > "$WORK/peer_$t.json"
done
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# 5. Table and profile check.
"$PY" - "$WORK" "$TOLERANCE" "$REPEATS" "$CELLS" "$LOAD_BEFORE" "$LOAD_AFTER" "$PICARD_CONTRACTION" $TISSUES <<'EOF'
import json, os, sys
import numpy as np
work, tol, repeats, cells, load_before, load_after, contraction = sys.argv[1:8]
tissues = sys.argv[8:]
tol = float(tol)
cL = 2.0
print(f"steady upscaled solve, {cells} cells, MLP 6-1024-512-256-64-16-1 float32 (seeded random weights), "
      f"{repeats} repeats, Picard contraction {contraction}; {os.cpu_count()} cores, load average {load_before} (before) / {load_after} (after)")
hdr = (f"{'tissue':<7} {'swift best':>11} {'swift med':>10} {'peer best':>10} {'peer med':>9} "
       f"{'peer/swift':>10} {'calls s/p':>9} {'max|dc|':>9} {'max|dc|/cL':>10}")
print(hdr)
print("-" * len(hdr))
bad = []
for t in tissues:
    s = json.load(open(f"{work}/swift_{t}.json"))
    p = json.load(open(f"{work}/peer_{t}.json"))
    a = np.loadtxt(f"{work}/swift_{t}.csv", delimiter=",", ndmin=2)
    b = np.loadtxt(f"{work}/peer_{t}.csv", delimiter=",", ndmin=2)
    if a.shape != b.shape or np.abs(a[:, 0] - b[:, 0]).max() > 1e-12 * a[:, 0].max():
        print(f"{t}: the two profiles are not on the same grid ({a.shape} vs {b.shape})")
        bad.append(t)
        continue
    d = float(np.abs(a[:, 1] - b[:, 1]).max())
    ratio = p["median_seconds"] / s["median_seconds"]
    print(f"{t:<7} {s['best_seconds'] * 1e3:>9.1f}ms {s['median_seconds'] * 1e3:>8.1f}ms "
          f"{p['best_seconds'] * 1e3:>8.1f}ms {p['median_seconds'] * 1e3:>7.1f}ms {ratio:>10.2f} "
          f"{s['closure_calls']:>4}/{p['closure_calls']:<4} {d:>9.2e} {d / cL:>10.2e}")
    if not d / cL <= tol:
        bad.append(t)
for t in tissues:
    s = json.load(open(f"{work}/swift_{t}.json"))
    p = json.load(open(f"{work}/peer_{t}.json"))
    print(f"{t}: swift {s['kinds']} final {s['final_residual']:.2e} ({s['stop']}); "
          f"peer {p['kinds']} final {p['final_residual']:.2e} ({p['stop']})")
print(f"peer: {json.load(open(f'{work}/peer_{tissues[0]}.json'))['peer']}; "
      f"ratio > 1 means the Swift solver is faster")
if bad:
    print(f"FAIL: profiles differ by more than {tol:g} x cL (or not comparable) for {', '.join(bad)}")
    sys.exit(1)
print(f"OK: profiles agree within {tol:g} x cL")
EOF
